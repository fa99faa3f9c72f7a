// core_reader.hpp — StatsHandler's fast reader of a worker's "cores" list in uWSGI's own shape (private to parse/).
//
// uWSGI writes every core as the same object, keys in the same order
// (core/master_utils.c, uwsgi_master_generate_stats):
//   {"id":N, "requests":N, "static_requests":N, "routed_requests":N,
//    "offloaded_requests":N, "write_errors":N, "read_errors":N,
//    "in_request":N, "vars":["K=V", ...], "req_info":{} | {"request_start":N}}
// with any JSON whitespace between the tokens (pretty-printed, or none with
// --stats-minified). 16,000 of them are 95% of a big async instance's 4 MB,
// and RapidJSON spends about 4,000 instructions on each (keys go through its
// general in-place string loop, every value through its dispatch).
//
// read_cores_fast() reads such cores straight from the text, from just after
// the list's `[`, without changing a byte, and fills exactly what the generic
// path (the SAX events through StatsHandler) fills for them: the Core, its
// worker's range and index, the vars kept in storage. It takes a core only
// when that core is exactly this shape: keys in this order and spelled so
// (no escapes), each followed by its colon as uWSGI writes it (whitespace is
// allowed everywhere else), values plain non-negative integers of at most 18 digits (no
// null, sign, fraction, exponent or leading zero), var strings of printable
// ASCII without a backslash, and the core followed by `,` or `]`. At the
// first core that is anything else it takes that core back (the core, its
// vars and their storage) and moves the reader to where that core starts, so
// RapidJSON parses it and everything after it as before: same events, same
// values, same errors at the same offsets. Reaching the list's `]` it moves
// the reader there (next event: the list's EndArray). The text is NUL
// terminated at `end` (parse.cpp), which stops every scan below; fixed-size
// compares check the room first.
// The equality with the generic path is held by tests/unit/parse/test_core_reader.cpp
// (Parser::set_generic_cores) on every fixture and on hand-made variants.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "stats_handler.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace uwsgitop::detail {

namespace core_text {

[[gnu::always_inline]] inline bool is_ws(char c) {
    return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

// The N bytes at `p` equal `s` (N known here: a few 8-byte loads, the last
// one overlapping, instead of a call to memcmp).
template <std::size_t N>
[[gnu::always_inline]] inline bool same_bytes(const char* p, const char* s) {
    if constexpr (N < 8) {
        return std::memcmp(p, s, N) == 0;
    } else {
        uint64_t diff = 0;
        for (std::size_t i = 0; i + 8 <= N; i += 8) {
            uint64_t a, b;
            std::memcpy(&a, p + i, 8);
            std::memcpy(&b, s + i, 8);
            diff |= a ^ b;
        }
        if constexpr (N % 8 != 0) {
            uint64_t a, b;
            std::memcpy(&a, p + N - 8, 8);
            std::memcpy(&b, s + N - 8, 8);
            diff |= a ^ b;
        }
        return diff == 0;
    }
}

struct Cursor {
    const char* p;
    const char* end;  // *end == '\0'

    // Past JSON whitespace: uWSGI indents each line with a newline and tabs,
    // 16 bytes a step where there is room.
    [[gnu::always_inline]] void ws() {
        if (!is_ws(*p)) return;
#if defined(__SSE2__)
        while (end - p >= 16) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
            const __m128i w = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))),
                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))));
            const auto other = static_cast<unsigned>(~_mm_movemask_epi8(w)) & 0xFFFFu;
            if (other != 0) {
                p += __builtin_ctz(other);
                return;
            }
            p += 16;
        }
