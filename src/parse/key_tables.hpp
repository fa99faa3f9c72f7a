// key_tables.hpp — the parser's key table of every object, built from model/fields.hpp (private to parse/).
//
// A table is the record's field rows (uwsgitop/model/fields.hpp) and its
// child containers (which are the parser's structure: "workers", "cores",
// ...), in the order the parser's hint expects them (key_match.hpp): first
// the rows uWSGI 2.0 writes, in order, then the children, then the rows only
// newer uWSGI writes (kFieldNewer). Where uWSGI writes a child between fields
// (a root's lists) the hint misses once and the hashed lookup finds it.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "contexts.hpp"
#include "key_match.hpp"
#include "uwsgitop/model/fields.hpp"

namespace uwsgitop::detail {

// A key that opens a container.
struct Child {
    const char* name = "";
    Ctx ctx = Ctx::Top;
};

constexpr Key key_of(const FieldDef& f) {
    Pending kind = Pending::Str;
    if (f.type == FieldType::Int) {
        kind = (f.flags & kFieldSigned) != 0 ? Pending::SignedInt
               : (f.flags & kFieldPid) != 0  ? Pending::Pid
                                             : Pending::Int;
    }
    return Key{f.key.data(), kind, f.offset, Ctx::Top};  // keys are string literals: NUL-terminated
}

template <class... Tables>
constexpr std::size_t rows_of() {
    return (std::size_t{0} + ... + Tables::size());
}

// The table of a record: `tables` (all of the same record), then `children`
// placed as described at the top.
template <std::size_t C, class... Tables>
consteval KeyTable<C + rows_of<Tables...>()> keys_of(const std::array<Child, C>& children,
                                                     const Tables&... tables) {
    std::array<Key, C + rows_of<Tables...>()> keys{};
    std::size_t at = 0;
    auto rows = [&](bool newer) {
        auto add = [&](const auto& table) {
            for (const FieldDef& f : table) {
                if (((f.flags & kFieldNewer) != 0) == newer) {
                    keys[at++] = key_of(f);
                }
            }
        };
        (add(tables), ...);
    };
    rows(false);
    for (const Child& c : children) {
        keys[at++] = Key{c.name, Pending::Child, 0, c.ctx};
    }
    rows(true);
    return KeyTable<C + rows_of<Tables...>()>(keys);
}

inline constexpr std::array<Child, 0> kNoChildren{};

// Names of the child keys exactly as uWSGI 2.0 writes them (core/master_utils.c,
// core/emperor.c, plugins/corerouter/corerouter.c).
inline constexpr auto kRootTable = keys_of(
    std::array{
        Child{"workers", Ctx::Workers},
        Child{"sockets", Ctx::Sockets},
        Child{"locks", Ctx::Locks},
        Child{"caches", Ctx::Caches},
        Child{"metrics", Ctx::MetricsObj},
        Child{"spoolers", Ctx::Spoolers},
        Child{"daemons", Ctx::Daemons},
        Child{"crons", Ctx::Crons},
        Child{"legions", Ctx::Legions},
        Child{"emperor", Ctx::Scanners},
        Child{"vassals", Ctx::Vassals},
        Child{"blacklist", Ctx::Blacklist},
        Child{"static_nodes", Ctx::StaticNodes},
        Child{"subscriptions", Ctx::Subscriptions},
    },
    kRootFields, kEmperorFields, kRouterFields);
inline constexpr auto kWorkerTable =
    keys_of(std::array{Child{"apps", Ctx::Apps}, Child{"cores", Ctx::Cores}}, kWorkerFields);
inline constexpr auto kAppTable = keys_of(kNoChildren, kAppFields);
inline constexpr auto kCoreTable =
    keys_of(std::array{Child{"vars", Ctx::Vars}, Child{"req_info", Ctx::ReqInfo}}, kCoreFields);
inline constexpr auto kReqInfoTable = keys_of(kNoChildren, kReqInfoFields);
inline constexpr auto kSocketTable = keys_of(kNoChildren, kSocketFields);
inline constexpr auto kCacheTable = keys_of(kNoChildren, kCacheFields);
inline constexpr auto kMetricTable = keys_of(kNoChildren, kMetricFields);
inline constexpr auto kSpoolerTable = keys_of(kNoChildren, kSpoolerFields);
inline constexpr auto kDaemonTable = keys_of(kNoChildren, kDaemonFields);
inline constexpr auto kCronTable = keys_of(kNoChildren, kCronFields);
inline constexpr auto kLegionTable = keys_of(kNoChildren, kLegionFields);
inline constexpr auto kVassalTable = keys_of(kNoChildren, kVassalFields);
inline constexpr auto kBlacklistTable = keys_of(kNoChildren, kBlacklistFields);
inline constexpr auto kStaticNodeTable = keys_of(kNoChildren, kStaticNodeFields);
inline constexpr auto kSubscriptionTable =
    keys_of(std::array{Child{"nodes", Ctx::Nodes}}, kSubscriptionFields);
inline constexpr auto kNodeTable = keys_of(kNoChildren, kNodeFields);

// The hint's order for a uWSGI 2.0 worker and vassal: what 2.0 writes, then
// what only newer versions write (the JSON dump keeps uWSGI's own order).
static_assert(std::string_view(kWorkerTable.entries()[0].name) == "id");
static_assert(std::string_view(kWorkerTable.entries()[16].name) == "avg_rt");
static_assert(std::string_view(kWorkerTable.entries()[17].name) == "apps");
static_assert(std::string_view(kWorkerTable.entries()[18].name) == "cores");
static_assert(std::string_view(kWorkerTable.entries()[19].name) == "uss");
static_assert(std::string_view(kCoreTable.entries()[7].name) == "in_request");
static_assert(std::string_view(kCoreTable.entries()[8].name) == "vars");
static_assert(std::string_view(kVassalTable.entries()[15].name) == "on_demand");
static_assert(std::string_view(kVassalTable.entries()[16].name) == "uid");
static_assert(std::string_view(kVassalTable.entries()[20].name) == "suspended");

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
    set(Ctx::Legion, kLegionTable.index());
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
