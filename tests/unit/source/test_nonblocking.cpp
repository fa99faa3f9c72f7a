// Tests for Source::nonblocking() (source.hpp): which sources have one, and
// the socket fetch driven by a caller's epoll loop against fake servers
// (fake_stats_server.hpp): plain, --stats-http detection, silence, cancel.
#include <doctest/doctest.h>

#include <sys/epoll.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "../fake_stats_server.hpp"
#include "uwsgitop/base/clock.hpp"
#include "uwsgitop/source/source.hpp"

using namespace uwsgitop;
using namespace uwsgitop::testing;

namespace {

std::unique_ptr<Source> source_for(const std::string& text, double timeout = 3.0) {
    Address address;
    const Status st = parse_address(text, address);
    REQUIRE_MESSAGE(st.is_ok(), st.message());
    FetchLimits limits;
    limits.timeout_seconds = timeout;
    return make_source(address, limits);
}

// Drives `fetch` on its own epoll set until it is over; counts the wake-ups.
Status drive(NonblockingFetch& fetch, Frame& frame, int* steps = nullptr) {
    const int ep = ::epoll_create1(EPOLL_CLOEXEC);
    REQUIRE(ep >= 0);
    bool over = fetch.start(frame, ep, 42);
    int n = 0;
    while (!over) {
        epoll_event ev{};
        const double left = fetch.wake_at() - monotonic_seconds();
        const int ms = left <= 0 ? 0 : static_cast<int>(left * 1000) + 1;
        const int rc = ::epoll_wait(ep, &ev, 1, ms);
        REQUIRE(rc >= 0);
        if (rc == 1) CHECK(static_cast<uint64_t>(ev.data.u64) == 42u);
        over = fetch.advance(rc == 1 ? ev.events : 0);
        ++n;
    }
    ::close(ep);
    if (steps) *steps = n;
    return fetch.result();
}

}  // namespace

TEST_CASE("source::nonblocking is offered by socket sources that never block") {
    CHECK(source_for("127.0.0.1:9191")->nonblocking() != nullptr);
    CHECK(source_for("[::1]:9191")->nonblocking() != nullptr);
    CHECK(source_for("/run/x.sock")->nonblocking() != nullptr);
    CHECK(source_for("@abstract-name")->nonblocking() != nullptr);
    CHECK(source_for("localhost:9191")->nonblocking() == nullptr);   // a lookup: the threaded path
    CHECK(source_for("http://127.0.0.1:9191/")->nonblocking() == nullptr);
    CHECK(source_for("file:/dev/null")->nonblocking() == nullptr);
}

TEST_CASE("source::nonblocking fetch: plain, stats-http, silence, cancel") {
    const std::string doc = document(200000);
    Frame frame;

    SUBCASE("plain unix server, a big document over many wake-ups") {
        FakeServer server(FakeServer::Kind::Unix, {{Mode::Plain, doc, 0}});
        auto src = source_for(server.address);
        int steps = 0;
        Status st = drive(*src->nonblocking(), frame, &steps);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        CHECK(std::string(frame.bytes.begin(), frame.bytes.end()) == doc);
        CHECK(steps > 1);
        CHECK(frame.mono_time > 0);
        // The same source again, and its blocking fetch() (the same machine).
        REQUIRE(drive(*src->nonblocking(), frame).is_ok());
        REQUIRE(src->fetch(frame).is_ok());
        CHECK(frame.bytes.size() == doc.size());
    }
    SUBCASE("a --stats-http server is probed, then asked at once") {
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::Http, http_reply("200 OK", "{\"a\":1}"), 0}});
        auto src = source_for(server.address);
        REQUIRE(drive(*src->nonblocking(), frame).is_ok());
        CHECK(std::string(frame.bytes.begin(), frame.bytes.end()) == "{\"a\":1}");
        REQUIRE(drive(*src->nonblocking(), frame).is_ok());
        CHECK(server.requests().size() == 2);
    }
    SUBCASE("silence: timed out after the fetch's own timeout") {
        FakeServer server(FakeServer::Kind::Abstract, {{Mode::Silent, "", 0}});
        auto src = source_for(server.address, 0.3);
        const double t0 = monotonic_seconds();
        Status st = drive(*src->nonblocking(), frame);
        CHECK(monotonic_seconds() - t0 >= 0.3);
        CHECK(st.message() == server.address + ": timed out after 0.3s (no reply)");
    }
    SUBCASE("refused: over at start() or at the first wake-up, with the cause") {
        auto src = source_for("/nonexistent/uwsgitop-test.sock");
        Status st = drive(*src->nonblocking(), frame);
        CHECK(st.message() == "/nonexistent/uwsgitop-test.sock: no such socket");
    }
    SUBCASE("cancel closes the socket and leaves it out of the epoll set") {
        FakeServer server(FakeServer::Kind::Tcp, {{Mode::Silent, "", 0}});
        auto src = source_for(server.address);
        const int ep = ::epoll_create1(EPOLL_CLOEXEC);
        const int before = open_fds();
        CHECK_FALSE(src->nonblocking()->start(frame, ep, 1));
        CHECK(open_fds() > before);
        src->nonblocking()->cancel();
        epoll_event ev{};
        CHECK(::epoll_wait(ep, &ev, 1, 50) == 0);
        ::close(ep);
        // Our socket is closed at once (the server's side follows within 20 ms).
        int now = open_fds();
        for (int i = 0; i < 100 && now >= before; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            now = open_fds();
        }
        CHECK(now == before - 1);
    }
}
