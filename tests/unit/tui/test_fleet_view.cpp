// Unit tests for the fleet screen: fleet_view.hpp (rows, view-model, render),
// fleet_poller.hpp, vassal_discovery.hpp, and the history on the worker screen.
#include <doctest/doctest.h>

#include "../fake_stats_server.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <limits>
#include <string>

#include "tui_test_support.hpp"
#include "uwsgitop/tui/fleet_poller.hpp"
#include "uwsgitop/tui/fleet_view.hpp"
#include "uwsgitop/fleet/vassal_discovery.hpp"
#include "uwsgitop/tui/render.hpp"

using namespace uwsgitop;
using namespace uwsgitop::tui;

namespace {

const std::string kFixtures = UWSGITOP_TEST_FIXTURES;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::size_t col(std::string_view name) {
    const auto cols = fleet_columns();
    for (std::size_t i = 0; i < cols.size(); ++i) {
        if (cols[i].name == name) return i;
    }
    FAIL("no fleet column " << name);
    return 0;
}

// A hand-made row: `requests` and `rps` set, every other cell unknown.
FleetRow row(const std::string& name, FleetState kind, double requests, double rps) {
    FleetRow r;
    r.name = name;
    r.address = "127.0.0.1:" + std::to_string(9000 + name.size());
    r.kind = kind;
    r.state = kind == FleetState::Ok ? "ok" : kind == FleetState::Stale ? "stale 3s: timed out" : "error: refused";
    r.cells.resize(fleet_columns().size());
    // (assigning from a std::string: gcc 12 at -O3 warns falsely (-Wrestrict)
    // on assigning this short literal inside the loop)
    const std::string dash("-");
    for (FleetCell& c : r.cells) c.text = dash;
    auto set_text = [&](std::string_view column, const std::string& text) {
        FleetCell& c = r.cells[col(column)];
        c.text = text;
        c.known = true;
    };
    set_text("name", r.name);
    set_text("address", r.address);
    set_text("state", r.state);
    auto set_num = [&](std::string_view column, double v) {
        if (std::isnan(v)) return;
        FleetCell& c = r.cells[col(column)];
        c.text = std::to_string(static_cast<long long>(v));
        c.known = c.numeric = true;
        c.number = v;
    };
    set_num("requests", requests);
    set_num("rps", rps);
    r.rps = kind == FleetState::Ok ? rps : kNaN;
    r.busy = kind == FleetState::Ok ? 1 : kNaN;
    r.listen_queue = kNaN;
    return r;
}

std::vector<FleetRow> three(double web_rps = 5) {
    return {row("web", FleetState::Ok, 100, web_rps), row("api", FleetState::Ok, 300, 2),
            row("dead", FleetState::Error, kNaN, kNaN)};
}

void feed(FleetViewModel& vm, std::vector<FleetRow> rows) { vm.set_rows(rows); }

void type(FleetViewModel& vm, std::string_view keys) {
    for (char c : keys) vm.handle_key(static_cast<unsigned char>(c));
}

}  // namespace

TEST_SUITE("fleet_view") {

TEST_CASE("fleet_view::make_fleet_rows from polled instances") {
    std::vector<std::unique_ptr<Instance>> fleet;
    FetchLimits limits;
    limits.timeout_seconds = 1;
    REQUIRE(make_fleet({{"pre", "file:" + kFixtures + "/prefork-1.json"},
                        {"gone", "file:" + kFixtures + "/does-not-exist.json"}},
                       limits, fleet).is_ok());
    poll_fleet(fleet, 2);
    std::vector<FleetRow> rows;
    make_fleet_rows(fleet, monotonic_seconds(), rows);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].name == "pre");
    CHECK(rows[0].kind == FleetState::Ok);
    CHECK(rows[0].state == "ok");
    CHECK(rows[0].cells[col("workers")].known);
    CHECK(rows[0].cells[col("workers")].number == doctest::Approx(4));
    CHECK(rows[0].busy == doctest::Approx(rows[0].cells[col("busy")].number));
    CHECK(rows[1].kind == FleetState::Error);
    CHECK(rows[1].state.rfind("error: ", 0) == 0);
    CHECK_FALSE(rows[1].cells[col("workers")].known);
    CHECK(rows[1].cells[col("workers")].text == "-");
    CHECK(std::isnan(rows[1].rps));
}

TEST_CASE("fleet_view::sorting keys and selection by name") {
    FleetViewModel vm(1.0);
    vm.set_size(100, 20);
    feed(vm, three());
    REQUIRE(vm.visible().size() == 3);
    CHECK(vm.selected_name() == "web");  // targets' order until a sort key
    vm.handle_key('R');                  // requests: descending first
    CHECK(vm.rows()[vm.visible()[0]].name == "api");
    CHECK(vm.rows()[vm.visible()[1]].name == "web");
    CHECK(vm.rows()[vm.visible()[2]].name == "dead");  // unknown last
    CHECK(vm.selected_name() == "web");  // selection followed the name
    vm.handle_key('R');                  // again: ascending, unknown still last
    CHECK(vm.rows()[vm.visible()[0]].name == "web");
    CHECK(vm.rows()[vm.visible()[2]].name == "dead");
    vm.handle_key('r');
    CHECK(vm.rows()[vm.visible()[0]].name == "api");
    SUBCASE("selection survives a refresh that reorders rows") {
        vm.handle_key('S');              // rps descending: web(5) api(2)
        vm.handle_key(key::Down);
        CHECK(vm.selected_name() == "api");
        feed(vm, three(1));              // web drops to 1 rps: api moves up
        CHECK(vm.rows()[vm.visible()[0]].name == "api");
        CHECK(vm.selected_name() == "api");
        CHECK(vm.selected() == 0);
    }
    SUBCASE("< and > step through the columns") {
        const std::size_t before = vm.sort_column();
        vm.handle_key('>');
        CHECK(vm.sort_column() == (before + 1) % fleet_columns().size());
        vm.handle_key('<');
        CHECK(vm.sort_column() == before);
    }
}

TEST_CASE("fleet_view::filter, open and quit") {
    FleetViewModel vm(1.0);
    vm.set_size(100, 20);
    feed(vm, three());
    type(vm, "/err");
    CHECK(vm.filter_editing());
    REQUIRE(vm.visible().size() == 1);   // matches the state text
    CHECK(vm.selected_name() == "dead");
    vm.handle_key(key::Enter);
    CHECK_FALSE(vm.filter_editing());
    CHECK(vm.take_open_request().empty());  // Enter closed the editor only
    vm.handle_key(key::Enter);
    CHECK(vm.take_open_request() == "dead");
    CHECK(vm.take_open_request().empty());
    feed(vm, three());                   // the filter stays across rounds
    CHECK(vm.visible().size() == 1);
    vm.handle_key(key::Escape);          // clears the filter
    CHECK(vm.visible().size() == 3);
    CHECK(vm.selected_name() == "dead");
    type(vm, "/zzz");
    CHECK(vm.visible().empty());
    CHECK(vm.selected_name().empty());
    vm.handle_key(key::Escape);
    CHECK(vm.visible().size() == 3);
    type(vm, "/!err");                   // all but the one in error
    CHECK(vm.visible().size() == 2);
    vm.handle_key(key::Escape);
    type(vm, "/dead|zzz");
    CHECK(vm.visible().size() == 1);
    vm.handle_key(key::Escape);
    CHECK_FALSE(vm.quit_requested());
    vm.handle_key('q');
    CHECK(vm.quit_requested());
}

