// fleet_events.cpp — one EventTracker per fleet instance (see fleet_events.hpp).
#include "uwsgitop/fleet/fleet_events.hpp"

#include <unordered_map>

namespace uwsgitop {

// slots_ made parallel to `fleet` again: cheap when it only grew.
void FleetEvents::align(const std::vector<std::unique_ptr<Instance>>& fleet) {
    std::size_t same = 0;
    while (same < slots_.size() && same < fleet.size() && slots_[same].serial == fleet[same]->serial) ++same;
    if (same == slots_.size()) {
        for (std::size_t k = same; k < fleet.size(); ++k) slots_.push_back(Slot{EventTracker(options_), fleet[k]->serial, 0});
        return;
    }
    std::unordered_map<uint64_t, std::size_t> at;
    for (std::size_t k = same; k < slots_.size(); ++k) at.emplace(slots_[k].serial, k);
    std::vector<Slot> now;
    now.reserve(fleet.size());
    for (std::size_t k = 0; k < fleet.size(); ++k) {
        const auto it = k < same ? at.end() : at.find(fleet[k]->serial);
        if (k < same) now.push_back(std::move(slots_[k]));
        else if (it != at.end()) now.push_back(std::move(slots_[it->second]));
        else now.push_back(Slot{EventTracker(options_), fleet[k]->serial, 0});
    }
    slots_ = std::move(now);
}

void FleetEvents::observe(const std::vector<std::unique_ptr<Instance>>& fleet, double wall_now,
                          std::vector<Event>& out) {
    align(fleet);
    for (std::size_t k = 0; k < fleet.size(); ++k) {
        const Instance& inst = *fleet[k];
        Slot& slot = slots_[k];
        if (inst.polls_stored == slot.seen) continue;  // nothing new stored
        slot.seen = inst.polls_stored;
        if (inst.last_ok) slot.tracker.update(inst.snapshot, inst.last_ok_wall, inst.target.name, out);
        else slot.tracker.failure(inst.error, wall_now, inst.target.name, out);
    }
}

}  // namespace uwsgitop
