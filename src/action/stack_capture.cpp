// stack_capture.cpp — which long requests to capture a stack of, and the
// captures kept for the events (see stack_capture.hpp).
#include "uwsgitop/action/stack_capture.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "uwsgitop/action/master_config.hpp"

namespace uwsgitop::action {

double capture_threshold(double stuck_after, std::optional<long> harakiri) {
    double at = std::numeric_limits<double>::infinity();
    if (stuck_after > 0) at = stuck_after;
    if (harakiri && *harakiri > 0) at = std::min(at, static_cast<double>(*harakiri) / 2.0);
    return at;
}

StackCaptures::StackCaptures(double stuck_after, std::string given, ProcRoot proc)
    : stuck_after_(stuck_after), given_(std::move(given)), proc_(std::move(proc)) {}

void StackCaptures::read_harakiri(const Snapshot& snap, const Address& address) {
    const int64_t master = snap.pid.value_or(0);
    if (master == master_) return;
    master_ = master;
    harakiri_.reset();
    if (snap.kind != SnapshotKind::Master || master <= 1 || !check_address_local(address)) return;
    if (!check_peer_is_master(proc_, static_cast<pid_t>(master), address, snap.peer)) return;
    harakiri_ = read_master_config(proc_, static_cast<pid_t>(master)).harakiri;
}

bool StackCaptures::asked(long id, int64_t pid, int64_t requests) const {
    return std::any_of(asked_.begin(), asked_.end(), [&](const Asked& a) {
        return a.worker_id == id && a.pid == pid && a.requests == requests;
    });
}

void StackCaptures::due(const Snapshot& snap, const Rates& rates, const Address& address,
                        std::vector<CaptureTarget>& out) {
    bool any_busy = false;
    for (std::size_t i = 0; i < snap.workers.size() && i < rates.workers.size(); ++i)
        any_busy = any_busy || !std::isnan(rates.workers[i].busy_for);
    if (!any_busy) return;
    read_harakiri(snap, address);
    const double threshold = capture_threshold(stuck_after_, harakiri_);
    for (std::size_t i = 0; i < snap.workers.size() && i < rates.workers.size(); ++i) {
        const Worker& w = snap.workers[i];
        if (!(rates.workers[i].busy_for >= threshold) || !w.id || !w.pid || !w.requests) continue;
        const long id = static_cast<long>(*w.id);
        if (asked(id, *w.pid, *w.requests)) continue;
        asked_.push_back({id, *w.pid, *w.requests});
        if (asked_.size() > kKeptCaptures) asked_.pop_front();
        CaptureTarget t;
        t.target = stack_target(snap, address, id, given_);
        t.requests = *w.requests;
        out.push_back(std::move(t));
    }
}

void StackCaptures::store(const CaptureTarget& target, WorkerStack stack) {
    Captured c;
    c.worker_id = target.target.worker_id;
    c.pid = target.target.pid;
    c.requests = target.requests;
    c.stack = std::move(stack);
    kept_.push_back(std::move(c));
    if (kept_.size() > kKeptCaptures) kept_.pop_front();
}

bool StackCaptures::attach(Event& e) const {
    if ((e.kind != EventKind::Stuck && e.kind != EventKind::Harakiri) || !e.worker) return false;
    const FactValue* pid = e.fact("pid");
    const auto* p = pid ? std::get_if<int64_t>(pid) : nullptr;
    if (p == nullptr) return false;
    for (auto it = kept_.rbegin(); it != kept_.rend(); ++it) {
        if (it->worker_id != *e.worker || it->pid != *p || it->requests != e.request_key) continue;
        if (!it->stack.read || it->stack.frames.empty()) return false;
        e.stack = it->stack.frames;
        return true;
    }
    return false;
}

}  // namespace uwsgitop::action
