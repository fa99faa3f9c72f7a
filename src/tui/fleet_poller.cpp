// fleet_poller.cpp — the fleet polling thread (see fleet_poller.hpp).
#include "uwsgitop/tui/fleet_poller.hpp"

#include <algorithm>
#include <chrono>

#include "uwsgitop/source/frame.hpp"
#include "uwsgitop/tui/deadline.hpp"
#include "uwsgitop/tui/event_log.hpp"
#include "uwsgitop/tui/signals.hpp"

namespace uwsgitop::tui {

namespace {

using Clock = SteadyClock;

}  // namespace

FleetPoller::FleetPoller(std::vector<std::unique_ptr<Instance>>& fleet, unsigned concurrency,
                         const FetchLimits& limits, bool follow_vassals)
    : fleet_(fleet), concurrency_(std::max(1u, concurrency)), limits_(limits), follow_vassals_(follow_vassals) {
    for (auto& inst : fleet_) inst->pipeline->set_scope(ParseScope::NoCores);
}

void FleetPoller::add(const Target& target) {
    std::lock_guard lk(mu_);
    pending_.push_back(target);
}

void FleetPoller::grow() {
    std::vector<Target> more;
    {
        std::lock_guard lk(mu_);
        more.swap(pending_);
    }
    if (follow_vassals_) collect_vassal_targets(fleet_, expanded_, more);
    add_targets(fleet_, more, limits_, concurrency_, ParseScope::NoCores);
}

FleetPoller::~FleetPoller() {
    if (thread_.joinable()) {
        {
            std::lock_guard lk(mu_);
            stop_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }
}

void FleetPoller::start(double interval, bool paused) {
    interval_ = interval;
    paused_ = paused;
    // Signals are for the UI thread (and the pool threads inherit this mask).
    thread_ = start_without_screen_signals([this] { run(); });
}

void FleetPoller::configure(double interval, bool paused) {
    {
        std::lock_guard lk(mu_);
        interval_ = interval;
        paused_ = paused;
    }
    cv_.notify_all();
}

bool FleetPoller::take(std::vector<FleetRow>& out) {
    std::lock_guard lk(mu_);
    if (!ready_) return false;
    out.swap(shared_);
    ready_ = false;
    return true;
}

void FleetPoller::enable_events(const EventOptions& options) { events_ = std::make_unique<FleetEvents>(options); }

void FleetPoller::take_events(std::vector<Event>& out) {
    std::lock_guard lk(mu_);
    for (Event& e : events_shared_) out.push_back(std::move(e));
    events_shared_.clear();
}

bool FleetPoller::stop(double wait_seconds) {
    std::unique_lock lk(mu_);
    stop_ = true;
    cv_.notify_all();
    const bool finished = cv_.wait_until(lk, deadline_after(Clock::now(), wait_seconds), [this] { return done_; });
    lk.unlock();
    if (finished && thread_.joinable()) thread_.join();
    return finished;
}

void FleetPoller::run() {
    std::vector<FleetRow> mine;
    std::unique_lock lk(mu_);
    while (!stop_) {
        if (paused_) {
            cv_.wait(lk, [this] { return stop_ || !paused_; });
            continue;
        }
        const auto started = Clock::now();
        lk.unlock();
        poll_fleet(fleet_, concurrency_);
        grow();
        make_fleet_rows(fleet_, monotonic_seconds(), mine);
        if (events_) events_->observe(fleet_, wall_clock_seconds(), fresh_);
        lk.lock();
        for (Event& e : fresh_) events_shared_.push_back(std::move(e));
        fresh_.clear();
        if (events_shared_.size() > kEventLogSize) {
            events_shared_.erase(events_shared_.begin(),
                                 events_shared_.begin() + static_cast<std::ptrdiff_t>(events_shared_.size() - kEventLogSize));
        }
        // Hand over: the UI gets this round; the buffer it last gave back
        // (or an older unread round) is reused for the next one.
        shared_.swap(mine);
        ready_ = true;
        // Until the next round: a new interval moves the deadline; a pause
        // ends the wait (the top of the loop then waits for the resume).
        for (double wait = interval_;; wait = interval_) {
            const bool woken =
                cv_.wait_until(lk, deadline_after(started, wait), [&] { return stop_ || paused_ || interval_ != wait; });
            if (!woken || stop_ || paused_) break;
        }
    }
    done_ = true;
    cv_.notify_all();
}

}  // namespace uwsgitop::tui
