// options.hpp — the command line.
//
// parse_options() never prints and never exits: it fills Options or returns
// a one-line usage error (exit code 2 in main). The option table here is the
// single source for --help, the man-page check, shell completions and the
// keys of the settings files (settings_file.hpp): a new row is a new key.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "uwsgitop/fleet/fleet.hpp"
#include "uwsgitop/output/dump.hpp"
#include "uwsgitop/source/source.hpp"
#include "uwsgitop/view/rows.hpp"
#include "uwsgitop/base/status.hpp"
#include "uwsgitop/settings/theme.hpp"

namespace uwsgitop {

// --log-level of the metrics server (serve/serve_log.hpp), least to most.
enum class LogLevel : uint8_t { Error, Warn, Info, Debug };
inline constexpr const char* kLogLevelNames[] = {"error", "warn", "info", "debug"};   // in LogLevel order

// One line of the settings file's [keys] table: an action of the screen's
// key table (tui/keys.hpp) and the keys that replace its defaults, as
// written (the screen checks them at start: tui::use_key_settings()).
struct KeySetting {
    std::string action;             // "quit", "sort-rss" ('_' read as '-')
    std::vector<std::string> keys;  // "z", "Ctrl-R", "F5"; empty: no key
    std::string origin;             // "FILE:LINE", for errors and --show-config
};

struct Options {
    std::vector<std::string> addresses;   // positional; UWSGITOP_ADDRESS when none
    std::string targets_path;             // --targets FILE (more addresses, NAME=ADDRESS)
    bool workers = false;                 // fleet tsv/csv: one row per worker
    std::vector<int> fleet_columns;       // --fleet-columns (view/fleet_columns.hpp); empty: the default
    std::string serve_metrics;            // --serve-metrics HOST:PORT
    std::string web_config_file;          // --web-config-file FILE (TLS, basic auth)
    std::vector<std::string> probe_allow; // --probe-allow PATTERN (repeatable)
    long web_max_connections = 512;       // the metrics server's limits
    long web_max_connections_per_ip = 64;
    long web_idle_timeout = 10;           // seconds
    double web_request_timeout = 5;       // seconds for a whole request
    double web_max_request_kib = 32;      // request line + headers
    double web_max_response_mib = 256;    // older answers held by slow readers (answer_holds.hpp)
    double scrape_timeout_offset = 0.5;   // taken off X-Prometheus-Scrape-Timeout-Seconds
    LogLevel log_level = LogLevel::Info;  // the metrics server's stderr log
    bool web_settings_given = false;      // one of the six above was given
    long concurrency = 16;                // fleet: fetches in flight at once
    double event_queue_share = 50;        // --format events: listen_queue at this % of max_queue
    long event_exceptions = 1;            // --format events: exceptions gained in one interval
    double stuck_after = 5;               // --stuck-after SECS: busy in one request this long is stuck; 0 off
    bool follow_vassals = false;          // fleet: add Emperors' discoverable vassals
    bool once = false;
    bool batch = false;
    long iterations = 0;                  // --batch: 0 = until interrupted
    double interval = 1.0;                // seconds between refreshes
    bool interval_given = false;
    OutputFormat format = OutputFormat::Table;
    bool format_given = false;
    std::string sort_text;                // as given; validated into `sort`
    bool reverse = false;
    SortSpec sort{ColumnId::Requests, true};
    bool sort_given = false;
    std::vector<ColumnId> columns;        // --columns: worker rows (and core rows without --core-columns)
    std::vector<ColumnId> core_columns;   // --core-columns: core rows
    bool cores = false;
    RowMode rows = RowMode::Workers;      // --rows: the screen's rows (the a key)
    bool rows_given = false;
    double timeout = 3.0;
    double max_size_mib = 256;
    std::string record_path;
    double record_max_mib = 0;            // --record-max-size: 0 = no rotation
    long record_keep = 5;                 // --record-keep: rotated files kept
    bool record_keep_given = false;
    std::string replay_path;
    double speed = 1.0;
    TimeSpec begin, end;                  // --begin/--end: the window of a replay
    bool demo = false;
    std::string action;                   // --action NAME[:WORKER_ID] (action/action.hpp)
    double action_wait = 10.0;            // --wait SECS: confirmation deadline of --action
    std::string master_fifo;              // --master-fifo PATH
    bool read_only = false;               // --read-only: no action at all
    bool stacks = false;                  // --stacks: --once/--batch dumps add each worker's Python stacks
    std::string tracebacker;              // --tracebacker PREFIX: the instance's --py-tracebacker
    bool loop = false;
    bool no_color = false;                // --color never (or --no-color)
    bool force_color = false;             // --color always: colour even with NO_COLOR set
    std::string theme = "default";        // --theme NAME (settings/theme.hpp)
    std::vector<ColorOverride> color_overrides;  // [colors] of the settings files, in the order read
    bool mouse = true;                    // --no-mouse: request no mouse reporting at all
    std::string pane;                     // --pane NAME: the screen starts there once it exists
    std::string filter;                   // --filter TEXT: the starting pane's filter
    bool help = false;
    bool version = false;

