// tui.hpp — the interactive screen (ncurses), entered when neither --once nor
// --batch is given. Returns the process exit code (0 on q, 1 when the
// terminal cannot be used). The terminal is restored on every exit path.
#pragma once

#include "uwsgitop/options.hpp"
#include "uwsgitop/pipeline.hpp"

namespace uwsgitop {

int run_interactive(const Options& options, Pipeline& pipeline);

}  // namespace uwsgitop
