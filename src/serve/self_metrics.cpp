// self_metrics.cpp — the exporter's own metrics (see self_metrics.hpp).
#include "uwsgitop/serve/self_metrics.hpp"

#include "config.h"
#include "uwsgitop/base/text.hpp"
#include "uwsgitop/output/prometheus.hpp"

namespace uwsgitop {

namespace {

void number(std::string& out, double v) {
    append_fixed(out, v, 6);
    out += '\n';
}

void count(std::string& out, uint64_t v) {
    append_int(out, static_cast<int64_t>(v));
    out += '\n';
}

}  // namespace

const char* build_version() { return UWSGITOP_VERSION; }

void SelfMetrics::record_poll(const std::vector<std::unique_ptr<Instance>>& fleet, const std::vector<bool>& failed,
                              double seconds) {
    ++polls;
    targets = fleet.size();
    bool any_failed = false;
    for (std::size_t i = 0; i < fleet.size(); ++i) {
        const Target& t = fleet[i]->target;
        // The fleet only grows (--follow-vassals appends), so row i is
        // fleet[i] but for a fleet that changed under us.
        TargetFailures* row = i < per_target.size() && per_target[i].target.address == t.address ? &per_target[i] : nullptr;
        for (std::size_t k = 0; !row && k < per_target.size(); ++k) {
            if (per_target[k].target.address == t.address) row = &per_target[k];
        }
        if (!row) {
            per_target.push_back({t, 0});
            row = &per_target.back();
        }
        if (i < failed.size() && failed[i]) {
            ++row->failures;
            any_failed = true;
        }
    }
    if (any_failed) {
        error_seconds += seconds;
        ++error_count;
    } else {
        success_seconds += seconds;
        ++success_count;
    }
}

void write_self_metrics(const SelfMetrics& m, bool openmetrics, std::string& out) {
    append_family_header(out, "uwsgitop_build_info", "gauge", "A metric with a constant '1' value labeled by the version of uwsgitop.");
    out += "uwsgitop_build_info{version=\"";
    append_label_value(out, build_version());
    out += "\"} 1\n";

    const std::string_view dur = "uwsgi_exporter_scrape_duration_seconds";
    append_family_header(out, dur, "summary", "uwsgi_exporter: Duration of a scrape job.");
    const struct {
        const char* result;
        double sum;
        uint64_t n;
    } rows[] = {{"error", m.error_seconds, m.error_count}, {"success", m.success_seconds, m.success_count}};
    for (const auto& r : rows) {
        if (r.n == 0) continue;
        out += dur;
        out += "_sum{result=\"";
        out += r.result;
        out += "\"} ";
        number(out, r.sum);
        out += dur;
        out += "_count{result=\"";
        out += r.result;
        out += "\"} ";
        count(out, r.n);
    }

    append_family_header(out, "uwsgitop_targets", "gauge", "Number of uWSGI stats servers polled by the last scrape.");
    out += "uwsgitop_targets ";
    count(out, m.targets);

    append_family_header(out, openmetrics ? "uwsgitop_polls" : "uwsgitop_polls_total", "counter",
                         "Polls of the whole fleet since the exporter started (concurrent scrapes share one).");
    out += "uwsgitop_polls_total ";
    count(out, m.polls);

    if (!m.per_target.empty()) {
        append_family_header(out, openmetrics ? "uwsgitop_target_failures" : "uwsgitop_target_failures_total", "counter",
                             "Failed polls of a uWSGI stats server since the exporter started.");
        for (const SelfMetrics::TargetFailures& r : m.per_target) {
            out += "uwsgitop_target_failures_total{instance=\"";
            append_label_value(out, r.target.name);
            out += "\",stats_uri=\"";
            append_label_value(out, r.target.address);
            out += "\"} ";
            count(out, r.failures);
        }
    }
}

}  // namespace uwsgitop
