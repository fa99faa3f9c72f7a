// Unit tests for settings_file.hpp and view_state.hpp: the TOML settings
// files under the command line, their errors, --show-config, and the saved view.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "uwsgitop/settings/settings_file.hpp"
#include "uwsgitop/settings/toml_depth.hpp"
#include "uwsgitop/settings/view_state.hpp"

using namespace uwsgitop;
namespace fs = std::filesystem;

namespace {

// A fresh directory with the three files of a SettingsEnvironment in it.
struct Sandbox {
    fs::path dir;
    SettingsEnvironment env;
    Sandbox() {
        std::string tmpl = (fs::temp_directory_path() / "uwsgitop-settings-XXXXXX").string();
        REQUIRE(mkdtemp(tmpl.data()) != nullptr);
        dir = tmpl;
        env.system_config = (dir / "etc" / "config.toml").string();
        env.user_config = (dir / "config" / "uwsgitop" / "config.toml").string();
        env.view_state = (dir / "state" / "uwsgitop" / "view.toml").string();
    }
    ~Sandbox() {
        std::error_code ec;
        fs::permissions(dir, fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(dir, ec);
    }
    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;

    static void write(const std::string& path, const std::string& text) {
        fs::create_directories(fs::path(path).parent_path());
        std::ofstream(path, std::ios::binary) << text;
    }
    Status load(std::vector<const char*> args, Options& o, SettingsReport* report = nullptr) const {
        args.insert(args.begin(), "uwsgitop");
        return load_settings(static_cast<int>(args.size()), args.data(), env, o, report);
    }
};

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string origin_of(const SettingsReport& r, std::string_view name) {
    for (const SettingOrigin& so : r.settings) {
        if (so.option->long_name == name) return so.origin;
    }
    return "(not listed)";
}

std::string key_of(std::string_view name) {
    std::string k(name);
    for (char& c : k) {
        if (c == '-') c = '_';
    }
    return k;
}

}  // namespace

TEST_SUITE("settings_file") {

TEST_CASE("settings_file::precedence: defaults < system < user < saved view < environment < flags") {
    Sandbox sb;
    Options o;
    SettingsReport r;
    REQUIRE(sb.load({"127.0.0.1:1"}, o, &r).is_ok());
    CHECK(o.interval == 1.0);
    CHECK(origin_of(r, "frequency") == "default");

    Sandbox::write(sb.env.system_config, "interval = 5\ntimeout = 7\n[[target]]\naddress = \"127.0.0.1:5\"\n");
    REQUIRE(sb.load({}, o, &r).is_ok());
    CHECK(o.interval == 5.0);
    CHECK(o.addresses == std::vector<std::string>{"127.0.0.1:5"});
    CHECK(r.targets_origin == sb.env.system_config);
    CHECK(origin_of(r, "frequency") == sb.env.system_config + ":1");

    Sandbox::write(sb.env.user_config,
                   "# mine\ninterval = 4\n[[target]]\nname = \"a\"\naddress = \"127.0.0.1:41\"\n"
                   "[[target]]\nname = \"b\"\naddress = \"127.0.0.1:42\"\n");
    REQUIRE(sb.load({}, o, &r).is_ok());
    CHECK(o.interval == 4.0);
    CHECK(o.timeout == 7.0);  // still the system file's
    CHECK(origin_of(r, "timeout") == sb.env.system_config + ":2");
    REQUIRE(o.file_targets.size() == 2);  // the user's instances replace the system's
    CHECK(o.file_targets[0].name == "a");
    CHECK(o.file_targets[1].address == "127.0.0.1:42");
    CHECK(o.fleet());

    Sandbox::write(sb.env.view_state, "interval = 3\n");
    REQUIRE(sb.load({}, o, &r).is_ok());
    CHECK(o.interval == 3.0);
    CHECK(origin_of(r, "frequency") == "saved view " + sb.env.view_state + ":1");

    // The environment's address replaces the files' instances...
    sb.env.address = "127.0.0.1:9";
    REQUIRE(sb.load({}, o, &r).is_ok());
    CHECK(o.addresses == std::vector<std::string>{"127.0.0.1:9"});
    CHECK(o.file_targets.empty());
    CHECK_FALSE(o.fleet());
    CHECK(r.targets_origin == "environment UWSGITOP_ADDRESS");
    // ...and the command line both the environment and the files.
    REQUIRE(sb.load({"-d", "2", "127.0.0.1:8"}, o, &r).is_ok());
    CHECK(o.interval == 2.0);
    CHECK(o.addresses == std::vector<std::string>{"127.0.0.1:8"});
    CHECK(origin_of(r, "frequency") == "command line");
    CHECK(r.targets_origin == "command line");
}

TEST_CASE("settings_file::each key is validated as its flag is") {
    // Every file-settable option of the table, with values good and bad: the
    // file accepts what the flag accepts, and refuses it with the same words.
    const std::vector<std::string> candidates = {"", "zzz", "-5", "0", "1000000000", "0.5", "2", "rss", "-rss", "id,pid",
                                                 "auto", "never", "sockets", "127.0.0.1:9117", "busy"};
    int compared = 0;
    for (const OptionDoc& opt : option_docs()) {
        if (opt.scope != OptionScope::Anywhere || opt.arg.empty()) continue;
        for (const std::string& value : candidates) {
            if (takes_number(opt)) {
                char* end = nullptr;
                std::strtod(value.c_str(), &end);
                if (value.empty() || *end != '\0') continue;  // a file writes numbers as numbers
            }
            Sandbox sb;
            const std::string flag = "--" + std::string(opt.long_name) + "=" + value;
            Options by_flag, by_file;
            const Status flag_st = sb.load({flag.c_str(), "127.0.0.1:1"}, by_flag);
            const std::string key = key_of(opt.long_name);
            const std::string toml_value = takes_number(opt) ? value : "\"" + value + "\"";
            Sandbox::write(sb.env.user_config, "\n" + key + " = " + toml_value + "\n");
            const Status file_st = sb.load({"127.0.0.1:1"}, by_file);
            CAPTURE(flag);
            CAPTURE(flag_st.message());
            CAPTURE(file_st.message());
            ++compared;
            if (flag_st.is_ok() != file_st.is_ok()) {
                // Checks between options are the command line's: a file may
                // hold the exporter's settings for the runs with --serve-metrics.
                CHECK_FALSE(flag_st.is_ok());
                CHECK(flag_st.message().find("go with --serve-metrics") != std::string::npos);
                continue;
            }
            if (flag_st.is_ok()) {
                CHECK(option_value_toml(opt, by_flag) == option_value_toml(opt, by_file));
                continue;
            }
            const std::string prefix = "--" + std::string(opt.long_name);
            if (flag_st.message().rfind(prefix + ":", 0) == 0) {
                CHECK(file_st.message() == sb.env.user_config + ":2: " + key + flag_st.message().substr(prefix.size()));
            } else {
                CHECK(file_st.message() == flag_st.message());  // a check between options
            }
        }
    }
    CHECK(compared > 50);
}

TEST_CASE("settings_file::the did-you-mean error of the issue") {
    Sandbox sb;
    Sandbox::write(sb.env.user_config, "interval = 2\n\n\n\n\n\nsort = \"rsss\"\n");
    Options o;
    const Status st = sb.load({"127.0.0.1:1"}, o);
    CHECK(st.message() == sb.env.user_config + ":7: sort: unknown column \"rsss\" (did you mean rss?)");
}

TEST_CASE("settings_file::an unknown key is an error listing the valid keys") {
    Sandbox sb;
    Sandbox::write(sb.env.user_config, "intervall = 2\n");
    Options o;
    const Status st = sb.load({"127.0.0.1:1"}, o);
    REQUIRE_FALSE(st.is_ok());
    const std::string& m = st.message();
    CHECK(m.rfind(sb.env.user_config + ":1: intervall: unknown key (did you mean interval?); valid keys:", 0) == 0);
    for (const OptionDoc& opt : option_docs()) {
        std::string listed = " ";
        listed += key_of(opt.long_name);
        listed += ' ';
        CHECK_MESSAGE((m.find(listed) != std::string::npos) == (opt.scope == OptionScope::Anywhere), listed);
    }
    CHECK(m.find('\n') == std::string::npos);
    Sandbox::write(sb.env.user_config, "[[target]]\naddress = \"127.0.0.1:1\"\nport = 3\n");
    CHECK(sb.load({}, o).message() == sb.env.user_config + ":3: target.port: unknown key (valid: address name fifo tracebacker)");
    Sandbox::write(sb.env.user_config, "[[target]]\naddress = \"127.0.0.1:1\"\nfifo = \"\"\n");
    CHECK(sb.load({}, o).message() == sb.env.user_config + ":3: target.fifo: empty path");
    Sandbox::write(sb.env.user_config, "[[target]]\naddress = \"127.0.0.1:1\"\nfifo = \"/run/a.fifo\"\n"
                                       "[[target]]\naddress = \"127.0.0.1:2\"\n");
    REQUIRE(sb.load({}, o).is_ok());
    REQUIRE(o.file_targets.size() == 2);
    CHECK(o.file_targets[0].fifo == "/run/a.fifo");
    CHECK(o.file_targets[1].fifo.empty());
    // One instance in the file: its FIFO is the screen's --master-fifo.
    Sandbox::write(sb.env.user_config, "[[target]]\naddress = \"127.0.0.1:1\"\nfifo = \"/run/a.fifo\"\n");
    REQUIRE(sb.load({}, o).is_ok());
    CHECK(o.master_fifo == "/run/a.fifo");
    // Its tracebacker = "PREFIX" is the screen's and --stacks' --tracebacker.
    Sandbox::write(sb.env.user_config, "[[target]]\naddress = \"127.0.0.1:1\"\ntracebacker = \"/run/a/tb\"\n");
    REQUIRE(sb.load({}, o).is_ok());
    CHECK(o.tracebacker == "/run/a/tb");
    Sandbox::write(sb.env.user_config, "[[target]]\naddress = \"127.0.0.1:1\"\ntracebacker = \"\"\n");
    CHECK(sb.load({}, o).message() == sb.env.user_config + ":3: target.tracebacker: empty prefix");
}

TEST_CASE("settings_file::command-line-only options are refused in a file") {
    Sandbox sb;
    for (const OptionDoc& opt : option_docs()) {
        if (opt.scope != OptionScope::CommandLineOnly) continue;
        Sandbox::write(sb.env.user_config, key_of(opt.long_name) + " = true\n");
        Options o;
        const Status st = sb.load({"127.0.0.1:1"}, o);
        CHECK(st.message() == sb.env.user_config + ":1: " + key_of(opt.long_name) +
                                  ": only on the command line (--" + std::string(opt.long_name) + ")");
    }
}

TEST_CASE("settings_file::a wrong type names what was expected and what came") {
    Sandbox sb;
    Options o;
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"interval = \"2\"", "interval: expected a number (got a string)"},
        {"cores = \"yes\"", "cores: expected true or false (got a string)"},
        {"columns = 3", "columns: expected an array of strings (got an integer)"},
        {"columns = [\"id\", 2]", "columns: expected an array of strings (an element is an integer)"},
        {"sort = true", "sort: expected a string (got a boolean)"},
        {"mouse = \"off\"", "mouse: expected true or false (got a string)"},
        {"target = 1", "target: write instances as [[target]] tables"},
    };
    for (const auto& [line, message] : cases) {
        std::string text = "# comment\n";
        text += line;
        text += '\n';
        Sandbox::write(sb.env.user_config, text);
        CHECK(sb.load({"127.0.0.1:1"}, o).message() == sb.env.user_config + ":2: " + message);
    }
}

