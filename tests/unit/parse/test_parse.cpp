// Tests for parse.hpp: real uWSGI 2.0.21 captures (tests/fixtures) of every
// deployment shape, the value rules, broken input of every kind, buffer reuse
// and a 16,000-core document. The lenient path on uWSGI's unescaped output is
// tested end to end in test_repair.cpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "snapshot_checks.hpp"
#include "uwsgitop/parse/parse.hpp"

using namespace uwsgitop;
using namespace uwsgitop::testing;

namespace {

struct Expect {
    const char* file;
    SnapshotKind kind;
    std::size_t workers, cores, apps, vars, locks;
    int64_t requests;      // sum of worker "requests"
    std::size_t busy;      // cores with in_request == 1
    std::size_t started;   // cores with a req_info.request_start
    int64_t pid;
};

// Counts verified against python3's json module on the same files (the
// .http ones without their headers).
const Expect kFixtures[] = {
    {"prefork-1.json", SnapshotKind::Master, 4, 8, 4, 104, 8, 506, 8, 8, 13004},
    {"prefork-2.json", SnapshotKind::Master, 4, 8, 4, 91, 8, 838, 7, 7, 13004},
    {"prefork-3.json", SnapshotKind::Master, 4, 8, 4, 104, 8, 1210, 8, 8, 13004},
    {"unix-1.json", SnapshotKind::Master, 2, 4, 2, 52, 8, 350, 4, 4, 13331},
    {"abstract-2.json", SnapshotKind::Master, 2, 4, 2, 52, 8, 542, 4, 4, 13557},
    {"http-1.http", SnapshotKind::Master, 2, 4, 2, 52, 8, 350, 4, 4, 13782},
    {"http-unix-2.http", SnapshotKind::Master, 2, 4, 2, 52, 8, 542, 4, 4, 14006},
    {"minified-1.json", SnapshotKind::Master, 2, 4, 2, 52, 8, 350, 4, 4, 14230},
    {"nocores-1.json", SnapshotKind::Master, 2, 0, 2, 0, 8, 350, 0, 0, 14454},
    {"metrics-1.json", SnapshotKind::Master, 2, 4, 2, 52, 9, 350, 4, 4, 14679},
    {"nometrics-2.json", SnapshotKind::Master, 2, 4, 2, 52, 9, 542, 4, 4, 14904},
    {"cheaper-1.json", SnapshotKind::Master, 6, 6, 6, 0, 8, 0, 0, 0, 15130},
    {"cheaper-4.json", SnapshotKind::Master, 6, 6, 6, 39, 8, 14, 3, 3, 15130},
    {"pause-1.json", SnapshotKind::Master, 4, 8, 4, 0, 8, 105, 0, 0, 15343},
    {"backlog-1.json", SnapshotKind::Master, 1, 1, 1, 13, 8, 4, 1, 1, 15597},
    {"async.json", SnapshotKind::Master, 2, 200, 2, 52, 8, 36, 4, 4, 5722},
    {"harakiri-1.json", SnapshotKind::Master, 2, 2, 2, 13, 8, 0, 1, 1, 5938},
    {"mules-spooler-cache.json", SnapshotKind::Master, 2, 4, 2, 0, 13, 4, 0, 0, 6103},
    {"emperor-stats.json", SnapshotKind::Master, 0, 0, 0, 0, 8, 0, 0, 0, 5556},
    {"emperor.json", SnapshotKind::Emperor, 0, 0, 0, 0, 0, 0, 0, 0, 5418},
    {"emperor-blacklist.json", SnapshotKind::Emperor, 0, 0, 0, 0, 0, 0, 0, 0, 8091},
    {"router-http.json", SnapshotKind::Router, 0, 0, 0, 0, 0, 0, 0, 0, 6736},
    {"router-fastrouter.json", SnapshotKind::Router, 0, 0, 0, 0, 0, 0, 0, 0, 6737},
    {"weird-vars-quotes.json", SnapshotKind::Master, 4, 8, 4, 16, 8, 0, 1, 1, 4653},
    {"weird-vars-long.json", SnapshotKind::Master, 4, 8, 4, 13, 8, 3, 1, 1, 4653},
};

}  // namespace

