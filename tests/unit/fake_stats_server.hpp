// fake_stats_server.hpp — an in-test stand-in for uWSGI's stats server.
//
// FakeServer listens on loopback TCP (port 0), IPv6 loopback, a unix socket
// in a fresh mkdtemp directory, or an abstract socket (bound "\0name\0" like
// uWSGI, or "\0name"), and serves connections one at a time from a thread,
// each following the next Script (the last one repeats): plain replies,
// --stats-http behaviour, resets, silence. Used by test_source.cpp,
// test_nonblocking.cpp and test_fleet_poll.cpp, which also count this
// process's open fds with open_fds() to show a fetch leaks none.
#pragma once

#include <doctest/doctest.h>

#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace uwsgitop::testing {

// Entries of /proc/self/fd (with "." and ".."): compare two counts.
inline int open_fds() {
    int n = 0;
    DIR* d = ::opendir("/proc/self/fd");
    REQUIRE(d != nullptr);
    while (::readdir(d) != nullptr) ++n;
    ::closedir(d);
    return n;
}


enum class Mode {
    Plain,         // (after delay_ms) write the reply, close without reading
    Http,          // wait for any bytes, read once, write the reply (like --stats-http)
    HttpFull,      // read a whole request (up to CRLFCRLF), write the reply
    PlainThenRead, // write the reply at once, then wait for a request and record it
    ResetOnRequest,// wait up to delay_ms for a request; if one came, send half the
                   // reply and reset (what the kernel does to a plain server that
                   // closes with unread bytes), else send it all
    Silent,        // accept and send nothing until the client leaves
    HalfThenSilent,// send the first half of the reply, then nothing until the client leaves
    HalfPauseRest, // send the first half, wait delay_ms, send the rest and close
    Rst,           // accept and reset (SO_LINGER 0)
    Close,         // accept and close
};

struct Script {
    Mode mode = Mode::Plain;
    std::string reply;
    int delay_ms = 0;
};

inline std::string http_reply(const std::string& status, const std::string& body, const std::string& headers = "") {
    return "HTTP/1.0 " + status + "\r\nConnection: close\r\nContent-Type: application/json\r\n" + headers +
           "\r\n" + body;
}

// A JSON-looking document of about `size` bytes.
inline std::string document(std::size_t size, char fill = 'x') {
    std::string doc = "{\"version\":\"test\",\"pad\":\"";
    if (size > doc.size() + 2) doc.append(size - doc.size() - 2, fill);
    doc += "\"}";
    return doc;
}

inline void send_all(int fd, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;  // the client went away (size cap, reset)
        sent += static_cast<std::size_t>(n);
    }
}

inline bool wait_readable(int fd, int ms) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, ms) > 0;
}

// A stats server run by a thread; one Script per connection (the last one
// repeats). Stops and joins in the destructor.
class FakeServer {
public:
    enum class Kind { Tcp, Tcp6, Unix, Abstract, AbstractNoNul };

    FakeServer(Kind kind, std::vector<Script> scripts) : scripts_(std::move(scripts)) {
        static std::atomic<int> counter{0};
        if (kind == Kind::Tcp) {
            fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            sockaddr_in sa{};
            sa.sin_family = AF_INET;
            sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
            socklen_t len = sizeof sa;
            REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len) == 0);
            port_ = ntohs(sa.sin_port);
            address = "127.0.0.1:" + std::to_string(port_);
        } else if (kind == Kind::Tcp6) {
            fd_ = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
            sockaddr_in6 sa{};
            sa.sin6_family = AF_INET6;
            sa.sin6_addr = in6addr_loopback;
            if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
                ::close(fd_);
                fd_ = -1;  // no IPv6 loopback here
                return;
            }
            socklen_t len = sizeof sa;
            REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len) == 0);
            port_ = ntohs(sa.sin6_port);
            address = "[::1]:" + std::to_string(port_);
        } else {
            fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            sockaddr_un sa{};
            sa.sun_family = AF_UNIX;
            socklen_t len = 0;
            if (kind == Kind::Unix) {
                char tmpl[] = "/tmp/uwsgitop-test-XXXXXX";
                REQUIRE(::mkdtemp(tmpl) != nullptr);
                dir_ = tmpl;
                address = dir_ + "/stats.sock";
                std::memcpy(sa.sun_path, address.c_str(), address.size() + 1);
                len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address.size() + 1);
            } else {
                const std::string name =
                    "uwsgitop-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
                address = "@" + name;
                std::memcpy(sa.sun_path + 1, name.data(), name.size());
                // uWSGI binds "\0name\0": the trailing NUL is part of the address.
                len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size() +
                                             (kind == Kind::Abstract ? 1 : 0));
            }
            REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&sa), len) == 0);
        }
        REQUIRE(::listen(fd_, 16) == 0);
        thread_ = std::thread([this] { run(); });
    }

    ~FakeServer() {
        if (fd_ < 0) return;
        stop_ = true;
        thread_.join();
        ::close(fd_);
        if (!dir_.empty()) {
            ::unlink(address.c_str());
            ::rmdir(dir_.c_str());
        }
    }

    FakeServer(const FakeServer&) = delete;
    FakeServer& operator=(const FakeServer&) = delete;

    std::vector<std::string> requests() {
        std::lock_guard<std::mutex> lock(mutex_);
        return requests_;
    }
    int connections() const { return connections_; }
    uint16_t port() const { return port_; }
    bool listening() const { return fd_ >= 0; }

    std::string address;

