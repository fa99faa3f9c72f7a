// bench_refresh.cpp — the refresh benchmark of issue 6.
//
// For each input (two successive real captures of one uWSGI shape, see
// bench/README.md) it times, median and best of many runs:
//   read     one fetch through the real socket Source from a loopback server
//            thread that writes the document on accept, like uWSGI
//   parse    Parser::parse into a reused Snapshot (the copy of the input into
//            the reused read buffer is not timed); also with RapidJSON
//            reading the cores too (Parser::set_generic_cores: what the
//            fast core reader saves), and with ParseScope::NoCores, what
//            the worker table needs
//   floor    RapidJSON's in-situ SAX reader alone, null handler (plain,
//            SSE2, SSE4.2 builds; bench_floor.hpp): what parse costs at least
//   rates    RateTracker::update against the previous snapshot
//   sort     build_rows + sort_rows (default sort: requests, descending), in
//            workers and cores modes
//   view     tui::ViewModel::set_snapshot (row list, filter, sort), workers
//            and cores views
//   render   tui::Renderer::render of one 160x50 screen into a Grid (the
//            interactive screen's own pure renderer; only visible rows are
//            formatted)
//   dump     dump_table / dump_json of every row (the --once path)
//   refresh  the whole refresh: Pipeline::refresh (read + parse + rates, the
//            parse scoped like the interactive fetcher's: no cores for the
//            worker table) +
//            view-model update (sort) + render, in workers and cores views
// and the minor page faults and thread CPU per steady-state refresh.
// Inputs: the real captures of bench/data, and gen1, gen4, gen16: generated
// documents of 4, 16 and 64 workers x 1,000 async cores (about 1, 4 and
// 16 MB; tests/unit/big_stats_doc.hpp), for the scaling table. After the
// stage tables: the parse against the floor, the scaling of the whole
// refresh, and the limits of issue 18 next to the measured values.
//
// Modes:
//   bench_refresh [--quick] [--seconds S] [--sizes a,b] [--data DIR]
//       the tables (markdown on stdout). --quick: 2 runs per stage, and
//       checks that every stage ran and saw as many rows as a direct parse
//       (exit 1 otherwise). No timing is ever asserted.
//   bench_refresh --loop NAME --refreshes N [--cores-view]
//       N steady refreshes of one input through uwsgitop_bench_refresh()
//       (after 2 warm-up refreshes), then prints faults and VmHWM. For
//       callgrind: --collect-atstart=no --toggle-collect=uwsgitop_bench_refresh
//   bench_refresh --loop NAME --refreshes N --floors
//       N parses of the input by each floor_parse_* (bench_floor.hpp), for
//       callgrind's inclusive counts of those functions.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "bench_floor.hpp"
#include "bench_measure.hpp"
#include "bench_server.hpp"
#include "big_stats_doc.hpp"
#include "uwsgitop/output/dump.hpp"
#include "uwsgitop/parse/parse.hpp"
#include "uwsgitop/pipeline/pipeline.hpp"
#include "uwsgitop/view/rows.hpp"
#include "uwsgitop/tui/render.hpp"
#include "uwsgitop/tui/view_model.hpp"

#ifndef BENCH_DATA_DIR
#define BENCH_DATA_DIR "."
#endif

using namespace uwsgitop;
using namespace uwsgitop::bench;

