// fleet_view.cpp — the fleet screen's view-model (see fleet_view.hpp).
#include "uwsgitop/tui/fleet_view.hpp"

#include "uwsgitop/view/text_filter.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "uwsgitop/base/text.hpp"
#include "uwsgitop/settings/view_state.hpp"
#include "uwsgitop/view/summary.hpp"
#include "uwsgitop/tui/view_model.hpp"

namespace uwsgitop::tui {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Sort keys: upper-case letters, as on the worker screen.
constexpr std::array<FleetSortKey, 12> kSortKeys = {{
    {'N', "name"}, {'U', "state"}, {'V', "version"}, {'W', "workers"}, {'B', "busy"},
    {'R', "requests"}, {'S', "rps"}, {'X', "exc_rate"}, {'Q', "listen_queue"},
    {'L', "listen_queue_errors"}, {'Y', "tx_rate"}, {'M', "rss"},
}};

// The key table's actions that work on the fleet screen (see fleet_view.hpp).
constexpr FleetKey kFleetKeys[] = {
    {Action::Quit, ""},
    {Action::Help, "this help (Esc or q closes it; Up Down PgUp PgDn scroll it)"},
    {Action::Pause, "pause: keep the rows on screen and stop polling; again resumes"},
    {Action::IntervalUp, "poll less often (longer interval)"},
    {Action::IntervalDown, "poll more often (shorter interval)"},
    {Action::SortPrev, "sort by the previous / next column"},
    {Action::SortNext, ""},
    {Action::SortInvert, ""},
    {Action::Up, ""},
    {Action::Down, ""},
    {Action::PageUp, ""},
    {Action::PageDown, ""},
    {Action::Home, ""},
    {Action::End, ""},
    {Action::ScrollLeft, ""},
    {Action::ScrollRight, ""},
    {Action::Actions, "instance actions on the selected instance (chain-reload, reload...): a letter, then y"},
    {Action::Open, "open the selected instance (its full screen; q or Esc comes back); on an event: its instance, on its events"},
    {Action::NextPane, "instances / events of every instance (newest first)"},
    {Action::PrevPane, ""},
    {Action::SelectPane, "1 the instances, 2 their events"},
    {Action::Back, "close the help; clear the filter; from the events back to the instances"},
    {Action::Filter, "filter by name, address or state (events: instance, kind, text); Enter keeps, Esc clears"},
    {Action::Redraw, ""},
    {Action::ChooseColumns, "column chooser: show, hide and reorder the instance columns (s keeps them)"},
    {Action::SaveView, "save the instance columns for the next start (the saved view's fleet-columns)"},
    {Action::ToggleExceptions, "events: show / hide the exceptions lines (one per instance's worker a minute)"},
    {Action::ToggleGroup, "collapse / expand the vassals under the selected Emperor (on a vassal: its Emperor's)"},
    {Action::ToggleMouse, "mouse on/off: a header click sorts, a row click selects, a double click opens; Shift+drag selects text"},
};

const FleetKey* fleet_key(Action a) {
    for (const FleetKey& k : kFleetKeys) {
        if (k.action == a) return &k;
    }
    return nullptr;
}

std::size_t column_index(std::string_view name) {
    const auto cols = fleet_columns();
    for (std::size_t i = 0; i < cols.size(); ++i) {
        if (cols[i].name == name) return i;
    }
    return 0;
}

}  // namespace

std::span<const FleetSortKey> fleet_sort_keys() { return kSortKeys; }

std::span<const FleetKey> fleet_keys() { return kFleetKeys; }

