// Unit tests for aiming travel through a replay (tui/travel.hpp): b's times
// (parse_go_to), the playback speeds (+ - f), the header's replay clock
// (view/summary.hpp: sub-seconds and the date), and the view-model's side:
// b's prompt, Enter on an event, the status line. No terminal.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "tui_test_support.hpp"
#include "uwsgitop/tui/render.hpp"
#include "uwsgitop/tui/travel.hpp"
#include "uwsgitop/tui/view_model.hpp"
#include "uwsgitop/view/summary.hpp"

using namespace uwsgitop;
using namespace uwsgitop::tui;
using tuitest::TestSnap;

namespace {

// 2026-12-07 16:33:07 UTC.
constexpr double kT = 1796661187.0;

RecordPosition position(double time, double first, double last, double gap = 1.0, std::size_t index = 5,
                        std::size_t count = 100) {
    RecordPosition p;
    p.index = index;
    p.count = count;
    p.time = time;
    p.first = first;
    p.last = last;
    p.gap = gap;
    return p;
}

Options replay_options(double speed = 1.0) {
    Options o = tuitest::default_options();
    o.replay_path = "/nonexistent/recording.jsonl";
    o.speed = speed;
    return o;
}

std::string status_row(const ViewModel& vm) {
    Grid g(vm.width(), vm.height());
    render(vm, g);
    const std::string text = g.to_text();
    std::size_t begin = 0;
    for (int y = 0; y < vm.areas().status_row; ++y) begin = text.find('\n', begin) + 1;
    return text.substr(begin, text.find('\n', begin) - begin);
}

std::string header_row(const ViewModel& vm) {
    Grid g(vm.width(), vm.height());
    render(vm, g);
    const std::string text = g.to_text();
    return text.substr(0, text.find('\n'));
}

double go(std::string_view text, const RecordPosition& at) {
    double out = NAN;
    const Status st = parse_go_to(text, at, out);
    INFO(st.message());
    CHECK(st.is_ok());
    return out;
}

}  // namespace

TEST_CASE("replay travel::parse_go_to: times of day, relative, ISO 8601; a bad entry names itself") {
    tuitest::utc();
    const RecordPosition at = position(kT, kT - 3600, kT + 3600);
    CHECK(go("16:40:00", at) == kT + 413);
    CHECK(go("16:40", at) == kT + 413);
    CHECK(go(" 16:33:07.25 ", at) == doctest::Approx(kT + 0.25));
    CHECK(go("-5m", at) == kT - 300);
    CHECK(go("+30s", at) == kT + 30);
    CHECK(go("-1h", at) == kT - 3600);
    CHECK(go("-1h30m", at) == kT - 5400);
    CHECK(go("+90", at) == kT + 90);
    CHECK(go("-1.5m", at) == kT - 90);
    CHECK(go("+1d", at) == kT + 86400);
    CHECK(go("2026-12-07T16:33:07", at) == kT);
    CHECK(go("2026-12-07 16:33:07", at) == kT);
    CHECK(go("2026-12-07T16:33:07.5Z", at) == doctest::Approx(kT + 0.5));
    CHECK(go("2026-12-07T17:33:07+01:00", at) == kT);
    // Outside the window: given as named, the caller clamps.
    CHECK(go("2026-12-08T00:00:00Z", at) > at.last);
    for (const char* bad : {"", "tomorrow", "25:00", "16:3", "-5x", "+", "1h", "+1h30", "2026-13-07T10:00", "16:33:07junk"}) {
        double out = 42;
        const Status st = parse_go_to(bad, at, out);
        INFO(bad);
        CHECK_FALSE(st.is_ok());
        CHECK(out == 42);  // unchanged
        if (*bad != 0) {
            CHECK(st.message().find(bad) != std::string::npos);
            CHECK(st.message().find("-5m") != std::string::npos);  // the forms it takes
        }
    }
    double out = 0;
    CHECK(parse_go_to("\x1b[2J", at, out).message().find('\x1b') == std::string::npos);  // escaped
}

TEST_CASE("replay travel::a time of day is taken on the day in the window nearest the position") {
    tuitest::utc();
    // A window from 22:00 on the 7th to 02:00 on the 8th; the position at 23:30.
    const double d7_22 = kT - (16 * 3600 + 33 * 60 + 7) + 22 * 3600;
    const RecordPosition at = position(d7_22 + 5400, d7_22, d7_22 + 4 * 3600);
    CHECK(go("01:00", at) == d7_22 + 3 * 3600);   // the next day: in the window
    CHECK(go("22:30", at) == d7_22 + 1800);       // the same day
    // Not in the window on any day: the position's own day.
    CHECK(go("12:00", at) == d7_22 - 10 * 3600);
}

