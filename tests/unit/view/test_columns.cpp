// Unit tests for columns.hpp and rows.hpp: the column table, sorting, lists.
#include <doctest/doctest.h>

#include <cmath>
#include <set>
#include <string>

#include "uwsgitop/view/columns.hpp"
#include "uwsgitop/view/rows.hpp"

using namespace uwsgitop;

namespace {

struct Fixture {
    Snapshot snap;
    Rates rates;
    Fixture() {
        snap.kind = SnapshotKind::Master;
        // worker ids 1..4; requests chosen so that sort orders are distinct
        const int64_t reqs[] = {30, 10, 30, 20};
        const char* status[] = {"busy", "idle", "idle", "sig17"};
        for (int i = 0; i < 4; ++i) {
            Worker w;
            w.id = i + 1;
            w.pid = 100 + i;
            w.requests = reqs[i];
            w.status = status[i];
            w.avg_rt = 1000 * (i + 1);
            w.cores = Range{static_cast<uint32_t>(snap.cores.size()), 2};
            w.has_cores = true;
            for (int k = 0; k < 2; ++k) {
                Core c;
                c.worker_index = static_cast<uint32_t>(i);
                c.id = k;
                c.requests = reqs[i] / 2 + k;
                c.in_request = k;
                snap.cores.push_back(c);
            }
            snap.workers.push_back(w);
        }
        Worker cheap;  // a cheap worker: id 0, nothing known but status
        cheap.id = 0;
        cheap.status = "cheap";
        snap.workers.push_back(cheap);
    }
    RowContext ctx() const { return RowContext{&snap, nullptr, 0, total_requests(snap)}; }
};

std::vector<int64_t> ids(const Snapshot& s, const std::vector<RowRef>& rows) {
    std::vector<int64_t> out;
    for (RowRef r : rows) out.push_back(s.workers[r.worker].id.value_or(-1));
    return out;
}

}  // namespace

