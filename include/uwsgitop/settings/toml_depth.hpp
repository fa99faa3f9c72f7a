// toml_depth.hpp — refusing deeply nested TOML before toml++ recurses into it.
//
// toml++ parses dotted keys, inline tables and arrays by recursion, so a
// settings file of 70 KB ("a.a.a....=1") can overflow the stack. Every
// settings file's text goes through check_toml_depth() first: the depth at a
// point is the number of '[' and '{' open there plus the '.' of the key or
// value being written (reset by '=', ',', a bracket and the end of a line),
// outside strings (basic, literal, multi-line) and comments. More than
// kMaxTomlDepth is refused, "SHOWN:LINE: nested more than 32 levels deep
// (dotted keys, tables, arrays)", with the line where it first went past.
// Anything else, even text that is not TOML, is left to toml++.
#pragma once

#include <string_view>

#include "uwsgitop/base/status.hpp"

namespace uwsgitop {

inline constexpr int kMaxTomlDepth = 32;

Status check_toml_depth(std::string_view text, std::string_view shown);

}  // namespace uwsgitop
