// theme.hpp — the colour roles of the screens, the built-in themes and the
// `[colors]` overrides of a settings file.
//
// kColorRoles is the one table of roles: one row per ColorRole (the screen's
// Style, tui/grid.hpp), in enum order, with the name a `[colors]` key uses,
// what it colours and its look in every built-in theme, written in the
// syntax of a `[colors]` value. The renderer, the `[colors]` keys, the error
// messages' lists and the docs (tests/test_docs.py) all read it;
// test_theme checks the order and that every look parses.
//
// A look is words separated by spaces, in any order: a foreground colour,
// `on` and a background colour, and attributes (bold dim underline reverse
// italic). A colour is a name (black red green yellow blue magenta cyan white,
// `bright` + a name for 8-15, default for the terminal's own), a number 0-255
// (`208` or `color208`) or `#rrggbb` (the nearest of the 256 colours). ""
// and "plain" are the terminal's default with no attribute. A look replaces
// the role's look in the theme as a whole: `busy = "yellow"` is yellow, not
// bold even if the theme's busy was.
//
// On a terminal with fewer colours than a look asks for, the colour becomes
// the nearest one it has (fit_color: of 8 or 16, by the xterm palette).
// Without colours (NO_COLOR, --color never, a terminal without them) every
// role takes the `mono` theme's attributes, then the attributes of a
// `[colors]` override of that role, if it names any.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "uwsgitop/base/status.hpp"

namespace uwsgitop {

// What a cell means; the backend maps each to attributes and colours.
enum class ColorRole : uint8_t {
    Normal,
    Title,          // summary facts worth a glance
    Tab,            // pane names in the tab bar
    TabActive,      // the pane on screen
    Header,         // the table's column header row
    HeaderSorted,   // the header of the sort column
    Selected,       // the selected row
    Busy,           // worker/core status busy
    Stuck,          // a worker busy in one request past --stuck-after
    Idle,           // worker status idle
    Cheap,          // cheap
    Signal,         // sigNN
    Paused,         // pause, and the "paused" state in the status line
    Stale,          // a fleet member whose data is old
    Error,          // fetch errors, dead nodes
    Dim,            // secondary text, hints
    Key,            // key names in hints and help
    EventError,     // events: harakiri, down, vassal_cursed
    EventWarning,   // events: respawn, stuck, reload, exceptions, listen_queue, vassal_respawn
    EventInfo,      // the other events
    Count_
};

inline constexpr std::size_t kColorRoleCount = static_cast<std::size_t>(ColorRole::Count_);

// The built-in themes, in the column order of ColorRoleInfo::looks.
inline constexpr std::array<std::string_view, 5> kThemeNames = {"default", "light", "mono", "high-contrast",
                                                                "colorblind"};

struct ColorRoleInfo {
    ColorRole role;
    std::string_view name;         // the [colors] key
    std::string_view description;  // what it colours
    std::array<std::string_view, kThemeNames.size()> looks;  // per theme, [colors] syntax
};

extern const std::array<ColorRoleInfo, kColorRoleCount> kColorRoles;

// Attribute bits of a Look.
enum : uint8_t { kAttrBold = 1, kAttrDim = 2, kAttrUnderline = 4, kAttrReverse = 8, kAttrItalic = 16 };

// One role's look: colours are -1 (the terminal's default) or 0-255.
struct Look {
    int16_t fg = -1;
    int16_t bg = -1;
    uint8_t attrs = 0;
    bool attrs_given = false;  // the text named an attribute (or "plain")
    bool operator==(const Look&) const = default;
};

using Theme = std::array<Look, kColorRoleCount>;

// Parses a look (syntax above). The message names the word that is wrong and
// what is valid, without the role (the caller adds it).
Status parse_look(std::string_view text, Look& out);

// The index of a theme name in kThemeNames, or -1.
int find_theme(std::string_view name);
// The role a [colors] key names, or Count_.
ColorRole find_color_role(std::string_view name);

// "default light mono high-contrast colorblind" and the role names, for
// messages and --help.
std::string theme_names_text();
std::string color_role_names_text();

// One [colors] key = value, checked.
struct ColorOverride {
    ColorRole role;
    std::string text;    // as written (parse_look accepts it)
    std::string origin;  // "FILE:LINE" for --show-config
};

// The looks in effect: the theme's (or mono's without colour), then the
// overrides in order. `theme` must be a valid name (else default).
Theme build_theme(std::string_view theme, const std::vector<ColorOverride>& overrides, bool color);

// `color` (0-255) on a terminal of `colors` colours (8, 16, 88, 256...):
// itself when it fits, else the nearest it has by the xterm palette; -1 stays -1.
int fit_color(int color, int colors);

// The nearest of the 256 colours (16-255, the fixed cube and greys) to r, g, b.
int nearest_256(int r, int g, int b);

}  // namespace uwsgitop
