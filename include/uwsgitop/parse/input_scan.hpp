// input_scan.hpp — the cheap first pass: can the input go to the strict parser as it is?
//
// scan_input() reads the whole input once (SIMD where the CPU has it) and
// says which of three kinds of byte it holds. Input with none of them (pure
// ASCII without control bytes or backslashes) is parsed strictly; any of them
// sends the parser to the careful path (repair.hpp). The flags are exact:
// every implementation gives the byte-by-byte answer of
// detail::scan_input_scalar() (src/parse/input_scan_detail.hpp).
#pragma once

#include <string_view>

namespace uwsgitop {

struct InputScan {
    bool has_backslash = false;
    bool has_control = false;   // a byte < 0x20 other than \t \n \r (includes NUL)
    bool has_high = false;      // a byte >= 0x80 (must be validated as UTF-8)
    bool clean() const { return !has_backslash && !has_control && !has_high; }
};

InputScan scan_input(std::string_view input);

}  // namespace uwsgitop
