// fleet_events.hpp — the events of a fleet: one EventTracker per instance,
// fed with each instance's newest poll result.
//
// Contracts:
//   * each instance has its own tracker, followed by Instance::serial
//     across changes of the fleet: an instance added later starts with its
//     own first snapshot (no event), one that left takes its tracker along;
//   * observe() feeds an instance only when a poll outcome was stored since
//     the last observe() (its polls_stored moved), so calling it after every
//     round, or at any hand-over between rounds, never counts one poll twice
//     and feeds a late outcome (a hung member's timeout) when it lands;
//   * a good poll feeds its snapshot at its recorded wall time, a failed one
//     the error at `wall_now`: `down` once after a success, `up` when it
//     answers again — the same events as --format events on each address.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "uwsgitop/events/events.hpp"
#include "uwsgitop/fleet/fleet.hpp"

namespace uwsgitop {

class FleetEvents {
public:
    explicit FleetEvents(EventOptions options = {}) : options_(options) {}

    // Appends to `out` the events of every instance polled since the last call.
    void observe(const std::vector<std::unique_ptr<Instance>>& fleet, double wall_now, std::vector<Event>& out);

private:
    struct Slot {
        EventTracker tracker;
        uint64_t serial = 0;   // the instance's (Instance::serial)
        uint64_t seen = 0;     // its polls_stored fed so far
    };
    void align(const std::vector<std::unique_ptr<Instance>>& fleet);

    EventOptions options_;
    std::vector<Slot> slots_;   // parallel to the fleet
};

}  // namespace uwsgitop
