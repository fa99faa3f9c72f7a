// tls_front.cpp — first byte of each TLS-port connection (see tls_front.hpp).
#include "uwsgitop/serve/tls_front.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <string_view>

#include "uwsgitop/base/clock.hpp"

namespace uwsgitop {

namespace {

constexpr unsigned char kHandshake = 0x16;   // a TLS record of type handshake
constexpr double kAcceptPause = 0.1;          // seconds without accepting when out of descriptors
constexpr std::string_view kPlainHttpBody = "client sent an HTTP request to an HTTPS server.\n";

const std::string& plain_http_answer() {
    static const std::string answer = [] {
        std::string a = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n";
        a.append("Connection: close\r\nContent-Length: ").append(std::to_string(kPlainHttpBody.size()));
        a.append("\r\n\r\n").append(kPlainHttpBody);
        return a;
    }();
    return answer;
}

std::string client_address(const sockaddr_storage& ss) {
    char host[INET6_ADDRSTRLEN] = "?";
    if (ss.ss_family == AF_INET) {
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&ss)->sin_addr, host, sizeof host);
    } else if (ss.ss_family == AF_INET6) {
        ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_addr, host, sizeof host);
        return std::string("[") + host + "]";
    }
    return host;
}

}  // namespace

TlsFront::TlsFront(int listen_fd, double deadline, unsigned max_pending, HandOff hand_off, Refused refused)
    : listen_fd_(listen_fd),
      deadline_(deadline),
      max_pending_(std::max(1u, max_pending)),
      hand_off_(std::move(hand_off)),
      refused_(std::move(refused)) {
    // accept_all() takes every waiting connection and stops at EAGAIN.
    ::fcntl(listen_fd_, F_SETFL, ::fcntl(listen_fd_, F_GETFL) | O_NONBLOCK);
    thread_ = std::thread([this] { run(); });
}

TlsFront::~TlsFront() {
    stopping_ = true;
    wake_.signal();
    if (thread_.joinable()) thread_.join();
    for (const Pending& p : pending_) ::close(p.fd);
}

TlsFront::Counts TlsFront::counts() const { return {handed_.load(), plain_http_.load(), dropped_.load()}; }

void TlsFront::drop(std::size_t i) {
    ::close(pending_[i].fd);
    pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(i));
}

void TlsFront::accept_all() {
    for (;;) {
        Pending p{};
        p.len = sizeof p.addr;
        p.fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&p.addr), &p.len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (p.fd < 0) {
            // Out of descriptors: the connection stays queued and the
            // listener readable; look again in a while rather than spin.
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                accept_paused_until_ = monotonic_seconds() + kAcceptPause;
            }
            return;
        }
        p.since = monotonic_seconds();
        if (pending_.size() >= max_pending_) {
            ++dropped_;
            drop(0);   // the oldest waiting
        }
        pending_.push_back(p);
    }
}

// Hands a TLS connection on; answers plain HTTP; closes one that ended.
void TlsFront::look_at(std::size_t i) {
    Pending p = pending_[i];
    unsigned char first = 0;
    const ssize_t n = ::recv(p.fd, &first, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(i));
    if (n == 1 && first == kHandshake) {
        ++handed_;
        hand_off_(p.fd, reinterpret_cast<const sockaddr*>(&p.addr), p.len, p.since);
        return;
    }
    if (n == 1) {
        char sink[65536];   // what has arrived of the request, once: no more
        (void)!::recv(p.fd, sink, sizeof sink, MSG_DONTWAIT);
        ++plain_http_;   // counted and told before the client sees its answer
        if (refused_) refused_(client_address(p.addr));
        const std::string& answer = plain_http_answer();
        (void)!::send(p.fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        ::shutdown(p.fd, SHUT_WR);
    }
    ::close(p.fd);
}

void TlsFront::run() {
    std::vector<pollfd> fds;
    while (!stopping_.load()) {
        const double now = monotonic_seconds();
        double next = now + 1.0;
        for (std::size_t i = pending_.size(); i-- > 0;) {
            if (pending_[i].since + deadline_ <= now) {
                ++dropped_;
                drop(i);
            } else {
                next = std::min(next, pending_[i].since + deadline_);
            }
        }
        const bool accepting = now >= accept_paused_until_;
        if (!accepting) next = std::min(next, accept_paused_until_);
        fds.assign({{wake_.fd(), POLLIN, 0}, {accepting ? listen_fd_ : -1, POLLIN, 0}});
        for (const Pending& p : pending_) fds.push_back({p.fd, POLLIN, 0});
        const int ms = static_cast<int>(std::ceil(std::max(0.0, next - now) * 1000));
        if (::poll(fds.data(), fds.size(), ms) <= 0) continue;
        wake_.drain();
        const std::size_t waiting = pending_.size();   // those polled; accept_all() appends after them
        for (std::size_t i = waiting; i-- > 0;) {
            if (fds[i + 2].revents != 0) look_at(i);
        }
        if (fds[1].revents & POLLIN) accept_all();
    }
}

}  // namespace uwsgitop
