// summary.hpp — the facts shown above the table (screen header and --once table).
//
// Line 1: "uwsgi 2.0.21 - <local time> - req: N - RPS: R - lq: Q - tx: T"
//         (the screen drops the date when the line is wider than it);
//         replaying with a position: "replay HH:MM:SS, I/N" (the recorded
//         local time, 1-based position in the window) in place of the time.
// Line 2: "node: ADDRESS - cwd: CWD - uid: U - gid: G - masterpid: P"
// Line 3: worker counts by status, listen_queue_errors, load, signal_queue.
// Server strings are escaped. Unknown values print as "-".
#pragma once

#include <string>

#include "uwsgitop/model/model.hpp"
#include "uwsgitop/model/worker_counts.hpp"
#include "uwsgitop/rates/rates.hpp"
#include "uwsgitop/source/source.hpp"

namespace uwsgitop {

// `short_clock`: the time without the date ("14:03:12"), for a narrow
// screen that would otherwise lose the request rate off its edge.
void summary_line1(const Snapshot& snap, const Rates* rates, double now, std::string& out,
                   const RecordPosition* replay = nullptr, bool short_clock = false);
// "replay 14:03:12, 812/3600".
void append_replay_clock(std::string& out, const RecordPosition& at);
void summary_line2(const Snapshot& snap, const std::string& address, std::string& out);
void summary_line3(const Snapshot& snap, std::string& out);

}  // namespace uwsgitop
