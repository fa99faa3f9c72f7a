// test_fields.cpp — the one-table rule: every field declared in model/fields.hpp reaches the outputs that carry it.
//
// A snapshot of each document kind (master, Emperor, router) gets every
// declared field set to a value no other field has; then the JSON dump must
// hold "key":value for every row of every table of that kind (and parse back
// into the same members), and the Prometheus text must hold a sample with the
// field's (scaled) value for every exported family.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "../../../src/output/prometheus_families.hpp"
#include "uwsgitop/model/fields.hpp"
#include "uwsgitop/output/dump.hpp"
#include "uwsgitop/output/prometheus.hpp"
#include "uwsgitop/parse/parse.hpp"

using namespace uwsgitop;

namespace {

// Distinct values: ints from 100001 up, strings "v1", "v2", ... (kept here).
struct Filler {
    int64_t next = 100000;
    std::vector<std::unique_ptr<std::string>> strings;

    template <class T, std::size_t N>
    void fill(T& obj, const FieldTable<T, N>& table) {
        for (const FieldDef& f : table) {
            ++next;
            if (f.type == FieldType::Int) {
                int_field(obj, f) = next;
            } else {
                auto value = std::make_unique<std::string>(1, 'v');
                *value += std::to_string(next);
                strings.push_back(std::move(value));
                str_field(obj, f) = *strings.back();
            }
        }
    }
};

// The JSON text a row of `obj` must appear as.
template <class T>
std::string json_pair(const T& obj, const FieldDef& f) {
    std::string s;
    s += '"';
    s += f.key;
    s += "\":";
    if (f.type == FieldType::Int) {
        s += std::to_string(*int_field(obj, f));
    } else {
        s += '"';
        s += str_field(obj, f);
        s += '"';
    }
    return s;
}

template <class T, std::size_t N>
void check_json_has(const std::string& json, const T& obj, const FieldTable<T, N>& table) {
    for (const FieldDef& f : table) {
        const std::string pair = json_pair(obj, f);
        INFO("field ", f.key, " as ", pair);
        CHECK(json.find(pair) != std::string::npos);
    }
}

template <class T, std::size_t N>
void check_same(const T& a, const T& b, const FieldTable<T, N>& table) {
    for (const FieldDef& f : table) {
        INFO("field ", f.key);
        if (f.type == FieldType::Int) {
            CHECK(int_field(a, f) == int_field(b, f));
        } else {
            CHECK(str_field(a, f) == str_field(b, f));
        }
    }
}

void master_snapshot(Snapshot& s, Filler& fill) {
    fill.fill(s, kRootFields);
    Worker& w = s.workers.emplace_back();
    fill.fill(w, kWorkerFields);
    w.apps = Range{0, 1};
    fill.fill(s.apps.emplace_back(), kAppFields);
    w.cores = Range{0, 1};
    w.has_cores = true;
    Core& c = s.cores.emplace_back();
    fill.fill(c, kCoreFields);
    fill.fill(c, kReqInfoFields);
    fill.fill(s.sockets.emplace_back(), kSocketFields);
    fill.fill(s.caches.emplace_back(), kCacheFields);
    s.has_metrics = true;
    Metric& m = s.metrics.emplace_back();
    m.name = "core.busy_workers";
    fill.fill(m, kMetricFields);
    fill.fill(s.spoolers.emplace_back(), kSpoolerFields);
    fill.fill(s.daemons.emplace_back(), kDaemonFields);
    fill.fill(s.crons.emplace_back(), kCronFields);
    fill.fill(s.legions.emplace_back(), kLegionFields);
    s.kind = SnapshotKind::Master;
}

void emperor_snapshot(Snapshot& s, Filler& fill) {
    fill.fill(s, kRootFields);
    fill.fill(s, kEmperorFields);
    fill.fill(s.vassals.emplace_back(), kVassalFields);
    fill.fill(s.blacklist.emplace_back(), kBlacklistFields);
    s.kind = SnapshotKind::Emperor;
}

void router_snapshot(Snapshot& s, Filler& fill) {
    fill.fill(s, kRootFields);
    fill.fill(s, kRouterFields);
    fill.fill(s.static_nodes.emplace_back(), kStaticNodeFields);
    Subscription& sub = s.subscriptions.emplace_back();
    fill.fill(sub, kSubscriptionFields);
    sub.nodes = Range{0, 1};
    fill.fill(s.router_nodes.emplace_back(), kNodeFields);
    s.kind = SnapshotKind::Router;
}

std::string json_of(const Snapshot& s) {
    std::string out;
    dump_json(s, nullptr, 0, DumpOptions{}, out);
    return out;
}

Status parse_back(const std::string& json, Snapshot& out, Parser& parser) {
    ByteBuffer buf(json.begin(), json.end());
    return parser.parse(buf, out);
}

}  // namespace

