// fleet_poller.hpp — polling a fleet off the UI thread.
//
// One background thread owns the Instances (the UI never touches them once
// start() ran). Every `interval` seconds (from the start of the previous
// round; a round slower than that is followed by the next at once) it runs
// poll_fleet() — concurrent, at most `concurrency` fetches in flight, each
// bounded by its own timeout — then builds the screen's rows
// (make_fleet_rows) into its own buffer and, under the mutex, swaps that
// buffer with the shared one. take() swaps the shared buffer out to the UI.
// The lock is only held for those swaps, never during a fetch, so the UI
// answers keys at once even when targets hang. The fleet table uses no
// core data, so every instance is parsed with ParseScope::NoCores (Enter
// opens a screen with a pipeline of its own, which reads what it shows).
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
// already polled); after the round in flight the thread polls it once and
// appends it, so it shows in the next rows. With
// `follow_vassals`, every Emperor that answers is expanded once: its
// discoverable vassals (vassal_discovery.hpp) are added the same way.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "uwsgitop/fleet/fleet.hpp"
#include "uwsgitop/fleet/fleet_events.hpp"
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
    // Moves the newest round's rows into `out` (true when there was one).
    bool take(std::vector<FleetRow>& out);
    // Queues a target for the next round (see top).
    void add(const Target& target);
    // Derive the instances' events from every round (see top); before start().
    void enable_events(const EventOptions& options);
    // Moves the events raised since the last call to the end of `out`.
    void take_events(std::vector<Event>& out);
    // Asks the thread to stop; true if it ended within `wait_seconds` (then
    // it is joined). A round in flight only ends by its fetches' timeouts.
    bool stop(double wait_seconds);

private:
    void run();
    void grow();   // poll thread: polls and appends queued and followed targets

    std::vector<std::unique_ptr<Instance>>& fleet_;
    unsigned concurrency_;
    FetchLimits limits_;
    bool follow_vassals_;
    std::vector<Target> pending_;          // under mu_
    std::vector<std::string> expanded_;    // poll thread: emperors already followed
    double interval_ = 1.0;                // under mu_
    bool paused_ = false;                  // under mu_
    std::thread thread_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<FleetRow> shared_;
    std::unique_ptr<FleetEvents> events_;  // poll thread, once started
    std::vector<Event> fresh_;             // poll thread
    std::vector<Event> events_shared_;     // under mu_
    bool ready_ = false;
    bool stop_ = false;
    bool done_ = false;
};

}  // namespace uwsgitop::tui
