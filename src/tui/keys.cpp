// keys.cpp — the key table (see keys.hpp).
#include "uwsgitop/tui/keys.hpp"

#include <array>

#include "uwsgitop/tui/travel.hpp"


namespace uwsgitop::tui {

namespace {

constexpr uint8_t col(ColumnId id) { return static_cast<uint8_t>(id); }
constexpr uint8_t step(TravelStep s) { return static_cast<uint8_t>(s); }

using A = Action;

// Lower-case letters and symbols are commands; upper-case letters sort by a
// column (as in top: M memory, P pid...), except I which inverts like htop.
constexpr std::array kBindings = {
    KeyBinding{'q', A::Quit, 0, "q", "quit"},
    KeyBinding{'?', A::Help, 0, "? h F1", "this help (Esc or q closes it)"},
    KeyBinding{'h', A::Help, 0, "", ""},
    KeyBinding{key::F1, A::Help, 0, "", ""},
    KeyBinding{'a', A::CycleRowMode, 0, "a", "rows: workers / cores as WID:CID / cores under their worker"},
    KeyBinding{'f', A::ToggleFast, 0, "f", "fast refresh (0.1 s) on/off"},
    KeyBinding{' ', A::Pause, 0, "Space", "pause: keep the last snapshot and stop fetching; again resumes"},
    KeyBinding{'+', A::IntervalUp, 0, "+", "refresh less often (longer interval)"},
    KeyBinding{'-', A::IntervalDown, 0, "-", "refresh more often (shorter interval)"},
    KeyBinding{'<', A::SortPrev, 0, "< >", "sort by the column left / right of the current one"},
    KeyBinding{'>', A::SortNext, 0, "", ""},
    KeyBinding{',', A::SortPrev, 0, "", ""},
    KeyBinding{'.', A::SortNext, 0, "", ""},
    KeyBinding{'r', A::SortInvert, 0, "r I", "invert the sort order (a column's key twice does too)"},
    KeyBinding{'I', A::SortInvert, 0, "", ""},
    KeyBinding{key::Up, A::Up, 0, "Up Down k j", "move the selection"},
    KeyBinding{key::Down, A::Down, 0, "", ""},
    KeyBinding{'k', A::Up, 0, "", ""},
    KeyBinding{'j', A::Down, 0, "", ""},
    KeyBinding{key::PageUp, A::PageUp, 0, "PgUp PgDn", "move by a page"},
    KeyBinding{key::PageDown, A::PageDown, 0, "", ""},
    KeyBinding{key::Home, A::Home, 0, "Home End g G", "first / last row"},
    KeyBinding{key::End, A::End, 0, "", ""},
    KeyBinding{'g', A::Home, 0, "", ""},
    KeyBinding{'G', A::End, 0, "", ""},
    KeyBinding{key::Left, A::ScrollLeft, 0, "Left Right", "scroll the columns sideways (the first stays)"},
    KeyBinding{key::Right, A::ScrollRight, 0, "", ""},
    KeyBinding{key::Enter, A::Open, 0, "Enter", "details of the selected worker (cores, apps, requests in flight, Python stacks)"},
    KeyBinding{key::Escape, A::Back, 0, "Esc", "close details/help; clear the filter"},
    KeyBinding{'/', A::Filter, 0, "/", "filter: status, pid or its start, id, WID:CID, text; a|b either, !a none"},
    KeyBinding{key::Tab, A::NextPane, 0, "Tab S-Tab", "next / previous pane (sockets, locks, caches, ...)"},
    KeyBinding{key::BackTab, A::PrevPane, 0, "", ""},
    KeyBinding{'1', A::SelectPane, 0, "1-9", "go to the pane with that number in the tab bar"},
    KeyBinding{'2', A::SelectPane, 1, "", ""},
    KeyBinding{'3', A::SelectPane, 2, "", ""},
    KeyBinding{'4', A::SelectPane, 3, "", ""},
    KeyBinding{'5', A::SelectPane, 4, "", ""},
    KeyBinding{'6', A::SelectPane, 5, "", ""},
    KeyBinding{'7', A::SelectPane, 6, "", ""},
    KeyBinding{'8', A::SelectPane, 7, "", ""},
    KeyBinding{'9', A::SelectPane, 8, "", ""},
    KeyBinding{key::CtrlL, A::Redraw, 0, "Ctrl-L", "redraw the screen"},
    KeyBinding{'v', A::AddVassal, 0, "v", "in a fleet, vassals pane: add the selected vassal (stats address from its .ini)"},
    KeyBinding{'w', A::ToggleWorkerSpark, 0, "w", "per-worker RPS history column (RPS~) on/off"},
    KeyBinding{'s', A::SaveView, 0, "s", "save the view (columns, sort, pane, filter, interval, colour) for the next start"},
    KeyBinding{'m', A::ToggleMouse, 0, "m", "mouse on/off (see Mouse below; Shift+drag selects text either way)"},
    KeyBinding{'x', A::Actions, 0, "x", "actions on the selected worker or the instance (reload, kill...): a letter, then y"},
    KeyBinding{'p', A::ReadStacks, 0, "p", "in a worker's details: read its Python stacks again (uWSGI --py-tracebacker)"},
    KeyBinding{key::F2, A::ChooseColumns, 0, "F2 c", "column chooser: show, hide and reorder the columns of this table (s keeps them)"},
    KeyBinding{'c', A::ChooseColumns, 0, "", ""},
    KeyBinding{'t', A::Tag, 0, "t", "tag / untag the selected worker (*); x then acts on the tagged ones in turn"},
    KeyBinding{'[', A::Travel, step(TravelStep::Back), "[ ]", "replay: one snapshot back / forward (pauses; Space plays on from there)"},
    KeyBinding{']', A::Travel, step(TravelStep::Forward), "", ""},
    KeyBinding{'{', A::Travel, step(TravelStep::MinuteBack), "{ }", "replay: one minute of recorded time back / forward (pauses)"},
    KeyBinding{'}', A::Travel, step(TravelStep::MinuteForward), "", ""},
    KeyBinding{'(', A::Travel, step(TravelStep::Start), "( )", "replay: first / last snapshot of the recording (or of --begin/--end; pauses)"},
    KeyBinding{')', A::Travel, step(TravelStep::End), "", ""},
    // Sort keys of the worker/core table (listed with the columns in help).
    KeyBinding{'W', A::SortBy, col(ColumnId::Id), "W", ""},
    KeyBinding{'%', A::SortBy, col(ColumnId::Share), "%", ""},
    KeyBinding{'P', A::SortBy, col(ColumnId::Pid), "P", ""},
    KeyBinding{'R', A::SortBy, col(ColumnId::Requests), "R", ""},
    KeyBinding{'S', A::SortBy, col(ColumnId::Rps), "S", ""},
    KeyBinding{'E', A::SortBy, col(ColumnId::Exceptions), "E", ""},
    KeyBinding{'X', A::SortBy, col(ColumnId::ExcRate), "X", ""},
    KeyBinding{'N', A::SortBy, col(ColumnId::Signals), "N", ""},
    KeyBinding{'U', A::SortBy, col(ColumnId::Status), "U", ""},
    KeyBinding{'V', A::SortBy, col(ColumnId::AvgRt), "V", ""},
    KeyBinding{'M', A::SortBy, col(ColumnId::Rss), "M", ""},
    KeyBinding{'Z', A::SortBy, col(ColumnId::Vsz), "Z", ""},
    KeyBinding{'T', A::SortBy, col(ColumnId::Tx), "T", ""},
    KeyBinding{'Y', A::SortBy, col(ColumnId::TxRate), "Y", ""},
    KeyBinding{'O', A::SortBy, col(ColumnId::Respawns), "O", ""},
    KeyBinding{'H', A::SortBy, col(ColumnId::Harakiri), "H", ""},
    KeyBinding{'K', A::SortBy, col(ColumnId::RunningTime), "K", ""},
    KeyBinding{'L', A::SortBy, col(ColumnId::LastSpawn), "L", ""},
    KeyBinding{'A', A::SortBy, col(ColumnId::Accepting), "A", ""},
    KeyBinding{'C', A::SortBy, col(ColumnId::Core), "C", ""},
    KeyBinding{'Q', A::SortBy, col(ColumnId::InRequest), "Q", ""},
    KeyBinding{'D', A::SortBy, col(ColumnId::RequestTime), "D", ""},
    KeyBinding{'B', A::SortBy, col(ColumnId::Method), "B", ""},
    KeyBinding{'J', A::SortBy, col(ColumnId::Uri), "J", ""},
    KeyBinding{'F', A::SortBy, col(ColumnId::Remote), "F", ""},
};

}  // namespace

std::span<const KeyBinding> key_bindings() { return kBindings; }

const KeyBinding* find_binding(int k) {
    if (k == '\r') k = key::Enter;
    for (const KeyBinding& b : kBindings) {
        if (b.key == k) return &b;
    }
    return nullptr;
}

int sort_key_for(ColumnId column) {
    for (const KeyBinding& b : kBindings) {
        if (b.action == Action::SortBy && b.arg == static_cast<uint8_t>(column)) return b.key;
    }
    return key::None;
}

std::string key_name(int k) {
    switch (k) {
        case ' ': return "Space";
        case key::Tab: return "Tab";
        case key::Enter: return "Enter";
        case key::Escape: return "Esc";
        case key::CtrlL: return "Ctrl-L";
        case key::Up: return "Up";
        case key::Down: return "Down";
        case key::Left: return "Left";
        case key::Right: return "Right";
        case key::PageUp: return "PgUp";
        case key::PageDown: return "PgDn";
        case key::Home: return "Home";
        case key::End: return "End";
        case key::Backspace: return "Backspace";
        case key::Delete: return "Del";
        case key::BackTab: return "S-Tab";
        case key::F1: return "F1";
        case key::F2: return "F2";
        case key::Resize: return "Resize";
        case key::Mouse: return "Mouse";
        default: break;
    }
    std::string out;
    if (k >= 0x20 && k < 0x7F) {
        out += static_cast<char>(k);
    } else if (k > 0 && k < 0x20) {
        out = "Ctrl-";
        out += static_cast<char>('@' + k);
    } else {
        out = "U+" + std::to_string(k);
    }
    return out;
}

}  // namespace uwsgitop::tui
