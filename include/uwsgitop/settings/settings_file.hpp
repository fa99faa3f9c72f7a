// settings_file.hpp — the settings files (TOML) layered under the command line.
//
// Keys are the long option names of options.hpp's table ('-' may be written
// '_': follow_vassals = true), with the same parser and validation as the
// flag, so a new option is a new key. Values: a flag takes true/false (a
// "no-X" flag may also be written X = false: mouse = false); SECS, N, MIB and
// X options a number; LIST (columns) an array of strings or one string with
// commas; every other option a string. Options marked CommandLineOnly are
// errors in a file. [[target]] tables (address, and an optional name, as a
// NAME=ADDRESS line of a --targets file) add instances. A [colors] table sets
// looks of colour roles (settings/theme.hpp), each key a role, each value a
// look: Options::color_overrides, later files after earlier ones.
//
// Precedence, lowest first: built-in defaults < the system file
// (/etc/uwsgitop/config.toml) < the user's file ($XDG_CONFIG_HOME/uwsgitop/
// config.toml, default ~/.config/...; or --config FILE, which must exist) <
// the saved view ($XDG_STATE_HOME/uwsgitop/view.toml, default
// ~/.local/state/..., written by the screen's save key) < the environment
// (UWSGITOP_ADDRESS) < the command line. --no-config reads no file. A file
// that does not exist is skipped (except --config's); one that exists but
// cannot be read, or is bad, is an error before anything starts:
// "FILE:LINE: KEY: what is wrong", exit status 2. A file is read only when it
// is a regular file, and never past 1 MiB whatever stat says
// (base/file_read.hpp: a directory, a FIFO, a device are refused without
// reading or waiting), and it reaches toml++ only nested at most
// kMaxTomlDepth deep (toml_depth.hpp). --config FILE may also be a pipe or
// a FIFO (/dev/stdin, <(...)), and --config - is standard input, read
// within the command line's --timeout (not with --targets - or the address -).
//
// A text option's "" is its default, none (pane = "", serve_metrics = "").
#pragma once

#include <string>
#include <vector>

#include "uwsgitop/base/status.hpp"
#include "uwsgitop/settings/options.hpp"

namespace uwsgitop {

struct SettingsEnvironment {
    const char* address = nullptr;  // UWSGITOP_ADDRESS (may be null)
    std::string system_config;      // "" reads no system file
    std::string user_config;
    std::string view_state;
};

// From the process environment: XDG_CONFIG_HOME, XDG_STATE_HOME, HOME and
// UWSGITOP_ADDRESS; the system file is /etc/uwsgitop/config.toml.
SettingsEnvironment settings_environment();

// Where each setting in effect came from, for --show-config.
struct SettingOrigin {
    const OptionDoc* option;
    std::string origin;  // "default", "command line", "FILE:LINE", "saved view FILE:LINE"
};

struct SettingsReport {
    std::vector<SettingOrigin> settings;   // one per file-settable option, in table order
    std::vector<std::string> files;        // each file considered: "PATH" or "PATH (not found)"
    std::string targets_origin;            // where the [[target]] instances came from ("" none)
    std::vector<Target> file_targets;      // a settings file's instances, when they are the ones in effect
};

// The command line over the files over the defaults (see top). `report`
// (may be null) is filled for --show-config.
Status load_settings(int argc, const char* const* argv, const SettingsEnvironment& env, Options& out,
                     SettingsReport* report = nullptr);

// Reads one settings file into `out` (on top of what is there), recording in
// `origins` (indexed like option_docs()) "LABEL PATH:LINE" for each key set.
// `allow_targets`: [[target]] tables are accepted (the saved view has none).
Status read_settings_file(const std::string& path, std::string_view label, bool allow_targets, Options& out,
                          std::vector<std::string>& origins);

// The --show-config text: "key = value  # origin" per setting, the settings
// file's instances as [[target]] tables, then the files as comments. It is a
// settings file: read back with --config, it gives the same settings.
std::string show_config_text(const Options& options, const SettingsReport& report);

}  // namespace uwsgitop
