// event_log.hpp — the screen's events: the events/ stage's EventTracker fed
// with every snapshot the screen shows and every failed read, and the last
// kEventLogSize events it raised, for the events pane, the status-line
// notice and a worker's details.
//
// The events are exactly those of --format events (one EventTracker, the
// same thresholds from settings/event_options.hpp); nothing here decides
// what an event is. Contracts:
//   * bounded: at most `capacity` events are kept (kEventLogSize unless
//     told), the oldest dropped first; total() counts every event ever added;
//   * newest(0) is the newest event; each has a serial number that never
//     repeats (selection follows it);
//   * exceptions fold: an `exceptions` event of an instance's worker within
//     kFoldSeconds of the first one its line holds joins that line (the
//     counts add up, the total and time are the newest, the text says over
//     how long), which moves to the top keeping its serial; so an app that
//     raises all the time adds one line per worker per minute, not one a
//     second, and the other events stay in view;
//   * a snapshot older than the one before it (a recording stepped back)
//     starts the tracker over and drops the kept events newer than it: they
//     come back when the recording plays forward again;
//   * texts are as the server sent them: value() hands them to the pane's
//     formatting, which escapes; callers that print them escape them
//     (base/text.hpp);
//   * after jumped() (the screen travelled to a snapshot that is not the
//     next one of the recording) the next snapshot starts the tracker over:
//     no event is raised between two snapshots that are not neighbours;
//   * wants_cores(): a worker was busy in two successive snapshots without
//     finishing a request (a long request, the kind harakiri kills); the
//     screen then reads the cores, so a harakiri event can name the request
//     it killed (method, URI). Otherwise the worker table's cheap read
//     without cores stays as it was.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "uwsgitop/events/events.hpp"
#include "uwsgitop/view/columns.hpp"

namespace uwsgitop::tui {

constexpr std::size_t kEventLogSize = 1000;
constexpr double kFoldSeconds = 60;

// Columns of the events pane, in the order of its PaneColumn list (panes.cpp).
enum class EventColumn : uint32_t { Time, Instance, Kind, Worker, Text, Count_ };

struct LoggedEvent {
    Event event;
    std::string text;  // event_text(event), raw
    uint64_t serial = 0;
    double since = 0;     // the first folded event's time (exceptions), else event.time
    int folded = 1;       // events this line holds
};

class EventLog {
public:
    explicit EventLog(EventOptions options = {}, std::size_t capacity = kEventLogSize);

    // The snapshot now shown, taken at wall-clock (or recorded) time `wall`;
    // returns how many events it raised.
    std::size_t on_snapshot(const Snapshot& snap, double wall, std::string_view instance);
    // A failed read at wall-clock `wall`; returns 1 for the `down` after a
    // success, else 0.
    std::size_t on_failure(std::string_view error, double wall, std::string_view instance);

    // The next snapshot is not the neighbour of the last one (a travel jump).
    void jumped();
    // Events raised elsewhere (the fleet's per-instance trackers, see
    // fleet/fleet_events.hpp), kept as this log's own; `fresh` is emptied.
    std::size_t add(std::vector<Event>& fresh);
    // Offers the newest stuck and harakiri events that have no stack yet to
    // `attach` (capture_reader.hpp); true when one got its stack.
    bool attach_stacks(const std::function<bool(Event&)>& attach);

    bool empty() const { return ring_.empty(); }
    std::size_t size() const { return ring_.size(); }
    std::size_t capacity() const { return capacity_; }
    uint64_t total() const { return handed_; }   // folded ones too
    // i = 0 is the newest; i < size().
    const LoggedEvent& newest(std::size_t i) const { return ring_[ring_.size() - 1 - i]; }
    // The pane's cell: row as newest(), col an EventColumn. Text values
    // point into the log: valid until the next on_snapshot/on_failure.
    Value value(std::size_t row, uint32_t col) const;
    bool wants_cores() const { return wants_cores_; }

private:
    bool fold(Event& e);   // into the line of its worker's recent exceptions

    EventTracker tracker_;
    std::size_t capacity_;
    std::deque<LoggedEvent> ring_;  // oldest first
    std::vector<Event> fresh_;
    uint64_t next_serial_ = 0;
    uint64_t handed_ = 0;
    bool have_last_ = false;
    double last_wall_ = 0;
    bool wants_cores_ = false;
    std::vector<std::pair<int64_t, int64_t>> busy_;  // (worker id, requests) busy in the last snapshot
    std::vector<std::pair<int64_t, int64_t>> busy_next_;
};

}  // namespace uwsgitop::tui
