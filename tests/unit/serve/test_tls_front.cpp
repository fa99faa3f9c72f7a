// test_tls_front.cpp — the TLS port's doorman against real sockets: a TLS
// handshake is handed on untouched, plain HTTP gets 400, silent and
// surplus connections are closed.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <mutex>
#include <vector>

#include "http_test_client.hpp"
#include "uwsgitop/base/clock.hpp"
#include "uwsgitop/serve/tls_front.hpp"

using namespace uwsgitop;
using namespace uwsgitop::testing;

namespace {

struct Listener {
    int fd = -1;
    uint16_t port = 0;
    Listener() {
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
        REQUIRE(::listen(fd, 128) == 0);
        socklen_t len = sizeof sa;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
        port = ntohs(sa.sin_port);
    }
    ~Listener() { ::close(fd); }
};

struct Seen {
    std::mutex m;
    std::vector<std::string> first_bytes;   // what each handed connection sent first
    std::vector<std::string> refused;
};

bool wait_for(const std::function<bool()>& f, double seconds) {
    for (double end = monotonic_seconds() + seconds; monotonic_seconds() < end; sleep_for_seconds(0.01)) {
        if (f()) return true;
    }
    return f();
}

}  // namespace

TEST_CASE("a handshake is handed on unread; plain HTTP gets 400; silence and EOF are closed") {
    Listener l;
    Seen seen;
    auto hand_off = [&](int fd, const sockaddr*, socklen_t, double) {
        char buf[16] = {};
        pollfd p{fd, POLLIN, 0};
        ::poll(&p, 1, 1000);
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);   // the byte peeked at is still there
        std::lock_guard<std::mutex> lock(seen.m);
        seen.first_bytes.emplace_back(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
        ::close(fd);
    };
    auto refused = [&](const std::string& client) {
        std::lock_guard<std::mutex> lock(seen.m);
        seen.refused.push_back(client);
    };
    TlsFront front(l.fd, 0.5, 8, hand_off, refused);

    const int tls = connect_from(l.port);
    REQUIRE(send_bytes(tls, std::string("\x16\x03\x01\x00\x05hello", 10)));
    CHECK(wait_for([&] { return front.counts().handed == 1; }, 3));
    {
        std::lock_guard<std::mutex> lock(seen.m);
        REQUIRE(seen.first_bytes.size() == 1);
        CHECK(seen.first_bytes[0] == std::string("\x16\x03\x01\x00\x05hello", 10));
    }
    ::close(tls);

    const HttpReply plain = request(l.port, "GET", "/metrics", "", 3);
    CHECK(plain.status == 400);
    CHECK(plain.body == "client sent an HTTP request to an HTTPS server.\n");
    CHECK(wait_for([&] { return front.counts().plain_http == 1; }, 2));
    {
        std::lock_guard<std::mutex> lock(seen.m);
        CHECK(seen.refused == std::vector<std::string>{"127.0.0.1"});
    }

    // A silent connection is closed at the deadline (0.5 s), unanswered.
    const double t0 = monotonic_seconds();
    const int silent = connect_from(l.port);
    const HttpReply none = read_reply(silent, 3, t0);
    ::close(silent);
    CHECK(none.status == 0);
    CHECK(none.seconds < 1.5);
    CHECK(wait_for([&] { return front.counts().dropped >= 1; }, 2));
}

TEST_CASE("with max_pending waiting, a new connection closes the oldest silent one") {
    Listener l;
    TlsFront front(l.fd, 30, 4, [](int fd, const sockaddr*, socklen_t, double) { ::close(fd); }, nullptr);
    std::vector<int> silent;
    for (int i = 0; i < 6; ++i) silent.push_back(connect_from(l.port));
    CHECK(wait_for([&] { return front.counts().dropped == 2; }, 3));
    // The two oldest see their end; a handshake still gets through.
    char c;
    pollfd p{silent[0], POLLIN, 0};
    CHECK(::poll(&p, 1, 2000) == 1);
    CHECK(::recv(silent[0], &c, 1, 0) == 0);
    const int tls = connect_from(l.port);
    REQUIRE(send_bytes(tls, std::string("\x16\x03\x01", 3)));
    CHECK(wait_for([&] { return front.counts().handed == 1; }, 3));
    ::close(tls);
    for (int fd : silent) ::close(fd);
}

TEST_CASE("out of descriptors, the front waits instead of spinning") {
    Listener l;
    rlimit old{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &old) == 0);
    // Connections queued before the front starts, then no descriptor left
    // for it to accept them with.
    std::vector<int> clients;
    for (int i = 0; i < 6; ++i) clients.push_back(connect_from(l.port));
    int highest = 0;
    for (int fd = 0; fd < 65536; ++fd) {
        if (::fcntl(fd, F_GETFD) >= 0) highest = fd;
    }
    rlimit low = old;
    low.rlim_cur = static_cast<rlim_t>(highest + 2);
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
    const auto cpu = [] {
        rusage r{};
        ::getrusage(RUSAGE_SELF, &r);
        return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
               static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
    };
    double used = 0;
    std::vector<int> fillers;
    {
        TlsFront front(l.fd, 30, 1000, [](int fd, const sockaddr*, socklen_t, double) { ::close(fd); }, nullptr);
        // Every descriptor left is taken: the front's accepts meet EMFILE.
        for (int fd; (fd = ::dup(0)) >= 0;) fillers.push_back(fd);
        sleep_for_seconds(0.1);
        const double before = cpu();
        sleep_for_seconds(0.5);
        used = cpu() - before;
        for (int fd : fillers) ::close(fd);
        REQUIRE(::setrlimit(RLIMIT_NOFILE, &old) == 0);
    }
    ::setrlimit(RLIMIT_NOFILE, &old);
    for (int fd : clients) ::close(fd);
    INFO("CPU over 0.5 s out of descriptors: " << used << " s");
    CHECK(used < 0.15);
}
