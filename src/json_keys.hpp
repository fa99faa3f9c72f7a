// json_keys.hpp — compile-time key tables for the stats parser (private to parse.cpp).
//
// Each JSON object the parser understands (the root, a worker, a core, ...)
// has one KeyTable: the known keys of that object, each resolved to where its
// value goes (an Int member, a string_view member, or a child container).
// Lookup first tries the field after the previous one (uWSGI writes each
// object's keys in a fixed order, which is the order of the tables below):
// one length compare and two or three word compares of the key against
// words computed at compile time (KeyWords), inlined into StatsHandler::Key.
// Otherwise, out of line: one constant-time hash, one probe of a 64-slot
// open-addressed table (linear probing, so colliding keys still work) and the
// same compare.
// Tables are built at compile time (consteval).
#pragma once

#include <array>
#include <bit>
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

// A key's bytes as at most three machine words, for comparing a key against
// a table entry with a few loads of the key only (the entry's words are
// computed at compile time). Overlapping loads cover [0, n) without reading
// outside the key: n < 4: bytes 0, n/2, n-1; n < 8: the first and last 4
// bytes; n <= 24: the first, last and (n > 16) middle 8 bytes.
struct KeyWords {
    uint64_t a = 0, b = 0, c = 0;
    std::size_t len = 0;
};
inline constexpr std::size_t kMaxKeyLen = 24;

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

constexpr KeyWords key_words(std::string_view key) {
    const std::size_t n = key.size();
    KeyWords w;
    w.len = n;
    if (n >= 8) {
        w.a = pack(key, 0, 8);
        w.b = pack(key, n - 8, 8);
        w.c = n > 16 ? pack(key, 8, 8) : 0;
    } else if (n >= 4) {
        w.a = pack(key, 0, 4) | pack(key, n - 4, 4) << 32;
    } else if (n > 0) {
        w.a = pack(key, 0, 1) | pack(key, n / 2, 1) << 8 | pack(key, n - 1, 1) << 16;
    }
    return w;
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

// Is the key at [p, p + n) the one `w` was made from? Branches on w.len,
// which is the same for every key at the same place of uWSGI's output.
[[gnu::always_inline]] inline bool same(const KeyWords& w, const char* p, std::size_t n) {
    if (n != w.len) {
        return false;
    }
    if (n >= 8) {
        return load8(p) == w.a && load8(p + n - 8) == w.b && (n <= 16 || load8(p + 8) == w.c);
    }
    if (n >= 4) {
        return (load4(p) | load4(p + n - 4) << 32) == w.a;
    }
    if (n > 0) {
        return (load1(p) | load1(p + n / 2) << 8 | load1(p + n - 1) << 16) == w.a;
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
            if (fields_[i].name.size() > kMaxKeyLen) {
                throw "key longer than kMaxKeyLen";  // not a constant expression: fails the build
            }
            words_[i] = key_words(fields_[i].name);
            uint32_t h = key_hash(fields_[i].name);
            std::size_t slot = h & (kSlots - 1);
            while (index_[slot] != 0) {
                slot = (slot + 1) & (kSlots - 1);
            }
            index_[slot] = static_cast<uint8_t>(i + 1);
            hashes_[slot] = h;
        }
    }

    // The field at `hint` if it is named [key, key + len), else nullptr.
    // `hint` is the caller's guess, kept per object: uWSGI writes the keys of
    // an object in a fixed order (the order of the table), so the field after
    // the previous one is tried first, with no hashing at all (see
    // StatsHandler::resolve); find() is the fallback.
    [[gnu::always_inline]] const Field<T>* expected(uint8_t hint, const char* key,
                                                    std::size_t len) const {
        if (hint < N && same(words_[hint], key, len)) {
            return &fields_[hint];
        }
        return nullptr;
    }

    // Index of a field returned by expected() or find().
    uint8_t index_of(const Field<T>* f) const { return static_cast<uint8_t>(f - fields_.data()); }

    // The field named `key`, or nullptr for a key this object does not know.
    const Field<T>* find(std::string_view key) const {
        uint32_t h = key_hash(key);
        std::size_t slot = h & (kSlots - 1);
        while (index_[slot] != 0) {
            if (hashes_[slot] == h) {
                const std::size_t i = index_[slot] - 1u;
                if (same(words_[i], key.data(), key.size())) {
                    return &fields_[i];
                }
            }
            slot = (slot + 1) & (kSlots - 1);
        }
        return nullptr;
    }

private:
    std::array<Field<T>, N> fields_;
    std::array<KeyWords, N> words_{};
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
