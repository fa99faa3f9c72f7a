// fields.hpp — the one declaration of every uWSGI stats field the model keeps.
//
// One constexpr table per record (Snapshot's own fields, Worker, Core, ...):
// each row names the JSON key uWSGI writes, the member it fills (by its byte
// offset, the member pointer checking its type), and flags for the places
// that read it. Everything that handles a field derives from these rows:
//   - the parser's key tables (src/parse/key_tables.hpp): the rows in order,
//     plus the record's child containers (apps, cores, ...), which are
//     structure, not fields, and stay with the parser;
//   - the --format json writer (src/output/json.cpp): every row, in order;
//   - Prometheus (src/output/prometheus.cpp): a sparse table of the exported
//     rows, looked up by key at compile time (a typo does not build).
//
// Order: rows are in the order uWSGI writes them, as of its newest writer
// (unbit/uwsgi master: core/master_utils.c, core/emperor.c,
// plugins/corerouter/corerouter.c), which is the order of the JSON dump. Rows
// that uWSGI 2.0.x does not write carry kNewer: the parser expects them after
// the 2.0 rows (its one-compare hint follows the order it is given, and the
// 2.0 documents are the common case), the JSON dump keeps them in place.
//
// Only Int and std::string_view members are fields; ranges, lists and flags
// (has_cores, kind, ...) are the parser's structure.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "uwsgitop/model/model.hpp"

namespace uwsgitop {

enum class FieldType : uint8_t { Int, Str };

// Row flags (a bit set).
enum FieldFlag : uint8_t {
    kFieldSigned = 1,       // negative values are data (cron schedules, metric values);
                            // otherwise a negative number is refused as out of range
    kFieldNewer = 2,        // not written by uWSGI 2.0.x (see the top)
    kFieldJsonIfSet = 4,    // JSON: the key only when the value is known (else the key is absent)
    kFieldJsonNullIfEmpty = 8,  // JSON: null for an empty string (else "")
    kFieldMasterOnly = 16,  // root: only a master's document has it (not an Emperor's or a router's)
    kFieldAfterLists = 32,  // root: uWSGI writes it after the document's lists (a router's "cheap")
    kFieldPid = 64,         // a process id: an integer in [0, kMaxPid] (0 = no process); anything
                            // else (a fraction or exponent form, a string, a negative or larger
                            // number) makes it unknown, never a wrapped or rounded pid
};

// The largest pid Linux can hand out (PID_MAX_LIMIT on 64-bit): a pid field
// above it is unknown (kFieldPid). The action stage checks the running
// kernel's own pid_max.
inline constexpr int64_t kMaxPid = 4194304;

struct FieldDef {
    std::string_view key;   // the JSON key, exactly as uWSGI writes it (= the member's name)
    FieldType type = FieldType::Int;
    uint16_t offset = 0;    // of the member in its record
    uint8_t flags = 0;
};

// A record's rows. T is the struct the offsets point into.
template <class T, std::size_t N>
struct FieldTable {
    using Record = T;
    std::array<FieldDef, N> rows;

    constexpr const FieldDef* begin() const { return rows.data(); }
    constexpr const FieldDef* end() const { return rows.data() + N; }
    static constexpr std::size_t size() { return N; }

    // The row named `key`; not building is the answer for a key with no row.
    consteval const FieldDef& operator[](std::string_view key) const {
        for (const FieldDef& f : rows) {
            if (f.key == key) {
                return f;
            }
        }
        throw "no field with this key";  // fails the build
    }
};

namespace field_detail {

consteval bool plain_key(std::string_view k) {
    if (k.empty() || k.size() > 24) {
        return false;
    }
    for (char c : k) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            return false;
        }
    }
    return true;
}

template <class T>
consteval FieldDef int_row(std::string_view key, std::size_t offset, Int T::*, uint8_t flags = 0) {
    static_assert(std::is_standard_layout_v<T>, "offsetof needs a standard-layout struct");
    return FieldDef{key, FieldType::Int, static_cast<uint16_t>(offset), flags};
}
template <class T>
consteval FieldDef str_row(std::string_view key, std::size_t offset, std::string_view T::*,
                           uint8_t flags = 0) {
    static_assert(std::is_standard_layout_v<T>, "offsetof needs a standard-layout struct");
    return FieldDef{key, FieldType::Str, static_cast<uint16_t>(offset), flags};
}