TEST_CASE("every declared field of a master's document is in the JSON dump and parses back") {
    Snapshot s;
    Filler fill;
    master_snapshot(s, fill);
    const std::string json = json_of(s);
    check_json_has(json, s, kRootFields);
    check_json_has(json, s.workers[0], kWorkerFields);
    check_json_has(json, s.apps[0], kAppFields);
    check_json_has(json, s.cores[0], kCoreFields);
    check_json_has(json, s.cores[0], kReqInfoFields);
    check_json_has(json, s.sockets[0], kSocketFields);
    check_json_has(json, s.caches[0], kCacheFields);
    check_json_has(json, s.metrics[0], kMetricFields);
    check_json_has(json, s.spoolers[0], kSpoolerFields);
    check_json_has(json, s.daemons[0], kDaemonFields);
    check_json_has(json, s.crons[0], kCronFields);
    check_json_has(json, s.legions[0], kLegionFields);

    Parser parser;
    Snapshot back;
    REQUIRE(parse_back(json, back, parser).is_ok());
    REQUIRE(back.kind == SnapshotKind::Master);
    REQUIRE(back.workers.size() == 1);
    REQUIRE(back.apps.size() == 1);
    REQUIRE(back.cores.size() == 1);
    REQUIRE(back.metrics.size() == 1);
    check_same(s, back, kRootFields);
    check_same(s.workers[0], back.workers[0], kWorkerFields);
    check_same(s.apps[0], back.apps[0], kAppFields);
    check_same(s.cores[0], back.cores[0], kCoreFields);
    check_same(s.cores[0], back.cores[0], kReqInfoFields);
    check_same(s.sockets.at(0), back.sockets.at(0), kSocketFields);
    check_same(s.caches.at(0), back.caches.at(0), kCacheFields);
    check_same(s.metrics[0], back.metrics[0], kMetricFields);
    check_same(s.spoolers.at(0), back.spoolers.at(0), kSpoolerFields);
    check_same(s.daemons.at(0), back.daemons.at(0), kDaemonFields);
    check_same(s.crons.at(0), back.crons.at(0), kCronFields);
    check_same(s.legions.at(0), back.legions.at(0), kLegionFields);
}

TEST_CASE("every declared field of an Emperor's and a router's document is in the JSON dump and parses back") {
    Filler fill;
    Parser parser;
    {
        Snapshot s;
        emperor_snapshot(s, fill);
        const std::string json = json_of(s);
        // An Emperor's document has no master-only rows.
        for (const FieldDef& f : kRootFields) {
            INFO("field ", f.key);
            CHECK((json.find(json_pair(s, f)) != std::string::npos) == ((f.flags & kFieldMasterOnly) == 0));
        }
        check_json_has(json, s, kEmperorFields);
        check_json_has(json, s.vassals[0], kVassalFields);
        check_json_has(json, s.blacklist[0], kBlacklistFields);
        Snapshot back;
        REQUIRE(parse_back(json, back, parser).is_ok());
        REQUIRE(back.kind == SnapshotKind::Emperor);
        check_same(s, back, kEmperorFields);
        check_same(s.vassals.at(0), back.vassals.at(0), kVassalFields);
        check_same(s.blacklist.at(0), back.blacklist.at(0), kBlacklistFields);
    }
    {
        Snapshot s;
        router_snapshot(s, fill);
        const std::string json = json_of(s);
        check_json_has(json, s, kRouterFields);
        check_json_has(json, s.static_nodes[0], kStaticNodeFields);
        check_json_has(json, s.subscriptions[0], kSubscriptionFields);
        check_json_has(json, s.router_nodes[0], kNodeFields);
        // "cheap" closes a router's document, after its lists.
        CHECK(json.find(json_pair(s, kRouterFields["cheap"])) > json.find("\"subscriptions\":"));
        Snapshot back;
        REQUIRE(parse_back(json, back, parser).is_ok());
        REQUIRE(back.kind == SnapshotKind::Router);
        check_same(s, back, kRouterFields);
        check_same(s.static_nodes.at(0), back.static_nodes.at(0), kStaticNodeFields);
        check_same(s.subscriptions.at(0), back.subscriptions.at(0), kSubscriptionFields);
        check_same(s.router_nodes.at(0), back.router_nodes.at(0), kNodeFields);
    }
}

