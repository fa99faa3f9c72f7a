// rates.cpp — per-second deltas with reset detection (see rates.hpp).
#include "uwsgitop/rates/rates.hpp"

#include <cmath>
#include <limits>

#include "uwsgitop/base/page_release.hpp"

namespace uwsgitop {

namespace {

constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();

// Rate of a counter between two samples, NaN when it cannot be known. A
// counter that went down means a different process now owns it.
double counter_rate(int64_t before, const Int& now, double dt) {
    if (before < 0 || !now || *now < before || dt <= 0) return kUnknown;
    return static_cast<double>(*now - before) / dt;
}

void add_known(double& sum, bool& any, double v) {
    if (!std::isnan(v)) {
        sum += v;
        any = true;
    }
}

}  // namespace

void RateTracker::reset() {
    have_prev_ = false;
    prev_workers_.clear();
    prev_cores_.clear();
}

void RateTracker::release_idle() {
    release_contents(next_workers_);
    release_contents(next_cores_);
}

void Rates::release() {
    release_contents(workers);
    release_contents(cores);
}

void RateTracker::update(const Snapshot& snap, double mono_seconds, Rates& out) {
    const double dt = have_prev_ ? mono_seconds - prev_time_ : 0.0;
    const int64_t master_pid = snap.pid.value_or(-1);
    out.baseline_reset = have_prev_ && (dt <= 0 || master_pid != prev_master_pid_);
    const bool usable = have_prev_ && !out.baseline_reset;
    out.interval = usable ? dt : 0.0;

    out.workers.assign(snap.workers.size(), WorkerRates{kUnknown, kUnknown, kUnknown});
    out.cores.assign(snap.cores.size(), CoreRates{kUnknown});

    next_workers_.clear();
    next_cores_.clear();
    double sum_req = 0, sum_exc = 0, sum_tx = 0;
    bool any_req = false, any_exc = false, any_tx = false;

    for (std::size_t wi = 0; wi < snap.workers.size(); ++wi) {
        const Worker& w = snap.workers[wi];
        // Cheap workers that never spawned report id 0: they have no identity.
        if (!w.id || *w.id <= 0 || *w.id > 1'000'000) continue;
        const auto id = static_cast<std::size_t>(*w.id);
        if (next_workers_.size() <= id) next_workers_.resize(id + 1);
        Prev& next = next_workers_[id];
        next.requests = w.requests.value_or(-1);
        next.exceptions = w.exceptions.value_or(-1);
        next.tx = w.tx.value_or(-1);
        next.cores_begin = static_cast<uint32_t>(next_cores_.size());
        next.cores_count = w.cores.count;
        for (const Core& c : snap.cores_of(w)) next_cores_.push_back(c.requests.value_or(-1));

        if (!usable || id >= prev_workers_.size()) continue;
        const Prev& prev = prev_workers_[id];
        WorkerRates& r = out.workers[wi];
        r.requests = counter_rate(prev.requests, w.requests, dt);
        r.exceptions = counter_rate(prev.exceptions, w.exceptions, dt);
        r.tx = counter_rate(prev.tx, w.tx, dt);
        add_known(sum_req, any_req, r.requests);
        add_known(sum_exc, any_exc, r.exceptions);
        add_known(sum_tx, any_tx, r.tx);

        // Cores are matched by position within the worker (uWSGI lists them by id).
        const uint32_t n = std::min(prev.cores_count, w.cores.count);
        for (uint32_t k = 0; k < n; ++k) {
            const Core& c = snap.cores[w.cores.begin + k];
            out.cores[w.cores.begin + k].requests =
                counter_rate(prev_cores_[prev.cores_begin + k], c.requests, dt);
        }
    }

    out.total_requests = any_req ? sum_req : kUnknown;
    out.total_exceptions = any_exc ? sum_exc : kUnknown;
    out.total_tx = any_tx ? sum_tx : kUnknown;

    prev_workers_.swap(next_workers_);
    prev_cores_.swap(next_cores_);
    prev_time_ = mono_seconds;
    prev_master_pid_ = master_pid;
    have_prev_ = true;
}

}  // namespace uwsgitop
