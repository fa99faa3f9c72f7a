// safety.cpp — /proc checks, kill() and the non-blocking FIFO write.
#include "uwsgitop/action/safety.hpp"

#include <arpa/inet.h>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "uwsgitop/base/proc_stat.hpp"
#include "uwsgitop/base/node_kind.hpp"
#include "uwsgitop/base/text.hpp"
#include "uwsgitop/base/unique_fd.hpp"

namespace uwsgitop::action {

namespace {

constexpr int64_t kPidLimit = 4194304;  // PID_MAX_LIMIT on 64-bit Linux

bool is_loopback_host(const std::string& h) {
    if (h.empty() || h == "localhost" || h == "::1") return true;
    if (h.rfind("127.", 0) != 0) return false;
    for (char c : h)
        if (!(c == '.' || (c >= '0' && c <= '9'))) return false;
    return true;
}

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string pid_dir(const ProcRoot& proc, pid_t pid) { return proc.root + "/" + std::to_string(pid); }

// LISTEN sockets on the peer's port whose local address is the one we
// reached or the wildcard (0.0.0.0, ::; an IPv4 peer also through an IPv6
// socket bound to ::ffff:a.b.c.d). A listener on the same port of another
// address (127.0.0.2:PORT) is not ours. /proc/net/tcp{,6} print each 32-bit
// word of the address with %08X in host byte order.
void tcp_inodes(const std::string& file, bool v6_file, const Peer& peer, std::vector<uint64_t>& out) {
    std::array<uint32_t, 4> want{};
    std::memcpy(want.data(), peer.addr.data(), peer.v6 ? 16 : 4);
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string sl, local, remote, st, queues, timer, retr, uid, timeout;
        uint64_t inode = 0;
        if (!(ls >> sl >> local >> remote >> st >> queues >> timer >> retr >> uid >> timeout >> inode)) continue;
        const std::size_t colon = local.rfind(':');
        if (colon == std::string::npos || st != "0A" || inode == 0) continue;
        if (std::strtoul(local.c_str() + colon + 1, nullptr, 16) != peer.port) continue;
        const std::string hex = local.substr(0, colon);
        bool match = false;
        if (!v6_file && hex.size() == 8 && !peer.v6) {
            const auto word = static_cast<uint32_t>(std::strtoul(hex.c_str(), nullptr, 16));
            match = word == 0 || word == want[0];
        } else if (v6_file && hex.size() == 32) {
            std::array<uint32_t, 4> w{};
            for (std::size_t i = 0; i < 4; ++i)
                w[i] = static_cast<uint32_t>(std::strtoul(hex.substr(i * 8, 8).c_str(), nullptr, 16));
            match = w == std::array<uint32_t, 4>{};
            if (peer.v6) match = match || w == want;
            else match = match || (w[0] == 0 && w[1] == 0 && w[2] == htonl(0xffffU) && w[3] == want[0]);
        }
        if (match) out.push_back(inode);
    }
}

// "127.0.0.1:9191" / "[::1]:9191" for messages.
std::string peer_text(const Peer& p) {
    char buf[INET6_ADDRSTRLEN] = "?";
    inet_ntop(p.v6 ? AF_INET6 : AF_INET, p.addr.data(), buf, sizeof buf);
    std::string out;
    if (p.v6) out += '[';
    out += buf;
    if (p.v6) out += ']';
    out += ':';
    out += std::to_string(p.port);
    return out;
}

}  // namespace

Status check_address_local(const Address& a) {
    switch (a.kind) {
    case AddressKind::Unix:
    case AddressKind::Abstract:
        return Status::ok();
    case AddressKind::Tcp:
        if (is_loopback_host(a.host)) return Status::ok();
        return Status::fail(escape_for_display(a.text) + ": not a local address (actions need a unix socket, @abstract or a loopback address)");
    case AddressKind::Http:
    case AddressKind::HttpUnix:
        return Status::fail(escape_for_display(a.text) + ": actions are not supported over --stats-http (use the plain stats socket)");
    case AddressKind::File:
    case AddressKind::Stdin:
        return Status::fail(escape_for_display(a.text) + ": a saved snapshot is not a live instance; no action is possible");
    }
    return Status::fail("unknown address kind");
}

