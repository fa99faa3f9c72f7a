// worker_loop.cpp — one instance's screen loop (see worker_loop.hpp).
#include "uwsgitop/tui/worker_loop.hpp"

#include <cmath>

#include "uwsgitop/base/clock.hpp"
#include "uwsgitop/source/frame.hpp"
#include "uwsgitop/tui/action_menu.hpp"
#include "uwsgitop/tui/capture_reader.hpp"
#include "uwsgitop/tui/render.hpp"
#include "uwsgitop/tui/signals.hpp"
#include "uwsgitop/tui/stack_reader.hpp"

namespace uwsgitop::tui {

namespace {

constexpr int kKeyPollMs = 50;  // the wait while an action is in flight, or without a ready_fd()

void say(ViewModel& vm, const std::string& message) {
    if (!message.empty()) vm.notify(message);
}

// x or t (not while a filter is typed or the column chooser is open): the action menu's keys.
Action menu_key(const ViewModel& vm, int k) {
    const KeyBinding* b = find_binding(k);
    if (b == nullptr || vm.filter_editing() || vm.chooser().is_open() || (b->action != Action::Actions && b->action != Action::Tag))
        return Action::None;
    return b->action;
}

// The details' stacks: a read the view-model asks for starts on the reader's
// thread; a finished one goes to the view-model. True when the screen changed.
bool pass_stacks(ViewModel& vm, StackReader& stacks) {
    bool changed = false;
    if (vm.take_stack_request() && vm.snapshot() != nullptr) {
        stacks.request(*vm.snapshot(), vm.detail_worker());
        vm.set_stack_reading();
        changed = true;
    }
    if (std::optional<WorkerStack> got = stacks.take()) {
        vm.set_stack(std::move(*got), wall_clock_seconds());
        if (stacks.in_flight()) vm.set_stack_reading();  // a later request started
        changed = true;
    }
    return changed;
}

// The long requests' stacks: what a snapshot makes due is queued; a finished
// read is stored and given to the events that wait for it. True when the
// screen changed.
bool pass_captures(ViewModel& vm, CaptureReader& captures, const Slot* taken) {
    bool stored = false;
    if (taken != nullptr) {
        captures.on_snapshot(taken->snap, taken->rates);
        stored = true;  // a harakiri event of this snapshot may have its stack already
    }
    if (captures.take()) stored = true;
    return stored && vm.attach_stacks([&captures](Event& e) { return captures.attach(e); });
}

}  // namespace

double tick_draw_due(double last_draw, double expected) {
    const double tick = last_draw + kTickSeconds;
    if (expected >= 0 && std::abs(tick - expected) <= kTickGrace) return expected + kTickGrace;
    return tick;
}

LoopEnd worker_loop(Terminal& term, ViewModel& vm, Fetcher& fetcher, Slot& shown, Grid& grid, bool full_first,
                    const KeyHook& on_key, ActionMenu* actions, StackReader* stacks, CaptureReader* captures) {
    FetchReport report;
    uint64_t seen = 0;
    int w = 0, h = 0;
    term.size(w, h);
    vm.set_size(w, h);
    double interval = vm.interval();
    bool paused = vm.paused();
    double speed = vm.speed();  // the source starts at --speed
    fetcher.want_cores(vm.needs_cores());
    fetcher.start(interval, paused);
    bool dirty = true;
    bool full = full_first;
    double last_draw = 0;
    double last_take = -1;  // when the snapshot on screen was taken
    bool ended = false;
    while (!vm.quit_requested() && !vm.back_requested() && stop_signal() == 0) {
        const double now = monotonic_seconds();
        vm.set_clock(now);
        if (fetcher.poll(seen, report)) {
            if (report.ok) vm.set_fetch_ok(now);
            else vm.set_fetch_error(report.message, now);
            vm.set_ended(report.ended);
            ended = report.ended;
            dirty = true;
        }
        // Paused: keep showing the snapshot we have, even if one was in flight
        // (a travel's result is shown: that is what the key asked for).
        const bool took = fetcher.take(shown, vm.paused());
        if (took) {
            vm.set_record_position(shown.position);
            vm.set_snapshot(&shown.snap, &shown.rates, shown.wall_time);
            vm.set_shown_at(shown.mono_time);
            if (actions != nullptr) say(vm, actions->observe(shown.snap, now));
            last_take = now;
            dirty = true;
        }
        if (actions != nullptr && actions->in_flight()) {
            const std::string m = actions->tick(now);
            if (!m.empty()) {
                say(vm, m);
                dirty = true;
            }
        }
        if (stacks != nullptr && pass_stacks(vm, *stacks)) dirty = true;
        if (captures != nullptr && pass_captures(vm, *captures, took ? &shown : nullptr)) dirty = true;
        // The next snapshot is expected an interval after the last, while live.
        const double expected = !vm.paused() && !ended && last_take >= 0 ? last_take + interval : -1;
        if (now >= tick_draw_due(last_draw, expected)) dirty = true;
        if (dirty) {
            render(vm, grid);
            vm.fit_hscroll(last_hits().hscroll_limit);
            if (actions != nullptr) draw_action_menu(*actions, vm, grid);
            term.draw(grid, vm.take_full_redraw() || full);
            full = false;
            last_draw = now;
            dirty = false;
        }
        // What the keys and the snapshot just taken changed goes to the
        // fetcher before the sleep, not after it: the snapshot that makes a
        // stuck worker's cores wanted (EventLog::wants_cores) must start the
        // early fetch now, while the request is still running.
        if (vm.interval() != interval || vm.paused() != paused) {
            interval = vm.interval();
            paused = vm.paused();
            fetcher.configure(interval, paused);
        }
        if (vm.speed() != speed) {
            speed = vm.speed();
            fetcher.set_speed(speed);
        }
        for (const Travel& t : vm.take_travels()) fetcher.travel(t);  // after the pause above
        fetcher.want_cores(vm.needs_cores());  // acts only on a change
        term.set_mouse(vm.mouse());              // m; acts only on a change
        // Sleep until a key, the fetcher's next report, or the tick's draw
        // (a short wait while an action is in flight: its tick() times it).
        const int ready = fetcher.ready_fd();
        const bool poll_often = ready < 0 || (actions != nullptr && actions->in_flight()) ||
                                (stacks != nullptr && stacks->in_flight()) ||
                                (captures != nullptr && captures->in_flight());
        const double wake_at = tick_draw_due(last_draw, expected);
        const int k = poll_often ? term.read_key(kKeyPollMs)
                                 : term.read_key(wait_ms_until(wake_at, monotonic_seconds(), 1000), ready);
        if (k == key::Resize) {
            term.size(w, h);
            vm.set_size(w, h);
            dirty = true;
        } else if (k == key::Mouse) {
            vm.set_clock(monotonic_seconds());
            vm.handle_mouse(term.mouse_event(), last_hits());
            dirty = true;
        } else if (k != key::None) {
            vm.set_clock(monotonic_seconds());
            if (actions != nullptr && (actions->open() || menu_key(vm, k) != Action::None)) {
                say(vm, actions->open()                      ? actions->key(k, vm)
                        : menu_key(vm, k) == Action::Actions ? actions->open_on(vm)
                                                             : actions->toggle_tag(vm));
                dirty = true;
                continue;
            }
            const KeyVerdict v = on_key ? on_key(k) : KeyVerdict::Pass;
            if (v == KeyVerdict::Leave) return LoopEnd::Leave;
            if (v == KeyVerdict::Pass) vm.handle_key(k);
            dirty = true;
        }
    }
    if (stop_signal() != 0) return LoopEnd::Signal;
    return vm.back_requested() ? LoopEnd::Leave : LoopEnd::Quit;
}

}  // namespace uwsgitop::tui
