// json_keys.hpp — compile-time key tables for the stats parser (private to parse.cpp).
//
// Each JSON object the parser understands (the root, a worker, a core, ...)
// has one KeyTable: the known keys of that object, each resolved to where its
// value goes (an Int member, a string_view member, or a child container).
// Lookup first tries the field after the previous one (uWSGI writes each
// object's keys in a fixed order, which is the order of the tables below):
// one length compare and one inlined byte compare. Otherwise, one
// constant-time hash, one probe of a 64-slot open-addressed table (linear
// probing, so colliding keys still work) and the same compare. 16,000 cores
// x ~10 keys of a big gevent server cost about a millisecond.
// Tables are built at compile time (consteval).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "uwsgitop/model.hpp"

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

// Every container the parser descends into. Object contexts have a key table
// (or special handling: LockObj, MetricsObj); array contexts say what their
// elements become.
enum class Ctx : uint8_t {
    // objects
    Root, Worker, App, Core, ReqInfo, Socket, LockObj, Cache, MetricsObj, Metric,
    Spooler, Daemon, Cron, Vassal, BlacklistEntry, StaticNode, Subscription, Node,
    // arrays
    Workers, Apps, Cores, Vars, Sockets, Locks, Caches, Spoolers, Daemons, Crons,
    Scanners, Vassals, Blacklist, RouterSockets, StaticNodes, Subscriptions, Nodes,
};

constexpr bool is_array_ctx(Ctx c) { return c >= Ctx::Workers; }

enum class FieldKind : uint8_t { Int, Str, Child };

template <class T>
struct Field {
    std::string_view name;
    FieldKind kind = FieldKind::Int;
    Int T::* int_member = nullptr;
    std::string_view T::* str_member = nullptr;
    Ctx child = Ctx::Root;
};

template <class T>
constexpr Field<T> int_field(std::string_view name, Int T::* member) {
    return Field<T>{name, FieldKind::Int, member, nullptr, Ctx::Root};
}
template <class T>
constexpr Field<T> str_field(std::string_view name, std::string_view T::* member) {
    return Field<T>{name, FieldKind::Str, nullptr, member, Ctx::Root};
}
template <class T>
constexpr Field<T> child_field(std::string_view name, Ctx child) {
    return Field<T>{name, FieldKind::Child, nullptr, nullptr, child};
}

// Equality of two short strings, inlined (a call to memcmp costs more than
// comparing a dozen bytes). Overlapping word loads cover [0, n) without
// reading outside either string.
[[gnu::always_inline]] inline bool same(std::string_view a, std::string_view b) {
    const std::size_t n = a.size();
    if (n != b.size()) {
        return false;
    }
    const char* p = a.data();
    const char* q = b.data();
    auto load8 = [](const char* x) {
        uint64_t v;
        std::memcpy(&v, x, 8);
        return v;
    };
    auto load4 = [](const char* x) {
        uint32_t v;
        std::memcpy(&v, x, 4);
        return v;
    };
    if (n >= 8) {
        for (std::size_t i = 0; i + 8 < n; i += 8) {
            if (load8(p + i) != load8(q + i)) {
                return false;
            }
        }
        return load8(p + n - 8) == load8(q + n - 8);
    }
    if (n >= 4) {
        return load4(p) == load4(q) && load4(p + n - 4) == load4(q + n - 4);
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (p[i] != q[i]) {
            return false;
        }
    }
    return true;
}

// Fields are listed in the order uWSGI writes them (see find()).
template <class T, std::size_t N>
class KeyTable {
public:
    static constexpr std::size_t kSlots = 64;
    static_assert(N > 0 && N <= kSlots / 2, "keep the table at most half full");

    consteval explicit KeyTable(const std::array<Field<T>, N>& fields) : fields_(fields) {
        for (std::size_t i = 0; i < N; ++i) {
            uint32_t h = key_hash(fields_[i].name);
            std::size_t slot = h & (kSlots - 1);
            while (index_[slot] != 0) {
                slot = (slot + 1) & (kSlots - 1);
            }
            index_[slot] = static_cast<uint8_t>(i + 1);
            hashes_[slot] = h;
        }
    }

