// fleet_events.cpp — one EventTracker per fleet instance (see fleet_events.hpp).
#include "uwsgitop/fleet/fleet_events.hpp"

namespace uwsgitop {

void FleetEvents::observe(const std::vector<std::unique_ptr<Instance>>& fleet, double wall_now,
                          std::vector<Event>& out) {
    while (trackers_.size() < fleet.size()) {
        trackers_.emplace_back(options_);
        seen_poll_.push_back(-1);
    }
    for (std::size_t k = 0; k < fleet.size(); ++k) {
        const Instance& inst = *fleet[k];
        if (inst.last_poll_mono == seen_poll_[k]) continue;  // not polled since
        seen_poll_[k] = inst.last_poll_mono;
        if (inst.last_ok) trackers_[k].update(inst.snapshot, inst.last_ok_wall, inst.target.name, out);
        else trackers_[k].failure(inst.error, wall_now, inst.target.name, out);
    }
}

}  // namespace uwsgitop
