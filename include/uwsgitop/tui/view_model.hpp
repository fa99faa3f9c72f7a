// view_model.hpp — everything the screen shows and every key's effect, with no
// terminal in it.
//
// The UI loop feeds it snapshots (set_snapshot), fetch results (set_fetch_ok,
// set_fetch_error, set_ended), the clock and the terminal size, and keys
// (handle_key). render() reads it. Tests drive it the same way with
// hand-built snapshots and replayed key sequences.
//
// Rows: the worker pane lists RowRefs built by rows.hpp (workers, cores as
// WID:CID, or cores under their worker), filtered, then sorted by one column
// (ties by id, so rows keep their place). Other panes (panes.hpp) list record
// indices, sorted by one of their columns. Only the row lists are rebuilt per
// snapshot; cells are formatted by render() for the visible rows only.
// In the flat modes (workers, cores) only the rows around the screen are put
// in order (rows.hpp FlatOrder: the visible ones, a page above and a page
// below): worker_rows() holds every row, but only positions within a page of
// [state().top, state().top + table rows) are guaranteed to be in sorted
// order; the selected row always is, at its rank in the full order.
//
// Selection survives refreshes: it follows the worker id (and core id) — or
// in other panes the text of the first column — and falls back to the same
// position when that row is gone. Each pane keeps its own selection, scroll,
// sort and filter.
//
// The snapshot and rates passed to set_snapshot() must stay alive and
// unchanged until the next set_snapshot() (the loop owns them).
//
// Events (event_log.hpp): every snapshot given to set_snapshot() and every
// set_fetch_error() goes to the view-model's EventLog, whose rows are the
// events pane (its tab appears, last, with the first event). An event that
// arrives while another pane is shown puts a notice on the status line
// ("event: ... (N: events)"), cleared after kNoticeSeconds or by the next
// key. A worker's details list that worker's events.
//
// Opened from the fleet screen (set_fleet_name): the header's first line
// starts with the breadcrumb `fleet › NAME` (`fleet > NAME` in ASCII), the
// events are named NAME as the fleet names them, and q or Esc with nothing
// left to close (no overlay; for Esc, no filter either) ask to go back to
// the fleet (back_requested()) instead of quitting; the help says so.
// seed_events() hands over what the fleet already saw of the instance.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <optional>
#include <string_view>
#include <vector>

#include "uwsgitop/model/stack.hpp"
#include "uwsgitop/view/text_filter.hpp"
#include "uwsgitop/view/columns.hpp"
#include "uwsgitop/rates/history.hpp"
#include "uwsgitop/settings/options.hpp"
#include "uwsgitop/settings/view_state.hpp"
#include "uwsgitop/pipeline/pipeline.hpp"
#include "uwsgitop/view/rows.hpp"
#include "uwsgitop/tui/column_chooser.hpp"
#include "uwsgitop/tui/event_log.hpp"
#include "uwsgitop/tui/keys.hpp"
#include "uwsgitop/tui/layout.hpp"
#include "uwsgitop/tui/mouse.hpp"
#include "uwsgitop/tui/panes.hpp"

namespace uwsgitop::tui {

enum class Overlay : uint8_t { None, Detail, Help };

// The Python stacks the details show (stack_reader.hpp reads them off the UI
// thread; the loop hands requests and results between the two).
struct DetailStack {
    int64_t worker = INT64_MIN;  // whose `stack` it is (INT64_MIN: none read yet)
    bool reading = false;        // a read for the details' worker is in flight
    WorkerStack stack;           // the last read: frames, or why there are none
    double read_at = 0;          // wall-clock time it ended
};

// What the fetching side last said.
struct FeedStatus {
    bool have_data = false;    // a snapshot has been shown
    std::string error;         // the last fetch failed with this ("" when it worked)
    double last_good = 0;      // monotonic time of the last fetch that worked (shown or not yet)
    double shown_at = 0;       // monotonic time the snapshot on screen was fetched (0: not told)
    double error_since = 0;    // monotonic time of the first failure in a row
    int failures = 0;          // failures in a row
    bool ended = false;        // a finite recording has nothing more to give
};

struct PaneState {
    int selected = 0;
    int top = 0;
    std::size_t hscroll = 0;        // columns scrolled off after the pinned first one
    uint32_t sort_col = 0;          // other panes: column index
    bool descending = false;
    bool sorted = false;            // other panes: false keeps the server's order
    std::string filter;
    // identity of the selected row
    int64_t sel_worker = INT64_MIN; // worker pane: worker id (INT64_MIN: none)
    int64_t sel_core = -1;          // core id, -1 for a worker row
    std::string sel_key;            // other panes: first column's text
};

// Interval steps for + and - (seconds).
std::span<const double> interval_steps();
// The next step after `current` (direction > 0: the next longer one; else
// the next shorter one); `current` itself at either end of the steps.
double step_interval(double current, int direction);
constexpr double kFastInterval = 0.1;
constexpr double kNoticeSeconds = 5.0;

class ViewModel {
public:
    ViewModel(const Options& options, std::string address);

