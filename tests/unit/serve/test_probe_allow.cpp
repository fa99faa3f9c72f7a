// test_probe_allow.cpp — /probe targets are parsed, refused, normalised and
// only then matched against the allow-list (probe_allow.hpp).
#include <doctest/doctest.h>

#include <string>

#include "uwsgitop/serve/probe_allow.hpp"

using namespace uwsgitop;

namespace {

// The normal form, or "REFUSED: why".
std::string normal(const std::string& target) {
    std::string out;
    const Status st = normalize_probe_target(target, out);
    return st ? out : "REFUSED: " + st.message();
}

bool refused(const std::string& target) { return normal(target).rfind("REFUSED: ", 0) == 0; }

bool allowed(const ProbeAllow& a, const std::string& target) {
    std::string n;
    return a.check(target, n).is_ok();
}

}  // namespace

TEST_CASE("normal forms: one spelling per address, the one that is polled") {
    CHECK(normal("127.0.0.1:1717") == "127.0.0.1:1717");
    CHECK(normal("127.1:01717") == "127.0.0.1:1717");
    CHECK(normal("2130706433:80") == "127.0.0.1:80");
    CHECK(normal("0x7f.0.0.1:80") == "127.0.0.1:80");
    CHECK(normal("LocalHost:80") == "localhost:80");
    CHECK(normal(":80") == "localhost:80");
    CHECK(normal("[0:0::1]:80") == "[::1]:80");
    CHECK(normal("/run/uwsgi/a.sock") == "/run/uwsgi/a.sock");
    CHECK(normal("@app-1") == "@app-1");
    CHECK(normal("HTTP://127.1:0080") == "http://127.0.0.1:80/");
    CHECK(normal("http://Host.Example/stats/") == "http://host.example/stats/");
    CHECK(normal("http://h:9/a%2db%7e?x=1/2") == "http://h:9/a-b~?x=1/2");
    CHECK(normal("http://h:9/a b") == "http://h:9/a%20b");
    CHECK(normal("http://h:9/%20") == "http://h:9/%20");
    CHECK(normal("http+unix:///run/x.sock") == "http+unix:///run/x.sock");
    CHECK(normal("http+unix://%2Frun%2Fx.sock") == "http+unix:///run/x.sock");
}

TEST_CASE("refused before any matching: userinfo, fragments, dot and empty components, NUL") {
    CHECK(normal("http://127.0.0.1:80@127.0.0.2:37171/") ==
          "REFUSED: userinfo ('@' before the host) is not allowed in a URL");
    CHECK(refused("http://user:pw@127.0.0.1:80/"));
    CHECK(refused("http://@127.0.0.1:80/"));
    CHECK(normal("http://127.0.0.1:80/#x") == "REFUSED: a URL fragment ('#') is not allowed");
    CHECK(refused("http://127.0.0.1:80\\@127.0.0.2/"));
    CHECK(normal("/srv/socks/../stats.sock") == "REFUSED: \"..\" component in the path");
    CHECK(normal("/srv/socks/./stats.sock") == "REFUSED: \".\" component in the path");
    CHECK(normal("/srv/socks//stats.sock") == "REFUSED: empty component in the path");
    CHECK(refused("/srv/socks/stats.sock/"));
    CHECK(refused("/srv/socks/.."));
    CHECK(refused("./stats.sock"));
    CHECK(refused("../stats.sock"));
    CHECK(refused("stats.sock"));
    CHECK(refused("http://127.0.0.1:80/a/%2E%2E/b"));
    CHECK(refused("http://127.0.0.1:80/a/%2e%2E"));
    CHECK(refused("http://127.0.0.1:80/a/%2E/b"));
    CHECK(refused("http://127.0.0.1:80/a//b"));
    CHECK(normal("http://127.0.0.1:80/a%00b") == "REFUSED: NUL byte in the path");
    CHECK(normal("http://127.0.0.1:80/%zz") == "REFUSED: bad %-escape in the URL path");
    CHECK(refused("http+unix://%2Fsrv%2F..%2Fx.sock"));
    CHECK(refused("http+unix:///srv/../x.sock"));
    CHECK(refused("file:/srv/../etc/passwd"));
    CHECK(normal("-") == "REFUSED: standard input cannot be probed");
    CHECK(refused(std::string("/srv/a\0b.sock", 13)));
    // Dots inside a name are not components.
    CHECK(normal("/srv/socks/..a/.b./stats.sock") == "/srv/socks/..a/.b./stats.sock");
}

