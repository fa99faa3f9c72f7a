// master_config.hpp — what a uWSGI master was told at start that decides what
// an action does to it: its master FIFO, --die-on-term, cheaper mode.
//
// Contract: read_master_config() reads MASTER's PID/cmdline and, when the
// command line names a config file (--ini/--yaml/-y FILE, or a lone *.ini /
// *.yaml / *.yml argument) that is a readable regular file, that file's
// [uwsgi] section (ini) or uwsgi: mapping (yaml), at most kMaxConfigBytes of
// it; a later command-line option wins over the file, as in uWSGI. Relative
// paths are the master's: read against its working directory (PID/cwd).
// Nothing here fails: what cannot be read is not known (the defaults).
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
    bool cheaper = false;                    // --cheaper N with N > 0: + and - add and remove workers
};

MasterConfig read_master_config(const ProcRoot& proc, pid_t master);

}  // namespace uwsgitop::action
