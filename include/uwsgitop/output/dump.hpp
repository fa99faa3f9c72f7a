// dump.hpp — plain output for scripts and pipes (--once, --batch).
//
// Nothing here touches the terminal. Formats:
//   table  fixed-width text like the interactive screen (a summary line, then
//          one row per worker, or per core with --cores; vassals for an
//          Emperor; nodes for a router)
//   json   one object per snapshot with uWSGI's own keys and field names plus
//          computed fields (rps, exc_rate, tx_rate, share, a worker's cpu % and
//          rt in microseconds; null when unknown)
//          and a "uwsgitop" object (address, time, interval, repaired, kind);
//          always valid UTF-8 JSON on one line
//   tsv    header row of column names, then one row per worker/core
//   csv    the same, RFC 4180 quoting
//   raw    the server's bytes as received (written by the caller)
//   prometheus  the Prometheus text format 0.0.4 (prometheus.hpp; handled by
//          the fleet path); openmetrics the OpenMetrics text format
//   none   nothing at all: --batch --record FILE --format none is a recorder
//          (read failures still go to stderr)
//   events one JSON object per event between successive snapshots
//          (events/events.hpp): time, instance, kind, worker, then the facts
// With --stacks (DumpOptions::stacks set), table adds each worker's Python
// stacks indented under its row (worker rows only) and json a "stack" member to
// each worker: [{"thread","file","line","function","code"}] outermost first,
// null when it was not read.
// With several snapshots (--batch), json writes one object per line, tsv/csv
// write the header once and add a leading "time" column, table separates
// snapshots with a blank line.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "uwsgitop/events/events.hpp"
#include "uwsgitop/model/stack.hpp"
#include "uwsgitop/view/columns.hpp"
#include "uwsgitop/view/rows.hpp"

namespace uwsgitop {

enum class OutputFormat : uint8_t { Table, Json, Tsv, Csv, Raw, Prometheus, OpenMetrics, None, Events, Count_ };

// The --format names, in OutputFormat order: the one list that --format's
// parser, its error message, --show-config and the docs check read.
inline constexpr std::array<std::string_view, static_cast<std::size_t>(OutputFormat::Count_)> kOutputFormatNames = {
    "table", "json", "tsv", "csv", "raw", "prometheus", "openmetrics", "none", "events"};

struct DumpOptions {
    OutputFormat format = OutputFormat::Table;
    std::vector<ColumnId> columns;   // empty: the defaults for the row kind
    SortSpec sort;
    bool cores = false;              // rows per core instead of per worker
    bool batch = false;              // several snapshots follow each other
    bool header = true;              // tsv/csv: write the header row (first snapshot)
    std::string address;             // for the json "uwsgitop" object
    const std::vector<WorkerStack>* stacks = nullptr;  // --stacks: what was read, by worker id
    double stuck_after = 0;          // the status reads "stuck Ns" past this (--stuck-after); 0 never
};

// The stack of worker WORKER_ID in `stacks`, or null (not there, or not read).
const WorkerStack* stack_of(const std::vector<WorkerStack>* stacks, const Int& worker_id);

// Appends the rendering of one snapshot to `out`. `rates` may be null
// (first sample); `now` is the snapshot's wall-clock time.
void dump_table(const Snapshot& snap, const Rates* rates, double now, const DumpOptions& opt,
                std::string& out);
void dump_json(const Snapshot& snap, const Rates* rates, double now, const DumpOptions& opt,
               std::string& out);
void dump_delimited(const Snapshot& snap, const Rates* rates, double now, const DumpOptions& opt,
                    std::string& out);

// Appends one event as a JSON object and a newline (--format events):
// {"time": T, "instance": "...", "kind": "...", "worker": N, FACT: VALUE...};
// "worker" only where one is involved.
void append_event_json(const Event& e, std::string& out);

// Appends a JSON string literal: escaped, invalid UTF-8 replaced by U+FFFD.
void append_json_string(std::string& out, std::string_view s);

// Appends one TSV field as it is, or one CSV field quoted as RFC 4180 wants
// when it holds a comma, quote or line break. Server text must already be
// escaped (format_raw/append_escaped do), so TSV fields hold no tab or newline.
void append_delimited_field(std::string& out, std::string_view field, bool csv);

// Columns in effect for `opt` (the defaults when none were given).
std::vector<ColumnId> effective_columns(const DumpOptions& opt);

}  // namespace uwsgitop
