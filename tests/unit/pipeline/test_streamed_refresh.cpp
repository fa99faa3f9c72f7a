// test_streamed_refresh.cpp — Pipeline's streamed refresh against a stats server on loopback.
//
// A big document (1 MB and more) from a server known to be plain is parsed
// while it arrives (Pipeline's "streamed" contract): the snapshot is the one a
// whole read gives, the read buffer holds a fraction of the document, and
// every way a read can go wrong says what a whole read says. A document the
// streamed parse cannot take is read again whole, and the next refreshes read
// whole.
#include <doctest/doctest.h>

#include <string>

#include "big_stats_doc.hpp"
#include "fake_stats_server.hpp"
#include "snapshot_checks.hpp"
#include "uwsgitop/base/clock.hpp"
#include "uwsgitop/pipeline/pipeline.hpp"
#include "uwsgitop/source/address.hpp"
#include "uwsgitop/source/source.hpp"

using namespace uwsgitop;
using namespace uwsgitop::testing;

namespace {

Pipeline pipeline_for(const FakeServer& server, FetchLimits limits = {}) {
    Address address;
    const Status st = parse_address(server.address, address);
    REQUIRE_MESSAGE(st.is_ok(), st.message());
    return Pipeline(make_source(address, limits));
}

// One monitored instance: its pipeline and what the last refresh gave.
struct Monitor {
    explicit Monitor(const FakeServer& server, FetchLimits limits = {}) : p(pipeline_for(server, limits)) {}
    Status refresh() { return p.refresh(snap, rates); }
    // refresh(), and the seconds it took in `took`.
    Status timed_refresh(double& took) {
        const double t0 = monotonic_seconds();
        Status st = refresh();
        took = monotonic_seconds() - t0;
        return st;
    }
    Pipeline p;
    Snapshot snap;
    Rates rates;
};

// What a whole parse of `doc` gives.
Snapshot whole_parse(const std::string& doc) {
    Parser p;
    ByteBuffer b(doc.begin(), doc.end());
    Snapshot s;
    REQUIRE(p.parse(b, s).is_ok());
    return s;
}

// The message a whole read of the server's next reply gives.
std::string whole_read_message(const FakeServer& server, FetchLimits limits = {}) {
    Address address;
    REQUIRE(parse_address(server.address, address).is_ok());
    auto source = make_source(address, limits);
    Frame frame;
    const Status st = source->fetch(frame);
    REQUIRE_FALSE(st.is_ok());
    return st.message();
}

}  // namespace

