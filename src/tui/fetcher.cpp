// fetcher.cpp — the background fetch thread and the slot hand-off (see fetcher.hpp).
#include "uwsgitop/tui/fetcher.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>

#include "uwsgitop/source/frame.hpp"
#include "uwsgitop/tui/deadline.hpp"
#include "uwsgitop/tui/signals.hpp"

namespace uwsgitop::tui {

namespace {

using Clock = SteadyClock;

}  // namespace

double backoff_delay(double interval, int failures) {
    if (failures <= 0) return interval;
    const double cap = std::max(kMaxBackoff, interval);
    const double d = interval * std::ldexp(1.0, std::min(failures - 1, 30));
    return std::min(d, cap);
}

Fetcher::Fetcher(Pipeline& pipeline) : pipeline_(pipeline) {}

Fetcher::~Fetcher() {
    if (thread_.joinable()) {
        {
            std::lock_guard lk(mu_);
            stop_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }
}

void Fetcher::start(double interval, bool paused) {
    interval_ = interval;
    paused_ = paused;
    // The thread must not take the signals meant for the UI (Ctrl-C, resize, SIGTERM).
    thread_ = start_without_screen_signals([this] { run(); });
}

void Fetcher::configure(double interval, bool paused) {
    {
        std::lock_guard lk(mu_);
        if (interval == interval_ && paused == paused_) return;
        interval_ = interval;
        paused_ = paused;
        ++config_gen_;
    }
    cv_.notify_all();
}

void Fetcher::set_speed(double speed) {
    {
        std::lock_guard lk(mu_);
        if (speed == speed_) return;
        speed_ = speed;
        ++config_gen_;
    }
    cv_.notify_all();
}

// With the lock held, on the thread: true when a new speed went to the source.
bool Fetcher::apply_speed() {
    if (speed_ < 0 || speed_ == speed_applied_) return false;
    speed_applied_ = speed_;
    pipeline_.source().set_speed(speed_);
    return true;
}

void Fetcher::want_cores(bool on) {
    {
        std::lock_guard lk(mu_);
        if (on == want_cores_) return;
        want_cores_ = on;
        fetch_now_ = on;  // no longer wanted: no reason to fetch early
    }
    cv_.notify_all();
}

bool Fetcher::take(Slot& shown, bool paused) {
    std::lock_guard lk(mu_);
    if (!ready_full_ || (paused && !slot_.travelled)) return false;
    std::swap(shown, slot_);
    shown_pos_ = shown.position;
    ready_full_ = false;
    cv_.notify_all();
    return true;
}

void Fetcher::travel(const Travel& travel) {
    {
        std::lock_guard lk(mu_);
        travels_.push_back(travel);
    }
    cv_.notify_all();
}

// Called with the lock held and travels_ not empty; returns with it held.
void Fetcher::travel_now(std::unique_lock<std::mutex>& lk) {
    // From the travel result not taken yet, else from the snapshot on screen.
    std::optional<RecordPosition> from = (ready_full_ && slot_.travelled) ? slot_.position : shown_pos_;
    std::vector<Travel> todo;
    todo.swap(travels_);
    ready_full_ = false;  // an untaken forward snapshot is dropped; the slot is ours
    lk.unlock();
    Status st = Status::ok();
    if (!from) from = pipeline_.source().position();
    if (!from) {
        st = Status::fail(pipeline_.label() + ": not a recording with times");
    } else {
        // One seek per queued move (a seek is a parse or two: instant), each
        // from where the one before went.
        RecordPosition at = *from;
        for (const Travel& t : todo) {
            st = pipeline_.seek(pipeline_.travel_target(at, t), slot_.snap, slot_.rates);
            if (!st) break;
            if (const auto p = pipeline_.source().position()) at = *p;
        }
    }
    const double wall = pipeline_.last_wall_time();
    const bool ended = pipeline_.source().exhausted();
    const std::optional<RecordPosition> pos = pipeline_.source().position();
    lk.lock();
    settle(st, wall, pos, true, ended);
    ended_ = ended;
}

void Fetcher::settle(const Status& st, double wall, const std::optional<RecordPosition>& pos, bool travelled,
                     bool ended) {
    idle_released_ = false;  // the buffers were used again
    slot_released_ = false;
    if (st) {
        slot_.wall_time = wall;
        slot_.position = pos;
        slot_.travelled = travelled;
        slot_.mono_time = monotonic_seconds();
        ready_full_ = true;
    }
    ++report_.seq;
    report_.ok = st.is_ok();
    report_.message = st.message();
    report_.ended = ended;
    ready_.signal();
}

bool Fetcher::poll(uint64_t& seen, FetchReport& out) {
    ready_.drain();  // before the look: a report after it signals again
    std::lock_guard lk(mu_);
    if (report_.seq == seen) return false;
    seen = report_.seq;
    out.seq = report_.seq;
    out.ok = report_.ok;
    out.message.assign(report_.message);
    out.ended = report_.ended;
    return true;
}

bool Fetcher::stop(double wait_seconds) {
    std::unique_lock lk(mu_);
    stop_ = true;
    cv_.notify_all();
    const bool finished =
        cv_.wait_until(lk, deadline_after(Clock::now(), wait_seconds), [this] { return done_; });
    lk.unlock();
    if (finished && thread_.joinable()) thread_.join();
    return finished;
}

// Called with the lock held; drops it while releasing, returns with it held.
// `slot_too` only while slot_idle() (then the slot is this thread's alone).
void Fetcher::release_idle(std::unique_lock<std::mutex>& lk, bool slot_too) {
    const bool pipeline_too = !idle_released_;
    lk.unlock();
    if (pipeline_too) pipeline_.release_idle();
    if (slot_too) {
        slot_.snap.release();
        slot_.rates.release();
    }
    lk.lock();
    idle_released_ = true;
    if (slot_too) slot_released_ = true;
}

void Fetcher::run() {
    int failures = 0;
    std::optional<Clock::time_point> last_early;  // the start of the last fetch made for want_cores
    std::unique_lock lk(mu_);
    while (!stop_) {
        if (!travels_.empty()) {
            travel_now(lk);
            continue;
        }
        if (paused_ || ended_) {
            // No fetch until resumed (or travel): the pipeline's buffers, and
            // the slot if the UI took what it held, are dead meanwhile.
            if (!stop_ && (!idle_released_ || slot_idle())) {
                release_idle(lk, slot_idle());
                continue;  // the lock was dropped: look again
            }
            cv_.wait(lk, [this] { return stop_ || !travels_.empty() || (!paused_ && !ended_) || slot_idle(); });
            continue;
        }
        // The slot is ours again only once the UI took the last snapshot.
        if (ready_full_) {
            cv_.wait(lk, [this] { return stop_ || !ready_full_ || !travels_.empty(); });
            continue;
        }
        const auto started = Clock::now();
        const ParseScope scope = want_cores_ ? ParseScope::Everything : ParseScope::NoCores;
        if (fetch_now_) {
            last_early = started;
            fetch_now_ = false;
        }
        apply_speed();
        lk.unlock();
        // While !ready_full_ the slot belongs to this thread alone.
        pipeline_.set_scope(scope);
        const Status st = pipeline_.refresh(slot_.snap, slot_.rates);
        const double wall = pipeline_.last_wall_time();
        const bool ended = pipeline_.source().exhausted();
        std::optional<double> pace = pipeline_.source().delay_before_next();
        const std::optional<RecordPosition> pos = pipeline_.source().position();
        const auto finished = Clock::now();
        lk.lock();
        settle(st, wall, pos, false, ended);
        failures = st ? 0 : failures + 1;
        if (ended) {
            if (!pos) break;  // nothing to travel through: the work is done
            ended_ = true;    // a replay stays for travel
            continue;
        }
        // Wait for the next fetch; a new configuration or a change of
        // fetch_now_ recomputes the deadline (a resume from pause fetches at
        // once, via the paused_ branch above).
        for (;;) {
            if (apply_speed()) pace = pipeline_.source().delay_before_next();
            Clock::time_point deadline;
            if (failures > 0) deadline = deadline_after(finished, backoff_delay(interval_, failures));
            else if (pace) deadline = deadline_after(finished, *pace);
            else deadline = deadline_after(started, interval_);
            if (fetch_now_) {
                const auto soonest = last_early ? deadline_after(*last_early, std::min(interval_, kEarlyFetchSpacing))
                                                : Clock::now();
                deadline = std::min(deadline, soonest);
            }
            // A long wait: give the dead buffers' pages back, the pipeline's
            // at once and the slot's once the UI has taken the snapshot.
            const bool long_wait = deadline >= deadline_after(Clock::now(), kIdleRelease);
            if (long_wait && !stop_ && (!idle_released_ || slot_idle())) {
                release_idle(lk, slot_idle());
                continue;  // the lock was dropped: look again
            }
            const uint64_t gen = config_gen_;
            const bool now_was = fetch_now_;
            if (cv_.wait_until(lk, deadline, [&] {
                    return stop_ || config_gen_ != gen || fetch_now_ != now_was || !travels_.empty() ||
                           (long_wait && slot_idle());
                })) {
                if (stop_ || paused_ || !travels_.empty()) break;
                continue;  // new interval or cores wanted: new deadline
            }
            break;  // deadline reached
        }
    }
    done_ = true;
    cv_.notify_all();
}

}  // namespace uwsgitop::tui
