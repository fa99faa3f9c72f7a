// self_metrics.hpp — the exporter's own metrics, written before the fleet's.
//
// Names follow uwsgi_exporter where it has the same metric, so its
// dashboards keep working:
//   uwsgi_exporter_scrape_duration_seconds{result="success"|"error"}
//       summary (_sum, _count) of the fleet polls behind /metrics; "error"
//       when at least one target failed in that poll;
// and are uwsgitop's own where it has none:
//   uwsgitop_build_info{version="..."} 1   (uwsgi_exporter_build_info would
//       claim the Go exporter's build, and its goversion/revision labels do
//       not apply; a fleet running both tells them apart by name)
//   uwsgitop_targets                       targets in the last poll
//   uwsgitop_polls_total                   fleet polls made (several
//       concurrent scrapes share one, so this grows slower than scrapes)
//   uwsgitop_target_failures_total{instance,stats_uri}  failed polls of a
//       target since the exporter started (every target has a line, 0 too)
// Both text formats: `openmetrics` names counter families without _total.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "uwsgitop/fleet/fleet.hpp"

namespace uwsgitop {

struct SelfMetrics {
    struct TargetFailures {
        Target target;
        uint64_t failures = 0;
    };
    double success_seconds = 0;   // sum of poll durations, per result
    uint64_t success_count = 0;
    double error_seconds = 0;
    uint64_t error_count = 0;
    uint64_t polls = 0;
    std::size_t targets = 0;
    std::vector<TargetFailures> per_target;   // in fleet order

    // Records one finished poll of `fleet` that took `seconds`; `failed[i]`
    // says whether fleet[i] failed in it.
    void record_poll(const std::vector<std::unique_ptr<Instance>>& fleet, const std::vector<bool>& failed,
                     double seconds);
};

// The version this binary was built as (meson project version).
const char* build_version();

void write_self_metrics(const SelfMetrics& m, bool openmetrics, std::string& out);

}  // namespace uwsgitop