// Keys are plain (lower case, digits, '_', at most 24 bytes: the parser's
// word compare and the JSON writer rely on it), unique in their table, and
// offsets fit 16 bits.
template <class T, std::size_t N>
consteval FieldTable<T, N> table(const FieldDef (&rows)[N]) {
    FieldTable<T, N> t{};
    for (std::size_t i = 0; i < N; ++i) {
        if (!plain_key(rows[i].key) || rows[i].offset >= sizeof(T)) {
            throw "field key not plain, or offset outside the record";  // fails the build
        }
        for (std::size_t k = 0; k < i; ++k) {
            if (rows[k].key == rows[i].key || rows[k].offset == rows[i].offset) {
                throw "field key or member listed twice";  // fails the build
            }
        }
        t.rows[i] = rows[i];
    }
    return t;
}

}  // namespace field_detail

// The member a row names, in `obj` (the row must come from T's table).
template <class T>
const Int& int_field(const T& obj, const FieldDef& f) {
    return *reinterpret_cast<const Int*>(reinterpret_cast<const char*>(&obj) + f.offset);
}
template <class T>
std::string_view str_field(const T& obj, const FieldDef& f) {
    return *reinterpret_cast<const std::string_view*>(reinterpret_cast<const char*>(&obj) + f.offset);
}

template <class T>
Int& int_field(T& obj, const FieldDef& f) {
    return *reinterpret_cast<Int*>(reinterpret_cast<char*>(&obj) + f.offset);
}
template <class T>
std::string_view& str_field(T& obj, const FieldDef& f) {
    return *reinterpret_cast<std::string_view*>(reinterpret_cast<char*>(&obj) + f.offset);
}

