// batch_stacks.hpp — --stacks for --once and --batch: each snapshot's worker
// stacks (action/tracebacker.hpp) for the dump, the reasons on stderr.
//
// Contract: read() returns null when --stacks is off, else the stacks read
// for `snap` (valid until the next read()). Why an instance or a worker has no
// stack goes to stderr as one line, "uwsgitop: LINE", the first time it is
// said in a row (a --batch does not repeat an unchanged reason every
// interval); none of it changes the exit code. A replay or the demo has no
// live workers: one line says so.
#pragma once

#include <string>
#include <vector>

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

}  // namespace uwsgitop