    // The field named `key`, or nullptr for a key this object does not know.
    // `hint` is the caller's guess, kept per object: uWSGI writes the keys of
    // an object in a fixed order (the order of the table), so the field after
    // the previous one is tried first, with no hashing at all.
    const Field<T>* find(std::string_view key, uint8_t& hint) const {
        if (hint < N && same(fields_[hint].name, key)) {
            return &fields_[hint++];
        }
        const Field<T>* f = find(key);
        if (f != nullptr) {
            hint = static_cast<uint8_t>(f - fields_.data() + 1);
        }
        return f;
    }

    const Field<T>* find(std::string_view key) const {
        uint32_t h = key_hash(key);
        std::size_t slot = h & (kSlots - 1);
        while (index_[slot] != 0) {
            if (hashes_[slot] == h) {
                const Field<T>& f = fields_[index_[slot] - 1];
                if (same(f.name, key)) {
                    return &f;
                }
            }
            slot = (slot + 1) & (kSlots - 1);
        }
        return nullptr;
    }

private:
    std::array<Field<T>, N> fields_;
    std::array<uint32_t, kSlots> hashes_{};
    std::array<uint8_t, kSlots> index_{};  // 0: empty, else field index + 1
};

template <class T, std::size_t N>
consteval KeyTable<T, N> make_table(const Field<T> (&fields)[N]) {
    std::array<Field<T>, N> a{};
    for (std::size_t i = 0; i < N; ++i) {
        a[i] = fields[i];
    }
    return KeyTable<T, N>(a);
}

// ---------------------------------------------------------------------------
// The tables (names exactly as uWSGI 2.0 writes them: core/master_utils.c,
// core/emperor.c, plugins/corerouter/corerouter.c).

using S = Snapshot;
inline constexpr auto kRootTable = make_table<S>({
    str_field<S>("version", &S::version),
    str_field<S>("cwd", &S::cwd),
    int_field<S>("listen_queue", &S::listen_queue),
    int_field<S>("listen_queue_errors", &S::listen_queue_errors),
    int_field<S>("signal_queue", &S::signal_queue),
    int_field<S>("load", &S::load),
    int_field<S>("pid", &S::pid),
    int_field<S>("uid", &S::uid),
    int_field<S>("gid", &S::gid),
    int_field<S>("emperor_tyrant", &S::emperor_tyrant),
    int_field<S>("throttle_level", &S::throttle_level),
    int_field<S>("active_sessions", &S::active_sessions),
    int_field<S>("cheap", &S::cheap),
    child_field<S>("workers", Ctx::Workers),
    child_field<S>("sockets", Ctx::Sockets),
    child_field<S>("locks", Ctx::Locks),
    child_field<S>("caches", Ctx::Caches),
    child_field<S>("metrics", Ctx::MetricsObj),
    child_field<S>("spoolers", Ctx::Spoolers),
    child_field<S>("daemons", Ctx::Daemons),
    child_field<S>("crons", Ctx::Crons),
    child_field<S>("emperor", Ctx::Scanners),
    child_field<S>("vassals", Ctx::Vassals),
    child_field<S>("blacklist", Ctx::Blacklist),
    child_field<S>("static_nodes", Ctx::StaticNodes),
    child_field<S>("subscriptions", Ctx::Subscriptions),
});

using W = Worker;
inline constexpr auto kWorkerTable = make_table<W>({
    int_field<W>("id", &W::id),
    int_field<W>("pid", &W::pid),
    int_field<W>("accepting", &W::accepting),
    int_field<W>("requests", &W::requests),
    int_field<W>("delta_requests", &W::delta_requests),
    int_field<W>("exceptions", &W::exceptions),
    int_field<W>("harakiri_count", &W::harakiri_count),
    int_field<W>("signals", &W::signals),
    int_field<W>("signal_queue", &W::signal_queue),
    str_field<W>("status", &W::status),
    int_field<W>("rss", &W::rss),
    int_field<W>("vsz", &W::vsz),
    int_field<W>("running_time", &W::running_time),
    int_field<W>("last_spawn", &W::last_spawn),
    int_field<W>("respawn_count", &W::respawn_count),
    int_field<W>("tx", &W::tx),
    int_field<W>("avg_rt", &W::avg_rt),
    child_field<W>("apps", Ctx::Apps),
    child_field<W>("cores", Ctx::Cores),
    int_field<W>("uss", &W::uss),  // not written by 2.0.x
    int_field<W>("pss", &W::pss),
});