TEST_SUITE("parse") {

TEST_CASE("parse::Parser::parse real captures") {
    Parser parser;
    Snapshot snap;
    for (const Expect& e : kFixtures) {
        CAPTURE(e.file);
        uwsgitop::ByteBuffer bytes = read_fixture(e.file);
        const std::size_t size = bytes.size();
        Status st = parser.parse(bytes, snap);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(snap.storage.size() < size);  // the kept strings only, not the document
        CHECK_FALSE(snap.repaired);
        CHECK(snap.kind == e.kind);
        CHECK(snap.workers.size() == e.workers);
        CHECK(snap.cores.size() == e.cores);
        CHECK(snap.apps.size() == e.apps);
        CHECK(snap.vars.size() == e.vars);
        CHECK(snap.locks.size() == e.locks);
        CHECK(snap.pid == e.pid);
        CHECK(snap.version == "2.0.21-debian");
        int64_t requests = 0;
        for (const Worker& w : snap.workers) requests += w.requests.value_or(-1000000);
        CHECK(requests == e.requests);
        std::size_t busy = 0, started = 0;
        for (const Core& c : snap.cores) {
            busy += c.in_request == 1;
            started += c.request_start.has_value();
        }
        CHECK(busy == e.busy);
        CHECK(started == e.started);
        check_invariants(snap);
    }
}

TEST_CASE("parse::Parser::parse prefork fields") {
    Parser parser;
    Snapshot snap;
    uwsgitop::ByteBuffer bytes = read_fixture("prefork-1.json");
    REQUIRE(parser.parse(bytes, snap).is_ok());
    CHECK(snap.cwd == "/srv/uwsgi/prefork");
    CHECK(snap.listen_queue == 0);
    CHECK(snap.uid == 0);
    REQUIRE(snap.locks.size() == 8);
    CHECK(snap.locks[0].name == "user 0");
    CHECK(snap.locks[7].name == "snmp");
    CHECK(snap.locks[0].pid == 0);
    REQUIRE(snap.sockets.size() == 1);
    CHECK(snap.sockets[0].name == "127.0.0.1:49321");
    CHECK(snap.sockets[0].proto == "http");
    CHECK(snap.sockets[0].max_queue == 100);
    const Worker& w = snap.workers[0];
    CHECK(w.id == 1);
    CHECK(w.pid == 13006);
    CHECK(w.requests == 87);
    CHECK(w.exceptions == 23);
    CHECK(w.status == "busy");
    CHECK(w.rss == 11788288);
    CHECK(w.running_time == 2406389);
    CHECK(w.avg_rt == 39883);
    CHECK(w.tx == 855765);
    CHECK(w.has_cores);
    CHECK_FALSE(w.uss.has_value());  // not written by 2.0.21: unknown, not 0
    CHECK_FALSE(w.pss.has_value());
    REQUIRE(w.apps.count == 1);
    CHECK(snap.apps_of(w)[0].requests == 89);
    CHECK(snap.apps_of(w)[0].mountpoint.empty());
    REQUIRE(w.cores.count == 2);
    const Core& c = snap.cores_of(w)[1];
    CHECK(c.id == 1);
    CHECK(c.requests == 46);
    CHECK(c.request_start == 1795547028);
    CHECK(snap.vars_of(c).size() == 13);
    CHECK(snap.vars_of(c).back().empty());
    CHECK(find_var(snap, c, "REQUEST_URI") == "/slow?s=0.3");
    CHECK(find_var(snap, c, "HTTP_USER_AGENT") == "curl/7.88.1");
    CHECK_FALSE(snap.has_metrics);
    CHECK(snap.metrics.empty());
}

TEST_CASE("parse::Parser::parse shapes") {
    Parser parser;
    Snapshot snap;
    SUBCASE("minified equals the pretty form of the same data") {
        uwsgitop::ByteBuffer a = read_fixture("minified-1.json");
        REQUIRE(parser.parse(a, snap).is_ok());
        CHECK(snap.workers[1].cores.count == 2);
        CHECK(snap.cores[3].worker_index == 1);
    }
    SUBCASE("nocores: no cores list, so no cores and has_cores false") {
        uwsgitop::ByteBuffer a = read_fixture("nocores-1.json");
        REQUIRE(parser.parse(a, snap).is_ok());
        for (const Worker& w : snap.workers) {
            CHECK_FALSE(w.has_cores);
            CHECK(w.cores.count == 0);
            CHECK(w.requests.has_value());
        }
    }
    SUBCASE("metrics: an object of name -> {type, oid, value}") {
        uwsgitop::ByteBuffer a = read_fixture("metrics-1.json");
        REQUIRE(parser.parse(a, snap).is_ok());
        CHECK(snap.has_metrics);
        REQUIRE(snap.metrics.size() == 68);
        CHECK(snap.metrics[0].name == "core.routed_signals");
        CHECK(snap.metrics[0].oid == "5.1");
        CHECK(snap.metrics[0].type == 0);
        CHECK(snap.metrics[3].name == "core.idle_workers");
        CHECK(snap.metrics[3].type == 1);
        CHECK(snap.metrics[3].value == 2);
    }
    SUBCASE("nometrics: --stats-no-metrics") {
        uwsgitop::ByteBuffer a = read_fixture("nometrics-1.json");
        REQUIRE(parser.parse(a, snap).is_ok());
        CHECK_FALSE(snap.has_metrics);
    }
    SUBCASE("cheaper: idle workers have id 0 and status cheap") {
        uwsgitop::ByteBuffer a = read_fixture("cheaper-1.json");
        REQUIRE(parser.parse(a, snap).is_ok());
        std::size_t cheap = 0;
        for (const Worker& w : snap.workers) {
            if (w.status == "cheap") {
                ++cheap;
                CHECK(w.id == 0);
                CHECK(w.pid == 0);
            }
        }
        CHECK(cheap == 4);
    }
    SUBCASE("pause and harakiri") {
        uwsgitop::ByteBuffer a = read_fixture("pause-1.json");
        REQUIRE(parser.parse(a, snap).is_ok());
        CHECK(snap.workers[0].status == "pause");
        uwsgitop::ByteBuffer b = read_fixture("harakiri-2.json");
        REQUIRE(parser.parse(b, snap).is_ok());
        CHECK(snap.workers[0].harakiri_count == 1);
        CHECK(snap.workers[1].harakiri_count == 0);
    }
    SUBCASE("mules, spooler, caches, daemons, crons") {
        uwsgitop::ByteBuffer a = read_fixture("mules-spooler-cache.json");
        REQUIRE(parser.parse(a, snap).is_ok());
        REQUIRE(snap.caches.size() == 2);
        CHECK(snap.caches[0].name == "mycache");
        CHECK(snap.caches[0].hash == "djb33x");
        CHECK(snap.caches[0].max_items == 100);
        CHECK(snap.caches[0].miss == 1);
        CHECK(snap.caches[1].blocksize == 128);
        REQUIRE(snap.spoolers.size() == 1);
        CHECK(snap.spoolers[0].dir == "/tmp/pm/spool");
        CHECK(snap.spoolers[0].pid == 6106);
        CHECK(snap.spoolers[0].tasks == 1);
        REQUIRE(snap.daemons.size() == 1);
        CHECK(snap.daemons[0].cmd == "sleep 900");
        CHECK(snap.daemons[0].pid == 6112);
        REQUIRE(snap.crons.size() == 1);
        CHECK(snap.crons[0].minute == -1);
        CHECK(snap.crons[0].pid == -1);
        CHECK(snap.crons[0].command == "true");
        CHECK(snap.crons[0].legion.empty());
        CHECK(snap.locks[12].name == "spooler on /tmp/pm/spool");
    }
    SUBCASE("legions (--legion): the legion's own fields; its nodes and members are not kept") {
        uwsgitop::ByteBuffer a = read_fixture("legion.json");
        REQUIRE(parser.parse(a, snap).is_ok());
        CHECK(snap.kind == SnapshotKind::Master);
        CHECK(snap.workers.size() == 1);
        REQUIRE(snap.legions.size() == 1);
        const uwsgitop::Legion& l = snap.legions[0];
        CHECK(l.legion == "mylegion");
        CHECK(l.addr == "127.0.0.1:23212");
        CHECK(l.uuid == "e19f0a8f-2779-4bf0-8450-5a981d707823");
        CHECK(l.valor == 100);
        CHECK(l.checksum == 0);
        CHECK(l.quorum == 0);
        CHECK(l.i_am_the_lord == 0);
        CHECK(l.lord_valor == 0);
        CHECK(l.lord_uuid.empty());
        // A document without legions after one with them: the list is emptied.
        uwsgitop::ByteBuffer b = read_fixture("prefork-1.json");
        REQUIRE(parser.parse(b, snap).is_ok());
        CHECK(snap.legions.empty());
    }
    SUBCASE("emperor: scanners, vassals, blacklist") {
        uwsgitop::ByteBuffer a = read_fixture("emperor.json");
        REQUIRE(parser.parse(a, snap).is_ok());
        CHECK(snap.kind == SnapshotKind::Emperor);
        REQUIRE(snap.emperor_scanners.size() == 1);
        CHECK(snap.emperor_scanners[0] == "/tmp/pe/vassals");
        CHECK(snap.emperor_tyrant == 0);
        CHECK(snap.throttle_level == 0);
        REQUIRE(snap.vassals.size() == 3);
        CHECK(snap.vassals[0].id == "app2.ini");
        CHECK(snap.vassals[0].pid == 5420);
        CHECK(snap.vassals[0].ready == 1);
        CHECK(snap.vassals[2].born == 1795613366);
        CHECK(snap.vassals[2].monitor == "/tmp/pe/vassals");
        CHECK_FALSE(snap.vassals[0].suspended.has_value());
        CHECK(snap.blacklist.empty());
        uwsgitop::ByteBuffer b = read_fixture("emperor-blacklist.json");
        REQUIRE(parser.parse(b, snap).is_ok());
        CHECK(snap.vassals.empty());
        REQUIRE(snap.blacklist.size() == 1);
        CHECK(snap.blacklist[0].id == "bad.ini");
        CHECK(snap.blacklist[0].first_attempt == 1795613481);
    }
    SUBCASE("emperor with --stats answers like a master with no workers") {
        uwsgitop::ByteBuffer a = read_fixture("emperor-stats.json");
        REQUIRE(parser.parse(a, snap).is_ok());
        CHECK(snap.kind == SnapshotKind::Master);
        CHECK(snap.workers.empty());
        CHECK(snap.vassals.empty());
    }
    SUBCASE("http router: its socket list ends in a comma (uWSGI bug), subscriptions") {
        uwsgitop::ByteBuffer a = read_fixture("router-http.json");
        REQUIRE(parser.parse(a, snap).is_ok());
        CHECK(snap.kind == SnapshotKind::Router);
        CHECK(snap.active_sessions == 0);
        CHECK(snap.cheap == 0);
        CHECK(snap.router_name == "http");
        REQUIRE(snap.router_sockets.size() == 2);
        CHECK(snap.router_sockets[1] == "127.0.0.1:50075");
        REQUIRE(snap.static_nodes.size() == 1);
        CHECK(snap.static_nodes[0].name == "127.0.0.1:35981");
        REQUIRE(snap.subscriptions.size() == 2);
        CHECK(snap.subscriptions[1].key == "example.com");
        CHECK(snap.subscriptions[1].hits == 5);
        CHECK(snap.subscriptions[1].sni_enabled == 0);
        REQUIRE(snap.router_nodes.size() == 2);
        const RouterNode& n = snap.nodes_of(snap.subscriptions[1])[0];
        CHECK(n.name == "127.0.0.1:35659");
        CHECK(n.requests == 5);
        CHECK(n.cores == 1);
        CHECK(n.weight == 1);
        CHECK_FALSE(n.backup.has_value());
        CHECK(snap.workers.empty());
    }
    SUBCASE("fastrouter") {
        uwsgitop::ByteBuffer a = read_fixture("router-fastrouter.json");
        REQUIRE(parser.parse(a, snap).is_ok());
        CHECK(snap.router_name == "fastrouter");
        CHECK(snap.router_sockets.size() == 2);
        REQUIRE(snap.subscriptions.size() == 1);
        CHECK(snap.subscriptions[0].key == "fr.example.com");
        CHECK(snap.static_nodes.empty());
    }
}

TEST_CASE("parse::Parser::parse broken input") {
    Parser parser;
    Snapshot snap;
    // a good parse first: failures must leave the snapshot cleared
    uwsgitop::ByteBuffer good = read_fixture("prefork-1.json");
    REQUIRE(parser.parse(good, snap).is_ok());

    auto fails = [&](std::string_view text) {
        Status st = parse_text(parser, text, snap);
        CHECK_FALSE(st.is_ok());
        CHECK(snap.kind == SnapshotKind::Unknown);
        CHECK(snap.workers.empty());
        CHECK(snap.cores.empty());
        CHECK_FALSE(snap.pid.has_value());
        CHECK(st.message().find('\n') == std::string::npos);
        return st.message();
    };

    SUBCASE("empty") {
        CHECK(fails("") == "invalid stats JSON at byte 0: empty reply");
        CHECK(fails(" \r\n\t") == "invalid stats JSON at byte 0: empty reply");
    }
    SUBCASE("HTML and garbage fail at once") {
        CHECK(fails("<html><body>502 Bad Gateway</body></html>") ==
              "invalid stats JSON at byte 0: an HTML/XML page, not JSON");
        CHECK(fails("  hello") == "invalid stats JSON at byte 2: expected '{' (not a uWSGI stats document)");
        CHECK(fails("[1,2]") == "invalid stats JSON at byte 0: expected '{' (not a uWSGI stats document)");
        CHECK(fails("HTTP/1.0 200 OK\r\n\r\n{}").find("at byte 0:") != std::string::npos);
    }
    SUBCASE("truncated") {
        uwsgitop::ByteBuffer full = read_fixture("prefork-1.json");
        std::string doc(full.begin(), full.end());
        std::size_t cut = doc.find("/srv/uwsgi/prefork") + 5;  // inside the cwd string
        CHECK(fails(doc.substr(0, cut)) ==
              "invalid stats JSON at byte " + std::to_string(cut) + ": Missing a closing quotation mark in string.");
        std::size_t cut2 = doc.find("\"workers\"") + 20;  // between tokens
        std::string m = fails(doc.substr(0, cut2));
        CHECK(m.find("invalid stats JSON at byte ") == 0);
        CHECK(fails("{\"pid\":12").find("at byte 9:") != std::string::npos);
        CHECK(fails("{").find("at byte 1:") != std::string::npos);
    }
    SUBCASE("trailing garbage after the document") {
        CHECK(fails("{}x") == "invalid stats JSON at byte 2: The document root must not be followed by other values.");
    }
    SUBCASE("numbers out of range") {
        CHECK(fails("{\"load\":9223372036854775808}") ==
              "invalid stats JSON at byte 8: number out of range for field \"load\"");
        CHECK(fails("{\"load\":99999999999999999999}").find("number out of range for field \"load\"") !=
              std::string::npos);
        CHECK(fails("{\"workers\":[{\"rss\":1e30}]}").find("number out of range for field \"rss\"") !=
              std::string::npos);
        CHECK(fails("{\"load\":-1e300}").find("number out of range") != std::string::npos);
        CHECK(fails("{\"pid\":1e999}").find("Number too big") != std::string::npos);
    }
    SUBCASE("non-integral doubles") {
        CHECK(fails("{\"load\":0.5}") == "invalid stats JSON at byte 8: field \"load\" expects an integer");
    }
    SUBCASE("wrong types name the field") {
        CHECK(fails("{\"load\":\"12\"}") == "invalid stats JSON at byte 12: field \"load\" expects a number");
        CHECK(fails("{\"version\":5}").find("field \"version\" expects a string") != std::string::npos);
        CHECK(fails("{\"load\":true}").find("field \"load\" expects a number") != std::string::npos);
        CHECK(fails("{\"pid\":{}}").find("field \"pid\" expects a number") != std::string::npos);
        CHECK(fails("{\"cwd\":[]}").find("field \"cwd\" expects a string") != std::string::npos);
        CHECK(fails("{\"workers\":5}").find("field \"workers\" expects an array") != std::string::npos);
        CHECK(fails("{\"workers\":{}}").find("field \"workers\" expects an array") != std::string::npos);
        CHECK(fails("{\"workers\":[1]}").find("field \"workers\" expects an array of objects") !=
              std::string::npos);
        CHECK(fails("{\"workers\":[[]]}").find("field \"workers\" expects an array of objects") !=
              std::string::npos);
        CHECK(fails("{\"workers\":[{\"cores\":[{\"vars\":[1]}]}]}")
                  .find("field \"vars\" expects an array of strings") != std::string::npos);
        CHECK(fails("{\"workers\":[{\"cores\":[{\"req_info\":[]}]}]}")
                  .find("field \"req_info\" expects an object") != std::string::npos);
        CHECK(fails("{\"metrics\":[]}").find("field \"metrics\" expects an object") != std::string::npos);
        CHECK(fails("{\"metrics\":{\"m\":1}}").find("field \"metrics\" expects objects as values") !=
              std::string::npos);
        CHECK(fails("{\"locks\":[{\"user 0\":\"x\"}]}").find("field \"locks\" expects a number") !=
              std::string::npos);
    }
    SUBCASE("nesting 10,000 deep") {
        std::string deep = "{\"x\":" + std::string(10000, '[') + std::string(10000, ']') + "}";
        CHECK(fails(deep).find("nesting deeper than 64 levels") != std::string::npos);
        std::string objs;
        for (int i = 0; i < 10000; ++i) objs += "{\"a\":";
        CHECK(fails(objs).find("nesting deeper than 64 levels") != std::string::npos);
        // unbalanced, with a raw quote so the lenient path runs too
        CHECK(fails("{\"cwd\":\"a\"b\",\"x\":" + std::string(10000, '[')).find("at byte") != std::string::npos);
    }
    SUBCASE("100 MB of garbage fails, and fast") {
        auto t0 = std::chrono::steady_clock::now();
        std::string junk(100u << 20, 'x');
        CHECK(fails(junk) == "invalid stats JSON at byte 0: expected '{' (not a uWSGI stats document)");
        junk[0] = '{';
        // no string had started where the reader stopped: no repair pass
        CHECK(fails(junk) == "invalid stats JSON at byte 1: Missing a name for object member.");
        junk[0] = '\x01';
        CHECK(fails(junk).find("at byte 0:") != std::string::npos);
        // generous bound against hangs only (no timing assertion on speed)
        CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(60));
    }
    SUBCASE("binary garbage that starts like a document goes through repair, then fails") {
        std::string junk(8u << 20, '\0');
        std::mt19937 rng(42);
        for (char& c : junk) c = static_cast<char>(rng() & 0xff);
        junk[0] = '{';
        junk[1] = '"';
        std::string m = fails(junk);
        CHECK(m.find("invalid stats JSON at byte ") == 0);
    }
}

