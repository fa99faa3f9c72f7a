// fleet_screen.cpp — run_fleet_interactive(): the fleet screen's UI loop, and
// the drill-down into one instance's full screen.
//
// The fleet is polled by a FleetPoller thread; the loop polls keys with a
// short timeout and swaps in whatever round is ready, so keys answer within a
// frame whatever the targets do. Space pauses the poller (no round at all
// until resumed; the rows on screen stay), + and - change its interval.
// Enter opens the selected instance: a dedicated Pipeline for its address
// with its own Fetcher thread drives the usual worker ViewModel and loop
// (worker_loop.hpp: every pane, details, help), its header's first line
// starting with the breadcrumb `fleet › NAME` and its events pane holding the
// fleet's events of that instance (opened from an event: shown, with that
// event selected). q, and Esc when there is no overlay or filter to close,
// come back to the fleet (ViewModel::set_fleet_name), its selection as it
// was; the drill-down's fetcher is asked to stop and, if a fetch is still in
// flight, parked until it ends by its timeout (never waited for in the UI).
// q on the fleet quits; Ctrl-C (SIGINT) quits from anywhere.
// x in the drill-down is the action menu on that instance (action_menu.hpp);
// x on the fleet table, its instance actions on the selected instance
// (fleet_actions.hpp).
// v on an Emperor's vassals pane adds that vassal to the fleet. The poller
// derives every instance's events; the loop hands them to the view-model. Signals are
// signals.hpp's, as on the single screen (128 + N on SIGINT/TERM/HUP).
#include <algorithm>

#include "uwsgitop/source/address.hpp"
#include "uwsgitop/settings/event_options.hpp"
#include "uwsgitop/settings/fetch_setup.hpp"
#include "uwsgitop/source/frame.hpp"
#include "uwsgitop/tui/action_menu.hpp"
#include "uwsgitop/tui/fleet_actions.hpp"
#include "uwsgitop/tui/interactive.hpp"
#include "uwsgitop/tui/fetcher.hpp"
#include "uwsgitop/tui/fleet_poller.hpp"
#include "uwsgitop/tui/fleet_view.hpp"
#include "uwsgitop/base/text.hpp"
#include "uwsgitop/tui/session.hpp"
#include "uwsgitop/tui/signals.hpp"
#include "uwsgitop/tui/stack_reader.hpp"
#include "uwsgitop/tui/terminal.hpp"
#include "uwsgitop/fleet/vassal_discovery.hpp"
#include "uwsgitop/tui/view_model.hpp"
#include "uwsgitop/tui/worker_loop.hpp"

