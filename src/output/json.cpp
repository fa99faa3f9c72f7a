// json.cpp — one snapshot as JSON with uWSGI's own field names (see dump.hpp).
//
// Every field comes from its table in uwsgitop/model/fields.hpp, in the
// table's order (write_fields); what is written here by hand is the
// structure (which lists, in which order, for which kind of document) and
// the keys uwsgitop derives (share, rps, exc_rate, tx_rate, per worker cpu
// and rt, "uwsgitop").
#include <cmath>

#include "json_out.hpp"
#include "uwsgitop/model/fields.hpp"
#include "uwsgitop/output/dump.hpp"

namespace uwsgitop {

namespace {

using detail::JsonOut;
using detail::write_fields;
using detail::write_records;

double rate_at(const Rates* rates, std::size_t i, double WorkerRates::*f) {
    return (rates && i < rates->workers.size()) ? rates->workers[i].*f : NAN;
}

template <class Strings>
void write_strings(JsonOut& j, const Strings& strings) {
    j.begin_array();
    for (std::string_view s : strings) j.string(s);
    j.end_array();
}

void write_core(JsonOut& j, const Snapshot& snap, const Core& c, const Rates* rates, std::size_t index) {
    j.begin_object();
    write_fields(j, c, kCoreFields);
    j.plain_key("vars");
    write_strings(j, snap.vars_of(c));
    j.plain_key("req_info");
    j.begin_object();
    write_fields(j, c, kReqInfoFields);
    j.end_object();
    j.rate("rps", (rates && index < rates->cores.size()) ? rates->cores[index].requests : NAN);
    j.end_object();
}

// "stack": the frames read from the worker's tracebacker, or null.
void write_stack(JsonOut& j, const WorkerStack* stack) {
    j.plain_key("stack");
    if (stack == nullptr) {
        j.null();
        return;
    }
    write_frames(j, stack->frames);
}

void write_worker(JsonOut& j, const Snapshot& snap, std::size_t i, const Rates* rates, double total,
                  const DumpOptions& opt) {
    const Worker& w = snap.workers[i];
    j.begin_object();
    write_fields(j, w, kWorkerFields);
    j.plain_key("share");
    if (w.requests && total > 0) j.number(100.0 * static_cast<double>(*w.requests) / total, 3); else j.null();
    j.rate("rps", rate_at(rates, i, &WorkerRates::requests));
    j.rate("exc_rate", rate_at(rates, i, &WorkerRates::exceptions));
    j.rate("tx_rate", rate_at(rates, i, &WorkerRates::tx));
    j.rate("cpu", rate_at(rates, i, &WorkerRates::cpu));
    j.rate("rt", rate_at(rates, i, &WorkerRates::rt));
    j.plain_key("apps");
    write_records(j, snap.apps_of(w), kAppFields);
    if (w.has_cores) {
        j.plain_key("cores");
        j.begin_array();
        for (uint32_t k = 0; k < w.cores.count; ++k) {
            write_core(j, snap, snap.cores[w.cores.begin + k], rates, w.cores.begin + k);
        }
        j.end_array();
    }
    if (opt.stacks) write_stack(j, stack_of(opt.stacks, w.id));
    j.end_object();
}

// A list of records under `key`, left out when empty.
template <class T, std::size_t N>
void write_list_if_any(JsonOut& j, std::string_view key, const std::vector<T>& items,
                       const FieldTable<T, N>& table) {
    if (items.empty()) return;
    j.plain_key(key);
    write_records(j, items, table);
}

void write_master_lists(JsonOut& j, const Snapshot& snap) {
    j.plain_key("locks");
    j.begin_array();
    for (const Lock& l : snap.locks) {
        j.begin_object();
        j.field(l.name, l.pid);  // the key is the lock's name
        j.end_object();
    }
    j.end_array();
    if (snap.has_metrics) {
        j.plain_key("metrics");
        j.begin_object();
        for (const Metric& m : snap.metrics) {
            j.key(m.name);  // the key is the metric's name
            j.begin_object();
            write_fields(j, m, kMetricFields);
            j.end_object();
        }
        j.end_object();
    }
    j.plain_key("sockets");
    write_records(j, snap.sockets, kSocketFields);
    write_list_if_any(j, "caches", snap.caches, kCacheFields);
    write_list_if_any(j, "spoolers", snap.spoolers, kSpoolerFields);
    write_list_if_any(j, "daemons", snap.daemons, kDaemonFields);
    write_list_if_any(j, "crons", snap.crons, kCronFields);
    write_list_if_any(j, "legions", snap.legions, kLegionFields);
}

void write_emperor(JsonOut& j, const Snapshot& snap) {
    j.plain_key("emperor");
    write_strings(j, snap.emperor_scanners);
    write_fields(j, snap, kEmperorFields);
    j.plain_key("vassals");
    write_records(j, snap.vassals, kVassalFields);
    j.plain_key("blacklist");
    write_records(j, snap.blacklist, kBlacklistFields);
}

void write_router(JsonOut& j, const Snapshot& snap) {
    write_fields(j, snap, kRouterFields, kFieldAfterLists);
    if (!snap.router_name.empty()) {
        j.key(snap.router_name);
        write_strings(j, snap.router_sockets);
    }
    j.plain_key("static_nodes");
    write_records(j, snap.static_nodes, kStaticNodeFields);
    j.plain_key("subscriptions");
    j.begin_array();
    for (const Subscription& s : snap.subscriptions) {
        j.begin_object();
        write_fields(j, s, kSubscriptionFields);
        j.plain_key("nodes");
        write_records(j, snap.nodes_of(s), kNodeFields);
        j.end_object();
    }
    j.end_array();
    write_fields(j, snap, kRouterFields, 0, kFieldAfterLists);
}

const char* kind_name(SnapshotKind k) {
    switch (k) {
        case SnapshotKind::Master: return "master";
        case SnapshotKind::Emperor: return "emperor";
        case SnapshotKind::Router: return "router";
        case SnapshotKind::Unknown: break;
    }
    return "unknown";
}

}  // namespace

void dump_json(const Snapshot& snap, const Rates* rates, double now, const DumpOptions& opt,
               std::string& out) {
    JsonOut j(out);
    j.begin_object();
    j.plain_key("uwsgitop");
    j.begin_object();
    j.field("address", opt.address);
    j.plain_key("time");
    j.number(now, 3);
    j.plain_key("interval");
    if (rates && rates->interval > 0) j.number(rates->interval, 3); else j.null();
    j.plain_key("repaired");
    j.boolean(snap.repaired);
    j.plain_key("kind");
    j.string(kind_name(snap.kind));
    j.end_object();

    const bool master = snap.kind != SnapshotKind::Emperor && snap.kind != SnapshotKind::Router;
    write_fields(j, snap, kRootFields, master ? 0 : kFieldMasterOnly);

    switch (snap.kind) {
        case SnapshotKind::Emperor:
            write_emperor(j, snap);
            break;
        case SnapshotKind::Router:
            write_router(j, snap);
            break;
        case SnapshotKind::Master:
        case SnapshotKind::Unknown: {
            const double total = total_requests(snap);
            j.rate("rps", rates ? rates->total_requests : NAN);
            j.rate("exc_rate", rates ? rates->total_exceptions : NAN);
            j.rate("tx_rate", rates ? rates->total_tx : NAN);
            write_master_lists(j, snap);
            j.plain_key("workers");
            j.begin_array();
            for (std::size_t i = 0; i < snap.workers.size(); ++i) write_worker(j, snap, i, rates, total, opt);
            j.end_array();
            break;
        }
    }
    j.end_object();
    out += '\n';
}

}  // namespace uwsgitop
