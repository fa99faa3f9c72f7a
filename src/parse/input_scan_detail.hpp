// input_scan_detail.hpp — scan_input()'s implementations, for the tests that hold them to one definition (private).
#pragma once

#include <string_view>
#include <vector>

#include "uwsgitop/parse/input_scan.hpp"

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

}  // namespace uwsgitop::detail
