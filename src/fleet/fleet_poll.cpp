// fleet_poll.cpp — epoll loops for the fleet's sockets (see fleet_poll.hpp).
#include "uwsgitop/fleet/fleet_poll.hpp"

#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "uwsgitop/base/clock.hpp"
#include "uwsgitop/base/unique_fd.hpp"
#include "uwsgitop/base/wake_fd.hpp"

namespace uwsgitop {

namespace {

constexpr uint64_t kWakeToken = 0;   // slot i has token i + 1
constexpr unsigned kMaxLoops = 4;

// Milliseconds for epoll_wait() until `deadline` (monotonic seconds),
// rounded up so the timer has passed when it returns; -1 for none.
int wait_ms(double deadline) {
    if (std::isinf(deadline)) return -1;
    return wait_ms_until(deadline, monotonic_seconds(), 600000);
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

// One epoll loop on its own thread: the sockets of the instances handed to
// it with add(). Its fetch slots and queue belong to its thread; add() and
// the destructor talk to it through `mu` and its eventfd.
struct FleetPoll::Loop {
    struct Slot {
        Instance* inst = nullptr;
        NonblockingFetch* fetch = nullptr;
    };

    FleetPoll& owner;
    unsigned cap;
    UniqueFd ep;
    WakeFd wake_fd;
    std::thread thread;
    std::mutex mu;
    std::deque<Instance*> incoming;   // under mu
    bool stop = false;                // under mu
    // The loop thread's own (read by the destructor after the join).
    std::vector<Slot> slots;
    std::vector<std::size_t> free_slots;
    std::size_t sockets = 0;
    std::deque<Instance*> waiting;

    Loop(FleetPoll& o, unsigned connections) : owner(o), cap(std::max(1u, connections)) {
        ep.reset(::epoll_create1(EPOLL_CLOEXEC));
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = kWakeToken;
        if (ep.get() < 0 || !wake_fd.ok() || ::epoll_ctl(ep.get(), EPOLL_CTL_ADD, wake_fd.fd(), &ev) != 0) return;
        thread = std::thread([this] { run(); });
    }

    ~Loop() {
        if (thread.joinable()) {
            {
                std::lock_guard lk(mu);
                stop = true;
            }
            wake_fd.signal();
            thread.join();
        }
        for (Slot& s : slots) {
            if (s.inst != nullptr) s.fetch->cancel();
        }
    }

    bool running() const { return thread.joinable(); }

    // Every instance handed over and not finished (after the join).
    template <class F>
    void for_each_unfinished(F f) {
        for (Slot& s : slots) {
            if (s.inst != nullptr) f(s.inst);
        }
        for (Instance* inst : waiting) f(inst);
        for (Instance* inst : incoming) f(inst);
    }

    void add(const std::vector<Instance*>& insts) {
        {
            std::lock_guard lk(mu);
            incoming.insert(incoming.end(), insts.begin(), insts.end());
        }
        wake_fd.signal();
    }

    void done(std::size_t slot) {
        const Slot s = slots[slot];
        slots[slot] = Slot{};
        free_slots.push_back(slot);
        --sockets;
        // Parsed here, stored by the caller's thread.
        owner.finished(s.inst, s.inst->pipeline->complete(s.fetch->result(), s.inst->incoming, s.inst->incoming_rates));
    }

    void fill() {
        while (sockets < cap && !waiting.empty()) {
            Instance* inst = waiting.front();
            waiting.pop_front();
            std::size_t slot = 0;
            if (!free_slots.empty()) {
                slot = free_slots.back();
                free_slots.pop_back();
            } else {
                slot = slots.size();
                slots.emplace_back();
            }
            NonblockingFetch* fetch = inst->pipeline->source().nonblocking();
            slots[slot] = Slot{inst, fetch};
            ++sockets;
            if (fetch->start(inst->pipeline->frame(), ep.get(), slot + 1)) done(slot);
        }
    }

    void run() {
        epoll_event events[256];
        for (;;) {
            {
                std::lock_guard lk(mu);
                if (stop) return;
                waiting.insert(waiting.end(), incoming.begin(), incoming.end());
                incoming.clear();
            }
            fill();
            double next = std::numeric_limits<double>::infinity();
            for (const Slot& s : slots) {
                if (s.inst != nullptr) next = std::min(next, s.fetch->wake_at());
            }
            const int n = ::epoll_wait(ep.get(), events, 256, wait_ms(next));
            for (int k = 0; k < n; ++k) {
                const uint64_t token = events[k].data.u64;
                if (token == kWakeToken) {
                    wake_fd.drain();
                    continue;
                }
                const std::size_t slot = static_cast<std::size_t>(token - 1);
                if (slot >= slots.size() || slots[slot].inst == nullptr) continue;
                if (slots[slot].fetch->advance(events[k].events)) done(slot);
            }
            const double now = monotonic_seconds();
            for (std::size_t slot = 0; slot < slots.size(); ++slot) {
                const Slot& s = slots[slot];
                if (s.inst != nullptr && s.fetch->wake_at() <= now && s.fetch->advance(0)) done(slot);
            }
        }
    }
};

FleetPoll::FleetPoll(unsigned threads, unsigned max_connections)
    : max_connections_(connection_cap(max_connections)), threads_(std::max(1u, threads)) {}

FleetPoll::~FleetPoll() {
    for (auto& loop : loops_) {
        // Stop and join it, then release what it still had.
        Loop* l = loop.get();
        {
            std::lock_guard lk(l->mu);
            l->stop = true;
        }
        if (l->running()) {
            l->wake_fd.signal();
            l->thread.join();
        }
        l->for_each_unfinished([](Instance* inst) { inst->polling = false; });
    }
    loops_.clear();   // cancels the sockets in flight
    {
        std::lock_guard lk(mu_);
        stopping_ = true;
        for (Instance* inst : jobs_) inst->polling = false;
        jobs_.clear();
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();   // each bounded by its fetch's timeout
    for (auto& [inst, st] : finished_) inst->polling = false;
}

void FleetPoll::wake() {
    woken_.store(true);
    {
        std::lock_guard lk(mu_);
    }
    cv_.notify_all();
}

void FleetPoll::finished(Instance* inst, Status st) {
    {
        std::lock_guard lk(mu_);
        finished_.emplace_back(inst, std::move(st));
    }
    cv_.notify_all();
}

void FleetPoll::start_round(const std::vector<std::unique_ptr<Instance>>& fleet) {
    ++round_;
    round_pending_ = 0;
    const double now = monotonic_seconds();
    std::vector<Instance*> sockets;
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
        if (inst->pipeline->source().nonblocking() != nullptr) {
            sockets.push_back(inst);
            continue;
        }
        std::lock_guard lk(mu_);
        jobs_.push_back(inst);
        ++queued;
    }
    if (!sockets.empty()) {
        if (loops_.empty()) {
            const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
            const unsigned n = std::min({kMaxLoops, cpus, max_connections_});
            for (unsigned i = 0; i < n; ++i) {
                auto loop = std::make_unique<Loop>(*this, max_connections_ / n);
                if (loop->running()) loops_.push_back(std::move(loop));
            }
        }
        if (loops_.empty()) {
            // No epoll loop could start: the threads fetch them (blocking).
            std::lock_guard lk(mu_);
            jobs_.insert(jobs_.end(), sockets.begin(), sockets.end());
            queued += sockets.size();
        } else {
            // Dealt in turn, so each loop gets an equal share.
            std::vector<std::vector<Instance*>> share(loops_.size());
            for (Instance* inst : sockets) share[next_loop_++ % loops_.size()].push_back(inst);
            for (std::size_t i = 0; i < loops_.size(); ++i) {
                if (!share[i].empty()) loops_[i]->add(share[i]);
            }
        }
    }
    if (queued > 0) {
        std::lock_guard lk(mu_);
        const std::size_t want = std::min<std::size_t>(threads_, jobs_.size() + busy_workers_);
        while (workers_.size() < want) workers_.emplace_back([this] { worker(); });
    }
    cv_.notify_all();
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
        cv_.notify_all();
    }
}

void FleetPoll::collect() {
    std::vector<std::pair<Instance*, Status>> done;
    {
        std::lock_guard lk(mu_);
        done.swap(finished_);
    }
    for (auto& [inst, st] : done) store(inst, st);
}

std::size_t FleetPoll::run_until(double deadline, Until when) {
    const std::size_t before = in_flight_;   // only start_round() adds to it
    for (;;) {
        collect();
        if (when == Until::RoundDone && round_pending_ == 0) break;
        if (when == Until::AnyStored && in_flight_ < before) break;
        if (when == Until::AllDone && in_flight_ == 0) break;
        if (woken_.exchange(false)) break;
        if (monotonic_seconds() >= deadline) break;
        std::unique_lock lk(mu_);
        auto ready = [&] { return !finished_.empty() || woken_.load(); };
        if (std::isinf(deadline)) {
            cv_.wait(lk, ready);
        } else {
            cv_.wait_for(lk, std::chrono::duration<double>(std::max(0.0, deadline - monotonic_seconds())), ready);
        }
    }
    return before - in_flight_;
}

}  // namespace uwsgitop
