// shared_poll.cpp — single-flight polls of the fleet (see shared_poll.hpp).
#include "uwsgitop/serve/shared_poll.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string_view>
#include <unordered_set>

#include "uwsgitop/base/clock.hpp"
#include "uwsgitop/base/text.hpp"
#include "uwsgitop/serve/gzip_body.hpp"

namespace uwsgitop {

namespace {

constexpr const char* kDeadlineError = "no answer within the scrape's deadline";

// What a target that is still polling at the deadline looks like in the
// answer: its name and address, down.
std::unique_ptr<Instance> stand_in(const Instance& polling) {
    auto c = std::make_unique<Instance>();
    c->target = polling.target;
    c->last_ok = false;
    c->error = kDeadlineError;
    return c;
}

}  // namespace

const std::string& PollAnswer::gzipped(bool om) const {
    const std::size_t i = om ? 1 : 0;
    std::call_once(gzip_once_[i], [&] { gzipped_[i] = gzip(om ? openmetrics : classic); });
    return gzipped_[i];
}

SharedPoll::SharedPoll(std::vector<std::unique_ptr<Instance>>& fleet, unsigned concurrency, PrometheusOptions format,
                       std::function<void()> after_poll, ServeLog* log)
    : fleet_(fleet),
      concurrency_(std::max(1u, concurrency)),
      format_(format),
      after_poll_(std::move(after_poll)),
      log_(log),
      poll_(concurrency_) {
    targets_ = fleet_.size();
    thread_ = std::thread([this] { run(); });
}

void SharedPoll::replace_targets(std::vector<std::unique_ptr<Instance>> fresh, std::function<void()> taken) {
    std::lock_guard<std::mutex> lock(mutex_);
    targets_ = fresh.size();
    replacement_ = std::move(fresh);
    replacement_taken_ = std::move(taken);
    has_replacement_ = true;
}

void SharedPoll::take_replacement() {
    std::vector<std::unique_ptr<Instance>> fresh;
    std::function<void()> taken;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!has_replacement_) return;
        fresh = std::move(replacement_);
        replacement_.clear();
        taken = std::move(replacement_taken_);
        replacement_taken_ = nullptr;
        has_replacement_ = false;
    }
    for (auto& inst : fresh) {
        auto same = std::find_if(fleet_.begin(), fleet_.end(), [&](const std::unique_ptr<Instance>& old) {
            return old && old->target.name == inst->target.name && old->target.address == inst->target.address;
        });
        if (same != fleet_.end()) inst = std::move(*same);
    }
    for (auto& old : fleet_) {
        if (old) retired_.push_back(std::move(old));
    }
    fleet_ = std::move(fresh);
    forget_gone_targets();
    if (taken) taken();
}

// The per-target failure counts of addresses no longer in the fleet are
// dropped (not exported any more).
void SharedPoll::forget_gone_targets() {
    std::unordered_set<std::string_view> addresses;
    addresses.reserve(fleet_.size());
    for (const auto& inst : fleet_) addresses.insert(inst->target.address);
    auto gone = [&](const SelfMetrics::TargetFailures& row) { return addresses.count(row.target.address) == 0; };
    self_.per_target.erase(std::remove_if(self_.per_target.begin(), self_.per_target.end(), gone),
                           self_.per_target.end());
}

// After after_poll_ (it may add and remove instances: --follow-vassals).
void SharedPoll::fleet_changed() {
    targets_ = fleet_.size();
    // record_poll keeps row i for fleet_[i]: rows in step need nothing.
    const auto& rows = self_.per_target;
    bool in_step = rows.size() <= fleet_.size();
    for (std::size_t i = 0; in_step && i < rows.size(); ++i) in_step = rows[i].target.address == fleet_[i]->target.address;
    if (!in_step) forget_gone_targets();
}

SharedPoll::~SharedPoll() { stop(); }

void SharedPoll::stop() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    stop_requested_ = true;
    cv_.notify_all();
    poll_.wake();
    if (thread_.joinable()) thread_.join();
}

std::shared_ptr<const PollAnswer> SharedPoll::last() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return last_;
}

bool SharedPoll::stopping() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stopping_;
}

