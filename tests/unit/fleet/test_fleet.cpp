// Unit tests for fleet.hpp, fleet_dump.hpp and prometheus.hpp.
#include <doctest/doctest.h>

#include <rapidjson/document.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "uwsgitop/fleet/fleet_events.hpp"
#include "uwsgitop/output/fleet_dump.hpp"
#include "uwsgitop/output/prometheus.hpp"

using namespace uwsgitop;

namespace {

const std::string kFixtures = UWSGITOP_TEST_FIXTURES;

std::vector<std::unique_ptr<Instance>> make(std::vector<Target> targets) {
    std::vector<std::unique_ptr<Instance>> fleet;
    FetchLimits limits;
    limits.timeout_seconds = 1;
    REQUIRE(make_fleet(targets, limits, fleet).is_ok());
    return fleet;
}

}  // namespace

TEST_SUITE("fleet") {

TEST_CASE("fleet::target_from_text") {
    CHECK(target_from_text("web=127.0.0.1:9191").name == "web");
    CHECK(target_from_text("web=127.0.0.1:9191").address == "127.0.0.1:9191");
    CHECK(target_from_text("127.0.0.1:9191").name == "127.0.0.1:9191");
    // '=' inside an address is not a name
    CHECK(target_from_text("file:/x=y.json").address == "file:/x=y.json");
    CHECK(target_from_text("http://h:1/?a=b").address == "http://h:1/?a=b");
}

TEST_CASE("fleet::read_targets_file") {
    char path[] = "/tmp/uwsgitop-targets-XXXXXX";
    const int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    std::ofstream(path) << "# fleet\n\nweb=127.0.0.1:9191   # main\n  /run/api.sock\n";
    std::vector<Target> t;
    REQUIRE(read_targets_file(path, t).is_ok());
    REQUIRE(t.size() == 2);
    CHECK(t[0].name == "web");
    CHECK(t[1].address == "/run/api.sock");
    std::ofstream(path) << "a b\n";
    t.clear();
    Status st = read_targets_file(path, t);
    CHECK_FALSE(st.is_ok());
    CHECK(st.message().find(":1:") != std::string::npos);
    std::ofstream(path) << "web=127.0.0.1:9191 fifo=/tmp/web.fifo # main\n@abstract\tfifo=/run/b.fifo\n127.0.0.1:3\n";
    t.clear();
    REQUIRE(read_targets_file(path, t).is_ok());
    REQUIRE(t.size() == 3);
    CHECK(t[0].name == "web");
    CHECK(t[0].address == "127.0.0.1:9191");
    CHECK(t[0].fifo == "/tmp/web.fifo");
    CHECK(t[1].address == "@abstract");
    CHECK(t[1].fifo == "/run/b.fifo");
    CHECK(t[2].fifo.empty());
    for (const auto& [line, why] : std::vector<std::pair<std::string, std::string>>{
             {"ok=127.0.0.1:1\nweb=127.0.0.1:9191 fifo=\n", ":2: fifo=: empty path"},
             {"web=127.0.0.1:9191 fifo=/a fifo=/b\n", ":1: fifo= given twice"},
             {"web=127.0.0.1:9191 fifi=/a\n", ":1: unknown field \"fifi=/a\""},
             {"fifo=/a web=127.0.0.1:9191\n", ":1: the line starts with fifo="}}) {
        std::ofstream(path) << line;
        t.clear();
        st = read_targets_file(path, t);
        CHECK_FALSE(st.is_ok());
        CHECK_MESSAGE(st.message().find(why) != std::string::npos, st.message());
        CHECK(st.message().find('\n') == std::string::npos);
    }
    // '#' begins a comment at the start of a line or after a space or tab only
    std::ofstream(path) << "web#2=127.0.0.1:9191 # c\n  # x\n#y\n\tapi=127.0.0.1:1\t#z\n";
    t.clear();
    REQUIRE(read_targets_file(path, t).is_ok());
    REQUIRE(t.size() == 2);
    CHECK(t[0].name == "web#2");
    CHECK(t[0].address == "127.0.0.1:9191");
    CHECK(t[1].name == "api");
    // a bad address, a control character in a name: the file and line
    for (const auto& [text, why] : std::vector<std::pair<std::string, std::string>>{
             {"ok=127.0.0.1:1\nweb=127.0.0.1:99999\n", ":2: bad address \"127.0.0.1:99999\""},
             {std::string("a\0b=127.0.0.1:1\n", 16), ":1: the name contains control characters"},
             {"a\x1b" "b=127.0.0.1:1\n", ":1: the name contains control characters"},
             {"a\x1b[2Jb=127.0.0.1:1\n", ":1: bad address \"a\\x1b[2Jb=127.0.0.1:1\": contains control characters"}}) {
        std::ofstream(path, std::ios::binary) << text;
        t.clear();
        st = read_targets_file(path, t);
        CHECK_MESSAGE(st.message().find(why) != std::string::npos, st.message());
    }
    // a 1 MB bad line is not echoed whole
    for (const std::string& line : {"web=127.0.0.1:1 " + std::string(1 << 20, 'z'), std::string(1 << 20, 'h') + ":x"}) {
        std::ofstream(path, std::ios::binary) << "\n" << line << "\n";
        t.clear();
        st = read_targets_file(path, t);
        CHECK(st.message().find(std::string(path) + ":2: ") != std::string::npos);
        CHECK_MESSAGE(st.message().size() < 400, st.message().size());
    }
    std::remove(path);
    CHECK_FALSE(read_targets_file("/no/such/targets", t).is_ok());
}

TEST_CASE("fleet::a targets line's tracebacker=PREFIX, beside fifo=PATH, once, not empty, not first") {
    Target t;
    REQUIRE(parse_target_line("web=/run/web.sock tracebacker=/run/web/tb fifo=/run/web.fifo", t));
    CHECK(t.address == "/run/web.sock");
    CHECK(t.tracebacker == "/run/web/tb");
    CHECK(t.fifo == "/run/web.fifo");
    REQUIRE(parse_target_line("/run/api.sock", t));
    CHECK(t.tracebacker.empty());
    CHECK(parse_target_line("web=/run/web.sock tracebacker=", t).message() == "tracebacker=: empty prefix");
    CHECK(parse_target_line("web=/run/web.sock tracebacker=/a tracebacker=/b", t).message() ==
          "tracebacker= given twice");
    CHECK(parse_target_line("tracebacker=/a web=/run/web.sock", t).message().find("the line starts with tracebacker=") ==
          0);
    CHECK(parse_target_line("web=/run/web.sock tb=/a", t).message().find("then fifo=PATH, tracebacker=PREFIX") !=
          std::string::npos);
}

TEST_CASE("fleet::poll keeps going when one instance is down") {
    auto fleet = make({{"a", "file:" + kFixtures + "/prefork-1.json"},
                       {"down", "/nonexistent/uwsgitop-test.sock"},
                       {"emp", "file:" + kFixtures + "/emperor.json"}});
    poll_fleet(fleet, 4);
    CHECK(fleet[0]->last_ok);
    CHECK(fleet[0]->snapshot.workers.size() == 4);
    CHECK_FALSE(fleet[1]->last_ok);
    CHECK(instance_state(*fleet[1], monotonic_seconds()).rfind("error: ", 0) == 0);
    CHECK(fleet[2]->snapshot.kind == SnapshotKind::Emperor);

    FleetDumpOptions opt;
    opt.base.format = OutputFormat::Json;
    std::string out;
    dump_fleet(fleet, monotonic_seconds(), opt, out);
    rapidjson::Document d;
    d.Parse(out.c_str());
    REQUIRE_FALSE(d.HasParseError());
    const auto& inst = d["instances"];
    REQUIRE(inst.Size() == 3);
    CHECK(std::string(inst[0]["state"].GetString()) == "ok");
    CHECK(inst[0]["workers"].Size() == 4);
    CHECK(std::string(inst[1]["name"].GetString()) == "down");
    CHECK_FALSE(inst[1].HasMember("workers"));
    CHECK(inst[2]["vassals"].Size() == 3);

    out.clear();
    opt.base.format = OutputFormat::Tsv;
    dump_fleet(fleet, monotonic_seconds(), opt, out);
    std::istringstream lines(out);
    std::string header, row;
    std::getline(lines, header);
    CHECK(header.rfind("name\taddress\tstate\t", 0) == 0);
    std::getline(lines, row);
    CHECK(row.rfind("a\t", 0) == 0);

    out.clear();
    opt.workers = true;
    dump_fleet(fleet, monotonic_seconds(), opt, out);
    std::istringstream wl(out);
    std::getline(wl, header);
    CHECK(header.rfind("instance\taddress\tid\t", 0) == 0);
    int rows = 0;
    while (std::getline(wl, row)) ++rows;
    CHECK(rows == 4);  // the prefork capture's workers; the others have none
}

TEST_CASE("fleet::stale keeps the last good data") {
    char path[] = "/tmp/uwsgitop-stale-XXXXXX";
    const int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    std::ifstream src(kFixtures + "/prefork-1.json", std::ios::binary);
    { std::ofstream dst(path, std::ios::binary); dst << src.rdbuf(); }
    auto fleet = make({{"x", std::string("file:") + path}});
    poll_fleet(fleet, 1);
    REQUIRE(fleet[0]->last_ok);
    std::ofstream(path, std::ios::trunc) << "{\"workers\":[";  // now truncated
    poll_fleet(fleet, 1);
    CHECK_FALSE(fleet[0]->last_ok);
    CHECK(fleet[0]->has_data);
    CHECK(fleet[0]->snapshot.workers.size() == 4);
    CHECK(instance_state(*fleet[0], monotonic_seconds()).rfind("stale ", 0) == 0);
    std::remove(path);
}

TEST_CASE("prometheus::exposition is well formed") {
    auto fleet = make({{"web", "file:" + kFixtures + "/prefork-1.json"},
                       {"down", "/nonexistent/uwsgitop-test.sock"},
                       {"cache", "file:" + kFixtures + "/mules-spooler-cache.json"}});
    poll_fleet(fleet, 2);
    for (bool om : {true, false}) {
        CAPTURE(om);
        std::string out;
        PrometheusOptions opt;
        opt.openmetrics = om;
        write_prometheus(fleet, opt, out);
        CHECK((out.size() >= 6 && out.compare(out.size() - 6, 6, "# EOF\n") == 0) == om);
        const std::regex sample(R"(^([a-z_]+)\{([a-z_]+="(\\.|[^"\\])*")(,[a-z_]+="(\\.|[^"\\])*")*\} -?[0-9.]+(e[-+]?[0-9]+)?$)");
        std::istringstream in(out);
        std::string line, family, type;
        std::set<std::string> seen;
        int samples = 0;
        while (std::getline(in, line)) {
            if (line == "# EOF") continue;
            if (line.rfind("# HELP ", 0) == 0) continue;
            if (line.rfind("# TYPE ", 0) == 0) {
                std::istringstream t(line.substr(7));
                t >> family >> type;
                CHECK(seen.insert(family).second);  // each family once, contiguous
                continue;
            }
            std::smatch m;
            REQUIRE_MESSAGE(std::regex_match(line, m, sample), line);
            const std::string name = m[1];
            if (type == "counter") {
                CHECK(name.size() > 6);
                CHECK(name.compare(name.size() - 6, 6, "_total") == 0);
                CHECK((om ? name == family + "_total" : name == family));
            } else {
                CHECK(name == family);
            }
            ++samples;
        }
        CHECK(samples > 50);
        CHECK(out.find("uwsgi_up{instance=\"down\",stats_uri=\"/nonexistent/uwsgitop-test.sock\"} 0") != std::string::npos);
        CHECK(out.find("uwsgi_up{instance=\"web\"") != std::string::npos);
        CHECK(out.find("uwsgi_worker_requests_total{instance=\"web\",stats_uri=\"file:") != std::string::npos);
        CHECK(out.find("worker_id=\"3\"} 202") != std::string::npos);  // worker 3 served 202 requests
        CHECK(out.find("uwsgi_cache_hits{instance=\"cache\"") != std::string::npos);
        CHECK(out.find("instance=\"down\",stats_uri=\"/nonexistent/uwsgitop-test.sock\",worker") == std::string::npos);
    }
}

}  // TEST_SUITE