TEST_CASE("settings_file::a repeatable option takes a string or an array of strings") {
    Sandbox sb;
    Options o;
    Sandbox::write(sb.env.user_config,
                   "serve_metrics = \"127.0.0.1:9117\"\nprobe_allow = [\"127.0.0.1:*\", \"/run/uwsgi/*.sock\"]\n"
                   "web_max_request_size = 64\n");
    REQUIRE(sb.load({"127.0.0.1:1"}, o).is_ok());
    CHECK(o.probe_allow == std::vector<std::string>{"127.0.0.1:*", "/run/uwsgi/*.sock"});
    CHECK(o.web_max_request_kib == 64.0);
    // The command line adds to the file's patterns, as a second flag would.
    REQUIRE(sb.load({"--probe-allow", "@x", "127.0.0.1:1"}, o).is_ok());
    CHECK(o.probe_allow.size() == 3);
    Sandbox::write(sb.env.user_config, "serve_metrics = \":9117\"\nprobe_allow = [\"a\", 3]\n");
    CHECK(sb.load({"127.0.0.1:1"}, o).message() ==
          sb.env.user_config + ":2: probe_allow: expected an array of strings (an element is an integer)");
    Sandbox::write(sb.env.user_config, "serve_metrics = \":9117\"\nprobe_allow = [\"\"]\n");
    CHECK(sb.load({"127.0.0.1:1"}, o).message() == sb.env.user_config + ":2: probe_allow: empty pattern");
}

