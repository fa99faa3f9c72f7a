// aux_columns.cpp — vassal and router-node column tables (see aux_columns.hpp).
#include "uwsgitop/view/aux_columns.hpp"

#include <array>

namespace uwsgitop {

namespace {

using F = Format;

Value text_or_unknown(std::string_view s) { return s.empty() ? Value::unknown() : Value::str(s); }

const std::array<VassalColumn, 11> kVassal = {{
    {"id", "VASSAL", "vassal name (its config file)", 20, true, F::Text, [](const Vassal& v) { return text_or_unknown(v.id); }},
    {"pid", "PID", "pid of the vassal's master", 7, false, F::Integer, [](const Vassal& v) { return Value::from(v.pid); }},
    {"respawns", "ReSpwn", "times the emperor (re)started it", 6, false, F::Integer, [](const Vassal& v) { return Value::from(v.respawns); }},
    {"loyal", "LOYAL", "1 once the vassal declared itself loyal", 5, false, F::Integer, [](const Vassal& v) { return Value::from(v.loyal); }},
    {"ready", "READY", "1 when the vassal is ready", 5, false, F::Integer, [](const Vassal& v) { return Value::from(v.ready); }},
    {"accepting", "ACC", "1 when the vassal accepts requests", 3, false, F::Integer, [](const Vassal& v) { return Value::from(v.accepting); }},
    {"last_heartbeat", "HEARTBEAT", "local time of the last heartbeat (epoch seconds in scripts)", 9, false, F::LocalTime, [](const Vassal& v) { return (v.last_heartbeat && *v.last_heartbeat > 0) ? Value::from(v.last_heartbeat) : Value::unknown(); }},
    {"born", "BORN", "local time the vassal was started (epoch seconds in scripts)", 8, false, F::LocalTime, [](const Vassal& v) { return (v.born && *v.born > 0) ? Value::from(v.born) : Value::unknown(); }},
    {"cursed", "CURSED", "epoch time it was cursed (being stopped), 0 if not", 10, false, F::Integer, [](const Vassal& v) { return Value::from(v.cursed); }},
    {"zerg", "ZERG", "zerg instances attached", 4, false, F::Integer, [](const Vassal& v) { return Value::from(v.zerg); }},
    {"monitor", "MONITOR", "the emperor scanner that found it", 16, true, F::Text, [](const Vassal& v) { return text_or_unknown(v.monitor); }},
}};

const std::array<NodeColumn, 11> kNode = {{
    {"key", "KEY", "subscription key (domain or mountpoint)", 20, true, F::Text, [](const Snapshot& s, const RouterNode& n) { return text_or_unknown(s.subscriptions[n.subscription_index].key); }},
    {"name", "NODE", "node address", 21, true, F::Text, [](const Snapshot&, const RouterNode& n) { return text_or_unknown(n.name); }},
    {"requests", "REQ", "requests routed to the node (counter)", 8, false, F::Integer, [](const Snapshot&, const RouterNode& n) { return Value::from(n.requests); }},
    {"tx", "TX", "bytes sent by the node", 6, false, F::Bytes, [](const Snapshot&, const RouterNode& n) { return Value::from(n.tx); }},
    {"rx", "RX", "bytes received from the node", 6, false, F::Bytes, [](const Snapshot&, const RouterNode& n) { return Value::from(n.rx); }},
    {"load", "LOAD", "node load as reported by the node", 5, false, F::Integer, [](const Snapshot&, const RouterNode& n) { return Value::from(n.load); }},
    {"weight", "WEIGHT", "node weight", 6, false, F::Integer, [](const Snapshot&, const RouterNode& n) { return Value::from(n.weight); }},
    {"failcnt", "FAIL", "consecutive failures", 5, false, F::Integer, [](const Snapshot&, const RouterNode& n) { return Value::from(n.failcnt); }},
    {"death_mark", "DEAD", "1 when the node is marked dead", 4, false, F::Integer, [](const Snapshot&, const RouterNode& n) { return Value::from(n.death_mark); }},
    {"last_check", "CHECKED", "local time of the last subscription (epoch seconds in scripts)", 8, false, F::LocalTime, [](const Snapshot&, const RouterNode& n) { return (n.last_check && *n.last_check > 0) ? Value::from(n.last_check) : Value::unknown(); }},
    {"pid", "PID", "pid that subscribed the node", 7, false, F::Integer, [](const Snapshot&, const RouterNode& n) { return Value::from(n.pid); }},
}};

}  // namespace

std::span<const VassalColumn> vassal_columns() { return kVassal; }
std::span<const NodeColumn> node_columns() { return kNode; }

void format_aux(Format format, const Value& v, std::string& out) {
    static const ColumnDef kShape{ColumnId::Id, "", "", "", 0, false, false, Format::Integer, nullptr, nullptr};
    ColumnDef def = kShape;
    def.format = format;
    RowContext ctx;
    format_human(def, v, RowRef{}, ctx, out);
}

}  // namespace uwsgitop