TEST_CASE("parse::Parser::parse survives damaged captures") {
    // Every prefix, and random byte changes, of real captures: each parse
    // either succeeds with a consistent snapshot or fails with one line.
    Parser parser;
    Snapshot snap;
    std::mt19937 rng(7);
    for (const char* name : {"prefork-1.json", "weird-cwd.json", "router-http.json", "weird-vars-nonutf8.json"}) {
        CAPTURE(name);
        uwsgitop::ByteBuffer orig = read_fixture(name);
        std::size_t ok = 0, failed = 0;
        auto check = [&](uwsgitop::ByteBuffer bytes) {
            Status st = parser.parse(bytes, snap);
            if (st.is_ok()) {
                ++ok;
                check_invariants(snap);
            } else {
                ++failed;
                CHECK(st.message().rfind("invalid stats JSON at byte ", 0) == 0);
                CHECK(st.message().find('\n') == std::string::npos);
                CHECK(snap.kind == SnapshotKind::Unknown);
            }
        };
        for (std::size_t cut = 0; cut < orig.size(); cut += 7) {
            check(uwsgitop::ByteBuffer(orig.begin(), orig.begin() + static_cast<std::ptrdiff_t>(cut)));
        }
        const char nasty[] = {'"', '\\', '{', '}', '[', ']', ',', ':', '\0', '\x01', '\xff', '\xc3', 'x', '9'};
        for (int i = 0; i < 300; ++i) {
            uwsgitop::ByteBuffer b = orig;
            for (int k = 0; k < 3; ++k) {
                b[rng() % b.size()] = nasty[rng() % sizeof(nasty)];
            }
            check(b);
        }
        CHECK(failed > 0);
        CHECK(ok > 0);
    }
}

