// Unit tests for options.hpp: the command line.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "uwsgitop/settings/fetch_setup.hpp"
#include "uwsgitop/settings/options.hpp"

using namespace uwsgitop;

namespace {

Status parse(std::vector<const char*> args, Options& o, const char* env = nullptr) {
    args.insert(args.begin(), "uwsgitop");
    return parse_options(static_cast<int>(args.size()), args.data(), env, o);
}

}  // namespace

TEST_SUITE("options") {

TEST_CASE("options::defaults and an address") {
    Options o;
    REQUIRE(parse({"127.0.0.1:9191"}, o).is_ok());
    CHECK(o.addresses == std::vector<std::string>{"127.0.0.1:9191"});
    CHECK_FALSE(o.once);
    CHECK(o.interval == 1.0);
    CHECK(o.sort.column == ColumnId::Requests);
    CHECK(o.sort.descending);
}

TEST_CASE("options::what makes a fleet") {
    Options o;
    REQUIRE(parse({"127.0.0.1:9191"}, o).is_ok());
    CHECK_FALSE(o.fleet());
    for (const std::vector<const char*>& args :
         {std::vector<const char*>{"a:1", "b:2"}, {"--follow-vassals", "127.0.0.1:9000"},
          {"--once", "--format", "prometheus", "a:1"}, {"--serve-metrics", "127.0.0.1:9117", "a:1"}}) {
        Options f;
        REQUIRE(parse(args, f).is_ok());
        CAPTURE(args.front());
        CHECK(f.fleet());
    }
}

TEST_CASE("options::once with format, sort and columns") {
    Options o;
    REQUIRE(parse({"--once", "--format", "json", "--sort=-pid", "-c", "id,pid", ":9191"}, o).is_ok());
    CHECK(o.once);
    CHECK(o.format == OutputFormat::Json);
    CHECK(o.sort.column == ColumnId::Pid);
    CHECK(o.sort.descending);  // pid is naturally ascending, '-' flips
    CHECK(o.columns.size() == 2);
}

TEST_CASE("options::batch") {
    Options o;
    REQUIRE(parse({"--batch", "-n", "3", "-d", "0.5", "x:1"}, o).is_ok());
    CHECK(o.batch);
    CHECK(o.iterations == 3);
    CHECK(o.interval == 0.5);
}

TEST_CASE("options::environment address") {
    Options o;
    REQUIRE(parse({"--once"}, o, "file:/tmp/x.json").is_ok());
    CHECK(o.addresses.front() == "file:/tmp/x.json");
    REQUIRE(parse({"--once", "a:1"}, o, "file:/tmp/x.json").is_ok());
    CHECK(o.addresses.front() == "a:1");
}

TEST_CASE("options::usage errors are one clear line") {
    Options o;
    struct Case {
        std::vector<const char*> args;
        const char* needle;
    };
    const Case cases[] = {
        {{}, "no address"},
        {{"--frequency", "-1", "a:1"}, "out of range"},
        {{"--frequency", "abc", "a:1"}, "not a number"},
        {{"-n", "0", "--batch", "a:1"}, "out of range"},
        {{"--timeout", "1e9", "a:1"}, "out of range"},
        {{"--sort", "nosuch", "a:1"}, "nosuch"},
        {{"--columns", "id,nosuch", "a:1"}, "nosuch"},
        {{"--format", "xml", "--once", "a:1"}, "xml"},
        {{"--format", "json", "a:1"}, "--once"},
        {{"--format", "json", "--demo"}, "--once"},
        {{"--bogus", "a:1"}, "--bogus"},
        {{"--once", "--batch", "a:1"}, "exclude"},
        {{"--demo", "a:1"}, "ADDRESS"},
        {{"--once=yes", "a:1"}, "no value"},
        {{"a:1", "--timeout"}, "needs a value"},
        {{"--speed", "-1", "--demo"}, "out of range"},
        {{"--demo", "--follow-vassals"}, "--follow-vassals"},
        {{"--web-config-file", "w.yml", "a:1"}, "go with --serve-metrics"},
        {{"--probe-allow", "*", "--once", "a:1"}, "go with --serve-metrics"},
        {{"--web-max-connections", "9", "a:1"}, "go with --serve-metrics"},
        {{"--serve-metrics", ":1", "--web-max-connections", "0", "a:1"}, "out of range"},
        {{"--serve-metrics", ":1", "--web-idle-timeout", "0.5", "a:1"}, "whole number"},
        {{"--serve-metrics", ":1", "--web-max-request-size", "1", "a:1"}, "out of range"},
        {{"--serve-metrics", ":1", "--web-request-timeout", "0", "a:1"}, "out of range"},
        {{"--web-request-timeout", "3", "a:1"}, "go with --serve-metrics"},
        {{"--serve-metrics", ":1", "--log-level", "loud", "a:1"}, "--log-level: unknown level \"loud\" (valid: error, warn, info, debug)"},
        {{"--serve-metrics", ":1", "--probe-allow=", "a:1"}, "empty pattern"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.needle);
        Status st = parse(c.args, o);
        CHECK_FALSE(st.is_ok());
        CHECK(st.message().find(c.needle) != std::string::npos);
    }
}

TEST_CASE("options::help and version need no address") {
    Options o;
    CHECK(parse({"--help"}, o).is_ok());
    CHECK(o.help);
    CHECK(parse({"-V"}, o).is_ok());
    CHECK(o.version);
    const std::string u = usage_text();
    for (const OptionDoc& d : option_docs()) CHECK(u.find("--" + std::string(d.long_name)) != std::string::npos);
}

}  // TEST_SUITE

