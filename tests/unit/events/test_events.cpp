// Unit tests for events.hpp: each kind on crafted snapshot pairs, and the non-events.
#include <doctest/doctest.h>

#include "uwsgitop/events/events.hpp"

using namespace uwsgitop;

namespace {

struct W {
    int64_t pid;
    int64_t requests = 10;
    int64_t respawns = 1;
    int64_t harakiri = 0;
    int64_t exceptions = 0;
    std::string_view status = "idle";
};

// A master snapshot (pid `master`) with one worker per entry, ids 1..n, one core each.
void make(Snapshot& s, int64_t master, std::initializer_list<W> ws) {
    s.clear();
    s.kind = SnapshotKind::Master;
    s.pid = master;
    int64_t id = 1;
    for (const W& x : ws) {
        Worker w;
        w.id = id++;
        w.pid = x.pid;
        w.requests = x.requests;
        w.respawn_count = x.respawns;
        w.harakiri_count = x.harakiri;
        w.exceptions = x.exceptions;
        w.status = x.status;
        w.has_cores = true;
        w.cores = Range{static_cast<uint32_t>(s.cores.size()), 1};
        Core c;
        c.worker_index = static_cast<uint32_t>(s.workers.size());
        c.id = 0;
        c.in_request = 0;
        s.cores.push_back(c);
        s.workers.push_back(w);
    }
}

std::vector<Event> step(EventTracker& t, const Snapshot& a, const Snapshot& b) {
    std::vector<Event> out;
    t.update(a, 100, "i", out);
    REQUIRE(out.empty());  // never an event from the first snapshot
    t.update(b, 105, "i", out);
    return out;
}

int64_t num(const Event& e, std::string_view k) {
    const FactValue* v = e.fact(k);
    REQUIRE(v);
    return std::get<int64_t>(*v);
}

}  // namespace

TEST_SUITE("events") {

TEST_CASE("events: the kinds table is in EventKind order") {
    for (std::size_t i = 0; i < kEventKinds.size(); ++i) CHECK(static_cast<std::size_t>(kEventKinds[i].kind) == i);
}

TEST_CASE("events: nothing changed, busy/idle flips, first snapshot") {
    EventTracker t;
    Snapshot a, b;
    make(a, 1, {{101, 10, 1, 0, 0, "idle"}, {102}});
    make(b, 1, {{101, 12, 1, 0, 0, "busy"}, {102}});
    CHECK(step(t, a, b).empty());
}

TEST_CASE("events: respawn of one worker names both pids") {
    EventTracker t;
    Snapshot a, b;
    make(a, 1, {{101}, {102}});
    make(b, 1, {{101}, {202, 10, 2}});
    auto ev = step(t, a, b);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == EventKind::Respawn);
    CHECK(ev[0].worker == 2);
    CHECK(num(ev[0], "old_pid") == 102);
    CHECK(num(ev[0], "new_pid") == 202);
    CHECK(num(ev[0], "respawns") == 2);
    CHECK(event_text(ev[0]) == "worker 2 respawned: pid 102 -> 202 (respawns 2)");
}

TEST_CASE("events: a single worker killed is a respawn, not a reload") {
    EventTracker t;
    Snapshot a, b;
    make(a, 1, {{101}});
    make(b, 1, {{201, 10, 2}});
    auto ev = step(t, a, b);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == EventKind::Respawn);
}

TEST_CASE("events: counter reset is one reload") {
    EventTracker t;
    Snapshot a, b;
    make(a, 1, {{101, 50}, {102, 60}, {103, 70}});
    make(b, 1, {{201, 0}, {202, 0}, {203, 0}});
    auto ev = step(t, a, b);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == EventKind::Reload);
    CHECK(num(ev[0], "workers") == 3);
    // The master re-executed itself: one pid, no arrow between it and itself.
    CHECK(event_text(ev[0]) == "instance reloaded: master pid 1, 3 workers");
}

TEST_CASE("events: every pid new without respawn growth is one reload; master pid change too") {
    EventTracker t;
    Snapshot a, b;
    make(a, 1, {{101, 0}, {102, 0}});
    make(b, 1, {{201, 0}, {202, 0}});
    auto ev = step(t, a, b);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == EventKind::Reload);

    EventTracker t2;
    make(a, 1, {{101}});
    make(b, 2, {{101}});
    ev = step(t2, a, b);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == EventKind::Reload);
    CHECK(num(ev[0], "old_master_pid") == 1);
    CHECK(num(ev[0], "new_master_pid") == 2);
    CHECK(event_text(ev[0]) == "instance reloaded: master pid 1 -> 2, 1 workers");
}

