// test_text_filter.cpp — the `/` filter's terms: alternatives, exclusion, case.
#include <doctest/doctest.h>

#include "uwsgitop/view/text_filter.hpp"

using namespace uwsgitop;

namespace {

// A row is its words; a term matches a row holding it (case folded).
bool keeps(const TextFilter& f, std::string_view row) {
    return f.accepts([&](std::string_view term) { return contains_folded(row, term); });
}

}  // namespace

TEST_CASE("text filter: one term, alternatives, exclusion, nothing") {
    const TextFilter one("Busy");
    CHECK(one.active());
    CHECK(one.terms() == std::vector<std::string>{"busy"});
    CHECK(keeps(one, "worker 2 BUSY"));
    CHECK_FALSE(keeps(one, "worker 1 idle"));

    const TextFilter any(" harakiri | respawn |");
    CHECK(any.terms() == std::vector<std::string>{"harakiri", "respawn"});
    CHECK(keeps(any, "worker 1 harakiri x1"));
    CHECK(keeps(any, "worker 2 respawned"));
    CHECK_FALSE(keeps(any, "worker 3 exceptions 4"));

    const TextFilter no("!exceptions");
    CHECK(no.excludes());
    CHECK_FALSE(keeps(no, "worker 3 exceptions 4"));
    CHECK(keeps(no, "worker 1 harakiri x1"));

    const TextFilter neither("!exceptions|cursed");
    CHECK_FALSE(keeps(neither, "worker 3 exceptions 4"));
    CHECK_FALSE(keeps(neither, "worker 3 cursed"));
    CHECK(keeps(neither, "worker 1 down"));

    for (const char* empty : {"", "!", "|", " ! | "}) {
        const TextFilter f(empty);
        CHECK_FALSE(f.active());
        CHECK(keeps(f, "anything"));
    }
    // '!' only counts first; elsewhere it is text.
    CHECK(TextFilter("a!b").terms() == std::vector<std::string>{"a!b"});
}

TEST_CASE("contains_folded and starts_folded: ASCII case, empty needles, bytes beyond ASCII") {
    CHECK(contains_folded("GET /API/v1", "api"));
    CHECK(contains_folded("anything", ""));
    CHECK_FALSE(contains_folded("ab", "abc"));
    CHECK(contains_folded("caf\xc3\xa9", "caf\xc3\xa9"));
    CHECK(starts_folded("SIG15", "sig"));
    CHECK_FALSE(starts_folded("busy", "usy"));
}
