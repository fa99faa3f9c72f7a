// action_run.cpp — uwsgitop --action: the safety checks, one delivery, then
// snapshots until one shows the action took effect (see action_run.hpp).
#include "uwsgitop/cli/action_run.hpp"

#include <chrono>
#include <cstdio>
#include <thread>

#include "uwsgitop/action/action.hpp"
#include "uwsgitop/action/deliver.hpp"
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
    const int64_t interval_ms = static_cast<int64_t>(opt.interval * 1000);
    action::Aim aim;
    aim.spec = req.spec;
    aim.address = address;
    aim.master = master;
    aim.interval_ms = interval_ms;
    if (req.spec->target == action::Target::Worker) {
        const Worker* target = nullptr;
        for (const Worker& w : before.workers)
            if (w.id.value_or(-1) == *req.worker_id && w.pid.value_or(0) > 0) target = &w;
        if (target == nullptr)
            return fail(escape_for_display(address.text) + ": " + name + ": no running worker " +
                        std::to_string(*req.worker_id) + " in the snapshot");
        aim.worker_id = *req.worker_id;
        aim.pid = static_cast<pid_t>(*target->pid);
    } else {
        aim.fifo = opt.master_fifo;
        if (aim.fifo.empty()) aim.fifo = action::master_fifo_from_cmdline(proc, master).value_or("");
    }
    aim.age_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - read_at).count();
    std::string sent;
    if (st = action::deliver(proc, aim, sent); !st) return fail(st.message());
    std::printf("sent: %s\n", sent.c_str());
    std::fflush(stdout);

    const auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(opt.action_wait * 1000));
    const auto step = std::chrono::milliseconds(std::max<int64_t>(50, std::min<int64_t>(interval_ms, 250)));
    const action::Observed was = action::observe(before);
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
    return fail(escape_for_display(address.text) + ": " + name + ": sent, but no snapshot within " +
                std::to_string(opt.action_wait).substr(0, std::to_string(opt.action_wait).find('.') + 2) +
                " s showed it (" + (what.empty() ? last_error : what) + ")");
}

}  // namespace uwsgitop
