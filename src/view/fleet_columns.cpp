// fleet_columns.cpp — per-instance columns (see fleet_columns.hpp).
#include "uwsgitop/view/fleet_columns.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <string>

#include "uwsgitop/base/text.hpp"
#include "uwsgitop/view/summary.hpp"

namespace uwsgitop {

namespace {

using F = Format;

Value rate(double v) { return std::isnan(v) ? Value::unknown() : Value::num(v); }

template <int WorkerCounts::*Field>
Value count(const Instance& i, std::string_view) {
    if (!i.has_data || i.snapshot.kind != SnapshotKind::Master) return Value::unknown();
    return Value::num(static_cast<double>(count_workers(i.snapshot).*Field));
}

Value sum_workers(const Instance& i, Int Worker::*field) {
    if (!i.has_data || i.snapshot.kind != SnapshotKind::Master) return Value::unknown();
    double s = 0;
    bool any = false;
    for (const Worker& w : i.snapshot.workers) {
        if (w.*field) {
            s += static_cast<double>(*(w.*field));
            any = true;
        }
    }
    return any ? Value::num(s) : Value::unknown();
}

Value data_rate(const Instance& i, double Rates::*field) {
    return i.has_data ? rate(i.rates.*field) : Value::unknown();
}

const std::array<FleetColumn, 16> kFleet = {{
    {"name", "NAME", "instance name (NAME= in --targets, else the address)", 16, true, false, F::Text,
     [](const Instance& i, std::string_view) { return Value::str(i.target.name); }},
    {"address", "ADDRESS", "stats address", 21, true, false, F::Text,
     [](const Instance& i, std::string_view) { return Value::str(i.target.address); }},
    {"state", "STATE", "ok, stale Ns (last good data shown) or error", 10, true, false, F::Text,
     [](const Instance&, std::string_view st) { return Value::str(st); }},
    {"version", "VERSION", "uWSGI version", 14, true, false, F::Text,
     [](const Instance& i, std::string_view) { return i.has_data && !i.snapshot.version.empty() ? Value::str(i.snapshot.version) : Value::unknown(); }},
    {"workers", "WRK", "workers (total)", 4, false, true, F::Integer, count<&WorkerCounts::total>},
    {"busy", "BUSY", "busy workers", 4, false, true, F::Integer, count<&WorkerCounts::busy>},
    {"idle", "IDLE", "idle workers", 4, false, true, F::Integer, count<&WorkerCounts::idle>},
    {"cheap", "CHEAP", "cheap (stopped by the cheaper) workers", 5, false, true, F::Integer, count<&WorkerCounts::cheap>},
    {"requests", "REQ", "requests served by all workers (counter)", 9, false, true, F::Integer,
     [](const Instance& i, std::string_view) { return sum_workers(i, &Worker::requests); }},
    {"rps", "RPS", "requests per second, all workers", 7, false, true, F::Rate,
     [](const Instance& i, std::string_view) { return data_rate(i, &Rates::total_requests); }},
    {"exc_rate", "EXC/s", "exceptions per second, all workers", 6, false, true, F::Rate,
     [](const Instance& i, std::string_view) { return data_rate(i, &Rates::total_exceptions); }},
    {"listen_queue", "LQ", "connections waiting in the listen queue", 4, false, true, F::Integer,
     [](const Instance& i, std::string_view) { return i.has_data ? Value::from(i.snapshot.listen_queue) : Value::unknown(); }},
    {"listen_queue_errors", "LQERR", "listen queue overflows (counter)", 5, false, true, F::Integer,
     [](const Instance& i, std::string_view) { return i.has_data ? Value::from(i.snapshot.listen_queue_errors) : Value::unknown(); }},
    {"tx_rate", "TX/s", "bytes sent per second, all workers", 6, false, true, F::ByteRate,
     [](const Instance& i, std::string_view) { return data_rate(i, &Rates::total_tx); }},
    {"rss", "RSS", "resident memory of all workers, bytes", 6, false, true, F::Bytes,
     [](const Instance& i, std::string_view) { return sum_workers(i, &Worker::rss); }},
    {"vassals", "VASS", "vassals of an Emperor", 4, false, true, F::Integer,
     [](const Instance& i, std::string_view) {
         return i.has_data && i.snapshot.kind == SnapshotKind::Emperor ? Value::num(static_cast<double>(i.snapshot.vassals.size())) : Value::unknown();
     }},
}};

constexpr std::array<FleetHistoryColumn, 2> kHistory = {{
    {"rps_history", "RPS~", "sparkline of the requests per second over the last rounds"},
    {"busy_history", "BUSY~", "sparkline of the busy workers over the last rounds"},
}};

int screen_column(std::string_view name) {
    for (std::size_t i = 0; i < kFleet.size(); ++i) {
        if (kFleet[i].name == name) return static_cast<int>(i);
    }
    for (std::size_t i = 0; i < kHistory.size(); ++i) {
        if (kHistory[i].name == name) return -1 - static_cast<int>(i);
    }
    return INT32_MIN;
}

std::vector<int> make_default() {
    std::vector<int> out;
    for (std::string_view name : {"name", "state", "rps", "rps_history", "busy", "busy_history", "workers", "idle",
                                  "cheap", "requests", "exc_rate", "listen_queue", "listen_queue_errors", "tx_rate",
                                  "rss", "vassals", "version", "address"}) {
        out.push_back(screen_column(name));
    }
    return out;
}

}  // namespace

std::span<const FleetColumn> fleet_columns() { return kFleet; }

std::span<const FleetHistoryColumn> fleet_history_columns() { return kHistory; }

std::string_view fleet_screen_column_name(int c) {
    if (c >= 0) return static_cast<std::size_t>(c) < kFleet.size() ? kFleet[static_cast<std::size_t>(c)].name : "";
    const auto h = static_cast<std::size_t>(-1L - c);
    return h < kHistory.size() ? kHistory[h].name : "";
}

std::string_view fleet_screen_column_header(int c) {
    if (c >= 0) return static_cast<std::size_t>(c) < kFleet.size() ? kFleet[static_cast<std::size_t>(c)].header : "";
    const auto h = static_cast<std::size_t>(-1L - c);
    return h < kHistory.size() ? kHistory[h].header : "";
}

std::span<const int> default_fleet_screen_columns() {
    static const std::vector<int> kDefault = make_default();
    return kDefault;
}

Status parse_fleet_column_list(std::string_view list, std::vector<int>& out) {
    return parse_name_list<int>(
        list, "fleet column",
        [](std::string_view name) -> std::optional<int> {
            const int c = screen_column(name);
            return c == INT32_MIN ? std::nullopt : std::optional<int>(c);
        },
        [](std::string_view name) {
            std::string valid;
            for (const FleetColumn& f : kFleet) (valid += valid.empty() ? "" : " ") += f.name;
            for (const FleetHistoryColumn& h : kHistory) (valid += ' ') += h.name;
            return "unknown fleet column \"" + escape_for_display(name) + "\" (valid: " + valid + ")";
        },
        out);
}

const FleetColumn* find_fleet_column(std::string_view name) {
    for (const FleetColumn& c : kFleet) {
        if (c.name == name) return &c;
    }
    return nullptr;
}

}  // namespace uwsgitop
