// tracebacker_text.hpp — uWSGI's Python tracebacker output into frames.
//
// uWSGI (plugins/python/tracebacker.c) answers a connection with a header
// line, "*** uWSGI Python tracebacker output ***", then one line per frame,
// outermost first, each thread's frames after each other:
//   thread_id = T filename = F lineno = N function = FN line = CODE
// Contract: parse_tracebacker() never fails: a line that does not start with
// "thread_id = " is passed over (the header, blank lines, noise); a frame line
// missing a later field keeps what it had (an empty string, an unknown line).
// The fields are found left to right, each after the one before it, so a file
// name that holds " lineno = " puts the rest in the wrong field, never
// anywhere else. Every string is escaped for display and cut to
// kMaxStackField bytes (at a character, not inside one); at most
// kMaxStackFrames frames are kept. Pure: no I/O.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "uwsgitop/model/stack.hpp"

namespace uwsgitop::action {

inline constexpr std::size_t kMaxStackField = 512;
inline constexpr std::size_t kMaxStackFrames = 2048;

std::vector<StackFrame> parse_tracebacker(std::string_view text);

}  // namespace uwsgitop::action