Status check_source_live(const Address& a, const SourceFacts& f) {
    if (f.read_only) return Status::fail(escape_for_display(a.text) + ": --read-only: no action is sent");
    if (f.replay) return Status::fail(escape_for_display(a.text) + ": a replay is not a live instance; no action is possible");
    if (f.demo) return Status::fail("the demo source is not a live instance; no action is possible");
    if (a.kind == AddressKind::File || a.kind == AddressKind::Stdin)
        return Status::fail(escape_for_display(a.text) + ": a saved snapshot is not a live instance; no action is possible");
    return Status::ok();
}

Status check_fresh(int64_t age_ms, int64_t interval_ms) {
    if (age_ms >= 0 && age_ms < 2 * interval_ms) return Status::ok();
    return Status::fail("the snapshot is " + std::to_string(age_ms) + " ms old (older than two intervals of " +
                        std::to_string(interval_ms) + " ms); refresh first");
}

int64_t pid_max(const ProcRoot& proc) {
    const std::string text = read_all(proc.root + "/sys/kernel/pid_max");
    const long long v = std::strtoll(text.c_str(), nullptr, 10);
    return v > 1 && v <= kPidLimit ? v : kPidLimit;
}

Status check_pid(const ProcRoot& proc, int64_t pid, const std::string& who) {
    if (pid == 1) return Status::fail(who + ": pid 1 is init, never signalled; refused");
    if (pid < 2 || pid > pid_max(proc))
        return Status::fail(who + ": " + (pid == INT64_MIN ? std::string("no valid pid in the snapshot")
                                                         : "pid " + std::to_string(pid) + " is not a valid pid") +
                            "; refused");
    return Status::ok();
}

std::vector<uint64_t> listening_inodes(const ProcRoot& proc, const Peer& peer) {
    std::vector<uint64_t> out;
    if (peer.kind != Peer::Kind::Tcp) return out;
    tcp_inodes(proc.root + "/net/tcp", false, peer, out);
    tcp_inodes(proc.root + "/net/tcp6", true, peer, out);
    return out;
}

std::vector<uint64_t> socket_inodes_of(const ProcRoot& proc, pid_t pid) {
    std::vector<uint64_t> out;
    const std::string dir = pid_dir(proc, pid) + "/fd";
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) return out;
    while (const dirent* e = readdir(d)) {
        if (e->d_name[0] == '.') continue;
        char target[256];
        const ssize_t n = readlink((dir + "/" + e->d_name).c_str(), target, sizeof target - 1);
        if (n <= 0) continue;
        target[n] = '\0';
        unsigned long long inode = 0;
        if (std::sscanf(target, "socket:[%llu]", &inode) == 1) out.push_back(inode);
    }
    closedir(d);
    return out;
}

namespace {

// PID is a process (its own thread group's leader), not one of another
// process's threads (whose ids have /proc entries too).
bool is_process(const ProcRoot& proc, pid_t pid) {
    const std::string status = read_all(pid_dir(proc, pid) + "/status");
    const std::size_t at = status.find("\nTgid:");
    if (at == std::string::npos) return true;  // no status to tell (a fake tree): the pidfd pin refuses threads
    return std::strtol(status.c_str() + at + 6, nullptr, 10) == pid;
}

uint64_t start_time(const ProcRoot& proc, pid_t pid) {
    return stat_start_time(read_all(pid_dir(proc, pid) + "/stat")).value_or(0);
}

// PID was forked from MASTER without an exec since: the kernel copies the
// auxiliary vector at fork and makes a new one at exec (new stack, random
// bytes, program name), so a fork's PID/auxv equals its parent's byte for
// byte and an exec'd child's does not, even of the same program.
bool same_auxv(const ProcRoot& proc, pid_t pid, pid_t master) {
    const std::string mine = read_all(pid_dir(proc, pid) + "/auxv");
    return !mine.empty() && mine == read_all(pid_dir(proc, master) + "/auxv");
}

}  // namespace

