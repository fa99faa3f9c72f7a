// text.hpp — turning numbers and server strings into safe, short text.
//
// Everything that comes from a server (cwd, vars, status, names) is untrusted:
// escape_for_display() makes it safe to put on a terminal or in a one-line
// message. It keeps printable ASCII and valid, printable UTF-8; it writes C0
// controls, DEL, C1 controls (U+0080..U+009F) and bytes that are not valid
// UTF-8 as visible escapes (\n \t \r \x1b \x9b ...), so no escape sequence
// from a request header can reach the terminal.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace uwsgitop {

// Length (2..4) of the valid, shortest-form UTF-8 sequence at s[i] (whose
// first byte is >= 0x80) and its code point in `cp`; 0 when the bytes there
// are not one (the caller then treats s[i] as a single invalid byte).
std::size_t utf8_sequence(std::string_view s, std::size_t i, char32_t& cp);

void append_escaped(std::string& out, std::string_view raw);
std::string escape_for_display(std::string_view raw);

// %XX escapes decoded ("%2Frun%2Fx.sock" -> "/run/x.sock"); false (and `out`
// unspecified) on a '%' not followed by two hex digits. Any byte may come out,
// NUL included: the caller decides what a decoded value may hold.
bool percent_decode(std::string_view in, std::string& out);

// Number of terminal columns `text` takes (UTF-8 aware; wide CJK = 2,
// combining marks = 0). `text` must already be escaped/valid UTF-8.
std::size_t display_width(std::string_view text);

// Appends `text` shortened to at most `width` columns by cutting out its
// middle and marking the cut with one column ("\u2026", or "~" when `ascii`):
// about a third of the width from the start, the rest from the end, because
// the end of a name or address (port, file name, instance number) is what
// tells similar ones apart. Text that fits is appended whole; characters are
// never split (a wide one that does not fit leaves a column blank instead).
// `text` must already be escaped/valid UTF-8.
void append_elided_middle(std::string& out, std::string_view text, std::size_t width, bool ascii);

// Human sizes like the Python uwsgitop: 512, 1.5K, 12.3M, 1.1G (powers of 1024).
void append_bytes_human(std::string& out, int64_t bytes);

// Compact durations: 950us, 12ms, 3.4s, 5m12s, 3h04m, 2d03h.
void append_duration_us(std::string& out, int64_t microseconds);
void append_duration_s(std::string& out, double seconds);

// Fixed-point decimal with `decimals` digits (no locale, no snprintf).
void append_fixed(std::string& out, double value, int decimals);
void append_int(std::string& out, int64_t value);

// The word of the space-separated `words` closest to `typo` by edit
// distance (insertions, deletions, substitutions), when it is at most 2 and
// less than the typo's length; "" otherwise. For "did you mean X?" hints.
std::string_view closest_word(std::string_view typo, std::string_view words);

}  // namespace uwsgitop
