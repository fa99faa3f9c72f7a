// Unit tests for tui/view_model.hpp: key sequences replayed against the
// view-model with hand-built snapshots (no terminal); and for the feed that
// brings it snapshots (tui/fetcher.hpp) with an in-memory Source.
#include <doctest/doctest.h>

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "tui_test_support.hpp"
#include "big_stats_doc.hpp"
#include "../resident_pages.hpp"
#include "uwsgitop/source/frame.hpp"
#include "uwsgitop/source/recording.hpp"
#include "uwsgitop/pipeline/pipeline.hpp"
#include "uwsgitop/view/rows.hpp"
#include "uwsgitop/tui/fetcher.hpp"
#include "uwsgitop/tui/keys.hpp"
#include "uwsgitop/tui/view_model.hpp"

using namespace uwsgitop;
using namespace uwsgitop::tui;
using tuitest::TestSnap;
using tuitest::keys;

namespace {

// ids 1..4; requests 10, 40, 40, 20; rps known for all but worker 4.
TestSnap four() {
    return TestSnap{
        {1, 101, "idle", 10, 1.0, 2, 0},
        {2, 102, "busy", 40, 5.0, 2, 1},
        {3, 103, "busy", 40, 3.0, 2, 2, "/api"},
        {4, 104, "sig17", 20, NAN, 2, 0},
    };
}

std::vector<int64_t> ids(const ViewModel& vm) {
    std::vector<int64_t> out;
    for (RowRef r : vm.worker_rows()) {
        const Worker& w = vm.snapshot()->workers[r.worker];
        const int64_t wid = *w.id;
        out.push_back(r.is_core() ? wid * 100 + *vm.snapshot()->cores[r.core].id : wid);
    }
    return out;
}

int64_t selected_id(const ViewModel& vm) {
    const RowRef r = vm.worker_rows()[static_cast<std::size_t>(vm.state().selected)];
    return *vm.snapshot()->workers[r.worker].id;
}

ViewModel make(TestSnap& t, int w = 120, int h = 30) {
    ViewModel vm(tuitest::default_options(), "127.0.0.1:9191");
    vm.set_size(w, h);
    vm.set_snapshot(&t.snap, &t.rates, tuitest::kNow);
    return vm;
}

// Many workers (ids with duplicates and cheap 0s), requests and rates with
// many ties and some unknowns, 0-6 cores each, some of them busy (so text
// columns such as the URI have values and unknowns).
TestSnap random_snap(std::mt19937& rng, int workers) {
    TestSnap t{};
    std::uniform_int_distribution<int> id(0, workers / 2), req(0, 9), cores(0, 6), pct(0, 99);
    static const char* const kStatus[] = {"idle", "busy", "cheap", "sig17", "pause"};
    static const char* const kUri[] = {"/a", "/b", "/slow", "/api/x"};
    for (int i = 0; i < workers; ++i) {
        const int n = cores(rng);
        std::uniform_int_distribution<int> busy(0, n);
        t.add({id(rng), 1000 + i, kStatus[pct(rng) % 5], req(rng) * 10, pct(rng) < 20 ? NAN : req(rng) * 0.5,
               n, busy(rng), kUri[pct(rng) % 4]});
    }
    return t;
}

bool same_rows(const std::vector<RowRef>& a, std::size_t a0, const std::vector<RowRef>& b, std::size_t b0,
               std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
        if (a[a0 + i].worker != b[b0 + i].worker || a[a0 + i].core != b[b0 + i].core) return false;
    }
    return true;
}

std::vector<uint64_t> sorted_refs(const std::vector<RowRef>& v, std::size_t first, std::size_t last) {
    std::vector<uint64_t> out;
    for (std::size_t i = first; i < last; ++i) out.push_back(uint64_t{v[i].worker} << 32 | v[i].core);
    std::sort(out.begin(), out.end());
    return out;
}

// The rows a full sort shows on the view-model's screen.
std::vector<RowRef> full_sort(const ViewModel& vm) {
    std::vector<RowRef> rows;
    build_rows(*vm.snapshot(), vm.row_mode(), rows);
    sort_rows(rows, vm.context(), vm.sort(), vm.row_mode());
    return rows;
}

// The screen's rows (and the selected one) are those of a full sort.
void check_window(const ViewModel& vm) {
    const std::vector<RowRef> full = full_sort(vm);
    const auto& rows = vm.worker_rows();
    REQUIRE(rows.size() == full.size());
    const std::size_t top = static_cast<std::size_t>(vm.state().top);
    const std::size_t shown = std::min(rows.size() - top, static_cast<std::size_t>(vm.areas().table_rows));
    CHECK(same_rows(rows, top, full, top, shown));
    CHECK(sorted_refs(rows, 0, rows.size()) == sorted_refs(full, 0, full.size()));
    if (!rows.empty()) CHECK(same_rows(rows, static_cast<std::size_t>(vm.state().selected), full,
                                       static_cast<std::size_t>(vm.state().selected), 1));
}

}  // namespace

