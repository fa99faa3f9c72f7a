// fleet_view.hpp — the fleet screen as data: rows, sorting, filtering,
// selection and history, with no terminal and no threads in it.
//
// FleetRow is a copy of what the screen needs from one Instance (formatted
// cells, sort keys, state, history samples), built by make_fleet_rows() on
// the polling thread; the UI only ever sees these copies, never an Instance.
//
// FleetViewModel is fed rounds of rows (set_rows), the clock, the size and
// keys, like the worker ViewModel. Selection follows the target name across
// refreshes (falling back to the same position). Each round adds one sample
// per instance to its InstanceHistory (a failed poll adds a gap), drawn as
// sparkline columns. Enter asks the loop to open the selected instance
// (take_open_request). render_fleet() draws it into a Grid.
//
// Vassals are grouped under their Emperor: a row whose `emperor` is the
// address of another row is shown under that row, indented with tree lines
// (tree_prefix()), the vassals of an Emperor in the sort's order among
// themselves, the Emperors and other rows in it among themselves (the
// targets' order when unsorted). A filter keeps an Emperor shown while one of
// its vassals matches. c collapses or expands the selected Emperor's group
// (on a vassal: its Emperor's, which it then selects); a collapsed Emperor
// says how many rows it hides (hidden_below()). Collapsed groups are kept
// by the Emperor's name across rounds. A row whose Emperor is not in the
// fleet, or that would be its own Emperor's Emperor, is shown at the top.
//
// Keys come from the one key table (keys.hpp): fleet_keys() lists the
// actions that work here (they mean what they mean on the worker screen,
// said of instances instead of workers), and the fleet help is generated from
// the table's bindings of those actions, so a fleet key cannot work without
// being in the help. Space pauses (paused(): the loop stops the poller and
// keeps the rows on screen), + and - step the interval through the worker
// screen's interval_steps() (0.1 s to 60 s). The help scrolls (Up/Down,
// PgUp/PgDn, Home/End) when it is taller than the screen; the scroll is
// clamped to the help's length on every key and resize.
#pragma once

#include <map>
#include <set>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "uwsgitop/action/deliver.hpp"
#include "uwsgitop/tui/column_chooser.hpp"
#include "uwsgitop/fleet/fleet.hpp"
#include "uwsgitop/tui/event_log.hpp"
#include "uwsgitop/view/fleet_columns.hpp"
#include "uwsgitop/rates/history.hpp"
#include "uwsgitop/tui/grid.hpp"
#include "uwsgitop/tui/keys.hpp"
#include "uwsgitop/tui/mouse.hpp"
#include "uwsgitop/tui/layout.hpp"
#include "uwsgitop/tui/text_view.hpp"

namespace uwsgitop::tui {

enum class FleetState : uint8_t { Ok, Stale, Error };

struct FleetCell {
    std::string text;         // formatted for the screen ("-" when unknown)
    bool known = false;
    bool numeric = false;
    double number = 0;
};

struct FleetRow {
    std::string name, address, state;
    std::string fifo;               // the target's fifo=PATH ("" = none given)
    std::string tracebacker;        // the target's tracebacker=PREFIX ("" = none given)
    std::string emperor;            // the address of its Emperor (Target::emperor; "" = none known)
    // For x (fleet_actions.hpp), from the last good snapshot:
    bool has_data = false, live = false, master_kind = false;
    int64_t master = 0;             // its master pid (0 = none)
    Peer peer;                      // the connection that snapshot came over
    bool cheap_seen = false;        // that snapshot shows a cheap worker
    double last_ok_mono = 0;        // when it was polled
    action::Observed observed;      // its running workers and their pids
    FleetState kind = FleetState::Error;
    std::vector<FleetCell> cells;   // one per fleet_columns()
    double rps = 0, busy = 0, listen_queue = 0;  // this round's samples (NaN = unknown)
};

// One row per instance, in fleet order. `now_mono` dates the stale ages.
void make_fleet_rows(const std::vector<std::unique_ptr<Instance>>& fleet, double now_mono,
                     std::vector<FleetRow>& out);

// Fleet sort keys (one per sortable column), shown in the fleet help.
struct FleetSortKey {
    int key;
    std::string_view column;   // fleet column name
};
std::span<const FleetSortKey> fleet_sort_keys();

// An action of the key table that works on the fleet screen; `help` is the
// fleet's wording ("" when the key table's says it).
struct FleetKey {
    Action action;
    std::string_view help;
};
std::span<const FleetKey> fleet_keys();

// The fleet help: every binding of fleet_keys() with its label, the sort
// keys, how to read the sparklines.
void build_fleet_help(TextLines& out);

// Pseudo-columns: sparklines of the instance history (the screen columns
// of fleet_columns.hpp: fleet_history_columns()[0] and [1]).
constexpr int kSparkRps = -1;
constexpr int kSparkBusy = -2;
constexpr int kSparkWidth = 10;

class FleetViewModel {
public:
    // `columns`: the screen columns (--fleet-columns; empty: the default
    // set); `view_state_path`: where s saves them (save_fleet_columns).
    explicit FleetViewModel(double interval, const std::vector<int>& columns = {}, std::string view_state_path = {});