void make_fleet_rows(const std::vector<std::unique_ptr<Instance>>& fleet, double now_mono,
                     std::vector<FleetRow>& out) {
    const auto cols = fleet_columns();
    out.resize(fleet.size());
    ColumnDef def = column(ColumnId::Id);
    const RowContext ctx;
    for (std::size_t i = 0; i < fleet.size(); ++i) {
        const Instance& inst = *fleet[i];
        FleetRow& row = out[i];
        row.name = inst.target.name;
        row.address = inst.target.address;
        row.fifo = inst.target.fifo;
        row.tracebacker = inst.target.tracebacker;
        row.emperor = inst.target.emperor;
        row.has_data = inst.has_data;
        row.live = inst.last_ok && inst.has_data;
        row.master_kind = inst.has_data && inst.snapshot.kind == SnapshotKind::Master;
        row.master = inst.has_data ? inst.snapshot.pid.value_or(0) : 0;
        row.peer = inst.has_data ? inst.snapshot.peer : Peer{};
        row.cheap_seen = inst.has_data && std::any_of(inst.snapshot.workers.begin(), inst.snapshot.workers.end(),
                                                      [](const Worker& w) { return w.status == "cheap"; });
        row.last_ok_mono = inst.last_ok_mono;
        if (inst.has_data) row.observed = action::observe(inst.snapshot);
        else row.observed = {};
        row.state = instance_state(inst, now_mono);
        row.kind = inst.last_ok ? FleetState::Ok : inst.has_data ? FleetState::Stale : FleetState::Error;
        row.cells.resize(cols.size());
        for (std::size_t c = 0; c < cols.size(); ++c) {
            const Value v = cols[c].get(inst, row.state);
            FleetCell& cell = row.cells[c];
            cell.text.clear();
            def.format = cols[c].format;
            format_human(def, v, RowRef{}, ctx, cell.text);
            cell.known = v.known();
            cell.numeric = v.kind == Value::Kind::Number;
            cell.number = v.number;
        }
        row.rps = row.busy = row.listen_queue = kNaN;
        if (inst.last_ok && inst.has_data) {
            row.rps = inst.rates.total_requests;
            if (inst.snapshot.kind == SnapshotKind::Master) {
                row.busy = static_cast<double>(count_workers(inst.snapshot).busy);
                if (inst.snapshot.listen_queue) row.listen_queue = static_cast<double>(*inst.snapshot.listen_queue);
            }
        }
    }
}

FleetViewModel::FleetViewModel(double interval, const std::vector<int>& columns, std::string view_state_path)
    : interval_(interval), view_state_path_(std::move(view_state_path)) {
    const auto defaults = default_fleet_screen_columns();
    if (columns.empty()) columns_.assign(defaults.begin(), defaults.end());
    else columns_ = columns;
    TextLines help;
    build_fleet_help(help);
    help_lines_ = static_cast<int>(help.size());
}

void FleetViewModel::set_size(int width, int height) {
    width_ = std::max(0, width);
    height_ = std::max(0, height);
    clamp();
    scroll_help(0);
}

int FleetViewModel::help_top() const {
    const ScreenAreas a = compute_areas(width_, height_);
    return a.tabs_row >= 0 ? a.tabs_row + 1 : a.summary_top + a.summary_lines;
}

int FleetViewModel::help_rows() const {
    const ScreenAreas a = compute_areas(width_, height_);
    return std::max(1, a.status_row - help_top());
}

void FleetViewModel::fit_hscroll(std::size_t limit) {
    hscroll_limit_ = limit;
    hscroll_ = std::min(hscroll_, limit);
}

void FleetViewModel::scroll_help(int delta) {
    const int max_scroll = std::max(0, help_lines_ - help_rows());
    help_scroll_ = static_cast<int>(std::clamp<long>(static_cast<long>(help_scroll_) + delta, 0, max_scroll));
}

void FleetViewModel::set_rows(std::vector<FleetRow>& rows, bool new_round) {
    rows_.swap(rows);
    if (!new_round && rounds_ > 0) {
        rebuild();
        return;
    }
    ++rounds_;
    for (const FleetRow& r : rows_) {
        auto it = history_.try_emplace(r.name).first;
        it->second.rps.push(r.rps);
        it->second.busy.push(r.busy);
        it->second.listen_queue.push(r.listen_queue);
    }
    if (history_.size() > rows_.size()) {
        // Instances left the fleet (--follow-vassals): their history goes too.
        std::unordered_set<std::string_view> names;
        for (const FleetRow& r : rows_) names.insert(r.name);
        std::erase_if(history_, [&](const auto& kv) { return names.count(kv.first) == 0; });
    }
    rebuild();
}

