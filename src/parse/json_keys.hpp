// json_keys.hpp — compile-time key tables for the stats parser (private to parse.cpp).
//
// Each JSON object the parser understands (the root, a worker, a core, ...)
// has one KeyTable: the known keys of that object, each an Entry that says
// what its value is for (an Int or string_view member, by its byte offset in
// the object's struct, or a child container). StatsHandler keeps, per open
// object, a pointer to the entry after the one matched last (the hint; at
// first the table's first entry): uWSGI writes each object's keys in a fixed
// order, the order of the tables below, so a key is first compared with the
// hinted entry only: one length compare and two or three word compares of
// the key against words computed at compile time. Every entries array ends
// with an entry no key matches (kNoKeyLen), so the hint needs no bounds
// check; objects without a table (and skipped containers) use kNoKeys, which
// is that end entry alone. Otherwise, out of line: one constant-time hash, one
// probe of a 64-slot open-addressed table (linear probing, so colliding keys
// still work) and the same compare.
// Tables are built at compile time (consteval); the structs they point into
// must be standard-layout (offsetof), which is checked.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>
#include <type_traits>

#include "uwsgitop/model/model.hpp"

namespace uwsgitop::detail {

// Constant time whatever the key's length: the length and three of its
// bytes, mixed. Collisions are harmless (probing, then a full compare); the
// tables below are small, and a key that is not in a table usually lands on
// an empty slot or fails the 32-bit compare without touching its bytes.
constexpr uint32_t key_hash(std::string_view key) {
    const std::size_t n = key.size();
    if (n == 0) {
        return 0;
    }
    uint32_t h = static_cast<uint32_t>(n) * 0x9E3779B1u;
    h ^= static_cast<uint32_t>(static_cast<unsigned char>(key[0])) * 0x85EBCA77u;
    h ^= static_cast<uint32_t>(static_cast<unsigned char>(key[n - 1])) * 0xC2B2AE3Du;
    h ^= static_cast<uint32_t>(static_cast<unsigned char>(key[n / 2])) * 0x27D4EB2Fu;
    h ^= h >> 15;
    h *= 0x2C1B3C6Du;
    h ^= h >> 13;
    return h;
}

// Every container the parser is in. Object contexts have a key table (or
// special handling: LockObj, MetricsObj); array contexts say what their
// elements become. Top is below the document (StatsHandler's bottom frame),
// Skip a container that is skipped with everything in it.
enum class Ctx : uint8_t {
    Top, Skip,
    // objects
    Root, Worker, App, Core, ReqInfo, Socket, LockObj, Cache, MetricsObj, Metric,
    Spooler, Daemon, Cron, Vassal, BlacklistEntry, StaticNode, Subscription, Node,
    // arrays
    Workers, Apps, Cores, Vars, Sockets, Locks, Caches, Spoolers, Daemons, Crons,
    Scanners, Vassals, Blacklist, RouterSockets, StaticNodes, Subscriptions, Nodes,
};
inline constexpr std::size_t kCtxCount = static_cast<std::size_t>(Ctx::Nodes) + 1;

constexpr bool is_array_ctx(Ctx c) { return c >= Ctx::Workers; }

// What the value after a key is for: nothing (unknown key), an Int (Signed:
// negative values allowed), a string_view, a child container (Entry::child),
// or a corerouter's socket list (StatsHandler).
enum class Pending : uint8_t { Skip, Int, SignedInt, Str, Child, Router };

// Integers of a table: counters (negative is not data) or signed.
enum class Sign : uint8_t { Unsigned, Signed };

// One field as written in the tables below (INT_FIELD, STR_FIELD, child_field).
struct Field {
    const char* name = "";
    Pending kind = Pending::Skip;
    std::size_t offset = 0;  // of the member in its struct (Int, Str)
    Ctx child = Ctx::Top;    // Child
};

template <class T>
constexpr Field int_field(const char* name, std::size_t offset, Int T::*) {
    static_assert(std::is_standard_layout_v<T>, "offsetof needs a standard-layout struct");
    return Field{name, Pending::Int, offset, Ctx::Top};
}
template <class T>
constexpr Field str_field(const char* name, std::size_t offset, std::string_view T::*) {
    static_assert(std::is_standard_layout_v<T>, "offsetof needs a standard-layout struct");
    return Field{name, Pending::Str, offset, Ctx::Top};
}
constexpr Field child_field(const char* name, Ctx child) {
    return Field{name, Pending::Child, 0, child};
}
// The JSON key is the member's name; the member pointer checks its type.
#define INT_FIELD(T, member) int_field<T>(#member, offsetof(T, member), &T::member)
#define STR_FIELD(T, member) str_field<T>(#member, offsetof(T, member), &T::member)

inline constexpr std::size_t kMaxKeyLen = 24;
// The length in the entry that ends a table: a key's length comes from a
// 32-bit SizeType, so no key has this one.
inline constexpr std::size_t kNoKeyLen = std::numeric_limits<std::size_t>::max();

// A table entry: the key's bytes as at most three machine words, for
// comparing a key with a few loads of the key only (the words are computed at
// compile time), and what the key's value is for. Overlapping loads cover
// [0, n) without reading outside the key: n < 4: bytes 0, n/2, n-1; n < 8:
// the first and last 4 bytes; n <= 24: the first, last and (n > 16) middle
// 8 bytes.
struct Entry {
    uint64_t a = 0, b = 0, c = 0;
    std::size_t len = kNoKeyLen;
    const char* name = "";   // for messages
    uint16_t offset = 0;     // of the Int / string_view in the object (Int, SignedInt, Str)
    Pending kind = Pending::Skip;
    Ctx child = Ctx::Top;    // the container a Child key opens
};

// The value a native load of `count` bytes at s[from] gives (compile time).
constexpr uint64_t pack(std::string_view s, std::size_t from, std::size_t count) {
    uint64_t v = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t shift =
            8 * (std::endian::native == std::endian::little ? i : count - 1 - i);
        v |= static_cast<uint64_t>(static_cast<unsigned char>(s[from + i])) << shift;
    }
    return v;
}

