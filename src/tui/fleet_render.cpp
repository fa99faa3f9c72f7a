// fleet_render.cpp — FleetViewModel -> Grid (see fleet_view.hpp).
// Same screen areas as the worker screen (layout.hpp): summary, tab bar,
// header, rows, status line. Row colours follow the state: ok default, stale
// yellow (Signal), error red (Error). The sorted column's header ends with
// its arrow (↓ ↑, v ^ in ASCII) as on the worker table; a vassal's name cell
// starts with its tree lines and a collapsed Emperor's ends with [+N]
// (FleetViewModel::tree_prefix, hidden_below). The help (build_fleet_help) replaces
// the table and starts at the view-model's help scroll; the status line says
// PAUSED while the poller is paused. The tab bar names the instances and,
// once there is one, the events view, which replaces the table.
#include <algorithm>
#include <cmath>

#include "uwsgitop/base/text.hpp"
#include "uwsgitop/view/aux_columns.hpp"
#include "uwsgitop/tui/fleet_view.hpp"
#include "uwsgitop/tui/render.hpp"

namespace uwsgitop::tui {

namespace {

// Left-aligned text columns widen to their visible values up to this.
constexpr int kMaxTextWidth = 24;

int dw(std::string_view s) { return static_cast<int>(display_width(s)); }

void append_rate(std::string& out, double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    out += buf;
}

Style row_style(FleetState k) {
    switch (k) {
        case FleetState::Ok: return Style::Normal;
        case FleetState::Stale: return Style::Stale;
        case FleetState::Error: return Style::Error;
    }
    return Style::Normal;
}

void summary(const FleetViewModel& vm, const ScreenAreas& a, Grid& g, std::string& line) {
    int ok = 0, stale = 0, err = 0;
    double rps = 0, busy = 0;
    for (const FleetRow& r : vm.rows()) {
        if (r.kind == FleetState::Ok) ++ok;
        else if (r.kind == FleetState::Stale) ++stale;
        else ++err;
        if (!std::isnan(r.rps)) rps += r.rps;
        if (!std::isnan(r.busy)) busy += r.busy;
    }
    for (int i = 0; i < a.summary_lines; ++i) {
        line.clear();
        if (i == 0) {
            line = "uwsgitop fleet - ";
            append_int(line, static_cast<int64_t>(vm.rows().size()));
            line += " instances: ";
            if (!vm.have_data()) {
                line += "waiting for the first poll";
            } else {
                append_int(line, ok);
                line += " ok, ";
                append_int(line, stale);
                line += " stale, ";
                append_int(line, err);
                line += " error - total rps ";
                append_rate(line, rps);
                line += " - busy workers ";
                append_int(line, static_cast<int64_t>(busy));
            }
        } else if (i == 1) {
            line = "interval ";
            append_rate(line, vm.interval());
            line += "s - poll rounds ";
            append_int(line, static_cast<int64_t>(vm.rounds()));
            if (!vm.filter().empty()) {
                line += " - filter: ";
                append_escaped(line, vm.filter());
            }
        }
        g.put(0, a.summary_top + i, line, i == 0 ? Style::Title : Style::Normal);
    }
}

void help(const FleetViewModel& vm, Grid& g, TextLines& text) {
    text.clear();
    build_fleet_help(text);
    const int top = vm.help_top();
    for (int i = 0; i < vm.help_rows(); ++i) {
        const std::size_t li = static_cast<std::size_t>(vm.help_scroll() + i);
        if (li >= text.size()) break;
        g.put(0, top + i, text[li].text, text[li].style);
    }
}

bool is_name(const FleetColumn& fc) { return fc.name == "name"; }

// The name cell of visible row `vi`: its tree lines, the name, and for a
// collapsed Emperor how many rows it hides ("web [+3]"); built in `out`.
std::string_view name_cell(const FleetViewModel& vm, std::size_t vi, std::string_view name, std::string& out) {
    const std::string_view prefix = vm.tree_prefix(vi);
    const std::size_t hidden = vm.hidden_below(vi);
    if (prefix.empty() && hidden == 0) return name;
    out.assign(prefix);
    out += name;
    if (hidden > 0) {
        out += " [+";
        append_int(out, static_cast<int64_t>(hidden));
        out += ']';
    }
    return out;
}

void pad_to(std::string& s, std::size_t n) {
    if (s.size() < n) s.append(n - s.size(), ' ');
}

// The events view: TIME INSTANCE KIND WID EVENT, newest first; instance
// names widen their column up to kMaxTextWidth, texts are escaped.
void events_table(const FleetViewModel& vm, const ScreenAreas& a, Grid& g, std::string& line) {
    const EventLog& log = vm.events();
    const auto& rows = vm.event_rows();
    int iw = dw("INSTANCE");
    for (int r = 0; r < a.table_rows; ++r) {
        const std::size_t vi = static_cast<std::size_t>(vm.event_top() + r);
        if (vi >= rows.size()) break;
        iw = std::max(iw, std::min(kMaxTextWidth, dw(log.newest(rows[vi]).event.instance)));
    }
    constexpr int kTimeW = 8, kKindW = 14, kWidW = 4;
    const int xi = kTimeW + 1, xk = xi + iw + 1, xw = xk + kKindW + 1, xt = xw + kWidW + 1;
    g.fill(0, a.header_row, vm.width(), Style::Header);
    g.put(0, a.header_row, "    TIME", Style::Header);
    g.put(xi, a.header_row, "INSTANCE", Style::Header);
    g.put(xk, a.header_row, "KIND", Style::Header);
    g.put(xw, a.header_row, " WID", Style::Header);
    g.put(xt, a.header_row, "EVENT", Style::Header);
    for (int r = 0; r < a.table_rows; ++r) {
        const std::size_t vi = static_cast<std::size_t>(vm.event_top() + r);
        if (vi >= rows.size()) break;
        const LoggedEvent& l = log.newest(rows[vi]);
        const int y = a.table_top + r;
        const bool sel = static_cast<int>(vi) == vm.event_selected();
        const Style st = sel ? Style::Selected : event_style(l.event.kind);
        if (sel) g.fill(0, y, vm.width(), Style::Selected);
        line.clear();
        format_aux(Format::LocalTime, Value::num(l.event.time), line);
        g.put(0, y, line, st, kTimeW);
        line.clear();
        append_elided_middle(line, escape_for_display(l.event.instance), static_cast<std::size_t>(iw), vm.ascii());
        g.put(xi, y, line, st, iw);
        g.put(xk, y, event_kind_info(l.event.kind).name, st, kKindW);
        line.clear();
        if (l.event.worker) append_int(line, *l.event.worker);
        else line += '-';  // (appended: gcc 12 -O3 warns falsely (-Wrestrict) on assigning)
        g.put(xw + kWidW - dw(line), y, line, st, kWidW);
        line.clear();
        append_escaped(line, l.text);
        if (xt < vm.width()) g.put(xt, y, line, st, vm.width() - xt);
    }
    if (rows.empty() && a.table_rows > 0) g.put(0, a.table_top, "no event matches the filter", Style::Dim);
}

// The key hint of the status line, with the keys in effect.
void status_hint(const FleetViewModel& vm, std::string& line) {
    auto hint = [&](Action a, std::string_view what) {
        const std::string k = first_key(a);
        if (k.empty()) return;
        if (!line.empty()) line += "  ";
        line += k;
        line += ' ';
        line += what;
    };
    hint(Action::Quit, "quit");
    if (vm.events_view()) {
        hint(Action::Open, "open its instance");
        hint(Action::Filter, "filter");
        hint(Action::ToggleExceptions, vm.exceptions_hidden() ? "show exceptions" : "hide exceptions");
        hint(Action::NextPane, "instances");
    } else {
        hint(Action::Open, "open");
        if (vm.grouped()) hint(Action::ToggleGroup, "collapse");
        hint(Action::Filter, "filter");
        line += "  ";
        line += first_key(Action::SortPrev);
        line += ' ';
        line += first_key(Action::SortNext);
        line += ' ';
        line += first_key(Action::SortInvert);
        line += " sort";
        hint(Action::Pause, "pause");
    }
    hint(Action::Help, "help");
}

}  // namespace

void build_fleet_help(TextLines& out) {
    out.add(Style::Title) = "uwsgitop fleet keys";
    const auto bindings = key_bindings();
    for (std::size_t i = 0; i < bindings.size(); ++i) {
        const KeyBinding& b = bindings[i];
        if (b.label.empty()) continue;
        const auto keys = fleet_keys();
        const auto it = std::find_if(keys.begin(), keys.end(), [&](const FleetKey& k) { return k.action == b.action; });
        if (it == keys.end()) continue;
        std::string& l = out.add();
        l = "  ";
        l += b.label;
        pad_to(l, 16);
        l += it->help.empty() ? b.help : it->help;
    }
    out.add();
    build_key_names(out, [](Action a) {
        const auto keys = fleet_keys();
        return std::any_of(keys.begin(), keys.end(), [a](const FleetKey& k) { return k.action == a; });
    });
    out.add();
    out.add(Style::Title) = "Sort keys (again: the other direction)";
    const auto sort_keys = fleet_sort_keys();
    for (std::size_t i = 0; i < sort_keys.size(); i += 3) {
        std::string& l = out.add();
        for (std::size_t j = i; j < std::min(i + 3, sort_keys.size()); ++j) {
            pad_to(l, 2 + (j - i) * 24);
            l += static_cast<char>(sort_keys[j].key);
            l += ' ';
            l += sort_keys[j].column;
        }
    }
    out.add();
    out.add(Style::Dim) = "RPS~ and BUSY~: history of the last polls (a gap: no data)";
}

void render_fleet(const FleetViewModel& vm, Grid& g, ScreenHits* hits) {
    if (hits) {
        hits->header.clear();
        hits->tabs.clear();
        hits->hscroll_limit = ScreenHits::kNoLimit;
    }
    if (g.width() != vm.width() || g.height() != vm.height()) g.resize(vm.width(), vm.height());
    g.clear();
    if (vm.width() <= 0 || vm.height() <= 0) return;
    const ScreenAreas a = compute_areas(vm.width(), vm.height());
    std::string line;
    summary(vm, a, g, line);
    if (a.tabs_row >= 0) {
        constexpr std::string_view kInstances = " 1:instances ", kEvents = " 2:events ";
        g.put(0, a.tabs_row, kInstances, vm.events_view() ? Style::Tab : Style::TabActive);
        if (hits) hits->tabs.push_back({0, dw(kInstances), 0});
        if (!vm.events().empty()) {
            const int x = dw(kInstances) + 1;
            g.put(x, a.tabs_row, kEvents, vm.events_view() ? Style::TabActive : Style::Tab);
            if (hits) hits->tabs.push_back({x, dw(kEvents), 1});
        }
    }
    const SparkStyle spark = vm.ascii() ? SparkStyle::Ascii : SparkStyle::Unicode;
    if (vm.help()) {
        static thread_local TextLines text;
        help(vm, g, text);
    } else if (vm.events_view() && a.header_row >= 0) {
        events_table(vm, a, g, line);
    } else if (a.header_row >= 0) {
        const auto cols = fleet_columns();
        const auto& shown = vm.columns();
        std::vector<int> widths;
        std::vector<uint8_t> stretch;
        for (int c : shown) {
            if (c < 0) {
                widths.push_back(kSparkWidth);
                stretch.push_back(0);
                continue;
            }
            const FleetColumn& fc = cols[static_cast<std::size_t>(c)];
            const bool sorted = vm.sorted() && vm.sort_column() == static_cast<std::size_t>(c);
            int w = std::max<int>(fc.width, dw(fc.header) + (sorted ? 1 : 0));   // room for the arrow
            for (int r = 0; r < a.table_rows; ++r) {
                const std::size_t vi = static_cast<std::size_t>(vm.top() + r);
                if (vi >= vm.visible().size()) break;
                const std::string& text = vm.rows()[vm.visible()[vi]].cells[static_cast<std::size_t>(c)].text;
                const int cw = is_name(fc) ? dw(name_cell(vm, vi, text, line)) : dw(text);
                w = std::max(w, fc.left_align ? std::min(cw, kMaxTextWidth) : cw);
            }
            widths.push_back(w);
            stretch.push_back(fc.left_align ? 1 : 0);
        }
        std::vector<ColumnSlot> slots;
        // A scroll made on a narrower screen shows no less than fits here.
        const std::size_t limit = scroll_limit(widths, vm.width(), 1);
        if (hits) hits->hscroll_limit = limit;
        fit_columns(widths, stretch, vm.width(), 1, 1 + std::min(vm.hscroll(), limit), slots);
        g.fill(0, a.header_row, vm.width(), Style::Header);
        for (const ColumnSlot& s : slots) {
            const int c = shown[s.index];
            const bool sorted = c >= 0 && vm.sorted() && vm.sort_column() == static_cast<std::size_t>(c);
            line.assign(fleet_screen_column_header(c));
            // The sort column's arrow, as on the worker table.
            if (sorted) line += vm.ascii() ? (vm.descending() ? "v" : "^") : (vm.descending() ? "\xe2\x86\x93" : "\xe2\x86\x91");
            const std::string_view h = line;
            const bool right = c >= 0 && !cols[static_cast<std::size_t>(c)].left_align;
            const int x = right ? s.x + s.width - dw(h) : s.x;
            if (sorted) g.fill(s.x, a.header_row, s.width, Style::HeaderSorted);
            if (hits) hits->header.push_back({s.x, s.width, c});
            g.put(std::max(s.x, x), a.header_row, h, sorted ? Style::HeaderSorted : Style::Header, s.width);
        }
        std::string name;
        for (int r = 0; r < a.table_rows; ++r) {
            const std::size_t vi = static_cast<std::size_t>(vm.top() + r);
            if (vi >= vm.visible().size()) break;
            const FleetRow& row = vm.rows()[vm.visible()[vi]];
            const int y = a.table_top + r;
            const bool sel = static_cast<int>(vi) == vm.selected();
            const Style base = sel ? Style::Selected : row_style(row.kind);
            if (sel) g.fill(0, y, vm.width(), Style::Selected);
            for (const ColumnSlot& s : slots) {
                const int c = shown[s.index];
                if (c < 0) {
                    line.clear();
                    if (const InstanceHistory* h = vm.history(row.name)) {
                        sparkline(c == kSparkRps ? h->rps : h->busy, static_cast<std::size_t>(s.width), spark, line);
                    }
                    g.put(s.x, y, line, sel ? Style::Selected : Style::Busy, s.width);
                    continue;
                }
                const FleetColumn& fc = cols[static_cast<std::size_t>(c)];
                std::string_view text = row.cells[static_cast<std::size_t>(c)].text;
                if (is_name(fc)) text = name_cell(vm, vi, text, name);
                const int w = dw(text);
                const int x = (!fc.left_align && w < s.width) ? s.x + s.width - w : s.x;
                const Style st = (fc.name == "state" && !sel) ? row_style(row.kind) : base;
                if (fc.left_align && w > s.width && s.width > 0) {
                    // Names and addresses that differ only at the end stay apart.
                    line.clear();
                    append_elided_middle(line, text, static_cast<std::size_t>(s.width), vm.ascii());
                    g.put(x, y, line, st, s.width);
                } else {
                    g.put(x, y, text, st, s.width);
                }
            }
        }
        if (vm.visible().empty() && a.table_rows > 0) {
            g.put(0, a.table_top, vm.have_data() ? "no instance matches the filter" : "polling...", Style::Dim);
        }
        if (vm.chooser().is_open()) {  // over the table's lower part: the changes show above it
            const int top = chooser_top(vm.chooser(), a.table_top, a.table_rows, a.status_row);
            draw_chooser(vm.chooser(), g, top, a.status_row - top);
        }
    }
    if (a.status_row >= 0) {
        line.clear();
        if (vm.filter_editing()) {
            line += '/';   // (appended: gcc 12 -O3 warns falsely (-Wrestrict) on assigning)
            append_escaped(line, vm.filter());
            line += "_   (Enter keeps, Esc clears)";
            g.put(0, a.status_row, line, Style::Key);
        } else {
            int x = 0;
            if (vm.paused()) {
                line = "PAUSED (not polling; ";
                line += first_key(Action::Pause);
                line += " resumes)  ";
                x = g.put(0, a.status_row, line, Style::Paused);
            }
            const bool ev = vm.events_view();
            // A new-event notice takes the place of the key hint while it lasts.
            const std::string_view notice = vm.help() ? std::string_view{} : vm.notice();
            line.clear();
            if (vm.help()) {
                line = "help: Up/Down/PgUp/PgDn scroll, ";
                line += first_key(Action::Back);
                line += " closes";
            }
            else if (vm.chooser().is_open()) line = "columns: Up/Down choose, Esc closes";
            else if (notice.empty()) status_hint(vm, line);
            const std::size_t n = ev ? vm.event_rows().size() : vm.visible().size();
            if (!vm.help() && n > 0) {
                if (!line.empty()) line += "  -  ";
                append_int(line, (ev ? vm.event_selected() : vm.selected()) + 1);
                line += "/";
                append_int(line, static_cast<int64_t>(n));
            }
            if (x < vm.width()) x += g.put(x, a.status_row, line, Style::Dim);
            if (!notice.empty() && x + 3 < vm.width()) {
                x += g.put(x, a.status_row, "  ", Style::Dim);
                g.put(x, a.status_row, notice, Style::Signal);  // escaped by the view-model
            }
        }
    }
}

}  // namespace uwsgitop::tui
