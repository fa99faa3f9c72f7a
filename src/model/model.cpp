// model.cpp — Snapshot housekeeping and lookups.
#include "uwsgitop/model/model.hpp"

namespace uwsgitop {

void Snapshot::clear() {
    repaired = false;
    cores_skipped = false;
    kind = SnapshotKind::Unknown;
    version = {};
    cwd = {};
    listen_queue = listen_queue_errors = signal_queue = load = pid = uid = gid = Int();
    workers.clear();
    cores.clear();
    apps.clear();
    vars.clear();
    sockets.clear();
    locks.clear();
    caches.clear();
    metrics.clear();
    has_metrics = false;
    spoolers.clear();
    daemons.clear();
    crons.clear();
    emperor_scanners.clear();
    emperor_tyrant = throttle_level = Int();
    vassals.clear();
    blacklist.clear();
    active_sessions = cheap = Int();
    router_name = {};
    router_sockets.clear();
    subscriptions.clear();
    router_nodes.clear();
    static_nodes.clear();
}

std::string_view find_var(const Snapshot& snap, const Core& core, std::string_view key) {
    for (std::string_view kv : snap.vars_of(core)) {
        if (kv.size() > key.size() && kv[key.size()] == '=' && kv.substr(0, key.size()) == key) {
            return kv.substr(key.size() + 1);
        }
    }
    return {};
}

}  // namespace uwsgitop
