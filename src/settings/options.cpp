// options.cpp — command-line parsing and help (see options.hpp).
#include "uwsgitop/settings/options.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "uwsgitop/source/address.hpp"
#include "uwsgitop/view/fleet_columns.hpp"
#include "uwsgitop/source/source.hpp"
#include "uwsgitop/base/text.hpp"

namespace uwsgitop {

namespace {

constexpr OptionScope kCommandLineOnly = OptionScope::CommandLineOnly;

const OptionDoc kOptions[] = {
    {"once", '1', "", "read one snapshot, print it and exit", kCommandLineOnly},
    {"batch", 'b', "", "print a snapshot every interval without the screen (see -n)", kCommandLineOnly},
    {"iterations", 'n', "N", "with --batch: stop after N snapshots (default: until interrupted)", kCommandLineOnly},
    {"frequency", 'f', "SECS", "refresh interval in seconds, fractions allowed (default 1)"},
    {"delay", 'd', "SECS", "same as --frequency"},
    {"interval", 0, "SECS", "same as --frequency"},
    {"format", 'o', "FMT", "output of --once/--batch (with --replay alone: --batch over the recording): table, json, tsv, csv, raw, prometheus, openmetrics or none (default table)"},
    {"sort", 's', "COLUMN", "sort rows by COLUMN; -COLUMN for the other direction"},
    {"reverse", 'r', "", "reverse the sort direction"},
    {"columns", 'c', "LIST", "comma-separated columns to show (see --help for names)"},
    {"core-columns", 0, "LIST", "columns of the core rows (a, --cores; default: --columns if given, else the core set)"},
    {"cores", 0, "", "one row per core (thread/async slot) instead of per worker"},
    {"rows", 0, "MODE", "the screen's rows (the a key): workers, cores or tree, cores under their worker (default: cores with --cores, else workers)"},
    {"timeout", 't', "SECS", "name lookup + connect + read timeout for one snapshot (default 3)"},
    {"max-size", 0, "MIB", "largest reply accepted, in MiB (default 256)"},
    {"record", 0, "FILE", "append every snapshot read to FILE (JSON Lines)", kCommandLineOnly},
    {"record-max-size", 0, "MIB", "with --record: start a new FILE before it grows past MIB, the old one compressed to FILE.1.zst", kCommandLineOnly},
    {"record-keep", 0, "N", "with --record-max-size: rotated files kept, FILE.1.zst to FILE.N.zst (default 5)", kCommandLineOnly},
    {"replay", 0, "FILE", "play back a --record file or a uWSGI --stats-push file", kCommandLineOnly},
    {"begin", 0, "TIME", "with --replay: start at the first snapshot recorded at TIME (local HH:MM[:SS] or ISO 8601)", kCommandLineOnly},
    {"end", 0, "TIME", "with --replay: stop after the last snapshot recorded at TIME", kCommandLineOnly},
    {"speed", 0, "X", "replay speed factor (default 1; 0: no waiting)"},
    {"loop", 0, "", "with --replay: start again at the end"},
    {"demo", 0, "", "replay the bundled demo recording (loops)", kCommandLineOnly},
    {"action", 0, "ACTION", "send one action, NAME or NAME:WORKER_ID (reload-worker:3, chain-reload, ...), to a local instance, wait for a snapshot that shows it, exit", kCommandLineOnly},
    {"wait", 0, "SECS", "with --action or the x menu: how long to wait for the confirming snapshot (default 10)", kCommandLineOnly},
    {"master-fifo", 0, "PATH", "the instance's master FIFO for --action and the screen's x menu (default: from the master's command line)", kCommandLineOnly},
    {"stacks", 0, "", "with --once/--batch (table or json): each worker's Python stacks from uWSGI's --py-tracebacker (local instances)", kCommandLineOnly},
    {"tracebacker", 0, "PREFIX", "the instance's --py-tracebacker PREFIX for the stacks (default: from the master's command line)", kCommandLineOnly},
    {"read-only", 0, "", "never send an action (--action is refused, the screen has no x menu)"},
    {"targets", 0, "FILE", "more instances, one per line: ADDRESS or NAME=ADDRESS [fifo=PATH] [tracebacker=PREFIX] (# comments; - reads stdin)"},
    {"workers", 0, "", "fleet tsv/csv: one row per worker instead of per instance"},
    {"fleet-columns", 0, "LIST", "columns of the fleet screen's instance table (instance columns, rps_history, busy_history)"},
    {"serve-metrics", 0, "HOST:PORT", "serve Prometheus /metrics for all targets on HOST:PORT (:PORT = every interface)"},
    {"web-config-file", 0, "FILE", "metrics server: TLS and basic auth (exporter-toolkit YAML)"},
    {"probe-allow", 0, "PATTERN", "metrics server: /probe may poll addresses matching this glob (repeatable; default: the targets)"},
    {"web-max-connections", 0, "N", "metrics server: open connections at most (default 512)"},
    {"web-max-connections-per-ip", 0, "N", "metrics server: connections per client address, 0 = no cap (default 64)"},
    {"web-idle-timeout", 0, "SECS", "metrics server: close a connection idle this long (default 10)"},
    {"web-request-timeout", 0, "SECS", "metrics server: a whole request (headers and body) within this (default 5)"},
    {"log-level", 0, "LEVEL", "metrics server: what to log on stderr: error, warn, info or debug (default info)"},
    {"web-max-request-size", 0, "KIB", "metrics server: largest request line + headers, KiB (default 32)"},
    {"web-max-response-memory", 0, "MIB", "metrics server: older answers slow readers may hold, MiB (default 256)"},
    {"scrape-timeout-offset", 0, "SECS", "metrics server: answer this long before Prometheus' scrape timeout (default 0.5)"},
    {"concurrency", 0, "N", "fleet: threads for targets that block (host names, http(s), files; default 16)"},
    {"event-queue-share", 0, "PCT", "events: listen_queue when a socket's queue crosses PCT% of max_queue (default 50)"},
    {"event-exceptions", 0, "N", "events: exceptions when a worker gains N in one interval (default 1)"},
    {"stuck-after", 0, "SECS", "a worker busy in one request this long is stuck: marked, a stuck event, its stack kept (default 5, 0 off)"},
    {"follow-vassals", 0, "", "fleet: add every Emperor's vassals whose config has a stats address"},
    {"no-color", 0, "", "do not use colours (also when NO_COLOR is set)"},
    {"color", 0, "WHEN", "colours: auto (unless NO_COLOR is set), always or never (default auto)"},
    {"theme", 0, "NAME", "the screen's colours: default, light (for light backgrounds), mono, high-contrast or colorblind (never red against green); [colors] in a settings file changes single roles"},
    {"no-mouse", 0, "", "do not ask the terminal for mouse reports (m toggles them on the screen)"},
    {"pane", 0, "NAME", "the screen starts on pane NAME (workers, sockets, locks, ...) when the server has it"},
    {"filter", 0, "TEXT", "the screen starts with its rows filtered by TEXT (as typed after /)"},
    {"config", 0, "FILE", "read settings from FILE instead of ~/.config/uwsgitop/config.toml", kCommandLineOnly},
    {"no-config", 0, "", "read no settings file and no saved view", kCommandLineOnly},
    {"show-config", 0, "", "print the settings in effect and where each came from, then exit", kCommandLineOnly},
    {"help", 'h', "", "show this help and exit", kCommandLineOnly},
    {"version", 'V', "", "show the version and exit", kCommandLineOnly},
    {"", 0, "", ""},
};

Status parse_double(std::string_view label, std::string_view text, double lo, double hi, double& out) {
    double v = 0;
    auto res = std::from_chars(text.data(), text.data() + text.size(), v);
    if (res.ec != std::errc() || res.ptr != text.data() + text.size() || !std::isfinite(v)) {
        return Status::fail(std::string(label) + ": \"" + escape_for_display(text) + "\" is not a number");
    }
    if (v < lo || v > hi) {
        std::string msg = std::string(label) + ": " + escape_for_display(text) + " is out of range (";
        append_fixed(msg, lo, lo < 1 ? 2 : 0);
        msg += " to ";
        append_fixed(msg, hi, 0);
        msg += ')';
        return Status::fail(msg);
    }
    out = v;
    return Status::ok();
}

Status parse_long(std::string_view label, std::string_view text, long lo, long hi, long& out) {
    long v = 0;
    auto res = std::from_chars(text.data(), text.data() + text.size(), v);
    if (res.ec != std::errc() || res.ptr != text.data() + text.size()) {
        return Status::fail(std::string(label) + ": \"" + escape_for_display(text) + "\" is not a whole number");
    }
    if (v < lo || v > hi) {
        return Status::fail(std::string(label) + ": " + std::string(text) + " is out of range (" +
                            std::to_string(lo) + " to " + std::to_string(hi) + ")");
    }
    out = v;
    return Status::ok();
}

Status parse_format(std::string_view label, std::string_view text, OutputFormat& out) {
    for (std::size_t i = 0; i < kOutputFormatNames.size(); ++i) {
        if (text == kOutputFormatNames[i]) {
            out = static_cast<OutputFormat>(i);
            return Status::ok();
        }
    }
    std::string valid;
    for (std::string_view name : kOutputFormatNames) {
        if (!valid.empty()) valid += ' ';
        valid += name;
    }
    return Status::fail(std::string(label) + ": unknown format \"" + escape_for_display(text) + "\" (valid: " + valid + ")");
}

const OptionDoc* find_short(char c) {
    for (const OptionDoc& o : kOptions) {
        if (o.short_name == c && c != 0) return &o;
    }
    return nullptr;
}

Status need_text(std::string_view label, std::string_view v, std::string_view what, std::string& out) {
    if (v.empty()) return Status::fail(std::string(label) + ": " + std::string(what));
    out = std::string(v);
    return Status::ok();
}

}  // namespace

const OptionDoc* find_option(std::string_view name) {
    for (const OptionDoc& o : kOptions) {
        if (!o.long_name.empty() && o.long_name == name) return &o;
    }
    return nullptr;
}

Status apply_option(const OptionDoc& o, std::string_view v, std::string_view label, Options& out) {
    const std::string_view n = o.long_name;
    const std::string l(label);
    const bool on = v != "false";  // a flag: "" on the command line, true/false in a file
    if (n == "once") out.once = on;
    else if (n == "batch") out.batch = on;
    else if (n == "iterations") return parse_long(l, v, 1, 1'000'000'000L, out.iterations);
    else if (n == "frequency" || n == "delay" || n == "interval") {
        out.interval_given = true;
        return parse_double(l, v, 0.05, 86400, out.interval);
    } else if (n == "format") {
        out.format_given = true;
        return parse_format(l, v, out.format);
    } else if (n == "sort") {
        SortSpec check;
        Status st = parse_sort(v, false, check);
        if (!st) return Status::fail(l + ": " + st.message());
        out.sort_given = true;
        out.sort_text = std::string(v);
    } else if (n == "reverse") out.reverse = on;
    else if (n == "columns") {
        Status st = parse_column_list(v, out.columns);
        if (!st) return Status::fail(l + ": " + st.message());
    } else if (n == "core-columns") {
        Status st = parse_column_list(v, out.core_columns);
        if (!st) return Status::fail(l + ": " + st.message());
    } else if (n == "cores") out.cores = on;
    else if (n == "rows") {
        constexpr std::string_view kModes[] = {"workers", "cores", "tree"};  // in RowMode order
        const auto it = std::find(std::begin(kModes), std::end(kModes), v);
        if (it == std::end(kModes)) {
            return Status::fail(l + ": \"" + escape_for_display(v) + "\" is not a row mode (valid: workers cores tree)");
        }
        out.rows = static_cast<RowMode>(it - std::begin(kModes));
        out.rows_given = true;
    }
    else if (n == "timeout") return parse_double(l, v, 0.05, 600, out.timeout);
    else if (n == "max-size") return parse_double(l, v, 0.001, 4096, out.max_size_mib);
    else if (n == "record") return need_text(l, v, "empty file name", out.record_path);
    else if (n == "record-max-size") return parse_double(l, v, 0.01, 1048576, out.record_max_mib);
    else if (n == "record-keep") {
        out.record_keep_given = true;
        return parse_long(l, v, 0, 10000, out.record_keep);
    } else if (n == "replay") return need_text(l, v, "empty file name", out.replay_path);
    else if (n == "begin" || n == "end") {
        Status st = parse_time_spec(v, n == "begin" ? out.begin : out.end);
        if (!st) return Status::fail(l + ": " + st.message());
    } else if (n == "speed") return parse_double(l, v, 0, 1000, out.speed);
    else if (n == "loop") out.loop = on;
    else if (n == "demo") out.demo = on;
    else if (n == "action") return need_text(l, v, "empty action", out.action);
    else if (n == "wait") return parse_double(l, v, 0.1, 3600, out.action_wait);
    else if (n == "master-fifo") return need_text(l, v, "empty path", out.master_fifo);
    else if (n == "stacks") out.stacks = on;
    else if (n == "tracebacker") return need_text(l, v, "empty prefix", out.tracebacker);
    else if (n == "read-only") out.read_only = on;
    // "" is the default, none: a settings file's defaults read back, and the
    // command line can take back what a file set (--serve-metrics "").
    else if (n == "targets") out.targets_path = std::string(v);
    else if (n == "workers") out.workers = on;
    else if (n == "fleet-columns") {
        Status st = parse_fleet_column_list(v, out.fleet_columns);
        if (!st) return Status::fail(l + ": " + st.message());
    }
    else if (n == "serve-metrics") out.serve_metrics = std::string(v);
    else if (n == "web-config-file") {
        out.web_settings_given = out.web_settings_given || !v.empty();
        out.web_config_file = std::string(v);
    } else if (n == "probe-allow") {
        if (v.empty()) return Status::fail(l + ": empty pattern");
        out.web_settings_given = true;
        out.probe_allow.emplace_back(v);
    } else if (n == "web-max-connections") {
        out.web_settings_given = true;
        return parse_long(l, v, 1, 100000, out.web_max_connections);
    } else if (n == "web-max-connections-per-ip") {
        out.web_settings_given = true;
        return parse_long(l, v, 0, 100000, out.web_max_connections_per_ip);
    } else if (n == "web-idle-timeout") {
        out.web_settings_given = true;
        return parse_long(l, v, 1, 3600, out.web_idle_timeout);
    } else if (n == "log-level") {
        for (std::size_t i = 0; i < std::size(kLogLevelNames); ++i) {
            if (v == kLogLevelNames[i]) {
                out.log_level = static_cast<LogLevel>(i);
                return Status::ok();
            }
        }
        return Status::fail(l + ": unknown level \"" + escape_for_display(v) + "\" (valid: error, warn, info, debug)");
    } else if (n == "web-request-timeout") {
        out.web_settings_given = true;
        return parse_double(l, v, 0.1, 3600, out.web_request_timeout);
    } else if (n == "web-max-request-size") {
        out.web_settings_given = true;
        return parse_double(l, v, 4, 1024, out.web_max_request_kib);
    } else if (n == "web-max-response-memory") {
        out.web_settings_given = true;
        return parse_double(l, v, 1, 1048576, out.web_max_response_mib);
    } else if (n == "scrape-timeout-offset") {
        out.web_settings_given = true;
        return parse_double(l, v, 0, 60, out.scrape_timeout_offset);
    }
    else if (n == "concurrency") return parse_long(l, v, 1, 1024, out.concurrency);
    else if (n == "event-queue-share") return parse_double(l, v, 1, 100, out.event_queue_share);
    else if (n == "event-exceptions") return parse_long(l, v, 1, 1000000000, out.event_exceptions);
    else if (n == "stuck-after") return parse_double(l, v, 0, 86400, out.stuck_after);
    else if (n == "follow-vassals") out.follow_vassals = on;
    else if (n == "no-color") {
        out.no_color = on;
        if (on) out.force_color = false;
    } else if (n == "color") {
        if (v == "auto") out.no_color = out.force_color = false;
        else if (v == "always") out.no_color = !(out.force_color = true);
        else if (v == "never") out.force_color = !(out.no_color = true);
        else return Status::fail(l + ": \"" + escape_for_display(v) + "\" is not a colour mode (valid: auto always never)");
    } else if (n == "theme") {
        if (find_theme(v) < 0) {
            return Status::fail(l + ": unknown theme \"" + escape_for_display(v) + "\" (valid: " + theme_names_text() + ")");
        }
        out.theme = std::string(v);
    } else if (n == "no-mouse") out.mouse = !on;
    else if (n == "pane") {
        if (v.find_first_not_of("abcdefghijklmnopqrstuvwxyz") != std::string_view::npos) {
            return Status::fail(l + ": \"" + escape_for_display(v) + "\" is not a pane name (workers, sockets, locks, ...)");
        }
        out.pane = std::string(v);
    } else if (n == "filter") {
        if (v.size() > 200) return Status::fail(l + ": longer than 200 characters");
        for (unsigned char c : v) {
            if (c < 0x20 || c == 0x7F) return Status::fail(l + ": control characters are not allowed");
        }
        out.filter = std::string(v);
    } else if (n == "config") return need_text(l, v, "empty file name", out.config_path);
    else if (n == "no-config") out.no_config = on;
    else if (n == "show-config") out.show_config = on;
    else if (n == "help") out.help = on;
    else if (n == "version") out.version = on;
    return Status::ok();
}

std::string toml_quoted(std::string_view v) {
    std::string q = "\"";
    for (char c : v) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {  // not allowed raw in a TOML string
            char esc[8];
            std::snprintf(esc, sizeof esc, "\\u%04X", u);
            q += esc;
            continue;
        }
        if (c == '"' || c == '\\') q += '\\';
        q += c;
    }
    q += '"';
    return q;
}

std::string option_value_toml(const OptionDoc& o, const Options& in) {
    const std::string_view n = o.long_name;
    auto flag = [](bool b) { return std::string(b ? "true" : "false"); };
    auto number = [](double v) {
        char buf[32];
        const auto res = std::to_chars(buf, buf + sizeof buf, v);
        return std::string(buf, res.ptr);
    };
    auto quoted = [](std::string_view v) { return toml_quoted(v); };
    if (n == "frequency" || n == "delay" || n == "interval") return number(in.interval);
    if (n == "format") return quoted(kOutputFormatNames[static_cast<std::size_t>(in.format)]);
    if (n == "sort") {
        const ColumnDef& def = column(in.sort.column);
        std::string name(def.name);
        // The direction before --reverse, which is its own key.
        if ((in.sort.descending != in.reverse) != def.default_desc) name.insert(name.begin(), '-');
        return quoted(name);
    }
    if (n == "reverse") return flag(in.reverse);
    if (n == "columns" || n == "core-columns") {
        std::string list = "[";
        for (ColumnId id : n == "columns" ? in.worker_columns() : in.core_row_columns()) {
            if (list.size() > 1) list += ", ";
            list += quoted(column(id).name);
        }
        return list + "]";
    }
    if (n == "cores") return flag(in.cores);
    if (n == "rows") {
        const RowMode m = in.screen_rows();
        return quoted(m == RowMode::Cores ? "cores" : m == RowMode::WorkersTree ? "tree" : "workers");
    }
    if (n == "timeout") return number(in.timeout);
    if (n == "max-size") return number(in.max_size_mib);
    if (n == "speed") return number(in.speed);
    if (n == "loop") return flag(in.loop);
    if (n == "read-only") return flag(in.read_only);
    if (n == "targets") return quoted(in.targets_path);
    if (n == "workers") return flag(in.workers);
    if (n == "fleet-columns") {
        std::string list = "[";
        for (int c : in.fleet_columns.empty() ? default_fleet_screen_columns() : std::span<const int>(in.fleet_columns)) {
            if (list.size() > 1) list += ", ";
            list += quoted(fleet_screen_column_name(c));
        }
        return list + "]";
    }
    if (n == "serve-metrics") return quoted(in.serve_metrics);
    if (n == "web-config-file") return quoted(in.web_config_file);
    if (n == "probe-allow") {
        std::string list = "[";
        for (const std::string& p : in.probe_allow) {
            if (list.size() > 1) list += ", ";
            list += quoted(p);
        }
        return list + "]";
    }
    if (n == "web-max-connections") return std::to_string(in.web_max_connections);
    if (n == "web-max-connections-per-ip") return std::to_string(in.web_max_connections_per_ip);
    if (n == "web-idle-timeout") return std::to_string(in.web_idle_timeout);
    if (n == "web-request-timeout") return number(in.web_request_timeout);
    if (n == "log-level") return quoted(kLogLevelNames[static_cast<std::size_t>(in.log_level)]);
    if (n == "web-max-request-size") return number(in.web_max_request_kib);
    if (n == "web-max-response-memory") return number(in.web_max_response_mib);
    if (n == "scrape-timeout-offset") return number(in.scrape_timeout_offset);
    if (n == "concurrency") return std::to_string(in.concurrency);
    if (n == "event-queue-share") return number(in.event_queue_share);
    if (n == "event-exceptions") return std::to_string(in.event_exceptions);
    if (n == "stuck-after") return number(in.stuck_after);
    if (n == "follow-vassals") return flag(in.follow_vassals);
    if (n == "no-color") return flag(in.no_color);
    if (n == "color") return quoted(std::string_view(in.no_color ? "never" : in.force_color ? "always" : "auto"));
    if (n == "theme") return quoted(in.theme);
    if (n == "no-mouse") return flag(!in.mouse);
    if (n == "pane") return quoted(in.pane);
    if (n == "filter") return quoted(in.filter);
    return "";
}

bool takes_number(const OptionDoc& o) {
    return o.arg == "SECS" || o.arg == "N" || o.arg == "MIB" || o.arg == "KIB" || o.arg == "X" || o.arg == "PCT";
}

std::span<const OptionDoc> option_docs() {
    return std::span<const OptionDoc>(kOptions, std::size(kOptions) - 1);
}

Status scan_command_line(int argc, const char* const* argv, std::vector<CommandLineItem>& items,
                         std::vector<std::string>& positional) {
    items.clear();
    positional.clear();
    bool only_positional = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i] ? argv[i] : "";
        if (only_positional || arg == "-" || arg.size() < 2 || arg[0] != '-') {
            positional.emplace_back(arg);
            continue;
        }
        if (arg == "--") {
            only_positional = true;
            continue;
        }
        const OptionDoc* o = nullptr;
        std::string_view value;
        bool has_inline = false;
        if (arg[1] == '-') {
            std::string_view name = arg.substr(2);
            const auto eq = name.find('=');
            if (eq != std::string_view::npos) {
                value = name.substr(eq + 1);
                name = name.substr(0, eq);
                has_inline = true;
            }
            o = find_option(name);
            if (!o) return Status::fail("unknown option \"--" + escape_for_display(name) + "\" (see --help)");
        } else {
            o = find_short(arg[1]);
            if (!o) return Status::fail("unknown option \"" + escape_for_display(arg) + "\" (see --help)");
            if (arg.size() > 2) {
                value = arg.substr(2);
                has_inline = true;
            }
        }
        if (o->arg.empty()) {
            if (has_inline) return Status::fail("--" + std::string(o->long_name) + " takes no value");
        } else if (!has_inline) {
            if (i + 1 >= argc) return Status::fail("--" + std::string(o->long_name) + " needs a value (" + std::string(o->arg) + ")");
            value = argv[++i];
        }
        items.push_back({o, value});
    }
    return Status::ok();
}

