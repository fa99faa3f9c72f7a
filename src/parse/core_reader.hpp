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
// allowed everywhere else), values plain non-negative integers of at most
// 18 digits (no null, sign, fraction, exponent or leading zero), var strings of printable
// ASCII without a backslash, and the core followed by `,` or `]`. At the
// first core that is anything else it takes that core back (the core, its
// vars and their storage) and moves the reader to where that core starts, so
// RapidJSON parses it and everything after it as before: same events, same
// values, same errors at the same offsets. Reaching the list's `]` it moves
// the reader there (next event: the list's EndArray). The text is NUL
// terminated at `end` (parse.cpp), which stops every scan below; fixed-size
// compares check the room first.
// Glue: uWSGI writes the text between a core's values (`,\n\t\t\t\t\t"requests":`)
// the same for every core. The first core read token by token leaves that
// text in CoreGlue (nine pieces up to the vars' `[`; from the vars' `]` to the
// core's `}` when req_info is empty; and, from the first idle core, everything
// after in_request's number up to its `}`); a later core whose bytes are the
// same text is read by comparing them as a whole (SSE2, 16 bytes a step, the
// last step masked) instead of token by token. The same bytes are the same
// tokens, so this reads what the token path reads; any other text goes the
// token path (and maybe back to RapidJSON). An idle core (vars [] and
// req_info {}) is then eight pieces, eight numbers and the kIdle piece:
// about 600 instructions with the loop around it (callgrind, bench/RESULTS.md),
// against 1,000 token by token and RapidJSON's 4,000.
// The equality with the generic path is held by tests/unit/parse/test_core_reader.cpp
// (Parser::set_generic_cores) on every fixture and on hand-made variants,
// tests/unit/view/test_cores_exact.cpp (what the cores view shows) and
// fuzz/fuzz_parse.cpp (same status line, same JSON, on any bytes).
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
                if (q - p >= 18) return false;  // a 19th digit could overflow: RapidJSON reads it
                v = v * 10 + d;
                ++q;
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

// A number right after a piece of glue: digits only. What follows it is
// checked by the next piece, which starts with `,` or whitespace (the token
// path read it so), so a digit, `.`, `e` or `E` there (a leading zero, a
// fraction, an exponent) fails that compare and the core goes the token path.
[[gnu::always_inline]] inline bool number_glued(core_text::Cursor& c, uwsgitop::Int& out) {
    const char* q = c.p;
    auto d = static_cast<unsigned>(*q - '0');
    if (d > 9) return false;
    int64_t v = d;
    ++q;
    if (d != 0) {
        while ((d = static_cast<unsigned>(*q - '0')) <= 9) {
            if (q - c.p >= 18) return false;  // a 19th digit could overflow: the token path reads it
            v = v * 10 + d;
            ++q;
        }
    }
    out = v;
    c.p = q;
    return true;
}

// The text at `p` is piece `i` of the glue. kRoom: the caller made sure
// there are kCoreRoom readable bytes from where glued_head() starts, more
// than it can read: nine pieces (0-7, then 8 or kIdle) of at most kMaxGlue
// bytes, read in whole 16-byte steps (kMaxGlue is a multiple of 16), and
// eight numbers of at most 19 digits.
constexpr std::size_t kCoreRoom = 2048;
// A streamed text (TextWindow) is read on before a core when fewer bytes
// than this lie ahead.
constexpr std::size_t kCoreAhead = 16384;
static_assert(CoreGlue::kMaxGlue % 16 == 0);
static_assert(kCoreRoom >= 9 * CoreGlue::kMaxGlue + 8 * 19);

#if defined(__SSE2__)
// The 16 bytes at `p` and at `t` agree on the bytes of `want`.
[[gnu::always_inline]] inline bool same16(const char* p, const char* t, uint32_t want) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(t));
    return (static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(a, b))) & want) == want;
}
#endif

