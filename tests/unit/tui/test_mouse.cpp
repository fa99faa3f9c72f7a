// Unit tests for the mouse (tui/mouse.hpp, ViewModel::handle_mouse) and the
// save key: events placed with the hit spans of a real render, no terminal.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tui_test_support.hpp"
#include "uwsgitop/settings/settings_file.hpp"
#include "uwsgitop/tui/fleet_view.hpp"
#include "uwsgitop/tui/render.hpp"
#include "uwsgitop/tui/view_model.hpp"

using namespace uwsgitop;
using namespace uwsgitop::tui;
using tuitest::TestSnap;

namespace {

TestSnap many(int n) {
    TestSnap t{};
    for (int i = 1; i <= n; ++i) {
        t.add({i, 1000 + i, i % 3 ? "idle" : "busy", 10 * i, static_cast<double>(i % 7), 2, 0});
    }
    return t;
}

int64_t selected_id(const ViewModel& vm) {
    const RowRef r = vm.worker_rows()[static_cast<std::size_t>(vm.state().selected)];
    return *vm.snapshot()->workers[r.worker].id;
}

MouseEvent press(int x, int y) { return MouseEvent{MouseKind::Press, x, y}; }

// Where the header cell of `id` was drawn.
int header_x(const ViewModel& vm, const ScreenHits& hits, ColumnId id) {
    const auto cols = vm.worker_columns();
    for (const HitSpan& h : hits.header) {
        if (h.index >= 0 && cols[static_cast<std::size_t>(h.index)] == id) return h.x + h.width / 2;
    }
    FAIL("column not on screen");
    return -1;
}

std::string row_text(const Grid& g, int y) {
    std::string s;
    for (int x = 0; x < g.width(); ++x) {
        const Cell& c = g.at(x, y);
        s.append(c.text, c.len ? c.len : 0);
        if (!c.len && c.width) s += ' ';
    }
    return s;
}

}  // namespace