constexpr Entry make_entry(const Field& f, Sign sign) {
    const std::string_view key(f.name);
    const std::size_t n = key.size();
    Entry e;
    e.len = n;
    if (n >= 8) {
        e.a = pack(key, 0, 8);
        e.b = pack(key, n - 8, 8);
        e.c = n > 16 ? pack(key, 8, 8) : 0;
    } else if (n >= 4) {
        e.a = pack(key, 0, 4) | pack(key, n - 4, 4) << 32;
    } else if (n > 0) {
        e.a = pack(key, 0, 1) | pack(key, n / 2, 1) << 8 | pack(key, n - 1, 1) << 16;
    }
    e.name = f.name;
    e.offset = static_cast<uint16_t>(f.offset);
    e.kind = f.kind == Pending::Int && sign == Sign::Signed ? Pending::SignedInt : f.kind;
    e.child = f.child;
    return e;
}

[[gnu::always_inline]] inline uint64_t load8(const char* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}
[[gnu::always_inline]] inline uint64_t load4(const char* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}
[[gnu::always_inline]] inline uint64_t load1(const char* p) {
    return static_cast<unsigned char>(*p);
}

// Is the key at [p, p + n) the one `e` was made from? Branches on e.len,
// which is the same for every key at the same place of uWSGI's output.
[[gnu::always_inline]] inline bool same(const Entry& e, const char* p, std::size_t n) {
    if (n != e.len) {
        return false;
    }
    if (n >= 8) {
        return load8(p) == e.a && load8(p + n - 8) == e.b && (n <= 16 || load8(p + 8) == e.c);
    }
    if (n >= 4) {
        return (load4(p) | load4(p + n - 4) << 32) == e.a;
    }
    if (n > 0) {
        return (load1(p) | load1(p + n / 2) << 8 | load1(p + n - 1) << 16) == e.a;
    }
    return true;
}

inline constexpr std::size_t kSlots = 64;

// A table's hashed index, without its size (what find() needs).
struct KeyIndex {
    const Entry* entries = nullptr;
    const uint32_t* hashes = nullptr;
    const uint8_t* slots = nullptr;  // 0: empty, else entry index + 1

    // The entry named `key`, or nullptr for a key this object does not know.
    const Entry* find(std::string_view key) const {
        const uint32_t h = key_hash(key);
        std::size_t slot = h & (kSlots - 1);
        while (slots[slot] != 0) {
            if (hashes[slot] == h) {
                const Entry& e = entries[slots[slot] - 1u];
                if (same(e, key.data(), key.size())) {
                    return &e;
                }
            }
            slot = (slot + 1) & (kSlots - 1);
        }
        return nullptr;
    }
};