Status check_master_readable(const ProcRoot& proc, pid_t master, const std::string& who) {
    if (access(pid_dir(proc, master).c_str(), F_OK) != 0) return Status::fail(who + " is not a process on this machine");
    if (!is_process(proc, master)) return Status::fail(who + " is a thread of another process, not a process; refused");
    // Another user's master: its fd links are not ours to read (ptrace access
    // mode), and a signal would fail with EPERM anyway. Say that, not "lying".
    const std::string fd_dir = pid_dir(proc, master) + "/fd";
    if (DIR* d = opendir(fd_dir.c_str()); d != nullptr) {
        closedir(d);
    } else if (errno == EACCES || errno == EPERM) {
        return Status::fail(who + ": permission denied reading " + fd_dir +
                            " (EPERM: another user's uWSGI? run uwsgitop as its user); nothing sent");
    }
    return Status::ok();
}

Status check_peer_is_master(const ProcRoot& proc, pid_t master, const Address& a, const Peer& peer) {
    const std::string addr = escape_for_display(a.text);
    const std::string who = addr + ": master pid " + std::to_string(master);
    if (master == 1) return Status::fail(addr + ": the snapshot names pid 1 (init) as its master; refused");
    if (master <= 0) return Status::fail(addr + ": the snapshot names no master pid (run uWSGI with --master)");
    if (peer.kind == Peer::Kind::None)
        return Status::fail(addr + ": who sent the snapshot is not known (not read over a socket); refused");
    if (Status st = check_master_readable(proc, master, who); !st) return st;
    if (peer.kind == Peer::Kind::Unix) {
        if (peer.listener_exited)
            return Status::fail(addr + ": the process that listened on this socket (pid " + std::to_string(peer.pid) +
                                ") had exited when we read it: who answered cannot be proved; refused");
        if (peer.pid == master && peer.start_time != 0 && start_time(proc, master) != peer.start_time)
            return Status::fail(who + " is not the process that answered (it started at another time: the pid was "
                                      "reused); refused");
        if (peer.pid == master) return Status::ok();
        return Status::fail(addr + ": the process that answered is pid " + std::to_string(peer.pid) +
                            ", not the master pid " + std::to_string(master) +
                            " the snapshot names (a foreign or lying stats server?); refused");
    }
    const std::vector<uint64_t> listening = listening_inodes(proc, peer);
    const std::string where = peer_text(peer);
    if (listening.empty()) return Status::fail(addr + ": no socket listens on " + where + " in " + proc.root + "/net");
    if (listening.size() > 1)
        return Status::fail(addr + ": " + std::to_string(listening.size()) + " sockets listen on " + where +
                            " (a wildcard beside a specific address, or SO_REUSEPORT): which one answered cannot be "
                            "proved; refused");
    for (uint64_t h : socket_inodes_of(proc, master))
        if (h == listening.front()) return Status::ok();
    return Status::fail(who + " does not hold the stats socket we read (" + where +
                        "; a foreign or lying stats server?); refused");
}

std::optional<pid_t> parent_of(const ProcRoot& proc, pid_t pid) {
    const std::optional<uint64_t> ppid = stat_field(read_all(pid_dir(proc, pid) + "/stat"), 4);
    if (!ppid) return std::nullopt;
    return static_cast<pid_t>(*ppid);
}

Status check_parent(const ProcRoot& proc, pid_t pid, pid_t master, long worker_id) {
    const std::string who = "worker " + std::to_string(worker_id) + ", pid " + std::to_string(pid);
    if (pid <= 1) return Status::fail(who + ": not a pid that can be signalled");
    if (access(pid_dir(proc, pid).c_str(), F_OK) == 0 && !is_process(proc, pid))
        return Status::fail(who + " is a thread of another process, not a process; refused");
    const std::optional<pid_t> parent = parent_of(proc, pid);
    if (!parent) return Status::fail(who + " is gone (no " + pid_dir(proc, pid) + "/stat)");
    if (*parent != master)
        return Status::fail(who + ": its parent is pid " + std::to_string(*parent) + ", not the master pid " +
                            std::to_string(master) + "; refused");
    if (stat_state(read_all(pid_dir(proc, pid) + "/stat")) == 'Z')
        return Status::fail(who + " has already exited (a zombie: something else ended it); nothing sent");
    // A worker is a fork of the master: the same program file.
    struct stat mine {}, masters {};
    const bool have_mine = ::stat((pid_dir(proc, pid) + "/exe").c_str(), &mine) == 0;
    const bool have_master = ::stat((pid_dir(proc, master) + "/exe").c_str(), &masters) == 0;
    if (!have_mine || !have_master)
        return Status::fail(who + ": its program cannot be compared with the master's (" + pid_dir(proc, pid) +
                            "/exe: " + std::strerror(errno) + "); refused");
    if (mine.st_dev != masters.st_dev || mine.st_ino != masters.st_ino)
        return Status::fail(who + ": runs another program than the master pid " + std::to_string(master) +
                            " (not a worker: a daemon, a cron command or an exec'd child?); refused");
    if (!same_auxv(proc, pid, master))
        return Status::fail(who + ": was started by an exec, not forked from the master pid " + std::to_string(master) +
                            " (an attached daemon or another instance of the same program?); refused");
    return Status::ok();
}

