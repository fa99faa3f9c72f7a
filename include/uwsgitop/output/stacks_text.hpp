// stacks_text.hpp — a worker's Python stacks as lines of text: what the table
// dump writes under a worker's row (and what the screen's details show).
//
// Contract: for each thread a line "INDENT thread NAME", then per frame,
// outermost first, "INDENT  FILE:LINE FUNCTION" and, when uWSGI gave it, the
// source line "INDENT    CODE"; a stack with no frame is one line "(no Python
// frame)". Every line ends in '\n'. The strings are already escaped
// (model/stack.hpp); an unknown line number is '?'.
#pragma once

#include <string>
#include <string_view>

#include "uwsgitop/model/stack.hpp"

namespace uwsgitop {

void append_stack_text(const std::vector<StackFrame>& frames, std::string_view indent, std::string& out);

}  // namespace uwsgitop