TEST_CASE("the allow-list matches the normal form; a * never matches '/'") {
    const ProbeAllow a({"http://127.0.0.1:*/", "/srv/socks/*/stats.sock", "127.0.0.1:*", "@app-*"}, {});
    CHECK(allowed(a, "http://127.0.0.1:37171/"));
    CHECK(allowed(a, "http://127.1:37171"));   // normalised to http://127.0.0.1:37171/
    CHECK_FALSE(allowed(a, "http://127.0.0.1:80@127.0.0.2:37171/"));
    CHECK_FALSE(allowed(a, "http://127.0.0.1:80/x/"));   // * stops at '/'
    CHECK_FALSE(allowed(a, "http://127.0.0.2:80/"));
    CHECK(allowed(a, "/srv/socks/app/stats.sock"));
    CHECK_FALSE(allowed(a, "/srv/socks/../stats.sock"));
    CHECK_FALSE(allowed(a, "/srv/socks/a/b/stats.sock"));
    CHECK_FALSE(allowed(a, "/srv/socks//stats.sock"));
    CHECK(allowed(a, "127.0.0.1:9"));
    CHECK(allowed(a, "2130706433:9"));
    CHECK_FALSE(allowed(a, "127.0.0.2:9"));
    CHECK(allowed(a, "@app-x"));
    CHECK_FALSE(allowed(a, "@other"));
    std::string n;
    const Status st = a.check("/srv/socks/../stats.sock", n);
    CHECK(st.message() == "target \"/srv/socks/../stats.sock\" refused: \"..\" component in the path");
    const Status nomatch = a.check("127.0.0.2:9", n);
    CHECK(nomatch.message().find("matches no --probe-allow pattern (http://127.0.0.1:*/") != std::string::npos);
}

TEST_CASE("** is two stars, not a recursive glob") {
    const ProbeAllow a({"/srv/**/stats.sock"}, {});
    CHECK(allowed(a, "/srv/a/stats.sock"));
    CHECK_FALSE(allowed(a, "/srv/a/b/stats.sock"));
}

TEST_CASE("without patterns: the configured addresses, compared in normal form") {
    const ProbeAllow a({}, {":1717", "/run/a.sock", "./rel.sock", "http://127.0.0.1:9/"});
    CHECK(allowed(a, "localhost:1717"));
    CHECK(allowed(a, ":01717"));
    CHECK(allowed(a, "/run/a.sock"));
    CHECK(allowed(a, "http://127.1:9"));
    CHECK_FALSE(allowed(a, "./rel.sock"));   // relative: never probed
    CHECK_FALSE(allowed(a, "/run/b.sock"));
    CHECK_FALSE(allowed(a, "/run/x/../a.sock"));
}

namespace {
Status check(const ProbeAllow& a, const std::string& target) {
    std::string normal;
    return a.check(target, normal);
}
}  // namespace

TEST_CASE("probe allow-list: globs, or the configured addresses when none") {
    const ProbeAllow by_default({}, {"127.0.0.1:1717", "/run/app.sock"});
    CHECK(check(by_default, "127.0.0.1:1717").is_ok());
    CHECK(check(by_default, "/run/app.sock").is_ok());
    CHECK_FALSE(check(by_default, "127.0.0.1:1718").is_ok());
    CHECK(check(by_default, "10.0.0.1:1717").message().find("without --probe-allow only the configured") !=
          std::string::npos);

    const ProbeAllow globs({"127.0.0.1:*", "/run/uwsgi/*.sock", "@app-*"}, {"10.0.0.9:1"});
    CHECK(check(globs, "127.0.0.1:9191").is_ok());
    CHECK(check(globs, "/run/uwsgi/shop.sock").is_ok());
    CHECK(check(globs, "@app-shop").is_ok());
    CHECK_FALSE(check(globs, "10.0.0.9:1").is_ok());          // patterns replace the default
    CHECK_FALSE(check(globs, "/run/uwsgi/../../etc/x.sock").is_ok());   // * stops at '/'
    CHECK_FALSE(check(globs, "/run/uwsgi/sub/x.sock").is_ok());
    CHECK_FALSE(check(globs, "127.0.0.2:9191").is_ok());
    CHECK_FALSE(check(globs, "file:/etc/passwd").is_ok());
    const std::string msg = check(globs, "http://evil.example/").message();
    CHECK(msg.find("\"http://evil.example/\" refused: it matches no --probe-allow pattern (127.0.0.1:* /run/uwsgi/*.sock @app-*)") !=
          std::string::npos);
}
