// options.cpp — command-line parsing and help (see options.hpp).
#include "uwsgitop/settings/options.hpp"

#include <array>
#include <charconv>
#include <cmath>

#include "uwsgitop/source/address.hpp"
#include "uwsgitop/base/text.hpp"

namespace uwsgitop {

namespace {

const std::array<OptionDoc, 33> kOptions = {{
    {"once", '1', "", "read one snapshot, print it and exit"},
    {"batch", 'b', "", "print a snapshot every interval without the screen (see -n)"},
    {"iterations", 'n', "N", "with --batch: stop after N snapshots (default: until interrupted)"},
    {"frequency", 'f', "SECS", "refresh interval in seconds, fractions allowed (default 1)"},
    {"delay", 'd', "SECS", "same as --frequency"},
    {"format", 'o', "FMT", "output of --once/--batch: table, json, tsv, csv, raw, prometheus or openmetrics (default table)"},
    {"sort", 's', "COLUMN", "sort rows by COLUMN; -COLUMN for the other direction"},
    {"reverse", 'r', "", "reverse the sort direction"},
    {"columns", 'c', "LIST", "comma-separated columns to show (see --help for names)"},
    {"cores", 0, "", "one row per core (thread/async slot) instead of per worker"},
    {"timeout", 't', "SECS", "name lookup + connect + read timeout for one snapshot (default 3)"},
    {"max-size", 0, "MIB", "largest reply accepted, in MiB (default 256)"},
    {"record", 0, "FILE", "append every snapshot read to FILE (JSON Lines)"},
    {"replay", 0, "FILE", "play back a --record file or a uWSGI --stats-push file"},
    {"speed", 0, "X", "replay speed factor (default 1)"},
    {"loop", 0, "", "with --replay: start again at the end"},
    {"demo", 0, "", "replay the bundled demo recording (loops)"},
    {"targets", 0, "FILE", "more instances, one per line: ADDRESS or NAME=ADDRESS (# comments)"},
    {"workers", 0, "", "fleet tsv/csv: one row per worker instead of per instance"},
    {"serve-metrics", 0, "HOST:PORT", "serve Prometheus /metrics for all targets on HOST:PORT (:PORT = every interface)"},
    {"web-config-file", 0, "FILE", "metrics server: TLS and basic auth (exporter-toolkit YAML)"},
    {"probe-allow", 0, "PATTERN", "metrics server: /probe may poll addresses matching this glob (repeatable; default: the targets)"},
    {"web-max-connections", 0, "N", "metrics server: open connections at most (default 512)"},
    {"web-max-connections-per-ip", 0, "N", "metrics server: connections per client address, 0 = no cap (default 64)"},
    {"web-idle-timeout", 0, "SECS", "metrics server: close a connection idle this long (default 10)"},
    {"web-max-request-size", 0, "KIB", "metrics server: largest request line + headers, KiB (default 32)"},
    {"scrape-timeout-offset", 0, "SECS", "metrics server: answer this long before Prometheus' scrape timeout (default 0.5)"},
    {"concurrency", 0, "N", "fleet: at most N instances polled at once (default 16)"},
    {"follow-vassals", 0, "", "fleet: add every Emperor's vassals whose config has a stats address"},
    {"no-color", 0, "", "do not use colours (also when NO_COLOR is set)"},
    {"help", 'h', "", "show this help and exit"},
    {"version", 'V', "", "show the version and exit"},
    {"", 0, "", ""},
}};

Status parse_double(std::string_view opt, std::string_view text, double lo, double hi, double& out) {
    double v = 0;
    auto res = std::from_chars(text.data(), text.data() + text.size(), v);
    if (res.ec != std::errc() || res.ptr != text.data() + text.size() || !std::isfinite(v)) {
        return Status::fail("--" + std::string(opt) + ": \"" + escape_for_display(text) + "\" is not a number");
    }
    if (v < lo || v > hi) {
        std::string msg = "--" + std::string(opt) + ": " + escape_for_display(text) + " is out of range (";
        append_fixed(msg, lo, lo < 1 ? 2 : 0);
        msg += " to ";
        append_fixed(msg, hi, 0);
        msg += ')';
        return Status::fail(msg);
    }
    out = v;
    return Status::ok();
}

Status parse_long(std::string_view opt, std::string_view text, long lo, long hi, long& out) {
    long v = 0;
    auto res = std::from_chars(text.data(), text.data() + text.size(), v);
    if (res.ec != std::errc() || res.ptr != text.data() + text.size()) {
        return Status::fail("--" + std::string(opt) + ": \"" + escape_for_display(text) + "\" is not a whole number");
    }
    if (v < lo || v > hi) {
        return Status::fail("--" + std::string(opt) + ": " + std::string(text) + " is out of range (" +
                            std::to_string(lo) + " to " + std::to_string(hi) + ")");
    }
    out = v;
    return Status::ok();
}

Status parse_format(std::string_view text, OutputFormat& out) {
    if (text == "table") out = OutputFormat::Table;
    else if (text == "json") out = OutputFormat::Json;
    else if (text == "tsv") out = OutputFormat::Tsv;
    else if (text == "csv") out = OutputFormat::Csv;
    else if (text == "raw") out = OutputFormat::Raw;
    else if (text == "prometheus") out = OutputFormat::Prometheus;
    else if (text == "openmetrics") out = OutputFormat::OpenMetrics;
    else return Status::fail("--format: unknown format \"" + escape_for_display(text) + "\" (valid: table json tsv csv raw prometheus openmetrics)");
    return Status::ok();
}

const OptionDoc* find_long(std::string_view name) {
    for (const OptionDoc& o : kOptions) {
        if (!o.long_name.empty() && o.long_name == name) return &o;
    }
    return nullptr;
}

const OptionDoc* find_short(char c) {
    for (const OptionDoc& o : kOptions) {
        if (o.short_name == c && c != 0) return &o;
    }
    return nullptr;
}

Status apply(const OptionDoc& o, std::string_view v, Options& out) {
    const std::string_view n = o.long_name;
    if (n == "once") out.once = true;
    else if (n == "batch") out.batch = true;
    else if (n == "iterations") return parse_long(n, v, 1, 1'000'000'000L, out.iterations);
    else if (n == "frequency" || n == "delay") {
        out.interval_given = true;
        return parse_double(n, v, 0.05, 86400, out.interval);
    } else if (n == "format") {
        out.format_given = true;
        return parse_format(v, out.format);
    } else if (n == "sort") {
        out.sort_given = true;
        out.sort_text = std::string(v);
    } else if (n == "reverse") out.reverse = true;
    else if (n == "columns") {
        Status st = parse_column_list(v, out.columns);
        if (!st) return Status::fail("--columns: " + st.message());
    } else if (n == "cores") out.cores = true;
    else if (n == "timeout") return parse_double(n, v, 0.05, 600, out.timeout);
    else if (n == "max-size") return parse_double(n, v, 0.001, 4096, out.max_size_mib);
    else if (n == "record") {
        if (v.empty()) return Status::fail("--record: empty file name");
        out.record_path = std::string(v);
    } else if (n == "replay") {
        if (v.empty()) return Status::fail("--replay: empty file name");
        out.replay_path = std::string(v);
    } else if (n == "speed") return parse_double(n, v, 0.01, 1000, out.speed);
    else if (n == "loop") out.loop = true;
    else if (n == "demo") out.demo = true;
    else if (n == "targets") {
        if (v.empty()) return Status::fail("--targets: empty file name");
        out.targets_path = std::string(v);
    } else if (n == "workers") out.workers = true;
    else if (n == "serve-metrics") {
        if (v.empty()) return Status::fail("--serve-metrics: give HOST:PORT");
        out.serve_metrics = std::string(v);
    } else if (n == "web-config-file") {
        if (v.empty()) return Status::fail("--web-config-file: empty file name");
        out.web_config_file = std::string(v);
    } else if (n == "probe-allow") {
        if (v.empty()) return Status::fail("--probe-allow: empty pattern");
        out.probe_allow.emplace_back(v);
    } else if (n == "web-max-connections") {
        out.web_settings_given = true;
        return parse_long(n, v, 1, 100000, out.web_max_connections);
    } else if (n == "web-max-connections-per-ip") {
        out.web_settings_given = true;
        return parse_long(n, v, 0, 100000, out.web_max_connections_per_ip);
    } else if (n == "web-idle-timeout") {
        out.web_settings_given = true;
        return parse_long(n, v, 1, 3600, out.web_idle_timeout);
    } else if (n == "web-max-request-size") {
        out.web_settings_given = true;
        return parse_double(n, v, 4, 1024, out.web_max_request_kib);
    } else if (n == "scrape-timeout-offset") {
        out.web_settings_given = true;
        return parse_double(n, v, 0, 60, out.scrape_timeout_offset);
    }
    else if (n == "concurrency") return parse_long(n, v, 1, 1024, out.concurrency);
    else if (n == "follow-vassals") out.follow_vassals = true;
    else if (n == "no-color") out.no_color = true;
    else if (n == "help") out.help = true;
    else if (n == "version") out.version = true;
    return Status::ok();
}

}  // namespace

std::span<const OptionDoc> option_docs() {
    return std::span<const OptionDoc>(kOptions.data(), kOptions.size() - 1);
}

Status parse_options(int argc, const char* const* argv, const char* env_address, Options& out) {
    out = Options();
    bool only_positional = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i] ? argv[i] : "";
        if (only_positional || arg == "-" || arg.size() < 2 || arg[0] != '-') {
            out.addresses.emplace_back(arg);
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
            o = find_long(name);
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
        Status st = apply(*o, value, out);
        if (!st) return st;
    }
    if (out.help || out.version) return Status::ok();

