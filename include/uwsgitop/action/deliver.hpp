// deliver.hpp — the one checked delivery of an action, shared by --action and
// the screen's menu, and what the following snapshots say about it.
//
// deliver() runs, in this order: the master pid is a valid pid and is the
// process that sent the snapshot (check_peer_is_master on the snapshot's own
// connection, aim.peer), what the master was started with
// (read_master_config); for a worker: fresh, a valid pid that the snapshot
// gives to that worker alone (not the master, a spooler, a daemon or a cron
// command), then signal_worker (a fork of the master); for the instance:
// the channel (channel_for: FIFO when one is known, else the master signal,
// else refused), the action does what it says on this instance
// (check_fits_instance), fresh, then write_fifo or signal_master. The caller has already refused replay, demo, file, stdin,
// --read-only and non-local addresses (check_source_live,
// check_address_local). Every failure is one line naming the address, the
// action, the target and the cause; nothing is sent after a failed check.
//
// observe()/confirmed(): the confirmation test of each action between the
// snapshot before the action and a later one (a respawned pid, replaced
// workers, pause statuses, one worker more or less). Observed copies what it
// needs, so it outlives the snapshot it was taken from.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "uwsgitop/action/action.hpp"
#include "uwsgitop/action/master_config.hpp"
#include "uwsgitop/action/safety.hpp"
#include "uwsgitop/base/status.hpp"
#include "uwsgitop/model/model.hpp"
#include "uwsgitop/source/address.hpp"

namespace uwsgitop::action {

// What one delivery aims at, as the snapshot said.
struct Aim {
    const ActionSpec* spec = nullptr;
    Address address;         // the stats address the snapshot came from
    Peer peer;               // the connection that snapshot came over (Snapshot::peer)
    int64_t master = 0;      // the snapshot's master pid
    long worker_id = 0;      // worker actions: the worker id ...
    int64_t pid = 0;         // ... and its pid in the snapshot
    std::vector<int64_t> other_pids;  // pids the snapshot gives to something that is not one worker (other_pids())
    bool cheap_seen = false; // the snapshot shows a cheap worker (cheaper mode, whatever the cmdline says)
    std::string fifo;        // the known master FIFO ("" = none)
    int64_t age_ms = 0;      // the snapshot's age now
    int64_t interval_ms = 1000;
};

// The pids of `s` that no worker action may hit: the master's, the
// spoolers', daemons' and crons', and any pid that two workers share.
std::vector<int64_t> other_pids(const Snapshot& s);

// Whether `spec`, sent over `channel`, does on this instance what its text
// says: add/remove-worker need cheaper mode (uWSGI ignores them otherwise);
// brutal-reload by SIGTERM needs a master without --die-on-term (with it,
// SIGTERM stops the instance). The refusal names the reason.
Status check_fits_instance(const ActionSpec& spec, Channel channel, const MasterConfig& config, bool cheap_seen);

// The checks above, then the one delivery. On success `sent` is the
// explanation of what was sent (action::explain()).
Status deliver(const ProcRoot& proc, const Aim& aim, std::string& sent);

// The state of a snapshot that the confirmations compare.
struct Observed {
    std::map<int64_t, int64_t> running;  // non-cheap workers with a pid: id -> pid
    std::map<int64_t, int64_t> spawned;  // their last_spawn (epoch seconds), where known
    double sent_at = 0;                  // the "before" side: when the action was sent (epoch s; 0 = unknown)
    bool all_paused = false;             // some running worker, and every one reports "pause"
    bool has_workers = false;
};
Observed observe(const Snapshot& s);

// Whether `now` shows that `name` (on `worker` for a worker action) took
// effect since `before`; `what` says what happened so far either way
// ("worker 3 respawned: pid 4711 -> 4790", "chain-reload: 2 of 4 workers
// replaced"; empty when there is nothing to say yet). A worker that
// respawned (a newer last_spawn) more than a second before before.sent_at was replaced by something else, and the line says that it was
// not ours.
bool confirmed(std::string_view name, std::optional<long> worker, const Observed& before, const Observed& now,
               std::string& what);

}  // namespace uwsgitop::action