TEST_CASE("settings_file::a TOML syntax error gives its line") {
    Sandbox sb;
    Sandbox::write(sb.env.user_config, "interval = 2\nsort = \"rss\"\ncolumns = [\"id\",\n\nnonsense here\n");
    Options o;
    const Status st = sb.load({"127.0.0.1:1"}, o);
    REQUIRE_FALSE(st.is_ok());
    CHECK(st.message().rfind(sb.env.user_config + ":5: ", 0) == 0);
    CHECK(st.message().find('\n') == std::string::npos);
    Sandbox::write(sb.env.user_config, "interval = 2\ninterval = 3\n");
    CHECK(sb.load({"127.0.0.1:1"}, o).message().rfind(sb.env.user_config + ":2: ", 0) == 0);
}

TEST_CASE("settings_file::values map onto the options") {
    Sandbox sb;
    Sandbox::write(sb.env.user_config,
                   "interval = 2\nsort = \"-rss\"\ncolumns = [\"id\", \"pid\", \"requests\", \"rss\", \"avg_rt\"]\n"
                   "color = \"never\"\nfollow_vassals = true\nmouse = false\nmax-size = 8\npane = \"sockets\"\n"
                   "filter = \"busy\"\n");
    Options o;
    REQUIRE(sb.load({"127.0.0.1:1"}, o).is_ok());
    CHECK(o.interval == 2.0);
    CHECK(o.sort.column == ColumnId::Rss);
    CHECK_FALSE(o.sort.descending);  // rss sorts descending by default; "-" flips it
    CHECK(o.columns == std::vector<ColumnId>{ColumnId::Id, ColumnId::Pid, ColumnId::Requests, ColumnId::Rss,
                                             ColumnId::AvgRt});
    CHECK(o.no_color);
    CHECK(o.follow_vassals);
    CHECK_FALSE(o.mouse);
    CHECK(o.max_size_mib == 8.0);
    CHECK(o.pane == "sockets");
    CHECK(o.filter == "busy");
    // A flag set true below can be set false above it.
    Sandbox::write(sb.env.view_state, "color = \"auto\"\n");
    REQUIRE(sb.load({"127.0.0.1:1"}, o).is_ok());
    CHECK_FALSE(o.no_color);
    REQUIRE(sb.load({"--no-mouse", "--no-color", "127.0.0.1:1"}, o).is_ok());
    CHECK(o.no_color);
    // A file's format is for --once/--batch: not an error for the screen.
    Sandbox::write(sb.env.view_state, "format = \"tsv\"\n");
    REQUIRE(sb.load({"127.0.0.1:1"}, o).is_ok());
    REQUIRE(sb.load({"--once", "127.0.0.1:1"}, o).is_ok());
    CHECK(o.format == OutputFormat::Tsv);
}

