// Unit tests for tui/event_log.hpp and the view-model's events pane, its
// status-line notice and the travel keys (tui/travel.hpp): hand-built
// snapshot pairs, no terminal.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "tui_test_support.hpp"
#include "uwsgitop/base/text.hpp"
#include "uwsgitop/tui/event_log.hpp"
#include "uwsgitop/tui/render.hpp"
#include "uwsgitop/tui/travel.hpp"
#include "uwsgitop/tui/view_model.hpp"

using namespace uwsgitop;
using namespace uwsgitop::tui;
using tuitest::TestSnap;

namespace {

TestSnap two() {
    return TestSnap{
        {1, 101, "idle", 10, 1.0, 1, 0},
        {2, 102, "idle", 40, 2.0, 1, 0},
    };
}

// The same instance after worker 2 was respawned as pid 202.
TestSnap two_respawned() {
    TestSnap t = two();
    t.snap.workers[1].pid = 202;
    t.snap.workers[1].respawn_count = 2;
    return t;
}

bool has_pane(const ViewModel& vm, PaneId id) {
    for (PaneId p : vm.panes()) {
        if (p == id) return true;
    }
    return false;
}

std::string status_row(const ViewModel& vm) {
    Grid g(vm.width(), vm.height());
    render(vm, g);
    const std::string text = g.to_text();
    std::size_t begin = 0;
    for (int y = 0; y < vm.areas().status_row; ++y) begin = text.find('\n', begin) + 1;
    return text.substr(begin, text.find('\n', begin) - begin);
}

Options replay_options() {
    Options o = tuitest::default_options();
    o.replay_path = "/nonexistent/recording.jsonl";
    return o;
}

}  // namespace

TEST_CASE("EventLog: the tracker's events, newest first, bounded, serials never repeat") {
    EventLog log({}, 3);
    TestSnap a = two(), b = two_respawned();
    CHECK(log.on_snapshot(a.snap, 100, "i") == 0);  // never an event from the first snapshot
    CHECK(log.empty());
    CHECK(log.on_snapshot(b.snap, 101, "i") == 1);
    REQUIRE(log.size() == 1);
    CHECK(log.newest(0).event.kind == EventKind::Respawn);
    CHECK(log.newest(0).event.worker == 2);
    CHECK(log.newest(0).text.find("202") != std::string::npos);
    CHECK(log.value(0, static_cast<uint32_t>(EventColumn::Kind)).text == "respawn");
    CHECK(log.value(0, static_cast<uint32_t>(EventColumn::Worker)).number == 2);
    CHECK_FALSE(log.value(5, 0).known());
    // Flip the pid back and forth: one respawn each time; only 3 kept.
    for (int i = 0; i < 4; ++i) {
        TestSnap& s = (i % 2 == 0) ? a : b;
        s.snap.workers[1].respawn_count = 3 + i;
        CHECK(log.on_snapshot(s.snap, 102 + i, "i") == 1);
    }
    CHECK(log.size() == 3);
    CHECK(log.total() == 5);
    CHECK(log.newest(0).serial == 4);
    CHECK(log.newest(2).serial == 2);
    CHECK(log.newest(0).event.time == 105);
}

TEST_CASE("EventLog: a step back drops the newer events and starts over; jumped() raises none across the jump") {
    EventLog log;
    TestSnap a = two(), b = two_respawned();
    log.on_snapshot(a.snap, 100, "i");
    REQUIRE(log.on_snapshot(b.snap, 110, "i") == 1);
    // Back to 100: the respawn at 110 has not happened yet, and 110 -> 100 is not a pair.
    CHECK(log.on_snapshot(a.snap, 100, "i") == 0);
    CHECK(log.empty());
    // Played forward again: the same respawn comes back once.
    CHECK(log.on_snapshot(b.snap, 110, "i") == 1);
    CHECK(log.size() == 1);
    // A jump forward to a snapshot that is not the neighbour: no pair, no event.
    log.jumped();
    CHECK(log.on_snapshot(a.snap, 500, "i") == 0);
    CHECK(log.size() == 1);
    // After it, neighbours compare again.
    CHECK(log.on_snapshot(b.snap, 501, "i") == 1);
}

TEST_CASE("EventLog: a failed read after a success is one down, then up with the gap") {
    EventLog log;
    TestSnap a = two();
    CHECK(log.on_failure("connection refused", 99, "i") == 0);  // nothing seen yet
    log.on_snapshot(a.snap, 100, "i");
    CHECK(log.on_failure("connection refused", 101, "i") == 1);
    CHECK(log.newest(0).event.kind == EventKind::Down);
    CHECK(log.on_failure("connection refused", 102, "i") == 0);  // still down: no second event
    CHECK(log.on_snapshot(a.snap, 105, "i") == 1);
    CHECK(log.newest(0).event.kind == EventKind::Up);
}