TEST_CASE("FleetEvents: one tracker per instance, each poll fed once, grows with the fleet") {
    auto instance = [](const std::string& name, int64_t worker_pid) {
        auto inst = std::make_unique<Instance>();
        inst->target.name = name;
        inst->snapshot.kind = SnapshotKind::Master;
        inst->snapshot.pid = 1;
        Worker w;
        w.id = 1;
        w.pid = worker_pid;
        w.respawn_count = 1;
        w.requests = 0;
        w.status = "idle";
        inst->snapshot.workers.push_back(w);
        inst->has_data = inst->last_ok = true;
        inst->last_ok_wall = 100;
        inst->polls_stored = 1;
        return inst;
    };
    std::vector<std::unique_ptr<Instance>> fleet;
    fleet.push_back(instance("web", 101));
    FleetEvents events;
    std::vector<Event> out;
    events.observe(fleet, 100, out);
    CHECK(out.empty());  // first snapshots: no event
    // web's worker respawned; polled again.
    fleet[0]->snapshot.workers[0].pid = 201;
    fleet[0]->snapshot.workers[0].respawn_count = 2;
    fleet[0]->polls_stored = 2;
    fleet[0]->last_ok_wall = 101;
    // api joins: its first snapshot makes none.
    fleet.push_back(instance("api", 301));
    events.observe(fleet, 101, out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].kind == EventKind::Respawn);
    CHECK(out[0].instance == "web");
    CHECK(out[0].time == 101);
    // Not polled since: nothing, however often observe() runs.
    out.clear();
    events.observe(fleet, 102, out);
    CHECK(out.empty());
    // api fails: one down with its error at the wall time given; web unchanged.
    fleet[1]->last_ok = false;
    fleet[1]->error = "127.0.0.1:9: timed out";
    fleet[1]->polls_stored = 2;
    events.observe(fleet, 103, out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].kind == EventKind::Down);
    CHECK(out[0].instance == "api");
    CHECK(out[0].time == 103);
    fleet[1]->polls_stored = 3;
    out.clear();
    events.observe(fleet, 104, out);
    CHECK(out.empty());  // still down: no second event
}

