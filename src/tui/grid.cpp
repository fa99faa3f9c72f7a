// grid.cpp — cells, clipping and wide characters (see grid.hpp).
#include "uwsgitop/tui/grid.hpp"

#include <algorithm>
#include <cstring>

#include "uwsgitop/base/text.hpp"

namespace uwsgitop::tui {

std::size_t decode_utf8(std::string_view s, std::size_t i, char32_t& cp) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
        cp = b0;
        return 1;
    }
    const std::size_t len = utf8_sequence(s, i, cp);
    if (len == 0) {
        cp = 0xFFFD;  // one invalid byte
        return 1;
    }
    return len;
}

int codepoint_width(char32_t cp) {
    if (cp < 0x80) return 1;
    char buf[4];
    std::size_t n;
    if (cp < 0x800) {
        buf[0] = static_cast<char>(0xC0 | (cp >> 6));
        buf[1] = static_cast<char>(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        buf[0] = static_cast<char>(0xE0 | (cp >> 12));
        buf[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = static_cast<char>(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        buf[0] = static_cast<char>(0xF0 | (cp >> 18));
        buf[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        buf[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        buf[3] = static_cast<char>(0x80 | (cp & 0x3F));
        n = 4;
    }
    // One source of truth for widths: the same function the tables measure with.
    return static_cast<int>(display_width(std::string_view(buf, n)));
}

void Grid::resize(int width, int height) {
    width_ = std::max(0, width);
    height_ = std::max(0, height);
    cells_.assign(static_cast<std::size_t>(width_) * static_cast<std::size_t>(height_), Cell{});
}

void Grid::clear(Style style) {
    for (Cell& c : cells_) {
        c.len = 0;
        c.width = 1;
        c.style = style;
    }
}

void Grid::blank(int x, int y, Style style) {
    Cell& c = cell(x, y);
    c.len = 0;
    c.width = 1;
    c.style = style;
}

void Grid::fill(int x, int y, int count, Style style) {
    if (y < 0 || y >= height_) return;
    const int begin = std::max(0, x);
    const int end = std::min(width_, x + count);
    if (begin >= end) return;
    if (cell(begin, y).width == 0 && begin > 0) blank(begin - 1, y, cell(begin - 1, y).style);
    if (end < width_ && cell(end, y).width == 0) blank(end, y, cell(end, y).style);
    for (int i = begin; i < end; ++i) blank(i, y, style);
}

void Grid::set_style(int x, int y, int count, Style style) {
    if (y < 0 || y >= height_) return;
    const int end = std::min(width_, x + count);
    for (int i = std::max(0, x); i < end; ++i) cell(i, y).style = style;
}

int Grid::put(int x, int y, std::string_view text, Style style, int max_cols) {
    if (y < 0 || y >= height_ || x >= width_ || max_cols <= 0) return 0;
    std::size_t i = 0;
    if (x < 0) {
        // The part left of the screen is cut: skip that many columns of text.
        int skipped = 0;
        while (i < text.size() && skipped < -x) {
            char32_t cp;
            const std::size_t len = decode_utf8(text, i, cp);
            skipped += (cp < 0x20 || cp == 0x7F) ? 1 : codepoint_width(cp);
            i += len;
        }
        max_cols -= skipped;
        x = skipped + x;  // 0, or 1 when a wide character straddled the edge
        if (max_cols <= 0 || x >= width_) return 0;
    }
    const int start = x;
    const int limit = static_cast<int>(std::min<long>(width_, static_cast<long>(x) + max_cols));
    int col = x;
    int last = -1;  // cell of the previous character, for combining marks
    while (i < text.size() && col < limit) {
        char32_t cp;
        const std::size_t len = decode_utf8(text, i, cp);
        const char* bytes = text.data() + i;
        std::size_t nbytes = len;
        int w;
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || (cp == 0xFFFD && len == 1)) {
            // Control or undecodable byte: never sent to the terminal as is.
            bytes = "?";
            nbytes = 1;
            w = 1;
        } else {
            w = codepoint_width(cp);
        }
        i += len;
        if (w == 0) {
            if (last >= 0) {
                Cell& prev = cell(last, y);
                if (prev.len + nbytes <= Cell::kMaxBytes && prev.len > 0) {
                    std::memcpy(prev.text + prev.len, bytes, nbytes);
                    prev.len = static_cast<uint8_t>(prev.len + nbytes);
                }
            }
            continue;
        }
        // Overwriting half of a wide character blanks its other half.
        if (cell(col, y).width == 0 && col > 0) blank(col - 1, y, cell(col - 1, y).style);
        if (w == 2 && col + 1 >= limit) {
            blank(col, y, style);
            if (col + 1 < width_ && cell(col + 1, y).width == 0) blank(col + 1, y, cell(col + 1, y).style);
            ++col;
            break;
        }
        const int right = col + w - 1;
        if (right + 1 < width_ && cell(right + 1, y).width == 0) blank(right + 1, y, cell(right + 1, y).style);
        Cell& c = cell(col, y);
        std::memcpy(c.text, bytes, nbytes);
        c.len = static_cast<uint8_t>(nbytes);
        c.width = static_cast<uint8_t>(w);
        c.style = style;
        if (w == 2) {
            Cell& half = cell(col + 1, y);
            half.len = 0;
            half.width = 0;
            half.style = style;
        }
        last = col;
        col += w;
    }
    return col - start;
}

bool Grid::same_row(const Grid& other, int y) const {
    if (width_ != other.width_ || y < 0 || y >= height_ || y >= other.height_) return false;
    const Cell* a = &at(0, y);
    const Cell* b = &other.at(0, y);
    // Fast path: identical bytes (the usual case for an unchanged row).
    if (std::memcmp(a, b, sizeof(Cell) * static_cast<std::size_t>(width_)) == 0) return true;
    for (int x = 0; x < width_; ++x) {
        if (!same_cell(a[x], b[x])) return false;
    }
    return true;
}

void Grid::copy_row(const Grid& other, int y) {
    if (width_ != other.width_ || height_ != other.height_ || y < 0 || y >= height_) return;
    std::memcpy(&cell(0, y), &other.at(0, y), sizeof(Cell) * static_cast<std::size_t>(width_));
}

std::vector<std::string> Grid::to_lines() const {
    std::vector<std::string> lines;
    lines.reserve(static_cast<std::size_t>(height_));
    for (int y = 0; y < height_; ++y) {
        std::string line;
        for (int x = 0; x < width_; ++x) {
            const Cell& c = at(x, y);
            if (c.width == 0) continue;
            if (c.len == 0) line += ' ';
            else line.append(c.text, c.len);
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        lines.push_back(std::move(line));
    }
    return lines;
}

std::string Grid::to_text() const {
    std::string out;
    for (const std::string& line : to_lines()) {
        out += line;
        out += '\n';
    }
    return out;
}

}  // namespace uwsgitop::tui
