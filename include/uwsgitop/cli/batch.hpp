// batch.hpp — the non-interactive runs: --once and --batch.
//
// run_batch() never touches terminal modes and works with stdout not a tty.
// Returns the process exit code: 0 when the last read worked, 1 when it
// failed or none worked (every failed read goes to stderr as
// "uwsgitop: ADDRESS: cause" and --batch goes on with the next interval; a
// batch that ends with a good read exits 0 even if a read in the middle,
// say during a reload, failed). A run stopped early because stdout was
// closed (a pipe to head) exits as the reads so far decide; 1 when output
// could not be written whole (write_output()).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "uwsgitop/events/events.hpp"
#include "uwsgitop/fleet/fleet.hpp"
#include "uwsgitop/settings/event_options.hpp"
#include "uwsgitop/settings/fetch_setup.hpp"
#include "uwsgitop/settings/options.hpp"
#include "uwsgitop/pipeline/pipeline.hpp"

namespace uwsgitop {

// Writes `text` whole to stdout and flushes it. Ok when every byte went out;
// Closed when the reader went away (EPIPE, SIGPIPE being ignored: a pipe to
// head), nothing said; Failed on any other error (a full disk, /dev/full, an
// I/O error), after one line on stderr, "uwsgitop: cannot write output:
// CAUSE". The caller stops writing: quietly on Closed, exit 1 on Failed.
enum class Written { Ok, Closed, Failed };
Written write_output(std::string_view text);

// The exit code after a write that was not Ok: 1 on Failed, else `so_far`.
int exit_after_write(Written written, int so_far);

int run_batch(const Options& options, Pipeline& pipeline);

// The same for several instances (Options::fleet()): every poll is printed as
// one fleet document (fleet_dump.hpp) or as Prometheus metrics. Exit code 1
// when an instance could not be read in the last poll (the table/json still
// shows its state), 0 otherwise.
int run_fleet_batch(const Options& options, std::vector<std::unique_ptr<Instance>>& fleet);

// --serve-metrics: serves until SIGINT/SIGTERM. Exit code 0, or 2 when the
// listen address cannot be used.
int run_metrics_server(const Options& options, std::vector<std::unique_ptr<Instance>>& fleet);

}  // namespace uwsgitop