namespace {

constexpr int kWidth = 160;
constexpr int kHeight = 50;
const char* const kAllInputs[] = {"prefork", "big", "bigasync", "huge", "gen1", "gen4", "gen16"};

// Generated inputs: name -> workers (x 1,000 cores), 0 for a capture.
unsigned generated_workers(const std::string& name) {
    if (name == "gen1") return 4;
    if (name == "gen4") return 16;
    if (name == "gen16") return 64;
    return 0;
}

struct Input {
    std::string name;
    uwsgitop::ByteBuffer a, b;         // two successive reads
    std::size_t workers = 0;        // rows of a direct parse of `b`
    std::size_t cores = 0;
};

struct Args {
    bool quick = false;
    double seconds = 1.0;
    std::string data = BENCH_DATA_DIR;
    std::vector<std::string> sizes;
    std::string loop;
    long refreshes = 10;
    bool cores_view = false;
    bool floors = false;
};

bool read_file(const std::string& path, uwsgitop::ByteBuffer& out) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return false;
    out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    return !out.empty();
}

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        const std::size_t comma = s.find(',', start);
        const std::size_t end = comma == std::string::npos ? s.size() : comma;
        if (end > start) out.push_back(s.substr(start, end - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

bool parse_args(int argc, char** argv, Args& a) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
        const char* v = nullptr;
        if (arg == "--quick") a.quick = true;
        else if (arg == "--cores-view") a.cores_view = true;
        else if (arg == "--floors") a.floors = true;
        else if (arg == "--seconds" && (v = value())) a.seconds = std::atof(v);
        else if (arg == "--data" && (v = value())) a.data = v;
        else if (arg == "--sizes" && (v = value())) a.sizes = split(v);
        else if (arg == "--loop" && (v = value())) a.loop = v;
        else if (arg == "--refreshes" && (v = value())) a.refreshes = std::atol(v);
        else {
            std::fprintf(stderr,
                         "usage: bench_refresh [--quick] [--seconds S] [--sizes a,b] [--data DIR]\n"
                         "       bench_refresh --loop NAME --refreshes N [--cores-view | --floors] [--data DIR]\n");
            return false;
        }
    }
    if (a.sizes.empty()) a.sizes.assign(std::begin(kAllInputs), std::end(kAllInputs));
    return true;
}

bool load_input(const std::string& dir, const std::string& name, Input& in) {
    in.name = name;
    if (const unsigned w = generated_workers(name); w != 0) {
        const std::string a = uwsgitop::testing::make_async_stats(w, 1000, 11, 1);
        const std::string b = uwsgitop::testing::make_async_stats(w, 1000, 11, 2);
        in.a.assign(a.begin(), a.end());
        in.b.assign(b.begin(), b.end());
    } else if (!read_file(dir + "/" + name + "-1.json", in.a) || !read_file(dir + "/" + name + "-2.json", in.b)) {
        std::fprintf(stderr, "bench: cannot read %s/%s-{1,2}.json\n", dir.c_str(), name.c_str());
        return false;
    }
    Parser parser;
    Snapshot snap;
    uwsgitop::ByteBuffer bytes = in.b;
    const Status st = parser.parse(bytes, snap);
    if (!st) {
        std::fprintf(stderr, "bench: %s-2.json: %s\n", name.c_str(), st.message().c_str());
        return false;
    }
    in.workers = snap.workers.size();
    in.cores = snap.cores.size();
    return true;
}

std::unique_ptr<Source> loopback_source(uint16_t port) {
    Address addr;
    addr.kind = AddressKind::Tcp;
    addr.host = "127.0.0.1";
    addr.port = port;
    addr.text = "127.0.0.1:" + std::to_string(port);
    FetchLimits limits;
    limits.timeout_seconds = 30;
    return make_source(addr, limits);
}

// Everything one steady refresh touches, reused across refreshes.
struct Refresher {
    Refresher(std::unique_ptr<Source> source, const Options& options, const std::string& address)
        : pipeline(std::move(source)), vm(options, address) {
        vm.set_size(kWidth, kHeight);
    }
    Pipeline pipeline;
    Snapshot snap;
    Rates rates;
    tui::ViewModel vm;
    tui::Grid grid;
    bool ok = true;
};

Options view_options(bool cores_view) {
    Options o;
    o.cores = cores_view;   // default sort: requests, descending
    return o;
}

}  // namespace

