// capture_reader.hpp — the screen's side of the stuck and harakiri events'
// stacks: each long request's stack (action/stack_capture.hpp) read on a
// thread of its own while the request runs.
//
// Contract: on_snapshot() is given every snapshot the screen takes from a
// live instance, in order; the requests action::StackCaptures finds due are
// queued and read one after another (action::read_stack_of(), bounded), on a
// thread started without the screen's signals; the UI thread never waits for
// a socket. take() stores a finished read (true when one was stored: the
// caller then lets attach() give the events their stacks). A scope with a
// refusal (a replay, the demo, a fleet without one address) reads nothing.
// Nothing is opened while no worker is busy past the threshold. The
// destructor waits for a read in flight (bounded by kTracebackerTimeout).
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "uwsgitop/action/stack_capture.hpp"
#include "uwsgitop/tui/stack_reader.hpp"

namespace uwsgitop::tui {

class CaptureReader {
public:
    CaptureReader(StackScope scope, double stuck_after, ReadStack read = {});
    ~CaptureReader();
    CaptureReader(const CaptureReader&) = delete;
    CaptureReader& operator=(const CaptureReader&) = delete;

    void on_snapshot(const Snapshot& snap, const Rates& rates);
    bool take();
    bool in_flight() const { return runner_ != nullptr; }
    bool attach(Event& e) const { return captures_.attach(e); }

private:
    void start_next();

    StackScope scope_;
    ReadStack read_;
    action::StackCaptures captures_;
    std::vector<action::CaptureTarget> due_;
    std::deque<action::CaptureTarget> queue_;
    action::CaptureTarget reading_;  // what runner_ reads
    std::unique_ptr<StackReadThread> runner_;
};

}  // namespace uwsgitop::tui
