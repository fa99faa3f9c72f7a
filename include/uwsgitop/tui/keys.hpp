// keys.hpp — key codes, the actions they trigger, and the one key table.
//
// The backend turns terminal input into the codes below (printable input is
// its Unicode code point). find_binding() maps a code to an Action; the help
// screen and the status-line hints are generated from the same table, so a
// key cannot work without being documented or be documented without working.
// SortBy bindings carry the ColumnId they sort by in `arg`, Travel bindings
// their TravelStep (travel.hpp).
//
// Each (action, arg) has a name ("quit", "sort-rss", "pane-3"), on its first
// row of the table; the settings' [keys] table binds a name to keys that
// replace its default ones (KeyMap). The run's map is process-wide: set
// once before a screen starts (use_key_settings), read by find_binding(),
// key_bindings() and sort_key_for(), which stay as cheap as the table.
// Ctrl-C is the terminal's interrupt: it always quits and cannot be bound.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "uwsgitop/base/status.hpp"
#include "uwsgitop/settings/options.hpp"
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
constexpr int F2 = Base + 15;     // F2..F12 follow: fkey(n)
constexpr int fkey(int n) { return n == 1 ? F1 : F2 + n - 2; }  // n in 1..12
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
    GoToTime,        // b: a replay's prompt for a time to travel to
    Actions,         // x: the action menu (action_menu.hpp; the loop opens it)
    Tag,             // t: tag/untag the selected worker for the action menu
    ReadStacks,      // p: read the Python stacks of the worker in the details again
    ChooseColumns,   // F2, o: the column chooser (column_chooser.hpp)
    ToggleExceptions, // e (events): exceptions lines shown / hidden
    ToggleGroup,     // c (fleet): collapse / expand the selected Emperor's vassals
    Count_
};

struct KeyBinding {
    int key;
    Action action;
    uint8_t arg;
    std::string_view label;  // how help shows the key(s); empty: covered by another entry
    std::string_view help;
    std::string_view name = {};  // the (action, arg)'s name on its first row, else ""
};

// The bindings in effect: the table with the [keys] replacements, in table
// order; each help line's label lists the keys in effect.
std::span<const KeyBinding> key_bindings();
const KeyBinding* find_binding(int key);
// True when `key` was bound by [keys] (the fleet's fixed sort keys yield to it).
bool user_bound(int key);
// The keys in effect for (action, arg): "p Space"; the first one; "" none.
std::string keys_of(Action action, uint8_t arg = 0);
std::string first_key(Action action, uint8_t arg = 0);

// The table with some actions' keys replaced (see top).
class KeyMap {
public:
    KeyMap();  // the defaults
    KeyMap(const KeyMap&) = delete;
    KeyMap& operator=(const KeyMap&) = delete;
    KeyMap(KeyMap&&) = default;
    KeyMap& operator=(KeyMap&&) = default;

    // Replaces the keys of each action named in `settings`, whose key names
    // become key_name()'s spelling. Fails with "ORIGIN: [keys]: ..." on an
    // unknown action or key, Ctrl-C, or a key left bound to two actions.
    static Status build(std::vector<KeySetting>& settings, KeyMap& out);

    std::span<const KeyBinding> bindings() const { return rows_; }
    const KeyBinding* find(int key) const;
    bool user_bound(int key) const;

private:
    void index();
    std::vector<KeyBinding> rows_;
    std::vector<bool> user_;            // per row: from [keys]
    std::array<int16_t, 128> ascii_{};  // row of an ASCII key, -1 none
    std::deque<std::string> labels_;    // generated labels (stable addresses)
};

// Builds the map of `settings` and makes it the run's (see KeyMap::build).
Status use_key_settings(std::vector<KeySetting>& settings);
// Makes `map` the run's (tests; the defaults again with KeyMap()).
void use_key_map(KeyMap map);

// The key code of a key name ("q", "Ctrl-R", "F5", "Space", "PgUp"), or key::None.
int parse_key(std::string_view name);
// The names every action has, in table order, space-separated.
std::string action_names();

// The sort key of a worker-table column, or key::None.
int sort_key_for(ColumnId column);

// A printable name for a key code ("q", "Space", "PgUp", "F1").
std::string key_name(int key);

}  // namespace uwsgitop::tui
