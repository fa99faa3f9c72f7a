// metrics_server.cpp — a tiny HTTP server for Prometheus scrapes (see prometheus.hpp).
//
// One connection at a time: a scrape polls the whole fleet (bounded
// concurrency, per-target timeouts) and answers; other scrapers wait in the
// listen backlog. Requests are read with a 2 s deadline and an 8 KiB cap.
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "uwsgitop/source/address.hpp"
#include "uwsgitop/serve/metrics_server.hpp"

namespace uwsgitop {

namespace {

class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

bool read_request(int fd, std::string& req) {
    const double end = monotonic_seconds() + 2.0;
    char buf[2048];
    while (req.find("\r\n\r\n") == std::string::npos && req.find("\n\n") == std::string::npos) {
        const double left = end - monotonic_seconds();
        if (left <= 0 || req.size() > 8192) return false;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left * 1000) + 1) <= 0) return false;
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return !req.empty();
        req.append(buf, static_cast<std::size_t>(n));
    }
    return true;
}

void write_all(int fd, const std::string& data) {
    std::size_t off = 0;
    const double end = monotonic_seconds() + 10.0;
    while (off < data.size()) {
        const double left = end - monotonic_seconds();
        if (left <= 0) return;
        pollfd p{fd, POLLOUT, 0};
        if (::poll(&p, 1, static_cast<int>(left * 1000) + 1) <= 0) return;
        const ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
        if (n <= 0) return;
        off += static_cast<std::size_t>(n);
    }
}

std::string response(std::string_view status, std::string_view type, const std::string& body) {
    std::string r = "HTTP/1.0 ";
    r += status;
    r += "\r\nContent-Type: ";
    r += type;
    r += "\r\nContent-Length: ";
    r += std::to_string(body.size());
    r += "\r\nConnection: close\r\n\r\n";
    r += body;
    return r;
}

}  // namespace

Status serve_metrics(const std::string& listen, std::vector<std::unique_ptr<Instance>>& fleet,
                     const PrometheusOptions& opt, unsigned concurrency, const volatile bool* stop,
                     const std::function<void()>& after_poll) {
    Address a;
    Status st = parse_address(listen, a);
    if (!st || a.kind != AddressKind::Tcp) {
        return Status::fail("--serve-metrics \"" + listen + "\": give HOST:PORT to listen on");
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* res = nullptr;
    const std::string port = std::to_string(a.port);
    if (int rc = ::getaddrinfo(a.host.empty() ? nullptr : a.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
        return Status::fail("--serve-metrics " + listen + ": " + gai_strerror(rc));
    }
    int fd = -1;
    std::string why = "no address";
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
        fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
        if (fd < 0) continue;
        const int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, 64) == 0) break;
        why = std::strerror(errno);
        ::close(fd);
        fd = -1;
    }
    ::freeaddrinfo(res);
    if (fd < 0) return Status::fail("--serve-metrics " + listen + ": " + why);
    Fd server(fd);

    std::string body;
    while (!(stop && *stop)) {
        pollfd p{server.get(), POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0) continue;
        Fd client(::accept4(server.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (client.get() < 0) continue;
        std::string req;
        if (!read_request(client.get(), req)) continue;
        const bool get = req.compare(0, 4, "GET ") == 0 || req.compare(0, 5, "HEAD ") == 0;
        const auto path_end = req.find(' ', 4);
        const std::string path = get && path_end != std::string::npos ? req.substr(req.find(' ') + 1, path_end - req.find(' ') - 1) : "";
        if (!get) {
            write_all(client.get(), response("405 Method Not Allowed", "text/plain", "only GET\n"));
        } else if (path == "/metrics" || path.compare(0, 9, "/metrics?") == 0) {
            poll_fleet(fleet, concurrency);
            if (after_poll) after_poll();
            PrometheusOptions o = opt;
            o.openmetrics = req.find("application/openmetrics-text") != std::string::npos;
            body.clear();
            write_prometheus(fleet, o, body);
            write_all(client.get(), response("200 OK",
                                             o.openmetrics ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                                                           : "text/plain; version=0.0.4; charset=utf-8",
                                             body));
        } else if (path == "/") {
            write_all(client.get(), response("200 OK", "text/html",
                                             "<html><body><a href=\"/metrics\">/metrics</a></body></html>\n"));
        } else {
            write_all(client.get(), response("404 Not Found", "text/plain", "not found; try /metrics\n"));
        }
    }
    return Status::ok();
}

}  // namespace uwsgitop
