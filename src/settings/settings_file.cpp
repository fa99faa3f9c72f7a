// settings_file.cpp — TOML settings files layered under the command line (see settings_file.hpp).
#include "uwsgitop/settings/settings_file.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <sys/stat.h>
#include <unistd.h>

#include <toml++/toml.h>

#include "uwsgitop/base/file_read.hpp"
#include "uwsgitop/base/text.hpp"
#include "uwsgitop/settings/toml_depth.hpp"
#include "uwsgitop/source/address.hpp"

namespace uwsgitop {

namespace {

constexpr std::size_t kMaxFileBytes = 1 << 20;

bool file_settable(const OptionDoc& o) { return o.scope == OptionScope::Anywhere; }

// "follow_vassals" -> "follow_vassals" (how keys are shown).
std::string key_of(std::string_view long_name) {
    std::string k(long_name);
    for (char& c : k) {
        if (c == '-') c = '_';
    }
    return k;
}

std::string valid_keys() {
    std::string out;
    for (const OptionDoc& o : option_docs()) {
        if (!file_settable(o)) continue;
        if (!out.empty()) out += ' ';
        out += key_of(o.long_name);
    }
    return out + " [[target]] [colors] [keys]";
}

// The row whose value an option sets: --delay and --interval are --frequency
// ("same as --frequency"), --no-color is --color never.
const OptionDoc* canonical(const OptionDoc* o) {
    constexpr std::string_view kAlias = "same as --";
    if (o->help.starts_with(kAlias)) {
        if (const OptionDoc* target = find_option(o->help.substr(kAlias.size()))) return target;
    }
    if (o->long_name.starts_with("no-")) {
        if (const OptionDoc* positive = find_option(o->long_name.substr(3))) return positive;
    }
    return o;
}

// Where an option's origin is kept (its canonical row's position).
std::size_t index_of(const OptionDoc* o) { return static_cast<std::size_t>(canonical(o) - option_docs().data()); }

std::string number_text(const toml::node& v) {
    if (const auto* i = v.as_integer()) return std::to_string(i->get());
    char buf[32];
    const auto res = std::to_chars(buf, buf + sizeof buf, v.as_floating_point()->get());
    return std::string(buf, res.ptr);
}

const char* type_name(const toml::node& v) {
    switch (v.type()) {
        case toml::node_type::string: return "a string";
        case toml::node_type::integer: return "an integer";
        case toml::node_type::floating_point: return "a number";
        case toml::node_type::boolean: return "a boolean";
        case toml::node_type::array: return "an array";
        case toml::node_type::table: return "a table";
        default: return "a date/time";
    }
}

// The option text of a TOML value for option `o`, or why it has the wrong type.
Status value_text(const OptionDoc& o, const toml::node& v, bool inverted, std::string& out) {
    const std::string got = std::string(" (got ") + type_name(v) + ")";
    if (o.arg.empty()) {
        const auto* b = v.as_boolean();
        if (!b) return Status::fail("expected true or false" + got);
        out = (b->get() != inverted) ? "true" : "false";
        return Status::ok();
    }
    if (takes_number(o)) {
        if (!v.is_integer() && !v.is_floating_point()) return Status::fail("expected a number" + got);
        out = number_text(v);
        return Status::ok();
    }
    if (o.arg == "LIST") {
        if (const auto* s = v.as_string()) {
            out = s->get();
            return Status::ok();
        }
        const auto* a = v.as_array();
        if (!a) return Status::fail("expected an array of strings" + got);
        out.clear();
        for (const toml::node& e : *a) {
            const auto* s = e.as_string();
            if (!s) return Status::fail(std::string("expected an array of strings (an element is ") + type_name(e) + ")");
            if (!out.empty()) out += ',';
            out += s->get();
        }
        return Status::ok();
    }
    const auto* s = v.as_string();
    if (!s) return Status::fail("expected a string" + got);
    out = s->get();
    return Status::ok();
}

std::string at(std::string_view path, const toml::node& n) {
    return std::string(path) + ":" + std::to_string(n.source().begin.line);
}

bool is_control(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

Status read_targets(std::string_view path, const toml::node& node, std::vector<Target>& out) {
    const auto* array = node.as_array();
    if (!array) return Status::fail(at(path, node) + ": target: write instances as [[target]] tables");
    for (const toml::node& entry : *array) {
        const auto* table = entry.as_table();
        if (!table) return Status::fail(at(path, entry) + ": target: write instances as [[target]] tables");
        Target t;
        for (auto&& [k, v] : *table) {
            const std::string where = at(path, v) + ": target." + escape_for_display(k.str()) + ": ";
            if (k.str() != "address" && k.str() != "name" && k.str() != "fifo" && k.str() != "tracebacker") {
                return Status::fail(where + "unknown key (valid: address name fifo tracebacker)");
            }
            const auto* s = v.as_string();
            if (!s) return Status::fail(where + "expected a string (got " + type_name(v) + ")");
            if (k.str() == "name") {
                t.name = s->get();
                if (t.name.empty() || t.name.find_first_of(":/@[") != std::string::npos) {
                    return Status::fail(where + "a name is not empty and has none of : / @ [");
                }
                if (std::any_of(t.name.begin(), t.name.end(), is_control)) {
                    return Status::fail(where + "the name contains control characters");
                }
            } else if (k.str() == "fifo") {
                t.fifo = s->get();
                if (t.fifo.empty()) return Status::fail(where + "empty path");
            } else if (k.str() == "tracebacker") {
                t.tracebacker = s->get();
                if (t.tracebacker.empty()) return Status::fail(where + "empty prefix");
            } else {
                Address a;
                Status st = parse_address(s->get(), a);
                if (!st) return Status::fail(where + st.message());
                t.address = s->get();
            }
        }
        if (t.address.empty()) return Status::fail(at(path, entry) + ": target: no address");
        if (t.name.empty()) t.name = t.address;
        out.push_back(std::move(t));
    }
    return Status::ok();
}

// [colors]: role = "look" (settings/theme.hpp), each checked here.
Status read_colors(std::string_view path, std::string_view prefix, const toml::node& node,
                   std::vector<ColorOverride>& out) {
    const auto* table = node.as_table();
    if (!table) return Status::fail(at(path, node) + ": colors: write the roles as a [colors] table");
    for (auto&& [k, v] : *table) {
        const std::string where = at(path, v) + ": colors." + escape_for_display(k.str()) + ": ";
        const ColorRole role = find_color_role(k.str());
        if (role == ColorRole::Count_) return Status::fail(where + "unknown role (valid: " + color_role_names_text() + ")");
        const auto* s = v.as_string();
        if (!s) return Status::fail(where + "expected a string such as \"yellow bold\" (got " + type_name(v) + ")");
        Look look;
        if (Status st = parse_look(s->get(), look); !st) return Status::fail(where + st.message());
        out.push_back({role, s->get(), std::string(prefix) + at(path, v)});
    }
    return Status::ok();
}

// [keys]: action = "KEY" or ["KEY", ...]; a line replaces a lower file's
// line for the same action. The names are checked by the screen's key table
// (tui/keys.hpp) when the run starts.
Status read_keys(std::string_view path, const toml::node& node, std::vector<KeySetting>& out) {
    const auto* table = node.as_table();
    if (!table) return Status::fail(at(path, node) + ": keys: write key bindings as a [keys] table");
    std::vector<std::pair<const toml::key*, const toml::node*>> lines;  // in the file's order
    for (auto&& [k, v] : *table) lines.emplace_back(&k, &v);
    std::sort(lines.begin(), lines.end(),
              [](const auto& a, const auto& b) { return a.second->source().begin.line < b.second->source().begin.line; });
    for (const auto& [kp, vp] : lines) {
        const toml::key& k = *kp;
        const toml::node& v = *vp;
        KeySetting s;
        s.action = k.str();
        std::replace(s.action.begin(), s.action.end(), '_', '-');
        s.origin = at(path, v);
        const std::string where = s.origin + ": [keys]: " + escape_for_display(k.str()) + ": ";
        if (const auto* one = v.as_string()) {
            s.keys.push_back(one->get());
        } else if (const auto* many = v.as_array()) {
            for (const toml::node& e : *many) {
                const auto* str = e.as_string();
                if (!str) return Status::fail(where + "expected key names as strings (an element is " + type_name(e) + ")");
                s.keys.push_back(str->get());
            }
        } else {
            return Status::fail(where + "expected a key name or an array of them (got " + type_name(v) + ")");
        }
        std::erase_if(out, [&](const KeySetting& o) { return o.action == s.action; });
        out.push_back(std::move(s));
    }
    return Status::ok();
}

// The key and line that set each option in one file (indexed like
// option_docs(), by the option a key sets): two spellings of one setting
// (interval and frequency, follow_vassals and follow-vassals, mouse and
// no_mouse) are an error as a repeated key is, named at the later line.
struct Spelling {
    std::string key;
    int64_t line = 0;
};

Status one_spelling(std::vector<Spelling>& seen, const OptionDoc* o, std::string_view key, const toml::node& v,
                    const std::string& shown) {
    Spelling& prior = seen[index_of(o)];
    Spelling now{escape_for_display(key), v.source().begin.line};
    if (prior.line == 0) {
        prior = std::move(now);
        return Status::ok();
    }
    const bool now_later = now.line >= prior.line;
    const Spelling& later = now_later ? now : prior;
    const Spelling& earlier = now_later ? prior : now;
    return Status::fail(shown + ":" + std::to_string(later.line) + ": " + later.key + ": the same setting as " +
                        earlier.key + " (line " + std::to_string(earlier.line) + ")");
}

Status read_text(const std::string& path, std::string& text) { return read_regular_file(path, kMaxFileBytes, text); }

// False when nothing is there, or when a directory on the way cannot be
// searched (another user's $HOME: nothing of ours can be there); any other
// failure is read and reported.
bool exists(const std::string& path) {
    struct stat sb;
    return ::stat(path.c_str(), &sb) == 0 || (errno != ENOENT && errno != EACCES && errno != ENOTDIR);
}

std::string home_dir(const char* xdg, const char* fallback) {
    if (const char* x = std::getenv(xdg); x && *x == '/') return std::string(x) + "/uwsgitop/";
    const char* home = std::getenv("HOME");
    if (!home || !*home) return "";
    return std::string(home) + fallback + "/uwsgitop/";
}

// The [colors] overrides in effect (the last of each role), as a TOML table;
// "" when there is none.
std::string colors_toml(const std::vector<ColorOverride>& overrides) {
    std::string s;
    for (const ColorRoleInfo& r : kColorRoles) {
        const ColorOverride* last = nullptr;
        for (const ColorOverride& o : overrides) {
            if (o.role == r.role) last = &o;
        }
        if (!last) continue;
        if (s.empty()) s = "[colors]\n";
        std::string line(r.name);
        line += " = \"";
        line += last->text;  // only colour and attribute words: nothing to escape
        line += '"';
        if (line.size() < 40) line.append(40 - line.size(), ' ');
        s += line + "  # " + escape_for_display(last->origin) + "\n";
    }
    return s;
}

}  // namespace

SettingsEnvironment settings_environment() {
    SettingsEnvironment env;
    env.address = std::getenv("UWSGITOP_ADDRESS");
    env.system_config = "/etc/uwsgitop/config.toml";
    const std::string config = home_dir("XDG_CONFIG_HOME", "/.config");
    if (!config.empty()) env.user_config = config + "config.toml";
    const std::string state = home_dir("XDG_STATE_HOME", "/.local/state");
    if (!state.empty()) env.view_state = state + "view.toml";
    return env;
}

namespace {

// Applies the settings in `text`, read from `path` (see read_settings_file).
Status apply_settings_text(const std::string& text, const std::string& path, std::string_view label,
                           bool allow_targets, Options& out, std::vector<std::string>& origins) {
    const std::string shown = escape_for_display(path);
    Status st = check_toml_depth(text, shown);
    if (!st) return st;
    toml::table doc;
    try {
        doc = toml::parse(text, std::string_view(path));
    } catch (const toml::parse_error& e) {
        std::string what(e.description());
        for (char& c : what) {
            if (c == '\n') c = ' ';
        }
        return Status::fail(shown + ":" + std::to_string(e.source().begin.line) + ": " + escape_for_display(what));
    }
    origins.resize(option_docs().size());
    std::vector<Spelling> spellings(option_docs().size());
    const std::string prefix = label.empty() ? "" : std::string(label) + " ";
    for (auto&& [k, v] : doc) {
        const std::string key = escape_for_display(k.str());
        const std::string where = at(shown, v) + ": " + key + ": ";
        if (k.str() == "target") {
            if (!allow_targets) return Status::fail(where + "instances belong in config.toml, not here");
            st = read_targets(shown, v, out.file_targets);
            if (!st) return st;
            continue;
        }
        if (k.str() == "colors") {
            st = read_colors(shown, prefix, v, out.color_overrides);
            if (!st) return st;
            continue;
        }
        if (k.str() == "keys") {
            if (!allow_targets) return Status::fail(where + "key bindings belong in config.toml, not here");
            st = read_keys(shown, v, out.keys);
            if (!st) return st;
            continue;
        }
        std::string name(k.str());
        for (char& c : name) {
            if (c == '_') c = '-';
        }
        const OptionDoc* o = find_option(name);
        bool inverted = false;
        if (!o) {  // "mouse = false" for --no-mouse
            const OptionDoc* negated = find_option("no-" + name);
            if (negated && negated->arg.empty()) {
                o = negated;
                inverted = true;
            }
        }
        if (!o) {
            const std::string keys = valid_keys();
            const std::string_view near = closest_word(key_of(name), keys);
            return Status::fail(where + "unknown key" +
                                (near.empty() ? "" : " (did you mean " + std::string(near) + "?)") + "; valid keys: " +
                                keys);
        }
        if (!file_settable(*o)) return Status::fail(where + "only on the command line (--" + std::string(o->long_name) + ")");
        if (st = one_spelling(spellings, o, k.str(), v, shown); !st) return st;
        if (o->arg == "PATTERN" && v.is_array()) {  // a repeatable option: one value per element
            for (const toml::node& e : *v.as_array()) {
                const auto* s = e.as_string();
                if (!s) return Status::fail(where + "expected an array of strings (an element is " + type_name(e) + ")");
                st = apply_option(*o, s->get(), key, out);
                if (!st) return Status::fail(at(shown, e) + ": " + st.message());
            }
            origins[index_of(o)] = prefix + at(shown, v);
            continue;
        }
        std::string value;
        st = value_text(*o, v, inverted, value);
        if (!st) return Status::fail(where + st.message());
        st = apply_option(*o, value, key, out);
        if (!st) return Status::fail(at(shown, v) + ": " + st.message());
        origins[index_of(o)] = prefix + at(shown, v);
    }
    return Status::ok();
}

}  // namespace

Status read_settings_file(const std::string& path, std::string_view label, bool allow_targets, Options& out,
                          std::vector<std::string>& origins) {
    std::string text;
    const Status st = read_text(path, text);
    if (!st) return st;
    return apply_settings_text(text, path, label, allow_targets, out, origins);
}

namespace {

// Where each file-settable option's value came from, in table order.
void report_origins(const std::vector<std::string>& origins, SettingsReport& report) {
    report.settings.clear();
    for (const OptionDoc& o : option_docs()) {
        if (!file_settable(o)) continue;
        const std::string& origin = origins[index_of(&o)];
        report.settings.push_back({&o, origin.empty() ? "default" : origin});
    }
}

// What the saved view decided: its keys the command line did not override.
std::vector<std::string> saved_view_keys(const std::vector<std::string>& origins) {
    std::vector<std::string> keys;
    for (const OptionDoc& o : option_docs()) {
        if (origins[index_of(&o)].starts_with("saved view ") && canonical(&o) == &o) keys.push_back(key_of(o.long_name));
    }
    return keys;
}

// --config FILE: a regular file, or a pipe read within the command line's
// --timeout ("-" is standard input: uwsgitop --show-config | uwsgitop
// --config - ...). Its name in messages: the path, "standard input" for "-".
Status read_config_option(const std::string& path, const std::vector<CommandLineItem>& items, std::string& name,
                          std::string& text) {
    Options scratch;
    for (const CommandLineItem& item : items) {
        if (item.option->long_name == "timeout") (void)apply_option(*item.option, item.value, "--timeout", scratch);
    }
    name = path == "-" ? "standard input" : path;
    return path == "-" ? read_stream(STDIN_FILENO, name, kMaxFileBytes, scratch.timeout, text)
                       : read_file_or_pipe(path, kMaxFileBytes, scratch.timeout, text);
}

// Two readers of standard input: --config - with --targets - or the address -.
Status one_stdin_reader(const std::vector<CommandLineItem>& items, const std::vector<std::string>& positional) {
    bool config = false, other = false;
    for (const CommandLineItem& item : items) {
        if (item.value != "-") continue;
        if (item.option->long_name == "config") config = true;
        if (item.option->long_name == "targets") other = true;
    }
    other = other || std::find(positional.begin(), positional.end(), "-") != positional.end();
    if (config && other) return Status::fail("--config - reads standard input: not with --targets - or the address -");
    return Status::ok();
}

}  // namespace

Status load_settings(int argc, const char* const* argv, const SettingsEnvironment& env, Options& out,
                     SettingsReport* report) {
    out = Options();
    std::vector<CommandLineItem> items;
    std::vector<std::string> positional;
    Status st = scan_command_line(argc, argv, items, positional);
    if (!st) return st;
    // --config / --no-config decide which files are read, so they go first.
    std::string config_path = env.user_config;
    bool explicit_config = false, no_config = false;
    for (const CommandLineItem& item : items) {
        if (item.option->long_name == "config") {
            config_path = std::string(item.value);
            explicit_config = true;
        } else if (item.option->long_name == "no-config") {
            no_config = true;
        }
    }
    if (explicit_config && no_config) return Status::fail("--config and --no-config exclude each other");
    if (explicit_config && config_path.empty()) return Status::fail("--config: empty file name");
    if (st = one_stdin_reader(items, positional); !st) return st;

    std::vector<std::string> origins(option_docs().size());
    std::vector<std::string> files;
    std::string targets_origin;
    auto layer = [&](const std::string& path, std::string_view label, bool targets, bool required) -> Status {
        if (path.empty()) return Status::ok();
        if (!required && !exists(path)) {
            files.push_back(std::string(label) + (label.empty() ? "" : " ") + path + " (not found)");
            return Status::ok();
        }
        const std::size_t before = out.file_targets.size();
        std::string text, name = path;
        Status r = required ? read_config_option(path, items, name, text) : read_text(path, text);
        files.push_back(std::string(label) + (label.empty() ? "" : " ") + name);
        if (r) r = apply_settings_text(text, name, label, targets, out, origins);
        if (r && out.file_targets.size() != before) {
            // A higher file's instances replace a lower one's.
            out.file_targets.erase(out.file_targets.begin(),
                                   out.file_targets.begin() + static_cast<std::ptrdiff_t>(before));
            targets_origin = name;
        }
        return r;
    };
    if (!no_config) {
        st = layer(env.system_config, "", true, false);
        if (st) st = layer(config_path, "", true, explicit_config);
        if (st) st = layer(env.view_state, "saved view", false, false);
        if (!st) return st;
    }
    out.view_state_path = env.view_state;
    // Checks between options are the command line's: a file's --format, say,
    // is only used with --once/--batch, and its web_* limits with
    // --serve-metrics, so only the command line's are an error.
    out.format_given = false;
    out.web_settings_given = false;
    out.addresses = std::move(positional);
    for (const CommandLineItem& item : items) {
        st = apply_option(*item.option, item.value, "--" + std::string(item.option->long_name), out);
        if (!st) return st;
        origins[index_of(item.option)] = "command line";
    }
    out.saved_view_keys = saved_view_keys(origins);
    const bool from_command_line = !out.addresses.empty();
    const bool env_used = !from_command_line && env.address && *env.address;
    const bool from_file = !from_command_line && !env_used && !out.file_targets.empty();
    if (report) report->file_targets = from_file ? out.file_targets : std::vector<Target>();
    st = check_options(env.address, out.format_given, out);
    if (!st) return st;
    if (report) {
        report_origins(origins, *report);
        report->files = std::move(files);
        report->targets_origin = from_command_line ? "command line"
                               : env_used          ? "environment UWSGITOP_ADDRESS"
                               : from_file         ? targets_origin
                                                   : "";
    }
    return Status::ok();
}

namespace {

// The instances in effect: a settings file's as [[target]] tables (after
// every key: a table ends the top level), others as comments.
std::string instances_text(const Options& options, const SettingsReport& report) {
    std::string s;
    if (!report.file_targets.empty()) {
        s += "# instances (" + escape_for_display(report.targets_origin) + "):\n";
        for (const Target& t : report.file_targets) {
            s += "[[target]]\naddress = " + toml_quoted(t.address) + "\n";
            if (t.name != t.address) s += "name = " + toml_quoted(t.name) + "\n";
            if (!t.fifo.empty()) s += "fifo = " + toml_quoted(t.fifo) + "\n";
            if (!t.tracebacker.empty()) s += "tracebacker = " + toml_quoted(t.tracebacker) + "\n";
        }
        return s;
    }
    if (options.addresses.empty() && options.file_targets.empty()) return s;
    s += "# instances";
    if (!report.targets_origin.empty()) s += " (" + report.targets_origin + ")";
    s += ":\n";
    for (const std::string& a : options.addresses) s += "#   " + escape_for_display(a) + "\n";
    for (const Target& t : options.file_targets) {
        s += "#   " + escape_for_display(t.name) + " = " + escape_for_display(t.address) + "\n";
    }
    return s;
}

}  // namespace

std::string show_config_text(const Options& options, const SettingsReport& report) {
    std::string s = "# uwsgitop settings in effect: key = value  # where it came from\n";
    for (const SettingOrigin& so : report.settings) {
        const std::string_view name = so.option->long_name;
        if (canonical(so.option) != so.option) continue;  // an alias: shown under its option
        std::string line;
        if (name.starts_with("no-") && so.option->arg.empty()) {
            line = key_of(name.substr(3)) + " = " + (option_value_toml(*so.option, options) == "true" ? "false" : "true");
        } else {
            line = key_of(name) + " = " + option_value_toml(*so.option, options);
        }
        if (line.size() < 40) line.append(40 - line.size(), ' ');
        s += line + "  # " + so.origin + "\n";
    }
    s += colors_toml(options.color_overrides);
    if (!options.keys.empty()) {
        s += "[keys]  # the other actions keep their keys (uwsgitop(1), KEYS)\n";
        for (const KeySetting& k : options.keys) {
            std::string line = k.action + " = ";
            if (k.keys.size() != 1) line += '[';
            for (std::size_t i = 0; i < k.keys.size(); ++i) {
                if (i > 0) line += ", ";
                line += toml_quoted(k.keys[i]);
            }
            if (k.keys.size() != 1) line += ']';
            if (line.size() < 40) line.append(40 - line.size(), ' ');
            s += line + "  # " + escape_for_display(k.origin) + "\n";
        }
    }
    s += instances_text(options, report);
    s += "# files, lowest precedence first:";
    if (report.files.empty()) s += " none (--no-config)";
    s += "\n";
    for (const std::string& f : report.files) s += "#   " + escape_for_display(f) + "\n";
    return s;
}

}  // namespace uwsgitop
