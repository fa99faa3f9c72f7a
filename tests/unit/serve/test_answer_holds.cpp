// test_answer_holds.cpp — answers shared by their readers: the accounting of
// older answers against the cap, and through the server, one answer's memory
// for sixty stalled readers and the slow readers closed past the cap.
#include <doctest/doctest.h>

#include <netinet/tcp.h>

#include <fstream>
#include <thread>

#include "../fake_stats_server.hpp"
#include "http_test_client.hpp"
#include "serve_test_support.hpp"
#include "uwsgitop/base/clock.hpp"
#include "uwsgitop/serve/answer_holds.hpp"

using namespace uwsgitop;
using namespace uwsgitop::testing;

namespace {

int h[8];   // distinct addresses standing for holds and connections
const void* hold(int i) { return &h[i]; }
const void* conn(int i) { return reinterpret_cast<const char*>(&h[i]) + 1; }

}  // namespace

TEST_CASE("AnswerHolds: the newest answer is free, older ones count once, the oldest go first") {
    AnswerHolds holds(100);
    CHECK(holds.hold(hold(0), conn(0), 1, 80).empty());
    CHECK(holds.hold(hold(1), conn(1), 1, 80).empty());   // same poll: shared
    CHECK(holds.older_bytes() == 0);                      // the newest one is not counted
    CHECK(holds.hold(hold(2), conn(2), 2, 90).empty());   // poll 1 is older now: 80 <= 100
    CHECK(holds.older_bytes() == 80);
    // Poll 3: polls 1 and 2 are older, 170 > 100: poll 1's two readers end.
    const std::vector<const void*> ended = holds.hold(hold(3), conn(3), 3, 50);
    CHECK(ended == std::vector<const void*>{conn(0), conn(1)});
    holds.release(hold(0));
    holds.release(hold(1));
    CHECK(holds.older_bytes() == 90);
    holds.release(hold(2));
    CHECK(holds.older_bytes() == 0);
    holds.release(hold(3));
    holds.release(hold(3));   // twice: nothing
    CHECK(holds.hold(hold(4), conn(4), 9, 500).empty());   // one answer alone is never over
}

namespace {

// AddressSanitizer's allocator keeps freed memory in quarantine and pads
// every block: RSS says nothing about copies there.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

long rss_kib() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
}

// A client that sends a scrape and reads nothing (a tiny receive buffer).
int stalled_reader(uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int tiny = 2048;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &tiny, sizeof tiny);
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(port);
    dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) == 0);
    REQUIRE(send_bytes(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
    return fd;
}

// Bytes readable until the server closes the connection (or `timeout`).
std::size_t drain(int fd, double timeout) {
    std::size_t total = 0;
    char buf[65536];
    const double end = monotonic_seconds() + timeout;
    while (monotonic_seconds() < end) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return total;
        total += static_cast<std::size_t>(n);
    }
    return total;
}

// A fleet of `n` targets whose answer with every core is several MB.
std::vector<Target> big_fleet(const FakeServer& server, int n) {
    std::vector<Target> targets;
    for (int i = 0; i < n; ++i) {
        std::string name = "t";
        name += std::to_string(i);
        targets.push_back({name, server.address});
    }
    return targets;
}

}  // namespace

TEST_CASE("sixty stalled readers hold their polls' answers, not a copy each") {
    FakeServer target(FakeServer::Kind::Tcp, {{Mode::Plain, fixture("async.json"), 0}});
    ServeOptions o = options_for();
    o.prometheus.cores = true;
    Running s(fleet_of(big_fleet(target, 20)), o);
    // One poll first, so the answer and the allocator's arenas exist.
    const std::size_t answer_bytes = get(s.port(), "/metrics").body.size();
    REQUIRE(answer_bytes > 3000000);
    const long before = rss_kib();
    // Sixty readers of the next poll's answer, all arriving while it runs.
    std::vector<int> fds;
    for (int i = 0; i < 60; ++i) fds.push_back(stalled_reader(s.port()));
    sleep_for_seconds(1.5);
    const long grown = rss_kib() - before;
    INFO("answer " << answer_bytes << " bytes; RSS grew by " << grown << " KiB with 60 stalled readers");
    // Each poll's answer is two texts; the readers may span two polls. A
    // copy per connection would be 60 answers.
    if (kSanitized) {
        MESSAGE("AddressSanitizer build: RSS not compared");
    } else {
        CHECK(grown * 1024 < static_cast<long>(6 * answer_bytes));
    }
    for (int fd : fds) ::close(fd);
}

TEST_CASE("past --web-max-response-memory the slow readers of older answers are closed") {
    FakeServer target(FakeServer::Kind::Tcp, {{Mode::Plain, fixture("async.json"), 0}});
    ServeOptions o = options_for();
    o.prometheus.cores = true;
    o.max_response_bytes = 1;   // any older answer is too much
    std::vector<std::string> log;
    std::mutex log_mutex;
    o.log_level = LogLevel::Warn;
    o.log_sink = [&](std::string_view line) {
        std::lock_guard<std::mutex> lock(log_mutex);
        log.emplace_back(line);
    };
    Running s(fleet_of(big_fleet(target, 40)), o);
    const int slow = stalled_reader(s.port());   // poll 1, never read
    // Poll 1 answered (the status page shows its states), so the next
    // scrape starts poll 2 rather than joining it.
    for (double end = monotonic_seconds() + 20; monotonic_seconds() < end;) {
        if (get(s.port(), "/").body.find("not polled yet") == std::string::npos) break;
        sleep_for_seconds(0.05);
    }
    const HttpReply next = get(s.port(), "/metrics");   // poll 2: poll 1's answer is older now
    CHECK(next.status == 200);
    const std::size_t got = drain(slow, 3);
    CHECK(got < next.body.size());   // closed before its whole answer
    ::close(slow);
    s.server->tick();
    std::lock_guard<std::mutex> lock(log_mutex);
    bool logged = false;
    for (const std::string& line : log) logged = logged || line.find("--web-max-response-memory") != std::string::npos;
    CHECK(logged);
}
