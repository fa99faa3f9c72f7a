// session.hpp — what both interactive screens (single and fleet) do around
// their loop, so they start and end the same way.
//
// open_screen(): the locale from the environment, the signal handlers
// (signals.hpp: before the terminal is opened, so ncurses keeps them), then
// the terminal, in colour unless --no-color or a non-empty NO_COLOR (--color
// always: colour anyway), with mouse reports unless --no-mouse. When the
// terminal cannot be used it prints the one-line reason ("uwsgitop: ...") to
// standard error, draws nothing, and returns false (exit status 1).
//
// guarded(): runs the loop; an exception closes the terminal first (so the
// message is readable), prints "uwsgitop: <what>" and gives exit status 1.
//
// leave(): call with the background threads asked to stop. When one is still
// in a fetch (`finished` false) — it ends only by its own timeout, and has
// nothing left to save — the process ends at once with `code` (stdio flushed)
// instead of waiting for it in a destructor; otherwise it returns `code`.
#pragma once

#include <functional>

#include "uwsgitop/settings/options.hpp"
#include "uwsgitop/tui/terminal.hpp"

namespace uwsgitop::tui {

bool open_screen(Terminal& term, const Options& options);
int guarded(Terminal& term, const std::function<int()>& loop);
int leave(int code, bool finished);

}  // namespace uwsgitop::tui
