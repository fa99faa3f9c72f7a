// tui_test_support.hpp — hand-built snapshots and golden-file checks shared by
// the screen's unit tests (test_view_model.cpp, test_render.cpp), and
// eventually() for their threads.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "uwsgitop/model/model.hpp"
#include "uwsgitop/settings/options.hpp"
#include "uwsgitop/rates/rates.hpp"
#include "uwsgitop/tui/grid.hpp"
#include "uwsgitop/tui/keys.hpp"
#include "uwsgitop/tui/view_model.hpp"

namespace tuitest {

using namespace uwsgitop;

constexpr double kNow = 1795547000.0;  // the snapshots' wall-clock time

// Times on screen are local: pin the zone so goldens do not depend on the host.
inline void utc() {
    setenv("TZ", "UTC", 1);
    tzset();
}

struct WorkerSpec {
    int64_t id;
    int64_t pid;
    const char* status;
    int64_t requests;
    double rps;           // NaN: unknown
    int cores = 2;
    int busy_cores = 0;   // the first N cores are in a request
    const char* uri = "/slow";
};

// A master snapshot whose strings live as long as the object.
struct TestSnap {
    Snapshot snap;
    Rates rates;
    std::deque<std::string> strings;

    std::string_view keep(std::string s) {
        strings.push_back(std::move(s));
        return strings.back();
    }

    explicit TestSnap(std::initializer_list<WorkerSpec> specs) {
        snap.kind = SnapshotKind::Master;
        snap.version = "2.0.21";
        snap.cwd = "/srv/app";
        snap.pid = 4000;
        snap.uid = 33;
        snap.gid = 33;
        snap.listen_queue = 0;
        snap.listen_queue_errors = 0;
        snap.load = 1;
        snap.signal_queue = 0;
        rates.interval = 1.0;
        rates.total_requests = 0;
        for (const WorkerSpec& s : specs) add(s);
        snap.sockets.push_back(Socket{"127.0.0.1:8000", "http", 0, 100, 0, 0});
        snap.locks.push_back(Lock{"user 0", 0});
        snap.locks.push_back(Lock{"signal", 4001});
    }

    void add(const WorkerSpec& s) {
        const auto wi = static_cast<uint32_t>(snap.workers.size());
        Worker w;
        w.id = s.id;
        w.pid = s.pid;
        w.status = s.status;
        w.requests = s.requests;
        w.exceptions = s.id;
        w.signals = 0;
        w.accepting = 1;
        w.rss = (10 + s.id) * 1024 * 1024;
        w.vsz = 130 * 1024 * 1024;
        w.tx = s.requests * 1000;
        w.avg_rt = 1500 * s.id;
        w.running_time = 2500000 * s.id;
        w.respawn_count = 1;
        w.harakiri_count = 0;
        w.last_spawn = static_cast<int64_t>(kNow) - 3600;
        w.has_cores = s.cores > 0;
        w.apps = Range{static_cast<uint32_t>(snap.apps.size()), 1};
        App app;
        app.id = 0;
        app.requests = s.requests;
        app.exceptions = s.id;
        app.mountpoint = "";
        snap.apps.push_back(app);
        w.cores = Range{static_cast<uint32_t>(snap.cores.size()), static_cast<uint32_t>(s.cores)};
        WorkerRates wr;
        wr.requests = s.rps;
        wr.exceptions = std::isnan(s.rps) ? NAN : 0.0;
        wr.tx = std::isnan(s.rps) ? NAN : s.rps * 1000;
        rates.workers.push_back(wr);
        if (!std::isnan(s.rps)) rates.total_requests += s.rps;
        for (int k = 0; k < s.cores; ++k) {
            Core c;
            c.worker_index = wi;
            c.id = k;
            c.requests = s.requests / (s.cores) + k;
            c.static_requests = 0;
            c.routed_requests = 0;
            c.offloaded_requests = 0;
            c.write_errors = 0;
            c.read_errors = 0;
            const bool busy = k < s.busy_cores;
            c.in_request = busy ? 1 : 0;
            if (busy) {
                c.request_start = static_cast<int64_t>(kNow) - 2 - k;
                const auto begin = static_cast<uint32_t>(snap.vars.size());
                snap.vars.push_back("REQUEST_METHOD=GET");
                snap.vars.push_back(keep(std::string("REQUEST_URI=") + s.uri + "?w=" + std::to_string(s.id)));
                snap.vars.push_back(keep("REMOTE_ADDR=10.0.0." + std::to_string(s.id)));
                c.vars = Range{begin, 3};
            }
            snap.cores.push_back(c);
            CoreRates cr;
            cr.requests = std::isnan(s.rps) ? NAN : s.rps / s.cores;
            rates.cores.push_back(cr);
        }
        snap.workers.push_back(w);
    }
};

inline Options default_options() {
    Options o;
    return o;
}

inline void keys(tui::ViewModel& vm, std::string_view typed) {
    for (char c : typed) vm.handle_key(static_cast<unsigned char>(c));
}

// Compares `grid` with tests/golden/tui-NAME.txt; UWSGITOP_UPDATE_GOLDEN=1
// rewrites the file instead (review the diff before committing it).
inline void check_golden(const std::string& name, const tui::Grid& grid) {
    const std::string path = std::string(UWSGITOP_TEST_FIXTURES) + "/../golden/tui-" + name + ".txt";
    const std::string actual = grid.to_text();
    const char* update = std::getenv("UWSGITOP_UPDATE_GOLDEN");
    if (update && *update && std::string(update) != "0") {
        std::ofstream(path, std::ios::binary) << actual;
        MESSAGE("golden written: " << path);
        return;
    }
    std::ifstream in(path, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "missing golden file " << path << " (UWSGITOP_UPDATE_GOLDEN=1 writes it)");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string expected = ss.str();
    if (expected != actual) {
        FAIL_CHECK("screen differs from " << path << "\n--- expected\n" << expected << "--- actual\n" << actual);
    }
}

// Every cell holds printable text only (no byte below 0x20, no DEL).
inline bool grid_is_clean(const tui::Grid& g) {
    for (int y = 0; y < g.height(); ++y) {
        for (int x = 0; x < g.width(); ++x) {
            const tui::Cell& c = g.at(x, y);
            for (int i = 0; i < c.len; ++i) {
                const auto b = static_cast<unsigned char>(c.text[i]);
                if (b < 0x20 || b == 0x7F) return false;
            }
        }
    }
    return true;
}

// True once `cond()` holds, polled every 2 ms for at most `seconds`.
template <typename F>
bool eventually(F cond, double seconds = 10.0) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
        if (cond()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return cond();
}

}  // namespace tuitest
