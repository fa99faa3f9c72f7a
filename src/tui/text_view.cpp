// text_view.cpp — help and details screens (see text_view.hpp).
#include "uwsgitop/tui/text_view.hpp"

#include <algorithm>
#include <variant>

#include "uwsgitop/view/aux_columns.hpp"
#include "uwsgitop/view/columns.hpp"
#include "uwsgitop/base/text.hpp"
#include "uwsgitop/output/stacks_text.hpp"
#include "uwsgitop/tui/event_log.hpp"
#include "uwsgitop/tui/keys.hpp"
#include "uwsgitop/tui/panes.hpp"
#include "uwsgitop/tui/render.hpp"
#include "uwsgitop/tui/view_model.hpp"

namespace uwsgitop::tui {

std::string& TextLines::add(Style style) {
    if (used_ == lines_.size()) lines_.emplace_back();
    TextLine& l = lines_[used_++];
    l.text.clear();
    l.style = style;
    return l.text;
}

namespace {

void pad_to(std::string& s, std::size_t width) {
    const std::size_t w = display_width(s);
    if (w < width) s.append(width - w, ' ');
}

// --- help ---------------------------------------------------------------------

void help_columns(TextLines& out) {
    out.add(Style::Title) = "Worker table columns (upper-case key sorts; the same key again inverts)";
    std::string& head = out.add(Style::Dim);
    head = "  key  name          header    description";
    for (const ColumnDef& c : all_columns()) {
        std::string& l = out.add();
        l = "  ";
        const int k = sort_key_for(c.id);
        l += k == key::None ? std::string("-") : key_name(k);
        pad_to(l, 7);
        l += c.name;
        pad_to(l, 21);
        l += c.header;
        pad_to(l, 31);
        l += c.description;
    }
}

void help_pane_columns(const PaneDef& def, TextLines& out) {
    std::string& t = out.add(Style::Title);
    t = "Columns of the ";
    t += def.name;
    t += " pane (< > pick the sort column, r inverts)";
    for (const PaneColumn& c : def.columns) {
        std::string& l = out.add();
        l = "  ";
        l += c.name;
        pad_to(l, 21);
        l += c.header;
        pad_to(l, 33);
        l += c.description;
    }
}

}  // namespace

void build_key_names(TextLines& out, bool (*keep)(Action)) {
    out.add(Style::Title) = "Action names, to bind other keys in config.toml: [keys] quit = \"z\"";
    constexpr std::size_t kCell = 38;
    std::string* l = nullptr;
    std::size_t in_line = 0;
    for (const KeyBinding& b : key_bindings()) {
        if (b.name.empty() || b.action == Action::SortBy || (keep && !keep(b.action))) continue;
        if (!l || in_line == 2) {
            l = &out.add();
            *l = "  ";
            in_line = 0;
        }
        pad_to(*l, 2 + in_line * kCell);
        *l += b.name;
        pad_to(*l, 2 + in_line * kCell + 23);
        const std::string keys = keys_of(b.action, b.arg);
        *l += keys.empty() ? std::string("(none)") : keys;
        ++in_line;
    }
    if (!keep) out.add() = "  sort-NAME              a worker column's sort key (sort-rss, sort-avg-rt: _ written -)";
}

void build_help(const ViewModel& vm, TextLines& out) {
    out.add(Style::Title) = "uwsgitop keys";
    const auto keys = key_bindings();
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (keys[i].label.empty() || keys[i].help.empty()) continue;
        std::string& l = out.add();
        l = "  ";
        l += keys[i].label;
        pad_to(l, 16);
        // Opened from the fleet, q and Esc lead back to it (view_model.hpp).
        if (vm.in_fleet() && keys[i].action == Action::Quit) l += "back to the fleet (Ctrl-C quits)";
        else if (vm.in_fleet() && keys[i].action == Action::Back) l += "close details/help; clear the filter; then back to the fleet";
        else l += keys[i].help;
    }
    out.add();
    build_key_names(out, nullptr);
    out.add();
    out.add(Style::Title) = vm.mouse() ? "Mouse (on; m turns it off)" : "Mouse (off; m turns it on)";
    out.add() = "  Click a column header: sort by it (again: reverse). Click a row: select it;";
    out.add() = "  double-click: its details (as Enter). Wheel: scroll the table or this text,";
    out.add() = "  three rows a notch. Click a tab: that pane. Every click has a key too.";
    out.add() = "  Hold Shift to select text with the terminal while the mouse is on.";
    out.add() = "  s saves this view (columns, sort, pane, filter, interval, colour) to";
    out.add() = "  ~/.local/state/uwsgitop/view.toml; config.toml is never rewritten.";
    out.add();
    if (vm.pane() != PaneId::Workers) {
        help_pane_columns(pane_def(vm.pane()), out);
        out.add();
    }
    help_columns(out);
    out.add();
    out.add(Style::Title) = "Panes (Tab, or the number shown in the tab bar)";
    for (const PaneDef& p : all_panes()) {
        std::string& l = out.add();
        l = "  ";
        l += p.name;
        pad_to(l, 14);
        l += p.description;
    }
    out.add();
    out.add(Style::Title) = "Reading the screen";
    out.add() = "  Row colours: busy green, cheap magenta, sigNN (running a signal handler) yellow,";
    out.add() = "  pause blue, idle plain. '-' means the server did not say: never a made-up 0.";
    out.add() = "  Rates (RPS, EXC/s, TX/s) need two snapshots. ReqTime is uWSGI's running_time:";
    out.add() = "  time spent serving requests, summed (not uptime). AVG is uWSGI's smoothed average.";
    out.add() = "  When a read fails the last good snapshot stays on screen and the status line";
    out.add() = "  says how old it is; retries back off (up to 5 s between tries) and stop by themselves.";
    out.add() = "  Right of the tabs, one sample a refresh, newest on the right: requests per second,";
    out.add() = "  busy workers and the listen queue, each after its value now ('-' unknown) and scale:";
    out.add() = "  busy 2/4 and lq 0/100 fill the bar at all 4 workers or a full queue of 100; rps 3.2 and";
    out.add() = "  an lq without its size fill it at the peak of the last 60 samples, shown after it (max 12).";
    out.add() = "  A narrow terminal drops the scale texts first, then the sparklines.";
}

