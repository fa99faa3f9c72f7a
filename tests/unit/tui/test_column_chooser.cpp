// Unit tests for tui/column_chooser.hpp (the lists and keys of the column
// chooser) and for how the worker screen's view-model uses it: one list per
// row kind, every change applied at once, the sort falling back when its
// column is hidden, and s saving both lists.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "tui_test_support.hpp"
#include "uwsgitop/settings/settings_file.hpp"
#include "uwsgitop/settings/view_state.hpp"
#include "uwsgitop/tui/column_chooser.hpp"
#include "uwsgitop/tui/fleet_view.hpp"
#include "uwsgitop/tui/keys.hpp"
#include "uwsgitop/tui/render.hpp"
#include "uwsgitop/tui/view_model.hpp"

using namespace uwsgitop;
using namespace uwsgitop::tui;
using tuitest::TestSnap;

namespace {

const std::vector<ChooserItem> kFour = {
    {10, "a", "A", "first"}, {11, "b", "B", "second"}, {12, "c", "C", "third"}, {13, "d", "D", "fourth"}};

std::vector<ColumnId> ids_of(std::span<const ColumnId> s) { return {s.begin(), s.end()}; }

TestSnap two() {
    return TestSnap{
        {1, 101, "idle", 10, 1.0, 2, 0},
        {2, 102, "busy", 40, 5.0, 2, 1, "/api"},
    };
}

ViewModel make(TestSnap& t, const Options& o = tuitest::default_options()) {
    ViewModel vm(o, "127.0.0.1:9191");
    vm.set_size(120, 30);
    vm.set_snapshot(&t.snap, &t.rates, tuitest::kNow);
    return vm;
}

}  // namespace

TEST_CASE("column_chooser::open keeps the shown order and lists the rest in catalogue order") {
    ColumnChooser c;
    CHECK_FALSE(c.is_open());
    CHECK(c.handle_key(' ') == ChooserOutcome::Ignored);
    c.open("t", kFour, {13, 10, 99, 13});  // an unknown id and a repeat are dropped
    REQUIRE(c.is_open());
    CHECK(c.shown() == std::vector<int>{13, 10});
    CHECK(c.available() == std::vector<int>{11, 12});
    CHECK(c.side() == ColumnChooser::Side::Shown);
    CHECK(c.cursor() == 0);
}

TEST_CASE("column_chooser::Space hides a shown column and shows an available one at the end") {
    ColumnChooser c;
    c.open("t", kFour, {10, 11, 12});
    CHECK(c.handle_key(key::Down) == ChooserOutcome::Moved);
    CHECK(c.handle_key(' ') == ChooserOutcome::Changed);  // hides b
    CHECK(c.shown() == std::vector<int>{10, 12});
    CHECK(c.available() == std::vector<int>{11, 13});
    CHECK(c.cursor() == 1);                                // on c, now where b was
    CHECK(c.handle_key(key::Tab) == ChooserOutcome::Moved);
    CHECK(c.side() == ColumnChooser::Side::Available);
    CHECK(c.handle_key('j') == ChooserOutcome::Moved);     // on d
    CHECK(c.handle_key(key::Enter) == ChooserOutcome::Changed);
    CHECK(c.shown() == std::vector<int>{10, 12, 13});
    CHECK(c.available() == std::vector<int>{11});
    CHECK(c.cursor() == 0);                                // clamped to the one left
    CHECK(c.handle_key(key::Left) == ChooserOutcome::Moved);
    CHECK(c.side() == ColumnChooser::Side::Shown);
}

TEST_CASE("column_chooser::the last shown column stays") {
    ColumnChooser c;
    c.open("t", kFour, {12});
    CHECK(c.handle_key(' ') == ChooserOutcome::Moved);
    CHECK(c.shown() == std::vector<int>{12});
    CHECK(c.message() == "at least one column stays shown");
    c.handle_key(key::Down);
    CHECK(c.message().empty());  // a note lasts one key
}

TEST_CASE("column_chooser::[ and ] move the shown column, stopping at the ends") {
    ColumnChooser c;
    c.open("t", kFour, {10, 11, 12});
    CHECK(c.handle_key('[') == ChooserOutcome::Moved);  // already first
    CHECK(c.shown() == std::vector<int>{10, 11, 12});
    CHECK(c.handle_key(']') == ChooserOutcome::Changed);
    CHECK(c.shown() == std::vector<int>{11, 10, 12});
    CHECK(c.cursor() == 1);                              // the cursor goes with it
    CHECK(c.handle_key(']') == ChooserOutcome::Changed);
    CHECK(c.shown() == std::vector<int>{11, 12, 10});
    CHECK(c.handle_key(']') == ChooserOutcome::Moved);  // already last
    c.handle_key(key::Home);
    CHECK(c.handle_key(key::End) == ChooserOutcome::Moved);
    CHECK(c.cursor() == 2);
    c.handle_key(key::Tab);
    CHECK(c.handle_key('[') == ChooserOutcome::Moved);  // not on the available list
    CHECK(c.message().find("shown column") != std::string::npos);
    CHECK(c.shown() == std::vector<int>{11, 12, 10});
}

