// layout.hpp — where things go on a screen of a given size. Pure arithmetic.
//
// Screen areas, top to bottom: up to three summary lines, the tab bar, the
// table header, the table rows, and the status line at the bottom. Small
// terminals give up the summary lines first (line 3, then 2, then the tab
// bar, then line 1) so that the table keeps its header and a few rows; the
// status line stays as long as there is one line. Down to 20x5 everything
// that is shown is whole; nothing wraps.
//
// Columns: fit_columns() places table columns left to right with one space
// between them. The first `pinned` columns always come first; then the
// columns from `first_scrolled` on (sideways scrolling). A column that does
// not fit whole is dropped with everything right of it — except a stretchy
// (left-aligned text) column, which may be cut down to kMinStretch cells and
// which takes the remaining width when it is the last one shown.
// scroll_limit() says how far scrolling is worth it at a width, so a scroll
// made on a narrow screen gives way when the screen widens.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace uwsgitop::tui {

struct ScreenAreas {
    int width = 0, height = 0;
    int summary_top = 0;
    int summary_lines = 0;   // 0..3
    int tabs_row = -1;       // -1: no tab bar
    int header_row = -1;     // table header; -1 when there is no room
    int table_top = 0;       // first table row
    int table_rows = 0;      // visible table rows (>= 0)
    int status_row = -1;     // last line; -1 when height is 0
};

ScreenAreas compute_areas(int width, int height);

struct ColumnSlot {
    uint32_t index = 0;   // position in the caller's column list
    int x = 0;
    int width = 0;
};

constexpr int kMinStretch = 6;

void fit_columns(std::span<const int> widths, std::span<const uint8_t> stretch, int total_width,
                 std::size_t pinned, std::size_t first_scrolled, std::vector<ColumnSlot>& out);

// The largest sideways scroll (columns scrolled off after the `pinned` ones)
// that wastes no room: the smallest scroll with which the last column shows
// whole, so any larger one would hide columns on the left with room left
// for them. 0 when everything fits; when not even the last column fits
// beside the pinned ones, the scroll that shows it first (n - pinned - 1).
std::size_t scroll_limit(std::span<const int> widths, int total_width, std::size_t pinned);

}  // namespace uwsgitop::tui