TEST_CASE("parse::Parser::parse value rules") {
    Parser parser;
    Snapshot snap;
    SUBCASE("absent stays unknown") {
        REQUIRE(parse_text(parser, "{\"workers\":[{\"id\":1}]}", snap).is_ok());
        CHECK(snap.kind == SnapshotKind::Master);
        CHECK_FALSE(snap.pid.has_value());
        CHECK(snap.version.empty());
        const Worker& w = snap.workers[0];
        CHECK(w.id == 1);
        CHECK_FALSE(w.requests.has_value());
        CHECK_FALSE(w.rss.has_value());
        CHECK_FALSE(w.has_cores);
        CHECK(w.status.empty());
    }
    SUBCASE("null is unknown, also after a value; null lists and elements are ignored") {
        REQUIRE(parse_text(parser, "{\"pid\":3,\"pid\":null,\"cwd\":null,\"workers\":[null,{\"id\":2,\"rss\":null}]}",
                           snap).is_ok());
        CHECK_FALSE(snap.pid.has_value());
        CHECK(snap.cwd.empty());
        REQUIRE(snap.workers.size() == 1);
        CHECK_FALSE(snap.workers[0].rss.has_value());
        REQUIRE(parse_text(parser, "{\"workers\":null,\"locks\":null,\"metrics\":null}", snap).is_ok());
        CHECK(snap.kind == SnapshotKind::Unknown);
        CHECK_FALSE(snap.has_metrics);
    }
    SUBCASE("duplicate keys: the last wins, containers too") {
        REQUIRE(parse_text(parser,
                           "{\"pid\":1,\"pid\":2,\"workers\":[{\"id\":1,\"cores\":[{\"id\":0,\"vars\":[\"A=1\"]}]}],"
                           "\"workers\":[{\"id\":7,\"requests\":1,\"requests\":5,"
                           "\"cores\":[{\"id\":0},{\"id\":1}],\"cores\":[{\"id\":9,\"vars\":[\"B=1\"],\"vars\":[\"C=1\",\"D=1\"]}]},"
                           "{\"id\":8,\"cores\":[{\"id\":3}]}]}",
                           snap).is_ok());
        CHECK(snap.pid == 2);
        REQUIRE(snap.workers.size() == 2);
        CHECK(snap.workers[0].id == 7);
        CHECK(snap.workers[0].requests == 5);
        REQUIRE(snap.cores.size() == 2);
        CHECK(snap.cores_of(snap.workers[0]).size() == 1);
        CHECK(snap.cores_of(snap.workers[0])[0].id == 9);
        CHECK(snap.cores_of(snap.workers[1])[0].id == 3);
        REQUIRE(snap.vars.size() == 2);
        CHECK(snap.vars[0] == "C=1");
        check_invariants(snap);
    }
    SUBCASE("integral doubles are accepted") {
        REQUIRE(parse_text(parser, "{\"listen_queue\":5.0,\"load\":1e3,\"uid\":-0.0,\"gid\":2E2}", snap).is_ok());
        CHECK(snap.listen_queue == 5);
        CHECK(snap.load == 1000);
        CHECK(snap.uid == 0);
        CHECK(snap.gid == 200);
    }
    SUBCASE("extremes of int64") {
        REQUIRE(parse_text(parser, "{\"load\":9223372036854775807}", snap).is_ok());
        CHECK(snap.load == INT64_MAX);
    }
    SUBCASE("a pid is an integer in [0, kMaxPid]; anything else is unknown, never rounded or wrapped") {
        REQUIRE(parse_text(parser, "{\"pid\":4194304,\"workers\":[{\"id\":1,\"pid\":0},{\"id\":2,\"pid\":17}]}", snap)
                    .is_ok());
        CHECK(snap.pid == 4194304);
        CHECK(snap.workers[0].pid == 0);  // a cheap worker: no process
        CHECK(snap.workers[1].pid == 17);
        for (const char* bad : {"4294967313", "4194305", "1.5e4", "15000.0", "-1", "-4294967279", "\"15000\"", "true",
                                "99999999999999999999", "1e999"}) {
            CAPTURE(bad);
            const std::string doc = std::string("{\"pid\":") + bad + ",\"workers\":[{\"id\":1,\"pid\":" + bad +
                                    "}],\"spooler\":[],\"spoolers\":[{\"dir\":\"/s\",\"pid\":" + bad + "}]}";
            const Status st = parse_text(parser, doc, snap);
            if (std::string_view(bad) == "1e999") {
                CHECK_FALSE(st.is_ok());  // not JSON at all (RapidJSON: number too big)
                continue;
            }
            REQUIRE(st.is_ok());
            CHECK_FALSE(snap.pid.has_value());
            CHECK_FALSE(snap.workers[0].pid.has_value());
            CHECK_FALSE(snap.spoolers[0].pid.has_value());
        }
    }
    SUBCASE("negative counters are refused, signed fields keep their sign") {
        const Status st = parse_text(parser, "{\"workers\":[{\"id\":1,\"requests\":-5}]}", snap);
        REQUIRE_FALSE(st.is_ok());
        CHECK(st.message().find("\"requests\"") != std::string::npos);
        CHECK_FALSE(parse_text(parser, "{\"uid\":-9223372036854775808}", snap).is_ok());
        REQUIRE(parse_text(parser, "{\"crons\":[{\"minute\":-1,\"pid\":-1}],"
                                   "\"metrics\":{\"m\":{\"type\":1,\"value\":-42}}}", snap).is_ok());
        CHECK(snap.crons.at(0).minute == -1);
        CHECK(snap.metrics.at(0).value == -42);
    }
    SUBCASE("unknown keys and containers are skipped at any depth, whatever they hold") {
        REQUIRE(parse_text(parser,
                           "{\"future\":{\"a\":[1,{\"b\":[]}],\"big\":99999999999999999999,\"d\":0.5},\"pid\":3,"
                           "\"workers\":[{\"id\":1,\"new\":{\"x\":[1,2,\"s\"]},\"cores\":[{\"id\":0,\"weird\":[[[]]],"
                           "\"req_info\":{\"request_start\":5,\"other\":true}}]}],"
                           "\"vassals\":[{\"id\":\"v\",\"attrs\":{\"a\":[1]}}],\"legions\":[{\"x\":1}]}",
                           snap).is_ok());
        CHECK(snap.pid == 3);
        REQUIRE(snap.cores.size() == 1);
        CHECK(snap.cores[0].request_start == 5);
        CHECK(snap.vassals.size() == 1);
        CHECK(snap.kind == SnapshotKind::Master);  // workers win over vassals
        CHECK(snap.router_name.empty());
    }
    SUBCASE("an unknown list is a router's socket list only in a router document") {
        REQUIRE(parse_text(parser, "{\"active_sessions\":2,\"myrouter\":[\"a\",\"b\"],\"other\":[\"c\"]}", snap)
                    .is_ok());
        CHECK(snap.kind == SnapshotKind::Router);
        CHECK(snap.router_name == "myrouter");
        CHECK(snap.router_sockets.size() == 2);
        REQUIRE(parse_text(parser, "{\"myrouter\":[\"a\"],\"rawrouter\":[\"r\"]}", snap).is_ok());
        CHECK(snap.router_name == "rawrouter");
        CHECK(snap.kind == SnapshotKind::Unknown);
    }
    SUBCASE("an empty object") {
        REQUIRE(parse_text(parser, " {} \n", snap).is_ok());
        CHECK(snap.kind == SnapshotKind::Unknown);
    }
    SUBCASE("64 levels are allowed (the root object is one)") {
        std::string doc = "{\"x\":" + std::string(63, '[') + std::string(63, ']') + "}";
        CHECK(parse_text(parser, doc, snap).is_ok());
        doc = "{\"x\":" + std::string(64, '[') + std::string(64, ']') + "}";
        CHECK_FALSE(parse_text(parser, doc, snap).is_ok());
    }
}