    // --- inputs -----------------------------------------------------------
    void set_size(int width, int height);
    void set_snapshot(const Snapshot* snap, const Rates* rates, double wall_time);
    void set_clock(double mono_now) { mono_now_ = mono_now; }
    void set_fetch_ok(double mono_now);
    // When the snapshot now on screen was fetched (the age an action checks:
    // while paused a later fetch may have worked without being shown).
    void set_shown_at(double mono) { feed_.shown_at = mono; }
    void set_fetch_error(std::string_view message, double mono_now);
    // A finite recording has nothing more (false again after a travel back).
    void set_ended(bool ended = true);
    void set_ascii(bool ascii) { ascii_ = ascii; }
    // This screen is the fleet's instance NAME (see top).
    void set_fleet_name(std::string_view name);
    // The fleet's events of this instance, oldest first (`events` is
    // emptied): kept as this screen's own, so the events pane is there from
    // the start. `show`: open on the events pane with the event `show_index`
    // of `events` selected (an instance opened from the fleet's events).
    void seed_events(std::vector<Event>& events, bool show = false, std::size_t show_index = 0);
    // Where the next set_snapshot()'s snapshot lies in a replay (nullopt: live
    // or no recorded times). A snapshot that is not the one after the shown one
    // (a travel, a loop) starts the sparkline histories over, so they hold
    // recorded neighbours in order (travel.cpp).
    void set_record_position(const std::optional<RecordPosition>& at);
    void handle_key(int key);
    void apply(Action action, uint8_t arg = 0);
    // A mouse event, placed with what the last render drew where (`hits`):
    // a header click sorts by that column (the sorted one: reverses), a row
    // click selects, a second press on the same row within
    // kDoubleClickSeconds opens it (as Enter), the wheel scrolls the table —
    // or the help/details text — by kWheelRows, a tab click switches pane.
    // Ignored while the mouse is off (m) or the filter or b's time is being typed.
    void handle_mouse(const MouseEvent& event, const ScreenHits& hits);
    // After a render: the shown table's largest useful sideways scroll
    // (ScreenHits::hscroll_limit). The pane's scroll is cut down to it (a
    // scroll made on a narrow screen gives way when it widens: no room is
    // left empty while columns are hidden on the left) and Right stops there.
    void fit_hscroll(std::size_t limit);
    // Shows a short message in the status line (as after a key).
    void notify(std::string text) { set_flash(std::move(text)); }
    // The details' stacks: true once after Enter opened a worker's details or
    // p asked to read them again (the loop then starts a read, and says so
    // with set_stack_reading()); a finished read, kept when it is the
    // details' worker's (`wall_time`: when it ended).
    bool take_stack_request();
    // Gives the stuck and harakiri events still without a stack the one
    // `attach` has for them; true when one got it.
    bool attach_stacks(const std::function<bool(Event&)>& attach) { return events_.attach_stacks(attach); }
    void set_stack_reading();
    void set_stack(WorkerStack stack, double wall_time);
    const DetailStack& detail_stack() const { return stack_; }

    // --- what render() and the loop read -----------------------------------
    const Snapshot* snapshot() const { return snap_; }
    const RowContext& context() const { return ctx_; }
    double wall_time() const { return wall_time_; }
    const std::string& address() const { return address_; }
    int width() const { return width_; }
    int height() const { return height_; }
    const ScreenAreas& areas() const { return areas_; }
    bool ascii() const { return ascii_; }

    PaneId pane() const { return pane_; }
    const std::vector<PaneId>& panes() const { return panes_; }
    const PaneState& state() const { return states_[static_cast<std::size_t>(pane_)]; }

