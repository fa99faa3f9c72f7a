// render.cpp — ViewModel -> Grid (see render.hpp).
#include "uwsgitop/tui/render.hpp"

#include <algorithm>
#include <cmath>

#include "uwsgitop/view/aux_columns.hpp"
#include "uwsgitop/view/summary.hpp"
#include "uwsgitop/base/text.hpp"

namespace uwsgitop::tui {

namespace {

int dw(std::string_view s) { return static_cast<int>(display_width(s)); }

constexpr std::size_t kWorkerSpark = 12;  // cells of the per-worker RPS~ column

// Puts `text` at x, padded/clipped to `width`, right-aligned if asked.
void put_cell(Grid& g, int x, int y, int width, std::string_view text, bool right, Style style) {
    const int w = dw(text);
    if (right && w < width) x += width - w;
    g.put(x, y, text, style, right ? std::min(w, width) : width);
}

void fill_row(Grid& g, int y, Style style) { g.fill(0, y, g.width(), style); }

void put_int_or_dash(std::string& out, const Int& v) {
    if (v) append_int(out, *v); else out += '-';
}

}  // namespace

Style status_style(std::string_view s) {
    if (s == "busy") return Style::Busy;
    if (s == "cheap") return Style::Cheap;
    if (s == "pause") return Style::Paused;
    if (s.substr(0, 3) == "sig") return Style::Signal;
    return Style::Normal;
}

namespace {
Renderer& thread_renderer() {
    static thread_local Renderer renderer;
    return renderer;
}
}  // namespace

void render(const ViewModel& vm, Grid& grid) { thread_renderer().render(vm, grid); }

const ScreenHits& last_hits() { return thread_renderer().hits(); }

void Renderer::render(const ViewModel& vm, Grid& grid) {
    if (grid.width() != vm.width() || grid.height() != vm.height()) grid.resize(vm.width(), vm.height());
    grid.clear();
    hits_.header.clear();
    hits_.tabs.clear();
    if (vm.width() <= 0 || vm.height() <= 0) return;
    summary(vm, grid);
    tabs(vm, grid);
    if (vm.overlay() != Overlay::None) {
        overlay(vm, grid);
    } else if (vm.pane() == PaneId::Workers) {
        worker_table(vm, grid);
    } else {
        pane_table(vm, grid);
    }
    status_line(vm, grid);
}

// --- header -------------------------------------------------------------------

void Renderer::summary(const ViewModel& vm, Grid& grid) {
    const ScreenAreas& a = vm.areas();
    const Snapshot* snap = vm.snapshot();
    for (int i = 0; i < a.summary_lines; ++i) {
        line_.clear();
        if (!snap) {
            if (i == 0) {
                line_ = "uwsgitop - ";
                append_escaped(line_, vm.address());
                line_ += " - waiting for the first snapshot";
            }
        } else if (i == 0) {
            summary_line1(*snap, vm.context().rates, vm.wall_time(), line_);
        } else if (i == 1) {
            summary_line2(*snap, vm.address(), line_);
        } else if (snap->kind == SnapshotKind::Emperor) {
            line_ = "emperor: scanners ";
            append_int(line_, static_cast<int64_t>(snap->emperor_scanners.size()));
            line_ += " - tyrant ";
            put_int_or_dash(line_, snap->emperor_tyrant);
            line_ += " - throttle level ";
            put_int_or_dash(line_, snap->throttle_level);
            line_ += " - blacklisted ";
            append_int(line_, static_cast<int64_t>(snap->blacklist.size()));
        } else if (snap->kind == SnapshotKind::Router) {
            line_ = "router: ";
            if (snap->router_name.empty()) line_ += '-'; else append_escaped(line_, snap->router_name);
            line_ += " - subscriptions ";
            append_int(line_, static_cast<int64_t>(snap->subscriptions.size()));
            line_ += " - static nodes ";
            append_int(line_, static_cast<int64_t>(snap->static_nodes.size()));
            line_ += " - cheap ";
            put_int_or_dash(line_, snap->cheap);
            for (std::string_view s : snap->router_sockets) {
                line_ += " - ";
                append_escaped(line_, s);
            }
        } else {
            summary_line3(*snap, line_);
        }
        grid.put(0, a.summary_top + i, line_, i == 0 ? Style::Title : Style::Normal);
    }
}

void Renderer::tabs(const ViewModel& vm, Grid& grid) {
    const ScreenAreas& a = vm.areas();
    if (a.tabs_row < 0) return;
    int x = 0;
    const auto& panes = vm.panes();
    for (std::size_t i = 0; i < panes.size(); ++i) {
        line_.clear();
        line_ += ' ';
        if (i < 9) {
            append_int(line_, static_cast<int64_t>(i + 1));
            line_ += ':';
        }
        if (panes[i] == PaneId::Workers) {
            line_ += vm.row_mode() == RowMode::Workers ? "workers"
                   : vm.row_mode() == RowMode::Cores   ? "cores"
                                                       : "workers+cores";
        } else {
            line_ += pane_def(panes[i]).name;
        }
        line_ += ' ';
        const int w = dw(line_);
        if (x + w > grid.width()) break;
        grid.put(x, a.tabs_row, line_, panes[i] == vm.pane() ? Style::TabActive : Style::Tab);
        hits_.tabs.push_back({x, w, static_cast<int>(i)});
        x += w + 1;
    }
    history(vm, grid, x);
}

// The history sparklines, right of the tab bar: RPS, busy workers, listen
// queue, each as wide as the room allows (up to kMaxSpark), none when there
// is not room for all three at kMinSpark.
void Renderer::history(const ViewModel& vm, Grid& grid, int x) {
    constexpr int kMinSpark = 8, kMaxSpark = 60;
    const ScreenAreas& a = vm.areas();
    // Emperors and routers have no worker totals: nothing to draw.
    if (!vm.snapshot() || vm.snapshot()->kind != SnapshotKind::Master || vm.history().rps.size() == 0) return;
    static constexpr std::string_view kLabels[3] = {"rps ", "busy ", "lq "};
    int labels = 0;
    for (std::string_view l : kLabels) labels += static_cast<int>(l.size()) + 1;
    const int room = grid.width() - x - 1 - labels;
    if (room < 3 * kMinSpark) return;
    const int w = std::min(kMaxSpark, room / 3);
    int px = grid.width() - 3 * w - labels;
    const Series* series[3] = {&vm.history().rps, &vm.history().busy, &vm.history().listen_queue};
    const SparkStyle style = vm.ascii() ? SparkStyle::Ascii : SparkStyle::Unicode;
    for (int i = 0; i < 3; ++i) {
        px += grid.put(px, a.tabs_row, kLabels[i], Style::Dim);
        line_.clear();
        sparkline(*series[i], static_cast<std::size_t>(w), style, line_);
        px += grid.put(px, a.tabs_row, line_, Style::Busy, w) + 1;
    }
}

// --- tables -------------------------------------------------------------------

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
            row_styles_[r] = status_style(ctx.snap->workers[row.worker].status);
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
    const Snapshot& snap = *vm.snapshot();
    for (std::size_t r = 0; r < visible; ++r) {
        const uint32_t rec = rows[first + r];
        for (std::size_t c = 0; c < ncols; ++c) {
            std::string& cell = cells_[r * ncols + c];
            cell.clear();
            const PaneColumn& col = def.columns[c];
            format_aux(col.format, col.get(snap, rec, static_cast<uint32_t>(c)), cell);
        }
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
    fit_columns(widths_, stretch_, grid.width(), 1, 1 + vm.state().hscroll, slots_);
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

// --- help and details ---------------------------------------------------------------

void Renderer::overlay(const ViewModel& vm, Grid& grid) {
    const ScreenAreas& a = vm.areas();
    text_.clear();
    if (vm.overlay() == Overlay::Help) build_help(vm, text_);
    else build_detail(vm, text_);
    const int top = a.summary_lines;
    const int rows = a.status_row - top;
    for (int y = top; y < a.status_row; ++y) fill_row(grid, y, Style::Normal);
    for (int i = 0; i < rows; ++i) {
        const std::size_t li = static_cast<std::size_t>(vm.overlay_scroll() + i);
        if (li >= text_.size()) break;
        grid.put(0, top + i, text_[li].text, text_[li].style);
    }
}

// --- status line --------------------------------------------------------------

void Renderer::status_line(const ViewModel& vm, Grid& grid) {
    const ScreenAreas& a = vm.areas();
    if (a.status_row < 0) return;
    const int y = a.status_row;
    const FeedStatus& feed = vm.feed();
    const char* dash = vm.ascii() ? "-" : "\xe2\x80\x94";
    int x = 0;
    auto seg = [&](std::string_view text, Style style) {
        if (x >= grid.width()) return;
        x += grid.put(x, y, text, style);
    };
    if (vm.filter_editing()) {
        seg("filter: ", Style::Key);
        line_.clear();
        append_escaped(line_, vm.state().filter);
        line_ += '_';
        seg(line_, Style::Normal);
        seg("  (Enter keeps, Esc clears)", Style::Dim);
        return;
    }
    line_.clear();
    Style state_style = Style::Dim;
    if (feed.ended) {
        line_ = "end of recording";
        state_style = Style::Paused;
    } else if (vm.paused()) {
        line_ = "PAUSED (not fetching; Space resumes)";
        state_style = Style::Paused;
    } else if (!feed.error.empty()) {
        const double since = feed.have_data ? feed.last_good : feed.error_since;
        const double age = std::max(0.0, vm.mono_now() - since);
        line_ = feed.have_data ? "stale " : "no data ";
        append_int(line_, static_cast<int64_t>(std::floor(age)));
        line_ += "s: ";
        append_escaped(line_, feed.error);
        line_ += ' ';
        line_ += dash;
        line_ += " retrying";
        state_style = Style::Error;
    } else if (!feed.have_data) {
        line_ = "connecting to ";
        append_escaped(line_, vm.address());
        line_ += "...";
    } else {
        line_ = "every ";
        append_duration_s(line_, vm.interval());
        if (vm.fast()) line_ += " (fast)";
    }
    seg(line_, state_style);
    line_.clear();
    if (const std::string_view f = vm.flash(); !f.empty()) {
        line_ += " | ";
        line_ += f;
    } else if (vm.overlay() != Overlay::None) {
        line_ += " | ";
        line_ += vm.overlay() == Overlay::Help ? "help" : "details";
        line_ += ": Up/Down/PgUp/PgDn scroll, Esc closes";
    } else {
        if (vm.pane() == PaneId::Workers && vm.snapshot()) {
            line_ += " | sort ";
            line_ += column(vm.sort().column).header;
            line_ += vm.ascii() ? (vm.sort().descending ? "v" : "^") : (vm.sort().descending ? "\xe2\x86\x93" : "\xe2\x86\x91");
        }
        if (!vm.state().filter.empty()) {
            line_ += " | filter \"";
            append_escaped(line_, vm.state().filter);
            line_ += "\" ";
            append_int(line_, static_cast<int64_t>(vm.row_count()));
            line_ += '/';
            append_int(line_, static_cast<int64_t>(vm.pane() == PaneId::Workers ? vm.worker_rows_total()
                                                                                 : vm.pane_rows_total()));
        }
    }
    seg(line_, Style::Normal);
    // Key hint on the right when there is room.
    constexpr std::string_view hint = "? help  q quit";
    const int hw = static_cast<int>(hint.size());
    if (grid.width() - x >= hw + 2) grid.put(grid.width() - hw, y, hint, Style::Dim);
}

}  // namespace uwsgitop::tui