namespace {

// One whole refresh: read + parse + rates (Pipeline), view-model update
// (rows + sort), render of one 160x50 screen.
void refresh_once(Refresher& r) {
    // What the interactive fetcher does: parse the cores only for a screen that shows them.
    r.pipeline.set_scope(r.vm.needs_cores() ? ParseScope::Everything : ParseScope::NoCores);
    const Status st = r.pipeline.refresh(r.snap, r.rates);
    if (!st) {
        r.ok = false;
        return;
    }
    const double mono = monotonic_seconds();
    r.vm.set_clock(mono);
    r.vm.set_fetch_ok(mono);
    r.vm.set_snapshot(&r.snap, &r.rates, r.pipeline.last_wall_time());
    tui::render(r.vm, r.grid);
}

}  // namespace

// The measured refreshes go through this function (warm-ups do not), with C
// linkage and not inlined, so callgrind can count exactly them with
// --collect-atstart=no --toggle-collect=uwsgitop_bench_refresh.
extern "C" void uwsgitop_bench_refresh(void* opaque);
extern "C" __attribute__((noinline)) void uwsgitop_bench_refresh(void* opaque) {
    refresh_once(*static_cast<Refresher*>(opaque));
}

namespace {

struct Checker {
    int failures = 0;
    void expect(bool cond, const std::string& input, const char* what) {
        if (cond) return;
        ++failures;
        std::fprintf(stderr, "bench check failed: %s: %s\n", input.c_str(), what);
    }
};

// True when every visible table row of the screen has text in it.
bool screen_shows_rows(const tui::ViewModel& vm, const tui::Grid& grid) {
    const tui::ScreenAreas& areas = vm.areas();
    const std::size_t shown = std::min<std::size_t>(static_cast<std::size_t>(std::max(0, areas.table_rows)),
                                                    vm.worker_rows().size());
    if (shown == 0) return false;
    const std::vector<std::string> lines = grid.to_lines();
    for (std::size_t i = 0; i < shown; ++i) {
        const std::size_t y = static_cast<std::size_t>(areas.table_top) + i;
        if (y >= lines.size() || lines[y].empty()) return false;
    }
    return true;
}

std::string fmt_us(double ns) {
    char buf[32];
    const double us = ns / 1000.0;
    std::snprintf(buf, sizeof buf, us < 10 ? "%.2f" : us < 1000 ? "%.1f" : "%.0f", us);
    return buf;
}

void print_stage(const StageResult& r, std::size_t bytes) {
    char faults[32];
    std::snprintf(faults, sizeof faults, "%.1f", r.faults);
    char perbyte[32];
    std::snprintf(perbyte, sizeof perbyte, "%.2f", r.median_ns / static_cast<double>(bytes));
    std::string instr = "n/a";
    if (r.instructions) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.2f M", *r.instructions / 1e6);
        instr = buf;
    }
    std::printf("| %s | %s | %s | %s | %s | %zu | %s | %s |\n", r.name.c_str(), fmt_us(r.median_ns).c_str(),
                fmt_us(r.best_ns).c_str(), fmt_us(r.cpu_ns).c_str(), perbyte, r.runs, faults, instr.c_str());
}

struct Summary {
    std::string name;
    std::size_t bytes = 0;
    StageResult refresh_workers, refresh_cores;
    StageResult parse, parse_generic, floor;  // floor: the fastest of the three
    double steady_faults_thread = 0, steady_faults_process = 0;
};

