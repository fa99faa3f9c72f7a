// action_menu.hpp — the screen's action menu (x): the actions of
// action/action.hpp on the selected worker and on the instance, their
// confirmation, the one action in flight, and what the following snapshots
// say about it. No terminal in it; draw_action_menu() draws it into a Grid.
//
// Contract:
// - Scope (from the options, once): --read-only removes the menu (x only says
//   so); a replay, demo, file or stdin source, a fleet, or an address that is
//   not local refuses every action with the reason (a fleet's drill-down into
//   one instance: that instance's address) (action/safety.hpp's
//   check_source_live and check_address_local).
// - open_on(): the target is frozen when the menu opens: the selected worker
//   (the one in the details when they are open) by id AND pid, and the
//   master pid. A refresh that reorders the table does not move it. The
//   entries are one per row of action_table(): worker actions, then instance
//   actions through the master FIFO when one is known (--master-fifo, or the
//   master's /proc/PID/cmdline or the config file it names), else the master
//   signal; an entry that cannot run says why, from the moment the menu
//   opens: a stale or paused snapshot, another user's master, no FIFO, an
//   action uWSGI would ignore or that would not do what it says on this
//   instance (action::check_fits_instance). The highlighted entry is the first graceful one available
//   (a brutal one never is).
// - key(): Up/Down move the highlight, an entry's letter or Enter on the
//   highlighted one selects it, then `y` confirms; any other key cancels and
//   nothing is sent. At `y` the newest snapshot must still show the frozen
//   pid for that worker id (else: "worker 3 was respawned meanwhile: pid 4711
//   is gone") and the same master; then action::deliver() — every check and
//   signal_worker/write_fifo/signal_master — runs on a thread of its own, so
//   the screen never waits for it. Fresh means younger than two of the
//   intervals the screen fetches at then (+, - and f change them).
// - One action in flight: from `y` until a snapshot confirms it
//   (action::confirmed), it fails, or `wait` seconds pass, x refuses to open.
//   Nothing repeats by itself.
// - Tags (t): toggle_tag() marks the selected worker by id (a live local
//   scope and a running worker only). With tags, the worker actions aim at
//   the tagged workers instead of the selected one (the menu's title says how
//   many): frozen with their pids when the menu opens, all checked at `y`,
//   then delivered one after another, each only once a snapshot shows the
//   previous one took effect (respawned, for the reloads and kills) and its
//   own pid is still the frozen one (else the sequence stops, saying so).
//   Each step is its own delivery with every check; the whole sequence is the
//   one action in flight. Tags stay until toggled off.
// - The fleet table (fleet_actions.hpp): open_on_instance() offers the
//   instance actions alone (no worker entries) on one instance, described by
//   an InstanceNow built from its row's last good snapshot; the same freeze
//   (master pid), highlight, y, one flight and confirmations. An instance
//   that has no snapshot or whose latest poll failed (down, stale) is refused,
//   at x and again at y.
// - Every message for the status line is returned (the loop passes it to
//   ViewModel::notify): what was sent, then what happened, or the refusal.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "uwsgitop/action/deliver.hpp"
#include "uwsgitop/action/master_config.hpp"
#include "uwsgitop/settings/options.hpp"
#include "uwsgitop/tui/grid.hpp"
#include "uwsgitop/tui/view_model.hpp"

namespace uwsgitop::tui {

// Where actions can go at all.
struct ActionScope {
    bool read_only = false;
    std::string refusal;        // non-empty: every action is refused with this line
    Address address;            // the one live, local stats address
    std::string fifo;           // --master-fifo ("" = look at the master's cmdline)
    double wait = 10.0;         // seconds to wait for a confirming snapshot
    action::ProcRoot proc;
};
ActionScope action_scope(const Options& options);
// The same for one instance of a fleet (the fleet screen's drill-down into
// `address`): actions aim at that address alone.
ActionScope action_scope(const Options& options, const std::string& address);

// The delivery; tests replace it. Runs on the menu's thread.
using Deliver = std::function<Status(const action::Aim&, std::string& sent)>;

struct MenuEntry {
    const action::ActionSpec* spec = nullptr;
    bool available = false;
    std::string text;           // the explanation, or why it cannot run
};

// One fleet instance as the fleet table knows it (fleet_actions.hpp).
struct InstanceNow {
    std::string name;                  // escaped for display
    bool has_data = false;             // a good snapshot exists
    bool live = false;                 // the latest poll succeeded
    bool master_kind = false;          // that snapshot is a master's stats
    pid_t master = 0;
    Peer peer;                         // the connection that snapshot came over
    bool cheap_seen = false;           // it shows a cheap worker
    double age_s = 1e9;                // the snapshot's age now
    double interval = 1.0;             // the fleet's poll interval now
    const action::Observed* observed = nullptr;
};

// The frozen target.
struct MenuTarget {
    std::string instance;       // fleet table: the instance's name ("" = the screen's)
    bool has_worker = false;
    long worker_id = 0;
    pid_t pid = 0;
    pid_t master = 0;
    Peer peer;                  // the connection the snapshot acted on came over
    bool cheap_seen = false;    // that snapshot shows a cheap worker
    std::vector<int64_t> other_pids;  // action::other_pids() of it
    action::MasterConfig config;      // what the master was started with (read at open)
    std::string unavailable;    // non-empty: every entry is unavailable for this reason
    std::string fifo;           // the master FIFO known when the menu opened
    std::vector<std::pair<long, pid_t>> tagged;  // tagged running workers: id, pid
};

class ActionMenu {
public:
    enum class Stage : uint8_t { Closed, Choosing, Confirming };

