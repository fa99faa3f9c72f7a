// vassal_follow.hpp — --follow-vassals: a fleet that follows its Emperors'
// vassal lists on every round.
//
// After each round the poll thread calls follow(): for every Emperor of the
// fleet whose last poll worked, the vassal list of its snapshot (each
// vassal's monitor, id and config mtime `last_mod`) is compared with the one
// last read; only when it changed are the config files read again
// (discover_vassal, and only for the vassals whose entry changed), so a
// steady Emperor costs no file reads. The fleet then holds exactly the
// followed vassals: a new one joins (add_targets; polled at once with
// `poll_now`), one the Emperor no longer lists leaves, and so do the vassals
// of an Emperor that left the fleet. An Emperor whose poll failed keeps its
// vassals as last read. Only instances added by following leave: a vassal
// also given as a target stays. Every instance of the fleet that a followed
// Emperor lists, followed or given as a target, has that Emperor's address
// in its Target::emperor (the fleet screen groups it under the Emperor).
//
// Leaving the fleet never frees an Instance a FleetPoll fetch still uses:
// one with a fetch in flight (Instance::polling) is kept in the follower's
// retired list, unpolled and shown nowhere, and freed by a later follow()
// once its fetch was stored. The follower must therefore outlive the
// FleetPoll that polls its fleet (declare it first).
//
// A vassal whose failure is worth a line (discover_vassal: a refused stats
// address, a skipped config file) is reported once to `notices`: again only
// when its reason changes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "uwsgitop/fleet/fleet.hpp"

namespace uwsgitop {

class VassalFollower {
public:
    VassalFollower(const FetchLimits& limits, unsigned concurrency, ParseScope scope)
        : limits_(limits), concurrency_(concurrency == 0 ? 1 : concurrency), scope_(scope) {}

    struct Changes {
        std::size_t added = 0;
        std::size_t removed = 0;
    };
    // See top; the poll thread, between rounds.
    Changes follow(std::vector<std::unique_ptr<Instance>>& fleet, bool poll_now, std::vector<std::string>* notices);
    // Forgets every Emperor (the fleet was replaced): the next follow() reads
    // them all again and adds their vassals to the new fleet.
    void forget() { emperors_.clear(); }
    // Instances that left the fleet with a fetch in flight, not freed yet.
    std::size_t retired() const { return retired_.size(); }

private:
    struct Known {
        std::string monitor, id;
        int64_t last_mod = 0;
        bool found = false;
        Target target;
        std::string notice;   // the line reported for it ("" = none)
    };
    struct Emperor {
        std::string address;
        std::vector<Known> vassals;
        bool present = false;   // scratch of follow()
    };

    bool read_emperor(Emperor& e, const Snapshot& snap, std::vector<std::string>* notices);
    std::size_t drop_unfollowed(std::vector<std::unique_ptr<Instance>>& fleet);
    void mark_emperors(std::vector<std::unique_ptr<Instance>>& fleet) const;
    void free_retired();

    FetchLimits limits_;
    unsigned concurrency_;
    ParseScope scope_;
    std::vector<Emperor> emperors_;
    std::vector<std::unique_ptr<Instance>> retired_;
};

}  // namespace uwsgitop
