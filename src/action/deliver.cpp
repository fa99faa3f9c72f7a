// deliver.cpp — the checked delivery and the confirmations (see deliver.hpp).
#include "uwsgitop/action/deliver.hpp"

#include <algorithm>
#include <csignal>

#include "uwsgitop/base/text.hpp"

namespace uwsgitop::action {

std::vector<int64_t> other_pids(const Snapshot& s) {
    std::vector<int64_t> out, workers;
    const auto add = [&out](const Int& pid) {
        if (pid.value_or(0) > 0) out.push_back(*pid);
    };
    add(s.pid);
    for (const Spooler& x : s.spoolers) add(x.pid);
    for (const Daemon& x : s.daemons) add(x.pid);
    for (const Cron& x : s.crons) add(x.pid);
    for (const Worker& w : s.workers)
        if (w.pid.value_or(0) > 0) workers.push_back(*w.pid);
    std::sort(workers.begin(), workers.end());
    for (std::size_t i = 1; i < workers.size(); ++i)
        if (workers[i] == workers[i - 1]) out.push_back(workers[i]);  // one pid named by two workers
    return out;
}

Status check_fits_instance(const ActionSpec& spec, Channel channel, const MasterConfig& config, bool cheap_seen) {
    const std::string name(spec.name);
    if ((name == "add-worker" || name == "remove-worker") && !config.cheaper && !cheap_seen)
        return Status::fail(name + ": the instance is not in cheaper mode (no --cheaper): uWSGI ignores it; refused");
    if (channel == Channel::MasterSignal && spec.master_signal == SIGTERM && config.die_on_term)
        return Status::fail(name + ": the master runs with --die-on-term, so SIGTERM would stop the instance, not "
                                   "reload it; refused (with its master FIFO, --master-fifo, 'R' is sent instead)");
    // Not proven otherwise is not enough: --die-on-term can come from places
    // no outside reader sees whole (included configs, a rewritten command line).
    if (channel == Channel::MasterSignal && spec.master_signal == SIGTERM)
        return Status::fail(name + ": without a master FIFO this would be SIGTERM, which stops a master started with "
                                   "--die-on-term instead of reloading it, and that cannot be ruled out from outside; "
                                   "refused (give its master FIFO, --master-fifo, to send 'R')");
    if (config.exit_on_reload && (name == "reload" || name == "brutal-reload" || name == "chain-reload"))
        return Status::fail(name + ": the master runs with --exit-on-reload, so a reload would stop the instance; "
                                   "refused");
    return Status::ok();
}

namespace {

Status deliver_to_worker(const ProcRoot& proc, const Aim& aim, const std::string& addr, std::string& sent) {
    const std::string name(aim.spec->name);
    if (Status st = check_fresh(aim.age_ms, aim.interval_ms); !st) return Status::fail(addr + ": " + name + ": " + st.message());
    const std::string who = addr + ": " + name + ": worker " + std::to_string(aim.worker_id);
    if (Status st = check_pid(proc, aim.pid, who); !st) return st;
    for (int64_t other : aim.other_pids)
        if (other == aim.pid)
            return Status::fail(who + ": pid " + std::to_string(aim.pid) +
                                " is also the master's, another worker's, a spooler's, a daemon's or a cron's in the "
                                "snapshot; refused");
    const auto pid = static_cast<pid_t>(aim.pid);
    const std::string what = who + ", pid " + std::to_string(pid);
    if (Status st = signal_worker(proc, pid, static_cast<pid_t>(aim.master), aim.worker_id, aim.spec->worker_signal, what);
        !st) {
        // check_parent's line names the worker but not the address.
        return Status::fail(st.message().rfind(addr, 0) == 0 ? st.message() : addr + ": " + name + ": " + st.message());
    }
    sent = explain(*aim.spec, aim.worker_id, pid, Channel::WorkerSignal);
    return Status::ok();
}

Status deliver_to_instance(const ProcRoot& proc, const Aim& aim, const MasterConfig& config, const std::string& addr,
                           std::string& sent) {
    const std::string name(aim.spec->name);
    // The FIFO given, else the one the proven master was started with.
    const std::string fifo = !aim.fifo.empty() ? aim.fifo : config.master_fifo.value_or("");
    std::string why;
    const auto channel = channel_for(*aim.spec, !fifo.empty(), &why);
    if (!channel) return Status::fail(addr + ": " + why);
    if (Status st = check_fits_instance(*aim.spec, *channel, config, aim.cheap_seen); !st)
        return Status::fail(addr + ": " + st.message());
    if (Status st = check_fresh(aim.age_ms, aim.interval_ms); !st) return Status::fail(addr + ": " + name + ": " + st.message());
    const std::string who = addr + ": " + name;
    const auto master = static_cast<pid_t>(aim.master);
    if (*channel == Channel::Fifo) {
        if (Status st = write_fifo(proc, master, fifo, aim.spec->fifo_letter); !st) return Status::fail(who + ": " + st.message());
    } else if (Status st = signal_master(proc, master, aim.address, aim.peer, aim.spec->master_signal,
                                         who + ": master pid " + std::to_string(master));
               !st) {
        return st;
    }
    sent = explain(*aim.spec, 0, master, *channel);
    return Status::ok();
}

}  // namespace

Status deliver(const ProcRoot& proc, const Aim& aim, std::string& sent) {
    const std::string addr = escape_for_display(aim.address.text);
    const std::string name(aim.spec->name);
    // 1, 0 and negatives: check_peer_is_master's lines; above pid_max: none.
    if (aim.master > pid_max(proc))
        return Status::fail(name + ": " + addr + ": master pid " + std::to_string(aim.master) + " is not a valid pid; refused");
    if (Status st = check_peer_is_master(proc, static_cast<pid_t>(std::max<int64_t>(aim.master, 0)), aim.address, aim.peer);
        !st)
        return Status::fail(name + ": " + st.message());
    if (aim.spec->target == Target::Worker) return deliver_to_worker(proc, aim, addr, sent);
    return deliver_to_instance(proc, aim, read_master_config(proc, static_cast<pid_t>(aim.master)), addr, sent);
}

Observed observe(const Snapshot& s) {
    Observed o;
    o.has_workers = !s.workers.empty();
    bool any = false, all = true;
    for (const Worker& w : s.workers) {
        if (w.pid.value_or(0) <= 0 || w.status == "cheap") continue;
        o.running[w.id.value_or(0)] = *w.pid;
        if (w.last_spawn.has_value()) o.spawned[w.id.value_or(0)] = *w.last_spawn;
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
        const auto spawned = now.spawned.find(*worker);
        const auto earlier = before.spawned.find(*worker);
        if (before.sent_at > 0 && spawned != now.spawned.end() && earlier != before.spawned.end() &&
            spawned->second > earlier->second && static_cast<double>(spawned->second) < before.sent_at - 1.0)
            what += " " + std::to_string(static_cast<int64_t>(before.sent_at) - spawned->second) +
                    " s before our signal: not by it (something else reloaded that worker)";
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
