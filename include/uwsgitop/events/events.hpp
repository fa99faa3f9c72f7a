// events.hpp — what changed between two successive snapshots of one instance.
//
// EventTracker keeps its own compact copy of the previous snapshot's facts
// (pids, counters, statuses, the requests running on each worker's cores,
// sockets, vassals; never the Snapshot itself) and on each update() appends
// the events of the step from that snapshot to the new one.
// Contracts:
//   * never an event from the first snapshot alone: the first update() (and
//     the first after reset() or a change of snapshot kind) only records;
//   * a restart of the whole instance (master pid changed, a counter went
//     back down, or every worker pid new without any respawn count growing)
//     is ONE `reload` event and no per-worker event for that step;
//   * busy/idle flips are not events: `status` only when a worker enters or
//     leaves cheap, pause or sigNN;
//   * failure() after at least one success raises one `down` (further
//     failures add nothing); the next success raises `up` with the gap since
//     the last good read, and compares against the snapshot before the gap;
//   * `stuck` once per request (a worker's pid and requests count) when its
//     time in it (model/busy_clock.hpp) reaches stuck_after; never with 0.
// Every kind is one row of kEventKinds (name, text template); the JSON
// writer (output/), the events pane (tui/) and the docs check derive from it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "uwsgitop/model/busy_clock.hpp"
#include "uwsgitop/model/model.hpp"
#include "uwsgitop/model/stack.hpp"

namespace uwsgitop {

enum class EventKind : uint8_t {
    Respawn, Harakiri, Stuck, Reload, Status, Exceptions, ListenQueue, Down, Up,
    VassalAdded, VassalRemoved, VassalRespawn, VassalCursed, Count_
};

struct EventKindInfo {
    EventKind kind;
    std::string_view name;  // the "kind" of --format events
    std::string_view text;  // template: {fact} is replaced by that fact's value, {a->b} by "A -> B" ("A" when the two are equal); [...] is left out when a fact in it is missing
};

// One row per kind, in EventKind order.
inline constexpr std::array<EventKindInfo, static_cast<std::size_t>(EventKind::Count_)> kEventKinds = {{
    {EventKind::Respawn, "respawn", "worker {worker} respawned: pid {old_pid} -> {new_pid} (respawns {respawns})"},
    {EventKind::Harakiri, "harakiri", "worker {worker} harakiri x{count}[: {method} {uri} after {running_for}s]"},
    {EventKind::Stuck, "stuck", "worker {worker} stuck {seconds}s in one request[: {method} {uri}]"},
    {EventKind::Reload, "reload", "instance reloaded: master pid {old_master_pid->new_master_pid}, {workers} workers"},
    {EventKind::Status, "status", "worker {worker} status {old_status} -> {new_status}"},
    {EventKind::Exceptions, "exceptions", "worker {worker}: {count} new exceptions (total {exceptions})"},
    {EventKind::ListenQueue, "listen_queue", "listen queue {socket}: {queue}/{max_queue}, {errors} refused"},
    {EventKind::Down, "down", "read failed: {error}"},
    {EventKind::Up, "up", "back after {gap}s"},
    {EventKind::VassalAdded, "vassal_added", "vassal {vassal} added (pid {pid})"},
    {EventKind::VassalRemoved, "vassal_removed", "vassal {vassal} removed"},
    {EventKind::VassalRespawn, "vassal_respawn", "vassal {vassal} respawned: pid {old_pid} -> {new_pid} (respawns {respawns})"},
    {EventKind::VassalCursed, "vassal_cursed", "vassal {vassal} cursed[ (attempt {attempt})]"},
}};

constexpr const EventKindInfo& event_kind_info(EventKind k) { return kEventKinds[static_cast<std::size_t>(k)]; }

// A fact's value: an integer, a number of seconds, or text from the server
// (raw: escape it before it reaches a terminal).
using FactValue = std::variant<int64_t, double, std::string>;

struct Fact {
    std::string_view key;  // a literal
    FactValue value;
};

struct Event {
    double time = 0;       // wall-clock seconds of the newer snapshot (or of the failure)
    std::string instance;  // the address label
    EventKind kind = EventKind::Respawn;
    std::optional<int64_t> worker;  // the worker id, where one is involved
    std::vector<Fact> facts;
    // stuck and harakiri: the worker's requests count during the request the
    // event is about (with the "pid" fact, what a captured stack is matched
    // by); -1 otherwise.
    int64_t request_key = -1;
    std::vector<StackFrame> stack;  // the stack captured in that request, when one was

    const FactValue* fact(std::string_view key) const;
};

// The kind's template with each {key} replaced ({worker} too), each
// {a->b} with "A -> B", or only "A" when both facts hold the same value (a
// reload that kept its master pid reads "master pid 769"); a fact the
// event does not have reads "?", and a [...] part holding such a fact is
// left out (a harakiri read without cores names no request). Server text
// is returned as sent.
std::string event_text(const Event& e);

struct EventOptions {
    double listen_queue_share = 0.5;  // listen_queue when queue/max_queue crosses this
    int64_t exceptions_threshold = 1; // exceptions when a worker gains this many in one step
    double stuck_after = 0;           // stuck when busy in one request this many seconds; 0 never (--stuck-after sets it)
};

class EventTracker {
public:
    explicit EventTracker(EventOptions options = {}) : options_(options) {}

    // A successful read of `snap` at wall-clock `time`: appends the events.
    void update(const Snapshot& snap, double time, std::string_view instance, std::vector<Event>& out);
    // A failed read at `time`: appends `down` once after a success.
    void failure(std::string_view error, double time, std::string_view instance, std::vector<Event>& out);
    void reset();

private:
    struct Running {
        std::string method, uri;
        int64_t start = 0;
    };
    struct PrevWorker {
        int64_t id = 0, pid = 0, respawns = -1, harakiri = -1, exceptions = -1, requests = -1;
        std::string status;
        std::vector<Running> running;
    };
    struct PrevSocket {
        std::string name;
        bool above = false;
    };
    struct PrevVassal {
        std::string id;
        int64_t pid = 0, respawns = -1, cursed = 0;
    };
    EventOptions options_;
    bool have_prev_ = false;
    SnapshotKind kind_ = SnapshotKind::Unknown;
    double prev_time_ = 0;
    int64_t master_pid_ = -1;
    int64_t queue_errors_ = -1;
    std::vector<PrevWorker> workers_;
    std::vector<PrevSocket> sockets_;
    std::vector<PrevVassal> vassals_;
    std::vector<std::string> blacklist_;
    bool down_ = false;
    BusyClock busy_;
    struct Reported {
        int64_t pid = 0, requests = -1;
    };
    std::vector<Reported> stuck_;  // by worker position: the request a stuck event was raised for

    void remember(const Snapshot& snap, double time);
    bool is_reload(const Snapshot& snap) const;
    void worker_events(const Snapshot& snap, double time, std::string_view instance, std::vector<Event>& out) const;
    void socket_events(const Snapshot& snap, double time, std::string_view instance, std::vector<Event>& out) const;
    void vassal_events(const Snapshot& snap, double time, std::string_view instance, std::vector<Event>& out) const;
    void stuck_events(const Snapshot& snap, double time, std::string_view instance, std::vector<Event>& out);
};

}  // namespace uwsgitop