// Fields are listed in the order uWSGI writes them (see the top).
template <std::size_t N>
class KeyTable {
public:
    static_assert(N <= kSlots / 2, "keep the table at most half full");

    consteval KeyTable(const std::array<Field, N>& fields, Sign sign) {
        for (std::size_t i = 0; i < N; ++i) {
            const std::string_view name(fields[i].name);
            if (name.size() > kMaxKeyLen || fields[i].offset > 0xFFFF) {
                throw "key longer than kMaxKeyLen, or offset over 16 bits";  // fails the build
            }
            entries_[i] = make_entry(fields[i], sign);
            const uint32_t h = key_hash(name);
            std::size_t slot = h & (kSlots - 1);
            while (slots_[slot] != 0) {
                slot = (slot + 1) & (kSlots - 1);
            }
            slots_[slot] = static_cast<uint8_t>(i + 1);
            hashes_[slot] = h;
        }
    }
    consteval KeyTable() = default;  // no keys: the end entry alone

    // N entries, then the end entry (len kNoKeyLen).
    constexpr const Entry* entries() const { return entries_.data(); }
    constexpr KeyIndex index() const { return KeyIndex{entries_.data(), hashes_.data(), slots_.data()}; }

private:
    std::array<Entry, N + 1> entries_{};
    std::array<uint32_t, kSlots> hashes_{};
    std::array<uint8_t, kSlots> slots_{};
};

template <std::size_t N>
consteval KeyTable<N> make_table(Sign sign, const Field (&fields)[N]) {
    std::array<Field, N> a{};
    for (std::size_t i = 0; i < N; ++i) {
        a[i] = fields[i];
    }
    return KeyTable<N>(a, sign);
}
template <std::size_t N>
consteval KeyTable<N> make_table(const Field (&fields)[N]) {
    return make_table(Sign::Unsigned, fields);
}

// ---------------------------------------------------------------------------
// The tables (names exactly as uWSGI 2.0 writes them: core/master_utils.c,
// core/emperor.c, plugins/corerouter/corerouter.c).

using S = Snapshot;
inline constexpr auto kRootTable = make_table({
    STR_FIELD(S, version),
    STR_FIELD(S, cwd),
    INT_FIELD(S, listen_queue),
    INT_FIELD(S, listen_queue_errors),
    INT_FIELD(S, signal_queue),
    INT_FIELD(S, load),
    INT_FIELD(S, pid),
    INT_FIELD(S, uid),
    INT_FIELD(S, gid),
    INT_FIELD(S, emperor_tyrant),
    INT_FIELD(S, throttle_level),
    INT_FIELD(S, active_sessions),
    INT_FIELD(S, cheap),
    child_field("workers", Ctx::Workers),
    child_field("sockets", Ctx::Sockets),
    child_field("locks", Ctx::Locks),
    child_field("caches", Ctx::Caches),
    child_field("metrics", Ctx::MetricsObj),
    child_field("spoolers", Ctx::Spoolers),
    child_field("daemons", Ctx::Daemons),
    child_field("crons", Ctx::Crons),
    child_field("emperor", Ctx::Scanners),
    child_field("vassals", Ctx::Vassals),
    child_field("blacklist", Ctx::Blacklist),
    child_field("static_nodes", Ctx::StaticNodes),
    child_field("subscriptions", Ctx::Subscriptions),
});

using W = Worker;
inline constexpr auto kWorkerTable = make_table({
    INT_FIELD(W, id),
    INT_FIELD(W, pid),
    INT_FIELD(W, accepting),
    INT_FIELD(W, requests),
    INT_FIELD(W, delta_requests),
    INT_FIELD(W, exceptions),
    INT_FIELD(W, harakiri_count),
    INT_FIELD(W, signals),
    INT_FIELD(W, signal_queue),
    STR_FIELD(W, status),
    INT_FIELD(W, rss),
    INT_FIELD(W, vsz),
    INT_FIELD(W, running_time),
    INT_FIELD(W, last_spawn),
    INT_FIELD(W, respawn_count),
    INT_FIELD(W, tx),
    INT_FIELD(W, avg_rt),
    child_field("apps", Ctx::Apps),
    child_field("cores", Ctx::Cores),
    INT_FIELD(W, uss),  // not written by 2.0.x
    INT_FIELD(W, pss),
});

