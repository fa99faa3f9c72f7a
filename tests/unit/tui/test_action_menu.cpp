// Unit tests for tui/action_menu.hpp: the menu's scope, frozen target, default
// highlight, keys, the pid-gone refusal, one action in flight and the
// confirmation from later snapshots. The delivery is a stand-in that records
// what it was asked (nothing is signalled).
#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "../action/fake_proc.hpp"
#include "tui_test_support.hpp"
#include "uwsgitop/tui/action_menu.hpp"
#include "uwsgitop/tui/render.hpp"

using namespace uwsgitop;
using namespace uwsgitop::tui;
using tuitest::TestSnap;

namespace {

TestSnap four() {
    return TestSnap{
        {1, 101, "idle", 10, 1.0, 2, 0},
        {2, 102, "busy", 40, 5.0, 2, 1},
        {3, 103, "idle", 30, 3.0, 2, 0},
        {4, 104, "cheap", 0, 0.0, 2, 0},
    };
}

// A live local scope; `fifo` set so nothing reads the real /proc.
ActionScope scope(std::string fifo = "/run/app/master.fifo") {
    ActionScope s;
    REQUIRE(parse_address("127.0.0.1:9191", s.address));
    s.fifo = std::move(fifo);
    s.proc.root = "/nonexistent-proc";
    s.wait = 5.0;
    return s;
}

// Records every delivery; optionally holds it until release().
struct FakeDeliver {
    std::mutex mu;
    std::vector<action::Aim> aims;
    std::promise<void> gate;
    std::shared_future<void> open = gate.get_future().share();
    bool hold = false;
    Status result = Status::ok();

