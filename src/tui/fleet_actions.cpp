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
    n.age_s = row.has_data ? vm.mono_now() - row.last_ok_mono : 1e9;
    n.interval = vm.interval();
    n.observed = row.has_data ? &row.observed : nullptr;
    return n;
}

const FleetRow* FleetActions::frozen_row(const FleetViewModel& vm) const {
    for (const FleetRow& r : vm.rows())
        if (r.address == address_) return &r;
    return nullptr;
}

void FleetActions::open_on(FleetViewModel& vm) {
    if (in_flight()) {
        vm.notify(menu_->open_on_instance({}));  // "one action at a time: ..."
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

void FleetActions::rows(FleetViewModel& vm) {
    if (!in_flight()) return;
    const FleetRow* row = frozen_row(vm);
    if (row == nullptr || !row->live || row->last_ok_mono == seen_mono_) {
        tick(vm);
        return;
    }
    seen_mono_ = row->last_ok_mono;
    vm.notify(menu_->observe(row->observed, vm.mono_now()));
}

void FleetActions::tick(FleetViewModel& vm) {
    if (in_flight()) vm.notify(menu_->tick(vm.mono_now()));
}

void FleetActions::draw(const FleetViewModel& vm, Grid& grid) const {
    if (!open()) return;
    const ScreenAreas a = compute_areas(vm.width(), vm.height());
    const int top = a.tabs_row >= 0 ? a.tabs_row + 1 : a.summary_top + a.summary_lines;
    draw_action_menu(*menu_, grid, top, a.status_row < 0 ? grid.height() : a.status_row);
}

}  // namespace uwsgitop::tui