void FleetViewModel::add_events(std::vector<Event>& fresh) {
    const std::size_t added = events_.add(fresh);
    if (added == 0) return;
    rebuild_events();
    if (events_view_) return;
    const LoggedEvent& newest = events_.newest(0);
    notice_ = "event: ";
    append_escaped(notice_, newest.event.instance);
    notice_ += ": ";
    append_escaped(notice_, newest.text);
    if (added > 1) {
        notice_ += " (+";
        append_int(notice_, static_cast<int64_t>(added - 1));
        notice_ += " more)";
    }
    notice_ += ascii_ ? " - " : " \xe2\x80\x94 ";
    notice_ += first_key(Action::NextPane);
    notice_ += " shows events";
    notice_until_ = mono_now_ + kNoticeSeconds;
}

void FleetViewModel::notify(std::string_view text) {
    if (text.empty()) return;
    notice_.clear();
    append_escaped(notice_, text);
    notice_until_ = mono_now_ + kNoticeSeconds;
}

std::string_view FleetViewModel::notice() const {
    if (notice_.empty() || mono_now_ >= notice_until_) return {};
    return notice_;
}

void FleetViewModel::rebuild_events() {
    ev_rows_.clear();
    const TextFilter filter(filter_);
    for (uint32_t i = 0; i < events_.size(); ++i) {
        const LoggedEvent& l = events_.newest(i);
        if (hide_exceptions_ && l.event.kind == EventKind::Exceptions) continue;
        const bool keep = filter.accepts([&](std::string_view f) {
            return contains_folded(l.event.instance, f) || contains_folded(event_kind_info(l.event.kind).name, f) ||
                   contains_folded(l.text, f);
        });
        if (keep) ev_rows_.push_back(i);
    }
    ev_selected_ = 0;
    if (ev_sel_serial_ != UINT64_MAX) {
        for (std::size_t i = 0; i < ev_rows_.size(); ++i) {
            if (events_.newest(ev_rows_[i]).serial == ev_sel_serial_) {
                ev_selected_ = static_cast<int>(i);
                break;
            }
        }
    }
    move_event(0);
}

void FleetViewModel::move_event(int delta) {
    const int n = static_cast<int>(ev_rows_.size());
    ev_selected_ = std::clamp(ev_selected_ + delta, 0, std::max(0, n - 1));
    const int rows = page();
    if (ev_selected_ < ev_top_) ev_top_ = ev_selected_;
    if (ev_selected_ >= ev_top_ + rows) ev_top_ = ev_selected_ - rows + 1;
    ev_top_ = std::clamp(ev_top_, 0, std::max(0, n - rows));
    // On the newest row: stay on the newest as events arrive.
    ev_sel_serial_ = (ev_selected_ == 0 || n == 0) ? UINT64_MAX
                                                   : events_.newest(ev_rows_[static_cast<std::size_t>(ev_selected_)]).serial;
}

void FleetViewModel::show_events(bool on) {
    events_view_ = on && !events_.empty();
    if (events_view_) notice_.clear();
}

const InstanceHistory* FleetViewModel::history(const std::string& name) const {
    auto it = history_.find(name);
    return it == history_.end() ? nullptr : &it->second;
}

std::string FleetViewModel::selected_name() const {
    if (selected_ < 0 || static_cast<std::size_t>(selected_) >= visible_.size()) return {};
    return rows_[visible_[static_cast<std::size_t>(selected_)]].name;
}

std::string FleetViewModel::take_open_request(bool* from_event) {
    std::string s;
    s.swap(open_);
    if (from_event) *from_event = !s.empty() && open_serial_ != UINT64_MAX;
    return s;
}

std::size_t FleetViewModel::instance_events(const std::string& name, std::vector<Event>& out) const {
    std::size_t opened = SIZE_MAX;
    for (std::size_t i = events_.size(); i-- > 0;) {
        const LoggedEvent& l = events_.newest(i);
        if (l.event.instance != name) continue;
        if (l.serial == open_serial_) opened = out.size();
        out.push_back(l.event);
    }
    return opened;
}

namespace {

// Emperors of Emperors deeper than this are shown at the top level.
constexpr int kMaxGroupDepth = 8;

}  // namespace

