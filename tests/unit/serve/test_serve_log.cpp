// test_serve_log.cpp — the exporter's log: levels, and refusals rate-limited
// to the first of a kind plus one count per minute (serve_log.hpp).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "uwsgitop/serve/serve_log.hpp"

using namespace uwsgitop;

namespace {

struct Lines {
    std::vector<std::string> lines;
    ServeLog::Sink sink() {
        return [this](const std::string& l) { lines.push_back(l); };
    }
};

}  // namespace

TEST_CASE("a refusal kind logs its first one, then one count when its minute ends") {
    Lines out;
    ServeLog log(LogLevel::Info, out.sink());
    log.refused("401 credentials", "user \"x\" from 127.0.0.1", 100);
    REQUIRE(out.lines.size() == 1);
    CHECK(out.lines[0] == "uwsgitop: refused (401 credentials): user \"x\" from 127.0.0.1\n");
    for (int i = 1; i <= 500; ++i) log.refused("401 credentials", "flood", 100 + i * 0.1);
    log.refused("403 probe target", "target \"/x/../y\" refused", 101);
    CHECK(out.lines.size() == 2);   // another kind has its own window
    log.tick(159.9);
    CHECK(out.lines.size() == 2);
    log.tick(160);
    REQUIRE(out.lines.size() == 3);
    CHECK(out.lines[2] == "uwsgitop: refused (401 credentials): 500 more in the last 60 s\n");
    log.tick(161);   // the 403 window had no more: no count line
    CHECK(out.lines.size() == 3);
    log.refused("401 credentials", "again", 170);   // a new window: logged at once
    REQUIRE(out.lines.size() == 4);
    CHECK(out.lines[3] == "uwsgitop: refused (401 credentials): again\n");
}

TEST_CASE("a long detail is cut, at a UTF-8 boundary") {
    Lines out;
    ServeLog log(LogLevel::Info, out.sink());
    std::string url = "\"/" + std::string(ServeLog::kMaxDetail - 3, 'a') + "\xc3\xa9" + std::string(30000, 'b');
    log.refused("404 path", url, 0);
    REQUIRE(out.lines.size() == 1);
    const std::string& l = out.lines[0];
    CHECK(l.size() < ServeLog::kMaxDetail + 40);
    CHECK(l.find("\xc3") == std::string::npos);   // the two-byte character is not split: left out whole
    CHECK(l.substr(l.size() - 4) == "...\n");
}

TEST_CASE("counts handed in at once: the first has its line, the rest are summed") {
    Lines out;
    ServeLog log(LogLevel::Warn, out.sink());
    log.refused_many("request deadline", 0, "none", 0);
    CHECK(out.lines.empty());
    log.refused_many("request deadline", 40, "a connection sent no whole request within 5 s: closed", 0);
    log.refused_many("request deadline", 2, "x", 10);
    log.tick(60);
    REQUIRE(out.lines.size() == 2);
    CHECK(out.lines[1] == "uwsgitop: refused (request deadline): 41 more in the last 60 s\n");
}

TEST_CASE("levels: error keeps only errors, debug logs every refusal") {
    Lines quiet;
    ServeLog error_only(LogLevel::Error, quiet.sink());
    error_only.refused("404 path", "x", 0);
    error_only.line(LogLevel::Warn, "target down");
    error_only.line(LogLevel::Info, "reload");
    error_only.line(LogLevel::Error, "reload: bad file");
    REQUIRE(quiet.lines.size() == 1);
    CHECK(quiet.lines[0] == "uwsgitop: reload: bad file\n");

    Lines all;
    ServeLog debug(LogLevel::Debug, all.sink());
    for (int i = 0; i < 3; ++i) debug.refused("404 path", "\"/x\" from 127.0.0.1", i);
    debug.refused_many("connection limit", 2, "closed", 3);
    CHECK(all.lines.size() == 4);
    CHECK(all.lines[3] == "uwsgitop: refused (connection limit): closed (x2)\n");
    debug.tick(100);
    CHECK(all.lines.size() == 4);

    Lines info;
    ServeLog normal(LogLevel::Info, info.sink());
    normal.line(LogLevel::Debug, "libmicrohttpd: chatter");
    normal.line(LogLevel::Info, "serving");
    CHECK(info.lines.size() == 1);
}

TEST_CASE("finish() counts the windows still open, with their length so far") {
    Lines out;
    ServeLog log(LogLevel::Info, out.sink());
    log.refused("400 plain HTTP", "from 127.0.0.1", 100);
    for (int i = 0; i < 7; ++i) log.refused("400 plain HTTP", "again", 101);
    log.refused("404 path", "\"/x\"", 102);
    log.finish(112.5);
    REQUIRE(out.lines.size() == 3);
    CHECK(out.lines[2] == "uwsgitop: refused (400 plain HTTP): 7 more in the last 13 s\n");
    log.finish(113);   // nothing left
    CHECK(out.lines.size() == 3);
}