TEST_SUITE("view_model") {

TEST_CASE("view_model::sort default is requests descending, ties by worker id") {
    TestSnap t = four();
    ViewModel vm = make(t);
    CHECK(vm.sort().column == ColumnId::Requests);
    CHECK(vm.sort().descending);
    CHECK(ids(vm) == std::vector<int64_t>{2, 3, 4, 1});
}

TEST_CASE("view_model::sort keys: a column's key sorts, the same key again flips") {
    TestSnap t = four();
    ViewModel vm = make(t);
    keys(vm, "S");  // rps, natural direction descending; unknown last
    CHECK(vm.sort().column == ColumnId::Rps);
    CHECK(ids(vm) == std::vector<int64_t>{2, 3, 1, 4});
    keys(vm, "S");
    CHECK_FALSE(vm.sort().descending);
    CHECK(ids(vm) == std::vector<int64_t>{1, 3, 2, 4});  // unknown stays last
    keys(vm, "P");  // pid ascending
    CHECK(ids(vm) == std::vector<int64_t>{1, 2, 3, 4});
    SUBCASE("r and I invert") {
        keys(vm, "r");
        CHECK(ids(vm) == std::vector<int64_t>{4, 3, 2, 1});
        keys(vm, "I");
        CHECK(ids(vm) == std::vector<int64_t>{1, 2, 3, 4});
    }
    SUBCASE("< and > walk the shown columns") {
        keys(vm, ">");  // PID -> REQ
        CHECK(vm.sort().column == ColumnId::Requests);
        keys(vm, "<<");  // -> PID -> %
        CHECK(vm.sort().column == ColumnId::Share);
        keys(vm, "<<<<");  // stops at the first column
        CHECK(vm.sort().column == ColumnId::Id);
        keys(vm, "W");  // same column: flips
        CHECK(vm.sort().descending);
        CHECK(ids(vm) == std::vector<int64_t>{4, 3, 2, 1});
    }
}

TEST_CASE("view_model::the sort message says the direction the header shows") {
    // < then r: the message written by < must not keep the old direction.
    TestSnap t = four();
    ViewModel vm = make(t);
    keys(vm, "P");
    CHECK(std::string(vm.flash()) == "sort: PID (ascending)");
    keys(vm, "<");
    CHECK(vm.sort().column == ColumnId::Share);
    keys(vm, ">");
    CHECK(std::string(vm.flash()) == "sort: PID (ascending)");
    keys(vm, "r");
    CHECK(vm.sort().descending);
    CHECK(std::string(vm.flash()) == "sort: PID (descending)");
    keys(vm, "I");
    CHECK(std::string(vm.flash()) == "sort: PID (ascending)");
    SUBCASE("on another pane too") {
        keys(vm, "\t");
        REQUIRE(vm.pane() != PaneId::Workers);
        keys(vm, ">");
        const std::string first(vm.flash());
        CHECK(first.find(vm.state().descending ? "(descending)" : "(ascending)") != std::string::npos);
        keys(vm, "r");
        CHECK(std::string(vm.flash()).find(vm.state().descending ? "(descending)" : "(ascending)") !=
              std::string::npos);
        CHECK(std::string(vm.flash()) != first);
    }
    SUBCASE("another message replaces it") {
        keys(vm, "f");
        CHECK(std::string(vm.flash()).find("sort") == std::string::npos);
    }
}

TEST_CASE("view_model::selection follows the worker id across refreshes") {
    TestSnap t = four();
    ViewModel vm = make(t);
    vm.handle_key(key::Down);
    vm.handle_key(key::Down);
    CHECK(selected_id(vm) == 4);  // order 2, 3, 4, 1
    // Next snapshot: worker 1 now has the most requests; the order changes.
    TestSnap t2{
        {1, 101, "busy", 90, 1.0, 2, 1},
        {2, 102, "busy", 41, 5.0, 2, 1},
        {3, 103, "busy", 42, 3.0, 2, 2},
        {4, 204, "idle", 21, NAN, 2, 0},  // respawned: new pid, same id
    };
    vm.set_snapshot(&t2.snap, &t2.rates, tuitest::kNow + 1);
    CHECK(ids(vm) == std::vector<int64_t>{1, 3, 2, 4});
    CHECK(vm.state().selected == 3);
    CHECK(selected_id(vm) == 4);
    SUBCASE("a vanished worker leaves the selection at the same position") {
        TestSnap t3{{1, 101, "idle", 10, 1.0}, {2, 102, "idle", 20, 1.0}, {3, 103, "idle", 30, 1.0}};
        vm.set_snapshot(&t3.snap, &t3.rates, tuitest::kNow + 2);
        CHECK(vm.state().selected == 2);
        CHECK(selected_id(vm) == 1);
    }
}

TEST_CASE("view_model::a cycles workers, cores as WID:CID, cores under workers") {
    TestSnap t = four();
    ViewModel vm = make(t);
    CHECK(vm.row_mode() == RowMode::Workers);
    CHECK(vm.worker_rows().size() == 4);
    keys(vm, "a");
    CHECK(vm.row_mode() == RowMode::Cores);
    CHECK(vm.worker_rows().size() == 8);
    CHECK(vm.worker_columns().front() == ColumnId::Id);
    CHECK(std::find(vm.worker_columns().begin(), vm.worker_columns().end(), ColumnId::Uri) !=
          vm.worker_columns().end());
    keys(vm, "a");
    CHECK(vm.row_mode() == RowMode::WorkersTree);
    CHECK(vm.worker_rows().size() == 12);
    CHECK_FALSE(vm.worker_rows()[0].is_core());
    CHECK(vm.worker_rows()[1].is_core());
    CHECK(vm.worker_rows()[1].worker == vm.worker_rows()[0].worker);
    keys(vm, "a");
    CHECK(vm.row_mode() == RowMode::Workers);
    SUBCASE("--cores starts in the cores mode") {
        Options o;
        o.cores = true;
        ViewModel vc(o, "x");
        vc.set_snapshot(&t.snap, &t.rates, tuitest::kNow);
        CHECK(vc.row_mode() == RowMode::Cores);
    }
    SUBCASE("--columns applies in every mode") {
        Options o;
        o.columns = {ColumnId::Id, ColumnId::Pid};
        ViewModel vc(o, "x");
        keys(vc, "a");
        CHECK(vc.worker_columns().size() == 2);
    }
}

TEST_CASE("view_model::filter by status, pid, id, WID:CID and text") {
    TestSnap t = four();
    ViewModel vm = make(t);
    keys(vm, "/busy");
    CHECK(vm.filter_editing());
    CHECK(ids(vm) == std::vector<int64_t>{2, 3});
    vm.handle_key(key::Enter);
    CHECK_FALSE(vm.filter_editing());
    CHECK(vm.state().filter == "busy");
    CHECK(vm.worker_rows_total() == 4);
    vm.handle_key(key::Escape);  // clears
    CHECK(vm.state().filter.empty());
    CHECK(ids(vm).size() == 4);

    keys(vm, "/104");  // pid
    CHECK(ids(vm) == std::vector<int64_t>{4});
    vm.handle_key(key::Escape);
    keys(vm, "/10");  // the start of a pid: pids 101..104
    CHECK(ids(vm).size() == 4);
    vm.handle_key(key::Backspace);
    keys(vm, "2");  // "/12": no worker 12, no pid starting 12
    CHECK(ids(vm).empty());
    vm.handle_key(key::Escape);
    keys(vm, "/3");  // id
    CHECK(ids(vm) == std::vector<int64_t>{3});
    vm.handle_key(key::Backspace);
    keys(vm, "SIG");  // status prefix, any case
    CHECK(ids(vm) == std::vector<int64_t>{4});
    vm.handle_key(key::Escape);
    keys(vm, "/api");  // the URI of a request in flight
    CHECK(ids(vm) == std::vector<int64_t>{3});
    vm.handle_key(key::Escape);
    auto sorted_ids = [&] {
        std::vector<int64_t> v = ids(vm);
        std::sort(v.begin(), v.end());
        return v;
    };
    keys(vm, "/!busy");  // '!' excludes
    CHECK(sorted_ids() == std::vector<int64_t>{1, 4});
    vm.handle_key(key::Escape);
    keys(vm, "/3|sig");  // '|' takes either: worker 3, a sigNN status
    CHECK(sorted_ids() == std::vector<int64_t>{3, 4});
    vm.handle_key(key::Escape);
    keys(vm, "/!sig|api");  // neither
    CHECK(sorted_ids() == std::vector<int64_t>{1, 2});
    vm.handle_key(key::Escape);
    SUBCASE("in the cores modes") {
        keys(vm, "a/3:1");
        CHECK(ids(vm) == std::vector<int64_t>{301});
        vm.handle_key(key::Escape);
        keys(vm, "/busy");
        CHECK(ids(vm) == std::vector<int64_t>{301, 200, 300});  // busy cores only, by requests
        for (RowRef r : vm.worker_rows()) CHECK(*t.snap.cores[r.core].in_request == 1);
        vm.handle_key(key::Escape);
        keys(vm, "a/api");  // tree: the worker and its matching cores
        CHECK(ids(vm) == std::vector<int64_t>{3, 301, 300});
    }
    SUBCASE("a filter that matches nothing leaves an empty table") {
        keys(vm, "/nothing-like-this");
        CHECK(vm.row_count() == 0);
        vm.handle_key(key::Down);  // harmless
        CHECK(vm.state().selected == 0);
    }
}

TEST_CASE("view_model::scrolling with PgUp/PgDn/Home/End keeps the selection visible") {
    TestSnap t{};
    for (int i = 1; i <= 50; ++i) t.add({i, 1000 + i, "idle", 100 - i, 1.0});
    ViewModel vm = make(t, 80, 11);  // 5 table rows
    const int rows = vm.areas().table_rows;
    REQUIRE(rows == 5);
    vm.handle_key(key::PageDown);
    CHECK(vm.state().selected == 5);
    CHECK(vm.state().top == 1);
    vm.handle_key(key::End);
    CHECK(vm.state().selected == 49);
    CHECK(vm.state().top == 45);
    vm.handle_key(key::PageUp);
    CHECK(vm.state().selected == 44);
    CHECK(vm.state().top == 44);
    vm.handle_key(key::Home);
    CHECK(vm.state().selected == 0);
    CHECK(vm.state().top == 0);
    keys(vm, "jjj");
    CHECK(vm.state().selected == 3);
    keys(vm, "k");
    CHECK(vm.state().selected == 2);
    SUBCASE("a smaller terminal keeps the selection on screen") {
        vm.handle_key(key::End);
        vm.set_size(80, 8);
        CHECK(vm.state().top + vm.areas().table_rows > vm.state().selected);
        CHECK(vm.state().top <= vm.state().selected);
    }
}

TEST_CASE("view_model::panes: Tab and number keys; each pane keeps its state") {
    TestSnap t = four();
    ViewModel vm = make(t);
    REQUIRE(vm.panes() == std::vector<PaneId>{PaneId::Workers, PaneId::Sockets, PaneId::Locks});
    vm.handle_key(key::Tab);
    CHECK(vm.pane() == PaneId::Sockets);
    CHECK(vm.row_count() == 1);
    keys(vm, "3");
    CHECK(vm.pane() == PaneId::Locks);
    CHECK(vm.row_count() == 2);
    vm.handle_key(key::Down);
    CHECK(vm.state().selected == 1);
    keys(vm, "9");  // no such pane: stays
    CHECK(vm.pane() == PaneId::Locks);
    vm.handle_key(key::BackTab);
    CHECK(vm.pane() == PaneId::Sockets);
    keys(vm, "3");
    CHECK(vm.state().selected == 1);  // kept
    SUBCASE("sorting another pane with < > r") {
        keys(vm, ">");  // sort by the second column (HELD BY)
        CHECK(vm.state().sorted);
        CHECK(vm.state().sort_col == 1);
        CHECK(vm.pane_rows() == std::vector<uint32_t>{1, 0});  // pid 4001 before "free"
        CHECK(vm.state().selected == 0);  // the selection followed "signal"
        keys(vm, "<");  // by name, ascending
        CHECK(vm.pane_rows() == std::vector<uint32_t>{1, 0});
        keys(vm, "r");
        CHECK(vm.pane_rows() == std::vector<uint32_t>{0, 1});
        CHECK(vm.state().selected == 1);
    }
    SUBCASE("a filter in another pane") {
        keys(vm, "/sig\n");
        CHECK(vm.pane_rows() == std::vector<uint32_t>{1});
        keys(vm, "1");
        CHECK(vm.state().filter.empty());
        CHECK(vm.row_count() == 4);
    }
    SUBCASE("metrics only when the server sent them") {
        t.snap.has_metrics = true;
        vm.set_snapshot(&t.snap, &t.rates, tuitest::kNow);
        CHECK(vm.panes().back() == PaneId::Metrics);
    }
}

TEST_CASE("view_model::an Emperor opens on its vassals") {
    Snapshot s;
    s.kind = SnapshotKind::Emperor;
    Vassal a, b;
    a.id = "a.ini";
    a.pid = 10;
    b.id = "b.ini";
    b.pid = 11;
    s.vassals = {a, b};
    ViewModel vm(tuitest::default_options(), "emperor");
    vm.set_snapshot(&s, nullptr, tuitest::kNow);
    CHECK(vm.pane() == PaneId::Vassals);
    CHECK(vm.panes() == std::vector<PaneId>{PaneId::Vassals});
    CHECK(vm.row_count() == 2);
    keys(vm, "a");  // only for the worker table: nothing changes
    CHECK(vm.row_mode() == RowMode::Workers);
    CHECK_FALSE(vm.flash().empty());
    vm.handle_key(key::Enter);
    CHECK(vm.overlay() == Overlay::Detail);
    CHECK(vm.detail_key() == "a.ini");
}

TEST_CASE("view_model::Enter opens details, Esc and q close overlays, q quits") {
    TestSnap t = four();
    ViewModel vm = make(t);
    vm.handle_key(key::Down);  // worker 3
    vm.handle_key(key::Enter);
    CHECK(vm.overlay() == Overlay::Detail);
    CHECK(vm.detail_worker() == 3);
    vm.handle_key(key::Escape);
    CHECK(vm.overlay() == Overlay::None);
    keys(vm, "?");
    CHECK(vm.overlay() == Overlay::Help);
    keys(vm, "q");
    CHECK(vm.overlay() == Overlay::None);
    CHECK_FALSE(vm.quit_requested());
    vm.handle_key(key::F1);
    CHECK(vm.overlay() == Overlay::Help);
    keys(vm, "h");
    CHECK(vm.overlay() == Overlay::None);
    SUBCASE("help scrolls within its length") {
        vm.set_size(80, 10);
        keys(vm, "?");
        vm.handle_key(key::End);
        const int end = vm.overlay_scroll();
        CHECK(end > 0);
        CHECK(end == vm.overlay_rows() - (vm.areas().status_row - vm.areas().summary_lines));
        vm.handle_key(key::Down);
        CHECK(vm.overlay_scroll() == end);
        vm.handle_key(key::Home);
        CHECK(vm.overlay_scroll() == 0);
    }
    SUBCASE("a table key closes an overlay and acts") {
        keys(vm, "?");
        keys(vm, "S");
        CHECK(vm.overlay() == Overlay::None);
        CHECK(vm.sort().column == ColumnId::Rps);
    }
    SUBCASE("q quits from the table") {
        keys(vm, "q");
        CHECK(vm.quit_requested());
    }
}

TEST_CASE("view_model::the cores are needed only by what shows them") {
    TestSnap t = four();
    ViewModel vm = make(t);
    CHECK_FALSE(vm.needs_cores());  // the worker table
    keys(vm, "a");
    CHECK(vm.needs_cores());        // cores as WID:CID
    keys(vm, "a");
    CHECK(vm.needs_cores());        // cores under their worker
    keys(vm, "a");
    CHECK_FALSE(vm.needs_cores());  // back to workers
    vm.handle_key(key::Enter);
    REQUIRE(vm.overlay() == Overlay::Detail);
    CHECK(vm.needs_cores());        // the details list a worker's cores
    vm.handle_key(key::Escape);
    CHECK_FALSE(vm.needs_cores());
    keys(vm, "/api");
    CHECK(vm.needs_cores());        // a filter also matches the requests cores serve
    vm.handle_key(key::Escape);
    vm.handle_key(key::Escape);
    CHECK(vm.state().filter.empty());
    CHECK_FALSE(vm.needs_cores());
    keys(vm, "a2");                 // another pane: its rows are not cores
    CHECK(vm.pane() == PaneId::Sockets);
    CHECK_FALSE(vm.needs_cores());
    keys(vm, "1");
    CHECK(vm.needs_cores());        // the worker pane kept its row mode
}

TEST_CASE("view_model::pause, fast refresh and the interval") {
    TestSnap t = four();
    ViewModel vm = make(t);
    CHECK(vm.interval() == doctest::Approx(1.0));
    keys(vm, "f");
    CHECK(vm.fast());
    CHECK(vm.interval() == doctest::Approx(kFastInterval));
    keys(vm, "f");
    CHECK(vm.interval() == doctest::Approx(1.0));
    keys(vm, "+");
    CHECK(vm.interval() == doctest::Approx(2.0));
    keys(vm, "--");
    CHECK(vm.interval() == doctest::Approx(0.5));
    keys(vm, "------");
    CHECK(vm.interval() == doctest::Approx(0.1));  // bounded
    for (int i = 0; i < 20; ++i) keys(vm, "+");
    CHECK(vm.interval() == doctest::Approx(60.0));
    keys(vm, " ");
    CHECK(vm.paused());
    keys(vm, " ");
    CHECK_FALSE(vm.paused());
    SUBCASE("--frequency fractions are kept") {
        Options o;
        o.interval = 0.25;
        ViewModel v2(o, "x");
        CHECK(v2.interval() == doctest::Approx(0.25));
        keys(v2, "+");
        CHECK(v2.interval() == doctest::Approx(0.5));
    }
}

TEST_CASE("view_model::fetch results: stale, recovery, end of recording") {
    TestSnap t = four();
    ViewModel vm = make(t);
    vm.set_fetch_ok(10.0);
    CHECK(vm.feed().have_data);
    vm.set_fetch_error("127.0.0.1:9191: connection refused", 11.0);
    vm.set_fetch_error("127.0.0.1:9191: connection refused", 13.0);
    CHECK(vm.feed().failures == 2);
    CHECK(vm.feed().error_since == doctest::Approx(11.0));
    CHECK(vm.snapshot() == &t.snap);  // the last good snapshot stays
    vm.set_fetch_ok(14.0);
    CHECK(vm.feed().error.empty());
    CHECK(vm.feed().failures == 0);
    vm.set_ended();
    CHECK(vm.feed().ended);
}

TEST_CASE("view_model::unknown keys say where help is; no snapshot is harmless") {
    ViewModel vm(tuitest::default_options(), "x");
    vm.handle_key('z');
    CHECK(vm.flash().find("? for help") != std::string_view::npos);
    for (int k : {int(key::Down), int(key::End), int(key::Enter), int('a'), int('S'), int(key::Tab), int('/'), int('z'), int(key::Escape), int('>')}) {
        vm.handle_key(k);
    }
    CHECK(vm.row_count() == 0);
    CHECK(vm.overlay() == Overlay::None);
}

TEST_CASE("view_model::every key in the table does something or is documented") {
    for (const KeyBinding& b : key_bindings()) {
        CAPTURE(key_name(b.key));
        CHECK(find_binding(b.key) == &b);  // no key bound twice
        CHECK(b.action != Action::None);
    }
    // Every column with a sort key gets it back from sort_key_for().
    int with_keys = 0;
    for (const ColumnDef& c : all_columns()) {
        const int k = sort_key_for(c.id);
        if (k == key::None) continue;
        ++with_keys;
        const KeyBinding* b = find_binding(k);
        REQUIRE(b);
        CHECK(b->action == Action::SortBy);
        CHECK(b->arg == static_cast<uint8_t>(c.id));
    }
    for (ColumnId id : default_worker_columns()) CHECK(sort_key_for(id) != key::None);
    CHECK(with_keys >= 20);
}

}  // TEST_SUITE

