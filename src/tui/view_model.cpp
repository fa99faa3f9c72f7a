// view_model.cpp — inputs, rows (filtered and sorted), selection that
// survives refreshes, scrolling and panes (see view_model.hpp). What keys do
// is in view_model_keys.cpp.
#include "uwsgitop/tui/view_model.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>

#include "uwsgitop/view/aux_columns.hpp"
#include "uwsgitop/base/text.hpp"
#include "uwsgitop/settings/event_options.hpp"
#include "uwsgitop/tui/text_view.hpp"

namespace uwsgitop::tui {

namespace {

constexpr std::array<double, 11> kSteps = {0.1, 0.2, 0.5, 1, 2, 3, 5, 10, 15, 30, 60};
constexpr double kFlashSeconds = 3.0;

bool parse_i64(std::string_view s, int64_t& out) {
    if (s.empty()) return false;
    const auto res = std::from_chars(s.data(), s.data() + s.size(), out);
    return res.ec == std::errc() && res.ptr == s.data() + s.size();
}

// True when `pid`'s decimal digits start with `digits` (a filter typed so far).
bool pid_starts(const Int& pid, std::string_view digits) {
    if (!pid || *pid < 0 || digits.empty() || digits.front() == '-') return false;
    char buf[24];
    const auto res = std::to_chars(buf, buf + sizeof buf, *pid);
    return starts_folded(std::string_view(buf, static_cast<std::size_t>(res.ptr - buf)), digits);
}

// Known before unknown; numbers before text; then by value.
int compare_values(const Value& a, const Value& b) {
    if (a.known() != b.known()) return a.known() ? -1 : 1;
    if (!a.known()) return 0;
    const bool at = a.kind == Value::Kind::Text, bt = b.kind == Value::Kind::Text;
    if (at != bt) return at ? 1 : -1;
    if (at) {
        const int c = a.text.compare(b.text);
        return (c > 0) - (c < 0);
    }
    return (a.number > b.number) - (a.number < b.number);
}

int64_t id_of(const Int& v) { return v ? *v : INT64_MIN + 1; }

}  // namespace

std::span<const double> interval_steps() { return kSteps; }

ViewModel::ViewModel(const Options& options, std::string address)
    : address_(std::move(address)),
      worker_cols_(options.worker_columns().begin(), options.worker_columns().end()),
      core_cols_(options.core_row_columns().begin(), options.core_row_columns().end()),
      mode_(options.screen_rows()),
      sort_(options.sort),
      interval_(options.interval),
      mouse_(options.mouse),
      replay_(!options.replay_path.empty()),
      recording_(!options.record_path.empty()),
      speed_(options.speed),
      color_mode_(options.no_color ? "never" : options.force_color ? "always" : "auto"),
      view_state_path_(options.view_state_path),
      stuck_after_(options.stuck_after),
      events_(event_options(options)) {
    event_name_ = address_;
    areas_ = compute_areas(width_, height_);
    panes_.push_back(PaneId::Workers);
    for (const PaneDef& p : all_panes()) {
        if (!options.pane.empty() && p.name == options.pane) {
            start_pane_ = p.id;
            start_pane_pending_ = p.id != PaneId::Workers;
        }
    }
    states_[static_cast<std::size_t>(start_pane_)].filter = options.filter;
    filter_terms_ = TextFilter(st().filter);
    if (!options.saved_view_keys.empty()) {  // until the first key: which settings came from it
        notice_ = "saved view in effect (";
        for (std::size_t i = 0; i < options.saved_view_keys.size(); ++i) {
            if (i) notice_ += ", ";
            notice_ += options.saved_view_keys[i];
        }
        notice_ += ") from ";
        notice_ += escape_for_display(view_state_path_);
        notice_ += ": delete it to forget";
        notice_until_ = std::numeric_limits<double>::infinity();
    }
}

SavedView ViewModel::saved_view() const {
    SavedView v;
    v.columns = worker_cols_;
    v.core_columns = core_cols_;
    v.sort = sort_;
    v.rows = mode_;
    v.pane = std::string(pane_def(pane_).name);
    v.filter = state().filter;
    v.interval = interval_;
    v.color = color_mode_;
    return v;
}

// s saves the layout; a filter only when a second s confirms it, so the
// next start does not hide rows behind a filter nobody asked to keep.
void ViewModel::save_view_now(bool with_filter) {
    SavedView view = saved_view();
    view.keep_filter = with_filter;
    const Status st = save_view(view_state_path_, view);
    if (!st) {
        set_flash(st.message());
        return;
    }
    std::string msg = "view saved to " + escape_for_display(view_state_path_);
    if (with_filter) {
        msg += " with the filter";
    } else if (!view.filter.empty()) {
        msg += ", not the filter: s again keeps it too";
        save_filter_offer_ = true;
    }
    set_flash(std::move(msg));
}

std::span<const ColumnId> ViewModel::worker_columns() const {
    return mode_ == RowMode::Cores ? core_cols_ : worker_cols_;
}

double ViewModel::interval() const { return fast_ ? std::min(kFastInterval, interval_) : interval_; }

bool ViewModel::needs_cores() const {
    if (events_.wants_cores()) return true;  // a long request: a harakiri event can name it
    if (overlay_ == Overlay::Detail) return true;
    if (pane_ != PaneId::Workers) return false;
    return mode_ != RowMode::Workers || !state().filter.empty();
}

std::string_view ViewModel::notice() const {
    if (notice_.empty() || mono_now_ >= notice_until_) return {};
    return notice_;
}

std::string_view ViewModel::flash() const {
    if (mono_now_ >= flash_until_) return {};
    if (flash_sort_) {
        // Written from the sort in effect now, so a later r, I or header
        // click cannot leave it saying the direction the header no longer shows.
        const PaneState& s = states_[static_cast<std::size_t>(flash_pane_)];
        const bool workers = flash_pane_ == PaneId::Workers;
        const auto cols = pane_def(flash_pane_).columns;
        if (!workers && (!s.sorted || s.sort_col >= cols.size())) return {};
        const bool descending = workers ? sort_.descending : s.descending;
        flash_ = "sort: ";
        flash_ += workers ? column(sort_.column).header : cols[s.sort_col].header;
        flash_ += descending ? " (descending)" : " (ascending)";
    }
    if (flash_.empty()) return {};
    return flash_;
}

void ViewModel::set_flash(std::string text) {
    flash_ = std::move(text);
    flash_sort_ = false;
    flash_until_ = mono_now_ + kFlashSeconds;
}

void ViewModel::flash_sort() {
    flash_sort_ = true;
    flash_pane_ = pane_;
    flash_until_ = mono_now_ + kFlashSeconds;
}

void ViewModel::fit_hscroll(std::size_t limit) {
    hscroll_limit_ = limit;
    hscroll_pane_ = pane_;
    if (overlay_ == Overlay::None) st().hscroll = std::min(st().hscroll, limit);
}

bool ViewModel::take_full_redraw() {
    const bool r = full_redraw_;
    full_redraw_ = false;
    return r;
}

void ViewModel::set_size(int width, int height) {
    width_ = std::max(0, width);
    height_ = std::max(0, height);
    areas_ = compute_areas(width_, height_);
    clamp_scroll();
    overlay_scroll_by(0);
}

void ViewModel::set_fetch_ok(double mono_now) {
    mono_now_ = mono_now;
    feed_.have_data = true;
    feed_.error.clear();
    feed_.failures = 0;
    feed_.last_good = mono_now;
}

void ViewModel::set_fetch_error(std::string_view message, double mono_now) {
    mono_now_ = mono_now;
    if (feed_.failures == 0) feed_.error_since = mono_now;
    ++feed_.failures;
    feed_.error.assign(message);
    history_.add_gap();
    if (!feed_.have_data) return;  // `down` only after a success
    // The wall clock of the failure, from the last good snapshot's.
    const double wall = wall_time_ + std::max(0.0, mono_now - feed_.last_good);
    const std::size_t added = events_.on_failure(message, wall, event_name_);
    if (added == 0) return;
    took_events(added);
    if (pane_ == PaneId::Events) rebuild();
}

void ViewModel::took_events(std::size_t added) {
    if (added == 0 || events_.empty()) return;
    const auto at = std::find(panes_.begin(), panes_.end(), PaneId::Events);
    const std::size_t index = static_cast<std::size_t>(at - panes_.begin());
    if (at == panes_.end()) panes_.push_back(PaneId::Events);
    if (pane_ == PaneId::Events) {
        // On the newest row it stays on the newest; elsewhere it follows its event.
        if (st().selected == 0) st().sel_key.clear();
        return;
    }
    // The most pressing of the new events (the newest of those), the others counted.
    std::size_t shown = 0;
    for (std::size_t i = 1; i < added && i < events_.size(); ++i) {
        if (event_severity(events_.newest(i).event.kind) > event_severity(events_.newest(shown).event.kind)) shown = i;
    }
    notice_ = "event: ";
    append_escaped(notice_, events_.newest(shown).text);
    if (added > 1) {
        notice_ += " (+";
        append_int(notice_, static_cast<int64_t>(added - 1));
        notice_ += " more)";
    }
    notice_ += ascii_ ? " - " : " \xe2\x80\x94 ";
    // The key in effect that goes there: the pane's number, else Tab.
    const std::string number = index < 9 ? first_key(Action::SelectPane, static_cast<uint8_t>(index)) : std::string();
    if (!number.empty()) {
        notice_ += number;
        notice_ += " shows events";
    } else {
        notice_ += first_key(Action::NextPane);
        notice_ += " to events";
    }
    notice_until_ = mono_now_ + kNoticeSeconds;
}

void ViewModel::set_fleet_name(std::string_view name) {
    in_fleet_ = true;
    fleet_name_.assign(name);
    event_name_.assign(name);
}

void ViewModel::seed_events(std::vector<Event>& events, bool show, std::size_t show_index) {
    std::optional<Event> wanted;
    if (show && show_index < events.size()) wanted = events[show_index];
    if (events_.add(events) == 0 || events_.empty()) return;
    if (std::find(panes_.begin(), panes_.end(), PaneId::Events) == panes_.end()) panes_.push_back(PaneId::Events);
    if (!wanted) return;
    start_pane_pending_ = false;   // the event asked for wins over --pane
    set_pane(PaneId::Events);
    for (std::size_t i = 0; i < events_.size(); ++i) {
        const Event& e = events_.newest(i).event;
        if (e.kind == wanted->kind && e.time == wanted->time && e.worker == wanted->worker) {
            st().sel_key.clear();
            append_int(st().sel_key, static_cast<int64_t>(events_.newest(i).serial));
            st().selected = static_cast<int>(i);
            break;
        }
    }
    rebuild();
}

void ViewModel::set_ended(bool ended) { feed_.ended = ended; }

void ViewModel::set_snapshot(const Snapshot* snap, const Rates* rates, double wall_time) {
    snap_ = snap;
    wall_time_ = wall_time;
    ctx_ = RowContext{snap, rates, wall_time, snap ? total_requests(*snap) : 0, stuck_after_};
    if (snap && rates) {
        history_.add(*snap, *rates);
        worker_history_.add(*snap, *rates);
    }
    const std::size_t added = snap ? events_.on_snapshot(*snap, wall_time, event_name_) : 0;
    if (snap) {
        available_panes(*snap, panes_);
    } else {
        panes_.assign(1, PaneId::Workers);
    }
    if (!events_.empty()) panes_.push_back(PaneId::Events);
    took_events(added);
    if (std::find(panes_.begin(), panes_.end(), pane_) == panes_.end()) {
        pane_ = panes_.front();
        if (overlay_ == Overlay::Detail) overlay_ = Overlay::None;
    }
    if (start_pane_pending_ && std::find(panes_.begin(), panes_.end(), start_pane_) != panes_.end()) {
        start_pane_pending_ = false;
        set_pane(start_pane_);
    }
    rebuild();
}

// --- rows -------------------------------------------------------------------

void ViewModel::rebuild() {
    const int fallback = st().selected;
    if (pane_ == PaneId::Workers) rebuild_workers();
    else rebuild_pane();
    restore_selection(fallback);
}

bool ViewModel::row_matches(RowRef r) const {
    return filter_terms_.accepts([&](std::string_view term) { return row_matches_term(r, term); });
}

bool ViewModel::row_matches_term(RowRef r, std::string_view f) const {
    const Snapshot& s = *snap_;
    const Worker& w = s.workers[r.worker];
    int64_t n = 0;
    if (parse_i64(f, n)) {  // a worker id, or a pid or the start of one
        if (w.id && *w.id == n) return true;
        return pid_starts(w.pid, f);
    }
    if (const auto colon = f.find(':'); colon != std::string_view::npos) {
        int64_t wid = 0, cid = 0;
        if (parse_i64(f.substr(0, colon), wid) && parse_i64(f.substr(colon + 1), cid)) {
            if (!w.id || *w.id != wid) return false;
            return r.is_core() && s.cores[r.core].id && *s.cores[r.core].id == cid;
        }
    }
    auto core_text = [&](const Core& c) {
        const std::string_view keys[] = {"REQUEST_URI", "PATH_INFO", "REQUEST_METHOD", "REMOTE_ADDR", "HTTP_HOST"};
        for (std::string_view k : keys) {
            if (contains_folded(find_var(s, c, k), f)) return true;
        }
        return false;
    };
    if (r.is_core()) {
        const Core& c = s.cores[r.core];
        const std::string_view state = !c.in_request ? "" : (*c.in_request ? "busy" : "idle");
        return starts_folded(state, f) || core_text(c);
    }
    if (starts_folded(w.status, f)) return true;
    for (const Core& c : s.cores_of(w)) {
        if (c.in_request && *c.in_request && core_text(c)) return true;
    }
    for (const App& a : s.apps_of(w)) {
        if (contains_folded(a.mountpoint, f)) return true;
    }
    return false;
}

void ViewModel::rebuild_workers() {
    rows_.clear();
    rows_total_ = 0;
    windowed_ = false;
    sorted_first_ = sorted_last_ = 0;
    if (!snap_) return;
    build_rows(*snap_, mode_, rows_);
    rows_total_ = rows_.size();
    if (filter_terms_.active()) {
        if (mode_ == RowMode::WorkersTree) {
            // Keep a worker when it or one of its cores matches; keep a core
            // when it or its worker matches.
            worker_hit_.assign(snap_->workers.size(), 0);
            std::vector<uint8_t>& hit = worker_hit_;
            for (RowRef r : rows_) {
                if (!r.is_core() && row_matches(r)) hit[r.worker] = 2;
            }
            for (RowRef r : rows_) {
                if (r.is_core() && hit[r.worker] != 2 && row_matches(r)) hit[r.worker] = 1;
            }
            std::erase_if(rows_, [&](RowRef r) {
                if (hit[r.worker] == 0) return true;
                if (!r.is_core() || hit[r.worker] == 2) return false;
                return !row_matches(r);
            });
        } else {
            std::erase_if(rows_, [&](RowRef r) { return !row_matches(r); });
        }
    }
    windowed_ = mode_ != RowMode::WorkersTree;
    if (windowed_) {
        // Keys only: restore_selection() ranks the selected row and
        // clamp_scroll() orders the rows around the screen.
        order_.compute(rows_, ctx_, sort_);
    } else {
        sort_rows(rows_, ctx_, sort_, mode_);
    }
}

Value ViewModel::pane_value(uint32_t rec, uint32_t col) const {
    if (pane_ == PaneId::Events) return events_.value(rec, col);
    const PaneDef& def = pane_def(pane_);
    if (!snap_ || col >= def.columns.size()) return Value::unknown();
    return def.columns[col].get(*snap_, rec, col);
}

uint32_t ViewModel::pane_records() const {
    if (pane_ == PaneId::Events) return static_cast<uint32_t>(events_.size());
    return snap_ ? pane_def(pane_).rows(*snap_) : 0;
}

void ViewModel::row_key(uint32_t rec, std::string& out) const {
    out.clear();
    if (pane_ == PaneId::Events) {
        if (rec >= events_.size()) return;
        out = '#';
        append_int(out, static_cast<int64_t>(events_.newest(rec).serial));
        return;
    }
    const PaneDef& def = pane_def(pane_);
    if (!def.columns.empty()) format_aux(def.columns[0].format, pane_value(rec, 0), out);
}

bool ViewModel::pane_row_matches(uint32_t row) const {
    return filter_terms_.accepts([&](std::string_view term) { return pane_row_matches_term(row, term); });
}

bool ViewModel::pane_row_matches_term(uint32_t row, std::string_view f) const {
    const PaneDef& def = pane_def(pane_);
    int64_t n = 0;
    const bool numeric = parse_i64(f, n);
    for (uint32_t c = 0; c < def.columns.size(); ++c) {
        const Value v = pane_value(row, c);
        if (!v.known()) continue;
        if (v.kind == Value::Kind::Number && def.columns[c].format == Format::LocalTime) {
            scratch2_.clear();  // a time matches as shown: "10:42"
            format_aux(Format::LocalTime, v, scratch2_);
            if (contains_folded(scratch2_, f)) return true;
            continue;
        }
        if (v.kind == Value::Kind::Number) {
            if (numeric && v.number == static_cast<double>(n)) return true;
            continue;
        }
        if (contains_folded(v.text, f)) return true;
    }
    return false;
}

void ViewModel::rebuild_pane() {
    pane_rows_.clear();
    pane_total_ = 0;
    if (!snap_ && pane_ != PaneId::Events) return;
    const PaneDef& def = pane_def(pane_);
    const uint32_t n = pane_records();
    pane_total_ = n;
    const bool skip_exceptions = pane_ == PaneId::Events && hide_exceptions_;
    for (uint32_t i = 0; i < n; ++i) {
        if (skip_exceptions && events_.newest(i).event.kind == EventKind::Exceptions) continue;
        if (!filter_terms_.active() || pane_row_matches(i)) pane_rows_.push_back(i);
    }
    const PaneState& s = st();
    if (s.sorted && s.sort_col < def.columns.size()) {
        const uint32_t ci = s.sort_col;
        const bool desc = s.descending;
        std::sort(pane_rows_.begin(), pane_rows_.end(), [&](uint32_t a, uint32_t b) {
            const Value va = pane_value(a, ci), vb = pane_value(b, ci);
            int c = compare_values(va, vb);
            // Direction flips like with like; unknown and mixed kinds keep their place.
            if (c != 0 && va.known() && vb.known() && va.kind == vb.kind) c = desc ? -c : c;
            if (c != 0) return c < 0;
            return a < b;
        });
    }
}

void ViewModel::remember_selection() {
    PaneState& s = st();
    if (!snap_ && pane_ != PaneId::Events) return;
    if (pane_ == PaneId::Workers) {
        if (rows_.empty()) return;
        const RowRef r = rows_[static_cast<std::size_t>(s.selected)];
        const Worker& w = snap_->workers[r.worker];
        // Cheap workers all report id 0: no identity, keep the position.
        s.sel_worker = (w.id && *w.id > 0) ? *w.id : INT64_MIN;
        s.sel_core = r.is_core() ? id_of(snap_->cores[r.core].id) : -1;
        return;
    }
    if (pane_rows_.empty()) return;
    row_key(pane_rows_[static_cast<std::size_t>(s.selected)], s.sel_key);
}

void ViewModel::restore_selection(int fallback) {
    PaneState& s = st();
    const int n = static_cast<int>(row_count());
    int found = -1;
    if (snap_ && pane_ == PaneId::Workers && s.sel_worker != INT64_MIN) {
        // The first row (in sorted order) with the same ids, else the first
        // of the same worker. Windowed, rows_ is not in order yet: take the
        // first by the order's keys, then its rank is its position.
        int same_worker = -1;
        for (std::size_t i = 0; i < rows_.size(); ++i) {
            const RowRef r = rows_[i];
            const Worker& w = snap_->workers[r.worker];
            if (!w.id || *w.id != s.sel_worker) continue;
            const int64_t cid = r.is_core() ? id_of(snap_->cores[r.core].id) : -1;
            const int at = static_cast<int>(i);
            if (cid == s.sel_core) {
                if (!windowed_) {
                    found = at;
                    break;
                }
                if (found < 0 || order_.before(i, static_cast<std::size_t>(found))) found = at;
            } else if (same_worker < 0 ||
                       (windowed_ && order_.before(i, static_cast<std::size_t>(same_worker)))) {
                same_worker = at;
            }
        }
        if (found < 0) found = same_worker;
        if (found >= 0 && windowed_) found = static_cast<int>(order_.rank(static_cast<std::size_t>(found)));
    } else if ((snap_ || pane_ == PaneId::Events) && pane_ != PaneId::Workers && !s.sel_key.empty()) {
        for (std::size_t i = 0; i < pane_rows_.size(); ++i) {
            row_key(pane_rows_[i], scratch_);
            if (scratch_ == s.sel_key) {
                found = static_cast<int>(i);
                break;
            }
        }
    }
    s.selected = found >= 0 ? found : std::clamp(fallback, 0, std::max(0, n - 1));
    clamp_scroll();
    remember_selection();
}

void ViewModel::clamp_scroll() {
    PaneState& s = st();
    const int n = static_cast<int>(row_count());
    const int rows = std::max(1, areas_.table_rows);
    s.selected = std::clamp(s.selected, 0, std::max(0, n - 1));
    if (s.selected < s.top) s.top = s.selected;
    if (s.selected >= s.top + rows) s.top = s.selected - rows + 1;
    s.top = std::clamp(s.top, 0, std::max(0, n - rows));
    if (pane_ == PaneId::Workers && windowed_) arrange_window();
}

// Puts rows_ in order from a page above the screen to a page below it, unless
// that part already is: scrolling within it costs nothing, beyond it one O(n)
// pass. The order of the rows on screen is exactly that of a full sort.
void ViewModel::arrange_window() {
    const PaneState& s = st();
    const std::size_t n = rows_.size();
    const std::size_t page = static_cast<std::size_t>(std::max(1, areas_.table_rows));
    const std::size_t top = static_cast<std::size_t>(std::max(0, s.top));
    const std::size_t end = std::min(n, top + page);
    if (top >= sorted_first_ && end <= sorted_last_) return;
    sorted_first_ = top > page ? top - page : 0;
    sorted_last_ = std::min(n, end + page);
    order_.arrange(rows_, sorted_first_, sorted_last_);
}

void ViewModel::move_selection(int delta) {
    PaneState& s = st();
    const int n = static_cast<int>(row_count());
    if (n == 0) return;
    const long target = static_cast<long>(s.selected) + delta;
    s.selected = static_cast<int>(std::clamp<long>(target, 0, n - 1));
    clamp_scroll();
    remember_selection();
}

std::size_t ViewModel::column_count() const {
    if (pane_ == PaneId::Workers) return worker_columns().size();
    return pane_def(pane_).columns.size();
}

// --- panes and overlays -------------------------------------------------------

void ViewModel::set_pane(PaneId id) {
    if (id == pane_) return;
    pane_ = id;
    overlay_ = Overlay::None;
    filter_editing_ = false;
    filter_terms_ = TextFilter(st().filter);
    rebuild();
}

int ViewModel::overlay_rows() const {
    if (overlay_ == Overlay::None) return 0;
    static thread_local TextLines lines;
    lines.clear();
    if (overlay_ == Overlay::Help) build_help(*this, lines);
    else build_detail(*this, lines);
    return static_cast<int>(lines.size());
}

void ViewModel::scroll_table(int delta) {
    PaneState& s = st();
    const int n = static_cast<int>(row_count());
    const int rows = std::max(1, areas_.table_rows);
    s.top = std::clamp(s.top + delta, 0, std::max(0, n - rows));
    // The selection stays on screen, as close to where it was as it can.
    s.selected = std::clamp(s.selected, s.top, std::max(s.top, std::min(n - 1, s.top + rows - 1)));
    clamp_scroll();
    remember_selection();
}

void ViewModel::handle_mouse(const MouseEvent& e, const ScreenHits& hits) {
    if (!mouse_ || filter_editing_ || goto_editing_ || chooser_.is_open()) return;
    if (e.kind == MouseKind::WheelUp || e.kind == MouseKind::WheelDown) {
        const int delta = e.kind == MouseKind::WheelUp ? -kWheelRows : kWheelRows;
        if (overlay_ != Overlay::None) overlay_scroll_by(delta);
        else scroll_table(delta);
        return;
    }
    if (e.kind != MouseKind::Press) return;
    if (e.y == areas_.tabs_row) {
        if (const HitSpan* tab = ScreenHits::find(hits.tabs, e.x)) apply(Action::SelectPane, static_cast<uint8_t>(tab->index));
        return;
    }
    if (overlay_ != Overlay::None) return;  // Esc closes it
    if (e.y == areas_.header_row) {
        const HitSpan* h = ScreenHits::find(hits.header, e.x);
        if (!h || h->index < 0) return;
        const auto i = static_cast<std::size_t>(h->index);
        if (pane_ == PaneId::Workers) {
            const auto cols = worker_columns();
            if (i < cols.size()) apply(Action::SortBy, static_cast<uint8_t>(cols[i]));
            return;
        }
        PaneState& s = st();
        if (s.sorted && s.sort_col == i) {
            s.descending = !s.descending;
        } else {
            s.sorted = true;
            s.sort_col = static_cast<uint32_t>(i);
            s.descending = false;
        }
        rebuild();
        return;
    }
    const int row = e.y - areas_.table_top;
    if (row < 0 || row >= areas_.table_rows) return;
    const int index = st().top + row;
    if (index >= static_cast<int>(row_count())) return;
    const bool twice = index == last_press_row_ && pane_ == last_press_pane_ && last_press_time_ >= 0 &&
                       mono_now_ - last_press_time_ <= kDoubleClickSeconds;
    st().selected = index;
    clamp_scroll();
    remember_selection();
    if (twice) {
        last_press_row_ = -1;
        apply(Action::Open);
        return;
    }
    last_press_row_ = index;
    last_press_pane_ = pane_;
    last_press_time_ = mono_now_;
}

void ViewModel::overlay_scroll_by(int delta) {
    if (overlay_ == Overlay::None) {
        overlay_scroll_ = 0;
        return;
    }
    const int visible = std::max(1, areas_.status_row - areas_.summary_lines);
    const int max_scroll = std::max(0, overlay_rows() - visible);
    const long target = static_cast<long>(overlay_scroll_) + delta;
    overlay_scroll_ = static_cast<int>(std::clamp<long>(target, 0, max_scroll));
}

bool ViewModel::take_stack_request() {
    const bool wanted = stack_wanted_ && overlay_ == Overlay::Detail && detail_worker_ != INT64_MIN;
    stack_wanted_ = false;
    return wanted;
}

void ViewModel::set_stack_reading() { stack_.reading = true; }

void ViewModel::set_stack(WorkerStack stack, double wall_time) {
    stack_.reading = false;
    if (stack.worker_id != detail_worker_) return;  // the details moved on to another worker
    stack_.worker = stack.worker_id;
    stack_.stack = std::move(stack);
    stack_.read_at = wall_time;
}

}  // namespace uwsgitop::tui
