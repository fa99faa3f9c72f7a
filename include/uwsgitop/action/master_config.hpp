// master_config.hpp — what a uWSGI master was told at start that decides what
// an action does to it: its master FIFO, --die-on-term, cheaper mode.
//
// Contract: read_master_config() reads MASTER's UWSGI_* environment
// (PID/environ), PID/cmdline (--set KEY=VALUE too) and, when the command line
// names a config file (--ini/--yaml/-y FILE, or a lone *.ini / *.yaml / *.yml
// argument) that is a regular file, that file's [uwsgi] section (or the one
// named as FILE:SECTION; ini) or uwsgi: mapping (yaml), at most
// kMaxConfigBytes of it; options are taken in command-line order, as uWSGI
// does. A path is looked at without being opened (O_PATH) and only a regular
// file is read, never one of /proc, /sys or another kernel pseudo file system
// (reading /proc/kmsg consumes the kernel log). Relative paths are the master's: read against its working
// directory (PID/cwd). Nothing here fails: what cannot be read is not known
// (the defaults), and what is not read (json and xml configs, files a config
// includes, a command line a procname option rewrote) is not known either,
// so a caller that needs "not set" for safety must not rely on it. Call it
// only for a master proved to be the snapshot's sender (safety.hpp): it opens
// files its command line names.
// Every read goes through the ProcRoot, so tests point it at a fake tree.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <sys/types.h>

#include "uwsgitop/action/safety.hpp"

namespace uwsgitop::action {

inline constexpr std::size_t kMaxConfigBytes = 1u << 20;

struct MasterConfig {
    std::optional<std::string> master_fifo;  // --master-fifo, absolute
    bool die_on_term = false;                // SIGTERM stops the instance (not a brutal reload)
    bool exit_on_reload = false;             // a reload stops the instance
    bool cheaper = false;                    // --cheaper N with N > 0: + and - add and remove workers
    std::optional<std::string> py_tracebacker;  // --py-tracebacker PREFIX, absolute (the last one counts)
    std::optional<long> harakiri;            // --harakiri SECS when > 0 (the last one counts)
};

MasterConfig read_master_config(const ProcRoot& proc, pid_t master);

}  // namespace uwsgitop::action
