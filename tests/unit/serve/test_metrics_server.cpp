// test_metrics_server.cpp — the --serve-metrics endpoint against fake stats
// servers and hostile clients: routes, shared polls, the scrape deadline,
// /probe and its allow-list, idle/dripping/oversized clients, connection
// caps, basic auth.
#include <doctest/doctest.h>

#include <crypt.h>
#include <sys/resource.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "../fake_stats_server.hpp"
#include "http_test_client.hpp"
#include "serve_test_support.hpp"
#include "uwsgitop/serve/metrics_server.hpp"

using namespace uwsgitop;
using namespace uwsgitop::testing;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void raise_fd_limit() {
    rlimit rl{};
    ::getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
}

std::string bcrypt(const char* password) {
    char salt[64];
    REQUIRE(crypt_gensalt_rn("$2b$", 4, nullptr, 0, salt, sizeof salt) != nullptr);
    crypt_data data{};
    const char* h = crypt_r(password, salt, &data);
    REQUIRE(h != nullptr);
    return h;
}

std::string temp_file(const std::string& name, const std::string& text) {
    char tmpl[] = "/tmp/uwsgitop-serve-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    const std::string path = std::string(tmpl) + "/" + name;
    std::ofstream(path) << text;
    return path;
}

}  // namespace

TEST_CASE("routes: /, /metrics in both formats, HEAD, /-/healthy, /-/ready, 404 and 405") {
    FakeServer target(FakeServer::Kind::Tcp, {{Mode::Plain, stats_doc(), 0}});
    Running s(fleet_of({{"web", target.address}}), options_for());

    const HttpReply classic = get(s.port(), "/metrics");
    CHECK(classic.status == 200);
    CHECK(has(classic.headers, "text/plain; version=0.0.4"));
    CHECK(has(classic.body, "uwsgi_up{instance=\"web\""));
    CHECK(has(classic.body, "# TYPE uwsgi_worker_requests_total counter"));
    CHECK(has(classic.body, "uwsgitop_build_info{version=\""));
    CHECK_FALSE(has(classic.body, "# EOF"));

    const HttpReply om = get(s.port(), "/metrics", "Accept: application/openmetrics-text; version=1.0.0\r\n");
    CHECK(om.status == 200);
    CHECK(has(om.headers, "application/openmetrics-text"));
    CHECK(has(om.body, "# TYPE uwsgi_worker_requests counter"));
    CHECK(om.body.size() >= 6);
    CHECK(om.body.substr(om.body.size() - 6) == "# EOF\n");

    const HttpReply head = request(s.port(), "HEAD", "/metrics");
    CHECK(head.status == 200);
    CHECK(head.body.empty());
    CHECK(has(head.headers, "Content-Length: "));

    const HttpReply page = get(s.port(), "/");
    CHECK(page.status == 200);
    CHECK(has(page.headers, "text/html"));
    CHECK(has(page.body, "href=\"/metrics\""));
    CHECK(has(page.body, "<td>web</td>"));
    CHECK(has(page.body, "<td>ok</td>"));

    CHECK(get(s.port(), "/-/healthy").status == 200);
    CHECK(get(s.port(), "/-/ready").status == 200);
    CHECK(get(s.port(), "/nope").status == 404);
    CHECK(get(s.port(), "/metrics/extra").status == 404);
    const HttpReply post = request(s.port(), "POST", "/metrics", "Content-Length: 3\r\n\r\nabc");
    CHECK(post.status == 405);
    CHECK(has(post.headers, "Allow: GET, HEAD"));
    CHECK(request(s.port(), "DELETE", "/").status == 405);
}

TEST_CASE("concurrent scrapes share one poll; scrapes one after another poll again") {
    // The target answers after 400 ms, so the second scrape arrives while
    // the first one's poll is in flight.
    FakeServer target(FakeServer::Kind::Tcp, {{Mode::Plain, stats_doc(), 400}});
    Running s(fleet_of({{"web", target.address}}), options_for());

    HttpReply a, b;
    std::thread first([&] { a = get(s.port(), "/metrics"); });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::thread second([&] { b = get(s.port(), "/metrics"); });
    first.join();
    second.join();
    CHECK(a.status == 200);
    CHECK(b.status == 200);
    CHECK(target.connections() == 1);
    CHECK(has(a.body, "uwsgitop_polls_total 1\n"));
    CHECK(a.body == b.body);

    const HttpReply c = get(s.port(), "/metrics");
    CHECK(c.status == 200);
    CHECK(target.connections() == 2);
    CHECK(has(c.body, "uwsgitop_polls_total 2\n"));
}

