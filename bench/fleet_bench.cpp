// fleet_bench.cpp — the fleet screen's cost: N fake stats servers on
// loopback (fake_fleet.hpp: one forked child, one epoll loop, the prefork
// fixtures with 4 workers each; the last --silent of them accept and never
// answer), polled by this process.
//
// Two modes:
//   rounds (default): poll_fleet() at a fixed rate (what --once/--batch do
//     each iteration), then the rows built, the view-model fed and the fleet
//     screen rendered into a Grid. Per-round wall time of the poll and of
//     rows+render, CPU per round, as medians and maxima.
//   --screen: the fleet screen's own poller (tui::FleetPoller) at
//     --interval for --rounds intervals, its rows taken every 10 ms as the
//     screen does. Reported: how often rows were handed over (the largest
//     gap), how many times each answering instance was fetched (its fake
//     server counts the documents written: the minimum over the answering
//     ones against the rounds run), and when the silent ones were first
//     shown down (seconds after the start; their timeout is --timeout).
// Both: CPU over the run as a share of one core (getrusage of this process:
// polling, parsing, rates, rows; the fake fleet is another process), peak
// RSS (VmHWM). With --once BINARY: also the wall time of `BINARY --targets
// FILE --once --format tsv` over the same fleet (median of 3).
// Loopback only; the child is stopped by its pid. Exit 1 when an answering
// instance was not "ok" (rounds) or not fetched every round (--screen).
//
//   fleet_bench [--targets N] [--silent N] [--rounds N] [--interval SECS]
//               [--timeout SECS] [--concurrency N] [--screen] [--once BINARY] [--quick]
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "fake_fleet.hpp"
#include "uwsgitop/source/frame.hpp"
#include "uwsgitop/tui/fleet_poller.hpp"
#include "uwsgitop/tui/fleet_view.hpp"

using namespace uwsgitop;

namespace {

double cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double peak_rss_mib() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmHWM:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
    }
    return 0;
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

double maximum(const std::vector<double>& v) { return v.empty() ? 0 : *std::max_element(v.begin(), v.end()); }

// Wall seconds of `binary --targets file --once --format tsv` (output dropped).
double time_once(const std::string& binary, const std::string& file, double timeout, unsigned concurrency) {
    std::fflush(stdout);   // the child must not write our buffered lines again
    const double t0 = monotonic_seconds();
    const pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)) _exit(127);
        const std::string t = std::to_string(timeout);
        const std::string c = std::to_string(concurrency);
        execl(binary.c_str(), binary.c_str(), "--no-config", "--targets", file.c_str(), "--once", "--format", "tsv",
              "--timeout", t.c_str(), "--concurrency", c.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return monotonic_seconds() - t0;
}

}  // namespace

