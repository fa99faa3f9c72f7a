// Unit tests for theme.hpp: the role table, the look syntax, colour fitting,
// build_theme(), and --theme / [colors] through the settings files.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "uwsgitop/settings/settings_file.hpp"
#include "uwsgitop/settings/theme.hpp"

using namespace uwsgitop;
namespace fs = std::filesystem;

namespace {

Look look_of(std::string_view text) {
    Look l;
    const Status st = parse_look(text, l);
    REQUIRE_MESSAGE(st.is_ok(), (std::string(text) + ": " + st.message()));
    return l;
}

std::string refusal(std::string_view text) {
    Look l;
    const Status st = parse_look(text, l);
    CHECK_FALSE(st.is_ok());
    return st.message();
}

const Look& role(const Theme& t, ColorRole r) { return t[static_cast<std::size_t>(r)]; }

// A directory holding one config.toml, loaded with --config.
struct ConfigFile {
    fs::path dir;
    std::string path;
    explicit ConfigFile(const std::string& text) {
        std::string tmpl = (fs::temp_directory_path() / "uwsgitop-theme-XXXXXX").string();
        REQUIRE(mkdtemp(tmpl.data()) != nullptr);
        dir = tmpl;
        path = (dir / "config.toml").string();
        std::ofstream(path, std::ios::binary) << text;
    }
    ~ConfigFile() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    ConfigFile(const ConfigFile&) = delete;
    ConfigFile& operator=(const ConfigFile&) = delete;
    Status load(Options& o, SettingsReport* report = nullptr, std::vector<const char*> more = {}) const {
        std::vector<const char*> args = {"uwsgitop", "--config", path.c_str(), "127.0.0.1:1717"};
        args.insert(args.end(), more.begin(), more.end());
        SettingsEnvironment env;  // no system file, no saved view
        return load_settings(static_cast<int>(args.size()), args.data(), env, o, report);
    }
};

}  // namespace

TEST_CASE("the role table: one row per role in order, unique names, every theme's look parses") {
    std::set<std::string_view> names;
    for (std::size_t i = 0; i < kColorRoleCount; ++i) {
        const ColorRoleInfo& r = kColorRoles[i];
        CHECK(static_cast<std::size_t>(r.role) == i);
        CHECK(names.insert(r.name).second);
        CHECK(find_color_role(r.name) == r.role);
        CHECK_FALSE(r.description.empty());
        for (std::string_view look : r.looks) look_of(look);
    }
    // The roles the issue names are all there.
    for (std::string_view n : {"busy", "idle", "cheap", "pause", "sig", "stale", "error", "selection", "header",
                               "event_error", "event_warning", "event_info"}) {
        CHECK_MESSAGE(find_color_role(n) != ColorRole::Count_, n);
    }
    CHECK(find_color_role("purple") == ColorRole::Count_);
    CHECK(find_theme("light") == 1);
    CHECK(find_theme("nope") == -1);
    CHECK(theme_names_text() == "default light mono high-contrast colorblind");
}

TEST_CASE("looks: colours, backgrounds, attributes") {
    Look l = look_of("yellow bold");
    CHECK(l.fg == 3);
    CHECK(l.bg == -1);
    CHECK(l.attrs == kAttrBold);
    CHECK(l.attrs_given);
    l = look_of("black on cyan");
    CHECK(l.fg == 0);
    CHECK(l.bg == 6);
    CHECK_FALSE(l.attrs_given);
    CHECK(look_of("color208").fg == 208);
    CHECK(look_of("208").fg == 208);
    CHECK(look_of("#ff8700").fg == 208);  // exactly colour 208
    CHECK(look_of("#fe8801").fg == 208);  // nearest
    CHECK(look_of("brightred").fg == 9);
    CHECK(look_of("on brightwhite").bg == 15);
    l = look_of("default on default");
    CHECK(l.fg == -1);
    CHECK(l.bg == -1);
    l = look_of("  Reverse   UNDERLINE dim italic ");
    CHECK(l.attrs == (kAttrReverse | kAttrUnderline | kAttrDim | kAttrItalic));
    l = look_of("plain");
    CHECK(l.attrs == 0);
    CHECK(l.attrs_given);
    CHECK(look_of("") == Look());
}