TEST_CASE("events: harakiri names the request running in the previous snapshot") {
    EventTracker t;
    Snapshot a, b;
    make(a, 1, {{101}});
    static const std::string_view vars[] = {"REQUEST_METHOD=GET", "REQUEST_URI=/slow?x=1"};
    a.vars.assign(std::begin(vars), std::end(vars));
    a.cores[0].in_request = 1;
    a.cores[0].request_start = 97;
    a.cores[0].vars = Range{0, 2};
    make(b, 1, {{201, 10, 2, 1}});
    auto ev = step(t, a, b);
    REQUIRE(ev.size() == 2);
    CHECK(ev[0].kind == EventKind::Respawn);
    CHECK(ev[1].kind == EventKind::Harakiri);
    CHECK(std::get<std::string>(*ev[1].fact("uri")) == "/slow?x=1");
    CHECK(std::get<std::string>(*ev[1].fact("method")) == "GET");
    CHECK(std::get<double>(*ev[1].fact("running_for")) == doctest::Approx(3.0));
    CHECK(event_text(ev[1]) == "worker 1 harakiri x1: GET /slow?x=1 after 3.0s");
}

TEST_CASE("events: a harakiri read without cores names no request, and says so by leaving it out") {
    EventTracker t;
    Snapshot a, b;
    make(a, 1, {{101}});
    a.cores.clear();  // ParseScope::NoCores, as the fleet polls
    a.workers[0].cores = Range{};
    make(b, 1, {{101, 10, 1, 1}});
    b.cores.clear();
    b.workers[0].cores = Range{};
    auto ev = step(t, a, b);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == EventKind::Harakiri);
    CHECK(ev[0].fact("uri") == nullptr);
    CHECK(event_text(ev[0]) == "worker 1 harakiri x1");
    // A missing fact outside [...] still reads "?".
    Event e;
    e.kind = EventKind::Respawn;
    e.worker = 3;
    CHECK(event_text(e) == "worker 3 respawned: pid ? -> ? (respawns ?)");
}

TEST_CASE("events: status cheap/pause/sig only") {
    EventTracker t;
    Snapshot a, b;
    make(a, 1, {{101, 10, 1, 0, 0, "idle"}, {102, 10, 1, 0, 0, "busy"}});
    make(b, 1, {{101, 10, 1, 0, 0, "pause"}, {102, 10, 1, 0, 0, "sig17"}});
    auto ev = step(t, a, b);
    REQUIRE(ev.size() == 2);
    CHECK(ev[0].kind == EventKind::Status);
    CHECK(std::get<std::string>(*ev[0].fact("new_status")) == "pause");
    CHECK(std::get<std::string>(*ev[1].fact("new_status")) == "sig17");
}

TEST_CASE("events: exceptions threshold") {
    EventOptions o;
    o.exceptions_threshold = 5;
    EventTracker t(o);
    Snapshot a, b;
    make(a, 1, {{101, 10, 1, 0, 0}, {102, 10, 1, 0, 0}});
    make(b, 1, {{101, 10, 1, 0, 4}, {102, 10, 1, 0, 7}});
    auto ev = step(t, a, b);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == EventKind::Exceptions);
    CHECK(ev[0].worker == 2);
    CHECK(num(ev[0], "count") == 7);
}

TEST_CASE("events: listen queue crosses the share; listen_queue_errors grew") {
    EventTracker t;
    Snapshot a, b;
    make(a, 1, {{101}});
    make(b, 1, {{101}});
    Socket s;
    s.name = "127.0.0.1:8000";
    s.max_queue = 100;
    s.queue = 10;
    a.sockets.push_back(s);
    s.queue = 60;
    b.sockets.push_back(s);
    a.listen_queue_errors = 0;
    b.listen_queue_errors = 0;
    auto ev = step(t, a, b);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == EventKind::ListenQueue);
    CHECK(std::get<std::string>(*ev[0].fact("state")) == "above");

    EventTracker t2;
    b.sockets[0].queue = 10;
    b.listen_queue_errors = 3;
    ev = step(t2, a, b);
    REQUIRE(ev.size() == 1);
    CHECK(num(ev[0], "errors") == 3);
}

TEST_CASE("events: down once, then up with the gap") {
    EventTracker t;
    Snapshot a;
    make(a, 1, {{101}});
    std::vector<Event> out;
    t.failure("refused", 99, "i", out);
    CHECK(out.empty());  // no down before any success
    t.update(a, 100, "i", out);
    t.failure("connection refused", 102, "i", out);
    t.failure("connection refused", 104, "i", out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].kind == EventKind::Down);
    CHECK(event_text(out[0]) == "read failed: connection refused");
    t.update(a, 107, "i", out);
    REQUIRE(out.size() == 2);
    CHECK(out[1].kind == EventKind::Up);
    CHECK(std::get<double>(*out[1].fact("gap")) == doctest::Approx(7.0));
}

