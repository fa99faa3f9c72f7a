// travel_bench.cpp — time travel on a day-long recording: generates 86,400 snapshots of a
// 4-worker instance (tests/fixtures/prefork-1.json, one a second, requests growing), then times
// the open (index built) and steps / minute jumps back and forward (Pipeline::travel: the
// neighbour and the record read, parsed, rates). usage: travel_bench [SNAPSHOTS] [DIR]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "uwsgitop/pipeline/pipeline.hpp"
#include "uwsgitop/source/recording.hpp"

using namespace uwsgitop;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
    const long n = argc > 1 ? std::atol(argv[1]) : 86400;
    const std::string dir = argc > 2 ? argv[2] : "/tmp";
    std::ifstream in(std::string(UWSGITOP_FIXTURES) + "/prefork-1.json", std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    const std::string doc = ss.str();
    const std::string path = dir + "/uwsgitop-travel-bench.jsonl";
    ::unlink(path.c_str());
    auto t0 = Clock::now();
    {
        RecordWriter w;
        if (!w.open(path)) return 1;
        Frame f;
        for (long i = 0; i < n; ++i) {
            f.bytes.assign(doc.begin(), doc.end());
            f.wall_time = 1800000000.0 + static_cast<double>(i);
            if (!w.append(f, "127.0.0.1:9191", true)) return 1;
        }
    }
    std::printf("generate: %ld snapshots of 4 workers (%zu bytes each) in %.0f ms\n", n, doc.size(), ms_since(t0));
    t0 = Clock::now();
    Status e;
    auto src = make_replay_source(path, ReplayOptions{}, &e);
    if (!e) {
        std::fprintf(stderr, "%s\n", e.message().c_str());
        return 1;
    }
    const double open_ms = ms_since(t0);
    Pipeline p(std::move(src));
    Snapshot s;
    Rates r;
    t0 = Clock::now();
    if (!p.seek(static_cast<std::size_t>(n / 2), s, r)) return 1;
    const double first_ms = ms_since(t0);
    const int steps = 2000;
    t0 = Clock::now();
    for (int i = 0; i < steps; ++i) {
        if (!p.travel(Travel{Travel::Kind::Snapshots, i % 2 ? 1.0 : -1.0}, s, r)) return 1;
    }
    const double step_us = ms_since(t0) * 1000 / steps;
    t0 = Clock::now();
    for (int i = 0; i < steps; ++i) {
        if (!p.travel(Travel{Travel::Kind::Seconds, i % 2 ? 60.0 : -60.0}, s, r)) return 1;
    }
    const double jump_us = ms_since(t0) * 1000 / steps;
    std::printf("open (index %ld lines): %.1f ms\nfirst seek to the middle: %.3f ms\n", n, open_ms, first_ms);
    std::printf("step [ ] (one snapshot back/forward): %.1f us\njump { } (one minute): %.1f us\n", step_us, jump_us);
    ::unlink(path.c_str());
    return 0;
}
