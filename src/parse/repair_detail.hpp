// repair_detail.hpp — internals of repair.cpp that parse.cpp and the tests need (private).
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "uwsgitop/parse/repair.hpp"

namespace uwsgitop::detail {

// scan_input() byte by byte: the definition the SIMD scan must match (and
// the scan itself where there is no SIMD path).
InputScan scan_input_scalar(std::string_view input);

// Every implementation of scan_input() this build has and this CPU runs
// (scalar first), so that the tests can hold each one to the reference.
struct ScanImpl {
    const char* name;
    InputScan (*scan)(std::string_view);
};
std::vector<ScanImpl> scan_input_impls();

// repair_json() changes lengths (it inserts escapes), so an error the parser
// finds at `repaired_offset` of the repaired document is reported at the
// matching byte of the original input: the input byte that produced the
// repaired byte there (the start of the sequence, for an inserted escape).
// An offset at or past the end of the repaired document maps to input.size().
std::size_t repair_input_offset(std::string_view input, std::size_t repaired_offset);

}  // namespace uwsgitop::detail