// parent_ and children_ from the rows' `emperor` addresses (see fleet_view.hpp).
void FleetViewModel::link_groups() {
    const std::size_t n = rows_.size();
    parent_.assign(n, -1);
    grouped_ = false;
    bool any = false;
    for (const FleetRow& r : rows_) any = any || !r.emperor.empty();
    if (!any) return;
    std::unordered_map<std::string_view, uint32_t> by_address;
    for (uint32_t i = 0; i < n; ++i) by_address.emplace(rows_[i].address, i);
    for (uint32_t i = 0; i < n; ++i) {
        if (rows_[i].emperor.empty()) continue;
        const auto it = by_address.find(rows_[i].emperor);
        if (it != by_address.end() && it->second != i) parent_[i] = static_cast<int32_t>(it->second);
    }
    // A loop (or a chain too deep) is cut where it is found.
    for (uint32_t i = 0; i < n; ++i) {
        int32_t up = parent_[i];
        for (int depth = 0; up >= 0; ++depth) {
            if (static_cast<uint32_t>(up) == i || depth >= kMaxGroupDepth) {
                parent_[i] = -1;
                break;
            }
            up = parent_[static_cast<std::size_t>(up)];
        }
    }
    children_.resize(n);
    for (auto& c : children_) c.clear();
    for (uint32_t i = 0; i < n; ++i) {
        if (parent_[i] < 0) continue;
        children_[static_cast<std::size_t>(parent_[i])].push_back(i);
        grouped_ = true;
    }
}

// The sort's order: by the sort column, unknown last either way; unsorted,
// the targets' order.
bool FleetViewModel::row_before(uint32_t a, uint32_t b) const {
    if (!sorted_) return a < b;
    const FleetCell& x = rows_[a].cells[sort_col_];
    const FleetCell& y = rows_[b].cells[sort_col_];
    if (x.known != y.known) return x.known;
    if (!x.known) return a < b;
    if (x.numeric && y.numeric) {
        if (x.number == y.number) return a < b;
        return descending_ ? x.number > y.number : x.number < y.number;
    }
    const int cmp = x.text.compare(y.text);
    if (cmp == 0) return a < b;
    return descending_ ? cmp > 0 : cmp < 0;
}

// Appends `row` and, unless it is collapsed, its kept vassals in order, each
// with its tree lines (`lead`: the lines of the levels above).
void FleetViewModel::emit_group(uint32_t row, std::string& lead, int depth) {
    std::vector<uint32_t>& kids = children_[row];
    std::erase_if(kids, [&](uint32_t k) { return !keep_[k]; });
    std::sort(kids.begin(), kids.end(), [&](uint32_t a, uint32_t b) { return row_before(a, b); });
    const bool closed = !kids.empty() && collapsed_.count(rows_[row].name) != 0;
    std::size_t hidden = 0;
    if (closed) {
        // Everything kept below it.
        std::vector<uint32_t> todo(kids.begin(), kids.end());
        while (!todo.empty()) {
            const uint32_t k = todo.back();
            todo.pop_back();
            ++hidden;
            for (uint32_t g : children_[k]) {
                if (keep_[g]) todo.push_back(g);
            }
        }
    }
    hidden_.push_back(hidden);
    if (closed || depth >= kMaxGroupDepth) return;
    for (std::size_t i = 0; i < kids.size(); ++i) {
        const bool last = i + 1 == kids.size();
        const std::size_t at = lead.size();
        visible_.push_back(kids[i]);
        std::string& p = prefix_.emplace_back(lead);
        p += ascii_ ? (last ? "`- " : "|- ") : (last ? "\xe2\x94\x94\xe2\x94\x80 " : "\xe2\x94\x9c\xe2\x94\x80 ");  // └─ ├─
        lead += ascii_ ? (last ? "   " : "|  ") : (last ? "   " : "\xe2\x94\x82  ");                                   // │
        emit_group(kids[i], lead, depth + 1);
        lead.resize(at);
    }
}

