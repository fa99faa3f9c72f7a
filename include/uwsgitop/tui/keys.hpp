// keys.hpp — key codes, the actions they trigger, and the one key table.
//
// The backend turns terminal input into the codes below (printable input is
// its Unicode code point). find_binding() maps a code to an Action; the help
// screen and the status-line hints are generated from the same table, so a
// key cannot work without being documented or be documented without working.
// SortBy bindings carry the ColumnId they sort by in `arg`, Travel bindings
// their TravelStep (travel.hpp).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "uwsgitop/view/columns.hpp"

namespace uwsgitop::tui {

namespace key {
constexpr int None = -1;
constexpr int Tab = '\t';
constexpr int Enter = '\n';
constexpr int Escape = 27;
constexpr int CtrlL = 12;
constexpr int Base = 0x110000;  // past the last Unicode code point
constexpr int Up = Base + 1;
constexpr int Down = Base + 2;
constexpr int Left = Base + 3;
constexpr int Right = Base + 4;
constexpr int PageUp = Base + 5;
constexpr int PageDown = Base + 6;
constexpr int Home = Base + 7;
constexpr int End = Base + 8;
constexpr int Backspace = Base + 9;
constexpr int Delete = Base + 10;
constexpr int BackTab = Base + 11;
constexpr int F1 = Base + 12;
constexpr int Resize = Base + 13;
constexpr int Mouse = Base + 14;  // a mouse report: Terminal::mouse_event() says what
constexpr int F2 = Base + 15;
}  // namespace key

enum class Action : uint8_t {
    None,
    Quit,
    Help,
    CycleRowMode,    // a: workers -> cores (WID:CID) -> cores under workers
    ToggleFast,      // f
    Pause,           // space
    IntervalUp,      // +: refresh less often
    IntervalDown,    // -: refresh more often
    SortPrev,        // <
    SortNext,        // >
    SortInvert,      // r, I
    SortBy,          // a column's sort key; arg = ColumnId
    Up, Down, PageUp, PageDown, Home, End,
    ScrollLeft, ScrollRight,
    Open,            // Enter: detail of the selected row
    Back,            // Esc: close detail/help, clear the filter
    Filter,          // /
    NextPane, PrevPane,
    SelectPane,      // 1..9; arg = position in the tab bar
    Redraw,          // Ctrl-L
    ToggleWorkerSpark, // w: per-worker RPS history column
    AddVassal,       // v (vassals pane): add the vassal's stats address to the fleet
    SaveView,        // s: write the view to the state file
    ToggleMouse,     // m: mouse reports on/off
    Travel,          // [ ] { } ( ): through a replay; arg = TravelStep (travel.hpp)
    Actions,         // x: the action menu (action_menu.hpp; the loop opens it)
    Tag,             // t: tag/untag the selected worker for the action menu
    ReadStacks,      // p: read the Python stacks of the worker in the details again
    ChooseColumns,   // F2, c: the column chooser (column_chooser.hpp)
    Count_
};

struct KeyBinding {
    int key;
    Action action;
    uint8_t arg;
    std::string_view label;  // how help shows the key(s); empty: covered by another entry
    std::string_view help;
};

std::span<const KeyBinding> key_bindings();
const KeyBinding* find_binding(int key);

// The sort key of a worker-table column, or key::None.
int sort_key_for(ColumnId column);

// A printable name for a key code ("q", "Space", "PgUp", "F1").
std::string key_name(int key);

}  // namespace uwsgitop::tui
