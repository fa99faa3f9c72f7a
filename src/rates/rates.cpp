// rates.cpp — per-second deltas with reset detection (see rates.hpp).
#include "uwsgitop/rates/rates.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "uwsgitop/base/page_release.hpp"
#include "uwsgitop/base/proc_stat.hpp"

namespace uwsgitop {

namespace {

constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();

// Rate of a counter between two samples, NaN when it cannot be known. A
// counter that went down means a different process now owns it.
double counter_rate(int64_t before, const Int& now, double dt) {
    if (before < 0 || !now || *now < before || dt <= 0) return kUnknown;
    return static_cast<double>(*now - before) / dt;
}

// Δrunning_time / Δrequests: the mean time of the requests that ended
// between the samples (microseconds), NaN when none ended or a counter fell.
double mean_request_time(int64_t req_before, int64_t rt_before, const Worker& w) {
    if (req_before < 0 || rt_before < 0 || !w.requests || !w.running_time) return kUnknown;
    if (*w.requests <= req_before || *w.running_time < rt_before) return kUnknown;
    return static_cast<double>(*w.running_time - rt_before) / static_cast<double>(*w.requests - req_before);
}

bool loopback(const Peer& p) {
    if (!p.v6) return p.addr[0] == 127;
    static constexpr uint8_t kZero[10] = {};
    if (std::memcmp(p.addr.data(), kZero, 10) != 0) return false;
    if (p.addr[10] == 0xff && p.addr[11] == 0xff) return p.addr[12] == 127;  // ::ffff:127.x.y.z
    return p.addr[10] == 0 && p.addr[11] == 0 && p.addr[12] == 0 && p.addr[13] == 0 && p.addr[14] == 0 &&
           p.addr[15] == 1;  // ::1
}

void add_known(double& sum, bool& any, double v) {
    if (!std::isnan(v)) {
        sum += v;
        any = true;
    }
}

}  // namespace

bool read_proc_stat(int64_t pid, std::string& out) {
    char path[48];
    std::snprintf(path, sizeof path, "/proc/%lld/stat", static_cast<long long>(pid));
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return false;
    out.resize(4096);  // a stat line is far shorter; the capacity is kept
    ssize_t n = 0;
    do {
        n = ::read(fd, out.data(), out.size());
    } while (n < 0 && errno == EINTR);
    ::close(fd);
    out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return n > 0;
}

bool cpu_readable(const Snapshot& snap) {
    const Peer& p = snap.peer;
    switch (p.kind) {
        case Peer::Kind::Unix:
            return p.pid > 0 && !p.listener_exited && (!snap.pid || *snap.pid == p.pid);
        case Peer::Kind::Tcp:
            return loopback(p);
        case Peer::Kind::None:
            break;
    }
    return false;
}

void RateTracker::set_proc_reader(ProcStatReader reader, double ticks_per_second) {
    reader_ = std::move(reader);
    ticks_per_second_ = ticks_per_second;
}

void RateTracker::read_cpu(const Worker& w, int64_t master_pid, Prev& next) {
    if (!reader_ || !w.pid || *w.pid <= 1 || !reader_(*w.pid, stat_buf_)) return;
    const auto ppid = stat_field(stat_buf_, 4);
    const auto utime = stat_field(stat_buf_, 14);
    const auto stime = stat_field(stat_buf_, 15);
    const auto start = stat_start_time(stat_buf_);
    // Not the master's child: the pid is someone else's now (or another namespace's).
    if (!ppid || !utime || !stime || !start || static_cast<int64_t>(*ppid) != master_pid) return;
    next.pid = *w.pid;
    next.start_time = *start;
    next.cpu_ticks = *utime + *stime;
    next.cpu_known = true;
}

double RateTracker::cpu_percent(const Prev& prev, const Prev& next, double dt, double ticks) {
    if (!prev.cpu_known || !next.cpu_known || prev.pid != next.pid || prev.start_time != next.start_time) {
        return kUnknown;
    }
    if (next.cpu_ticks < prev.cpu_ticks || dt <= 0 || ticks <= 0) return kUnknown;
    return 100.0 * static_cast<double>(next.cpu_ticks - prev.cpu_ticks) / ticks / dt;
}

void RateTracker::reset() {
    have_prev_ = false;
    busy_.reset();
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

void RateTracker::update(const Snapshot& snap, double mono_seconds, Rates& out, double wall_seconds) {
    const double dt = have_prev_ ? mono_seconds - prev_time_ : 0.0;
    const int64_t master_pid = snap.pid.value_or(-1);
    out.baseline_reset = have_prev_ && (dt <= 0 || master_pid != prev_master_pid_);
    const bool usable = have_prev_ && !out.baseline_reset;
    out.interval = usable ? dt : 0.0;

    busy_.update(snap, mono_seconds, wall_seconds);
    out.workers.assign(snap.workers.size(), WorkerRates{kUnknown, kUnknown, kUnknown, kUnknown, kUnknown, kUnknown});
    for (std::size_t wi = 0; wi < snap.workers.size(); ++wi) out.workers[wi].busy_for = busy_.seconds()[wi];
    const bool read_cpu_now = reader_ && master_pid > 0 && cpu_readable(snap);
    if (read_cpu_now && ticks_per_second_ <= 0) ticks_per_second_ = static_cast<double>(::sysconf(_SC_CLK_TCK));
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
        next.running_time = w.running_time.value_or(-1);
        if (read_cpu_now) read_cpu(w, master_pid, next);
        next.cores_begin = static_cast<uint32_t>(next_cores_.size());
        next.cores_count = w.cores.count;
        for (const Core& c : snap.cores_of(w)) next_cores_.push_back(c.requests.value_or(-1));

        if (!usable || id >= prev_workers_.size()) continue;
        const Prev& prev = prev_workers_[id];
        WorkerRates& r = out.workers[wi];
        r.requests = counter_rate(prev.requests, w.requests, dt);
        r.exceptions = counter_rate(prev.exceptions, w.exceptions, dt);
        r.tx = counter_rate(prev.tx, w.tx, dt);
        r.rt = mean_request_time(prev.requests, prev.running_time, w);
        r.cpu = cpu_percent(prev, next, dt, ticks_per_second_);
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
