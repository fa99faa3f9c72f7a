// summary.hpp — the facts shown above the table (screen header and --once table).
//
// Line 1: "uwsgi 2.0.21 - <local time> - req: N - RPS: R - lq: Q - tx: T"
//         (the screen drops the date when the line is wider than it);
//         replaying with a position: "replay HH:MM:SS, I/N" (the recorded
//         local time, 1-based position in the window) in place of the time,
//         with the date when the window spans more than one local day and
//         hundredths (or thousandths) of a second when the snapshot is less
//         than a second from a neighbour (replay_clock_style).
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

// How a recorded time reads: with the date ("2026-12-07 16:33:07") or not,
// and `decimals` digits of the second (0, 2 or 3).
struct ClockStyle {
    bool date = false;
    int decimals = 0;
};
// The style at `at`: the date when the window's first and last snapshots
// fall on different local days; two decimals when a neighbour is less than
// a second away, three when it is less than a hundredth away (so two
// neighbours never read the same), else none.
ClockStyle replay_clock_style(const RecordPosition& at);
// Local time `t` in `style`: "[YYYY-MM-DD ]HH:MM:SS[.ff]" (the fraction cut,
// not rounded: 07.999 reads 07.99, never 08.00); "-" when not a time.
void append_clock(std::string& out, double t, ClockStyle style);
// "replay 14:03:12, 812/3600" in replay_clock_style(at) (without the date
// when `short_clock`).
void append_replay_clock(std::string& out, const RecordPosition& at, bool short_clock = false);
void summary_line2(const Snapshot& snap, const std::string& address, std::string& out);
void summary_line3(const Snapshot& snap, std::string& out);

}  // namespace uwsgitop
