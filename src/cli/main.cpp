// main.cpp — wiring: options -> source -> pipeline -> batch output or the screen.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "config.h"
#include "uwsgitop/action/action.hpp"
#include "uwsgitop/cli/action_run.hpp"
#include "uwsgitop/cli/batch.hpp"
#include "uwsgitop/settings/options.hpp"
#include "uwsgitop/settings/settings_file.hpp"
#include "uwsgitop/tui/panes.hpp"
#include "uwsgitop/pipeline/pipeline.hpp"
#include "uwsgitop/tui/interactive.hpp"
#include "uwsgitop/tui/keys.hpp"

using namespace uwsgitop;

namespace {

bool readable(const std::string& path) { return !path.empty() && access(path.c_str(), R_OK) == 0; }

// The bundled demo recording: $UWSGITOP_DEMO, the installed copy, the copy
// beside the binary's prefix, or the source tree's (running from a build dir).
std::string demo_path() {
    if (const char* env = std::getenv("UWSGITOP_DEMO"); env && *env) return env;
    const std::string installed = std::string(UWSGITOP_DATADIR) + "/demo.jsonl";
    if (readable(installed)) return installed;
    char exe[4096];
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        std::string dir(exe, static_cast<std::size_t>(n));
        dir = dir.substr(0, dir.rfind('/'));
        const std::string beside = dir.substr(0, dir.rfind('/')) + "/share/uwsgitop/demo.jsonl";
        if (readable(beside)) return beside;
    }
    return std::string(UWSGITOP_SOURCE_DATADIR) + "/demo.jsonl";
}

// Descriptors 0, 1 and 2 are never handed to anything else: one that was
// closed when we started is opened on /dev/null before any other descriptor
// exists (an eventfd at 0 would be read as standard input, a socket at 1
// written as output). Opened the wrong way round on purpose, so using it still
// fails as the closed descriptor did: reading `-` is one "closed" line and
// output to a closed stdout is "cannot write output", never a silent /dev/null.
void hold_standard_descriptors() {
    for (int fd = 0; fd <= 2; ++fd) {
        if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
        const int held = ::open("/dev/null", (fd == 0 ? O_WRONLY : O_RDONLY) | O_NOCTTY);
        if (held >= 0 && held != fd) ::close(held);  // not expected: the lower ones are open by now
    }
}

int usage_error(const std::string& message) {
    std::fprintf(stderr, "uwsgitop: %s\nTry 'uwsgitop --help'.\n", message.c_str());
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    hold_standard_descriptors();
    std::signal(SIGPIPE, SIG_IGN);
    Options opt;
    SettingsReport report;
    Status st = load_settings(argc, argv, settings_environment(), opt, &report);
    if (!st) return usage_error(st.message());
    if (!opt.pane.empty()) {
        std::string names;
        bool known = false;
        for (const tui::PaneDef& p : tui::all_panes()) {
            known = known || p.name == opt.pane;
            names += ' ';
            names += p.name;
        }
        for (const SettingOrigin& so : report.settings) {
            if (!known && so.option->long_name == "pane") {
                return usage_error(so.origin + ": pane: unknown pane \"" + opt.pane + "\" (valid:" + names + ")");
            }
        }
    }
    if (st = tui::use_key_settings(opt.keys); !st) return usage_error(st.message());
    if (opt.show_config) return exit_after_write(write_output(show_config_text(opt, report)), 0);
    if (opt.help) return exit_after_write(write_output(usage_text() + action::actions_help()), 0);
    if (opt.version) return exit_after_write(write_output(std::string("uwsgitop ") + UWSGITOP_VERSION + "\n"), 0);

    if (!opt.action.empty()) return run_action(opt);

    if (opt.fleet()) {
        std::vector<Target> targets;
        st = collect_targets(opt, targets);
        if (!st) return usage_error(st.message());
        std::vector<std::unique_ptr<Instance>> fleet;
        st = make_fleet(targets, fetch_limits(opt), fleet);
        if (!st) return usage_error(st.message());
        if (!opt.serve_metrics.empty()) return run_metrics_server(opt, fleet);
        if (opt.once || opt.batch) return run_fleet_batch(opt, fleet);
        return run_fleet_interactive(opt, fleet);
    }

    std::unique_ptr<Source> source;
    if (opt.demo || !opt.replay_path.empty()) {
        ReplayOptions ro;
        ro.speed = opt.speed;
        ro.loop = opt.demo || opt.loop;
        ro.begin = opt.begin;
        ro.end = opt.end;
        ro.max_record = static_cast<std::size_t>(opt.max_size_mib * 1048576.0);
        const std::string path = opt.demo ? demo_path() : opt.replay_path;
        Status open_error;
        std::vector<std::string> notes;
        source = make_replay_source(path, ro, &open_error, &notes);
        for (const std::string& note : notes) std::fprintf(stderr, "uwsgitop: --replay: %s\n", note.c_str());
        if (!open_error) return usage_error((opt.demo ? "--demo: " : "--replay: ") + open_error.message());
    } else {
        Address address;
        st = parse_address(opt.addresses.front(), address);
        if (!st) return usage_error(st.message());
        source = make_source(address, fetch_limits(opt));
    }

    Pipeline pipeline(std::move(source));
    if (!opt.record_path.empty()) {
        RecordRotation rotation;
        rotation.max_bytes = static_cast<uint64_t>(opt.record_max_mib * 1048576.0);
        rotation.keep = static_cast<int>(opt.record_keep);
        st = pipeline.record_to(opt.record_path, rotation);
        if (!st) return usage_error(st.message());
    }
    if (opt.once || opt.batch) return run_batch(opt, pipeline);
    return run_interactive(opt, pipeline);
}
