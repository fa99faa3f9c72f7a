// tracebacker.cpp — proving and reading a worker's tracebacker socket (see tracebacker.hpp).
#include "uwsgitop/action/tracebacker.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "uwsgitop/action/master_config.hpp"
#include "uwsgitop/action/tracebacker_text.hpp"
#include "uwsgitop/action/unix_diag.hpp"
#include "uwsgitop/base/clock.hpp"
#include "uwsgitop/base/file_read.hpp"
#include "uwsgitop/base/node_kind.hpp"
#include "uwsgitop/base/text.hpp"

namespace uwsgitop::action {

namespace {

std::string worker_who(long worker_id, pid_t pid) {
    std::string who = "worker ";
    who += std::to_string(worker_id);
    who += ", pid ";
    who += std::to_string(pid);
    return who;
}

}  // namespace

Status open_held_socket(const ProcRoot& proc, pid_t worker, const std::string& who, const std::string& path,
                        UniqueFd& node) {
    std::string line = who;
    line += ": ";
    line += escape_for_display(path);
    node.reset(::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (node.get() < 0) {
        const int e = errno;
        line += e == ENOENT ? ": no such socket (is --py-tracebacker on, with --enable-threads?)" : ": ";
        if (e != ENOENT) line += std::strerror(e);
        return Status::fail(line);
    }
    struct stat st {};
    if (::fstat(node.get(), &st) != 0) return Status::fail(line + ": " + std::strerror(errno));
    if (!S_ISSOCK(st.st_mode)) {
        line += ": ";
        line += node_kind(st);
        line += ", not a unix socket; refused, not connected";
        return Status::fail(line);
    }
    const std::optional<uint64_t> socket = listening_socket_bound_at(st.st_dev, st.st_ino);
    if (!socket) {
        line += ": no listening socket is bound at it here (a stale file, another network namespace, or no "
                "unix_diag in this kernel); refused, not connected";
        return Status::fail(line);
    }
    const std::vector<uint64_t> held = socket_inodes_of(proc, worker);
    if (std::find(held.begin(), held.end(), *socket) == held.end()) {
        line += ": the worker does not hold the socket bound there (socket:[";
        line += std::to_string(*socket);
        line += "]; someone else's socket at that path?); refused, not connected";
        return Status::fail(line);
    }
    return Status::ok();
}

Status read_through(const UniqueFd& node, const std::string& who, double timeout, std::string& out) {
    out.clear();
    const UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (fd.get() < 0) return Status::fail(who + ": socket: " + std::strerror(errno));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string via = "/proc/self/fd/" + std::to_string(node.get());
    std::memcpy(addr.sun_path, via.c_str(), via.size() + 1);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        const int e = errno;
        if (e == EAGAIN) return Status::fail(who + ": its tracebacker is busy (its backlog is full)");
        return Status::fail(who + ": cannot connect to its tracebacker (" + std::strerror(e) + ")");
    }
    return read_stream(fd.get(), who + " tracebacker", kMaxTracebackerBytes, timeout, out);
}

WorkerStack read_worker_stack(const ProcRoot& proc, pid_t master, long worker_id, pid_t pid,
                              const std::string& prefix, double timeout) {
    WorkerStack ws;
    ws.worker_id = worker_id;
    const std::string who = worker_who(worker_id, pid);
    Status st = check_pid(proc, pid, who);
    if (st) st = check_parent(proc, pid, master, worker_id);
    UniqueFd node;
    if (st) st = open_held_socket(proc, pid, who, prefix + std::to_string(worker_id), node);
    std::string text;
    if (st) st = read_through(node, who, timeout, text);
    if (!st) {
        ws.reason = st.message();
        return ws;
    }
    ws.read = true;
    ws.frames = parse_tracebacker(text);
    return ws;
}

namespace {

// Step 1 and the prefix: "" in `report.note` when the workers may be tried.
void check_instance(const ProcRoot& proc, const StackTarget& t, StackReport& report) {
    if (!t.master) {
        report.note = escape_for_display(t.address.text) + ": stacks: not a uWSGI master's stats (no workers)";
        return;
    }
    if (!check_address_local(t.address)) {
        report.note = escape_for_display(t.address.text) +
                      ": stacks are read from local instances only (a unix socket, @abstract or a loopback "
                      "address, not over --stats-http): uWSGI's tracebacker is a unix socket on its machine";
        return;
    }
    if (Status st = check_peer_is_master(proc, t.master_pid, t.address, t.peer); !st) {
        report.note = "stacks: " + st.message();
        return;
    }
    report.prefix = t.given;
    if (report.prefix.empty()) report.prefix = read_master_config(proc, t.master_pid).py_tracebacker.value_or("");
    if (report.prefix.empty()) {
        report.note = escape_for_display(t.address.text) + ": " + std::string(kTracebackerHint);
        report.hint = true;
    }
}

}  // namespace

StackTarget stack_target(const Snapshot& snap, const Address& address, long worker_id, const std::string& given) {
    StackTarget t;
    t.address = address;
    t.peer = snap.peer;
    t.master = snap.kind == SnapshotKind::Master;
    t.master_pid = static_cast<pid_t>(snap.pid.value_or(0));
    t.worker_id = worker_id;
    t.given = given;
    for (const Worker& w : snap.workers)
        if (w.id == worker_id) t.pid = static_cast<pid_t>(w.pid.value_or(0));
    return t;
}

WorkerStack read_stack_of(const ProcRoot& proc, const StackTarget& target) {
    StackReport report;
    check_instance(proc, target, report);
    if (report.note.empty())
        return read_worker_stack(proc, target.master_pid, target.worker_id, target.pid, report.prefix, kTracebackerTimeout);
    WorkerStack ws;
    ws.worker_id = target.worker_id;
    ws.reason = report.note;
    return ws;
}

StackReport read_stacks(const ProcRoot& proc, const Snapshot& snap, const Address& address, const std::string& given) {
    StackReport report;
    check_instance(proc, stack_target(snap, address, 0, given), report);
    if (!report.note.empty()) return report;
    const pid_t master = static_cast<pid_t>(snap.pid.value_or(0));
    const double deadline = monotonic_seconds() + kStacksBudget;
    for (const Worker& w : snap.workers) {
        const long id = static_cast<long>(w.id.value_or(0));
        if (id <= 0) continue;  // a cheaper worker that is not running
        const double left = deadline - monotonic_seconds();
        if (left <= 0) {
            WorkerStack ws;
            ws.worker_id = id;
            ws.reason = worker_who(id, static_cast<pid_t>(w.pid.value_or(0))) + ": not read (the " +
                        std::to_string(static_cast<int>(kStacksBudget)) + " s for all the stacks were spent)";
            report.workers.push_back(std::move(ws));
            continue;
        }
        report.workers.push_back(read_worker_stack(proc, master, id, static_cast<pid_t>(w.pid.value_or(0)),
                                                   report.prefix, std::min(left, kTracebackerTimeout)));
    }
    return report;
}

}  // namespace uwsgitop::action
