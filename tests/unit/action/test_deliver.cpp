// Tests for deliver.hpp: the checked delivery on a fake /proc tree (every
// refusal sends nothing; the only signal goes to a `sleep` child of this
// test; the only FIFO is this test's own), and the confirmations.
#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <string>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake_proc.hpp"
#include "uwsgitop/action/deliver.hpp"

namespace act = uwsgitop::action;
using actiontest::FakeProc;
using actiontest::spawn_sleep;
using uwsgitop::Snapshot;
using uwsgitop::Worker;

namespace {

// 127.0.0.1:9159 listening, inode 5555 (as in test_safety.cpp).
const char* kTcp =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 0100007F:23C7 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 5555 1 0 100 0 0 10 0\n";

act::Aim aim_for(const char* name, pid_t master) {
    act::Aim a;
    a.spec = act::find_action(name);
    REQUIRE(a.spec != nullptr);
    REQUIRE(uwsgitop::parse_address("127.0.0.1:9159", a.address).is_ok());
    a.peer = actiontest::tcp_peer("127.0.0.1", 9159);
    a.master = master;
    a.interval_ms = 1000;
    return a;
}

bool alive(pid_t pid) { return ::kill(pid, 0) == 0; }

void reap(pid_t pid) {
    if (alive(pid)) ::kill(pid, SIGKILL);  // the sleep this test started
    int status = 0;
    waitpid(pid, &status, 0);
}

act::Observed running(std::initializer_list<std::pair<int64_t, int64_t>> workers, bool paused = false) {
    act::Observed o;
    for (const auto& [id, pid] : workers) o.running[id] = pid;
    o.has_workers = workers.size() > 0;
    o.all_paused = paused && o.has_workers;
    return o;
}

}  // namespace

TEST_CASE("deliver: a worker action reaches only the checked child, after every check") {
    const pid_t child = spawn_sleep();
    const pid_t master = getpid();  // the fake tree says: this process holds the socket, the sleep is its child
    FakeProc p;
    p.write("net/tcp", kTcp);
    p.write("net/tcp6", "  sl  local_address\n");
    p.process(master, 1, {5555});
    p.process(child, master, {});
    std::string sent;

    SUBCASE("a stale snapshot: refused, nothing sent") {
        act::Aim a = aim_for("kill-worker", master);
        a.worker_id = 2;
        a.pid = child;
        a.age_ms = 2500;
        const uwsgitop::Status st = act::deliver(p.proc(), a, sent);
        CHECK(st.message() == "127.0.0.1:9159: kill-worker: the snapshot is 2500 ms old (older than two intervals of "
                              "1000 ms); refresh first");
        CHECK(sent.empty());
        CHECK(alive(child));
    }
    SUBCASE("a master that does not hold the socket: refused, nothing sent") {
        act::Aim a = aim_for("kill-worker", child);  // the sleep named as master
        a.worker_id = 2;
        a.pid = child;
        CHECK(act::deliver(p.proc(), a, sent).message().find("does not hold the stats socket we read") != std::string::npos);
        CHECK(alive(child));
    }
    SUBCASE("a worker whose parent is not the master: refused, nothing sent") {
        FakeProc q;
        q.write("net/tcp", kTcp);
        q.write("net/tcp6", "  sl  local_address\n");
        q.process(master, 1, {5555});
        q.process(child, 1, {});  // its parent: init
        act::Aim a = aim_for("kill-worker", master);
        a.worker_id = 2;
        a.pid = child;
        const uwsgitop::Status st = act::deliver(q.proc(), a, sent);
        CHECK(st.message().rfind("127.0.0.1:9159: ", 0) == 0);
        CHECK(st.message().find("not the master pid") != std::string::npos);
        CHECK(alive(child));
    }
    SUBCASE("a pid the snapshot also gives to the master, a spooler or another worker: refused") {
        act::Aim a = aim_for("kill-worker", master);
        a.worker_id = 2;
        a.pid = child;
        a.other_pids = {4711, child};
        CHECK(act::deliver(p.proc(), a, sent).message().find("is also the master's, another worker's") != std::string::npos);
        CHECK(alive(child));
    }
    SUBCASE("a pid past pid_max (2^32 + the child's): refused, never truncated to the child") {
        act::Aim a = aim_for("kill-worker", master);
        a.worker_id = 2;
        a.pid = (int64_t{1} << 32) + child;
        CHECK(act::deliver(p.proc(), a, sent).message().find("is not a valid pid; refused") != std::string::npos);
        a.master = (int64_t{1} << 32) + master;
        a.pid = child;
        CHECK(act::deliver(p.proc(), a, sent).message().find("is not a valid pid; refused") != std::string::npos);
        CHECK(alive(child));
    }
    SUBCASE("the same address, but another peer answered: refused") {
        act::Aim a = aim_for("kill-worker", master);
        a.worker_id = 2;
        a.pid = child;
        a.peer = actiontest::tcp_peer("::1", 9159);  // the real listener is on 127.0.0.1
        CHECK(act::deliver(p.proc(), a, sent).message().find("no socket listens on [::1]:9159") != std::string::npos);
        a.peer = actiontest::unix_peer(child);
        CHECK(act::deliver(p.proc(), a, sent).message().find("the process that answered is pid") != std::string::npos);
        CHECK(alive(child));
    }
    SUBCASE("all checks pass: SIGTERM to the child, and the explanation") {
        act::Aim a = aim_for("kill-worker", master);
        a.worker_id = 2;
        a.pid = child;
        REQUIRE(act::deliver(p.proc(), a, sent).is_ok());
        CHECK(sent == "SIGTERM to worker 2, pid " + std::to_string(child) +
                          ": it exits now, dropping its request, and the master starts a new one");
        int status = 0;
        REQUIRE(waitpid(child, &status, 0) == child);
        CHECK(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == SIGTERM);
        return;
    }
    reap(child);
}

