// options.hpp — the command line.
//
// parse_options() never prints and never exits: it fills Options or returns
// a one-line usage error (exit code 2 in main). The option table here is the
// single source for --help, the man-page check and shell completions.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "uwsgitop/output/dump.hpp"
#include "uwsgitop/view/rows.hpp"
#include "uwsgitop/base/status.hpp"

namespace uwsgitop {

struct Options {
    std::vector<std::string> addresses;   // positional; UWSGITOP_ADDRESS when none
    std::string targets_path;             // --targets FILE (more addresses, NAME=ADDRESS)
    bool workers = false;                 // fleet tsv/csv: one row per worker
    std::string serve_metrics;            // --serve-metrics HOST:PORT
    std::string web_config_file;          // --web-config-file FILE (TLS, basic auth)
    std::vector<std::string> probe_allow; // --probe-allow PATTERN (repeatable)
    long web_max_connections = 512;       // the metrics server's limits
    long web_max_connections_per_ip = 64;
    long web_idle_timeout = 10;           // seconds
    double web_max_request_kib = 32;      // request line + headers
    double scrape_timeout_offset = 0.5;   // taken off X-Prometheus-Scrape-Timeout-Seconds
    bool web_settings_given = false;      // one of the five above was given
    long concurrency = 16;                // fleet: fetches in flight at once
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
    std::vector<ColumnId> columns;
    bool cores = false;
    double timeout = 3.0;
    double max_size_mib = 256;
    std::string record_path;
    std::string replay_path;
    double speed = 1.0;
    bool demo = false;
    bool loop = false;
    bool no_color = false;
    bool help = false;
    bool version = false;

    // Several instances: more than one address, --targets, prometheus output,
    // --serve-metrics, or --follow-vassals (an Emperor's vassals join it).
    bool fleet() const {
        return addresses.size() > 1 || !targets_path.empty() || !serve_metrics.empty() ||
               format == OutputFormat::Prometheus || format == OutputFormat::OpenMetrics || follow_vassals;
    }
};

struct OptionDoc {
    std::string_view long_name;   // without dashes
    char short_name;              // 0 if none
    std::string_view arg;         // "" for flags
    std::string_view help;
};

std::span<const OptionDoc> option_docs();

// `env_address` is UWSGITOP_ADDRESS (may be null).
Status parse_options(int argc, const char* const* argv, const char* env_address, Options& out);

// The --help text.
std::string usage_text();

}  // namespace uwsgitop
