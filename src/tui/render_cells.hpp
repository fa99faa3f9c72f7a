// render_cells.hpp — small drawing helpers shared by render.cpp and render_table.cpp (private).
#pragma once

#include <algorithm>
#include <string_view>

#include "uwsgitop/base/text.hpp"
#include "uwsgitop/tui/grid.hpp"

namespace uwsgitop::tui::detail {

// Terminal columns of already escaped text.
inline int dw(std::string_view s) { return static_cast<int>(display_width(s)); }

// Puts `text` at x, padded/clipped to `width`, right-aligned if asked.
inline void put_cell(Grid& g, int x, int y, int width, std::string_view text, bool right, Style style) {
    const int w = dw(text);
    if (right && w < width) x += width - w;
    g.put(x, y, text, style, right ? std::min(w, width) : width);
}

// Paints the whole row y in `style`.
inline void fill_row(Grid& g, int y, Style style) { g.fill(0, y, g.width(), style); }

}  // namespace uwsgitop::tui::detail