TEST_CASE("deliver: instance actions through this test's FIFO, or refused without one") {
    const pid_t master = getpid();
    FakeProc p;
    p.write("net/tcp", kTcp);
    p.write("net/tcp6", "  sl  local_address\n");
    p.process(master, 1, {5555});
    std::string sent;

    act::Aim a = aim_for("chain-reload", master);
    const uwsgitop::Status none = act::deliver(p.proc(), a, sent);
    CHECK(none.message().find("chain-reload needs the master FIFO") != std::string::npos);

    const std::string fifo = (p.root / "master.fifo").string();
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    REQUIRE(reader >= 0);
    a.fifo = fifo;
    // The master must hold the FIFO open: here it does not yet.
    const uwsgitop::Status foreign = act::deliver(p.proc(), a, sent);
    CHECK(foreign.message().find("does not hold it open for reading (another instance's FIFO?); refused, nothing written") !=
          std::string::npos);
    char none_read = 0;
    CHECK(::read(reader, &none_read, 1) <= 0);  // nothing was written (EOF or EAGAIN)
    std::filesystem::create_symlink(fifo, p.root / std::to_string(master) / "fd" / "9");
    REQUIRE(act::deliver(p.proc(), a, sent).is_ok());
    CHECK(sent.rfind("'c' to the master FIFO: ", 0) == 0);
    char got = 0;
    CHECK(::read(reader, &got, 1) == 1);
    CHECK(got == 'c');
    ::close(reader);
    // No reader now: one line, no hang.
    const uwsgitop::Status gone = act::deliver(p.proc(), a, sent);
    CHECK(gone.message().find("127.0.0.1:9159: chain-reload: master FIFO ") == 0);
    CHECK(gone.message().find("no process reads it") != std::string::npos);
}

TEST_CASE("deliver: an action that would not do what it says on this instance is refused, nothing sent") {
    const pid_t master = getpid();
    FakeProc p;
    p.write("net/tcp", kTcp);
    p.write("net/tcp6", "  sl  local_address\n");
    p.process(master, 1, {5555}, std::string("uwsgi\0--die-on-term\0", 20));
    std::string sent;
    // brutal-reload without a FIFO would be SIGTERM to this process: with
    // --die-on-term that stops the instance, so it is refused before kill().
    act::Aim a = aim_for("brutal-reload", master);
    const uwsgitop::Status st = act::deliver(p.proc(), a, sent);
    CHECK(st.message().find("127.0.0.1:9159: brutal-reload: the master runs with --die-on-term") == 0);
    CHECK(sent.empty());
    // Without --die-on-term in sight it is refused all the same: it cannot be ruled out.
    FakeProc q;
    q.write("net/tcp", kTcp);
    q.write("net/tcp6", "  sl  local_address\n");
    q.process(master, 1, {5555}, std::string("uwsgi\0--master\0", 15));
    const uwsgitop::Status unknown = act::deliver(q.proc(), aim_for("brutal-reload", master), sent);
    CHECK(unknown.message().find("cannot be ruled out from outside; refused (give its master FIFO") != std::string::npos);
    // --exit-on-reload: a reload would stop the instance.
    FakeProc r;
    r.write("net/tcp", kTcp);
    r.write("net/tcp6", "  sl  local_address\n");
    r.process(master, 1, {5555}, std::string("uwsgi\0--exit-on-reload\0", 23));
    CHECK(act::deliver(r.proc(), aim_for("reload", master), sent).message().find("--exit-on-reload") !=
          std::string::npos);
    CHECK(sent.empty());
    // add-worker outside cheaper mode: uWSGI ignores '+'.
    a = aim_for("add-worker", master);
    a.fifo = "/nonexistent.fifo";
    CHECK(act::deliver(p.proc(), a, sent).message().find("not in cheaper mode") != std::string::npos);
    a.cheap_seen = true;  // a cheap worker in the snapshot is cheaper mode: on to the FIFO
    CHECK(act::deliver(p.proc(), a, sent).message().find("no such file") != std::string::npos);
}

