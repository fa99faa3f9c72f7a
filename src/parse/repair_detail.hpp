// repair_detail.hpp — the repair rewrite's offset map, for parse.cpp's error messages and the tests (private).
#pragma once

#include <cstddef>
#include <string_view>

#include "uwsgitop/parse/repair.hpp"

namespace uwsgitop::detail {

// repair_json() changes lengths (it inserts escapes), so an error the parser
// finds at `repaired_offset` of the repaired document is reported at the
// matching byte of the original input: the input byte that produced the
// repaired byte there (the start of the sequence, for an inserted escape).
// An offset at or past the end of the repaired document maps to input.size().
std::size_t repair_input_offset(std::string_view input, std::size_t repaired_offset);

}  // namespace uwsgitop::detail