namespace {

// Is `f` a row of `table`?
template <class T, std::size_t N>
bool row_of(const FieldDef* f, const FieldTable<T, N>& table) {
    return f >= table.begin() && f < table.end();
}

bool declared_for(const detail::Family& fam) {
    using detail::Series;
    const FieldDef* f = fam.field;
    switch (fam.series) {
    case Series::Master: return row_of(f, kRootFields);
    case Series::Emperor: return row_of(f, kRootFields) || row_of(f, kEmperorFields);
    case Series::Socket: return row_of(f, kSocketFields);
    case Series::Worker: return row_of(f, kWorkerFields);
    case Series::App: return row_of(f, kAppFields);
    case Series::Cache: return row_of(f, kCacheFields);
    case Series::Vassal: return row_of(f, kVassalFields);
    case Series::Core: return row_of(f, kCoreFields);
    }
    return false;
}

// The value of the first sample of family `name` in `text`, or NaN.
double first_sample(const std::string& text, const std::string& name) {
    std::string start;
    start += '\n';
    start += name;
    start += '{';
    const std::size_t at = text.find(start);
    if (at == std::string::npos) return NAN;
    const std::size_t value = text.find("} ", at);
    return std::stod(text.substr(value + 2, text.find('\n', value) - value - 2));
}

}  // namespace

TEST_CASE("every Prometheus family names a declared Int field of its series' record, each family once") {
    std::set<std::string_view> names;
    auto check = [&](const detail::Family& fam) {
        INFO("family ", fam.name);
        CHECK(names.insert(fam.name).second);
        if (fam.derived == detail::Derived::None) {
            REQUIRE(fam.field != nullptr);
            CHECK(declared_for(fam));
            CHECK(fam.field->type == FieldType::Int);
        } else {
            CHECK(fam.field == nullptr);
        }
    };
    for (const detail::Family& fam : detail::kFamilies) check(fam);
    for (const detail::Family& fam : detail::kCoreFamilies) check(fam);
}

TEST_CASE("every exported field reaches the Prometheus text with its scaled value") {
    Filler fill;
    std::vector<std::unique_ptr<Instance>> fleet;
    for (auto make : {master_snapshot, emperor_snapshot, router_snapshot}) {
        auto inst = std::make_unique<Instance>();
        inst->target = Target{std::to_string(fleet.size()), "127.0.0.1:1"};
        make(inst->snapshot, fill);
        inst->has_data = inst->last_ok = true;
        fleet.push_back(std::move(inst));
    }
    const Snapshot& master = fleet[0]->snapshot;
    const Snapshot& emperor = fleet[1]->snapshot;
    std::string text;
    write_prometheus(fleet, PrometheusOptions{.openmetrics = true, .cores = true}, text);

    auto expect = [&](const detail::Family& fam, const Int& v) {
        std::string sample(fam.name);
        if (fam.kind == detail::Kind::Counter) sample += "_total";
        INFO("family ", fam.name, " value ", *v);
        const double got = first_sample(text, sample);
        CHECK(got == doctest::Approx(static_cast<double>(*v) * fam.scale).epsilon(1e-9));
    };
    for (const detail::Family* list : {std::begin(detail::kFamilies), std::begin(detail::kCoreFamilies)}) {
        const detail::Family* end = list == std::begin(detail::kFamilies) ? std::end(detail::kFamilies)
                                                                          : std::end(detail::kCoreFamilies);
        for (const detail::Family* fam = list; fam != end; ++fam) {
            if (fam->field == nullptr) continue;  // derived: tested in test_dump.cpp
            using detail::Series;
            switch (fam->series) {
            case Series::Master: expect(*fam, int_field(master, *fam->field)); break;
            case Series::Emperor: expect(*fam, int_field(emperor, *fam->field)); break;
            case Series::Socket: expect(*fam, int_field(master.sockets[0], *fam->field)); break;
            case Series::Worker: expect(*fam, int_field(master.workers[0], *fam->field)); break;
            case Series::App: expect(*fam, int_field(master.apps[0], *fam->field)); break;
            case Series::Cache: expect(*fam, int_field(master.caches[0], *fam->field)); break;
            case Series::Vassal: expect(*fam, int_field(emperor.vassals[0], *fam->field)); break;
            case Series::Core: expect(*fam, int_field(master.cores[0], *fam->field)); break;
            }
        }
    }
}
