// bench_floor_sse42.cpp — see bench_floor.hpp (the RAPIDJSON_SSE42 build, in
// its own namespace).
#if defined(__x86_64__)
#define RAPIDJSON_NAMESPACE rapidjson_bench_sse42
#define RAPIDJSON_NAMESPACE_BEGIN namespace rapidjson_bench_sse42 {
#define RAPIDJSON_NAMESPACE_END }
#define RAPIDJSON_SSE42
#include <rapidjson/reader.h>

#include "bench_floor.hpp"

namespace uwsgitop::bench {

namespace {
namespace rj = rapidjson_bench_sse42;
struct NullHandler : rj::BaseReaderHandler<rj::UTF8<>, NullHandler> {};
}  // namespace

bool floor_parse_sse42(char* text) {
    rj::InsituStringStream in(text);
    rj::Reader reader;
    NullHandler h;
    return !reader.Parse<rj::kParseInsituFlag | rj::kParseTrailingCommasFlag>(in, h).IsError();
}

bool floor_have_sse42() { return __builtin_cpu_supports("sse4.2"); }

}  // namespace uwsgitop::bench

#else
#include "bench_floor.hpp"

namespace uwsgitop::bench {

bool floor_parse_sse42(char*) { return false; }
bool floor_have_sse42() { return false; }

}  // namespace uwsgitop::bench
#endif