    Deliver fn() {
        return [this](const action::Aim& aim, std::string& sent) {
            {
                const std::lock_guard<std::mutex> lock(mu);
                aims.push_back(aim);
            }
            if (hold) open.wait();
            sent = action::explain(*aim.spec, aim.worker_id, aim.pid,
                                   aim.spec->target == action::Target::Worker ? action::Channel::WorkerSignal
                                                                              : action::Channel::Fifo);
            return result;
        };
    }
    std::size_t count() {
        const std::lock_guard<std::mutex> lock(mu);
        return aims.size();
    }
};

ViewModel make(TestSnap& t) {
    ViewModel vm(tuitest::default_options(), "127.0.0.1:9191");
    vm.set_size(120, 30);
    vm.set_clock(10.0);
    vm.set_fetch_ok(10.0);
    vm.set_snapshot(&t.snap, &t.rates, tuitest::kNow);
    return vm;
}

int64_t selected_id(const ViewModel& vm) {
    const RowRef r = vm.worker_rows()[static_cast<std::size_t>(vm.state().selected)];
    return *vm.snapshot()->workers[r.worker].id;
}

void select(ViewModel& vm, int64_t id) {
    vm.handle_key(key::Home);
    for (int i = 0; i < 10 && selected_id(vm) != id; ++i) vm.handle_key(key::Down);
    REQUIRE(selected_id(vm) == id);
}

// Polls tick() until it says something (the delivery thread has returned).
std::string wait_tick(ActionMenu& m, double now) {
    for (int i = 0; i < 2000; ++i) {
        std::string s = m.tick(now);
        if (!s.empty()) return s;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return "";
}

// x, the entry `letter`, y; then what the status line says once the delivery returned.
std::string send(ActionMenu& m, ViewModel& vm, char letter, double now) {
    m.open_on(vm);
    m.key(letter, vm);
    m.key('y', vm);
    return wait_tick(m, now);
}

const MenuEntry& entry(const ActionMenu& m, std::string_view name) {
    for (const MenuEntry& e : m.entries())
        if (e.spec->name == name) return e;
    FAIL("no entry " << name);
    return m.entries().front();
}

}  // namespace

TEST_CASE("action_menu: one entry per action; the graceful worker action is highlighted") {
    TestSnap t = four();
    ViewModel vm = make(t);
    select(vm, 3);
    ActionMenu m(scope());
    CHECK(m.open_on(vm).empty());
    CHECK(m.stage() == ActionMenu::Stage::Choosing);
    CHECK(m.entries().size() == action::action_table().size());
    CHECK(m.target().has_worker);
    CHECK(m.target().worker_id == 3);
    CHECK(m.target().pid == 103);
    CHECK(m.target().master == 4000);
    const MenuEntry& hl = m.entries()[static_cast<std::size_t>(m.highlighted())];
    CHECK(hl.spec->name == "reload-worker");
    CHECK(hl.text == "SIGHUP to worker 3, pid 103: it finishes its request, exits, and the master starts a new one");
    CHECK(entry(m, "chain-reload").available);
    CHECK(entry(m, "chain-reload").text.find("'c' to the master FIFO") == 0);
    CHECK(entry(m, "kill-worker").available);
    CHECK_FALSE(entry(m, "kill-worker").spec->graceful);
}

TEST_CASE("action_menu: an action that would not do what it says on this instance is unavailable when it opens") {
    // Master pid 4000 was started with --die-on-term; no worker is cheap, no --cheaper.
    actiontest::FakeProc p;
    p.process(4000, 1, {}, std::string("uwsgi\0--die-on-term\0", 20));
    TestSnap t{{1, 101, "idle", 10, 1.0, 2, 0}, {2, 102, "busy", 40, 5.0, 2, 1}};
    t.snap.peer = actiontest::unix_peer(4000);  // proved: its config is read (only then)
    ViewModel vm = make(t);
    ActionScope sc = scope("");
    sc.proc = p.proc();
    ActionMenu m(sc);
    REQUIRE(m.open_on(vm).empty());
    CHECK(m.target().config.die_on_term);
    CHECK_FALSE(entry(m, "brutal-reload").available);
    CHECK(entry(m, "brutal-reload").text.find("the master runs with --die-on-term") == 0);
    // Not proved to be the sender: its config files are not opened, and SIGTERM is refused all the same.
    t.snap.peer = actiontest::unix_peer(4001);
    ActionMenu unproved(sc);
    REQUIRE(unproved.open_on(vm).empty());
    CHECK_FALSE(unproved.target().config.die_on_term);
    CHECK_FALSE(entry(unproved, "brutal-reload").available);
    CHECK(entry(unproved, "brutal-reload").text.find("cannot be ruled out from outside") != std::string::npos);
    t.snap.peer = actiontest::unix_peer(4000);
    CHECK_FALSE(entry(m, "add-worker").available);
    CHECK(entry(m, "add-worker").text == "add-worker needs the master FIFO (--master-fifo PATH), and none is known");
    CHECK(entry(m, "reload").available);  // SIGHUP is a reload with or without --die-on-term
    // With a FIFO: R goes through it, and + is still refused outside cheaper mode.
    sc.fifo = "/run/app/master.fifo";
    ActionMenu f(sc);
    REQUIRE(f.open_on(vm).empty());
    CHECK(entry(f, "brutal-reload").available);
    CHECK(entry(f, "brutal-reload").text.find("'R' to the master FIFO") == 0);
    CHECK_FALSE(entry(f, "add-worker").available);
    CHECK(entry(f, "add-worker").text.find("the instance is not in cheaper mode") == 0);
    CHECK(f.key('+', vm).find("not in cheaper mode") != std::string::npos);
}

TEST_CASE("action_menu: without a FIFO the FIFO-only actions say why; a cheap worker has no worker actions") {
    TestSnap t = four();
    ViewModel vm = make(t);
    select(vm, 4);  // cheap
    ActionMenu m(scope(""));
    CHECK(m.open_on(vm).empty());
    CHECK_FALSE(m.target().has_worker);
    CHECK_FALSE(entry(m, "reload-worker").available);
    CHECK(entry(m, "reload-worker").text.find("worker 4 is cheap") != std::string::npos);
    CHECK_FALSE(entry(m, "chain-reload").available);
    CHECK(entry(m, "chain-reload").text.find("needs the master FIFO") != std::string::npos);
    CHECK(entry(m, "reload").available);
    CHECK(entry(m, "reload").text.find("SIGHUP to the master, pid 4000") == 0);
    // The highlight: the first graceful action available, never a brutal one.
    const MenuEntry& hl = m.entries()[static_cast<std::size_t>(m.highlighted())];
    CHECK(hl.spec->name == "reload");
    CHECK(hl.spec->graceful);
    // Choosing an unavailable entry says why, closes, and sends nothing.
    const std::string msg = m.key('c', vm);
    CHECK(msg.find("chain-reload: ") == 0);
    CHECK(msg.find("nothing sent") != std::string::npos);
    CHECK_FALSE(m.open());
}

TEST_CASE("action_menu: the target stays frozen across a reorder; y delivers to it") {
    TestSnap t = four();
    ViewModel vm = make(t);
    vm.handle_key('R');  // sort by requests
    select(vm, 3);
    FakeDeliver fake;
    ActionMenu m(scope(), fake.fn());
    REQUIRE(m.open_on(vm).empty());
    // A refresh where worker 3 moves to the top and another row is selected.
    TestSnap t2{
        {1, 101, "idle", 10, 1.0, 2, 0},
        {2, 102, "busy", 40, 5.0, 2, 1},
        {3, 103, "idle", 900, 3.0, 2, 0},
        {4, 104, "cheap", 0, 0.0, 2, 0},
    };
    vm.set_clock(10.5);
    vm.set_fetch_ok(10.5);
    vm.set_snapshot(&t2.snap, &t2.rates, tuitest::kNow + 1);
    vm.handle_key(key::Down);  // ignored by the menu's target
    CHECK(m.target().worker_id == 3);
    CHECK(m.target().pid == 103);
    CHECK(m.key('h', vm).empty());
    CHECK(m.stage() == ActionMenu::Stage::Confirming);
    const std::string sending = m.key('y', vm);
    CHECK(sending.find("sending: SIGHUP to worker 3, pid 103") == 0);
    CHECK_FALSE(m.open());
    CHECK(wait_tick(m, 10.6).find("sent: SIGHUP to worker 3, pid 103") == 0);
    REQUIRE(fake.count() == 1);
    const action::Aim& aim = fake.aims.front();
    CHECK(aim.spec->name == "reload-worker");
    CHECK(aim.worker_id == 3);
    CHECK(aim.pid == 103);
    CHECK(aim.master == 4000);
    CHECK(aim.fifo == "/run/app/master.fifo");
    CHECK(aim.address.text == "127.0.0.1:9191");
    CHECK(aim.age_ms == 0);
    CHECK(aim.interval_ms == 1000);
}

TEST_CASE("action_menu: a pid gone by y is refused and nothing is delivered") {
    TestSnap t = four();
    ViewModel vm = make(t);
    select(vm, 3);
    FakeDeliver fake;
    ActionMenu m(scope(), fake.fn());
    REQUIRE(m.open_on(vm).empty());
    REQUIRE(m.key(key::Enter, vm).empty());  // Enter: the highlighted reload-worker
    TestSnap t2{
        {1, 101, "idle", 10, 1.0, 2, 0},
        {2, 102, "busy", 40, 5.0, 2, 1},
        {3, 203, "idle", 0, 0.0, 2, 0},
        {4, 104, "cheap", 0, 0.0, 2, 0},
    };
    vm.set_snapshot(&t2.snap, &t2.rates, tuitest::kNow + 1);
    const std::string msg = m.key('y', vm);
    CHECK(msg.find("worker 3 was respawned meanwhile: pid 103 is gone") == 0);
    CHECK_FALSE(m.in_flight());
    CHECK(fake.count() == 0);
    // A master that changed is refused too.
    REQUIRE(m.open_on(vm).empty());
    REQUIRE(m.key('r', vm).empty());
    t2.snap.pid = 5000;
    CHECK(m.key('y', vm).find("the master changed meanwhile: pid 4000 is gone") != std::string::npos);
    CHECK(fake.count() == 0);
}

TEST_CASE("action_menu: any other key cancels, at either step") {
    TestSnap t = four();
    ViewModel vm = make(t);
    FakeDeliver fake;
    ActionMenu m(scope(), fake.fn());
    for (int k : {int('z'), int(key::Escape), int('q'), int(' ')}) {
        REQUIRE(m.open_on(vm).empty());
        CHECK(m.key(k, vm).find("nothing sent") != std::string::npos);
        CHECK_FALSE(m.open());
        REQUIRE(m.open_on(vm).empty());
        REQUIRE(m.key('h', vm).empty());
        CHECK(m.key(k, vm) == "cancelled: nothing sent");
        CHECK_FALSE(m.open());
    }
    // Up/Down move the highlight, within the list.
    REQUIRE(m.open_on(vm).empty());
    const int first = m.highlighted();
    CHECK(m.key(key::Down, vm).empty());
    CHECK(m.highlighted() == first + 1);
    for (int i = 0; i < 50; ++i) m.key(key::Up, vm);
    CHECK(m.highlighted() == 0);
    CHECK(m.open());
    m.key('z', vm);
    CHECK(fake.count() == 0);
}

TEST_CASE("action_menu: one action in flight; the next snapshots confirm it") {
    TestSnap t = four();
    ViewModel vm = make(t);
    select(vm, 3);
    FakeDeliver fake;
    fake.hold = true;
    ActionMenu m(scope(), fake.fn());
    REQUIRE(m.open_on(vm).empty());
    m.key('h', vm);
    m.key('y', vm);
    CHECK(m.in_flight());
    CHECK(m.open_on(vm).find("one action at a time: reload-worker is being sent") != std::string::npos);
    CHECK_FALSE(m.open());
    CHECK(m.tick(10.1).empty());  // still sending
    fake.gate.set_value();
    CHECK(wait_tick(m, 10.2).find("sent: ") == 0);
    CHECK(m.in_flight());
    CHECK(m.open_on(vm).find("waiting for a snapshot") != std::string::npos);
    // A snapshot with the old pid: still waiting, the message stays.
    CHECK(m.observe(t.snap, 10.5).find("sent: ") == 0);
    CHECK(m.in_flight());
    TestSnap t2{
        {1, 101, "idle", 10, 1.0, 2, 0},
        {2, 102, "busy", 40, 5.0, 2, 1},
        {3, 203, "idle", 0, 0.0, 2, 0},
        {4, 104, "cheap", 0, 0.0, 2, 0},
    };
    CHECK(m.observe(t2.snap, 11.0) == "worker 3 respawned: pid 103 -> 203");
    CHECK_FALSE(m.in_flight());
    CHECK(fake.count() == 1);
    // Nothing repeats by itself; a new menu can open.
    CHECK(m.observe(t2.snap, 11.5).empty());
    CHECK(m.tick(20.0).empty());
    CHECK(fake.count() == 1);
    vm.set_snapshot(&t2.snap, &t2.rates, tuitest::kNow + 1);
    CHECK(m.open_on(vm).empty());
}

TEST_CASE("action_menu: a failed delivery is one line; no confirmation in time says so") {
    TestSnap t = four();
    ViewModel vm = make(t);
    select(vm, 3);
    FakeDeliver fake;
    fake.result = Status::fail("127.0.0.1:9191: reload-worker: worker 3, pid 103: permission denied (EPERM: another user's process?)");
    ActionMenu m(scope(), fake.fn());
    CHECK(send(m, vm, 'h', 10.1) == fake.result.message());
    CHECK_FALSE(m.in_flight());
    fake.result = Status::ok();
    CHECK(send(m, vm, 'c', 10.1).find("sent: 'c' to the master FIFO") == 0);
    TestSnap half = four();
    half.snap.workers[0].pid = 201;  // one of three running workers replaced
    CHECK(m.observe(half.snap, 11.0) == "chain-reload: 1 of 3 workers replaced");
    CHECK(m.in_flight());
    const std::string late = m.tick(15.2);  // wait is 5 s
    CHECK(late.find("chain-reload: sent, but no snapshot within 5") == 0);
    CHECK(late.find("(chain-reload: 1 of 3 workers replaced)") != std::string::npos);
    CHECK_FALSE(m.in_flight());
}

TEST_CASE("action_menu: a stale or paused snapshot makes every entry unavailable at once; the age goes to the delivery") {
    TestSnap t = four();
    ViewModel vm = make(t);  // fetched at 10.0
    FakeDeliver fake;
    ActionMenu m(scope(), fake.fn());
    vm.set_clock(14.25);     // e.g. paused for 4 s
    REQUIRE(m.open_on(vm).empty());
    for (const MenuEntry& e : m.entries()) {
        CHECK_FALSE(e.available);
        CHECK(e.text == "the snapshot is 4.2s old (paused or stale; actions need one younger than 2.0s)");
    }
    CHECK(m.key('h', vm) == "reload-worker: the snapshot is 4.2s old (paused or stale; actions need one younger than "
                            "2.0s); nothing sent");
    CHECK(fake.count() == 0);
    // After + + + (a longer interval) the same age is fresh, and is what the delivery checks again.
    for (int i = 0; i < 3; ++i) vm.handle_key('+');
    REQUIRE(vm.interval() >= 2.5);
    send(m, vm, 'h', 14.3);
    REQUIRE(fake.count() == 1);
    CHECK(fake.aims.back().age_ms == 4250);
    CHECK(fake.aims.back().interval_ms == std::llround(vm.interval() * 1000));
    CHECK(action::check_fresh(fake.aims.back().age_ms, fake.aims.back().interval_ms));
}

TEST_CASE("action_menu: the age is the shown snapshot's, not a later fetch's that is not on screen") {
    TestSnap t = four();
    ViewModel vm = make(t);
    vm.set_shown_at(10.0);   // the snapshot on screen was fetched at 10.0
    vm.set_fetch_ok(13.9);   // paused: a fetch in flight worked, but is not shown
    vm.set_clock(14.0);
    FakeDeliver fake;
    ActionMenu m(scope(), fake.fn());
    send(m, vm, 'h', 14.05);
    CHECK(fake.count() == 0);
    CHECK(m.entries().front().text.find("the snapshot is 4.0s old") == 0);
    vm.set_shown_at(13.9);   // now that one is on screen
    send(m, vm, 'h', 14.05);
    REQUIRE(fake.count() == 1);
    CHECK(fake.aims.front().age_ms == 100);
}

TEST_CASE("action_menu: --read-only removes the menu; other sources refuse with the reason") {
    TestSnap t = four();
    ViewModel vm = make(t);
    Options ro;
    ro.addresses = {"127.0.0.1:9191"};
    ro.read_only = true;
    ActionMenu m(action_scope(ro));
    CHECK(m.open_on(vm) == "x: --read-only: no actions (x is off)");
    CHECK_FALSE(m.open());
    CHECK(m.key('h', vm).empty());  // a closed menu takes no key
    CHECK_FALSE(m.open());

    auto refusal = [&](const Options& o) {
        ActionMenu r(action_scope(o));
        std::string msg = r.open_on(vm);
        CHECK_FALSE(r.open());
        return msg;
    };
    Options demo;
    demo.demo = true;
    CHECK(refusal(demo).find("demo source is not a live instance") != std::string::npos);
    Options replay;
    replay.replay_path = "rec.jsonl";
    CHECK(refusal(replay).find("rec.jsonl: a replay is not a live instance") != std::string::npos);
    Options remote;
    remote.addresses = {"192.0.2.1:9191"};
    CHECK(refusal(remote).find("not a local address") != std::string::npos);
    Options file;
    file.addresses = {"file:snap.json"};
    CHECK(refusal(file).find("a saved snapshot is not a live instance") != std::string::npos);
    Options fleet;
    fleet.addresses = {"127.0.0.1:9191", "127.0.0.1:9192"};
    CHECK(refusal(fleet).find("one instance") != std::string::npos);
    Options local;
    local.addresses = {"/run/app/stats.sock"};
    CHECK(action_scope(local).refusal.empty());
}

TEST_CASE("action_menu: drawn over the table (goldens), the status line stays") {
    tuitest::utc();
    TestSnap t = four();
    ViewModel vm = make(t);
    select(vm, 3);
    ActionMenu m(scope());
    m.open_on(vm);
    Grid g;
    render(vm, g);
    draw_action_menu(m, vm, g);
    tuitest::check_golden("action-menu-120x30", g);
    const std::string all = g.to_text();
    CHECK(all.find("Actions on worker 3, pid 103, and on the instance (master pid 4000)") != std::string::npos);
    CHECK(all.find("every 1.0s") != std::string::npos);
    m.key('k', vm);
    render(vm, g);
    draw_action_menu(m, vm, g);
    tuitest::check_golden("action-menu-confirm-120x30", g);
    CHECK(g.to_text().find("Send kill-worker? (brutal)") != std::string::npos);
    // A short terminal: the menu covers the summary rather than losing entries.
    vm.set_size(80, 19);
    m.key('z', vm);
    m.open_on(vm);
    render(vm, g);
    draw_action_menu(m, vm, g);
    tuitest::check_golden("action-menu-80x19", g);
    CHECK(g.to_text().find("W  brutal-reload-workers") != std::string::npos);
    // Shorter than the menu: the entries scroll with the highlight, nothing is cut off for good.
    vm.set_size(100, 10);
    m.key('z', vm);
    m.open_on(vm);
    const auto& entries = m.entries();
    const auto line_of = [&](std::size_t i) {
        return std::string("  ") + entries[i].spec->key + "  " + std::string(entries[i].spec->name);
    };
    render(vm, g);
    draw_action_menu(m, vm, g);
    std::string text = g.to_text();
    CHECK_MESSAGE(text.find(line_of(static_cast<std::size_t>(m.highlighted()))) != std::string::npos, text);
    CHECK(text.find(" of " + std::to_string(entries.size()) + " (Up/Down scroll)") != std::string::npos);
    CHECK(text.find(line_of(entries.size() - 1)) == std::string::npos);
    for (std::size_t i = 0; i < entries.size(); ++i) m.key(key::Down, vm);
    render(vm, g);
    draw_action_menu(m, vm, g);
    text = g.to_text();
    CHECK_MESSAGE(text.find(line_of(entries.size() - 1)) != std::string::npos, text);
    CHECK(text.find(line_of(0) + " ") == std::string::npos);
    for (std::size_t i = 0; i < entries.size(); ++i) m.key(key::Up, vm);
    render(vm, g);
    draw_action_menu(m, vm, g);
    CHECK(g.to_text().find(line_of(0)) != std::string::npos);
    // The status line stays below the menu.
    CHECK(g.to_lines().size() == 10);
    // Tiny: still drawn, the highlighted entry shown.
    vm.set_size(100, 4);
    render(vm, g);
    draw_action_menu(m, vm, g);
    CHECK(g.to_text().find(line_of(0)) != std::string::npos);
}

TEST_CASE("action_menu: t tags running workers; a worker action then goes to each in turn") {
    tuitest::utc();
    TestSnap t = four();
    ViewModel vm = make(t);
    FakeDeliver fake;
    ActionMenu m(scope(), fake.fn());
    select(vm, 1);
    CHECK(m.toggle_tag(vm) == "worker 1 tagged (1 tagged; x acts on them one after another)");
    select(vm, 3);
    CHECK(m.toggle_tag(vm).find("worker 3 tagged (2 tagged") == 0);
    select(vm, 4);
    CHECK(m.toggle_tag(vm).find("worker 4 is cheap") != std::string::npos);
    select(vm, 2);
    m.toggle_tag(vm);
    CHECK(m.toggle_tag(vm) == "worker 2 untagged (2 tagged; x acts on them one after another)");
    CHECK(m.tag_count() == 2);
    CHECK(m.tagged(1));
    CHECK(m.tagged(3));
    CHECK_FALSE(m.tagged(2));
    // The marks: '*' in the first cell of the tagged workers' rows.
    Grid g;
    render(vm, g);
    draw_action_menu(m, vm, g);
    tuitest::check_golden("action-tags-120x30", g);
    int marks = 0;
    for (int y = vm.areas().table_top; y < vm.areas().table_top + vm.areas().table_rows; ++y)
        marks += g.at(0, y).len == 1 && g.at(0, y).text[0] == '*';
    CHECK(marks == 2);

    REQUIRE(m.open_on(vm).empty());
    CHECK(m.target().tagged.size() == 2);
    const MenuEntry& hl = m.entries()[static_cast<std::size_t>(m.highlighted())];
    CHECK(hl.spec->name == "reload-worker");
    CHECK(hl.text.find("SIGHUP to the 2 tagged workers, one after another") == 0);
    CHECK(hl.text.find("workers 1 (pid 101) 3 (pid 103)") != std::string::npos);
    m.key('h', vm);
    m.key('y', vm);
    CHECK(wait_tick(m, 10.1).find("sent: SIGHUP to worker 1, pid 101") == 0);
    // Worker 1 respawned: the next step goes to worker 3.
    TestSnap t2 = four();
    t2.snap.workers[0].pid = 201;
    CHECK(m.observe(t2.snap, 10.5) == "worker 1 respawned: pid 101 -> 201 (1 of 2); next: worker 3");
    CHECK(m.in_flight());
    CHECK(m.open_on(vm).find("one action at a time") != std::string::npos);
    CHECK(wait_tick(m, 10.6).find("sent: SIGHUP to worker 3, pid 103") == 0);
    TestSnap t3 = four();
    t3.snap.workers[0].pid = 201;
    t3.snap.workers[2].pid = 203;
    CHECK(m.observe(t3.snap, 11.0) == "worker 3 respawned: pid 103 -> 203 (2 of 2)");
    CHECK_FALSE(m.in_flight());
    REQUIRE(fake.count() == 2);
    CHECK(fake.aims[0].worker_id == 1);
    CHECK(fake.aims[0].pid == 101);
    CHECK(fake.aims[1].worker_id == 3);
    CHECK(fake.aims[1].pid == 103);
    CHECK(m.tag_count() == 2);  // tags stay
}

TEST_CASE("action_menu: a tagged worker respawned by someone else stops the sequence") {
    TestSnap t = four();
    ViewModel vm = make(t);
    FakeDeliver fake;
    ActionMenu m(scope(), fake.fn());
    select(vm, 1);
    m.toggle_tag(vm);
    select(vm, 2);
    m.toggle_tag(vm);
    REQUIRE(m.open_on(vm).empty());
    m.key('k', vm);
    m.key('y', vm);
    wait_tick(m, 10.1);
    TestSnap t2 = four();
    t2.snap.workers[0].pid = 201;  // ours
    t2.snap.workers[1].pid = 202;  // not ours: frozen pid 102 is gone
    const std::string msg = m.observe(t2.snap, 10.5);
    CHECK(msg.find("worker 1 respawned: pid 101 -> 201 (1 of 2); worker 2 was respawned meanwhile: pid 102 is gone; "
                   "stopped after 1 of 2") == 0);
    CHECK_FALSE(m.in_flight());
    CHECK(fake.count() == 1);
    // Tags are refused where actions are.
    Options ro;
    ro.addresses = {"127.0.0.1:9191"};
    ro.read_only = true;
    ActionMenu r(action_scope(ro));
    CHECK(r.toggle_tag(vm) == "t: --read-only: no actions (x is off)");
    CHECK(r.tag_count() == 0);
}
