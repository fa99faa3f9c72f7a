// text.cpp — safe display of untrusted text and compact number formats.
#include "uwsgitop/base/text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

namespace uwsgitop {

namespace {

const char kHex[] = "0123456789abcdef";

void append_hex_escape(std::string& out, unsigned char c) {
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 15];
}

}  // namespace

std::size_t utf8_sequence(std::string_view s, std::size_t i, char32_t& cp) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    std::size_t len;
    char32_t min;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2; cp = b0 & 0x1F; min = 0x80;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3; cp = b0 & 0x0F; min = 0x800;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4; cp = b0 & 0x07; min = 0x10000;
    } else {
        return 0;
    }
    if (i + len > s.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

void append_escaped(std::string& out, std::string_view raw) {
    std::size_t i = 0;
    while (i < raw.size()) {
        const auto c = static_cast<unsigned char>(raw[i]);
        if (c >= 0x20 && c < 0x7F) {
            out += static_cast<char>(c);
            ++i;
            continue;
        }
        if (c < 0x80) {
            switch (c) {
                case '\n': out += "\\n"; break;
                case '\r': out += "\\r"; break;
                case '\t': out += "\\t"; break;
                default: append_hex_escape(out, c); break;
            }
            ++i;
            continue;
        }
        char32_t cp = 0;
        const std::size_t len = utf8_sequence(raw, i, cp);
        if (len == 0) {
            append_hex_escape(out, c);
            ++i;
        } else if (cp < 0xA0 || cp == 0x2028 || cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) ||
                   (cp >= 0x2066 && cp <= 0x2069)) {
            // C1 controls and bidi/line-separator controls: show the bytes.
            for (std::size_t k = 0; k < len; ++k) append_hex_escape(out, static_cast<unsigned char>(raw[i + k]));
            i += len;
        } else {
            out.append(raw.substr(i, len));
            i += len;
        }
    }
}

std::string escape_for_display(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    append_escaped(out, raw);
    return out;
}

std::size_t display_width(std::string_view text) {
    std::size_t width = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            ++width;
            ++i;
            continue;
        }
        char32_t cp = 0;
        const std::size_t len = utf8_sequence(text, i, cp);
        if (len == 0) {
            ++width;
            ++i;
            continue;
        }
        i += len;
        // Combining marks take no column; East Asian wide ranges take two.
        if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F) || cp == 0xFE0F) continue;
        const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                          (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                          (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                          (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
                          (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD);
        width += wide ? 2 : 1;
    }
    return width;
}

void append_int(std::string& out, int64_t value) {
    char buf[24];
    auto res = std::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, res.ptr);
}

void append_fixed(std::string& out, double value, int decimals) {
    if (!std::isfinite(value)) {
        out += '-';
        return;
    }
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, decimals);
    if (res.ec != std::errc()) {
        out += '-';
        return;
    }
    out.append(buf, res.ptr);
}

void append_bytes_human(std::string& out, int64_t bytes) {
    static const char kUnits[] = {'K', 'M', 'G', 'T', 'P'};
    if (bytes < 1024) {
        append_int(out, bytes);
        return;
    }
    double v = static_cast<double>(bytes);
    int unit = -1;
    while (v >= 1024.0 && unit < 4) {
        v /= 1024.0;
        ++unit;
    }
    append_fixed(out, v, v < 100.0 ? 1 : 0);
    out += kUnits[unit];
}

void append_duration_s(std::string& out, double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) {
        out += '-';
        return;
    }
    if (seconds < 1e-3) {
        append_int(out, static_cast<int64_t>(seconds * 1e6));
        out += "us";
    } else if (seconds < 1.0) {
        append_int(out, static_cast<int64_t>(seconds * 1e3));
        out += "ms";
    } else if (seconds < 60.0) {
        append_fixed(out, seconds, seconds < 10.0 ? 1 : 0);
        out += 's';
    } else {
        auto s = static_cast<int64_t>(seconds);
        auto two = [&out](int64_t v) {
            if (v < 10) out += '0';
            append_int(out, v);
        };
        if (s < 3600) {
            append_int(out, s / 60); out += 'm'; two(s % 60); out += 's';
        } else if (s < 86400) {
            append_int(out, s / 3600); out += 'h'; two((s % 3600) / 60); out += 'm';
        } else {
            append_int(out, s / 86400); out += 'd'; two((s % 86400) / 3600); out += 'h';
        }
    }
}

void append_duration_us(std::string& out, int64_t microseconds) {
    append_duration_s(out, static_cast<double>(microseconds) / 1e6);
}

void append_elided_middle(std::string& out, std::string_view text, std::size_t width, bool ascii) {
    if (display_width(text) <= width) {
        out += text;
        return;
    }
    if (width == 0) return;
    // Byte offset of each character's start, its length and its columns.
    struct Char {
        std::size_t at, len, cols;
    };
    std::vector<Char> chars;
    for (std::size_t i = 0; i < text.size();) {
        std::size_t len = 1;
        if (static_cast<unsigned char>(text[i]) >= 0x80) {
            char32_t cp = 0;
            len = utf8_sequence(text, i, cp);
            if (len == 0) len = 1;
        }
        chars.push_back({i, len, display_width(text.substr(i, len))});
        i += len;
    }
    const std::size_t room = width - 1;  // one column for the mark
    const std::size_t head_room = room / 3;
    std::size_t head_cols = 0, head_end = 0;
    while (head_end < chars.size() && head_cols + chars[head_end].cols <= head_room) {
        head_cols += chars[head_end++].cols;
    }
    std::size_t tail_cols = 0, tail_begin = chars.size();
    while (tail_begin > head_end && tail_cols + chars[tail_begin - 1].cols <= room - head_cols) {
        tail_cols += chars[--tail_begin].cols;
    }
    out += text.substr(0, chars[head_end].at);
    out += ascii ? "~" : "\u2026";
    out.append(room - head_cols - tail_cols, ' ');
    if (tail_begin < chars.size()) out += text.substr(chars[tail_begin].at);
}

std::string_view closest_word(std::string_view typo, std::string_view words) {
    std::string_view best;
    std::size_t best_distance = 3;
    std::vector<std::size_t> row;
    std::size_t pos = 0;
    while (pos < words.size()) {
        std::size_t end = words.find(' ', pos);
        if (end == std::string_view::npos) end = words.size();
        const std::string_view w = words.substr(pos, end - pos);
        pos = end + 1;
        if (w.empty() || w.size() > typo.size() + 2 || typo.size() > w.size() + 2) continue;
        row.resize(w.size() + 1);
        for (std::size_t j = 0; j <= w.size(); ++j) row[j] = j;
        for (std::size_t i = 1; i <= typo.size(); ++i) {
            std::size_t diagonal = row[0];
            row[0] = i;
            for (std::size_t j = 1; j <= w.size(); ++j) {
                const std::size_t above = row[j];
                row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (typo[i - 1] == w[j - 1] ? 0 : 1)});
                diagonal = above;
            }
        }
        const std::size_t d = row[w.size()];
        if (d < best_distance && d < typo.size()) {
            best_distance = d;
            best = w;
        }
    }
    return best;
}

namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

bool percent_decode(std::string_view in, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out += in[i];
            continue;
        }
        if (i + 2 >= in.size() || hex_digit(in[i + 1]) < 0 || hex_digit(in[i + 2]) < 0) return false;
        out += static_cast<char>(hex_digit(in[i + 1]) * 16 + hex_digit(in[i + 2]));
        i += 2;
    }
    return true;
}

}  // namespace uwsgitop