TEST_SUITE("columns") {

TEST_CASE("columns::a worker busy in one request past stuck_after reads \"stuck Ns\"") {
    Fixture f;
    Rates r;
    r.workers.resize(f.snap.workers.size());
    for (WorkerRates& w : r.workers) w.busy_for = NAN;
    r.workers[0].busy_for = 12.7;
    RowContext c{&f.snap, &r, 0, total_requests(f.snap), 5};
    const ColumnDef& status = column(ColumnId::Status);
    std::string out;
    format_human(status, column_value(status, c, RowRef{0}), RowRef{0}, c, out);
    CHECK(out == "stuck 12s");
    CHECK(is_stuck(c, 0));
    out.clear();
    format_raw(status, column_value(status, c, RowRef{0}), out);
    CHECK(out == "stuck");  // scripts get the word
    r.workers[0].busy_for = 125;
    out.clear();
    format_human(status, column_value(status, c, RowRef{0}), RowRef{0}, c, out);
    CHECK(out == "stuck 2m05s");
    r.workers[0].busy_for = 4.9;  // not yet
    out.clear();
    format_human(status, column_value(status, c, RowRef{0}), RowRef{0}, c, out);
    CHECK(out == "busy");
    c.stuck_after = 0;  // --stuck-after 0: never
    r.workers[0].busy_for = 500;
    CHECK_FALSE(is_stuck(c, 0));
    CHECK(column_value(status, c, RowRef{0}).text == "busy");
}

TEST_CASE("columns::table is consistent") {
    std::set<std::string_view> names;
    for (const ColumnDef& c : all_columns()) {
        CHECK(names.insert(c.name).second);      // unique
        CHECK(!c.header.empty());
        CHECK(!c.description.empty());
        CHECK(static_cast<bool>(c.worker));
        for (char ch : c.name) CHECK(((ch >= 'a' && ch <= 'z') || ch == '_'));
        CHECK(find_column(c.name) == &c);
    }
    CHECK(find_column("nosuch") == nullptr);
}

TEST_CASE("columns::parse_column_list") {
    std::vector<ColumnId> out;
    CHECK(parse_column_list("id,pid, rps", out).is_ok());
    REQUIRE(out.size() == 3);
    CHECK(out[2] == ColumnId::Rps);
    Status st = parse_column_list("id,nosuch", out);
    CHECK_FALSE(st.is_ok());
    CHECK(st.message().find("nosuch") != std::string::npos);
    CHECK(st.message().find("requests") != std::string::npos);  // lists valid names
    CHECK_FALSE(parse_column_list("id,id", out).is_ok());
    CHECK_FALSE(parse_column_list("", out).is_ok());
}

TEST_CASE("columns::unknown values are not zero") {
    Fixture f;
    const RowContext ctx = f.ctx();
    const RowRef cheap{4, kNoCore};
    CHECK_FALSE(column_value(column(ColumnId::Pid), ctx, cheap).known());
    CHECK_FALSE(column_value(column(ColumnId::Rps), ctx, RowRef{0, kNoCore}).known());  // no rates
    std::string s;
    format_human(column(ColumnId::Rss), column_value(column(ColumnId::Rss), ctx, cheap), cheap, ctx, s);
    CHECK(s == "-");
    s.clear();
    format_raw(column(ColumnId::Rss), column_value(column(ColumnId::Rss), ctx, cheap), s);
    CHECK(s.empty());
}

TEST_CASE("columns::share and core id formatting") {
    Fixture f;
    const RowContext ctx = f.ctx();
    std::string s;
    const ColumnDef& share = column(ColumnId::Share);
    format_human(share, column_value(share, ctx, RowRef{0, kNoCore}), RowRef{0, kNoCore}, ctx, s);
    CHECK(s == "33.3");  // 30 of 90
    s.clear();
    const RowRef core{1, 3};  // worker index 1 (id 2), core index 3 (its core 1)
    const ColumnDef& id = column(ColumnId::Id);
    format_human(id, column_value(id, ctx, core), core, ctx, s);
    CHECK(s == "2:1");
}

TEST_CASE("rows::sort by requests descending, ties by id, unknown last") {
    Fixture f;
    std::vector<RowRef> rows;
    build_rows(f.snap, RowMode::Workers, rows);
    sort_rows(rows, f.ctx(), SortSpec{ColumnId::Requests, true}, RowMode::Workers);
    CHECK(ids(f.snap, rows) == std::vector<int64_t>{1, 3, 4, 2, 0});
    sort_rows(rows, f.ctx(), SortSpec{ColumnId::Requests, false}, RowMode::Workers);
    CHECK(ids(f.snap, rows) == std::vector<int64_t>{2, 4, 1, 3, 0});
}

TEST_CASE("rows::sort by text column") {
    Fixture f;
    std::vector<RowRef> rows;
    build_rows(f.snap, RowMode::Workers, rows);
    sort_rows(rows, f.ctx(), SortSpec{ColumnId::Status, false}, RowMode::Workers);
    CHECK(ids(f.snap, rows) == std::vector<int64_t>{1, 0, 2, 3, 4});  // busy cheap idle idle sig17
}

TEST_CASE("rows::modes") {
    Fixture f;
    std::vector<RowRef> rows;
    build_rows(f.snap, RowMode::Cores, rows);
    CHECK(rows.size() == 8);
    for (RowRef r : rows) CHECK(r.is_core());
    build_rows(f.snap, RowMode::WorkersTree, rows);
    CHECK(rows.size() == 13);
    sort_rows(rows, f.ctx(), SortSpec{ColumnId::Requests, true}, RowMode::WorkersTree);
    // each worker row is followed by its own cores
    REQUIRE(!rows[0].is_core());
    CHECK(f.snap.workers[rows[0].worker].id == 1);
    CHECK(rows[1].is_core());
    CHECK(rows[1].worker == rows[0].worker);
    CHECK(rows[2].worker == rows[0].worker);
    CHECK(f.snap.cores[rows[1].core].requests.value() >= f.snap.cores[rows[2].core].requests.value());
    CHECK_FALSE(rows[3].is_core());
}

TEST_CASE("rows::parse_sort") {
    SortSpec s;
    CHECK(parse_sort("rps", false, s).is_ok());
    CHECK(s.column == ColumnId::Rps);
    CHECK(s.descending);
    CHECK(parse_sort("-rps", false, s).is_ok());
    CHECK_FALSE(s.descending);
    CHECK(parse_sort("pid", true, s).is_ok());
    CHECK(s.descending);
    CHECK_FALSE(parse_sort("bogus", false, s).is_ok());
}

}  // TEST_SUITE
