// render.cpp — ViewModel -> Grid (see render.hpp): the parts around the table (summary lines, tabs, the history sparkline, overlays, the status line); the tables are render_table.cpp.
#include "uwsgitop/tui/render.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "render_cells.hpp"
#include "uwsgitop/base/text.hpp"
#include "uwsgitop/model/worker_counts.hpp"
#include "uwsgitop/tui/keys.hpp"
#include "uwsgitop/tui/travel.hpp"
#include "uwsgitop/view/summary.hpp"

namespace uwsgitop::tui {

namespace {

using detail::dw;
using detail::fill_row;

void put_int_or_dash(std::string& out, const Int& v) {
    if (v) append_int(out, *v); else out += '-';
}

// A rate in few columns: 3.2, 12.5, 840, 12000; '-' when unknown.
void append_rate(std::string& out, double v) {
    if (std::isnan(v) || v < 0) out += '-';
    else if (v < 100) append_fixed(out, v, 1);
    else append_int(out, std::llround(v));
}

// One header sparkline's texts (Renderer::history).
struct HistoryPart {
    std::string_view label;
    const Series* series;
    double top;      // what a full bar stands for; 0 = the peak of the last `window` samples
    bool rate;       // the samples are rates (else counts)
    std::string now, after;
    double full = 0; // what a full bar stands for, for sparkline()
    // Fills `now` ("3.2", "2/4" with the scale), `after` (" max 12" with the
    // scale when top is 0) and `full`; returns the columns of the label, the
    // texts and the blank before the sparkline.
    int format(std::size_t window, bool scaled) {
        now.clear();
        after.clear();
        full = top > 0 ? top : peak(*series, window);
        if (std::isnan(full)) full = 0;
        const double v = series->newest();
        if (rate) append_rate(now, v);
        else if (std::isnan(v) || v < 0) now += '-';
        else append_int(now, std::llround(v));
        if (scaled && top > 0) {
            now += '/';
            append_int(now, std::llround(top));
        } else if (scaled) {
            after += " max ";
            const double m = peak(*series, window);
            if (rate) append_rate(after, m);
            else if (std::isnan(m)) after += '-';
            else append_int(after, std::llround(m));
        }
        return static_cast<int>(label.size() + now.size() + 1 + after.size());
    }
};

}  // namespace

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
    hits_.hscroll_limit = ScreenHits::kNoLimit;
    if (vm.width() <= 0 || vm.height() <= 0) return;
    summary(vm, grid);
    tabs(vm, grid);
    if (vm.overlay() != Overlay::None) {
        overlay(vm, grid);
    } else if (vm.pane() == PaneId::Workers) {
        worker_table(vm, grid);
        if (vm.chooser().is_open()) {  // over the table's lower part: the changes show above it
            const ScreenAreas& a = vm.areas();
            const int top = chooser_top(vm.chooser(), a.table_top, a.table_rows, a.status_row);
            draw_chooser(vm.chooser(), grid, top, a.status_row - top);
        }
    } else {
        pane_table(vm, grid);
    }
    status_line(vm, grid);
}

// --- header -------------------------------------------------------------------

// Opened from the fleet: "fleet › NAME - " (ASCII "fleet > NAME - "), the
// name escaped and cut in the middle past kCrumbName columns.
void Renderer::breadcrumb(const ViewModel& vm, std::string& out) {
    constexpr std::size_t kCrumbName = 32;
    if (!vm.in_fleet()) return;
    out += vm.ascii() ? "fleet > " : "fleet \xe2\x80\xba ";
    append_elided_middle(out, escape_for_display(vm.fleet_name()), kCrumbName, vm.ascii());
    out += " - ";
}