TEST_CASE("EventLog: wants the cores while a worker stays busy in one request") {
    EventLog log;
    TestSnap a = two();
    a.snap.workers[0].status = "busy";
    log.on_snapshot(a.snap, 100, "i");
    CHECK_FALSE(log.wants_cores());  // busy once is no long request
    log.on_snapshot(a.snap, 101, "i");
    CHECK(log.wants_cores());  // busy twice, same request count
    a.snap.workers[0].requests = 11;
    log.on_snapshot(a.snap, 102, "i");
    CHECK_FALSE(log.wants_cores());  // it finished one
}

TEST_CASE("events pane: appears with the first event, a notice on another pane, the key clears it") {
    tuitest::utc();
    ViewModel vm(tuitest::default_options(), "127.0.0.1:9191");
    vm.set_size(120, 30);
    TestSnap a = two(), b = two_respawned();
    vm.set_snapshot(&a.snap, &a.rates, tuitest::kNow);
    CHECK_FALSE(has_pane(vm, PaneId::Events));
    CHECK(vm.notice().empty());
    vm.set_snapshot(&b.snap, &b.rates, tuitest::kNow + 1);
    CHECK(has_pane(vm, PaneId::Events));
    CHECK(vm.pane() == PaneId::Workers);
    const std::string notice(vm.notice());
    CHECK(notice.find("event: worker 2") != std::string::npos);
    CHECK(notice.find("shows events") != std::string::npos);
    CHECK(status_row(vm).find("event: worker 2") != std::string::npos);
    // The notice lasts kNoticeSeconds...
    vm.set_clock(kNoticeSeconds + 1);
    CHECK(vm.notice().empty());
    // ... or until the next key.
    a.snap.workers[1].respawn_count = 3;
    vm.set_clock(0);
    vm.set_snapshot(&a.snap, &a.rates, tuitest::kNow + 2);
    CHECK_FALSE(vm.notice().empty());
    vm.handle_key('S');
    CHECK(vm.notice().empty());
}

TEST_CASE("worker details at 60 columns: an event is one line, cut like the facts above it") {
    tuitest::utc();
    ViewModel vm(tuitest::default_options(), "127.0.0.1:9191");
    vm.set_size(60, 30);
    TestSnap a = two(), b = two_respawned();
    vm.set_snapshot(&a.snap, &a.rates, tuitest::kNow);
    vm.set_snapshot(&b.snap, &b.rates, tuitest::kNow + 1);
    vm.handle_key(key::Home);  // worker 2 (most requests) is the first row
    vm.handle_key(key::Enter);
    REQUIRE(vm.overlay() == Overlay::Detail);
    REQUIRE(vm.detail_worker() == 2);
    Grid g(vm.width(), vm.height());
    render(vm, g);
    const auto lines = g.to_lines();
    std::size_t title = lines.size();
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].find("Events of this worker (1)") != std::string::npos) title = i;
    }
    REQUIRE(title + 2 < lines.size());
    const std::string& event = lines[title + 1];
    CHECK(event.find("respawn") != std::string::npos);
    CHECK(event.find("worker 2 respawned") != std::string::npos);
    CHECK(display_width(event) >= 55);  // filled to the edge and cut there
    // Nothing of the event's text goes on to the next line.
    CHECK(lines[title + 2].find_first_not_of(' ') == std::string::npos);
    for (const std::string& l : lines) CHECK(l.find("(respawns 2)") == std::string::npos);
}

TEST_CASE("events pane: the notice never hides the filter status") {
    ViewModel vm(tuitest::default_options(), "127.0.0.1:9191");
    vm.set_size(160, 30);
    TestSnap a = two(), b = two_respawned();
    vm.set_snapshot(&a.snap, &a.rates, tuitest::kNow);
    tuitest::keys(vm, "/101\r");
    vm.set_snapshot(&b.snap, &b.rates, tuitest::kNow + 1);
    REQUIRE_FALSE(vm.notice().empty());
    const std::string row = status_row(vm);
    CHECK(row.find("filter \"101\" 1/2") != std::string::npos);
    CHECK(row.find("event: worker 2") != std::string::npos);
}