TEST_CASE("looks: a bad word is refused, named, with what is valid") {
    std::string m = refusal("purple bold");
    CHECK(m.find("\"purple\"") != std::string::npos);
    CHECK(m.find("brightred") != std::string::npos);
    CHECK(m.find("underline") != std::string::npos);
    CHECK(refusal("red green").find("second foreground colour \"green\"") != std::string::npos);
    CHECK(refusal("red on").find("\"on\" without a colour") != std::string::npos);
    CHECK(refusal("on blinking").find("background colour \"blinking\"") != std::string::npos);
    refusal("color256");
    refusal("256");
    refusal("#12345");
    refusal("#12345g");
    refusal("brightdefault");
    CHECK(refusal("red\x1b[2J").find('\x1b') == std::string::npos);
}

TEST_CASE("colours fit the terminal: the nearest of 8 or 16") {
    CHECK(fit_color(208, 256) == 208);
    CHECK(fit_color(208, 8) == 3);   // orange: yellow
    CHECK(fit_color(28, 8) == 2);    // dark green: green
    CHECK(fit_color(25, 8) == 4);    // dark blue: blue
    CHECK(fit_color(9, 8) == 1);     // bright red: red
    CHECK(fit_color(9, 16) == 9);
    CHECK(fit_color(231, 16) == 15); // white
    CHECK(fit_color(232, 8) == 0);   // near black
    CHECK(fit_color(6, 8) == 6);
    CHECK(fit_color(-1, 8) == -1);
    CHECK(nearest_256(0, 0, 0) == 16);
    CHECK(nearest_256(255, 255, 255) == 231);
    CHECK(nearest_256(128, 128, 128) == 244);
}

TEST_CASE("themes differ where they should") {
    const Theme def = build_theme("default", {}, true);
    const Theme light = build_theme("light", {}, true);
    const Theme mono = build_theme("mono", {}, true);
    const Theme hc = build_theme("high-contrast", {}, true);
    const Theme cb = build_theme("colorblind", {}, true);
    // Pause on a dark background is not blue (hard to read there).
    CHECK(role(def, ColorRole::Paused).fg != 4);
    CHECK(role(def, ColorRole::Selected) != role(light, ColorRole::Selected));
    CHECK(role(def, ColorRole::Busy) != role(hc, ColorRole::Busy));
    // mono: no colour anywhere; the selection is reversed, not only bold.
    for (const Look& l : mono) {
        CHECK(l.fg == -1);
        CHECK(l.bg == -1);
    }
    CHECK((role(mono, ColorRole::Selected).attrs & kAttrReverse) != 0);
    // high-contrast never dims.
    for (const Look& l : hc) CHECK((l.attrs & kAttrDim) == 0);
    // colorblind: no role is red or green, even fitted to 8 colours.
    for (const Look& l : cb) {
        for (int c : {l.fg, l.bg}) {
            const int c8 = fit_color(c, 8);
            CHECK(c8 != 1);
            CHECK(c8 != 2);
        }
    }
    // Its states differ by attributes too, not by colour alone.
    CHECK(role(cb, ColorRole::Busy).attrs != role(cb, ColorRole::Signal).attrs);
    CHECK(role(cb, ColorRole::Busy).attrs != role(cb, ColorRole::Idle).attrs);
    CHECK(role(cb, ColorRole::Error) != role(cb, ColorRole::Signal));
    // Without colour every theme is mono.
    CHECK(build_theme("light", {}, false) == mono);
    CHECK(build_theme("nope", {}, true) == def);
}

TEST_CASE("[colors] overrides replace a role's look; without colour only their attributes count") {
    const std::vector<ColorOverride> o = {{ColorRole::Busy, "yellow bold", "f:2"},
                                          {ColorRole::Paused, "color208", "f:3"},
                                          {ColorRole::Busy, "brightyellow underline", "f:9"}};
    const Theme t = build_theme("default", o, true);
    CHECK(role(t, ColorRole::Busy) == look_of("brightyellow underline"));  // the later one
    CHECK(role(t, ColorRole::Paused).fg == 208);
    CHECK(role(t, ColorRole::Cheap) == role(build_theme("default", {}, true), ColorRole::Cheap));
    const Theme m = build_theme("default", o, false);
    CHECK(role(m, ColorRole::Busy).fg == -1);
    CHECK(role(m, ColorRole::Busy).attrs == kAttrUnderline);
    CHECK(role(m, ColorRole::Paused) == role(build_theme("mono", {}, false), ColorRole::Paused));
}

