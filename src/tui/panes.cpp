// panes.cpp — column tables of the non-worker panes (see panes.hpp).
#include "uwsgitop/tui/panes.hpp"

#include <array>

#include "uwsgitop/tui/event_log.hpp"
#include "uwsgitop/view/aux_columns.hpp"

namespace uwsgitop::tui {

namespace {

using F = Format;
constexpr bool L = true, R = false;

Value text(std::string_view s) { return s.empty() ? Value::unknown() : Value::str(s); }
Value epoch(const Int& t) { return (t && *t > 0) ? Value::from(t) : Value::unknown(); }

// --- adapters over aux_columns.hpp (one table for screen and dumps) -------
std::span<const PaneColumn> vassal_pane_columns() {
    static const std::vector<PaneColumn> cols = [] {
        std::vector<PaneColumn> v;
        for (const VassalColumn& c : vassal_columns()) {
            v.push_back({c.name, c.header, c.description, c.width, c.left_align, c.format,
                         [](const Snapshot& s, uint32_t row, uint32_t col) {
                             return vassal_columns()[col].get(s.vassals[row]);
                         }});
        }
        return v;
    }();
    return cols;
}

std::span<const PaneColumn> node_pane_columns() {
    static const std::vector<PaneColumn> cols = [] {
        std::vector<PaneColumn> v;
        for (const NodeColumn& c : node_columns()) {
            v.push_back({c.name, c.header, c.description, c.width, c.left_align, c.format,
                         [](const Snapshot& s, uint32_t row, uint32_t col) {
                             return node_columns()[col].get(s, s.router_nodes[row]);
                         }});
        }
        return v;
    }();
    return cols;
}

#define ROW(vec) const auto& r = s.vec[row]; (void)col
using S = const Snapshot&;
using U = uint32_t;

const std::array kSockets = {
    PaneColumn{"name", "SOCKET", "address the socket is bound to", 24, L, F::Text, [](S s, U row, U col) { ROW(sockets); return text(r.name); }},
    PaneColumn{"proto", "PROTO", "protocol spoken on it", 6, L, F::Text, [](S s, U row, U col) { ROW(sockets); return text(r.proto); }},
    PaneColumn{"queue", "QUEUE", "connections waiting in the listen queue", 6, R, F::Integer, [](S s, U row, U col) { ROW(sockets); return Value::from(r.queue); }},
    PaneColumn{"max_queue", "MAXQ", "size of the listen queue (--listen)", 6, R, F::Integer, [](S s, U row, U col) { ROW(sockets); return Value::from(r.max_queue); }},
    PaneColumn{"shared", "SHARED", "1 when shared between workers", 6, R, F::Integer, [](S s, U row, U col) { ROW(sockets); return Value::from(r.shared); }},
    PaneColumn{"can_offload", "OFFLOAD", "1 when it can offload", 7, R, F::Integer, [](S s, U row, U col) { ROW(sockets); return Value::from(r.can_offload); }},
};

const std::array kLocks = {
    PaneColumn{"name", "LOCK", "lock name", 16, L, F::Text, [](S s, U row, U col) { ROW(locks); return text(r.name); }},
    PaneColumn{"pid", "HELD BY", "pid of the process holding it, or free", 8, R, F::Integer, [](S s, U row, U col) {
        ROW(locks);
        if (r.pid && *r.pid == 0) return Value::str("free");
        return Value::from(r.pid);
    }},
};

const std::array kCaches = {
    PaneColumn{"name", "CACHE", "cache name", 16, L, F::Text, [](S s, U row, U col) { ROW(caches); return text(r.name); }},
    PaneColumn{"items", "ITEMS", "items stored", 7, R, F::Integer, [](S s, U row, U col) { ROW(caches); return Value::from(r.items); }},
    PaneColumn{"max_items", "MAX", "maximum items", 7, R, F::Integer, [](S s, U row, U col) { ROW(caches); return Value::from(r.max_items); }},
    PaneColumn{"hits", "HITS", "lookups that found the key (counter)", 8, R, F::Integer, [](S s, U row, U col) { ROW(caches); return Value::from(r.hits); }},
    PaneColumn{"miss", "MISS", "lookups that did not (counter)", 8, R, F::Integer, [](S s, U row, U col) { ROW(caches); return Value::from(r.miss); }},
    PaneColumn{"hit_ratio", "HIT%", "hits / (hits + miss), percent", 5, R, F::Percent, [](S s, U row, U col) {
        ROW(caches);
        if (!r.hits || !r.miss || *r.hits + *r.miss <= 0) return Value::unknown();
        return Value::num(100.0 * static_cast<double>(*r.hits) / static_cast<double>(*r.hits + *r.miss));
    }},
    PaneColumn{"full", "FULL", "times a set failed because the cache was full (counter)", 6, R, F::Integer, [](S s, U row, U col) { ROW(caches); return Value::from(r.full); }},
    PaneColumn{"hash", "HASH", "hash function", 8, L, F::Text, [](S s, U row, U col) { ROW(caches); return text(r.hash); }},
    PaneColumn{"keysize", "KEYSZ", "maximum key size, bytes", 6, R, F::Bytes, [](S s, U row, U col) { ROW(caches); return Value::from(r.keysize); }},
    PaneColumn{"blocksize", "BLKSZ", "block size, bytes", 6, R, F::Bytes, [](S s, U row, U col) { ROW(caches); return Value::from(r.blocksize); }},
    PaneColumn{"blocks", "BLOCKS", "number of blocks", 7, R, F::Integer, [](S s, U row, U col) { ROW(caches); return Value::from(r.blocks); }},
    PaneColumn{"last_modified_at", "MODIFIED", "local time of the last change", 8, R, F::LocalTime, [](S s, U row, U col) { ROW(caches); return epoch(r.last_modified_at); }},
};

const std::array kSpoolers = {
    PaneColumn{"dir", "SPOOLER", "spool directory", 30, L, F::Text, [](S s, U row, U col) { ROW(spoolers); return text(r.dir); }},
    PaneColumn{"pid", "PID", "spooler process id", 7, R, F::Integer, [](S s, U row, U col) { ROW(spoolers); return Value::from(r.pid); }},
    PaneColumn{"tasks", "TASKS", "tasks waiting in the directory", 6, R, F::Integer, [](S s, U row, U col) { ROW(spoolers); return Value::from(r.tasks); }},
    PaneColumn{"running", "RUN", "1 while a task runs", 3, R, F::Integer, [](S s, U row, U col) { ROW(spoolers); return Value::from(r.running); }},
    PaneColumn{"respawns", "ReSpwn", "times the spooler was (re)spawned", 6, R, F::Integer, [](S s, U row, U col) { ROW(spoolers); return Value::from(r.respawns); }},
};

const std::array kDaemons = {
    PaneColumn{"cmd", "DAEMON", "command of the attached daemon", 40, L, F::Text, [](S s, U row, U col) { ROW(daemons); return text(r.cmd); }},
    PaneColumn{"pid", "PID", "its process id", 7, R, F::Integer, [](S s, U row, U col) { ROW(daemons); return Value::from(r.pid); }},
    PaneColumn{"respawns", "ReSpwn", "times it was (re)spawned", 6, R, F::Integer, [](S s, U row, U col) { ROW(daemons); return Value::from(r.respawns); }},
};

Value cron_field(const Int& v) {
    if (v && *v < 0) return Value::str("*");
    return Value::from(v);
}

const std::array kCrons = {
    PaneColumn{"minute", "MIN", "minute (* = every)", 3, R, F::Integer, [](S s, U row, U col) { ROW(crons); return cron_field(r.minute); }},
    PaneColumn{"hour", "HOUR", "hour", 4, R, F::Integer, [](S s, U row, U col) { ROW(crons); return cron_field(r.hour); }},
    PaneColumn{"day", "DAY", "day of the month", 3, R, F::Integer, [](S s, U row, U col) { ROW(crons); return cron_field(r.day); }},
    PaneColumn{"month", "MON", "month", 3, R, F::Integer, [](S s, U row, U col) { ROW(crons); return cron_field(r.month); }},
    PaneColumn{"week", "WDAY", "day of the week", 4, R, F::Integer, [](S s, U row, U col) { ROW(crons); return cron_field(r.week); }},
    PaneColumn{"pid", "PID", "pid of the running command", 7, R, F::Integer, [](S s, U row, U col) { ROW(crons); return Value::from(r.pid); }},
    PaneColumn{"started_at", "STARTED", "local time it last started", 8, R, F::LocalTime, [](S s, U row, U col) { ROW(crons); return epoch(r.started_at); }},
    PaneColumn{"unique", "UNIQ", "1 when it never runs twice at once", 4, R, F::Integer, [](S s, U row, U col) { ROW(crons); return Value::from(r.unique); }},
    PaneColumn{"legion", "LEGION", "legion it belongs to", 8, L, F::Text, [](S s, U row, U col) { ROW(crons); return text(r.legion); }},
    PaneColumn{"command", "COMMAND", "command line", 30, L, F::Text, [](S s, U row, U col) { ROW(crons); return text(r.command); }},
};

Value metric_type(const Int& t) {
    if (!t) return Value::unknown();
    switch (*t) {
        case 0: return Value::str("counter");
        case 1: return Value::str("gauge");
        case 2: return Value::str("absolute");
        default: return Value::from(t);
    }
}

const std::array kMetrics = {
    PaneColumn{"name", "METRIC", "metric name", 36, L, F::Text, [](S s, U row, U col) { ROW(metrics); return text(r.name); }},
    PaneColumn{"type", "TYPE", "counter, gauge or absolute", 8, L, F::Text, [](S s, U row, U col) { ROW(metrics); return metric_type(r.type); }},
    PaneColumn{"value", "VALUE", "current value", 14, R, F::Integer, [](S s, U row, U col) { ROW(metrics); return Value::from(r.value); }},
    PaneColumn{"oid", "OID", "SNMP object id", 16, L, F::Text, [](S s, U row, U col) { ROW(metrics); return text(r.oid); }},
};

const std::array kBlacklist = {
    PaneColumn{"id", "VASSAL", "vassal that keeps failing", 24, L, F::Text, [](S s, U row, U col) { ROW(blacklist); return text(r.id); }},
    PaneColumn{"throttle_level", "THROTTLE", "current throttle level", 8, R, F::Integer, [](S s, U row, U col) { ROW(blacklist); return Value::from(r.throttle_level); }},
    PaneColumn{"attempt", "TRIES", "start attempts", 5, R, F::Integer, [](S s, U row, U col) { ROW(blacklist); return Value::from(r.attempt); }},
    PaneColumn{"first_attempt", "FIRST", "local time of the first attempt", 8, R, F::LocalTime, [](S s, U row, U col) { ROW(blacklist); return epoch(r.first_attempt); }},
    PaneColumn{"last_attempt", "LAST", "local time of the last attempt", 8, R, F::LocalTime, [](S s, U row, U col) { ROW(blacklist); return epoch(r.last_attempt); }},
};

const std::array kStaticNodes = {
    PaneColumn{"name", "STATIC NODE", "statically configured node", 24, L, F::Text, [](S s, U row, U col) { ROW(static_nodes); return text(r.name); }},
    PaneColumn{"hits", "HITS", "requests sent to it (counter)", 8, R, F::Integer, [](S s, U row, U col) { ROW(static_nodes); return Value::from(r.hits); }},
    PaneColumn{"grace", "GRACE", "seconds left in its grace period", 6, R, F::Integer, [](S s, U row, U col) { ROW(static_nodes); return Value::from(r.grace); }},
};

#undef ROW

// Rows come from the EventLog (see panes.hpp); order as EventColumn.
Value from_log(S, U, U) { return Value::unknown(); }

const std::array kEvents = {
    PaneColumn{"time", "TIME", "local time of the snapshot (or failed read) that showed it", 8, R, F::LocalTime, from_log},
    PaneColumn{"instance", "INSTANCE", "the instance's address", 16, L, F::Text, from_log},
    PaneColumn{"kind", "KIND", "respawn, harakiri, stuck, reload, status, exceptions, listen_queue, down, up, vassal_*", 12, L, F::Text, from_log},
    PaneColumn{"worker", "WID", "the worker involved, if one is", 3, R, F::Integer, from_log},
    PaneColumn{"text", "EVENT", "what happened, with the old and new values", 60, L, F::Text, from_log},
};
static_assert(kEvents.size() == static_cast<std::size_t>(EventColumn::Count_));
static_assert(kEventLogSize == 1000, "the events pane's description says how many it keeps");

template <typename V>
constexpr uint32_t count(const V& v) { return static_cast<uint32_t>(v.size()); }

const std::array<PaneDef, static_cast<std::size_t>(PaneId::Count_)>& table() {
    static const std::array<PaneDef, static_cast<std::size_t>(PaneId::Count_)> panes = {{
        {PaneId::Workers, "workers", "the worker table (a cycles cores)", {}, [](S s) { return count(s.workers); }},
        {PaneId::Vassals, "vassals", "an Emperor's vassals", vassal_pane_columns(), [](S s) { return count(s.vassals); }},
        {PaneId::Blacklist, "blacklist", "vassals the Emperor throttles after failures", kBlacklist, [](S s) { return count(s.blacklist); }},
        {PaneId::Nodes, "nodes", "a router's subscriptions and their nodes", node_pane_columns(), [](S s) { return count(s.router_nodes); }},
        {PaneId::StaticNodes, "static", "a router's static nodes", kStaticNodes, [](S s) { return count(s.static_nodes); }},
        {PaneId::Sockets, "sockets", "listening sockets and their queues", kSockets, [](S s) { return count(s.sockets); }},
        {PaneId::Locks, "locks", "uWSGI locks and which pid holds each", kLocks, [](S s) { return count(s.locks); }},
        {PaneId::Caches, "caches", "uWSGI caches", kCaches, [](S s) { return count(s.caches); }},
        {PaneId::Spoolers, "spoolers", "spoolers and their queues", kSpoolers, [](S s) { return count(s.spoolers); }},
        {PaneId::Daemons, "daemons", "attached daemons (attach-daemon)", kDaemons, [](S s) { return count(s.daemons); }},
        {PaneId::Crons, "crons", "cron tasks", kCrons, [](S s) { return count(s.crons); }},
        {PaneId::Metrics, "metrics", "uWSGI metrics (when the server has them)", kMetrics, [](S s) { return count(s.metrics); }},
        {PaneId::Events, "events", "what changed between snapshots, newest first (the last 1000)", kEvents, [](S) { return 0u; }},
    }};
    return panes;
}

}  // namespace

std::span<const PaneDef> all_panes() { return table(); }

const PaneDef& pane_def(PaneId id) { return table()[static_cast<std::size_t>(id)]; }

PaneId main_pane(const Snapshot& snap) {
    switch (snap.kind) {
        case SnapshotKind::Emperor: return PaneId::Vassals;
        case SnapshotKind::Router: return PaneId::Nodes;
        default: return PaneId::Workers;
    }
}

void available_panes(const Snapshot& snap, std::vector<PaneId>& out) {
    out.clear();
    const PaneId main = main_pane(snap);
    out.push_back(main);
    for (const PaneDef& p : table()) {
        if (p.id == main || p.id == PaneId::Workers || p.id == PaneId::Vassals || p.id == PaneId::Nodes) continue;
        if (p.id == PaneId::Events) continue;  // the view-model's, not the server's
        if (p.id == PaneId::Metrics && !snap.has_metrics) continue;
        if (p.id != PaneId::Metrics && p.rows(snap) == 0) continue;
        out.push_back(p.id);
    }
}

}  // namespace uwsgitop::tui