TEST_CASE("events: emperor vassals added, removed, respawned, cursed") {
    EventTracker t;
    Snapshot a, b;
    a.kind = b.kind = SnapshotKind::Emperor;
    Vassal v;
    v.id = "a.ini"; v.pid = 10; v.respawns = 1; v.cursed = 0;
    a.vassals.push_back(v);
    v.id = "b.ini"; v.pid = 20;
    a.vassals.push_back(v);
    v.id = "a.ini"; v.pid = 11; v.respawns = 2; v.cursed = 0;
    b.vassals.push_back(v);
    v.id = "c.ini"; v.pid = 30; v.respawns = 1;
    b.vassals.push_back(v);
    BlacklistEntry bl;
    bl.id = "d.ini"; bl.attempt = 3;
    b.blacklist.push_back(bl);
    auto ev = step(t, a, b);
    REQUIRE(ev.size() == 4);
    CHECK(ev[0].kind == EventKind::VassalRespawn);
    CHECK(ev[1].kind == EventKind::VassalAdded);
    CHECK(ev[2].kind == EventKind::VassalRemoved);
    CHECK(ev[3].kind == EventKind::VassalCursed);
    CHECK(event_text(ev[3]) == "vassal d.ini cursed (attempt 3)");
}

TEST_CASE("events: a cursed vassal's curse time is not an attempt number") {
    // uWSGI's vassal "cursed" is the unix time the Emperor cursed it.
    EventTracker t;
    Snapshot a, b;
    a.kind = b.kind = SnapshotKind::Emperor;
    Vassal v;
    v.id = "a.ini"; v.pid = 10; v.respawns = 1; v.cursed = 0;
    a.vassals.push_back(v);
    v.cursed = 1796665822;
    b.vassals.push_back(v);
    auto ev = step(t, a, b);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].kind == EventKind::VassalCursed);
    CHECK(ev[0].fact("attempt") == nullptr);
    REQUIRE(ev[0].fact("cursed_at") != nullptr);
    CHECK(std::get<int64_t>(*ev[0].fact("cursed_at")) == 1796665822);
    CHECK(event_text(ev[0]) == "vassal a.ini cursed");
}

}

TEST_CASE("events: stuck once per request, past stuck_after, with the request and the pid") {
    EventOptions o;
    o.stuck_after = 5;
    EventTracker t(o);
    Snapshot a, b, c, d;
    make(a, 1, {{101, 10, 1, 0, 0, "busy"}});
    static const std::string_view vars[] = {"REQUEST_METHOD=POST", "REQUEST_URI=/report"};
    make(b, 1, {{101, 10, 1, 0, 0, "busy"}});
    b.vars.assign(std::begin(vars), std::end(vars));
    b.cores[0].in_request = 1;
    b.cores[0].vars = Range{0, 2};
    std::vector<Event> out;
    t.update(a, 100, "i", out);
    t.update(b, 104, "i", out);
    CHECK(out.empty());  // 4 s: not yet
    t.update(b, 106, "i", out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].kind == EventKind::Stuck);
    CHECK(*out[0].worker == 1);
    CHECK(num(out[0], "pid") == 101);
    CHECK(num(out[0], "seconds") == 6);
    CHECK(out[0].request_key == 10);
    CHECK(event_text(out[0]) == "worker 1 stuck 6s in one request: POST /report");
    out.clear();
    t.update(b, 120, "i", out);
    CHECK(out.empty());  // the same request is reported once
    // Another request (the count moved) is stuck again only after its own 5 s.
    make(c, 1, {{101, 11, 1, 0, 0, "busy"}});
    t.update(c, 121, "i", out);
    CHECK(out.empty());
    t.update(c, 126, "i", out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].request_key == 11);
    CHECK(out[0].fact("uri") == nullptr);  // read without the request in flight
    CHECK(event_text(out[0]) == "worker 1 stuck 5s in one request");
    // Idle in between: a later busy spell starts from zero.
    out.clear();
    make(d, 1, {{101, 11, 1, 0, 0, "idle"}});
    t.update(d, 127, "i", out);
    t.update(c, 128, "i", out);
    CHECK(out.empty());
}

TEST_CASE("events: no stuck event with stuck_after 0, and harakiri carries the killed worker's pid") {
    EventTracker t;  // stuck_after 0
    Snapshot a, b;
    make(a, 1, {{101, 10, 1, 0, 0, "busy"}});
    make(b, 1, {{201, 10, 2, 1, 0, "busy"}});
    std::vector<Event> out;
    t.update(a, 100, "i", out);
    t.update(a, 200, "i", out);
    CHECK(out.empty());
    t.update(b, 201, "i", out);
    REQUIRE(out.size() == 2);
    CHECK(out[1].kind == EventKind::Harakiri);
    CHECK(num(out[1], "pid") == 101);
    CHECK(out[1].request_key == 10);
}
