// Unit tests for dump.hpp: json, tsv/csv and table output.
#include <doctest/doctest.h>

#include <rapidjson/document.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include "uwsgitop/output/dump.hpp"
#include "uwsgitop/parse/parse.hpp"

using namespace uwsgitop;

namespace {

// Two workers; the second has an in-flight request whose vars carry bytes a
// terminal or a JSON reader must not get raw.
struct Fixture {
    Snapshot snap;
    Rates rates;
    std::string text_store;
    Fixture() {
        snap.kind = SnapshotKind::Master;
        snap.version = "2.0.21";
        snap.pid = 77;
        snap.cwd = "/srv/we\"ird\\dir";
        snap.listen_queue = 3;
        for (int i = 0; i < 2; ++i) {
            Worker w;
            w.id = i + 1;
            w.pid = 100 + i;
            w.requests = 10 * (i + 1);
            w.exceptions = i;
            w.status = i ? "busy" : "idle";
            w.tx = 2048 * (i + 1);
            w.rss = 11788288;
            w.has_cores = true;
            w.cores = Range{static_cast<uint32_t>(snap.cores.size()), 1};
            Core c;
            c.worker_index = static_cast<uint32_t>(i);
            c.id = 0;
            c.requests = 10 * (i + 1);
            c.in_request = i;
            if (i) {
                c.vars = Range{static_cast<uint32_t>(snap.vars.size()), 3};
                snap.vars.push_back("REQUEST_METHOD=GET");
                snap.vars.push_back("REQUEST_URI=/x\x1b[2J\xff");
                snap.vars.push_back("HTTP_X=a,b\tc");
                c.request_start = 1000;
            }
            snap.cores.push_back(c);
            snap.workers.push_back(w);
        }
        rates.workers = {{1.5, 0, 100}, {std::nan(""), std::nan(""), std::nan("")}};
        rates.cores = {{1.5}, {std::nan("")}};
        rates.total_requests = 1.5;
        rates.interval = 2;
    }
};

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

}  // namespace