TEST_CASE("settings_file::--no-config reads no file; --config replaces the user's and must exist") {
    Sandbox sb;
    Sandbox::write(sb.env.system_config, "timeout = 9\n");
    Sandbox::write(sb.env.user_config, "interval = 4\n");
    Sandbox::write(sb.env.view_state, "sort = \"pid\"\n");
    Options o;
    SettingsReport r;
    REQUIRE(sb.load({"--no-config", "127.0.0.1:1"}, o, &r).is_ok());
    CHECK(o.interval == 1.0);
    CHECK(o.timeout == 3.0);
    CHECK(o.sort.column == ColumnId::Requests);
    CHECK(r.files.empty());

    const std::string other = (sb.dir / "other.toml").string();
    Sandbox::write(other, "interval = 6\n");
    REQUIRE(sb.load({"--config", other.c_str(), "127.0.0.1:1"}, o, &r).is_ok());
    CHECK(o.interval == 6.0);
    CHECK(o.timeout == 9.0);                     // the system file still counts
    CHECK(o.sort.column == ColumnId::Pid);       // and the saved view
    const std::string missing = (sb.dir / "missing.toml").string();
    CHECK(sb.load({"--config", missing.c_str(), "127.0.0.1:1"}, o).message().rfind(missing + ": cannot open", 0) == 0);
    CHECK(sb.load({"--config", other.c_str(), "--no-config", "127.0.0.1:1"}, o).message() ==
          "--config and --no-config exclude each other");
    // A bad file is ignored with --no-config.
    Sandbox::write(sb.env.user_config, "nonsense\n");
    CHECK(sb.load({"--no-config", "127.0.0.1:1"}, o).is_ok());
    CHECK_FALSE(sb.load({"127.0.0.1:1"}, o).is_ok());
}

TEST_CASE("settings_file::a file that is not a regular file is refused without reading it") {
    Sandbox sb;
    Options o;
    // --config, config.toml and the saved view alike: a device, a directory,
    // a /proc file that cannot be read
    const std::string fifo = (sb.dir / "fifo.toml").string();
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    const std::string dir = sb.dir.string();
    for (const auto& item : std::vector<std::pair<std::string, std::string>>{
             {"/dev/zero", "/dev/zero: not a regular file (a character device)"},
             {dir, dir + ": is a directory"},
             {"/proc/self/mem", "/proc/self/mem: cannot read ("}}) {
        const std::string& path = item.first;  // not a structured binding: CAPTURE's lambda takes it
        const std::string& why = item.second;
        CAPTURE(path);
        CHECK(sb.load({"--config", path.c_str(), "127.0.0.1:1"}, o).message().rfind(why, 0) == 0);
    }
    // --config FIFO is read as a pipe, within --timeout: no writer ever comes.
    CHECK(sb.load({"--config", fifo.c_str(), "-t", "0.2", "127.0.0.1:1"}, o).message() ==
          fifo + ": no end within 0.2 s");
    // config.toml and the saved view are never waited on.
    fs::create_directories(fs::path(sb.env.user_config).parent_path());
    fs::create_symlink(fifo, sb.env.user_config);
    CHECK(sb.load({"127.0.0.1:1"}, o).message() == sb.env.user_config + ": not a regular file (a FIFO)");
    fs::remove(sb.env.user_config);
    fs::create_directories(fs::path(sb.env.view_state).parent_path());
    fs::create_symlink("/dev/zero", sb.env.view_state);
    CHECK(sb.load({"127.0.0.1:1"}, o).message() == sb.env.view_state + ": not a regular file (a character device)");
    fs::remove(sb.env.view_state);
    fs::create_directories(fs::path(sb.env.user_config).parent_path());
    fs::create_symlink("/dev/zero", sb.env.user_config);
    CHECK(sb.load({"127.0.0.1:1"}, o).message() == sb.env.user_config + ": not a regular file (a character device)");
    fs::remove(sb.env.user_config);
    Sandbox::write(sb.env.user_config, std::string((1 << 20) + 1, '#'));
    CHECK(sb.load({"127.0.0.1:1"}, o).message() == sb.env.user_config + ": larger than 1 MiB");
}

