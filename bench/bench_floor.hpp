// bench_floor.hpp — the floor under the parse stage: RapidJSON's in-situ SAX
// reader over the same bytes with a handler that does nothing, with the same
// flags as src/parse/parse.cpp (kParseInsituFlag | kParseTrailingCommasFlag).
//
// Three builds of the reader, each in its own RapidJSON namespace (so the
// inline functions that differ between them cannot be merged by the linker):
// plain (as src/parse/parse.cpp is built), RAPIDJSON_SSE2 (baseline on x86-64) and
// RAPIDJSON_SSE42 (a TU compiled with -msse4.2; call only when the CPU has
// it; elsewhere they return false). Each parses `text` (NUL-terminated, modified in place) and returns
// false when RapidJSON rejects it.
#pragma once

namespace uwsgitop::bench {

bool floor_parse_plain(char* text);
bool floor_parse_sse2(char* text);
bool floor_parse_sse42(char* text);
bool floor_have_sse2();    // x86-64 builds
bool floor_have_sse42();   // x86-64 builds, on a CPU with SSE4.2

}  // namespace uwsgitop::bench
