// snapshot_checks.hpp — helpers shared by the parse tests (test_parse.cpp,
// test_repair.cpp, test_core_reader.cpp, test_streamed_parse.cpp): reading
// fixtures, the invariants every parsed Snapshot must satisfy, and the first
// difference between two parses.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "uwsgitop/model/fields.hpp"
#include "uwsgitop/parse/parse.hpp"

namespace uwsgitop::testing {

// Every capture of tests/fixtures the parser must read (the .http ones as
// their bodies, see read_fixture).
inline constexpr const char* kParseFixtures[] = {
    "abstract-1.json", "abstract-2.json", "async.json", "backlog-1.json", "backlog-2.json",
    "cheaper-1.json", "cheaper-2.json", "cheaper-3.json", "cheaper-4.json", "emperor-blacklist.json",
    "emperor-stats.json", "emperor.json", "harakiri-1.json", "harakiri-2.json", "http-1.http", "http-2.http",
    "http-unix-1.http", "http-unix-2.http", "legion.json", "metrics-1.json", "metrics-2.json",
    "minified-1.json", "minified-2.json", "mules-spooler-cache.json", "nocores-1.json", "nocores-2.json",
    "nometrics-1.json", "nometrics-2.json", "pause-1.json", "pause-2.json", "pause-3.json",
    "prefork-1.json", "prefork-2.json", "prefork-3.json", "router-fastrouter.json", "router-http.json",
    "router-weird-key.json", "unix-1.json", "unix-2.json", "weird-cwd.json", "weird-vars-ctl.json",
    "weird-vars-long.json", "weird-vars-nonutf8.json", "weird-vars-quotes.json",
};

inline uwsgitop::ByteBuffer read_fixture(const std::string& name) {
    std::ifstream f(std::string(UWSGITOP_TEST_FIXTURES) + "/" + name, std::ios::binary);
    REQUIRE_MESSAGE(f.good(), name);
    uwsgitop::ByteBuffer v((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (name.size() > 5 && name.substr(name.size() - 5) == ".http") {
        // a whole --stats-http response: the parser gets the body
        const char sep[] = "\r\n\r\n";
        auto it = std::search(v.begin(), v.end(), sep, sep + 4);
        REQUIRE(it != v.end());
        v.erase(v.begin(), it + 4);
    }
    return v;
}

inline uwsgitop::ByteBuffer bytes_of(std::string_view s) {
    return uwsgitop::ByteBuffer(s.begin(), s.end());
}

inline Status parse_text(Parser& p, std::string_view text, Snapshot& snap) {
    uwsgitop::ByteBuffer b = bytes_of(text);
    return p.parse(b, snap);
}

inline bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (len == 0 || i + len > s.size() || (len == 2 && c < 0xC2)) return false;
        for (std::size_t k = 1; k < len; ++k) {
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        }
        i += len;
    }
    return true;
}

// Every string_view in the snapshot, for the "points into storage" and
// "valid UTF-8" invariants.
inline std::vector<std::string_view> all_strings(const Snapshot& s) {
    std::vector<std::string_view> v = {s.version, s.cwd, s.router_name};
    for (const auto& w : s.workers) v.push_back(w.status);
    for (const auto& a : s.apps) v.insert(v.end(), {a.mountpoint, a.chdir});
    v.insert(v.end(), s.vars.begin(), s.vars.end());
    for (const auto& x : s.sockets) v.insert(v.end(), {x.name, x.proto});
    for (const auto& x : s.locks) v.push_back(x.name);
    for (const auto& x : s.caches) v.insert(v.end(), {x.name, x.hash});
    for (const auto& x : s.metrics) v.insert(v.end(), {x.name, x.oid});
    for (const auto& x : s.spoolers) v.push_back(x.dir);
    for (const auto& x : s.daemons) v.push_back(x.cmd);
    for (const auto& x : s.crons) v.insert(v.end(), {x.command, x.legion});
    v.insert(v.end(), s.emperor_scanners.begin(), s.emperor_scanners.end());
    for (const auto& x : s.vassals) v.insert(v.end(), {x.id, x.on_demand, x.monitor});
    for (const auto& x : s.blacklist) v.push_back(x.id);
    v.insert(v.end(), s.router_sockets.begin(), s.router_sockets.end());
    for (const auto& x : s.subscriptions) v.insert(v.end(), {x.key, x.algo});
    for (const auto& x : s.router_nodes) v.insert(v.end(), {x.name, x.vassal, x.proto});
    for (const auto& x : s.static_nodes) v.push_back(x.name);
    return v;
}

// The structural invariants every successful parse must satisfy.
inline void check_invariants(const Snapshot& s) {
    const char* lo = s.storage.data();
    const char* hi = lo + s.storage.size();
    for (std::string_view sv : all_strings(s)) {
        if (!sv.empty()) {
            CHECK(sv.data() >= lo);
            CHECK(sv.data() + sv.size() <= hi);
        }
        CHECK(valid_utf8(sv));
    }
    uint32_t next_core = 0, next_app = 0, next_var = 0;
    for (std::size_t wi = 0; wi < s.workers.size(); ++wi) {
        const Worker& w = s.workers[wi];
        if (w.cores.count > 0) CHECK(w.cores.begin == next_core);
        if (w.apps.count > 0) CHECK(w.apps.begin == next_app);
        next_core += w.cores.count;
        next_app += w.apps.count;
        CHECK(w.cores.begin + w.cores.count <= s.cores.size());
        if (!w.has_cores) CHECK(w.cores.count == 0);
        for (const Core& c : s.cores_of(w)) {
            CHECK(c.worker_index == wi);
            if (c.vars.count > 0) CHECK(c.vars.begin == next_var);
            next_var += c.vars.count;
        }
    }
    CHECK(next_core == s.cores.size());
    CHECK(next_app == s.apps.size());
    CHECK(next_var == s.vars.size());
    uint32_t next_node = 0;
    for (std::size_t i = 0; i < s.subscriptions.size(); ++i) {
        for (const RouterNode& n : s.nodes_of(s.subscriptions[i])) {
            CHECK(n.subscription_index == i);
        }
        next_node += s.subscriptions[i].nodes.count;
    }
    CHECK(next_node == s.router_nodes.size());
}

inline std::string opt(const Int& v) {
    return v ? std::to_string(*v) : std::string("?");
}

// A canonical text form of a snapshot, to compare two parses.
inline std::string describe(const Snapshot& s) {
    std::string d = "kind=" + std::to_string(static_cast<int>(s.kind)) + " repaired=" +
                    std::to_string(s.repaired) + " metrics=" + std::to_string(s.has_metrics) + "\n";
    for (std::string_view sv : all_strings(s)) {
        d.append(sv);
        d += '|';
    }
    d += "\n" + opt(s.pid) + opt(s.load) + opt(s.listen_queue) + opt(s.active_sessions) + opt(s.cheap);
    for (const auto& w : s.workers) {
        d += "\nW" + opt(w.id) + "," + opt(w.pid) + "," + opt(w.requests) + "," + opt(w.rss) + "," +
             opt(w.avg_rt) + "," + opt(w.running_time) + "," + std::to_string(w.cores.begin) + "+" +
             std::to_string(w.cores.count) + "," + std::to_string(w.has_cores);
    }
    for (const auto& c : s.cores) {
        d += "\nC" + opt(c.id) + "," + opt(c.requests) + "," + opt(c.in_request) + "," +
             opt(c.request_start) + "," + std::to_string(c.vars.begin) + "+" + std::to_string(c.vars.count);
    }
    for (const auto& m : s.metrics) d += "\nM" + opt(m.type) + opt(m.value);
    for (const auto& l : s.locks) d += "\nL" + opt(l.pid);
    for (const auto& n : s.router_nodes) d += "\nN" + opt(n.requests) + opt(n.weight);
    return d;
}

// The first difference of one record's fields, or "" when they all agree.
template <class Table>
inline std::string diff_fields(const Table& table, const typename Table::Record& a, const typename Table::Record& b) {
    for (const FieldDef& f : table) {
        const char* pa = reinterpret_cast<const char*>(&a) + f.offset;
        const char* pb = reinterpret_cast<const char*>(&b) + f.offset;
        if (f.type == FieldType::Int) {
            const Int& x = *reinterpret_cast<const Int*>(pa);
            const Int& y = *reinterpret_cast<const Int*>(pb);
            if (!(x == y)) {
                return std::string(f.key) + ": " + std::to_string(x.value_or(-999)) + " vs " +
                       std::to_string(y.value_or(-999));
            }
        } else {
            const auto& x = *reinterpret_cast<const std::string_view*>(pa);
            const auto& y = *reinterpret_cast<const std::string_view*>(pb);
            if (x != y) return std::string(f.key) + ": \"" + std::string(x) + "\" vs \"" + std::string(y) + "\"";
        }
    }
    return {};
}

// The first difference between two parses, or "".
inline std::string diff_snapshots(const Snapshot& a, const Snapshot& b) {
    if (a.kind != b.kind) return "kind";
    if (a.repaired != b.repaired) return "repaired";
    if (a.cores_skipped != b.cores_skipped) return "cores_skipped";
    if (std::string d = diff_fields(kRootFields, a, b); !d.empty()) return "root " + d;
    if (a.workers.size() != b.workers.size()) return "worker count";
    if (a.cores.size() != b.cores.size()) {
        return "core count " + std::to_string(a.cores.size()) + " vs " + std::to_string(b.cores.size());
    }
    if (a.apps.size() != b.apps.size()) return "app count";
    if (a.vars.size() != b.vars.size()) return "var count";
    for (std::size_t i = 0; i < a.workers.size(); ++i) {
        const Worker& x = a.workers[i];
        const Worker& y = b.workers[i];
        const std::string at = "worker " + std::to_string(i) + " ";
        if (std::string d = diff_fields(kWorkerFields, x, y); !d.empty()) return at + d;
        if (x.cores.begin != y.cores.begin || x.cores.count != y.cores.count) return at + "cores range";
        if (x.apps.begin != y.apps.begin || x.apps.count != y.apps.count) return at + "apps range";
        if (x.has_cores != y.has_cores) return at + "has_cores";
    }
    for (std::size_t i = 0; i < a.apps.size(); ++i) {
        if (std::string d = diff_fields(kAppFields, a.apps[i], b.apps[i]); !d.empty()) return "app " + d;
    }
    for (std::size_t i = 0; i < a.cores.size(); ++i) {
        const Core& x = a.cores[i];
        const Core& y = b.cores[i];
        const std::string at = "core " + std::to_string(i) + " ";
        if (std::string d = diff_fields(kCoreFields, x, y); !d.empty()) return at + d;
        if (std::string d = diff_fields(kReqInfoFields, x, y); !d.empty()) return at + d;
        if (x.worker_index != y.worker_index) return at + "worker_index";
        if (x.vars.begin != y.vars.begin || x.vars.count != y.vars.count) return at + "vars range";
    }
    for (std::size_t i = 0; i < a.vars.size(); ++i) {
        if (a.vars[i] != b.vars[i]) return "var " + std::to_string(i);
        // kept like every string: in storage, NUL after it
        if (a.vars[i].data()[a.vars[i].size()] != '\0') return "var " + std::to_string(i) + " not NUL-ended";
    }
    if (a.sockets.size() != b.sockets.size() || a.locks.size() != b.locks.size()) return "sockets/locks";
    return {};
}

}  // namespace uwsgitop::testing
