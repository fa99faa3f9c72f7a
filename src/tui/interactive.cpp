// interactive.cpp — run_interactive(): one address's screen, from opening the
// terminal to shutdown.
//
// The loop is worker_loop.hpp's (shared with the fleet's drill-down), start
// and end are session.hpp's, signals are signals.hpp's: SIGINT, SIGTERM and
// SIGHUP end the loop, the terminal is restored and the exit code is 128 +
// the signal number (q returns 0). Fatal signals restore the terminal
// best-effort and die as they would have.
#include "uwsgitop/tui/interactive.hpp"
#include "uwsgitop/tui/action_menu.hpp"
#include "uwsgitop/tui/capture_reader.hpp"
#include "uwsgitop/tui/fetcher.hpp"
#include "uwsgitop/tui/session.hpp"
#include "uwsgitop/tui/signals.hpp"
#include "uwsgitop/tui/stack_reader.hpp"
#include "uwsgitop/tui/terminal.hpp"
#include "uwsgitop/tui/view_model.hpp"
#include "uwsgitop/tui/worker_loop.hpp"

namespace uwsgitop {

int run_interactive(const Options& options, Pipeline& pipeline) {
    tui::Terminal term;
    if (!tui::open_screen(term, options)) return 1;
    tui::ViewModel vm(options, pipeline.label());
    vm.set_ascii(tui::prefer_ascii(term.utf8()));
    tui::Fetcher fetcher(pipeline);
    const int code = tui::guarded(term, [&] {
        tui::Slot shown;
        tui::Grid grid;
        tui::ActionMenu actions(tui::action_scope(options));
        const std::string address = options.addresses.size() == 1 ? options.addresses.front() : std::string();
        tui::StackReader stacks(tui::stack_scope(options, address));
        tui::CaptureReader captures(tui::stack_scope(options, address), options.stuck_after);
        tui::worker_loop(term, vm, fetcher, shown, grid, false, {}, &actions, &stacks, &captures);
        return tui::stop_exit_code();
    });
    term.close();  // the terminal first: the shell gets it back at once
    // A fetch in flight ends only by its own timeout. Without a recording to
    // finish there is nothing to wait for: leave without it.
    const double wait = options.record_path.empty() ? 0.3 : options.timeout + 2.0;
    return tui::leave(code, fetcher.stop(wait));
}

}  // namespace uwsgitop
