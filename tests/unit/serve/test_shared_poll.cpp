// test_shared_poll.cpp — single-flight polls through the server: a scrape that
// joins a poll in flight keeps its own deadline.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "../fake_stats_server.hpp"
#include "http_test_client.hpp"
#include "serve_test_support.hpp"
#include "uwsgitop/base/clock.hpp"

using namespace uwsgitop;
using namespace uwsgitop::testing;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string up_line(const char* name, const std::string& address, int up) {
    std::string s = "uwsgi_up{instance=\"";
    s.append(name).append("\",stats_uri=\"").append(address).append("\"} ").append(std::to_string(up));
    return s;
}

}  // namespace

TEST_CASE("a scrape joining a poll in flight answers at its own deadline, and the poll goes on") {
    FakeServer fast(FakeServer::Kind::Tcp, {{Mode::Plain, stats_doc(), 0}});
    FakeServer slow(FakeServer::Kind::Tcp, {{Mode::Plain, stats_doc(), 1500}});
    ServeOptions o = options_for(4);
    o.scrape_timeout_offset = 0.5;
    Running s(fleet_of({{"fast", fast.address}, {"slow", slow.address}}, 4), o);

    // The first scrape has no deadline: its poll waits for the slow target.
    HttpReply patient;
    std::thread first([&] { patient = get(s.port(), "/metrics"); });
    sleep_for_seconds(0.2);
    // The second joins that poll with 1 s minus the 0.5 s offset.
    const HttpReply hurried = get(s.port(), "/metrics", "X-Prometheus-Scrape-Timeout-Seconds: 1\r\n");
    first.join();

    CHECK(hurried.status == 200);
    CHECK(hurried.seconds < 0.9);   // ~0.5 s; the poll it joined takes 1.5 s
    CHECK(has(hurried.body, up_line("fast", fast.address, 1)));
    CHECK(has(hurried.body, up_line("slow", slow.address, 0)));
    CHECK(patient.status == 200);
    CHECK(patient.seconds > 1.3);
    CHECK(has(patient.body, up_line("slow", slow.address, 1)));
    CHECK(slow.connections() == 1);   // one poll for both
    CHECK(fast.connections() == 1);
}

TEST_CASE("joining the first poll after start with a short deadline is an answer, not 503") {
    FakeServer slow(FakeServer::Kind::Tcp, {{Mode::Plain, stats_doc(), 1500}});
    ServeOptions o = options_for(4);
    o.scrape_timeout_offset = 0.5;
    Running s(fleet_of({{"slow", slow.address}}, 4), o);
    std::thread first([&] { get(s.port(), "/metrics", "X-Prometheus-Scrape-Timeout-Seconds: 3\r\n"); });
    sleep_for_seconds(0.2);
    const HttpReply r = get(s.port(), "/metrics", "X-Prometheus-Scrape-Timeout-Seconds: 0.8\r\n");
    first.join();
    CHECK(r.status == 200);
    CHECK(r.seconds < 0.8);
    CHECK(has(r.body, up_line("slow", slow.address, 0)));
}

TEST_CASE("scrapes with two deadlines, over and over: each answers by its own") {
    FakeServer fast(FakeServer::Kind::Tcp, {{Mode::Plain, stats_doc(), 0}});
    FakeServer slow(FakeServer::Kind::Tcp, {{Mode::Plain, stats_doc(), 1200}});
    ServeOptions o = options_for(4);
    o.scrape_timeout_offset = 0.2;
    Running s(fleet_of({{"fast", fast.address}, {"slow", slow.address}}, 4), o);
    int late = 0, fast_down = 0;
    std::thread long_job([&] {
        for (int i = 0; i < 3; ++i) get(s.port(), "/metrics", "X-Prometheus-Scrape-Timeout-Seconds: 3\r\n");
    });
    for (int i = 0; i < 8; ++i) {
        const HttpReply r = get(s.port(), "/metrics", "X-Prometheus-Scrape-Timeout-Seconds: 0.6\r\n");
        if (r.status != 200 || r.seconds > 0.75) ++late;
        if (!has(r.body, up_line("fast", fast.address, 1))) ++fast_down;
    }
    long_job.join();
    CHECK(late == 0);
    CHECK(fast_down == 0);
}

TEST_CASE("a client with a tiny deadline never cuts a longer scrape short") {
    FakeServer slow(FakeServer::Kind::Tcp, {{Mode::Plain, stats_doc(), 600}});
    ServeOptions o = options_for(4);
    o.scrape_timeout_offset = 0.5;
    Running s(fleet_of({{"slow", slow.address}}, 4), o);
    std::atomic<bool> stop{false};
    std::atomic<int> hurried{0};
    std::thread attacker([&] {
        while (!stop.load()) {
            get(s.port(), "/metrics", "X-Prometheus-Scrape-Timeout-Seconds: 0.001\r\n");
            ++hurried;
        }
    });
    int up = 0;
    for (int i = 0; i < 4; ++i) {
        sleep_for_seconds(0.1);
        const HttpReply r = get(s.port(), "/metrics", "X-Prometheus-Scrape-Timeout-Seconds: 3\r\n");
        if (r.status == 200 && has(r.body, up_line("slow", slow.address, 1))) ++up;
    }
    stop = true;
    attacker.join();
    CHECK(hurried.load() > 4);   // the attacker got its quick answers all along
    CHECK(up == 4);
}
