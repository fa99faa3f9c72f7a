// interactive.cpp — run_interactive(): the UI loop, signals and shutdown.
//
// The loop never blocks on the server: it polls keys with a short timeout,
// takes whatever snapshot the fetch thread has ready (fetcher.hpp), and
// redraws on a key, on new data, on resize, and once a second (clock, stale
// age). SIGINT, SIGTERM and SIGHUP only set a flag; the loop then restores the
// terminal and returns 128 + the signal number (q returns 0). Fatal signals
// restore the terminal best-effort and die as they would have.
#include <unistd.h>

#include <clocale>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "uwsgitop/frame.hpp"
#include "uwsgitop/tui.hpp"
#include "uwsgitop/tui/fetcher.hpp"
#include "uwsgitop/tui/render.hpp"
#include "uwsgitop/tui/terminal.hpp"
#include "uwsgitop/tui/view_model.hpp"

namespace uwsgitop {

namespace {

volatile std::sig_atomic_t g_stop_signal = 0;

void on_stop_signal(int sig) { g_stop_signal = sig; }

void on_fatal_signal(int sig) {
    tui::emergency_restore_terminal();
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

void restore_at_exit() { tui::emergency_restore_terminal(); }

void install_signal_handlers() {
    struct sigaction sa{};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: a blocking read returns at once
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
    struct sigaction fatal{};
    fatal.sa_handler = on_fatal_signal;
    sigemptyset(&fatal.sa_mask);
    fatal.sa_flags = SA_RESETHAND;
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) sigaction(sig, &fatal, nullptr);
}

constexpr int kKeyPollMs = 50;
constexpr double kTickSeconds = 1.0;

int ui_loop(tui::Terminal& term, tui::ViewModel& vm, tui::Fetcher& fetcher) {
    tui::Slot shown;
    tui::Grid grid;
    tui::FetchReport report;
    uint64_t seen = 0;
    int w = 0, h = 0;
    term.size(w, h);
    vm.set_size(w, h);
    double interval = vm.interval();
    bool paused = vm.paused();
    fetcher.start(interval, paused);
    bool dirty = true;
    double last_draw = 0;
    while (!vm.quit_requested() && g_stop_signal == 0) {
        const double now = monotonic_seconds();
        vm.set_clock(now);
        if (fetcher.poll(seen, report)) {
            if (report.ok) vm.set_fetch_ok(now);
            else vm.set_fetch_error(report.message, now);
            if (report.ended) vm.set_ended();
            dirty = true;
        }
        // Paused: keep showing the snapshot we have, even if one was in flight.
        if (!vm.paused() && fetcher.take(shown)) {
            vm.set_snapshot(&shown.snap, &shown.rates, shown.wall_time);
            dirty = true;
        }
        if (now - last_draw >= kTickSeconds) dirty = true;
        if (dirty) {
            tui::render(vm, grid);
            term.draw(grid, vm.take_full_redraw());
            last_draw = now;
            dirty = false;
        }
        const int k = term.read_key(kKeyPollMs);
        if (k == tui::key::Resize) {
            term.size(w, h);
            vm.set_size(w, h);
            dirty = true;
        } else if (k != tui::key::None) {
            vm.set_clock(monotonic_seconds());
            vm.handle_key(k);
            dirty = true;
        }
        if (vm.interval() != interval || vm.paused() != paused) {
            interval = vm.interval();
            paused = vm.paused();
            fetcher.configure(interval, paused);
        }
    }
    return g_stop_signal != 0 ? 128 + static_cast<int>(g_stop_signal) : 0;
}

}  // namespace

int run_interactive(const Options& options, Pipeline& pipeline) {
    std::setlocale(LC_ALL, "");
    install_signal_handlers();  // before newterm: ncurses then keeps ours
    static bool atexit_done = false;
    if (!atexit_done) {
        std::atexit(restore_at_exit);
        atexit_done = true;
    }
    tui::Terminal term;
    const char* no_color_env = std::getenv("NO_COLOR");
    const bool color = !options.no_color && !(no_color_env && *no_color_env);
    const Status st = term.open(color);
    if (!st) {
        std::fprintf(stderr, "uwsgitop: %s\n", st.message().c_str());
        return 1;
    }
    tui::ViewModel vm(options, pipeline.label());
    vm.set_ascii(tui::prefer_ascii(term.utf8()));
    int code = 0;
    bool finished = true;
    {
        tui::Fetcher fetcher(pipeline);
        try {
            code = ui_loop(term, vm, fetcher);
        } catch (const std::exception& e) {
            term.close();
            std::fprintf(stderr, "uwsgitop: %s\n", e.what());
            code = 1;
        }
        term.close();  // the terminal first: the shell gets it back at once
        // A fetch in flight ends only by its own timeout. Without a recording to
        // finish there is nothing to wait for: leave without it.
        const double wait = options.record_path.empty() ? 0.3 : options.timeout + 2.0;
        finished = fetcher.stop(wait);
        if (!finished) {
            std::fflush(stdout);
            std::fflush(stderr);
            std::_Exit(code);
        }
    }
    return code;
}

}  // namespace uwsgitop