TEST_CASE("fleet: names are unique (a repeated name gets #2, #3), also for targets added later") {
    std::vector<std::unique_ptr<Instance>> fleet;
    FetchLimits limits;
    limits.timeout_seconds = 1;
    REQUIRE(make_fleet({{"web", "file:/nonexistent/a.json"}, {"web", "file:/nonexistent/b.json"},
                        {"api", "file:/nonexistent/c.json"}, {"web", "file:/nonexistent/d.json"}},
                       limits, fleet)
                .is_ok());
    REQUIRE(fleet.size() == 4);
    CHECK(fleet[0]->target.name == "web");
    CHECK(fleet[1]->target.name == "web#2");
    CHECK(fleet[2]->target.name == "api");
    CHECK(fleet[3]->target.name == "web#3");
    add_targets(fleet, {{"api", "file:/nonexistent/e.json"}, {"api", "file:/nonexistent/f.json"}}, limits, 2,
                ParseScope::NoCores);
    REQUIRE(fleet.size() == 6);
    CHECK(fleet[4]->target.name == "api#2");
    CHECK(fleet[5]->target.name == "api#3");
    CHECK(fleet[4]->target.address == "file:/nonexistent/e.json");

    // a name that looks like a suffix is a name like any other
    const auto names = [&](std::vector<std::string> in) {
        std::vector<Target> targets;
        for (std::size_t i = 0; i < in.size(); ++i) targets.push_back({in[i], "file:/nonexistent/" + std::to_string(i)});
        REQUIRE(make_fleet(targets, limits, fleet).is_ok());
        std::vector<std::string> out;
        for (const auto& inst : fleet) out.push_back(inst->target.name);
        return out;
    };
    CHECK(names({"web", "web#2", "web"}) == std::vector<std::string>{"web", "web#2", "web#3"});
    CHECK(names({"web#2", "web", "web", "web"}) == std::vector<std::string>{"web#2", "web", "web#3", "web#4"});
    CHECK(names({"web", "web", "web#2", "web#2"}) == std::vector<std::string>{"web", "web#2", "web#2#2", "web#2#3"});
    CHECK(names({"web#3", "web", "web", "web", "web"}) ==
          std::vector<std::string>{"web#3", "web", "web#2", "web#4", "web#5"});
}

TEST_CASE("fleet: naming 20,000 instances of one name takes linear time") {
    // quadratic (and cubic for one repeated name) before issue 29
    std::vector<Target> targets;
    for (int i = 0; i < 20000; ++i) targets.push_back({"w", "/nonexistent/uwsgitop-" + std::to_string(i) + ".sock"});
    std::vector<std::unique_ptr<Instance>> fleet;
    FetchLimits limits;
    const double t0 = monotonic_seconds();
    REQUIRE(make_fleet(targets, limits, fleet).is_ok());
    CHECK(monotonic_seconds() - t0 < 5.0);
    REQUIRE(fleet.size() == 20000);
    CHECK(fleet[0]->target.name == "w");
    CHECK(fleet[1]->target.name == "w#2");
    CHECK(fleet[19999]->target.name == "w#20000");
}