TEST_CASE("events pane: rows newest first, filterable, selection follows its event") {
    tuitest::utc();
    ViewModel vm(tuitest::default_options(), "127.0.0.1:9191");
    vm.set_size(120, 30);
    TestSnap a = two(), b = two_respawned();
    vm.set_snapshot(&a.snap, &a.rates, tuitest::kNow);
    vm.set_snapshot(&b.snap, &b.rates, tuitest::kNow + 1);
    // Go to the events pane (Tab cycles the panes).
    for (std::size_t i = 0; i < vm.panes().size() && vm.pane() != PaneId::Events; ++i) vm.handle_key('\t');
    REQUIRE(vm.pane() == PaneId::Events);
    CHECK(vm.row_count() == 1);
    CHECK(vm.notice().empty());  // no notice for what the pane already shows
    a.snap.workers[0].status = "pause";
    vm.set_snapshot(&a.snap, &a.rates, tuitest::kNow + 2);  // worker 2 back to 102 and worker 1 paused
    REQUIRE(vm.row_count() >= 2);
    CHECK(vm.notice().empty());
    CHECK(vm.pane_value(vm.pane_rows()[0], static_cast<uint32_t>(EventColumn::Time)).number == tuitest::kNow + 2);
    // Select the oldest row; a new event keeps it selected (it follows its serial).
    vm.handle_key(key::End);
    const std::size_t oldest = vm.row_count() - 1;
    REQUIRE(static_cast<std::size_t>(vm.state().selected) == oldest);
    std::string key_before, key_after;
    vm.row_key(vm.pane_rows()[oldest], key_before);
    b.snap.workers[1].respawn_count = 9;
    vm.set_snapshot(&b.snap, &b.rates, tuitest::kNow + 3);
    REQUIRE(vm.row_count() == oldest + 3);  // worker 2 respawned, worker 1 left pause
    vm.row_key(vm.pane_rows()[static_cast<std::size_t>(vm.state().selected)], key_after);
    CHECK(key_after == key_before);
    // On the newest row it stays on the newest.
    vm.handle_key(key::Home);
    b.snap.workers[1].pid = 303;
    b.snap.workers[1].respawn_count = 10;
    vm.set_snapshot(&b.snap, &b.rates, tuitest::kNow + 4);
    CHECK(vm.state().selected == 0);
    CHECK(vm.events().newest(0).text.find("303") != std::string::npos);
    // / filters the events: by kind.
    tuitest::keys(vm, "/pause\r");
    CHECK(vm.row_count() == 1);
    CHECK(vm.pane_rows_total() == vm.events().size());
    vm.handle_key(key::Escape);
    tuitest::keys(vm, "/!pause\r");   // all but those
    CHECK(vm.row_count() == vm.events().size() - 1);
    vm.handle_key(key::Escape);
    tuitest::keys(vm, "/pause|respawn\r");
    CHECK(vm.row_count() >= 2);
    CHECK(vm.row_count() < vm.events().size() + 1);
}

TEST_CASE("travel keys: queued for the fetcher and pausing on a replay; a note on a live source") {
    {
        ViewModel live(tuitest::default_options(), "127.0.0.1:9191");
        live.set_size(120, 30);
        live.handle_key(']');
        CHECK(live.take_travels().empty());
        CHECK_FALSE(live.paused());
        CHECK(std::string(live.flash()).find("not a replay") != std::string::npos);
    }
    ViewModel vm(replay_options(), "recording");
    vm.set_size(120, 30);
    REQUIRE(vm.replay());
    tuitest::keys(vm, "][}{)(");
    CHECK(vm.paused());
    const std::vector<Travel> t = vm.take_travels();
    REQUIRE(t.size() == 6);
    CHECK((t[0].kind == Travel::Kind::Snapshots && t[0].amount == 1));
    CHECK((t[1].kind == Travel::Kind::Snapshots && t[1].amount == -1));
    CHECK((t[2].kind == Travel::Kind::Seconds && t[2].amount == kTravelJumpSeconds));
    CHECK((t[3].kind == Travel::Kind::Seconds && t[3].amount == -kTravelJumpSeconds));
    CHECK((t[4].kind == Travel::Kind::Snapshots && t[4].amount > 1e9));
    CHECK((t[5].kind == Travel::Kind::Snapshots && t[5].amount < -1e9));
    CHECK(vm.take_travels().empty());  // taken once
}

