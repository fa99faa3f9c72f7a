// repair.hpp — the lenient path: turn uWSGI's unescaped output into strict JSON.
//
// scan_input() is a cheap pass that says whether the input can be handed to
// the strict parser as it is (pure ASCII without control bytes or backslashes)
// or needs care. repair_json() rewrites a document so that:
//   * a `"` inside a string that is not followed by what the structure expects
//     after a closing quote (`:` after a key; `,` `}` `]` after a value, then a
//     plausible next token) is escaped as \" ;
//   * a backslash that does not start a valid JSON escape is kept literally (\\);
//   * raw control bytes inside strings become \u00XX escapes;
//   * invalid UTF-8 sequences become U+FFFD.
// Bytes outside strings are copied unchanged, so structural errors (truncation,
// garbage) still fail in the parser afterwards with a byte offset.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>
#include "uwsgitop/base/byte_buffer.hpp"

namespace uwsgitop {

struct InputScan {
    bool has_backslash = false;
    bool has_control = false;   // a byte < 0x20 other than \t \n \r (includes NUL)
    bool has_high = false;      // a byte >= 0x80 (must be validated as UTF-8)
    bool clean() const { return !has_backslash && !has_control && !has_high; }
};

InputScan scan_input(std::string_view input);

// Writes the repaired document into `out` (cleared first, capacity reused).
void repair_json(std::string_view input, ByteBuffer& out);

}  // namespace uwsgitop
