// stack_reader.hpp — a worker's Python stacks for the screen's details, read
// off the UI thread (action/tracebacker.hpp does the proof and the read).
//
// Contract: request() freezes what the read needs from the snapshot on
// screen (action::StackTarget: plain values, no reference to the snapshot)
// and reads it on a thread of its own, started without the screen's signals
// (signals.hpp); the UI thread never waits for a socket. One read at a time:
// a request while one is in flight is kept (the latest one) and started when
// that one ends. take() hands over each finished read once; its reason says
// why there is none (the refusal of the scope: a replay, the demo, a fleet
// without one address; no tracebacker, with how to turn it on). The
// destructor waits for a read in flight, which its own bounds end within
// about 2 s (kTracebackerTimeout and the kernel's socket table).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "uwsgitop/action/tracebacker.hpp"
#include "uwsgitop/settings/options.hpp"

namespace uwsgitop::tui {

struct StackScope {
    std::string refusal;    // non-empty: every request ends at once with this reason
    Address address;        // the one live stats address
    std::string given;      // --tracebacker PREFIX
    action::ProcRoot proc;
};
// For the screen of `address` (the single instance's, or the one the fleet
// screen opened).
StackScope stack_scope(const Options& options, const std::string& address);

// The read; tests replace it. Runs on the reader's thread.
using ReadStack = std::function<WorkerStack(const action::ProcRoot&, const action::StackTarget&)>;

// One read of `target` on a thread of its own, started without the screen's
// signals; done() gives its result once it has returned (until then none).
// The destructor joins the thread.
class StackReadThread {
public:
    StackReadThread(const ReadStack& read, const action::ProcRoot& proc, action::StackTarget target);
    ~StackReadThread();
    StackReadThread(const StackReadThread&) = delete;
    StackReadThread& operator=(const StackReadThread&) = delete;
    std::optional<WorkerStack> done();

private:
    std::mutex mu_;
    std::optional<WorkerStack> result_;
    std::thread thread_;
};

class StackReader {
public:
    explicit StackReader(StackScope scope, ReadStack read = {});
    ~StackReader();
    StackReader(const StackReader&) = delete;
    StackReader& operator=(const StackReader&) = delete;

    void request(const Snapshot& snap, int64_t worker_id);
    bool in_flight() const;
    // A finished read (once), starting the kept request if there is one.
    std::optional<WorkerStack> take();

private:
    void start(action::StackTarget target);

    StackScope scope_;
    ReadStack read_;
    std::unique_ptr<StackReadThread> runner_;
    std::optional<action::StackTarget> next_;
    std::optional<WorkerStack> refused_;  // a request the scope refused, for take()
};

}  // namespace uwsgitop::tui