TEST_CASE("parse::Parser::parse buffers and reuse") {
    Parser parser;
    Snapshot snap;
    // Documents of every shape, for the subcases below.
    const char* const kShapes[] = {"prefork-1.json", "weird-cwd.json", "weird-vars-ctl.json", "router-http.json",
                                   "metrics-2.json", "emperor.json", "mules-spooler-cache.json"};
    const auto copies_of_strings = [](const Snapshot& s) {
        std::vector<std::string> v;
        for (std::string_view sv : all_strings(s)) v.emplace_back(sv);
        return v;
    };
    SUBCASE("the snapshot keeps its own strings: the read buffer can be reused at once") {
        for (const char* name : kShapes) {
            CAPTURE(name);
            uwsgitop::ByteBuffer bytes = read_fixture(name);
            REQUIRE(parser.parse(bytes, snap).is_ok());
            const std::vector<std::string> before = copies_of_strings(snap);
            CHECK_FALSE(before.empty());
            // What the fetch thread does next: read another document into the
            // same buffer and parse it into the other snapshot.
            std::fill(bytes.begin(), bytes.end(), 'x');
            const uwsgitop::ByteBuffer next = read_fixture("prefork-2.json");
            bytes.assign(next.begin(), next.end());
            Snapshot other;
            REQUIRE(parser.parse(bytes, other).is_ok());
            CHECK(copies_of_strings(snap) == before);
            check_invariants(snap);
        }
    }
    SUBCASE("parsing the same document twice into one snapshot gives the same result") {
        for (const char* name : kShapes) {
            CAPTURE(name);
            uwsgitop::ByteBuffer a = read_fixture(name);
            REQUIRE(parser.parse(a, snap).is_ok());
            std::string first = describe(snap);
            uwsgitop::ByteBuffer other = read_fixture("async.json");  // something else in between
            REQUIRE(parser.parse(other, snap).is_ok());
            uwsgitop::ByteBuffer b = read_fixture(name);
            REQUIRE(parser.parse(b, snap).is_ok());
            CHECK(describe(snap) == first);
            // a fresh parser and snapshot agree too
            Parser p2;
            Snapshot s2;
            uwsgitop::ByteBuffer c = read_fixture(name);
            REQUIRE(p2.parse(c, s2).is_ok());
            CHECK(describe(s2) == first);
        }
    }
}

