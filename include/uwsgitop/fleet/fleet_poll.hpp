// fleet_poll.hpp — the fleet's polling engine: one epoll loop for every
// socket target, a few threads for the others, fetches that outlive a round.
//
// A FleetPoll keeps each instance's fetch running until it ends, however
// many rounds that takes, so an instance that accepts and never answers
// does not hold up the others:
//   * start_round(fleet) starts a fetch for every instance that has none in
//     flight (an instance still fetching from an earlier round is left to
//     finish: it keeps its last state until then, and is marked down by its
//     own timeout, FetchLimits::timeout_seconds);
//   * run_until(deadline, when) drives the fetches and stores each one's
//     outcome in its Instance (as poll_instance() does) as soon as it ends,
//     on the calling thread; it returns at `deadline`, after wake(), and, as
//     `when` asks, once every fetch of the last round has ended, once any
//     fetch has, or once none is in flight.
// Socket sources with a nonblocking() fetch (TCP to an IP literal, unix,
// abstract sockets) run in epoll loops: kLoops threads at most (one per CPU,
// up to 4), each owning a share of the sockets, started when first needed;
// at most `max_connections` sockets are open at once in all (the default
// kMaxConnections, lowered to half of RLIMIT_NOFILE's soft limit when that
// is smaller), the others wait their turn. A loop thread connects, reads
// and parses (Pipeline::complete); the outcome is stored into the Instance
// by the thread that calls run_until(), so every Instance field the screen
// reads is written by that one thread. Sources that only block (TCP hosts
// given by name, http(s) through libcurl, files) run on up to `threads`
// worker threads, started when first needed, stored the same way.
//
// Threads: one thread calls everything but wake(), which any thread may call. Instances must outlive the FleetPoll (the destructor abandons
// the socket fetches in flight and waits for the blocking ones, each bounded
// by its timeout); the fleet vector may grow between calls (instances are
// held by address, never moved).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "uwsgitop/fleet/fleet.hpp"

namespace uwsgitop {

class FleetPoll {
public:
    static constexpr unsigned kMaxConnections = 1024;

    explicit FleetPoll(unsigned threads, unsigned max_connections = kMaxConnections);
    ~FleetPoll();
    FleetPoll(const FleetPoll&) = delete;
    FleetPoll& operator=(const FleetPoll&) = delete;

    enum class Until : uint8_t {
        Deadline,    // only the deadline (or wake()) ends the call
        RoundDone,   // ... or no fetch of the last start_round() in flight
        AnyStored,   // ... or at least one fetch stored
        AllDone,     // ... or no fetch in flight at all
    };

    void start_round(const std::vector<std::unique_ptr<Instance>>& fleet);
    // Returns how many fetches ended (and were stored) during the call.
    std::size_t run_until(double deadline, Until when);
    void wake();

    std::size_t in_flight() const { return in_flight_; }        // fetches not stored yet
    // Of those, the last round's, not counting instances whose previous
    // poll failed: a member that is down (or hangs: down once its timeout
    // passed) does not hold up the hand-over of the others.
    std::size_t round_pending() const { return round_pending_; }
    unsigned max_connections() const { return max_connections_; }

private:
    struct Loop;   // one epoll loop thread (fleet_poll.cpp)

    void store(Instance* inst, const Status& st);
    void collect();
    void worker();
    void finished(Instance* inst, Status st);   // any thread: hand an outcome to the caller's thread

    unsigned max_connections_;
    unsigned threads_;
    std::vector<std::unique_ptr<Loop>> loops_;
    std::size_t next_loop_ = 0;
    std::size_t in_flight_ = 0;
    std::size_t round_pending_ = 0;
    unsigned long round_ = 0;
    std::atomic<bool> woken_{false};

    // Blocking sources' queue, and every finished fetch, under mu_.
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Instance*> jobs_;
    std::vector<std::pair<Instance*, Status>> finished_;
    std::size_t busy_workers_ = 0;
    bool stopping_ = false;
    std::vector<std::thread> workers_;
};

}  // namespace uwsgitop
