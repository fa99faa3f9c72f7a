// keys.cpp — the key table (see keys.hpp).
#include "uwsgitop/tui/keys.hpp"

#include <algorithm>
#include <array>

#include "uwsgitop/base/text.hpp"
#include "uwsgitop/tui/travel.hpp"

namespace uwsgitop::tui {

namespace {

constexpr uint8_t col(ColumnId id) { return static_cast<uint8_t>(id); }
constexpr uint8_t step(TravelStep s) { return static_cast<uint8_t>(s); }

using A = Action;

// Lower-case letters and symbols are commands; upper-case letters sort by a
// column (as in top: M memory, P pid...), except I which inverts like htop.
constexpr std::array kBindings = {
    KeyBinding{'q', A::Quit, 0, "q", "quit", "quit"},
    KeyBinding{'?', A::Help, 0, "? h F1", "this help (Esc or q closes it)", "help"},
    KeyBinding{'h', A::Help, 0, "", ""},
    KeyBinding{key::F1, A::Help, 0, "", ""},
    KeyBinding{'a', A::CycleRowMode, 0, "a", "rows: workers / cores as WID:CID / cores under their worker", "row-mode"},
    KeyBinding{'f', A::ToggleFast, 0, "f", "fast refresh (0.1 s) on/off; in a replay: 10 times the speed on/off", "fast"},
    KeyBinding{' ', A::Pause, 0, "Space", "pause: keep the last snapshot and stop fetching; again resumes", "pause"},
    KeyBinding{'+', A::IntervalUp, 0, "+", "refresh less often (longer interval); in a replay: play faster (2x, 4x ... max)", "interval-up"},
    KeyBinding{'-', A::IntervalDown, 0, "-", "refresh more often (shorter interval); in a replay: play slower (... 0.25x)", "interval-down"},
    KeyBinding{'<', A::SortPrev, 0, "< >", "sort by the column left / right of the current one", "sort-prev"},
    KeyBinding{'>', A::SortNext, 0, "", "", "sort-next"},
    KeyBinding{',', A::SortPrev, 0, "", ""},
    KeyBinding{'.', A::SortNext, 0, "", ""},
    KeyBinding{'r', A::SortInvert, 0, "r I", "invert the sort order (a column's key twice does too)", "sort-invert"},
    KeyBinding{'I', A::SortInvert, 0, "", ""},
    KeyBinding{key::Up, A::Up, 0, "Up Down k j", "move the selection", "up"},
    KeyBinding{key::Down, A::Down, 0, "", "", "down"},
    KeyBinding{'k', A::Up, 0, "", ""},
    KeyBinding{'j', A::Down, 0, "", ""},
    KeyBinding{key::PageUp, A::PageUp, 0, "PgUp PgDn", "move by a page", "page-up"},
    KeyBinding{key::PageDown, A::PageDown, 0, "", "", "page-down"},
    KeyBinding{key::Home, A::Home, 0, "Home End g G", "first / last row", "home"},
    KeyBinding{key::End, A::End, 0, "", "", "end"},
    KeyBinding{'g', A::Home, 0, "", ""},
    KeyBinding{'G', A::End, 0, "", ""},
    KeyBinding{key::Left, A::ScrollLeft, 0, "Left Right", "scroll the columns sideways (the first stays)", "scroll-left"},
    KeyBinding{key::Right, A::ScrollRight, 0, "", "", "scroll-right"},
    KeyBinding{key::Enter, A::Open, 0, "Enter", "details of the selected worker (cores, apps, requests in flight, Python stacks)", "open"},
    KeyBinding{key::Escape, A::Back, 0, "Esc", "close details/help; clear the filter", "back"},
    KeyBinding{'/', A::Filter, 0, "/", "filter: status, pid or its start, id, WID:CID, text; a|b either, !a none", "filter"},
    KeyBinding{key::Tab, A::NextPane, 0, "Tab S-Tab", "next / previous pane (sockets, locks, caches, ...)", "next-pane"},
    KeyBinding{key::BackTab, A::PrevPane, 0, "", "", "prev-pane"},
    KeyBinding{'1', A::SelectPane, 0, "1-9", "go to the pane with that number in the tab bar", "pane-1"},
    KeyBinding{'2', A::SelectPane, 1, "", "", "pane-2"},
    KeyBinding{'3', A::SelectPane, 2, "", "", "pane-3"},
    KeyBinding{'4', A::SelectPane, 3, "", "", "pane-4"},
    KeyBinding{'5', A::SelectPane, 4, "", "", "pane-5"},
    KeyBinding{'6', A::SelectPane, 5, "", "", "pane-6"},
    KeyBinding{'7', A::SelectPane, 6, "", "", "pane-7"},
    KeyBinding{'8', A::SelectPane, 7, "", "", "pane-8"},
    KeyBinding{'9', A::SelectPane, 8, "", "", "pane-9"},
    KeyBinding{key::CtrlL, A::Redraw, 0, "Ctrl-L", "redraw the screen", "redraw"},
    KeyBinding{'c', A::ToggleGroup, 0, "c", "in a fleet: collapse / expand the vassals under the selected Emperor", "toggle-group"},
    KeyBinding{'v', A::AddVassal, 0, "v", "in a fleet, vassals pane: add the selected vassal (stats address from its .ini)", "add-vassal"},
    KeyBinding{'w', A::ToggleWorkerSpark, 0, "w", "per-worker RPS history column (RPS~) on/off", "worker-spark"},
    KeyBinding{'s', A::SaveView, 0, "s", "save the view (columns, sort, rows, pane, interval, colour; s again: the filter too) for the next start", "save-view"},
    KeyBinding{'m', A::ToggleMouse, 0, "m", "mouse on/off (see Mouse below; Shift+drag selects text either way)", "mouse"},
    KeyBinding{'x', A::Actions, 0, "x", "actions on the selected worker or the instance (reload, kill...): a letter, then y", "actions"},
    KeyBinding{'p', A::ReadStacks, 0, "p", "in a worker's details: read its Python stacks again (uWSGI --py-tracebacker)", "read-stacks"},
    KeyBinding{'o', A::ChooseColumns, 0, "o F2", "column chooser: show, hide and reorder the columns of this table (s keeps them)", "choose-columns"},
    KeyBinding{key::fkey(2), A::ChooseColumns, 0, "", ""},
    KeyBinding{'e', A::ToggleExceptions, 0, "e", "events: show / hide the exceptions lines (one per worker a minute)", "exceptions"},
    KeyBinding{'t', A::Tag, 0, "t", "tag / untag the selected worker (*); x then acts on the tagged ones in turn", "tag"},
    KeyBinding{'[', A::Travel, step(TravelStep::Back), "[ ]", "replay: one snapshot back / forward (pauses; Space plays on from there)", "travel-back"},
    KeyBinding{']', A::Travel, step(TravelStep::Forward), "", "", "travel-forward"},
    KeyBinding{'{', A::Travel, step(TravelStep::MinuteBack), "{ }", "replay: one minute of recorded time back / forward (pauses)", "travel-minute-back"},
    KeyBinding{'}', A::Travel, step(TravelStep::MinuteForward), "", "", "travel-minute-forward"},
    KeyBinding{'(', A::Travel, step(TravelStep::Start), "( )", "replay: first / last snapshot of the recording (or of --begin/--end; pauses)", "travel-start"},
    KeyBinding{')', A::Travel, step(TravelStep::End), "", "", "travel-end"},
    KeyBinding{'b', A::GoToTime, 0, "b", "replay: go to a time: 14:03:12, 14:03, -5m, +30s or 2026-12-07T14:03:12 (pauses)", "go-to-time"},
    // Sort keys of the worker/core table (listed with the columns in help).
    KeyBinding{'W', A::SortBy, col(ColumnId::Id), "W", "", "sort-id"},
    KeyBinding{'%', A::SortBy, col(ColumnId::Share), "%", "", "sort-share"},
    KeyBinding{'P', A::SortBy, col(ColumnId::Pid), "P", "", "sort-pid"},
    KeyBinding{'R', A::SortBy, col(ColumnId::Requests), "R", "", "sort-requests"},
    KeyBinding{'S', A::SortBy, col(ColumnId::Rps), "S", "", "sort-rps"},
    KeyBinding{'E', A::SortBy, col(ColumnId::Exceptions), "E", "", "sort-exceptions"},
    KeyBinding{'X', A::SortBy, col(ColumnId::ExcRate), "X", "", "sort-exc-rate"},
    KeyBinding{'N', A::SortBy, col(ColumnId::Signals), "N", "", "sort-signals"},
    KeyBinding{'U', A::SortBy, col(ColumnId::Status), "U", "", "sort-status"},
    KeyBinding{'V', A::SortBy, col(ColumnId::AvgRt), "V", "", "sort-avg-rt"},
    KeyBinding{'M', A::SortBy, col(ColumnId::Rss), "M", "", "sort-rss"},
    KeyBinding{'Z', A::SortBy, col(ColumnId::Vsz), "Z", "", "sort-vsz"},
    KeyBinding{'T', A::SortBy, col(ColumnId::Tx), "T", "", "sort-tx"},
    KeyBinding{'Y', A::SortBy, col(ColumnId::TxRate), "Y", "", "sort-tx-rate"},
    KeyBinding{'O', A::SortBy, col(ColumnId::Respawns), "O", "", "sort-respawns"},
    KeyBinding{'H', A::SortBy, col(ColumnId::Harakiri), "H", "", "sort-harakiri"},
    KeyBinding{'K', A::SortBy, col(ColumnId::RunningTime), "K", "", "sort-running-time"},
    KeyBinding{'L', A::SortBy, col(ColumnId::LastSpawn), "L", "", "sort-last-spawn"},
    KeyBinding{'A', A::SortBy, col(ColumnId::Accepting), "A", "", "sort-accepting"},
    KeyBinding{'C', A::SortBy, col(ColumnId::Core), "C", "", "sort-core"},
    KeyBinding{'Q', A::SortBy, col(ColumnId::InRequest), "Q", "", "sort-in-request"},
    KeyBinding{'D', A::SortBy, col(ColumnId::RequestTime), "D", "", "sort-request-time"},
    KeyBinding{'B', A::SortBy, col(ColumnId::Method), "B", "", "sort-method"},
    KeyBinding{'J', A::SortBy, col(ColumnId::Uri), "J", "", "sort-uri"},
    KeyBinding{'F', A::SortBy, col(ColumnId::Remote), "F", "", "sort-remote"},
};

// Key names parse_key() reads besides single characters, Ctrl-X and F1..F12.
struct NamedKey {
    std::string_view name;
    int key;
};
constexpr NamedKey kNamedKeys[] = {
    {"Space", ' '}, {"Enter", key::Enter}, {"Return", key::Enter}, {"Esc", key::Escape},
    {"Escape", key::Escape}, {"Tab", key::Tab}, {"BackTab", key::BackTab}, {"Shift-Tab", key::BackTab},
    {"S-Tab", key::BackTab}, {"Up", key::Up}, {"Down", key::Down}, {"Left", key::Left},
    {"Right", key::Right}, {"PgUp", key::PageUp}, {"PageUp", key::PageUp}, {"PgDn", key::PageDown},
    {"PageDown", key::PageDown}, {"Home", key::Home}, {"End", key::End}, {"Backspace", key::Backspace},
    {"Delete", key::Delete}, {"Del", key::Delete},
};

constexpr std::string_view kKeySyntax =
    "a character (case counts), Ctrl-A..Ctrl-Z, F1..F12, Space, Enter, Esc, Tab, BackTab, Up, Down, Left, "
    "Right, PgUp, PgDn, Home, End, Backspace, Delete";

bool same_folded(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return (x | 0x20) == (y | 0x20); });
}