std::shared_ptr<const PollAnswer> SharedPoll::scrape(double deadline) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (stopping_) return nullptr;
    unsigned long want = in_flight_;
    if (want == 0) {
        // Ask for the next poll, or join the one asked for that has not
        // started yet (the previous poll's stragglers are finishing).
        if (requested_ == answered_) ++requested_;
        want = requested_;
        pending_deadlines_.push_back(deadline);
        cv_.notify_all();
    } else if (deadline != flight_deadline_) {
        // The poll runs to its latest scrape's deadline; the earlier ones
        // get interim answers (a scrape with a short deadline never cuts
        // a longer one's short).
        joined_.push_back(std::min(deadline, flight_deadline_));
        flight_deadline_ = std::max(deadline, flight_deadline_);
        poll_.wake();
    }
    auto interim_for_us = [&] {
        return interim_ && interim_->poll == want && interim_at_ >= deadline - kInterimSlack;
    };
    auto ready = [&] { return stopping_ || answered_ >= want || interim_for_us(); };
    if (std::isinf(deadline)) {
        cv_.wait(lock, ready);
    } else {
        const double left = std::max(0.0, deadline + 1.0 - monotonic_seconds());
        cv_.wait_for(lock, std::chrono::duration<double>(left), ready);
    }
    if (stopping_) return nullptr;
    if (answered_ < want && interim_ && interim_->poll == want) return interim_;
    return last_;
}

void SharedPoll::run() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        cv_.wait(lock, [&] { return stopping_ || requested_ > answered_; });
        if (stopping_) return;
        in_flight_ = requested_;
        flight_deadline_ = pending_deadlines_.empty()
                               ? kNoDeadline
                               : *std::max_element(pending_deadlines_.begin(), pending_deadlines_.end());
        joined_.clear();
        for (double d : pending_deadlines_) {
            if (d < flight_deadline_) joined_.push_back(d);
        }
        pending_deadlines_.clear();
        lock.unlock();
        poll_once();
        lock.lock();
    }
}

// One line per target whose state changed since the last poll (see the
// constructor); targets that left the fleet are forgotten.
void SharedPoll::log_changes(const std::vector<std::unique_ptr<Instance>>& view) {
    if (!log_) return;
    std::unordered_map<std::string, bool> now_up;
    now_up.reserve(view.size());
    for (const auto& inst : view) {
        std::string key = log_text(inst->target.name, "\n", inst->target.address);
        const auto was = was_up_.find(key);
        const std::string who = log_text("target ", escape_for_display(inst->target.name), " (",
                                         escape_for_display(inst->target.address), ")");
        if (!inst->last_ok && (was == was_up_.end() || was->second)) {
            log_->line(LogLevel::Warn, log_text(who, " is down: ", inst->error));
        } else if (inst->last_ok && was != was_up_.end() && !was->second) {
            log_->line(LogLevel::Info, log_text(who, " is up again"));
        }
        now_up[std::move(key)] = inst->last_ok;
    }
    was_up_ = std::move(now_up);
}

// Both text formats (self metrics first) and each target's state, of `view`.
std::shared_ptr<PollAnswer> SharedPoll::render(const std::vector<std::unique_ptr<Instance>>& view) {
    auto answer = std::make_shared<PollAnswer>();
    answer->serial = ++rendered_;
    PrometheusOptions o = format_;
    o.openmetrics = false;
    write_self_metrics(self_, false, answer->classic);
    write_prometheus(view, o, answer->classic);
    o.openmetrics = true;
    write_self_metrics(self_, true, answer->openmetrics);
    write_prometheus(view, o, answer->openmetrics);
    const double now = monotonic_seconds();
    answer->targets.reserve(view.size());
    for (const auto& inst : view) {
        answer->targets.push_back({inst->target.name, inst->target.address, instance_state(*inst, now)});
    }
    return answer;
}

double SharedPoll::earliest_joined() const {
    double t = kNoDeadline;
    for (double d : joined_) t = std::min(t, d);
    return t;
}

