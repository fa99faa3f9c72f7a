// fleet_dump.cpp — json/tsv/csv/table for a fleet (see fleet_dump.hpp).
#include "uwsgitop/output/fleet_dump.hpp"

#include <algorithm>

#include "uwsgitop/view/fleet_columns.hpp"
#include "uwsgitop/base/text.hpp"

namespace uwsgitop {

namespace {

void fleet_json(const std::vector<std::unique_ptr<Instance>>& fleet, const std::vector<std::string>& states,
                const FleetDumpOptions& opt, std::string& out) {
    out += "{\"instances\":[";
    std::string one;
    for (std::size_t i = 0; i < fleet.size(); ++i) {
        const Instance& inst = *fleet[i];
        if (i) out += ',';
        out += "{\"address\":";
        append_json_string(out, inst.target.address);
        out += ",\"name\":";
        append_json_string(out, inst.target.name);
        out += ",\"state\":";
        append_json_string(out, states[i]);
        if (inst.has_data) {
            one.clear();
            DumpOptions d = opt.base;
            d.address = inst.target.address;
            dump_json(inst.snapshot, &inst.rates, inst.last_ok_wall, d, one);
            // splice the single-address object's members into this one
            const auto open = one.find('{');
            const auto close = one.rfind('}');
            if (open != std::string::npos && close != std::string::npos && close > open + 1) {
                out += ',';
                out.append(one, open + 1, close - open - 1);
            }
        }
        out += '}';
    }
    out += "]}\n";
}

void fleet_rows(const std::vector<std::unique_ptr<Instance>>& fleet, const std::vector<std::string>& states,
                const FleetDumpOptions& opt, std::string& out) {
    const bool csv = opt.base.format == OutputFormat::Csv;
    const char sep = csv ? ',' : '\t';
    std::string cell;
    if (!opt.workers) {
        if (opt.base.header) {
            bool first = true;
            for (const FleetColumn& c : fleet_columns()) {
                if (!first) out += sep;
                first = false;
                out.append(c.name);
            }
            out += '\n';
        }
        for (std::size_t i = 0; i < fleet.size(); ++i) {
            bool first = true;
            for (const FleetColumn& c : fleet_columns()) {
                if (!first) out += sep;
                first = false;
                cell.clear();
                ColumnDef def = column(ColumnId::Id);
                def.format = c.format;
                format_raw(def, c.get(*fleet[i], states[i]), cell);
                append_delimited_field(out, cell, csv);
            }
            out += '\n';
        }
        return;
    }
    // One row per worker, prefixed by the instance; Emperors and routers have
    // no workers and add no rows.
    DumpOptions d = opt.base;
    d.batch = false;
    std::string rows;
    if (opt.base.header) {
        d.header = true;
        dump_delimited(Snapshot(), nullptr, 0, d, rows);  // the header line alone
        out += "instance";
        out += sep;
        out += "address";
        out += sep;
        out += rows;
    }
    d.header = false;
    for (const auto& inst : fleet) {
        if (!inst->has_data || inst->snapshot.kind != SnapshotKind::Master) continue;
        rows.clear();
        dump_delimited(inst->snapshot, &inst->rates, inst->last_ok_wall, d, rows);
        std::string prefix;
        append_delimited_field(prefix, inst->target.name, csv);
        prefix += sep;
        append_delimited_field(prefix, inst->target.address, csv);
        prefix += sep;
        std::size_t pos = 0;
        while (pos < rows.size()) {
            const auto nl = rows.find('\n', pos);
            const std::size_t stop = nl == std::string::npos ? rows.size() : nl;
            out += prefix;
            out.append(rows, pos, stop - pos);
            out += '\n';
            pos = stop + 1;
        }
    }
}

void fleet_table(const std::vector<std::unique_ptr<Instance>>& fleet, const std::vector<std::string>& states,
                 std::string& out) {
    const auto cols = fleet_columns();
    std::vector<std::vector<std::string>> cells(fleet.size() + 1);
    std::vector<std::size_t> widths(cols.size(), 0);
    for (std::size_t c = 0; c < cols.size(); ++c) {
        cells[0].emplace_back(cols[c].header);
        widths[c] = display_width(cols[c].header);
    }
    for (std::size_t i = 0; i < fleet.size(); ++i) {
        for (std::size_t c = 0; c < cols.size(); ++c) {
            std::string cell;
            ColumnDef def = column(ColumnId::Id);
            def.format = cols[c].format;
            RowContext ctx;
            format_human(def, cols[c].get(*fleet[i], states[i]), RowRef{}, ctx, cell);
            widths[c] = std::max(widths[c], display_width(cell));
            cells[i + 1].push_back(std::move(cell));
        }
    }
    for (const auto& row : cells) {
        for (std::size_t c = 0; c < cols.size(); ++c) {
            if (c) out += "  ";
            const std::size_t pad = widths[c] - display_width(row[c]);
            if (!cols[c].left_align) out.append(pad, ' ');
            out += row[c];
            if (cols[c].left_align && c + 1 < cols.size()) out.append(pad, ' ');
        }
        out += '\n';
    }
}

}  // namespace

void dump_fleet(const std::vector<std::unique_ptr<Instance>>& fleet, double now_mono,
                const FleetDumpOptions& opt, std::string& out) {
    std::vector<std::string> states;
    states.reserve(fleet.size());
    for (const auto& inst : fleet) states.push_back(instance_state(*inst, now_mono));
    switch (opt.base.format) {
        case OutputFormat::Json:
            fleet_json(fleet, states, opt, out);
            break;
        case OutputFormat::Tsv:
        case OutputFormat::Csv:
            fleet_rows(fleet, states, opt, out);
            break;
        case OutputFormat::Table:
        case OutputFormat::Events:      // written by run_fleet_batch from its trackers
        case OutputFormat::Raw:         // refused by parse_options
        case OutputFormat::Prometheus:  // written by write_prometheus
        case OutputFormat::OpenMetrics:
        case OutputFormat::None:        // refused by parse_options
        case OutputFormat::Count_:      // not a format
            fleet_table(fleet, states, out);
            break;
    }
}

}  // namespace uwsgitop