TEST_CASE("parse::Parser::parse key lookup: order, near misses, skipped containers") {
    Parser parser;
    Snapshot snap;
    // Every Int key of a worker, each with its own value (1..18).
    const std::vector<std::pair<std::string, Int Worker::*>> worker_ints = {
        {"id", &Worker::id}, {"pid", &Worker::pid}, {"accepting", &Worker::accepting},
        {"requests", &Worker::requests}, {"delta_requests", &Worker::delta_requests},
        {"exceptions", &Worker::exceptions}, {"harakiri_count", &Worker::harakiri_count},
        {"signals", &Worker::signals}, {"signal_queue", &Worker::signal_queue}, {"rss", &Worker::rss},
        {"vsz", &Worker::vsz}, {"running_time", &Worker::running_time}, {"last_spawn", &Worker::last_spawn},
        {"respawn_count", &Worker::respawn_count}, {"tx", &Worker::tx}, {"avg_rt", &Worker::avg_rt},
        {"uss", &Worker::uss}, {"pss", &Worker::pss},
    };
    auto worker_doc = [&](const std::vector<std::size_t>& order) {
        std::string doc = "{\"workers\":[{";
        for (std::size_t i : order) {
            doc += "\"" + worker_ints[i].first + "\":" + std::to_string(i + 1) + ",";
        }
        return doc + "\"status\":\"busy\"}]}";
    };
    auto check_worker = [&]() {
        REQUIRE(snap.workers.size() == 1);
        for (std::size_t i = 0; i < worker_ints.size(); ++i) {
            CAPTURE(worker_ints[i].first);
            CHECK(snap.workers[0].*(worker_ints[i].second) == static_cast<int64_t>(i + 1));
        }
        CHECK(snap.workers[0].status == "busy");
    };

    SUBCASE("keys in table order, reversed and shuffled fill the same members") {
        std::vector<std::size_t> order(worker_ints.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        REQUIRE(parse_text(parser, worker_doc(order), snap).is_ok());
        check_worker();
        std::reverse(order.begin(), order.end());
        REQUIRE(parse_text(parser, worker_doc(order), snap).is_ok());
        check_worker();
        std::mt19937 rng(3);
        for (int round = 0; round < 20; ++round) {
            std::shuffle(order.begin(), order.end(), rng);
            REQUIRE(parse_text(parser, worker_doc(order), snap).is_ok());
            check_worker();
        }
    }
    SUBCASE("a key that differs from the expected one in a single byte is unknown") {
        // "offloaded_requests" is 18 bytes: byte 8 is only in the middle word.
        REQUIRE(parse_text(parser,
                           "{\"workers\":[{\"cores\":[{\"id\":1,\"requests\":2,\"static_requests\":3,"
                           "\"routed_requests\":4,\"offloadeX_requests\":5,\"offloaded_requestX\":6,"
                           "\"Xffloaded_requests\":7,\"writeXerrors\":8,\"read_errorX\":9,\"in_requesX\":1,"
                           "\"ix\":5,\"xd\":5,\"\":5,\"a_key_longer_than_twenty_four_bytes\":5}]}]}",
                           snap).is_ok());
        REQUIRE(snap.cores.size() == 1);
        const Core& c = snap.cores[0];
        CHECK(c.id == 1);
        CHECK(c.routed_requests == 4);
        CHECK_FALSE(c.offloaded_requests.has_value());
        CHECK_FALSE(c.write_errors.has_value());
        CHECK_FALSE(c.read_errors.has_value());
        CHECK_FALSE(c.in_request.has_value());
        // the expected key comes later, after the misses
        REQUIRE(parse_text(parser, "{\"workers\":[{\"cores\":[{\"iX\":7,\"id\":8}]}]}", snap).is_ok());
        CHECK(snap.cores.at(0).id == 8);
    }
    SUBCASE("keys after the last entry of a table, and repeated ones") {
        REQUIRE(parse_text(parser,
                           "{\"workers\":[{\"uss\":1,\"pss\":2,\"pss\":3,\"more\":4,\"id\":5,\"id\":6}],"
                           "\"pid\":7,\"subscriptions\":[],\"pid\":8}",
                           snap).is_ok());
        CHECK(snap.workers.at(0).pss == 3);
        CHECK(snap.workers.at(0).id == 6);
        CHECK(snap.pid == 8);
    }
    SUBCASE("known names inside unknown containers fill nothing") {
        REQUIRE(parse_text(parser,
                           "{\"future\":{\"pid\":5,\"workers\":[{\"id\":1}],\"cwd\":\"x\"},\"pid\":3,"
                           "\"workers\":[{\"id\":1,\"extra\":{\"rss\":5,\"id\":9,\"status\":\"s\"},"
                           "\"extras\":[{\"rss\":6}],\"vsz\":2}]}",
                           snap).is_ok());
        CHECK(snap.pid == 3);
        CHECK(snap.cwd.empty());
        REQUIRE(snap.workers.size() == 1);
        CHECK(snap.workers[0].id == 1);
        CHECK_FALSE(snap.workers[0].rss.has_value());
        CHECK(snap.workers[0].status.empty());
        CHECK(snap.workers[0].vsz == 2);
    }
    SUBCASE("after a container ends, nothing is pending") {
        const Status st = parse_text(parser, "{\"workers\":[{\"id\":1,\"cores\":[{\"id\":0,\"req_info\":{}},7]}]}", snap);
        REQUIRE_FALSE(st.is_ok());
        CHECK(st.message().find("field \"cores\" expects an array of objects") != std::string::npos);
        const Status st2 = parse_text(parser, "{\"workers\":[{\"id\":1},\"x\"]}", snap);
        REQUIRE_FALSE(st2.is_ok());
        CHECK(st2.message().find("field \"workers\" expects an array of objects") != std::string::npos);
    }
    SUBCASE("locks: one per key, negative holders refused") {
        REQUIRE(parse_text(parser, "{\"locks\":[{\"user 0\":1,\"signal\":2},{\"rpc\":null}]}", snap).is_ok());
        REQUIRE(snap.locks.size() == 3);
        CHECK(snap.locks[0].name == "user 0");
        CHECK(snap.locks[0].pid == 1);
        CHECK(snap.locks[1].name == "signal");
        CHECK(snap.locks[1].pid == 2);
        CHECK_FALSE(snap.locks[2].pid.has_value());
        const Status st = parse_text(parser, "{\"locks\":[{\"user 0\":-1}]}", snap);
        REQUIRE_FALSE(st.is_ok());
        CHECK(st.message().find("number out of range for field \"locks\"") != std::string::npos);
    }
    SUBCASE("signed fields and error names out of order (hashed lookup)") {
        REQUIRE(parse_text(parser, "{\"crons\":[{\"pid\":-1,\"minute\":-2}],"
                                   "\"metrics\":{\"m\":{\"value\":-3,\"type\":1}}}", snap).is_ok());
        CHECK(snap.crons.at(0).pid == -1);
        CHECK(snap.crons.at(0).minute == -2);
        CHECK(snap.metrics.at(0).value == -3);
        const Status st = parse_text(parser, "{\"workers\":[{\"status\":1}]}", snap);
        CHECK(st.message().find("field \"status\" expects a string") != std::string::npos);
        const Status st2 = parse_text(parser, "{\"workers\":[{\"id\":\"1\"}]}", snap);
        CHECK(st2.message().find("field \"id\" expects a number") != std::string::npos);
        const Status st3 = parse_text(parser, "{\"workers\":[{\"cores\":[{\"req_info\":{\"request_start\":-5}}]}]}", snap);
        CHECK(st3.message().find("number out of range for field \"request_start\"") != std::string::npos);
    }
}

TEST_CASE("parse::Parser::parse 16,000 gevent cores") {
    // The shape of the big-async lab config: 16 workers x 1000 cores, ~4 MB.
    const std::string core =
        "\t\t\t\t{\n\t\t\t\t\t\"id\":%ID%,\n\t\t\t\t\t\"requests\":12,\n\t\t\t\t\t\"static_requests\":0,\n"
        "\t\t\t\t\t\"routed_requests\":0,\n\t\t\t\t\t\"offloaded_requests\":0,\n\t\t\t\t\t\"write_errors\":0,\n"
        "\t\t\t\t\t\"read_errors\":0,\n\t\t\t\t\t\"in_request\":0,\n\t\t\t\t\t\"vars\":[\n\n\t\t\t\t\t],\n"
        "\t\t\t\t\t\"req_info\":\t\t\t\t\t{\n\n\t\t\t\t\t}\n\t\t\t\t}";
    std::string doc = "{\n\t\"version\":\"2.0.21-debian\",\n\t\"pid\":1,\n\t\"workers\":[\n";
    for (int w = 0; w < 16; ++w) {
        doc += "\t\t{\n\t\t\t\"id\":" + std::to_string(w + 1) +
               ",\n\t\t\t\"requests\":100,\n\t\t\t\"status\":\"idle\",\n\t\t\t\"apps\":[\n\n\t\t\t],\n"
               "\t\t\t\"cores\":[\n";
        for (int c = 0; c < 1000; ++c) {
            std::string one = core;
            one.replace(one.find("%ID%"), 4, std::to_string(c));
            doc += one;
            doc += c < 999 ? ",\n" : "\n";
        }
        doc += "\t\t\t]\n\t\t}";
        doc += w < 15 ? ",\n" : "\n";
    }
    doc += "\t]\n}";
    CHECK(doc.size() > 3000000);

    Parser parser;
    Snapshot snap;
    for (int round = 0; round < 3; ++round) {
        Status st = parse_text(parser, doc, snap);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(snap.workers.size() == 16);
        CHECK(snap.cores.size() == 16000);
        CHECK(snap.vars.empty());
        CHECK(snap.cores[15999].worker_index == 15);
        CHECK(snap.cores[15999].id == 999);
        CHECK(snap.cores[1234].requests == 12);
        CHECK_FALSE(snap.cores[0].request_start.has_value());
        CHECK(snap.workers[15].cores.begin == 15000);
    }
    check_invariants(snap);
}

namespace {

// The full parse with its cores taken out: what a NoCores parse must equal.
std::string describe_without_cores(Snapshot& full) {
    for (Worker& w : full.workers) w.cores = Range{};
    full.cores.clear();
    full.vars.clear();
    return describe(full);
}

}  // namespace

TEST_CASE("parse::Parser::parse without cores") {
    Parser parser;
    Snapshot full, lean;

    SUBCASE("every capture: the same snapshot, less its cores") {
        for (const Expect& e : kFixtures) {
            CAPTURE(e.file);
            ByteBuffer a = read_fixture(e.file), b = read_fixture(e.file);
            REQUIRE(parser.parse(a, full).is_ok());
            const Status st = parser.parse(b, lean, ParseScope::NoCores);
            REQUIRE_MESSAGE(st.is_ok(), st.message());
            CHECK(lean.cores.empty());
            CHECK(lean.vars.empty());
            CHECK(lean.storage.size() <= full.storage.size());
            const bool any_cores = std::any_of(full.workers.begin(), full.workers.end(),
                                               [](const Worker& w) { return w.has_cores; });
            CHECK(lean.cores_skipped == any_cores);
            CHECK_FALSE(full.cores_skipped);
            check_invariants(lean);
            CHECK(describe(lean) == describe_without_cores(full));
        }
    }

    SUBCASE("uWSGI's unescaped output still goes through the repair") {
        // Raw control bytes always take the lenient path; invalid UTF-8 only
        // in request vars is passed over with the cores, so nothing needs repair.
        struct Case {
            const char* file;
            bool repaired;
        };
        for (const Case c : {Case{"weird-cwd.json", true}, Case{"weird-vars-ctl.json", true},
                             Case{"weird-vars-nonutf8.json", false}}) {
            CAPTURE(c.file);
            ByteBuffer a = read_fixture(c.file), b = read_fixture(c.file);
            REQUIRE(parser.parse(a, full).is_ok());
            REQUIRE(parser.parse(b, lean, ParseScope::NoCores).is_ok());
            CHECK(full.repaired);
            CHECK(lean.repaired == c.repaired);
            CHECK(lean.cores.empty());
            CHECK(lean.cwd == full.cwd);
            full.repaired = lean.repaired;
            CHECK(describe(lean) == describe_without_cores(full));
        }
    }

    SUBCASE("brackets and strings inside the skipped list") {
        const std::string doc =
            R"({"workers":[{"id":1,"cores":[{"id":0,"vars":["A=]}","B=\"[{","C=\\"],"req_info":{"x":[[]]}}],)"
            R"("requests":5,"cores":[{"id":1}]},{"id":2,"requests":7,"cores":[]}],"pid":9})";
        REQUIRE(parse_text(parser, doc, full).is_ok());
        REQUIRE(parse_text(parser, doc, lean).is_ok());  // reuses the parser: scope is per call
        CHECK(lean.cores.size() == 1);  // the repeated "cores" list replaced the first
        ByteBuffer bytes = bytes_of(doc);
        REQUIRE(parser.parse(bytes, lean, ParseScope::NoCores).is_ok());
        REQUIRE(lean.workers.size() == 2);
        CHECK(lean.workers[0].requests == 5);  // after a skipped list, and a repeated one
        CHECK(lean.workers[1].requests == 7);
        CHECK(lean.workers[0].has_cores);
        CHECK(lean.workers[1].has_cores);
        CHECK(lean.pid == 9);
        CHECK(lean.cores.empty());
        CHECK(describe(lean) == describe_without_cores(full));
    }

    SUBCASE("a broken list is parsed, and its error is the full parse's") {
        const std::string broken[] = {
            R"({"workers":[{"id":1,"cores":[{"id":0]}]}]})",                 // wrong closer
            R"({"workers":[{"id":1,"cores":[{"id":0,"vars":["unclosed]}]}]})",  // string runs off
            R"({"workers":[{"id":1,"cores":[{"id":0})",                       // truncated
            R"({"workers":[{"id":1,"cores":[)" + std::string(70, '[') + std::string(70, ']') + "]}]}",
        };
        for (const std::string& doc : broken) {
            CAPTURE(doc);
            const Status want = parse_text(parser, doc, full);
            REQUIRE_FALSE(want.is_ok());
            ByteBuffer bytes = bytes_of(doc);
            const Status got = parser.parse(bytes, lean, ParseScope::NoCores);
            CHECK_FALSE(got.is_ok());
            CHECK(got.message() == want.message());
        }
        // Inside the brackets only brackets and strings are checked: this list
        // is an error when parsed and passed over when not.
        const std::string loose = R"({"workers":[{"id":1,"cores":[1 2 tru],"requests":3}]})";
        CHECK_FALSE(parse_text(parser, loose, full).is_ok());
        ByteBuffer bytes = bytes_of(loose);
        REQUIRE(parser.parse(bytes, lean, ParseScope::NoCores).is_ok());
        CHECK(lean.workers.at(0).requests == 3);
    }

    SUBCASE("cores nest as deep as a parse allows") {
        // Objects nested `levels` deep as the one core: the parse refuses them
        // past kMaxDepth, and so must the skip (then the parse says so).
        const auto doc_with = [](int levels) {
            std::string d = R"({"workers":[{"id":1,"cores":[)";
            for (int i = 1; i < levels; ++i) d += R"({"a":)";
            d += "{}" + std::string(levels - 1, '}') + "]}]}";
            return d;
        };
        int deepest_ok = 0;
        for (int levels = 50; levels <= 70; ++levels) {
            CAPTURE(levels);
            const Status want = parse_text(parser, doc_with(levels), full);
            ByteBuffer bytes = bytes_of(doc_with(levels));
            const Status got = parser.parse(bytes, lean, ParseScope::NoCores);
            CHECK(got.is_ok() == want.is_ok());
            CHECK(got.message() == want.message());
            if (want.is_ok()) deepest_ok = levels;
        }
        CHECK(deepest_ok == 60);  // top, root, workers, worker, cores: 4 + 60 = kMaxDepth
    }
}

}  // TEST_SUITE