using A = App;
inline constexpr auto kAppTable = make_table<A>({
    int_field<A>("id", &A::id),
    int_field<A>("modifier1", &A::modifier1),
    str_field<A>("mountpoint", &A::mountpoint),
    int_field<A>("startup_time", &A::startup_time),
    int_field<A>("requests", &A::requests),
    int_field<A>("exceptions", &A::exceptions),
    str_field<A>("chdir", &A::chdir),
});

using Co = Core;
inline constexpr auto kCoreTable = make_table<Co>({
    int_field<Co>("id", &Co::id),
    int_field<Co>("requests", &Co::requests),
    int_field<Co>("static_requests", &Co::static_requests),
    int_field<Co>("routed_requests", &Co::routed_requests),
    int_field<Co>("offloaded_requests", &Co::offloaded_requests),
    int_field<Co>("write_errors", &Co::write_errors),
    int_field<Co>("read_errors", &Co::read_errors),
    int_field<Co>("in_request", &Co::in_request),
    child_field<Co>("vars", Ctx::Vars),
    child_field<Co>("req_info", Ctx::ReqInfo),
});

inline constexpr auto kReqInfoTable = make_table<Co>({
    int_field<Co>("request_start", &Co::request_start),
});

using So = Socket;
inline constexpr auto kSocketTable = make_table<So>({
    str_field<So>("name", &So::name),
    str_field<So>("proto", &So::proto),
    int_field<So>("queue", &So::queue),
    int_field<So>("max_queue", &So::max_queue),
    int_field<So>("shared", &So::shared),
    int_field<So>("can_offload", &So::can_offload),
});

using Ca = Cache;
inline constexpr auto kCacheTable = make_table<Ca>({
    str_field<Ca>("name", &Ca::name),
    str_field<Ca>("hash", &Ca::hash),
    int_field<Ca>("hashsize", &Ca::hashsize),
    int_field<Ca>("keysize", &Ca::keysize),
    int_field<Ca>("max_items", &Ca::max_items),
    int_field<Ca>("blocks", &Ca::blocks),
    int_field<Ca>("blocksize", &Ca::blocksize),
    int_field<Ca>("items", &Ca::items),
    int_field<Ca>("hits", &Ca::hits),
    int_field<Ca>("miss", &Ca::miss),
    int_field<Ca>("full", &Ca::full),
    int_field<Ca>("last_modified_at", &Ca::last_modified_at),
});

using M = Metric;
inline constexpr auto kMetricTable = make_table<M>({
    int_field<M>("type", &M::type),
    str_field<M>("oid", &M::oid),
    int_field<M>("value", &M::value),
});

using Sp = Spooler;
inline constexpr auto kSpoolerTable = make_table<Sp>({
    str_field<Sp>("dir", &Sp::dir),
    int_field<Sp>("pid", &Sp::pid),
    int_field<Sp>("tasks", &Sp::tasks),
    int_field<Sp>("respawns", &Sp::respawns),
    int_field<Sp>("running", &Sp::running),
});

using D = Daemon;
inline constexpr auto kDaemonTable = make_table<D>({
    str_field<D>("cmd", &D::cmd),
    int_field<D>("pid", &D::pid),
    int_field<D>("respawns", &D::respawns),
});

using Cr = Cron;
inline constexpr auto kCronTable = make_table<Cr>({
    int_field<Cr>("minute", &Cr::minute),
    int_field<Cr>("hour", &Cr::hour),
    int_field<Cr>("day", &Cr::day),
    int_field<Cr>("month", &Cr::month),
    int_field<Cr>("week", &Cr::week),
    str_field<Cr>("command", &Cr::command),
    int_field<Cr>("unique", &Cr::unique),
    str_field<Cr>("legion", &Cr::legion),
    int_field<Cr>("pid", &Cr::pid),
    int_field<Cr>("started_at", &Cr::started_at),
});

