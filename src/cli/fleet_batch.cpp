// fleet_batch.cpp — --once/--batch and --serve-metrics for several instances
// (see batch.hpp).
#include <csignal>
#include <cstdio>

#include "uwsgitop/cli/batch.hpp"
#include "uwsgitop/output/fleet_dump.hpp"
#include "uwsgitop/output/prometheus.hpp"
#include "uwsgitop/serve/metrics_server.hpp"

namespace uwsgitop {

namespace {

volatile bool g_stop = false;

extern "C" void on_stop_signal(int) { g_stop = true; }

// --follow-vassals for the runs without a screen, after each poll: the new
// vassals of Emperors not followed yet (`expanded`) join the fleet, polled
// at once so this poll's output has them.
void follow_new_vassals(const Options& options, std::vector<std::unique_ptr<Instance>>& fleet,
                        std::vector<std::string>& expanded) {
    if (!options.follow_vassals) return;
    std::vector<Target> vassals;
    collect_vassal_targets(fleet, expanded, vassals);
    add_targets(fleet, vassals, fetch_limits(options), static_cast<unsigned>(options.concurrency),
                ParseScope::Everything);
}

}  // namespace

int run_fleet_batch(const Options& options, std::vector<std::unique_ptr<Instance>>& fleet) {
    FleetDumpOptions dump;
    dump.base.format = options.format;
    dump.base.columns = options.columns;
    dump.base.sort = options.sort;
    dump.base.cores = options.cores;
    dump.workers = options.workers;
    PrometheusOptions prom;
    prom.openmetrics = true;
    prom.cores = options.cores;

    int exit_code = 0;
    std::string out;
    std::vector<std::string> expanded;  // emperors whose vassals were added
    const long count = options.once ? 1 : options.iterations;
    for (long i = 0; count == 0 || i < count; ++i) {
        if (i > 0) sleep_for_seconds(options.interval);
        poll_fleet(fleet, static_cast<unsigned>(options.concurrency));
        follow_new_vassals(options, fleet, expanded);
        for (const auto& inst : fleet) {
            if (!inst->last_ok) {
                std::fprintf(stderr, "uwsgitop: %s\n", inst->error.c_str());
                exit_code = 1;
            }
        }
        out.clear();
        if (options.format == OutputFormat::Prometheus) {
            write_prometheus(fleet, prom, out);
        } else {
            dump.base.header = i == 0;
            if (options.format == OutputFormat::Table && i > 0) out += '\n';
            dump_fleet(fleet, monotonic_seconds(), dump, out);
        }
        if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size() || std::fflush(stdout) != 0) break;
    }
    return exit_code;
}

int run_metrics_server(const Options& options, std::vector<std::unique_ptr<Instance>>& fleet) {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    PrometheusOptions prom;
    prom.cores = options.cores;
    std::fprintf(stderr, "uwsgitop: serving /metrics for %zu target(s) on %s\n", fleet.size(),
                 options.serve_metrics.c_str());
    std::vector<std::string> expanded;
    Status st = serve_metrics(options.serve_metrics, fleet, prom, static_cast<unsigned>(options.concurrency), &g_stop,
                              [&] { follow_new_vassals(options, fleet, expanded); });
    if (!st) {
        std::fprintf(stderr, "uwsgitop: %s\n", st.message().c_str());
        return 2;
    }
    return 0;
}

}  // namespace uwsgitop
