// worker_counts.cpp — workers by status (see worker_counts.hpp).
#include "uwsgitop/model/worker_counts.hpp"

namespace uwsgitop {

WorkerCounts count_workers(const Snapshot& snap) {
    WorkerCounts c;
    for (const Worker& w : snap.workers) {
        ++c.total;
        const std::string_view s = w.status;
        if (s == "busy") ++c.busy;
        else if (s == "idle") ++c.idle;
        else if (s == "cheap") ++c.cheap;
        else if (s == "pause") ++c.paused;
        else if (s.substr(0, 3) == "sig") ++c.signal;
        else ++c.other;
    }
    return c;
}

}  // namespace uwsgitop
