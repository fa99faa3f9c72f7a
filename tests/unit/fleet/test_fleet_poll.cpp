// Unit tests for fleet_poll.hpp: fetches that outlive a round, silent and
// slow members, the connection cap, the threads for blocking sources, fds.
#include <doctest/doctest.h>


#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "../fake_stats_server.hpp"
#include "uwsgitop/base/clock.hpp"
#include "uwsgitop/fleet/fleet_poll.hpp"

using namespace uwsgitop;
using namespace uwsgitop::testing;

namespace {

const std::string kFixtures = UWSGITOP_TEST_FIXTURES;
constexpr double kForever = 1e300;

std::string fixture(const std::string& name) {
    std::ifstream in(kFixtures + "/" + name, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::unique_ptr<Instance>> make(const std::vector<std::string>& addresses, double timeout) {
    std::vector<Target> targets;
    for (const auto& a : addresses) targets.push_back(Target{a, a});
    std::vector<std::unique_ptr<Instance>> fleet;
    FetchLimits limits;
    limits.timeout_seconds = timeout;
    REQUIRE(make_fleet(targets, limits, fleet).is_ok());
    return fleet;
}

// The open fds once the fake servers (threads of this process) have closed
// their side of the connections we closed: they notice within 20 ms.
int settled_fds(int expected) {
    int n = open_fds();
    for (int i = 0; i < 100 && n != expected; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        n = open_fds();
    }
    return n;
}

}  // namespace

TEST_SUITE("fleet") {

TEST_CASE("fleet_poll::a silent member does not hold up the others, and is down after its own timeout") {
    const std::string doc = fixture("prefork-1.json");
    std::vector<std::unique_ptr<FakeServer>> servers;
    std::vector<std::string> addresses;
    for (int i = 0; i < 6; ++i) {
        servers.push_back(std::make_unique<FakeServer>(FakeServer::Kind::Tcp, std::vector<Script>{{Mode::Plain, doc, 0}}));
        addresses.push_back(servers.back()->address);
    }
    servers.push_back(std::make_unique<FakeServer>(FakeServer::Kind::Tcp, std::vector<Script>{{Mode::Silent, "", 0}}));
    addresses.push_back(servers.back()->address);
    servers.push_back(std::make_unique<FakeServer>(FakeServer::Kind::Unix, std::vector<Script>{{Mode::Silent, "", 0}}));
    addresses.push_back(servers.back()->address);
    const double timeout = 1.5;
    auto fleet = make(addresses, timeout);

    const int fds_before = open_fds();
    {
        FleetPoll poll(2);
        const double t0 = monotonic_seconds();
        poll.start_round(fleet);
        CHECK(poll.round_pending() == 8);
        // The round cannot end (two members are silent): the deadline ends the call,
        // with the six others stored.
        const std::size_t stored = poll.run_until(t0 + 0.5, FleetPoll::Until::RoundDone);
        CHECK(stored == 6);
        for (int i = 0; i < 6; ++i) {
            CHECK(fleet[i]->last_ok);
            CHECK(fleet[i]->snapshot.workers.size() == 4);
            CHECK_FALSE(fleet[i]->polling);
        }
        CHECK(fleet[6]->polling);
        CHECK(fleet[7]->polling);
        CHECK_FALSE(fleet[6]->has_data);
        CHECK(fleet[6]->error.empty());   // not down yet: its timeout has not passed

        // The next round leaves the silent ones alone and ends when the six answered.
        poll.start_round(fleet);
        CHECK(poll.round_pending() == 6);
        CHECK(poll.in_flight() == 8);
        poll.run_until(kForever, FleetPoll::Until::RoundDone);
        CHECK(poll.round_pending() == 0);
        for (int i = 0; i < 6; ++i) CHECK(fleet[i]->last_ok);
        CHECK(servers[0]->connections() == 2);
        CHECK(servers[6]->connections() == 1);   // one fetch, never a second one stacked on it

        // Then they turn down, each by its own timeout, not before.
        while (poll.in_flight() > 0) poll.run_until(kForever, FleetPoll::Until::AnyStored);
        CHECK(monotonic_seconds() - t0 >= timeout);
        for (int i = 6; i < 8; ++i) {
            CHECK_FALSE(fleet[i]->last_ok);
            CHECK_FALSE(fleet[i]->polling);
            CHECK_MESSAGE(fleet[i]->error.find("timed out after 1.5s (no reply)") != std::string::npos, fleet[i]->error);
        }

        // Down now: asked again, but the round's hand-over no longer waits for them.
        poll.start_round(fleet);
        CHECK(poll.in_flight() == 8);
        CHECK(poll.round_pending() == 6);
        poll.run_until(kForever, FleetPoll::Until::RoundDone);
        CHECK(fleet[6]->polling);
        CHECK(fleet[0]->last_ok);
    }
    CHECK(settled_fds(fds_before) == fds_before);   // every socket, the epoll set and the eventfd closed
}

TEST_CASE("fleet_poll::a slow member that answers is stored when it does") {
    const std::string doc = fixture("prefork-1.json");
    FakeServer fast(FakeServer::Kind::Tcp, {{Mode::Plain, doc, 0}});
    FakeServer slow(FakeServer::Kind::Abstract, {{Mode::Plain, doc, 400}});
    auto fleet = make({fast.address, slow.address}, 3.0);
    FleetPoll poll(1);
    poll.start_round(fleet);
    poll.run_until(monotonic_seconds() + 0.1, FleetPoll::Until::RoundDone);
    CHECK(fleet[0]->last_ok);
    CHECK(fleet[1]->polling);
    poll.start_round(fleet);   // round 2: only the fast one is fetched again
    poll.run_until(kForever, FleetPoll::Until::RoundDone);
    while (poll.in_flight() > 0) poll.run_until(kForever, FleetPoll::Until::AnyStored);
    CHECK(fleet[1]->last_ok);
    CHECK(fleet[1]->snapshot.workers.size() == 4);
    CHECK(slow.connections() == 1);
}

TEST_CASE("fleet_poll::the connection cap, blocking sources on threads, wake") {
    const std::string doc = fixture("prefork-2.json");
    std::vector<std::unique_ptr<FakeServer>> servers;
    std::vector<std::string> addresses;
    for (int i = 0; i < 5; ++i) {
        servers.push_back(std::make_unique<FakeServer>(FakeServer::Kind::Tcp, std::vector<Script>{{Mode::Plain, doc, 20}}));
        addresses.push_back(servers.back()->address);
    }
    addresses.push_back("file:" + kFixtures + "/prefork-1.json");   // no nonblocking(): a thread
    addresses.push_back("/nonexistent/uwsgitop-test.sock");         // fails at once
    auto fleet = make(addresses, 2.0);
    const int fds_before = open_fds();
    {
        FleetPoll poll(2, 2);
        CHECK(poll.max_connections() == 2);
        poll.start_round(fleet);
        poll.run_until(kForever, FleetPoll::Until::RoundDone);
        CHECK(poll.in_flight() == 0);
        for (int i = 0; i < 6; ++i) CHECK_MESSAGE(fleet[i]->last_ok, fleet[i]->error);
        CHECK_FALSE(fleet[6]->last_ok);
        CHECK(fleet[6]->error.find("no such socket") != std::string::npos);

        // wake() ends a wait at once (from any thread; here before it starts).
        poll.wake();
        const double t0 = monotonic_seconds();
        CHECK(poll.run_until(t0 + 5, FleetPoll::Until::Deadline) == 0);
        CHECK(monotonic_seconds() - t0 < 4);
    }
    CHECK(settled_fds(fds_before) == fds_before);
}

TEST_CASE("fleet_poll::destroying the poll abandons a fetch in flight and closes its socket") {
    FakeServer silent(FakeServer::Kind::Tcp, {{Mode::Silent, "", 0}});
    auto fleet = make({silent.address}, 3.0);
    const int fds_before = open_fds();
    {
        FleetPoll poll(1);
        poll.start_round(fleet);
        poll.run_until(monotonic_seconds() + 0.2, FleetPoll::Until::RoundDone);
        CHECK(fleet[0]->polling);
    }
    CHECK_FALSE(fleet[0]->polling);
    CHECK(settled_fds(fds_before) == fds_before);
    // poll_fleet() (--once) over it ends after about one timeout.
    fleet = make({silent.address}, 0.5);
    poll_fleet(fleet, 4);
    CHECK_FALSE(fleet[0]->last_ok);
    CHECK(fleet[0]->error.find("timed out") != std::string::npos);
}

}  // TEST_SUITE