TEST_CASE("replace_targets (SIGHUP): the new fleet from the next poll on, and /probe's default list follows") {
    FakeServer a(FakeServer::Kind::Tcp, {{Mode::Plain, stats_doc(), 0}});
    FakeServer b(FakeServer::Kind::Tcp, {{Mode::Plain, stats_doc(), 0}});
    const std::string gone = "127.0.0.1:" + std::to_string(free_port());   // nothing listens
    Running s(fleet_of({{"a", a.address}, {"gone", gone}}), options_for());
    const HttpReply before = get(s.port(), "/metrics");
    CHECK(has(before.body, "uwsgi_up{instance=\"gone\",stats_uri=\"" + gone + "\"} 0"));
    CHECK(has(before.body, "uwsgitop_target_failures_total{instance=\"gone\""));
    CHECK(get(s.port(), "/probe?target=" + b.address).status == 403);

    std::atomic<int> taken{0};   // runs on the poll thread when the next poll takes the fleet
    s.server->replace_targets(fleet_of({{"a", a.address}, {"b", b.address}}), [&] { ++taken; });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(taken == 0);
    const HttpReply after = get(s.port(), "/metrics");
    CHECK(taken == 1);
    CHECK(after.status == 200);
    CHECK(has(after.body, "uwsgi_up{instance=\"a\",stats_uri=\"" + a.address + "\"} 1"));
    CHECK(has(after.body, "uwsgi_up{instance=\"b\",stats_uri=\"" + b.address + "\"} 1"));
    CHECK_FALSE(has(after.body, "instance=\"gone\""));   // its failure counter left with it
    CHECK(has(after.body, "uwsgitop_targets 2\n"));
    CHECK(get(s.port(), "/probe?target=" + b.address).status == 200);
    CHECK(get(s.port(), "/probe?target=" + gone).status == 403);
}

TEST_CASE("ten concurrent scrapers cost one poll") {
    FakeServer target(FakeServer::Kind::Tcp, {{Mode::Plain, stats_doc(), 500}});
    Running s(fleet_of({{"web", target.address}}), options_for());
    std::vector<HttpReply> replies(10);
    std::vector<std::thread> scrapers;
    for (int i = 0; i < 10; ++i) scrapers.emplace_back([&, i] { replies[static_cast<std::size_t>(i)] = get(s.port(), "/metrics"); });
    for (auto& t : scrapers) t.join();
    for (const HttpReply& r : replies) CHECK(r.status == 200);
    CHECK(target.connections() == 1);
}

TEST_CASE("the scrape deadline: Prometheus' timeout minus the offset gives a partial answer") {
    FakeServer fast(FakeServer::Kind::Tcp, {{Mode::Plain, stats_doc(), 0}});
    FakeServer slow(FakeServer::Kind::Tcp, {{Mode::Plain, stats_doc(), 2000}});
    ServeOptions o = options_for(4);
    o.scrape_timeout_offset = 0.5;
    Running s(fleet_of({{"fast", fast.address}, {"slow", slow.address}}, 4), o);

    const HttpReply r = get(s.port(), "/metrics", "X-Prometheus-Scrape-Timeout-Seconds: 1.5\r\n");
    CHECK(r.status == 200);
    CHECK(r.seconds < 1.8);   // ~1.0 s; the slow target alone takes 2 s
    CHECK(has(r.body, "uwsgi_up{instance=\"fast\",stats_uri=\"" + fast.address + "\"} 1"));
    CHECK(has(r.body, "uwsgi_up{instance=\"slow\",stats_uri=\"" + slow.address + "\"} 0"));
    CHECK(has(r.body, "uwsgi_worker_requests_total{instance=\"fast\""));
    CHECK(has(r.body, "uwsgitop_target_failures_total{instance=\"slow\",stats_uri=\"" + slow.address + "\"} 1"));

    // Without the header the per-target timeout (4 s) rules: the slow one answers.
    const HttpReply full = get(s.port(), "/metrics");
    CHECK(full.status == 200);
    CHECK(has(full.body, "uwsgi_up{instance=\"slow\",stats_uri=\"" + slow.address + "\"} 1"));
}

