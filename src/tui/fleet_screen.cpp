// fleet_screen.cpp — run_fleet_interactive(): the fleet screen's UI loop, and
// the drill-down into one instance's full screen.
//
// The fleet is polled by a FleetPoller thread; the loop polls keys with a
// short timeout and swaps in whatever round is ready, so keys answer within a
// frame whatever the targets do. Enter opens the selected instance: a
// dedicated Pipeline for its address with its own Fetcher thread drives the
// usual worker ViewModel (every pane, details, help). Esc, when there is no
// overlay or filter to close, comes back to the fleet; the drill-down's
// fetcher is asked to stop and, if a fetch is still in flight, parked until
// it ends by its timeout (never waited for in the UI). q quits everywhere.
// v on an Emperor's vassals pane adds that vassal to the fleet.
#include <unistd.h>

#include <clocale>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "uwsgitop/address.hpp"
#include "uwsgitop/frame.hpp"
#include "uwsgitop/tui.hpp"
#include "uwsgitop/tui/fetcher.hpp"
#include "uwsgitop/tui/fleet_poller.hpp"
#include "uwsgitop/tui/fleet_view.hpp"
#include "uwsgitop/tui/render.hpp"
#include "uwsgitop/tui/terminal.hpp"
#include "uwsgitop/text.hpp"
#include "uwsgitop/tui/vassal_discovery.hpp"
#include "uwsgitop/tui/view_model.hpp"