// The first default row of the action named `name`, or null.
const KeyBinding* named(std::string_view name) {
    for (const KeyBinding& b : kBindings) {
        if (!b.name.empty() && b.name == name) return &b;
    }
    return nullptr;
}

const KeyBinding* first_of(Action a, uint8_t arg) {
    for (const KeyBinding& b : kBindings) {
        if (b.action == a && b.arg == arg) return &b;
    }
    return nullptr;
}

struct Replacement {
    const KeyBinding* first;  // the action's first default row
    std::vector<int> keys;
    const KeySetting* setting;
};

// One [keys] line checked and its key names spelt as key_name() does.
Status read_setting(KeySetting& s, Replacement& out) {
    std::string name = s.action;
    std::replace(name.begin(), name.end(), '_', '-');
    const std::string where = s.origin + (s.origin.empty() ? "" : ": ") + "[keys]: ";
    out.first = named(name);
    if (!out.first) {
        const std::string all = action_names();
        const std::string_view near = closest_word(name, all);
        return Status::fail(where + "unknown action \"" + escape_for_display(s.action) + "\"" +
                            (near.empty() ? "" : " (did you mean " + std::string(near) + "?)") +
                            "; the actions are listed in uwsgitop(1), KEYS");
    }
    s.action = out.first->name;
    out.setting = &s;
    out.keys.clear();
    for (std::string& k : s.keys) {
        const int code = parse_key(k);
        if (code == 3) return Status::fail(where + s.action + ": Ctrl-C always quits; it cannot be bound");
        if (code == key::None) {
            return Status::fail(where + s.action + ": unknown key \"" + escape_for_display(k) + "\" (keys: " +
                                std::string(kKeySyntax) + ")");
        }
        k = key_name(code);
        if (std::find(out.keys.begin(), out.keys.end(), code) == out.keys.end()) out.keys.push_back(code);
    }
    return Status::ok();
}

