// action.hpp — the one table of actions uwsgitop can take on a uWSGI instance.
//
// Every action (its name, menu letter, target, how it is delivered and a
// one-line explanation) is ONE row of action_table(); the CLI's --action, the
// screen's menu, --help, the man page and the completions derive from it.
// Facts (uWSGI core/uwsgi.c, core/master_utils.c, core/fifo.c):
//   worker:  SIGHUP = gracefully_kill (finish the request, exit, respawned),
//            (checked in core/uwsgi.c; core/fifo.c uwsgi_master_fifo_prepare()
//            maps c r R w W p + - l s as below, and 0-9 select a FIFO slot)
//            SIGTERM/SIGINT = end_me (exit now, respawned), SIGUSR2 = log
//            what it is doing;
//   master:  SIGHUP = graceful reload, SIGTERM = brutal reload, SIGTSTP =
//            pause/resume, SIGUSR1 = stats to the log;
//   FIFO (--master-fifo, uWSGI >= 1.9.17): r R c w W p + - l s, one letter
//            per command.
// Nothing here touches a process; safety.hpp checks and delivers.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "uwsgitop/base/status.hpp"

namespace uwsgitop::action {

enum class Target { Worker, Instance };

struct ActionSpec {
    std::string_view name;     // short lowercase, the --action word
    char key;                  // the menu letter
    Target target;
    int worker_signal;         // Worker: the signal sent to the worker pid
    char fifo_letter;          // Instance: master FIFO command, 0 = none
    int master_signal;         // Instance: signal to the master pid, 0 = none
    bool graceful;             // false = brutal (never preselected)
    std::string_view explain;  // template: {worker} {pid} {how}
};

// All actions, in menu order (worker actions first, graceful before brutal).
std::span<const ActionSpec> action_table();

// The row named `name`, or nullptr.
const ActionSpec* find_action(std::string_view name);

// What --action NAME[:WORKER_ID] asked for.
struct Request {
    const ActionSpec* spec = nullptr;
    std::optional<long> worker_id;  // set for worker actions (required there)
};

// Parses NAME[:WORKER_ID]; a worker action needs the id, an instance action
// refuses one. The error is one line naming the text and the known names.
Status parse_request(std::string_view text, Request& out);

// "reload-worker, kill-worker, ..." for usage errors and --help.
std::string action_names_joined(std::string_view separator);

// The "Actions:" block --help ends with: one line per row, name, target, how.
std::string actions_help();

// How an instance action reaches the master: the FIFO when one is known and
// the row has a letter, else the master signal; nullopt = not possible
// (the reason is in why_not).
enum class Channel { WorkerSignal, Fifo, MasterSignal };
std::optional<Channel> channel_for(const ActionSpec& spec, bool fifo_known, std::string* why_not);

// The explanation with {worker}, {pid} and {how} filled in, e.g.
// "SIGHUP to worker 3, pid 4711: it finishes its request, exits, and the master starts a new one".
std::string explain(const ActionSpec& spec, long worker_id, long pid, Channel channel);

// "SIGHUP", "SIGTERM", ... (or "signal N").
std::string signal_name(int sig);

}  // namespace uwsgitop::action
