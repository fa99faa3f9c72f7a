// skip_container.cpp — bracket scan to the end of an array (see the header).
//
// One state machine, fed two ways: byte by byte (the reference, and the tail),
// and on x86-64 64 bytes at a time, where SSE2 compares mark the only bytes
// that can change the state (`"`, `\`, `[`, `]`, `{`, `}`) and the loop
// visits just those. In the uWSGI cores list that is about one byte in ten.
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
    uint64_t kinds = 0;
    unsigned depth = 0;
    unsigned max_depth = 0;
    bool in_string = false;
    bool escaped = false;  // the byte before was a `\` inside a string

    enum Step { Go, Done, Fail };

    // One byte that may matter; returns Done at the closing `]` of the array.
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
        switch (c) {
        case '"': in_string = true; return Go;
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

std::size_t feed_bytes(SkipState& st, const char* text, std::size_t from, std::size_t n) {
    for (std::size_t i = from; i < n; ++i) {
        switch (st.feed(text[i])) {
        case SkipState::Go: break;
        case SkipState::Done: return i;
        case SkipState::Fail: return kNoSkip;
        }
    }
    return kNoSkip;
}

std::size_t skip_scalar(const char* text, std::size_t n, unsigned max_depth) {
    SkipState st;
    st.max_depth = std::min(max_depth, kMaxSkipDepth);
    return feed_bytes(st, text, 0, n);
}

#if UWSGITOP_SKIP_X86
uint64_t mask16(__m128i eq) { return static_cast<uint16_t>(_mm_movemask_epi8(eq)); }

// Bits of the 64 bytes at p that are `"`, `\` or a bracket.
uint64_t special_bytes(const char* p) {
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i case_bit = _mm_set1_epi8(0x20);  // `[`|0x20 is `{`, `]`|0x20 is `}`
    const __m128i open = _mm_set1_epi8('{');
    const __m128i close = _mm_set1_epi8('}');
    uint64_t m = 0;
    for (int k = 0; k < 4; ++k) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
        const __m128i folded = _mm_or_si128(x, case_bit);
        const __m128i hit = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)),
            _mm_or_si128(_mm_cmpeq_epi8(folded, open), _mm_cmpeq_epi8(folded, close)));
        m |= mask16(hit) << (16 * k);
    }
    return m;
}

std::size_t skip_sse2(const char* text, std::size_t n, unsigned max_depth) {
    SkipState st;
    st.max_depth = std::min(max_depth, kMaxSkipDepth);
    std::size_t i = 0;
    for (; n - i >= 64; i += 64) {
        uint64_t m = special_bytes(text + i);
        if (st.escaped) {
            // The first byte is escaped, whatever it is.
            st.escaped = false;
            m &= ~uint64_t{1};
        }
        while (m != 0) {
            const unsigned k = static_cast<unsigned>(__builtin_ctzll(m));
            m &= m - 1;
            if (st.in_string && text[i + k] == '\\') {
                if (k == 63) {
                    st.escaped = true;
                } else {
                    m &= ~(uint64_t{1} << (k + 1));
                }
                continue;
            }
            switch (st.feed(text[i + k])) {
            case SkipState::Go: break;
            case SkipState::Done: return i + k;
            case SkipState::Fail: return kNoSkip;
            }
        }
    }
    return feed_bytes(st, text, i, n);
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
