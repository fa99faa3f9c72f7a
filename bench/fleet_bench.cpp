// fleet_bench.cpp — the fleet screen's cost: N fake stats servers on
// loopback, polled at a fixed rate with poll_fleet() (the fleet screen's
// poller does exactly this each round), then the rows built, the view-model
// fed and the fleet screen rendered into a Grid.
//
// The servers (bench_server.hpp, one thread each, serving prefork-1/-2.json
// in turn) run in a forked child process, so getrusage(RUSAGE_SELF) in the
// parent counts only the monitor: polling, parsing, rates, rows, render.
// The child is stopped by its pid at the end (and dies with the parent:
// PR_SET_PDEATHSIG). Loopback only; rounds and targets are bounded.
//
// Output: per-round wall time of the poll and of rows+render, and CPU time
// per round (user+sys), as medians and maxima, plus CPU as a share of one
// core at the chosen rate. Exit 1 when a round saw an instance not "ok".
//
//   fleet_bench [--targets N] [--rounds N] [--interval SECS] [--concurrency N] [--quick]
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "bench_server.hpp"
#include "uwsgitop/source/frame.hpp"
#include "uwsgitop/tui/fleet_view.hpp"

using namespace uwsgitop;

namespace {

double cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

uwsgitop::ByteBuffer slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return uwsgitop::ByteBuffer(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

double maximum(const std::vector<double>& v) { return v.empty() ? 0 : *std::max_element(v.begin(), v.end()); }

// Child: start `n` servers, write their ports to `fd`, wait until killed.
[[noreturn]] void serve_children(int n, std::vector<uwsgitop::ByteBuffer> docs, int fd) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    std::vector<std::unique_ptr<bench::LoopbackServer>> servers;
    for (int i = 0; i < n; ++i) {
        auto s = std::make_unique<bench::LoopbackServer>();
        std::string error;
        uint16_t port = 0;
        if (s->start(docs, 0, error)) port = s->port();
        else std::fprintf(stderr, "fleet_bench: server %d: %s\n", i, error.c_str());
        if (write(fd, &port, sizeof port) != static_cast<ssize_t>(sizeof port)) _exit(1);
        servers.push_back(std::move(s));
    }
    close(fd);
    for (;;) pause();
}

}  // namespace

int main(int argc, char** argv) {
    int targets = 100, rounds = 30;
    double interval = 1.0;
    unsigned concurrency = 16;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string("0"); };
        if (a == "--targets") targets = std::clamp(std::atoi(next().c_str()), 1, 1000);
        else if (a == "--rounds") rounds = std::clamp(std::atoi(next().c_str()), 1, 100000);
        else if (a == "--interval") interval = std::clamp(std::atof(next().c_str()), 0.0, 60.0);
        else if (a == "--concurrency") concurrency = static_cast<unsigned>(std::clamp(std::atoi(next().c_str()), 1, 1024));
        else if (a == "--quick") { targets = 20; rounds = 3; interval = 0.2; }
        else {
            std::fprintf(stderr, "usage: fleet_bench [--targets N] [--rounds N] [--interval SECS] [--concurrency N] [--quick]\n");
            return 2;
        }
    }
    const std::string fixtures = FLEET_BENCH_FIXTURES;
    std::vector<uwsgitop::ByteBuffer> docs = {slurp(fixtures + "/prefork-1.json"), slurp(fixtures + "/prefork-2.json")};
    if (docs[0].empty() || docs[1].empty()) {
        std::fprintf(stderr, "fleet_bench: cannot read the prefork fixtures in %s\n", fixtures.c_str());
        return 2;
    }
    int pipefd[2];
    if (pipe(pipefd) != 0) return 2;
    const pid_t child = fork();
    if (child < 0) return 2;
    if (child == 0) {
        close(pipefd[0]);
        serve_children(targets, docs, pipefd[1]);
    }
    close(pipefd[1]);
    std::vector<Target> list;
    for (int i = 0; i < targets; ++i) {
        uint16_t port = 0;
        if (read(pipefd[0], &port, sizeof port) != static_cast<ssize_t>(sizeof port) || port == 0) {
            std::fprintf(stderr, "fleet_bench: the servers did not start\n");
            kill(child, SIGTERM);
            waitpid(child, nullptr, 0);
            return 2;
        }
        list.push_back(Target{"fake-" + std::to_string(i), "127.0.0.1:" + std::to_string(port)});
    }
    close(pipefd[0]);

    std::vector<std::unique_ptr<Instance>> fleet;
    FetchLimits limits;
    limits.timeout_seconds = 3;
    if (!make_fleet(list, limits, fleet)) return 2;
    tui::FleetViewModel vm(interval);
    vm.set_size(200, 60);
    tui::Grid grid;
    std::vector<tui::FleetRow> rows;
    std::vector<double> poll_ms, draw_ms, cpu_ms;
    int not_ok = 0;
    const double cpu_start = cpu_seconds();
    const double wall_start = monotonic_seconds();
    for (int r = 0; r < rounds; ++r) {
        const double t0 = monotonic_seconds();
        const double c0 = cpu_seconds();
        poll_fleet(fleet, concurrency);
        const double t1 = monotonic_seconds();
        tui::make_fleet_rows(fleet, t1, rows);
        for (const auto& row : rows) not_ok += row.kind == tui::FleetState::Ok ? 0 : 1;
        vm.set_rows(rows);
        tui::render_fleet(vm, grid);
        const double t2 = monotonic_seconds();
        poll_ms.push_back((t1 - t0) * 1e3);
        draw_ms.push_back((t2 - t1) * 1e3);
        cpu_ms.push_back((cpu_seconds() - c0) * 1e3);
        const double rest = interval - (monotonic_seconds() - t0);
        if (rest > 0 && r + 1 < rounds) std::this_thread::sleep_for(std::chrono::duration<double>(rest));
    }
    const double cpu_total = cpu_seconds() - cpu_start;
    const double wall_total = monotonic_seconds() - wall_start;
    kill(child, SIGTERM);
    waitpid(child, nullptr, 0);

    std::printf("fleet_bench: %d targets, %d rounds, interval %.2f s, concurrency %u\n", targets, rounds, interval,
                concurrency);
    std::printf("  poll round wall     median %8.2f ms   max %8.2f ms\n", median(poll_ms), maximum(poll_ms));
    std::printf("  rows+render wall    median %8.2f ms   max %8.2f ms\n", median(draw_ms), maximum(draw_ms));
    std::printf("  CPU per round       median %8.2f ms   max %8.2f ms\n", median(cpu_ms), maximum(cpu_ms));
    std::printf("  CPU over the run    %.3f s in %.2f s wall = %.1f%% of one core\n", cpu_total, wall_total,
                wall_total > 0 ? 100.0 * cpu_total / wall_total : 0.0);
    std::printf("  instances not ok    %d (over all rounds)\n", not_ok);
    return not_ok == 0 ? 0 : 1;
}
