// Unit tests for tui/keys.hpp: the key table's names, the key names read
// and written, and the [keys] replacements (KeyMap).
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "uwsgitop/tui/keys.hpp"
#include "uwsgitop/view/columns.hpp"

using namespace uwsgitop;
using namespace uwsgitop::tui;

namespace {

KeySetting bind(std::string action, std::vector<std::string> keys) {
    return KeySetting{std::move(action), std::move(keys), "config.toml:7"};
}

// KeyMap::build's message, "" when it succeeded.
std::string build_error(std::vector<KeySetting> settings) {
    KeyMap m;
    const Status st = KeyMap::build(settings, m);
    return st ? std::string() : st.message();
}

const KeyBinding* labelled(const KeyMap& m, Action a, uint8_t arg = 0) {
    for (const KeyBinding& b : m.bindings()) {
        if (b.action == a && b.arg == arg && !b.label.empty()) return &b;
    }
    return nullptr;
}

}  // namespace

TEST_CASE("keys: every (action, arg) has one name, on its first row; labelled rows are named") {
    const KeyMap defaults;
    std::set<std::string_view> names;
    std::set<std::pair<Action, uint8_t>> seen;
    for (const KeyBinding& b : defaults.bindings()) {
        CAPTURE(key_name(b.key));
        const bool first = seen.insert({b.action, b.arg}).second;
        CHECK(first == !b.name.empty());
        if (!b.label.empty()) CHECK(!b.name.empty());
        if (b.name.empty()) continue;
        CHECK(names.insert(b.name).second);
        for (char c : b.name) CHECK(((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'));
        if (b.action == Action::SortBy) {  // sort-COLUMN, the column's name with dashes
            std::string want = "sort-";
            for (char c : column(static_cast<ColumnId>(b.arg)).name) want += c == '_' ? '-' : c;
            CHECK(b.name == want);
        }
    }
    CHECK(names.count("quit") == 1);
    CHECK(names.count("pane-3") == 1);
    CHECK(names.count("travel-minute-back") == 1);
    CHECK(names.count("exceptions") == 1);
    CHECK(action_names().find("sort-rss") != std::string::npos);
}

TEST_CASE("keys: key names read back as the codes they name") {
    const KeyMap defaults;
    for (const KeyBinding& b : defaults.bindings()) {
        CAPTURE(key_name(b.key));
        CHECK(parse_key(key_name(b.key)) == b.key);
    }
    for (int f = 1; f <= 12; ++f) CHECK(parse_key(key_name(key::fkey(f))) == key::fkey(f));
    CHECK(key_name(key::fkey(5)) == "F5");
    CHECK(parse_key("R") == 'R');
    CHECK(parse_key("r") == 'r');
    CHECK(parse_key("Ctrl-R") == 18);
    CHECK(parse_key("ctrl-r") == 18);
    CHECK(key_name(18) == "Ctrl-R");
    CHECK(parse_key("Ctrl-I") == key::Tab);   // what the terminal sends
    CHECK(parse_key("Ctrl-M") == key::Enter);
    CHECK(parse_key("space") == ' ');
    CHECK(parse_key("Shift-Tab") == key::BackTab);
    CHECK(parse_key("PgDn") == key::PageDown);
    CHECK(parse_key("Delete") == key::Delete);
    CHECK(parse_key("\xc3\xa9") == 0xE9);      // é
    CHECK(key_name(0xE9) == "\xc3\xa9");
    for (const char* bad : {"", "Ctl-x", "F13", "F0", "Ctrl-1", "ab", "\t"}) {
        CAPTURE(bad);
        CHECK(parse_key(bad) == key::None);
    }
}

TEST_CASE("keys: a binding replaces the action's keys; help labels and names follow") {
    std::vector<KeySetting> settings = {bind("quit", {"z"}), bind("pause", {"ctrl-p", "space"}), bind("sort_rss", {"F5"}),
                                        bind("help", {"F1"})};
    KeyMap m;
    REQUIRE(KeyMap::build(settings, m));
    // The names are spelt as key_name() does, the action as the table.
    CHECK(settings[1].keys == std::vector<std::string>{"Ctrl-P", "Space"});
    CHECK(settings[2].action == "sort-rss");
    REQUIRE(m.find('z'));
    CHECK(m.find('z')->action == Action::Quit);
    CHECK(m.find('q') == nullptr);              // the old key no longer quits
    CHECK(m.find(16)->action == Action::Pause);
    CHECK(m.find(' ')->action == Action::Pause);
    CHECK(m.find(key::fkey(5))->action == Action::SortBy);
    CHECK(m.find('M') == nullptr);
    CHECK(m.find('?') == nullptr);
    CHECK(m.find('h') == nullptr);
    CHECK(m.user_bound('z'));
    CHECK_FALSE(m.user_bound('a'));
    CHECK(labelled(m, Action::Quit)->label == "z");
    CHECK(labelled(m, Action::Pause)->label == "Ctrl-P Space");
    CHECK(labelled(m, Action::Help)->label == "F1");
    CHECK(labelled(m, Action::Help)->help.find("this help") == 0);
    CHECK(labelled(m, Action::Up)->label == "Up Down k j");  // untouched: the table's label
    // Each key still reaches one row only.
    for (const KeyBinding& b : m.bindings()) {
        if (b.key != key::None) CHECK(m.find(b.key) == &b);
    }
}

TEST_CASE("keys: a key bound to two actions, an unknown action or key, Ctrl-C: refused with their names") {
    // sort-pid keeps P, so pause = "P" leaves P on both (named in table order).
    CHECK(build_error({bind("pause", {"P"})}) == "config.toml:7: [keys]: P is bound to both pause and sort-pid");
    CHECK(build_error({bind("redraw", {"r"})}) == "config.toml:7: [keys]: r is bound to both sort-invert and redraw");
    CHECK(build_error({bind("quit", {"x"}), bind("actions", {"q"})}) == "");   // a swap is fine
    // F2 is the column chooser's second key: help on F2 needs the chooser moved too.
    CHECK(build_error({bind("help", {"F2"})}) == "config.toml:7: [keys]: F2 is bound to both help and choose-columns");
    CHECK(build_error({bind("help", {"F2"}), bind("choose-columns", {"Ctrl-O"})}) == "");
    CHECK(build_error({bind("quitt", {"z"})}) ==
          "config.toml:7: [keys]: unknown action \"quitt\" (did you mean quit?); the actions are listed in "
          "uwsgitop(1), KEYS");
    CHECK(build_error({bind("quit", {"Ctrl-C"})}) ==
          "config.toml:7: [keys]: quit: Ctrl-C always quits; it cannot be bound");
    CHECK(build_error({bind("quit", {"Ctl-z"})}).find("[keys]: quit: unknown key \"Ctl-z\" (keys: a character") !=
          std::string::npos);
}

TEST_CASE("keys: an empty list unbinds; the run's map is what find_binding() reads") {
    std::vector<KeySetting> settings = {bind("actions", {}), bind("quit", {"z"})};
    REQUIRE(use_key_settings(settings));
    CHECK(find_binding('x') == nullptr);
    CHECK(find_binding('z')->action == Action::Quit);
    CHECK(keys_of(Action::Actions).empty());
    CHECK(first_key(Action::Quit) == "z");
    CHECK(keys_of(Action::Help) == "? h F1");
    for (const KeyBinding& b : key_bindings()) {
        if (b.action == Action::Actions && !b.label.empty()) CHECK(b.label == "(none)");
    }
    use_key_map(KeyMap());
    CHECK(find_binding('x')->action == Action::Actions);
    CHECK(first_key(Action::Quit) == "q");
}
