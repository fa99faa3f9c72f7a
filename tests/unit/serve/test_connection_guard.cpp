// test_connection_guard.cpp — the whole-request deadline and the oldest-first
// eviction (connection_guard.hpp), on socket pairs: a connection the guard
// ends reads end of file on the peer's side.
#include <doctest/doctest.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <vector>

#include "uwsgitop/base/clock.hpp"
#include "uwsgitop/serve/connection_guard.hpp"

using namespace uwsgitop;

namespace {

struct Pair {
    int server = -1, client = -1;
    Pair() {
        int fds[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
        server = fds[0];
        client = fds[1];
    }
    ~Pair() {
        ::close(server);
        ::close(client);
    }
    // True when the client side sees end of file within `seconds`.
    bool ended_within(double seconds) const {
        pollfd p{client, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(seconds * 1000)) != 1) return false;
        char c;
        return ::recv(client, &c, 1, MSG_DONTWAIT) == 0;
    }
};

}  // namespace

TEST_CASE("a request not whole by its deadline is ended, whatever the bytes before it") {
    ConnectionGuard g(0.3, 10, 100);
    Pair slow, fast;
    const double t0 = monotonic_seconds();
    g.opened(&slow, slow.server);
    g.opened(&fast, fast.server);
    g.answered(&fast);
    CHECK(slow.ended_within(2));
    const double took = monotonic_seconds() - t0;
    CHECK(took >= 0.29);
    CHECK(took < 1.5);
    CHECK_FALSE(fast.ended_within(0.5));   // its request was whole: untouched
    CHECK(g.counts().timed_out == 1);
    CHECK(g.counts().evicted == 0);
    g.closed(&slow);
    g.closed(&fast);
    CHECK(g.open() == 0);
}

TEST_CASE("after an answer a kept-alive connection has the idle time plus the request time") {
    ConnectionGuard g(0.2, 0.3, 100);
    Pair p;
    g.opened(&p, p.server);
    g.answered(&p);
    g.completed(&p);
    CHECK_FALSE(p.ended_within(0.35));
    CHECK(p.ended_within(1.5));
    g.closed(&p);
}

TEST_CASE("a full table ends the oldest connection still sending its request, never a whole one") {
    ConnectionGuard g(60, 10, 3);
    std::array<Pair, 5> p;
    g.opened(&p[0], p[0].server);
    g.answered(&p[0]);               // whole: never evicted
    CHECK_FALSE(g.opened(&p[1], p[1].server));
    CHECK_FALSE(g.opened(&p[2], p[2].server));
    CHECK(g.opened(&p[3], p[3].server));   // 4 > 3: p[1] is the oldest waiting
    CHECK(p[1].ended_within(1));
    CHECK_FALSE(p[2].ended_within(0.1));
    CHECK_FALSE(p[0].ended_within(0.1));
    g.closed(&p[1]);
    CHECK(g.opened(&p[4], p[4].server));   // then p[2]
    CHECK(p[2].ended_within(1));
    CHECK_FALSE(p[3].ended_within(0.1));
    CHECK_FALSE(p[4].ended_within(0.1));
    CHECK(g.counts().evicted == 2);
    CHECK(g.counts().timed_out == 0);
    for (auto& x : p) g.closed(&x);
}

TEST_CASE("closed() before the deadline: the descriptor is never touched again") {
    ConnectionGuard g(0.1, 10, 100);
    Pair p;
    g.opened(&p, p.server);
    g.closed(&p);
    CHECK_FALSE(p.ended_within(0.4));
    CHECK(g.counts().timed_out == 0);
}

TEST_CASE("a connection the TLS front held counts its deadline from when it was accepted") {
    ConnectionGuard g(1.0, 10, 100);
    Pair waited, fresh;
    const double t0 = monotonic_seconds();
    g.accepted(waited.server, t0 - 0.8);   // it waited 0.8 s in the front
    g.opened(&waited, waited.server);
    g.opened(&fresh, fresh.server);
    CHECK(waited.ended_within(0.7));        // ~0.2 s left of its 1 s
    CHECK(monotonic_seconds() - t0 < 0.6);
    CHECK_FALSE(fresh.ended_within(0.2));   // a whole second of its own
    CHECK(fresh.ended_within(2));
    g.closed(&waited);
    g.closed(&fresh);
}

TEST_CASE("end() shuts a connection at once, whatever its state; unknown keys are nothing") {
    ConnectionGuard g(10, 10, 100);
    Pair reader;
    g.opened(&reader, reader.server);
    g.answered(&reader);
    int other = 0;
    g.end(&other);
    CHECK_FALSE(reader.ended_within(0.1));
    g.end(&reader);
    CHECK(reader.ended_within(1));
    g.end(&reader);   // twice: counted once
    CHECK(g.counts().ended == 1);
    g.closed(&reader);
}