private:
    void run() {
        for (std::size_t n = 0; !stop_; ) {
            if (!wait_readable(fd_, 20)) continue;
            const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (c < 0) continue;
            ++connections_;
            serve(c, scripts_[n < scripts_.size() ? n : scripts_.size() - 1]);
            ++n;
        }
    }

    void record(std::string request) {
        std::lock_guard<std::mutex> lock(mutex_);
        requests_.push_back(std::move(request));
    }

    void sleep_ms(int ms) {
        for (int waited = 0; waited < ms && !stop_; waited += 10) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }

    void serve(int c, const Script& s) {
        char buf[4096];
        std::string reply = s.reply;
        const std::size_t at = reply.find("{PORT}");
        if (at != std::string::npos) reply.replace(at, 6, std::to_string(port_));
        switch (s.mode) {
            case Mode::Plain:
                sleep_ms(s.delay_ms);
                send_all(c, reply);
                break;
            case Mode::Http:
                if (wait_readable(c, 3000)) {
                    const ssize_t n = ::recv(c, buf, sizeof buf, 0);
                    if (n > 0) {
                        record(std::string(buf, static_cast<std::size_t>(n)));
                        send_all(c, reply);
                    }
                }
                break;
            case Mode::HttpFull: {
                std::string req;
                while (req.find("\r\n\r\n") == std::string::npos && wait_readable(c, 3000)) {
                    const ssize_t n = ::recv(c, buf, sizeof buf, 0);
                    if (n <= 0) break;
                    req.append(buf, static_cast<std::size_t>(n));
                }
                record(req);
                send_all(c, reply);
                break;
            }
            case Mode::PlainThenRead: {
                send_all(c, reply);
                std::string req;
                if (wait_readable(c, 1500)) {
                    const ssize_t n = ::recv(c, buf, sizeof buf, 0);
                    if (n > 0) req.assign(buf, static_cast<std::size_t>(n));
                }
                record(req);
                break;
            }
            case Mode::ResetOnRequest:
                if (wait_readable(c, s.delay_ms)) {
                    record("request");
                    send_all(c, reply.substr(0, reply.size() / 2));
                    linger l{1, 0};
                    ::setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l);
                } else {
                    record("");
                    send_all(c, reply);
                }
                break;
            case Mode::HalfPauseRest:
                send_all(c, reply.substr(0, reply.size() / 2));
                sleep_ms(s.delay_ms);
                send_all(c, reply.substr(reply.size() / 2));
                break;
            case Mode::HalfThenSilent:
            case Mode::Silent:
                if (s.mode == Mode::HalfThenSilent) send_all(c, reply.substr(0, reply.size() / 2));
                // Reads and ignores anything until the client leaves (or 5 s).
                for (int i = 0; i < 250 && !stop_; ++i) {
                    if (wait_readable(c, 20) && ::recv(c, buf, sizeof buf, 0) <= 0) break;
                }
                break;
            case Mode::Rst: {
                linger l{1, 0};
                ::setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l);
                break;
            }
            case Mode::Close:
                break;
        }
        ::close(c);
    }

    std::vector<Script> scripts_;
    int fd_ = -1;
    uint16_t port_ = 0;
    std::string dir_;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::atomic<int> connections_{0};
    std::mutex mutex_;
    std::vector<std::string> requests_;
};

}  // namespace uwsgitop::testing