    void set_size(int width, int height);
    void set_clock(double mono_now) { mono_now_ = mono_now; }
    void set_ascii(bool ascii) { ascii_ = ascii; }
    // New rows are taken (swapped); for a new poll round (`new_round`) the
    // history gets one sample each and the rounds count one more (rows from
    // fetches that ended between rounds only replace the rows).
    void set_rows(std::vector<FleetRow>& rows, bool new_round = true);
    // Events of the instances (FleetPoller::take_events); `fresh` is emptied.
    // The events view lists them newest first (Tab, 2); while the instances
    // are shown, the newest is noted on the status line until the next key
    // or for kNoticeSeconds.
    void add_events(std::vector<Event>& fresh);
    void handle_key(int key);
    // A status-line message (the action menu's), shown like an event notice.
    void notify(std::string_view text);
    // The single screen's mouse rules (ViewModel::handle_mouse): a header
    // click sorts (again: reverses), a row click selects, a double click
    // opens the instance (as Enter), the wheel scrolls rows or the help.
    void handle_mouse(const MouseEvent& event, const ScreenHits& hits);

    // --- read by render_fleet and the loop -----------------------------------
    int width() const { return width_; }
    int height() const { return height_; }
    bool ascii() const { return ascii_; }
    double interval() const { return interval_; }
    bool paused() const { return paused_; }
    double mono_now() const { return mono_now_; }
    bool have_data() const { return rounds_ > 0; }
    uint64_t rounds() const { return rounds_; }
    const std::vector<FleetRow>& rows() const { return rows_; }
    const std::vector<uint32_t>& visible() const { return visible_; }  // filtered + sorted
    // The tree lines before the name of visible row `vi` ("" at the top
    // level), in ASCII when set_ascii(true); and how many rows a collapsed
    // Emperor at `vi` hides (0: none, or not collapsed).
    std::string_view tree_prefix(std::size_t vi) const;
    std::size_t hidden_below(std::size_t vi) const;
    bool grouped() const { return grouped_; }   // some row is shown under its Emperor's
    int selected() const { return selected_; }
    int top() const { return top_; }
    std::size_t hscroll() const { return hscroll_; }
    // After render_fleet: the table's largest useful sideways scroll
    // (ScreenHits::hscroll_limit); the scroll is cut down to it and Right
    // stops there (as ViewModel::fit_hscroll).
    void fit_hscroll(std::size_t limit);
    // Displayed columns: index into fleet_columns(), or kSparkRps/kSparkBusy.
    // o or F2 opens the column chooser on them (keys go to it while it is
    // open; every change applies at once; hiding the sort column puts the
    // rows back in the targets' order and says so); s saves them.
    const std::vector<int>& columns() const { return columns_; }
    const ColumnChooser& chooser() const { return chooser_; }
    std::size_t sort_column() const { return sort_col_; }
    bool descending() const { return descending_; }
    bool sorted() const { return sorted_; }
    const std::string& filter() const { return filter_; }
    bool filter_editing() const { return filter_editing_; }
    bool help() const { return help_; }
    int help_scroll() const { return help_scroll_; }
    int help_top() const;        // first screen row of the help text
    int help_rows() const;       // rows the help text gets on screen (>= 1)
    bool quit_requested() const { return quit_; }
    const InstanceHistory* history(const std::string& name) const;
    // The events view (Tab / 1 / 2 switch): rows are indices for
    // events().newest(), filtered by the same filter (instance, kind, text);
    // the selection follows its event, or the newest while on the newest.
    bool events_view() const { return events_view_; }
    bool exceptions_hidden() const { return hide_exceptions_; }  // events view: e
    const EventLog& events() const { return events_; }
    const std::vector<uint32_t>& event_rows() const { return ev_rows_; }
    int event_selected() const { return ev_selected_; }
    int event_top() const { return ev_top_; }
    std::string_view notice() const;
    // The selected instance's name, or "".
    std::string selected_name() const;
    // The name Enter asked to open ("" when none); clears the request.
    // `from_event` (when given): true when Enter was on an event of the
    // events view (then instance_events() says which).
    std::string take_open_request(bool* from_event = nullptr);
    // The fleet's events of instance `name`, oldest first, copied to the end
    // of `out` (for the opened instance's events pane); returns the index in
    // `out` of the event Enter opened it from, or SIZE_MAX.
    std::size_t instance_events(const std::string& name, std::vector<Event>& out) const;

private:
    void rebuild();
    void link_groups();
    bool row_before(uint32_t a, uint32_t b) const;
    void emit_group(uint32_t row, std::string& lead, int depth);
    void toggle_group();
    void rebuild_events();
    void move_event(int delta);
    void show_events(bool on);
    void apply(Action a, uint8_t arg);
    void sort_by(std::size_t col);
    void move(int delta);
    void clamp();
    void scroll_help(int delta);
    bool help_key(const KeyBinding* b);
    void open_chooser();
    void chooser_key(int key);
    int page() const;