namespace uwsgitop {

namespace {

volatile std::sig_atomic_t g_fleet_stop = 0;

void on_stop(int sig) { g_fleet_stop = sig; }

void on_fatal(int sig) {
    tui::emergency_restore_terminal();
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

void install_handlers() {
    struct sigaction sa{};
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
    struct sigaction fatal{};
    fatal.sa_handler = on_fatal;
    sigemptyset(&fatal.sa_mask);
    fatal.sa_flags = SA_RESETHAND;
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) sigaction(sig, &fatal, nullptr);
}

constexpr int kKeyPollMs = 50;

// One instance's full screen.
struct Drill {
    std::unique_ptr<Pipeline> pipeline;
    std::unique_ptr<tui::Fetcher> fetcher;
    std::unique_ptr<tui::ViewModel> vm;
    tui::Slot shown;
};

std::unique_ptr<Drill> open_drill(const Options& options, const std::string& address_text, std::string& error) {
    Address address;
    const Status st = parse_address(address_text, address);
    if (!st) {
        error = st.message();
        return nullptr;
    }
    FetchLimits limits;
    limits.timeout_seconds = options.timeout;
    limits.max_bytes = static_cast<std::size_t>(options.max_size_mib * 1024.0 * 1024.0);
    auto d = std::make_unique<Drill>();
    d->pipeline = std::make_unique<Pipeline>(make_source(address, limits));
    d->vm = std::make_unique<tui::ViewModel>(options, d->pipeline->label());
    d->fetcher = std::make_unique<tui::Fetcher>(*d->pipeline);
    return d;
}

// v on the vassals pane: the selected vassal's stats address joins the fleet.
void add_vassal(tui::ViewModel& vm, tui::FleetPoller& poller) {
    const Snapshot* snap = vm.snapshot();
    const int sel = vm.state().selected;
    if (!snap || vm.pane() != tui::PaneId::Vassals || sel < 0 ||
        static_cast<std::size_t>(sel) >= vm.pane_rows().size()) {
        vm.notify("v: select a vassal in the vassals pane of an Emperor");
        return;
    }
    const Vassal& v = snap->vassals[vm.pane_rows()[static_cast<std::size_t>(sel)]];
    Target t;
    Status st = tui::discover_vassal(v, t);
    Address address;
    if (st) st = parse_address(t.address, address);
    if (!st) {
        vm.notify("vassal not added: " + st.message());
        return;
    }
    poller.add(t);
    vm.notify("added to the fleet: " + escape_for_display(t.name) + " (" + escape_for_display(t.address) + ")");
}

// Runs the drill-down until Esc (returns false) or quit/signal (true).
bool drill_loop(tui::Terminal& term, Drill& d, tui::Grid& grid, bool ascii, tui::FleetPoller& poller) {
    tui::ViewModel& vm = *d.vm;
    tui::FetchReport report;
    uint64_t seen = 0;
    int w = 0, h = 0;
    term.size(w, h);
    vm.set_size(w, h);
    vm.set_ascii(ascii);
    double interval = vm.interval();
    bool paused = vm.paused();
    d.fetcher->start(interval, paused);
    bool dirty = true;
    double last_draw = 0;
    bool full = true;
    while (!vm.quit_requested() && g_fleet_stop == 0) {
        const double now = monotonic_seconds();
        vm.set_clock(now);
        if (d.fetcher->poll(seen, report)) {
            if (report.ok) vm.set_fetch_ok(now);
            else vm.set_fetch_error(report.message, now);
            if (report.ended) vm.set_ended();
            dirty = true;
        }
        if (!vm.paused() && d.fetcher->take(d.shown)) {
            vm.set_snapshot(&d.shown.snap, &d.shown.rates, d.shown.wall_time);
            dirty = true;
        }
        if (now - last_draw >= 1.0) dirty = true;
        if (dirty) {
            tui::render(vm, grid);
            term.draw(grid, vm.take_full_redraw() || full);
            full = false;
            last_draw = now;
            dirty = false;
        }
        const int k = term.read_key(kKeyPollMs);
        if (k == tui::key::Resize) {
            term.size(w, h);
            vm.set_size(w, h);
            dirty = true;
        } else if (k != tui::key::None) {
            if (k == tui::key::Escape && vm.overlay() == tui::Overlay::None && !vm.filter_editing() &&
                vm.state().filter.empty()) {
                return false;
            }
            vm.set_clock(monotonic_seconds());
            const tui::KeyBinding* b = vm.filter_editing() ? nullptr : tui::find_binding(k);
            if (b && b->action == tui::Action::AddVassal && vm.overlay() == tui::Overlay::None) add_vassal(vm, poller);
            else vm.handle_key(k);
            dirty = true;
        }
        if (vm.interval() != interval || vm.paused() != paused) {
            interval = vm.interval();
            paused = vm.paused();
            d.fetcher->configure(interval, paused);
        }
    }
    return true;
}

}  // namespace

int run_fleet_interactive(const Options& options, std::vector<std::unique_ptr<Instance>>& fleet) {
    std::setlocale(LC_ALL, "");
    install_handlers();
    tui::Terminal term;
    const char* no_color_env = std::getenv("NO_COLOR");
    const Status st = term.open(!options.no_color && !(no_color_env && *no_color_env));
    if (!st) {
        std::fprintf(stderr, "uwsgitop: %s\n", st.message().c_str());
        return 1;
    }
    const bool ascii = tui::prefer_ascii(term.utf8());
    tui::FleetViewModel vm(options.interval);
    vm.set_ascii(ascii);
    FetchLimits limits;
    limits.timeout_seconds = options.timeout;
    limits.max_bytes = static_cast<std::size_t>(options.max_size_mib * 1024.0 * 1024.0);
    tui::FleetPoller poller(fleet, static_cast<unsigned>(std::max(1L, options.concurrency)), limits,
                            options.follow_vassals);
    std::vector<std::unique_ptr<Drill>> parked;  // drill-downs with a fetch still in flight
    std::vector<tui::FleetRow> incoming;
    tui::Grid grid;
    int code = 0;
    try {
        int w = 0, h = 0;
        term.size(w, h);
        vm.set_size(w, h);
        poller.start(options.interval);
        bool dirty = true, full = false;
        double last_draw = 0;
        while (!vm.quit_requested() && g_fleet_stop == 0) {
            const double now = monotonic_seconds();
            vm.set_clock(now);
            if (poller.take(incoming)) {
                vm.set_rows(incoming);
                dirty = true;
            }
            if (now - last_draw >= 1.0) dirty = true;
            if (dirty) {
                tui::render_fleet(vm, grid);
                term.draw(grid, full);
                full = false;
                last_draw = now;
                dirty = false;
            }
            const int k = term.read_key(kKeyPollMs);
            if (k == tui::key::Resize) {
                term.size(w, h);
                vm.set_size(w, h);
                dirty = true;
            } else if (k == tui::key::CtrlL) {
                full = dirty = true;
            } else if (k != tui::key::None) {
                vm.handle_key(k);
                dirty = true;
            }
            const std::string name = vm.take_open_request();
            if (name.empty()) continue;
            std::string address;
            for (const tui::FleetRow& r : vm.rows()) {
                if (r.name == name) address = r.address;
            }
            std::string error;
            auto d = open_drill(options, address, error);
            if (!d) continue;
            const bool quit = drill_loop(term, *d, grid, ascii, poller);
            if (!d->fetcher->stop(0.0)) parked.push_back(std::move(d));
            if (quit) break;
            term.size(w, h);
            vm.set_size(w, h);
            full = dirty = true;
        }
        if (g_fleet_stop != 0) code = 128 + static_cast<int>(g_fleet_stop);
    } catch (const std::exception& e) {
        term.close();
        std::fprintf(stderr, "uwsgitop: %s\n", e.what());
        code = 1;
    }
    term.close();
    // Rounds in flight end only by their fetch timeouts: do not wait for them.
    bool finished = poller.stop(0.3);
    for (auto& d : parked) finished = d->fetcher->stop(0.0) && finished;
    if (!finished) {
        std::fflush(stdout);
        std::fflush(stderr);
        std::_Exit(code);
    }
    return code;
}

}  // namespace uwsgitop
