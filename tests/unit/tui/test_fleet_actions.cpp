// Unit tests for tui/fleet_actions.hpp: x on the fleet table. The frozen
// instance (address + master pid) survives a re-sort of the rows, down and
// stale instances are refused, --read-only removes it, worker actions are
// not offered. The delivery is a stand-in (nothing is signalled).
#include <doctest/doctest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "tui_test_support.hpp"
#include "uwsgitop/tui/fleet_actions.hpp"
#include "uwsgitop/tui/render.hpp"

using namespace uwsgitop;
using namespace uwsgitop::tui;

namespace {

FleetRow row(const std::string& name, int port, int64_t master, std::vector<std::pair<int64_t, int64_t>> workers,
             bool live = true, bool has_data = true) {
    FleetRow r;
    r.name = name;
    r.address = "127.0.0.1:" + std::to_string(port);
    r.kind = live ? FleetState::Ok : has_data ? FleetState::Stale : FleetState::Error;
    r.state = live ? "ok" : "error: refused";
    r.cells.resize(fleet_columns().size());
    r.has_data = has_data;
    r.live = live;
    r.master_kind = has_data;
    r.master = master;
    r.last_ok_mono = 10.0;
    for (const auto& [id, pid] : workers) r.observed.running[id] = pid;
    r.observed.has_workers = !workers.empty();
    return r;
}

struct Recorder {
    std::mutex mu;
    std::vector<action::Aim> aims;
    Deliver fn() {
        return [this](const action::Aim& aim, std::string& sent) {
            const std::lock_guard<std::mutex> lock(mu);
            aims.push_back(aim);
            sent = std::string(aim.spec->name) + " to master " + std::to_string(aim.master);
            return Status::ok();
        };
    }
    std::size_t count() {
        const std::lock_guard<std::mutex> lock(mu);
        return aims.size();
    }
};

// Turns the loop's crank until the delivery returned (or 5 s).
void settle(FleetActions& fa, FleetViewModel& vm, Recorder& rec, std::size_t n) {
    for (int i = 0; i < 500 && rec.count() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    for (int i = 0; i < 500 && fa.in_flight() && std::string(vm.notice()).find("sent:") == std::string::npos; ++i) {
        fa.tick(vm);
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

std::vector<FleetRow> fleet3(int64_t b_pid1 = 601, int64_t b_pid2 = 602, double b_mono = 10.0) {
    std::vector<FleetRow> rows{row("a", 9101, 500, {{1, 501}, {2, 502}}),
                               row("b", 9102, 600, {{1, b_pid1}, {2, b_pid2}}),
                               row("down", 9103, 0, {}, false, false)};
    rows[1].fifo = "/run/b.fifo";
    rows[1].last_ok_mono = b_mono;
    return rows;
}

void feed(FleetViewModel& vm, std::vector<FleetRow> rows) { vm.set_rows(rows); }

char letter(std::string_view name) { return action::find_action(name)->key; }

// x on a table of 120x30 at 10.5 s, the delivery recorded.
struct Table {
    Options o = tuitest::default_options();
    Recorder rec;
    FleetActions fa{o, rec.fn()};
    FleetViewModel vm{1.0};
    Table() {
        vm.set_size(120, 30);
        vm.set_clock(10.5);
    }
    // x c y on the selected row, until the `nth` delivery returned.
    void chain_reload(std::size_t nth) {
        fa.open_on(vm);
        fa.key(letter("chain-reload"), vm);
        fa.key('y', vm);
        settle(fa, vm, rec, nth);
    }
};

}  // namespace

TEST_SUITE("fleet_actions") {

TEST_CASE_FIXTURE(Table, "fleet_actions::x freezes the selected instance; a re-sort does not move it") {
    feed(vm, fleet3());
    vm.handle_key(key::Down);
    REQUIRE(vm.selected_name() == "b");
    fa.open_on(vm);
    REQUIRE(fa.open());
    CHECK(fa.menu()->target().instance == "b");
    CHECK(fa.menu()->target().master == 600);
    CHECK(fa.menu()->target().fifo == "/run/b.fifo");  // the row's fifo=PATH
    for (const MenuEntry& e : fa.menu()->entries()) CHECK(e.spec->target == action::Target::Instance);
    // The highlighted entry is graceful.
    CHECK(fa.menu()->entries()[static_cast<std::size_t>(fa.menu()->highlighted())].spec->graceful);
    // The menu is drawn over the table, naming the instance.
    Grid grid;
    render_fleet(vm, grid);
    fa.draw(vm, grid);
    CHECK(grid.to_text().find("Actions on instance b (master pid 600)") != std::string::npos);

    // A new round in another order: "b" is now last, another row is at the selection.
    std::vector<FleetRow> rows = fleet3();
    std::swap(rows[0], rows[1]);
    std::swap(rows[1], rows[2]);
    feed(vm, rows);
    fa.key(letter("chain-reload"), vm);
    REQUIRE(fa.menu()->stage() == ActionMenu::Stage::Confirming);
    fa.key('y', vm);
    settle(fa, vm, rec, 1);
    REQUIRE(rec.count() == 1);
    CHECK(rec.aims[0].spec->name == "chain-reload");
    CHECK(rec.aims[0].master == 600);
    CHECK(rec.aims[0].address.text == "127.0.0.1:9102");
    CHECK(rec.aims[0].fifo == "/run/b.fifo");
    CHECK(fa.in_flight());
    // One in flight: x refuses.
    fa.open_on(vm);
    CHECK_FALSE(fa.open());
    CHECK(std::string(vm.notice()).find("one action at a time") != std::string::npos);
    // The next snapshots of b show its workers replaced: confirmed.
    vm.set_clock(11.5);
    feed(vm, fleet3(701, 702, 11.0));
    fa.rows(vm);
    CHECK_FALSE(fa.in_flight());
    CHECK_MESSAGE(std::string(vm.notice()).find("chain") != std::string::npos, vm.notice());
}

TEST_CASE_FIXTURE(Table, "fleet_actions::a left drill-down's action stays the one in flight until the rows end it") {
    const std::vector<FleetRow> rows = fleet3();
    feed(vm, rows);
    // A drill-down into b sent a chain-reload (its menu, as the drill-down has it).
    Options drill_o = o;
    drill_o.master_fifo = "/run/b.fifo";
    auto drill = std::make_unique<ActionMenu>(action_scope(drill_o, "127.0.0.1:9102"), rec.fn());
    InstanceNow n;
    n.name = "b";
    n.has_data = n.live = n.master_kind = true;
    n.master = 600;
    n.age_s = 0.5;
    n.interval = 1.0;
    n.observed = &rows[1].observed;
    drill->open_on_instance(n);
    drill->key(letter("chain-reload"), n);
    drill->key('y', n);
    for (int i = 0; i < 500 && rec.count() < 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    REQUIRE(rec.count() == 1);
    REQUIRE(drill->in_flight());
    CHECK(fa.busy().empty());

    // The drill-down is left with it in flight: kept, and every other x waits.
    fa.keep("127.0.0.1:9102", std::move(drill), vm);
    CHECK(fa.in_flight());
    CHECK(fa.busy().find("127.0.0.1:9102") != std::string::npos);
    vm.handle_key(key::Home);
    fa.open_on(vm);  // x on the table (row a)
    CHECK_FALSE(fa.open());
    CHECK_MESSAGE(std::string(vm.notice()).find("one action at a time") != std::string::npos, vm.notice());
    // Another instance's drill-down does not get it; b's own does, still flying.
    CHECK(fa.resume("127.0.0.1:9101") == nullptr);
    CHECK(fa.in_flight());
    std::unique_ptr<ActionMenu> back = fa.resume("127.0.0.1:9102");
    REQUIRE(back != nullptr);
    CHECK(back->in_flight());
    CHECK_FALSE(fa.in_flight());
    fa.keep("127.0.0.1:9102", std::move(back), vm);  // left again
    REQUIRE(fa.in_flight());

    // The same rows again are no news; b's next round shows the workers replaced.
    fa.rows(vm);
    CHECK(fa.in_flight());
    vm.set_clock(11.5);
    feed(vm, fleet3(701, 702, 11.0));
    fa.rows(vm);
    CHECK_FALSE(fa.in_flight());
    CHECK(fa.busy().empty());
    CHECK_MESSAGE(std::string(vm.notice()).find("chain") != std::string::npos, vm.notice());
    CHECK(rec.count() == 1);  // nothing was sent again
    // x on the table works again.
    fa.open_on(vm);
    CHECK(fa.open());
}

TEST_CASE_FIXTURE(Table, "fleet_actions::rows read late (after a drill-down) confirm by when they were fetched") {
    feed(vm, fleet3());
    vm.handle_key(key::Down);
    chain_reload(1);
    REQUIRE(fa.in_flight());
    // 30 s later (the wait is 10 s) the rows come in: b's were fetched at 12.0, replaced.
    vm.set_clock(40.0);
    feed(vm, fleet3(701, 702, 12.0));
    fa.rows(vm);
    CHECK_FALSE(fa.in_flight());
    CHECK_MESSAGE(std::string(vm.notice()).find("2 of 2 workers replaced") != std::string::npos, vm.notice());
    // A late row that shows nothing new ends it by the wait (the action is
    // taken on a fresh row: an old one makes every entry unavailable).
    feed(vm, fleet3(701, 702, 40.0));
    chain_reload(2);
    REQUIRE(fa.in_flight());
    vm.set_clock(70.0);
    feed(vm, fleet3(701, 702, 45.0));
    fa.rows(vm);
    CHECK_FALSE(fa.in_flight());
    CHECK_MESSAGE(std::string(vm.notice()).find("no snapshot within") != std::string::npos, vm.notice());
}

TEST_CASE_FIXTURE(Table, "fleet_actions::a stale row makes every entry unavailable when the menu opens") {
    feed(vm, fleet3(601, 602, 10.0));
    vm.handle_key(key::Down);
    vm.set_clock(16.0);  // b's row is 6 s old, the interval 1 s
    fa.open_on(vm);
    REQUIRE(fa.open());
    for (const MenuEntry& e : fa.menu()->entries()) {
        CHECK_FALSE(e.available);
        CHECK(e.text.find("the snapshot is 6.0s old (paused or stale") == 0);
    }
    fa.key(letter("chain-reload"), vm);
    CHECK_FALSE(fa.open());
    CHECK(rec.count() == 0);
}

TEST_CASE_FIXTURE(Table, "fleet_actions::a row fetched before the delivery returned is no news") {
    feed(vm, fleet3());
    vm.handle_key(key::Down);
    chain_reload(1);  // returned, and watched from, 10.5
    REQUIRE(fa.in_flight());
    vm.set_clock(11.5);
    feed(vm, fleet3(701, 702, 10.4));  // other pids, but fetched at 10.4
    fa.rows(vm);
    CHECK(fa.in_flight());
    feed(vm, fleet3(701, 702, 11.2));
    fa.rows(vm);
    CHECK_FALSE(fa.in_flight());
    CHECK_MESSAGE(std::string(vm.notice()).find("2 of 2 workers replaced") != std::string::npos, vm.notice());
}

TEST_CASE("fleet_actions::n cancels, nothing sent") {
    Recorder rec;
    FleetActions fa(tuitest::default_options(), rec.fn());
    FleetViewModel vm(1.0);
    vm.set_clock(10.5);
    feed(vm, fleet3());
    fa.open_on(vm);
    REQUIRE(fa.open());
    fa.key(letter("reload"), vm);
    fa.key('n', vm);
    CHECK_FALSE(fa.open());
    CHECK(std::string(vm.notice()).find("nothing sent") != std::string::npos);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(rec.count() == 0);
}

TEST_CASE("fleet_actions::down, stale, remote and --read-only are refused") {
    Recorder rec;
    FleetViewModel vm(1.0);
    vm.set_clock(10.5);
    std::vector<FleetRow> rows = fleet3();
    rows.push_back(row("stale", 9104, 800, {{1, 801}}, false, true));
    rows.push_back(row("far", 9105, 900, {{1, 901}}));
    rows.back().address = "192.0.2.7:9105";
    feed(vm, rows);
    FleetActions fa(tuitest::default_options(), rec.fn());
    vm.handle_key(key::Down);
    vm.handle_key(key::Down);
    REQUIRE(vm.selected_name() == "down");
    fa.open_on(vm);
    CHECK_FALSE(fa.open());
    CHECK(std::string(vm.notice()).find("down is down") != std::string::npos);
    vm.handle_key(key::Down);
    REQUIRE(vm.selected_name() == "stale");
    fa.open_on(vm);
    CHECK_FALSE(fa.open());
    CHECK(std::string(vm.notice()).find("stale is stale") != std::string::npos);
    vm.handle_key(key::Down);
    REQUIRE(vm.selected_name() == "far");
    fa.open_on(vm);
    CHECK_FALSE(fa.open());
    CHECK(std::string(vm.notice()).find("x: ") != std::string::npos);

    // The instance goes stale between x and y: refused at y.
    vm.handle_key(key::Home);
    fa.open_on(vm);
    REQUIRE(fa.open());
    rows = fleet3();
    rows[0].live = false;
    feed(vm, rows);
    fa.key(letter("reload"), vm);
    fa.key('y', vm);
    CHECK(std::string(vm.notice()).find("stale") != std::string::npos);
    CHECK_FALSE(fa.in_flight());

    Options ro = tuitest::default_options();
    ro.read_only = true;
    FleetActions off(ro, rec.fn());
    off.open_on(vm);
    CHECK_FALSE(off.open());
    CHECK(std::string(vm.notice()).find("--read-only") != std::string::npos);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(rec.count() == 0);
}

}  // TEST_SUITE
