// test_cores_exact.cpp — the cores view's fast path shows what the full, generic path shows.
//
// Fast path (what the interactive cores view runs): Parser with the fast
// core reader, RateTracker, build_rows(Cores) and FlatOrder arranging only
// the window on screen. Reference: Parser::set_generic_cores(true)
// (RapidJSON reads every core), its own RateTracker, a full sort_rows().
// On every pair of successive fixtures (and single fixtures paired with
// themselves), and on generated 1, 4 and 16 MB documents (with and without
// cores the fast reader hands back), the two must agree field by field:
// the header lines and totals, every worker and core rate, and every column
// of every visible row, for windows at the top and in the middle, sorted by
// every column in both directions.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "big_stats_doc.hpp"
#include "uwsgitop/parse/parse.hpp"
#include "uwsgitop/rates/rates.hpp"
#include "uwsgitop/view/columns.hpp"
#include "uwsgitop/view/rows.hpp"
#include "uwsgitop/view/summary.hpp"

using namespace uwsgitop;

namespace {

std::string read_fixture(const std::string& name) {
    std::ifstream f(std::string(UWSGITOP_TEST_FIXTURES) + "/" + name, std::ios::binary);
    REQUIRE_MESSAGE(f.good(), name);
    std::string v((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (name.ends_with(".http")) {
        const std::size_t at = v.find("\r\n\r\n");
        REQUIRE(at != std::string::npos);
        v.erase(0, at + 4);
    }
    return v;
}

// One monitor's state after two refreshes.
struct Side {
    Parser parser;
    RateTracker tracker;
    Snapshot a, b;
    Rates ra, rb;
    bool ok = true;

    explicit Side(bool generic) { parser.set_generic_cores(generic); }
    void run(const std::string& first, const std::string& second) {
        ByteBuffer x(first.begin(), first.end());
        ByteBuffer y(second.begin(), second.end());
        ok = parser.parse(x, a).is_ok();
        tracker.update(a, 100.0, ra);
        ok = parser.parse(y, b).is_ok() && ok;
        tracker.update(b, 101.5, rb);
    }
};

bool same_double(double x, double y) {
    return (std::isnan(x) && std::isnan(y)) || x == y;
}

// The first difference between the two sides, or "".
std::string diff_totals(const Side& f, const Side& g) {
    std::string lf, lg;
    summary_line1(f.b, &f.rb, 1.8e9, lf);
    summary_line1(g.b, &g.rb, 1.8e9, lg);
    if (lf != lg) return "line 1: " + lf + " | " + lg;
    lf.clear();
    lg.clear();
    summary_line3(f.b, lf);
    summary_line3(g.b, lg);
    if (lf != lg) return "line 3: " + lf + " | " + lg;
    if (!same_double(total_requests(f.b), total_requests(g.b))) return "total_requests";
    const Rates& x = f.rb;
    const Rates& y = g.rb;
    if (!same_double(x.interval, y.interval) || !same_double(x.total_requests, y.total_requests) ||
        !same_double(x.total_exceptions, y.total_exceptions) || !same_double(x.total_tx, y.total_tx) ||
        x.baseline_reset != y.baseline_reset) {
        return "rate totals";
    }
    if (x.workers.size() != y.workers.size() || x.cores.size() != y.cores.size()) return "rate counts";
    for (std::size_t i = 0; i < x.workers.size(); ++i) {
        if (!same_double(x.workers[i].requests, y.workers[i].requests) ||
            !same_double(x.workers[i].exceptions, y.workers[i].exceptions) ||
            !same_double(x.workers[i].tx, y.workers[i].tx)) {
            return "worker rate " + std::to_string(i);
        }
    }
    for (std::size_t i = 0; i < x.cores.size(); ++i) {
        if (!same_double(x.cores[i].requests, y.cores[i].requests)) return "core rate " + std::to_string(i);
    }
    return {};
}

// Every column of one row as the screen formats it.
std::string row_text(const RowContext& ctx, RowRef r) {
    std::string out, cell;
    for (const ColumnDef& col : all_columns()) {
        cell.clear();
        format_human(col, column_value(col, ctx, r), r, ctx, cell);
        out += cell;
        out += '|';
    }
    return out;
}

// Visible rows of the window [first, first + rows) of the cores view, both ways.
std::string diff_window(const Side& f, const Side& g, const SortSpec& spec, std::size_t first, std::size_t rows) {
    const RowContext cf{&f.b, &f.rb, 1.8e9, total_requests(f.b)};
    const RowContext cg{&g.b, &g.rb, 1.8e9, total_requests(g.b)};
    std::vector<RowRef> fast, full;
    build_rows(f.b, RowMode::Cores, fast);
    build_rows(g.b, RowMode::Cores, full);
    if (fast.size() != full.size()) return "row count";
    FlatOrder order;
    order.compute(fast, cf, spec);
    order.arrange(fast, first, first + rows);
    sort_rows(full, cg, spec, RowMode::Cores);
    for (std::size_t i = first; i < std::min(full.size(), first + rows); ++i) {
        const std::string a = row_text(cf, fast[i]);
        const std::string b = row_text(cg, full[i]);
        if (a != b) return "row " + std::to_string(i) + ": " + a + " vs " + b;
    }
    return {};
}

void check_pair(const std::string& first, const std::string& second, const std::string& what, bool all_sorts) {
    INFO(what);
    Side fast(false);
    Side ref(true);
    fast.run(first, second);
    ref.run(first, second);
    REQUIRE(fast.ok == ref.ok);
    if (!fast.ok) return;
    CHECK(diff_totals(fast, ref) == "");
    const std::size_t n = fast.b.cores.size();
    for (const ColumnDef& col : all_columns()) {
        if (!col.core) continue;
        if (!all_sorts && col.id != ColumnId::Requests && col.id != ColumnId::Id) continue;
        for (const bool desc : {false, true}) {
            const SortSpec spec{col.id, desc};
            INFO("sort " << col.name << (desc ? " desc" : " asc"));
            CHECK(diff_window(fast, ref, spec, 0, 50) == "");
            if (n > 100) CHECK(diff_window(fast, ref, spec, n / 2, 50) == "");
        }
    }
}

}  // namespace

TEST_CASE("cores view: the comparison can fail") {
    const std::string a = testing::make_async_stats(2, 100, 1, 1);
    const std::string b = testing::make_async_stats(2, 100, 1, 2);
    Side fast(false);
    Side ref(true);
    fast.run(a, b);
    ref.run(a, b);
    REQUIRE(fast.ok);
    REQUIRE(diff_totals(fast, ref) == "");
    REQUIRE(diff_window(fast, ref, SortSpec{ColumnId::Requests, true}, 0, 50) == "");
    fast.rb.cores[3].requests += 1;
    CHECK(diff_totals(fast, ref) == "core rate 3");
    fast.rb.cores[3].requests = ref.rb.cores[3].requests;
    // one counter of the top row differs: the window shows it
    std::vector<RowRef> rows;
    build_rows(ref.b, RowMode::Cores, rows);
    const RowContext ctx{&ref.b, &ref.rb, 1.8e9, total_requests(ref.b)};
    sort_rows(rows, ctx, SortSpec{ColumnId::Requests, true}, RowMode::Cores);
    fast.b.cores[rows[0].core].write_errors = 424242;
    CHECK(diff_window(fast, ref, SortSpec{ColumnId::Requests, true}, 0, 50).starts_with("row 0: "));
}

TEST_CASE("cores view: fast path equals the full parse on every fixture") {
    const char* const pairs[][2] = {
        {"abstract-1.json", "abstract-2.json"}, {"backlog-1.json", "backlog-2.json"},
        {"cheaper-1.json", "cheaper-2.json"},   {"cheaper-2.json", "cheaper-3.json"},
        {"cheaper-3.json", "cheaper-4.json"},   {"harakiri-1.json", "harakiri-2.json"},
        {"http-1.http", "http-2.http"},         {"http-unix-1.http", "http-unix-2.http"},
        {"metrics-1.json", "metrics-2.json"},   {"minified-1.json", "minified-2.json"},
        {"nocores-1.json", "nocores-2.json"},   {"nometrics-1.json", "nometrics-2.json"},
        {"pause-1.json", "pause-2.json"},       {"pause-2.json", "pause-3.json"},
        {"prefork-1.json", "prefork-2.json"},   {"prefork-2.json", "prefork-3.json"},
        {"unix-1.json", "unix-2.json"},         {"async.json", "async.json"},
        {"weird-cwd.json", "weird-cwd.json"},   {"weird-vars-ctl.json", "weird-vars-ctl.json"},
        {"weird-vars-long.json", "weird-vars-long.json"},
        {"weird-vars-nonutf8.json", "weird-vars-nonutf8.json"},
        {"weird-vars-quotes.json", "weird-vars-quotes.json"},
        {"mules-spooler-cache.json", "mules-spooler-cache.json"},
    };
    for (const auto& p : pairs) {
        check_pair(read_fixture(p[0]), read_fixture(p[1]), std::string(p[0]) + " -> " + p[1], true);
    }
}

TEST_CASE("cores view: fast path equals the full parse on generated 1, 4 and 16 MB documents") {
    check_pair(testing::make_async_stats(4, 1000, 11, 1), testing::make_async_stats(4, 1000, 11, 2), "1 MB", true);
    check_pair(testing::make_async_stats(16, 1000, 11, 1), testing::make_async_stats(16, 1000, 11, 2), "4 MB",
               false);
    check_pair(testing::make_async_stats(64, 1000, 11, 1), testing::make_async_stats(64, 1000, 11, 2), "16 MB",
               false);
    check_pair(testing::make_async_stats(6, 500, 3, 1, true), testing::make_async_stats(6, 500, 3, 2, true),
               "odd cores", true);
}
