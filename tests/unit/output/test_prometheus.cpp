// test_prometheus.cpp — uWSGI's metrics subsystem in the Prometheus text: user
// --metric values as uwsgi_custom_<name>, uWSGI's own metrics left out.
#include <doctest/doctest.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "uwsgitop/output/prometheus.hpp"
#include "uwsgitop/parse/parse.hpp"

using namespace uwsgitop;

namespace {

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::unique_ptr<Instance> instance(const std::string& name, const std::string& address) {
    auto inst = std::make_unique<Instance>();
    inst->target = Target{name, address};
    inst->snapshot.kind = SnapshotKind::Master;
    inst->snapshot.has_metrics = true;
    inst->has_data = inst->last_ok = true;
    return inst;
}

void add_metric(Snapshot& s, std::string_view name, Int type, Int value) {
    Metric& m = s.metrics.emplace_back();
    m.name = name;
    m.type = type;
    m.value = value;
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

std::string render(const std::vector<std::unique_ptr<Instance>>& fleet, bool openmetrics) {
    std::string text;
    write_prometheus(fleet, PrometheusOptions{.openmetrics = openmetrics}, text);
    return text;
}

}  // namespace

TEST_SUITE("prometheus") {

TEST_CASE("a real capture: the user metrics with their type, none of uWSGI's own") {
    // tests/fixtures/custom-metrics-1.json: --metric name=myapp.orders,type=counter
    // (9) and name=myapp.queue_depth,type=gauge (7) after core.*, worker.*,
    // socket.* and the rss_size/vsz_size aliases.
    std::string bytes = read_file(std::string(UWSGITOP_TEST_FIXTURES) + "/custom-metrics-1.json");
    REQUIRE(!bytes.empty());
    ByteBuffer buf(bytes.begin(), bytes.end());
    std::vector<std::unique_ptr<Instance>> fleet;
    fleet.push_back(instance("web", "127.0.0.1:9191"));
    Parser parser;
    REQUIRE(parser.parse(buf, fleet[0]->snapshot).is_ok());
    REQUIRE(fleet[0]->snapshot.metrics.size() > 10);

    const std::string classic = render(fleet, false);
    CHECK(has(classic, "# HELP uwsgi_custom_myapp_orders_total uWSGI metric myapp.orders\n"
                       "# TYPE uwsgi_custom_myapp_orders_total counter\n"
                       "uwsgi_custom_myapp_orders_total{instance=\"web\",stats_uri=\"127.0.0.1:9191\"} 9\n"));
    CHECK(has(classic, "# HELP uwsgi_custom_myapp_queue_depth uWSGI metric myapp.queue_depth\n"
                       "# TYPE uwsgi_custom_myapp_queue_depth gauge\n"
                       "uwsgi_custom_myapp_queue_depth{instance=\"web\",stats_uri=\"127.0.0.1:9191\"} 7\n"));
    CHECK(count(classic, "uwsgi_custom_") == 6);  // HELP, TYPE and a sample for each of the two
    for (const char* own : {"uwsgi_custom_core", "uwsgi_custom_worker", "uwsgi_custom_socket", "uwsgi_custom_rss_size",
                            "uwsgi_custom_vsz_size"}) {
        CHECK_MESSAGE(!has(classic, own), own);
    }

    const std::string om = render(fleet, true);
    CHECK(has(om, "# TYPE uwsgi_custom_myapp_orders counter\n"
                  "uwsgi_custom_myapp_orders_total{instance=\"web\",stats_uri=\"127.0.0.1:9191\"} 9\n"));
    CHECK(has(om, "# TYPE uwsgi_custom_myapp_queue_depth gauge\n"));
    CHECK(om.ends_with("# EOF\n"));
}

TEST_CASE("names sanitised, kinds by type, one family per name across the fleet") {
    std::vector<std::unique_ptr<Instance>> fleet;
    fleet.push_back(instance("a", "127.0.0.1:1"));
    fleet.push_back(instance("b", "127.0.0.1:2"));
    fleet.push_back(instance("down", "127.0.0.1:3"));
    Snapshot& a = fleet[0]->snapshot;
    Snapshot& b = fleet[1]->snapshot;
    add_metric(a, "core.busy_workers", 1, 3);            // uWSGI's own: left out
    add_metric(a, "worker.1.requests", 0, 10);
    add_metric(a, "socket.0.listen_queue", 1, 0);
    add_metric(a, "rss_size", 3, 123);                   // an alias
    add_metric(a, "my-app:lat ency/ms", 1, 42);          // gauge
    add_metric(a, "jobs.done_total", 0, 5);              // counter: _total not doubled
    add_metric(a, "abs.value", 2, 8);                    // absolute: a gauge
    add_metric(a, "odd.type", 9, 4);                     // unknown type: a gauge
    add_metric(a, "no.type", Int(), 6);                  // no type: a gauge
    add_metric(a, "no.value", 1, Int());                 // unknown value: no sample
    add_metric(a, "neg.gauge", 1, -2);
    add_metric(a, "neg.counter", 0, -1);                 // a counter cannot be negative: no sample, no family
    add_metric(a, "x.y", 1, 1);                          // x_y twice: the first wins
    add_metric(a, "x_y", 1, 2);
    add_metric(b, "jobs.done_total", 0, 7);
    add_metric(b, "b.only", 0, 3);
    add_metric(b, "abs.value", 0, 9);                    // the family is a gauge (a's): b's counter left out
    add_metric(fleet[2]->snapshot, "down.metric", 1, 1);
    fleet[2]->last_ok = false;                           // a failed poll: no samples

    const std::string t = render(fleet, false);
    CHECK(has(t, "# TYPE uwsgi_custom_my_app_lat_ency_ms gauge\n"
                 "uwsgi_custom_my_app_lat_ency_ms{instance=\"a\",stats_uri=\"127.0.0.1:1\"} 42\n"));
    CHECK(has(t, "# HELP uwsgi_custom_my_app_lat_ency_ms uWSGI metric my-app:lat ency/ms\n"));
    CHECK(has(t, "# TYPE uwsgi_custom_jobs_done_total counter\n"
                 "uwsgi_custom_jobs_done_total{instance=\"a\",stats_uri=\"127.0.0.1:1\"} 5\n"
                 "uwsgi_custom_jobs_done_total{instance=\"b\",stats_uri=\"127.0.0.1:2\"} 7\n"));
    CHECK(count(t, "# TYPE uwsgi_custom_jobs_done_total") == 1);
    CHECK(has(t, "# TYPE uwsgi_custom_abs_value gauge\n"
                 "uwsgi_custom_abs_value{instance=\"a\",stats_uri=\"127.0.0.1:1\"} 8\n#"));
    CHECK(has(t, "# TYPE uwsgi_custom_odd_type gauge\n"));
    CHECK(has(t, "# TYPE uwsgi_custom_no_type gauge\nuwsgi_custom_no_type{instance=\"a\",stats_uri=\"127.0.0.1:1\"} 6\n"));
    CHECK(!has(t, "no_value"));
    CHECK(has(t, "uwsgi_custom_neg_gauge{instance=\"a\",stats_uri=\"127.0.0.1:1\"} -2\n"));
    CHECK(!has(t, "neg_counter"));
    CHECK(has(t, "# TYPE uwsgi_custom_x_y gauge\nuwsgi_custom_x_y{instance=\"a\",stats_uri=\"127.0.0.1:1\"} 1\n#"));
    CHECK(count(t, "# TYPE uwsgi_custom_x_y ") == 1);
    CHECK(has(t, "# TYPE uwsgi_custom_b_only_total counter\n"
                 "uwsgi_custom_b_only_total{instance=\"b\",stats_uri=\"127.0.0.1:2\"} 3\n"));
    CHECK(!has(t, "down_metric"));
    for (const char* own : {"uwsgi_custom_core", "uwsgi_custom_worker", "uwsgi_custom_socket", "uwsgi_custom_rss"}) {
        CHECK_MESSAGE(!has(t, own), own);
    }

    const std::string om = render(fleet, true);
    CHECK(has(om, "# TYPE uwsgi_custom_jobs_done counter\n"
                  "uwsgi_custom_jobs_done_total{instance=\"a\",stats_uri=\"127.0.0.1:1\"} 5\n"));
}

TEST_CASE("a help text with bytes neither format takes is made safe") {
    std::vector<std::unique_ptr<Instance>> fleet;
    fleet.push_back(instance("a", "127.0.0.1:1"));
    add_metric(fleet[0]->snapshot, "we\"ird\\name\n\xc3\xa9", 1, 1);
    const std::string t = render(fleet, false);
    CHECK(has(t, "# HELP uwsgi_custom_we_ird_name___ uWSGI metric we?ird?name???\n"
                 "# TYPE uwsgi_custom_we_ird_name___ gauge\n"));
}

TEST_CASE("no metrics object: no custom family") {
    std::vector<std::unique_ptr<Instance>> fleet;
    fleet.push_back(instance("a", "127.0.0.1:1"));
    fleet[0]->snapshot.has_metrics = false;
    CHECK(!has(render(fleet, false), "uwsgi_custom_"));
}

TEST_CASE("two custom families never share a written name (one duplicate loses the whole scrape)") {
    std::vector<std::unique_ptr<Instance>> fleet;
    fleet.push_back(instance("a", "127.0.0.1:1"));
    Snapshot& a = fleet.back()->snapshot;
    add_metric(a, "foo", 0, 5);        // a counter: written foo_total
    add_metric(a, "foo_total", 1, 7);  // a gauge that would be written foo_total too
    add_metric(a, "bar_total", 1, 2);  // a gauge first ...
    add_metric(a, "bar", 0, 3);        // ... then a counter that would write bar_total
    for (const bool om : {false, true}) {
        CAPTURE(om);
        const std::string text = render(fleet, om);
        CHECK(count(text, "# TYPE uwsgi_custom_foo") == 1);
        CHECK(count(text, "# TYPE uwsgi_custom_bar") == 1);
        CHECK(has(text, "uwsgi_custom_foo_total{"));
        CHECK(has(text, "uwsgi_custom_bar_total{"));
        CHECK(count(text, "uwsgi_custom_foo_total{") == 1);
        CHECK(count(text, "uwsgi_custom_bar_total{") == 1);
    }
}

}  // TEST_SUITE
