// Unit tests for rates.hpp: deltas, unknowns and baseline resets.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <string>

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

// A /proc/PID/stat line: ppid (field 4), utime (14), stime (15), start time (22).
std::string stat_line(int64_t pid, int64_t ppid, uint64_t utime, uint64_t stime, uint64_t start) {
    std::string s = std::to_string(pid);
    s.append(" (uwsgi (a) b) S ").append(std::to_string(ppid));
    for (int f = 5; f <= 13; ++f) s.append(" 0");
    s.append(" ").append(std::to_string(utime)).append(" ").append(std::to_string(stime));
    for (int f = 16; f <= 21; ++f) s.append(" 0");
    s.append(" ").append(std::to_string(start)).append(" 0 0\n");
    return s;
}

// A fake /proc: pid -> stat line; a pid not in it cannot be read.
struct FakeProc {
    std::map<int64_t, std::string> stat;
    int reads = 0;
    ProcStatReader reader() {
        return [this](int64_t pid, std::string& out) {
            ++reads;
            const auto it = stat.find(pid);
            if (it == stat.end()) return false;
            out = it->second;
            return true;
        };
    }
};

// Master 1 behind a unix socket it listens on: a local instance.
void make_local(Snapshot& s, std::initializer_list<int64_t> reqs) {
    make(s, 1, reqs);
    s.peer.kind = Peer::Kind::Unix;
    s.peer.pid = 1;
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

TEST_CASE("rates::rt is the mean time of the requests that ended, by hand") {
    Snapshot s;
    RateTracker t;
    Rates r;
    make(s, 1, {10, 20, 30});
    s.workers[0].running_time = 100'000;  // µs
    s.workers[1].running_time = 500'000;
    s.workers[2].running_time = 900'000;
    t.update(s, 10.0, r);
    CHECK(std::isnan(r.workers[0].rt));  // first sample
    make(s, 1, {14, 20, 25});
    s.workers[0].running_time = 180'000;  // 4 requests took 80 ms: 20 ms each
    s.workers[1].running_time = 500'000;  // none ended
    s.workers[2].running_time = 100'000;  // counters fell: another master's
    t.update(s, 11.0, r);
    CHECK(r.workers[0].rt == doctest::Approx(20'000.0));
    CHECK(std::isnan(r.workers[1].rt));
    CHECK(std::isnan(r.workers[2].rt));
    make(s, 1, {15, 21, 26});
    s.workers[0].running_time = 180'500;  // 1 request of 0.5 ms: not smoothed
    s.workers[1].running_time = Int();    // not sent
    s.workers[2].running_time = 103'000;
    t.update(s, 12.0, r);
    CHECK(r.workers[0].rt == doctest::Approx(500.0));
    CHECK(std::isnan(r.workers[1].rt));
    CHECK(r.workers[2].rt == doctest::Approx(3'000.0));
}

TEST_CASE("rates::cpu from /proc/PID/stat between two readings of one process") {
    Snapshot s;
    RateTracker t;
    Rates r;
    FakeProc proc;
    t.set_proc_reader(proc.reader(), 100);
    proc.stat[1001] = stat_line(1001, 1, 50, 10, 7777);
    proc.stat[1002] = stat_line(1002, 1, 0, 0, 8888);
    make_local(s, {1, 1});
    t.update(s, 10.0, r);
    CHECK(std::isnan(r.workers[0].cpu));
    proc.stat[1001] = stat_line(1001, 1, 150, 30, 7777);  // 120 ticks = 1.2 s in 2 s
    proc.stat[1002] = stat_line(1002, 1, 1, 1, 8888);
    make_local(s, {2, 2});
    t.update(s, 12.0, r);
    CHECK(r.workers[0].cpu == doctest::Approx(60.0));
    CHECK(r.workers[1].cpu == doctest::Approx(1.0));
    CHECK(proc.reads == 4);
}

TEST_CASE("rates::cpu is unknown across a reused pid, a respawn, a stranger or an unreadable file") {
    Snapshot s;
    RateTracker t;
    Rates r;
    FakeProc proc;
    t.set_proc_reader(proc.reader(), 100);
    make_local(s, {1, 1, 1, 1});
    for (int64_t pid = 1001; pid <= 1004; ++pid) proc.stat[pid] = stat_line(pid, 1, 10, 10, 5000);
    t.update(s, 10.0, r);
    proc.stat[1001] = stat_line(1001, 1, 900, 0, 6000);  // same pid, another process
    proc.stat[1002] = stat_line(1002, 99, 900, 0, 5000); // not the master's child
    proc.stat.erase(1003);                               // gone or not ours to read
    proc.stat[4242] = stat_line(4242, 1, 900, 0, 6000);  // worker 4 respawned
    make_local(s, {2, 2, 2, 2});
    s.workers[3].pid = 4242;
    t.update(s, 11.0, r);
    for (std::size_t i = 0; i < 4; ++i) CHECK(std::isnan(r.workers[i].cpu));
    // The respawned worker's next interval is measured again.
    proc.stat[4242] = stat_line(4242, 1, 950, 0, 6000);
    make_local(s, {3, 3, 3, 3});
    s.workers[3].pid = 4242;
    t.update(s, 12.0, r);
    CHECK(r.workers[3].cpu == doctest::Approx(50.0));
    CHECK(std::isnan(r.workers[2].cpu));
}

TEST_CASE("rates::cpu is read only for an instance on this machine") {
    Snapshot s;
    make(s, 1, {1});
    CHECK_FALSE(cpu_readable(s));                 // a recording, a file, http(s)
    s.peer.kind = Peer::Kind::Unix;
    s.peer.pid = 1;
    CHECK(cpu_readable(s));
    s.peer.pid = 2;                               // the listener is not this master
    CHECK_FALSE(cpu_readable(s));
    s.peer.pid = 1;
    s.peer.listener_exited = true;
    CHECK_FALSE(cpu_readable(s));
    s.peer = Peer{};
    s.peer.kind = Peer::Kind::Tcp;
    s.peer.addr = {127, 0, 0, 1};
    CHECK(cpu_readable(s));
    s.peer.addr = {10, 0, 0, 1};
    CHECK_FALSE(cpu_readable(s));
    s.peer.v6 = true;
    s.peer.addr = {};
    s.peer.addr[15] = 1;                          // ::1
    CHECK(cpu_readable(s));
    s.peer.addr = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
    CHECK(cpu_readable(s));
    s.peer.addr[15] = 2;
    s.peer.addr[12] = 10;
    CHECK_FALSE(cpu_readable(s));

    // A remote instance: /proc is never read.
    RateTracker t;
    Rates r;
    FakeProc proc;
    proc.stat[1001] = stat_line(1001, 1, 10, 10, 5000);
    t.set_proc_reader(proc.reader(), 100);
    t.update(s, 10.0, r);
    t.update(s, 11.0, r);
    CHECK(proc.reads == 0);
    CHECK(std::isnan(r.workers[0].cpu));
}

}  // TEST_SUITE