// --- details ------------------------------------------------------------------

namespace {

void fact(std::string& l, std::string_view label, const ColumnDef& def, const RowContext& ctx, RowRef row) {
    l += label;
    format_human(def, column_value(def, ctx, row), row, ctx, l);
}

// Appends `text` (already escaped) as lines of at most `width` columns,
// each starting with `indent`, at most `max_lines` lines.
void wrapped(TextLines& out, std::string_view indent, std::string_view text, int width, int max_lines,
             Style style) {
    const int room = std::max(8, width - static_cast<int>(indent.size()));
    std::size_t i = 0;
    int lines = 0;
    do {
        std::string& l = out.add(style);
        l = indent;
        int col = 0;
        while (i < text.size()) {
            char32_t cp;
            const std::size_t len = decode_utf8(text, i, cp);
            const int w = codepoint_width(cp);
            if (col + w > room) break;
            l.append(text.substr(i, len));
            col += w;
            i += len;
        }
        if (++lines == max_lines && i < text.size()) {
            l += " ...";
            return;
        }
    } while (i < text.size());
}

void worker_events(const ViewModel& vm, int64_t id, TextLines& out);
void worker_stacks(const ViewModel& vm, int64_t id, TextLines& out);

constexpr ColumnId kDetailCoreCols[] = {
    ColumnId::Core, ColumnId::Requests, ColumnId::Rps, ColumnId::InRequest, ColumnId::RequestTime,
    ColumnId::StaticRequests, ColumnId::RoutedRequests, ColumnId::OffloadedRequests,
    ColumnId::WriteErrors, ColumnId::ReadErrors, ColumnId::Method, ColumnId::Uri, ColumnId::Remote,
};

void worker_detail(const ViewModel& vm, TextLines& out) {
    const Snapshot& s = *vm.snapshot();
    const RowContext& ctx = vm.context();
    std::size_t wi = s.workers.size();
    for (std::size_t i = 0; i < s.workers.size(); ++i) {
        if (vm.detail_worker() != INT64_MIN && s.workers[i].id && *s.workers[i].id == vm.detail_worker()) {
            wi = i;
            break;
        }
    }
    if (wi == s.workers.size() && vm.detail_worker() == INT64_MIN && vm.detail_worker_index() < s.workers.size()) {
        wi = vm.detail_worker_index();
    }
    if (wi == s.workers.size()) {
        std::string& l = out.add(Style::Error);
        l = "worker ";
        append_int(l, vm.detail_worker());
        l += " is not in the latest snapshot (Esc goes back)";
        return;
    }
    const Worker& w = s.workers[wi];
    const RowRef row{static_cast<uint32_t>(wi), kNoCore};
    {
        std::string& l = out.add(Style::Title);
        l = "Worker ";
        if (w.id) append_int(l, *w.id); else l += '-';
        l += " - pid ";
        if (w.pid) append_int(l, *w.pid); else l += '-';
        l += " - status ";
        if (w.status.empty()) l += '-'; else append_escaped(l, w.status);
    }
    {
        std::string& l = out.add();
        fact(l, "  requests ", column(ColumnId::Requests), ctx, row);
        fact(l, " (", column(ColumnId::Rps), ctx, row);
        fact(l, "/s) - share ", column(ColumnId::Share), ctx, row);
        fact(l, "% - exceptions ", column(ColumnId::Exceptions), ctx, row);
        fact(l, " (", column(ColumnId::ExcRate), ctx, row);
        fact(l, "/s) - harakiri ", column(ColumnId::Harakiri), ctx, row);
        fact(l, " - signals ", column(ColumnId::Signals), ctx, row);
    }
    {
        std::string& l = out.add();
        fact(l, "  avg response ", column(ColumnId::AvgRt), ctx, row);
        fact(l, " (smoothed) - time in requests ", column(ColumnId::RunningTime), ctx, row);
        fact(l, " (cumulative) - tx ", column(ColumnId::Tx), ctx, row);
        fact(l, " (", column(ColumnId::TxRate), ctx, row);
        l += "/s)";
    }
    {
        std::string& l = out.add();
        fact(l, "  rss ", column(ColumnId::Rss), ctx, row);
        fact(l, " - vsz ", column(ColumnId::Vsz), ctx, row);
        fact(l, " - respawns ", column(ColumnId::Respawns), ctx, row);
        fact(l, " - last spawn ", column(ColumnId::LastSpawn), ctx, row);
        fact(l, " - accepting ", column(ColumnId::Accepting), ctx, row);
    }
    out.add();
    if (w.id) {
        worker_stacks(vm, *w.id, out);
        out.add();
        worker_events(vm, *w.id, out);
        out.add();
    }
    // Apps
    const auto apps = s.apps_of(w);
    {
        std::string& l = out.add(Style::Title);
        l = "Apps (";
        append_int(l, static_cast<int64_t>(apps.size()));
        l += ')';
    }
    if (!apps.empty()) {
        out.add(Style::Dim) = "  ID  REQ       EXC     MOUNTPOINT            CHDIR";
        for (const App& a : apps) {
            std::string& l = out.add();
            l = "  ";
            if (a.id) append_int(l, *a.id); else l += '-';
            pad_to(l, 6);
            if (a.requests) append_int(l, *a.requests); else l += '-';
            pad_to(l, 16);
            if (a.exceptions) append_int(l, *a.exceptions); else l += '-';
            pad_to(l, 24);
            if (a.mountpoint.empty()) l += "(default)"; else append_escaped(l, a.mountpoint);
            pad_to(l, 46);
            if (a.chdir.empty()) l += '-'; else append_escaped(l, a.chdir);
        }
    }
    out.add();
    // Cores as a small table.
    const auto cores = s.cores_of(w);
    int busy = 0;
    for (const Core& c : cores) busy += (c.in_request && *c.in_request) ? 1 : 0;
    {
        std::string& l = out.add(Style::Title);
        if (s.cores_skipped) {
            l = "Cores (reading them...)";  // the worker table's snapshot did not need them
        } else {
            l = "Cores (";
            append_int(l, static_cast<int64_t>(cores.size()));
            l += ", ";
            append_int(l, busy);
            l += " in a request)";
            if (!w.has_cores) l += " - the server does not send cores (--stats-no-cores)";
        }
    }
    if (!cores.empty()) {
        constexpr std::size_t n = std::size(kDetailCoreCols);
        std::size_t widths[n];
        for (std::size_t c = 0; c < n; ++c) widths[c] = display_width(column(kDetailCoreCols[c]).header);
        static thread_local std::string cell;
        for (std::size_t k = 0; k < cores.size(); ++k) {
            const RowRef cr{static_cast<uint32_t>(wi), static_cast<uint32_t>(w.cores.begin + k)};
            for (std::size_t c = 0; c < n; ++c) {
                const ColumnDef& def = column(kDetailCoreCols[c]);
                cell.clear();
                format_human(def, column_value(def, ctx, cr), cr, ctx, cell);
                widths[c] = std::max(widths[c], std::min<std::size_t>(display_width(cell), 40));
            }
        }
        auto emit = [&](std::string& l, std::size_t c, std::string_view text) {
            const ColumnDef& def = column(kDetailCoreCols[c]);
            const std::size_t w0 = display_width(text);
            if (!def.left_align && w0 < widths[c]) l.append(widths[c] - w0, ' ');
            l += text;
            if (def.left_align && c + 1 < n && w0 < widths[c]) l.append(widths[c] - w0, ' ');
            l += ' ';
        };
        {
            std::string& l = out.add(Style::Dim);
            l = "  ";
            for (std::size_t c = 0; c < n; ++c) emit(l, c, column(kDetailCoreCols[c]).header);
        }
        for (std::size_t k = 0; k < cores.size(); ++k) {
            const Core& core = cores[k];
            const RowRef cr{static_cast<uint32_t>(wi), static_cast<uint32_t>(w.cores.begin + k)};
            std::string& l = out.add((core.in_request && *core.in_request) ? Style::Busy : Style::Normal);
            l = "  ";
            for (std::size_t c = 0; c < n; ++c) {
                const ColumnDef& def = column(kDetailCoreCols[c]);
                cell.clear();
                format_human(def, column_value(def, ctx, cr), cr, ctx, cell);
                emit(l, c, cell);
            }
        }
    }
    // Requests in flight, with all their vars.
    if (busy > 0) {
        out.add();
        std::string& t = out.add(Style::Title);
        t = "Requests in flight (";
        append_int(t, busy);
        t += ")";
        static thread_local std::string var;
        for (std::size_t k = 0; k < cores.size(); ++k) {
            const Core& core = cores[k];
            if (!core.in_request || !*core.in_request) continue;
            const RowRef cr{static_cast<uint32_t>(wi), static_cast<uint32_t>(w.cores.begin + k)};
            std::string& l = out.add(Style::Busy);
            l = "  core ";
            if (core.id) append_int(l, *core.id); else l += '-';
            fact(l, ": ", column(ColumnId::Method), ctx, cr);
            fact(l, " ", column(ColumnId::Uri), ctx, cr);
            fact(l, " from ", column(ColumnId::Remote), ctx, cr);
            fact(l, " - running ", column(ColumnId::RequestTime), ctx, cr);
            const auto vars = s.vars_of(core);
            if (vars.empty()) out.add(Style::Dim) = "    (no vars sent)";
            for (std::string_view v : vars) {
                var.clear();
                append_escaped(var, v);
                wrapped(out, "    ", var, vm.width(), 8, Style::Normal);
            }
        }
    }
}

// Frames as the dumps write them (output/stacks_text.hpp), indented, the
// source lines dim.
void stack_lines(const std::vector<StackFrame>& frames, TextLines& out) {
    static thread_local std::string text;
    text.clear();
    append_stack_text(frames, "  ", text);
    for (std::size_t at = 0; at < text.size();) {
        const std::size_t nl = std::min(text.find('\n', at), text.size());
        const std::string_view line(text.data() + at, nl - at);
        const bool code = line.size() > 6 && line.substr(0, 6) == "      ";
        out.add(code ? Style::Dim : Style::Normal) = line;
        at = nl + 1;
    }
}

// Every fact of an event, as --format events names it (server text escaped),
// and the stack captured in its request.
void event_facts(const Event& e, int width, TextLines& out) {
    out.add();
    out.add(Style::Title) = "Facts (as --format events writes them)";
    static thread_local std::string line;
    for (const Fact& f : e.facts) {
        line.clear();
        line += f.key;
        line += ": ";
        if (const auto* i = std::get_if<int64_t>(&f.value)) append_int(line, *i);
        else if (const auto* d = std::get_if<double>(&f.value)) append_fixed(line, *d, 3);
        else append_escaped(line, std::get<std::string>(f.value));
        wrapped(out, "  ", line, width, 8, Style::Normal);
    }
    if (e.stack.empty()) return;
    out.add();
    out.add(Style::Title) = "Python stack (captured while the request ran)";
    stack_lines(e.stack, out);
}

// The worker's own events in the log, newest first (at most kMax).
void worker_events(const ViewModel& vm, int64_t id, TextLines& out) {
    constexpr std::size_t kMax = 20;
    const EventLog& log = vm.events();
    std::size_t shown = 0, count = 0;
    for (std::size_t i = 0; i < log.size(); ++i) {
        if (log.newest(i).event.worker == id) ++count;
    }
    {
        std::string& t = out.add(Style::Title);
        t = "Events of this worker (";
        append_int(t, static_cast<int64_t>(count));
        if (count > kMax) {
            t += ", the newest ";
            append_int(t, static_cast<int64_t>(kMax));
        }
        t += ')';
    }
    static thread_local std::string line;
    for (std::size_t i = 0; i < log.size() && shown < kMax; ++i) {
        const LoggedEvent& l = log.newest(i);
        if (l.event.worker != id) continue;
        ++shown;
        line.clear();
        format_aux(Format::LocalTime, Value::num(l.event.time), line);
        line += "  ";
        line += event_kind_info(l.event.kind).name;
        pad_to(line, 24);
        append_escaped(line, l.text);
        // One line per event, cut at the screen's edge like the facts above it.
        std::string& shown_line = out.add(event_style(l.event.kind));
        shown_line = "  ";
        shown_line += line;
    }
}

// The worker's Python stacks as the last read left them (stack_reader.hpp):
// each thread, frames outermost first as FILE:LINE FUNCTION, the source line
// beneath; or why there are none (how to enable the tracebacker).
void worker_stacks(const ViewModel& vm, int64_t id, TextLines& out) {
    const DetailStack& st = vm.detail_stack();
    std::string& t = out.add(Style::Title);
    t = "Python stacks";
    if (st.worker != id) {
        t += st.reading ? " (reading...)" : " (p reads them)";
        return;
    }
    t += " (read ";
    format_aux(Format::LocalTime, Value::num(st.read_at), t);
    t += st.reading ? "; reading again...)" : "; p reads again)";
    if (!st.stack.read) {
        wrapped(out, "  ", st.stack.reason, vm.width(), 4, Style::Dim);
        return;
    }
    stack_lines(st.stack.frames, out);
}

void record_detail(const ViewModel& vm, TextLines& out) {
    const Snapshot& s = *vm.snapshot();
    const PaneDef& def = pane_def(vm.pane());
    const uint32_t n = vm.pane_records();
    // Find the record by its key, else keep the index it had.
    uint32_t rec = n;
    static thread_local std::string key;
    for (uint32_t i = 0; i < n && !def.columns.empty(); ++i) {
        vm.row_key(i, key);
        if (key == vm.detail_key()) {
            rec = i;
            break;
        }
    }
    if (rec == n && vm.detail_worker_index() < n) rec = static_cast<uint32_t>(vm.detail_worker_index());
    if (rec == n) {
        out.add(Style::Error) = "this row is not in the latest snapshot (Esc goes back)";
        return;
    }
    {
        std::string& t = out.add(Style::Title);
        t = def.name;
        t += ": ";
        if (vm.pane() == PaneId::Events) format_aux(Format::LocalTime, vm.pane_value(rec, 0), t);
        else t += vm.detail_key();
    }
    for (uint32_t c = 0; c < def.columns.size(); ++c) {
        const PaneColumn& col = def.columns[c];
        std::string& l = out.add();
        l = "  ";
        l += col.header;
        pad_to(l, 14);
        format_aux(col.format, vm.pane_value(rec, c), l);
        l += "  ";  // a long value still leaves a gap before its description
        pad_to(l, 40);
        l += col.description;
    }
    if (vm.pane() == PaneId::Events) {
        event_facts(vm.events().newest(rec).event, vm.width(), out);
        return;
    }
    if (vm.pane() == PaneId::Nodes) {
        const RouterNode& node = s.router_nodes[rec];
        const Subscription& sub = s.subscriptions[node.subscription_index];
        std::string& l = out.add();
        l = "  subscription: hits ";
        if (sub.hits) append_int(l, *sub.hits); else l += '-';
        l += " - algo ";
        if (sub.algo.empty()) l += '-'; else append_escaped(l, sub.algo);
        l += " - nodes ";
        append_int(l, sub.nodes.count);
    }
}

}  // namespace

void build_detail(const ViewModel& vm, TextLines& out) {
    if (!vm.snapshot()) {
        out.add(Style::Dim) = "no snapshot yet";
        return;
    }
    if (vm.pane() == PaneId::Workers) worker_detail(vm, out);
    else record_detail(vm, out);
}

}  // namespace uwsgitop::tui
