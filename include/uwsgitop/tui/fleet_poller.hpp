// fleet_poller.hpp — polling a fleet off the UI thread.
//
// One background thread owns the Instances (the UI never touches them once
// start() ran). Every `interval` seconds (from the start of the previous
// round; a round slower than that is followed by the next at once) it
// starts a FleetPoll round (fleet_poll.hpp): a fetch for every instance that
// has none in flight — one epoll loop for the socket targets, at most
// `concurrency` threads for the others, each fetch bounded by its own
// timeout. A fetch still going when the next round starts is left to finish
// (or time out) on its own, so an instance that accepts and never answers
// does not hold up the others: it keeps its last state and turns down when
// its timeout passes. The round's rows (make_fleet_rows) are handed over as
// soon as every fetch of the round has ended, or half an interval (at most
// kPublishBatch) after it started with what has ended by then; fetches that
// end later are handed over in batches at most kPublishBatch apart, marked
// as not a new round (take()'s `new_round`: no new history sample). A hand-
// over builds the rows into the thread's own buffer and, under the mutex,
// swaps that buffer with the shared one. take() swaps the shared buffer out
// to the UI. The lock is only held for those swaps, never during a fetch,
// so the UI answers keys at once even when targets hang. The fleet table
// uses no core data, so every instance is parsed with ParseScope::NoCores
// (Enter opens a screen with a pipeline of its own, which reads what it
// shows).
//
// Paused (start or configure): no round at all until resumed, so the
// targets get no load; a round already in flight still finishes and is
// handed over. Resuming starts a round at once; a new interval moves the
// deadline of the wait in progress (counted from the last round's start).
//
// Events (enable_events, before start): after each round the thread feeds
// a FleetEvents (fleet/fleet_events.hpp) and queues what it raised;
// take_events() moves the queue out. At most kEventLogSize are queued (the
// oldest dropped), so a UI that does not take them holds bounded memory.
//
// Growing the fleet: add() queues a target (ignored when its address is
// already polled); when the round in flight is handed over the thread
// appends it (shown as polling) and the next round asks it with the others,
// so a new member that never answers delays nobody. With
// `follow_vassals`, the fleet follows every Emperor that answers, after
// each round (vassal_follow.hpp): its new vassals are added the same way,
// the vassals it no longer lists leave the fleet (an instance with a fetch
// in flight is freed once that fetch ended); a vassal whose stats address
// is refused or whose config file is skipped is a line for take_notices(),
// once.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "uwsgitop/fleet/fleet.hpp"
#include "uwsgitop/fleet/fleet_events.hpp"
#include "uwsgitop/fleet/fleet_poll.hpp"
#include "uwsgitop/fleet/vassal_follow.hpp"
#include "uwsgitop/tui/fleet_view.hpp"

namespace uwsgitop::tui {

class FleetPoller {
public:
    FleetPoller(std::vector<std::unique_ptr<Instance>>& fleet, unsigned concurrency, const FetchLimits& limits,
                bool follow_vassals);
    ~FleetPoller();
    FleetPoller(const FleetPoller&) = delete;
    FleetPoller& operator=(const FleetPoller&) = delete;

    void start(double interval, bool paused = false);
    // New interval or pause state; wakes the thread (see top).
    void configure(double interval, bool paused);
    // Moves the newest rows into `out` (true when there were new ones);
    // `new_round` says whether a round was handed over since the last take
    // (false: only fetches that ended late, between rounds).
    bool take(std::vector<FleetRow>& out, bool* new_round = nullptr);
    // Queues a target for the next round (see top).
    void add(const Target& target);
    // Moves out the lines about vassals whose stats address was refused or
    // whose config file was skipped (vassal_discovery.hpp), each once.
    void take_notices(std::vector<std::string>& out);
    // Derive the instances' events from every round (see top); before start().
    void enable_events(const EventOptions& options);
    // Moves the events raised since the last call to the end of `out`.
    void take_events(std::vector<Event>& out);
    // Asks the thread to stop; true if it ended within `wait_seconds` (then
    // it is joined). The wait for a round ends at once; the socket fetches in
    // flight are abandoned when the poller is destroyed, a blocking one (host
    // name, http(s)) ends by its timeout.
    bool stop(double wait_seconds);

private:
    void run();
    void grow();   // poll thread: polls and appends queued and followed targets
    void publish(std::vector<FleetRow>& mine, bool round);   // poll thread: grow, rows, hand over

    // Rows are handed over at most this often (and at half the interval)
    // while fetches keep ending.
    static constexpr double kPublishBatch = 0.5;

    std::vector<std::unique_ptr<Instance>>& fleet_;
    unsigned concurrency_;
    FetchLimits limits_;
    bool follow_vassals_;
    std::vector<Target> pending_;          // under mu_
    VassalFollower follower_;              // poll thread; declared before poll_, which may use its retired instances
    double interval_ = 1.0;                // under mu_
    bool paused_ = false;                  // under mu_
    std::thread thread_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<FleetRow> shared_;
    std::unique_ptr<FleetEvents> events_;  // poll thread, once started
    std::vector<Event> fresh_;             // poll thread
    std::vector<Event> events_shared_;     // under mu_
    std::vector<std::string> notices_shared_;  // under mu_: refused vassals, one line each
    bool ready_ = false;
    bool ready_round_ = false;   // a round among the hand-overs not taken yet
    bool stop_ = false;
    bool done_ = false;
    FleetPoll poll_;   // declared last: destroyed first, while the instances live
};

}  // namespace uwsgitop::tui