    if (out.sort_given || out.reverse) {
        SortSpec spec;
        Status st = parse_sort(out.sort_given ? std::string_view(out.sort_text) : "requests", out.reverse, spec);
        if (!st) return Status::fail("--sort: " + st.message());
        out.sort = spec;
    }
    if (out.once && out.batch) return Status::fail("--once and --batch exclude each other");
    if (out.iterations && !out.batch) return Status::fail("--iterations goes with --batch");
    if (out.format_given && !out.once && !out.batch && out.serve_metrics.empty()) {
        return Status::fail("--format goes with --once or --batch (the screen has its own layout)");
    }
    const int sources = (out.demo ? 1 : 0) + (out.replay_path.empty() ? 0 : 1);
    if (sources > 1) return Status::fail("--demo and --replay exclude each other");
    if (sources && (!out.addresses.empty() || !out.targets_path.empty())) {
        return Status::fail("an ADDRESS or --targets cannot be combined with --replay/--demo");
    }
    if (sources && out.fleet()) {
        return Status::fail("--replay/--demo show one instance (not prometheus, --serve-metrics or --follow-vassals)");
    }
    if (!sources && out.addresses.empty() && out.targets_path.empty() && env_address && *env_address) {
        out.addresses.emplace_back(env_address);
    }
    if (!sources && out.addresses.empty() && out.targets_path.empty()) {
        return Status::fail(std::string("no address given (and UWSGITOP_ADDRESS is not set); forms:\n") + address_forms_help());
    }
    if (!out.serve_metrics.empty() && (out.once || out.batch)) {
        return Status::fail("--serve-metrics runs until stopped: not with --once/--batch");
    }
    if (out.serve_metrics.empty() && (!out.web_config_file.empty() || !out.probe_allow.empty() ||
                                      out.web_settings_given)) {
        return Status::fail("--web-config-file, --probe-allow and the --web-*/--scrape-timeout-offset limits go with --serve-metrics");
    }
    if (out.format == OutputFormat::Raw && out.fleet()) return Status::fail("--format raw reads one instance");
    if (out.workers && !out.fleet()) return Status::fail("--workers goes with several instances");
    return Status::ok();
}

std::string usage_text() {
    std::string s =
        "usage: uwsgitop [OPTIONS] ADDRESS [ADDRESS...]\n"
        "       uwsgitop --once [--format table|json|tsv|csv|raw] ADDRESS\n"
        "       uwsgitop --demo\n"
        "       uwsgitop --serve-metrics 127.0.0.1:9117 --targets FILE\n"
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
