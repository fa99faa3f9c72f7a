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

#include "uwsgitop/base/text.hpp"

namespace uwsgitop::action {

namespace {

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

// The addresses a TCP stats address can have reached, as the raw 32-bit words
// /proc/net/tcp{,6} print (each word of the address printed with %08X in host
// byte order). "localhost" and an empty host mean 127.0.0.1 and ::1.
struct TcpTargets {
    std::vector<uint32_t> v4;
    std::vector<std::array<uint32_t, 4>> v6;
};

TcpTargets tcp_targets(const std::string& host) {
    TcpTargets t;
    std::vector<std::string> hosts{host};
    if (host.empty() || host == "localhost") hosts = {"127.0.0.1", "::1"};
    for (const std::string& h : hosts) {
        in_addr a4{};
        in6_addr a6{};
        if (inet_pton(AF_INET, h.c_str(), &a4) == 1) {
            t.v4.push_back(a4.s_addr);
        } else if (inet_pton(AF_INET6, h.c_str(), &a6) == 1) {
            std::array<uint32_t, 4> w{};
            std::memcpy(w.data(), &a6, sizeof a6);
            t.v6.push_back(w);
        }
    }
    return t;
}

// LISTEN sockets on PORT whose local address is one the client may have
// reached: one of TARGETS or the wildcard (0.0.0.0, ::). A listener on the
// same port of another address (127.0.0.2:PORT) is not ours.
void tcp_inodes(const std::string& file, bool v6, uint16_t port, const TcpTargets& targets, std::vector<uint64_t>& out) {
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
        if (std::strtoul(local.c_str() + colon + 1, nullptr, 16) != port) continue;
        const std::string hex = local.substr(0, colon);
        bool match = false;
        if (!v6 && hex.size() == 8) {
            const auto word = static_cast<uint32_t>(std::strtoul(hex.c_str(), nullptr, 16));
            match = word == 0;
            for (uint32_t t : targets.v4) match = match || word == t;
        } else if (v6 && hex.size() == 32) {
            std::array<uint32_t, 4> w{};
            for (std::size_t i = 0; i < 4; ++i)
                w[i] = static_cast<uint32_t>(std::strtoul(hex.substr(i * 8, 8).c_str(), nullptr, 16));
            match = w == std::array<uint32_t, 4>{};
            for (const auto& t : targets.v6) match = match || w == t;
            // A v4 target reached through a v6 socket bound to ::ffff:a.b.c.d.
            for (uint32_t t : targets.v4)
                match = match || (w[0] == 0 && w[1] == 0 && w[2] == htonl(0xffffU) && w[3] == t);
        }
        if (match) out.push_back(inode);
    }
}

void unix_inodes(const std::string& file, const std::vector<std::string>& names, std::vector<uint64_t>& out) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string num, refs, proto, flags, type, st;
        uint64_t inode = 0;
        std::string path;
        if (!(ls >> num >> refs >> proto >> flags >> type >> st >> inode >> path)) continue;
        const unsigned long f = std::strtoul(flags.c_str(), nullptr, 16);
        if ((f & 0x10000UL) == 0) continue;  // __SO_ACCEPTCON: listening
        for (const std::string& n : names)
            if (path == n) out.push_back(inode);
    }
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

