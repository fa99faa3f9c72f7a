// base64.hpp — RFC 4648 base64 (standard alphabet, '=' padding) for the
// recording's "b64" records. Private to the connector layer.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>
#include "uwsgitop/base/byte_buffer.hpp"

namespace uwsgitop::detail {

inline void base64_append(std::string& out, const char* data, std::size_t size) {
    static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    out.reserve(out.size() + (size + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= size; i += 3) {
        const unsigned v = static_cast<unsigned char>(data[i]) << 16 | static_cast<unsigned char>(data[i + 1]) << 8 |
                           static_cast<unsigned char>(data[i + 2]);
        out += kAlphabet[v >> 18];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    if (i < size) {
        unsigned v = static_cast<unsigned char>(data[i]) << 16;
        if (i + 1 < size) v |= static_cast<unsigned char>(data[i + 1]) << 8;
        out += kAlphabet[v >> 18];
        out += kAlphabet[(v >> 12) & 63];
        out += i + 1 < size ? kAlphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
}

// Decodes `in` into `out` (cleared first). Padding is optional; any other
// character outside the alphabet makes it fail. On failure `*bad_at`, when
// given, is the offset of the first character outside the alphabet, or
// in.size() when the length is wrong (a cut).
inline bool base64_decode(std::string_view in, ByteBuffer& out, std::size_t* bad_at = nullptr) {
    out.clear();
    const std::size_t full = in.size();
    while (!in.empty() && in.back() == '=') in.remove_suffix(1);
    out.reserve(in.size() / 4 * 3 + 2);
    unsigned acc = 0;
    int bits = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        unsigned v;
        if (c >= 'A' && c <= 'Z') v = static_cast<unsigned>(c - 'A');
        else if (c >= 'a' && c <= 'z') v = static_cast<unsigned>(c - 'a') + 26;
        else if (c >= '0' && c <= '9') v = static_cast<unsigned>(c - '0') + 52;
        else if (c == '+') v = 62;
        else if (c == '/') v = 63;
        else {
            if (bad_at != nullptr) *bad_at = i;
            return false;
        }
        acc = (acc << 6) | v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
    }
    if (in.size() % 4 == 1) {
        if (bad_at != nullptr) *bad_at = full;
        return false;
    }
    return true;
}

}  // namespace uwsgitop::detail