    int width_ = 80, height_ = 24;
    bool ascii_ = false;
    double interval_;
    bool paused_ = false;
    double mono_now_ = 0;
    uint64_t rounds_ = 0;
    std::vector<FleetRow> rows_;
    std::vector<uint32_t> visible_;
    // Groups (rebuild): each row's Emperor row (-1: top level), its vassal
    // rows, whether the filter keeps it (or a vassal of it); per visible row
    // its tree lines and what a collapse hides.
    std::vector<int32_t> parent_;
    std::vector<std::vector<uint32_t>> children_;
    std::vector<uint8_t> keep_;
    std::vector<std::string> prefix_;
    std::vector<std::size_t> hidden_;
    std::set<std::string> collapsed_;   // Emperor names
    bool grouped_ = false;
    std::map<std::string, InstanceHistory> history_;
    std::vector<int> columns_;
    ColumnChooser chooser_;
    std::string view_state_path_;
    int selected_ = 0, top_ = 0;
    std::size_t hscroll_ = 0;
    std::size_t hscroll_limit_ = static_cast<std::size_t>(-1);  // fit_hscroll()'s
    std::string sel_name_;
    std::size_t sort_col_ = 0;     // fleet column index
    bool descending_ = false;
    bool sorted_ = false;          // false: the order of the targets
    std::string filter_;
    bool filter_editing_ = false;
    bool help_ = false;
    int help_scroll_ = 0;
    int help_lines_ = 0;           // lines of build_fleet_help()
    bool quit_ = false;
    std::string open_;
    uint64_t open_serial_ = UINT64_MAX;  // the event Enter was on (UINT64_MAX: the table)
    int last_press_row_ = -1;
    double last_press_time_ = -1;
    EventLog events_;
    bool events_view_ = false;
    bool hide_exceptions_ = false;
    std::vector<uint32_t> ev_rows_;
    int ev_selected_ = 0, ev_top_ = 0;
    uint64_t ev_sel_serial_ = UINT64_MAX;  // UINT64_MAX: follow the newest
    std::string notice_;
    double notice_until_ = 0;
};

// Draws the fleet screen (summary, table, status line; or the help);
// `hits` (may be null) gets where the header's columns went.
void render_fleet(const FleetViewModel& vm, Grid& grid, ScreenHits* hits = nullptr);

}  // namespace uwsgitop::tui