TEST_CASE("--theme and theme = refuse an unknown theme, naming the valid ones") {
    Options o;
    ConfigFile ok("theme = \"light\"\n");
    REQUIRE(ok.load(o).is_ok());
    CHECK(o.theme == "light");
    REQUIRE(ok.load(o, nullptr, {"--theme", "mono"}).is_ok());
    CHECK(o.theme == "mono");
    Status st = ok.load(o, nullptr, {"--theme", "dark"});
    CHECK_FALSE(st.is_ok());
    CHECK(st.message() == "--theme: unknown theme \"dark\" (valid: default light mono high-contrast colorblind)");
    ConfigFile bad("theme = \"solarized\"\n");
    st = bad.load(o);
    CHECK_FALSE(st.is_ok());
    CHECK(st.message().find(":1: theme: unknown theme \"solarized\" (valid: default light") != std::string::npos);
}

TEST_CASE("[colors] in a settings file: read, checked, shown by --show-config and read back") {
    Options o;
    SettingsReport report;
    ConfigFile f("theme = \"light\"\n[colors]\nbusy = \"yellow bold\"\nselection = \"black on color208\"\n");
    REQUIRE(f.load(o, &report).is_ok());
    REQUIRE(o.color_overrides.size() == 2);
    const Theme t = build_theme(o.theme, o.color_overrides, true);
    CHECK(role(t, ColorRole::Busy) == look_of("yellow bold"));
    CHECK(role(t, ColorRole::Selected) == look_of("black on color208"));
    CHECK(role(t, ColorRole::Paused) == role(build_theme("light", {}, true), ColorRole::Paused));
    const std::string shown = show_config_text(o, report);
    CHECK(shown.find("theme = \"light\"") != std::string::npos);
    // In role order (the table's), each with the line that set it.
    CHECK(shown.find("[colors]\nselection = \"black on color208\"") != std::string::npos);
    CHECK(shown.find("\nbusy = \"yellow bold\"                      # " + f.path + ":3\n") != std::string::npos);
    // Those lines are a settings file that gives the same.
    const std::size_t from = shown.find("theme = ");
    const std::size_t to = shown.find("\n#", shown.find("[colors]"));
    REQUIRE(from != std::string::npos);
    REQUIRE(to != std::string::npos);
    std::string mine = shown.substr(from, shown.find('\n', from) + 1 - from);
    mine += shown.substr(shown.find("[colors]"), to + 1 - shown.find("[colors]"));
    ConfigFile again(mine);
    Options o2;
    REQUIRE(again.load(o2).is_ok());
    CHECK(o2.theme == "light");
    REQUIRE(o2.color_overrides.size() == 2);
    CHECK(build_theme(o2.theme, o2.color_overrides, true) == build_theme(o.theme, o.color_overrides, true));

    Status st = ConfigFile("[colors]\nbussy = \"red\"\n").load(o);
    CHECK_FALSE(st.is_ok());
    CHECK(st.message().find(":2: colors.bussy: unknown role (valid: normal title") != std::string::npos);
    CHECK(st.message().find("selection") != std::string::npos);
    st = ConfigFile("[colors]\npause = \"purple\"\n").load(o);
    CHECK_FALSE(st.is_ok());
    CHECK(st.message().find(":2: colors.pause: unknown word \"purple\"") != std::string::npos);
    st = ConfigFile("[colors]\npause = 4\n").load(o);
    CHECK(st.message().find("colors.pause: expected a string") != std::string::npos);
    st = ConfigFile("colors = \"red\"\n").load(o);
    CHECK(st.message().find("colors: write the roles as a [colors] table") != std::string::npos);
}

TEST_CASE("--help names every theme") {
    const std::string help = usage_text();
    for (std::string_view n : kThemeNames) CHECK_MESSAGE(help.find(std::string(n)) != std::string::npos, n);
}
