// columns.cpp — the column table and its getters/formatters (see columns.hpp).
#include "uwsgitop/view/columns.hpp"

#include <array>
#include <cmath>
#include <ctime>

#include "uwsgitop/base/text.hpp"

namespace uwsgitop {

namespace {

const Worker& W(const RowContext& c, uint32_t i) { return c.snap->workers[i]; }
const Core& C(const RowContext& c, uint32_t i) { return c.snap->cores[i]; }
const Worker& owner(const RowContext& c, uint32_t core) { return c.snap->workers[C(c, core).worker_index]; }

double worker_rate(const RowContext& c, uint32_t i, double WorkerRates::*field) {
    if (!c.rates || i >= c.rates->workers.size()) return NAN;
    return c.rates->workers[i].*field;
}

Value rate_value(double v) { return std::isnan(v) ? Value::unknown() : Value::num(v); }

// --- worker getters -------------------------------------------------------
Value w_id(const RowContext& c, uint32_t i) { return Value::from(W(c, i).id); }
Value w_share(const RowContext& c, uint32_t i) {
    const Int& r = W(c, i).requests;
    if (!r || c.total_requests <= 0) return Value::unknown();
    return Value::num(100.0 * static_cast<double>(*r) / c.total_requests);
}
Value w_pid(const RowContext& c, uint32_t i) { return Value::from(W(c, i).pid); }
Value w_requests(const RowContext& c, uint32_t i) { return Value::from(W(c, i).requests); }
Value w_rps(const RowContext& c, uint32_t i) { return rate_value(worker_rate(c, i, &WorkerRates::requests)); }
Value w_exceptions(const RowContext& c, uint32_t i) { return Value::from(W(c, i).exceptions); }
Value w_exc_rate(const RowContext& c, uint32_t i) { return rate_value(worker_rate(c, i, &WorkerRates::exceptions)); }
Value w_signals(const RowContext& c, uint32_t i) { return Value::from(W(c, i).signals); }
// "stuck" carries its seconds in the number (format_human writes "stuck 12s").
Value w_status(const RowContext& c, uint32_t i) {
    const auto s = W(c, i).status;
    if (is_stuck(c, i)) return {Value::Kind::Text, worker_rate(c, i, &WorkerRates::busy_for), kStuckStatus};
    return s.empty() ? Value::unknown() : Value::str(s);
}
Value w_avg_rt(const RowContext& c, uint32_t i) { return Value::from(W(c, i).avg_rt); }
Value w_rt(const RowContext& c, uint32_t i) { return rate_value(worker_rate(c, i, &WorkerRates::rt)); }
Value w_cpu(const RowContext& c, uint32_t i) { return rate_value(worker_rate(c, i, &WorkerRates::cpu)); }
Value w_rss(const RowContext& c, uint32_t i) { return Value::from(W(c, i).rss); }
Value w_vsz(const RowContext& c, uint32_t i) { return Value::from(W(c, i).vsz); }
Value w_tx(const RowContext& c, uint32_t i) { return Value::from(W(c, i).tx); }
Value w_tx_rate(const RowContext& c, uint32_t i) { return rate_value(worker_rate(c, i, &WorkerRates::tx)); }
Value w_respawns(const RowContext& c, uint32_t i) { return Value::from(W(c, i).respawn_count); }
Value w_harakiri(const RowContext& c, uint32_t i) { return Value::from(W(c, i).harakiri_count); }
Value w_running_time(const RowContext& c, uint32_t i) { return Value::from(W(c, i).running_time); }
Value w_last_spawn(const RowContext& c, uint32_t i) {
    const Int& t = W(c, i).last_spawn;
    return (t && *t > 0) ? Value::num(static_cast<double>(*t)) : Value::unknown();
}
Value w_accepting(const RowContext& c, uint32_t i) { return Value::from(W(c, i).accepting); }

// --- core getters ---------------------------------------------------------
Value c_worker_id(const RowContext& c, uint32_t i) { return Value::from(owner(c, i).id); }
Value c_pid(const RowContext& c, uint32_t i) { return Value::from(owner(c, i).pid); }
Value c_id(const RowContext& c, uint32_t i) { return Value::from(C(c, i).id); }
Value c_requests(const RowContext& c, uint32_t i) { return Value::from(C(c, i).requests); }
Value c_rps(const RowContext& c, uint32_t i) {
    if (!c.rates || i >= c.rates->cores.size()) return Value::unknown();
    return rate_value(c.rates->cores[i].requests);
}
Value c_state(const RowContext& c, uint32_t i) {
    const Int& r = C(c, i).in_request;
    if (!r) return Value::unknown();
    return Value::str(*r ? "busy" : "idle");
}
Value c_in_request(const RowContext& c, uint32_t i) { return Value::from(C(c, i).in_request); }
Value var_value(const RowContext& c, uint32_t i, std::string_view key) {
    const auto v = find_var(*c.snap, C(c, i), key);
    return v.empty() ? Value::unknown() : Value::str(v);
}
Value c_method(const RowContext& c, uint32_t i) { return var_value(c, i, "REQUEST_METHOD"); }
Value c_uri(const RowContext& c, uint32_t i) {
    Value v = var_value(c, i, "REQUEST_URI");
    return v.known() ? v : var_value(c, i, "PATH_INFO");
}
Value c_remote(const RowContext& c, uint32_t i) { return var_value(c, i, "REMOTE_ADDR"); }
Value c_request_time(const RowContext& c, uint32_t i) {
    const Core& core = C(c, i);
    if (!core.in_request || !*core.in_request || !core.request_start || *core.request_start <= 0) {
        return Value::unknown();
    }
    // request_start has whole-second precision: so has the age.
    const double age = std::floor(c.now) - static_cast<double>(*core.request_start);
    return Value::num(age < 0 ? 0 : age);
}
Value c_static(const RowContext& c, uint32_t i) { return Value::from(C(c, i).static_requests); }
Value c_routed(const RowContext& c, uint32_t i) { return Value::from(C(c, i).routed_requests); }
Value c_offloaded(const RowContext& c, uint32_t i) { return Value::from(C(c, i).offloaded_requests); }
Value c_write_errors(const RowContext& c, uint32_t i) { return Value::from(C(c, i).write_errors); }
Value c_read_errors(const RowContext& c, uint32_t i) { return Value::from(C(c, i).read_errors); }
Value w_blank(const RowContext&, uint32_t) { return Value::unknown(); }

using F = Format;
constexpr bool L = true, R = false;      // alignment
constexpr bool DESC = true, ASC = false;  // natural direction

constexpr std::array<ColumnDef, static_cast<std::size_t>(ColumnId::Count_)> kColumns = {{
    {ColumnId::Id, "id", "WID", "worker id (WID:CID on core rows)", 5, R, ASC, F::CoreId, w_id, c_worker_id},
    {ColumnId::Share, "share", "%", "share of all requests served, percent", 5, R, DESC, F::Percent, w_share, nullptr},
    {ColumnId::Pid, "pid", "PID", "process id of the worker", 7, R, ASC, F::Integer, w_pid, c_pid},
    {ColumnId::Requests, "requests", "REQ", "requests served (counter)", 8, R, DESC, F::Integer, w_requests, c_requests},
    {ColumnId::Rps, "rps", "RPS", "requests per second over the last interval", 7, R, DESC, F::Rate, w_rps, c_rps},
    {ColumnId::Cpu, "cpu", "CPU%", "CPU used over the last interval, percent of one CPU (/proc/PID/stat; local instances only)", 5, R, DESC, F::Percent, w_cpu, nullptr},
    {ColumnId::Exceptions, "exceptions", "EXC", "exceptions raised by the app (counter)", 6, R, DESC, F::Integer, w_exceptions, nullptr},
    {ColumnId::ExcRate, "exc_rate", "EXC/s", "exceptions per second over the last interval", 6, R, DESC, F::Rate, w_exc_rate, nullptr},
    {ColumnId::Signals, "signals", "SIG", "uWSGI signals handled (counter)", 5, R, DESC, F::Integer, w_signals, nullptr},
    {ColumnId::Status, "status", "STATUS", "idle, busy, cheap, pause or sigNN, stuck when busy in one request past --stuck-after (busy/idle on core rows)", 9, L, ASC, F::Text, w_status, c_state},
    {ColumnId::AvgRt, "avg_rt", "AVG", "smoothed average response time (server reports microseconds)", 6, R, DESC, F::Micros, w_avg_rt, nullptr},
    {ColumnId::Rt, "rt", "RT", "mean time of the requests that ended in the last interval (microseconds in scripts)", 6, R, DESC, F::Micros, w_rt, nullptr},
    {ColumnId::Rss, "rss", "RSS", "resident memory, bytes (0 until a request ends with --memory-report)", 6, R, DESC, F::Bytes, w_rss, nullptr},
    {ColumnId::Vsz, "vsz", "VSZ", "virtual memory, bytes (0 until a request ends with --memory-report)", 6, R, DESC, F::Bytes, w_vsz, nullptr},
    {ColumnId::Tx, "tx", "TX", "bytes sent to clients (counter)", 6, R, DESC, F::Bytes, w_tx, nullptr},
    {ColumnId::TxRate, "tx_rate", "TX/s", "bytes sent per second over the last interval", 6, R, DESC, F::ByteRate, w_tx_rate, nullptr},
    {ColumnId::Respawns, "respawns", "ReSpwn", "times the worker was (re)spawned", 6, R, DESC, F::Integer, w_respawns, nullptr},
    {ColumnId::Harakiri, "harakiri", "HC", "requests killed by harakiri (counter)", 4, R, DESC, F::Integer, w_harakiri, nullptr},
    {ColumnId::RunningTime, "running_time", "ReqTime", "cumulative time spent serving requests (server reports microseconds; not uptime)", 7, R, DESC, F::Micros, w_running_time, nullptr},
    {ColumnId::LastSpawn, "last_spawn", "LastSpwn", "local time the worker was last spawned (epoch seconds in scripts)", 8, R, DESC, F::LocalTime, w_last_spawn, nullptr},
    {ColumnId::Accepting, "accepting", "ACC", "1 when the worker accepts requests", 3, R, ASC, F::Integer, w_accepting, nullptr},
    {ColumnId::Core, "core", "CID", "core (thread or async slot) id", 4, R, ASC, F::Integer, w_blank, c_id},
    {ColumnId::InRequest, "in_request", "INREQ", "1 while the core serves a request", 5, R, DESC, F::Integer, w_blank, c_in_request},
    {ColumnId::Method, "method", "METHOD", "method of the request in flight", 6, L, ASC, F::Text, w_blank, c_method},
    {ColumnId::Uri, "uri", "URI", "URI of the request in flight", 24, L, ASC, F::Text, w_blank, c_uri},
    {ColumnId::Remote, "remote", "REMOTE", "client address of the request in flight", 15, L, ASC, F::Text, w_blank, c_remote},
    {ColumnId::RequestTime, "request_time", "RUNNING", "how long the request in flight has been running, whole seconds", 7, R, DESC, F::Seconds, w_blank, c_request_time},
    {ColumnId::StaticRequests, "static", "STATIC", "static files served by the core (counter)", 6, R, DESC, F::Integer, w_blank, c_static},
    {ColumnId::RoutedRequests, "routed", "ROUTED", "requests routed by the core (counter)", 6, R, DESC, F::Integer, w_blank, c_routed},
    {ColumnId::OffloadedRequests, "offloaded", "OFFLD", "requests offloaded by the core (counter)", 5, R, DESC, F::Integer, w_blank, c_offloaded},
    {ColumnId::WriteErrors, "write_errors", "WERR", "write errors (counter)", 5, R, DESC, F::Integer, w_blank, c_write_errors},
    {ColumnId::ReadErrors, "read_errors", "RERR", "read errors (counter)", 5, R, DESC, F::Integer, w_blank, c_read_errors},
}};

constexpr bool table_matches_enum() {
    for (std::size_t i = 0; i < kColumns.size(); ++i) {
        if (static_cast<std::size_t>(kColumns[i].id) != i) return false;
    }
    return true;
}
static_assert(table_matches_enum(), "kColumns must be in ColumnId order");

constexpr std::array kDefaultWorker = {
    ColumnId::Id, ColumnId::Share, ColumnId::Pid, ColumnId::Requests, ColumnId::Rps,
    ColumnId::Exceptions, ColumnId::Signals, ColumnId::Status, ColumnId::AvgRt, ColumnId::Rss,
    ColumnId::Vsz, ColumnId::Tx, ColumnId::Respawns, ColumnId::Harakiri, ColumnId::RunningTime,
    ColumnId::LastSpawn,
};

constexpr std::array kDefaultCore = {
    ColumnId::Id, ColumnId::Core, ColumnId::Pid, ColumnId::Requests, ColumnId::Rps, ColumnId::Status,
    ColumnId::RequestTime, ColumnId::Method, ColumnId::Uri, ColumnId::Remote,
};

}  // namespace

std::span<const ColumnDef> all_columns() { return kColumns; }

const ColumnDef& column(ColumnId id) { return kColumns[static_cast<std::size_t>(id)]; }

const ColumnDef* find_column(std::string_view name) {
    for (const ColumnDef& c : kColumns) {
        if (c.name == name) return &c;
    }
    return nullptr;
}

std::span<const ColumnId> default_worker_columns() { return kDefaultWorker; }
std::span<const ColumnId> default_core_columns() { return kDefaultCore; }

std::string column_names() {
    std::string out;
    for (const ColumnDef& c : kColumns) {
        if (!out.empty()) out += ' ';
        out += c.name;
    }
    return out;
}

std::string unknown_column_hint(std::string_view name) {
    const std::string names = column_names();
    const std::string_view near = closest_word(name, names);
    if (!near.empty()) return "(did you mean " + std::string(near) + "?)";
    return "(valid: " + names + ")";
}

Status parse_column_list(std::string_view list, std::vector<ColumnId>& out) {
    return parse_name_list<ColumnId>(
        list, "column",
        [](std::string_view name) -> std::optional<ColumnId> {
            const ColumnDef* def = find_column(name);
            return def ? std::optional<ColumnId>(def->id) : std::nullopt;
        },
        [](std::string_view name) {
            return "unknown column \"" + escape_for_display(name) + "\" " + unknown_column_hint(name);
        },
        out);
}

bool is_stuck(const RowContext& c, uint32_t worker) {
    return c.stuck_after > 0 && worker_rate(c, worker, &WorkerRates::busy_for) >= c.stuck_after;
}

Value column_value(const ColumnDef& col, const RowContext& ctx, RowRef row) {
    if (row.is_core()) return col.core ? col.core(ctx, row.core) : Value::unknown();
    return col.worker(ctx, row.worker);
}

double total_requests(const Snapshot& snap) {
    double sum = 0;
    for (const Worker& w : snap.workers) {
        if (w.requests) sum += static_cast<double>(*w.requests);
    }
    return sum;
}

void format_human(const ColumnDef& col, const Value& v, RowRef row, const RowContext& ctx,
                  std::string& out) {
    if (col.format == Format::CoreId && row.is_core()) {
        const Core& core = ctx.snap->cores[row.core];
        const Worker& w = ctx.snap->workers[core.worker_index];
        if (w.id) append_int(out, *w.id); else out += '-';
        out += ':';
        if (core.id) append_int(out, *core.id); else out += '-';
        return;
    }
    if (!v.known()) {
        out += '-';
        return;
    }
    if (v.kind == Value::Kind::Text) {
        append_escaped(out, v.text);
        if (v.number > 0) {  // a status with its duration: "stuck 12s", "stuck 2m05s"
            out += ' ';
            if (v.number < 60) {
                append_int(out, static_cast<int64_t>(v.number));
                out += 's';
            } else {
                append_duration_s(out, v.number);
            }
        }
        return;
    }
    const double n = v.number;
    switch (col.format) {
        case Format::Integer:
        case Format::CoreId:
            append_int(out, static_cast<int64_t>(n));
            break;
        case Format::Rate:
            append_fixed(out, n, n < 100 ? 1 : 0);
            break;
        case Format::Percent:
            append_fixed(out, n, 1);
            break;
        case Format::Bytes:
            append_bytes_human(out, static_cast<int64_t>(n));
            break;
        case Format::ByteRate:
            append_bytes_human(out, static_cast<int64_t>(std::llround(n)));
            break;
        case Format::Micros:
            append_duration_us(out, static_cast<int64_t>(n));
            break;
        case Format::Seconds:
            if (n < 60) {  // whole seconds: the server gives no finer time
                append_int(out, static_cast<int64_t>(n));
                out += 's';
            } else {
                append_duration_s(out, n);
            }
            break;
        case Format::LocalTime: {
            const std::time_t t = static_cast<std::time_t>(n);
            std::tm tm{};
            if (!localtime_r(&t, &tm)) {
                out += '-';
                break;
            }
            char buf[16];
            const std::size_t len = std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
            out.append(buf, len);
            break;
        }
        case Format::Text:
            append_fixed(out, n, 0);
            break;
    }
}

void format_raw(const ColumnDef& col, const Value& v, std::string& out) {
    if (!v.known()) return;
    if (v.kind == Value::Kind::Text) {
        append_escaped(out, v.text);
        return;
    }
    switch (col.format) {
        case Format::Rate:
        case Format::ByteRate:
        case Format::Percent:
        case Format::Seconds:
            append_fixed(out, v.number, 3);
            break;
        default:
            append_int(out, static_cast<int64_t>(v.number));
            break;
    }
}

}  // namespace uwsgitop
