// prometheus_families.hpp — the metric families uwsgitop exports: one sparse row per family, naming its field (private to output/).
//
// Each row refers to a row of a field table (uwsgitop/model/fields.hpp) by
// its key, looked up at compile time (a key with no field does not build),
// or to a derived value (a count, a worker's status). prometheus.cpp walks
// the rows in order; tests/unit/output/test_fields.cpp checks every exported
// field reaches the text.
#pragma once

#include <cstdint>
#include <string_view>

#include "uwsgitop/model/fields.hpp"

namespace uwsgitop::detail {

enum class Kind { Gauge, Counter };

// Where a family's samples come from: the objects of one record, each with
// its labels (on top of instance and stats_uri), in one kind of document.
enum class Series : uint8_t {
    Master,   // the master's own values (a master's document only)
    Emperor,  // the Emperor's own values (an Emperor's document only)
    Socket,   // name, proto
    Worker,   // worker_id (a master's document; cheap workers, id 0, left out)
    App,      // worker_id, app_id, mountpoint, chdir
    Cache,    // name
    Vassal,   // vassal (an Emperor's document only)
    Core,     // worker_id, core_id (with PrometheusOptions::cores only)
};

// Values that are not one field: counts and a worker's status.
enum class Derived : uint8_t { None, Workers, Busy, Idle, Cheap, Apps, Cores, Vassals };

// One metric family: a row of a field table (fields.hpp), scaled, or a
// derived value. Names, kinds and help follow uwsgi_exporter.
struct Family {
    std::string_view name;   // without _total
    Kind kind;
    std::string_view help;
    Series series;
    const FieldDef* field = nullptr;  // Derived::None: the field of the series' record
    double scale = 1;
    Derived derived = Derived::None;
};

consteval Family gauge(std::string_view name, std::string_view help, Series s, const FieldDef& f,
                       double scale = 1) {
    return Family{name, Kind::Gauge, help, s, &f, scale};
}
consteval Family counter(std::string_view name, std::string_view help, Series s, const FieldDef& f) {
    return Family{name, Kind::Counter, help, s, &f};
}
consteval Family derived(std::string_view name, std::string_view help, Series s, Derived d) {
    return Family{name, Kind::Gauge, help, s, nullptr, 1, d};
}

inline constexpr std::string_view kStatusHelp = "1 when the worker is in this status.";

// In output order; the per-core families last (kCoreFamilies).
inline constexpr Family kFamilies[] = {
    gauge("uwsgi_listen_queue_length", "Length of listen queue.", Series::Master, kRootFields["listen_queue"]),
    gauge("uwsgi_listen_queue_errors", "Number of listen queue errors.", Series::Master, kRootFields["listen_queue_errors"]),
    gauge("uwsgi_signal_queue_length", "Length of signal queue.", Series::Master, kRootFields["signal_queue"]),
    derived("uwsgi_workers", "Number of workers.", Series::Master, Derived::Workers),
    gauge("uwsgi_socket_queue_length", "Length of socket queue.", Series::Socket, kSocketFields["queue"]),
    gauge("uwsgi_socket_max_queue_length", "Max length of socket queue.", Series::Socket, kSocketFields["max_queue"]),
    gauge("uwsgi_socket_shared", "Is shared socket?", Series::Socket, kSocketFields["shared"]),
    gauge("uwsgi_socket_can_offload", "Can socket offload?", Series::Socket, kSocketFields["can_offload"]),
    gauge("uwsgi_worker_accepting", "Is this worker accepting requests?", Series::Worker, kWorkerFields["accepting"]),
    gauge("uwsgi_worker_delta_requests", "Number of delta requests", Series::Worker, kWorkerFields["delta_requests"]),
    gauge("uwsgi_worker_signal_queue_length", "Length of signal queue.", Series::Worker, kWorkerFields["signal_queue"]),
    gauge("uwsgi_worker_rss_bytes", "Worker RSS bytes.", Series::Worker, kWorkerFields["rss"]),
    gauge("uwsgi_worker_vsz_bytes", "Worker VSZ bytes.", Series::Worker, kWorkerFields["vsz"]),
    gauge("uwsgi_worker_running_time_seconds", "Cumulative time the worker spent serving requests, seconds.", Series::Worker, kWorkerFields["running_time"], 1e-6),
    gauge("uwsgi_worker_last_spawn_time_seconds", "Last spawn time in seconds since epoch.", Series::Worker, kWorkerFields["last_spawn"]),
    gauge("uwsgi_worker_average_response_time_seconds", "Average response time in seconds.", Series::Worker, kWorkerFields["avg_rt"], 1e-6),
    derived("uwsgi_worker_busy", kStatusHelp, Series::Worker, Derived::Busy),
    derived("uwsgi_worker_idle", kStatusHelp, Series::Worker, Derived::Idle),
    derived("uwsgi_worker_cheap", kStatusHelp, Series::Worker, Derived::Cheap),
    derived("uwsgi_worker_apps", "Number of apps.", Series::Worker, Derived::Apps),
    derived("uwsgi_worker_cores", "Number of cores.", Series::Worker, Derived::Cores),
    counter("uwsgi_worker_requests", "Total number of requests.", Series::Worker, kWorkerFields["requests"]),
    counter("uwsgi_worker_exceptions", "Total number of exceptions.", Series::Worker, kWorkerFields["exceptions"]),
    counter("uwsgi_worker_harakiri_count", "Total number of harakiri count.", Series::Worker, kWorkerFields["harakiri_count"]),
    counter("uwsgi_worker_signals", "Total number of signals.", Series::Worker, kWorkerFields["signals"]),
    counter("uwsgi_worker_respawn_count", "Total number of respawn count.", Series::Worker, kWorkerFields["respawn_count"]),
    counter("uwsgi_worker_transmitted_bytes", "Worker transmitted bytes.", Series::Worker, kWorkerFields["tx"]),
    gauge("uwsgi_worker_app_startup_time_seconds", "How long this app took to start.", Series::App, kAppFields["startup_time"]),
    counter("uwsgi_worker_app_requests", "Total number of requests.", Series::App, kAppFields["requests"]),
    counter("uwsgi_worker_app_exceptions", "Total number of exceptions.", Series::App, kAppFields["exceptions"]),
    gauge("uwsgi_cache_hits", "Total number of hits.", Series::Cache, kCacheFields["hits"]),
    gauge("uwsgi_cache_misses", "Total number of misses.", Series::Cache, kCacheFields["miss"]),
    gauge("uwsgi_cache_full", "Total Number of times cache full was hit.", Series::Cache, kCacheFields["full"]),
    gauge("uwsgi_cache_items", "Items in cache.", Series::Cache, kCacheFields["items"]),
    gauge("uwsgi_cache_max_items", "Max items for this cache.", Series::Cache, kCacheFields["max_items"]),
    derived("uwsgi_emperor_vassals", "Vassals of an Emperor.", Series::Emperor, Derived::Vassals),
    gauge("uwsgi_vassal_ready", "1 when the vassal is ready.", Series::Vassal, kVassalFields["ready"]),
    gauge("uwsgi_vassal_accepting", "1 when the vassal accepts requests.", Series::Vassal, kVassalFields["accepting"]),
    gauge("uwsgi_vassal_loyal", "1 when the vassal is loyal.", Series::Vassal, kVassalFields["loyal"]),
    counter("uwsgi_vassal_respawns", "Times the Emperor started the vassal.", Series::Vassal, kVassalFields["respawns"]),
};

inline constexpr Family kCoreFamilies[] = {
    gauge("uwsgi_worker_core_busy", "Is core busy", Series::Core, kCoreFields["in_request"]),
    counter("uwsgi_worker_core_requests", "Total number of requests.", Series::Core, kCoreFields["requests"]),
    counter("uwsgi_worker_core_static_requests", "Total number of static requests.", Series::Core, kCoreFields["static_requests"]),
    counter("uwsgi_worker_core_routed_requests", "Total number of routed requests.", Series::Core, kCoreFields["routed_requests"]),
    counter("uwsgi_worker_core_offloaded_requests", "Total number of offloaded requests.", Series::Core, kCoreFields["offloaded_requests"]),
    counter("uwsgi_worker_core_write_errors", "Total number of write errors.", Series::Core, kCoreFields["write_errors"]),
    counter("uwsgi_worker_core_read_errors", "Total number of read errors.", Series::Core, kCoreFields["read_errors"]),
};

// uWSGI's metrics subsystem (--enable-metrics): the "metrics" object of the
// stats document (Snapshot::metrics). The metrics uWSGI registers itself
// (names under `builtin`) repeat values the families above carry, and an
// alias (type `alias_type`: uWSGI's rss_size, vsz_size) another metric's;
// every other one, a user's --metric, is a family of its own: `prefix` + its name
// with each character outside [a-zA-Z0-9_] made '_' (a counter's trailing
// "_total" dropped, the samples add it), labels instance and stats_uri,
// help `help` + the uWSGI name. Its kind: custom_metric_kind().
struct CustomMetrics {
    std::string_view prefix;
    std::string_view help;
    std::string_view builtin[3];
    int64_t alias_type;
};
inline constexpr CustomMetrics kCustomMetrics{
    "uwsgi_custom_", "uWSGI metric ", {"core.", "worker.", "socket."}, 3};

// uWSGI's metric types (UWSGI_METRIC_*): 0 counter; 1 gauge, 2 absolute, any
// other or none: a gauge.
constexpr Kind custom_metric_kind(Int type) { return type == 0 ? Kind::Counter : Kind::Gauge; }

}  // namespace uwsgitop::detail