using V = Vassal;
inline constexpr auto kVassalTable = make_table<V>({
    str_field<V>("id", &V::id),
    int_field<V>("pid", &V::pid),
    int_field<V>("born", &V::born),
    int_field<V>("last_mod", &V::last_mod),
    int_field<V>("last_heartbeat", &V::last_heartbeat),
    int_field<V>("loyal", &V::loyal),
    int_field<V>("ready", &V::ready),
    int_field<V>("accepting", &V::accepting),
    int_field<V>("last_loyal", &V::last_loyal),
    int_field<V>("last_ready", &V::last_ready),
    int_field<V>("last_accepting", &V::last_accepting),
    int_field<V>("first_run", &V::first_run),
    int_field<V>("last_run", &V::last_run),
    int_field<V>("cursed", &V::cursed),
    int_field<V>("zerg", &V::zerg),
    str_field<V>("on_demand", &V::on_demand),
    int_field<V>("uid", &V::uid),
    int_field<V>("gid", &V::gid),
    str_field<V>("monitor", &V::monitor),
    int_field<V>("respawns", &V::respawns),
    int_field<V>("suspended", &V::suspended),
    int_field<V>("adopted", &V::adopted),
});

using B = BlacklistEntry;
inline constexpr auto kBlacklistTable = make_table<B>({
    str_field<B>("id", &B::id),
    int_field<B>("throttle_level", &B::throttle_level),
    int_field<B>("attempt", &B::attempt),
    int_field<B>("first_attempt", &B::first_attempt),
    int_field<B>("last_attempt", &B::last_attempt),
});

using Sn = StaticNode;
inline constexpr auto kStaticNodeTable = make_table<Sn>({
    str_field<Sn>("name", &Sn::name),
    int_field<Sn>("hits", &Sn::hits),
    int_field<Sn>("grace", &Sn::grace),
});

using Sub = Subscription;
inline constexpr auto kSubscriptionTable = make_table<Sub>({
    str_field<Sub>("key", &Sub::key),
    int_field<Sub>("hash", &Sub::hash),
    int_field<Sub>("hits", &Sub::hits),
    int_field<Sub>("sni_enabled", &Sub::sni_enabled),
    str_field<Sub>("algo", &Sub::algo),
    child_field<Sub>("nodes", Ctx::Nodes),
});

using Rn = RouterNode;
inline constexpr auto kNodeTable = make_table<Rn>({
    str_field<Rn>("name", &Rn::name),
    str_field<Rn>("vassal", &Rn::vassal),
    str_field<Rn>("proto", &Rn::proto),
    int_field<Rn>("modifier1", &Rn::modifier1),
    int_field<Rn>("modifier2", &Rn::modifier2),
    int_field<Rn>("last_check", &Rn::last_check),
    int_field<Rn>("pid", &Rn::pid),
    int_field<Rn>("uid", &Rn::uid),
    int_field<Rn>("gid", &Rn::gid),
    int_field<Rn>("requests", &Rn::requests),
    int_field<Rn>("last_requests", &Rn::last_requests),
    int_field<Rn>("tx", &Rn::tx),
    int_field<Rn>("rx", &Rn::rx),
    int_field<Rn>("cores", &Rn::cores),
    int_field<Rn>("load", &Rn::load),
    int_field<Rn>("weight", &Rn::weight),
    int_field<Rn>("backup", &Rn::backup),
    int_field<Rn>("wrr", &Rn::wrr),
    int_field<Rn>("ref", &Rn::ref),
    int_field<Rn>("failcnt", &Rn::failcnt),
    int_field<Rn>("death_mark", &Rn::death_mark),
});

// Short names of uWSGI's corerouters: the router stats document lists its
// gateway sockets under this key (plugins/*/ *.c: cr.short_name).
constexpr bool is_router_short_name(std::string_view key) {
    return key == "http" || key == "fastrouter" || key == "rawrouter" || key == "sslrouter" ||
           key == "forkptyrouter";
}

}  // namespace uwsgitop::detail
