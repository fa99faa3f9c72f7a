// fleet_batch.cpp — --once/--batch and --serve-metrics for several instances
// (see batch.hpp).
#include <atomic>
#include <csignal>
#include <cstdio>
#include <limits>

#include "uwsgitop/cli/batch.hpp"
#include "uwsgitop/fleet/fleet_events.hpp"
#include "uwsgitop/fleet/fleet_poll.hpp"
#include "uwsgitop/fleet/vassal_follow.hpp"
#include "uwsgitop/output/fleet_dump.hpp"
#include "uwsgitop/output/prometheus.hpp"
#include "uwsgitop/serve/metrics_server.hpp"
#include "uwsgitop/settings/fetch_setup.hpp"

namespace uwsgitop {

namespace {

std::atomic<bool> g_stop{false};     // lock-free: safe to set from a signal handler
std::atomic<bool> g_reload{false};   // SIGHUP seen, not handled yet

extern "C" void on_stop_signal(int) { g_stop = true; }
extern "C" void on_reload_signal(int) { g_reload = true; }

// SIGHUP: the targets (command line, settings file, --targets file read
// again) and the web config; each one that is bad is one line on stderr and
// the previous one stays in force. The vassal follower (the poll thread's)
// forgets its Emperors on the poll thread when the new fleet is taken, so
// the vassals of the Emperors still in it join again.
void reload_server(const Options& options, MetricsServer& server, VassalFollower& follower) {
    std::vector<Target> targets;
    std::vector<std::unique_ptr<Instance>> fresh;
    Status st = collect_targets(options, targets);
    if (st) st = make_fleet(targets, fetch_limits(options), fresh);
    if (!st) {
        server.log().line(LogLevel::Error, log_text("reload: ", st.message(), "; the previous targets stay in force"));
    } else {
        const std::size_t n = fresh.size();
        server.replace_targets(std::move(fresh), [&follower] { follower.forget(); });
        server.log().line(LogLevel::Info, log_text("reload: ", std::to_string(n), " target(s)"));
    }
    if (Status web = server.reload_web_config(); !web) {
        server.log().line(LogLevel::Error,
                          log_text("reload: ", web.message(), "; the previous web config stays in force"));
    }
}

// --follow-vassals for the runs without a screen, after each poll: the
// fleet follows its Emperors (vassal_follow.hpp); each refused or skipped
// vassal is one line on stderr, once. `poll_now`: new vassals are polled at
// once, so this poll's output has them (--once/--batch); the exporter leaves
// them to its next poll, so a vassal that never answers delays no scrape.
void follow_vassals(const Options& options, std::vector<std::unique_ptr<Instance>>& fleet,
                    VassalFollower& follower, bool poll_now) {
    if (!options.follow_vassals) return;
    std::vector<std::string> notices;
    follower.follow(fleet, poll_now, &notices);
    for (const std::string& line : notices) std::fprintf(stderr, "uwsgitop: %s\n", line.c_str());
}

VassalFollower make_follower(const Options& options, ParseScope scope) {
    return VassalFollower(fetch_limits(options), static_cast<unsigned>(options.concurrency), scope);
}

}  // namespace

int run_fleet_batch(const Options& options, std::vector<std::unique_ptr<Instance>>& fleet) {
    FleetDumpOptions dump;
    dump.base.format = options.format;
    dump.base.columns = options.cores && !options.core_columns.empty() ? options.core_columns : options.columns;
    dump.base.sort = options.sort;
    dump.base.cores = options.cores;
    dump.workers = options.workers;
    PrometheusOptions prom;
    prom.openmetrics = options.format == OutputFormat::OpenMetrics;   // prometheus: the classic 0.0.4 text
    prom.cores = options.cores;

    int exit_code = 0;
    std::string out;
    // Declared before the FleetPoll: it keeps the vassals that left with a
    // fetch in flight alive until the poll is gone (vassal_follow.hpp).
    VassalFollower follower = make_follower(options, ParseScope::Everything);
    FleetEvents events(event_options(options));  // --format events
    std::vector<Event> new_events;
    const long count = options.once ? 1 : options.iterations;
    // One FleetPoll for the run (fleet_poll.hpp): each iteration waits for
    // its round, except for members whose last poll failed (a hung one is
    // shown with its error while asked again); the waits between iterations
    // drive the fetches still in flight, so their timeouts land on time.
    FleetPoll poll(static_cast<unsigned>(options.concurrency));
    for (long i = 0; count == 0 || i < count; ++i) {
        if (i > 0) poll.run_until(monotonic_seconds() + options.interval, FleetPoll::Until::Deadline);
        poll.start_round(fleet);
        poll.run_until(std::numeric_limits<double>::infinity(), FleetPoll::Until::RoundDone);
        follow_vassals(options, fleet, follower, true);
        exit_code = 0;  // what the last poll read decides
        for (const auto& inst : fleet) {
            if (!inst->last_ok) {
                std::fprintf(stderr, "uwsgitop: %s\n", inst->error.c_str());
                exit_code = 1;
            }
        }
        out.clear();
        if (options.format == OutputFormat::Prometheus || options.format == OutputFormat::OpenMetrics) {
            write_prometheus(fleet, prom, out);
        } else if (options.format == OutputFormat::Events) {
            new_events.clear();
            events.observe(fleet, wall_clock_seconds(), new_events);
            for (const Event& e : new_events) append_event_json(e, out);
        } else {
            dump.base.header = i == 0;
            if (options.format == OutputFormat::Table && i > 0) out += '\n';
            dump_fleet(fleet, monotonic_seconds(), dump, out);
        }
        if (const Written w = write_output(out); w != Written::Ok) return exit_after_write(w, exit_code);
    }
    return exit_code;
}

int run_metrics_server(const Options& options, std::vector<std::unique_ptr<Instance>>& fleet) {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sa.sa_handler = on_reload_signal;
    sigaction(SIGHUP, &sa, nullptr);
    ServeOptions serve;
    serve.listen = options.serve_metrics;
    serve.concurrency = static_cast<unsigned>(options.concurrency);
    serve.prometheus.cores = options.cores;
    serve.limits = fetch_limits(options);
    serve.probe_allow = options.probe_allow;
    serve.web_config_file = options.web_config_file;
    serve.max_connections = static_cast<unsigned>(options.web_max_connections);
    serve.max_connections_per_ip = static_cast<unsigned>(options.web_max_connections_per_ip);
    serve.idle_timeout_seconds = static_cast<unsigned>(options.web_idle_timeout);
    serve.request_timeout_seconds = options.web_request_timeout;
    serve.max_request_bytes = static_cast<std::size_t>(options.web_max_request_kib * 1024);
    serve.max_response_bytes = static_cast<std::size_t>(options.web_max_response_mib * 1024 * 1024);
    serve.scrape_timeout_offset = options.scrape_timeout_offset;
    serve.log_level = options.log_level;
    VassalFollower follower = make_follower(options, ParseScope::Everything);   // outlives the server's poll
    MetricsServer server(fleet, serve, [&] { follow_vassals(options, fleet, follower, false); });
    Status st = server.start();
    if (st) {
        server.log().line(LogLevel::Info, log_text("serving /metrics for ", std::to_string(fleet.size()),
                                                   " target(s) on ", server.tls() ? "https://" : "http://",
                                                   options.serve_metrics));
        for (unsigned long n = 0; !g_stop.load(); ++n) {
            sleep_for_seconds(0.2);
            if (g_reload.exchange(false)) reload_server(options, server, follower);
            if (n % 5 == 0) server.tick();   // about once a second
        }
        server.stop();
    }
    if (!st) {
        std::fprintf(stderr, "uwsgitop: %s\n", st.message().c_str());
        return server.config_error() ? 2 : 1;   // a usage error, or the system (cannot bind, no library)
    }
    return 0;
}

}  // namespace uwsgitop
