// tui.hpp — the interactive screen (ncurses), entered when neither --once nor
// --batch is given. Returns the process exit code (0 on q, 1 when the
// terminal cannot be used). The terminal is restored on every exit path.
#pragma once

#include <memory>
#include <vector>

#include "uwsgitop/fleet/fleet.hpp"
#include "uwsgitop/settings/options.hpp"
#include "uwsgitop/pipeline/pipeline.hpp"

namespace uwsgitop {

int run_interactive(const Options& options, Pipeline& pipeline);

// The fleet screen: one row per instance (fleet_columns.hpp); Enter drills
// into one instance's full view, Esc comes back.
int run_fleet_interactive(const Options& options, std::vector<std::unique_ptr<Instance>>& fleet);

}  // namespace uwsgitop