void FleetViewModel::rebuild() {
    visible_.clear();
    prefix_.clear();
    hidden_.clear();
    link_groups();
    const TextFilter filter(filter_);
    keep_.assign(rows_.size(), 0);
    for (uint32_t i = 0; i < rows_.size(); ++i) {
        const FleetRow& r = rows_[i];
        const bool keep = filter.accepts([&](std::string_view f) {
            return contains_folded(r.name, f) || contains_folded(r.address, f) || contains_folded(r.state, f);
        });
        if (!keep) continue;
        // A vassal that matches keeps its Emperors shown.
        for (int32_t j = static_cast<int32_t>(i); j >= 0 && !keep_[static_cast<std::size_t>(j)];
             j = parent_[static_cast<std::size_t>(j)]) {
            keep_[static_cast<std::size_t>(j)] = 1;
        }
    }
    for (uint32_t i = 0; i < rows_.size(); ++i) {
        if (keep_[i] && parent_[i] < 0) visible_.push_back(i);
    }
    if (sorted_) {
        std::stable_sort(visible_.begin(), visible_.end(), [&](uint32_t a, uint32_t b) { return row_before(a, b); });
    }
    if (grouped_) {
        std::vector<uint32_t> top;
        top.swap(visible_);
        std::string lead;
        for (uint32_t r : top) {
            visible_.push_back(r);
            prefix_.emplace_back();
            emit_group(r, lead, 0);
        }
    }
    // Selection follows the name; else the same position.
    if (!sel_name_.empty()) {
        for (std::size_t i = 0; i < visible_.size(); ++i) {
            if (rows_[visible_[i]].name == sel_name_) {
                selected_ = static_cast<int>(i);
                break;
            }
        }
    }
    clamp();
}

std::string_view FleetViewModel::tree_prefix(std::size_t vi) const {
    return vi < prefix_.size() ? std::string_view(prefix_[vi]) : std::string_view();
}

std::size_t FleetViewModel::hidden_below(std::size_t vi) const { return vi < hidden_.size() ? hidden_[vi] : 0; }

// c: the selected Emperor's group closes or opens; on a vassal, its
// Emperor's closes and the Emperor is selected.
void FleetViewModel::toggle_group() {
    if (selected_ < 0 || static_cast<std::size_t>(selected_) >= visible_.size()) return;
    uint32_t row = visible_[static_cast<std::size_t>(selected_)];
    if (!grouped_ || (children_[row].empty() && parent_[row] < 0)) {
        notify("c: collapses an Emperor's vassals (this row has none)");
        return;
    }
    if (children_[row].empty()) {
        row = static_cast<uint32_t>(parent_[row]);
        sel_name_ = rows_[row].name;
    }
    const std::string& name = rows_[row].name;
    if (!collapsed_.erase(name)) collapsed_.insert(name);
    rebuild();
}

int FleetViewModel::page() const {
    const ScreenAreas a = compute_areas(width_, height_);
    return std::max(1, a.table_rows);
}

void FleetViewModel::clamp() {
    const int n = static_cast<int>(visible_.size());
    selected_ = std::clamp(selected_, 0, std::max(0, n - 1));
    const int rows = page();
    if (selected_ < top_) top_ = selected_;
    if (selected_ >= top_ + rows) top_ = selected_ - rows + 1;
    top_ = std::clamp(top_, 0, std::max(0, n - rows));
    sel_name_ = selected_name();
}

void FleetViewModel::handle_mouse(const MouseEvent& e, const ScreenHits& hits) {
    if (filter_editing_ || chooser_.is_open()) return;
    if (e.kind == MouseKind::WheelUp || e.kind == MouseKind::WheelDown) {
        const int delta = e.kind == MouseKind::WheelUp ? -kWheelRows : kWheelRows;
        if (help_) scroll_help(delta);
        else if (events_view_) move_event(delta);
        else move(delta);
        return;
    }
    if (e.kind != MouseKind::Press || help_) return;
    const ScreenAreas a = compute_areas(width_, height_);
    if (e.y == a.tabs_row && a.tabs_row >= 0) {
        if (const HitSpan* h = ScreenHits::find(hits.tabs, e.x)) show_events(h->index == 1);
        return;
    }
    if (e.y == a.header_row) {
        const HitSpan* h = ScreenHits::find(hits.header, e.x);
        if (h && h->index >= 0) sort_by(static_cast<std::size_t>(h->index));
        return;
    }
    const int row = e.y - a.table_top;
    if (row < 0 || row >= a.table_rows) return;
    const int index = (events_view_ ? ev_top_ : top_) + row;
    if (index >= static_cast<int>(events_view_ ? ev_rows_.size() : visible_.size())) return;
    const bool twice = index == last_press_row_ && last_press_time_ >= 0 &&
                       mono_now_ - last_press_time_ <= kDoubleClickSeconds;
    if (events_view_) {
        move_event(index - ev_selected_);
    } else {
        selected_ = index;
        clamp();
    }
    if (twice) {
        last_press_row_ = -1;
        apply(Action::Open, 0);
        return;
    }
    last_press_row_ = index;
    last_press_time_ = mono_now_;
}