TEST_CASE("settings_file::two spellings of one setting are an error, as a repeated key is") {
    Sandbox sb;
    Options o;
    const std::string& f = sb.env.user_config;
    for (const auto& [text, why] : std::vector<std::pair<std::string, std::string>>{
             {"interval = 2\nfrequency = 3\n", ":2: frequency: the same setting as interval (line 1)"},
             {"frequency = 3\n\ndelay = 2\n", ":3: delay: the same setting as frequency (line 1)"},
             {"follow_vassals = true\nfollow-vassals = false\n", ":2: follow-vassals: the same setting as follow_vassals (line 1)"},
             {"mouse = false\nno_mouse = true\n", ":2: no_mouse: the same setting as mouse (line 1)"}}) {
        Sandbox::write(f, text);
        CHECK(sb.load({"127.0.0.1:1"}, o).message() == f + why);
    }
    // one spelling per setting is fine, and the saved view may set what config.toml set
    Sandbox::write(f, "interval = 2\nfollow_vassals = true\nmouse = false\n");
    Sandbox::write(sb.env.view_state, "interval = 3\n");
    REQUIRE(sb.load({"127.0.0.1:1"}, o).is_ok());
    CHECK(o.interval == 3.0);
}

TEST_CASE("settings_file::a [[target]] name with a control character is refused") {
    Sandbox sb;
    Options o;
    Sandbox::write(sb.env.user_config, "[[target]]\nname = \"a\\u0000b\"\naddress = \"127.0.0.1:1\"\n");
    CHECK(sb.load({}, o).message() == sb.env.user_config + ":2: target.name: the name contains control characters");
    Sandbox::write(sb.env.user_config, "[[target]]\nname = \"a\\u001bb\"\naddress = \"127.0.0.1:1\"\n");
    CHECK(sb.load({}, o).message() == sb.env.user_config + ":2: target.name: the name contains control characters");
}

TEST_CASE("settings_file::nesting past kMaxTomlDepth is refused with its line before toml++ sees it") {
    // the 70 KB file: a dotted key of 35,001 parts crashed the parser
    std::string deep = "a";
    for (int i = 0; i < 35000; ++i) deep += ".a";
    Sandbox sb;
    Sandbox::write(sb.env.user_config, "interval = 2\n# a.b.c.d\n" + deep + "=1\n");
    Options o;
    CHECK(sb.load({"127.0.0.1:1"}, o).message() ==
          sb.env.user_config + ":3: nested more than 32 levels deep (dotted keys, tables, arrays)");
    Sandbox::write(sb.env.user_config, "x = " + std::string(5000, '[') + std::string(5000, ']') + "\n");
    CHECK(sb.load({"127.0.0.1:1"}, o).message().rfind(sb.env.user_config + ":1: nested more than 32", 0) == 0);
    Sandbox::write(sb.env.user_config, "x = " + std::string(5000, '{') + "\n");
    CHECK(sb.load({"127.0.0.1:1"}, o).message().rfind(sb.env.user_config + ":1: nested more than 32", 0) == 0);

    // the limit itself, and what does not count
    std::string key = "a";
    for (int i = 0; i < kMaxTomlDepth; ++i) key += ".a";
    CHECK(check_toml_depth(key + " = 1\n", "f").is_ok());
    CHECK(check_toml_depth(key + ".a = 1\n", "f").message() == "f:1: nested more than 32 levels deep (dotted keys, tables, arrays)");
    CHECK(check_toml_depth("[" + key + "]\n", "f").message().rfind("f:1: ", 0) == 0);
    std::string floats = "x = [";
    for (int i = 0; i < 1000; ++i) floats += "1.5, ";
    CHECK(check_toml_depth(floats + "2.5]\n", "f").is_ok());
    const std::string dots(1000, '.'), brackets(1000, '[');
    CHECK(check_toml_depth("a = \"" + dots + brackets + "\"\nb = '" + dots + "'\n# " + dots + brackets + "\n", "f").is_ok());
    CHECK(check_toml_depth("a = \"\"\"\n" + dots + "\n\\\"\"\"" + brackets + "\n\"\"\"\nb = '''" + dots + "'''\n", "f").is_ok());
    // line numbers count the lines inside multi-line strings
    CHECK(check_toml_depth("a = \"\"\"\n\n\n\"\"\"\n" + key + ".a = 1\n", "f").message().rfind("f:5: ", 0) == 0);
    CHECK(check_toml_depth("a = [\n" + key + "\n]\n", "f").message().rfind("f:2: ", 0) == 0);
}

