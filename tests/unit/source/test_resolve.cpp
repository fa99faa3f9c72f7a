// Tests for resolve.hpp: literals resolve without the lookup function, names
// go through it, and a lookup that does not come back in time is abandoned at
// the deadline with kNameLookupTimedOut while the caller goes on.
#include <doctest/doctest.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <string>
#include <vector>

#include "uwsgitop/source/frame.hpp"
#include "uwsgitop/source/resolve.hpp"

using namespace uwsgitop;

namespace {

std::atomic<int> g_calls{0};

// Answers every name with 127.0.0.1 (built by the real getaddrinfo, so the
// caller's freeaddrinfo() matches).
int lookup_as_loopback(const char*, const char* service, const addrinfo* hints, addrinfo** result) {
    ++g_calls;
    return ::getaddrinfo("127.0.0.1", service, hints, result);
}

int lookup_no_such_name(const char*, const char*, const addrinfo*, addrinfo**) {
    ++g_calls;
    return EAI_NONAME;
}

// Blocks until released: a DNS server that does not answer.
std::mutex g_gate_mu;
std::condition_variable g_gate_cv;
bool g_gate_open = false;
std::atomic<bool> g_stuck_finished{false};

int lookup_stuck(const char*, const char*, const addrinfo*, addrinfo**) {
    ++g_calls;
    std::unique_lock<std::mutex> lock(g_gate_mu);
    g_gate_cv.wait(lock, [] { return g_gate_open; });
    g_stuck_finished = true;
    return EAI_AGAIN;
}

uint16_t port_of(const StreamEndpoint& ep) {
    if (ep.family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&ep.addr)->sin_port);
    if (ep.family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&ep.addr)->sin6_port);
    return 0;
}

}  // namespace

TEST_CASE("resolve: literals never call the lookup function") {
    std::vector<StreamEndpoint> out;
    g_calls = 0;
    const double deadline = monotonic_seconds() + 5;
    REQUIRE(resolve_stream_endpoints_with(lookup_no_such_name, "127.0.0.1", 1717, deadline, out));
    REQUIRE(out.size() == 1);
    CHECK(out[0].family == AF_INET);
    CHECK(port_of(out[0]) == 1717);
    REQUIRE(resolve_stream_endpoints_with(lookup_no_such_name, "::1", 80, deadline, out));
    REQUIRE(out.size() == 1);
    CHECK(out[0].family == AF_INET6);
    CHECK(port_of(out[0]) == 80);
    CHECK(g_calls == 0);
}

TEST_CASE("resolve: names go through the lookup function") {
    std::vector<StreamEndpoint> out;
    g_calls = 0;
    const double deadline = monotonic_seconds() + 30;
    REQUIRE(resolve_stream_endpoints_with(lookup_as_loopback, "stats.example", 3031, deadline, out));
    CHECK(g_calls == 1);
    REQUIRE(out.size() >= 1);
    CHECK(out[0].family == AF_INET);
    CHECK(port_of(out[0]) == 3031);

    const Status st = resolve_stream_endpoints_with(lookup_no_such_name, "nowhere.example", 1, deadline, out);
    CHECK_FALSE(st);
    CHECK(st.message() == std::string("cannot resolve host: ") + ::gai_strerror(EAI_NONAME));
    CHECK(out.empty());
}

TEST_CASE("resolve: a lookup that hangs is abandoned at the deadline") {
    std::vector<StreamEndpoint> out;
    g_calls = 0;
    const Status st =
        resolve_stream_endpoints_with(lookup_stuck, "slow-dns.example", 1717, monotonic_seconds() + 0.2, out);
    // The lookup is still blocked (its gate is closed), so this answer can
    // only have come from the deadline.
    CHECK_FALSE(st);
    CHECK(st.message() == kNameLookupTimedOut);
    CHECK(out.empty());
    CHECK_FALSE(g_stuck_finished.load());
    CHECK(g_calls == 1);
    {
        std::lock_guard<std::mutex> lock(g_gate_mu);
        g_gate_open = true;
    }
    g_gate_cv.notify_all();
    // The abandoned thread finishes on its own; wait for it so the test ends clean.
    const double until = monotonic_seconds() + 30;
    while (!g_stuck_finished.load() && monotonic_seconds() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    CHECK(g_stuck_finished.load());
}

TEST_CASE("resolve: the real resolver answers localhost") {
    std::vector<StreamEndpoint> out;
    REQUIRE(resolve_stream_endpoints("localhost", 9, monotonic_seconds() + 30, out));
    REQUIRE_FALSE(out.empty());
    for (const StreamEndpoint& ep : out) CHECK(port_of(ep) == 9);
}
