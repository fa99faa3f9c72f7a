// stack_capture.hpp — one Python stack for each long request, captured while
// it runs, for the stuck and harakiri events.
//
// Contract: due() is given the snapshots of one live instance in the order
// they were read, with their rates (WorkerRates::busy_for). A worker's
// request (its pid and requests count) is due ONCE, when its time in it
// reaches capture_threshold(): --stuck-after, or half the master's --harakiri
// when that comes first, so that a request harakiri kills has its stack read
// before the kill. The master's --harakiri is read (master_config.hpp) once
// per master pid, only when a worker is busy and only after the snapshot's
// sender is proven to be that master (safety.hpp); nothing is read for an
// instance not proven local. due() opens no socket: the caller reads each
// target (read_stack_of(), bounded by kTracebackerTimeout) where it may wait,
// and hands the result to store(). attach() gives a stuck or harakiri event
// the stack stored for its worker's request (worker id, "pid" fact,
// Event::request_key). The last kKeptCaptures captures are kept.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "uwsgitop/action/tracebacker.hpp"
#include "uwsgitop/events/events.hpp"
#include "uwsgitop/rates/rates.hpp"

namespace uwsgitop::action {

inline constexpr std::size_t kKeptCaptures = 64;

// The seconds into a request at which its stack is captured: the smaller of
// stuck_after (when > 0) and half of harakiri (when known and > 0); infinity
// when neither is set.
double capture_threshold(double stuck_after, std::optional<long> harakiri);

struct CaptureTarget {
    StackTarget target;
    int64_t requests = -1;  // the worker's requests count in the request captured
};

class StackCaptures {
public:
    StackCaptures(double stuck_after, std::string given, ProcRoot proc = {});

    // Appends to `out` the requests of `snap` (read from `address`) due now.
    void due(const Snapshot& snap, const Rates& rates, const Address& address, std::vector<CaptureTarget>& out);
    void store(const CaptureTarget& target, WorkerStack stack);
    // Copies the frames stored for the event's request into e.stack; false
    // when the event is not a stuck or harakiri one or nothing was captured.
    bool attach(Event& e) const;
    // The master's --harakiri, as read for the last master (unknown: not read).
    std::optional<long> harakiri() const { return harakiri_; }

private:
    struct Captured {
        long worker_id = 0;
        int64_t pid = 0, requests = -1;
        WorkerStack stack;
    };
    struct Asked {
        long worker_id = 0;
        int64_t pid = 0, requests = -1;
    };
    void read_harakiri(const Snapshot& snap, const Address& address);
    bool asked(long id, int64_t pid, int64_t requests) const;

    double stuck_after_;
    std::string given_;
    ProcRoot proc_;
    int64_t master_ = -1;  // the master whose config was looked at
    std::optional<long> harakiri_;
    std::deque<Asked> asked_;
    std::deque<Captured> kept_;
};

}  // namespace uwsgitop::action