void Renderer::summary(const ViewModel& vm, Grid& grid) {
    const ScreenAreas& a = vm.areas();
    const Snapshot* snap = vm.snapshot();
    for (int i = 0; i < a.summary_lines; ++i) {
        line_.clear();
        if (i == 0) breadcrumb(vm, line_);
        const std::size_t crumb = line_.size();
        if (!snap) {
            if (i == 0) {
                if (crumb == 0) line_ = "uwsgitop - ";
                append_escaped(line_, vm.address());
                line_ += " - waiting for the first snapshot";
            }
        } else if (i == 0) {
            const auto& at = vm.record_position();
            summary_line1(*snap, vm.context().rates, vm.wall_time(), line_, at ? &*at : nullptr);
            if (dw(line_) > grid.width()) {   // the rate before the date
                line_.resize(crumb);
                summary_line1(*snap, vm.context().rates, vm.wall_time(), line_, at ? &*at : nullptr, true);
            }
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
// queue. Each is "label now[/top] spark[ max peak]": the newest value ('-'
// when unknown) and what a full bar stands for, the number of workers for
// busy, the socket's queue size for lq (when the server says it), else the
// peak of the last kMaxSpark samples ("max"; the same however wide the
// sparkline is drawn). Each sparkline is as wide as the room allows (up to
// kMaxSpark); when narrow the scale text goes first, then all of it.
void Renderer::history(const ViewModel& vm, Grid& grid, int x) {
    constexpr std::size_t kMaxSpark = 60;
    const ScreenAreas& a = vm.areas();
    // Emperors and routers have no worker totals: nothing to draw.
    if (!vm.snapshot() || vm.snapshot()->kind != SnapshotKind::Master || vm.history().rps.size() == 0) return;
    const Snapshot& snap = *vm.snapshot();
    int64_t queue_size = 0;
    for (const Socket& so : snap.sockets) queue_size = std::max<int64_t>(queue_size, so.max_queue.value_or(0));
    const InstanceHistory& h = vm.history();
    HistoryPart parts[3] = {{"rps ", &h.rps, 0, true, {}, {}},
                            {"busy ", &h.busy, static_cast<double>(count_workers(snap).total), false, {}, {}},
                            {"lq ", &h.listen_queue, static_cast<double>(queue_size), false, {}, {}}};
    // Widest first: with the scale and at least 8 cells, without it and at least 6.
    for (const auto& [scaled, min_spark] : {std::pair{true, 8}, std::pair{false, 6}}) {
        const int gap = scaled ? 2 : 1;  // "max 12  busy": two blanks keep the scale with its own line
        int text = 2 * gap + 1;          // between the parts and at the right edge
        for (HistoryPart& p : parts) text += p.format(kMaxSpark, scaled);
        const int room = grid.width() - x - 1 - text;
        if (room < 3 * min_spark) continue;
        const int w = std::min(static_cast<int>(kMaxSpark), room / 3);
        int px = grid.width() - 3 * w - text;
        const SparkStyle style = vm.ascii() ? SparkStyle::Ascii : SparkStyle::Unicode;
        for (HistoryPart& p : parts) {
            px += grid.put(px, a.tabs_row, p.label, Style::Dim);
            px += grid.put(px, a.tabs_row, p.now, Style::Normal) + 1;
            line_.clear();
            sparkline(*p.series, static_cast<std::size_t>(w), style, line_, p.full);
            px += grid.put(px, a.tabs_row, line_, Style::Busy, w);
            px += grid.put(px, a.tabs_row, p.after, Style::Dim) + gap;
        }
        return;
    }
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
    if (vm.goto_editing()) {
        seg("go to time: ", Style::Key);
        line_.clear();
        append_escaped(line_, vm.goto_text());
        line_ += '_';
        seg(line_, Style::Normal);
        seg("  (14:03:12, 14:03, -5m, +30s, 2026-12-07T14:03:12; Enter goes, Esc cancels)", Style::Dim);
        return;
    }
    line_.clear();
    Style state_style = Style::Dim;
    if (feed.ended) {
        line_ = "end of recording";
        state_style = Style::Paused;
    } else if (vm.paused()) {
        line_ = "PAUSED (";
        if (vm.replay()) {
            line_ += first_key(Action::Pause);
            line_ += " plays on;";
            for (uint8_t s = 0; s < 6; ++s) {
                line_ += ' ';
                line_ += first_key(Action::Travel, s);
            }
            line_ += ' ';
            line_ += first_key(Action::GoToTime);
            line_ += " travel)";
        } else {
            line_ += "not fetching; ";
            line_ += first_key(Action::Pause);
            line_ += " resumes)";
        }
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
    } else if (vm.replay()) {
        line_ = "replay ";
        append_speed(line_, vm.speed());
        if (vm.fast()) line_ += " (fast)";
    } else {
        line_ = "every ";
        append_duration_s(line_, vm.interval());
        if (vm.fast()) line_ += " (fast)";
    }
    if (vm.recording()) seg(vm.ascii() ? "REC " : "\xe2\x97\x8f REC ", Style::Error);
    seg(line_, state_style);
    line_.clear();
    if (const std::string_view f = vm.flash(); !f.empty()) {
        // A message longer than the room keeps its end ("...; nothing sent"):
        // the middle is elided, not the tail cut.
        line_ += " | ";
        const int room = grid.width() - x - 3;
        if (room > 8) append_elided_middle(line_, f, static_cast<std::size_t>(room), vm.ascii());
        else line_ += f;
    } else if (vm.chooser().is_open()) {
        line_ += " | columns: Up/Down choose, Esc closes";
    } else if (vm.overlay() != Overlay::None) {
        line_ += " | ";
        line_ += vm.overlay() == Overlay::Help ? "help" : "details";
        line_ += ": Up/Down/PgUp/PgDn scroll, ";
        line_ += first_key(Action::Back);
        line_ += " closes";
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
    // A new event shown on another pane: after the state above, which it never hides.
    if (const std::string_view n = vm.notice(); !n.empty() && vm.flash().empty()) {
        seg(" | ", Style::Normal);
        seg(n, Style::Signal);  // escaped by the view-model
    }
    // Key hint on the right when there is room: the keys in effect.
    line_.clear();
    if (vm.pane() == PaneId::Events) {
        line_ += first_key(Action::ToggleExceptions);
        line_ += vm.exceptions_hidden() ? " show exceptions  " : " hide exceptions  ";
    }
    line_ += first_key(Action::Help);
    line_ += " help  ";
    line_ += first_key(Action::Quit);
    line_ += vm.in_fleet() ? " fleet" : " quit";
    const int hw = static_cast<int>(display_width(line_));
    if (grid.width() - x >= hw + 2) grid.put(grid.width() - hw, y, line_, Style::Dim);
}

}  // namespace uwsgitop::tui
