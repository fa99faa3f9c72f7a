// batch.hpp — the non-interactive runs: --once and --batch.
//
// run_batch() never touches terminal modes and works with stdout not a tty.
// Returns the process exit code: 0 when every snapshot was read and printed,
// 1 when a read or parse failed (the message goes to stderr as
// "uwsgitop: ADDRESS: cause"; --batch goes on with the next interval and
// still exits 1 at the end), 0 early when stdout is closed (a pipe to head).
#pragma once

#include "uwsgitop/options.hpp"
#include "uwsgitop/pipeline.hpp"

namespace uwsgitop {

int run_batch(const Options& options, Pipeline& pipeline);

// Sleeps until `seconds` have passed on the monotonic clock (interrupted
// sleeps resume). Returns early if *stop becomes true (may be null).
void sleep_for_seconds(double seconds, const volatile bool* stop = nullptr);

}  // namespace uwsgitop