TEST_CASE("fleet_view::history keeps gaps for failed polls") {
    FleetViewModel vm(1.0);
    feed(vm, three(4));
    feed(vm, three(8));
    const InstanceHistory* web = vm.history("web");
    const InstanceHistory* dead = vm.history("dead");
    REQUIRE(web);
    REQUIRE(dead);
    CHECK(web->rps.size() == 2);
    CHECK(web->rps.newest() == doctest::Approx(8));
    CHECK(dead->rps.size() == 2);
    CHECK(std::isnan(dead->rps.newest()));
    CHECK(vm.history("nobody") == nullptr);
}

TEST_CASE("fleet_view::rows handed over between rounds replace the rows, not the history") {
    FleetViewModel vm(1.0);
    feed(vm, three(4));
    auto late = three(8);   // e.g. a hung member timed out after the round's hand-over
    vm.set_rows(late, false);
    CHECK(vm.rounds() == 1);
    CHECK(vm.history("web")->rps.size() == 1);
    CHECK(vm.history("web")->rps.newest() == doctest::Approx(4));
    feed(vm, three(8));
    CHECK(vm.rounds() == 2);
    CHECK(vm.history("web")->rps.size() == 2);
}

TEST_CASE("fleet_view::render_fleet") {
    FleetViewModel vm(1.0);
    vm.set_size(120, 10);
    Grid g;
    SUBCASE("before the first round") {
        render_fleet(vm, g);
        CHECK(g.to_lines()[0].find("waiting for the first poll") != std::string::npos);
    }
    SUBCASE("golden, state colours and sparklines") {
        for (double r : {1.0, 2.0, 4.0, 8.0}) feed(vm, three(r));
        vm.handle_key('S');
        render_fleet(vm, g);
        tuitest::check_golden("fleet-120x10", g);
        const auto lines = g.to_lines();
        CHECK(lines[0].find("3 instances: 2 ok, 0 stale, 1 error") != std::string::npos);
        int dead_y = -1;
        for (int y = 0; y < g.height(); ++y) {
            if (lines[static_cast<std::size_t>(y)].rfind("dead", 0) == 0) dead_y = y;
        }
        REQUIRE(dead_y > 0);
        CHECK(g.at(0, dead_y).style == Style::Error);
        CHECK(tuitest::grid_is_clean(g));
    }
    SUBCASE("ascii sparklines") {
        vm.set_ascii(true);
        for (double r : {1.0, 2.0, 4.0, 8.0}) feed(vm, three(r));
        render_fleet(vm, g);
        for (const std::string& l : g.to_lines()) {
            for (unsigned char c : l) CHECK(c < 0x80);
        }
    }
    SUBCASE("long names that differ only at the end stay apart") {
        feed(vm, {row("file:/var/lib/uwsgi/captures/prefork-1.json", FleetState::Ok, 1, 1),
                  row("file:/var/lib/uwsgi/captures/prefork-2.json", FleetState::Ok, 2, 2)});
        render_fleet(vm, g);
        int shown = 0;
        for (const std::string& l : g.to_lines()) {
            if (l.find("\u2026") == std::string::npos) continue;
            ++shown;
            CHECK((l.find("prefork-1.json") != std::string::npos || l.find("prefork-2.json") != std::string::npos));
        }
        CHECK(shown == 2);
        CHECK(tuitest::grid_is_clean(g));
    }
    SUBCASE("a sideways scroll gives way when the screen widens") {
        for (double r : {1.0, 2.0, 4.0, 8.0}) feed(vm, three(r));
        ScreenHits hits;
        auto header = [&] {  // as the fleet loop: render, then hand the limit back
            render_fleet(vm, g, &hits);
            vm.fit_hscroll(hits.hscroll_limit);
            for (const std::string& l : g.to_lines()) {
                if (l.rfind("NAME", 0) == 0) return l;
            }
            return std::string();
        };
        vm.set_size(60, 10);
        const std::string first = header();
        for (int i = 0; i < 30; ++i) {
            vm.handle_key(key::Right);
            header();
        }
        CHECK(vm.hscroll() > 0);
        CHECK(vm.hscroll() == hits.hscroll_limit);  // Right stopped once the last column showed
        vm.set_size(240, 10);
        header();
        CHECK(vm.hscroll() == 0);  // everything fits: nothing stays scrolled off
        vm.handle_key(key::Right);
        header();
        CHECK(vm.hscroll() == 0);
        CHECK_FALSE(first.empty());
    }
    SUBCASE("small terminal") {
        vm.set_size(20, 5);
        feed(vm, three());
        render_fleet(vm, g);
        CHECK(g.width() == 20);
        CHECK(tuitest::grid_is_clean(g));
    }
}

}  // TEST_SUITE

TEST_SUITE("fleet_view") {

TEST_CASE("fleet_view::single-instance history: header sparklines and the RPS~ column") {
    tuitest::utc();
    using tuitest::TestSnap;
    TestSnap a({{1, 101, "idle", 10, 1.0}, {2, 102, "busy", 40, 4.0}});
    TestSnap b({{1, 101, "idle", 12, 2.0}, {2, 102, "busy", 44, 8.0}});
    ViewModel vm(tuitest::default_options(), "127.0.0.1:9191");
    vm.set_size(120, 16);
    vm.set_snapshot(&a.snap, &a.rates, tuitest::kNow);
    vm.set_fetch_error("timed out", 1.0);   // a failed fetch is a gap
    vm.set_snapshot(&b.snap, &b.rates, tuitest::kNow + 2);
    REQUIRE(vm.history().rps.size() == 3);
    CHECK(vm.history().rps.at(0) == doctest::Approx(5.0));
    CHECK(std::isnan(vm.history().rps.at(1)));
    CHECK(vm.history().rps.newest() == doctest::Approx(10.0));
    CHECK(vm.history().busy.newest() == doctest::Approx(1.0));
    const Series* w2 = vm.worker_history().rps(2);
    REQUIRE(w2);
    CHECK(w2->newest() == doctest::Approx(8.0));

    Grid g;
    render(vm, g);
    const auto lines = g.to_lines();
    const std::string& tabs = lines[static_cast<std::size_t>(vm.areas().tabs_row)];
    CHECK(tabs.find("rps ") != std::string::npos);
    CHECK(tabs.find("busy ") != std::string::npos);
    CHECK(tabs.find("lq ") != std::string::npos);
    const std::string& header = lines[static_cast<std::size_t>(vm.areas().header_row)];
    CHECK(header.find("RPS~") == std::string::npos);
    CHECK_FALSE(vm.worker_spark());
    vm.handle_key('w');
    CHECK(vm.worker_spark());
    render(vm, g);
    CHECK(g.to_lines()[static_cast<std::size_t>(vm.areas().header_row)].find("RPS~") != std::string::npos);
    CHECK(tuitest::grid_is_clean(g));
    SUBCASE("narrow terminal: no room, no sparklines") {
        vm.set_size(40, 10);
        render(vm, g);
        CHECK(g.to_lines()[static_cast<std::size_t>(vm.areas().tabs_row)].find("rps ") == std::string::npos);
    }
    SUBCASE("ascii") {
        vm.set_ascii(true);
        render(vm, g);
        for (const std::string& l : g.to_lines()) {
            for (unsigned char c : l) CHECK(c < 0x80);
        }
    }
    vm.handle_key('w');
    CHECK_FALSE(vm.worker_spark());
}

}  // TEST_SUITE

