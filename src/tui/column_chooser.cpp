// column_chooser.cpp — the column chooser's lists and keys (see column_chooser.hpp).
#include "uwsgitop/tui/column_chooser.hpp"

#include <algorithm>

#include "uwsgitop/base/text.hpp"
#include "uwsgitop/tui/keys.hpp"

namespace uwsgitop::tui {

namespace {

constexpr int kPage = 10;

// One list of the panel: `ids` from x over `width` cells, rows [y, y + rows).
void draw_list(const ColumnChooser& c, ColumnChooser::Side side, const std::vector<int>& ids, Grid& g, int x,
               int width, int y, int rows) {
    const int cursor = c.cursor_in(side);
    const int first = std::max(0, cursor - rows + 1);
    std::string line;
    for (int r = 0; r < rows; ++r) {
        const std::size_t i = static_cast<std::size_t>(first + r);
        if (i >= ids.size()) break;
        const ChooserItem* item = c.item(ids[i]);
        if (!item) continue;
        line.clear();
        if (side == ColumnChooser::Side::Shown) {
            append_int(line, static_cast<int64_t>(i + 1));
            line += i < 9 ? "  " : " ";
        }
        line += item->name;
        const int pad = c.name_width() - static_cast<int>(item->name.size());
        line.append(static_cast<std::size_t>(std::max(1, pad)), ' ');
        line += side == ColumnChooser::Side::Shown ? item->header : item->description;
        const bool at = static_cast<int>(i) == cursor;
        const Style style = !at ? Style::Normal : c.side() == side ? Style::Selected : Style::Tab;
        if (at) g.fill(x, y + r, width, style);
        g.put(x, y + r, line, style, width);
    }
}

}  // namespace

int chooser_top(const ColumnChooser& c, int table_top, int table_rows, int bottom) {
    const int lists = static_cast<int>(std::max(c.shown().size(), c.available().size()));
    const int least = table_top + std::min(4, std::max(0, table_rows - 10));
    return std::max(least, bottom - (lists + 3));
}

void draw_chooser(const ColumnChooser& c, Grid& g, int top, int rows) {
    if (!c.is_open() || rows < 4 || g.width() < 20) return;
    for (int y = top; y < top + rows; ++y) g.fill(0, y, g.width(), Style::Normal);
    const std::vector<int> avail = c.available();
    std::string line = " ";
    line += c.title();
    line += ": ";
    append_int(line, static_cast<int64_t>(c.shown().size()));
    line += " shown, ";
    append_int(line, static_cast<int64_t>(avail.size()));
    line += " more";
    g.fill(0, top, g.width(), Style::Title);
    g.put(0, top, line, Style::Title);
    const int left = std::min(3 + c.name_width() + 9, g.width() / 3 + 4);  // "NN name HEADER"
    const int right_x = left + 2;
    const int right = g.width() - right_x;
    g.fill(0, top + 1, g.width(), Style::Header);
    g.put(0, top + 1, "Shown, in order", Style::Header, left);
    if (right > 0) g.put(right_x, top + 1, "Available", Style::Header, right);
    const int list_rows = rows - 3;
    draw_list(c, ColumnChooser::Side::Shown, c.shown(), g, 0, left, top + 2, list_rows);
    if (right > 0) draw_list(c, ColumnChooser::Side::Available, avail, g, right_x, right, top + 2, list_rows);
    const std::string_view footer = c.message().empty() ? kChooserHint : std::string_view(c.message());
    g.put(0, top + rows - 1, footer, c.message().empty() ? Style::Dim : Style::Error);
}

void ColumnChooser::open(std::string title, std::vector<ChooserItem> catalogue, const std::vector<int>& shown) {
    open_ = true;
    title_ = std::move(title);
    catalogue_ = std::move(catalogue);
    shown_.clear();
    for (int id : shown) {
        if (item(id) && std::find(shown_.begin(), shown_.end(), id) == shown_.end()) shown_.push_back(id);
    }
    side_ = Side::Shown;
    cursor_shown_ = cursor_avail_ = 0;
    message_.clear();
    name_width_ = 1;
    for (const ChooserItem& c : catalogue_) name_width_ = std::max(name_width_, static_cast<int>(c.name.size()) + 1);
}

std::vector<int> ColumnChooser::available() const {
    std::vector<int> out;
    for (const ChooserItem& c : catalogue_) {
        if (std::find(shown_.begin(), shown_.end(), c.id) == shown_.end()) out.push_back(c.id);
    }
    return out;
}

const ChooserItem* ColumnChooser::item(int id) const {
    for (const ChooserItem& c : catalogue_) {
        if (c.id == id) return &c;
    }
    return nullptr;
}

void ColumnChooser::clamp() {
    const int shown = static_cast<int>(shown_.size());
    const int avail = static_cast<int>(catalogue_.size()) - shown;
    cursor_shown_ = std::clamp(cursor_shown_, 0, std::max(0, shown - 1));
    cursor_avail_ = std::clamp(cursor_avail_, 0, std::max(0, avail - 1));
}

void ColumnChooser::move_cursor(int delta) {
    int& c = side_ == Side::Shown ? cursor_shown_ : cursor_avail_;
    const long sum = static_cast<long>(c) + delta;
    c = static_cast<int>(std::clamp<long>(sum, 0, 1L << 30));
    clamp();
}

ChooserOutcome ColumnChooser::toggle() {
    if (side_ == Side::Shown) {
        if (shown_.empty()) return ChooserOutcome::Moved;
        if (shown_.size() == 1) {
            message_ = "at least one column stays shown";
            return ChooserOutcome::Moved;
        }
        shown_.erase(shown_.begin() + cursor_shown_);
    } else {
        const std::vector<int> avail = available();
        if (avail.empty()) return ChooserOutcome::Moved;
        shown_.push_back(avail[static_cast<std::size_t>(cursor_avail_)]);
    }
    clamp();
    return ChooserOutcome::Changed;
}

ChooserOutcome ColumnChooser::reorder(int delta) {
    if (side_ != Side::Shown) {
        message_ = "[ ] move a shown column (Left: the shown list)";
        return ChooserOutcome::Moved;
    }
    const int to = cursor_shown_ + delta;
    if (shown_.empty() || to < 0 || to >= static_cast<int>(shown_.size())) return ChooserOutcome::Moved;
    std::swap(shown_[static_cast<std::size_t>(cursor_shown_)], shown_[static_cast<std::size_t>(to)]);
    cursor_shown_ = to;
    return ChooserOutcome::Changed;
}

ChooserOutcome ColumnChooser::handle_key(int k) {
    if (!open_) return ChooserOutcome::Ignored;
    message_.clear();
    switch (k) {
        case key::Up: case 'k': move_cursor(-1); return ChooserOutcome::Moved;
        case key::Down: case 'j': move_cursor(1); return ChooserOutcome::Moved;
        case key::PageUp: move_cursor(-kPage); return ChooserOutcome::Moved;
        case key::PageDown: move_cursor(kPage); return ChooserOutcome::Moved;
        case key::Home: case 'g': move_cursor(-(1 << 30)); return ChooserOutcome::Moved;
        case key::End: case 'G': move_cursor(1 << 30); return ChooserOutcome::Moved;
        case key::Left: side_ = Side::Shown; return ChooserOutcome::Moved;
        case key::Right: side_ = Side::Available; return ChooserOutcome::Moved;
        case key::Tab: case key::BackTab:
            side_ = side_ == Side::Shown ? Side::Available : Side::Shown;
            return ChooserOutcome::Moved;
        case ' ': case key::Enter: case '\r': return toggle();
        case '[': return reorder(-1);
        case ']': return reorder(1);
        case key::Escape: case key::F2: case 'o': case 'q':
            open_ = false;
            return ChooserOutcome::Closed;
        default: return ChooserOutcome::Ignored;
    }
}

}  // namespace uwsgitop::tui
