// text_view.hpp — the scrollable text screens: help and details.
//
// Both are lists of styled lines built from the view-model on demand (they
// are not the hot path: only one is on screen at a time, and only when asked
// for). TextLines reuses its strings between builds.
//
// Help is generated from the key table (keys.hpp), the column table
// (columns.hpp) and the pane tables (panes.hpp): what it lists is what works.
// Details of a worker: its facts, apps, cores with per-core rates and
// in_request, then every request in flight with method, URI, remote address,
// how long it has been running, and all its vars — every server string
// escaped (text.hpp). Details of another pane's row: each column's value.
#pragma once

#include <string>
#include <vector>

#include "uwsgitop/tui/grid.hpp"
#include "uwsgitop/tui/keys.hpp"

namespace uwsgitop::tui {

class ViewModel;

struct TextLine {
    std::string text;
    Style style = Style::Normal;
};

class TextLines {
public:
    void clear() { used_ = 0; }
    // A new, empty line (its string keeps the capacity it had).
    std::string& add(Style style = Style::Normal);
    std::size_t size() const { return used_; }
    const TextLine& operator[](std::size_t i) const { return lines_[i]; }

private:
    std::vector<TextLine> lines_;
    std::size_t used_ = 0;
};

void build_help(const ViewModel& vm, TextLines& out);
// The help's list of action names (keys.hpp) with their keys in effect, two
// a line; `keep` (null: all) picks the actions of a screen.
void build_key_names(TextLines& out, bool (*keep)(Action));
void build_detail(const ViewModel& vm, TextLines& out);

}  // namespace uwsgitop::tui
