// table.cpp — the fixed-width text table of --once/--batch (see dump.hpp).
#include <algorithm>

#include "uwsgitop/view/aux_columns.hpp"
#include "uwsgitop/output/dump.hpp"
#include "uwsgitop/output/stacks_text.hpp"
#include "uwsgitop/view/summary.hpp"
#include "uwsgitop/base/text.hpp"

namespace uwsgitop {

namespace {

struct TextTable {
    std::vector<std::string_view> headers;
    std::vector<bool> left;
    std::vector<std::size_t> widths;
    std::vector<std::string> cells;  // row-major
    std::vector<std::string> after;  // per row: lines written under it (a worker's stacks), or ""

    void finish_widths() {
        widths.assign(headers.size(), 0);
        for (std::size_t c = 0; c < headers.size(); ++c) widths[c] = display_width(headers[c]);
        for (std::size_t i = 0; i < cells.size(); ++i) {
            auto& w = widths[i % headers.size()];
            w = std::max(w, display_width(cells[i]));
        }
    }

    void put(std::string& out, std::string_view text, std::size_t c, bool last) const {
        const std::size_t pad = widths[c] - std::min(widths[c], display_width(text));
        if (!left[c]) out.append(pad, ' ');
        out.append(text);
        if (left[c] && !last) out.append(pad, ' ');
    }

    void render(std::string& out) const {
        const std::size_t n = headers.size();
        for (std::size_t c = 0; c < n; ++c) {
            if (c) out += "  ";
            put(out, headers[c], c, c + 1 == n);
        }
        out += '\n';
        for (std::size_t i = 0; i < cells.size(); ++i) {
            const std::size_t c = i % n;
            if (c) out += "  ";
            put(out, cells[i], c, c + 1 == n);
            if (c + 1 == n) {
                out += '\n';
                if (const std::size_t row = i / n; row < after.size()) out += after[row];
            }
        }
    }
};

}  // namespace

void dump_table(const Snapshot& snap, const Rates* rates, double now, const DumpOptions& opt,
                std::string& out) {
    summary_line1(snap, rates, now, out);
    out += '\n';
    summary_line2(snap, opt.address, out);
    out += '\n';
    TextTable t;
    std::string cell;
    if (snap.kind == SnapshotKind::Emperor) {
        for (const auto& c : vassal_columns()) {
            t.headers.push_back(c.header);
            t.left.push_back(c.left_align);
        }
        for (const Vassal& v : snap.vassals) {
            for (const auto& c : vassal_columns()) {
                cell.clear();
                format_aux(c.format, c.get(v), cell);
                t.cells.push_back(cell);
            }
        }
    } else if (snap.kind == SnapshotKind::Router) {
        for (const auto& c : node_columns()) {
            t.headers.push_back(c.header);
            t.left.push_back(c.left_align);
        }
        for (const RouterNode& n : snap.router_nodes) {
            for (const auto& c : node_columns()) {
                cell.clear();
                format_aux(c.format, c.get(snap, n), cell);
                t.cells.push_back(cell);
            }
        }
    } else {
        summary_line3(snap, out);
        out += '\n';
        const std::vector<ColumnId> cols = effective_columns(opt);
        for (ColumnId id : cols) {
            t.headers.push_back(column(id).header);
            t.left.push_back(column(id).left_align);
        }
        RowContext ctx{&snap, rates, now, total_requests(snap), opt.stuck_after};
        std::vector<RowRef> rows;
        const RowMode mode = opt.cores ? RowMode::Cores : RowMode::Workers;
        build_rows(snap, mode, rows);
        sort_rows(rows, ctx, opt.sort, mode);
        for (RowRef r : rows) {
            for (ColumnId id : cols) {
                const ColumnDef& def = column(id);
                cell.clear();
                format_human(def, column_value(def, ctx, r), r, ctx, cell);
                t.cells.push_back(cell);
            }
            t.after.emplace_back();
            const WorkerStack* stack = r.is_core() ? nullptr : stack_of(opt.stacks, snap.workers[r.worker].id);
            if (stack != nullptr) append_stack_text(stack->frames, "    ", t.after.back());
        }
    }
    out += '\n';
    t.finish_widths();
    t.render(out);
}

}  // namespace uwsgitop