TEST_SUITE("dump") {

TEST_CASE("dump::append_json_string escapes and repairs") {
    std::string s;
    append_json_string(s, "a\"b\\c\n\x01\xff\xC3\xBC");
    CHECK(s == "\"a\\\"b\\\\c\\u000a\\u0001\xEF\xBF\xBD\xC3\xBC\"");
}

TEST_CASE("dump::json stays valid for a time too large to write in fixed point (a recorded t of 1e300)") {
    Fixture f;
    f.rates.interval = 1e300;
    std::string out;
    dump_json(f.snap, &f.rates, 1e300, DumpOptions{}, out);
    CHECK(out.find(":-") == std::string::npos);
    rapidjson::Document d;
    d.Parse(out.c_str());
    REQUIRE_FALSE(d.HasParseError());
    CHECK(d["uwsgitop"]["time"].IsNull());
    CHECK(d["uwsgitop"]["interval"].IsNull());
}

TEST_CASE("dump::json is valid and keeps uWSGI's names") {
    Fixture f;
    DumpOptions opt;
    opt.address = "127.0.0.1:9191";
    std::string out;
    dump_json(f.snap, &f.rates, 1234.5, opt, out);
    REQUIRE(!out.empty());
    CHECK(out.back() == '\n');
    CHECK(out.find('\n') == out.size() - 1);  // one line
    rapidjson::Document d;
    d.Parse<rapidjson::kParseValidateEncodingFlag>(out.c_str());
    REQUIRE_FALSE(d.HasParseError());
    CHECK(std::string(d["version"].GetString()) == "2.0.21");
    CHECK(std::string(d["cwd"].GetString()) == "/srv/we\"ird\\dir");
    CHECK(d["pid"].GetInt() == 77);
    CHECK(d["load"].IsNull());  // unknown stays null
    CHECK(std::string(d["uwsgitop"]["address"].GetString()) == "127.0.0.1:9191");
    CHECK(d["uwsgitop"]["interval"].GetDouble() == doctest::Approx(2.0));
    const auto& w = d["workers"];
    REQUIRE(w.Size() == 2);
    CHECK(w[0]["requests"].GetInt() == 10);
    CHECK(w[1]["requests"].GetInt() == 20);
    CHECK(w[0]["rps"].GetDouble() == doctest::Approx(1.5));
    CHECK(w[1]["rps"].IsNull());
    CHECK(w[0]["harakiri_count"].IsNull());
    CHECK(w[1]["share"].GetDouble() == doctest::Approx(66.667));
    const auto& vars = w[1]["cores"][0]["vars"];
    REQUIRE(vars.Size() == 3);
    CHECK(std::string(vars[1].GetString()) == "REQUEST_URI=/x\x1b[2J\xEF\xBF\xBD");
    CHECK(w[1]["cores"][0]["req_info"]["request_start"].GetInt() == 1000);
}

TEST_CASE("dump::tsv and csv") {
    Fixture f;
    DumpOptions opt;
    opt.format = OutputFormat::Tsv;
    opt.columns = {ColumnId::Id, ColumnId::Requests, ColumnId::Rps, ColumnId::Status, ColumnId::Rss};
    opt.sort = SortSpec{ColumnId::Requests, true};
    std::string out;
    dump_delimited(f.snap, &f.rates, 0, opt, out);
    CHECK(out == "id\trequests\trps\tstatus\trss\n"
                 "2\t20\t\tbusy\t11788288\n"
                 "1\t10\t1.500\tidle\t11788288\n");
    out.clear();
    opt.format = OutputFormat::Csv;
    opt.cores = true;
    opt.columns = {ColumnId::Id, ColumnId::Core, ColumnId::Uri, ColumnId::Remote};
    opt.sort = SortSpec{ColumnId::Id, false};
    dump_delimited(f.snap, &f.rates, 0, opt, out);
    CHECK(out == "id,core,uri,remote\n"
                 "1,0,,\n"
                 "2,0,/x\\x1b[2J\\xff,\n");
    out.clear();
    opt.batch = true;
    opt.header = false;
    opt.columns = {ColumnId::Id};
    dump_delimited(f.snap, &f.rates, 5.25, opt, out);
    CHECK(out == "5.250,1\n5.250,2\n");
}

TEST_CASE("dump::table has no raw control bytes") {
    Fixture f;
    DumpOptions opt;
    opt.address = "x:1";
    opt.cores = true;
    opt.columns = {ColumnId::Id, ColumnId::Status, ColumnId::Uri};
    std::string out;
    dump_table(f.snap, &f.rates, 1000, opt, out);
    for (char c : out) CHECK((static_cast<unsigned char>(c) >= 0x20 || c == '\n'));
    CHECK(out.find("/x\\x1b[2J\\xff") != std::string::npos);
    CHECK(out.find("WID") != std::string::npos);
}

TEST_CASE("dump::table of a real capture (golden)") {
    const std::string dir = UWSGITOP_TEST_FIXTURES;
    std::string bytes = read_file(dir + "/prefork-1.json");
    REQUIRE(!bytes.empty());
    uwsgitop::ByteBuffer buf(bytes.begin(), bytes.end());
    Snapshot snap;
    Parser parser;
    REQUIRE(parser.parse(buf, snap).is_ok());
    setenv("TZ", "UTC", 1);
    tzset();
    DumpOptions opt;
    opt.address = "127.0.0.1:9191";
    std::string out;
    dump_table(snap, nullptr, 1795547029.0, opt, out);
    const std::string golden = read_file(dir + "/../golden/prefork-1.table.txt");
    if (golden != out) {
        std::ofstream(dir + "/../golden/prefork-1.table.txt.actual") << out;
    }
    CHECK(golden == out);
}

TEST_CASE("dump::append_event_json: one valid JSON line, worker only when involved, server text escaped") {
    Event e;
    e.time = 1764654000.12;
    e.instance = "127.0.0.1:9191";
    e.kind = EventKind::Harakiri;
    e.worker = 3;
    e.facts = {{"count", int64_t{1}}, {"uri", std::string("/a\"b\x01")}, {"running_for", 2.5}};
    std::string out;
    append_event_json(e, out);
    CHECK(out == "{\"time\": 1764654000.120, \"instance\": \"127.0.0.1:9191\", \"kind\": \"harakiri\", "
                 "\"worker\": 3, \"count\": 1, \"uri\": \"/a\\\"b\\u0001\", \"running_for\": 2.500}\n");
    rapidjson::Document d;
    d.Parse(out.c_str(), out.size() - 1);
    CHECK_FALSE(d.HasParseError());
    Event down;
    down.kind = EventKind::Down;
    down.facts = {{"error", std::string("refused")}};
    out.clear();
    append_event_json(down, out);
    CHECK(out.find("worker") == std::string::npos);
    CHECK(out.find("\"kind\": \"down\"") != std::string::npos);
}

TEST_CASE("dump::append_event_json: a captured stack is the \"stack\" member, frames outermost first") {
    Event e;
    e.kind = EventKind::Stuck;
    e.worker = 2;
    e.facts = {{"pid", int64_t{4711}}, {"seconds", int64_t{6}}};
    StackFrame outer;
    outer.thread = "uWSGIWorker2Core0";
    outer.file = "app.py";
    outer.line = 7;
    outer.function = "application";
    outer.code = "middle(6)";
    StackFrame inner = outer;
    inner.line = 3;
    inner.function = "inner";
    inner.code = "time.sleep(\"n\")";
    inner.line = Int{};
    e.stack = {outer, inner};
    std::string out;
    append_event_json(e, out);
    rapidjson::Document d;
    d.Parse(out.c_str(), out.size() - 1);
    REQUIRE_FALSE(d.HasParseError());
    REQUIRE(d["stack"].IsArray());
    REQUIRE(d["stack"].Size() == 2);
    CHECK(std::string(d["stack"][0]["function"].GetString()) == "application");
    CHECK(d["stack"][0]["line"].GetInt() == 7);
    CHECK(d["stack"][1]["line"].IsNull());
    CHECK(std::string(d["stack"][1]["code"].GetString()) == "time.sleep(\"n\")");
    CHECK(std::string(d["stack"][1]["thread"].GetString()) == "uWSGIWorker2Core0");
    CHECK(std::string(d["stack"][0]["file"].GetString()) == "app.py");
    e.stack.clear();
    out.clear();
    append_event_json(e, out);
    CHECK(out.find("stack") == std::string::npos);
}

}  // TEST_SUITE