namespace {

// The one line for a failed kill()/pidfd_send_signal().
Status signal_error(const std::string& what, int e) {
    if (e == EPERM) return Status::fail(what + ": permission denied (EPERM: another user's process?)");
    if (e == ESRCH) return Status::fail(what + ": no such process (ESRCH: it exited meanwhile)");
    return Status::fail(what + ": " + std::strerror(e));
}

}  // namespace

Status send_signal(pid_t pid, int sig, const std::string& what) {
    if (pid <= 1) return Status::fail(what + ": pid " + std::to_string(pid) + " refused");
    if (::kill(pid, sig) == 0) return Status::ok();
    return signal_error(what, errno);
}

namespace {

// A pidfd pins the process that has PID now: if it exits and the pid is
// reused before the signal, pidfd_send_signal() fails with ESRCH instead of
// reaching the newcomer. -1 when the kernel has no pidfd_open (before 5.3).
class PinnedPid {
public:
    explicit PinnedPid(pid_t pid) {
#ifdef SYS_pidfd_open
        fd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
        errno_ = fd_ < 0 ? errno : 0;
#endif
    }
    ~PinnedPid() {
        if (fd_ >= 0) ::close(fd_);
    }
    PinnedPid(const PinnedPid&) = delete;
    PinnedPid& operator=(const PinnedPid&) = delete;
    bool gone() const { return fd_ < 0 && errno_ == ESRCH; }
    // EINVAL: the number is a thread's id, not a process's; kill() would
    // signal the whole process that thread belongs to.
    bool not_a_process() const { return fd_ < 0 && errno_ == EINVAL; }
    Status send(pid_t pid, int sig, const std::string& what) const {
        if (not_a_process()) return Status::fail(what + ": pid " + std::to_string(pid) + " is a thread, not a process; refused");
        if (fd_ < 0) return send_signal(pid, sig, what);  // no pidfd: kill() right after the checks
#ifdef SYS_pidfd_send_signal
        if (::syscall(SYS_pidfd_send_signal, fd_, sig, nullptr, 0) == 0) return Status::ok();
        if (errno != ENOSYS) return signal_error(what, errno);
#endif
        return send_signal(pid, sig, what);
    }

private:
    int fd_ = -1;
    int errno_ = 0;
};

}  // namespace

Status signal_worker(const ProcRoot& proc, pid_t pid, pid_t master, long worker_id, int sig, const std::string& what) {
    if (pid <= 1) return Status::fail(what + ": pid " + std::to_string(pid) + " refused");
    const PinnedPid pinned(pid);
    if (pinned.gone()) return signal_error(what, ESRCH);
    if (pinned.not_a_process()) return Status::fail(what + ": a thread, not a process; refused");
    if (Status st = check_parent(proc, pid, master, worker_id); !st) return st;
    return pinned.send(pid, sig, what);
}

Status signal_master(const ProcRoot& proc, pid_t master, const Address& address, const Peer& peer, int sig,
                     const std::string& what) {
    if (master <= 1) return Status::fail(what + ": pid " + std::to_string(master) + " refused");
    const PinnedPid pinned(master);
    if (pinned.gone()) return signal_error(what, ESRCH);
    if (pinned.not_a_process()) return Status::fail(what + ": a thread, not a process; refused");
    if (Status st = check_peer_is_master(proc, master, address, peer); !st) return st;
    return pinned.send(master, sig, what);
}

