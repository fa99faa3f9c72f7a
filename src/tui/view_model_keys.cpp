// view_model_keys.cpp — what each key does to the view-model: sorting,
// filtering, panes, overlays, refresh settings (see view_model.hpp, keys.hpp).
#include "uwsgitop/tui/view_model.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "uwsgitop/base/text.hpp"

namespace uwsgitop::tui {

namespace {

constexpr std::size_t kMaxFilter = 80;

void append_utf8(std::string& out, int cp) {
    const auto c = static_cast<uint32_t>(cp);
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

void pop_utf8(std::string& s) {
    while (!s.empty()) {
        const auto c = static_cast<unsigned char>(s.back());
        s.pop_back();
        if ((c & 0xC0) != 0x80) break;
    }
}

std::string_view mode_name(RowMode m) {
    switch (m) {
        case RowMode::Workers: return "rows: workers";
        case RowMode::Cores: return "rows: cores (WID:CID)";
        case RowMode::WorkersTree: return "rows: cores under their worker";
    }
    return "";
}

std::string interval_text(double s) {
    std::string out;
    append_duration_s(out, s);
    return out;
}

}  // namespace

double step_interval(double cur, int direction) {
    const auto steps = interval_steps();
    if (direction > 0) {
        for (double s : steps) {
            if (s > cur + 1e-9) return s;
        }
    } else {
        for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
            if (*it < cur - 1e-9) return *it;
        }
    }
    return cur;
}

// --- sorting ------------------------------------------------------------------

void ViewModel::sort_step(int delta) {
    if (pane_ == PaneId::Workers) {
        const auto cols = worker_columns();
        if (cols.empty()) return;
        const auto it = std::find(cols.begin(), cols.end(), sort_.column);
        long pos = it == cols.end() ? (delta > 0 ? -1 : static_cast<long>(cols.size())) : it - cols.begin();
        pos = std::clamp<long>(pos + delta, 0, static_cast<long>(cols.size()) - 1);
        sort_.column = cols[static_cast<std::size_t>(pos)];
        sort_.descending = column(sort_.column).default_desc;
        flash_sort();
    } else {
        PaneState& s = st();
        const auto cols = pane_def(pane_).columns;
        if (cols.empty()) return;
        // Unsorted (the server's order) counts as sorted by the first column.
        long pos = (s.sorted ? static_cast<long>(s.sort_col) : 0) + delta;
        pos = std::clamp<long>(pos, 0, static_cast<long>(cols.size()) - 1);
        s.sorted = true;
        s.sort_col = static_cast<uint32_t>(pos);
        s.descending = pos != 0 && !cols[s.sort_col].left_align;
        flash_sort();
    }
    rebuild();
}

// --- the column chooser --------------------------------------------------------

void ViewModel::open_chooser() {
    if (pane_ != PaneId::Workers) {
        set_flash(first_key(Action::ChooseColumns) + ": columns of the worker table (1 goes back to it)");
        return;
    }
    std::vector<ChooserItem> catalogue;
    for (const ColumnDef& c : all_columns()) {
        catalogue.push_back({static_cast<int>(c.id), c.name, c.header, c.description});
    }
    const std::vector<ColumnId>& list = mode_ == RowMode::Cores ? core_cols_ : worker_cols_;
    std::vector<int> shown;
    for (ColumnId id : list) shown.push_back(static_cast<int>(id));
    chooser_.open(mode_ == RowMode::Cores ? "columns of the core rows (WID:CID)" : "columns of the worker rows",
                  std::move(catalogue), shown);
}

void ViewModel::chooser_key(int k) {
    const ChooserOutcome out = chooser_.handle_key(k);
    if (out == ChooserOutcome::Closed) {
        set_flash("columns: s keeps them for the next start");
        return;
    }
    if (out != ChooserOutcome::Changed) return;
    std::vector<ColumnId>& list = mode_ == RowMode::Cores ? core_cols_ : worker_cols_;
    const bool sort_shown = std::find(list.begin(), list.end(), sort_.column) != list.end();
    list.clear();
    for (int id : chooser_.shown()) list.push_back(static_cast<ColumnId>(id));
    if (sort_shown && std::find(list.begin(), list.end(), sort_.column) == list.end()) {
        // The sort column was hidden: the default sort when it is shown, else the first column.
        const SortSpec fallback = Options().sort;
        const bool has_default = std::find(list.begin(), list.end(), fallback.column) != list.end();
        const ColumnId was = sort_.column;
        sort_.column = has_default ? fallback.column : list.front();
        sort_.descending = has_default ? fallback.descending : column(sort_.column).default_desc;
        std::string msg(column(was).header);
        msg += " hidden: sort by ";
        msg += column(sort_.column).header;
        set_flash(std::move(msg));
    }
    st().hscroll = std::min(st().hscroll, list.size() > 1 ? list.size() - 2 : 0);
    rebuild();
}

// --- keys ---------------------------------------------------------------------

void ViewModel::edit_filter(int k) {
    std::string& f = st().filter;
    if (k == key::Enter || k == '\r') {
        filter_editing_ = false;
        return;
    }
    if (k == key::Escape) {
        filter_editing_ = false;
        f.clear();
    } else if (k == key::Backspace || k == 127 || k == 8) {
        pop_utf8(f);
    } else if (k == 21) {  // Ctrl-U
        f.clear();
    } else if (k == key::Up || k == key::Down || k == key::PageUp || k == key::PageDown) {
        const KeyBinding* b = find_binding(k);
        if (b) apply(b->action, b->arg);
        return;
    } else if (k >= 0x20 && k < key::Base && k != 0x7F && !(k >= 0x80 && k < 0xA0)) {
        if (f.size() >= kMaxFilter) return;
        append_utf8(f, k);
    } else {
        return;
    }
    filter_terms_ = TextFilter(f);
    rebuild();
}

void ViewModel::handle_key(int k) {
    if (k == key::None || k == key::Resize) return;
    notice_.clear();  // a new-event notice lasts until the next key
    // The offer to save the filter too is for the very next key, while it shows.
    const bool offered = std::exchange(save_filter_offer_, false) && !flash().empty();
    if (filter_editing_) {
        edit_filter(k);
        return;
    }
    if (goto_editing_) {
        edit_go_to(k);
        return;
    }
    if (chooser_.is_open()) {
        chooser_key(k);
        return;
    }
    const KeyBinding* b = find_binding(k);
    if (offered && b && b->action == Action::SaveView) {
        save_view_now(true);
        return;
    }
    if (!b) {
        if (k == key::Backspace || k == 127) {
            if (overlay_ != Overlay::None) overlay_ = Overlay::None;
            return;
        }
        std::string what = "unknown key ";
        what += key_name(k);
        what += " - ";
        what += first_key(Action::Help);
        what += " for help";
        set_flash(std::move(what));
        return;
    }
    if (overlay_ != Overlay::None) {
        switch (b->action) {
            case Action::Quit:
            case Action::Back:
            case Action::Open:
                overlay_ = Overlay::None;
                overlay_scroll_ = 0;
                return;
            case Action::Help:
                overlay_ = overlay_ == Overlay::Help ? Overlay::None : Overlay::Help;
                overlay_scroll_ = 0;
                return;
            case Action::Up: overlay_scroll_by(-1); return;
            case Action::Down: overlay_scroll_by(1); return;
            case Action::PageUp: overlay_scroll_by(-std::max(1, areas_.status_row - areas_.summary_lines - 1)); return;
            case Action::PageDown: overlay_scroll_by(std::max(1, areas_.status_row - areas_.summary_lines - 1)); return;
            case Action::Home: overlay_scroll_by(-overlay_scroll_); return;
            case Action::End: overlay_scroll_by(1 << 30); return;
            case Action::Pause:
            case Action::ToggleFast:
            case Action::IntervalUp:
            case Action::IntervalDown:
            case Action::Redraw:
            case Action::ToggleWorkerSpark:
            case Action::AddVassal:
            case Action::SaveView:
            case Action::ToggleMouse:
            case Action::Travel:
            case Action::GoToTime:
            case Action::Actions:
            case Action::Tag:
            case Action::ReadStacks:
                break;  // work everywhere
            default:
                overlay_ = Overlay::None;  // table keys close the overlay and act
                overlay_scroll_ = 0;
                break;
        }
    }
    apply(b->action, b->arg);
}

void ViewModel::apply(Action action, uint8_t arg) {
    const int page = std::max(1, areas_.table_rows);
    switch (action) {
        case Action::None:
        case Action::Count_:
            return;
        case Action::Quit:
            // Opened from the fleet: q goes back to it (Ctrl-C quits).
            if (in_fleet_) back_ = true;
            else quit_ = true;
            return;
        case Action::Help:
            overlay_ = Overlay::Help;
            overlay_scroll_ = 0;
            return;
        case Action::CycleRowMode: {
            if (pane_ != PaneId::Workers) {
                set_flash("a: rows of the worker table (1 goes back to it)");
                return;
            }
            mode_ = mode_ == RowMode::Workers ? RowMode::Cores
                  : mode_ == RowMode::Cores   ? RowMode::WorkersTree
                                              : RowMode::Workers;
            st().hscroll = 0;
            std::string msg(mode_name(mode_));
            if (snap_ && mode_ != RowMode::Workers &&
                std::none_of(snap_->workers.begin(), snap_->workers.end(),
                             [](const Worker& w) { return w.has_cores; })) {
                msg += " - the server sends no cores (--stats-no-cores?)";
            }
            set_flash(std::move(msg));
            rebuild();
            return;
        }
        case Action::ToggleFast:
            if (replay_) {
                toggle_replay_fast();
                return;
            }
            fast_ = !fast_;
            set_flash(fast_ ? "fast refresh: every " + interval_text(interval()) : "refresh every " + interval_text(interval()));
            return;
        case Action::Pause:
            paused_ = !paused_;
            set_flash(paused_ ? "paused: showing the last snapshot, not fetching" : "resumed");
            return;
        case Action::IntervalUp:
        case Action::IntervalDown: {
            if (replay_) {  // + plays faster, - slower
                step_replay_speed(action == Action::IntervalUp ? 1 : -1);
                return;
            }
            interval_ = step_interval(interval(), action == Action::IntervalUp ? 1 : -1);
            fast_ = false;
            set_flash("refresh every " + interval_text(interval_));
            return;
        }
        case Action::SortPrev: sort_step(-1); return;
        case Action::SortNext: sort_step(1); return;
        case Action::SortInvert:
            if (pane_ == PaneId::Workers) {
                sort_.descending = !sort_.descending;
            } else {
                PaneState& s = st();
                if (!s.sorted) {
                    s.sorted = true;
                    s.sort_col = 0;
                    s.descending = false;
                }
                s.descending = !s.descending;
            }
            rebuild();
            return;
        case Action::SortBy: {
            if (pane_ != PaneId::Workers) {
                set_flash("column keys sort the worker table; < > sort this one");
                return;
            }
            const auto id = static_cast<ColumnId>(arg);
            if (sort_.column == id) {
                sort_.descending = !sort_.descending;
            } else {
                sort_.column = id;
                sort_.descending = column(id).default_desc;
            }
            flash_sort();
            rebuild();
            return;
        }
        case Action::Up: move_selection(-1); return;
        case Action::Down: move_selection(1); return;
        case Action::PageUp: move_selection(-page); return;
        case Action::PageDown: move_selection(page); return;
        case Action::Home: move_selection(-(1 << 30)); return;
        case Action::End: move_selection(1 << 30); return;
        case Action::ScrollLeft:
            if (st().hscroll > 0) --st().hscroll;
            return;
        case Action::ScrollRight: {
            const bool room = hscroll_pane_ != pane_ || st().hscroll < hscroll_limit_;
            if (room && st().hscroll + 2 < column_count()) ++st().hscroll;
            return;
        }
        case Action::Open: {
            if (row_count() == 0 || !snap_) return;
            const std::size_t sel = static_cast<std::size_t>(st().selected);
            if (pane_ == PaneId::Workers) {
                const RowRef r = rows_[sel];
                detail_index_ = r.worker;
                const Worker& w = snap_->workers[r.worker];
                detail_worker_ = (w.id && *w.id > 0) ? *w.id : INT64_MIN;
                stack_wanted_ = detail_worker_ != INT64_MIN;
            } else if (pane_ == PaneId::Events && travel_to_event(pane_rows_[sel])) {
                return;
            } else {
                detail_index_ = pane_rows_[sel];
                detail_key_ = st().sel_key;
            }
            overlay_ = Overlay::Detail;
            overlay_scroll_ = 0;
            return;
        }
        case Action::Back:
            if (!st().filter.empty()) {
                st().filter.clear();
                filter_terms_ = TextFilter();
                rebuild();
            } else if (in_fleet_) {
                back_ = true;   // nothing left to close: back to the fleet
            }
            return;
        case Action::Filter:
            filter_editing_ = true;
            return;
        case Action::NextPane:
        case Action::PrevPane: {
            const auto it = std::find(panes_.begin(), panes_.end(), pane_);
            const long n = static_cast<long>(panes_.size());
            long pos = it == panes_.end() ? 0 : it - panes_.begin();
            pos = (pos + (action == Action::NextPane ? 1 : n - 1)) % n;
            set_pane(panes_[static_cast<std::size_t>(pos)]);
            return;
        }
        case Action::SelectPane:
            if (arg < panes_.size()) {
                set_pane(panes_[arg]);
            } else {
                set_flash("no pane " + std::to_string(arg + 1) + " for this server");
            }
            return;
        case Action::Redraw:
            full_redraw_ = true;
            return;
        case Action::ToggleWorkerSpark:
            worker_spark_ = !worker_spark_;
            set_flash(worker_spark_ ? "RPS~ column: per-worker RPS history" : "RPS~ column hidden");
            return;
        case Action::SaveView:
            save_view_now(false);
            return;
        case Action::ToggleMouse:
            mouse_ = !mouse_;
            set_flash(mouse_ ? "mouse on (hold Shift to select text)" : "mouse off: the terminal selects text");
            return;
        case Action::Travel:
            travel(arg);
            return;
        case Action::GoToTime:
            open_go_to();
            return;
        case Action::Actions:
            // The loop's action menu (action_menu.hpp) takes x and t before
            // they get here; a loop without one says so.
            set_flash("x: no action menu on this screen");
            return;
        case Action::Tag:
            set_flash("t: no action menu on this screen (tags are for it)");
            return;
        case Action::ReadStacks:
            if (overlay_ != Overlay::Detail || pane_ != PaneId::Workers || detail_worker_ == INT64_MIN) {
                set_flash("p: a worker's Python stacks are read in its details (Enter on a worker)");
                return;
            }
            stack_wanted_ = true;
            set_flash("p: reading worker " + std::to_string(detail_worker_) + "'s Python stacks");
            return;
        case Action::ChooseColumns:
            open_chooser();
            return;
        case Action::ToggleExceptions:
            hide_exceptions_ = !hide_exceptions_;
            set_flash(hide_exceptions_ ? "events: exceptions lines hidden" : "events: exceptions lines shown");
            if (pane_ == PaneId::Events) rebuild();
            break;
        case Action::ToggleGroup:
            set_flash("c collapses an Emperor's vassals on the fleet screen (several addresses, --follow-vassals)");
            return;
        case Action::AddVassal:
            // The fleet screen's loop handles v before it gets here.
            set_flash("v adds a vassal to a fleet (several addresses or --targets)");
            return;
    }
}

}  // namespace uwsgitop::tui