int main(int argc, char** argv) {
    int targets = 100, silent = 0, rounds = 30;
    double interval = 1.0, timeout = 3.0;
    unsigned concurrency = 16;
    bool screen = false;
    std::string once_binary;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string("0"); };
        if (a == "--targets") targets = std::clamp(std::atoi(next().c_str()), 1, 4000);
        else if (a == "--silent") silent = std::clamp(std::atoi(next().c_str()), 0, 4000);
        else if (a == "--rounds") rounds = std::clamp(std::atoi(next().c_str()), 1, 100000);
        else if (a == "--interval") interval = std::clamp(std::atof(next().c_str()), 0.0, 60.0);
        else if (a == "--timeout") timeout = std::clamp(std::atof(next().c_str()), 0.05, 60.0);
        else if (a == "--concurrency") concurrency = static_cast<unsigned>(std::clamp(std::atoi(next().c_str()), 1, 1024));
        else if (a == "--screen") screen = true;
        else if (a == "--once") once_binary = next();
        else if (a == "--quick") { targets = 20; rounds = 3; interval = 0.2; }
        else {
            std::fprintf(stderr,
                         "usage: fleet_bench [--targets N] [--silent N] [--rounds N] [--interval SECS] [--timeout SECS]\n"
                         "                   [--concurrency N] [--screen] [--once BINARY] [--quick]\n");
            return 2;
        }
    }
    silent = std::min(silent, targets);
    const auto docs = bench::prefork_documents(FLEET_BENCH_FIXTURES);
    if (docs.empty()) {
        std::fprintf(stderr, "fleet_bench: cannot read the prefork fixtures in %s\n", FLEET_BENCH_FIXTURES);
        return 2;
    }
    bench::FakeFleet fake;
    std::string error;
    if (!fake.start(targets, silent, docs, error)) {
        std::fprintf(stderr, "fleet_bench: %s\n", error.c_str());
        return 2;
    }
    std::vector<Target> list;
    for (int i = 0; i < targets; ++i) {
        list.push_back(Target{"fake-" + std::to_string(i), "127.0.0.1:" + std::to_string(fake.ports()[static_cast<std::size_t>(i)])});
    }
    std::vector<std::unique_ptr<Instance>> fleet;
    FetchLimits limits;
    limits.timeout_seconds = timeout;
    if (!make_fleet(list, limits, fleet)) return 2;
    const std::size_t answering = static_cast<std::size_t>(targets - silent);

    std::printf("fleet_bench: %d targets (%d silent), %s, %d rounds, interval %.2f s, timeout %.1f s, concurrency %u\n",
                targets, silent, screen ? "the screen's poller" : "poll_fleet rounds", rounds, interval, timeout,
                concurrency);
    int failures = 0;
    const double cpu_start = cpu_seconds();
    const double wall_start = monotonic_seconds();
    if (!screen) {
        tui::FleetViewModel vm(interval);
        vm.set_size(200, 60);
        tui::Grid grid;
        std::vector<tui::FleetRow> rows;
        std::vector<double> poll_ms, draw_ms, cpu_ms;
        for (int r = 0; r < rounds; ++r) {
            const double t0 = monotonic_seconds();
            const double c0 = cpu_seconds();
            poll_fleet(fleet, concurrency);
            const double t1 = monotonic_seconds();
            tui::make_fleet_rows(fleet, t1, rows);
            for (std::size_t k = 0; k < answering; ++k) failures += rows[k].kind == tui::FleetState::Ok ? 0 : 1;
            vm.set_rows(rows);
            tui::render_fleet(vm, grid);
            const double t2 = monotonic_seconds();
            poll_ms.push_back((t1 - t0) * 1e3);
            draw_ms.push_back((t2 - t1) * 1e3);
            cpu_ms.push_back((cpu_seconds() - c0) * 1e3);
            const double rest = interval - (monotonic_seconds() - t0);
            if (rest > 0 && r + 1 < rounds) std::this_thread::sleep_for(std::chrono::duration<double>(rest));
        }
        std::printf("  poll round wall     median %8.2f ms   max %8.2f ms\n", median(poll_ms), maximum(poll_ms));
        std::printf("  rows+render wall    median %8.2f ms   max %8.2f ms\n", median(draw_ms), maximum(draw_ms));
        std::printf("  CPU per round       median %8.2f ms   max %8.2f ms\n", median(cpu_ms), maximum(cpu_ms));
        std::printf("  answering not ok    %d (over all rounds)\n", failures);
    } else {
        std::vector<uint32_t> served_before(answering);
        for (std::size_t k = 0; k < answering; ++k) served_before[k] = fake.served(k);
        tui::FleetPoller poller(fleet, concurrency, limits, false);
        std::vector<tui::FleetRow> rows;
        std::vector<double> down_at(static_cast<std::size_t>(silent), -1);
        double last_rows = wall_start, worst_gap = 0;
        int handovers = 0;
        poller.start(interval);
        const double end = wall_start + rounds * interval;
        while (monotonic_seconds() < end) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            if (!poller.take(rows)) continue;
            const double now = monotonic_seconds();
            worst_gap = std::max(worst_gap, now - last_rows);
            last_rows = now;
            ++handovers;
            for (std::size_t s = 0; s < down_at.size(); ++s) {
                const tui::FleetRow& row = rows[answering + s];
                if (down_at[s] < 0 && row.kind != tui::FleetState::Ok && row.state != "polling") {
                    down_at[s] = now - wall_start;
                }
            }
        }
        const double stop_at = monotonic_seconds();
        poller.stop(timeout + 1);
        uint32_t fewest = UINT32_MAX, most = 0;
        for (std::size_t k = 0; k < answering; ++k) {
            const uint32_t n = fake.served(k) - served_before[k];
            fewest = std::min(fewest, n);
            most = std::max(most, n);
        }
        if (answering == 0) fewest = 0;
        // Rounds start at 0, interval, 2*interval, ... before the end.
        const int expected = rounds;
        if (answering > 0 && static_cast<int>(fewest) < expected) failures = expected - static_cast<int>(fewest);
        std::printf("  rows handed over    %d times in %.2f s, largest gap %.0f ms\n", handovers, stop_at - wall_start,
                    worst_gap * 1e3);
        std::printf("  answering fetched   %u..%u times each (rounds run: %d)\n", fewest, most, expected);
        if (silent > 0) {
            std::vector<double> seen;
            int never = 0;
            for (double t : down_at) {
                if (t < 0) ++never;
                else seen.push_back(t);
            }
            std::printf("  silent shown down   after %.2f..%.2f s (timeout %.1f s), %d never\n",
                        seen.empty() ? 0.0 : *std::min_element(seen.begin(), seen.end()), maximum(seen), timeout,
                        never);
            failures += never;
        }
    }
    const double cpu_total = cpu_seconds() - cpu_start;
    const double wall_total = monotonic_seconds() - wall_start;
    std::printf("  CPU over the run    %.3f s in %.2f s wall = %.1f%% of one core\n", cpu_total, wall_total,
                wall_total > 0 ? 100.0 * cpu_total / wall_total : 0.0);
    std::printf("  peak RSS            %.1f MiB\n", peak_rss_mib());
    if (!once_binary.empty()) {
        char path[] = "/tmp/uwsgitop-fleet-bench-XXXXXX";
        const int fd = mkstemp(path);
        if (fd >= 0) {
            close(fd);
            std::ofstream out(path);
            for (const Target& t : list) out << t.name << '=' << t.address << '\n';
            out.close();
            std::vector<double> walls;
            for (int k = 0; k < 3; ++k) walls.push_back(time_once(once_binary, path, timeout, concurrency));
            std::printf("  --once wall         median %8.1f ms   max %8.1f ms (%s)\n", median(walls) * 1e3,
                        maximum(walls) * 1e3, once_binary.c_str());
            std::remove(path);
        }
    }
    fake.stop();
    return failures == 0 ? 0 : 1;
}