TEST_SUITE("mouse") {

TEST_CASE("mouse::a header click sorts by that column, a second one reverses") {
    TestSnap t = many(8);
    ViewModel vm(tuitest::default_options(), "127.0.0.1:9191");
    vm.set_size(120, 30);
    vm.set_snapshot(&t.snap, &t.rates, tuitest::kNow);
    Renderer r;
    Grid g;
    r.render(vm, g);
    const int x = header_x(vm, r.hits(), ColumnId::Pid);
    const HitSpan* span = ScreenHits::find(r.hits().header, x);
    REQUIRE(span);
    INFO(row_text(g, vm.areas().header_row));
    CHECK(row_text(g, vm.areas().header_row).substr(static_cast<std::size_t>(span->x), static_cast<std::size_t>(span->width))
              .find("PID") != std::string::npos);
    vm.handle_mouse(press(x, vm.areas().header_row), r.hits());
    CHECK(vm.sort().column == ColumnId::Pid);
    const bool first = vm.sort().descending;
    CHECK(first == column(ColumnId::Pid).default_desc);
    r.render(vm, g);
    vm.handle_mouse(press(header_x(vm, r.hits(), ColumnId::Pid), vm.areas().header_row), r.hits());
    CHECK(vm.sort().column == ColumnId::Pid);
    CHECK(vm.sort().descending != first);
    // The order on screen follows: ascending pid puts worker 1 first.
    vm.handle_mouse(press(header_x(vm, r.hits(), ColumnId::Pid), vm.areas().header_row), r.hits());
    r.render(vm, g);
    const RowRef top = vm.worker_rows().front();
    CHECK(*vm.snapshot()->workers[top.worker].id == (vm.sort().descending ? 8 : 1));
    // A click between columns or on the spark column does nothing.
    const SortSpec before = vm.sort();
    vm.handle_mouse(press(119, vm.areas().header_row), r.hits());
    CHECK(vm.sort().column == before.column);
    CHECK(vm.sort().descending == before.descending);
}

TEST_CASE("mouse::a row click selects; a double click opens; a slow second click does not") {
    TestSnap t = many(8);
    ViewModel vm(tuitest::default_options(), "127.0.0.1:9191");
    vm.set_size(120, 30);
    vm.set_snapshot(&t.snap, &t.rates, tuitest::kNow);
    Renderer r;
    Grid g;
    r.render(vm, g);
    const int y = vm.areas().table_top + 3;
    vm.set_clock(10.0);
    vm.handle_mouse(press(5, y), r.hits());
    CHECK(vm.state().selected == 3);
    CHECK(vm.overlay() == Overlay::None);
    vm.handle_mouse(MouseEvent{MouseKind::Release, 5, y}, r.hits());
    vm.set_clock(11.0);  // too late for a double click
    vm.handle_mouse(press(5, y), r.hits());
    CHECK(vm.overlay() == Overlay::None);
    vm.set_clock(11.2);
    vm.handle_mouse(press(5, y), r.hits());
    REQUIRE(vm.overlay() == Overlay::Detail);
    CHECK(vm.detail_worker() == selected_id(vm));
    // Below the last row: nothing selected.
    vm.apply(Action::Back);
    vm.handle_key(key::Escape);
    vm.handle_key('q');  // closes the overlay
    TestSnap small = many(2);
    vm.set_snapshot(&small.snap, &small.rates, tuitest::kNow);
    vm.set_clock(20.0);
    vm.handle_mouse(press(5, vm.areas().table_top + 10), r.hits());
    CHECK(vm.state().selected <= 1);
    CHECK(vm.overlay() == Overlay::None);
}

TEST_CASE("mouse::the wheel scrolls the table three rows a notch, and the help text") {
    TestSnap t = many(60);
    ViewModel vm(tuitest::default_options(), "127.0.0.1:9191");
    vm.set_size(100, 20);
    vm.set_snapshot(&t.snap, &t.rates, tuitest::kNow);
    REQUIRE(vm.areas().table_rows < 60);
    const ScreenHits none;
    vm.handle_mouse(MouseEvent{MouseKind::WheelDown, 3, 10}, none);
    CHECK(vm.state().top == 3);
    CHECK(vm.state().selected >= 3);  // the selection stays on screen
    vm.handle_mouse(MouseEvent{MouseKind::WheelDown, 3, 10}, none);
    CHECK(vm.state().top == 6);
    vm.handle_mouse(MouseEvent{MouseKind::WheelUp, 3, 10}, none);
    CHECK(vm.state().top == 3);
    for (int i = 0; i < 50; ++i) vm.handle_mouse(MouseEvent{MouseKind::WheelDown, 3, 10}, none);
    CHECK(vm.state().top == 60 - vm.areas().table_rows);  // stops at the end
    vm.handle_key('?');
    REQUIRE(vm.overlay() == Overlay::Help);
    vm.handle_mouse(MouseEvent{MouseKind::WheelDown, 3, 10}, none);
    CHECK(vm.overlay_scroll() == 3);
    vm.handle_mouse(MouseEvent{MouseKind::WheelUp, 3, 10}, none);
    CHECK(vm.overlay_scroll() == 0);
}

TEST_CASE("mouse::a tab click switches pane") {
    TestSnap t = many(4);
    ViewModel vm(tuitest::default_options(), "127.0.0.1:9191");
    vm.set_size(120, 30);
    vm.set_snapshot(&t.snap, &t.rates, tuitest::kNow);
    Renderer r;
    Grid g;
    r.render(vm, g);
    REQUIRE(vm.panes().size() >= 3);
    REQUIRE(r.hits().tabs.size() == vm.panes().size());
    const HitSpan tab = r.hits().tabs[2];
    vm.handle_mouse(press(tab.x + 1, vm.areas().tabs_row), r.hits());
    CHECK(vm.pane() == vm.panes()[2]);
    r.render(vm, g);
    CHECK(row_text(g, vm.areas().tabs_row).substr(static_cast<std::size_t>(tab.x), static_cast<std::size_t>(tab.width))
              .find(pane_def(vm.pane()).name) != std::string::npos);
    // On another pane a header click sorts that pane's table by the column.
    r.render(vm, g);
    REQUIRE_FALSE(r.hits().header.empty());
    const HitSpan h = r.hits().header[0];
    vm.handle_mouse(press(h.x, vm.areas().header_row), r.hits());
    CHECK(vm.state().sorted);
    CHECK(vm.state().sort_col == 0);
    const bool desc = vm.state().descending;
    vm.handle_mouse(press(h.x, vm.areas().header_row), r.hits());
    CHECK(vm.state().descending != desc);
}

TEST_CASE("mouse::m turns the mouse off and on; --no-mouse starts with it off") {
    TestSnap t = many(8);
    ViewModel vm(tuitest::default_options(), "127.0.0.1:9191");
    vm.set_size(120, 30);
    vm.set_snapshot(&t.snap, &t.rates, tuitest::kNow);
    Renderer r;
    Grid g;
    r.render(vm, g);
    CHECK(vm.mouse());
    vm.handle_key('m');
    CHECK_FALSE(vm.mouse());
    vm.handle_mouse(press(5, vm.areas().table_top + 4), r.hits());
    CHECK(vm.state().selected == 0);  // ignored
    vm.handle_key('m');
    vm.handle_mouse(press(5, vm.areas().table_top + 4), r.hits());
    CHECK(vm.state().selected == 4);

    Options o = tuitest::default_options();
    o.mouse = false;
    ViewModel off(o, "x");
    CHECK_FALSE(off.mouse());
    // The key table documents both keys (the help screen is made from it).
    const KeyBinding* s = find_binding('s');
    const KeyBinding* m = find_binding('m');
    REQUIRE(s);
    REQUIRE(m);
    CHECK(s->action == Action::SaveView);
    CHECK(m->action == Action::ToggleMouse);
    CHECK(m->help.find("Shift") != std::string_view::npos);
}

TEST_CASE("save key: the view written is the one read at the next start") {
    namespace fs = std::filesystem;
    std::string tmpl = (fs::temp_directory_path() / "uwsgitop-save-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    const fs::path dir = tmpl;
    SettingsEnvironment env;
    env.user_config = (dir / "config.toml").string();
    env.view_state = (dir / "state" / "view.toml").string();
    const std::string mine = "# hand-written\ncolumns = [\"id\", \"pid\", \"rss\"]  # kept\n";
    std::ofstream(env.user_config) << mine;
    const char* argv[] = {"uwsgitop", "127.0.0.1:1"};
    Options o;
    REQUIRE(load_settings(2, argv, env, o).is_ok());

    TestSnap t = many(8);
    {
        ViewModel vm(o, "127.0.0.1:1");
        vm.set_size(120, 30);
        vm.set_snapshot(&t.snap, &t.rates, tuitest::kNow);
        vm.handle_key('P');  // sort by pid
        vm.handle_key('+');  // a longer interval
        tuitest::keys(vm, "/busy\n");
        vm.handle_key('s');  // the layout; the filter is offered
        CHECK(std::string(vm.flash()) == "view saved to " + env.view_state + ", not the filter: s again keeps it too");
        vm.handle_key('s');  // and kept
        CHECK(std::string(vm.flash()) == "view saved to " + env.view_state + " with the filter");
    }
    std::ifstream in(env.user_config);
    CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == mine);

    Options again;
    REQUIRE(load_settings(2, argv, env, again).is_ok());
    ViewModel vm2(again, "127.0.0.1:1");
    vm2.set_size(120, 30);
    vm2.set_snapshot(&t.snap, &t.rates, tuitest::kNow);
    CHECK(vm2.sort().column == ColumnId::Pid);
    CHECK(vm2.state().filter == "busy");
    CHECK(vm2.base_interval() > 1.0);
    CHECK(std::vector<ColumnId>(vm2.worker_columns().begin(), vm2.worker_columns().end()) ==
          std::vector<ColumnId>{ColumnId::Id, ColumnId::Pid, ColumnId::Rss});
    for (RowRef r : vm2.worker_rows()) CHECK(t.snap.workers[r.worker].status == "busy");

    // A state directory that cannot be made: one line on the status line.
    std::ofstream(dir / "file") << "x";
    Options bad = again;
    bad.view_state_path = (dir / "file" / "sub" / "view.toml").string();
    ViewModel vm3(bad, "127.0.0.1:1");
    vm3.set_size(120, 30);
    vm3.set_snapshot(&t.snap, &t.rates, tuitest::kNow);
    vm3.handle_key('s');
    const std::string flash(vm3.flash());
    CHECK(flash.rfind("cannot save the view to " + bad.view_state_path + ": ", 0) == 0);
    CHECK(flash.find('\n') == std::string::npos);
    Renderer r;
    Grid g;
    r.render(vm3, g);
    CHECK(row_text(g, vm3.areas().status_row).find("cannot save the view") != std::string::npos);
    std::error_code ec;
    fs::remove_all(dir, ec);
}

TEST_CASE("mouse::the fleet screen: header sorts, row selects, double click opens, wheel moves") {
    const auto cols = fleet_columns();
    std::size_t name_col = cols.size();
    for (std::size_t i = 0; i < cols.size(); ++i) {
        if (cols[i].name == "name") name_col = i;
    }
    REQUIRE(name_col < cols.size());
    std::vector<FleetRow> rows;
    for (const char* n : {"delta", "alpha", "echo", "bravo", "charlie", "foxtrot", "golf"}) {
        FleetRow r;
        r.name = n;
        r.address = std::string("127.0.0.1:") + std::to_string(9000 + rows.size());
        r.kind = FleetState::Ok;
        r.state = "ok";
        r.cells.resize(cols.size());
        for (FleetCell& c : r.cells) c.text.assign(1, '-');
        r.cells[name_col].text = n;
        r.cells[name_col].known = true;
        rows.push_back(std::move(r));
    }
    FleetViewModel vm(1.0);
    vm.set_size(120, 30);
    vm.set_rows(rows);
    Grid g;
    ScreenHits hits;
    render_fleet(vm, g, &hits);
    const ScreenAreas a = compute_areas(120, 30);
    const HitSpan* name_span = nullptr;
    for (const HitSpan& h : hits.header) {
        if (h.index == static_cast<int>(name_col)) name_span = &h;
    }
    REQUIRE(name_span);
    const int nx = name_span->x;
    vm.handle_mouse(press(nx, a.header_row), hits);
    CHECK(vm.sorted());
    CHECK(vm.sort_column() == name_col);
    const bool desc = vm.descending();
    render_fleet(vm, g, &hits);
    CHECK(row_text(g, a.table_top).find(desc ? "golf" : "alpha") != std::string::npos);
    vm.handle_mouse(press(nx, a.header_row), hits);
    CHECK(vm.descending() != desc);
    render_fleet(vm, g, &hits);

    vm.set_clock(5.0);
    vm.handle_mouse(press(3, a.table_top + 2), hits);
    CHECK(vm.selected() == 2);
    const std::string picked = vm.selected_name();
    CHECK(vm.take_open_request().empty());
    vm.set_clock(5.1);
    vm.handle_mouse(press(3, a.table_top + 2), hits);
    CHECK(vm.take_open_request() == picked);
    vm.handle_mouse(MouseEvent{MouseKind::WheelDown, 3, 10}, hits);
    CHECK(vm.selected() == 5);
    vm.handle_mouse(MouseEvent{MouseKind::WheelUp, 3, 10}, hits);
    CHECK(vm.selected() == 2);
    // The help lists m.
    TextLines help;
    build_fleet_help(help);
    bool listed = false;
    for (std::size_t i = 0; i < help.size(); ++i) listed = listed || help[i].text.find("mouse on/off") != std::string::npos;
    CHECK(listed);
}

TEST_CASE("--pane and --filter: the screen starts there") {
    TestSnap t = many(6);
    Options o = tuitest::default_options();
    o.pane = "locks";
    o.filter = "signal";
    ViewModel vm(o, "x");
    vm.set_size(120, 30);
    CHECK(vm.pane() == PaneId::Workers);  // no snapshot yet
    vm.set_snapshot(&t.snap, &t.rates, tuitest::kNow);
    CHECK(vm.pane() == PaneId::Locks);
    CHECK(vm.state().filter == "signal");
    CHECK(vm.pane_rows().size() == 1);
    vm.set_snapshot(&t.snap, &t.rates, tuitest::kNow + 1);
    vm.handle_key('1');
    vm.set_snapshot(&t.snap, &t.rates, tuitest::kNow + 2);
    CHECK(vm.pane() == PaneId::Workers);  // once there, the user moves freely
}

}  // TEST_SUITE