TEST_CASE("settings_file::--show-config says the value and the source of each setting") {
    Sandbox sb;
    Sandbox::write(sb.env.user_config, "# x\ninterval = 2\n");
    Sandbox::write(sb.env.view_state, "columns = [\"id\", \"rss\"]\n");
    Options o;
    SettingsReport r;
    REQUIRE(sb.load({"--show-config", "-s", "-rss"}, o, &r).is_ok());  // no address needed
    CHECK(o.show_config);
    const std::string text = show_config_text(o, r);
    auto line_of = [&](const std::string& key) {
        const auto at = text.find("\n" + key + " = ");
        if (at == std::string::npos) return std::string("(missing)");
        return text.substr(at + 1, text.find('\n', at + 1) - at - 1);
    };
    CHECK(line_of("frequency").find("= 2 ") != std::string::npos);
    CHECK(line_of("frequency").find("# " + sb.env.user_config + ":2") != std::string::npos);
    CHECK(line_of("columns").find("[\"id\", \"rss\"]") != std::string::npos);
    CHECK(line_of("columns").find("# saved view " + sb.env.view_state + ":1") != std::string::npos);
    CHECK(line_of("sort").find("\"-rss\"") != std::string::npos);
    CHECK(line_of("sort").find("# command line") != std::string::npos);
    CHECK(line_of("timeout").find("# default") != std::string::npos);
    CHECK(line_of("mouse").find("= true") != std::string::npos);
    CHECK(text.find(sb.env.system_config + " (not found)") != std::string::npos);
    for (const OptionDoc& opt : option_docs()) {
        if (opt.scope == OptionScope::CommandLineOnly) CHECK(line_of(key_of(opt.long_name)) == "(missing)");
    }
}

TEST_CASE("settings_file::[keys]: a key or a list of keys per action; a higher file's line wins; --show-config reads back") {
    Sandbox sb;
    Sandbox::write(sb.env.system_config, "[keys]\nquit = \"z\"\nhelp = \"F2\"\n");
    Sandbox::write(sb.env.user_config, "interval = 2\n\n[keys]\npause = [\"p\", \"Space\"]\nsort_rss = []\nquit = \"Q\"\n");
    Options o;
    SettingsReport r;
    REQUIRE(sb.load({"--show-config"}, o, &r).is_ok());
    REQUIRE(o.keys.size() == 4);
    CHECK(o.keys[0].action == "help");
    CHECK(o.keys[0].origin == sb.env.system_config + ":3");
    CHECK(o.keys[1].action == "pause");
    CHECK(o.keys[1].keys == std::vector<std::string>{"p", "Space"});
    CHECK(o.keys[2].action == "sort-rss");
    CHECK(o.keys[2].keys.empty());
    CHECK(o.keys[3].action == "quit");
    CHECK(o.keys[3].keys == std::vector<std::string>{"Q"});
    CHECK(o.keys[3].origin == sb.env.user_config + ":6");
    const std::string text = show_config_text(o, r);
    CHECK(text.find("\n[keys]") != std::string::npos);
    CHECK(text.find("\npause = [\"p\", \"Space\"]") != std::string::npos);
    CHECK(text.find("\nsort-rss = []") != std::string::npos);
    CHECK(text.find("\nquit = \"Q\"") != std::string::npos);
    // The [keys] table reads back as a settings file with the same bindings.
    const std::string copy = (sb.dir / "copy.toml").string();
    const auto keys_at = text.find("\n[keys]");
    Sandbox::write(copy, text.substr(keys_at, text.find("\n# files") - keys_at));
    Options back;
    std::vector<const char*> args = {"--show-config", "--config", copy.c_str()};
    Sandbox none;
    none.env.system_config.clear();
    none.env.view_state.clear();
    REQUIRE(none.load(args, back).is_ok());
    REQUIRE(back.keys.size() == 4);
    CHECK(back.keys[1].keys == o.keys[1].keys);
    CHECK(back.keys[3].keys == o.keys[3].keys);
    // Wrong shapes: named with the file and line.
    Sandbox::write(sb.env.user_config, "[keys]\nquit = 3\n");
    Status st = sb.load({}, o);
    CHECK(st.message() == sb.env.user_config + ":2: [keys]: quit: expected a key name or an array of them (got an integer)");
    Sandbox::write(sb.env.user_config, "keys = \"q\"\n");
    CHECK(sb.load({}, o).message() == sb.env.user_config + ":1: keys: write key bindings as a [keys] table");
    Sandbox::write(sb.env.user_config, "");
    Sandbox::write(sb.env.view_state, "[keys]\nquit = \"z\"\n");
    CHECK(sb.load({}, o).message().find("key bindings belong in config.toml") != std::string::npos);
}

// The settings of a --show-config text: its lines without the origins and
// without the comment lines (the files, where the instances came from).
static std::string settings_of(const std::string& text) {
    std::istringstream in(text);
    std::string line, out;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto origin = line.rfind("  # ");
        if (origin != std::string::npos) line.erase(origin);
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
    return out;
}

