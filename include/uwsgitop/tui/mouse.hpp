// mouse.hpp — mouse input as plain events, and where things were drawn.
//
// The backend (ncurses_backend.cpp: mousemask with the terminal's SGR 1006
// reports, so columns past 223 work) turns a report into a MouseEvent and
// returns key::Mouse from read_key(). The view-models act on events with the
// ScreenHits of the last render (render.hpp), so every mouse action is
// testable without a terminal. Every mouse action has a key doing the same.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace uwsgitop::tui {

enum class MouseKind : uint8_t { Press, Release, WheelUp, WheelDown };

// A left-button press or release, or a wheel notch, at cell (x, y).
struct MouseEvent {
    MouseKind kind = MouseKind::Press;
    int x = 0;
    int y = 0;
};

// A clickable stretch of one screen row: columns [x, x + width).
struct HitSpan {
    int x = 0;
    int width = 0;
    int index = 0;  // header: position in the table's columns (-1: not sortable); tabs: position in the tab bar
};

// What the last render put where: the table header's columns and the tabs;
// and how far the table can usefully scroll sideways (ViewModel::fit_hscroll).
struct ScreenHits {
    static constexpr std::size_t kNoLimit = static_cast<std::size_t>(-1);
    std::vector<HitSpan> header;
    std::vector<HitSpan> tabs;
    // The shown table's largest useful sideways scroll at this width
    // (layout.hpp scroll_limit; kNoLimit when no table header was drawn).
    std::size_t hscroll_limit = kNoLimit;
    // The span of `spans` holding column x, or null.
    static const HitSpan* find(const std::vector<HitSpan>& spans, int x) {
        for (const HitSpan& s : spans) {
            if (x >= s.x && x < s.x + s.width) return &s;
        }
        return nullptr;
    }
};

constexpr double kDoubleClickSeconds = 0.4;  // two presses on one row within this: open it
constexpr int kWheelRows = 3;                // rows a wheel notch scrolls

}  // namespace uwsgitop::tui
