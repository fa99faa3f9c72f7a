// Tests for time travel through a recording (source.hpp seek/position/index_at, pipeline.hpp
// seek/travel) and --begin/--end (parse_time_spec, ReplayOptions windows): a step back gives the
// rates a forward pass gives.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <string>
#include <vector>

#include "uwsgitop/pipeline/pipeline.hpp"
#include "uwsgitop/source/recording.hpp"
#include "uwsgitop/source/source.hpp"

using namespace uwsgitop;

namespace {

struct Recording {
    Recording() {
        char tmpl[] = "/tmp/uwsgitop-travel-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        dir = tmpl;
        path = dir + "/rec.jsonl";
        RecordWriter w;
        REQUIRE(w.open(path).is_ok());
        // 200 snapshots 1 s apart; worker 1 serves i*i requests by snapshot i (rates vary).
        for (int i = 0; i < 200; ++i) {
            const std::string doc = "{\"version\":\"2.0.28\",\"workers\":[{\"id\":1,\"pid\":7,\"requests\":" +
                                    std::to_string(i * i) + ",\"status\":\"idle\"}]}";
            Frame f;
            f.bytes.assign(doc.begin(), doc.end());
            f.wall_time = 1800000000.0 + i;
            REQUIRE(w.append(f, "a", true).is_ok());
        }
    }
    ~Recording() {
        ::unlink(path.c_str());
        ::rmdir(dir.c_str());
    }
    Recording(const Recording&) = delete;
    Recording& operator=(const Recording&) = delete;
    std::string dir, path;
};

Pipeline open(const std::string& path, const ReplayOptions& ro = {}) {
    Status e;
    auto src = make_replay_source(path, ro, &e);
    REQUIRE_MESSAGE(e.is_ok(), e.message());
    return Pipeline(std::move(src));
}

int64_t requests(const Snapshot& s) { return *s.workers.at(0).requests; }

}  // namespace

TEST_CASE("travel::steps back and forward give the rates of a forward pass") {
    Recording rec;
    // The forward pass.
    std::vector<double> forward_rps;
    {
        Pipeline p = open(rec.path);
        Snapshot s;
        Rates r;
        for (int i = 0; i < 200; ++i) {
            REQUIRE(p.refresh(s, r).is_ok());
            forward_rps.push_back(r.total_requests);
        }
    }
    CHECK(std::isnan(forward_rps[0]));
    CHECK(forward_rps[10] == doctest::Approx(19.0));  // 100 - 81 over 1 s

    Pipeline p = open(rec.path);
    Snapshot s;
    Rates r;
    for (int i = 0; i < 50; ++i) REQUIRE(p.refresh(s, r).is_ok());
    REQUIRE(p.source().position());
    CHECK(p.source().position()->index == 49);
    CHECK(p.source().position()->count == 200);
    for (int back = 1; back <= 10; ++back) {
        REQUIRE(p.travel(Travel{Travel::Kind::Snapshots, -1}, s, r).is_ok());
        const std::size_t at = p.source().position()->index;
        CHECK(at == static_cast<std::size_t>(49 - back));
        CHECK(requests(s) == static_cast<int64_t>(at * at));
        CHECK(r.total_requests == doctest::Approx(forward_rps[at]));
        CHECK(p.source().position()->time == doctest::Approx(1800000000.0 + static_cast<double>(at)));
    }
    REQUIRE(p.travel(Travel{Travel::Kind::Snapshots, 1}, s, r).is_ok());
    CHECK(p.source().position()->index == 40);
    CHECK(r.total_requests == doctest::Approx(forward_rps[40]));
    // A minute forward and back, by recorded time.
    REQUIRE(p.travel(Travel{Travel::Kind::Seconds, 60}, s, r).is_ok());
    CHECK(p.source().position()->index == 100);
    CHECK(r.total_requests == doctest::Approx(forward_rps[100]));
    REQUIRE(p.travel(Travel{Travel::Kind::Seconds, -60}, s, r).is_ok());
    CHECK(p.source().position()->index == 40);
    // Clamped at both ends; index 0 has no rates, as forward.
    REQUIRE(p.travel(Travel{Travel::Kind::Seconds, -600}, s, r).is_ok());
    CHECK(p.source().position()->index == 0);
    CHECK(std::isnan(r.total_requests));
    REQUIRE(p.travel(Travel{Travel::Kind::Seconds, 6000}, s, r).is_ok());
    CHECK(p.source().position()->index == 199);
    CHECK(p.source().exhausted());
    REQUIRE(p.travel(Travel{Travel::Kind::Snapshots, -3}, s, r).is_ok());
    CHECK_FALSE(p.source().exhausted());
    // Forward play goes on from where travel left it.
    REQUIRE(p.refresh(s, r).is_ok());
    CHECK(p.source().position()->index == 197);
    CHECK(r.total_requests == doctest::Approx(forward_rps[197]));
}