// --- the feed: fetch thread and hand-off (fetcher.hpp) ------------------------------


namespace {

// Serves a fixture from memory; can fail, count, and end like a recording.
class TestSource final : public Source {
public:
    explicit TestSource(std::string doc) : doc_(std::move(doc)) {}
    Status fetch(Frame& frame) override {
        const int now = ++in_flight;
        if (now > max_in_flight) max_in_flight = now;
        ++fetches;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        --in_flight;
        if (fail) return Status::fail("test: connection refused");
        frame.bytes.assign(doc_.begin(), doc_.end());
        frame.wall_time = tuitest::kNow + fetches;
        frame.mono_time = monotonic_seconds();
        return Status::ok();
    }
    const std::string& label() const override { return label_; }
    bool exhausted() const override { return end_after > 0 && fetches >= end_after; }

    std::atomic<bool> fail{false};
    std::atomic<int> fetches{0};
    std::atomic<int> in_flight{0};
    std::atomic<int> max_in_flight{0};
    int end_after = 0;

private:
    std::string doc_;
    std::string label_ = "test";
};

std::string fixture(const char* name) {
    std::ifstream in(std::string(UWSGITOP_TEST_FIXTURES) + "/" + name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

TEST_SUITE("fetcher") {

TEST_CASE("fetcher::backoff doubles from the interval up to a few seconds") {
    CHECK(backoff_delay(1.0, 0) == doctest::Approx(1.0));
    CHECK(backoff_delay(1.0, 1) == doctest::Approx(1.0));
    CHECK(backoff_delay(1.0, 2) == doctest::Approx(2.0));
    CHECK(backoff_delay(1.0, 3) == doctest::Approx(4.0));
    CHECK(backoff_delay(1.0, 4) == doctest::Approx(kMaxBackoff));
    CHECK(backoff_delay(1.0, 1000) == doctest::Approx(kMaxBackoff));
    CHECK(backoff_delay(0.1, 1) == doctest::Approx(0.1));
    CHECK(backoff_delay(0.1, 3) == doctest::Approx(0.4));
    CHECK(backoff_delay(30.0, 5) == doctest::Approx(30.0));  // never faster than asked
}

TEST_CASE("fetcher::snapshots are handed over without copies; failures keep the shown one") {
    auto owned = std::make_unique<TestSource>(fixture("prefork-1.json"));
    TestSource& src = *owned;
    Pipeline pipeline(std::move(owned));
    Fetcher f(pipeline);
    f.start(0.01, false);
    Slot shown;
    REQUIRE(tuitest::eventually([&] { return f.take(shown); }));
    CHECK(shown.snap.workers.size() == 4);
    CHECK(shown.wall_time > tuitest::kNow);
    FetchReport rep;
    uint64_t seen = 0;
    CHECK(f.poll(seen, rep));
    CHECK(rep.ok);
    // Buffers circulate (the shown slot, the fetch slot, the pipeline's read
    // buffer) instead of being allocated for each snapshot.
    std::set<const char*> buffers;
    for (int i = 0; i < 8; ++i) {
        REQUIRE(tuitest::eventually([&] { return f.take(shown); }));
        buffers.insert(shown.snap.storage.data());
        CHECK(shown.snap.version == "2.0.21-debian");  // views point into the storage
    }
    CHECK(buffers.size() <= 3);
    src.fail = true;
    REQUIRE(tuitest::eventually([&] { return f.poll(seen, rep) && !rep.ok; }));
    CHECK(rep.message == "test: connection refused");
    CHECK_FALSE(f.take(shown));  // nothing new: the last good one stays
    CHECK(shown.snap.workers.size() == 4);
    src.fail = false;
    REQUIRE(tuitest::eventually([&] { return f.take(shown); }, 15.0));  // recovers (after backoff)
    CHECK(f.stop(10.0));
    CHECK(src.max_in_flight == 1);  // one fetch, one connection at a time
}

TEST_CASE("fetcher::a long wait gives the dead buffers' pages back, and what comes next is whole") {
    const std::string doc = testing::make_async_stats(4, 1000, 7, 1, false);  // about 1 MB
    Parser reference_parser;
    ByteBuffer bytes(doc.begin(), doc.end());
    Snapshot reference;
    REQUIRE(reference_parser.parse(bytes, reference));
    REQUIRE(reference.cores.size() == 4000);

    auto owned = std::make_unique<TestSource>(doc);
    Pipeline pipeline(std::move(owned));
    Fetcher f(pipeline);
    f.start(kIdleRelease + 1.0, false);  // waits long enough (kIdleRelease), with room for a slow machine
    Slot shown;
    REQUIRE(tuitest::eventually([&] { return f.take(shown); }));
    // The table of the snapshot on screen now; after the next take it is the
    // fetch thread's, dead until the fetch after.
    const void* old_cores = shown.snap.cores.data();
    const std::size_t old_bytes = shown.snap.cores.size() * sizeof(Core);
    REQUIRE(testing::resident_pages(old_cores, old_bytes) > 50);
    REQUIRE(tuitest::eventually([&] { return f.take(shown); }));
    CHECK(shown.snap.cores.data() != old_cores);
    CHECK(tuitest::eventually([&] { return testing::resident_pages(old_cores, old_bytes) == 0; }, 0.9));
    // The snapshot on screen keeps its pages.
    CHECK(testing::resident_pages(shown.snap.cores.data(), old_bytes) > 50);
    // Parsed into released buffers, the next snapshot is the same as a
    // fresh parse of the document, core by core and var by var.
    REQUIRE(tuitest::eventually([&] { return f.take(shown); }));
    CHECK(shown.snap.cores.data() == old_cores);  // the same allocation, refilled
    REQUIRE(shown.snap.cores.size() == reference.cores.size());
    REQUIRE(shown.snap.workers.size() == reference.workers.size());
    REQUIRE(shown.snap.vars.size() == reference.vars.size());
    for (std::size_t i = 0; i < reference.cores.size(); ++i) {
        const Core& a = shown.snap.cores[i];
        const Core& b = reference.cores[i];
        CHECK(a.requests == b.requests);
        CHECK(a.in_request == b.in_request);
        CHECK(a.request_start == b.request_start);
        CHECK(a.vars.count == b.vars.count);
    }
    for (std::size_t i = 0; i < reference.vars.size(); ++i) CHECK(shown.snap.vars[i] == reference.vars[i]);
    for (std::size_t i = 0; i < reference.workers.size(); ++i) {
        CHECK(shown.snap.workers[i].status == reference.workers[i].status);
    }
    CHECK(shown.snap.version == reference.version);
    CHECK(f.stop(10.0));
}

TEST_CASE("fetcher::a refresh at the default 1 s keeps its buffers resident") {
    const std::string doc = testing::make_async_stats(4, 1000, 7, 1, false);
    auto owned = std::make_unique<TestSource>(doc);
    Pipeline pipeline(std::move(owned));
    Fetcher f(pipeline);
    f.start(1.0, false);  // below kIdleRelease: no system calls, no page faults
    Slot shown;
    REQUIRE(tuitest::eventually([&] { return f.take(shown); }));
    const void* old_cores = shown.snap.cores.data();
    const std::size_t old_bytes = shown.snap.cores.size() * sizeof(Core);
    REQUIRE(tuitest::eventually([&] { return f.take(shown); }));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // half of the wait for the next fetch
    CHECK(testing::resident_pages(old_cores, old_bytes) > 50);
    CHECK(f.stop(10.0));
}

TEST_CASE("fetcher::ready_fd is readable from each report until the next poll") {
    auto owned = std::make_unique<TestSource>(fixture("prefork-1.json"));
    TestSource& src = *owned;
    Pipeline pipeline(std::move(owned));
    Fetcher f(pipeline);
    REQUIRE(f.ready_fd() >= 0);
    const auto readable = [&](int ms) {
        pollfd p{f.ready_fd(), POLLIN, 0};
        return ::poll(&p, 1, ms) == 1;
    };
    CHECK_FALSE(readable(0));
    f.start(0.5, false);
    REQUIRE(readable(5000));  // the first fetch's report wakes a sleeper
    FetchReport rep;
    uint64_t seen = 0;
    REQUIRE(f.poll(seen, rep));
    CHECK(rep.ok);
    CHECK_FALSE(readable(0));  // polled: quiet until the next report
    src.fail = true;           // the next fetch fails: a failure reports too
    Slot shown;
    REQUIRE(f.take(shown));    // the report came with its snapshot
    REQUIRE(readable(5000));
    REQUIRE(f.poll(seen, rep));
    CHECK_FALSE(rep.ok);
    CHECK_FALSE(f.take(shown));  // a failure hands nothing over
    CHECK(f.stop(10.0));
}

TEST_CASE("fetcher::a new replay speed measures the wait for the next record again") {
    // Three records 60 s apart, played at 1x: the second is a minute away
    // until + makes it no waiting at all.
    char tmpl[] = "/tmp/uwsgitop-speed-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    const std::string dir = tmpl, path = dir + "/rec.jsonl";
    {
        RecordWriter w;
        REQUIRE(w.open(path).is_ok());
        const std::string doc = fixture("prefork-1.json");
        for (int i = 0; i < 3; ++i) {
            Frame fr;
            fr.bytes.assign(doc.begin(), doc.end());
            fr.wall_time = tuitest::kNow + 60.0 * i;
            REQUIRE(w.append(fr, "a", true).is_ok());
        }
    }
    Status e;
    Pipeline pipeline(make_replay_source(path, ReplayOptions{}, &e));
    REQUIRE(e.is_ok());
    Fetcher f(pipeline);
    f.start(1.0, false);
    Slot shown;
    REQUIRE(tuitest::eventually([&] { return f.take(shown); }));
    REQUIRE(shown.position);
    CHECK(shown.position->index == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK_FALSE(f.take(shown));  // a minute to wait at 1x
    f.set_speed(0);
    REQUIRE(tuitest::eventually([&] { return f.take(shown); }, 5.0));
    CHECK(shown.position->index == 1);
    CHECK(f.stop(10.0));
    ::unlink(path.c_str());
    ::rmdir(dir.c_str());
}

TEST_CASE("fetcher::pause stops fetching; resume fetches at once") {
    auto owned = std::make_unique<TestSource>(fixture("prefork-1.json"));
    TestSource& src = *owned;
    Pipeline pipeline(std::move(owned));
    Fetcher f(pipeline);
    f.start(0.005, false);
    Slot shown;
    REQUIRE(tuitest::eventually([&] { return f.take(shown); }));
    f.configure(0.005, true);
    const int at_pause = src.fetches;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    f.take(shown);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK(src.fetches <= at_pause + 1);  // at most the one already in flight
    f.configure(60.0, false);  // a long interval: only the immediate fetch
    REQUIRE(tuitest::eventually([&] { return src.fetches > at_pause + 1 || f.take(shown); }));
    CHECK(f.stop(10.0));
}

namespace {

// A fetcher that does not want cores, on a 60 s interval (so only its first
// fetch happens unless something wakes it), with that first snapshot taken.
struct LeanFetcher {
    std::unique_ptr<TestSource> owned = std::make_unique<TestSource>(fixture("prefork-1.json"));
    TestSource& src = *owned;
    Pipeline pipeline{std::move(owned)};
    Fetcher f{pipeline};
    Slot shown;
    LeanFetcher() {
        f.want_cores(false);
        f.start(60.0, false);
        REQUIRE(tuitest::eventually([&] { return f.take(shown); }));
    }
};

}  // namespace

TEST_CASE("fetcher::without cores until they are wanted, then at once") {
    LeanFetcher lean;
    TestSource& src = lean.src;
    Fetcher& f = lean.f;
    Slot& shown = lean.shown;
    CHECK(shown.snap.workers.size() == 4);
    CHECK(shown.snap.cores.empty());
    CHECK(shown.snap.cores_skipped);
    const int before = src.fetches;
    f.want_cores(false);  // no change: no fetch
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK(src.fetches == before);
    f.want_cores(true);
    REQUIRE(tuitest::eventually([&] { return f.take(shown); }));
    CHECK(src.fetches == before + 1);
    CHECK(shown.snap.cores.size() == 8);
    CHECK_FALSE(shown.snap.cores_skipped);
    CHECK(f.stop(10.0));
}

TEST_CASE("fetcher::keys in a burst add at most one early fetch a second") {
    LeanFetcher lean;
    TestSource& src = lean.src;
    Fetcher& f = lean.f;
    Slot& shown = lean.shown;
    const int before = src.fetches;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 10; ++i) {  // e.g. Enter, Esc, Enter, ... within about 0.4 s
        f.want_cores(true);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        f.take(shown);
        f.want_cores(i == 9);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    // Whatever the machine's speed, within the first second only one fetch.
    if (std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(900)) {
        CHECK(src.fetches <= before + 1);
    }
    // The cores still wanted at the end arrive with the second early fetch.
    REQUIRE(tuitest::eventually([&] {
        f.take(shown);
        return shown.wall_time == tuitest::kNow + (before + 2);  // the source numbers its fetches
    }));
    CHECK_FALSE(shown.snap.cores.empty());
    CHECK(src.fetches == before + 2);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(src.fetches == before + 2);  // then the 60 s interval again
    CHECK(f.stop(10.0));
}

TEST_CASE("fetcher::a finite source ends with a final report") {
    auto owned = std::make_unique<TestSource>(fixture("prefork-1.json"));
    owned->end_after = 2;
    Pipeline pipeline(std::move(owned));
    Fetcher f(pipeline);
    f.start(0.001, false);
    Slot shown;
    FetchReport rep;
    uint64_t seen = 0;
    REQUIRE(tuitest::eventually([&] {
        f.take(shown);
        return f.poll(seen, rep) && rep.ended;
    }));
    CHECK(rep.ok);
    CHECK(f.stop(5.0));
}


TEST_CASE("rows::FlatOrder windows equal the full sort, for any window and column") {
    std::mt19937 rng(6);
    TestSnap t = random_snap(rng, 120);
    const RowContext ctx{&t.snap, &t.rates, tuitest::kNow, total_requests(t.snap)};
    const ColumnId columns[] = {ColumnId::Requests, ColumnId::Id, ColumnId::Rps, ColumnId::Status,
                                ColumnId::Uri, ColumnId::InRequest, ColumnId::Share};
    int windows = 0;
    for (RowMode mode : {RowMode::Workers, RowMode::Cores}) {
        std::vector<RowRef> built;
        build_rows(t.snap, mode, built);
        const std::size_t n = built.size();
        REQUIRE(n > 100);
        for (ColumnId c : columns) {
            for (bool desc : {false, true}) {
                CAPTURE(static_cast<int>(c));
                CAPTURE(desc);
                const SortSpec spec{c, desc};
                std::vector<RowRef> full = built;
                sort_rows(full, ctx, spec, mode);
                FlatOrder order;
                std::vector<RowRef> rows = built;
                order.compute(rows, ctx, spec);
                REQUIRE(order.size() == n);
                // Ranks before anything is arranged: positions in the full sort.
                for (std::size_t i = 0; i < n; i += 7) {
                    const std::size_t r = order.rank(i);
                    REQUIRE(r < n);
                    CHECK(same_rows(full, r, rows, i, 1));
                }
                // Windows one after the other on the same list (keys follow the rows).
                std::vector<std::pair<std::size_t, std::size_t>> wins = {
                    {0, 10}, {n - 10, n}, {n / 2 - 5, n / 2 + 5}, {0, n}, {1, n - 1}, {n - 1, n}, {0, 1},
                    {5, 5}, {n, n}, {7, 3}, {n - 3, n + 20}};
                std::uniform_int_distribution<std::size_t> pos(0, n);
                for (int i = 0; i < 25; ++i) {
                    std::size_t a = pos(rng), b = pos(rng);
                    if (a > b) std::swap(a, b);
                    wins.push_back({a, b});
                }
                for (const auto& win : wins) {
                    const std::size_t first = win.first, last = win.second;
                    CAPTURE(first);
                    CAPTURE(last);
                    order.arrange(rows, first, last);
                    ++windows;
                    const std::size_t end = std::min(last, n);
                    if (first < end) CHECK(same_rows(rows, first, full, first, end - first));
                    // Nothing lost; the rows before the window are the full sort's.
                    CHECK(sorted_refs(rows, 0, n) == sorted_refs(full, 0, n));
                    if (first < end) CHECK(sorted_refs(rows, 0, first) == sorted_refs(full, 0, first));
                    const std::size_t i = pos(rng) % n, j = pos(rng) % n;
                    CHECK(same_rows(full, order.rank(i), rows, i, 1));
                    CHECK(order.before(i, j) == (order.rank(i) < order.rank(j)));
                }
            }
        }
    }
    CHECK(windows > 400);
}

TEST_CASE("view_model::long lists: the rows on screen are those of a full sort") {
    const auto generate = [] {
        std::mt19937 rng(66);
        return random_snap(rng, 300);  // about 900 core rows
    };
    TestSnap t = generate();
    Options o;
    o.cores = true;
    ViewModel vm(o, "x");
    vm.set_size(100, 16);
    vm.set_snapshot(&t.snap, &t.rates, tuitest::kNow);
    REQUIRE(vm.worker_rows().size() > 400);
    REQUIRE(vm.areas().table_rows > 3);
    check_window(vm);
    // Sort by every column, both ways, and move around: top, middle, end.
    const int moves[] = {key::PageDown, key::PageDown, 'j', key::End, key::PageUp, 'k', key::Home};
    for (int c = 0; c < 12; ++c) {
        keys(vm, ">");
        for (int k : moves) {
            vm.handle_key(k);
            check_window(vm);
        }
        keys(vm, "r");
        check_window(vm);
        for (int i = 0; i < 13; ++i) vm.handle_key(key::PageDown);
        check_window(vm);
    }
    SUBCASE("the selection keeps its row when the order changes under it") {
        keys(vm, "R");  // requests
        for (int i = 0; i < 20; ++i) vm.handle_key(key::PageDown);
        const RowRef sel = vm.worker_rows()[static_cast<std::size_t>(vm.state().selected)];
        REQUIRE(sel.is_core());
        const int64_t wid = *t.snap.workers[sel.worker].id, cid = *t.snap.cores[sel.core].id;
        // Same rows, the selected core now with the most requests: it moves
        // from deep in the list to the top, far outside the sorted window.
        TestSnap t2 = generate();
        t2.snap.cores[sel.core].requests = 1000000;
        vm.set_snapshot(&t2.snap, &t2.rates, tuitest::kNow + 1);
        check_window(vm);
        const RowRef now = vm.worker_rows()[static_cast<std::size_t>(vm.state().selected)];
        CHECK(*t2.snap.workers[now.worker].id == wid);
        CHECK(*t2.snap.cores[now.core].id == cid);
        // And to the bottom (unknown requests sort last).
        TestSnap t3 = generate();
        t3.snap.cores[sel.core].requests = Int{};
        vm.set_snapshot(&t3.snap, &t3.rates, tuitest::kNow + 2);
        check_window(vm);
        const RowRef last = vm.worker_rows()[static_cast<std::size_t>(vm.state().selected)];
        CHECK(*t3.snap.cores[last.core].id == cid);
        CHECK(*t3.snap.workers[last.worker].id == wid);
    }
    SUBCASE("a vanished core: the first row of its worker, as with a full sort") {
        keys(vm, "R");
        for (int i = 0; i < 10; ++i) vm.handle_key(key::PageDown);
        const RowRef sel = vm.worker_rows()[static_cast<std::size_t>(vm.state().selected)];
        const int64_t wid = *t.snap.workers[sel.worker].id, cid = *t.snap.cores[sel.core].id;
        TestSnap t2 = generate();
        t2.snap.cores[sel.core].id = 99;  // another core id: the selected one is gone
        vm.set_snapshot(&t2.snap, &t2.rates, tuitest::kNow + 1);
        check_window(vm);
        // The first row with both ids (a duplicate worker id may have one),
        // else the first of the worker, in the full order.
        const std::vector<RowRef> full = full_sort(vm);
        std::size_t exact = full.size(), same = full.size();
        for (std::size_t i = 0; i < full.size(); ++i) {
            if (*t2.snap.workers[full[i].worker].id != wid) continue;
            if (*t2.snap.cores[full[i].core].id == cid && exact == full.size()) exact = i;
            if (same == full.size()) same = i;
        }
        const std::size_t expect = exact < full.size() ? exact : same;
        REQUIRE(expect < full.size());
        CHECK(vm.state().top > 0);
        CHECK(static_cast<std::size_t>(vm.state().selected) == expect);
    }
}

TEST_CASE("view_model::s saves the layout and the row mode; the filter only on a second s") {
    TestSnap t = four();
    char tmpl[] = "/tmp/uwsgitop-vm-save-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    const std::string dir = tmpl;
    Options o;
    o.view_state_path = dir + "/view.toml";
    auto saved = [&] {
        std::ifstream in(o.view_state_path);
        std::ostringstream text;
        text << in.rdbuf();
        return text.str();
    };
    ViewModel vm(o, "127.0.0.1:9191");
    vm.set_size(120, 30);
    vm.set_snapshot(&t.snap, &t.rates, tuitest::kNow);
    CHECK(vm.notice().empty());  // no saved view read: nothing said
    keys(vm, "aa");
    REQUIRE(vm.row_mode() == RowMode::WorkersTree);
    keys(vm, "s");
    CHECK(saved().find("rows = \"tree\"") != std::string::npos);
    CHECK(saved().find("filter") == std::string::npos);
    CHECK(vm.flash() == "view saved to " + o.view_state_path);

    keys(vm, "/busy");
    vm.handle_key(key::Enter);
    keys(vm, "s");  // the layout, not the filter: the status line offers it
    CHECK(saved().find("filter") == std::string::npos);
    CHECK(std::string(vm.flash()).find("not the filter: s again keeps it too") != std::string::npos);
    keys(vm, "s");
    CHECK(saved().find("filter = \"busy\"") != std::string::npos);
    CHECK(std::string(vm.flash()).find("with the filter") != std::string::npos);

    keys(vm, "s");  // offered again, and another key takes the offer back
    CHECK(saved().find("filter") == std::string::npos);
    keys(vm, "j");
    keys(vm, "s");
    CHECK(saved().find("filter") == std::string::npos);
    ::unlink(o.view_state_path.c_str());
    ::rmdir(dir.c_str());

    SUBCASE("a saved view in effect is said at start, until the first key") {
        Options with_view;
        with_view.view_state_path = "/home/u/.local/state/uwsgitop/view.toml";
        with_view.saved_view_keys = {"columns", "rows"};
        with_view.rows = RowMode::Cores;
        with_view.rows_given = true;
        ViewModel started(with_view, "x");
        started.set_size(120, 30);
        started.set_snapshot(&t.snap, &t.rates, tuitest::kNow);
        CHECK(started.row_mode() == RowMode::Cores);
        CHECK(started.notice() == "saved view in effect (columns, rows) from " + with_view.view_state_path +
                                      ": delete it to forget");
        keys(started, "j");
        CHECK(started.notice().empty());
    }
}

}  // TEST_SUITE