TEST_CASE("travel: the header's position; a jump starts the histories and the event pairs over") {
    tuitest::utc();
    ViewModel vm(replay_options(), "recording");
    vm.set_size(120, 30);
    TestSnap a = two(), b = two_respawned();
    vm.set_record_position(RecordPosition{0, 10, tuitest::kNow});
    vm.set_snapshot(&a.snap, &a.rates, tuitest::kNow);
    vm.set_record_position(RecordPosition{1, 10, tuitest::kNow + 1});
    vm.set_snapshot(&a.snap, &a.rates, tuitest::kNow + 1);
    CHECK(vm.history().rps.size() == 2);
    // A neighbour: the respawn between 1 and 2 is an event.
    vm.set_record_position(RecordPosition{2, 10, tuitest::kNow + 2});
    vm.set_snapshot(&b.snap, &b.rates, tuitest::kNow + 2);
    CHECK(vm.events().size() == 1);
    CHECK(vm.history().rps.size() == 3);
    // A jump to 7: 2 and 7 are not neighbours, so no event from their pair,
    // and the sparklines start over.
    vm.set_record_position(RecordPosition{7, 10, tuitest::kNow + 7});
    vm.set_snapshot(&a.snap, &a.rates, tuitest::kNow + 7);
    CHECK(vm.events().size() == 1);
    CHECK(vm.history().rps.size() == 1);
    // A step back to 6: the event at 2 is still before it; 7's pair is gone.
    vm.set_record_position(RecordPosition{6, 10, tuitest::kNow + 6});
    vm.set_snapshot(&b.snap, &b.rates, tuitest::kNow + 6);
    CHECK(vm.events().size() == 1);
    Grid g(120, 30);
    render(vm, g);
    CHECK(g.to_text().find("replay ") != std::string::npos);
    CHECK(g.to_text().find(", 7/10") != std::string::npos);
}

namespace {

Event exceptions_event(double time, int64_t worker, int64_t count, int64_t total, const char* instance = "web") {
    Event e;
    e.time = time;
    e.instance = instance;
    e.kind = EventKind::Exceptions;
    e.worker = worker;
    e.facts = {{"count", count}, {"exceptions", total}};
    return e;
}

}  // namespace

TEST_CASE("EventLog: exceptions fold into one line per worker per minute; other events stay in view") {
    EventLog log({}, 50);
    std::vector<Event> fresh;
    for (int s = 0; s < 45; ++s) {   // two workers raising every second
        fresh.push_back(exceptions_event(1000 + s, 1, 2, 2 * (s + 1)));
        fresh.push_back(exceptions_event(1000 + s, 2, 1, s + 1));
        if (s == 20) {
            Event h;
            h.time = 1000 + s;
            h.instance = "web";
            h.kind = EventKind::Harakiri;
            h.worker = 3;
            fresh.push_back(h);
        }
        log.add(fresh);
    }
    CHECK(log.total() == 91);
    REQUIRE(log.size() == 3);   // worker 1's line, worker 2's, the harakiri
    CHECK(log.newest(0).event.worker == 2);
    CHECK(log.newest(0).text == "worker 2: 45 new exceptions (total 45) over 44 s");
    CHECK(log.newest(1).text == "worker 1: 90 new exceptions (total 90) over 44 s");
    CHECK(log.newest(1).folded == 45);
    CHECK(log.newest(2).event.kind == EventKind::Harakiri);
    const uint64_t serial = log.newest(1).serial;

    // Past its minute a worker's next exceptions start a new line; another
    // instance's worker 1 never joins this one's.
    fresh.push_back(exceptions_event(1061, 1, 5, 95));
    fresh.push_back(exceptions_event(1061, 1, 7, 7, "api"));
    log.add(fresh);
    REQUIRE(log.size() == 5);
    CHECK(log.newest(1).text == "worker 1: 5 new exceptions (total 95)");
    CHECK(log.newest(1).serial != serial);
    CHECK(log.newest(0).event.instance == "api");
    // A line that moves up keeps its serial (the selection follows it).
    const uint64_t line = log.newest(1).serial;
    fresh.push_back(exceptions_event(1062, 1, 1, 96));
    log.add(fresh);
    CHECK(log.newest(0).serial == line);
    CHECK(log.newest(0).text == "worker 1: 6 new exceptions (total 96) over 1 s");
    CHECK(log.newest(1).event.instance == "api");
}

TEST_CASE("events pane: e hides and shows the exceptions lines; the hint names the key") {
    ViewModel vm(tuitest::default_options(), "127.0.0.1:9191");
    vm.set_size(120, 30);
    TestSnap a = two(), b = two_respawned();
    b.snap.workers[0].exceptions = 6;   // worker 1 raised 5
    vm.set_snapshot(&a.snap, &a.rates, tuitest::kNow);
    vm.set_snapshot(&b.snap, &b.rates, tuitest::kNow + 1);
    for (std::size_t i = 0; i < vm.panes().size() && vm.pane() != PaneId::Events; ++i) vm.handle_key('\t');
    REQUIRE(vm.pane() == PaneId::Events);
    REQUIRE(vm.row_count() == 2);   // the respawn and the exceptions
    CHECK(status_row(vm).find("e hide exceptions  ? help  q quit") != std::string::npos);
    vm.handle_key('e');
    CHECK(vm.exceptions_hidden());
    REQUIRE(vm.row_count() == 1);
    CHECK(vm.events().newest(vm.pane_rows()[0]).event.kind == EventKind::Respawn);
    CHECK(status_row(vm).find("e show exceptions") != std::string::npos);
    vm.handle_key('e');
    CHECK(vm.row_count() == 2);
}
