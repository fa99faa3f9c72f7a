// Tests for repair.hpp: repair_json() on hand-made cases
// that mirror what uWSGI 2.0.21 really writes, and the lenient path end to
// end: real captures of unescaped output (tests/fixtures/weird-*, router-weird-key)
// parsed by Parser, which must recover the intended values.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "../../../src/parse/repair_detail.hpp"
#include "snapshot_checks.hpp"
#include "uwsgitop/parse/input_scan.hpp"
#include "uwsgitop/parse/parse.hpp"
#include "uwsgitop/parse/repair.hpp"

using namespace uwsgitop;
using namespace uwsgitop::testing;

namespace {

std::string repaired(std::string_view in) {
    uwsgitop::ByteBuffer out;
    repair_json(in, out);
    return std::string(out.begin(), out.end());
}

std::string fixture_text(const std::string& name) {
    uwsgitop::ByteBuffer v = uwsgitop::testing::read_fixture(name);
    return std::string(v.begin(), v.end());
}

}  // namespace

TEST_SUITE("repair") {

TEST_CASE("repair::repair_json leaves strict JSON alone") {
    const std::string docs[] = {
        "{\"a\":\"b\\\"c\",\"d\":[1,2,{\"e\":null}],\"f\":\"\\u00e9\\n\\\\\"}",
        "{\n\t\"cwd\":\"/srv/app\",\n\t\"locks\":[\n\t\t{\n\t\t\t\"user 0\":0\n\t\t}\n\t]\n}",
        "{\"s\":\"\\uD83D\\uDE00 caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80\"}",
        "{\"vars\":[\"A=1\",\"\"],\"x\":[]}",
    };
    for (const auto& d : docs) {
        CAPTURE(d);
        CHECK(repaired(d) == d);
    }
}

TEST_CASE("repair::repair_json escapes raw quotes by structure") {
    SUBCASE("in an object value (uWSGI cwd)") {
        CHECK(repaired("{\"cwd\":\"/a\"b\",\"x\":1}") == "{\"cwd\":\"/a\\\"b\",\"x\":1}");
        CHECK(repaired("{\"cwd\":\"/a\"b\"}") == "{\"cwd\":\"/a\\\"b\"}");
        CHECK(repaired("{\"cwd\":\"\"\"}") == "{\"cwd\":\"\\\"\"}");
    }
    SUBCASE("a quote followed by a colon is not a closing quote in a value") {
        CHECK(repaired("{\"cwd\":\"/x\":y\",\"z\":1}") == "{\"cwd\":\"/x\\\":y\",\"z\":1}");
    }
    SUBCASE("a quote followed by a comma but no key is not closing") {
        CHECK(repaired("{\"cwd\":\"a\", b\",\"z\":1}") == "{\"cwd\":\"a\\\", b\",\"z\":1}");
        CHECK(repaired("{\"cwd\":\"a\",\"b c\",\"z\":1}") == "{\"cwd\":\"a\\\",\\\"b c\",\"z\":1}");
    }
    SUBCASE("in a key (uWSGI lock and metric names)") {
        CHECK(repaired("{\"a\"b\":1}") == "{\"a\\\"b\":1}");
        CHECK(repaired("{\"locks\":[{\"spooler on /s\"p\":0}]}") ==
              "{\"locks\":[{\"spooler on /s\\\"p\":0}]}");
    }
    SUBCASE("in an array element (emperor scanners, router sockets)") {
        CHECK(repaired("[\"a\"b\",\"c\"]") == "[\"a\\\"b\",\"c\"]");
        CHECK(repaired("{\"e\":[\"/v\"x\"]}") == "{\"e\":[\"/v\\\"x\"]}");
    }
}

TEST_CASE("repair::repair_json backslashes") {
    SUBCASE("an invalid escape is a literal backslash") {
        CHECK(repaired("{\"cwd\":\"C:\\dir\"}") == "{\"cwd\":\"C:\\\\dir\"}");
        CHECK(repaired("{\"a\":\"\\q\\x\\ \"}") == "{\"a\":\"\\\\q\\\\x\\\\ \"}");
    }
    SUBCASE("a raw string ending in a backslash") {
        CHECK(repaired("{\"cwd\":\"C:\\\",\"x\":1}") == "{\"cwd\":\"C:\\\\\",\"x\":1}");
        CHECK(repaired("{\"cwd\":\"C:\\\"}") == "{\"cwd\":\"C:\\\\\"}");
    }
    SUBCASE("an escaped quote that is not at the end stays an escape") {
        CHECK(repaired("{\"a\":\"x\\\"y\"}") == "{\"a\":\"x\\\"y\"}");
        CHECK(repaired("{\"a\":\"x\\\"\"}") == "{\"a\":\"x\\\"\"}");
    }
    SUBCASE("in vars (escape_json output) \\\" is always an escape") {
        // A header value `a",` is written by uWSGI as "X=a\","
        const std::string in = "{\"vars\":[\"X=a\\\",\",\"Y=1\",\"\"]}";
        CHECK(repaired(in) == in);
        // the same bytes in another list: a raw string ending in a backslash
        CHECK(repaired("{\"emperor\":[\"a\\\",\"b\"]}") == "{\"emperor\":[\"a\\\\\",\"b\"]}");
    }
    SUBCASE("\\u escapes") {
        CHECK(repaired("{\"a\":\"\\u00e9\"}") == "{\"a\":\"\\u00e9\"}");
        CHECK(repaired("{\"a\":\"\\uD83D\\uDE00\"}") == "{\"a\":\"\\uD83D\\uDE00\"}");
        CHECK(repaired("{\"a\":\"\\u12\"}") == "{\"a\":\"\\\\u12\"}");
        CHECK(repaired("{\"a\":\"\\uzzzz\"}") == "{\"a\":\"\\\\uzzzz\"}");
        CHECK(repaired("{\"a\":\"\\uD800x\"}") == "{\"a\":\"\\\\uD800x\"}");
        CHECK(repaired("{\"a\":\"\\uDC00\"}") == "{\"a\":\"\\\\uDC00\"}");
    }
}

TEST_CASE("repair::repair_json control bytes and UTF-8") {
    SUBCASE("control bytes inside strings are escaped") {
        std::string in("{\"a\":\"x\x01y\tz\n\r\x1f\"}");
        CHECK(repaired(in) == "{\"a\":\"x\\u0001y\\tz\\n\\r\\u001f\"}");
        std::string nul("{\"a\":\"x\0y\"}", 11);
        CHECK(repaired(nul) == "{\"a\":\"x\\u0000y\"}");
    }
    SUBCASE("whitespace outside strings is kept") {
        CHECK(repaired("{\n\t\"a\" : 1\r\n}") == "{\n\t\"a\" : 1\r\n}");
    }
    SUBCASE("invalid UTF-8 becomes U+FFFD per maximal subpart") {
        // the weirdreq.py "nonutf8" header: ff fe c3 28 ... e9
        CHECK(repaired("{\"a\":\"\xff\xfe\xc3(caf\xe9\"}") ==
              "{\"a\":\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd(caf\xef\xbf\xbd\"}");
        // a truncated 3-byte sequence is one replacement
        CHECK(repaired("{\"a\":\"\xe2\x9c\"}") == "{\"a\":\"\xef\xbf\xbd\"}");
        // an encoded surrogate: ED A0 80 is three bad bytes
        CHECK(repaired("{\"a\":\"\xed\xa0\x80\"}") ==
              "{\"a\":\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"}");
        // overlong "/" and a byte above U+10FFFF
        CHECK(repaired("{\"a\":\"\xc0\xaf\xf5\"}") ==
              "{\"a\":\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"}");
    }
    SUBCASE("valid UTF-8 is kept") {
        std::string in = "{\"a\":\"\xc3\xbc \xe2\x9c\x93 \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\"}";
        CHECK(repaired(in) == in);
    }
}

TEST_CASE("repair::repair_json leaves structural damage for the parser") {
    CHECK(repaired("{\"a\":\"abc") == "{\"a\":\"abc");                  // truncated string
    CHECK(repaired("{\"a\":1,}garbage") == "{\"a\":1,}garbage");        // outside strings
    CHECK(repaired("<html>\x01</html>") == "<html>\x01</html>");
    CHECK(repaired("") == "");
    SUBCASE("deep nesting does not overflow the container stack") {
        std::string deep(5000, '[');
        deep += "\"a\"b\"";
        std::string out = repaired(deep);
        CHECK(out.size() == deep.size() + 1);
    }
}

TEST_CASE("repair::repair_json reuses and clears the output vector") {
    uwsgitop::ByteBuffer out = {'j', 'u', 'n', 'k'};
    repair_json("{\"a\":\"b\"}", out);
    CHECK(std::string(out.begin(), out.end()) == "{\"a\":\"b\"}");
}

TEST_CASE("repair::repair_json on real uWSGI captures") {
    SUBCASE("weird cwd") {
        std::string out = repaired(fixture_text("weird-cwd.json"));
        CHECK(out.find("\"cwd\":\"/tmp/pw/we\\\"ird\\\\dir-\xc3\xbc\",") != std::string::npos);
    }
    SUBCASE("router subscription key") {
        std::string out = repaired(fixture_text("router-weird-key.json"));
        CHECK(out.find("\"key\":\"we\\\"ird\\\\key-\xc3\xbc\",") != std::string::npos);
    }
    SUBCASE("control bytes in vars") {
        std::string out = repaired(fixture_text("weird-vars-ctl.json"));
        CHECK(out.find("\"HTTP_X_CTL=a\\u0001b\\u001fc\x7f" "d\"") != std::string::npos);
    }
    SUBCASE("repair is idempotent") {
        for (const char* name : {"weird-cwd.json", "weird-vars-ctl.json", "weird-vars-nonutf8.json",
                                 "weird-vars-quotes.json", "router-weird-key.json", "prefork-1.json"}) {
            CAPTURE(name);
            std::string once = repaired(fixture_text(name));
            CHECK(repaired(once) == once);
            CHECK(scan_input(once).has_control == false);
        }
    }
}

TEST_CASE("repair::repair_input_offset maps repaired offsets back") {
    const std::string in = "{\"a\":\"x\x01y\",\"b\":\"\xff\",\"c\":zz}";
    std::string out = repaired(in);
    // every byte copied verbatim maps to itself shifted by the escapes before it
    std::size_t zz_in = in.find("zz");
    std::size_t zz_out = out.find("zz");
    REQUIRE(zz_out != std::string::npos);
    CHECK(uwsgitop::detail::repair_input_offset(in, zz_out) == zz_in);
    CHECK(uwsgitop::detail::repair_input_offset(in, 0) == 0);
    // inside an inserted escape: the byte that produced it
    std::size_t esc_out = out.find("\\u0001");
    CHECK(uwsgitop::detail::repair_input_offset(in, esc_out + 3) == in.find('\x01'));
    // at or past the end: the end of the input
    CHECK(uwsgitop::detail::repair_input_offset(in, out.size()) == in.size());
    CHECK(uwsgitop::detail::repair_input_offset(in, out.size() + 10) == in.size());
}

TEST_CASE("repair::Parser::parse on unescaped uWSGI output (the lenient path end to end)") {
    Parser parser;
    Snapshot snap;
    SUBCASE("cwd with a quote, a backslash and UTF-8") {
        uwsgitop::ByteBuffer a = read_fixture("weird-cwd.json");
        Status st = parser.parse(a, snap);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(snap.repaired);
        CHECK(snap.cwd == "/tmp/pw/we\"ird\\dir-\xc3\xbc");
        CHECK(snap.kind == SnapshotKind::Master);
        CHECK(snap.workers.size() == 1);
        CHECK(snap.locks.size() == 8);
        check_invariants(snap);
    }
    SUBCASE("raw control bytes in vars") {
        uwsgitop::ByteBuffer a = read_fixture("weird-vars-ctl.json");
        Status st = parser.parse(a, snap);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(snap.repaired);
        const Core* busy = nullptr;
        for (const Core& c : snap.cores) {
            if (c.in_request == 1) busy = &c;
        }
        REQUIRE(busy != nullptr);
        CHECK(find_var(snap, *busy, "HTTP_X_CTL") == "a\x01" "b\x1f" "c\x7f" "d");
        CHECK(find_var(snap, *busy, "PATH_INFO") == "/slow\x01");
        CHECK(snap.vars_of(*busy).size() == 13);
        check_invariants(snap);
    }
    SUBCASE("invalid UTF-8 in vars") {
        uwsgitop::ByteBuffer a = read_fixture("weird-vars-nonutf8.json");
        Status st = parser.parse(a, snap);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(snap.repaired);
        std::string_view bin, path;
        for (const Core& c : snap.cores) {
            if (c.in_request == 1) {
                bin = find_var(snap, c, "HTTP_X_BIN");
                path = find_var(snap, c, "PATH_INFO");
            }
        }
        const std::string fffd = "\xef\xbf\xbd";
        CHECK(bin == fffd + fffd + fffd + "( latin1 caf" + fffd);
        CHECK(path == "/slow" + fffd);
        check_invariants(snap);
    }
    SUBCASE("escaped quotes and backslashes in vars are strict JSON") {
        uwsgitop::ByteBuffer a = read_fixture("weird-vars-quotes.json");
        REQUIRE(parser.parse(a, snap).is_ok());
        CHECK_FALSE(snap.repaired);
        const Core* busy = nullptr;
        for (const Core& c : snap.cores) {
            if (c.in_request == 1) busy = &c;
        }
        REQUIRE(busy != nullptr);
        CHECK(find_var(snap, *busy, "HTTP_X_QUOTE") == "he said \"hi\" \\ {\"json\":\"in header\"}");
        CHECK(find_var(snap, *busy, "PATH_INFO") == "/slow\"\\\n");
        CHECK(find_var(snap, *busy, "HTTP_X_TAB") == "a\tb");
        CHECK(find_var(snap, *busy, "HTTP_X_UTF8") == "\xc3\xbcn\xc3\xaf" "c\xc3\xb8" "d\xc3\xa9 \xe2\x9c\x93");
        check_invariants(snap);
    }
    SUBCASE("a 3000-byte header value") {
        uwsgitop::ByteBuffer a = read_fixture("weird-vars-long.json");
        REQUIRE(parser.parse(a, snap).is_ok());
        std::string_view v;
        for (const Core& c : snap.cores) {
            if (c.in_request == 1) v = find_var(snap, c, "HTTP_X_LONG");
        }
        CHECK(v == std::string(3000, 'L'));
    }
    SUBCASE("router subscription key with a quote and a backslash") {
        uwsgitop::ByteBuffer a = read_fixture("router-weird-key.json");
        Status st = parser.parse(a, snap);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(snap.repaired);
        CHECK(snap.kind == SnapshotKind::Router);
        REQUIRE(snap.subscriptions.size() == 2);
        CHECK(snap.subscriptions[0].key == "plain.example.com");
        CHECK(snap.subscriptions[1].key == "we\"ird\\key-\xc3\xbc");
        CHECK(snap.router_nodes.size() == 2);
        check_invariants(snap);
    }
    SUBCASE("a quote without any backslash (the NUL-undo path)") {
        Status st = parse_text(parser, "{\"cwd\":\"/srv/a\"b\",\"pid\":7,\"workers\":[]}", snap);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(snap.repaired);
        CHECK(snap.cwd == "/srv/a\"b");
        CHECK(snap.pid == 7);
    }
    SUBCASE("a backslash and a quote (the copy path) with valid escapes elsewhere") {
        Status st = parse_text(
            parser, "{\"cwd\":\"/a\"b\\c\",\"workers\":[{\"cores\":[{\"vars\":[\"X=\\\"q\\\"\",\"\"]}]}]}", snap);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(snap.repaired);
        CHECK(snap.cwd == "/a\"b\\c");
        REQUIRE(snap.vars.size() == 2);
        CHECK(snap.vars[0] == "X=\"q\"");
    }
    SUBCASE("a lock name (a key) with a raw quote") {
        Status st = parse_text(parser, "{\"locks\":[{\"spooler on /s\"p\":12}]}", snap);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        REQUIRE(snap.locks.size() == 1);
        CHECK(snap.locks[0].name == "spooler on /s\"p");
        CHECK(snap.locks[0].pid == 12);
    }
}

}  // TEST_SUITE
