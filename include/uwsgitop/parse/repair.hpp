// repair.hpp — the lenient path: turn uWSGI's unescaped output into strict JSON.
//
// The parser takes this path when scan_input() (input_scan.hpp) finds a
// backslash, a control byte or a byte >= 0x80. repair_json() rewrites a
// document so that:
//   * a `"` inside a string that is not followed by what the structure expects
//     after a closing quote (`:` after a key; `,` `}` `]` after a value, then a
//     plausible next token) is escaped as \" ;
//   * a backslash that does not start a valid JSON escape is kept literally (\\);
//   * raw control bytes inside strings become \u00XX escapes;
//   * invalid UTF-8 sequences become U+FFFD.
// Bytes outside strings are copied unchanged, so structural errors (truncation,
// garbage) still fail in the parser afterwards with a byte offset.
#pragma once

#include <string_view>

#include "uwsgitop/base/byte_buffer.hpp"

namespace uwsgitop {

// Writes the repaired document into `out` (cleared first, capacity reused).
void repair_json(std::string_view input, ByteBuffer& out);

}  // namespace uwsgitop