std::vector<uint64_t> listening_inodes(const ProcRoot& proc, const Address& a) {
    std::vector<uint64_t> out;
    if (a.kind == AddressKind::Tcp) {
        const TcpTargets targets = tcp_targets(a.host);
        tcp_inodes(proc.root + "/net/tcp", false, a.port, targets, out);
        tcp_inodes(proc.root + "/net/tcp6", true, a.port, targets, out);
    } else if (a.kind == AddressKind::Unix) {
        std::vector<std::string> names{a.path};
        char buf[PATH_MAX];
        if (realpath(a.path.c_str(), buf) != nullptr) names.emplace_back(buf);
        unix_inodes(proc.root + "/net/unix", names, out);
    } else if (a.kind == AddressKind::Abstract) {
        // The kernel shows NUL bytes as '@'; uWSGI binds "\0name" (maybe with a trailing NUL).
        unix_inodes(proc.root + "/net/unix", {"@" + a.path, "@" + a.path + "@"}, out);
    }
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

Status check_master_holds_socket(const ProcRoot& proc, pid_t master, const Address& a) {
    const std::string who = escape_for_display(a.text) + ": master pid " + std::to_string(master);
    if (master <= 1) return Status::fail(escape_for_display(a.text) + ": the snapshot names no master pid (run uWSGI with --master)");
    const std::vector<uint64_t> listening = listening_inodes(proc, a);
    if (listening.empty()) return Status::fail(escape_for_display(a.text) + ": no listening socket for this address in " + proc.root + "/net");
    if (access(pid_dir(proc, master).c_str(), F_OK) != 0) return Status::fail(who + " is not a process on this machine");
    // Another user's master: its fd links are not ours to read (ptrace access
    // mode), and a signal would fail with EPERM anyway. Say that, not "lying".
    const std::string fd_dir = pid_dir(proc, master) + "/fd";
    if (DIR* d = opendir(fd_dir.c_str()); d != nullptr) {
        closedir(d);
    } else if (errno == EACCES || errno == EPERM) {
        return Status::fail(who + ": permission denied reading " + fd_dir +
                            " (EPERM: another user's uWSGI? run uwsgitop as its user); nothing sent");
    }
    const std::vector<uint64_t> held = socket_inodes_of(proc, master);
    for (uint64_t l : listening)
        for (uint64_t h : held)
            if (l == h) return Status::ok();
    return Status::fail(who + " does not hold the stats socket we read (a foreign or lying stats server?); refused");
}

std::optional<pid_t> parent_of(const ProcRoot& proc, pid_t pid) {
    const std::string stat = read_all(pid_dir(proc, pid) + "/stat");
    const std::size_t paren = stat.rfind(')');
    if (paren == std::string::npos) return std::nullopt;
    std::istringstream ls(stat.substr(paren + 1));
    std::string state;
    long ppid = 0;
    if (!(ls >> state >> ppid)) return std::nullopt;
    return static_cast<pid_t>(ppid);
}

Status check_parent(const ProcRoot& proc, pid_t pid, pid_t master, long worker_id) {
    const std::string who = "worker " + std::to_string(worker_id) + ", pid " + std::to_string(pid);
    if (pid <= 1) return Status::fail(who + ": not a pid that can be signalled");
    const std::optional<pid_t> parent = parent_of(proc, pid);
    if (!parent) return Status::fail(who + " is gone (no " + pid_dir(proc, pid) + "/stat)");
    if (*parent != master)
        return Status::fail(who + ": its parent is pid " + std::to_string(*parent) + ", not the master pid " +
                            std::to_string(master) + "; refused");
    return Status::ok();
}

std::optional<std::string> master_fifo_from_cmdline(const ProcRoot& proc, pid_t master) {
    const std::string cmd = read_all(pid_dir(proc, master) + "/cmdline");
    // A relative path is relative to the master's working directory.
    const auto of_master = [&](const std::string& path) -> std::string {
        if (path[0] == '/') return path;
        const std::string cwd_link = pid_dir(proc, master) + "/cwd";
        char dir[PATH_MAX];
        const ssize_t n = readlink(cwd_link.c_str(), dir, sizeof dir - 1);
        if (n > 0 && dir[0] == '/') return std::string(dir, static_cast<std::size_t>(n)) + "/" + path;
        return cwd_link + "/" + path;  // unreadable link: the path through it still names the master's
    };
    std::vector<std::string> args;
    for (std::size_t at = 0; at < cmd.size();) {
        const std::size_t end = cmd.find('\0', at);
        args.push_back(cmd.substr(at, end == std::string::npos ? std::string::npos : end - at));
        if (end == std::string::npos) break;
        at = end + 1;
    }
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& s = args[i];
        if ((s == "--master-fifo" || s == "-master-fifo") && i + 1 < args.size() && !args[i + 1].empty())
            return of_master(args[i + 1]);
        for (const char* prefix : {"--master-fifo=", "master-fifo="})
            if (s.rfind(prefix, 0) == 0 && s.size() > std::strlen(prefix)) return of_master(s.substr(std::strlen(prefix)));
    }
    return std::nullopt;
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
    Status send(pid_t pid, int sig, const std::string& what) const {
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
    if (Status st = check_parent(proc, pid, master, worker_id); !st) return st;
    return pinned.send(pid, sig, what);
}

Status signal_master(const ProcRoot& proc, pid_t master, const Address& address, int sig, const std::string& what) {
    if (master <= 1) return Status::fail(what + ": pid " + std::to_string(master) + " refused");
    const PinnedPid pinned(master);
    if (pinned.gone()) return signal_error(what, ESRCH);
    if (Status st = check_master_holds_socket(proc, master, address); !st) return st;
    return pinned.send(master, sig, what);
}

namespace {

// One of PID/fd/* is the node `fifo` (stat follows each link to what it names).
bool holds_node(const ProcRoot& proc, pid_t pid, const struct stat& fifo) {
    const std::string dir = pid_dir(proc, pid) + "/fd";
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) return false;
    bool found = false;
    while (const dirent* e = readdir(d)) {
        if (e->d_name[0] == '.') continue;
        struct stat st {};
        if (::stat((dir + "/" + e->d_name).c_str(), &st) == 0 && st.st_dev == fifo.st_dev && st.st_ino == fifo.st_ino) {
            found = true;
            break;
        }
    }
    closedir(d);
    return found;
}

}  // namespace

Status write_fifo(const ProcRoot& proc, pid_t master, const std::string& path, char letter) {
    const std::string who = "master FIFO " + escape_for_display(path);
    const int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        const int e = errno;
        if (e == ENXIO) return Status::fail(who + ": no process reads it (ENXIO: the master is gone or re-forked)");
        if (e == ENOENT) return Status::fail(who + ": no such file");
        if (e == EACCES) return Status::fail(who + ": permission denied");
        return Status::fail(who + ": " + std::strerror(e));
    }
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode)) {
        ::close(fd);
        return Status::fail(who + ": not a FIFO; refused, nothing written");
    }
    if (!holds_node(proc, master, st)) {
        ::close(fd);
        return Status::fail(who + ": master pid " + std::to_string(master) +
                            " does not hold it open (another instance's FIFO?); refused, nothing written");
    }
    const ssize_t n = ::write(fd, &letter, 1);
    const int e = errno;
    ::close(fd);
    if (n == 1) return Status::ok();
    return Status::fail(who + ": write failed: " + std::strerror(n < 0 ? e : EIO));
}

}  // namespace uwsgitop::action