using A = App;
inline constexpr auto kAppTable = make_table({
    INT_FIELD(A, id),
    INT_FIELD(A, modifier1),
    STR_FIELD(A, mountpoint),
    INT_FIELD(A, startup_time),
    INT_FIELD(A, requests),
    INT_FIELD(A, exceptions),
    STR_FIELD(A, chdir),
});

using Co = Core;
inline constexpr auto kCoreTable = make_table({
    INT_FIELD(Co, id),
    INT_FIELD(Co, requests),
    INT_FIELD(Co, static_requests),
    INT_FIELD(Co, routed_requests),
    INT_FIELD(Co, offloaded_requests),
    INT_FIELD(Co, write_errors),
    INT_FIELD(Co, read_errors),
    INT_FIELD(Co, in_request),
    child_field("vars", Ctx::Vars),
    child_field("req_info", Ctx::ReqInfo),
});

inline constexpr auto kReqInfoTable = make_table({
    INT_FIELD(Co, request_start),
});

using So = Socket;
inline constexpr auto kSocketTable = make_table({
    STR_FIELD(So, name),
    STR_FIELD(So, proto),
    INT_FIELD(So, queue),
    INT_FIELD(So, max_queue),
    INT_FIELD(So, shared),
    INT_FIELD(So, can_offload),
});

using Ca = Cache;
inline constexpr auto kCacheTable = make_table({
    STR_FIELD(Ca, name),
    STR_FIELD(Ca, hash),
    INT_FIELD(Ca, hashsize),
    INT_FIELD(Ca, keysize),
    INT_FIELD(Ca, max_items),
    INT_FIELD(Ca, blocks),
    INT_FIELD(Ca, blocksize),
    INT_FIELD(Ca, items),
    INT_FIELD(Ca, hits),
    INT_FIELD(Ca, miss),
    INT_FIELD(Ca, full),
    INT_FIELD(Ca, last_modified_at),
});

using M = Metric;
inline constexpr auto kMetricTable = make_table(Sign::Signed, {
    INT_FIELD(M, type),
    STR_FIELD(M, oid),
    INT_FIELD(M, value),
});

using Sp = Spooler;
inline constexpr auto kSpoolerTable = make_table({
    STR_FIELD(Sp, dir),
    INT_FIELD(Sp, pid),
    INT_FIELD(Sp, tasks),
    INT_FIELD(Sp, respawns),
    INT_FIELD(Sp, running),
});

using D = Daemon;
inline constexpr auto kDaemonTable = make_table({
    STR_FIELD(D, cmd),
    INT_FIELD(D, pid),
    INT_FIELD(D, respawns),
});

using Cr = Cron;
inline constexpr auto kCronTable = make_table(Sign::Signed, {
    INT_FIELD(Cr, minute),
    INT_FIELD(Cr, hour),
    INT_FIELD(Cr, day),
    INT_FIELD(Cr, month),
    INT_FIELD(Cr, week),
    STR_FIELD(Cr, command),
    INT_FIELD(Cr, unique),
    STR_FIELD(Cr, legion),
    INT_FIELD(Cr, pid),
    INT_FIELD(Cr, started_at),
});

using V = Vassal;
inline constexpr auto kVassalTable = make_table({
    STR_FIELD(V, id),
    INT_FIELD(V, pid),
    INT_FIELD(V, born),
    INT_FIELD(V, last_mod),
    INT_FIELD(V, last_heartbeat),
    INT_FIELD(V, loyal),
    INT_FIELD(V, ready),
    INT_FIELD(V, accepting),
    INT_FIELD(V, last_loyal),
    INT_FIELD(V, last_ready),
    INT_FIELD(V, last_accepting),
    INT_FIELD(V, first_run),
    INT_FIELD(V, last_run),
    INT_FIELD(V, cursed),
    INT_FIELD(V, zerg),
    STR_FIELD(V, on_demand),
    INT_FIELD(V, uid),
    INT_FIELD(V, gid),
    STR_FIELD(V, monitor),
    INT_FIELD(V, respawns),
    INT_FIELD(V, suspended),
    INT_FIELD(V, adopted),
});

using B = BlacklistEntry;
inline constexpr auto kBlacklistTable = make_table({
    STR_FIELD(B, id),
    INT_FIELD(B, throttle_level),
    INT_FIELD(B, attempt),
    INT_FIELD(B, first_attempt),
    INT_FIELD(B, last_attempt),
});