Status parse_options(int argc, const char* const* argv, const char* env_address, Options& out) {
    out = Options();
    std::vector<CommandLineItem> items;
    Status st = scan_command_line(argc, argv, items, out.addresses);
    if (!st) return st;
    for (const CommandLineItem& item : items) {
        st = apply_option(*item.option, item.value, "--" + std::string(item.option->long_name), out);
        if (!st) return st;
    }
    return check_options(env_address, out.format_given, out);
}

namespace {

// --stacks: a table or json dump of one instance; --tracebacker: one instance.
Status check_stack_options(const Options& out) {
    if (out.stacks && !out.once && !out.batch)
        return Status::fail("--stacks goes with --once or --batch (the screen shows stacks in a worker's details)");
    if (out.stacks && out.format != OutputFormat::Table && out.format != OutputFormat::Json)
        return Status::fail("--stacks goes with --format table or json");
    if ((out.stacks || !out.tracebacker.empty()) && out.fleet())
        return Status::fail("--stacks and --tracebacker read one instance");
    return Status::ok();
}

}  // namespace

Status check_options(const char* env_address, bool format_on_command_line, Options& out) {
    if (out.help || out.version) return Status::ok();

    if (out.sort_given || out.reverse) {
        SortSpec spec;
        Status st = parse_sort(out.sort_given ? std::string_view(out.sort_text) : "requests", out.reverse, spec);
        if (!st) return Status::fail("--sort: " + st.message());
        out.sort = spec;
    }
    if (out.once && out.batch) return Status::fail("--once and --batch exclude each other");
    // A dump format over a recording needs no screen: it is --batch over the
    // whole recording (uwsgitop --replay FILE --speed 0 --format events).
    if (format_on_command_line && out.format_given && !out.once && !out.batch && out.serve_metrics.empty() &&
        !out.replay_path.empty()) {
        out.batch = true;
    }
    if (!out.action.empty() && (out.once || out.batch || !out.serve_metrics.empty()))
        return Status::fail("--action runs alone: not with --once, --batch or --serve-metrics");
    if (out.iterations && !out.batch) return Status::fail("--iterations goes with --batch");
    if (format_on_command_line && out.format_given && !out.once && !out.batch && out.serve_metrics.empty()) {
        return Status::fail("--format goes with --once or --batch (the screen has its own layout)");
    }
    const int sources = (out.demo ? 1 : 0) + (out.replay_path.empty() ? 0 : 1);
    if (sources > 1) return Status::fail("--demo and --replay exclude each other");
    if (sources) out.file_targets.clear();  // a replay ignores the settings file's instances
    if (sources && (!out.addresses.empty() || !out.targets_path.empty())) {
        return Status::fail("an ADDRESS or --targets cannot be combined with --replay/--demo");
    }
    if (!sources && (out.begin.kind != TimeSpec::Kind::None || out.end.kind != TimeSpec::Kind::None)) {
        return Status::fail("--begin and --end go with --replay (they select a window of the recording)");
    }
    if (out.begin.kind == TimeSpec::Kind::Epoch && out.end.kind == TimeSpec::Kind::Epoch &&
        out.end.value < out.begin.value) {
        return Status::fail("--end is before --begin");
    }
    if (sources && out.fleet()) {
        return Status::fail("--replay/--demo show one instance (not prometheus, --serve-metrics or --follow-vassals)");
    }
    if (!sources && out.addresses.empty() && out.targets_path.empty() && env_address && *env_address) {
        out.addresses.emplace_back(env_address);
    }
    // The settings file's instances count only when no address was given
    // above it (a --targets file adds to them).
    if (!out.addresses.empty()) out.file_targets.clear();
    if (out.addresses.empty() && out.file_targets.size() == 1 && !out.fleet()) {
        out.addresses.push_back(out.file_targets.front().address);
        if (out.master_fifo.empty()) out.master_fifo = out.file_targets.front().fifo;  // its fifo = "PATH"
        if (out.tracebacker.empty()) out.tracebacker = out.file_targets.front().tracebacker;  // tracebacker = "PREFIX"
        out.file_targets.clear();
    }
    if (!sources && out.addresses.empty() && out.targets_path.empty() && out.file_targets.empty() &&
        !out.show_config && !out.probe_only()) {
        return Status::fail(std::string("no address given (and UWSGITOP_ADDRESS is not set); forms:\n") + address_forms_help());
    }
    if (out.serve_metrics.empty() && out.web_settings_given) {
        return Status::fail("--web-config-file, --probe-allow and the --web-*/--scrape-timeout-offset limits go with --serve-metrics");
    }
    if (!out.serve_metrics.empty() && (out.once || out.batch)) {
        return Status::fail("--serve-metrics runs until stopped: not with --once/--batch");
    }
    if (out.record_path.empty() && out.record_max_mib > 0) return Status::fail("--record-max-size goes with --record");
    if (out.record_keep_given && !(out.record_max_mib > 0)) {
        return Status::fail("--record-keep goes with --record-max-size");
    }
    if (out.format == OutputFormat::None && (out.once || out.batch) && (out.record_path.empty() || out.fleet())) {
        return Status::fail("--format none prints nothing: it goes with --record (one instance)");
    }
    if (out.format == OutputFormat::Raw && out.fleet()) return Status::fail("--format raw reads one instance");
    if (out.workers && !out.fleet()) return Status::fail("--workers goes with several instances");
    return check_stack_options(out);
}