TEST_CASE("travel::--begin/--end windows, their first snapshot with its neighbour's rates") {
    Recording rec;
    ReplayOptions ro;
    REQUIRE(parse_time_spec("2027-01-15T08:01:40Z", ro.begin).is_ok());  // 1800000100
    REQUIRE(parse_time_spec("2027-01-15T09:01:49+01:00", ro.end).is_ok());  // 1800000109
    CHECK(ro.begin.value == doctest::Approx(1800000100.0));
    CHECK(ro.end.value == doctest::Approx(1800000109.0));
    Pipeline p = open(rec.path, ro);
    Snapshot s;
    Rates r;
    std::vector<int64_t> got;
    while (!p.source().exhausted()) {
        REQUIRE(p.refresh(s, r).is_ok());
        if (got.empty()) CHECK(r.total_requests == doctest::Approx(199.0));  // 100^2 - 99^2
        got.push_back(requests(s));
    }
    CHECK(got.size() == 10);
    CHECK(got.front() == 10000);
    CHECK(p.source().position()->index == 9);
    CHECK(p.source().position()->count == 10);

    ReplayOptions none;
    REQUIRE(parse_time_spec("2030-01-01T00:00:00Z", none.begin).is_ok());
    Status e;
    auto src = make_replay_source(rec.path, none, &e);
    CHECK(e.message().find("no snapshot recorded from") != std::string::npos);
}

TEST_CASE("travel::--end HH:MM takes the whole minute, HH:MM:SS the whole second") {
    Recording rec;  // 1800000000 is 2027-01-15T08:00:00Z; one snapshot a second
    const auto played = [&](const char* begin, const char* end) {
        ReplayOptions ro;
        REQUIRE(parse_time_spec(begin, ro.begin).is_ok());
        REQUIRE(parse_time_spec(end, ro.end).is_ok());
        Pipeline p = open(rec.path, ro);
        Snapshot s;
        Rates r;
        std::vector<int64_t> got;
        while (!p.source().exhausted()) {
            REQUIRE(p.refresh(s, r).is_ok());
            got.push_back(requests(s));
        }
        return got;
    };
    const std::vector<int64_t> minute = played("2027-01-15T08:01Z", "2027-01-15T08:01Z");
    REQUIRE(minute.size() == 60);  // 08:01:00 to 08:01:59
    CHECK(minute.front() == 60 * 60);
    CHECK(minute.back() == 119 * 119);
    CHECK(played("2027-01-15T08:01:40Z", "2027-01-15T08:01:40Z") == std::vector<int64_t>{100 * 100});
    CHECK(played("2027-01-15T08:00:10Z", "2027-01-15T08:00:12Z").size() == 3);
}

TEST_CASE("travel::a repeated or earlier recorded time gives unknown rates, not an invented interval") {
    char tmpl[] = "/tmp/uwsgitop-travel-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    const std::string dir = tmpl, path = dir + "/rec.jsonl";
    {
        RecordWriter w;
        REQUIRE(w.open(path).is_ok());
        const double ts[] = {100.0, 101.0, 101.0, 100.5, 102.0};
        for (int i = 0; i < 5; ++i) {
            const std::string doc = "{\"version\":\"2.0.28\",\"workers\":[{\"id\":1,\"pid\":7,\"requests\":" +
                                    std::to_string(i * 10) + ",\"status\":\"idle\"}]}";
            Frame f;
            f.bytes.assign(doc.begin(), doc.end());
            f.wall_time = ts[i];
            REQUIRE(w.append(f, "a", true).is_ok());
        }
    }
    Pipeline p = open(path);
    Snapshot s;
    Rates r;
    std::vector<double> rps;
    while (!p.source().exhausted()) {
        REQUIRE(p.refresh(s, r).is_ok());
        rps.push_back(r.total_requests);
    }
    ::unlink(path.c_str());
    ::rmdir(dir.c_str());
    REQUIRE(rps.size() == 5);
    CHECK(std::isnan(rps[0]));
    CHECK(rps[1] == doctest::Approx(10.0));
    CHECK(std::isnan(rps[2]));  // the same t again
    CHECK(std::isnan(rps[3]));  // an earlier t
    CHECK(rps[4] == doctest::Approx(10.0 / 1.5));  // 100.5 to 102.0
}