const KeyMap* g_active = nullptr;

const KeyMap& active() {
    static const KeyMap defaults;
    return g_active ? *g_active : defaults;
}

}  // namespace

KeyMap::KeyMap() : rows_(kBindings.begin(), kBindings.end()), user_(rows_.size(), false) { index(); }

void KeyMap::index() {
    ascii_.fill(-1);
    for (std::size_t i = rows_.size(); i-- > 0;) {  // the first row of a key wins
        if (rows_[i].key >= 0 && rows_[i].key < 128) ascii_[static_cast<std::size_t>(rows_[i].key)] = static_cast<int16_t>(i);
    }
}

const KeyBinding* KeyMap::find(int k) const {
    if (k < 0) return nullptr;
    if (k == '\r') k = key::Enter;
    if (k >= 0 && k < 128) {
        const int16_t i = ascii_[static_cast<std::size_t>(k)];
        return i < 0 ? nullptr : &rows_[static_cast<std::size_t>(i)];
    }
    for (const KeyBinding& b : rows_) {
        if (b.key == k) return &b;
    }
    return nullptr;
}

bool KeyMap::user_bound(int k) const {
    const KeyBinding* b = find(k);
    return b && user_[static_cast<std::size_t>(b - rows_.data())];
}

Status KeyMap::build(std::vector<KeySetting>& settings, KeyMap& out) {
    std::vector<Replacement> reps(settings.size());
    for (std::size_t i = 0; i < settings.size(); ++i) {
        if (Status st = read_setting(settings[i], reps[i]); !st) return st;
    }
    auto replaced = [&](Action a, uint8_t arg) -> const Replacement* {
        for (auto it = reps.rbegin(); it != reps.rend(); ++it) {  // the last line of an action wins
            if (it->first->action == a && it->first->arg == arg) return &*it;
        }
        return nullptr;
    };
    KeyMap m;
    m.rows_.clear();
    m.user_.clear();
    // A help line (a row with a label, and the unlabelled rows after it): each
    // of its actions with its default keys or its replacements, in order.
    for (std::size_t g = 0; g < kBindings.size();) {
        std::size_t end = g + 1;
        while (end < kBindings.size() && kBindings[end].label.empty()) ++end;
        const std::size_t start = m.rows_.size();
        bool changed = false;
        for (std::size_t i = g; i < end; ++i) {
            const KeyBinding& d = kBindings[i];
            const Replacement* r = replaced(d.action, d.arg);
            changed = changed || r;
            if (!r) {
                m.rows_.push_back(KeyBinding{d.key, d.action, d.arg, {}, {}, d.name});
                m.user_.push_back(false);
            } else if (!d.name.empty()) {  // the action's first row: its new keys
                for (std::size_t j = 0; j < r->keys.size(); ++j) {
                    m.rows_.push_back(KeyBinding{r->keys[j], d.action, d.arg, {}, {}, j == 0 ? d.name : ""});
                    m.user_.push_back(true);
                }
                if (r->keys.empty()) {  // unbound: a row that no key reaches keeps its name and help
                    m.rows_.push_back(KeyBinding{key::None, d.action, d.arg, {}, {}, d.name});
                    m.user_.push_back(true);
                }
            }
        }
        std::string_view label = kBindings[g].label;
        if (changed) {
            std::string& l = m.labels_.emplace_back();
            for (std::size_t i = start; i < m.rows_.size(); ++i) {
                if (m.rows_[i].key == key::None) continue;
                if (!l.empty()) l += ' ';
                l += key_name(m.rows_[i].key);
            }
            if (l.empty()) l = "(none)";
            label = l;
        }
        if (start < m.rows_.size()) {
            m.rows_[start].label = label;
            m.rows_[start].help = kBindings[g].help;
        }
        g = end;
    }
    m.index();
    for (std::size_t i = 0; i < m.rows_.size(); ++i) {
        const KeyBinding& b = m.rows_[i];
        if (b.key == key::None) continue;
        const KeyBinding* other = m.find(b.key);
        if (other == &b || (other->action == b.action && other->arg == b.arg)) continue;
        const Replacement* r = replaced(b.action, b.arg);
        if (!r) r = replaced(other->action, other->arg);
        return Status::fail((r ? r->setting->origin + ": " : std::string()) + "[keys]: " + key_name(b.key) +
                            " is bound to both " + std::string(first_of(other->action, other->arg)->name) + " and " +
                            std::string(first_of(b.action, b.arg)->name));
    }
    out = std::move(m);
    return Status::ok();
}

