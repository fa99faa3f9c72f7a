// layout.cpp — screen areas and column fitting (see layout.hpp).
#include "uwsgitop/tui/layout.hpp"

#include <algorithm>

namespace uwsgitop::tui {

ScreenAreas compute_areas(int width, int height) {
    ScreenAreas a;
    a.width = std::max(0, width);
    a.height = std::max(0, height);
    if (a.height == 0 || a.width == 0) return a;
    a.status_row = a.height - 1;
    int avail = a.height - 1;  // lines above the status line
    // The table keeps its header and up to three rows before anything else.
    const int table_min = std::min(avail, 4);
    int extra = avail - table_min;
    // Extras in order of priority: summary line 1, tab bar, lines 2 and 3.
    const bool line1 = extra >= 1;
    if (line1) --extra;
    const bool tabs = extra >= 1;
    if (tabs) --extra;
    const int more = std::min(extra, 2);
    a.summary_lines = (line1 ? 1 : 0) + more;
    a.summary_top = 0;
    int row = a.summary_lines;
    if (tabs) a.tabs_row = row++;
    if (row < avail) {
        a.header_row = row++;
        a.table_top = row;
        a.table_rows = avail - row;
    } else {
        a.table_top = row;
        a.table_rows = 0;
    }
    return a;
}

void fit_columns(std::span<const int> widths, std::span<const uint8_t> stretch, int total_width,
                 std::size_t pinned, std::size_t first_scrolled, std::vector<ColumnSlot>& out) {
    out.clear();
    const std::size_t n = widths.size();
    pinned = std::min(pinned, n);
    first_scrolled = std::clamp(first_scrolled, pinned, n);
    int x = 0;
    auto is_stretch = [&](std::size_t i) { return i < stretch.size() && stretch[i]; };
    auto place = [&](std::size_t i) -> bool {
        const int gap = out.empty() ? 0 : 1;
        const int room = total_width - x - gap;
        int w = widths[i];
        if (w > room) {
            if (!is_stretch(i) || room < std::min(kMinStretch, w)) return false;
            w = room;
        }
        x += gap;
        out.push_back({static_cast<uint32_t>(i), x, w});
        x += w;
        return true;
    };
    bool full = false;
    for (std::size_t i = 0; i < pinned && !full; ++i) full = !place(i);
    for (std::size_t i = first_scrolled; i < n && !full; ++i) full = !place(i);
    // A stretchy last column takes what is left of the line.
    if (!out.empty() && is_stretch(out.back().index)) {
        ColumnSlot& last = out.back();
        last.width = std::max(last.width, total_width - last.x);
    }
}

std::size_t scroll_limit(std::span<const int> widths, int total_width, std::size_t pinned) {
    const std::size_t n = widths.size();
    if (n <= pinned) return 0;
    int x = 0;
    bool any = false;
    for (std::size_t i = 0; i < pinned; ++i) {
        x += (any ? 1 : 0) + widths[i];
        any = true;
    }
    // From the right end leftwards, as many whole columns as fit.
    std::size_t first = n;
    while (first > pinned) {
        const int w = (any ? 1 : 0) + widths[first - 1];
        if (x + w > total_width) break;
        x += w;
        any = true;
        --first;
    }
    return std::min(first, n - 1) - pinned;
}

}  // namespace uwsgitop::tui