    // Settings files (settings_file.hpp). --config FILE replaces the user's
    // file; --no-config reads none (nor the saved view); --show-config prints
    // the settings in effect and where each came from, then exits.
    std::string config_path;
    bool no_config = false;
    bool show_config = false;
    std::string view_state_path;          // where the screen's save key writes the view
    std::vector<std::string> saved_view_keys;  // the settings the saved view decided (not overridden)
    std::vector<Target> file_targets;     // [[target]] tables of the settings file in effect
    std::vector<KeySetting> keys;         // [keys] of the settings files (a higher file's line wins)

    // Several instances: more than one address, --targets, prometheus output,
    // --serve-metrics, or --follow-vassals (an Emperor's vassals join it).
    // A pure multi-target exporter: --serve-metrics with --probe-allow needs
    // no static target (/metrics then has the exporter's own metrics only).
    // The columns in effect: of worker rows (--columns or the default worker
    // set) and of core rows (--core-columns, else --columns, else the default
    // core set).
    std::span<const ColumnId> worker_columns() const {
        return columns.empty() ? default_worker_columns() : std::span<const ColumnId>(columns);
    }
    std::span<const ColumnId> core_row_columns() const {
        if (!core_columns.empty()) return core_columns;
        return columns.empty() ? default_core_columns() : std::span<const ColumnId>(columns);
    }
    // The screen's rows: --rows, else cores with --cores.
    RowMode screen_rows() const { return rows_given ? rows : cores ? RowMode::Cores : RowMode::Workers; }
    bool probe_only() const { return !serve_metrics.empty() && !probe_allow.empty(); }
    bool fleet() const {
        return addresses.size() + file_targets.size() > 1 || !targets_path.empty() || !serve_metrics.empty() ||
               format == OutputFormat::Prometheus || format == OutputFormat::OpenMetrics || follow_vassals;
    }
};

// Where an option may be given. Every option is a key of the settings files
// (settings_file.hpp: the long name, '-' written '_' or '-') unless its row
// says CommandLineOnly (what makes no sense in a file: --help, --config, a
// one-shot run such as --once).
enum class OptionScope : uint8_t { Anywhere, CommandLineOnly };

struct OptionDoc {
    std::string_view long_name;   // without dashes
    char short_name;              // 0 if none
    std::string_view arg;         // "" for flags
    std::string_view help;
    OptionScope scope = OptionScope::Anywhere;
};

std::span<const OptionDoc> option_docs();

// Whether the option's value is a number (its arg is SECS, N, MIB, KIB, X or PCT):
// a settings file writes it as a TOML number, the command line as text.
bool takes_number(const OptionDoc& o);

// The command line alone (no settings file): `env_address` is
// UWSGITOP_ADDRESS (may be null). settings_file.hpp's load_settings() is the
// same with the files layered below it.
Status parse_options(int argc, const char* const* argv, const char* env_address, Options& out);

// The row of the option whose long name is `name`, or null.
const OptionDoc* find_option(std::string_view name);

// Applies one option to `out` with the same parser and validation whatever
// the source: `value` is the text after the option ("" for a flag given on
// the command line; "true"/"false" for a flag from a file). Messages start
// with `label` ("--sort" on the command line, "sort" in a file).
Status apply_option(const OptionDoc& option, std::string_view value, std::string_view label, Options& out);

// The value `in` has for a file-settable option, as TOML ("2", "\"-rss\"",
// "[\"id\", \"pid\"]", "true"); "" for a command-line-only one.
// Every file-settable option has one, and a settings file holding these
// values reads back to the same values (--show-config's round trip).
std::string option_value_toml(const OptionDoc& option, const Options& in);

// `text` as a TOML basic string: quoted, '"' and '\\' escaped, control
// characters as \uXXXX.
std::string toml_quoted(std::string_view text);

// One option of a command line, its value pointing into argv.
struct CommandLineItem {
    const OptionDoc* option;
    std::string_view value;
};

// Splits a command line into options (validated only as names and arity)
// and positional arguments, in order.
Status scan_command_line(int argc, const char* const* argv, std::vector<CommandLineItem>& items,
                         std::vector<std::string>& positional);

// The checks between options once every source has been applied (--once
// with --batch, a missing address...). `format_on_command_line`: --format
// came from the command line (a file's format only matters for --once/--batch);
// with --replay and neither --once nor --batch it makes the run --batch over
// the whole recording (a dump needs no screen).
Status check_options(const char* env_address, bool format_on_command_line, Options& out);

// The --help text.
std::string usage_text();

}  // namespace uwsgitop
