// http_test_client.hpp — a blocking HTTP/1.1 client for the server's tests,
// written by hand on purpose: it also plays the bad clients (idle, dripping,
// oversized) that a library client would not.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "uwsgitop/base/clock.hpp"

namespace uwsgitop::testing {

struct HttpReply {
    int status = 0;          // 0: no reply (closed, reset or timed out)
    std::string headers;     // the header block, lower-cased names kept as sent
    std::string body;
    double seconds = 0;      // connect to close
};

// A TCP connection to 127.0.0.1:port from `source` (another loopback address
// stands for another client); fd -1 on failure.
inline int connect_from(uint16_t port, const char* source = "127.0.0.1") {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    timeval tv{5, 0};   // a server that stops reading does not hang the test
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in src{};
    src.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &src.sin_addr);
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(port);
    dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0 ||
        ::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

inline bool send_bytes(int fd, const std::string& data) {
    std::size_t off = 0;
    while (off < data.size()) {
        const ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
        if (n <= 0) return false;
        off += static_cast<std::size_t>(n);
    }
    return true;
}

// Reads until the server closes (or `timeout` seconds) and splits the reply.
inline HttpReply read_reply(int fd, double timeout, double started) {
    HttpReply r;
    std::string raw;
    char buf[65536];
    const double end = monotonic_seconds() + timeout;
    for (;;) {
        const double left = end - monotonic_seconds();
        if (left <= 0) break;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left * 1000) + 1) <= 0) break;
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        raw.append(buf, static_cast<std::size_t>(n));
    }
    r.seconds = monotonic_seconds() - started;
    const auto head_end = raw.find("\r\n\r\n");
    if (raw.compare(0, 5, "HTTP/") != 0 || head_end == std::string::npos) return r;
    r.status = std::atoi(raw.c_str() + raw.find(' ') + 1);
    r.headers = raw.substr(0, head_end);
    r.body = raw.substr(head_end + 4);
    return r;
}

// One request: `method` `path` with extra header lines (each ending in \r\n).
inline HttpReply request(uint16_t port, const std::string& method, const std::string& path,
                         const std::string& headers = "", double timeout = 20, const char* source = "127.0.0.1") {
    const double started = monotonic_seconds();
    const int fd = connect_from(port, source);
    if (fd < 0) return {};
    send_bytes(fd, method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" + headers + "\r\n");
    HttpReply r = read_reply(fd, timeout, started);
    ::close(fd);
    return r;
}

inline HttpReply get(uint16_t port, const std::string& path, const std::string& headers = "") {
    return request(port, "GET", path, headers);
}

}  // namespace uwsgitop::testing
