// snapshot_checks.hpp — helpers shared by test_parse.cpp and test_repair.cpp:
// reading fixtures, and the invariants every parsed Snapshot must satisfy.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "uwsgitop/parse/parse.hpp"

namespace uwsgitop::testing {

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

}  // namespace uwsgitop::testing