TEST_CASE("column_chooser::Esc, F2, o and q close it; other keys are not its own") {
    for (int k : {static_cast<int>(key::Escape), key::fkey(2), static_cast<int>('o'), static_cast<int>('q')}) {
        ColumnChooser c;
        c.open("t", kFour, {10});
        CHECK(c.handle_key('x') == ChooserOutcome::Ignored);
        CHECK(c.handle_key(k) == ChooserOutcome::Closed);
        CHECK_FALSE(c.is_open());
    }
}

TEST_CASE("column_chooser::o and F2 are one action's key-table rows, on the help screen") {
    const KeyBinding* o = find_binding('o');
    REQUIRE(o);
    CHECK(o->action == Action::ChooseColumns);
    CHECK(o->label == "o F2");
    CHECK(o->name == "choose-columns");
    REQUIRE(find_binding(key::fkey(2)));
    CHECK(find_binding(key::fkey(2))->action == Action::ChooseColumns);
    CHECK(key_name(key::fkey(2)) == "F2");
    // c is the fleet's collapse key, not the chooser's.
    REQUIRE(find_binding('c'));
    CHECK(find_binding('c')->action == Action::ToggleGroup);
}

TEST_CASE("view_model::the chooser edits the shown table at once, its keys its own") {
    TestSnap t = two();
    ViewModel vm = make(t);
    const std::vector<ColumnId> before = ids_of(vm.worker_columns());
    REQUIRE(before.size() > 3);
    vm.handle_key(key::F2);
    REQUIRE(vm.chooser().is_open());
    CHECK(vm.chooser().title() == "columns of the worker rows");
    vm.handle_key(key::Down);
    vm.handle_key(' ');  // hides the second column
    std::vector<ColumnId> expect = before;
    expect.erase(expect.begin() + 1);
    CHECK(ids_of(vm.worker_columns()) == expect);
    vm.handle_key('q');  // closes the chooser, does not quit
    CHECK_FALSE(vm.chooser().is_open());
    CHECK_FALSE(vm.quit_requested());
    CHECK(ids_of(vm.worker_columns()) == expect);

    SUBCASE("the table behind the panel shows the change") {
        vm.handle_key('o');
        REQUIRE(vm.chooser().is_open());
        Grid g;
        render(vm, g);
        const auto lines = g.to_lines();
        const std::string header = lines[static_cast<std::size_t>(vm.areas().header_row)];
        CHECK(header.find(std::string(column(before[1]).header)) == std::string::npos);
        CHECK(header.find(std::string(column(before[2]).header)) != std::string::npos);
        const auto panel = std::find_if(lines.begin(), lines.end(), [](const std::string& l) {
            return l.find("columns of the worker rows") != std::string::npos;
        });
        CHECK(panel != lines.end());
        CHECK(g.to_text().find(std::string(column(before[1]).description).substr(0, 20)) != std::string::npos);
    }
    SUBCASE("the chooser opens on the worker table only") {
        vm.handle_key('2');
        vm.handle_key(key::F2);
        if (vm.pane() != PaneId::Workers) CHECK_FALSE(vm.chooser().is_open());
    }
}

TEST_CASE("view_model::worker rows and core rows keep their own columns") {
    TestSnap t = two();
    Options o = tuitest::default_options();
    o.columns = {ColumnId::Id, ColumnId::Pid, ColumnId::Rss};
    o.core_columns = {ColumnId::Core, ColumnId::Uri};
    ViewModel vm = make(t, o);
    CHECK(ids_of(vm.worker_columns()) == o.columns);
    vm.handle_key('a');  // cores as WID:CID
    CHECK(ids_of(vm.worker_columns()) == o.core_columns);
    vm.handle_key('o');
    CHECK(vm.chooser().title() == "columns of the core rows (WID:CID)");
    vm.handle_key(key::Tab);
    vm.handle_key(' ');  // the first available column: id
    vm.handle_key(key::Escape);
    const std::vector<ColumnId> cores{ColumnId::Core, ColumnId::Uri, ColumnId::Id};
    CHECK(ids_of(vm.worker_columns()) == cores);
    vm.handle_key('a');  // cores under their worker: the worker rows' list
    CHECK(ids_of(vm.worker_columns()) == o.columns);
    vm.handle_key('a');
    CHECK(vm.worker_row_columns() == o.columns);
    CHECK(vm.core_row_columns() == cores);
    const SavedView saved = vm.saved_view();
    CHECK(saved.columns == o.columns);
    CHECK(saved.core_columns == cores);
    SUBCASE("without --core-columns, core rows start with --columns, else the core set") {
        Options p = tuitest::default_options();
        p.columns = {ColumnId::Id};
        CHECK(ids_of(p.core_row_columns()) == p.columns);
        p.columns.clear();
        CHECK(ids_of(p.core_row_columns()) == ids_of(default_core_columns()));
        CHECK(ids_of(p.worker_columns()) == ids_of(default_worker_columns()));
    }
}

