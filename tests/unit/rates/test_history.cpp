// Unit tests for history.hpp: ring buffer and sparklines.
#include <doctest/doctest.h>

#include <cmath>

#include "uwsgitop/rates/history.hpp"
#include "uwsgitop/base/text.hpp"

using namespace uwsgitop;

TEST_SUITE("history") {

TEST_CASE("history::Series keeps the newest samples") {
    Series s(3);
    CHECK(s.size() == 0);
    CHECK(std::isnan(s.newest()));
    for (double v : {1.0, 2.0, 3.0, 4.0}) s.push(v);
    CHECK(s.size() == 3);
    CHECK(s.at(0) == 2.0);
    CHECK(s.at(2) == 4.0);
    CHECK(s.newest() == 4.0);
}

TEST_CASE("history::sparkline scales, right-aligns and leaves gaps") {
    Series s(10);
    s.push(0);
    s.push(std::nan(""));
    s.push(7);
    s.push(3.5);
    std::string out;
    sparkline(s, 6, SparkStyle::Ascii, out);
    CHECK(out == "  _ @=");  // padded, 0 lowest, gap, max highest, half
    out.clear();
    sparkline(s, 6, SparkStyle::Unicode, out);
    CHECK(display_width(out) == 6);
    CHECK(out == "  \u2581 \u2588\u2585");
    out.clear();
    sparkline(s, 2, SparkStyle::Ascii, out);  // only the newest two, scaled to them
    CHECK(out == "@=");
}

TEST_CASE("history::a fixed top scales the sparkline to it; peak() is the window's maximum") {
    Series s(10);
    s.push(14);
    s.push(std::nan(""));
    s.push(2);
    s.push(4);
    std::string out;
    sparkline(s, 3, SparkStyle::Ascii, out, 8);  // 4 of 8: half; 2 of 8: a quarter
    CHECK(out == " -=");
    out.clear();
    sparkline(s, 4, SparkStyle::Ascii, out, 8);  // above the top: drawn full
    CHECK(out == "@ -=");
    CHECK(peak(s, 2) == 4.0);
    CHECK(peak(s, 4) == 14.0);
    CHECK(peak(s, 100) == 14.0);
    Series unknown(4);
    CHECK(std::isnan(peak(unknown, 4)));
    unknown.push(std::nan(""));
    CHECK(std::isnan(peak(unknown, 4)));
    unknown.push(0);
    CHECK(peak(unknown, 4) == 0.0);
}

TEST_CASE("history::InstanceHistory and WorkerHistory") {
    Snapshot snap;
    snap.kind = SnapshotKind::Master;
    snap.listen_queue = 5;
    Worker w;
    w.id = 2;
    w.status = "busy";
    snap.workers.push_back(w);
    Rates r;
    r.total_requests = 12;
    r.workers = {{3, 0, 0}};
    InstanceHistory h(5);
    h.add(snap, r);
    h.add_gap();
    CHECK(h.rps.at(0) == 12);
    CHECK(h.busy.at(0) == 1);
    CHECK(h.listen_queue.at(0) == 5);
    CHECK(std::isnan(h.rps.newest()));
    WorkerHistory wh(4);
    wh.add(snap, r);
    REQUIRE(wh.rps(2) != nullptr);
    CHECK(wh.rps(2)->newest() == 3);
    CHECK(wh.rps(1) == nullptr);
    snap.workers.clear();
    wh.add(snap, r);  // worker 2 gone: a gap
    CHECK(std::isnan(wh.rps(2)->newest()));
}

}  // TEST_SUITE
