// deliver.cpp — the checked delivery and the confirmations (see deliver.hpp).
#include "uwsgitop/action/deliver.hpp"

#include "uwsgitop/base/text.hpp"

namespace uwsgitop::action {

Status deliver(const ProcRoot& proc, const Aim& aim, std::string& sent) {
    const std::string addr = escape_for_display(aim.address.text);
    const std::string name(aim.spec->name);
    if (Status st = check_master_holds_socket(proc, aim.master, aim.address); !st)
        return Status::fail(name + ": " + st.message());
    if (aim.spec->target == Target::Worker) {
        if (Status st = check_fresh(aim.age_ms, aim.interval_ms); !st)
            return Status::fail(addr + ": " + name + ": " + st.message());
        const std::string who = addr + ": " + name + ": worker " + std::to_string(aim.worker_id) + ", pid " +
                                std::to_string(aim.pid);
        if (Status st = signal_worker(proc, aim.pid, aim.master, aim.worker_id, aim.spec->worker_signal, who); !st) {
            // check_parent's line names the worker but not the address.
            return Status::fail(st.message().rfind(addr, 0) == 0 ? st.message() : addr + ": " + name + ": " + st.message());
        }
        sent = explain(*aim.spec, aim.worker_id, aim.pid, Channel::WorkerSignal);
        return Status::ok();
    }
    std::string why;
    const auto channel = channel_for(*aim.spec, !aim.fifo.empty(), &why);
    if (!channel) return Status::fail(addr + ": " + why);
    if (Status st = check_fresh(aim.age_ms, aim.interval_ms); !st)
        return Status::fail(addr + ": " + name + ": " + st.message());
    const std::string who = addr + ": " + name;
    if (*channel == Channel::Fifo) {
        if (Status st = write_fifo(proc, aim.master, aim.fifo, aim.spec->fifo_letter); !st) return Status::fail(who + ": " + st.message());
    } else if (Status st = signal_master(proc, aim.master, aim.address, aim.spec->master_signal,
                                         who + ": master pid " + std::to_string(aim.master));
               !st) {
        return st;
    }
    sent = explain(*aim.spec, 0, aim.master, *channel);
    return Status::ok();
}

Observed observe(const Snapshot& s) {
    Observed o;
    o.has_workers = !s.workers.empty();
    bool any = false, all = true;
    for (const Worker& w : s.workers) {
        if (w.pid.value_or(0) <= 0 || w.status == "cheap") continue;
        o.running[w.id.value_or(0)] = *w.pid;
        any = true;
        if (w.status != "pause") all = false;
    }
    o.all_paused = any && all;
    return o;
}

bool confirmed(std::string_view name, std::optional<long> worker, const Observed& before, const Observed& now,
               std::string& what) {
    const auto& b = before.running;
    const auto& n = now.running;
    if (worker) {
        if (name == "log-worker") {
            what = "worker " + std::to_string(*worker) + " signalled";
            return true;
        }
        const auto was = b.find(*worker), is = n.find(*worker);
        if (is == n.end() || was == b.end() || is->second == was->second) return false;
        what = "worker " + std::to_string(*worker) + " respawned: pid " + std::to_string(was->second) + " -> " +
               std::to_string(is->second);
        return true;
    }
    if (name == "chain-reload" || name == "reload" || name == "brutal-reload" || name == "reload-workers" ||
        name == "brutal-reload-workers") {
        std::size_t replaced = 0;
        for (const auto& [id, pid] : b) {
            const auto it = n.find(id);
            if (it != n.end() && it->second != pid) ++replaced;
        }
        what = std::string(name) + ": " + std::to_string(replaced) + " of " + std::to_string(b.size()) + " workers replaced";
        return replaced == b.size() && n.size() >= b.size();
    }
    if (name == "pause") {
        what = now.all_paused ? "paused: every worker reports status pause" : "resumed: no worker reports status pause";
        return before.all_paused != now.all_paused && (now.all_paused || now.has_workers);
    }
    if (name == "add-worker" || name == "remove-worker") {
        what = "running workers " + std::to_string(b.size()) + " -> " + std::to_string(n.size());
        return name == "add-worker" ? n.size() > b.size() : n.size() < b.size();
    }
    what = std::string(name) + " delivered; the master answered the next snapshot";
    return true;
}

}  // namespace uwsgitop::action
