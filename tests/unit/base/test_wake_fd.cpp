// Unit tests for base/wake_fd.hpp and base/unique_fd.hpp.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <thread>

#include "uwsgitop/base/unique_fd.hpp"
#include "uwsgitop/base/wake_fd.hpp"

using namespace uwsgitop;

namespace {

bool readable(int fd, int ms = 0) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, ms) == 1 && (p.revents & POLLIN) != 0;
}

bool is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

}  // namespace

TEST_CASE("wake_fd: readable from a signal until drained, however many signals came") {
    WakeFd w;
    REQUIRE(w.ok());
    CHECK_FALSE(readable(w.fd()));
    w.signal();
    CHECK(readable(w.fd()));
    w.signal();
    w.drain();
    CHECK_FALSE(readable(w.fd()));
    w.drain();  // nothing signalled: does not block
    CHECK_FALSE(readable(w.fd()));
}

TEST_CASE("wake_fd: a signal from another thread wakes a poll") {
    WakeFd w;
    REQUIRE(w.ok());
    std::thread t([&w] { w.signal(); });
    CHECK(readable(w.fd(), 5000));
    t.join();
}

TEST_CASE("unique_fd: closes on reset and destruction, not after release") {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    {
        UniqueFd a(fds[0]);
        CHECK(a.get() == fds[0]);
        UniqueFd b(fds[1]);
        const int kept = b.release();
        CHECK(b.get() == -1);
        CHECK(is_open(kept));
        b.reset(kept);
        b.reset();
        CHECK_FALSE(is_open(kept));
    }
    CHECK_FALSE(is_open(fds[0]));
}
