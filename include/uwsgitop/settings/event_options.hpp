// event_options.hpp — the event thresholds the options set, as the events/
// stage takes them (--event-queue-share PCT -> a share, --event-exceptions N).
// One function, so --format events and the screen's events pane derive the
// same events from the same snapshots.
#pragma once

#include "uwsgitop/events/events.hpp"
#include "uwsgitop/settings/options.hpp"

namespace uwsgitop {

inline EventOptions event_options(const Options& o) {
    EventOptions e;
    e.listen_queue_share = o.event_queue_share / 100.0;
    e.exceptions_threshold = o.event_exceptions;
    e.stuck_after = o.stuck_after;
    return e;
}

}  // namespace uwsgitop