template <bool kRoom>
[[gnu::always_inline]] inline bool same_glue(const CoreGlue& g, std::size_t i, const char* p, const char* end) {
    const std::size_t n = g.len[i];
#if defined(__SSE2__)
    // 16 bytes a step, the last one masked to the piece; where the text has
    // room for whole steps (all but the document's last few bytes).
    const std::size_t steps = g.steps[i];
    const char* t = g.text[i].data();
    if (kRoom || static_cast<std::size_t>(end - p) >= steps * 16) {
        const uint32_t want = g.last_mask[i];
        if (steps == 1) return same16(p, t, want);
        if (steps == 2) return same16(p, t, 0xFFFF) && same16(p + 16, t + 16, want);
        for (std::size_t k = 0; k + 1 < steps; ++k) {
            if (!same16(p + 16 * k, t + 16 * k, 0xFFFF)) return false;
        }
        return same16(p + 16 * (steps - 1), t + 16 * (steps - 1), want);
    }
#endif
    return static_cast<std::size_t>(end - p) >= n && std::memcmp(p, g.text[i].data(), n) == 0;
}

inline bool CoreGlue::learn(std::size_t i, const char* from, const char* to) {
    const auto n = static_cast<std::size_t>(to - from);
    if (n == 0 || n > kMaxGlue) return false;
    std::memcpy(text[i].data(), from, n);
    len[i] = static_cast<uint8_t>(n);
    steps[i] = static_cast<uint8_t>((n + 15) / 16);
    const std::size_t rest = n - 16 * (steps[i] - 1u);  // 1..16 bytes in the last step
    last_mask[i] = rest == 16 ? 0xFFFFu : (1u << rest) - 1;
    return true;
}

// The head of a core from the learned glue: 1 or 2 as core_head(), 0 when
// the text is not the glue's (the caller goes token by token).
template <bool kRoom>
[[gnu::always_inline]] inline int StatsHandler::glued_head(core_text::Cursor& c, uwsgitop::Int* const* values,
                                                            const char*& numbers_end) {
    for (std::size_t i = 0; i < CoreGlue::kNumbers; ++i) {
        if (!same_glue<kRoom>(glue_, i, c.p, c.end)) return 0;
        c.p += glue_.len[i];
        if (!number_glued(c, *values[i])) return 0;
    }
    numbers_end = c.p;
    if (glue_.idle && same_glue<kRoom>(glue_, CoreGlue::kIdle, c.p, c.end)) {
        c.p += glue_.len[CoreGlue::kIdle];
        return 2;
    }
    if (same_glue<kRoom>(glue_, CoreGlue::kNumbers, c.p, c.end)) {
        c.p += glue_.len[CoreGlue::kNumbers];
        return 1;
    }
    return 0;
}

// `{` to just after the `[` of "vars" (1), or, for an idle core whose text
// is the kIdle piece, to its closing `}` (2); 0 when this is not such a
// core. From the learned glue when the text is the same, else token by
// token (learning the glue from the first core). `numbers_end`: where
// in_request's number ended.
inline int StatsHandler::core_head(core_text::Cursor& c, Core& core, const char*& numbers_end) {
    uwsgitop::Int* const values[CoreGlue::kNumbers] = {&core.id,           &core.requests,        &core.static_requests,
                                                      &core.routed_requests, &core.offloaded_requests, &core.write_errors,
                                                      &core.read_errors,     &core.in_request};
    const char* const start = c.p;
    if (glue_.head) {
        const bool room = static_cast<std::size_t>(c.end - c.p) >= kCoreRoom;
        const int r = room ? glued_head<true>(c, values, numbers_end) : glued_head<false>(c, values, numbers_end);
        if (r != 0) return r;
        c.p = start;  // not the same text: token by token
    }
    // where each number started and ended, for learning the glue between them
    const char* ends[CoreGlue::kNumbers];
    const char* digits[CoreGlue::kNumbers];
    const auto num = [&](std::size_t i) {
        c.ws();
        digits[i] = c.p;
        const bool ok = c.number(*values[i]);
        ends[i] = c.p;
        return ok;
    };
    const bool ok = c.byte('{') && c.token("\"id\":") && num(0) && c.byte(',') && c.token("\"requests\":") &&
                    num(1) && c.byte(',') && c.token("\"static_requests\":") && num(2) && c.byte(',') &&
                    c.token("\"routed_requests\":") && num(3) && c.byte(',') &&
                    c.token("\"offloaded_requests\":") && num(4) && c.byte(',') &&
                    c.token("\"write_errors\":") && num(5) && c.byte(',') && c.token("\"read_errors\":") &&
                    num(6) && c.byte(',') && c.token("\"in_request\":") && num(7) && c.byte(',') &&
                    c.token("\"vars\":") && c.byte('[');
    if (!ok) return 0;
    numbers_end = ends[CoreGlue::kNumbers - 1];
    if (!glue_.tried_head) {
        glue_.tried_head = true;
        bool learnt = glue_.learn(0, start, digits[0]);
        for (std::size_t i = 1; learnt && i < CoreGlue::kNumbers; ++i) learnt = glue_.learn(i, ends[i - 1], digits[i]);
        glue_.head = learnt && glue_.learn(CoreGlue::kNumbers, numbers_end, c.p);
    }
    return 1;
}

