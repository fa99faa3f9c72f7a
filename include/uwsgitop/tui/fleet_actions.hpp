// fleet_actions.hpp — x on the fleet table: the action menu (action_menu.hpp)
// with the instance actions on the selected instance.
//
// Contract:
// - open(): x on the instances view (not the events, help or a filter being
//   typed). The target is frozen by the selected row's ADDRESS and the master
//   pid of its last good snapshot: a new round that re-sorts or filters the
//   rows does not move it. The scope is that address's (action_scope(options,
//   address): --read-only, a remote address... refuse) with the row's
//   fifo=PATH, else --master-fifo, else the master's command line. An
//   instance that is down or stale is refused. Worker actions are not offered
//   (open the instance for those).
// - key(): every key while the menu is open; at `y` the frozen instance's row
//   now (found by address; gone = refused) must still be live with the same
//   master, then action::deliver() runs as on the single screen.
// - rows(): after every set_rows, the frozen instance's new snapshot (when
//   its last_ok_mono moved) goes to ActionMenu::observe, judged by when it
//   was fetched (rows read late, after a drill-down, still confirm); tick()
//   otherwise.
//   One action in flight across the fleet; messages go to vm.notify().
// - keep()/resume(): a drill-down's menu (x on one instance) whose action is
//   still in flight when the drill-down is left is kept here: fed the rows
//   like the table's own (its confirmations and the next steps of a tagged
//   sequence come from the instance's row), handed back to the next
//   drill-down into that address, dropped once it has ended. While it flies,
//   x on the table and any other drill-down's x refuse (busy()).
#pragma once

#include <memory>
#include <string>

#include "uwsgitop/settings/options.hpp"
#include "uwsgitop/tui/action_menu.hpp"
#include "uwsgitop/tui/fleet_view.hpp"

namespace uwsgitop::tui {

class FleetActions {
public:
    // `deliver` replaces action::deliver (tests).
    explicit FleetActions(const Options& options, Deliver deliver = {});

    bool open() const { return menu_ && menu_->open(); }
    bool in_flight() const { return (menu_ && menu_->in_flight()) || kept_in_flight(); }
    const ActionMenu* menu() const { return menu_.get(); }
    const std::string& address() const { return address_; }

    // Empty when no action is in flight; else why another must wait.
    std::string busy() const;
    void keep(const std::string& address, std::unique_ptr<ActionMenu> menu, const FleetViewModel& vm);
    // The kept menu when it is `address`'s (else null; it stays kept).
    std::unique_ptr<ActionMenu> resume(const std::string& address);

    void open_on(FleetViewModel& vm);
    void key(int k, FleetViewModel& vm);
    void rows(FleetViewModel& vm);
    void tick(FleetViewModel& vm);
    void draw(const FleetViewModel& vm, Grid& grid) const;

private:
    InstanceNow now_of(const FleetRow& row, const FleetViewModel& vm) const;
    const FleetRow* frozen_row(const FleetViewModel& vm) const { return row_of(vm, address_); }
    static const FleetRow* row_of(const FleetViewModel& vm, const std::string& address);
    bool kept_in_flight() const { return kept_ && kept_->in_flight(); }
    // A new snapshot of `address` (its last_ok_mono moved past `seen`) goes
    // to menu.observe, else menu.tick.
    static void feed(ActionMenu& menu, const std::string& address, double& seen, FleetViewModel& vm);

    Options options_;
    Deliver deliver_;
    std::unique_ptr<ActionMenu> menu_;
    std::string address_;        // the frozen instance
    double seen_mono_ = 0;       // its last snapshot given to observe
    std::unique_ptr<ActionMenu> kept_;  // a left drill-down's, in flight (keep())
    std::string kept_address_;
    double kept_seen_ = 0;
};

}  // namespace uwsgitop::tui