// All stages of one input. Returns false when a stage failed outright.
bool bench_input(const Input& in, const Args& args, Checker& check, Summary& sum) {
    const Budget budget = args.quick ? Budget{0, 2, 2, 1} : Budget{args.seconds, 5, 1000000, 2};
    const std::size_t bytes = in.b.size();
    std::printf("\n### %s: %zu bytes, %zu workers, %zu cores\n\n", in.name.c_str(), bytes, in.workers,
                in.cores);
    std::printf("| stage | median µs | best µs | CPU µs/run | ns/byte (median) | runs | faults/run | instr/run |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");

    LoopbackServer server;
    std::string error;
    if (!server.start({in.a, in.b}, 0, error)) {
        std::fprintf(stderr, "bench: %s\n", error.c_str());
        return false;
    }

    // read
    {
        auto source = loopback_source(server.port());
        Frame frame;
        bool read_ok = true;
        source->fetch(frame).is_ok();   // warm-up: sizes the buffer
        auto r = measure("read (socket fetch)", budget, [] {}, [&] {
            if (!source->fetch(frame)) read_ok = false;
        });
        check.expect(read_ok, in.name, "read failed");
        check.expect(frame.bytes == in.a || frame.bytes == in.b, in.name, "read bytes differ from the input");
        print_stage(r, bytes);
    }

    // parse (alternating the two captures into one reused Snapshot)
    Parser parser;
    Snapshot snap;
    uwsgitop::ByteBuffer buf;
    {
        bool parse_ok = true;
        std::size_t turn = 0;
        auto r = measure("parse", budget,
                         [&] {
                             const uwsgitop::ByteBuffer& src = (turn++ & 1) ? in.b : in.a;
                             buf.assign(src.begin(), src.end());
                         },
                         [&] {
                             if (!parser.parse(buf, snap)) parse_ok = false;
                         });
        check.expect(parse_ok, in.name, "parse failed");
        print_stage(r, bytes);
        sum.parse = r;
        Parser generic;
        generic.set_generic_cores(true);
        auto rg = measure("parse, RapidJSON reading the cores too (set_generic_cores)", budget,
                          [&] {
                              const uwsgitop::ByteBuffer& src = (turn++ & 1) ? in.b : in.a;
                              buf.assign(src.begin(), src.end());
                          },
                          [&] {
                              if (!generic.parse(buf, snap)) parse_ok = false;
                          });
        check.expect(parse_ok && snap.cores.size() == in.cores, in.name, "generic parse");
        print_stage(rg, bytes);
        sum.parse_generic = rg;
        auto r2 = measure("parse, cores passed over (worker table)", budget,
                          [&] {
                              const uwsgitop::ByteBuffer& src = (turn++ & 1) ? in.b : in.a;
                              buf.assign(src.begin(), src.end());
                          },
                          [&] {
                              if (!parser.parse(buf, snap, ParseScope::NoCores)) parse_ok = false;
                          });
        check.expect(parse_ok && snap.cores.empty() && snap.workers.size() == in.workers, in.name,
                     "parse without cores");
        print_stage(r2, bytes);
    }

    // The floor: RapidJSON alone over the same bytes.
    struct FloorVariant {
        const char* name;
        bool (*fn)(char*);
        bool available;
    };
    const FloorVariant floors[] = {
        {"floor: RapidJSON SAX, null handler", floor_parse_plain, true},
        {"floor: same, RAPIDJSON_SSE2", floor_parse_sse2, floor_have_sse2()},
        {"floor: same, RAPIDJSON_SSE42", floor_parse_sse42, floor_have_sse42()},
    };
    for (const FloorVariant& fv : floors) {
        if (!fv.available) continue;
        bool floor_ok = true;
        auto r = measure(fv.name, budget,
                         [&] {
                             buf.assign(in.b.begin(), in.b.end());
                             buf.push_back('\0');
                         },
                         [&] {
                             if (!fv.fn(buf.data())) floor_ok = false;
                         });
        check.expect(floor_ok, in.name, "RapidJSON rejected the input (floor)");
        print_stage(r, bytes);
        if (sum.floor.runs == 0 || r.median_ns < sum.floor.median_ns) sum.floor = r;
    }

    // Two parsed successive snapshots for the later stages.
    Snapshot snap_a, snap_b;
    buf.assign(in.a.begin(), in.a.end());
    check.expect(parser.parse(buf, snap_a).is_ok(), in.name, "parse a");
    buf.assign(in.b.begin(), in.b.end());
    check.expect(parser.parse(buf, snap_b).is_ok(), in.name, "parse b");
    check.expect(snap_b.workers.size() == in.workers && snap_b.cores.size() == in.cores, in.name,
                 "reused-parser row count differs from a direct parse");

    // rates: untimed update with A, timed update with B one second later.
    RateTracker tracker;
    Rates rates;
    {
        double t = 1000;
        auto r = measure("rates", budget, [&] { tracker.update(snap_a, t, rates); t += 1; },
                         [&] { tracker.update(snap_b, t, rates); t += 1; });
        check.expect(rates.workers.size() == in.workers && rates.cores.size() == in.cores, in.name,
                     "rates not parallel to the snapshot");
        print_stage(r, bytes);
    }

    const double now = 1.8e9;
    const RowContext ctx{&snap_b, &rates, now, total_requests(snap_b)};
    const SortSpec spec{ColumnId::Requests, true};
    std::vector<RowRef> rows_w, rows_c;
    {
        auto r = measure("sort workers", budget, [] {}, [&] {
            build_rows(snap_b, RowMode::Workers, rows_w);
            sort_rows(rows_w, ctx, spec, RowMode::Workers);
        });
        check.expect(rows_w.size() == in.workers, in.name, "sort workers: row count");
        print_stage(r, bytes);
    }
    {
        auto r = measure("sort cores", budget, [] {}, [&] {
            build_rows(snap_b, RowMode::Cores, rows_c);
            sort_rows(rows_c, ctx, spec, RowMode::Cores);
        });
        check.expect(rows_c.size() == in.cores, in.name, "sort cores: row count");
        print_stage(r, bytes);
    }

    std::string out;
    const std::string address = "127.0.0.1:9191";
    for (const bool cv : {false, true}) {
        tui::ViewModel vm(view_options(cv), address);
        vm.set_size(kWidth, kHeight);
        vm.set_clock(1000);
        vm.set_fetch_ok(1000);
        auto r = measure(cv ? "view-model update (rows+sort), cores" : "view-model update (rows+sort), workers",
                         budget, [] {}, [&] { vm.set_snapshot(&snap_b, &rates, now); });
        check.expect(vm.worker_rows().size() == (cv ? in.cores : in.workers), in.name, "view-model: row count");
        print_stage(r, bytes);
        tui::Grid grid;
        tui::Renderer renderer;
        auto r2 = measure(cv ? "render 160x50, cores" : "render 160x50, workers", budget, [] {},
                          [&] { renderer.render(vm, grid); });
        check.expect(grid.width() == kWidth && grid.height() == kHeight, in.name, "render: grid size");
        check.expect(screen_shows_rows(vm, grid), in.name, "render: table rows missing");
        print_stage(r2, bytes);
    }
    for (const bool json : {false, true}) {
        DumpOptions opt;
        opt.format = json ? OutputFormat::Json : OutputFormat::Table;
        opt.sort = spec;
        opt.address = address;
        auto r = measure(json ? "dump_json (all workers)" : "dump_table (all workers)", budget,
                         [&] { out.clear(); }, [&] {
                             if (json) dump_json(snap_b, &rates, now, opt, out);
                             else dump_table(snap_b, &rates, now, opt, out);
                         });
        check.expect(!out.empty(), in.name, "dump produced nothing");
        print_stage(r, bytes);
    }

    // The whole refresh, both views, through the real Pipeline.
    for (const bool cv : {false, true}) {
        Refresher ref(loopback_source(server.port()), view_options(cv), address);
        for (int i = 0; i < 3; ++i) refresh_once(ref);   // warm-up
        auto r = measure(cv ? "**whole refresh, cores view**" : "**whole refresh, workers view**", budget,
                         [] {}, [&] { uwsgitop_bench_refresh(&ref); });
        check.expect(ref.ok, in.name, "whole refresh failed");
        check.expect(ref.vm.worker_rows().size() == (cv ? in.cores : in.workers), in.name,
                     "whole refresh: row count");
        check.expect(screen_shows_rows(ref.vm, ref.grid), in.name, "whole refresh: table rows missing");
        print_stage(r, bytes);
        (cv ? sum.refresh_cores : sum.refresh_workers) = r;
        if (!cv) {
            // Steady-state faults, for this thread and for the process.
            const long n = args.quick ? 2 : 20;
            const long t0 = thread_minor_faults();
            const long p0 = process_minor_faults();
            for (long i = 0; i < n; ++i) uwsgitop_bench_refresh(&ref);
            sum.steady_faults_thread = static_cast<double>(thread_minor_faults() - t0) / static_cast<double>(n);
            sum.steady_faults_process = static_cast<double>(process_minor_faults() - p0) / static_cast<double>(n);
        }
    }
    sum.name = in.name;
    sum.bytes = bytes;
    server.stop();
    std::fflush(stdout);
    return true;
}