// Just after the `]` of "vars" to the core's closing `}`; `empty`: req_info was {}.
inline bool StatsHandler::core_tail(core_text::Cursor& c, Core& core, bool& empty) {
    empty = false;
    if (glue_.tail && same_glue<false>(glue_, CoreGlue::kTail, c.p, c.end)) {
        c.p += glue_.len[CoreGlue::kTail];
        empty = true;
        return true;
    }
    const char* const start = c.p;
    bool ok = c.byte(',') && c.token("\"req_info\":") && c.byte('{');
    if (ok) {
        c.ws();
        if (*c.p == '}') {
            ++c.p;
            empty = true;
        } else {
            ok = c.token("\"request_start\":") && c.number(core.request_start) && c.byte('}');
        }
    }
    ok = ok && c.byte('}');
    if (ok && empty && !glue_.tried_tail) {
        glue_.tried_tail = true;
        glue_.tail = glue_.learn(CoreGlue::kTail, start, c.p);
    }
    return ok;
}

inline void StatsHandler::read_cores_fast(Worker& w) {
    using core_text::Cursor;
    // The generic path would push the list's frame, then a Core and a Vars
    // or ReqInfo frame: the same depth limit.
    if (top_ - frames_.data() + 3 > static_cast<std::ptrdiff_t>(kMaxDepth)) return;
    char*& pos = *skip_.pos;
    TextWindow* const window = skip_.window;
    Cursor c{pos, window != nullptr ? window->end() : skip_.end};
    const auto wi = static_cast<uint32_t>(&w - s_.workers.data());
    ByteBuffer& store = s_.storage;
    for (;;) {
        // Text still arriving: kCoreAhead bytes ahead of each core (a core
        // cut by the end of what arrived fails and goes to RapidJSON, which
        // reads on through the window itself).
        // Nothing but c.p points into the text here (the reader's position
        // is set from it below), so the window may move the text.
        if (window != nullptr && !window->over() && static_cast<std::size_t>(c.end - c.p) < kCoreAhead) [[unlikely]] {
            c.p -= window->more(c.p, true, kCoreAhead);
            c.end = window->end();
        }
        const char* const start = c.p;
        c.ws();
        if (*c.p == ']') break;  // the end, possibly after a trailing comma
        const std::size_t vars_at = s_.vars.size();
        const std::size_t store_at = store.size();
        Core core{};
        core.worker_index = wi;
        core.vars = Range{size32(s_.vars), 0};
        const char* numbers_end = nullptr;
        const int head = core_head(c, core, numbers_end);
        bool ok = head != 0;
        if (head == 1) {
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
        if (head == 1) {
            bool empty_req = false;
            ok = ok && core_tail(c, core, empty_req);
            if (ok && empty_req && core.vars.count == 0 && !glue_.tried_idle) {
                glue_.tried_idle = true;
                glue_.idle = glue_.learn(CoreGlue::kIdle, numbers_end, c.p);
            }
        }
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