TEST_CASE("options::the metrics server's options") {
    Options o;
    REQUIRE(parse({"--serve-metrics", ":9117", "--web-config-file", "/etc/uwsgitop/web.yml", "--probe-allow",
                   "127.0.0.1:*", "--probe-allow=/run/uwsgi/*.sock", "--web-max-connections", "100",
                   "--web-max-connections-per-ip", "0", "--web-idle-timeout", "5", "--web-request-timeout", "2.5", "--web-max-request-size", "8",
                   "--scrape-timeout-offset", "0.25", "a:1"},
                  o)
                .is_ok());
    CHECK(o.serve_metrics == ":9117");
    CHECK(o.web_config_file == "/etc/uwsgitop/web.yml");
    CHECK(o.probe_allow == std::vector<std::string>{"127.0.0.1:*", "/run/uwsgi/*.sock"});
    CHECK(o.web_max_connections == 100);
    CHECK(o.web_max_connections_per_ip == 0);
    CHECK(o.web_idle_timeout == 5);
    CHECK(o.web_request_timeout == 2.5);
    CHECK(o.web_max_request_kib == 8);
    CHECK(o.scrape_timeout_offset == 0.25);

    Options d;
    REQUIRE(parse({"--serve-metrics", "127.0.0.1:9117", "a:1"}, d).is_ok());
    CHECK(d.web_max_connections == 512);
    CHECK(d.web_max_connections_per_ip == 64);
    CHECK(d.web_idle_timeout == 10);
    CHECK(d.web_request_timeout == 5);
    CHECK(d.log_level == LogLevel::Info);
    Options w;
    REQUIRE(parse({"--serve-metrics", "127.0.0.1:9117", "--log-level", "warn", "a:1"}, w).is_ok());
    CHECK(w.log_level == LogLevel::Warn);
    CHECK(d.web_max_request_kib == 32);
    CHECK(d.scrape_timeout_offset == 0.5);
    CHECK(d.probe_allow.empty());

    // --probe-allow alone is a pure multi-target exporter: no target needed.
    Options p;
    REQUIRE(parse({"--serve-metrics", "127.0.0.1:9117", "--probe-allow", "127.0.0.1:*"}, p).is_ok());
    CHECK(p.addresses.empty());
    CHECK(p.probe_only());
    std::vector<Target> none;
    CHECK(collect_targets(p, none).is_ok());
    CHECK(none.empty());
    Options q;
    CHECK(parse({"--serve-metrics", "127.0.0.1:9117"}, q).message().find("no address given") == 0);

    Options f;
    REQUIRE(parse({"--once", "--format", "openmetrics", "a:1"}, f).is_ok());
    CHECK(f.format == OutputFormat::OpenMetrics);
    CHECK(f.fleet());
}

TEST_CASE("options::--replay with a --format and no --once/--batch is --batch over the recording") {
    Options o;
    REQUIRE(parse({"--replay", "incident.jsonl", "--speed", "0", "--format", "events"}, o).is_ok());
    CHECK(o.batch);
    CHECK_FALSE(o.once);
    CHECK(o.iterations == 0);  // the whole recording
    REQUIRE(parse({"--replay", "incident.jsonl", "--format", "tsv", "-n", "5"}, o).is_ok());
    CHECK(o.batch);
    CHECK(o.iterations == 5);
    REQUIRE(parse({"--replay", "incident.jsonl", "--once", "--format", "json"}, o).is_ok());
    CHECK_FALSE(o.batch);
    REQUIRE(parse({"--replay", "incident.jsonl"}, o).is_ok());  // the screen
    CHECK_FALSE(o.batch);
}

TEST_CASE("options::--stacks and --tracebacker") {
    Options o;
    REQUIRE(parse({"--once", "--stacks", "--tracebacker", "/run/app/tb", "/run/app/stats.sock"}, o).is_ok());
    CHECK(o.stacks);
    CHECK(o.tracebacker == "/run/app/tb");
    REQUIRE(parse({"--batch", "--stacks", "-o", "json", ":9191"}, o).is_ok());
    CHECK(o.stacks);
    CHECK(parse({"--stacks", ":9191"}, o).message().find("--stacks goes with --once or --batch") == 0);
    CHECK(parse({"--once", "--stacks", "-o", "csv", ":9191"}, o).message() == "--stacks goes with --format table or json");
    CHECK(parse({"--once", "--stacks", ":9191", ":9192"}, o).message() == "--stacks and --tracebacker read one instance");
    CHECK(parse({"--once", "--tracebacker", "", ":9191"}, o).message() == "--tracebacker: empty prefix");
}
