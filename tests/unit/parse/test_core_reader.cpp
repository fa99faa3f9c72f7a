// test_core_reader.cpp — the fast core reader (src/parse/core_reader.hpp) gives what RapidJSON gives, always.
//
// Each input is parsed twice: by a default Parser (cores in uWSGI's shape
// read by the fast reader) and by one with set_generic_cores(true) (RapidJSON
// reads everything). The results must be the same, field by field: the
// status line (with its byte offset), every root, worker, app and core field
// of model/fields.hpp, the ranges, the vars. Inputs: every fixture, the
// generated big documents (with and without the cores the fast reader hands
// back), every prefix of a small document and every one-byte change of it.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <string_view>

#include "big_stats_doc.hpp"
#include "snapshot_checks.hpp"
#include "uwsgitop/parse/parse.hpp"

using namespace uwsgitop;
using uwsgitop::testing::make_async_stats;
using uwsgitop::testing::diff_snapshots;
using uwsgitop::testing::read_fixture;

namespace {

struct Both {
    Status fast = Status::ok();
    Status generic = Status::ok();
    Snapshot a, b;
};

// Parses `text` both ways; both parsers get their own copy (parsing is in place).
void parse_both(std::string_view text, Both& r, ParseScope scope = ParseScope::Everything) {
    Parser fast;
    Parser generic;
    generic.set_generic_cores(true);
    ByteBuffer x(text.begin(), text.end());
    ByteBuffer y(text.begin(), text.end());
    r.fast = fast.parse(x, r.a, scope);
    r.generic = generic.parse(y, r.b, scope);
}

// The two parses agree on `text`; `what` names the input in the failure.
void check_same(std::string_view text, const std::string& what) {
    Both r;
    parse_both(text, r);
    INFO(what);
    REQUIRE(r.fast.is_ok() == r.generic.is_ok());
    if (!r.fast.is_ok()) {
        CHECK(r.fast.message() == r.generic.message());
        return;
    }
    CHECK(diff_snapshots(r.a, r.b) == "");
}


}  // namespace

TEST_CASE("core_reader: the comparison can fail") {
    // A parse that differs in one core counter, and one that differs in a var,
    // are told apart (so the equalities below mean something).
    Both r;
    parse_both(make_async_stats(2, 100, 1, 1), r);
    REQUIRE(r.fast.is_ok());
    REQUIRE(diff_snapshots(r.a, r.b) == "");
    r.a.cores[57].routed_requests = 99999;
    CHECK(diff_snapshots(r.a, r.b) == "core 57 routed_requests: 99999 vs " +
                                          std::to_string(r.b.cores[57].routed_requests.value_or(-999)));
    r.a.cores[57].routed_requests = r.b.cores[57].routed_requests;
    r.a.cores[17].request_start.reset();
    CHECK(diff_snapshots(r.a, r.b).starts_with("core 17 request_start"));
    r.a.cores[17].request_start = r.b.cores[17].request_start;
    REQUIRE(!r.a.vars.empty());
    r.a.vars[3] = "X";
    CHECK(diff_snapshots(r.a, r.b) == "var 3");
}

TEST_CASE("core_reader: every fixture parses the same both ways") {
    for (const char* name : uwsgitop::testing::kParseFixtures) {
        ByteBuffer bytes = read_fixture(name);
        check_same(std::string_view(bytes.data(), bytes.size()), name);
    }
}

TEST_CASE("core_reader: generated big documents parse the same both ways") {
    struct Shape {
        unsigned workers, cores;
    };
    for (const Shape s : {Shape{4, 1000}, Shape{16, 1000}, Shape{64, 1000}}) {
        for (unsigned step = 1; step <= 2; ++step) {
            const std::string doc = make_async_stats(s.workers, s.cores, 7, step);
            check_same(doc, std::to_string(s.workers) + "x" + std::to_string(s.cores) + " step " +
                                std::to_string(step));
            Both r;
            parse_both(doc, r);
            CHECK(r.a.cores.size() == std::size_t{s.workers} * s.cores);
        }
    }
    // With the cores the fast reader must hand back, here and there in every list.
    for (unsigned step = 1; step <= 2; ++step) {
        const std::string doc = make_async_stats(6, 500, 3, step, true);
        check_same(doc, "odd cores, step " + std::to_string(step));
        Both r;
        parse_both(doc, r);
        REQUIRE(r.fast.is_ok());
        CHECK(r.a.cores.size() == 3000);
        CHECK(r.a.vars.size() > 200);
    }
}

