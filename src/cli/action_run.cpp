// action_run.cpp — uwsgitop --action: the safety checks, one delivery, then
// snapshots until one shows the action took effect (see action_run.hpp).
#include "uwsgitop/cli/action_run.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include "uwsgitop/action/action.hpp"
#include "uwsgitop/action/deliver.hpp"
#include "uwsgitop/action/safety.hpp"
#include "uwsgitop/base/clock.hpp"
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

// The last line when no snapshot confirmed the action: what the snapshots
// showed (or the last read error), and whether the master itself is gone.
std::string unconfirmed(const Address& address, const std::string& name, int64_t master, double wait,
                        const std::string& seen) {
    std::string line = escape_for_display(address.text) + ": " + name + ": sent, but no snapshot within " +
                       std::to_string(wait).substr(0, std::to_string(wait).find('.') + 2) + " s showed it";
    if (!seen.empty()) line += " (" + seen + ")";
    if (master > 1 && ::kill(static_cast<pid_t>(master), 0) != 0 && errno == ESRCH)
        line += "; the master pid " + std::to_string(master) + " has exited: the instance is gone";
    return line;
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
    const int64_t master = before.pid.value_or(0);
    const int64_t interval_ms = static_cast<int64_t>(opt.interval * 1000);
    action::Aim aim;
    aim.spec = req.spec;
    aim.address = address;
    aim.peer = before.peer;
    aim.master = master;
    aim.interval_ms = interval_ms;
    aim.cheap_seen = std::any_of(before.workers.begin(), before.workers.end(),
                                 [](const Worker& w) { return w.status == "cheap"; });
    if (req.spec->target == action::Target::Worker) {
        const Worker* target = nullptr;
        for (const Worker& w : before.workers)
            if (w.id.value_or(-1) == *req.worker_id && w.pid.value_or(0) > 0) target = &w;
        if (target == nullptr)
            return fail(escape_for_display(address.text) + ": " + name + ": no running worker " +
                        std::to_string(*req.worker_id) + " in the snapshot (or no valid pid for it)");
        aim.worker_id = *req.worker_id;
        aim.pid = *target->pid;
        aim.other_pids = action::other_pids(before);
    } else {
        aim.fifo = opt.master_fifo;  // none given: deliver() reads the proven master's own
    }
    aim.age_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - read_at).count();
    std::string sent;
    if (st = action::deliver(proc, aim, sent); !st) return fail(st.message());
    std::printf("sent: %s\n", sent.c_str());
    std::fflush(stdout);

    const auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(opt.action_wait * 1000));
    const auto step = std::chrono::milliseconds(std::max<int64_t>(50, std::min<int64_t>(interval_ms, 250)));
    action::Observed was = action::observe(before);
    was.sent_at = wall_clock_seconds();
    std::string what, last_error;
    while (Clock::now() < deadline) {
        std::this_thread::sleep_for(step);
        Snapshot now;
        if (st = pipeline.refresh(now, rates); !st) {
            last_error = st.message();  // a reloading master may not answer for a moment
            continue;
        }
        if (action::confirmed(name, req.worker_id, was, action::observe(now), what)) {
            std::printf("%s\n", what.c_str());
            return 0;
        }
    }
    return fail(unconfirmed(address, name, master, opt.action_wait, what.empty() ? last_error : what));
}

}  // namespace uwsgitop
