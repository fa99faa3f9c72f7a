// busy_clock.cpp — each worker's time in its current request (see busy_clock.hpp).
#include "uwsgitop/model/busy_clock.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace uwsgitop {

namespace {

constexpr double kNotBusy = std::numeric_limits<double>::quiet_NaN();
constexpr int64_t kMaxWorkerId = 1'000'000;

}  // namespace

int64_t BusyClock::request_start(const Snapshot& snap, const Worker& w) {
    int64_t earliest = 0;
    for (const Core& c : snap.cores_of(w)) {
        if (c.in_request.value_or(0) == 0) continue;
        const int64_t start = c.request_start.value_or(0);
        if (start > 0 && (earliest == 0 || start < earliest)) earliest = start;
    }
    return earliest;
}

void BusyClock::update(const Snapshot& snap, double mono, double wall) {
    const int64_t master = snap.pid.value_or(-1);
    if (master != master_pid_) prev_.clear();
    master_pid_ = master;
    next_.clear();
    seconds_.assign(snap.workers.size(), kNotBusy);
    requests_.assign(snap.workers.size(), -1);
    for (std::size_t i = 0; i < snap.workers.size(); ++i) {
        const Worker& w = snap.workers[i];
        requests_[i] = w.requests.value_or(-1);
        if (w.status != "busy" || !w.id || *w.id <= 0 || *w.id > kMaxWorkerId || !w.pid || !w.requests) continue;
        const auto id = static_cast<std::size_t>(*w.id);
        if (next_.size() <= id) next_.resize(id + 1);
        Busy& now = next_[id];
        now.pid = *w.pid;
        now.requests = *w.requests;
        now.since = mono;
        const bool same = id < prev_.size() && prev_[id].pid == now.pid && prev_[id].requests == now.requests;
        if (same) now.since = prev_[id].since;
        if (const int64_t start = request_start(snap, w); start > 0 && wall > 0) {
            // uWSGI's own date of the request, in whole seconds: never later than seen.
            now.since = std::min(now.since, mono - std::max(0.0, wall - static_cast<double>(start)));
        }
        seconds_[i] = std::max(0.0, mono - now.since);
    }
    prev_.swap(next_);
}

int64_t BusyClock::requests_of(std::size_t index) const {
    return index < requests_.size() ? requests_[index] : -1;
}

void BusyClock::reset() {
    master_pid_ = -1;
    prev_.clear();
    next_.clear();
    seconds_.clear();
    requests_.clear();
}

}  // namespace uwsgitop