TEST_CASE("replay travel::speed steps: 0.25x up to 128x, then max (no waiting)") {
    CHECK(step_speed(1, 1) == 2);
    CHECK(step_speed(1, -1) == 0.5);
    CHECK(step_speed(0.25, -1) == 0.25);  // the slowest stays
    CHECK(step_speed(128, 1) == 0);       // then no waiting
    CHECK(step_speed(0, 1) == 0);
    CHECK(step_speed(0, -1) == 128);
    CHECK(step_speed(3, 1) == 4);         // --speed 3: to the steps
    CHECK(step_speed(3, -1) == 2);
    CHECK(step_speed(1000, 1) == 0);
    CHECK(step_speed(1000, -1) == 128);
    std::string s;
    for (double v : {0.25, 1.0, 2.5, 16.0, 0.0}) {
        append_speed(s, v);
        s += ' ';
    }
    CHECK(s == "0.25x 1x 2.5x 16x max ");
}

TEST_CASE("replay travel::the header's clock: sub-seconds between close snapshots, the date across days") {
    tuitest::utc();
    std::string s;
    append_replay_clock(s, position(kT + 0.25, kT, kT + 60, 0.05, 4, 1200));
    CHECK(s == "replay 16:33:07.25, 5/1200");
    s.clear();
    append_replay_clock(s, position(kT + 0.999, kT, kT + 60, 0.005));  // cut, never 08.00
    CHECK(s.find("16:33:07.999,") != std::string::npos);
    s.clear();
    append_replay_clock(s, position(kT + 0.29, kT, kT + 60, 0.5));     // .29, not .28
    CHECK(s.find("16:33:07.29,") != std::string::npos);
    s.clear();
    append_replay_clock(s, position(kT + 0.7, kT, kT + 60, 1.0));      // a second apart: none
    CHECK(s.find("16:33:07,") != std::string::npos);
    s.clear();
    append_replay_clock(s, position(kT, kT - 86400, kT, 1.0));         // two days
    CHECK(s.find("replay 2026-12-07 16:33:07,") != std::string::npos);
    s.clear();
    append_replay_clock(s, position(kT, kT - 86400, kT, 1.0), true);   // narrow: the time alone
    CHECK(s.find("replay 16:33:07,") != std::string::npos);
    s.clear();
    append_replay_clock(s, position(kT, kT - 16 * 3600, kT + 3600, 1.0));  // one day
    CHECK(s.find("replay 16:33:07,") != std::string::npos);
    s.clear();
    // The screen: the date while it fits, the time alone on a narrow one.
    {
        TestSnap a{{1, 101, "idle", 10, 1.0, 1, 0}};
        ViewModel vm(replay_options(), "recording");
        vm.set_size(140, 30);
        vm.set_record_position(position(kT + 0.25, kT - 86400, kT + 60, 0.05, 4, 1200));
        vm.set_snapshot(&a.snap, &a.rates, kT + 0.25);
        CHECK(header_row(vm).find("replay 2026-12-07 16:33:07.25, 5/1200 - req: 10 - RPS: 1.0") != std::string::npos);
        vm.set_size(80, 30);
        const std::string narrow = header_row(vm);
        CHECK(narrow.find("replay 16:33:07.25, 5/1200 - req: 10 - RPS: 1.0") != std::string::npos);
        CHECK(narrow.size() <= 80);
    }
    s.clear();
    // The only snapshot: no neighbour, whole seconds.
    append_replay_clock(s, position(kT + 0.5, kT + 0.5, kT + 0.5, INFINITY, 0, 1));
    CHECK(s == "replay 16:33:07, 1/1");
}

TEST_CASE("replay travel::+ - f set the playback speed and the status line says it; live keeps its interval") {
    tuitest::utc();
    TestSnap a{{1, 101, "idle", 10, 1.0, 1, 0}};
    ViewModel vm(replay_options(), "recording");
    vm.set_size(120, 30);
    vm.set_clock(10);
    vm.set_record_position(position(kT, kT, kT + 60));
    vm.set_snapshot(&a.snap, &a.rates, kT);
    vm.set_fetch_ok(10);
    CHECK(vm.speed() == 1);
    CHECK(status_row(vm).find("replay 1x") != std::string::npos);
    CHECK(status_row(vm).find("every") == std::string::npos);
    vm.handle_key('+');
    vm.handle_key('+');
    CHECK(vm.speed() == 4);
    CHECK(vm.base_interval() == 1.0);  // the interval did not move
    CHECK(std::string(vm.flash()) == "replay speed 4x");
    vm.set_clock(20);                  // the flash gone
    CHECK(status_row(vm).find("replay 4x") == 0);
    vm.handle_key('-');
    CHECK(vm.speed() == 2);
    vm.handle_key('f');
    CHECK(vm.speed() == 20);
    CHECK(status_row(vm).find("fast replay: 20x") != std::string::npos);
    vm.handle_key('f');
    CHECK(vm.speed() == 2);
    ViewModel max(replay_options(0), "recording");
    CHECK(max.speed() == 0);
    max.handle_key('+');
    CHECK(max.speed() == 0);
    max.handle_key('-');
    CHECK(max.speed() == 128);

    ViewModel live(tuitest::default_options(), "127.0.0.1:9191");
    live.handle_key('+');
    CHECK(live.base_interval() == 2.0);
    CHECK(live.speed() == 1.0);
    CHECK(std::string(live.flash()) == "refresh every 2.0s");
}

