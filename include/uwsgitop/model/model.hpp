// model.hpp — the typed picture of one uWSGI stats document.
//
// Ownership: a Snapshot owns `storage`, the strings it keeps (decoded, each
// followed by a NUL), copied there by the parser; every std::string_view in
// the snapshot points into it. The document itself is not kept: the parser
// works in place in the caller's buffer, so whoever needs the raw bytes
// (--record, --format raw) copies them before parsing (see pipeline.cpp).
// Moving a Snapshot keeps the views valid (vector moves keep their buffer);
// copying one is not allowed. Reusing a Snapshot for the next parse keeps all
// vector capacities, so a steady refresh allocates nothing.
//
// Unknown values: every numeric field is an `Int`, empty when the server did
// not send it (older versions, --stats-minified, --stats-no-cores, cheap
// workers). Nothing is ever filled with a fake zero.
//
// Units, as uWSGI writes them (core/master_utils.c):
//   rss, vsz, uss, pss, tx: bytes; rss/vsz stay 0 until a request ends when
//     the server runs with --memory-report.
//   avg_rt: microseconds, a smoothed average of recent requests.
//   running_time: microseconds, CUMULATIVE time spent serving requests (not uptime).
//   last_spawn, request_start, born, last_heartbeat, ...: seconds since the epoch.
// A cheaper worker that is not running reports id 0, pid 0, status "cheap".
//
// Nested lists are flattened: cores, apps and vars of all workers live in
// single vectors, and each parent holds a [begin, begin+count) range.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>
#include "uwsgitop/base/byte_buffer.hpp"
#include "uwsgitop/base/peer.hpp"

namespace uwsgitop {

// An integer the server may not have sent. Same interface as
// std::optional<int64_t> (has_value, operator bool, *, value, value_or,
// reset, == with a number) in 8 bytes instead of 16: INT64_MIN means
// "unknown" (uWSGI never writes it: its counters are unsigned). A Core is 88
// bytes instead of 160, which matters with 16,000 async cores.
class Int {
public:
    constexpr Int() = default;
    constexpr Int(int64_t v) : v_(v) {}  // NOLINT: implicit like std::optional
    constexpr Int(std::nullopt_t) {}     // NOLINT
    constexpr bool has_value() const { return v_ != kNone; }
    constexpr explicit operator bool() const { return has_value(); }
    constexpr int64_t operator*() const { return v_; }
    int64_t value() const {
        if (!has_value()) throw std::bad_optional_access();
        return v_;
    }
    constexpr int64_t value_or(int64_t fallback) const { return has_value() ? v_ : fallback; }
    constexpr void reset() { v_ = kNone; }
    friend constexpr bool operator==(const Int& a, const Int& b) { return a.v_ == b.v_; }
    friend constexpr bool operator==(const Int& a, int64_t b) { return a.has_value() && a.v_ == b; }

private:
    static constexpr int64_t kNone = INT64_MIN;
    int64_t v_ = kNone;
};
static_assert(sizeof(Int) == 8);

struct Range {
    uint32_t begin = 0;
    uint32_t count = 0;
};

struct App {
    Int id, modifier1, startup_time, requests, exceptions;
    std::string_view mountpoint, chdir;
};

struct Core {
    uint32_t worker_index = 0;  // index into Snapshot::workers
    Int id, requests, static_requests, routed_requests, offloaded_requests;
    Int write_errors, read_errors, in_request;
    Int request_start;          // req_info.request_start (epoch seconds), busy cores only
    Range vars;                 // into Snapshot::vars: "KEY=VALUE" strings of the in-flight request
};

struct Worker {
    Int id, pid, accepting, requests, delta_requests, exceptions, harakiri_count;
    Int signals, signal_queue, rss, vsz, uss, pss, running_time, last_spawn;
    Int respawn_count, tx, avg_rt;
    std::string_view status;    // "idle", "busy", "cheap", "pause", "sig17", ...; empty if absent
    Range apps;                 // into Snapshot::apps
    Range cores;                // into Snapshot::cores
    bool has_cores = false;     // false with --stats-no-cores
};

struct Socket {
    std::string_view name, proto;
    Int queue, max_queue, shared, can_offload;
};

struct Lock {
    std::string_view name;      // "user 0", "signal", ...
    Int pid;                    // holder's pid, 0 when free
};

struct Cache {
    std::string_view name, hash;
    Int hashsize, keysize, max_items, blocks, blocksize, items, hits, miss, full, last_modified_at;
};

struct Metric {
    std::string_view name, oid;
    Int type, value;            // type: 0 counter, 1 gauge, 2 absolute
};

struct Spooler {
    std::string_view dir;
    Int pid, tasks, respawns, running;
};

struct Daemon {
    std::string_view cmd;
    Int pid, respawns;
};

struct Cron {
    Int minute, hour, day, month, week;
    std::string_view command, legion;
    Int unique, pid, started_at;
};

// --legion: one legion this instance takes part in (its "nodes" and
// "members" lists are not kept).
struct Legion {
    std::string_view legion, addr, uuid, lord_uuid;
    Int valor, checksum, quorum, i_am_the_lord, lord_valor;
};

// Emperor (--emperor-stats)
struct Vassal {
    std::string_view id, on_demand, monitor;
    Int pid, born, last_mod, last_heartbeat, loyal, ready, accepting;
    Int last_loyal, last_ready, last_accepting, first_run, last_run, cursed;
    Int zerg, suspended, adopted, uid, gid, respawns;
};

struct BlacklistEntry {
    std::string_view id;
    Int throttle_level, attempt, first_attempt, last_attempt;
};

// Routers (--http-stats-server, --fastrouter-stats-server, ...)
struct RouterNode {
    uint32_t subscription_index = 0;
    std::string_view name, vassal, proto;
    Int modifier1, modifier2, last_check, pid, uid, gid, requests, last_requests;
    Int tx, rx, cores, load, weight, backup, wrr, ref, failcnt, death_mark;
};

struct Subscription {
    std::string_view key, algo;
    Int hash, hits, sni_enabled;
    Range nodes;                // into Snapshot::router_nodes
};

struct StaticNode {
    std::string_view name;
    Int hits, grace;
};

enum class SnapshotKind : uint8_t {
    Master,    // a normal uWSGI master: has "workers"
    Emperor,   // --emperor-stats: has "vassals"
    Router,    // a corerouter stats server: has "active_sessions"
    Unknown,   // none of the above (still parsed: version, pid, ...)
};

struct Snapshot {
    ByteBuffer storage;  // the kept strings the views point into (see top)
    bool repaired = false;      // the lenient path rewrote the input (it was not strict JSON)
    bool cores_skipped = false; // parsed with ParseScope::NoCores and the server sent cores:
                                // workers have has_cores but no cores here (parse.hpp)

