// Tests for address.hpp: every accepted form and every malformed one.
#include <doctest/doctest.h>

#include <string>

#include "uwsgitop/source/address.hpp"

using uwsgitop::Address;
using uwsgitop::AddressKind;
using uwsgitop::parse_address;

namespace {

Address ok(const std::string& text) {
    Address a;
    const uwsgitop::Status st = parse_address(text, a);
    INFO("address: " << text << " error: " << st.message());
    REQUIRE(st.is_ok());
    CHECK(a.text == text);
    return a;
}

std::string error_of(const std::string& text) {
    Address a;
    const uwsgitop::Status st = parse_address(text, a);
    INFO("address: " << text);
    REQUIRE_FALSE(st.is_ok());
    CHECK(st.message().find('\n') == std::string::npos);
    CHECK(st.message().rfind("bad address \"", 0) == 0);
    return st.message();
}

}  // namespace

TEST_SUITE("address") {

TEST_CASE("address::parse_address TCP forms") {
    SUBCASE("IPv4 host and port") {
        const Address a = ok("127.0.0.1:9191");
        CHECK(a.kind == AddressKind::Tcp);
        CHECK(a.host == "127.0.0.1");
        CHECK(a.port == 9191);
    }
    SUBCASE("host name") {
        const Address a = ok("stats-host.example_1:1");
        CHECK(a.kind == AddressKind::Tcp);
        CHECK(a.host == "stats-host.example_1");
        CHECK(a.port == 1);
    }
    SUBCASE(":PORT means localhost") {
        const Address a = ok(":3031");
        CHECK(a.kind == AddressKind::Tcp);
        CHECK(a.host == "localhost");
        CHECK(a.port == 3031);
    }
    SUBCASE("bracketed IPv6") {
        const Address a = ok("[::1]:65535");
        CHECK(a.kind == AddressKind::Tcp);
        CHECK(a.host == "::1");
        CHECK(a.port == 65535);
        CHECK(ok("[fe80::1%lo]:80").host == "fe80::1%lo");
    }
}

TEST_CASE("address::parse_address unix, abstract, file, stdin") {
    SUBCASE("absolute and relative socket paths") {
        for (const char* p : {"/run/uwsgi/stats.sock", "./stats.sock", "../x/stats.sock", "/tmp/a:b.sock"}) {
            const Address a = ok(p);
            CHECK(a.kind == AddressKind::Unix);
            CHECK(a.path == p);
        }
    }
    SUBCASE("bare socket file names like the Python uwsgitop") {
        CHECK(ok("stats.sock").kind == AddressKind::Unix);
        CHECK(ok("run/stats").path == "run/stats");
    }
    SUBCASE("abstract") {
        const Address a = ok("@uwsgi-stats");
        CHECK(a.kind == AddressKind::Abstract);
        CHECK(a.path == "uwsgi-stats");
    }
    SUBCASE("file: and stdin") {
        const Address f = ok("file:/tmp/snap.json");
        CHECK(f.kind == AddressKind::File);
        CHECK(f.path == "/tmp/snap.json");
        CHECK(ok("file:rel/snap.json").path == "rel/snap.json");
        CHECK(ok("file:///abs.json").path == "/abs.json");
        CHECK(ok("-").kind == AddressKind::Stdin);
    }
}

TEST_CASE("address::parse_address HTTP forms") {
    SUBCASE("http and https URLs go to libcurl unchanged") {
        for (const char* u : {"http://127.0.0.1:9191/", "http://localhost:9191", "https://stats.example/x?y=1",
                              "http://[::1]:9191/", "HTTP://host/"}) {
            const Address a = ok(u);
            CHECK(a.kind == AddressKind::Http);
            CHECK(a.url == u);
        }
    }
    SUBCASE("http over a unix socket") {
        Address a = ok("http+unix:///run/stats.sock");
        CHECK(a.kind == AddressKind::HttpUnix);
        CHECK(a.path == "/run/stats.sock");
        a = ok("http+unix://%2Frun%2Fstats.sock/");
        CHECK(a.kind == AddressKind::HttpUnix);
        CHECK(a.path == "/run/stats.sock");
        a = ok("unix-http:/run/stats.sock");
        CHECK(a.kind == AddressKind::HttpUnix);
        CHECK(a.path == "/run/stats.sock");
        a = ok("unix-http:@stats");
        CHECK(a.kind == AddressKind::HttpUnix);
        CHECK(a.path == "@stats");
    }
}

TEST_CASE("address::parse_address malformed") {
    SUBCASE("the message names the text and the problem") {
        CHECK(error_of("host:99999") == "bad address \"host:99999\": port must be 1-65535");
        CHECK(error_of("host:0") == "bad address \"host:0\": port must be 1-65535");
        CHECK(error_of("host:abc").find("port must be a number") != std::string::npos);
        CHECK(error_of("host:").find("missing port") != std::string::npos);
        CHECK(error_of("host:-1").find("port must be a number") != std::string::npos);
        CHECK(error_of("host:123456789012345678901234").find("1-65535") != std::string::npos);
        CHECK(error_of("").find("empty") != std::string::npos);
        CHECK(error_of("[::1").find("']'") != std::string::npos);
        CHECK(error_of("[::1]").find(":PORT") != std::string::npos);
        CHECK(error_of("[nothex]:80").find("IPv6") != std::string::npos);
        CHECK(error_of("::1:9191").find("brackets") != std::string::npos);
        CHECK(error_of("a:b:c").find("too many") != std::string::npos);
        CHECK(error_of("@").find("abstract") != std::string::npos);
        CHECK(error_of("file:").find("file name") != std::string::npos);
        CHECK(error_of("garbage").find("HOST:PORT") != std::string::npos);
        CHECK(error_of("ho st:80").find("host name") != std::string::npos);
        CHECK(error_of("ftp://x/").find("scheme") != std::string::npos);
        CHECK(error_of("http://").find("no host") != std::string::npos);
        CHECK(error_of("http://h:0/").find("1-65535") != std::string::npos);
        CHECK(error_of("unix-http:").find("socket path") != std::string::npos);
        CHECK(error_of("unix-http:@").find("abstract") != std::string::npos);
        CHECK(error_of("http+unix://%zz/").find("escape") != std::string::npos);
    }
    SUBCASE("over-long socket paths") {
        CHECK(error_of("/" + std::string(200, 'a')).find("longer than") != std::string::npos);
        CHECK(error_of("@" + std::string(200, 'a')).find("too long") != std::string::npos);
    }
    SUBCASE("control characters are refused and shown escaped") {
        const std::string msg = error_of("host\x1b[31m:80");
        CHECK(msg.find('\x1b') == std::string::npos);
        CHECK(msg.find("\\x1b") != std::string::npos);
    }
}

TEST_CASE("address::address_forms_help lists every form") {
    const std::string help = uwsgitop::address_forms_help();
    for (const char* form : {"HOST:PORT", ":PORT", "[IPV6]:PORT", "@name", "http://", "http+unix://",
                             "unix-http:", "file:PATH", "-"}) {
        CHECK(help.find(form) != std::string::npos);
    }
}

}  // TEST_SUITE
