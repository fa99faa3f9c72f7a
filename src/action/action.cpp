// action.cpp — the action table and the parsing/explaining that reads it.
#include "uwsgitop/action/action.hpp"

#include <array>
#include <charconv>
#include <csignal>

namespace uwsgitop::action {

namespace {

constexpr std::array kActions{
    ActionSpec{"reload-worker", 'h', Target::Worker, SIGHUP, 0, 0, true,
               "{how} to worker {worker}, pid {pid}: it finishes its request, exits, and the master starts a new one"},
    ActionSpec{"log-worker", 'u', Target::Worker, SIGUSR2, 0, 0, true,
               "{how} to worker {worker}, pid {pid}: it logs what it is doing and keeps running"},
    ActionSpec{"kill-worker", 'k', Target::Worker, SIGTERM, 0, 0, false,
               "{how} to worker {worker}, pid {pid}: it exits now, dropping its request, and the master starts a new one"},
    ActionSpec{"chain-reload", 'c', Target::Instance, 0, 'c', 0, true,
               "{how}: the master replaces the workers one at a time, capacity never drops to zero"},
    ActionSpec{"reload", 'r', Target::Instance, 0, 'r', SIGHUP, true,
               "{how}: graceful reload of the whole instance, workers finish their requests first"},
    ActionSpec{"reload-workers", 'w', Target::Instance, 0, 'w', 0, true,
               "{how}: every worker finishes its request and is replaced, the master stays"},
    ActionSpec{"pause", 'p', Target::Instance, 0, 'p', SIGTSTP, true,
               "{how}: the instance pauses (or resumes when paused)"},
    ActionSpec{"add-worker", '+', Target::Instance, 0, '+', 0, true,
               "{how}: one worker more (cheaper mode only)"},
    ActionSpec{"remove-worker", '-', Target::Instance, 0, '-', 0, true,
               "{how}: one worker less (cheaper mode only)"},
    ActionSpec{"reopen-logs", 'l', Target::Instance, 0, 'l', 0, true,
               "{how}: the master reopens its log files"},
    ActionSpec{"log-stats", 's', Target::Instance, 0, 's', SIGUSR1, true,
               "{how}: the master writes its stats to the log"},
    ActionSpec{"brutal-reload", 'R', Target::Instance, 0, 'R', SIGTERM, false,
               "{how}: brutal reload, every worker is killed mid-request and the instance restarts"},
    ActionSpec{"brutal-reload-workers", 'W', Target::Instance, 0, 'W', 0, false,
               "{how}: every worker is killed mid-request and replaced, the master stays"},
};

void replace_all(std::string& s, std::string_view what, std::string_view with) {
    for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + with.size()))
        s.replace(at, what.size(), with);
}

}  // namespace

std::span<const ActionSpec> action_table() { return kActions; }

const ActionSpec* find_action(std::string_view name) {
    for (const ActionSpec& a : kActions)
        if (a.name == name) return &a;
    return nullptr;
}

std::string action_names_joined(std::string_view separator) {
    std::string out;
    for (const ActionSpec& a : kActions) {
        if (!out.empty()) out += separator;
        out += a.name;
    }
    return out;
}

Status parse_request(std::string_view text, Request& out) {
    const std::size_t colon = text.find(':');
    const std::string_view name = text.substr(0, colon);
    const ActionSpec* spec = find_action(name);
    if (spec == nullptr)
        return Status::fail("--action: unknown action '" + std::string(name) + "' (known: " +
                            action_names_joined(", ") + ")");
    Request r;
    r.spec = spec;
    if (colon != std::string_view::npos) {
        const std::string_view id = text.substr(colon + 1);
        long v = 0;
        const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), v);
        if (id.empty() || ec != std::errc() || end != id.data() + id.size() || v < 1)
            return Status::fail("--action " + std::string(text) + ": worker id '" + std::string(id) +
                                "' is not a number >= 1");
        if (spec->target != Target::Worker)
            return Status::fail("--action " + std::string(text) + ": " + std::string(name) +
                                " acts on the instance and takes no worker id");
        r.worker_id = v;
    } else if (spec->target == Target::Worker) {
        return Status::fail("--action " + std::string(text) + ": " + std::string(name) +
                            " needs a worker id (" + std::string(name) + ":ID)");
    }
    out = r;
    return Status::ok();
}

std::string actions_help() {
    std::string s = "\nActions (--action NAME[:WORKER_ID]; only on a local, live instance):\n";
    for (const ActionSpec& a : kActions) {
        std::string line = "  " + std::string(a.name);
        if (a.target == Target::Worker) line += ":ID";
        if (line.size() < 26) line.append(26 - line.size(), ' ');
        if (a.target == Target::Worker) {
            line += signal_name(a.worker_signal) + " to the worker";
        } else {
            if (a.fifo_letter != 0) line += std::string("FIFO '") + a.fifo_letter + "'";
            if (a.master_signal != 0) line += std::string(a.fifo_letter != 0 ? " or " : "") + signal_name(a.master_signal) + " to the master";
        }
        if (!a.graceful) line += " (brutal)";
        s += line + '\n';
    }
    s += "  brutal-reload needs the master FIFO (SIGTERM would stop a --die-on-term master);\n"
         "  add-worker and remove-worker need cheaper mode (uWSGI ignores them otherwise).\n";
    return s;
}

std::optional<Channel> channel_for(const ActionSpec& spec, bool fifo_known, std::string* why_not) {
    if (spec.target == Target::Worker) return Channel::WorkerSignal;
    if (fifo_known && spec.fifo_letter != 0) return Channel::Fifo;
    if (spec.master_signal != 0) return Channel::MasterSignal;
    if (why_not != nullptr)
        *why_not = std::string(spec.name) + " needs the master FIFO (--master-fifo PATH), and none is known";
    return std::nullopt;
}

std::string signal_name(int sig) {
    switch (sig) {
    case SIGHUP: return "SIGHUP";
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGUSR1: return "SIGUSR1";
    case SIGUSR2: return "SIGUSR2";
    case SIGTSTP: return "SIGTSTP";
    default: return "signal " + std::to_string(sig);
    }
}

std::string explain(const ActionSpec& spec, long worker_id, long pid, Channel channel) {
    std::string how;
    switch (channel) {
    case Channel::WorkerSignal: how = signal_name(spec.worker_signal); break;
    case Channel::Fifo: how = std::string("'") + spec.fifo_letter + "' to the master FIFO"; break;
    case Channel::MasterSignal: how = signal_name(spec.master_signal) + " to the master, pid " + std::to_string(pid); break;
    }
    std::string s(spec.explain);
    replace_all(s, "{how}", how);
    replace_all(s, "{worker}", std::to_string(worker_id));
    replace_all(s, "{pid}", std::to_string(pid));
    return s;
}

}  // namespace uwsgitop::action
