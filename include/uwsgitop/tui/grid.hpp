// grid.hpp — the screen as plain data: width x height cells, each one
// terminal column holding one character (UTF-8) and a Style.
//
// render() fills a Grid; the ncurses backend copies it to the terminal; unit
// tests compare to_lines() with golden text. Nothing here knows curses.
//
// Contract of put(): text is written left to right from (x, y) and clipped at
// `max_cols` and at the right edge; it never wraps to the next line. Wide
// characters take two cells (the right one is a continuation cell, width 0);
// a wide character that would straddle the clip edge becomes a space.
// Combining marks join the previous cell. Control bytes (C0, DEL) and bytes
// that are not valid UTF-8 are written as '?': callers escape server text
// with text.hpp first, this is only a last line of defence.
#pragma once

#include <climits>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "uwsgitop/settings/theme.hpp"

namespace uwsgitop::tui {

// What a cell means (one colour role of settings/theme.hpp); the backend
// maps each to the attributes and colours of the theme in effect.
using Style = ColorRole;

struct Cell {
    static constexpr std::size_t kMaxBytes = 14;
    char text[kMaxBytes];  // UTF-8 of one character plus combining marks; len 0 = space
    uint8_t len = 0;
    uint8_t width = 1;     // 1 or 2; 0 for the right half of a wide character
    Style style = Style::Normal;
};

// Cells that show the same: same text (the bytes past `len` do not count),
// width and style.
inline bool same_cell(const Cell& a, const Cell& b) {
    return a.len == b.len && a.width == b.width && a.style == b.style && std::memcmp(a.text, b.text, a.len) == 0;
}

class Grid {
public:
    Grid() = default;
    Grid(int width, int height) { resize(width, height); }

    // Changes the size and blanks every cell (capacity is kept).
    void resize(int width, int height);
    int width() const { return width_; }
    int height() const { return height_; }

    // Blanks every cell with `style`.
    void clear(Style style = Style::Normal);

    // Writes `text` (see the contract above). Returns the columns used.
    int put(int x, int y, std::string_view text, Style style, int max_cols = INT_MAX);

    // Blanks `count` cells from (x, y) with `style`, clipped.
    void fill(int x, int y, int count, Style style);

    // Sets the style of `count` cells from (x, y), clipped; keeps their text.
    void set_style(int x, int y, int count, Style style);

    const Cell& at(int x, int y) const { return cells_[static_cast<std::size_t>(y * width_ + x)]; }

    // True when row `y` of both grids shows the same thing: same width, and
    // in every cell the same character bytes, cell width and style (bytes a
    // cell keeps beyond its `len` do not count). False when `y` is outside
    // either grid. For the backend, which redraws only the rows that changed.
    bool same_row(const Grid& other, int y) const;
    // Makes row `y` a copy of `other`'s (same size only; otherwise nothing).
    void copy_row(const Grid& other, int y);

    // One string per row (UTF-8), trailing spaces removed.
    std::vector<std::string> to_lines() const;
    // The rows joined with '\n', each ending in '\n'.
    std::string to_text() const;

private:
    Cell& cell(int x, int y) { return cells_[static_cast<std::size_t>(y * width_ + x)]; }
    void blank(int x, int y, Style style);

    int width_ = 0;
    int height_ = 0;
    std::vector<Cell> cells_;
};

// Terminal columns of one code point (0 for combining marks, 2 for wide).
int codepoint_width(char32_t cp);

// Decodes the UTF-8 sequence at text[i]; returns its length (1 for a byte that
// does not start a valid sequence, with cp = U+FFFD).
std::size_t decode_utf8(std::string_view text, std::size_t i, char32_t& cp);

}  // namespace uwsgitop::tui
