// Unit tests for vassal_follow.hpp: the fleet follows its Emperors' vassal
// lists (added, removed, retired while fetching, read again only on change).
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "uwsgitop/fleet/fleet_events.hpp"
#include "uwsgitop/fleet/vassal_follow.hpp"

using namespace uwsgitop;

namespace {

std::string make_temp_dir() {
    char tmpl[] = "/tmp/uwsgitop-follow-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    return tmpl;
}

// A vassal config whose stats is a unix socket of the same name (nothing
// listens: the tests never poll).
void write_vassal(const std::string& dir, const std::string& id) {
    std::ofstream(dir + "/" + id) << "[uwsgi]\nstats = " << dir << "/" << id << ".sock\n";
}

// An Emperor instance (its poll worked) listing `ids` of `dir` (kept alive in
// `ids`: the snapshot's strings are views).
std::unique_ptr<Instance> emperor(const std::string& address, const std::string& dir,
                                  const std::vector<std::string>& ids) {
    auto inst = std::make_unique<Instance>();
    inst->target = Target{"emperor", address, {}};
    inst->has_data = inst->last_ok = true;
    inst->snapshot.kind = SnapshotKind::Emperor;
    for (const std::string& id : ids) {
        Vassal v;
        v.id = id;
        v.monitor = dir;
        v.last_mod = 1000;
        inst->snapshot.vassals.push_back(v);
    }
    return inst;
}

std::vector<std::string> names(const std::vector<std::unique_ptr<Instance>>& fleet) {
    std::vector<std::string> out;
    for (const auto& inst : fleet) out.push_back(inst->target.name);
    return out;
}

struct Dir {
    std::string path = make_temp_dir();
    ~Dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

VassalFollower follower() { return VassalFollower(FetchLimits{}, 1, ParseScope::Everything); }

}  // namespace

TEST_SUITE("vassal_follow") {

TEST_CASE("vassal_follow::a vassal added later joins, one the Emperor no longer lists leaves") {
    Dir d;
    for (const char* id : {"a.ini", "b.ini", "c.ini"}) write_vassal(d.path, id);
    std::vector<std::string> ids = {"a.ini", "b.ini"};
    std::vector<std::unique_ptr<Instance>> fleet;
    fleet.push_back(emperor("127.0.0.1:1", d.path, ids));
    VassalFollower f = follower();
    auto c = f.follow(fleet, false, nullptr);
    CHECK(c.added == 2);
    CHECK(c.removed == 0);
    CHECK(names(fleet) == std::vector<std::string>{"emperor", "a.ini", "b.ini"});
    CHECK(fleet[1]->followed);
    CHECK(fleet[1]->target.address == d.path + "/a.ini.sock");

    // b leaves, c joins.
    std::vector<std::string> ids2 = {"a.ini", "c.ini"};
    fleet[0] = emperor("127.0.0.1:1", d.path, ids2);
    c = f.follow(fleet, false, nullptr);
    CHECK(c.added == 1);
    CHECK(c.removed == 1);
    CHECK(names(fleet) == std::vector<std::string>{"emperor", "a.ini", "c.ini"});
}

TEST_CASE("vassal_follow::every vassal names its Emperor, followed or given as a target") {
    Dir d;
    for (const char* id : {"a.ini", "b.ini"}) write_vassal(d.path, id);
    std::vector<std::string> ids = {"a.ini", "b.ini"};
    std::vector<std::unique_ptr<Instance>> fleet;
    fleet.push_back(emperor("127.0.0.1:1", d.path, ids));
    // b given as a target too (not followed), and one that is nobody's vassal.
    std::vector<std::unique_ptr<Instance>> given;
    REQUIRE(make_fleet({Target{"mine-b", d.path + "/b.ini.sock", {}}, Target{"other", "127.0.0.1:2", {}}},
                       FetchLimits{}, given).is_ok());
    for (auto& inst : given) fleet.push_back(std::move(inst));
    VassalFollower f = follower();
    CHECK(f.follow(fleet, false, nullptr).added == 1);
    CHECK(names(fleet) == std::vector<std::string>{"emperor", "mine-b", "other", "a.ini"});
    CHECK(fleet[0]->target.emperor.empty());
    CHECK(fleet[1]->target.emperor == "127.0.0.1:1");
    CHECK(fleet[2]->target.emperor.empty());
    CHECK(fleet[3]->target.emperor == "127.0.0.1:1");
    // b is no longer listed: the target stays, under no Emperor.
    std::vector<std::string> ids2 = {"a.ini"};
    fleet[0] = emperor("127.0.0.1:1", d.path, ids2);
    f.follow(fleet, false, nullptr);
    REQUIRE(names(fleet) == std::vector<std::string>{"emperor", "mine-b", "other", "a.ini"});
    CHECK(fleet[1]->target.emperor.empty());
    CHECK(fleet[3]->target.emperor == "127.0.0.1:1");
}

TEST_CASE("vassal_follow::the config files are read again only when the vassal list changed") {
    Dir d;
    write_vassal(d.path, "a.ini");
    std::vector<std::string> ids = {"a.ini"};
    std::vector<std::unique_ptr<Instance>> fleet;
    fleet.push_back(emperor("127.0.0.1:1", d.path, ids));
    VassalFollower f = follower();
    CHECK(f.follow(fleet, false, nullptr).added == 1);
    // The file changes but the Emperor's list (ids, mtimes) does not: not read.
    std::ofstream(d.path + "/a.ini") << "[uwsgi]\nstats = " << d.path << "/other.sock\n";
    for (int round = 0; round < 3; ++round) {
        const auto c = f.follow(fleet, false, nullptr);
        CHECK(c.added == 0);
        CHECK(c.removed == 0);
    }
    CHECK(fleet[1]->target.address == d.path + "/a.ini.sock");
    // Its mtime as the Emperor reports it moved: read again, the old address leaves.
    fleet[0]->snapshot.vassals[0].last_mod = 2000;
    const auto c = f.follow(fleet, false, nullptr);
    CHECK(c.added == 1);
    CHECK(c.removed == 1);
    REQUIRE(fleet.size() == 2);
    CHECK(fleet[1]->target.address == d.path + "/other.sock");
}

TEST_CASE("vassal_follow::a vassal that leaves while its fetch is in flight is freed once it ended") {
    Dir d;
    for (const char* id : {"a.ini", "b.ini"}) write_vassal(d.path, id);
    std::vector<std::string> ids = {"a.ini", "b.ini"}, ids2 = {"a.ini"};
    std::vector<std::unique_ptr<Instance>> fleet;
    fleet.push_back(emperor("127.0.0.1:1", d.path, ids));
    VassalFollower f = follower();
    f.follow(fleet, false, nullptr);
    REQUIRE(fleet.size() == 3);
    fleet[2]->polling = true;   // a FleetPoll fetch holds it
    Instance* held = fleet[2].get();
    fleet[0] = emperor("127.0.0.1:1", d.path, ids2);
    CHECK(f.follow(fleet, false, nullptr).removed == 1);
    CHECK(names(fleet) == std::vector<std::string>{"emperor", "a.ini"});
    CHECK(f.retired() == 1);
    CHECK(held->target.name == "b.ini");   // still alive (ASan would say otherwise)
    f.follow(fleet, false, nullptr);
    CHECK(f.retired() == 1);   // still fetching
    held->polling = false;   // the poll stored its outcome
    f.follow(fleet, false, nullptr);
    CHECK(f.retired() == 0);
}

TEST_CASE("vassal_follow::targets given by the user stay; a down Emperor keeps its vassals; a gone one takes them") {
    Dir d;
    for (const char* id : {"a.ini", "b.ini"}) write_vassal(d.path, id);
    std::vector<std::string> ids = {"a.ini", "b.ini"}, none;
    std::vector<std::unique_ptr<Instance>> fleet;
    fleet.push_back(emperor("127.0.0.1:1", d.path, ids));
    std::vector<std::unique_ptr<Instance>> user;
    REQUIRE(make_fleet({Target{"mine", d.path + "/a.ini.sock", {}}}, FetchLimits{}, user).is_ok());
    fleet.push_back(std::move(user[0]));
    VassalFollower f = follower();
    CHECK(f.follow(fleet, false, nullptr).added == 1);   // b; a is polled already
    CHECK(names(fleet) == std::vector<std::string>{"emperor", "mine", "b.ini"});
    // The Emperor's poll fails: its vassals stay as read.
    fleet[0]->last_ok = false;
    fleet[0]->snapshot.vassals.clear();
    CHECK(f.follow(fleet, false, nullptr).removed == 0);
    CHECK(fleet.size() == 3);
    // It lists none: b leaves, the user's own target stays.
    fleet[0] = emperor("127.0.0.1:1", d.path, none);
    CHECK(f.follow(fleet, false, nullptr).removed == 1);
    CHECK(names(fleet) == std::vector<std::string>{"emperor", "mine"});
    // An Emperor that left the fleet takes its vassals along.
    fleet[0] = emperor("127.0.0.1:1", d.path, ids);
    f.follow(fleet, false, nullptr);
    REQUIRE(fleet.size() == 3);
    fleet.erase(fleet.begin());
    CHECK(f.follow(fleet, false, nullptr).removed == 1);
    CHECK(names(fleet) == std::vector<std::string>{"mine"});
}

TEST_CASE("vassal_follow::a skipped config file or a refused address is one line, once") {
    Dir d;
    write_vassal(d.path, "a.ini");
    REQUIRE(mkdir((d.path + "/dir.ini").c_str(), 0700) == 0);
    std::ofstream(d.path + "/bad.ini") << "[uwsgi]\nstats = file:/dev/zero\n";
    std::vector<std::string> ids = {"a.ini", "dir.ini", "bad.ini"}, more = {"a.ini", "dir.ini", "bad.ini", "x.ini"};
    std::vector<std::unique_ptr<Instance>> fleet;
    fleet.push_back(emperor("127.0.0.1:1", d.path, ids));
    VassalFollower f = follower();
    std::vector<std::string> notices;
    f.follow(fleet, false, &notices);
    REQUIRE(notices.size() == 2);
    CHECK(notices[0] == "vassal dir.ini: " + d.path + "/dir.ini: is a directory; skipped");
    CHECK(notices[1].find("vassal bad.ini: ") == 0);
    CHECK(notices[1].find("never read") != std::string::npos);
    // The list changes (x.ini, missing, joins): only x is new news.
    notices.clear();
    fleet[0] = emperor("127.0.0.1:1", d.path, more);
    f.follow(fleet, false, &notices);
    REQUIRE(notices.size() == 1);
    CHECK(notices[0].find("vassal x.ini: ") == 0);
    CHECK(notices[0].find("cannot open") != std::string::npos);
    notices.clear();
    f.follow(fleet, false, &notices);
    CHECK(notices.empty());
}

TEST_CASE("vassal_follow::FleetEvents follows instances, not positions, when some leave") {
    auto instance = [](const std::string& name, int64_t pid) {
        auto inst = std::make_unique<Instance>();
        inst->target.name = name;
        inst->snapshot.kind = SnapshotKind::Master;
        inst->snapshot.pid = pid;
        inst->has_data = inst->last_ok = true;
        inst->polls_stored = 1;
        return inst;
    };
    std::vector<std::unique_ptr<Instance>> fleet;
    fleet.push_back(instance("a", 10));
    fleet.push_back(instance("b", 20));
    fleet.push_back(instance("c", 30));
    FleetEvents events;
    std::vector<Event> out;
    events.observe(fleet, 100, out);
    CHECK(out.empty());
    // b leaves; c polled again, unchanged: compared with c's own past, not b's.
    fleet.erase(fleet.begin() + 1);
    fleet[1]->polls_stored = 2;
    events.observe(fleet, 101, out);
    CHECK(out.empty());
    // d joins: its first snapshot makes none; a reloads: one event, a's.
    fleet.push_back(instance("d", 40));
    fleet[0]->snapshot.pid = 11;
    fleet[0]->polls_stored = 2;
    events.observe(fleet, 102, out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].instance == "a");
    CHECK(out[0].kind == EventKind::Reload);
}

}
