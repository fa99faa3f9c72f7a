// Unit tests for rates.hpp: deltas, unknowns and baseline resets.
#include <doctest/doctest.h>

#include <cmath>

#include "uwsgitop/rates/rates.hpp"

using namespace uwsgitop;

namespace {

// A snapshot with one worker per entry of `reqs` (ids 1..n), each with one core
// whose requests equal the worker's.
void make(Snapshot& s, int64_t master_pid, std::initializer_list<int64_t> reqs, int64_t tx_per_req = 100) {
    s.clear();
    s.kind = SnapshotKind::Master;
    s.pid = master_pid;
    int64_t id = 1;
    for (int64_t r : reqs) {
        Worker w;
        w.id = id;
        w.pid = 1000 + id;
        w.requests = r;
        w.exceptions = r / 10;
        w.tx = r * tx_per_req;
        w.cores = Range{static_cast<uint32_t>(s.cores.size()), 1};
        w.has_cores = true;
        Core c;
        c.worker_index = static_cast<uint32_t>(s.workers.size());
        c.id = 0;
        c.requests = r;
        s.cores.push_back(c);
        s.workers.push_back(w);
        ++id;
    }
}

}  // namespace

TEST_SUITE("rates") {

TEST_CASE("rates::first sample is unknown") {
    Snapshot s;
    make(s, 1, {10, 20});
    RateTracker t;
    Rates r;
    t.update(s, 100.0, r);
    REQUIRE(r.workers.size() == 2);
    CHECK(std::isnan(r.workers[0].requests));
    CHECK(std::isnan(r.cores[1].requests));
    CHECK(std::isnan(r.total_requests));
    CHECK(r.interval == 0);
}

TEST_CASE("rates::deltas per second") {
    Snapshot s;
    RateTracker t;
    Rates r;
    make(s, 1, {10, 20});
    t.update(s, 100.0, r);
    make(s, 1, {30, 20});
    t.update(s, 102.0, r);
    CHECK(r.interval == doctest::Approx(2.0));
    CHECK(r.workers[0].requests == doctest::Approx(10.0));
    CHECK(r.workers[1].requests == doctest::Approx(0.0));
    CHECK(r.workers[0].tx == doctest::Approx(1000.0));
    CHECK(r.workers[0].exceptions == doctest::Approx(1.0));
    CHECK(r.cores[0].requests == doctest::Approx(10.0));
    CHECK(r.total_requests == doctest::Approx(10.0));
}

TEST_CASE("rates::respawn keeps the rate (uWSGI keeps counters)") {
    Snapshot s;
    RateTracker t;
    Rates r;
    make(s, 1, {50});
    t.update(s, 10.0, r);
    make(s, 1, {60});
    s.workers[0].pid = 4242;          // new process
    s.workers[0].respawn_count = 2;
    t.update(s, 11.0, r);
    CHECK(r.workers[0].requests == doctest::Approx(10.0));
}

TEST_CASE("rates::counter going down restarts that row") {
    Snapshot s;
    RateTracker t;
    Rates r;
    make(s, 1, {50, 50});
    t.update(s, 10.0, r);
    make(s, 1, {3, 60});
    t.update(s, 11.0, r);
    CHECK(std::isnan(r.workers[0].requests));
    CHECK(r.workers[1].requests == doctest::Approx(10.0));
    make(s, 1, {5, 70});
    t.update(s, 12.0, r);
    CHECK(r.workers[0].requests == doctest::Approx(2.0));
}

TEST_CASE("rates::another master pid restarts everything") {
    Snapshot s;
    RateTracker t;
    Rates r;
    make(s, 1, {50});
    t.update(s, 10.0, r);
    make(s, 2, {80});
    t.update(s, 11.0, r);
    CHECK(r.baseline_reset);
    CHECK(std::isnan(r.workers[0].requests));
    make(s, 2, {90});
    t.update(s, 12.0, r);
    CHECK(r.workers[0].requests == doctest::Approx(10.0));
}

TEST_CASE("rates::time that does not advance gives no rate") {
    Snapshot s;
    RateTracker t;
    Rates r;
    make(s, 1, {50});
    t.update(s, 10.0, r);
    make(s, 1, {60});
    t.update(s, 10.0, r);
    CHECK(std::isnan(r.workers[0].requests));
}

TEST_CASE("rates::cheap workers (id 0) and new workers are unknown") {
    Snapshot s;
    RateTracker t;
    Rates r;
    make(s, 1, {50});
    t.update(s, 10.0, r);
    make(s, 1, {60, 7});
    Worker cheap;
    cheap.id = 0;
    cheap.pid = 0;
    cheap.requests = 0;
    s.workers.push_back(cheap);
    t.update(s, 11.0, r);
    CHECK(r.workers[0].requests == doctest::Approx(10.0));
    CHECK(std::isnan(r.workers[1].requests));  // not there last time
    CHECK(std::isnan(r.workers[2].requests));  // cheap
}

TEST_CASE("rates::missing counter stays unknown") {
    Snapshot s;
    RateTracker t;
    Rates r;
    make(s, 1, {50});
    s.workers[0].tx = Int();
    t.update(s, 10.0, r);
    make(s, 1, {60});
    t.update(s, 11.0, r);
    CHECK(std::isnan(r.workers[0].tx));
    CHECK(r.workers[0].requests == doctest::Approx(10.0));
}

}  // TEST_SUITE
