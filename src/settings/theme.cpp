// theme.cpp — the colour role table, the built-in themes and the look parser (see theme.hpp).
#include "uwsgitop/settings/theme.hpp"

#include <algorithm>
#include <charconv>

#include "uwsgitop/base/text.hpp"

namespace uwsgitop {

using R = ColorRole;

// Looks per theme: default, light, mono, high-contrast, colorblind. The
// default theme is for dark backgrounds (pause is cyan: blue is hard to read
// there); light uses darker 256-colour tones; mono has attributes only;
// high-contrast bright colours and bold, never dim; colorblind tells states
// apart by blue/orange hues and by attributes, never by red against green.
const std::array<ColorRoleInfo, kColorRoleCount> kColorRoles = {{
    {R::Normal, "normal", "plain text", {"", "", "", "", ""}},
    {R::Title, "title", "the first summary line and the titles of help and details",
     {"bold", "bold", "bold", "brightwhite bold", "bold"}},
    {R::Tab, "tab", "the other panes in the tab bar", {"", "", "", "bold", ""}},
    {R::TabActive, "tab_active", "the pane on screen in the tab bar",
     {"reverse bold", "reverse bold", "reverse bold", "black on brightwhite bold", "reverse bold"}},
    {R::Header, "header", "the column header row",
     {"reverse", "reverse", "reverse", "black on brightwhite bold", "reverse"}},
    {R::HeaderSorted, "header_sorted", "the header of the sort column",
     {"reverse bold underline", "reverse bold underline", "reverse bold underline",
      "black on brightyellow bold underline", "reverse bold underline"}},
    {R::Selected, "selection", "the selected row",
     {"black on cyan", "white on blue bold", "reverse bold", "black on brightcyan bold", "white on color25 bold"}},
    {R::Busy, "busy", "busy workers and cores, held locks, the sparklines",
     {"green", "color28", "bold", "brightgreen bold", "color75 bold"}},
    {R::Stuck, "stuck", "workers busy in one request past --stuck-after",
     {"black on green bold", "white on color28 bold", "bold underline", "black on brightgreen bold",
      "black on color75 bold"}},
    {R::Idle, "idle", "idle workers", {"", "", "", "", ""}},
    {R::Cheap, "cheap", "workers the cheaper stopped (cheap)",
     {"magenta", "color90", "dim", "brightmagenta bold", "color175 dim"}},
    {R::Signal, "sig", "workers running a signal handler (sigNN), vassals not ready",
     {"yellow", "color130", "underline", "brightyellow bold", "color214 underline"}},
    {R::Paused, "pause", "paused workers; PAUSED and the end of a recording in the status line",
     {"cyan", "blue", "underline dim", "brightcyan bold", "color146"}},
    {R::Stale, "stale", "fleet members showing old data (the last read failed)",
     {"yellow", "color130", "underline", "black on brightyellow", "color227 underline"}},
    {R::Error, "error", "read errors, unreachable members, dead nodes, REC",
     {"red bold", "color160 bold", "bold", "brightwhite on red bold", "black on color208 bold"}},
    {R::Dim, "dim", "hints and secondary text", {"dim", "dim", "dim", "plain", "dim"}},
    {R::Key, "key", "key names in hints and help", {"bold", "bold", "bold", "brightwhite bold", "bold"}},
    {R::EventError, "event_error", "events harakiri, down, vassal_cursed",
     {"red bold", "color160 bold", "bold", "brightwhite on red bold", "color208 bold"}},
    {R::EventWarning, "event_warning", "events respawn, stuck, reload, exceptions, listen_queue, vassal_respawn",
     {"yellow", "color130", "underline", "brightyellow bold", "color214 underline"}},
    {R::EventInfo, "event_info", "the other events", {"", "", "", "", ""}},
}};

namespace {

constexpr std::array<std::string_view, 8> kColorNames = {"black", "red",     "green", "yellow",
                                                         "blue",  "magenta", "cyan",  "white"};
constexpr std::array<std::string_view, 5> kAttrNames = {"bold", "dim", "underline", "reverse", "italic"};
constexpr std::string_view kValid =
    "colours: black red green yellow blue magenta cyan white, bright + one of those (brightred), default, "
    "0-255 or color0-color255, #rrggbb, a background after \"on\"; attributes: bold dim underline reverse italic, "
    "or plain";

// The xterm palette of colours 0-15.
constexpr int kBase[16][3] = {{0, 0, 0},       {205, 0, 0},     {0, 205, 0},   {205, 205, 0},
                              {0, 0, 238},     {205, 0, 205},   {0, 205, 205}, {229, 229, 229},
                              {127, 127, 127}, {255, 0, 0},     {0, 255, 0},   {255, 255, 0},
                              {92, 92, 255},   {255, 0, 255},   {0, 255, 255}, {255, 255, 255}};

void rgb_of(int c, int rgb[3]) {
    if (c < 16) {
        std::copy(kBase[c], kBase[c] + 3, rgb);
    } else if (c < 232) {
        const int i = c - 16;
        const int v[3] = {i / 36, (i / 6) % 6, i % 6};
        for (int k = 0; k < 3; ++k) rgb[k] = v[k] ? 55 + 40 * v[k] : 0;
    } else {
        rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
    }
}

int distance(const int a[3], const int b[3]) {
    int d = 0;
    for (int k = 0; k < 3; ++k) d += (a[k] - b[k]) * (a[k] - b[k]);
    return d;
}

bool parse_number(std::string_view s, int base, int& out) {
    if (s.empty()) return false;
    const auto res = std::from_chars(s.data(), s.data() + s.size(), out, base);
    return res.ec == std::errc() && res.ptr == s.data() + s.size();
}

// A colour word, or false.
bool parse_color(std::string_view w, int16_t& out) {
    if (w == "default") {
        out = -1;
        return true;
    }
    const bool bright = w.starts_with("bright");
    const std::string_view base = bright ? w.substr(6) : w;
    for (std::size_t i = 0; i < kColorNames.size(); ++i) {
        if (base == kColorNames[i]) {
            out = static_cast<int16_t>(i + (bright ? 8 : 0));
            return true;
        }
    }
    int n = 0;
    if (w.size() == 7 && w[0] == '#' && w.find_first_not_of("0123456789abcdef", 1) == std::string_view::npos &&
        parse_number(w.substr(1), 16, n)) {
        out = static_cast<int16_t>(nearest_256((n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff));
        return true;
    }
    const std::string_view digits = w.starts_with("color") ? w.substr(5) : w;
    if (digits.size() <= 3 && digits.find_first_not_of("0123456789") == std::string_view::npos &&
        parse_number(digits, 10, n) && n <= 255) {
        out = static_cast<int16_t>(n);
        return true;
    }
    return false;
}

std::string quoted(std::string_view w) {
    std::string q(1, '"');
    q += escape_for_display(w);
    q += '"';
    return q;
}

}  // namespace

Status parse_look(std::string_view text, Look& out) {
    out = Look();
    std::string lower(text);
    for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    const std::string_view s = lower;
    bool have_fg = false, want_bg = false;
    std::size_t i = 0;
    while (i < s.size()) {
        if (s[i] == ' ' || s[i] == '\t') {
            ++i;
            continue;
        }
        const std::size_t end = std::min(s.find_first_of(" \t", i), s.size());
        const std::string_view w = s.substr(i, end - i);
        i = end;
        if (want_bg) {
            if (!parse_color(w, out.bg)) return Status::fail("unknown background colour " + quoted(w) + " (" + std::string(kValid) + ")");
            want_bg = false;
            continue;
        }
        if (w == "on") {
            want_bg = true;
            continue;
        }
        if (w == "plain") {
            out.attrs_given = true;
            continue;
        }
        const auto attr = std::find(kAttrNames.begin(), kAttrNames.end(), w);
        if (attr != kAttrNames.end()) {
            out.attrs = static_cast<uint8_t>(out.attrs | (1u << (attr - kAttrNames.begin())));
            out.attrs_given = true;
            continue;
        }
        int16_t c = -1;
        if (!parse_color(w, c)) return Status::fail("unknown word " + quoted(w) + " (" + std::string(kValid) + ")");
        if (have_fg) return Status::fail("a second foreground colour " + quoted(w) + " (write a background as \"on " + escape_for_display(w) + "\")");
        out.fg = c;
        have_fg = true;
    }
    if (want_bg) return Status::fail("\"on\" without a colour after it");
    return Status::ok();
}

int find_theme(std::string_view name) {
    for (std::size_t i = 0; i < kThemeNames.size(); ++i) {
        if (kThemeNames[i] == name) return static_cast<int>(i);
    }
    return -1;
}

ColorRole find_color_role(std::string_view name) {
    for (const ColorRoleInfo& r : kColorRoles) {
        if (r.name == name) return r.role;
    }
    return ColorRole::Count_;
}

std::string theme_names_text() {
    std::string out;
    for (std::string_view n : kThemeNames) {
        if (!out.empty()) out += ' ';
        out += n;
    }
    return out;
}

std::string color_role_names_text() {
    std::string out;
    for (const ColorRoleInfo& r : kColorRoles) {
        if (!out.empty()) out += ' ';
        out += r.name;
    }
    return out;
}

Theme build_theme(std::string_view theme, const std::vector<ColorOverride>& overrides, bool color) {
    static const int kMono = find_theme("mono");
    int t = std::max(0, find_theme(theme));
    if (!color) t = kMono;
    Theme out{};
    for (std::size_t i = 0; i < kColorRoleCount; ++i) {
        (void)parse_look(kColorRoles[i].looks[static_cast<std::size_t>(t)], out[i]);  // checked by test_theme
    }
    for (const ColorOverride& o : overrides) {
        Look look;
        if (!parse_look(o.text, look)) continue;  // checked when read
        Look& l = out[static_cast<std::size_t>(o.role)];
        if (color) {
            l = look;
        } else if (look.attrs_given) {
            l.attrs = look.attrs;
        }
    }
    return out;
}

int nearest_256(int r, int g, int b) {
    const int want[3] = {r, g, b};
    int best = 16, best_d = 1 << 30;
    for (int c = 16; c < 256; ++c) {
        int rgb[3];
        rgb_of(c, rgb);
        const int d = distance(rgb, want);
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    return best;
}

int fit_color(int color, int colors) {
    if (color < 0 || color < colors || colors >= 256) return color;
    if (colors < 8) return -1;
    const int n = colors >= 16 ? 16 : 8;
    if (color >= 8 && color < 16 && n == 8) return color - 8;
    int want[3];
    rgb_of(color, want);
    int best = 0, best_d = 1 << 30;
    for (int c = 0; c < n; ++c) {
        const int d = distance(kBase[c], want);
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    return best;
}

}  // namespace uwsgitop