Status use_key_settings(std::vector<KeySetting>& settings) {
    KeyMap m;
    if (Status st = KeyMap::build(settings, m); !st) return st;
    use_key_map(std::move(m));
    return Status::ok();
}

void use_key_map(KeyMap map) {
    static KeyMap run;
    run = std::move(map);
    g_active = &run;
}

std::span<const KeyBinding> key_bindings() { return active().bindings(); }

const KeyBinding* find_binding(int k) { return active().find(k); }

bool user_bound(int k) { return active().user_bound(k); }

std::string keys_of(Action action, uint8_t arg) {
    std::string out;
    for (const KeyBinding& b : key_bindings()) {
        if (b.action != action || b.arg != arg || b.key == key::None) continue;
        if (!out.empty()) out += ' ';
        out += key_name(b.key);
    }
    return out;
}

std::string first_key(Action action, uint8_t arg) {
    for (const KeyBinding& b : key_bindings()) {
        if (b.action == action && b.arg == arg && b.key != key::None) return key_name(b.key);
    }
    return {};
}

int sort_key_for(ColumnId column) {
    for (const KeyBinding& b : key_bindings()) {
        if (b.action == Action::SortBy && b.arg == static_cast<uint8_t>(column)) return b.key;
    }
    return key::None;
}

std::string action_names() {
    std::string out;
    for (const KeyBinding& b : kBindings) {
        if (b.name.empty()) continue;
        if (!out.empty()) out += ' ';
        out += b.name;
    }
    return out;
}

