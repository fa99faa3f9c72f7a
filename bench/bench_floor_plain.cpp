// bench_floor_plain.cpp — see bench_floor.hpp (the plain build).
#include <rapidjson/reader.h>

#include "bench_floor.hpp"

namespace uwsgitop::bench {

namespace {
struct NullHandler : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, NullHandler> {};
}  // namespace

bool floor_parse_plain(char* text) {
    rapidjson::InsituStringStream in(text);
    rapidjson::Reader reader;
    NullHandler h;
    return !reader.Parse<rapidjson::kParseInsituFlag | rapidjson::kParseTrailingCommasFlag>(in, h).IsError();
}

}  // namespace uwsgitop::bench