std::string usage_text() {
    std::string s =
        "usage: uwsgitop [OPTIONS] ADDRESS [ADDRESS...]\n"
        "       uwsgitop --once [--format table|json|tsv|csv|raw|prometheus|openmetrics] ADDRESS\n"
        "       uwsgitop --batch --format none --record FILE [--record-max-size MIB] ADDRESS\n"
        "       uwsgitop --action NAME[:WORKER_ID] [--wait SECS] [--master-fifo PATH] ADDRESS\n"
        "       uwsgitop --demo\n"
        "       uwsgitop --serve-metrics 127.0.0.1:9117 --targets FILE | --probe-allow PATTERN\n"
        "\nA top-like monitor for uWSGI's stats server (--stats ADDR).\n\nOptions:\n";
    for (const OptionDoc& o : option_docs()) {
        std::string line = "  ";
        if (o.short_name) {
            line += '-';
            line += o.short_name;
            line += ", ";
        } else {
            line += "    ";
        }
        line += "--";
        line += o.long_name;
        if (!o.arg.empty()) {
            line += ' ';
            line += o.arg;
        }
        if (line.size() < 26) line.append(26 - line.size(), ' '); else line += "  ";
        s += line;
        s += o.help;
        s += '\n';
    }
    s += "\nAddresses (also from UWSGITOP_ADDRESS):\n";
    s += address_forms_help();
    s += "\nColumns: ";
    s += column_names();
    s += "\n\nExit status: 0 ok, 1 could not read or parse the stats, 2 usage error.\n";
    return s;
}

}  // namespace uwsgitop