int run_floors(const Input& in, long n) {
    uwsgitop::ByteBuffer buf;
    int failures = 0;
    for (auto fn : {floor_parse_plain, floor_parse_sse2, floor_parse_sse42}) {
        if ((fn == floor_parse_sse2 && !floor_have_sse2()) || (fn == floor_parse_sse42 && !floor_have_sse42())) continue;
        for (long i = 0; i < n; ++i) {
            buf.assign(in.b.begin(), in.b.end());
            buf.push_back('\0');
            if (!fn(buf.data())) ++failures;
        }
    }
    std::printf("input=%s bytes=%zu floors parsed %ld times each, failures=%d\n", in.name.c_str(), in.b.size(),
                n, failures);
    return failures ? 1 : 0;
}

int run_loop(const Args& args) {
    Input in;
    if (!load_input(args.data, args.loop, in)) return 2;
    if (args.floors) return run_floors(in, args.refreshes);
    LoopbackServer server;
    std::string error;
    if (!server.start({in.a, in.b}, 0, error)) {
        std::fprintf(stderr, "bench: %s\n", error.c_str());
        return 2;
    }
    Refresher ref(loopback_source(server.port()), view_options(args.cores_view), "127.0.0.1:9191");
    for (int i = 0; i < 2; ++i) refresh_once(ref);   // warm-up
    const long t0 = thread_minor_faults();
    for (long i = 0; i < args.refreshes; ++i) uwsgitop_bench_refresh(&ref);
    const long faults = thread_minor_faults() - t0;
    server.stop();
    std::printf("input=%s bytes=%zu refreshes=%ld ok=%d rows=%zu faults_per_refresh=%.2f vmhwm_kib=%ld\n",
                in.name.c_str(), in.b.size(), args.refreshes, ref.ok ? 1 : 0, ref.vm.worker_rows().size(),
                args.refreshes ? static_cast<double>(faults) / static_cast<double>(args.refreshes) : 0.0,
                peak_rss_kib());
    return ref.ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    Args args;
    if (!parse_args(argc, argv, args)) return 2;
    if (!args.loop.empty()) return run_loop(args);

    Checker check;
    std::vector<Summary> sums;
    std::printf("## uwsgitop refresh benchmark (%s)\n", args.quick ? "quick: 2 runs per stage, timings meaningless"
                                                                 : "median/best of adaptive runs");
    std::printf("\nInstructions need perf_event_open (%s here).\n",
                InstructionCounter().valid() ? "available" : "not available");
    for (const std::string& name : args.sizes) {
        Input in;
        if (!load_input(args.data, name, in)) return 2;
        Summary sum;
        if (!bench_input(in, args, check, sum)) return 2;
        sums.push_back(sum);
    }

    std::printf("\n### Whole refresh per size\n\n");
    std::printf("| input | bytes | workers view median ms | ns/byte | CPU ms | cores view median ms | ns/byte | faults/refresh (thread) | (process) |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (const Summary& s : sums) {
        const double b = static_cast<double>(s.bytes);
        std::printf("| %s | %zu | %.3f | %.2f | %.3f | %.3f | %.2f | %.2f | %.2f |\n", s.name.c_str(), s.bytes,
                    s.refresh_workers.median_ns / 1e6, s.refresh_workers.median_ns / b,
                    s.refresh_workers.cpu_ns / 1e6, s.refresh_cores.median_ns / 1e6,
                    s.refresh_cores.median_ns / b, s.steady_faults_thread, s.steady_faults_process);
    }

    // Issue 18: the parse against its floor, the scaling, the limits.
    std::printf("\n### Parse against the RapidJSON floor (fastest of the three floors, same bytes)\n\n");
    std::printf("| input | parse median / best ms | RapidJSON for the cores too, median / best ms | floor median / best ms | parse / floor, median | best | limit |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---|\n");
    for (const Summary& s : sums) {
        std::printf("| %s | %.3f / %.3f | %.3f / %.3f | %.3f / %.3f (%s) | %.2f | %.2f | <= 1.3 |\n", s.name.c_str(),
                    s.parse.median_ns / 1e6, s.parse.best_ns / 1e6, s.parse_generic.median_ns / 1e6,
                    s.parse_generic.best_ns / 1e6, s.floor.median_ns / 1e6, s.floor.best_ns / 1e6,
                    s.floor.name.c_str(),
                    s.parse.median_ns / s.floor.median_ns, s.parse.best_ns / s.floor.best_ns);
    }
    std::vector<const Summary*> gen;
    for (const Summary& s : sums) {
        if (generated_workers(s.name) != 0) gen.push_back(&s);
    }
    if (gen.size() >= 2) {
        std::printf("\n### Scaling of the whole refresh, cores view (generated inputs)\n\n");
        std::printf("Step: (time ratio) / (size ratio) against the input before; 1.00 is linear.\n\n");
        std::printf("| input | bytes | median ms | best ms | ns/byte (median) | step, median | step, best | workers view median ms | limit |\n");
        std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (std::size_t i = 0; i < gen.size(); ++i) {
            const Summary& s = *gen[i];
            const double b = static_cast<double>(s.bytes);
            std::string step_m = "-", step_b = "-";
            if (i > 0) {
                const Summary& p = *gen[i - 1];
                const double size_ratio = b / static_cast<double>(p.bytes);
                char x[32];
                std::snprintf(x, sizeof x, "%.2f", s.refresh_cores.median_ns / p.refresh_cores.median_ns / size_ratio);
                step_m = x;
                std::snprintf(x, sizeof x, "%.2f", s.refresh_cores.best_ns / p.refresh_cores.best_ns / size_ratio);
                step_b = x;
            }
            std::printf("| %s | %zu | %.3f | %.3f | %.2f | %s | %s | %.3f | step <= 1.2 |\n", s.name.c_str(), s.bytes,
                        s.refresh_cores.median_ns / 1e6, s.refresh_cores.best_ns / 1e6,
                        s.refresh_cores.median_ns / b, step_m.c_str(), step_b.c_str(),
                        s.refresh_workers.median_ns / 1e6);
        }
    }
    for (const Summary& s : sums) {
        if (s.name != "bigasync") continue;
        std::printf("\n### Limits of issue 18 on the 4 MB capture (bigasync)\n\n");
        std::printf("| measure | value | limit |\n|---|---:|---|\n");
        std::printf("| whole refresh, cores view, median | %.3f ms | <= 5 ms |\n", s.refresh_cores.median_ns / 1e6);
        std::printf("| whole refresh, cores view, best | %.3f ms | - |\n", s.refresh_cores.best_ns / 1e6);
        std::printf("| whole refresh, cores view, thread CPU | %.3f ms | - |\n", s.refresh_cores.cpu_ns / 1e6);
        std::printf("| parse / floor, median | %.2f | <= 1.3 |\n", s.parse.median_ns / s.floor.median_ns);
    }
    std::printf("\nbench VmHWM (all inputs loaded): %ld KiB\n", peak_rss_kib());
    if (check.failures) {
        std::fprintf(stderr, "bench: %d check(s) failed\n", check.failures);
        return 1;
    }
    return 0;
}