    // worker pane
    RowMode row_mode() const { return mode_; }
    SortSpec sort() const { return sort_; }
    // The columns of the rows shown now: the core rows' list in the cores
    // mode, the worker rows' list otherwise (cores under their worker too).
    // Each list starts as Options::worker_columns() / core_row_columns() and
    // is edited by the column chooser (o, F2), which applies every change
    // at once; hiding the sort column sorts by the default sort (requests)
    // when it is shown, else by the first shown column, and says so.
    std::span<const ColumnId> worker_columns() const;
    const std::vector<ColumnId>& worker_row_columns() const { return worker_cols_; }
    const std::vector<ColumnId>& core_row_columns() const { return core_cols_; }
    // The column chooser, open over the worker table (keys go to it).
    const ColumnChooser& chooser() const { return chooser_; }
    const std::vector<RowRef>& worker_rows() const { return rows_; }
    std::size_t worker_rows_total() const { return rows_total_; }
    // other panes
    const std::vector<uint32_t>& pane_rows() const { return pane_rows_; }
    std::size_t pane_rows_total() const { return pane_total_; }
    std::size_t row_count() const { return pane_ == PaneId::Workers ? rows_.size() : pane_rows_.size(); }
    // A cell of the shown (non-worker) pane: record `rec`, column `col` —
    // the snapshot's record, or the event log's row on the events pane.
    Value pane_value(uint32_t rec, uint32_t col) const;
    // Records of the shown pane before filtering.
    uint32_t pane_records() const;
    // What identifies record `rec` across refreshes: its first column's text
    // (on the events pane: the event's serial number).
    void row_key(uint32_t rec, std::string& out) const;
    const EventLog& events() const { return events_; }
    // The new-event notice, empty once expired or after a key.
    std::string_view notice() const;

    Overlay overlay() const { return overlay_; }
    int overlay_scroll() const { return overlay_scroll_; }
    int64_t detail_worker() const { return detail_worker_; }
    std::size_t detail_worker_index() const { return detail_index_; }
    const std::string& detail_key() const { return detail_key_; }
    bool filter_editing() const { return filter_editing_; }
    // b's prompt on the status line ("go to time: ..."), and what is typed.
    bool goto_editing() const { return goto_editing_; }
    const std::string& goto_text() const { return goto_text_; }

    double base_interval() const { return interval_; }
    double interval() const;     // what the fetcher should use now
    // Whether what is on screen uses the cores (rows of cores, the details
    // overlay, a filter, which also looks at the requests cores serve); when
    // not, the fetcher parses without them (ParseScope::NoCores).
    bool needs_cores() const;
    bool fast() const { return fast_; }
    bool exceptions_hidden() const { return hide_exceptions_; }  // events pane: e
    bool paused() const { return paused_; }
    bool quit_requested() const { return quit_; }
    // Opened from the fleet: q or Esc asked to go back to it (see top).
    bool back_requested() const { return back_; }
    bool in_fleet() const { return in_fleet_; }
    const std::string& fleet_name() const { return fleet_name_; }   // raw: escape to show
    bool mouse() const { return mouse_; }
    // Replays (--replay): the travel keys queue moves here (and pause); the
    // loop hands them to the fetcher. Live sources: a "not a replay" note.
    bool replay() const { return replay_; }
    bool recording() const { return recording_; }   // --record: the status line says REC
    const std::optional<RecordPosition>& record_position() const { return position_; }
    std::vector<Travel> take_travels();
    // A replay's playback speed (--speed, then + - f: 2 twice as fast, 0 no
    // waiting); the loop hands a change to the fetcher. b opens a prompt
    // for a time (travel.hpp parse_go_to) and travels there; Enter on an
    // event travels to it (the worker table at that time, its worker
    // selected, the event in the notice). Live: + - f change the interval.
    double speed() const;
    // What the save key (s) writes: the columns of both row kinds, the sort and its
    // direction, the pane, its filter, the interval and the colour mode.
    SavedView saved_view() const;
    const FeedStatus& feed() const { return feed_; }
    double mono_now() const { return mono_now_; }
    // A short message after a key (e.g. "interval 2s"), empty once it expired.
    std::string_view flash() const;
    // True once after Ctrl-L: the backend should repaint everything.
    bool take_full_redraw();

    // History for the sparklines: one sample per snapshot, a gap per failed
    // fetch (header: RPS, busy workers, listen queue; per worker: RPS).
    const InstanceHistory& history() const { return history_; }
    const WorkerHistory& worker_history() const { return worker_history_; }
    bool worker_spark() const { return worker_spark_; }