void FleetViewModel::move(int delta) {
    selected_ += delta;
    clamp();
}

void FleetViewModel::sort_by(std::size_t col) {
    if (sorted_ && sort_col_ == col) {
        descending_ = !descending_;
    } else {
        sorted_ = true;
        sort_col_ = col;
        descending_ = fleet_columns()[col].default_desc;
    }
    rebuild();
}

void FleetViewModel::apply(Action a, uint8_t arg) {
    const std::size_t ncols = fleet_columns().size();
    if (events_view_) {
        switch (a) {
            case Action::Up: move_event(-1); return;
            case Action::Down: move_event(1); return;
            case Action::PageUp: move_event(-page()); return;
            case Action::PageDown: move_event(page()); return;
            case Action::Home: move_event(-static_cast<int>(ev_rows_.size())); return;
            case Action::End: move_event(static_cast<int>(ev_rows_.size())); return;
            case Action::Open:
                if (!ev_rows_.empty()) {
                    const LoggedEvent& l = events_.newest(ev_rows_[static_cast<std::size_t>(ev_selected_)]);
                    open_ = l.event.instance;
                    open_serial_ = l.serial;
                }
                return;
            case Action::SortPrev:
            case Action::SortNext:
            case Action::SortInvert:
            case Action::ToggleGroup: return;  // events stay newest first, ungrouped
            default: break;
        }
    }
    switch (a) {
        case Action::NextPane:
        case Action::PrevPane: show_events(!events_view_); break;
        case Action::SelectPane: if (arg <= 1) show_events(arg == 1); break;
        case Action::Quit: quit_ = true; break;
        case Action::Help: help_ = true; help_scroll_ = 0; break;
        case Action::Pause: paused_ = !paused_; break;
        case Action::IntervalUp: interval_ = step_interval(interval_, 1); break;
        case Action::IntervalDown: interval_ = step_interval(interval_, -1); break;
        case Action::SortPrev: sort_by(sorted_ ? (sort_col_ + ncols - 1) % ncols : 0); break;
        case Action::SortNext: sort_by(sorted_ ? (sort_col_ + 1) % ncols : 0); break;
        case Action::SortInvert:
            if (!sorted_) { sorted_ = true; sort_col_ = 0; descending_ = false; }
            descending_ = !descending_;
            rebuild();
            break;
        case Action::Up: move(-1); break;
        case Action::Down: move(1); break;
        case Action::PageUp: move(-page()); break;
        case Action::PageDown: move(page()); break;
        case Action::Home: move(-static_cast<int>(visible_.size())); break;
        case Action::End: move(static_cast<int>(visible_.size())); break;
        case Action::ScrollLeft: if (hscroll_ > 0) --hscroll_; break;
        case Action::ScrollRight:
            if (hscroll_ < hscroll_limit_ && hscroll_ + 2 < columns_.size()) ++hscroll_;
            break;
        case Action::Open:
            open_ = selected_name();
            open_serial_ = UINT64_MAX;
            break;
        case Action::Back:
            if (!filter_.empty()) { filter_.clear(); rebuild(); rebuild_events(); }
            else if (events_view_) show_events(false);  // Esc: back to the instances
            break;
        case Action::Filter: filter_editing_ = true; break;
        case Action::ChooseColumns: open_chooser(); break;
        case Action::SaveView: {
            const Status st = save_fleet_columns(view_state_path_, columns_);
            notify(st ? "instance columns saved to " + view_state_path_ : st.message());
            break;
        }
        case Action::ToggleExceptions:
            hide_exceptions_ = !hide_exceptions_;
            rebuild_events();
            // The events view shows it in its rows and hint; elsewhere, a notice.
            if (!events_view_) notify(hide_exceptions_ ? "events: exceptions lines hidden" : "events: exceptions lines shown");
            break;
        case Action::ToggleGroup: toggle_group(); break;
        default: break;
    }
}

