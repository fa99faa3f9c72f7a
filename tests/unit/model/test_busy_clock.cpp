// Unit tests for busy_clock.hpp: a worker's time in its current request.
#include <doctest/doctest.h>

#include <cmath>

#include "uwsgitop/model/busy_clock.hpp"

using namespace uwsgitop;

namespace {

// A master (pid 1) whose worker 1 has `pid`, `requests` and `status`; with
// `start` > 0 its one core is in a request that began then.
void make(Snapshot& s, int64_t pid, int64_t requests, std::string_view status, int64_t start = 0) {
    s.clear();
    s.kind = SnapshotKind::Master;
    s.pid = 1;
    Worker w;
    w.id = 1;
    w.pid = pid;
    w.requests = requests;
    w.status = status;
    if (start > 0) {
        w.has_cores = true;
        w.cores = Range{0, 1};
        Core c;
        c.worker_index = 0;
        c.in_request = 1;
        c.request_start = start;
        s.cores.push_back(c);
    }
    s.workers.push_back(w);
}

}  // namespace

TEST_CASE("busy clock: from the first snapshot that showed the request, until it ends") {
    BusyClock clock;
    Snapshot s;
    make(s, 100, 7, "idle");
    clock.update(s, 10, 0);
    CHECK(std::isnan(clock.seconds()[0]));
    make(s, 100, 7, "busy");
    clock.update(s, 11, 0);
    CHECK(clock.seconds()[0] == doctest::Approx(0));
    clock.update(s, 14.5, 0);
    CHECK(clock.seconds()[0] == doctest::Approx(3.5));
    CHECK(clock.requests_of(0) == 7);
    make(s, 100, 8, "busy");  // a request ended, another began
    clock.update(s, 15, 0);
    CHECK(clock.seconds()[0] == doctest::Approx(0));
    make(s, 101, 8, "busy");  // respawned: another process, another request
    clock.update(s, 16, 0);
    CHECK(clock.seconds()[0] == doctest::Approx(0));
    clock.update(s, 19, 0);
    CHECK(clock.seconds()[0] == doctest::Approx(3));
}

TEST_CASE("busy clock: the cores' request_start dates the request, also for the reads without cores after it") {
    BusyClock clock;
    Snapshot s;
    make(s, 100, 7, "busy", 1000);  // began at 1000 (wall), read at 1012
    clock.update(s, 50, 1012);
    CHECK(clock.seconds()[0] == doctest::Approx(12));
    make(s, 100, 7, "busy");  // the next read passed the cores over
    clock.update(s, 51, 1013);
    CHECK(clock.seconds()[0] == doctest::Approx(13));
    // A wall clock of 0 (unknown) does not use request_start.
    BusyClock other;
    make(s, 100, 7, "busy", 1000);
    other.update(s, 50, 0);
    CHECK(other.seconds()[0] == doctest::Approx(0));
}

TEST_CASE("busy clock: a new master starts every worker over; reset forgets") {
    BusyClock clock;
    Snapshot s;
    make(s, 100, 7, "busy");
    clock.update(s, 10, 0);
    clock.update(s, 20, 0);
    CHECK(clock.seconds()[0] == doctest::Approx(10));
    s.pid = 2;
    clock.update(s, 21, 0);
    CHECK(clock.seconds()[0] == doctest::Approx(0));
    clock.reset();
    CHECK(clock.seconds().empty());
    CHECK(clock.requests_of(0) == -1);
}