TEST_CASE("settings_file::--show-config reads back with --config as the same settings") {
    const std::vector<std::vector<const char*>> command_lines = {
        {},
        {"-r", "-s", "-rss", "--read-only", "--event-queue-share", "80", "--pane", "sockets", "--filter",
         "a \"q\" \\ # x", "--no-mouse", "--color", "never", "-c", "id,pid", "--cores", "-d", "0.25", "--max-size",
         "1.5", "--serve-metrics", ":9117", "--web-config-file", "/tmp/w\tx.yml", "--probe-allow", "127.*",
         "--probe-allow", "10.*", "--web-max-connections", "9", "--log-level", "debug", "--targets", "t.txt"},
    };
    for (const bool with_targets : {false, true}) {
        for (const auto& args : command_lines) {
            Sandbox sb;
            if (with_targets) {
                Sandbox::write(sb.env.user_config,
                               "interval = 3\n[[target]]\naddress = \"127.0.0.1:1\"\nname = \"one\"\n"
                               "fifo = \"/run/a.fifo\"\n[[target]]\naddress = \"/run/b.sock\"\n");
            }
            std::vector<const char*> first = args;
            first.push_back("--show-config");
            Options o;
            SettingsReport r;
            REQUIRE(sb.load(first, o, &r).is_ok());
            const std::string text = show_config_text(o, r);
            CAPTURE(text);
            for (const OptionDoc& opt : option_docs()) {  // every setting has its value, a new row too
                if (opt.scope == OptionScope::Anywhere) CHECK_FALSE(option_value_toml(opt, o).empty());
            }
            CHECK((text.find("[[target]]") != std::string::npos) == with_targets);
            const std::string copy = (sb.dir / "shown.toml").string();
            Sandbox::write(copy, text);
            Options again;
            SettingsReport r2;
            const Status st = sb.load({"--config", copy.c_str(), "--show-config"}, again, &r2);
            REQUIRE_MESSAGE(st.is_ok(), st.message());
            CHECK(settings_of(show_config_text(again, r2)) == settings_of(text));
            CHECK(r2.settings.size() == r.settings.size());
        }
    }
}

TEST_CASE("settings_file::--config reads a pipe and - reads standard input, within --timeout") {
    Sandbox sb;
    Options o;
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const std::string settings = "interval = 7\nsort = \"-rss\"\n";
    REQUIRE(::write(fds[1], settings.data(), settings.size()) == static_cast<ssize_t>(settings.size()));
    ::close(fds[1]);
    const std::string dev_fd = "/dev/fd/" + std::to_string(fds[0]);  // as a shell's <(...) or /dev/stdin
    SettingsReport r;
    REQUIRE(sb.load({"--config", dev_fd.c_str(), "127.0.0.1:1"}, o, &r).is_ok());
    ::close(fds[0]);
    CHECK(o.interval == 7);
    CHECK(origin_of(r, "sort") == dev_fd + ":2");

    // --config - : standard input, here a pipe put in its place.
    const int saved = ::dup(STDIN_FILENO);
    REQUIRE(saved >= 0);
    REQUIRE(::pipe(fds) == 0);
    REQUIRE(::dup2(fds[0], STDIN_FILENO) == STDIN_FILENO);
    ::close(fds[0]);
    CHECK(sb.load({"--config", "-", "-t", "0.2", "127.0.0.1:1"}, o).message() ==
          "standard input: no end within 0.2 s");  // the writer has not closed it
    REQUIRE(::write(fds[1], "interval = 9\n", 13) == 13);
    ::close(fds[1]);
    Status st = sb.load({"--config", "-", "127.0.0.1:1"}, o, &r);
    CHECK(st.is_ok());
    CHECK(o.interval == 9);
    CHECK(origin_of(r, "frequency") == "standard input:1");
    REQUIRE(::dup2(saved, STDIN_FILENO) == STDIN_FILENO);
    ::close(saved);
    CHECK(sb.load({"--config", "-", "--targets", "-"}, o).message() ==
          "--config - reads standard input: not with --targets - or the address -");
    CHECK(sb.load({"--config", "-", "-"}, o).message() ==
          "--config - reads standard input: not with --targets - or the address -");
}

TEST_CASE("settings_file::an empty text value is the default, none") {
    Sandbox sb;
    Sandbox::write(sb.env.system_config, "pane = \"sockets\"\nserve_metrics = \":9117\"\nweb_idle_timeout = 4\n");
    Sandbox::write(sb.env.user_config, "pane = \"\"\nserve_metrics = \"\"\ntargets = \"\"\nweb_config_file = \"\"\n");
    Options o;
    REQUIRE(sb.load({"127.0.0.1:1"}, o).is_ok());  // a file's web_* limit needs no --serve-metrics
    CHECK(o.pane.empty());
    CHECK(o.serve_metrics.empty());
    CHECK_FALSE(o.fleet());
    CHECK(o.web_idle_timeout == 4);
    // the command line takes back what a file set
    Sandbox::write(sb.env.user_config, "serve_metrics = \":9117\"\n");
    REQUIRE(sb.load({"--serve-metrics", "", "127.0.0.1:1"}, o).is_ok());
    CHECK(o.serve_metrics.empty());
    // the command line's own web_* limits still need --serve-metrics
    CHECK_FALSE(sb.load({"--no-config", "--web-idle-timeout", "4", "127.0.0.1:1"}, o).is_ok());
}