namespace {

std::string make_temp_dir() {
    char tmpl[] = "/tmp/uwsgitop-fleet-view-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    return tmpl;
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

// Polls take() until `pred` holds for a round (bounded: 15 s).
template <class Pred>
bool wait_rows(FleetPoller& p, std::vector<FleetRow>& rows, Pred pred) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
        if (p.take(rows) && pred(rows)) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

}  // namespace

TEST_SUITE("fleet_view") {

TEST_CASE("fleet_view::stats_address_from_ini") {
    std::string a;
    CHECK(stats_address_from_ini("[uwsgi]\nhttp = :8080\nstats = 127.0.0.1:9191\n", a));
    CHECK(a == "127.0.0.1:9191");
    CHECK(stats_address_from_ini("[uwsgi]\r\n  stats-server = \"/run/app.sock\"\r\n", a));
    CHECK(a == "/run/app.sock");
    CHECK(stats_address_from_ini("[other]\nstats = 1.2.3.4:1\n[uwsgi]\nstats_server=@abstract\n", a));
    CHECK(a == "@abstract");
    CHECK_FALSE(stats_address_from_ini("[other]\nstats = 1.2.3.4:1\n", a));
    CHECK_FALSE(stats_address_from_ini("[uwsgi]\n; stats = commented\nstatsd = x\n", a));
    CHECK_FALSE(stats_address_from_ini("[uwsgi]\nstats = 127.0.0.1:%(port)\n", a));
    CHECK_FALSE(stats_address_from_ini("", a));
}

TEST_CASE("fleet_view::vassal_config_path") {
    std::string p;
    CHECK(vassal_config_path("/etc/uwsgi/vassals", "app.ini", p));
    CHECK(p == "/etc/uwsgi/vassals/app.ini");
    CHECK(vassal_config_path("dir:///etc/v/", "a.ini", p));
    CHECK(p == "/etc/v/a.ini");
    CHECK(vassal_config_path("glob:///etc/v/*.ini", "a.ini", p));
    CHECK(p == "/etc/v/a.ini");
    CHECK_FALSE(vassal_config_path("pg://db", "a.ini", p));
    CHECK_FALSE(vassal_config_path("/etc/v", "../x.ini", p));
    CHECK_FALSE(vassal_config_path("/etc/v", "..", p));
    CHECK_FALSE(vassal_config_path("", "a.ini", p));
}

TEST_CASE("fleet_view::stats addresses in the other config formats") {
    std::string a;
    SUBCASE("yaml") {
        CHECK(stats_address_from_yaml("uwsgi:\n  master: true\n  stats: 127.0.0.1:9191  # the stats\n", a));
        CHECK(a == "127.0.0.1:9191");
        CHECK(stats_address_from_yaml("other:\n  stats: 1.2.3.4:1\nuwsgi:\n\tstats_server: '@abstract'\n", a));
        CHECK(a == "@abstract");
        CHECK_FALSE(stats_address_from_yaml("uwsgi:\n  http: :80\nstats: 127.0.0.1:1\n", a));  // not under uwsgi
        CHECK_FALSE(stats_address_from_yaml("# uwsgi:\n#  stats: 127.0.0.1:1\n", a));
        CHECK_FALSE(stats_address_from_yaml("uwsgi:\n  stats: $(PORT)\n", a));
    }
    SUBCASE("json") {
        CHECK(stats_address_from_json(R"({"uwsgi": {"master": true, "stats": "127.0.0.1:9191"}})", a));
        CHECK(a == "127.0.0.1:9191");
        CHECK(stats_address_from_json(R"({"other": {"stats": "x"}, "uwsgi": {"stats-server": "[::1]:7"}})", a));
        CHECK(a == "[::1]:7");
        CHECK_FALSE(stats_address_from_json(R"({"uwsgi": {"stats": 9191}})", a));
        CHECK_FALSE(stats_address_from_json(R"({"uwsgi": ["stats", "127.0.0.1:1"]})", a));
        CHECK_FALSE(stats_address_from_json(R"({"uwsgi": {"stats": "127.0.0.1:1")", a));  // truncated
        CHECK_FALSE(stats_address_from_json("", a));
    }
    SUBCASE("xml") {
        CHECK(stats_address_from_xml("<?xml version=\"1.0\"?>\n<uwsgi>\n  <master/>\n  <stats> 127.0.0.1:9191 </stats>\n</uwsgi>\n", a));
        CHECK(a == "127.0.0.1:9191");
        CHECK(stats_address_from_xml("<uwsgi id=\"x\"><stats_server>/run/a&amp;b.sock</stats_server></uwsgi>", a));
        CHECK(a == "/run/a&b.sock");
        CHECK_FALSE(stats_address_from_xml("<uwsgi-other><stats>127.0.0.1:1</stats></uwsgi-other>", a));
        CHECK_FALSE(stats_address_from_xml("<uwsgi><stats>127.0.0.1:1</uwsgi>", a));   // never closed
        CHECK_FALSE(stats_address_from_xml("<uwsgi><stats>a&bogus;b</stats></uwsgi>", a));
        CHECK_FALSE(stats_address_from_xml("<uwsgi></uwsgi><stats>127.0.0.1:1</stats>", a));  // outside
    }
    CHECK(config_kind("/v/a.ini") == ConfigKind::Ini);
    CHECK(config_kind("/v/a.yml") == ConfigKind::Yaml);
    CHECK(config_kind("/v/a.yaml") == ConfigKind::Yaml);
    CHECK(config_kind("/v/a.json") == ConfigKind::Json);
    CHECK(config_kind("/v/a.js") == ConfigKind::Json);
    CHECK(config_kind("/v/a.xml") == ConfigKind::Xml);
    CHECK(config_kind("/v/a.sh") == ConfigKind::Unknown);
    CHECK(config_kind("/v/noext") == ConfigKind::Unknown);
}

TEST_CASE("fleet_view::discover_vassal reads the vassal's config") {
    const std::string dir = make_temp_dir();
    write_file(dir + "/web.ini", "[uwsgi]\nstats = 127.0.0.1:9191\n");
    write_file(dir + "/nostats.ini", "[uwsgi]\nhttp = :8080\n");
    write_file(dir + "/app.yaml", "uwsgi:\n  stats: 127.0.0.1:1\n");
    write_file(dir + "/run.sh", "stats=127.0.0.1:2\n");
    Snapshot emp;
    emp.kind = SnapshotKind::Emperor;
    for (const char* id : {"web.ini", "nostats.ini", "app.yaml", "missing.ini", "run.sh"}) {
        Vassal v;
        v.id = id;
        v.monitor = dir;
        emp.vassals.push_back(v);
    }
    Target t;
    CHECK(discover_vassal(emp.vassals[0], t).is_ok());
    CHECK(t.name == "web.ini");
    CHECK(t.address == "127.0.0.1:9191");
    const Status none = discover_vassal(emp.vassals[1], t);
    CHECK_FALSE(none.is_ok());
    CHECK(none.message().find("no usable stats address") != std::string::npos);
    CHECK(discover_vassal(emp.vassals[2], t).is_ok());
    CHECK(t.name == "app.yaml");
    CHECK(t.address == "127.0.0.1:1");
    CHECK_FALSE(discover_vassal(emp.vassals[3], t).is_ok());
    const Status kind = discover_vassal(emp.vassals[4], t);
    CHECK_FALSE(kind.is_ok());
    CHECK(kind.message().find("only .ini") != std::string::npos);
    std::vector<Target> all;
    discover_vassals(emp, all);
    REQUIRE(all.size() == 2);
    CHECK(all[0].address == "127.0.0.1:9191");
    CHECK(all[1].address == "127.0.0.1:1");
    for (const char* f : {"/web.ini", "/nostats.ini", "/app.yaml", "/run.sh"}) std::remove((dir + f).c_str());
    rmdir(dir.c_str());
}

TEST_CASE("fleet_view::a skipped vassal file is one line, a vassal without stats none") {
    const std::string dir = make_temp_dir();
    write_file(dir + "/web.ini", "[uwsgi]\nstats = 127.0.0.1:9191\n");
    write_file(dir + "/nostats.ini", "[uwsgi]\nhttp = :8080\n");
    write_file(dir + "/big.ini", "[uwsgi]\n" + std::string(kMaxConfigBytes, '#') + "\nstats = 127.0.0.1:1\n");
    REQUIRE(mkdir((dir + "/dir.ini").c_str(), 0700) == 0);
    REQUIRE(symlink((dir + "/loop.ini").c_str(), (dir + "/loop.ini").c_str()) == 0);
    Snapshot emp;
    emp.kind = SnapshotKind::Emperor;
    for (const char* id : {"web.ini", "nostats.ini", "big.ini", "dir.ini", "loop.ini"}) {
        Vassal v;
        v.id = id;
        v.monitor = dir;
        emp.vassals.push_back(v);
    }
    std::vector<Target> all;
    std::vector<std::string> lines;
    discover_vassals(emp, all, &lines);
    REQUIRE(all.size() == 1);
    CHECK(all[0].name == "web.ini");
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == "vassal big.ini: " + dir + "/big.ini: larger than 1 MiB; skipped");
    CHECK(lines[1] == "vassal dir.ini: " + dir + "/dir.ini: is a directory; skipped");
    CHECK(lines[2].find("vassal loop.ini: " + dir + "/loop.ini: cannot open (") == 0);
    CHECK(lines[2].find("symbolic links") != std::string::npos);
    bool worth = true;
    Target t;
    CHECK_FALSE(discover_vassal(emp.vassals[1], t, &worth).is_ok());
    CHECK_FALSE(worth);   // no stats option: most vassals have none, nothing to say
    for (const char* f : {"/web.ini", "/nostats.ini", "/big.ini", "/loop.ini"}) std::remove((dir + f).c_str());
    rmdir((dir + "/dir.ini").c_str());
    rmdir(dir.c_str());
}

TEST_CASE("fleet_view::a vassal's stats address is only what uWSGI's --stats can bind here") {
    std::string a;
    CHECK(vassal_stats_address("127.0.0.1:9191", "/etc/uwsgi/vassals", a).is_ok());
    CHECK(a == "127.0.0.1:9191");
    CHECK(vassal_stats_address("127.3.4.5:9191", "/v", a).is_ok());
    CHECK(vassal_stats_address("[::1]:9191", "/v", a).is_ok());
    CHECK(vassal_stats_address("localhost:9191", "/v", a).is_ok());
    CHECK(vassal_stats_address(":9191", "/v", a).is_ok());
    CHECK(a == "127.0.0.1:9191");  // the wildcard, reached through loopback
    CHECK(vassal_stats_address("0.0.0.0:9191", "/v", a).is_ok());
    CHECK(a == "127.0.0.1:9191");
    CHECK(vassal_stats_address("[::]:9191", "/v", a).is_ok());
    CHECK(a == "[::1]:9191");
    CHECK(vassal_stats_address("run/stats.sock", "/etc/uwsgi/vassals", a).is_ok());
    CHECK(a == "/etc/uwsgi/vassals/run/stats.sock");  // the vassal's, where the Emperor starts it
    CHECK(vassal_stats_address("/run/app/stats.sock", "/v", a).is_ok());
    CHECK(a == "/run/app/stats.sock");
    CHECK(vassal_stats_address("@app-stats", "/v", a).is_ok());
    CHECK(a == "@app-stats");
    a = "unchanged";
    CHECK(vassal_stats_address("-", "/v", a).message() == "'-' is standard input, not a socket a vassal can bind; never read");
    CHECK(vassal_stats_address("file:/dev/zero", "/v", a).message().find("is a file") != std::string::npos);
    CHECK(vassal_stats_address("file:/etc/shadow", "/v", a).message().find("never read") != std::string::npos);
    CHECK(vassal_stats_address("http://127.0.0.1:9191/", "/v", a).message().find("is a URL") != std::string::npos);
    CHECK(vassal_stats_address("https://example.com/", "/v", a).message().find("is a URL") != std::string::npos);
    CHECK(vassal_stats_address("192.0.2.7:9191", "/v", a).message() ==
          "'192.0.2.7:9191' is not an address of this machine; never polled");
    CHECK(vassal_stats_address("stats.example.com:9191", "/v", a).message().find("names a host") != std::string::npos);
    CHECK(a == "unchanged");
}

TEST_CASE("fleet_view::refused vassal addresses are said, never polled") {
    const std::string dir = make_temp_dir();
    write_file(dir + "/stdin.ini", "[uwsgi]\nstats = -\n");
    write_file(dir + "/zero.ini", "[uwsgi]\nstats = file:/dev/zero\n");
    write_file(dir + "/ok.ini", "[uwsgi]\nstats = 127.0.0.1:9191\n");
    Snapshot emp;
    emp.kind = SnapshotKind::Emperor;
    for (const char* id : {"stdin.ini", "zero.ini", "ok.ini"}) {
        Vassal v;
        v.id = id;
        v.monitor = dir;
        emp.vassals.push_back(v);
    }
    std::vector<Target> all;
    std::vector<std::string> refused;
    discover_vassals(emp, all, &refused);
    REQUIRE(all.size() == 1);
    CHECK(all[0].name == "ok.ini");
    REQUIRE(refused.size() == 2);
    CHECK(refused[0] == "vassal stdin.ini: " + dir + "/stdin.ini: stats '-' is standard input, not a socket a vassal "
                        "can bind; never read");
    CHECK(refused[1].find("vassal zero.ini: ") == 0);
    for (const char* f : {"/stdin.ini", "/zero.ini", "/ok.ini"}) std::remove((dir + f).c_str());
    rmdir(dir.c_str());
}

TEST_CASE("fleet_view::FleetPoller hands rounds over, adds targets, follows vassals") {
    // An Emperor capture whose vassals live in a temp dir; one of them has a
    // stats address (a file: capture, so no server is needed).
    const std::string dir = make_temp_dir();
    std::ifstream in(kFixtures + "/emperor.json", std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string emperor = ss.str();
    REQUIRE(emperor.find("/tmp/pe/vassals") != std::string::npos);
    for (auto pos = emperor.find("/tmp/pe/vassals"); pos != std::string::npos; pos = emperor.find("/tmp/pe/vassals")) {
        emperor.replace(pos, 15, dir);
    }
    write_file(dir + "/emperor.json", emperor);
    // The vassal's stats: a loopback server serving a capture (a file: address is never taken from a vassal).
    std::ifstream cap(kFixtures + "/prefork-1.json", std::ios::binary);
    std::stringstream capture;
    capture << cap.rdbuf();
    using uwsgitop::testing::FakeServer;
    using uwsgitop::testing::Script;
    FakeServer vassal_stats(FakeServer::Kind::Tcp, {Script{uwsgitop::testing::Mode::Plain, capture.str(), 0}});
    write_file(dir + "/app2.ini", "[uwsgi]\nstats = " + vassal_stats.address + "\n");

    std::vector<std::unique_ptr<Instance>> fleet;
    FetchLimits limits;
    limits.timeout_seconds = 2;
    REQUIRE(make_fleet({{"emp", "file:" + dir + "/emperor.json"}}, limits, fleet).is_ok());
    std::vector<FleetRow> rows;
    {
        FleetPoller poller(fleet, 4, limits, true);
        poller.start(0.05);
        auto has = [](const std::vector<FleetRow>& r, const std::string& name) {
            for (const FleetRow& x : r) {
                if (x.name == name) return x.kind == FleetState::Ok;
            }
            return false;
        };
        CHECK(wait_rows(poller, rows, [&](const auto& r) { return has(r, "emp") && has(r, "app2.ini"); }));
        poller.add({"extra", "file:" + kFixtures + "/metrics-1.json"});
        poller.add({"dup", "file:" + kFixtures + "/metrics-1.json"});  // same address: ignored
        CHECK(wait_rows(poller, rows, [&](const auto& r) { return has(r, "extra"); }));
        CHECK(rows.size() == 3);
        // The Emperor stops listing app2.ini (another vassal, with no file,
        // in its place): its row leaves the fleet; the added target stays.
        std::string without = emperor;
        without.replace(without.find("\"app2.ini\""), 10, "\"gone.ini\"");
        write_file(dir + "/emperor.json.new", without);
        REQUIRE(std::rename((dir + "/emperor.json.new").c_str(), (dir + "/emperor.json").c_str()) == 0);
        CHECK(wait_rows(poller, rows, [&](const auto& r) {
            return r.size() == 2 && has(r, "emp") && has(r, "extra");
        }));
        CHECK(poller.stop(10));
    }
    CHECK(fleet.size() == 2);
    for (const char* f : {"/emperor.json", "/app2.ini"}) std::remove((dir + f).c_str());
    rmdir(dir.c_str());
}

}  // TEST_SUITE

TEST_SUITE("fleet_view") {

TEST_CASE("fleet_view::Space pauses, + and - step the interval like the worker screen") {
    FleetViewModel vm(1.0);
    vm.set_size(100, 20);
    feed(vm, three());
    CHECK_FALSE(vm.paused());
    vm.handle_key(' ');
    CHECK(vm.paused());
    Grid g;
    render_fleet(vm, g);
    const std::string status = g.to_lines().back();
    CHECK(status.rfind("PAUSED", 0) == 0);
    CHECK(g.at(0, g.height() - 1).style == Style::Paused);
    vm.handle_key(' ');
    CHECK_FALSE(vm.paused());
    render_fleet(vm, g);
    CHECK(g.to_lines().back().find("PAUSED") == std::string::npos);

    // Every start value, on a step or between steps, gives what the worker
    // screen's + and - give (same steps, same limits).
    const auto steps = interval_steps();
    REQUIRE(steps.size() >= 2);
    std::vector<double> starts(steps.begin(), steps.end());
    for (std::size_t i = 0; i + 1 < steps.size(); ++i) starts.push_back((steps[i] + steps[i + 1]) / 2);
    for (double start : starts) {
        CAPTURE(start);
        for (int key : {'+', '-'}) {
            FleetViewModel fleet(start);
            Options options;
            options.interval = start;
            ViewModel worker(options, "x");
            for (int n = 0; n < static_cast<int>(steps.size()) + 2; ++n) {
                fleet.handle_key(key);
                worker.handle_key(key);
                CHECK(fleet.interval() == worker.interval());
            }
            // Pressed more often than there are steps: at the limit.
            CHECK(fleet.interval() == (key == '+' ? steps.back() : steps.front()));
        }
    }
    FleetViewModel up(steps.front());
    up.handle_key('+');
    CHECK(up.interval() == steps[1]);   // one step at a time
    up.handle_key('-');
    CHECK(up.interval() == steps.front());
}

TEST_CASE("fleet_view::help: generated from the key table, scrolls and clamps") {
    TextLines help;
    build_fleet_help(help);
    std::string all;
    for (std::size_t i = 0; i < help.size(); ++i) all += help[i].text + "\n";
    // Every labelled binding of a fleet action is listed, with its label.
    for (const KeyBinding& b : key_bindings()) {
        if (b.label.empty() || b.action == Action::SortBy) continue;   // the worker table's sort keys
        bool fleet = false;
        for (const FleetKey& k : fleet_keys()) fleet = fleet || k.action == b.action;
        const bool listed = all.find("\n  " + std::string(b.label) + " ") != std::string::npos;
        CAPTURE(b.label);
        CHECK(listed == fleet);
    }
    CHECK(all.find("Space") != std::string::npos);
    for (const FleetSortKey& k : fleet_sort_keys()) {
        std::string needle(1, static_cast<char>(k.key));
        needle += ' ';
        needle += k.column;
        CHECK(all.find(needle) != std::string::npos);
    }

    FleetViewModel vm(1.0);
    vm.set_size(80, 15);
    feed(vm, three());
    vm.handle_key('?');
    REQUIRE(vm.help());
    const int lines = static_cast<int>(help.size());
    const int rows = vm.help_rows();
    REQUIRE(lines > rows);                 // taller than this screen: it scrolls
    const int max_scroll = lines - rows;
    CHECK(vm.help_scroll() == 0);
    vm.handle_key(key::Up);                // clamped at the top
    CHECK(vm.help_scroll() == 0);
    vm.handle_key(key::Down);
    CHECK(vm.help_scroll() == 1);
    vm.handle_key(key::PageDown);
    CHECK(vm.help_scroll() == std::min(max_scroll, 1 + rows));
    vm.handle_key(key::End);
    CHECK(vm.help_scroll() == max_scroll);
    vm.handle_key(key::Down);              // clamped at the bottom
    vm.handle_key(key::PageDown);
    CHECK(vm.help_scroll() == max_scroll);
    CHECK(vm.help());                      // scrolling keeps it open
    Grid g;
    render_fleet(vm, g);
    auto screen = g.to_lines();
    // The last help line sits just above the status line; the title is gone.
    CHECK(screen[static_cast<std::size_t>(vm.help_top() + rows - 1)].rfind(help[help.size() - 1].text, 0) == 0);
    CHECK(g.to_text().find(help[0].text) == std::string::npos);
    CHECK(screen.back().find("scroll") != std::string::npos);
    vm.handle_key(key::PageUp);
    CHECK(vm.help_scroll() == max_scroll - rows);
    vm.handle_key(key::Home);
    CHECK(vm.help_scroll() == 0);
    render_fleet(vm, g);
    screen = g.to_lines();
    CHECK(screen[static_cast<std::size_t>(vm.help_top())].rfind(help[0].text, 0) == 0);

    SUBCASE("a taller screen clamps the scroll") {
        vm.handle_key(key::End);
        vm.set_size(80, 100);
        CHECK(vm.help_scroll() == 0);
        vm.handle_key(key::Down);
        CHECK(vm.help_scroll() == 0);
    }
    SUBCASE("pause and interval work inside the help; q and Esc close it") {
        vm.handle_key(key::End);
        vm.handle_key(' ');
        vm.handle_key('+');
        CHECK(vm.paused());
        CHECK(vm.interval() == step_interval(1.0, 1));
        CHECK(vm.help());
        CHECK(vm.help_scroll() == max_scroll);
        vm.handle_key('q');
        CHECK_FALSE(vm.help());
        CHECK_FALSE(vm.quit_requested());
        vm.handle_key('?');
        CHECK(vm.help_scroll() == 0);      // opens at the top again
        vm.handle_key(key::Escape);
        CHECK_FALSE(vm.help());
    }
    SUBCASE("a sort key closes the help and sorts") {
        vm.handle_key('R');
        CHECK_FALSE(vm.help());
        CHECK(vm.sorted());
    }
    SUBCASE("keys of the worker screen only do nothing here") {
        vm.handle_key('?');                // closes
        vm.handle_key('a');
        vm.handle_key('f');
        CHECK(vm.interval() == 1.0);
        CHECK_FALSE(vm.help());
    }
}

TEST_CASE("fleet_view::the man page's fleet keys match the fleet key tables") {
    std::ifstream in(kFixtures + "/../../man/uwsgitop.1.scd");
    REQUIRE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string man = ss.str();
    const auto start = man.find("## Fleet screen");
    REQUIRE(start != std::string::npos);
    std::string section = man.substr(start, man.find("\n# ", start) - start);
    for (char& c : section) {
        if (c == '\n' || c == '\t') c = ' ';
    }
    for (const FleetSortKey& k : fleet_sort_keys()) {
        CAPTURE(k.column);
        std::string needle(1, ' ');   // (appended: gcc 12 warns falsely (-Wrestrict) on + chains)
        needle += static_cast<char>(k.key);
        needle += ' ';
        needle += k.column;
        CHECK(section.find(needle) != std::string::npos);
    }
    // The fleet's own keys (the ones that differ from the worker screen's).
    for (std::string_view term : {"*Space*", "*+*, *-*", "*Enter*", "*?*, *h*, *F1*", "PAUSED"}) {
        CAPTURE(term);
        CHECK(section.find(term) != std::string::npos);
    }
}

TEST_CASE("fleet_view::FleetPoller: paused polls nothing; resume and a new interval wake it") {
    std::vector<std::unique_ptr<Instance>> fleet;
    FetchLimits limits;
    limits.timeout_seconds = 2;
    REQUIRE(make_fleet({{"pre", "file:" + kFixtures + "/prefork-1.json"}}, limits, fleet).is_ok());
    std::vector<FleetRow> rows;
    auto any = [](const std::vector<FleetRow>& r) { return !r.empty(); };
    {
        FleetPoller poller(fleet, 2, limits, false);
        poller.start(0.05, true);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        CHECK_FALSE(poller.take(rows));
        CHECK(poller.stop(10));
    }
    CHECK(fleet[0]->last_poll_mono == 0);   // never polled while paused
    {
        FleetPoller poller(fleet, 2, limits, false);
        poller.start(0.05, true);
        poller.configure(0.05, false);      // resume: a round at once
        CHECK(wait_rows(poller, rows, any));
        poller.configure(600, false);       // next round in 10 minutes...
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        poller.take(rows);                  // (drop a round that was in flight)
        poller.configure(0.05, false);      // ...until a shorter interval moves the deadline
        CHECK(wait_rows(poller, rows, any));
        CHECK(poller.stop(10));
    }
    CHECK(fleet[0]->last_ok);
}

}  // TEST_SUITE

namespace {

Event fleet_event(const std::string& instance, EventKind kind, double time, int64_t worker) {
    Event e;
    e.instance = instance;
    e.kind = kind;
    e.time = time;
    e.worker = worker;
    e.facts = {{"old_pid", int64_t{100 + worker}}, {"new_pid", int64_t{200 + worker}}, {"respawns", int64_t{2}}};
    return e;
}

std::string fleet_screen_text(const FleetViewModel& vm) {
    Grid g(vm.width(), vm.height());
    render_fleet(vm, g);
    return g.to_text();
}

}  // namespace

TEST_CASE("fleet_view::events: a tab once there is one, a notice, Tab lists them newest first, Enter opens the instance") {
    tuitest::utc();
    FleetViewModel vm(1.0);
    vm.set_size(140, 24);
    std::vector<FleetRow> rows{row("web", FleetState::Ok, 10, 1), row("api", FleetState::Ok, 20, 2)};
    vm.set_rows(rows);
    CHECK(fleet_screen_text(vm).find("2:events") == std::string::npos);
    vm.handle_key('\t');
    CHECK_FALSE(vm.events_view());  // nothing to show yet
    std::vector<Event> fresh{fleet_event("web", EventKind::Respawn, tuitest::kNow, 3)};
    vm.add_events(fresh);
    CHECK(fresh.empty());
    std::string text = fleet_screen_text(vm);
    CHECK(text.find("2:events") != std::string::npos);
    CHECK(std::string(vm.notice()).find("event: web: worker 3 respawned: pid 103 -> 203") != std::string::npos);
    CHECK(text.find("Tab shows events") != std::string::npos);
    fresh = {fleet_event("api", EventKind::Respawn, tuitest::kNow + 1, 1),
             fleet_event("web", EventKind::Harakiri, tuitest::kNow + 2, 2)};
    vm.add_events(fresh);
    CHECK(std::string(vm.notice()).find("(+1 more)") != std::string::npos);
    vm.handle_key('\t');
    REQUIRE(vm.events_view());
    CHECK(vm.notice().empty());
    REQUIRE(vm.event_rows().size() == 3);
    text = fleet_screen_text(vm);
    const auto harakiri = text.find("harakiri"), api = text.find(" api "), first = text.find("pid 103");
    CHECK(harakiri != std::string::npos);
    CHECK(api != std::string::npos);
    CHECK(first != std::string::npos);
    CHECK(harakiri < api);  // newest first
    CHECK(api < first);
    // Sort keys do not reorder events.
    vm.handle_key('N');
    CHECK(vm.events_view());
    CHECK(vm.events().newest(vm.event_rows()[0]).event.kind == EventKind::Harakiri);
    // The selection follows its event as new ones arrive.
    vm.handle_key(key::Down);
    CHECK(vm.event_selected() == 1);
    fresh = {fleet_event("api", EventKind::Down, tuitest::kNow + 3, 0)};
    vm.add_events(fresh);
    CHECK(vm.event_selected() == 2);
    CHECK(vm.events().newest(vm.event_rows()[2]).event.instance == "api");
    CHECK(vm.notice().empty());  // no notice for what the view already shows
    // The filter: by instance, kind or text.
    for (char c : std::string("/web\r")) vm.handle_key(static_cast<unsigned char>(c));
    CHECK(vm.event_rows().size() == 2);
    for (char c : std::string("\x1b/harakiri\r")) vm.handle_key(static_cast<unsigned char>(c));
    REQUIRE(vm.event_rows().size() == 1);
    // Enter opens the event's instance.
    vm.handle_key('\r');
    CHECK(vm.take_open_request() == "web");
    // Esc clears the filter, a second Esc goes back to the instances; 2 and 1 switch too.
    vm.handle_key(key::Escape);
    CHECK(vm.events_view());
    vm.handle_key(key::Escape);
    CHECK_FALSE(vm.events_view());
    vm.handle_key('2');
    CHECK(vm.events_view());
    vm.handle_key('1');
    CHECK_FALSE(vm.events_view());
}

TEST_CASE("fleet_view::events: instance names from servers are escaped") {
    FleetViewModel vm(1.0);
    vm.set_size(120, 20);
    std::vector<Event> fresh{fleet_event("we\x1b[2Jb", EventKind::Respawn, tuitest::kNow, 1)};
    vm.add_events(fresh);
    CHECK(std::string(vm.notice()).find('\x1b') == std::string::npos);
    vm.handle_key('\t');
    Grid g(120, 20);
    render_fleet(vm, g);
    CHECK(tuitest::grid_is_clean(g));
}

TEST_CASE("fleet_view::events: e hides and shows the exceptions lines; the status line says which") {
    FleetViewModel vm(1.0);
    vm.set_size(140, 24);
    Event exc;
    exc.instance = "web";
    exc.kind = EventKind::Exceptions;
    exc.time = tuitest::kNow + 1;
    exc.worker = 2;
    exc.facts = {{"count", int64_t{4}}, {"exceptions", int64_t{9}}};
    std::vector<Event> fresh{fleet_event("web", EventKind::Respawn, tuitest::kNow, 3), exc};
    vm.add_events(fresh);
    vm.handle_key('\t');
    REQUIRE(vm.events_view());
    CHECK(vm.event_rows().size() == 2);
    CHECK(fleet_screen_text(vm).find("e hide exceptions") != std::string::npos);
    vm.handle_key('e');
    CHECK(vm.exceptions_hidden());
    REQUIRE(vm.event_rows().size() == 1);
    CHECK(vm.events().newest(vm.event_rows()[0]).event.kind == EventKind::Respawn);
    const std::string text = fleet_screen_text(vm);
    CHECK(text.find("e show exceptions") != std::string::npos);
    CHECK(text.find("4 new exceptions") == std::string::npos);
    vm.handle_key('e');
    CHECK(vm.event_rows().size() == 2);
}

TEST_CASE("fleet_view::an instance opened from the fleet: breadcrumb, q and Esc go back") {
    tuitest::utc();
    tuitest::TestSnap a({{1, 101, "idle", 10, 1.0}, {2, 102, "busy", 40, 4.0}});
    ViewModel vm(tuitest::default_options(), "127.0.0.1:9191");
    vm.set_size(120, 16);
    Grid g;
    render(vm, g);
    CHECK(g.to_lines()[0].rfind("uwsgitop - 127.0.0.1:9191", 0) == 0);  // not from a fleet: no breadcrumb
    vm.set_fleet_name("web-3");
    CHECK(vm.in_fleet());
    render(vm, g);
    CHECK(g.to_lines()[0].rfind("fleet \u203a web-3 - 127.0.0.1:9191 - waiting", 0) == 0);
    vm.set_snapshot(&a.snap, &a.rates, tuitest::kNow);
    render(vm, g);
    CHECK(g.to_lines()[0].rfind("fleet \u203a web-3 - uwsgi ", 0) == 0);
    CHECK(g.to_lines().back().find("q fleet") != std::string::npos);
    vm.set_ascii(true);
    render(vm, g);
    CHECK(g.to_lines()[0].rfind("fleet > web-3 - uwsgi ", 0) == 0);
    SUBCASE("q: closes the help first, then goes back; never quits") {
        vm.handle_key('?');
        render(vm, g);
        CHECK(g.to_text().find("back to the fleet (Ctrl-C quits)") != std::string::npos);
        vm.handle_key('q');
        CHECK(vm.overlay() == Overlay::None);
        CHECK_FALSE(vm.back_requested());
        vm.handle_key('q');
        CHECK(vm.back_requested());
        CHECK_FALSE(vm.quit_requested());
    }
    SUBCASE("Esc: the details, then the filter, then back") {
        vm.handle_key(key::Enter);
        CHECK(vm.overlay() == Overlay::Detail);
        vm.handle_key(key::Escape);
        CHECK(vm.overlay() == Overlay::None);
        for (char c : std::string("/busy\r")) vm.handle_key(static_cast<unsigned char>(c));
        CHECK(vm.state().filter == "busy");
        vm.handle_key(key::Escape);
        CHECK(vm.state().filter.empty());
        CHECK_FALSE(vm.back_requested());
        vm.handle_key(key::Escape);
        CHECK(vm.back_requested());
        CHECK_FALSE(vm.quit_requested());
    }
    SUBCASE("a server's name is escaped in the breadcrumb") {
        ViewModel evil(tuitest::default_options(), "127.0.0.1:9191");
        evil.set_size(120, 16);
        evil.set_fleet_name("we\x1b[2Jb");
        render(evil, g);
        CHECK(tuitest::grid_is_clean(g));
        CHECK(g.to_lines()[0].find("we\\x1b[2Jb") != std::string::npos);
    }
}

TEST_CASE("fleet_view::an instance opened from an event has the fleet's events of it, that event selected") {
    tuitest::utc();
    FleetViewModel fleet(1.0);
    fleet.set_size(140, 24);
    std::vector<FleetRow> rows{row("web", FleetState::Ok, 10, 1), row("api", FleetState::Ok, 20, 2)};
    fleet.set_rows(rows);
    std::vector<Event> fresh{fleet_event("web", EventKind::Respawn, tuitest::kNow, 3),
                             fleet_event("api", EventKind::Respawn, tuitest::kNow + 1, 1),
                             fleet_event("web", EventKind::Harakiri, tuitest::kNow + 2, 2),
                             fleet_event("web", EventKind::Respawn, tuitest::kNow + 3, 2)};
    fleet.add_events(fresh);
    bool from_event = true;
    fleet.handle_key(key::Enter);        // from the table
    CHECK(fleet.take_open_request(&from_event) == "web");
    CHECK_FALSE(from_event);
    std::vector<Event> seen;
    CHECK(fleet.instance_events("web", seen) == SIZE_MAX);
    CHECK(seen.size() == 3);             // web's only, oldest first
    CHECK(seen.front().kind == EventKind::Respawn);
    CHECK(seen[1].kind == EventKind::Harakiri);
    fleet.handle_key('2');
    fleet.handle_key(key::Down);         // the harakiri (newest first: respawn, harakiri, ...)
    fleet.handle_key(key::Enter);
    CHECK(fleet.take_open_request(&from_event) == "web");
    CHECK(from_event);
    seen.clear();
    const std::size_t opened = fleet.instance_events("web", seen);
    REQUIRE(opened == 1);

    tuitest::TestSnap a({{1, 101, "idle", 10, 1.0}, {2, 102, "busy", 40, 4.0}});
    ViewModel vm(tuitest::default_options(), "127.0.0.1:9191");
    vm.set_size(120, 16);
    vm.set_fleet_name("web");
    vm.seed_events(seen, true, opened);
    CHECK(seen.empty());
    CHECK(vm.pane() == PaneId::Events);  // before the first snapshot...
    vm.set_snapshot(&a.snap, &a.rates, tuitest::kNow + 4);
    CHECK(vm.pane() == PaneId::Events);  // ...and after it
    REQUIRE(vm.events().size() == 3);
    REQUIRE(vm.row_count() == 3);
    const uint32_t sel = vm.pane_rows()[static_cast<std::size_t>(vm.state().selected)];
    CHECK(vm.events().newest(sel).event.kind == EventKind::Harakiri);
    CHECK(vm.events().newest(sel).event.instance == "web");

    SUBCASE("opened from the table: the events pane is there, not shown") {
        ViewModel t(tuitest::default_options(), "127.0.0.1:9191");
        std::vector<Event> again{fleet_event("web", EventKind::Respawn, tuitest::kNow, 3)};
        t.set_fleet_name("web");
        t.seed_events(again);
        t.set_snapshot(&a.snap, &a.rates, tuitest::kNow + 4);
        CHECK(t.pane() == PaneId::Workers);
        CHECK(std::find(t.panes().begin(), t.panes().end(), PaneId::Events) != t.panes().end());
    }
}

namespace {

// An Emperor at 127.0.0.1:7000 with two vassals (rps 3 and 9), a row of
// nobody's, in the targets' order: emperor, solo, v-slow, v-fast.
std::vector<FleetRow> emperor_group() {
    std::vector<FleetRow> rows{row("emperor", FleetState::Ok, 0, 1), row("solo", FleetState::Ok, 10, 5),
                               row("v-slow", FleetState::Ok, 20, 3), row("v-fast", FleetState::Ok, 30, 9)};
    rows[0].address = "127.0.0.1:7000";
    rows[2].address = "/run/slow.sock";
    rows[3].address = "/run/fast.sock";
    rows[2].emperor = rows[3].emperor = "127.0.0.1:7000";
    return rows;
}

std::vector<std::string> shown(const FleetViewModel& vm) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < vm.visible().size(); ++i) {
        out.push_back(std::string(vm.tree_prefix(i)) + vm.rows()[vm.visible()[i]].name);
    }
    return out;
}

}  // namespace

