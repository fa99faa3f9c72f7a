// deliver.hpp — the one checked delivery of an action, shared by --action and
// the screen's menu, and what the following snapshots say about it.
//
// deliver() runs, in this order: the master pid holds the stats socket of the
// address (check_master_holds_socket), the channel (channel_for: FIFO when
// one is known, else the master signal, else refused), the snapshot is fresh
// (check_fresh), then exactly one of signal_worker, write_fifo or
// signal_master. The caller has already refused replay, demo, file, stdin,
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

#include "uwsgitop/action/action.hpp"
#include "uwsgitop/action/safety.hpp"
#include "uwsgitop/base/status.hpp"
#include "uwsgitop/model/model.hpp"
#include "uwsgitop/source/address.hpp"

namespace uwsgitop::action {

// What one delivery aims at, as the snapshot said.
struct Aim {
    const ActionSpec* spec = nullptr;
    Address address;         // the stats address the snapshot came from
    pid_t master = 0;        // the snapshot's master pid
    long worker_id = 0;      // worker actions: the worker id ...
    pid_t pid = 0;           // ... and its pid in the snapshot
    std::string fifo;        // the known master FIFO ("" = none)
    int64_t age_ms = 0;      // the snapshot's age now
    int64_t interval_ms = 1000;
};

// The checks above, then the one delivery. On success `sent` is the
// explanation of what was sent (action::explain()).
Status deliver(const ProcRoot& proc, const Aim& aim, std::string& sent);

// The state of a snapshot that the confirmations compare.
struct Observed {
    std::map<int64_t, int64_t> running;  // non-cheap workers with a pid: id -> pid
    bool all_paused = false;             // some running worker, and every one reports "pause"
    bool has_workers = false;
};
Observed observe(const Snapshot& s);

// Whether `now` shows that `name` (on `worker` for a worker action) took
// effect since `before`; `what` says what happened so far either way
// ("worker 3 respawned: pid 4711 -> 4790", "chain-reload: 2 of 4 workers
// replaced"; empty when there is nothing to say yet).
bool confirmed(std::string_view name, std::optional<long> worker, const Observed& before, const Observed& now,
               std::string& what);

}  // namespace uwsgitop::action
