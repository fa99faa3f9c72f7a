// worker_counts.hpp — a snapshot's workers counted by status.
//
// busy, idle, cheap and pause are uWSGI's status words; signal counts every
// "sigNN"; other is anything else (a status this version does not know, or
// none). total is every worker, cheap ones included.
#pragma once

#include "uwsgitop/model/model.hpp"

namespace uwsgitop {

struct WorkerCounts {
    int busy = 0, idle = 0, cheap = 0, paused = 0, signal = 0, other = 0, total = 0;
};

WorkerCounts count_workers(const Snapshot& snap);

}  // namespace uwsgitop
