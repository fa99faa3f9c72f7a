// render_table.cpp — the worker and pane tables of the single-instance screen: cells of the visible rows, widths, the header with its sort mark, row colours and the selection.
#include <algorithm>

#include "render_cells.hpp"
#include "uwsgitop/base/text.hpp"
#include "uwsgitop/tui/render.hpp"
#include "uwsgitop/view/aux_columns.hpp"

namespace uwsgitop::tui {

namespace {

using detail::dw;
using detail::fill_row;
using detail::put_cell;

constexpr std::size_t kWorkerSpark = 12;  // cells of the per-worker RPS~ column

}  // namespace

Style event_style(EventKind kind) {
    switch (kind) {
        case EventKind::Harakiri:
        case EventKind::Down:
        case EventKind::VassalCursed: return Style::EventError;
        case EventKind::Respawn:
        case EventKind::Stuck:
        case EventKind::Reload:
        case EventKind::Exceptions:
        case EventKind::ListenQueue:
        case EventKind::VassalRespawn: return Style::EventWarning;
        default: return Style::EventInfo;
    }
}

Style status_style(std::string_view s) {
    if (s == "busy") return Style::Busy;
    if (s == "idle") return Style::Idle;
    if (s == "cheap") return Style::Cheap;
    if (s == "pause") return Style::Paused;
    if (s.substr(0, 3) == "sig") return Style::Signal;
    return Style::Normal;
}

void Renderer::worker_table(const ViewModel& vm, Grid& grid) {
    const ScreenAreas& a = vm.areas();
    const auto cols = vm.worker_columns();
    const auto& rows = vm.worker_rows();
    const int top = vm.state().top;
    const std::size_t first = static_cast<std::size_t>(std::max(0, top));
    const std::size_t visible = std::min(rows.size() - std::min(rows.size(), first),
                                         static_cast<std::size_t>(std::max(0, a.table_rows)));
    const RowContext& ctx = vm.context();
    // Display columns: the table's, with the RPS~ history second when on.
    colmap_.clear();
    for (std::size_t c = 0; c < cols.size(); ++c) {
        colmap_.push_back(static_cast<int>(c));
        if (c == 0 && vm.worker_spark()) colmap_.push_back(-1);
    }
    const std::size_t ncols = colmap_.size();
    if (cells_.size() < visible * ncols) cells_.resize(visible * ncols);
    headers_.resize(ncols);
    right_.assign(ncols, 0);
    row_styles_.assign(visible, Style::Normal);
    int sorted = -1;
    for (std::size_t c = 0; c < ncols; ++c) {
        if (colmap_[c] < 0) {
            headers_[c].assign("RPS~");
            continue;
        }
        const ColumnDef& def = column(cols[static_cast<std::size_t>(colmap_[c])]);
        headers_[c].assign(def.header);
        right_[c] = def.left_align ? 0 : 1;
        if (def.id == vm.sort().column) sorted = static_cast<int>(c);
    }
    for (std::size_t r = 0; r < visible; ++r) {
        const RowRef row = rows[first + r];
        if (row.is_core()) {
            const Core& core = ctx.snap->cores[row.core];
            row_styles_[r] = (core.in_request && *core.in_request) ? Style::Busy : Style::Normal;
        } else {
            row_styles_[r] = is_stuck(ctx, row.worker) ? Style::Stuck : status_style(ctx.snap->workers[row.worker].status);
        }
        for (std::size_t c = 0; c < ncols; ++c) {
            std::string& cell = cells_[r * ncols + c];
            cell.clear();
            if (colmap_[c] < 0) {
                if (row.is_core()) continue;
                const Int& id = ctx.snap->workers[row.worker].id;
                if (const Series* s = id ? vm.worker_history().rps(*id) : nullptr) {
                    sparkline(*s, kWorkerSpark, vm.ascii() ? SparkStyle::Ascii : SparkStyle::Unicode, cell);
                }
                continue;
            }
            const ColumnDef& def = column(cols[static_cast<std::size_t>(colmap_[c])]);
            if (row.is_core() && !def.core) continue;  // worker-only column: blank on core rows
            format_human(def, column_value(def, ctx, row), row, ctx, cell);
            if (vm.row_mode() == RowMode::WorkersTree && row.is_core() && def.id == ColumnId::Id) {
                cell.insert(0, vm.ascii() ? "`-" : "\xe2\x94\x94 ");  // "└ " marks a core under its worker
            }
        }
    }
    widths_.resize(ncols);
    stretch_.resize(ncols);
    for (std::size_t c = 0; c < ncols; ++c) {
        if (colmap_[c] < 0) {
            stretch_[c] = 0;
            continue;
        }
        const ColumnDef& def = column(cols[static_cast<std::size_t>(colmap_[c])]);
        stretch_[c] = (def.left_align && def.format == Format::Text) ? 1 : 0;
    }
    table_body(vm, grid, ncols, visible, sorted, vm.sort().descending);
}

void Renderer::pane_table(const ViewModel& vm, Grid& grid) {
    const ScreenAreas& a = vm.areas();
    const PaneDef& def = pane_def(vm.pane());
    const std::size_t ncols = def.columns.size();
    const auto& rows = vm.pane_rows();
    const std::size_t first = static_cast<std::size_t>(std::max(0, vm.state().top));
    const std::size_t visible = std::min(rows.size() - std::min(rows.size(), first),
                                         static_cast<std::size_t>(std::max(0, a.table_rows)));
    if (cells_.size() < visible * ncols) cells_.resize(visible * ncols);
    headers_.resize(ncols);
    right_.assign(ncols, 0);
    widths_.resize(ncols);
    stretch_.resize(ncols);
    row_styles_.assign(visible, Style::Normal);
    for (std::size_t c = 0; c < ncols; ++c) {
        headers_[c].assign(def.columns[c].header);
        right_[c] = def.columns[c].left_align ? 0 : 1;
        stretch_[c] = (def.columns[c].left_align && def.columns[c].format == Format::Text) ? 1 : 0;
    }
    for (std::size_t r = 0; r < visible; ++r) {
        const uint32_t rec = rows[first + r];
        for (std::size_t c = 0; c < ncols; ++c) {
            std::string& cell = cells_[r * ncols + c];
            cell.clear();
            format_aux(def.columns[c].format, vm.pane_value(rec, static_cast<uint32_t>(c)), cell);
        }
        if (vm.pane() == PaneId::Events) {
            row_styles_[r] = event_style(vm.events().newest(rec).event.kind);
            continue;
        }
        const Snapshot& snap = *vm.snapshot();
        // A held lock, a dead node, an unready vassal: worth the colour.
        if (vm.pane() == PaneId::Locks && snap.locks[rec].pid && *snap.locks[rec].pid > 0) {
            row_styles_[r] = Style::Busy;
        } else if (vm.pane() == PaneId::Nodes && snap.router_nodes[rec].death_mark &&
                   *snap.router_nodes[rec].death_mark > 0) {
            row_styles_[r] = Style::Error;
        } else if (vm.pane() == PaneId::Vassals && snap.vassals[rec].ready && *snap.vassals[rec].ready == 0) {
            row_styles_[r] = Style::Signal;
        }
    }
    const PaneState& st = vm.state();
    table_body(vm, grid, ncols, visible, st.sorted ? static_cast<int>(st.sort_col) : -1, st.descending);
}

void Renderer::table_body(const ViewModel& vm, Grid& grid, std::size_t ncols, std::size_t nrows,
                          int sorted_col, bool descending) {
    const ScreenAreas& a = vm.areas();
    if (a.header_row < 0 || ncols == 0) return;
    if (sorted_col >= 0) {
        headers_[static_cast<std::size_t>(sorted_col)] +=
            vm.ascii() ? (descending ? "v" : "^") : (descending ? "\xe2\x86\x93" : "\xe2\x86\x91");
    }
    for (std::size_t c = 0; c < ncols; ++c) {
        int content = 0;
        for (std::size_t r = 0; r < nrows; ++r) content = std::max(content, dw(cells_[r * ncols + c]));
        widths_[c] = std::max(content, dw(headers_[c]));
    }
    // Preferred widths: numbers never shrink below them (steady columns);
    // text is as wide as its widest visible value, up to the preferred width.
    if (vm.pane() == PaneId::Workers) {
        const auto cols = vm.worker_columns();
        for (std::size_t c = 0; c < ncols; ++c) {
            if (colmap_[c] < 0) {
                widths_[c] = std::max<int>(widths_[c], static_cast<int>(kWorkerSpark));
                continue;
            }
            const ColumnDef& def = column(cols[static_cast<std::size_t>(colmap_[c])]);
            if (stretch_[c]) widths_[c] = std::min(widths_[c], std::max<int>(def.width, dw(headers_[c])));
            else widths_[c] = std::max<int>(widths_[c], def.width);
        }
    } else {
        const auto cols = pane_def(vm.pane()).columns;
        for (std::size_t c = 0; c < ncols; ++c) {
            if (stretch_[c]) widths_[c] = std::min(widths_[c], std::max<int>(cols[c].width, dw(headers_[c])));
            else widths_[c] = std::max<int>(widths_[c], cols[c].width);
        }
    }
    // A scroll made on a narrower screen shows no less than fits here.
    hits_.hscroll_limit = scroll_limit(widths_, grid.width(), 1);
    fit_columns(widths_, stretch_, grid.width(), 1, 1 + std::min(vm.state().hscroll, hits_.hscroll_limit), slots_);
    fill_row(grid, a.header_row, Style::Header);
    for (const ColumnSlot& s : slots_) {
        put_cell(grid, s.x, a.header_row, s.width, headers_[s.index], right_[s.index] != 0,
                 static_cast<int>(s.index) == sorted_col ? Style::HeaderSorted : Style::Header);
        const int column = vm.pane() == PaneId::Workers ? colmap_[s.index] : static_cast<int>(s.index);
        hits_.header.push_back({s.x, s.width, column});
    }
    const int selected = vm.state().selected - vm.state().top;
    for (std::size_t r = 0; r < nrows; ++r) {
        const int y = a.table_top + static_cast<int>(r);
        const bool sel = static_cast<int>(r) == selected && vm.overlay() == Overlay::None;
        const Style style = sel ? Style::Selected : row_styles_[r];
        if (style != Style::Normal) fill_row(grid, y, style);
        for (const ColumnSlot& s : slots_) {
            put_cell(grid, s.x, y, s.width, cells_[r * ncols + s.index], right_[s.index] != 0, style);
        }
    }
    if (nrows == 0) empty_message(vm, grid);
}

void Renderer::empty_message(const ViewModel& vm, Grid& grid) {
    const ScreenAreas& a = vm.areas();
    if (a.table_rows <= 0) return;
    line_.clear();
    if (!vm.snapshot()) {
        line_ = vm.feed().error.empty() ? "waiting for the first snapshot..." : "no data yet (see below)";
    } else if (!vm.state().filter.empty()) {
        line_ = "no rows match the filter \"";
        append_escaped(line_, vm.state().filter);
        line_ += "\" (Esc clears it)";
    } else if (vm.pane() == PaneId::Workers) {
        line_ = vm.row_mode() == RowMode::Workers ? "no workers in this snapshot"
                : vm.snapshot()->cores_skipped    ? "reading the cores (the worker table did not need them)..."
                                                  : "no cores in this snapshot (the server may run with --stats-no-cores)";
    } else {
        line_ = "nothing here in this snapshot";
    }
    grid.put(1, a.table_top, line_, Style::Dim);
}

}  // namespace uwsgitop::tui
