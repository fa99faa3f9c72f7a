// string_sequences.hpp — how long a run of bytes inside a JSON string is: valid or invalid UTF-8, a \uXXXX escape (private, for repair.cpp).
//
// The repair rewrite (repair.cpp) keeps what is valid and replaces what is
// not; these say where each piece ends. All read at most `avail` (or `n`)
// bytes and never past them.
#pragma once

#include <cstddef>

namespace uwsgitop::detail {

// Length of the valid, shortest-form UTF-8 sequence at p[0] (a byte >= 0x80),
// or 0: no overlong forms, no UTF-16 surrogates, nothing above U+10FFFF.
inline std::size_t valid_utf8_len(const unsigned char* p, std::size_t avail) {
    unsigned char c = p[0];
    std::size_t len;
    unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;  // no UTF-16 surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
        return 0;
    }
    if (avail < len || p[1] < lo || p[1] > hi) {
        return 0;
    }
    for (std::size_t i = 2; i < len; ++i) {
        if ((p[i] & 0xC0) != 0x80) {
            return 0;
        }
    }
    return len;
}

// Bytes making up one maximal invalid subpart at p[0] (always >= 1): a lead
// byte followed by the continuation bytes it would still accept. Each such
// subpart becomes one U+FFFD, as Unicode recommends.
inline std::size_t invalid_utf8_len(const unsigned char* p, std::size_t avail) {
    unsigned char c = p[0];
    std::size_t want;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        want = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        want = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        want = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return 1;
    }
    std::size_t i = 1;
    if (i < avail && i < want && p[i] >= lo && p[i] <= hi) {
        ++i;
        while (i < avail && i < want && (p[i] & 0xC0) == 0x80) {
            ++i;
        }
    }
    return i;
}

inline bool is_hex(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Four hex digits at p[k..k+4) (checked by hex4_at first).
inline unsigned hex4(const unsigned char* p, std::size_t k) {
    unsigned v = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        unsigned char c = p[k + i];
        v = v * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

inline bool hex4_at(const unsigned char* p, std::size_t n, std::size_t k) {
    return k + 4 <= n && is_hex(p[k]) && is_hex(p[k + 1]) && is_hex(p[k + 2]) && is_hex(p[k + 3]);
}

// Length of the valid \uXXXX escape at p[j] (the backslash; 12 for a
// surrogate pair), or 0: a lone low surrogate, a high surrogate without its
// pair, or fewer than four hex digits.
inline std::size_t unicode_escape_len(const unsigned char* p, std::size_t n, std::size_t j) {
    if (!hex4_at(p, n, j + 2)) return 0;
    unsigned u = hex4(p, j + 2);
    if (u >= 0xDC00 && u <= 0xDFFF) return 0;  // a lone low surrogate
    if (u < 0xD800 || u > 0xDBFF) return 6;
    if (j + 7 < n && p[j + 6] == '\\' && p[j + 7] == 'u' && hex4_at(p, n, j + 8)) {
        unsigned l = hex4(p, j + 8);
        if (l >= 0xDC00 && l <= 0xDFFF) return 12;
    }
    return 0;  // a high surrogate without its pair
}

}  // namespace uwsgitop::detail
