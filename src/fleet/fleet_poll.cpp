// fleet_poll.cpp — one epoll loop for the fleet's sockets (see fleet_poll.hpp).
#include "uwsgitop/fleet/fleet_poll.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "uwsgitop/base/clock.hpp"

namespace uwsgitop {

namespace {

constexpr uint64_t kWakeToken = 0;   // slot i has token i + 1

// Milliseconds for epoll_wait() until `deadline` (monotonic seconds),
// rounded up so the timer has passed when it returns; -1 for none.
int wait_ms(double deadline) {
    if (std::isinf(deadline)) return -1;
    const double left = deadline - monotonic_seconds();
    if (left <= 0) return 0;
    const double ms = std::ceil(left * 1000.0);
    return ms > 600000 ? 600000 : static_cast<int>(ms);
}

unsigned connection_cap(unsigned asked) {
    unsigned cap = std::max(1u, asked);
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        const rlim_t half = std::max<rlim_t>(1, rl.rlim_cur / 2);
        if (half < cap) cap = static_cast<unsigned>(half);
    }
    return cap;
}

}  // namespace

FleetPoll::FleetPoll(unsigned threads, unsigned max_connections)
    : max_connections_(connection_cap(max_connections)), threads_(std::max(1u, threads)) {
    ep_ = ::epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (ep_ >= 0 && wake_fd_ >= 0) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = kWakeToken;
        if (::epoll_ctl(ep_, EPOLL_CTL_ADD, wake_fd_, &ev) == 0) return;
    }
    // No epoll set: every source is fetched on the threads (fetch() blocks).
    if (ep_ >= 0) ::close(ep_);
    ep_ = -1;
}

