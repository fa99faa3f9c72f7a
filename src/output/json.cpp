// dump_json.cpp — one snapshot as JSON with uWSGI's own field names (see dump.hpp).
#include <cmath>

#include "uwsgitop/output/dump.hpp"
#include "uwsgitop/base/text.hpp"

namespace uwsgitop {

void append_json_string(std::string& out, std::string_view s) {
    static const char kHex[] = "0123456789abcdef";
    out += '"';
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            if (c == '"' || c == '\\') {
                out += '\\';
                out += static_cast<char>(c);
            } else if (c < 0x20 || c == 0x7F) {
                out += "\\u00";
                out += kHex[c >> 4];
                out += kHex[c & 15];
            } else {
                out += static_cast<char>(c);
            }
            ++i;
            continue;
        }
        // One valid UTF-8 sequence is copied; anything else becomes U+FFFD.
        char32_t cp = 0;
        const std::size_t len = utf8_sequence(s, i, cp);
        if (len != 0) {
            out.append(s.substr(i, len));
            i += len;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    out += '"';
}

namespace {

// A minimal streaming JSON writer that tracks commas.
class JsonOut {
public:
    explicit JsonOut(std::string& out) : out_(out) {}

    void begin_object() { value_prefix(); out_ += '{'; first_ = true; }
    void end_object() { out_ += '}'; first_ = false; }
    void begin_array() { value_prefix(); out_ += '['; first_ = true; }
    void end_array() { out_ += ']'; first_ = false; }
    void key(std::string_view k) {
        if (!first_) out_ += ',';
        append_json_string(out_, k);
        out_ += ':';
        after_key_ = true;
    }
    void null() { value_prefix(); out_ += "null"; }
    void boolean(bool b) { value_prefix(); out_ += b ? "true" : "false"; }
    void integer(const Int& v) {
        value_prefix();
        if (v) append_int(out_, *v); else out_ += "null";
    }
    void number(double v, int decimals) {
        value_prefix();
        if (std::isfinite(v)) append_fixed(out_, v, decimals); else out_ += "null";
    }
    void string(std::string_view s) { value_prefix(); append_json_string(out_, s); }
    void string_or_null(std::string_view s, bool present) {
        if (present) string(s); else null();
    }