void FleetViewModel::open_chooser() {
    if (events_view_) {
        notify(first_key(Action::ChooseColumns) + ": columns of the instance table (1 goes back to it)");
        return;
    }
    help_ = false;
    std::vector<ChooserItem> catalogue;
    const auto cols = fleet_columns();
    for (std::size_t i = 0; i < cols.size(); ++i) {
        catalogue.push_back({static_cast<int>(i), cols[i].name, cols[i].header, cols[i].description});
    }
    const auto history = fleet_history_columns();
    for (std::size_t i = 0; i < history.size(); ++i) {
        catalogue.push_back({-1 - static_cast<int>(i), history[i].name, history[i].header, history[i].description});
    }
    chooser_.open("columns of the instances", std::move(catalogue), columns_);
}

void FleetViewModel::chooser_key(int k) {
    const ChooserOutcome out = chooser_.handle_key(k);
    if (out == ChooserOutcome::Closed) {
        notify("columns: s keeps them for the next start");
        return;
    }
    if (out != ChooserOutcome::Changed) return;
    const auto has = [](const std::vector<int>& v, std::size_t c) {
        return std::find(v.begin(), v.end(), static_cast<int>(c)) != v.end();
    };
    const bool sort_shown = sorted_ && has(columns_, sort_col_);
    columns_ = chooser_.shown();
    if (sort_shown && !has(columns_, sort_col_)) {
        sorted_ = false;
        std::string msg(fleet_columns()[sort_col_].header);
        msg += " hidden: rows in the targets' order";
        notify(msg);
        rebuild();
    }
    hscroll_ = std::min(hscroll_, columns_.size() > 1 ? columns_.size() - 2 : 0);
}

void FleetViewModel::handle_key(int k) {
    if (k == key::None || k == key::Resize) return;
    if (chooser_.is_open()) {
        chooser_key(k);
        return;
    }
    if (filter_editing_) {
        if (k == key::Enter || k == '\r') {
            filter_editing_ = false;
        } else if (k == key::Escape) {
            filter_editing_ = false;
            filter_.clear();
        } else if (k == key::Backspace || k == 127 || k == 8) {
            if (!filter_.empty()) filter_.pop_back();
        } else if (k >= 0x20 && k < 0x7F) {
            filter_ += static_cast<char>(k);
        } else {
            return;
        }
        rebuild();
        rebuild_events();
        return;
    }
    notice_.clear();  // a new-event notice lasts until the next key
    for (const FleetSortKey& s : kSortKeys) {
        if (s.key == k && !events_view_ && !user_bound(k)) {  // a key of [keys] wins
            help_ = false;   // a sort key closes the help and sorts
            sort_by(column_index(s.column));
            return;
        }
    }
    const KeyBinding* b = find_binding(k);
    if (b && !fleet_key(b->action)) b = nullptr;   // not a fleet key
    if (help_ && help_key(b)) return;
    if (b) apply(b->action, b->arg);
}

// A key while the help is open, as on the worker screen: true when it was
// the help's (close, scroll); false to act on it as usual (keys that work
// everywhere keep the help open, the others close it first).
bool FleetViewModel::help_key(const KeyBinding* b) {
    if (!b) {
        help_ = false;   // a key the fleet does not use closes the help
        return true;
    }
    switch (b->action) {
        case Action::Quit:
        case Action::Back:
        case Action::Open:
        case Action::Help: help_ = false; return true;
        case Action::Up: scroll_help(-1); return true;
        case Action::Down: scroll_help(1); return true;
        case Action::PageUp: scroll_help(-help_rows()); return true;
        case Action::PageDown: scroll_help(help_rows()); return true;
        case Action::Home: scroll_help(-help_scroll_); return true;
        case Action::End: scroll_help(help_lines_); return true;
        case Action::Pause:
        case Action::IntervalUp:
        case Action::IntervalDown:
        case Action::Redraw: return false;
        default: help_ = false; return false;
    }
}

}  // namespace uwsgitop::tui
