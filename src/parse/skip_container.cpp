// skip_container.cpp — bracket scan to the end of an array (see the header).
//
// One state machine, fed two ways: byte by byte (the reference, and the tail),
// and on x86-64 64 bytes at a time. There SSE2 compares give masks of the
// quotes, backslashes and brackets of the block; with no backslash in it,
// the bytes inside strings are the prefix XOR of the quote mask (each quote
// flips in/out; the state carries from the block before), so only the
// brackets outside strings are visited: about 6 bytes of the 250 of a uWSGI
// core. A block with a backslash (rare: request vars) goes byte by byte.
#include "skip_container.hpp"

#include <algorithm>
#include <cstdint>

#if defined(__x86_64__) && defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(UWSGITOP_NO_SIMD)
#include <emmintrin.h>
#define UWSGITOP_SKIP_X86 1
#else
#define UWSGITOP_SKIP_X86 0
#endif

namespace uwsgitop::detail {
namespace {

// The scan's state between bytes. `kinds` is a stack of bits, one per open
// level inside the skipped array (1: object), innermost in bit 0.
struct SkipState {
    explicit SkipState(unsigned limit) : max_depth(std::min(limit, kMaxSkipDepth)) {}

    uint64_t kinds = 0;
    unsigned depth = 0;
    unsigned max_depth;
    bool in_string = false;
    bool escaped = false;  // the byte before was a `\` inside a string

    enum Step { Go, Done, Fail };

    // One byte; returns Done at the closing `]` of the array.
    Step feed(char c) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
            return Go;
        }
        if (c == '"') {
            in_string = true;
            return Go;
        }
        return bracket(c);
    }

    // A byte outside strings: brackets open and close levels.
    Step bracket(char c) {
        switch (c) {
        case '[':
        case '{':
            if (depth == max_depth) return Fail;
            kinds = (kinds << 1) | (c == '{' ? 1u : 0u);
            ++depth;
            return Go;
        case ']':
        case '}':
            if (depth == 0) return c == ']' ? Done : Fail;
            if ((kinds & 1u) != (c == '}' ? 1u : 0u)) return Fail;
            kinds >>= 1;
            --depth;
            return Go;
        default: return Go;
        }
    }
};

// feed_bytes() ran out of bytes before an answer.
constexpr std::size_t kMore = kNoSkip - 1;

// Feeds text[from, n): the offset of the closing `]`, kNoSkip on a failure,
// or kMore.
std::size_t feed_bytes(SkipState& st, const char* text, std::size_t from, std::size_t n) {
    for (std::size_t i = from; i < n; ++i) {
        switch (st.feed(text[i])) {
        case SkipState::Go: break;
        case SkipState::Done: return i;
        case SkipState::Fail: return kNoSkip;
        }
    }
    return kMore;
}

std::size_t answer(std::size_t fed) { return fed == kMore ? kNoSkip : fed; }

std::size_t skip_scalar(const char* text, std::size_t n, unsigned max_depth) {
    SkipState st(max_depth);
    return answer(feed_bytes(st, text, 0, n));
}

#if UWSGITOP_SKIP_X86
// The bytes of a 64-byte block that matter, one bit per byte.
struct BlockMasks {
    bool any_backslash;
    uint64_t quotes;
    uint64_t brackets;  // `[ ] { }`, and `Y _ y DEL` (never outside strings in JSON)
};

BlockMasks block_masks(const char* p) {
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    // x | 0x26 is 0x7F for exactly `Y [ ] _ y { } DEL`: one compare for the
    // four brackets; the other four cannot occur outside a string.
    const __m128i fold = _mm_set1_epi8(0x26);
    const __m128i folded_bracket = _mm_set1_epi8(0x7F);
    __m128i bs = _mm_setzero_si128();
    BlockMasks m{false, 0, 0};
    for (int k = 0; k < 4; ++k) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
        bs = _mm_or_si128(bs, _mm_cmpeq_epi8(x, backslash));
        const auto q = static_cast<uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, quote)));
        const auto b =
            static_cast<uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_or_si128(x, fold), folded_bracket)));
        m.quotes |= static_cast<uint64_t>(q) << (16 * k);
        m.brackets |= static_cast<uint64_t>(b) << (16 * k);
    }
    m.any_backslash = _mm_movemask_epi8(bs) != 0;
    return m;
}

// Bit i of the result: the XOR of bits 0..i of x.
uint64_t prefix_xor(uint64_t x) {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}

std::size_t skip_sse2(const char* text, std::size_t n, unsigned max_depth) {
    SkipState st(max_depth);
    std::size_t i = 0;
    for (; n - i >= 64; i += 64) {
        const char* p = text + i;
        const BlockMasks m = block_masks(p);
        if (st.escaped || m.any_backslash) {
            const std::size_t at = feed_bytes(st, p, 0, 64);
            if (at == kMore) continue;
            return at == kNoSkip ? kNoSkip : i + at;
        }
        const uint64_t inside = prefix_xor(m.quotes) ^ (st.in_string ? ~uint64_t{0} : 0);
        st.in_string = (inside >> 63) != 0;
        for (uint64_t todo = m.brackets & ~inside; todo != 0; todo &= todo - 1) {
            const auto k = static_cast<unsigned>(__builtin_ctzll(todo));
            switch (st.bracket(p[k])) {
            case SkipState::Go: break;
            case SkipState::Done: return i + k;
            case SkipState::Fail: return kNoSkip;
            }
        }
    }
    return answer(feed_bytes(st, text, i, n));
}
#endif

}  // namespace

std::size_t skip_array(const char* text, std::size_t n, unsigned max_depth) {
#if UWSGITOP_SKIP_X86
    return skip_sse2(text, n, max_depth);
#else
    return skip_scalar(text, n, max_depth);
#endif
}

std::vector<SkipImpl> skip_array_impls() {
    std::vector<SkipImpl> v;
    v.push_back({"scalar", skip_scalar});
#if UWSGITOP_SKIP_X86
    v.push_back({"sse2", skip_sse2});
#endif
    return v;
}

}  // namespace uwsgitop::detail