    explicit ActionMenu(ActionScope scope, Deliver deliver = {});
    ~ActionMenu();
    ActionMenu(const ActionMenu&) = delete;
    ActionMenu& operator=(const ActionMenu&) = delete;

    // x. Returns the status-line message ("" when the menu opened).
    std::string open_on(const ViewModel& vm);
    // x on the fleet table: the instance actions on `now`'s instance.
    std::string open_on_instance(const InstanceNow& now);
    // A key while the menu is open (the loop gives it every key then).
    std::string key(int k, const ViewModel& vm);
    // The same for a menu opened by open_on_instance (`now`: its row now).
    std::string key(int k, const InstanceNow& now);
    // A new snapshot on screen / each turn of the loop: the delivery's result,
    // the confirmation or the progress, the timeout. "" = nothing new.
    std::string observe(const Snapshot& snap, double mono_now);
    std::string tick(double mono_now);
    // observe() from what the fleet's row keeps of a new snapshot, fetched at
    // `taken_at` (monotonic; < 0: now). Judged by when it was fetched: one
    // fetched before the delivery returned is no news; one fetched after it
    // confirms even when read late (the fleet table's rows come in only once
    // a drill-down is left), and ends the wait when fetched past the deadline
    // without showing the effect. A tagged sequence's next step is checked
    // against that row's age.
    std::string observe(const action::Observed& now, double mono_now, double taken_at = -1);
    // t: tags or untags the selected worker (the one in the details when
    // they are open). Returns the status-line message.
    std::string toggle_tag(const ViewModel& vm);
    bool tagged(int64_t worker_id) const;
    std::size_t tag_count() const { return tags_.size(); }

    Stage stage() const { return stage_; }
    bool open() const { return stage_ != Stage::Closed; }
    bool in_flight() const { return flight_ != Flight::None; }
    const MenuTarget& target() const { return target_; }
    const std::vector<MenuEntry>& entries() const { return entries_; }
    int highlighted() const { return highlight_; }
    const ActionScope& scope() const { return scope_; }

private:
    enum class Flight : uint8_t { None, Sending, Watching };
    struct Runner;

    std::string confirm(const ViewModel& vm);
    std::string confirm(const InstanceNow& now);
    std::string choose(int k);
    void build_entries(bool instance_only, const std::string& no_worker);
    std::string launch(const action::Observed& obs, double age_s, double interval);
    std::string finish(std::string message);
    // Checks step `step_`'s worker against `snap` and starts its delivery.
    std::string start_step(const action::Observed& obs, int64_t age_ms);
    std::string step_label() const;
    // The instance half of the frozen target: master, peer, what it was
    // started with; read_master() alone for a fleet row.
    void freeze_instance(const Snapshot& s);
    void read_master(pid_t master);
    static std::string too_old(double age_s, double interval);
    // An instance entry's text, and whether it can run.
    std::string instance_entry(const action::ActionSpec& spec, bool& available) const;

    ActionScope scope_;
    Deliver deliver_;
    Stage stage_ = Stage::Closed;
    MenuTarget target_;
    std::vector<MenuEntry> entries_;
    int highlight_ = 0;
    int chosen_ = -1;
    Flight flight_ = Flight::None;
    const action::ActionSpec* flight_spec_ = nullptr;
    std::optional<long> flight_worker_;
    std::vector<std::pair<long, pid_t>> queue_;  // worker actions: the workers, in order
    std::size_t step_ = 0;
    action::Aim aim_;                            // the template every step copies
    std::vector<int64_t> tags_;                  // tagged worker ids, sorted
    action::Observed before_;
    std::string sent_;
    std::string progress_;
    double watch_from_ = 0;  // when the delivery in flight returned (monotonic)
    double deadline_ = 0;
    std::unique_ptr<Runner> runner_;
};

// Draws the tag marks ('*' in the first cell of a tagged worker's rows) and
// the open menu over the table area of a grid render() filled.
void draw_action_menu(const ActionMenu& menu, const ViewModel& vm, Grid& grid);
// The open menu alone, over rows [top, bottom) of `grid` (the fleet table).
void draw_action_menu(const ActionMenu& menu, Grid& grid, int top, int bottom);

}  // namespace uwsgitop::tui