    SnapshotKind kind = SnapshotKind::Unknown;
    Peer peer;  // the connection this snapshot came over (base/peer.hpp), set by the pipeline

    // common / master
    std::string_view version, cwd;
    Int listen_queue, listen_queue_errors, signal_queue, load, pid, uid, gid;

    std::vector<Worker> workers;
    std::vector<Core> cores;
    std::vector<App> apps;
    std::vector<std::string_view> vars;
    std::vector<Socket> sockets;
    std::vector<Lock> locks;
    std::vector<Cache> caches;
    std::vector<Metric> metrics;
    bool has_metrics = false;   // the "metrics" object was present
    std::vector<Spooler> spoolers;
    std::vector<Daemon> daemons;
    std::vector<Cron> crons;
    std::vector<Legion> legions;

    // emperor
    std::vector<std::string_view> emperor_scanners;
    Int emperor_tyrant, throttle_level;
    std::vector<Vassal> vassals;
    std::vector<BlacklistEntry> blacklist;

    // router
    Int active_sessions, cheap;
    std::string_view router_name;                  // the short name key, e.g. "http", "fastrouter"
    std::vector<std::string_view> router_sockets;  // gateway socket names under that key
    std::vector<Subscription> subscriptions;
    std::vector<RouterNode> router_nodes;
    std::vector<StaticNode> static_nodes;

    Snapshot() = default;
    Snapshot(Snapshot&&) noexcept = default;
    Snapshot& operator=(Snapshot&&) noexcept = default;
    Snapshot(const Snapshot&) = delete;
    Snapshot& operator=(const Snapshot&) = delete;

    // Empties every field and list, keeping capacities (storage untouched).
    void clear();
    // clear(), and the pages of the big lists and of storage go back to the
    // kernel (capacities kept, base/page_release.hpp): for a snapshot that
    // waits, dead, to be refilled by the next parse.
    void release();

    std::span<const Core> cores_of(const Worker& w) const {
        return std::span<const Core>(cores).subspan(w.cores.begin, w.cores.count);
    }
    std::span<const App> apps_of(const Worker& w) const {
        return std::span<const App>(apps).subspan(w.apps.begin, w.apps.count);
    }
    std::span<const std::string_view> vars_of(const Core& c) const {
        return std::span<const std::string_view>(vars).subspan(c.vars.begin, c.vars.count);
    }
    std::span<const RouterNode> nodes_of(const Subscription& s) const {
        return std::span<const RouterNode>(router_nodes).subspan(s.nodes.begin, s.nodes.count);
    }
};

// The value of KEY in a core's vars ("KEY=VALUE"), or empty if absent.
std::string_view find_var(const Snapshot& snap, const Core& core, std::string_view key);

}  // namespace uwsgitop