// The JSON key is the member's name; the member pointer checks its type.
#define UWSGITOP_INT(T, member, ...) \
    field_detail::int_row<T>(#member, offsetof(T, member), &T::member __VA_OPT__(, ) __VA_ARGS__)
#define UWSGITOP_STR(T, member, ...) \
    field_detail::str_row<T>(#member, offsetof(T, member), &T::member __VA_OPT__(, ) __VA_ARGS__)

// ---------------------------------------------------------------------------
// The tables.

// Snapshot: the document's own scalars. A master writes version ... cwd; an
// Emperor (core/emperor.c) and a router (corerouter.c) write version, pid,
// uid, gid, cwd, then their own rows below.
inline constexpr auto kRootFields = field_detail::table<Snapshot>({
    UWSGITOP_STR(Snapshot, version, kFieldJsonNullIfEmpty),
    UWSGITOP_INT(Snapshot, listen_queue, kFieldMasterOnly),
    UWSGITOP_INT(Snapshot, listen_queue_errors, kFieldMasterOnly),
    UWSGITOP_INT(Snapshot, signal_queue, kFieldMasterOnly),
    UWSGITOP_INT(Snapshot, load, kFieldMasterOnly),
    UWSGITOP_INT(Snapshot, pid, kFieldPid),
    UWSGITOP_INT(Snapshot, uid),
    UWSGITOP_INT(Snapshot, gid),
    UWSGITOP_STR(Snapshot, cwd, kFieldJsonNullIfEmpty),
});

// An Emperor's document (--emperor-stats), after its "emperor" scanner list.
inline constexpr auto kEmperorFields = field_detail::table<Snapshot>({
    UWSGITOP_INT(Snapshot, emperor_tyrant),
    UWSGITOP_INT(Snapshot, throttle_level),
});

// A router's document: active_sessions before its lists, cheap after them.
inline constexpr auto kRouterFields = field_detail::table<Snapshot>({
    UWSGITOP_INT(Snapshot, active_sessions),
    UWSGITOP_INT(Snapshot, cheap, kFieldAfterLists),
});

// "workers": [...]; then "apps" and "cores" (uss/pss: only uWSGI after 2.0, master branch).
inline constexpr auto kWorkerFields = field_detail::table<Worker>({
    UWSGITOP_INT(Worker, id),
    UWSGITOP_INT(Worker, pid, kFieldPid),
    UWSGITOP_INT(Worker, accepting),
    UWSGITOP_INT(Worker, requests),
    UWSGITOP_INT(Worker, delta_requests),
    UWSGITOP_INT(Worker, exceptions),
    UWSGITOP_INT(Worker, harakiri_count),
    UWSGITOP_INT(Worker, signals),
    UWSGITOP_INT(Worker, signal_queue),
    UWSGITOP_STR(Worker, status, kFieldJsonNullIfEmpty),
    UWSGITOP_INT(Worker, rss),
    UWSGITOP_INT(Worker, vsz),
    UWSGITOP_INT(Worker, uss, kFieldNewer | kFieldJsonIfSet),
    UWSGITOP_INT(Worker, pss, kFieldNewer | kFieldJsonIfSet),
    UWSGITOP_INT(Worker, running_time),
    UWSGITOP_INT(Worker, last_spawn),
    UWSGITOP_INT(Worker, respawn_count),
    UWSGITOP_INT(Worker, tx),
    UWSGITOP_INT(Worker, avg_rt),
});

inline constexpr auto kAppFields = field_detail::table<App>({
    UWSGITOP_INT(App, id),
    UWSGITOP_INT(App, modifier1),
    UWSGITOP_STR(App, mountpoint),
    UWSGITOP_INT(App, startup_time),
    UWSGITOP_INT(App, requests),
    UWSGITOP_INT(App, exceptions),
    UWSGITOP_STR(App, chdir),
});

// A core's own fields; then "vars" and "req_info" (kReqInfoFields).
inline constexpr auto kCoreFields = field_detail::table<Core>({
    UWSGITOP_INT(Core, id),
    UWSGITOP_INT(Core, requests),
    UWSGITOP_INT(Core, static_requests),
    UWSGITOP_INT(Core, routed_requests),
    UWSGITOP_INT(Core, offloaded_requests),
    UWSGITOP_INT(Core, write_errors),
    UWSGITOP_INT(Core, read_errors),
    UWSGITOP_INT(Core, in_request),
});

// A core's "req_info" object (written for busy cores only).
inline constexpr auto kReqInfoFields = field_detail::table<Core>({
    UWSGITOP_INT(Core, request_start, kFieldJsonIfSet),
});

inline constexpr auto kSocketFields = field_detail::table<Socket>({
    UWSGITOP_STR(Socket, name),
    UWSGITOP_STR(Socket, proto),
    UWSGITOP_INT(Socket, queue),
    UWSGITOP_INT(Socket, max_queue),
    UWSGITOP_INT(Socket, shared),
    UWSGITOP_INT(Socket, can_offload),
});

inline constexpr auto kCacheFields = field_detail::table<Cache>({
    UWSGITOP_STR(Cache, name),
    UWSGITOP_STR(Cache, hash),
    UWSGITOP_INT(Cache, hashsize),
    UWSGITOP_INT(Cache, keysize),
    UWSGITOP_INT(Cache, max_items),
    UWSGITOP_INT(Cache, blocks),
    UWSGITOP_INT(Cache, blocksize),
    UWSGITOP_INT(Cache, items),
    UWSGITOP_INT(Cache, hits),
    UWSGITOP_INT(Cache, miss),
    UWSGITOP_INT(Cache, full),
    UWSGITOP_INT(Cache, last_modified_at),
});

// "metrics": {"NAME": {...}}: the name is the key of the object (Metric::name).
inline constexpr auto kMetricFields = field_detail::table<Metric>({
    UWSGITOP_INT(Metric, type, kFieldSigned),
    UWSGITOP_STR(Metric, oid),
    UWSGITOP_INT(Metric, value, kFieldSigned),
});

inline constexpr auto kSpoolerFields = field_detail::table<Spooler>({
    UWSGITOP_STR(Spooler, dir),
    UWSGITOP_INT(Spooler, pid, kFieldPid),
    UWSGITOP_INT(Spooler, tasks),
    UWSGITOP_INT(Spooler, respawns),
    UWSGITOP_INT(Spooler, running),
});

inline constexpr auto kDaemonFields = field_detail::table<Daemon>({
    UWSGITOP_STR(Daemon, cmd),
    UWSGITOP_INT(Daemon, pid, kFieldPid),
    UWSGITOP_INT(Daemon, respawns),
});

inline constexpr auto kCronFields = field_detail::table<Cron>({
    UWSGITOP_INT(Cron, minute, kFieldSigned),
    UWSGITOP_INT(Cron, hour, kFieldSigned),
    UWSGITOP_INT(Cron, day, kFieldSigned),
    UWSGITOP_INT(Cron, month, kFieldSigned),
    UWSGITOP_INT(Cron, week, kFieldSigned),
    UWSGITOP_STR(Cron, command),
    UWSGITOP_INT(Cron, unique, kFieldSigned),
    UWSGITOP_STR(Cron, legion),
    UWSGITOP_INT(Cron, pid, kFieldSigned),
    UWSGITOP_INT(Cron, started_at, kFieldSigned),
});

// "legions": [...] (--legion); then "nodes" and "members", not kept.
inline constexpr auto kLegionFields = field_detail::table<Legion>({
    UWSGITOP_STR(Legion, legion),
    UWSGITOP_STR(Legion, addr),
    UWSGITOP_STR(Legion, uuid),
    UWSGITOP_INT(Legion, valor),
    UWSGITOP_INT(Legion, checksum),
    UWSGITOP_INT(Legion, quorum),
    UWSGITOP_INT(Legion, i_am_the_lord),
    UWSGITOP_INT(Legion, lord_valor),
    UWSGITOP_STR(Legion, lord_uuid),
});

inline constexpr auto kVassalFields = field_detail::table<Vassal>({
    UWSGITOP_STR(Vassal, id),
    UWSGITOP_INT(Vassal, pid, kFieldPid),
    UWSGITOP_INT(Vassal, born),
    UWSGITOP_INT(Vassal, last_mod),
    UWSGITOP_INT(Vassal, last_heartbeat),
    UWSGITOP_INT(Vassal, loyal),
    UWSGITOP_INT(Vassal, ready),
    UWSGITOP_INT(Vassal, accepting),
    UWSGITOP_INT(Vassal, last_loyal),
    UWSGITOP_INT(Vassal, last_ready),
    UWSGITOP_INT(Vassal, last_accepting),
    UWSGITOP_INT(Vassal, first_run),
    UWSGITOP_INT(Vassal, last_run),
    UWSGITOP_INT(Vassal, cursed),
    UWSGITOP_INT(Vassal, zerg),
    UWSGITOP_STR(Vassal, on_demand),
    UWSGITOP_INT(Vassal, suspended, kFieldNewer),
    UWSGITOP_INT(Vassal, adopted, kFieldNewer),
    UWSGITOP_INT(Vassal, uid),
    UWSGITOP_INT(Vassal, gid),
    UWSGITOP_STR(Vassal, monitor),
    UWSGITOP_INT(Vassal, respawns),
});

inline constexpr auto kBlacklistFields = field_detail::table<BlacklistEntry>({
    UWSGITOP_STR(BlacklistEntry, id),
    UWSGITOP_INT(BlacklistEntry, throttle_level),
    UWSGITOP_INT(BlacklistEntry, attempt),
    UWSGITOP_INT(BlacklistEntry, first_attempt),
    UWSGITOP_INT(BlacklistEntry, last_attempt),
});

inline constexpr auto kStaticNodeFields = field_detail::table<StaticNode>({
    UWSGITOP_STR(StaticNode, name),
    UWSGITOP_INT(StaticNode, hits),
    UWSGITOP_INT(StaticNode, grace),
});

// A subscription's own fields; then "nodes".
inline constexpr auto kSubscriptionFields = field_detail::table<Subscription>({
    UWSGITOP_STR(Subscription, key),
    UWSGITOP_INT(Subscription, hash),
    UWSGITOP_INT(Subscription, hits),
    UWSGITOP_INT(Subscription, sni_enabled),
    UWSGITOP_STR(Subscription, algo, kFieldNewer),
});

inline constexpr auto kNodeFields = field_detail::table<RouterNode>({
    UWSGITOP_STR(RouterNode, name),
    UWSGITOP_STR(RouterNode, vassal, kFieldNewer),
    UWSGITOP_INT(RouterNode, modifier1),
    UWSGITOP_INT(RouterNode, modifier2),
    UWSGITOP_INT(RouterNode, last_check),
    UWSGITOP_INT(RouterNode, pid, kFieldPid),
    UWSGITOP_INT(RouterNode, uid),
    UWSGITOP_INT(RouterNode, gid),
    UWSGITOP_INT(RouterNode, requests),
    UWSGITOP_INT(RouterNode, last_requests),
    UWSGITOP_INT(RouterNode, tx),
    UWSGITOP_INT(RouterNode, rx),
    UWSGITOP_INT(RouterNode, cores),
    UWSGITOP_INT(RouterNode, load),
    UWSGITOP_INT(RouterNode, weight),
    UWSGITOP_INT(RouterNode, backup, kFieldNewer),
    UWSGITOP_STR(RouterNode, proto, kFieldNewer),
    UWSGITOP_INT(RouterNode, wrr),
    UWSGITOP_INT(RouterNode, ref),
    UWSGITOP_INT(RouterNode, failcnt),
    UWSGITOP_INT(RouterNode, death_mark),
});

#undef UWSGITOP_INT
#undef UWSGITOP_STR

}  // namespace uwsgitop
