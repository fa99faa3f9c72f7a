// Unit tests for tui/layout.hpp: screen areas and columns that fit a width.
#include <doctest/doctest.h>

#include <vector>

#include "uwsgitop/tui/layout.hpp"

using namespace uwsgitop::tui;

TEST_SUITE("layout") {

TEST_CASE("layout::compute_areas gives a roomy terminal everything") {
    const ScreenAreas a = compute_areas(120, 40);
    CHECK(a.summary_lines == 3);
    CHECK(a.tabs_row == 3);
    CHECK(a.header_row == 4);
    CHECK(a.table_top == 5);
    CHECK(a.table_rows == 34);
    CHECK(a.status_row == 39);
}

TEST_CASE("layout::compute_areas gives up the summary first on small terminals") {
    SUBCASE("20x5: table header, three rows, status line") {
        const ScreenAreas a = compute_areas(20, 5);
        CHECK(a.summary_lines == 0);
        CHECK(a.tabs_row == -1);
        CHECK(a.header_row == 0);
        CHECK(a.table_rows == 3);
        CHECK(a.status_row == 4);
    }
    SUBCASE("7 lines: summary line 1 and the tab bar come back") {
        const ScreenAreas a = compute_areas(40, 7);
        CHECK(a.summary_lines == 1);
        CHECK(a.tabs_row == 1);
        CHECK(a.header_row == 2);
        CHECK(a.table_rows == 3);
    }
    SUBCASE("one line: only the status line") {
        const ScreenAreas a = compute_areas(20, 1);
        CHECK(a.status_row == 0);
        CHECK(a.header_row == -1);
        CHECK(a.table_rows == 0);
    }
    SUBCASE("nothing at all") {
        const ScreenAreas a = compute_areas(0, 0);
        CHECK(a.status_row == -1);
        CHECK(a.table_rows == 0);
    }
}

TEST_CASE("layout::compute_areas areas never overlap nor leave the screen") {
    for (int h = 0; h <= 60; ++h) {
        const ScreenAreas a = compute_areas(80, h);
        CAPTURE(h);
        CHECK(a.summary_lines >= 0);
        CHECK(a.summary_lines <= 3);
        CHECK(a.table_rows >= 0);
        int used = a.summary_lines + (a.tabs_row >= 0) + (a.header_row >= 0) + a.table_rows + (a.status_row >= 0);
        CHECK(used == h);
        if (a.header_row >= 0) {
            CHECK(a.header_row >= a.summary_lines);
            CHECK(a.table_top == a.header_row + 1);
            CHECK(a.table_top + a.table_rows == a.status_row);
        }
        if (a.tabs_row >= 0) CHECK(a.tabs_row == a.summary_lines);
        if (h > 0) CHECK(a.status_row == h - 1);
    }
}

TEST_CASE("layout::fit_columns drops whole columns from the right") {
    const std::vector<int> widths = {3, 5, 5, 5};
    const std::vector<uint8_t> stretch = {0, 0, 0, 0};
    std::vector<ColumnSlot> out;
    fit_columns(widths, stretch, 100, 1, 1, out);
    REQUIRE(out.size() == 4);
    CHECK(out[0].x == 0);
    CHECK(out[1].x == 4);
    CHECK(out[3].x == 16);
    CHECK(out[3].width == 5);
    fit_columns(widths, stretch, 14, 1, 1, out);  // 3 + 1 + 5 + 1 + 5 = 15 > 14
    CHECK(out.size() == 2);
    fit_columns(widths, stretch, 15, 1, 1, out);
    CHECK(out.size() == 3);
    fit_columns(widths, stretch, 2, 1, 1, out);
    CHECK(out.empty());
}

TEST_CASE("layout::fit_columns scrolls sideways keeping the pinned column") {
    const std::vector<int> widths = {3, 5, 5, 5};
    const std::vector<uint8_t> stretch(4, 0);
    std::vector<ColumnSlot> out;
    fit_columns(widths, stretch, 15, 1, 2, out);
    REQUIRE(out.size() == 3);
    CHECK(out[0].index == 0);
    CHECK(out[1].index == 2);
    CHECK(out[2].index == 3);
    fit_columns(widths, stretch, 100, 1, 99, out);  // past the end: just the pinned one
    REQUIRE(out.size() == 1);
    CHECK(out[0].index == 0);
}

TEST_CASE("layout::fit_columns lets a text column shrink or take the rest") {
    const std::vector<int> widths = {3, 20, 4};
    const std::vector<uint8_t> stretch = {0, 1, 0};
    std::vector<ColumnSlot> out;
    fit_columns(widths, stretch, 12, 1, 1, out);  // 3 + 1 + 8 (cut) ; the 4 is dropped
    REQUIRE(out.size() == 2);
    CHECK(out[1].width == 8);
    fit_columns(widths, stretch, 9, 1, 1, out);   // only 5 left: less than kMinStretch
    CHECK(out.size() == 1);
    fit_columns(widths, stretch, 40, 1, 1, out);  // all fit; the text column is not last
    REQUIRE(out.size() == 3);
    CHECK(out[1].width == 20);
    const std::vector<uint8_t> last = {0, 0, 1};
    fit_columns(std::vector<int>{3, 4, 6}, last, 30, 1, 1, out);
    REQUIRE(out.size() == 3);
    CHECK(out[2].x == 9);
    CHECK(out[2].width == 21);  // takes the rest of the line
}

TEST_CASE("layout::fit_columns never goes past the width") {
    const std::vector<int> widths = {5, 2, 7, 24, 15, 6, 1, 9};
    const std::vector<uint8_t> stretch = {0, 0, 0, 1, 1, 0, 0, 0};
    std::vector<ColumnSlot> out;
    for (int w = 0; w <= 120; ++w) {
        for (std::size_t first = 1; first <= widths.size(); ++first) {
            fit_columns(widths, stretch, w, 1, first, out);
            int prev_end = -1;
            for (const ColumnSlot& s : out) {
                CAPTURE(w);
                CHECK(s.x > prev_end);
                CHECK(s.x + s.width <= w);
                CHECK(s.width > 0);
                prev_end = s.x + s.width - 1;
            }
        }
    }
}

TEST_CASE("layout::scroll_limit: the least scroll that shows the last column") {
    const std::vector<int> w{3, 10, 10, 10, 10};  // pinned 3, then four of 10
    CHECK(scroll_limit(w, 200, 1) == 0);          // everything fits
    CHECK(scroll_limit(w, 3 + 4 * 11, 1) == 0);   // exactly
    CHECK(scroll_limit(w, 3 + 4 * 11 - 1, 1) == 1);
    CHECK(scroll_limit(w, 3 + 2 * 11, 1) == 2);   // room for the last two
    CHECK(scroll_limit(w, 3 + 11, 1) == 3);       // only the last one
    CHECK(scroll_limit(w, 5, 1) == 3);            // not even that: it is still the first scrolled
    CHECK(scroll_limit(std::vector<int>{3}, 80, 1) == 0);
    CHECK(scroll_limit(std::vector<int>{}, 80, 1) == 0);
}

}  // TEST_SUITE
