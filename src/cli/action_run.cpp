// action_run.cpp — uwsgitop --action: the safety checks, one delivery, then
// snapshots until one shows the action took effect (see action_run.hpp).
#include "uwsgitop/cli/action_run.hpp"

#include <chrono>
#include <cstdio>
#include <map>
#include <thread>

#include "uwsgitop/action/action.hpp"
#include "uwsgitop/action/safety.hpp"
#include "uwsgitop/base/text.hpp"
#include "uwsgitop/pipeline/pipeline.hpp"
#include "uwsgitop/settings/fetch_setup.hpp"
#include "uwsgitop/source/address.hpp"

namespace uwsgitop {

namespace {

using Clock = std::chrono::steady_clock;

int fail(const std::string& message) {
    std::fprintf(stderr, "uwsgitop: %s\n", message.c_str());
    return 1;
}

// Running (non-cheap) workers: id -> pid.
std::map<int64_t, int64_t> running(const Snapshot& s) {
    std::map<int64_t, int64_t> out;
    for (const Worker& w : s.workers)
        if (w.pid.value_or(0) > 0 && w.status != "cheap") out[w.id.value_or(0)] = *w.pid;
    return out;
}

bool all_paused(const Snapshot& s) {
    bool any = false;
    for (const Worker& w : s.workers) {
        if (w.pid.value_or(0) <= 0 || w.status == "cheap") continue;
        any = true;
        if (w.status != "pause") return false;
    }
    return any;
}

// The confirmation test of `name` between the snapshot before and now; the
// message says what happened.
bool confirmed(std::string_view name, std::optional<long> worker, const Snapshot& before, const Snapshot& now,
               std::string& what) {
    const auto b = running(before), n = running(now);
    if (worker) {
        const auto was = b.find(*worker), is = n.find(*worker);
        if (name == "log-worker") {
            what = "worker " + std::to_string(*worker) + " signalled";
            return true;
        }
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
        const bool was = all_paused(before), is = all_paused(now);
        what = is ? "paused: every worker reports status pause" : "resumed: no worker reports status pause";
        return was != is && (is || !now.workers.empty());
    }
    if (name == "add-worker" || name == "remove-worker") {
        what = "running workers " + std::to_string(b.size()) + " -> " + std::to_string(n.size());
        return name == "add-worker" ? n.size() > b.size() : n.size() < b.size();
    }
    what = std::string(name) + " delivered; the master answered the next snapshot";
    return true;
}

}  // namespace

int run_action(const Options& opt) {
    action::Request req;
    Status st = action::parse_request(opt.action, req);
    if (!st) {
        std::fprintf(stderr, "uwsgitop: %s\n", st.message().c_str());
        return 2;
    }
    const std::string name(req.spec->name);
    if (opt.demo || !opt.replay_path.empty()) {
        Address none;
        none.text = opt.demo ? "--demo" : opt.replay_path;
        return fail(name + ": " + action::check_source_live(none, {.replay = !opt.demo, .demo = opt.demo}).message());
    }
    if (opt.addresses.size() != 1) {
        std::fprintf(stderr, "uwsgitop: --action needs exactly one ADDRESS\n");
        return 2;
    }
    Address address;
    st = parse_address(opt.addresses.front(), address);
    if (!st) {
        std::fprintf(stderr, "uwsgitop: %s\n", st.message().c_str());
        return 2;
    }
    // Refusals that need neither the network nor /proc come first: nothing is
    // connected to, nothing is sent.
    if (st = action::check_source_live(address, {.read_only = opt.read_only}); !st) return fail(name + ": " + st.message());
    if (st = action::check_address_local(address); !st) return fail(name + ": " + st.message());

    Pipeline pipeline(make_source(address, fetch_limits(opt)));
    Snapshot before;
    Rates rates;
    const auto read_at = Clock::now();
    if (st = pipeline.refresh(before, rates); !st) return fail(name + ": " + st.message());
    if (before.kind != SnapshotKind::Master)
        return fail(escape_for_display(address.text) + ": " + name + ": not a uWSGI master's stats (no workers)");

    const action::ProcRoot proc;
    const pid_t master = static_cast<pid_t>(before.pid.value_or(0));
    if (st = action::check_master_holds_socket(proc, master, address); !st) return fail(name + ": " + st.message());

    const int64_t interval_ms = static_cast<int64_t>(opt.interval * 1000);
    std::string sent;
    if (req.spec->target == action::Target::Worker) {
        const Worker* target = nullptr;
        for (const Worker& w : before.workers)
            if (w.id.value_or(-1) == *req.worker_id && w.pid.value_or(0) > 0) target = &w;
        if (target == nullptr)
            return fail(escape_for_display(address.text) + ": " + name + ": no running worker " +
                        std::to_string(*req.worker_id) + " in the snapshot");
        const pid_t pid = static_cast<pid_t>(*target->pid);
        const int64_t age = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - read_at).count();
        if (st = action::check_fresh(age, interval_ms); !st) return fail(escape_for_display(address.text) + ": " + name + ": " + st.message());
        const std::string who = escape_for_display(address.text) + ": " + name + ": worker " + std::to_string(*req.worker_id) +
                                ", pid " + std::to_string(pid);
        if (st = action::signal_worker(proc, pid, master, *req.worker_id, req.spec->worker_signal, who); !st) {
            // check_parent's line names the worker but not the address.
            return fail(st.message().rfind(escape_for_display(address.text), 0) == 0
                            ? st.message()
                            : escape_for_display(address.text) + ": " + name + ": " + st.message());
        }
        sent = action::explain(*req.spec, *req.worker_id, pid, action::Channel::WorkerSignal);
    } else {
        std::string fifo = opt.master_fifo;
        if (fifo.empty()) fifo = action::master_fifo_from_cmdline(proc, master).value_or("");
        std::string why;
        const auto channel = action::channel_for(*req.spec, !fifo.empty(), &why);
        if (!channel) return fail(escape_for_display(address.text) + ": " + why);
        const int64_t age = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - read_at).count();
        if (st = action::check_fresh(age, interval_ms); !st) return fail(escape_for_display(address.text) + ": " + name + ": " + st.message());
        const std::string who = escape_for_display(address.text) + ": " + name;
        if (*channel == action::Channel::Fifo) {
            if (st = action::write_fifo(fifo, req.spec->fifo_letter); !st) return fail(who + ": " + st.message());
        } else if (st = action::signal_master(proc, master, address, req.spec->master_signal,
                                              who + ": master pid " + std::to_string(master));
                   !st) {
            return fail(st.message());
        }
        sent = action::explain(*req.spec, 0, master, *channel);
    }
    std::printf("sent: %s\n", sent.c_str());
    std::fflush(stdout);

    const auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(opt.action_wait * 1000));
    const auto step = std::chrono::milliseconds(std::max<int64_t>(50, std::min<int64_t>(interval_ms, 250)));
    std::string what, last_error;
    while (Clock::now() < deadline) {
        std::this_thread::sleep_for(step);
        Snapshot now;
        if (st = pipeline.refresh(now, rates); !st) {
            last_error = st.message();  // a reloading master may not answer for a moment
            continue;
        }
        if (confirmed(name, req.worker_id, before, now, what)) {
            std::printf("%s\n", what.c_str());
            return 0;
        }
    }
    return fail(escape_for_display(address.text) + ": " + name + ": sent, but no snapshot within " +
                std::to_string(opt.action_wait).substr(0, std::to_string(opt.action_wait).find('.') + 2) +
                " s showed it (" + (what.empty() ? last_error : what) + ")");
}

}  // namespace uwsgitop
