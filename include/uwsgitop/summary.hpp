// summary.hpp — the facts shown above the table (screen header and --once table).
//
// Line 1: "uwsgi 2.0.21 - <local time> - req: N - RPS: R - lq: Q - tx: T"
// Line 2: "node: ADDRESS - cwd: CWD - uid: U - gid: G - masterpid: P"
// Line 3: worker counts by status, listen_queue_errors, load, signal_queue.
// Server strings are escaped. Unknown values print as "-".
#pragma once

#include <string>

#include "uwsgitop/model.hpp"
#include "uwsgitop/rates.hpp"

namespace uwsgitop {

struct WorkerCounts {
    int busy = 0, idle = 0, cheap = 0, paused = 0, signal = 0, other = 0, total = 0;
};

WorkerCounts count_workers(const Snapshot& snap);

void summary_line1(const Snapshot& snap, const Rates* rates, double now, std::string& out);
void summary_line2(const Snapshot& snap, const std::string& address, std::string& out);
void summary_line3(const Snapshot& snap, std::string& out);

}  // namespace uwsgitop