// Drives this poll's fetches until none is left or its deadline (the
// latest of its scrapes', which a joining scrape may move later); at the
// deadline of each scrape with an earlier one, publishes an interim answer
// for it and goes on. Deadlines within kInterimSlack after one share its
// interim answer, so clients cannot make the poll thread render more than
// a few a second.
void SharedPoll::drive() {
    while (poll_.in_flight() > 0 && !stop_requested_.load()) {
        const double now = monotonic_seconds();
        double due = kNoDeadline, deadline = kNoDeadline;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            due = earliest_joined();
            deadline = flight_deadline_;
        }
        if (now >= deadline) return;
        if (due > now) {
            poll_.run_until(std::min(deadline, due), FleetPoll::Until::AllDone);
            continue;
        }
        std::shared_ptr<PollAnswer> answer = render_interim();
        {
            std::lock_guard<std::mutex> lock(mutex_);
            answer->poll = in_flight_;
            interim_ = answer;
            interim_at_ = monotonic_seconds();
            const double upto = interim_at_ + kInterimSlack;
            joined_.erase(std::remove_if(joined_.begin(), joined_.end(), [upto](double d) { return d <= upto; }),
                          joined_.end());
        }
        cv_.notify_all();
    }
}

// The fleet as it stands now for rendering: the targets that are not
// fetching, lent out of fleet_ (lent[i] = 1), and stand-ins for the others
// (down, "no answer within the scrape's deadline"); give_back() returns the
// lent ones. The poll thread only, between run_until() calls: it alone
// stores fetches, so nothing changes meanwhile.
std::vector<std::unique_ptr<Instance>> SharedPoll::lend_view(std::vector<char>& lent) {
    const std::size_t n = fleet_.size();
    std::vector<std::unique_ptr<Instance>> view;
    lent.assign(n, 0);
    view.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        lent[i] = fleet_[i]->polling ? 0 : 1;
        view.push_back(lent[i] ? std::move(fleet_[i]) : stand_in(*fleet_[i]));
    }
    return view;
}

void SharedPoll::give_back(std::vector<std::unique_ptr<Instance>>& view, const std::vector<char>& lent) {
    for (std::size_t i = 0; i < lent.size(); ++i) {
        if (lent[i]) fleet_[i] = std::move(view[i]);
    }
    view.clear();
}

// An interim answer: nothing is recorded or logged, the poll goes on.
std::shared_ptr<PollAnswer> SharedPoll::render_interim() {
    std::vector<char> lent;
    std::vector<std::unique_ptr<Instance>> view = lend_view(lent);
    std::shared_ptr<PollAnswer> answer = render(view);
    give_back(view, lent);
    return answer;
}

void SharedPoll::poll_once() {
    const double start = monotonic_seconds();
    take_replacement();

    // One FleetPoll round (fleet_poll.hpp): every target not still fetching
    // since an earlier poll is asked now; all of them, this poll's and the
    // earlier ones', are driven here until none is left or the deadline.
    // A target that was still fetching at the last poll's deadline and has
    // ended since is stored first, so it is asked again now rather than
    // answering this scrape with that older outcome as if it were new.
    poll_.run_until(start, FleetPoll::Until::Deadline);
    poll_.start_round(fleet_);
    drive();
    const bool complete = poll_.in_flight() == 0;
    if (complete) retired_.clear();   // none of them is fetching any more
    if (complete && after_poll_) {
        after_poll_();   // its new instances are in this answer already, those that left are not
        fleet_changed();
    }
    // The answer: from the fleet itself, or, when some targets are still
    // being fetched, from the others lent out of the fleet plus stand-ins.
    std::vector<char> lent;
    std::vector<std::unique_ptr<Instance>> partial;
    if (!complete) partial = lend_view(lent);
    const std::vector<std::unique_ptr<Instance>>& view = complete ? fleet_ : partial;
    std::vector<bool> failed(view.size());
    for (std::size_t i = 0; i < view.size(); ++i) failed[i] = !view[i]->last_ok;
    self_.record_poll(view, failed, monotonic_seconds() - start);
    log_changes(view);

    std::shared_ptr<PollAnswer> answer = render(view);
    if (!complete) give_back(partial, lent);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        answer->poll = in_flight_;
        last_ = answer;
        answered_ = in_flight_;
        in_flight_ = 0;
        flight_deadline_ = kNoDeadline;
        joined_.clear();
        interim_.reset();
    }
    cv_.notify_all();

    if (!complete && after_poll_) {
        after_poll_();   // the stragglers go on fetching in the next poll
        fleet_changed();
    }
}

}  // namespace uwsgitop
