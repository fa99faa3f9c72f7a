// batch_stacks.cpp — --stacks for --once and --batch (see batch_stacks.hpp).
#include "uwsgitop/cli/batch_stacks.hpp"

#include <algorithm>
#include <cstdio>

namespace uwsgitop {

namespace {

// One live instance at `address`: its workers' stacks can be read.
bool live_instance(const Options& options, Address& address) {
    return options.replay_path.empty() && !options.demo && options.addresses.size() == 1 &&
           parse_address(options.addresses.front(), address);
}

}  // namespace

BatchStacks::BatchStacks(const Options& options) : on_(options.stacks), given_(options.tracebacker) {
    live_ = live_instance(options, address_);
}

void BatchStacks::say(std::vector<std::string>& now, const std::string& line) {
    if (std::find(said_.begin(), said_.end(), line) == said_.end()) std::fprintf(stderr, "uwsgitop: %s\n", line.c_str());
    now.push_back(line);
}

const std::vector<WorkerStack>* BatchStacks::read(const Snapshot& snap) {
    if (!on_) return nullptr;
    std::vector<std::string> now;
    if (!live_) {
        report_ = {};
        say(now, "stacks: a recording is not a live instance; no stack is read");
    } else {
        report_ = action::read_stacks(action::ProcRoot{}, snap, address_, given_);
        if (!report_.note.empty()) say(now, report_.note);
        for (const WorkerStack& w : report_.workers)
            if (!w.read) say(now, "stacks: " + w.reason);
    }
    said_ = std::move(now);
    return &report_.workers;
}

BatchCaptures::BatchCaptures(const Options& options) : captures_(options.stuck_after, options.tracebacker) {
    live_ = options.format == OutputFormat::Events && live_instance(options, address_);
}

void BatchCaptures::capture(const Snapshot& snap, const Rates& rates) {
    if (!live_) return;
    due_.clear();
    captures_.due(snap, rates, address_, due_);
    for (const action::CaptureTarget& t : due_) captures_.store(t, action::read_stack_of(action::ProcRoot{}, t.target));
}

void BatchCaptures::attach(std::vector<Event>& events) const {
    for (Event& e : events) captures_.attach(e);
}

}  // namespace uwsgitop
