// fleet_actions.cpp — x on the fleet table (see fleet_actions.hpp).
#include "uwsgitop/tui/fleet_actions.hpp"

#include "uwsgitop/base/text.hpp"
#include "uwsgitop/tui/layout.hpp"

namespace uwsgitop::tui {

FleetActions::FleetActions(const Options& options, Deliver deliver)
    : options_(options), deliver_(std::move(deliver)) {}

InstanceNow FleetActions::now_of(const FleetRow& row, const FleetViewModel& vm) const {
    InstanceNow n;
    n.name = escape_for_display(row.name);
    n.has_data = row.has_data;
    n.live = row.live;
    n.master_kind = row.master_kind;
    n.master = static_cast<pid_t>(row.master);
    n.peer = row.peer;
    n.cheap_seen = row.cheap_seen;
    n.age_s = row.has_data ? vm.mono_now() - row.last_ok_mono : 1e9;
    n.interval = vm.interval();
    n.observed = row.has_data ? &row.observed : nullptr;
    return n;
}

const FleetRow* FleetActions::row_of(const FleetViewModel& vm, const std::string& address) {
    for (const FleetRow& r : vm.rows())
        if (r.address == address) return &r;
    return nullptr;
}

std::string FleetActions::busy() const {
    if (menu_ && menu_->in_flight()) {
        return "one action at a time: the fleet table's action on " + escape_for_display(address_) +
               " is still in flight (Esc, then wait)";
    }
    if (kept_in_flight()) {
        return "one action at a time: the action on " + escape_for_display(kept_address_) +
               " (from its own screen) is still in flight";
    }
    return "";
}

void FleetActions::keep(const std::string& address, std::unique_ptr<ActionMenu> menu, const FleetViewModel& vm) {
    if (!menu || !menu->in_flight()) return;
    kept_ = std::move(menu);
    kept_address_ = address;
    // The rows on the table now are older than what the drill-down saw: only
    // the next ones are news.
    const FleetRow* row = row_of(vm, address);
    kept_seen_ = row != nullptr ? row->last_ok_mono : 0;
}

std::unique_ptr<ActionMenu> FleetActions::resume(const std::string& address) {
    if (!kept_ || kept_address_ != address) return nullptr;
    kept_address_.clear();
    return std::move(kept_);
}

void FleetActions::open_on(FleetViewModel& vm) {
    if (menu_ && menu_->in_flight()) {
        vm.notify(menu_->open_on_instance({}));  // "one action at a time: ..."
        return;
    }
    if (kept_in_flight()) {
        vm.notify("x: " + busy());
        return;
    }
    const int sel = vm.selected();
    if (vm.visible().empty() || sel < 0 || static_cast<std::size_t>(sel) >= vm.visible().size()) {
        vm.notify("x: no instance selected");
        return;
    }
    const FleetRow& row = vm.rows()[vm.visible()[static_cast<std::size_t>(sel)]];
    Options o = options_;
    if (!row.fifo.empty()) o.master_fifo = row.fifo;
    ActionScope scope = action_scope(o, row.address);
    if (scope.read_only) {
        vm.notify("x: " + scope.refusal);
        return;
    }
    menu_ = std::make_unique<ActionMenu>(std::move(scope), deliver_);
    address_ = row.address;
    seen_mono_ = row.last_ok_mono;
    vm.notify(menu_->open_on_instance(now_of(row, vm)));
}

void FleetActions::key(int k, FleetViewModel& vm) {
    if (!open()) return;
    const FleetRow* row = frozen_row(vm);
    InstanceNow n;
    if (row != nullptr) {
        n = now_of(*row, vm);
        seen_mono_ = row->last_ok_mono;
    } else {
        n.name = escape_for_display(address_);
    }
    vm.notify(menu_->key(k, n));
}

void FleetActions::feed(ActionMenu& menu, const std::string& address, double& seen, FleetViewModel& vm) {
    const FleetRow* row = row_of(vm, address);
    if (row == nullptr || !row->live || row->last_ok_mono <= seen) {
        vm.notify(menu.tick(vm.mono_now()));
        return;
    }
    seen = row->last_ok_mono;
    vm.notify(menu.observe(row->observed, vm.mono_now(), row->last_ok_mono));
    if (menu.in_flight()) vm.notify(menu.tick(vm.mono_now()));  // a late snapshot that did not confirm it
}

void FleetActions::rows(FleetViewModel& vm) {
    if (menu_ && menu_->in_flight()) feed(*menu_, address_, seen_mono_, vm);
    if (kept_in_flight()) feed(*kept_, kept_address_, kept_seen_, vm);
    if (kept_ && !kept_->in_flight()) kept_.reset();
}

void FleetActions::tick(FleetViewModel& vm) {
    if (menu_ && menu_->in_flight()) vm.notify(menu_->tick(vm.mono_now()));
    if (kept_in_flight()) vm.notify(kept_->tick(vm.mono_now()));
    if (kept_ && !kept_->in_flight()) kept_.reset();
}

void FleetActions::draw(const FleetViewModel& vm, Grid& grid) const {
    if (!open()) return;
    const ScreenAreas a = compute_areas(vm.width(), vm.height());
    const int top = a.tabs_row >= 0 ? a.tabs_row + 1 : a.summary_top + a.summary_lines;
    draw_action_menu(*menu_, grid, top, a.status_row < 0 ? grid.height() : a.status_row);
}

}  // namespace uwsgitop::tui