TEST_CASE("view_model::hiding the sort column sorts by requests, else the first column, and says so") {
    TestSnap t = two();
    Options o = tuitest::default_options();
    o.columns = {ColumnId::Id, ColumnId::Pid, ColumnId::Requests, ColumnId::Rss};
    ViewModel vm = make(t, o);
    vm.handle_key('M');  // sort by RSS
    REQUIRE(vm.sort().column == ColumnId::Rss);
    vm.handle_key(key::F2);
    vm.handle_key(key::End);
    vm.handle_key(' ');  // hides rss
    CHECK(vm.sort().column == ColumnId::Requests);
    CHECK(vm.sort().descending);
    CHECK(std::string(vm.flash()) == "RSS hidden: sort by REQ");
    vm.handle_key(key::End);
    vm.handle_key(' ');  // hides requests
    CHECK(vm.sort().column == ColumnId::Id);
    CHECK_FALSE(vm.sort().descending);
    CHECK(std::string(vm.flash()) == "REQ hidden: sort by WID");
    vm.handle_key(key::Home);
    vm.handle_key(']');  // moving a column keeps the sort
    CHECK(vm.sort().column == ColumnId::Id);
    CHECK(ids_of(vm.worker_columns()) == std::vector<ColumnId>{ColumnId::Pid, ColumnId::Id});
}

TEST_CASE("view_model::s keeps both lists; a restart shows them") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("uwsgitop-chooser-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    TestSnap t = two();
    Options o = tuitest::default_options();
    o.view_state_path = (dir / "state" / "view.toml").string();
    ViewModel vm = make(t, o);
    vm.handle_key(key::F2);
    vm.handle_key(']');  // the first column one place later
    vm.handle_key(key::Escape);
    vm.handle_key('a');
    vm.handle_key(key::F2);
    vm.handle_key(key::Down);
    vm.handle_key(' ');  // the core rows lose their second column
    vm.handle_key(key::Escape);
    vm.handle_key('s');
    CHECK(std::string(vm.flash()).rfind("view saved to ", 0) == 0);

    SettingsEnvironment env;
    env.user_config = (dir / "config.toml").string();
    env.view_state = o.view_state_path;
    const char* argv[] = {"uwsgitop", "127.0.0.1:1"};
    Options again;
    REQUIRE(load_settings(2, argv, env, again).is_ok());
    CHECK(again.columns == vm.worker_row_columns());
    CHECK(again.core_columns == vm.core_row_columns());
    CHECK(again.columns.front() != default_worker_columns().front());
    CHECK(again.screen_rows() == RowMode::Cores);  // the saved view keeps the row mode too
    ViewModel vm2(again, "x");
    CHECK(ids_of(vm2.worker_columns()) == vm.core_row_columns());
    CHECK(vm2.worker_row_columns() == vm.worker_row_columns());
    fs::remove_all(dir);
}

namespace {

std::vector<std::string> fleet_names(const std::vector<int>& cols) {
    std::vector<std::string> out;
    for (int c : cols) out.emplace_back(fleet_screen_column_name(c));
    return out;
}

FleetRow fleet_row(const std::string& name, double requests) {
    FleetRow r;
    r.name = name;
    r.kind = FleetState::Ok;
    r.cells.resize(fleet_columns().size());
    for (std::size_t i = 0; i < r.cells.size(); ++i) {
        if (fleet_columns()[i].name == "requests") {
            r.cells[i].known = r.cells[i].numeric = true;
            r.cells[i].number = requests;
        }
    }
    return r;
}

}  // namespace