namespace uwsgitop {

namespace {

constexpr int kKeyPollMs = 50;

// One instance's full screen.
struct Drill {
    std::unique_ptr<Pipeline> pipeline;
    std::unique_ptr<tui::Fetcher> fetcher;
    std::unique_ptr<tui::ViewModel> vm;
    std::unique_ptr<tui::ActionMenu> actions;  // x on this instance (action_menu.hpp)
    std::unique_ptr<tui::StackReader> stacks;  // the details' Python stacks (stack_reader.hpp)
    tui::Slot shown;
    std::string address;   // the target's address (v: the Emperor of the vassal it adds)
};

// `busy` (non-empty, FleetActions::busy): another action still in flight;
// the drill-down's x refuses with it (one action at a time).
std::unique_ptr<Drill> open_drill(const Options& options, const std::string& address_text, const std::string& busy,
                                  std::string& error) {
    Address address;
    const Status st = parse_address(address_text, address);
    if (!st) {
        error = st.message();
        return nullptr;
    }
    auto d = std::make_unique<Drill>();
    d->address = address_text;
    d->pipeline = std::make_unique<Pipeline>(make_source(address, fetch_limits(options)));
    d->vm = std::make_unique<tui::ViewModel>(options, d->pipeline->label());
    d->fetcher = std::make_unique<tui::Fetcher>(*d->pipeline);
    tui::ActionScope scope = tui::action_scope(options, address_text);
    if (!busy.empty() && scope.refusal.empty()) scope.refusal = busy;
    d->actions = std::make_unique<tui::ActionMenu>(std::move(scope));
    d->stacks = std::make_unique<tui::StackReader>(tui::stack_scope(options, address_text));
    return d;
}

// v on the vassals pane: the selected vassal's stats address joins the fleet,
// under its Emperor (the instance at `emperor`).
void add_vassal(tui::ViewModel& vm, tui::FleetPoller& poller, const std::string& emperor) {
    const Snapshot* snap = vm.snapshot();
    const int sel = vm.state().selected;
    if (!snap || vm.pane() != tui::PaneId::Vassals || sel < 0 ||
        static_cast<std::size_t>(sel) >= vm.pane_rows().size()) {
        vm.notify("v: select a vassal in the vassals pane of an Emperor");
        return;
    }
    const Vassal& v = snap->vassals[vm.pane_rows()[static_cast<std::size_t>(sel)]];
    Target t;
    Status st = discover_vassal(v, t);
    Address address;
    if (st) st = parse_address(t.address, address);
    if (!st) {
        vm.notify("vassal not added: " + st.message());
        return;
    }
    t.emperor = emperor;
    poller.add(t);
    vm.notify("added to the fleet: " + escape_for_display(t.name) + " (" + escape_for_display(t.address) + ")");
}

// Runs the drill-down until q or Esc go back (returns false) or a signal (true).
bool drill_loop(tui::Terminal& term, Drill& d, tui::Grid& grid, bool ascii, tui::FleetPoller& poller) {
    tui::ViewModel& vm = *d.vm;
    vm.set_ascii(ascii);
    const tui::KeyHook on_key = [&](int k) {
        // q and Esc with nothing left to close go back to the fleet (the
        // view-model's back_requested(): set_fleet_name).
        if (vm.filter_editing() || vm.chooser().is_open()) return tui::KeyVerdict::Pass;
        const tui::KeyBinding* b = tui::find_binding(k);
        if (!b || b->action != tui::Action::AddVassal || vm.overlay() != tui::Overlay::None) {
            return tui::KeyVerdict::Pass;
        }
        add_vassal(vm, poller, d.address);
        return tui::KeyVerdict::Handled;
    };
    return tui::worker_loop(term, vm, *d.fetcher, d.shown, grid, true, on_key, d.actions.get(), d.stacks.get()) !=
           tui::LoopEnd::Leave;
}

// The fleet screen until q or a stop signal; returns the exit code.
// Drill-downs whose fetch is still in flight when they are left go to `parked`.
int fleet_loop(tui::Terminal& term, tui::FleetViewModel& vm, tui::FleetPoller& poller, const Options& options,
               std::vector<std::unique_ptr<Drill>>& parked) {
    double interval = vm.interval();
    bool paused = vm.paused();
    poller.start(interval, paused);
    std::vector<tui::FleetRow> incoming;
    std::vector<Event> events;
    std::vector<std::string> notices;
    tui::Grid grid;
    tui::ScreenHits hits;
    bool mouse = options.mouse;
    // The drill-downs' columns: one chooser's change (F2) is the next one's start.
    std::vector<ColumnId> worker_cols(options.worker_columns().begin(), options.worker_columns().end());
    std::vector<ColumnId> core_cols(options.core_row_columns().begin(), options.core_row_columns().end());
    int w = 0, h = 0;
    term.size(w, h);
    vm.set_size(w, h);
    bool dirty = true, full = false;
    double last_draw = 0;
    tui::FleetActions actions(options);
    while (!vm.quit_requested() && tui::stop_signal() == 0) {
        const double now = monotonic_seconds();
        vm.set_clock(now);
        // Paused: the rows on screen stay, even if a round was in flight.
        bool round = true, rows_in = false;
        if (!vm.paused() && poller.take(incoming, &round)) {
            vm.set_rows(incoming, round);
            rows_in = dirty = true;
        }
        poller.take_events(events);
        if (!events.empty()) {
            vm.add_events(events);
            dirty = true;
        }
        poller.take_notices(notices);  // refused vassals: each said once on the status line
        for (std::string& n : notices) vm.notify(std::move(n));
        dirty = dirty || !notices.empty();
        notices.clear();
        // After the events: the outcome of the action in flight wins the status line.
        if (rows_in) actions.rows(vm);
        else if (actions.in_flight()) actions.tick(vm);
        if (actions.in_flight()) dirty = true;
        if (now - last_draw >= 1.0) dirty = true;
        if (dirty) {
            tui::render_fleet(vm, grid, &hits);
            vm.fit_hscroll(hits.hscroll_limit);
            actions.draw(vm, grid);
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
        } else if (const tui::KeyBinding* r = tui::find_binding(k); r && r->action == tui::Action::Redraw &&
                                                                     !vm.filter_editing()) {
            full = dirty = true;
        } else if (k == tui::key::Mouse) {
            vm.set_clock(monotonic_seconds());
            if (mouse) vm.handle_mouse(term.mouse_event(), hits);
            dirty = true;
        } else if (k != tui::key::None && actions.open()) {
            actions.key(k, vm);
            dirty = true;
        } else if (k != tui::key::None) {
            const tui::KeyBinding* b = vm.filter_editing() || vm.chooser().is_open() ? nullptr : tui::find_binding(k);
            if (b && b->action == tui::Action::Actions && !vm.help() && !vm.events_view()) {
                actions.open_on(vm);
            } else if (b && b->action == tui::Action::ToggleMouse) {
                mouse = !mouse;
                term.set_mouse(mouse);
            } else {
                vm.handle_key(k);
            }
            dirty = true;
        }
        if (vm.interval() != interval || vm.paused() != paused) {
            interval = vm.interval();
            paused = vm.paused();
            poller.configure(interval, paused);
        }
        bool from_event = false;
        const std::string name = vm.take_open_request(&from_event);
        if (name.empty()) continue;
        std::string address, fifo, tracebacker;
        for (const tui::FleetRow& r : vm.rows()) {
            if (r.name == name) {
                address = r.address;
                fifo = r.fifo;
                tracebacker = r.tracebacker;
            }
        }
        std::string error;
        Options drill_options = options;
        if (!fifo.empty()) drill_options.master_fifo = fifo;  // the target's fifo=PATH
        drill_options.tracebacker = tracebacker;              // its tracebacker=PREFIX
        drill_options.mouse = mouse;  // as m left it on the fleet screen
        drill_options.columns = worker_cols;
        drill_options.core_columns = core_cols;
        // An action this address's last drill-down left in flight comes back
        // with its menu; any other flight makes this drill-down's x refuse.
        std::unique_ptr<tui::ActionMenu> resumed = actions.resume(address);
        auto d = open_drill(drill_options, address, resumed ? std::string() : actions.busy(), error);
        if (!d) {
            actions.keep(address, std::move(resumed), vm);
            continue;
        }
        if (resumed) d->actions = std::move(resumed);
        d->vm->set_fleet_name(name);   // the breadcrumb; q and Esc come back here
        std::vector<Event> seen;
        const std::size_t opened = vm.instance_events(name, seen);
        d->vm->seed_events(seen, from_event && opened != SIZE_MAX, opened);
        const bool quit = drill_loop(term, *d, grid, vm.ascii(), poller);
        actions.keep(address, std::move(d->actions), vm);  // if still in flight (fleet_actions.hpp)
        mouse = d->vm->mouse();  // and back, as m left it there
        worker_cols = d->vm->worker_row_columns();
        core_cols = d->vm->core_row_columns();
        term.set_mouse(mouse);
        if (!d->fetcher->stop(0.0)) parked.push_back(std::move(d));
        if (quit) break;
        term.size(w, h);
        vm.set_size(w, h);
        full = dirty = true;
    }
    return tui::stop_exit_code();
}

}  // namespace

int run_fleet_interactive(const Options& options, std::vector<std::unique_ptr<Instance>>& fleet) {
    tui::Terminal term;
    if (!tui::open_screen(term, options)) return 1;
    tui::FleetViewModel vm(options.interval, options.fleet_columns, options.view_state_path);
    vm.set_ascii(tui::prefer_ascii(term.utf8()));
    tui::FleetPoller poller(fleet, static_cast<unsigned>(std::max(1L, options.concurrency)), fetch_limits(options),
                            options.follow_vassals);
    poller.enable_events(event_options(options));
    std::vector<std::unique_ptr<Drill>> parked;  // drill-downs with a fetch still in flight
    const int code = tui::guarded(term, [&] { return fleet_loop(term, vm, poller, options, parked); });
    term.close();
    // Rounds in flight end only by their fetch timeouts: do not wait for them.
    bool finished = poller.stop(0.3);
    for (auto& d : parked) finished = d->fetcher->stop(0.0) && finished;
    return tui::leave(code, finished);
}

}  // namespace uwsgitop
