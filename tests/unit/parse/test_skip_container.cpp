// Tests for skip_container.hpp: the bracket scan that passes over a "cores"
// list. Known answers (strings with brackets and escapes, nesting, broken
// lists), then every implementation (scalar, SSE2) against the byte-by-byte
// reference on generated text, with the interesting bytes at every position
// of a 64-byte block and across block boundaries.
#include <doctest/doctest.h>

#include <cstddef>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "../../../src/parse/skip_container.hpp"

using namespace uwsgitop::detail;

namespace {

// What every implementation answers for `text` (they must agree).
std::size_t skip(std::string_view text, unsigned max_depth = 60) {
    static const std::vector<SkipImpl> impls = skip_array_impls();
    const std::size_t want = impls.front().skip(text.data(), text.size(), max_depth);
    for (const SkipImpl& impl : impls) {
        CAPTURE(impl.name);
        CAPTURE(text);
        CHECK(impl.skip(text.data(), text.size(), max_depth) == want);
    }
    CHECK(skip_array(text.data(), text.size(), max_depth) == want);
    return want;
}

// Offset of the first ']' after `marker` (where a test puts the expected close).
std::size_t close_at(std::string_view text, std::string_view marker) {
    return text.find(']', text.find(marker));
}

}  // namespace

TEST_CASE("skip_container::skip_array known answers") {
    REQUIRE(skip_array_impls().size() >= 1);
#if defined(__x86_64__)
    CHECK(skip_array_impls().size() >= 2);  // scalar and SSE2
#endif
    // The text after the `[`; the answer is the offset of its `]`.
    CHECK(skip("]") == 0);
    CHECK(skip("  \n]\"x\"") == 3);
    CHECK(skip("{\"id\":1},{\"id\":2}],\"next\":[]") == 17);
    // Brackets and quotes inside strings do not count; escapes are followed.
    const std::string tricky = R"({"vars":["A=]","B=}{[","C=\"]","D=\\"],"x":"\\\""}] tail)";
    CHECK(skip(tricky) == tricky.size() - 6);
    // Nested lists and objects close in order.
    const std::string nested = R"([[{"a":[{}]}]],{"b":{"c":[]}}]END)";
    CHECK(skip(nested) == close_at(nested, "}}"));
    // A closer of the wrong kind, an unclosed list, an unclosed string: no skip.
    CHECK(skip("{]}]") == kNoSkip);
    CHECK(skip("[}]") == kNoSkip);
    CHECK(skip("}") == kNoSkip);
    CHECK(skip("{\"a\":1}") == kNoSkip);
    CHECK(skip("\"abc]") == kNoSkip);
    CHECK(skip("\"abc\\\"]") == kNoSkip);  // the quote is escaped: the string never ends
    CHECK(skip("") == kNoSkip);
    // What is not brackets or strings is not checked.
    CHECK(skip("1 2 tru ,,: }{ {}]") == kNoSkip);  // the stray `}` closes nothing: refused
    CHECK(skip("1 2 tru ,,: {}]") == 14);
    // Bytes that share the SIMD scan's bracket compare with `[ ] { }`, whole
    // blocks of them, outside and inside strings.
    const std::string lookalikes = std::string(70, 'Y') + "_y\x7f\"Y_y[\"" + std::string(64, '_') + "]";
    CHECK(skip(lookalikes) == lookalikes.size() - 1);
}

TEST_CASE("skip_container::skip_array nesting limit") {
    for (unsigned limit : {0u, 1u, 5u, 62u, 63u}) {
        CAPTURE(limit);
        const std::string at_limit = std::string(limit, '[') + std::string(limit, ']') + "]";
        CHECK(skip(at_limit, limit) == 2 * limit);
        const std::string deeper = std::string(limit + 1, '{') + std::string(limit + 1, '}') + "]";
        CHECK(skip(deeper, limit) == kNoSkip);
    }
    // Limits above kMaxSkipDepth are held to it (the kinds stack has 63 levels).
    const std::string too_deep =
        std::string(kMaxSkipDepth + 1, '[') + std::string(kMaxSkipDepth + 1, ']') + "]";
    CHECK(skip(too_deep, 200) == kNoSkip);
    const std::string deepest = std::string(kMaxSkipDepth, '[') + std::string(kMaxSkipDepth, ']') + "]";
    CHECK(skip(deepest, 200) == 2 * kMaxSkipDepth);
}

TEST_CASE("skip_container::skip_array every position of a block") {
    // A uWSGI-like core list; a probe sequence is put at every offset, so the
    // escapes and quotes fall on every position of a 64-byte block and across
    // blocks (a `\` as the last byte of one block escapes the first of the next).
    const std::string core = "{\"id\":7,\"requests\":12,\"vars\":[\"PATH_INFO=/x\"],\"req_info\":{}},";
    const char* probes[] = {"\"\\\"\"", "\"\\\\\"", "\"]\"", "\"}{\"", "[]", "{}", "\"\\\\\\\"\"", "\"a\\"};
    for (const char* probe : probes) {
        for (std::size_t pad = 0; pad < 140; ++pad) {
            std::string text = std::string(pad, ' ') + probe + "," + core + core + "{}]!";
            CAPTURE(probe);
            CAPTURE(pad);
            skip(text);  // all implementations agree (checked inside)
        }
    }
    // And the expected answer for the well-formed ones.
    for (std::size_t pad = 0; pad < 140; ++pad) {
        const std::string text = std::string(pad, ' ') + "\"x\\\\\",\"\\\"]\"," + core + "{}]!";
        CHECK(skip(text) == text.size() - 2);
    }
}

TEST_CASE("skip_container::skip_array implementations agree on generated text") {
    // Few distinct bytes, so strings, escapes and brackets meet often.
    const char alphabet[] = {'"', '\\', '[', ']', '{', '}', 'a', ' ', ',', ':'};
    std::mt19937 rng(20261202);
    std::uniform_int_distribution<std::size_t> pick(0, sizeof alphabet - 1);
    std::uniform_int_distribution<std::size_t> length(0, 400);
    std::uniform_int_distribution<int> percent(0, 999);
    std::size_t found = 0;
    for (int round = 0; round < 20000; ++round) {
        // Odd rounds: backslashes are rare (as in uWSGI's output), so most
        // 64-byte blocks have none and the SIMD scan takes its fast road.
        const bool rare_escapes = round % 2 == 1;
        std::string text(length(rng), ' ');
        for (char& c : text) {
            c = alphabet[pick(rng)];
            if (rare_escapes && c == '\\' && percent(rng) > 5) c = 'a';
        }
        const std::size_t at = skip(text, static_cast<unsigned>(round % 8));
        if (at != kNoSkip) {
            ++found;
            CHECK(text[at] == ']');
        }
    }
    CHECK(found > 100);  // the generator reaches both answers
}