namespace {

// One of PID/fd/* is the node `fifo` (stat follows each link to what it names).
// The open flags of descriptor `fd` of PID (PID/fdinfo/FD "flags:", octal),
// or nullopt. A fake tree without fdinfo reads as a plain read-only open.
std::optional<unsigned long> fd_flags(const ProcRoot& proc, pid_t pid, const char* fd) {
    const std::string info = read_all(pid_dir(proc, pid) + "/fdinfo/" + fd);
    if (info.empty()) return 0UL;
    const std::size_t at = info.find("flags:");
    if (at == std::string::npos) return std::nullopt;
    return std::strtoul(info.c_str() + at + 6, nullptr, 8);
}

// PID holds the node `fifo` open for reading, as uWSGI's master holds its
// FIFO (one of PID/fd/* is that device and inode, opened O_RDONLY or O_RDWR:
// not O_PATH, which needs no permission on the FIFO at all).
bool holds_node(const ProcRoot& proc, pid_t pid, const struct stat& fifo) {
    const std::string dir = pid_dir(proc, pid) + "/fd";
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) return false;
    bool found = false;
    while (const dirent* e = readdir(d)) {
        if (e->d_name[0] == '.') continue;
        struct stat st {};
        if (::stat((dir + "/" + e->d_name).c_str(), &st) != 0 || st.st_dev != fifo.st_dev || st.st_ino != fifo.st_ino)
            continue;
        const std::optional<unsigned long> flags = fd_flags(proc, pid, e->d_name);
        if (flags && (*flags & O_PATH) == 0 && (*flags & O_ACCMODE) != O_WRONLY) {
            found = true;
            break;
        }
    }
    closedir(d);
    return found;
}

// The effective uid of PID (PID/status "Uid:", second number), or nullopt.
std::optional<uid_t> effective_uid(const ProcRoot& proc, pid_t pid) {
    const std::string status = read_all(pid_dir(proc, pid) + "/status");
    const std::size_t at = status.find("\nUid:");
    if (at == std::string::npos) return std::nullopt;
    std::istringstream ls(status.substr(at + 5, 64));
    unsigned long real = 0, effective = 0;
    if (!(ls >> real >> effective)) return std::nullopt;
    return static_cast<uid_t>(effective);
}

}  // namespace

Status write_fifo(const ProcRoot& proc, pid_t master, const std::string& path, char letter) {
    const std::string who = "master FIFO " + escape_for_display(path);
    // O_PATH: a descriptor for the node itself; nothing of the file is opened.
    const UniqueFd node(::open(path.c_str(), O_PATH | O_CLOEXEC));
    if (node.get() < 0) {
        const int e = errno;
        if (e == ENOENT) return Status::fail(who + ": no such file");
        if (e == EACCES) return Status::fail(who + ": permission denied");
        return Status::fail(who + ": " + std::strerror(e));
    }
    struct stat st {};
    if (::fstat(node.get(), &st) != 0) return Status::fail(who + ": " + std::strerror(errno));
    if (!S_ISFIFO(st.st_mode))
        return Status::fail(who + ": " + node_kind(st) + ", not a FIFO; refused, nothing opened or written");
    if (!holds_node(proc, master, st))
        return Status::fail(who + ": master pid " + std::to_string(master) +
                            " does not hold it open for reading (another instance's FIFO?); refused, nothing written");
    // uWSGI makes its FIFO as the user its master runs as; a FIFO of another
    // user that this master holds is not its own (it may only be looking at it).
    if (const std::optional<uid_t> uid = effective_uid(proc, master); uid && *uid != st.st_uid)
        return Status::fail(who + ": owned by uid " + std::to_string(st.st_uid) + ", not by the master's uid " +
                            std::to_string(*uid) + " (not its own FIFO); refused, nothing written");
    // The node checked above, reopened for writing through our own descriptor
    // (a rename in between cannot swap it).
    const std::string again = "/proc/self/fd/" + std::to_string(node.get());
    const UniqueFd fd(::open(again.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    if (fd.get() < 0) {
        const int e = errno;
        if (e == ENXIO) return Status::fail(who + ": no process reads it (ENXIO: the master is gone or re-forked)");
        if (e == EACCES) return Status::fail(who + ": permission denied");
        return Status::fail(who + ": " + std::strerror(e));
    }
    const ssize_t n = ::write(fd.get(), &letter, 1);
    const int e = errno;
    if (n == 1) return Status::ok();
    return Status::fail(who + ": write failed: " + std::strerror(n < 0 ? e : EIO));
}

}  // namespace uwsgitop::action
