// contexts.hpp — the containers the stats parser can be in, and what a key's value is for (private to parse/).
#pragma once

#include <cstddef>
#include <cstdint>

namespace uwsgitop::detail {

// Every container the parser is in. Object contexts have a key table (or
// special handling: LockObj, MetricsObj); array contexts say what their
// elements become. Top is below the document (StatsHandler's bottom frame),
// Skip a container that is skipped with everything in it.
enum class Ctx : uint8_t {
    Top, Skip,
    // objects
    Root, Worker, App, Core, ReqInfo, Socket, LockObj, Cache, MetricsObj, Metric,
    Spooler, Daemon, Cron, Legion, Vassal, BlacklistEntry, StaticNode, Subscription, Node,
    // arrays
    Workers, Apps, Cores, Vars, Sockets, Locks, Caches, Spoolers, Daemons, Crons, Legions,
    Scanners, Vassals, Blacklist, RouterSockets, StaticNodes, Subscriptions, Nodes,
};
inline constexpr std::size_t kCtxCount = static_cast<std::size_t>(Ctx::Nodes) + 1;

constexpr bool is_array_ctx(Ctx c) { return c >= Ctx::Workers; }

// What the value after a key is for: nothing (unknown key), an Int (Signed:
// negative values allowed), a string_view, a child container (Entry::child),
// or a corerouter's socket list (StatsHandler).
enum class Pending : uint8_t { Skip, Int, SignedInt, Pid, Str, Child, Router };

}  // namespace uwsgitop::detail
