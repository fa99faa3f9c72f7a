// vassal_follow.cpp — a fleet that follows its Emperors' vassal lists
// (see vassal_follow.hpp).
#include "uwsgitop/fleet/vassal_follow.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "uwsgitop/base/text.hpp"
#include "uwsgitop/fleet/vassal_discovery.hpp"

namespace uwsgitop {

namespace {

bool same_entry(const Vassal& v, const std::string& monitor, const std::string& id, int64_t last_mod) {
    return v.id == id && v.monitor == monitor && v.last_mod.value_or(0) == last_mod;
}

}  // namespace

// The Emperor's vassal list from `snap`: entries that did not change are
// kept as read, the others read again. True when anything changed.
bool VassalFollower::read_emperor(Emperor& e, const Snapshot& snap, std::vector<std::string>* notices) {
    const bool unchanged =
        snap.vassals.size() == e.vassals.size() &&
        std::equal(snap.vassals.begin(), snap.vassals.end(), e.vassals.begin(), [](const Vassal& v, const Known& k) {
            return same_entry(v, k.monitor, k.id, k.last_mod);
        });
    if (unchanged) return false;
    std::vector<Known> now;
    now.reserve(snap.vassals.size());
    for (const Vassal& v : snap.vassals) {
        const auto old = std::find_if(e.vassals.begin(), e.vassals.end(), [&](const Known& k) {
            return same_entry(v, k.monitor, k.id, k.last_mod);
        });
        if (old != e.vassals.end()) {
            now.push_back(std::move(*old));
            old->id.clear();   // taken (an id is listed once)
            continue;
        }
        Known k;
        k.monitor.assign(v.monitor);
        k.id.assign(v.id);
        k.last_mod = v.last_mod.value_or(0);
        bool worth_a_line = false;
        const Status st = discover_vassal(v, k.target, &worth_a_line);
        k.found = st.is_ok();
        if (!k.found && worth_a_line) k.notice = "vassal " + escape_for_display(v.id) + ": " + st.message();
        const bool told = std::any_of(e.vassals.begin(), e.vassals.end(), [&](const Known& prev) {
            return prev.notice == k.notice;
        });
        if (!k.notice.empty() && !told && notices != nullptr) notices->push_back(k.notice);
        now.push_back(std::move(k));
    }
    e.vassals = std::move(now);
    return true;
}

// Instances added by following whose vassal no Emperor lists any more leave
// the fleet (retired while a fetch is in flight). Returns how many left.
std::size_t VassalFollower::drop_unfollowed(std::vector<std::unique_ptr<Instance>>& fleet) {
    std::unordered_set<std::string> wanted;
    for (const Emperor& e : emperors_) {
        for (const Known& k : e.vassals) {
            if (k.found) wanted.insert(k.target.address);
        }
    }
    std::size_t removed = 0;
    auto leaves = [&](std::unique_ptr<Instance>& inst) {
        if (!inst->followed || wanted.count(inst->target.address) != 0) return false;
        if (inst->polling) retired_.push_back(std::move(inst));
        else inst.reset();
        ++removed;
        return true;
    };
    fleet.erase(std::remove_if(fleet.begin(), fleet.end(), leaves), fleet.end());
    return removed;
}

// Every instance a followed Emperor lists (followed or given as a target)
// names that Emperor; one a followed Emperor no longer lists names none.
void VassalFollower::mark_emperors(std::vector<std::unique_ptr<Instance>>& fleet) const {
    std::unordered_map<std::string_view, std::string_view> emperor_of;
    for (const Emperor& e : emperors_) {
        for (const Known& k : e.vassals) {
            if (k.found) emperor_of.emplace(k.target.address, e.address);
        }
    }
    for (auto& inst : fleet) {
        std::string& mine = inst->target.emperor;
        const auto it = emperor_of.find(inst->target.address);
        if (it != emperor_of.end()) {
            if (it->second != inst->target.address) mine.assign(it->second);
        } else if (!mine.empty() && std::any_of(emperors_.begin(), emperors_.end(),
                                                [&](const Emperor& e) { return e.address == mine; })) {
            mine.clear();
        }
    }
}

void VassalFollower::free_retired() {
    retired_.erase(std::remove_if(retired_.begin(), retired_.end(),
                                  [](const std::unique_ptr<Instance>& inst) { return !inst->polling; }),
                   retired_.end());
}

VassalFollower::Changes VassalFollower::follow(std::vector<std::unique_ptr<Instance>>& fleet, bool poll_now,
                                               std::vector<std::string>* notices) {
    free_retired();
    for (Emperor& e : emperors_) e.present = false;
    bool changed = false;
    for (const auto& inst : fleet) {
        const bool emperor = inst->last_ok && inst->snapshot.kind == SnapshotKind::Emperor;
        auto e = std::find_if(emperors_.begin(), emperors_.end(),
                              [&](const Emperor& x) { return x.address == inst->target.address; });
        if (e == emperors_.end()) {
            if (!emperor) continue;
            emperors_.push_back(Emperor{inst->target.address, {}, false});
            e = emperors_.end() - 1;
            changed = true;
        }
        e->present = true;   // one whose poll failed keeps its vassals as read
        if (emperor) changed = read_emperor(*e, inst->snapshot, notices) || changed;
    }
    const auto gone = std::remove_if(emperors_.begin(), emperors_.end(), [](const Emperor& e) { return !e.present; });
    changed = changed || gone != emperors_.end();
    emperors_.erase(gone, emperors_.end());
    Changes c;
    if (!changed) return c;
    c.removed = drop_unfollowed(fleet);
    std::vector<Target> targets;
    for (const Emperor& e : emperors_) {
        for (const Known& k : e.vassals) {
            if (!k.found) continue;
            targets.push_back(k.target);
            targets.back().emperor = e.address;
        }
    }
    const std::size_t before = fleet.size();
    add_targets(fleet, targets, limits_, concurrency_, scope_, poll_now);
    mark_emperors(fleet);
    for (std::size_t i = before; i < fleet.size(); ++i) fleet[i]->followed = true;
    c.added = fleet.size() - before;
    return c;
}

}  // namespace uwsgitop