    void field(std::string_view k, const Int& v) { key(k); integer(v); }
    void field(std::string_view k, std::string_view s) { key(k); string(s); }
    void rate(std::string_view k, double v) { key(k); number(v, 3); }

private:
    void value_prefix() {
        if (after_key_) {
            after_key_ = false;
        } else if (!first_) {
            out_ += ',';
        }
        first_ = false;
    }
    std::string& out_;
    bool first_ = true;
    bool after_key_ = false;
};

double rate_at(const Rates* rates, std::size_t i, double WorkerRates::*f) {
    return (rates && i < rates->workers.size()) ? rates->workers[i].*f : NAN;
}

void write_core(JsonOut& j, const Snapshot& snap, const Core& c, const Rates* rates, std::size_t index) {
    j.begin_object();
    j.field("id", c.id);
    j.field("requests", c.requests);
    j.field("static_requests", c.static_requests);
    j.field("routed_requests", c.routed_requests);
    j.field("offloaded_requests", c.offloaded_requests);
    j.field("write_errors", c.write_errors);
    j.field("read_errors", c.read_errors);
    j.field("in_request", c.in_request);
    j.key("vars");
    j.begin_array();
    for (std::string_view v : snap.vars_of(c)) j.string(v);
    j.end_array();
    j.key("req_info");
    j.begin_object();
    if (c.request_start) j.field("request_start", c.request_start);
    j.end_object();
    j.rate("rps", (rates && index < rates->cores.size()) ? rates->cores[index].requests : NAN);
    j.end_object();
}

void write_worker(JsonOut& j, const Snapshot& snap, std::size_t i, const Rates* rates, double total) {
    const Worker& w = snap.workers[i];
    j.begin_object();
    j.field("id", w.id);
    j.field("pid", w.pid);
    j.field("accepting", w.accepting);
    j.field("requests", w.requests);
    j.field("delta_requests", w.delta_requests);
    j.field("exceptions", w.exceptions);
    j.field("harakiri_count", w.harakiri_count);
    j.field("signals", w.signals);
    j.field("signal_queue", w.signal_queue);
    j.key("status");
    j.string_or_null(w.status, !w.status.empty());
    j.field("rss", w.rss);
    j.field("vsz", w.vsz);
    if (w.uss) j.field("uss", w.uss);
    if (w.pss) j.field("pss", w.pss);
    j.field("running_time", w.running_time);
    j.field("last_spawn", w.last_spawn);
    j.field("respawn_count", w.respawn_count);
    j.field("tx", w.tx);
    j.field("avg_rt", w.avg_rt);
    j.key("share");
    if (w.requests && total > 0) j.number(100.0 * static_cast<double>(*w.requests) / total, 3); else j.null();
    j.rate("rps", rate_at(rates, i, &WorkerRates::requests));
    j.rate("exc_rate", rate_at(rates, i, &WorkerRates::exceptions));
    j.rate("tx_rate", rate_at(rates, i, &WorkerRates::tx));
    j.key("apps");
    j.begin_array();
    for (const App& a : snap.apps_of(w)) {
        j.begin_object();
        j.field("id", a.id);
        j.field("modifier1", a.modifier1);
        j.field("mountpoint", a.mountpoint);
        j.field("startup_time", a.startup_time);
        j.field("requests", a.requests);
        j.field("exceptions", a.exceptions);
        j.field("chdir", a.chdir);
        j.end_object();
    }
    j.end_array();
    if (w.has_cores) {
        j.key("cores");
        j.begin_array();
        for (uint32_t k = 0; k < w.cores.count; ++k) {
            write_core(j, snap, snap.cores[w.cores.begin + k], rates, w.cores.begin + k);
        }
        j.end_array();
    }
    j.end_object();
}

void write_master_lists(JsonOut& j, const Snapshot& snap) {
    j.key("locks");
    j.begin_array();
    for (const Lock& l : snap.locks) {
        j.begin_object();
        j.field(l.name, l.pid);
        j.end_object();
    }
    j.end_array();
    if (snap.has_metrics) {
        j.key("metrics");
        j.begin_object();
        for (const Metric& m : snap.metrics) {
            j.key(m.name);
            j.begin_object();
            j.field("type", m.type);
            j.field("oid", m.oid);
            j.field("value", m.value);
            j.end_object();
        }
        j.end_object();
    }
    j.key("sockets");
    j.begin_array();
    for (const Socket& s : snap.sockets) {
        j.begin_object();
        j.field("name", s.name);
        j.field("proto", s.proto);
        j.field("queue", s.queue);
        j.field("max_queue", s.max_queue);
        j.field("shared", s.shared);
        j.field("can_offload", s.can_offload);
        j.end_object();
    }
    j.end_array();
    if (!snap.caches.empty()) {
        j.key("caches");
        j.begin_array();
        for (const Cache& c : snap.caches) {
            j.begin_object();
            j.field("name", c.name);
            j.field("hash", c.hash);
            j.field("hashsize", c.hashsize);
            j.field("keysize", c.keysize);
            j.field("max_items", c.max_items);
            j.field("blocks", c.blocks);
            j.field("blocksize", c.blocksize);
            j.field("items", c.items);
            j.field("hits", c.hits);
            j.field("miss", c.miss);
            j.field("full", c.full);
            j.field("last_modified_at", c.last_modified_at);
            j.end_object();
        }
        j.end_array();
    }
    if (!snap.spoolers.empty()) {
        j.key("spoolers");
        j.begin_array();
        for (const Spooler& s : snap.spoolers) {
            j.begin_object();
            j.field("dir", s.dir);
            j.field("pid", s.pid);
            j.field("tasks", s.tasks);
            j.field("respawns", s.respawns);
            j.field("running", s.running);
            j.end_object();
        }
        j.end_array();
    }
    if (!snap.daemons.empty()) {
        j.key("daemons");
        j.begin_array();
        for (const Daemon& d : snap.daemons) {
            j.begin_object();
            j.field("cmd", d.cmd);
            j.field("pid", d.pid);
            j.field("respawns", d.respawns);
            j.end_object();
        }
        j.end_array();
    }
    if (!snap.crons.empty()) {
        j.key("crons");
        j.begin_array();
        for (const Cron& c : snap.crons) {
            j.begin_object();
            j.field("minute", c.minute);
            j.field("hour", c.hour);
            j.field("day", c.day);
            j.field("month", c.month);
            j.field("week", c.week);
            j.field("command", c.command);
            j.field("unique", c.unique);
            j.field("legion", c.legion);
            j.field("pid", c.pid);
            j.field("started_at", c.started_at);
            j.end_object();
        }
        j.end_array();
    }
}

void write_emperor(JsonOut& j, const Snapshot& snap) {
    j.key("emperor");
    j.begin_array();
    for (std::string_view s : snap.emperor_scanners) j.string(s);
    j.end_array();
    j.field("emperor_tyrant", snap.emperor_tyrant);
    j.field("throttle_level", snap.throttle_level);
    j.key("vassals");
    j.begin_array();
    for (const Vassal& v : snap.vassals) {
        j.begin_object();
        j.field("id", v.id);
        j.field("pid", v.pid);
        j.field("born", v.born);
        j.field("last_mod", v.last_mod);
        j.field("last_heartbeat", v.last_heartbeat);
        j.field("loyal", v.loyal);
        j.field("ready", v.ready);
        j.field("accepting", v.accepting);
        j.field("last_loyal", v.last_loyal);
        j.field("last_ready", v.last_ready);
        j.field("last_accepting", v.last_accepting);
        j.field("first_run", v.first_run);
        j.field("last_run", v.last_run);
        j.field("cursed", v.cursed);
        j.field("zerg", v.zerg);
        j.field("on_demand", v.on_demand);
        j.field("suspended", v.suspended);
        j.field("adopted", v.adopted);
        j.field("uid", v.uid);
        j.field("gid", v.gid);
        j.field("monitor", v.monitor);
        j.field("respawns", v.respawns);
        j.end_object();
    }
    j.end_array();
    j.key("blacklist");
    j.begin_array();
    for (const BlacklistEntry& b : snap.blacklist) {
        j.begin_object();
        j.field("id", b.id);
        j.field("throttle_level", b.throttle_level);
        j.field("attempt", b.attempt);
        j.field("first_attempt", b.first_attempt);
        j.field("last_attempt", b.last_attempt);
        j.end_object();
    }
    j.end_array();
}

void write_router(JsonOut& j, const Snapshot& snap) {
    j.field("active_sessions", snap.active_sessions);
    if (!snap.router_name.empty()) {
        j.key(snap.router_name);
        j.begin_array();
        for (std::string_view s : snap.router_sockets) j.string(s);
        j.end_array();
    }
    j.key("static_nodes");
    j.begin_array();
    for (const StaticNode& n : snap.static_nodes) {
        j.begin_object();
        j.field("name", n.name);
        j.field("hits", n.hits);
        j.field("grace", n.grace);
        j.end_object();
    }
    j.end_array();
    j.key("subscriptions");
    j.begin_array();
    for (const Subscription& s : snap.subscriptions) {
        j.begin_object();
        j.field("key", s.key);
        j.field("hash", s.hash);
        j.field("hits", s.hits);
        j.field("sni_enabled", s.sni_enabled);
        j.field("algo", s.algo);
        j.key("nodes");
        j.begin_array();
        for (const RouterNode& n : snap.nodes_of(s)) {
            j.begin_object();
            j.field("name", n.name);
            j.field("vassal", n.vassal);
            j.field("modifier1", n.modifier1);
            j.field("modifier2", n.modifier2);
            j.field("last_check", n.last_check);
            j.field("pid", n.pid);
            j.field("uid", n.uid);
            j.field("gid", n.gid);
            j.field("requests", n.requests);
            j.field("last_requests", n.last_requests);
            j.field("tx", n.tx);
            j.field("rx", n.rx);
            j.field("cores", n.cores);
            j.field("load", n.load);
            j.field("weight", n.weight);
            j.field("backup", n.backup);
            j.field("proto", n.proto);
            j.field("wrr", n.wrr);
            j.field("ref", n.ref);
            j.field("failcnt", n.failcnt);
            j.field("death_mark", n.death_mark);
            j.end_object();
        }
        j.end_array();
        j.end_object();
    }
    j.end_array();
    j.field("cheap", snap.cheap);
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
    j.key("uwsgitop");
    j.begin_object();
    j.field("address", opt.address);
    j.key("time");
    j.number(now, 3);
    j.key("interval");
    if (rates && rates->interval > 0) j.number(rates->interval, 3); else j.null();
    j.key("repaired");
    j.boolean(snap.repaired);
    j.key("kind");
    j.string(kind_name(snap.kind));
    j.end_object();

    j.key("version");
    j.string_or_null(snap.version, !snap.version.empty());
    if (snap.kind != SnapshotKind::Emperor && snap.kind != SnapshotKind::Router) {
        j.field("listen_queue", snap.listen_queue);
        j.field("listen_queue_errors", snap.listen_queue_errors);
        j.field("signal_queue", snap.signal_queue);
        j.field("load", snap.load);
    }
    j.field("pid", snap.pid);
    j.field("uid", snap.uid);
    j.field("gid", snap.gid);
    j.key("cwd");
    j.string_or_null(snap.cwd, !snap.cwd.empty());

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
            j.key("workers");
            j.begin_array();
            for (std::size_t i = 0; i < snap.workers.size(); ++i) write_worker(j, snap, i, rates, total);
            j.end_array();
            break;
        }
    }
    j.end_object();
    out += '\n';
}

}  // namespace uwsgitop
