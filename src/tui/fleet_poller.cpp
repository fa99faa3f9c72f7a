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
    : fleet_(fleet),
      concurrency_(std::max(1u, concurrency)),
      limits_(limits),
      follow_vassals_(follow_vassals),
      follower_(limits, concurrency_, ParseScope::NoCores),
      poll_(concurrency_) {
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
    // Not polled here: the next round asks them with the others (see fleet.hpp).
    add_targets(fleet_, more, limits_, concurrency_, ParseScope::NoCores, false);
    if (!follow_vassals_) return;
    std::vector<std::string> notices;
    follower_.follow(fleet_, false, &notices);
    if (!notices.empty()) {
        std::lock_guard lk(mu_);
        for (std::string& line : notices) notices_shared_.push_back(std::move(line));
    }
}

FleetPoller::~FleetPoller() {
    if (thread_.joinable()) {
        {
            std::lock_guard lk(mu_);
            stop_ = true;
        }
        cv_.notify_all();
        poll_.wake();
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
    poll_.wake();
}

bool FleetPoller::take(std::vector<FleetRow>& out, bool* new_round) {
    std::lock_guard lk(mu_);
    if (!ready_) return false;
    out.swap(shared_);
    if (new_round) *new_round = ready_round_;
    ready_ = false;
    ready_round_ = false;
    return true;
}

void FleetPoller::enable_events(const EventOptions& options) { events_ = std::make_unique<FleetEvents>(options); }

void FleetPoller::take_notices(std::vector<std::string>& out) {
    std::lock_guard lk(mu_);
    for (std::string& line : notices_shared_) out.push_back(std::move(line));
    notices_shared_.clear();
}

void FleetPoller::take_events(std::vector<Event>& out) {
    std::lock_guard lk(mu_);
    for (Event& e : events_shared_) out.push_back(std::move(e));
    events_shared_.clear();
}

bool FleetPoller::stop(double wait_seconds) {
    std::unique_lock lk(mu_);
    stop_ = true;
    cv_.notify_all();
    poll_.wake();
    const bool finished = cv_.wait_until(lk, deadline_after(Clock::now(), wait_seconds), [this] { return done_; });
    lk.unlock();
    if (finished && thread_.joinable()) thread_.join();
    return finished;
}

void FleetPoller::publish(std::vector<FleetRow>& mine, bool round) {
    if (round) grow();
    make_fleet_rows(fleet_, monotonic_seconds(), mine);
    if (events_) events_->observe(fleet_, wall_clock_seconds(), fresh_);
    std::lock_guard lk(mu_);
    for (Event& e : fresh_) events_shared_.push_back(std::move(e));
    fresh_.clear();
    if (events_shared_.size() > kEventLogSize) {
        events_shared_.erase(events_shared_.begin(),
                             events_shared_.begin() + static_cast<std::ptrdiff_t>(events_shared_.size() - kEventLogSize));
    }
    // Hand over: the UI gets these rows; the buffer it last gave back (or
    // older unread rows) is reused for the next ones.
    shared_.swap(mine);
    ready_ = true;
    ready_round_ = ready_round_ || round;
}

void FleetPoller::run() {
    std::vector<FleetRow> mine;
    std::unique_lock lk(mu_);
    while (!stop_) {
        if (paused_) {
            cv_.wait(lk, [this] { return stop_ || !paused_; });
            continue;
        }
        const double started = monotonic_seconds();
        double interval = interval_;
        lk.unlock();
        poll_.start_round(fleet_);
        bool published = false;   // this round's rows handed over
        bool dirty = false;       // fetches stored since the last hand-over
        double last_publish = started;
        for (;;) {
            const double batch = std::min(kPublishBatch, interval * 0.5);
            const double next_round = started + interval;
            double until = next_round;
            FleetPoll::Until when = FleetPoll::Until::AnyStored;
            if (!published) {
                until = std::min(until, started + batch);
                when = FleetPoll::Until::RoundDone;
            } else if (dirty) {
                until = std::min(until, last_publish + batch);
                when = FleetPoll::Until::Deadline;
            }
            dirty = poll_.run_until(until, when) > 0 || dirty;
            const double now = monotonic_seconds();
            const bool hand_over = !published ? poll_.round_pending() == 0 || now >= started + batch
                                              : dirty && now >= last_publish + batch;
            if (hand_over) {
                publish(mine, !published);
                published = true;
                dirty = false;
                last_publish = now;
            }
            lk.lock();
            if (stop_ || (paused_ && published)) break;
            interval = interval_;
            if (published && monotonic_seconds() >= started + interval) break;
            lk.unlock();
        }
    }
    done_ = true;
    cv_.notify_all();
}

}  // namespace uwsgitop::tui
