// fake_fleet.cpp — see fake_fleet.hpp.
#include "fake_fleet.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <unordered_map>

namespace uwsgitop::bench {

namespace {

struct Conn {
    std::size_t port_index = 0;
    const uwsgitop::ByteBuffer* doc = nullptr;   // nullptr: silent
    std::size_t sent = 0;
};

// The child: bind, report the ports on `report`, serve until killed.
[[noreturn]] void serve(int count, int silent, const std::vector<uwsgitop::ByteBuffer>& docs, int report,
                        uint32_t* counters) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    const int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) _exit(1);
    std::vector<int> listeners;
    std::vector<std::size_t> next_doc(static_cast<std::size_t>(count), 0);
    for (int i = 0; i < count; ++i) {
        const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof sa;
        uint16_t port = 0;
        if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0 && listen(fd, 256) == 0 &&
            getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) == 0) {
            port = ntohs(sa.sin_port);
        }
        if (write(report, &port, sizeof port) != static_cast<ssize_t>(sizeof port) || port == 0) _exit(1);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = static_cast<uint64_t>(i);   // listeners: 0..count-1
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) _exit(1);
        listeners.push_back(fd);
    }
    close(report);
    std::unordered_map<int, Conn> conns;   // connections: data.u64 = count + fd
    const uint64_t base = static_cast<uint64_t>(count);
    auto finish = [&](int fd) {
        conns.erase(fd);
        close(fd);   // also leaves the epoll set
    };
    auto write_some = [&](int fd, Conn& c) {
        while (c.sent < c.doc->size()) {
            const ssize_t n = send(fd, c.doc->data() + c.sent, c.doc->size() - c.sent, MSG_NOSIGNAL);
            if (n > 0) {
                c.sent += static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) return false;
            return true;   // the client left
        }
        std::atomic_ref<uint32_t>(counters[c.port_index]).fetch_add(1, std::memory_order_relaxed);
        return true;
    };
    epoll_event events[256];
    for (;;) {
        const int n = epoll_wait(ep, events, 256, -1);
        for (int k = 0; k < n; ++k) {
            const uint64_t token = events[k].data.u64;
            if (token < base) {
                const std::size_t i = static_cast<std::size_t>(token);
                for (;;) {
                    const int c = accept4(listeners[i], nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (c < 0) break;
                    Conn conn;
                    conn.port_index = i;
                    const bool quiet = static_cast<int>(i) >= count - silent;
                    if (!quiet) {
                        conn.doc = &docs[next_doc[i] % docs.size()];
                        ++next_doc[i];
                    }
                    epoll_event ev{};
                    ev.events = quiet ? static_cast<uint32_t>(EPOLLIN | EPOLLRDHUP) : static_cast<uint32_t>(EPOLLOUT);
                    ev.data.u64 = base + static_cast<uint64_t>(c);
                    if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) != 0) {
                        close(c);
                        continue;
                    }
                    auto& stored = conns[c] = conn;
                    if (!quiet && write_some(c, stored)) finish(c);
                }
                continue;
            }
            const int fd = static_cast<int>(token - base);
            auto it = conns.find(fd);
            if (it == conns.end()) continue;
            if (it->second.doc == nullptr) {
                // Silent: read and drop whatever comes (a probe) until the client leaves.
                char buf[512];
                const ssize_t r = recv(fd, buf, sizeof buf, 0);
                if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) finish(fd);
                continue;
            }
            if (write_some(fd, it->second)) finish(fd);
        }
    }
}

}  // namespace

bool FakeFleet::start(int count, int silent, const std::vector<uwsgitop::ByteBuffer>& docs, std::string& error) {
    if (count <= 0 || docs.empty()) {
        error = "nothing to serve";
        return false;
    }
    silent_ = std::min(std::max(silent, 0), count);
    counters_bytes_ = sizeof(uint32_t) * static_cast<std::size_t>(count);
    void* shared = mmap(nullptr, counters_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) {
        error = std::string("mmap: ") + std::strerror(errno);
        return false;
    }
    counters_ = static_cast<uint32_t*>(shared);
    int pipefd[2];
    if (pipe(pipefd) != 0) {
        error = std::string("pipe: ") + std::strerror(errno);
        return false;
    }
    pid_ = fork();
    if (pid_ < 0) {
        error = std::string("fork: ") + std::strerror(errno);
        return false;
    }
    if (pid_ == 0) {
        close(pipefd[0]);
        serve(count, silent_, docs, pipefd[1], counters_);
    }
    close(pipefd[1]);
    for (int i = 0; i < count; ++i) {
        uint16_t port = 0;
        if (read(pipefd[0], &port, sizeof port) != static_cast<ssize_t>(sizeof port) || port == 0) {
            error = "the fake fleet did not start (port " + std::to_string(i) + ")";
            close(pipefd[0]);
            stop();
            return false;
        }
        ports_.push_back(port);
    }
    close(pipefd[0]);
    return true;
}

void FakeFleet::stop() {
    if (pid_ > 0) {
        kill(pid_, SIGTERM);
        waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
    if (counters_ != nullptr) {
        munmap(counters_, counters_bytes_);
        counters_ = nullptr;
    }
}

uint32_t FakeFleet::served(std::size_t index) const {
    if (counters_ == nullptr || index >= ports_.size()) return 0;
    return std::atomic_ref<uint32_t>(counters_[index]).load(std::memory_order_relaxed);
}

std::vector<uwsgitop::ByteBuffer> prefork_documents(const std::string& fixtures_dir) {
    std::vector<uwsgitop::ByteBuffer> docs;
    for (const char* name : {"/prefork-1.json", "/prefork-2.json"}) {
        std::ifstream in(fixtures_dir + name, std::ios::binary);
        docs.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        if (docs.back().empty()) docs.clear();
        if (docs.empty()) break;
    }
    return docs;
}

}  // namespace uwsgitop::bench