using Sn = StaticNode;
inline constexpr auto kStaticNodeTable = make_table({
    STR_FIELD(Sn, name),
    INT_FIELD(Sn, hits),
    INT_FIELD(Sn, grace),
});

using Sub = Subscription;
inline constexpr auto kSubscriptionTable = make_table({
    STR_FIELD(Sub, key),
    INT_FIELD(Sub, hash),
    INT_FIELD(Sub, hits),
    INT_FIELD(Sub, sni_enabled),
    STR_FIELD(Sub, algo),
    child_field("nodes", Ctx::Nodes),
});

using Rn = RouterNode;
inline constexpr auto kNodeTable = make_table({
    STR_FIELD(Rn, name),
    STR_FIELD(Rn, vassal),
    STR_FIELD(Rn, proto),
    INT_FIELD(Rn, modifier1),
    INT_FIELD(Rn, modifier2),
    INT_FIELD(Rn, last_check),
    INT_FIELD(Rn, pid),
    INT_FIELD(Rn, uid),
    INT_FIELD(Rn, gid),
    INT_FIELD(Rn, requests),
    INT_FIELD(Rn, last_requests),
    INT_FIELD(Rn, tx),
    INT_FIELD(Rn, rx),
    INT_FIELD(Rn, cores),
    INT_FIELD(Rn, load),
    INT_FIELD(Rn, weight),
    INT_FIELD(Rn, backup),
    INT_FIELD(Rn, wrr),
    INT_FIELD(Rn, ref),
    INT_FIELD(Rn, failcnt),
    INT_FIELD(Rn, death_mark),
});

#undef INT_FIELD
#undef STR_FIELD

// Objects without a key table (root, lock, metrics object handled by
// StatsHandler) and skipped containers: only the end entry.
inline constexpr KeyTable<0> kNoKeys{};

// The entries of each context's table (kNoKeys' for the others), for the frame
// StatsHandler pushes.
inline constexpr std::array<KeyIndex, kCtxCount> kKeyIndex = [] {
    std::array<KeyIndex, kCtxCount> a{};
    for (KeyIndex& k : a) {
        k = kNoKeys.index();
    }
    auto set = [&a](Ctx c, KeyIndex k) { a[static_cast<std::size_t>(c)] = k; };
    set(Ctx::Root, kRootTable.index());
    set(Ctx::Worker, kWorkerTable.index());
    set(Ctx::App, kAppTable.index());
    set(Ctx::Core, kCoreTable.index());
    set(Ctx::ReqInfo, kReqInfoTable.index());
    set(Ctx::Socket, kSocketTable.index());
    set(Ctx::Cache, kCacheTable.index());
    set(Ctx::Metric, kMetricTable.index());
    set(Ctx::Spooler, kSpoolerTable.index());
    set(Ctx::Daemon, kDaemonTable.index());
    set(Ctx::Cron, kCronTable.index());
    set(Ctx::Vassal, kVassalTable.index());
    set(Ctx::BlacklistEntry, kBlacklistTable.index());
    set(Ctx::StaticNode, kStaticNodeTable.index());
    set(Ctx::Subscription, kSubscriptionTable.index());
    set(Ctx::Node, kNodeTable.index());
    return a;
}();

constexpr const KeyIndex& key_index(Ctx c) { return kKeyIndex[static_cast<std::size_t>(c)]; }

// What a value is for when no table entry says so.
inline constexpr Entry kSkipEntry{};                                  // unknown key, or none
inline constexpr Entry kRouterEntry{.name = "", .kind = Pending::Router};  // root: maybe a router's list
// {"user 0":0}: the key is the lock's name, the value its holder (Lock::pid).
inline constexpr Entry kLockEntry{.name = "locks", .offset = offsetof(Lock, pid), .kind = Pending::Int};
// {"core.busy_workers":{"type":1,"oid":"5.3","value":0}, ...}: each value a Metric.
inline constexpr Entry kMetricsEntry{.name = "metrics", .kind = Pending::Child, .child = Ctx::Metric};

// Short names of uWSGI's corerouters: the router stats document lists its
// gateway sockets under this key (plugins/*/ *.c: cr.short_name).
constexpr bool is_router_short_name(std::string_view key) {
    return key == "http" || key == "fastrouter" || key == "rawrouter" || key == "sslrouter" ||
           key == "forkptyrouter";
}

}  // namespace uwsgitop::detail
