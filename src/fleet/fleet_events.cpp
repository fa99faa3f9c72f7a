// fleet_events.cpp — one EventTracker per fleet instance (see fleet_events.hpp).
#include "uwsgitop/fleet/fleet_events.hpp"

namespace uwsgitop {

void FleetEvents::observe(const std::vector<std::unique_ptr<Instance>>& fleet, double wall_now,
                          std::vector<Event>& out) {
    while (trackers_.size() < fleet.size()) {
        trackers_.emplace_back(options_);
        seen_polls_.push_back(0);
    }
    for (std::size_t k = 0; k < fleet.size(); ++k) {
        const Instance& inst = *fleet[k];
        if (inst.polls_stored == seen_polls_[k]) continue;  // nothing new stored
        seen_polls_[k] = inst.polls_stored;
        if (inst.last_ok) trackers_[k].update(inst.snapshot, inst.last_ok_wall, inst.target.name, out);
        else trackers_[k].failure(inst.error, wall_now, inst.target.name, out);
    }
}

}  // namespace uwsgitop
