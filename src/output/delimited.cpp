// delimited.cpp — TSV and CSV rows for scripts (see dump.hpp).
#include "uwsgitop/view/aux_columns.hpp"
#include "uwsgitop/output/dump.hpp"
#include "uwsgitop/base/text.hpp"

namespace uwsgitop {

std::vector<ColumnId> effective_columns(const DumpOptions& opt) {
    if (!opt.columns.empty()) return opt.columns;
    const auto defaults = opt.cores ? default_core_columns() : default_worker_columns();
    return {defaults.begin(), defaults.end()};
}

void append_delimited_field(std::string& out, std::string_view field, bool csv) {
    if (!csv) {
        out.append(field);
        return;
    }
    if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
        out.append(field);
        return;
    }
    out += '"';
    for (char c : field) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

namespace {

template <typename Cols, typename Row, typename Emit>
void write_rows(std::string& out, const DumpOptions& opt, double now, const Cols& names,
                const std::vector<Row>& rows, Emit emit) {
    const bool csv = opt.format == OutputFormat::Csv;
    const char sep = csv ? ',' : '\t';
    if (opt.header) {
        if (opt.batch) {
            out += "time";
            out += sep;
        }
        bool first = true;
        for (std::string_view n : names) {
            if (!first) out += sep;
            first = false;
            out.append(n);
        }
        out += '\n';
    }
    std::string cell;
    for (const Row& r : rows) {
        if (opt.batch) {
            append_fixed(out, now, 3);
            out += sep;
        }
        for (std::size_t c = 0; c < names.size(); ++c) {
            if (c) out += sep;
            cell.clear();
            emit(r, c, cell);
            append_delimited_field(out, cell, csv);
        }
        out += '\n';
    }
}

}  // namespace

void dump_delimited(const Snapshot& snap, const Rates* rates, double now, const DumpOptions& opt,
                    std::string& out) {
    if (snap.kind == SnapshotKind::Emperor) {
        std::vector<std::string_view> names;
        for (const auto& c : vassal_columns()) names.push_back(c.name);
        std::vector<const Vassal*> rows;
        for (const Vassal& v : snap.vassals) rows.push_back(&v);
        write_rows(out, opt, now, names, rows, [&](const Vassal* v, std::size_t c, std::string& cell) {
            const auto& col = vassal_columns()[c];
            ColumnDef def = column(ColumnId::Id);
            def.format = col.format;
            format_raw(def, col.get(*v), cell);
        });
        return;
    }
    if (snap.kind == SnapshotKind::Router) {
        std::vector<std::string_view> names;
        for (const auto& c : node_columns()) names.push_back(c.name);
        std::vector<const RouterNode*> rows;
        for (const RouterNode& n : snap.router_nodes) rows.push_back(&n);
        write_rows(out, opt, now, names, rows, [&](const RouterNode* n, std::size_t c, std::string& cell) {
            const auto& col = node_columns()[c];
            ColumnDef def = column(ColumnId::Id);
            def.format = col.format;
            format_raw(def, col.get(snap, *n), cell);
        });
        return;
    }
    const std::vector<ColumnId> cols = effective_columns(opt);
    std::vector<std::string_view> names;
    for (ColumnId id : cols) names.push_back(column(id).name);
    RowContext ctx{&snap, rates, now, total_requests(snap), opt.stuck_after};
    std::vector<RowRef> rows;
    const RowMode mode = opt.cores ? RowMode::Cores : RowMode::Workers;
    build_rows(snap, mode, rows);
    sort_rows(rows, ctx, opt.sort, mode);
    write_rows(out, opt, now, names, rows, [&](RowRef r, std::size_t c, std::string& cell) {
        const ColumnDef& def = column(cols[c]);
        if (def.format == Format::CoreId) {
            // Scripts get the worker id alone; the core id has its own column.
            format_raw(def, def.worker(ctx, r.is_core() ? ctx.snap->cores[r.core].worker_index : r.worker), cell);
            return;
        }
        format_raw(def, column_value(def, ctx, r), cell);
    });
}

}  // namespace uwsgitop
