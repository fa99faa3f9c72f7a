// proc_stat.hpp — fields of a /proc/PID/stat line.
//
// Contract: pure parsing of the text the kernel writes (the command name in
// parentheses may hold spaces and parentheses: fields are counted after the
// LAST ')'). A field that is not there is nullopt.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace uwsgitop {

// Field `n` (1-based, as proc(5) numbers them; n >= 3) as an unsigned number.
std::optional<uint64_t> stat_field(std::string_view stat, int n);

// The process state letter (field 3: R, S, D, Z, ...), or '\0'.
char stat_state(std::string_view stat);

// Field 22: when the process started, in clock ticks after boot. With the
// pid it names one process for as long as the machine runs.
inline std::optional<uint64_t> stat_start_time(std::string_view stat) { return stat_field(stat, 22); }

}  // namespace uwsgitop
