// bench_server.hpp — a loopback stats server for the benchmark.
//
// Behaves like a plain uWSGI stats socket: on every accepted connection it
// writes one whole document and closes. The documents given to start() are
// served in turn (A, B, A, B, ...), so consecutive reads see successive
// snapshots. Binds 127.0.0.1 on an ephemeral port (or the port asked for);
// never anything but loopback. One thread, stopped by stop() or the
// destructor. connections() counts the documents written completely.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "uwsgitop/base/byte_buffer.hpp"

namespace uwsgitop::bench {

class LoopbackServer {
public:
    LoopbackServer() = default;
    ~LoopbackServer() { stop(); }
    LoopbackServer(const LoopbackServer&) = delete;
    LoopbackServer& operator=(const LoopbackServer&) = delete;

    // Starts serving `docs` (at least one). Returns false with `error` set
    // when the socket cannot be bound. `port` 0 picks a free one.
    bool start(std::vector<uwsgitop::ByteBuffer> docs, uint16_t port, std::string& error);
    void stop();

    uint16_t port() const { return port_; }
    uint64_t connections() const { return served_.load(std::memory_order_relaxed); }
    // The next accepted connection gets document `index` (then the cycle goes on).
    void serve_next(std::size_t index) { next_.store(index, std::memory_order_relaxed); }

private:
    void run();

    std::vector<uwsgitop::ByteBuffer> docs_;
    int listen_fd_ = -1;
    int wake_fd_[2] = {-1, -1};   // a pipe: stop() writes to it to end run()
    uint16_t port_ = 0;
    std::atomic<uint64_t> served_{0};
    std::atomic<std::size_t> next_{0};
    std::thread thread_;
};

}  // namespace uwsgitop::bench