TEST_CASE("view_state::save writes only the state file; a restart reads the saved view") {
    Sandbox sb;
    const std::string hand_written = "# my own settings, with comments\ninterval = 4   # seconds\nsort = \"pid\"\n";
    Sandbox::write(sb.env.user_config, hand_written);
    SavedView v;
    v.columns = {ColumnId::Id, ColumnId::Rss, ColumnId::Pid};
    v.core_columns = {ColumnId::Core, ColumnId::Uri, ColumnId::Id};
    v.sort = SortSpec{ColumnId::Rss, false};
    v.pane = "sockets";
    v.filter = "a \"quoted\" \\ filter";
    v.keep_filter = true;
    v.rows = RowMode::WorkersTree;
    v.interval = 2.5;
    v.color = "never";
    REQUIRE(save_view(sb.env.view_state, v).is_ok());
    CHECK(slurp(sb.env.user_config) == hand_written);
    struct stat st;
    REQUIRE(::stat(sb.env.view_state.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE(::stat(fs::path(sb.env.view_state).parent_path().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    REQUIRE(::stat(fs::path(sb.env.view_state).parent_path().parent_path().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    // Only view.toml in its directory: no temporary file left behind.
    int entries = 0;
    for (const auto& e : fs::directory_iterator(fs::path(sb.env.view_state).parent_path())) {
        (void)e;
        ++entries;
    }
    CHECK(entries == 1);

    Options o;
    REQUIRE(sb.load({"127.0.0.1:1"}, o).is_ok());
    CHECK(o.columns == v.columns);
    CHECK(o.core_columns == v.core_columns);
    CHECK(o.sort.column == ColumnId::Rss);
    CHECK_FALSE(o.sort.descending);
    CHECK(o.pane == "sockets");
    CHECK(o.filter == v.filter);
    CHECK(o.interval == 2.5);
    CHECK(o.no_color);
    CHECK(o.screen_rows() == RowMode::WorkersTree);
    std::vector<std::string> keys = o.saved_view_keys;
    std::sort(keys.begin(), keys.end());
    CHECK(keys == std::vector<std::string>{"color", "columns", "core_columns", "filter", "frequency", "pane", "reverse", "rows", "sort"});
    // What the command line sets is not the saved view's.
    REQUIRE(sb.load({"-s", "pid", "--cores", "127.0.0.1:1"}, o).is_ok());
    CHECK(std::find(o.saved_view_keys.begin(), o.saved_view_keys.end(), "sort") == o.saved_view_keys.end());
    CHECK(o.screen_rows() == RowMode::WorkersTree);  // --rows beats --cores on the screen
    // Saving again rewrites the view's keys.
    v.sort = SortSpec{ColumnId::Pid, true};
    REQUIRE(save_view(sb.env.view_state, v).is_ok());
    REQUIRE(sb.load({"127.0.0.1:1"}, o).is_ok());
    CHECK(o.sort.column == ColumnId::Pid);
    CHECK(o.sort.descending);
    CHECK(slurp(sb.env.user_config) == hand_written);
    // Without keep_filter the file has no filter: config.toml's applies.
    v.keep_filter = false;
    REQUIRE(save_view(sb.env.view_state, v).is_ok());
    CHECK(slurp(sb.env.view_state).find("filter") == std::string::npos);
    Sandbox::write(sb.env.user_config, hand_written + "filter = \"busy\"\n");
    SettingsReport r;
    REQUIRE(sb.load({"127.0.0.1:1"}, o, &r).is_ok());
    CHECK(o.filter == "busy");
    CHECK(origin_of(r, "rows").rfind("saved view " + sb.env.view_state + ":", 0) == 0);
}

TEST_CASE("view_state::a directory that cannot be written is one line, and nothing is left") {
    Sandbox sb;
    SavedView v;
    v.columns = {ColumnId::Id};
    v.pane = "workers";
    v.color = "auto";
    // Its parent is a regular file: no directory can be made there.
    Sandbox::write((sb.dir / "plain").string(), "x");
    const std::string under_file = (sb.dir / "plain" / "uwsgitop" / "view.toml").string();
    Status st = save_view(under_file, v);
    REQUIRE_FALSE(st.is_ok());
    CHECK(st.message().rfind("cannot save the view to " + under_file + ": cannot create its directory (", 0) == 0);
    CHECK(st.message().find('\n') == std::string::npos);
    // A read-only directory (root may write anyway: then only check it worked).
    const fs::path ro = sb.dir / "ro";
    fs::create_directories(ro);
    fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
    st = save_view((ro / "view.toml").string(), v);
    if (::geteuid() != 0) {
        CHECK(st.message().rfind("cannot save the view to " + (ro / "view.toml").string() + ": cannot create a file there (", 0) == 0);
        CHECK(fs::is_empty(ro));
    } else {
        CHECK(st.is_ok());
    }
    CHECK(save_view("", v).message() == "cannot save the view: no state directory (set HOME or XDG_STATE_HOME)");
}

}  // TEST_SUITE