#endif
        while (is_ws(*p)) ++p;
    }
    // Whitespace, then exactly `s`.
    template <std::size_t N>
    [[gnu::always_inline]] bool token(const char (&s)[N]) {
        ws();
        constexpr std::size_t n = N - 1;
        if (static_cast<std::size_t>(end - p) < n || !same_bytes<n>(p, s)) return false;
        p += n;
        return true;
    }
    // Whitespace, then the one byte `c`.
    [[gnu::always_inline]] bool byte(char c) {
        ws();
        if (*p != c) return false;  // *end is NUL: never past the end
        ++p;
        return true;
    }
    // Whitespace, a plain non-negative integer of 1-18 digits, not followed
    // by what would make it another number (digit, '.', 'e', 'E').
    [[gnu::always_inline]] bool number(Int& out) {
        ws();
        const char* q = p;
        auto d = static_cast<unsigned>(*q - '0');
        if (d > 9) return false;
        int64_t v = d;
        ++q;
        if (d == 0) {
            if (static_cast<unsigned>(*q - '0') <= 9) return false;  // leading zero: RapidJSON's error
        } else {
            while ((d = static_cast<unsigned>(*q - '0')) <= 9) {
                v = v * 10 + d;
                ++q;
                if (q - p > 18) return false;
            }
        }
        if (*q == '.' || *q == 'e' || *q == 'E') return false;
        out = v;
        p = q;
        return true;
    }
    // `"key":N,` (the key and its colon as uWSGI writes them: whitespace
    // between the two is left to RapidJSON).
    template <std::size_t N>
    [[gnu::always_inline]] bool field(const char (&k)[N], Int& out) {
        return token(k) && number(out) && byte(',');
    }
};

}  // namespace core_text

inline void StatsHandler::read_cores_fast(Worker& w) {
    using core_text::Cursor;
    // The generic path would push the list's frame, then a Core and a Vars
    // or ReqInfo frame: the same depth limit.
    if (top_ - frames_.data() + 3 > static_cast<std::ptrdiff_t>(kMaxDepth)) return;
    char*& pos = *skip_.pos;
    Cursor c{pos, skip_.end};
    const auto wi = static_cast<uint32_t>(&w - s_.workers.data());
    ByteBuffer& store = s_.storage;
    for (;;) {
        const char* const start = c.p;
        c.ws();
        if (*c.p == ']') break;  // the end, possibly after a trailing comma
        const std::size_t vars_at = s_.vars.size();
        const std::size_t store_at = store.size();
        Core core{};
        core.worker_index = wi;
        core.vars = Range{size32(s_.vars), 0};
        bool ok = c.byte('{') && c.field("\"id\":", core.id) && c.field("\"requests\":", core.requests) &&
                  c.field("\"static_requests\":", core.static_requests) &&
                  c.field("\"routed_requests\":", core.routed_requests) &&
                  c.field("\"offloaded_requests\":", core.offloaded_requests) &&
                  c.field("\"write_errors\":", core.write_errors) &&
                  c.field("\"read_errors\":", core.read_errors) && c.field("\"in_request\":", core.in_request) &&
                  c.token("\"vars\":") && c.byte('[');
        if (ok) {
            c.ws();
            if (*c.p == ']') {
                ++c.p;
            } else {
                for (;;) {
                    if (*c.p != '"') {
                        ok = false;
                        break;
                    }
                    const char* const s = ++c.p;
                    // printable ASCII only: no escape, control or UTF-8 byte to decode or check
                    while (static_cast<unsigned char>(*c.p - 0x20) < 0x5F && *c.p != '"' && *c.p != '\\') ++c.p;
                    if (*c.p != '"') {
                        ok = false;
                        break;
                    }
                    s_.vars.push_back(keep(s, static_cast<std::size_t>(c.p - s)));
                    ++core.vars.count;
                    ++c.p;
                    c.ws();
                    if (*c.p == ']') {
                        ++c.p;
                        break;
                    }
                    if (*c.p != ',') {
                        ok = false;
                        break;
                    }
                    ++c.p;
                    c.ws();
                }
            }
        }
        ok = ok && c.byte(',') && c.token("\"req_info\":") && c.byte('{');
        if (ok) {
            c.ws();
            if (*c.p == '}') {
                ++c.p;
            } else {
                ok = c.token("\"request_start\":") && c.number(core.request_start) && c.byte('}');
            }
        }
        ok = ok && c.byte('}');
        if (ok) {
            c.ws();
            ok = *c.p == ',' || *c.p == ']';
        }
        if (!ok) {
            // Taken back: RapidJSON reads this core and the rest.
            s_.vars.resize(vars_at);
            store.resize(store_at);
            c.p = start;
            break;
        }
        s_.cores.push_back(core);
        ++w.cores.count;
        if (*c.p == ']') break;
        ++c.p;  // the comma
    }
    pos = const_cast<char*>(c.p);
}

}  // namespace uwsgitop::detail
