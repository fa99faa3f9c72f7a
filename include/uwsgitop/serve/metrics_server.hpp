// metrics_server.hpp — the --serve-metrics HTTP endpoint.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "uwsgitop/fleet/fleet.hpp"
#include "uwsgitop/output/prometheus.hpp"

namespace uwsgitop {

// Serves GET /metrics on `listen` (HOST:PORT; loopback unless the operator
// says otherwise) until *stop becomes true: each scrape polls every target
// (bounded concurrency, per-target timeouts), runs `after_poll` (if set; it
// may add instances, e.g. --follow-vassals) and answers with the metrics.
// Returns a non-ok Status when the address cannot be bound.
Status serve_metrics(const std::string& listen, std::vector<std::unique_ptr<Instance>>& fleet,
                     const PrometheusOptions& opt, unsigned concurrency, const volatile bool* stop,
                     const std::function<void()>& after_poll = {});

}  // namespace uwsgitop
