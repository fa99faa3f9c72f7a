// model.cpp — Snapshot housekeeping and lookups.
#include "uwsgitop/model/model.hpp"

#include "uwsgitop/model/fields.hpp"
#include "uwsgitop/base/page_release.hpp"

namespace uwsgitop {

namespace {

template <std::size_t N>
void reset_fields(Snapshot& s, const FieldTable<Snapshot, N>& table) {
    for (const FieldDef& f : table) {
        if (f.type == FieldType::Int) {
            int_field(s, f).reset();
        } else {
            str_field(s, f) = {};
        }
    }
}

}  // namespace

void Snapshot::clear() {
    repaired = false;
    cores_skipped = false;
    kind = SnapshotKind::Unknown;
    peer = {};
    reset_fields(*this, kRootFields);
    reset_fields(*this, kEmperorFields);
    reset_fields(*this, kRouterFields);
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
    legions.clear();
    emperor_scanners.clear();
    vassals.clear();
    blacklist.clear();
    router_name = {};
    router_sockets.clear();
    subscriptions.clear();
    router_nodes.clear();
    static_nodes.clear();
}

void Snapshot::release() {
    clear();
    release_contents(storage);
    release_contents(workers);
    release_contents(cores);
    release_contents(apps);
    release_contents(vars);
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
