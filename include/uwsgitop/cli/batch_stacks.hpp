// batch_stacks.hpp — --stacks for --once and --batch: each snapshot's worker
// stacks (action/tracebacker.hpp) for the dump, the reasons on stderr.
//
// Contract: read() returns null when --stacks is off, else the stacks read
// for `snap` (valid until the next read()). Why an instance or a worker has no
// stack goes to stderr as one line, "uwsgitop: LINE", the first time it is
// said in a row (a --batch does not repeat an unchanged reason every
// interval); none of it changes the exit code. A replay or the demo has no
// live workers: one line says so.
//
// BatchCaptures is --format events' side of the stuck and harakiri events:
// capture() reads, before the events of `snap` are made, the stack of each
// request action::StackCaptures finds due (a live single instance only; each
// read bounded, so a batch step waits at most kTracebackerTimeout per worker
// due), and attach() puts the stack kept for a stuck or harakiri event's
// request into it. A worker without a readable stack leaves its event
// without one; nothing is said on stderr for it.
#pragma once

#include <string>
#include <vector>

#include "uwsgitop/action/stack_capture.hpp"
#include "uwsgitop/action/tracebacker.hpp"
#include "uwsgitop/settings/options.hpp"

namespace uwsgitop {

class BatchStacks {
public:
    explicit BatchStacks(const Options& options);
    const std::vector<WorkerStack>* read(const Snapshot& snap);

private:
    void say(std::vector<std::string>& now, const std::string& line);

    bool on_ = false;
    bool live_ = false;
    std::string given_;
    Address address_;
    action::StackReport report_;
    std::vector<std::string> said_;  // the lines of the last read()
};

class BatchCaptures {
public:
    explicit BatchCaptures(const Options& options);
    void capture(const Snapshot& snap, const Rates& rates);
    void attach(std::vector<Event>& events) const;

private:
    bool live_ = false;
    Address address_;
    action::StackCaptures captures_;
    std::vector<action::CaptureTarget> due_;
};

}  // namespace uwsgitop