TEST_CASE("/probe: an allowed unix socket is polled; a refused target is 403 and never contacted") {
    FakeServer allowed(FakeServer::Kind::Unix, {{Mode::Plain, stats_doc(), 0}});
    FakeServer refused(FakeServer::Kind::Tcp, {{Mode::Plain, stats_doc(), 0}});
    FakeServer configured(FakeServer::Kind::Tcp, {{Mode::Plain, stats_doc(), 0}});

    SUBCASE("with --probe-allow") {
        ServeOptions o = options_for();
        o.probe_allow = {"/tmp/uwsgitop-test-*/stats.sock", "@never-*"};
        Running s(fleet_of({{"c", configured.address}}), o);
        const HttpReply ok = get(s.port(), "/probe?target=" + allowed.address);
        CHECK(ok.status == 200);
        CHECK(has(ok.body, "uwsgi_up{instance=\"" + allowed.address + "\",stats_uri=\"" + allowed.address + "\"} 1"));
        CHECK(has(ok.body, "uwsgi_worker_requests_total{"));
        CHECK(allowed.connections() == 1);

        const HttpReply no = get(s.port(), "/probe?target=" + refused.address);
        CHECK(no.status == 403);
        CHECK(has(no.body, "matches no --probe-allow pattern (/tmp/uwsgitop-test-*/stats.sock @never-*)"));
        // Patterns replace the default: even a configured target is refused.
        CHECK(get(s.port(), "/probe?target=" + configured.address).status == 403);
        CHECK(get(s.port(), "/probe").status == 400);
    }
    SUBCASE("by default only the configured targets") {
        Running s(fleet_of({{"c", configured.address}}), options_for());
        const HttpReply ok = get(s.port(), "/probe?target=" + configured.address);
        CHECK(ok.status == 200);
        CHECK(has(ok.body, "} 1\n"));
        const HttpReply no = get(s.port(), "/probe?target=" + refused.address);
        CHECK(no.status == 403);
        CHECK(has(no.body, "without --probe-allow only the configured targets"));
        CHECK(get(s.port(), "/probe?target=" + allowed.address).status == 403);
        CHECK(allowed.connections() == 0);
    }
    CHECK(refused.connections() == 0);
}

TEST_CASE("concurrent probes keep their own up: a down probe does not spoil a good one") {
    FakeServer good(FakeServer::Kind::Tcp, {{Mode::Plain, stats_doc(), 300}});
    ServeOptions o = options_for(1);
    o.probe_allow = {"127.0.0.1:*"};
    Running s(fleet_of({{"good", good.address}}), o);
    const std::string dead = "127.0.0.1:" + std::to_string(free_port());
    HttpReply a, b;
    std::thread t1([&] { a = get(s.port(), "/probe?target=" + good.address); });
    std::thread t2([&] { b = get(s.port(), "/probe?target=" + dead); });
    t1.join();
    t2.join();
    CHECK(has(a.body, "uwsgi_up{instance=\"" + good.address + "\",stats_uri=\"" + good.address + "\"} 1"));
    CHECK(has(b.body, "uwsgi_up{instance=\"" + dead + "\",stats_uri=\"" + dead + "\"} 0"));
    CHECK_FALSE(has(b.body, good.address));
}