    // Rows of the overlay text (help/detail), for scrolling.
    int overlay_rows() const;

private:
    PaneState& st() { return states_[static_cast<std::size_t>(pane_)]; }
    void rebuild();
    void rebuild_workers();
    void rebuild_pane();
    void remember_selection();
    void restore_selection(int fallback);
    void clamp_scroll();
    void arrange_window();
    void move_selection(int delta);
    void set_pane(PaneId id);
    void sort_step(int delta);
    void set_flash(std::string text);
    // Flashes the sort of the shown pane ("sort: PID (ascending)"), written
    // when read from the sort then in effect: the one source of the header's
    // arrow is the one source of this text.
    void flash_sort();
    void edit_filter(int key);
    bool row_matches(RowRef r) const;   // by the filter's terms (text_filter.hpp)
    bool row_matches_term(RowRef r, std::string_view term) const;
    bool pane_row_matches(uint32_t row) const;
    bool pane_row_matches_term(uint32_t row, std::string_view term) const;
    void overlay_scroll_by(int delta);
    void scroll_table(int delta);
    void save_view_now(bool with_filter);
    void took_events(std::size_t added);
    void travel(uint8_t step);
    void step_replay_speed(int direction);
    void toggle_replay_fast();
    void open_go_to();
    void edit_go_to(int key);
    void go_to(std::string_view text);
    bool travel_to_event(uint32_t row);  // false: not a replay (Enter opens its details)
    std::size_t column_count() const;
    void open_chooser();
    void chooser_key(int key);

    std::string address_;
    std::vector<ColumnId> worker_cols_;      // worker rows (and cores under them)
    std::vector<ColumnId> core_cols_;        // core rows (WID:CID)
    ColumnChooser chooser_;
    int width_ = 80, height_ = 24;
    ScreenAreas areas_;
    bool ascii_ = false;

    const Snapshot* snap_ = nullptr;
    RowContext ctx_;
    double wall_time_ = 0;

    PaneId pane_ = PaneId::Workers;
    std::vector<PaneId> panes_;
    std::array<PaneState, static_cast<std::size_t>(PaneId::Count_)> states_{};

    RowMode mode_ = RowMode::Workers;
    SortSpec sort_;
    std::vector<RowRef> rows_;
    std::size_t rows_total_ = 0;
    FlatOrder order_;                        // flat modes: keys of rows_
    bool windowed_ = false;                  // rows_ in order only in [sorted_first_, sorted_last_)
    std::size_t sorted_first_ = 0, sorted_last_ = 0;
    std::vector<uint8_t> worker_hit_;        // tree-mode filter scratch
    std::vector<uint32_t> pane_rows_;
    std::size_t pane_total_ = 0;
    mutable std::string scratch_;            // formatting for filter/sort keys
    mutable std::string scratch2_;
    TextFilter filter_terms_;   // st().filter, parsed

    Overlay overlay_ = Overlay::None;
    int overlay_scroll_ = 0;
    int64_t detail_worker_ = INT64_MIN;
    std::size_t detail_index_ = 0;
    std::string detail_key_;
    bool filter_editing_ = false;
    std::size_t hscroll_limit_ = static_cast<std::size_t>(-1);  // fit_hscroll()'s, for hscroll_pane_
    PaneId hscroll_pane_ = PaneId::Workers;

    double interval_ = 1.0;
    bool fast_ = false;
    bool hide_exceptions_ = false;
    bool paused_ = false;
    bool quit_ = false;
    bool in_fleet_ = false;                  // set_fleet_name()
    bool back_ = false;                      // back_requested()
    std::string fleet_name_;
    std::string event_name_;                 // what events name this instance (address_ or fleet_name_)
    bool full_redraw_ = false;
    FeedStatus feed_;
    InstanceHistory history_{600};
    WorkerHistory worker_history_{120};
    bool worker_spark_ = false;
    double mono_now_ = 0;
    bool mouse_ = true;
    bool replay_ = false;
    bool recording_ = false;
    std::optional<RecordPosition> position_;
    std::vector<Travel> travels_;
    double speed_ = 1.0;
    bool goto_editing_ = false;
    std::string goto_text_;
    static constexpr std::size_t kMaxGoTo = 40;
    std::string color_mode_;                 // "auto", "always", "never"
    std::string view_state_path_;            // where s saves the view
    double stuck_after_ = 0;                 // --stuck-after: the status column's "stuck Ns"
    bool save_filter_offer_ = false;         // s saved without the filter: a second s keeps it too
    PaneId start_pane_ = PaneId::Workers;    // --pane: shown once the server has it
    bool start_pane_pending_ = false;
    int last_press_row_ = -1;                // double-click detection
    PaneId last_press_pane_ = PaneId::Workers;
    double last_press_time_ = -1;
    mutable std::string flash_;              // flash_sort_: rewritten by flash()
    bool flash_sort_ = false;                // the flash is the sort of flash_pane_
    PaneId flash_pane_ = PaneId::Workers;
    double flash_until_ = 0;
    EventLog events_;
    DetailStack stack_;
    bool stack_wanted_ = false;              // take_stack_request()
    std::string notice_;
    double notice_until_ = 0;
};

}  // namespace uwsgitop::tui
