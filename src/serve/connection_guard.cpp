// connection_guard.cpp — whole-request deadlines and oldest-first eviction
// (see connection_guard.hpp).
#include "uwsgitop/serve/connection_guard.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <limits>

#include "uwsgitop/base/clock.hpp"

namespace uwsgitop {

ConnectionGuard::ConnectionGuard(double request_timeout, double idle_timeout, unsigned max_connections)
    : request_timeout_(request_timeout), idle_timeout_(idle_timeout), max_connections_(max_connections) {
    thread_ = std::thread([this] { run(); });
}

ConnectionGuard::~ConnectionGuard() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

void ConnectionGuard::shut(Entry& e) {
    if (e.shut) return;
    ::shutdown(e.fd, SHUT_RDWR);
    e.shut = true;
    --live_;
}

void ConnectionGuard::evict_oldest_waiting() {
    Entry* oldest = nullptr;
    for (auto& [key, e] : entries_) {
        if (e.waiting && !e.shut && (!oldest || e.since < oldest->since)) oldest = &e;
    }
    if (!oldest) return;
    shut(*oldest);
    ++counts_.evicted;
}

void ConnectionGuard::accepted(int fd, double since) {
    std::lock_guard<std::mutex> lock(mutex_);
    accepted_[fd] = since;
}

bool ConnectionGuard::opened(const void* key, int fd) {
    double now = monotonic_seconds();
    bool evicted = false;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (const auto a = accepted_.find(fd); a != accepted_.end()) {
            now = std::min(now, a->second);
            accepted_.erase(a);
        }
        Entry& e = entries_[key];
        if (e.fd >= 0 && !e.shut) --live_;   // a key reused without closed(): replace
        e = Entry{fd, now, now + request_timeout_, true, false};
        ++live_;
        if (live_ > max_connections_) {
            evict_oldest_waiting();
            evicted = true;
        }
    }
    cv_.notify_all();
    return evicted;
}

void ConnectionGuard::answered(const void* key) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = entries_.find(key); it != entries_.end()) it->second.waiting = false;
}

void ConnectionGuard::completed(const void* key) {
    const double now = monotonic_seconds();
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = entries_.find(key);
        if (it == entries_.end()) return;
        it->second.waiting = true;
        it->second.since = now;
        it->second.deadline = now + idle_timeout_ + request_timeout_;
    }
    cv_.notify_all();
}

void ConnectionGuard::closed(const void* key) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return;
    if (!it->second.shut) --live_;
    entries_.erase(it);
}

void ConnectionGuard::end(const void* key) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.shut) return;
    shut(it->second);
    ++counts_.ended;
}

ConnectionGuard::Counts ConnectionGuard::counts() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return counts_;
}

std::size_t ConnectionGuard::open() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return entries_.size();
}

// Shuts down every connection past its deadline, then sleeps until the
// next deadline (at most a second: an entry added meanwhile wakes it).
void ConnectionGuard::run() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
        const double now = monotonic_seconds();
        double next = now + 1.0;
        for (auto& [key, e] : entries_) {
            if (!e.waiting || e.shut) continue;
            if (e.deadline <= now) {
                shut(e);
                ++counts_.timed_out;
            } else {
                next = std::min(next, e.deadline);
            }
        }
        cv_.wait_for(lock, std::chrono::duration<double>(next - now + 0.001));
    }
}

}  // namespace uwsgitop
