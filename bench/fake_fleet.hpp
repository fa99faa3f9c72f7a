// fake_fleet.hpp — many fake stats servers in one process, one epoll loop.
//
// start_fake_fleet() forks a child that binds `count` listening sockets on
// 127.0.0.1 (ephemeral ports, never anything but loopback) and serves them
// all from one epoll loop, like a plain uWSGI stats socket: on each accepted
// connection it writes one whole document and closes, the documents given
// served in turn per port (A, B, A, ...). The last `silent` ports accept and
// then never write (a hung master): the connection stays open until the
// client closes it. The child dies with its parent (PR_SET_PDEATHSIG) and is
// stopped by stop_fake_fleet(pid). served() reads the per-port count of
// documents written (a shared mapping the child updates), for checking that
// every answering instance was asked every round.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "uwsgitop/base/byte_buffer.hpp"

namespace uwsgitop::bench {

class FakeFleet {
public:
    FakeFleet() = default;
    ~FakeFleet() { stop(); }
    FakeFleet(const FakeFleet&) = delete;
    FakeFleet& operator=(const FakeFleet&) = delete;

    // False with `error` set when the child or its sockets could not start.
    bool start(int count, int silent, const std::vector<uwsgitop::ByteBuffer>& docs, std::string& error);
    void stop();

    const std::vector<uint16_t>& ports() const { return ports_; }
    bool silent(std::size_t index) const { return index >= ports_.size() - static_cast<std::size_t>(silent_); }
    uint32_t served(std::size_t index) const;   // documents written on port `index`
    pid_t pid() const { return pid_; }

private:
    std::vector<uint16_t> ports_;
    int silent_ = 0;
    pid_t pid_ = -1;
    uint32_t* counters_ = nullptr;   // shared with the child
    std::size_t counters_bytes_ = 0;
};

// "4 workers" documents: the prefork fixtures (tests/fixtures/prefork-1/-2.json).
std::vector<uwsgitop::ByteBuffer> prefork_documents(const std::string& fixtures_dir);

}  // namespace uwsgitop::bench
