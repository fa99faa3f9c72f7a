// worker_loop.hpp — the loop of one instance's screen: the worker ViewModel
// fed by a Fetcher. run_interactive() runs it for its one address; the fleet
// screen runs it for the instance opened with Enter.
//
// The loop never blocks on the server: each turn it passes the fetch thread's
// latest report to the view-model, swaps in a ready snapshot (not while
// paused: the snapshot on screen stays), draws on new data, a key, a resize
// and once a second (stale age, notices running out: tick_draw_due), hands
// interval and pause changes, then the travel keys' moves, then whether
// cores are wanted, to the fetcher (a travelled snapshot is swapped in even
// while paused, with its replay position), and only then sleeps until a
// key, the fetcher's next report (Fetcher::ready_fd) or that draw (50 ms at
// most while an action is in flight). It starts the fetcher (with the
// view-model's interval and pause state); stopping it is the caller's.
//
// `on_key`, when set, sees every key before the view-model: it returns Pass
// (the view-model handles the key), Handled (it did), or Leave (the loop ends
// with Leave). The loop also ends on q (Quit; Leave when the view-model asks
// to go back to the fleet, ViewModel::back_requested) and on a stop signal
// (signals.hpp; Signal).
//
// `actions`, when set, is the action menu (action_menu.hpp): x (not while a
// filter is typed) opens it, t tags the selected worker for it; it gets every
// key while open (before `on_key`), is drawn over the table, sees each new
// snapshot and each turn, and its messages go to the status line
// (ViewModel::notify).
//
// `stacks`, when set, reads the Python stacks the details show
// (stack_reader.hpp): each turn a read the view-model asks for (Enter on a
// worker, p in its details) starts on the reader's thread and a finished one
// goes to the view-model; while one is in flight the loop wakes every 50 ms
// to look, never waiting for it.
#pragma once

#include <functional>

#include "uwsgitop/tui/fetcher.hpp"
#include "uwsgitop/tui/grid.hpp"
#include "uwsgitop/tui/terminal.hpp"
#include "uwsgitop/tui/view_model.hpp"

namespace uwsgitop::tui {

constexpr double kTickSeconds = 1.0;
constexpr double kTickGrace = 0.25;

// When the once-a-second draw is due after a draw at `last_draw`: a second
// later, unless a live snapshot is expected within kTickGrace of then
// (`expected`: the last take plus the interval; < 0 when none is, paused or
// ended or before the first). Then that snapshot's own draw serves, so a
// 1 Hz refresh draws once a second, not twice; a late one gets the tick's
// draw kTickGrace after it was expected.
double tick_draw_due(double last_draw, double expected);

enum class KeyVerdict : uint8_t { Pass, Handled, Leave };
enum class LoopEnd : uint8_t { Quit, Signal, Leave };

using KeyHook = std::function<KeyVerdict(int key)>;

class ActionMenu;
class StackReader;
class CaptureReader;

// `shown` holds the snapshot on screen; `full_first` repaints every cell on
// the first draw (coming back from another screen). `captures` reads the
// stacks of long requests for the stuck and harakiri events.
LoopEnd worker_loop(Terminal& term, ViewModel& vm, Fetcher& fetcher, Slot& shown, Grid& grid, bool full_first,
                    const KeyHook& on_key, ActionMenu* actions = nullptr, StackReader* stacks = nullptr,
                    CaptureReader* captures = nullptr);

}  // namespace uwsgitop::tui
