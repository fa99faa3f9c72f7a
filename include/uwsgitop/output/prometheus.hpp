// prometheus.hpp — metrics for Prometheus: the text --format prometheus writes and --serve-metrics serves.
//
// Metric names, types and the per-worker/socket/app/cache labels follow the
// widely used uwsgi_exporter (uwsgi_worker_requests_total{worker_id="1"},
// uwsgi_listen_queue_length, uwsgi_socket_queue_length{name,proto}, ...), so
// its dashboards and alerts keep working. Every sample also carries
// instance="NAME" and stats_uri="ADDRESS", since one uwsgitop can serve a
// whole fleet. uwsgi_up is 1 for an instance whose last poll succeeded and 0
// otherwise; an instance that is down keeps its uwsgi_up line and has no
// other samples. Cheap workers (id 0) are skipped, unknown values are left
// out (never written as 0); a family without samples is not written (an
// empty fleet: nothing but "# EOF" in OpenMetrics).
// `openmetrics` selects the OpenMetrics text format (application/openmetrics-
// text; counters as NAME_total under "# TYPE NAME counter", "# EOF" at the
// end); otherwise the Prometheus text format 0.0.4.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "uwsgitop/fleet/fleet.hpp"

namespace uwsgitop {

struct PrometheusOptions {
    bool openmetrics = true;
    bool cores = false;   // also per-core series (may be huge with async cores)
};

// Appends `v` as the inside of a quoted label value (both text formats):
// \ " and newline escaped, other control bytes '?', invalid UTF-8 U+FFFD.
void append_label_value(std::string& out, std::string_view v);

// Appends a family's "# HELP NAME HELP" and "# TYPE NAME TYPE" lines (`type`
// is "counter", "gauge", "info", ...); `help` must be one line of text.
void append_family_header(std::string& out, std::string_view name, std::string_view type, std::string_view help);

void write_prometheus(const std::vector<std::unique_ptr<Instance>>& fleet, const PrometheusOptions& opt,
                      std::string& out);

}  // namespace uwsgitop