TEST_CASE("streamed refresh: the same snapshots as whole reads, a fraction of the buffer") {
    const std::string a = make_async_stats(4, 1000, 3, 1);
    const std::string b = make_async_stats(4, 1000, 3, 2);
    REQUIRE(a.size() > 900'000);
    FakeServer server(FakeServer::Kind::Tcp, {{Mode::Plain, a, 0}, {Mode::Plain, b, 0}, {Mode::Plain, a, 0}});
    Monitor m(server);
    REQUIRE(m.refresh().is_ok());  // whole: the server is not known to be plain yet
    CHECK(m.p.frame().bytes.size() == a.size());
    CHECK(diff_snapshots(m.snap, whole_parse(a)) == "");

    const Status st = m.refresh();
    REQUIRE_MESSAGE(st.is_ok(), st.message());
    CHECK(diff_snapshots(m.snap, whole_parse(b)) == "");
    CHECK(server.connections() == 2);
    // Streamed: what is left in the buffer is the end of the document.
    CHECK(m.p.frame().bytes.size() < b.size() / 4);
    CHECK(m.p.frame().bytes.capacity() < b.size() + b.size() / 8);
    CHECK(m.rates.cores.size() == 4000);
    CHECK(m.rates.interval > 0);

    REQUIRE(m.refresh().is_ok());
    CHECK(diff_snapshots(m.snap, whole_parse(a)) == "");
    CHECK(server.connections() == 3);
}

TEST_CASE("streamed refresh: what it cannot take is read again whole, then read whole for a while") {
    const std::string a = make_async_stats(4, 1000, 5, 1);
    std::string ctl = make_async_stats(4, 1000, 5, 2);
    const auto at = ctl.find("/srv/app");
    REQUIRE(at != std::string::npos);
    ctl.replace(at, 8, "/srv/\x01pp");  // a raw control byte: the lenient path
    std::string huge = make_async_stats(4, 1000, 5, 3);
    huge.replace(huge.find("/srv/app"), 8, std::string(1536 * 1024, 'w'));  // longer than the room
    SUBCASE("bytes for the lenient path") {
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::Plain, a, 0}, {Mode::Plain, ctl, 0}});
        Monitor m(server);
        REQUIRE(m.refresh().is_ok());
        const Status st = m.refresh();
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(m.snap.repaired);
        CHECK(m.snap.cores.size() == 4000);
        CHECK(server.connections() == 3);  // streamed, then whole
        REQUIRE(m.refresh().is_ok());
        CHECK(server.connections() == 4);  // whole at once
        CHECK(m.p.frame().bytes.size() > 0);
    }
    SUBCASE("the read again whole keeps the first read's deadline") {
        // Each reply comes 0.7 s after the connect, with a 1 s timeout: the
        // whole read after the declined streamed one has 0.3 s left.
        FetchLimits limits;
        limits.timeout_seconds = 1.0;
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::Plain, a, 0}, {Mode::Plain, ctl, 700}});
        Monitor m(server, limits);
        REQUIRE(m.refresh().is_ok());
        double took = 0;
        const Status st = m.timed_refresh(took);
        REQUIRE_FALSE(st.is_ok());
        CHECK(st.message().find("timed out after 1.0s") != std::string::npos);
        CHECK(took < 1.3);
        CHECK(took > 0.9);
    }
    SUBCASE("a string longer than the room") {
        // the streamed read and the whole one each get `huge`
        FakeServer server(FakeServer::Kind::Tcp,
                          {{Mode::Plain, a, 0}, {Mode::Plain, huge, 0}, {Mode::Plain, huge, 0}, {Mode::Plain, a, 0}});
        Monitor m(server);
        REQUIRE(m.refresh().is_ok());
        const Status st = m.refresh();
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(m.snap.cwd.size() == 1536 * 1024);
        CHECK(server.connections() == 3);
        REQUIRE(m.refresh().is_ok());
        CHECK(server.connections() == 4);
        CHECK(diff_snapshots(m.snap, whole_parse(a)) == "");
        CHECK(m.p.frame().bytes.size() == a.size());  // read whole
    }
}

TEST_CASE("streamed refresh: a failed read says what a whole read says, without a second read") {
    const std::string a = make_async_stats(4, 1000, 9, 1);
    SUBCASE("cut short") {
        const std::string half = a.substr(0, a.size() / 2);
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::Plain, a, 0}, {Mode::Plain, half, 0}});
        Monitor m(server);
        REQUIRE(m.refresh().is_ok());
        const Status st = m.refresh();
        REQUIRE_FALSE(st.is_ok());
        CHECK(server.connections() == 2);
        CHECK(st.message() == whole_read_message(server));
        CHECK(st.message().find("reply cut short after " + std::to_string(half.size()) + " bytes") !=
              std::string::npos);
        CHECK(m.snap.workers.empty());
    }
    SUBCASE("silence halfway: the timeout, once") {
        FetchLimits limits;
        limits.timeout_seconds = 0.5;
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::Plain, a, 0}, {Mode::HalfThenSilent, a, 0}});
        Monitor m(server, limits);
        REQUIRE(m.refresh().is_ok());
        double took = 0;
        const Status st = m.timed_refresh(took);
        REQUIRE_FALSE(st.is_ok());
        CHECK(st.message() == server.address + ": timed out after 0.5s (reading, " +
                                  std::to_string(a.size() / 2) + " bytes so far)");
        CHECK(server.connections() == 2);
        CHECK(took < 2.0);
    }
    SUBCASE("larger than the limit") {
        FetchLimits limits;
        limits.max_bytes = 1u << 20;
        const std::string big = make_async_stats(8, 1000, 9, 2);
        REQUIRE(big.size() > limits.max_bytes);
        REQUIRE(a.size() < limits.max_bytes);
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::Plain, a, 0}, {Mode::Plain, big, 0}});
        Monitor m(server, limits);
        REQUIRE(m.refresh().is_ok());
        const Status st = m.refresh();
        REQUIRE_FALSE(st.is_ok());
        CHECK(st.message() == whole_read_message(server, limits));
        CHECK(st.message().find("reply larger than") != std::string::npos);
        CHECK(server.connections() == 3);  // this refresh, then whole_read_message's
    }
}
