// skip_container.hpp — the end of a JSON array without parsing its elements
// (private to parse.cpp and the tests).
//
// Used when the caller does not need a worker's cores (parse.hpp,
// ParseScope::NoCores): the parser jumps from just after the `[` of
// "cores" to its matching `]`, so the 16,000 core objects of a big async
// instance cost a bracket scan instead of a parse.
//
// Contract of skip_array(text, n, max_depth):
//   * `text` is what follows an opening `[`, `n` bytes of it readable;
//   * it returns the offset of the `]` that closes that array, following
//     strings (a `"` opens and closes one, a `\` takes the next byte with
//     it) and nested arrays and objects, which must close with their own
//     kind of bracket and nest at most `max_depth` levels (<= kMaxSkipDepth);
//   * or kNoSkip when the brackets do not close within `n` bytes, a closer
//     does not match its opener, or the nesting is deeper: the caller then
//     parses the array normally and the parser reports what is wrong.
// Only the brackets and strings are checked: numbers, literals, commas and
// colons of the skipped elements are not (their values are not used).
#pragma once

#include <cstddef>
#include <vector>

namespace uwsgitop::detail {

constexpr std::size_t kNoSkip = static_cast<std::size_t>(-1);
constexpr unsigned kMaxSkipDepth = 63;

std::size_t skip_array(const char* text, std::size_t n, unsigned max_depth);

// Every implementation this build has and this CPU runs (byte by byte
// first, the reference), so the tests can hold each one to it.
struct SkipImpl {
    const char* name;
    std::size_t (*skip)(const char* text, std::size_t n, unsigned max_depth);
};
std::vector<SkipImpl> skip_array_impls();

}  // namespace uwsgitop::detail