FleetPoll::~FleetPoll() {
    for (Slot& s : slots_) {
        if (s.inst == nullptr) continue;
        s.fetch->cancel();
        s.inst->polling = false;
    }
    for (Instance* inst : waiting_) inst->polling = false;
    {
        std::lock_guard lk(mu_);
        stopping_ = true;
        for (Instance* inst : jobs_) inst->polling = false;
        jobs_.clear();
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();   // each bounded by its fetch's timeout
    for (auto& [inst, st] : finished_) inst->polling = false;
    if (ep_ >= 0) ::close(ep_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
}

void FleetPoll::wake() {
    woken_.store(true);
    if (wake_fd_ >= 0) {
        const uint64_t one = 1;
        const ssize_t n = ::write(wake_fd_, &one, sizeof one);
        (void)n;   // EAGAIN: the counter is full, the loop wakes anyway
    } else {
        std::lock_guard lk(mu_);
    }
    cv_.notify_all();
}

void FleetPoll::start_round(const std::vector<std::unique_ptr<Instance>>& fleet) {
    ++round_;
    round_pending_ = 0;
    const double now = monotonic_seconds();
    std::size_t queued = 0;
    for (const auto& p : fleet) {
        Instance* inst = p.get();
        if (inst->polling) continue;
        inst->polling = true;
        inst->poll_round = round_;
        inst->last_poll_mono = now;
        // An instance whose last poll failed does not hold up the round.
        inst->poll_holds_round = inst->last_ok || (!inst->has_data && inst->error.empty());
        if (inst->poll_holds_round) ++round_pending_;
        ++in_flight_;
        if (ep_ >= 0 && inst->pipeline->source().nonblocking() != nullptr) {
            waiting_.push_back(inst);
            continue;
        }
        std::lock_guard lk(mu_);
        jobs_.push_back(inst);
        ++queued;
    }
    if (queued > 0) {
        std::lock_guard lk(mu_);
        const std::size_t want = std::min<std::size_t>(threads_, jobs_.size() + busy_workers_);
        while (workers_.size() < want) workers_.emplace_back([this] { worker(); });
    }
    cv_.notify_all();
    fill_slots();
}

void FleetPoll::fill_slots() {
    while (sockets_ < max_connections_ && !waiting_.empty()) {
        Instance* inst = waiting_.front();
        waiting_.pop_front();
        start_socket(inst);
    }
}

bool FleetPoll::start_socket(Instance* inst) {
    std::size_t slot = 0;
    if (!free_slots_.empty()) {
        slot = free_slots_.back();
        free_slots_.pop_back();
    } else {
        slot = slots_.size();
        slots_.emplace_back();
    }
    NonblockingFetch* fetch = inst->pipeline->source().nonblocking();
    slots_[slot] = Slot{inst, fetch};
    ++sockets_;
    if (!fetch->start(inst->pipeline->frame(), ep_, slot + 1)) return true;
    socket_done(slot);
    return false;
}

void FleetPoll::socket_done(std::size_t slot) {
    const Slot s = slots_[slot];
    slots_[slot] = Slot{};
    free_slots_.push_back(slot);
    --sockets_;
    store(s.inst, s.inst->pipeline->complete(s.fetch->result(), s.inst->incoming, s.inst->incoming_rates));
}

void FleetPoll::store(Instance* inst, const Status& st) {
    store_poll(*inst, st);
    inst->polling = false;
    --in_flight_;
    if (inst->poll_round == round_ && inst->poll_holds_round && round_pending_ > 0) --round_pending_;
}

void FleetPoll::worker() {
    std::unique_lock lk(mu_);
    for (;;) {
        cv_.wait(lk, [&] { return stopping_ || !jobs_.empty(); });
        if (stopping_) return;
        Instance* inst = jobs_.front();
        jobs_.pop_front();
        ++busy_workers_;
        lk.unlock();
        Status st = inst->pipeline->refresh(inst->incoming, inst->incoming_rates);
        lk.lock();
        --busy_workers_;
        finished_.emplace_back(inst, std::move(st));
        if (wake_fd_ >= 0) {
            const uint64_t one = 1;
            const ssize_t n = ::write(wake_fd_, &one, sizeof one);
            (void)n;
        }
        cv_.notify_all();
    }
}

void FleetPoll::collect_blocking() {
    std::vector<std::pair<Instance*, Status>> done;
    {
        std::lock_guard lk(mu_);
        done.swap(finished_);
    }
    for (auto& [inst, st] : done) store(inst, st);
}

std::size_t FleetPoll::run_until(double deadline, Until when) {
    const std::size_t before = in_flight_;   // only start_round() adds to it
    epoll_event events[256];
    for (;;) {
        collect_blocking();
        fill_slots();
        if (when == Until::RoundDone && round_pending_ == 0) break;
        if (when == Until::AnyStored && in_flight_ < before) break;
        if (when == Until::AllDone && in_flight_ == 0) break;
        if (woken_.exchange(false)) break;
        double next = deadline;
        for (const Slot& s : slots_) {
            if (s.inst != nullptr) next = std::min(next, s.fetch->wake_at());
        }
        if (monotonic_seconds() >= deadline) break;
        int n = 0;
        if (ep_ >= 0) {
            n = ::epoll_wait(ep_, events, 256, wait_ms(next));
            if (n < 0) {
                if (errno == EINTR) continue;
                n = 0;
            }
        } else {
            // Only threads: wait for one of them (or the deadline, or wake()).
            std::unique_lock lk(mu_);
            auto ready = [&] { return !finished_.empty() || woken_.load(); };
            if (std::isinf(next)) cv_.wait(lk, ready);
            else cv_.wait_for(lk, std::chrono::duration<double>(std::max(0.0, next - monotonic_seconds())), ready);
            continue;
        }
        for (int i = 0; i < n; ++i) {
            const uint64_t token = events[i].data.u64;
            if (token == kWakeToken) {
                uint64_t count = 0;
                const ssize_t r = ::read(wake_fd_, &count, sizeof count);
                (void)r;
                continue;
            }
            const std::size_t slot = static_cast<std::size_t>(token - 1);
            if (slot >= slots_.size() || slots_[slot].inst == nullptr) continue;
            if (slots_[slot].fetch->advance(events[i].events)) socket_done(slot);
        }
        const double now = monotonic_seconds();
        for (std::size_t slot = 0; slot < slots_.size(); ++slot) {
            const Slot& s = slots_[slot];
            if (s.inst != nullptr && s.fetch->wake_at() <= now && s.fetch->advance(0)) socket_done(slot);
        }
    }
    return before - in_flight_;
}

}  // namespace uwsgitop