namespace {

// Worker 1's stack was read (two threads); worker 2's was not.
std::vector<WorkerStack> two_stacks() {
    WorkerStack one;
    one.worker_id = 1;
    one.read = true;
    one.frames = {{"uWSGIWorker1Core0", "app.py", 7, "application", "middle(6)"},
                  {"uWSGIWorker1Core0", "app.py", 3, "inner", "time.sleep(n)"},
                  {"Thread-1", "\\x1b[2J.py", {}, "run", ""}};
    WorkerStack two;
    two.worker_id = 2;
    two.reason = "worker 2, pid 101: refused";
    return {one, two};
}

}  // namespace

TEST_CASE("dump::--stacks: json workers[].stack, null when not read; no member without --stacks") {
    Fixture f;
    const std::vector<WorkerStack> stacks = two_stacks();
    DumpOptions opt;
    std::string plain;
    dump_json(f.snap, &f.rates, 1234.5, opt, plain);
    CHECK(plain.find("\"stack\"") == std::string::npos);
    opt.stacks = &stacks;
    std::string out;
    dump_json(f.snap, &f.rates, 1234.5, opt, out);
    rapidjson::Document d;
    d.Parse<rapidjson::kParseValidateEncodingFlag>(out.c_str());
    REQUIRE_FALSE(d.HasParseError());
    const auto& s = d["workers"][0]["stack"];
    REQUIRE(s.IsArray());
    REQUIRE(s.Size() == 3);
    CHECK(std::string(s[0]["thread"].GetString()) == "uWSGIWorker1Core0");
    CHECK(std::string(s[0]["file"].GetString()) == "app.py");
    CHECK(s[0]["line"].GetInt() == 7);
    CHECK(std::string(s[0]["function"].GetString()) == "application");
    CHECK(std::string(s[0]["code"].GetString()) == "middle(6)");
    CHECK(s[2]["line"].IsNull());
    CHECK(d["workers"][1]["stack"].IsNull());
}

TEST_CASE("dump::--stacks: the table writes each thread and frame under its worker's row") {
    Fixture f;
    const std::vector<WorkerStack> stacks = two_stacks();
    DumpOptions opt;
    opt.columns = {ColumnId::Id, ColumnId::Pid};
    opt.sort = SortSpec{ColumnId::Id, false};
    opt.stacks = &stacks;
    std::string out;
    dump_table(f.snap, &f.rates, 1234.5, opt, out);
    const std::string expected =
        "  1  100\n"
        "    thread uWSGIWorker1Core0\n"
        "      app.py:7 application\n"
        "        middle(6)\n"
        "      app.py:3 inner\n"
        "        time.sleep(n)\n"
        "    thread Thread-1\n"
        "      \\x1b[2J.py:? run\n"
        "  2  101\n";
    CHECK(out.find(expected) != std::string::npos);
    opt.cores = true;  // core rows: no stacks
    out.clear();
    dump_table(f.snap, &f.rates, 1234.5, opt, out);
    CHECK(out.find("thread") == std::string::npos);
}