TEST_CASE("replay travel::b prompts for a time, travels there and pauses; outside goes to the end; bad stays") {
    tuitest::utc();
    TestSnap a{{1, 101, "idle", 10, 1.0, 1, 0}};
    ViewModel vm(replay_options(), "recording");
    vm.set_size(140, 30);
    vm.set_record_position(position(kT, kT - 600, kT + 600));
    vm.set_snapshot(&a.snap, &a.rates, kT);
    vm.set_fetch_ok(1);
    tuitest::keys(vm, "b16:35");
    CHECK(vm.goto_editing());
    CHECK(vm.goto_text() == "16:35");
    CHECK(status_row(vm).find("go to time: 16:35_") == 0);
    vm.handle_key(key::Enter);
    CHECK_FALSE(vm.goto_editing());
    CHECK(vm.paused());
    std::vector<Travel> t = vm.take_travels();
    REQUIRE(t.size() == 1);
    CHECK(t[0].kind == Travel::Kind::At);
    CHECK(t[0].amount == kT + 113);
    CHECK(std::string(vm.flash()) == "went to 16:35:00 (paused; Space plays on)");

    tuitest::keys(vm, "b-1h\r");  // before the window: its first snapshot
    t = vm.take_travels();
    REQUIRE(t.size() == 1);
    CHECK(t[0].amount == kT - 600);
    CHECK(std::string(vm.flash()).find("15:33:07 is before the recording: its first snapshot, 16:23:07") == 0);

    tuitest::keys(vm, "bnoon\r");  // a bad entry: said, nothing queued
    CHECK(vm.take_travels().empty());
    CHECK(std::string(vm.flash()).find("b: \"noon\" is not a time") == 0);

    tuitest::keys(vm, "b-5m");     // Esc cancels; Backspace edits
    vm.handle_key(key::Backspace);
    CHECK(vm.goto_text() == "-5");
    vm.handle_key(key::Escape);
    CHECK_FALSE(vm.goto_editing());
    CHECK(vm.take_travels().empty());

    ViewModel live(tuitest::default_options(), "127.0.0.1:9191");
    live.handle_key('b');
    CHECK_FALSE(live.goto_editing());
    CHECK(std::string(live.flash()).find("not a replay") == 0);
}

TEST_CASE("replay travel::Enter on an event goes to its time, on its worker, with the event in the notice") {
    tuitest::utc();
    TestSnap a{{1, 101, "idle", 10, 1.0, 1, 0}, {2, 102, "idle", 40, 2.0, 1, 0}};
    TestSnap b{{1, 101, "idle", 10, 1.0, 1, 0}, {2, 102, "idle", 40, 2.0, 1, 0}};
    b.snap.workers[1].pid = 202;
    b.snap.workers[1].respawn_count = 2;
    ViewModel vm(replay_options(), "recording");
    vm.set_size(140, 30);
    vm.set_clock(1);
    for (int i = 0; i < 4; ++i) {
        TestSnap& s = i < 2 ? a : b;
        vm.set_record_position(position(kT + i * 0.25, kT, kT + 10, 0.25, static_cast<std::size_t>(i), 40));
        vm.set_snapshot(&s.snap, &s.rates, kT + i * 0.25);
    }
    REQUIRE(vm.events().size() == 1);
    CHECK(header_row(vm).find("replay 16:33:07.75, 4/40") != std::string::npos);
    const auto events_tab = [](const ViewModel& m) {
        for (std::size_t i = 0; i < m.panes().size(); ++i) {
            if (m.panes()[i] == PaneId::Events) return static_cast<uint8_t>(i);
        }
        return uint8_t{0};
    };
    const uint8_t tab = events_tab(vm);
    vm.apply(Action::SelectPane, tab);
    REQUIRE(vm.pane() == PaneId::Events);
    vm.handle_key(key::Enter);
    CHECK(vm.overlay() == Overlay::None);
    CHECK(vm.pane() == PaneId::Workers);
    CHECK(vm.paused());
    const std::vector<Travel> t = vm.take_travels();
    REQUIRE(t.size() == 1);
    CHECK(t[0].kind == Travel::Kind::At);
    CHECK(t[0].amount == kT + 0.5);
    const std::string n(vm.notice());
    CHECK(n.find("event at 16:33:07.50 (" + std::to_string(tab + 1) + ": events): worker 2 respawn") == 0);
    CHECK(vm.worker_rows()[static_cast<std::size_t>(vm.state().selected)].worker == 1);  // worker 2

    // Live: Enter still opens the event's details.
    ViewModel live(tuitest::default_options(), "127.0.0.1:9191");
    live.set_size(140, 30);
    live.set_snapshot(&a.snap, &a.rates, kT);
    live.set_snapshot(&b.snap, &b.rates, kT + 1);
    live.apply(Action::SelectPane, events_tab(live));
    REQUIRE(live.pane() == PaneId::Events);
    live.handle_key(key::Enter);
    CHECK(live.overlay() == Overlay::Detail);
    CHECK(live.take_travels().empty());
}