TEST_CASE("500 idle connections, then a scrape answers in its normal time") {
    raise_fd_limit();
    FakeServer target(FakeServer::Kind::Tcp, {{Mode::Plain, stats_doc(), 0}});
    ServeOptions o = options_for();
    o.max_connections = 1000;
    o.max_connections_per_ip = 64;
    o.idle_timeout_seconds = 30;
    Running s(fleet_of({{"web", target.address}}), o);
    const double normal = get(s.port(), "/metrics").seconds;

    // 10 other client addresses, 50 each (under the per-address cap), each
    // holding half a request line.
    std::vector<int> idle;
    for (int i = 0; i < 500; ++i) {
        const std::string src = "127.0.0." + std::to_string(2 + i % 10);
        const int fd = connect_from(s.port(), src.c_str());
        REQUIRE(fd >= 0);
        send_bytes(fd, "GET /metr");
        idle.push_back(fd);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const HttpReply r = get(s.port(), "/metrics");
    CHECK(r.status == 200);
    CHECK(has(r.body, "uwsgi_up{instance=\"web\""));
    INFO("normal scrape " << normal << " s, with 500 idle clients " << r.seconds << " s");
    CHECK(r.seconds < normal + 1.0);
    for (int fd : idle) ::close(fd);
}

TEST_CASE("a byte-dripping client does not delay a scrape") {
    FakeServer target(FakeServer::Kind::Tcp, {{Mode::Plain, stats_doc(), 0}});
    Running s(fleet_of({{"web", target.address}}), options_for());
    const int fd = connect_from(s.port(), "127.0.0.2");
    REQUIRE(fd >= 0);
    std::atomic<bool> done{false};
    std::thread drip([&] {
        const std::string req = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ";
        for (std::size_t i = 0; !done && i < 1000; ++i) {
            if (!send_bytes(fd, std::string(1, i < req.size() ? req[i] : 'a'))) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const HttpReply r = get(s.port(), "/metrics");
    done = true;
    drip.join();
    ::close(fd);
    CHECK(r.status == 200);
    CHECK(r.seconds < 1.0);
}

TEST_CASE("every request up to --web-max-request-size is answered 200; larger ones 431 or 414") {
    // libmicrohttpd 0.9.75 closed requests of 32,436-32,560 bytes without an
    // answer (no room left for it); the pool now has room beyond the limit
    // and the server refuses what is over it.
    Running s(fleet_of({{"web", "127.0.0.1:1"}}), options_for());
    const std::string head = "GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Pad: ";
    int answered = 0, ok = 0, too_large = 0;
    for (std::size_t size = 32768 - 800; size <= 32768 + 800; size += 8) {
        const double started = monotonic_seconds();
        const int fd = connect_from(s.port());
        REQUIRE(fd >= 0);
        send_bytes(fd, head + std::string(size - head.size() - 4, 'a') + "\r\n\r\n");
        const HttpReply r = read_reply(fd, 5, started);
        ::close(fd);
        CAPTURE(size);
        CHECK(r.status == (size <= 32768 ? 200 : 431));
        answered += r.status != 0;
        ok += r.status == 200;
        too_large += r.status == 431;
    }
    CHECK(answered == 201);
    CHECK(ok == 101);
    CHECK(too_large == 100);
    const HttpReply long_url = get(s.port(), "/" + std::string(32800, 'a'));
    CHECK(long_url.status == 414);
}

TEST_CASE("a 10 MB header is refused without harm; the next scrape works") {
    FakeServer target(FakeServer::Kind::Tcp, {{Mode::Plain, stats_doc(), 0}});
    Running s(fleet_of({{"web", target.address}}), options_for());
    const double started = monotonic_seconds();
    const int fd = connect_from(s.port());
    REQUIRE(fd >= 0);
    std::thread sender([fd] {
        send_bytes(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ");
        const std::string chunk(1 << 20, 'a');
        for (int i = 0; i < 10 && send_bytes(fd, chunk); ++i) {
        }
        send_bytes(fd, "\r\n\r\n");
    });
    const HttpReply r = read_reply(fd, 10, started);
    ::shutdown(fd, SHUT_RDWR);   // unblocks the sender if the server stopped reading
    sender.join();
    ::close(fd);
    // The library answers 431 once its 32 KiB are full, and closes.
    CHECK(r.status == 431);
    CHECK(r.seconds < 3);
    CHECK(target.connections() == 0);
    const HttpReply next = get(s.port(), "/metrics");
    CHECK(next.status == 200);
}

TEST_CASE("connections per client address are capped; other clients still get in") {
    FakeServer target(FakeServer::Kind::Tcp, {{Mode::Plain, stats_doc(), 0}});
    ServeOptions o = options_for();
    o.max_connections_per_ip = 4;
    Running s(fleet_of({{"web", target.address}}), o);
    std::vector<int> held;
    for (int i = 0; i < 4; ++i) {
        held.push_back(connect_from(s.port(), "127.0.0.3"));
        send_bytes(held.back(), "GET /");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const HttpReply over = request(s.port(), "GET", "/metrics", "", 5, "127.0.0.3");
    CHECK(over.status == 0);   // accepted and closed at once
    CHECK(over.seconds < 2);
    CHECK(get(s.port(), "/metrics").status == 200);
    for (int fd : held) ::close(fd);
}

TEST_CASE("basic auth: no or wrong credentials are 401 with WWW-Authenticate; the right ones pass") {
    FakeServer target(FakeServer::Kind::Tcp, {{Mode::Plain, stats_doc(), 0}});
    ServeOptions o = options_for();
    o.web_config_file = temp_file("web.yml", "basic_auth_users:\n  alice: " + bcrypt("s3cret") + "\n");
    Running s(fleet_of({{"web", target.address}}), o);

    const HttpReply none = get(s.port(), "/metrics");
    CHECK(none.status == 401);
    CHECK(has(none.headers, "WWW-Authenticate: Basic realm=\"uwsgitop\""));
    CHECK_FALSE(has(none.body, "uwsgi_up"));
    // alice:wrong, bob:s3cret, alice:s3cret
    CHECK(get(s.port(), "/metrics", "Authorization: Basic YWxpY2U6d3Jvbmc=\r\n").status == 401);
    CHECK(get(s.port(), "/metrics", "Authorization: Basic Ym9iOnMzY3JldA==\r\n").status == 401);
    CHECK(get(s.port(), "/", "Authorization: Basic YWxpY2U6d3Jvbmc=\r\n").status == 401);
    const HttpReply ok = get(s.port(), "/metrics", "Authorization: Basic YWxpY2U6czNjcmV0\r\n");
    CHECK(ok.status == 200);
    CHECK(has(ok.body, "uwsgi_up{instance=\"web\""));
    CHECK(target.connections() == 1);   // refused scrapes never polled
}

TEST_CASE("startup errors name the option, key or address") {
    std::vector<std::unique_ptr<Instance>> fleet;
    auto start_with = [&](ServeOptions o) {
        MetricsServer server(fleet, std::move(o));
        return server.start();
    };
    ServeOptions o = options_for();
    o.listen = "/tmp/socket";
    CHECK(has(start_with(o).message(), "--serve-metrics \"/tmp/socket\": give HOST:PORT"));

    o = options_for();
    o.web_config_file = temp_file("bad.yml", "tls_server_config:\n  cert_file: nope.crt\n  key_file: nope.key\n");
    CHECK(has(start_with(o).message(), "tls_server_config.cert_file: cannot read "));

    o = options_for();
    o.web_config_file = temp_file("pem.yml", "tls_server_config:\n  cert_file: pem.yml\n  key_file: pem.yml\n");
    CHECK(has(start_with(o).message(), "cannot start TLS"));

    // The port is still free after a failed start.
    o = options_for();
    const std::string listen = o.listen;
    CHECK(start_with(o).is_ok());
}

TEST_CASE("a kept-alive connection serves request after request (pipelined too)") {
    FakeServer target(FakeServer::Kind::Tcp, {{Mode::Plain, stats_doc(), 0}});
    Running s(fleet_of({{"web", target.address}}), options_for());
    const double t0 = monotonic_seconds();
    const int fd = connect_from(s.port());
    REQUIRE(fd >= 0);
    REQUIRE(send_bytes(fd, "GET /-/ready HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
                           "GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    const HttpReply r = read_reply(fd, 10, t0);
    ::close(fd);
    const std::string all = r.headers + "\r\n\r\n" + r.body;
    std::size_t answers = 0;
    for (std::size_t at = all.find("HTTP/1.1 200 OK"); at != std::string::npos; at = all.find("HTTP/1.1 200 OK", at + 1)) {
        ++answers;
    }
    CHECK(answers == 3);
    CHECK(has(all, "uwsgi_up{instance=\"web\""));
    CHECK(has(all, "uwsgitop exporter is Healthy."));
}