TEST_CASE("other_pids: the master, spoolers, daemons, crons and a pid two workers share") {
    Snapshot s;
    s.pid = 100;
    Worker w1, w2, w3;
    w1.id = 1;
    w1.pid = 101;
    w2.id = 2;
    w2.pid = 102;
    w3.id = 3;
    w3.pid = 102;
    s.workers = {w1, w2, w3};
    uwsgitop::Spooler sp;
    sp.pid = 200;
    s.spoolers.push_back(sp);
    std::vector<int64_t> got = act::other_pids(s);
    std::sort(got.begin(), got.end());
    CHECK(got == std::vector<int64_t>{100, 102, 200});
}

TEST_CASE("confirmed: a respawn from before our signal is said not to be ours") {
    act::Observed before = running({{3, 4711}});
    act::Observed now = running({{3, 4790}});
    before.spawned[3] = 1690000000;
    now.spawned[3] = 1700000000;
    std::string what;
    before.sent_at = 1700000000.5;  // sent in the second it respawned: cannot tell, ours
    REQUIRE(act::confirmed("reload-worker", 3, before, now, what));
    CHECK(what == "worker 3 respawned: pid 4711 -> 4790");
    before.sent_at = 1700000004.2;  // sent 4 s after it respawned
    REQUIRE(act::confirmed("reload-worker", 3, before, now, what));
    CHECK(what == "worker 3 respawned: pid 4711 -> 4790 4 s before our signal: not by it (something else reloaded "
                  "that worker)");
}

TEST_CASE("observe: running non-cheap workers, pause") {
    Snapshot s;
    Worker a, b, c;
    a.id = 1;
    a.pid = 101;
    a.status = "pause";
    b.id = 2;
    b.pid = 0;
    b.status = "cheap";
    c.id = 3;
    c.pid = 103;
    c.status = "pause";
    s.workers = {a, b, c};
    act::Observed o = act::observe(s);
    CHECK(o.running == std::map<int64_t, int64_t>{{1, 101}, {3, 103}});
    CHECK(o.all_paused);
    CHECK(o.has_workers);
    s.workers[2].status = "idle";
    CHECK_FALSE(act::observe(s).all_paused);
    CHECK_FALSE(act::observe(Snapshot{}).has_workers);
}

TEST_CASE("confirmed: respawn, replaced workers, pause, one worker more or less") {
    std::string what;
    const act::Observed before = running({{1, 101}, {2, 102}, {3, 103}});
    CHECK_FALSE(act::confirmed("reload-worker", 2, before, before, what));
    CHECK(act::confirmed("reload-worker", 2, before, running({{1, 101}, {2, 202}, {3, 103}}), what));
    CHECK(what == "worker 2 respawned: pid 102 -> 202");
    CHECK_FALSE(act::confirmed("kill-worker", 2, before, running({{1, 101}, {3, 103}}), what));  // not back yet
    CHECK(act::confirmed("log-worker", 2, before, before, what));
    CHECK(what == "worker 2 signalled");

    CHECK_FALSE(act::confirmed("chain-reload", std::nullopt, before, running({{1, 201}, {2, 202}, {3, 103}}), what));
    CHECK(what == "chain-reload: 2 of 3 workers replaced");
    CHECK(act::confirmed("chain-reload", std::nullopt, before, running({{1, 201}, {2, 202}, {3, 203}}), what));
    CHECK(what == "chain-reload: 3 of 3 workers replaced");

    CHECK(act::confirmed("pause", std::nullopt, before, running({{1, 101}, {2, 102}, {3, 103}}, true), what));
    CHECK(what == "paused: every worker reports status pause");
    CHECK(act::confirmed("pause", std::nullopt, running({{1, 101}}, true), running({{1, 101}}), what));
    CHECK(what == "resumed: no worker reports status pause");

    CHECK(act::confirmed("add-worker", std::nullopt, running({{1, 101}}), running({{1, 101}, {2, 102}}), what));
    CHECK(what == "running workers 1 -> 2");
    CHECK_FALSE(act::confirmed("remove-worker", std::nullopt, running({{1, 101}}), running({{1, 101}}), what));
    CHECK(act::confirmed("reopen-logs", std::nullopt, before, before, what));
}
