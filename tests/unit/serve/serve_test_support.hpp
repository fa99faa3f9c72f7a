// serve_test_support.hpp — what the metrics server's tests share: fixtures,
// a free port, a fleet of fake targets and a running server.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "uwsgitop/serve/metrics_server.hpp"

namespace uwsgitop::testing {

inline std::string fixture(const std::string& name) {
    std::ifstream in(std::string(UWSGITOP_TEST_FIXTURES) + "/" + name);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

inline const std::string& stats_doc() {
    static const std::string doc = fixture("prefork-1.json");
    return doc;
}

// A free loopback port (bound and released: the server binds it next).
inline uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    socklen_t len = sizeof sa;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
    ::close(fd);
    return ntohs(sa.sin_port);
}

inline std::vector<std::unique_ptr<Instance>> fleet_of(const std::vector<Target>& targets, double timeout = 3) {
    std::vector<std::unique_ptr<Instance>> fleet;
    FetchLimits limits;
    limits.timeout_seconds = timeout;
    REQUIRE(make_fleet(targets, limits, fleet).is_ok());
    return fleet;
}

inline ServeOptions options_for(double timeout = 3) {
    ServeOptions o;
    o.listen = "127.0.0.1:" + std::to_string(free_port());
    o.limits.timeout_seconds = timeout;
    return o;
}

struct Running {
    std::vector<std::unique_ptr<Instance>> fleet;
    std::unique_ptr<MetricsServer> server;
    Running(std::vector<std::unique_ptr<Instance>> f, ServeOptions o) : fleet(std::move(f)) {
        server = std::make_unique<MetricsServer>(fleet, std::move(o));
        const Status st = server->start();
        REQUIRE_MESSAGE(st.is_ok(), st.message());
    }
    uint16_t port() const { return server->port(); }
};

}  // namespace uwsgitop::testing