TEST_CASE("fleet_columns::--fleet-columns names instance and history columns") {
    std::vector<int> cols;
    REQUIRE(parse_fleet_column_list("name,rps_history,rss", cols).is_ok());
    CHECK(fleet_names(cols) == std::vector<std::string>{"name", "rps_history", "rss"});
    CHECK(cols[1] == kSparkRps);
    CHECK(fleet_screen_column_header(kSparkBusy) == "BUSY~");
    const Status bad = parse_fleet_column_list("name,rsss", cols);
    CHECK(bad.message().rfind("unknown fleet column \"rsss\" (valid: name address state", 0) == 0);
    CHECK(bad.message().find("busy_history)") != std::string::npos);
    CHECK(parse_fleet_column_list("name,name", cols).message() == "fleet column \"name\" given twice");
    CHECK(fleet_names({default_fleet_screen_columns().begin(), default_fleet_screen_columns().end()}).front() == "name");
    CHECK(default_fleet_screen_columns().size() == fleet_columns().size() + fleet_history_columns().size());
}

TEST_CASE("fleet_view::the chooser edits the instance columns; hiding the sort column restores the targets' order") {
    FleetViewModel vm(1.0, {0, 8, kSparkRps});  // name, requests, RPS~
    vm.set_size(100, 24);
    std::vector<FleetRow> rows{fleet_row("a", 1), fleet_row("b", 5)};
    vm.set_rows(rows);
    CHECK(fleet_names(vm.columns()) == std::vector<std::string>{"name", "requests", "rps_history"});
    vm.handle_key('R');  // sort by requests: b first
    REQUIRE(vm.sorted());
    CHECK(vm.rows()[vm.visible()[0]].name == "b");
    vm.handle_key(key::F2);
    REQUIRE(vm.chooser().is_open());
    CHECK(vm.chooser().title() == "columns of the instances");
    CHECK(vm.chooser().available().size() == fleet_columns().size() + fleet_history_columns().size() - 3);
    vm.handle_key(key::Down);
    vm.handle_key(' ');  // hides requests
    CHECK(fleet_names(vm.columns()) == std::vector<std::string>{"name", "rps_history"});
    CHECK_FALSE(vm.sorted());
    CHECK(vm.rows()[vm.visible()[0]].name == "a");
    CHECK(std::string(vm.notice()) == "REQ hidden: rows in the targets' order");
    vm.handle_key(key::Tab);
    vm.handle_key(key::End);
    vm.handle_key(' ');  // the last available: busy_history
    CHECK(vm.columns().back() == kSparkBusy);
    vm.handle_key('q');
    CHECK_FALSE(vm.chooser().is_open());
    CHECK_FALSE(vm.quit_requested());
    Grid g;
    render_fleet(vm, g);
    CHECK(g.to_lines()[static_cast<std::size_t>(compute_areas(100, 24).header_row)].find("BUSY~") != std::string::npos);
}

TEST_CASE("view_state::the fleet's s and the worker screen's s keep each other's keys") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("uwsgitop-fleet-cols-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    const std::string path = (dir / "view.toml").string();
    FleetViewModel fleet(1.0, {0, kSparkBusy, 2}, path);
    fleet.handle_key('s');
    CHECK(std::string(fleet.notice()) == "instance columns saved to " + path);
    SavedView v;
    v.columns = {ColumnId::Id, ColumnId::Rss};
    v.sort = SortSpec{ColumnId::Rss, true};
    v.pane = "workers";
    v.color = "auto";
    REQUIRE(save_view(path, v).is_ok());

    SettingsEnvironment env;
    env.user_config = (dir / "config.toml").string();
    env.view_state = path;
    const char* argv[] = {"uwsgitop", "127.0.0.1:1"};
    Options o;
    REQUIRE(load_settings(2, argv, env, o).is_ok());
    CHECK(fleet_names(o.fleet_columns) == std::vector<std::string>{"name", "busy_history", "state"});
    CHECK(o.columns == v.columns);
    // And the other way round: the fleet's save keeps the worker screen's keys.
    REQUIRE(save_fleet_columns(path, {2}).is_ok());
    REQUIRE(load_settings(2, argv, env, o).is_ok());
    CHECK(fleet_names(o.fleet_columns) == std::vector<std::string>{"state"});
    CHECK(o.columns == v.columns);
    CHECK(o.sort.column == ColumnId::Rss);
    FleetViewModel again(1.0, o.fleet_columns);
    CHECK(fleet_names(again.columns()) == std::vector<std::string>{"state"});
    // A file that does not read as TOML is replaced whole.
    std::ofstream(path) << "columns = [";
    REQUIRE(save_fleet_columns(path, {0}).is_ok());
    REQUIRE(load_settings(2, argv, env, o).is_ok());
    CHECK(fleet_names(o.fleet_columns) == std::vector<std::string>{"name"});
    fs::remove_all(dir);
}
