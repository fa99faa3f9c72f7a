// Unit tests for stack_capture.hpp: when a long request's stack is due, and
// which event gets it.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "uwsgitop/action/stack_capture.hpp"

using namespace uwsgitop;
using namespace uwsgitop::action;

namespace {

// A master snapshot whose workers 1..n have pids 100+id and `requests`,
// all busy; `rates` holds each one's time in its request.
void make(Snapshot& s, Rates& r, std::initializer_list<double> busy_for, int64_t requests = 5) {
    s.clear();
    s.kind = SnapshotKind::Master;
    s.pid = 1;
    r.workers.clear();
    int64_t id = 1;
    for (double b : busy_for) {
        Worker w;
        w.id = id;
        w.pid = 100 + id;
        w.requests = requests;
        w.status = std::isnan(b) ? "idle" : "busy";
        s.workers.push_back(w);
        WorkerRates wr;
        wr.busy_for = b;
        r.workers.push_back(wr);
        ++id;
    }
}

Address local() {
    Address a;
    REQUIRE(parse_address("127.0.0.1:1", a));
    return a;
}

}  // namespace

TEST_CASE("stack capture: the threshold is --stuck-after or half the harakiri, whichever is first") {
    CHECK(capture_threshold(5, std::nullopt) == 5);
    CHECK(capture_threshold(5, 4L) == 2);
    CHECK(capture_threshold(5, 30L) == 5);
    CHECK(capture_threshold(0, 4L) == 2);
    CHECK(capture_threshold(0, 0L) == std::numeric_limits<double>::infinity());
    CHECK(capture_threshold(0, std::nullopt) == std::numeric_limits<double>::infinity());
}

TEST_CASE("stack capture: each request is due once, when it reaches the threshold") {
    // The snapshot's sender is not proven here (no peer): the harakiri stays
    // unknown and --stuck-after alone decides.
    StackCaptures caps(3, "");
    Snapshot s;
    Rates r;
    std::vector<CaptureTarget> due;
    make(s, r, {1.0, NAN});
    caps.due(s, r, local(), due);
    CHECK(due.empty());
    CHECK_FALSE(caps.harakiri());
    make(s, r, {3.5, 4.0});  // worker 2 was idle above: "busy_for" is what rates say
    caps.due(s, r, local(), due);
    REQUIRE(due.size() == 2);
    CHECK(due[0].target.worker_id == 1);
    CHECK(due[0].target.pid == 101);
    CHECK(due[0].requests == 5);
    due.clear();
    make(s, r, {9.0, 9.0});
    caps.due(s, r, local(), due);
    CHECK(due.empty());  // already asked for these requests
    make(s, r, {3.0, 0.5}, 6);
    caps.due(s, r, local(), due);
    REQUIRE(due.size() == 1);  // worker 1's next request
    CHECK(due[0].requests == 6);
}

TEST_CASE("stack capture: a stuck or harakiri event gets the stack of its own request only") {
    StackCaptures caps(3, "");
    CaptureTarget t;
    t.target.worker_id = 2;
    t.target.pid = 102;
    t.requests = 9;
    WorkerStack ws;
    ws.read = true;
    StackFrame f;
    f.thread = "uWSGIWorker2Core0";
    f.file = "app.py";
    f.line = 3;
    f.function = "inner";
    f.code = "time.sleep(n)";
    ws.frames.push_back(f);
    caps.store(t, ws);

    Event e;
    e.kind = EventKind::Harakiri;
    e.worker = 2;
    e.facts.push_back({"pid", int64_t{102}});
    e.request_key = 9;
    CHECK(caps.attach(e));
    REQUIRE(e.stack.size() == 1);
    CHECK(e.stack[0].function == "inner");

    Event other = e;
    other.stack.clear();
    other.request_key = 10;  // a later request of the same process
    CHECK_FALSE(caps.attach(other));
    other.request_key = 9;
    other.facts[0].value = int64_t{103};  // another process
    CHECK_FALSE(caps.attach(other));
    other.facts[0].value = int64_t{102};
    other.kind = EventKind::Respawn;
    CHECK_FALSE(caps.attach(other));

    // A read that failed gives nothing.
    WorkerStack failed;
    failed.reason = "worker 3, pid 103: no socket";
    t.target.worker_id = 3;
    t.target.pid = 103;
    caps.store(t, failed);
    Event stuck;
    stuck.kind = EventKind::Stuck;
    stuck.worker = 3;
    stuck.facts.push_back({"pid", int64_t{103}});
    stuck.request_key = 9;
    CHECK_FALSE(caps.attach(stuck));
    CHECK(stuck.stack.empty());
}
