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
//   its last_ok_mono moved) goes to ActionMenu::observe; tick() otherwise.
//   One action in flight across the fleet; messages go to vm.notify().
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
    bool in_flight() const { return menu_ && menu_->in_flight(); }
    const ActionMenu* menu() const { return menu_.get(); }
    const std::string& address() const { return address_; }

    void open_on(FleetViewModel& vm);
    void key(int k, FleetViewModel& vm);
    void rows(FleetViewModel& vm);
    void tick(FleetViewModel& vm);
    void draw(const FleetViewModel& vm, Grid& grid) const;

private:
    InstanceNow now_of(const FleetRow& row, const FleetViewModel& vm) const;
    const FleetRow* frozen_row(const FleetViewModel& vm) const;

    Options options_;
    Deliver deliver_;
    std::unique_ptr<ActionMenu> menu_;
    std::string address_;        // the frozen instance
    double seen_mono_ = 0;       // its last snapshot given to observe
};

}  // namespace uwsgitop::tui