TEST_CASE("travel::parse_time_spec") {
    TimeSpec t;
    REQUIRE(parse_time_spec("14:03", t).is_ok());
    CHECK(t.kind == TimeSpec::Kind::TimeOfDay);
    CHECK(t.value == 14 * 3600 + 3 * 60);
    CHECK(t.unit == 60);
    REQUIRE(parse_time_spec("14:03:12", t).is_ok());
    CHECK(t.unit == 1);
    REQUIRE(parse_time_spec("14:03:12.5", t).is_ok());
    CHECK(t.value == doctest::Approx(14 * 3600 + 3 * 60 + 12.5));
    CHECK(t.unit == doctest::Approx(0.1));
    REQUIRE(parse_time_spec("1970-01-01 00:01:00Z", t).is_ok());
    CHECK(t.kind == TimeSpec::Kind::Epoch);
    CHECK(t.value == 60);
    for (const char* bad : {"", "14", "25:00", "14:60", "14:03:", "2026-13-01T00:00", "2026-12-03", "2026-12-03T10:00+1",
                            "noon", "14:03 ", "\x1b[2J"}) {
        INFO(bad);
        const Status st = parse_time_spec(bad, t);
        CHECK_FALSE(st.is_ok());
        CHECK(st.message().find("is not a time") != std::string::npos);
        CHECK(st.message().find('\x1b') == std::string::npos);
    }
}

TEST_CASE("travel::to a recorded time (b, Enter on an event); the window's ends and the gap in position()") {
    Recording rec;
    ReplayOptions ro;
    ro.begin.kind = TimeSpec::Kind::Epoch;
    ro.begin.value = 1800000010.0;
    Pipeline p = open(rec.path, ro);
    Snapshot s;
    Rates r;
    REQUIRE(p.refresh(s, r).is_ok());
    auto at = p.source().position();
    REQUIRE(at);
    CHECK(at->count == 190);
    CHECK(at->first == 1800000010.0);
    CHECK(at->last == 1800000199.0);
    CHECK(at->gap == 1.0);
    // At a recorded time: that snapshot; between two: the one after; outside: the nearest end.
    REQUIRE(p.travel(Travel{Travel::Kind::At, 1800000050.0}, s, r).is_ok());
    CHECK(p.source().position()->index == 40);
    CHECK(requests(s) == 50 * 50);
    REQUIRE(p.travel(Travel{Travel::Kind::At, 1800000050.25}, s, r).is_ok());
    CHECK(p.source().position()->index == 41);
    REQUIRE(p.travel(Travel{Travel::Kind::At, 1700000000.0}, s, r).is_ok());
    CHECK(p.source().position()->index == 0);
    REQUIRE(p.travel(Travel{Travel::Kind::At, 1900000000.0}, s, r).is_ok());
    at = p.source().position();
    CHECK(at->index == 189);
    CHECK(at->gap == 1.0);  // the last: its one neighbour
}

TEST_CASE("travel::set_speed paces the rest of the replay") {
    Recording rec;
    ReplayOptions ro;
    ro.speed = 1;
    Pipeline p = open(rec.path, ro);
    Snapshot s;
    Rates r;
    REQUIRE(p.refresh(s, r).is_ok());
    CHECK(*p.source().delay_before_next() == doctest::Approx(1.0));
    p.source().set_speed(4);
    CHECK(*p.source().delay_before_next() == doctest::Approx(0.25));
    p.source().set_speed(0.25);
    CHECK(*p.source().delay_before_next() == doctest::Approx(4.0));
    p.source().set_speed(0);  // no waiting
    CHECK(*p.source().delay_before_next() == 0);
    p.source().set_speed(-1);  // refused: unchanged
    CHECK(*p.source().delay_before_next() == 0);
}