TEST_CASE("core_reader: every prefix and every one-byte change of a small document") {
    // Four cores: the first in a request (it teaches the glue up to the
    // vars), the second idle (it teaches the rest), the third read from the
    // glue, the fourth in a request again; the second worker's list is empty.
    const std::string idle =
        "\"requests\":20,\"static_requests\":1,\"routed_requests\":2,\"offloaded_requests\":3,"
        "\"write_errors\":4,\"read_errors\":5,\"in_request\":0,\"vars\":[ ],\"req_info\":{}}";
    const std::string busy =
        "\"requests\":3,\"static_requests\":0,\"routed_requests\":0,\"offloaded_requests\":0,"
        "\"write_errors\":0,\"read_errors\":0,\"in_request\":1,\"vars\":[\"A=1\", \"PATH_INFO=/x\",\"\"],"
        "\"req_info\":{\"request_start\":1795613747}}";
    const std::string doc = "{\"pid\":7,\"workers\":[{\"id\":1,\"requests\":5,\"cores\":[\n"
                            "\t{\"id\":0," + busy + ",\n\t{\"id\":1," + idle + ",\n\t{\"id\":2," + idle +
                            ",\n\t{\"id\":3," + busy + "\n]},{\"id\":2,\"cores\":[ ]}]}";
    check_same(doc, "whole");
    for (std::size_t n = 0; n < doc.size(); ++n) {
        check_same(std::string_view(doc).substr(0, n), "prefix " + std::to_string(n));
    }
    const char subs[] = {'"', ',', '}', ']', '{', '[', '0', '9', ' ', 'x', '\\', '-', '.', 'e', ':', '\0', '\x80'};
    for (std::size_t i = 0; i < doc.size(); ++i) {
        for (char c : subs) {
            if (doc[i] == c) continue;
            std::string v = doc;
            v[i] = c;
            check_same(v, "byte " + std::to_string(i) + " -> " + std::to_string(static_cast<unsigned char>(c)));
        }
    }
}

TEST_CASE("core_reader: long numbers in a core read from the glue (18 digits fast, 19 handed back)") {
    const auto idle = [](std::string_view id, std::string_view requests) {
        return std::string("{\"id\":") + std::string(id) + ",\"requests\":" + std::string(requests) +
               ",\"static_requests\":1,\"routed_requests\":2,\"offloaded_requests\":3,\"write_errors\":4,"
               "\"read_errors\":5,\"in_request\":0,\"vars\":[ ],\"req_info\":{}}";
    };
    for (std::string_view big : {"999999999999999999", "9999999999999999999", "9223372036854775807",
                                 "9223372036854775808", "18446744073709551616"}) {
        // The first two cores teach the glue; the third is read from it.
        const std::string text = "{\"workers\":[{\"id\":1,\"cores\":[\n\t" + idle("0", "1") + ",\n\t" +
                                 idle("1", "2") + ",\n\t" + idle("2", big) + ",\n\t" + idle("3", big) + "\n]}]}";
        check_same(text, std::string(big));
    }
}

TEST_CASE("core_reader: handed-back cores keep the generic errors and values") {
    const auto core = [](std::string_view id, std::string_view rest = "") {
        return std::string("{\"id\":") + std::string(id) +
               ",\"requests\":1,\"static_requests\":0,\"routed_requests\":0,\"offloaded_requests\":0,"
               "\"write_errors\":0,\"read_errors\":0,\"in_request\":0,\"vars\":[],\"req_info\":{}" +
               std::string(rest) + "}";
    };
    const auto doc = [&](const std::string& cores) {
        return "{\"workers\":[{\"id\":1,\"cores\":[" + cores + "]}]}";
    };
    const std::string good = core("0");
    for (const std::string& bad :
         {core("01"), core("-1"), core("1e400"), core("1.5"), core("2.0"), core("null"), core("\"x\""),
          core("99999999999999999999"), core("123456789012345678"), core("1234567890123456789"),
          core("0", ",\"extra\":1"), core("0", ",\"id\":5"), good + good, good + ",", "," + good,
          good + ",,", "null," + good, good + ",null"}) {
        const std::string text = doc(good + "," + bad + "," + good);
        check_same(text, text);
    }
    // Values: the last core is read by RapidJSON after a handed-back one.
    Both r;
    parse_both(doc(core("0") + "," + core("1", ",\"x\":[]") + "," + core("2")), r);
    REQUIRE(r.fast.is_ok());
    REQUIRE(r.a.cores.size() == 3);
    CHECK(r.a.cores[2].id == 2);
    CHECK(r.a.workers[0].cores.count == 3);
    CHECK(diff_snapshots(r.a, r.b) == "");
}

TEST_CASE("core_reader: the worker table's scope is unchanged") {
    const std::string doc = make_async_stats(4, 200, 5, 1, true);
    Both r;
    parse_both(doc, r, ParseScope::NoCores);
    REQUIRE(r.fast.is_ok());
    CHECK(r.a.cores.empty());
    CHECK(r.a.cores_skipped);
    CHECK(diff_snapshots(r.a, r.b) == "");
}