int parse_key(std::string_view n) {
    for (const NamedKey& k : kNamedKeys) {
        if (same_folded(n, k.name)) return k.key;
    }
    if (n.size() == 1) {
        const auto c = static_cast<unsigned char>(n[0]);
        return c > 0x20 && c < 0x7F ? c : key::None;
    }
    if (n.size() > 1 && static_cast<unsigned char>(n[0]) >= 0x80) {
        char32_t cp = 0;
        const std::size_t len = utf8_sequence(n, 0, cp);
        if (len != n.size() || cp < 0xA0) return key::None;
        return static_cast<int>(cp);
    }
    if (n.size() == 6 && same_folded(n.substr(0, 5), "ctrl-")) {
        const char c = static_cast<char>(n[5] | 0x20);
        if (c < 'a' || c > 'z') return key::None;
        const int code = c - 'a' + 1;
        switch (code) {  // what the terminal sends for these
            case 8: return key::Backspace;
            case 9: return key::Tab;
            case 10: case 13: return key::Enter;
            default: return code;
        }
    }
    if ((n.size() == 2 || n.size() == 3) && (n[0] == 'F' || n[0] == 'f')) {
        int f = 0;
        for (char c : n.substr(1)) {
            if (c < '0' || c > '9') return key::None;
            f = f * 10 + (c - '0');
        }
        return f >= 1 && f <= 12 && n[1] != '0' ? key::fkey(f) : key::None;
    }
    return key::None;
}

std::string key_name(int k) {
    switch (k) {
        case ' ': return "Space";
        case key::Tab: return "Tab";
        case key::Enter: return "Enter";
        case key::Escape: return "Esc";
        case key::Up: return "Up";
        case key::Down: return "Down";
        case key::Left: return "Left";
        case key::Right: return "Right";
        case key::PageUp: return "PgUp";
        case key::PageDown: return "PgDn";
        case key::Home: return "Home";
        case key::End: return "End";
        case key::Backspace: return "Backspace";
        case key::Delete: return "Delete";
        case key::BackTab: return "S-Tab";
        case key::F1: return "F1";
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
    } else if (k >= key::F2 && k <= key::fkey(12)) {
        out = "F";
        append_int(out, k - key::F2 + 2);
    } else if (k >= 0xA0 && k < key::Base) {
        const auto c = static_cast<uint32_t>(k);  // the character itself, UTF-8
        if (c < 0x800) {
            out += static_cast<char>(0xC0 | (c >> 6));
        } else if (c < 0x10000) {
            out += static_cast<char>(0xE0 | (c >> 12));
            out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (c >> 18));
            out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        }
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out = "U+";
        append_int(out, k);
    }
    return out;
}

}  // namespace uwsgitop::tui
