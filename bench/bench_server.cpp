// bench_server.cpp — see bench_server.hpp.
#include "bench_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace uwsgitop::bench {

bool LoopbackServer::start(std::vector<uwsgitop::ByteBuffer> docs, uint16_t port, std::string& error) {
    if (docs.empty()) {
        error = "no document to serve";
        return false;
    }
    docs_ = std::move(docs);
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) {
        error = std::string("socket: ") + std::strerror(errno);
        return false;
    }
    const int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons(port);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
        ::listen(listen_fd_, 64) != 0) {
        error = std::string("bind/listen 127.0.0.1: ") + std::strerror(errno);
        ::close(listen_fd_);
        listen_fd_ = -1;
        return false;
    }
    socklen_t len = sizeof sa;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&sa), &len);
    port_ = ntohs(sa.sin_port);
    if (::pipe2(wake_fd_, O_CLOEXEC) != 0) {
        error = std::string("pipe: ") + std::strerror(errno);
        return false;
    }
    thread_ = std::thread([this] { run(); });
    return true;
}

void LoopbackServer::stop() {
    if (thread_.joinable()) {
        const char c = 'x';
        [[maybe_unused]] const ssize_t n = ::write(wake_fd_[1], &c, 1);
        thread_.join();
    }
    for (int* fd : {&listen_fd_, &wake_fd_[0], &wake_fd_[1]}) {
        if (*fd >= 0) ::close(*fd);
        *fd = -1;
    }
}

void LoopbackServer::run() {
    for (;;) {
        pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_[0], POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (fds[1].revents) return;
        if (!(fds[0].revents & POLLIN)) continue;
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        const std::size_t index = next_.load(std::memory_order_relaxed) % docs_.size();
        next_.store(index + 1, std::memory_order_relaxed);
        const uwsgitop::ByteBuffer& doc = docs_[index];
        std::size_t off = 0;
        bool ok = true;
        while (off < doc.size()) {
            const ssize_t n = ::send(fd, doc.data() + off, doc.size() - off, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EINTR) continue;
                ok = false;
                break;
            }
            off += static_cast<std::size_t>(n);
        }
        ::close(fd);
        if (ok) served_.fetch_add(1, std::memory_order_relaxed);
    }
}

}  // namespace uwsgitop::bench
