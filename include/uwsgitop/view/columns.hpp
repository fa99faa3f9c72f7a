// columns.hpp — the one table that defines every column of the worker/core view.
//
// The same descriptors drive the interactive header and help, the text table
// of --once, the TSV/CSV headers, --sort and --columns validation, and the man
// page check. A column has a stable short lowercase `name` (the word used
// everywhere), a screen `header`, a `description` with its unit, and getters
// for a worker row and (optionally) a core row. A getter returns a Value that
// is Unknown when the server did not say (shown as "-", null in JSON, empty in
// TSV/CSV) — never a fake zero.
//
// Rows: a RowRef names a worker (core == kNoCore) or one core of a worker.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "uwsgitop/model/model.hpp"
#include "uwsgitop/rates/rates.hpp"
#include "uwsgitop/base/status.hpp"

namespace uwsgitop {

enum class ColumnId : uint8_t {
    Id, Share, Pid, Requests, Rps, Cpu, Exceptions, ExcRate, Signals, Status, AvgRt, Rt,
    Rss, Vsz, Tx, TxRate, Respawns, Harakiri, RunningTime, LastSpawn, Accepting,
    Core, InRequest, Method, Uri, Remote, RequestTime, StaticRequests, RoutedRequests,
    OffloadedRequests, WriteErrors, ReadErrors,
    Count_
};

constexpr uint32_t kNoCore = UINT32_MAX;

struct RowRef {
    uint32_t worker = 0;        // index into Snapshot::workers
    uint32_t core = kNoCore;    // index into Snapshot::cores, or kNoCore for a worker row
    bool is_core() const { return core != kNoCore; }
};

// Everything a getter may look at. `now` is the wall-clock time of the
// snapshot (epoch seconds), used for ages; `rates` may be null (no rates yet).
struct RowContext {
    const Snapshot* snap = nullptr;
    const Rates* rates = nullptr;
    double now = 0;
    double total_requests = 0;  // sum of worker requests, for the share column
    double stuck_after = 0;     // a busy worker this long in one request reads "stuck Ns"; 0 never
};

// A comma-separated list of names (spaces around each ignored) as the values
// `find` gives them (std::nullopt: unknown); an unknown name fails with
// `unknown(name)`, one given twice with "WHAT \"NAME\" given twice".
template <class T, class Find, class Unknown>
Status parse_name_list(std::string_view list, std::string_view what, Find find, Unknown unknown, std::vector<T>& out) {
    out.clear();
    std::size_t pos = 0;
    while (pos <= list.size()) {
        std::size_t comma = list.find(',', pos);
        if (comma == std::string_view::npos) comma = list.size();
        std::string_view name = list.substr(pos, comma - pos);
        while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
        while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
        const std::optional<T> value = find(name);
        if (!value) return Status::fail(unknown(name));
        for (const T& seen : out) {
            if (seen == *value) return Status::fail(std::string(what) + " \"" + std::string(name) + "\" given twice");
        }
        out.push_back(*value);
        pos = comma + 1;
    }
    return Status::ok();
}

// The status column's word for a worker busy in one request past stuck_after.
inline constexpr std::string_view kStuckStatus = "stuck";
struct RowContext;
// Worker WORKER (an index of the snapshot's workers) is busy in one request
// for stuck_after or longer (rates' busy_for).
bool is_stuck(const RowContext& c, uint32_t worker);

struct Value {
    enum class Kind : uint8_t { Unknown, Number, Text };
    Kind kind = Kind::Unknown;
    double number = 0;
    std::string_view text;

    static Value unknown() { return {}; }
    static Value num(double v) { return {Kind::Number, v, {}}; }
    static Value from(const Int& v) { return v ? num(static_cast<double>(*v)) : unknown(); }
    static Value str(std::string_view s) { return {Kind::Text, 0, s}; }
    bool known() const { return kind != Kind::Unknown; }
};

// How a value is shown in the table (scripts get raw numbers, see format_raw).
enum class Format : uint8_t {
    Integer,      // 1234
    Rate,         // 12.3 (per second)
    Percent,      // 12.3
    Bytes,        // 11.2M
    ByteRate,     // 1.2M (per second)
    Micros,       // a duration given in microseconds: 12ms, 3.4s
    Seconds,      // a duration given in seconds: 3.4s, 5m12s
    LocalTime,    // an epoch time shown as local HH:MM:SS
    Text,         // server text, escaped
    CoreId,       // "WID:CID" for core rows
};

struct ColumnDef {
    ColumnId id;
    std::string_view name;         // --sort/--columns/TSV word
    std::string_view header;       // screen header
    std::string_view description;  // help / man page, with the unit
    uint8_t width;                 // preferred screen width
    bool left_align;
    bool default_desc;             // natural first sort direction
    Format format;
    Value (*worker)(const RowContext&, uint32_t worker_index);
    Value (*core)(const RowContext&, uint32_t core_index);  // null: blank on core rows
};

std::span<const ColumnDef> all_columns();
const ColumnDef& column(ColumnId id);
const ColumnDef* find_column(std::string_view name);

// The default sets (the Python uwsgitop's columns, named truthfully).
std::span<const ColumnId> default_worker_columns();
std::span<const ColumnId> default_core_columns();

// "id,pid,rps" -> ids. Unknown or repeated names are a usage error that lists
// the valid names.
Status parse_column_list(std::string_view list, std::vector<ColumnId>& out);

// "(did you mean rss?)" for a near miss, else "(valid: NAMES)".
std::string unknown_column_hint(std::string_view name);

// Space-separated list of every column name (for messages and completions).
std::string column_names();

Value column_value(const ColumnDef& col, const RowContext& ctx, RowRef row);

// Human text for the table/screen ("-" when unknown; server text escaped).
void format_human(const ColumnDef& col, const Value& v, RowRef row, const RowContext& ctx,
                  std::string& out);
// Raw text for TSV/CSV: plain numbers in the server's units (bytes,
// microseconds, epoch seconds), rates with 3 decimals, empty when unknown.
void format_raw(const ColumnDef& col, const Value& v, std::string& out);

// Sum of worker requests, for RowContext::total_requests.
double total_requests(const Snapshot& snap);

}  // namespace uwsgitop