TEST_CASE("fleet_view::vassals are grouped under their Emperor, sorted among themselves, collapsible") {
    FleetViewModel vm(1.0);
    vm.set_size(120, 20);
    feed(vm, emperor_group());
    CHECK(vm.grouped());
    CHECK(shown(vm) == std::vector<std::string>{"emperor", "\u251c\u2500 v-slow", "\u2514\u2500 v-fast", "solo"});
    vm.handle_key('S');   // rps, descending: the groups' tops among themselves, the vassals among themselves
    CHECK(shown(vm) == std::vector<std::string>{"solo", "emperor", "\u251c\u2500 v-fast", "\u2514\u2500 v-slow"});
    vm.handle_key('S');
    CHECK(shown(vm) == std::vector<std::string>{"emperor", "\u251c\u2500 v-slow", "\u2514\u2500 v-fast", "solo"});

    SUBCASE("a filter keeps the Emperor of a vassal that matches") {
        type(vm, "/fast\r");
        CHECK(shown(vm) == std::vector<std::string>{"emperor", "\u2514\u2500 v-fast"});
        vm.handle_key(key::Escape);
        type(vm, "/solo\r");
        CHECK(shown(vm) == std::vector<std::string>{"solo"});
    }
    SUBCASE("c collapses and expands; on a vassal, its Emperor's group") {
        vm.handle_key(key::Down);   // v-slow
        REQUIRE(vm.selected_name() == "v-slow");
        vm.handle_key('c');
        CHECK(shown(vm) == std::vector<std::string>{"emperor", "solo"});
        CHECK(vm.selected_name() == "emperor");
        CHECK(vm.hidden_below(0) == 2);
        CHECK(vm.hidden_below(1) == 0);
        Grid g;
        render_fleet(vm, g);
        CHECK(g.to_text().find("emperor [+2]") != std::string::npos);
        feed(vm, emperor_group());  // stays collapsed across rounds
        CHECK(shown(vm) == std::vector<std::string>{"emperor", "solo"});
        vm.handle_key('c');
        CHECK(shown(vm).size() == 4);
        CHECK(vm.hidden_below(0) == 0);
        vm.handle_key(key::End);    // solo: no vassals, nothing changes but a word
        vm.handle_key('c');
        CHECK(shown(vm).size() == 4);
        CHECK(vm.notice().find("c: collapses") != std::string_view::npos);
    }
    SUBCASE("tree lines on screen, and in ASCII") {
        Grid g;
        vm.set_size(120, 10);
        render_fleet(vm, g);
        tuitest::check_golden("fleet-grouped-120x10", g);
        CHECK(g.to_text().find("\u251c\u2500 v-slow") != std::string::npos);
        CHECK(g.to_lines().back().find("c collapse") != std::string::npos);   // the hint, while there are groups
        CHECK(tuitest::grid_is_clean(g));
        vm.set_ascii(true);
        feed(vm, emperor_group());
        CHECK(shown(vm) == std::vector<std::string>{"emperor", "|- v-slow", "`- v-fast", "solo"});
        render_fleet(vm, g);
        for (const std::string& l : g.to_lines()) {
            for (unsigned char ch : l) CHECK(ch < 0x80);
        }
    }
    SUBCASE("an Emperor of Emperors, and a loop, which is cut") {
        auto rows = emperor_group();
        rows[1].emperor = "/run/fast.sock";   // solo under v-fast
        feed(vm, rows);
        CHECK(shown(vm) == std::vector<std::string>{"emperor", "\u251c\u2500 v-slow", "\u2514\u2500 v-fast",
                                                    "   \u2514\u2500 solo"});
        rows = emperor_group();
        rows[0].emperor = "/run/slow.sock";   // emperor <-> v-slow
        feed(vm, rows);
        CHECK(shown(vm).size() == 4);         // every row still shown once
    }
}
