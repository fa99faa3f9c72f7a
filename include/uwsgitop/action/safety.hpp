// safety.hpp — the checks that stand between an action and kill()/the FIFO.
//
// Contract: each check returns ok or ONE line naming the address, the target
// and the cause. Nothing here signals or writes unless its name says so
// (send_signal, write_fifo). Every /proc read goes through a ProcRoot, so the
// unit tests point it at a fake tree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "uwsgitop/base/peer.hpp"
#include "uwsgitop/base/status.hpp"
#include "uwsgitop/source/address.hpp"

namespace uwsgitop::action {

struct ProcRoot {
    std::string root = "/proc";
};

// The address names this machine: a unix or abstract socket, or TCP to a
// loopback literal (127.0.0.0/8, ::1, "localhost", empty host). http(s), file
// and stdin sources are refused. Pure: no resolving, no connecting.
Status check_address_local(const Address& address);

// Replay, demo, file and stdin sources and --read-only refuse every action.
struct SourceFacts {
    bool replay = false;
    bool demo = false;
    bool read_only = false;
};
Status check_source_live(const Address& address, const SourceFacts& facts);

// The snapshot is younger than two polling intervals.
Status check_fresh(int64_t age_ms, int64_t interval_ms);

// The largest pid this kernel hands out (PATH/sys/kernel/pid_max; 4194304,
// the kernel's limit, when it cannot be read).
int64_t pid_max(const ProcRoot& proc);

// A pid from a snapshot that an action may aim at: an integer in 2..pid_max
// (1 is init, 0 and negatives are no process). `who` starts the line.
Status check_pid(const ProcRoot& proc, int64_t pid, const std::string& who);

// The inodes of the TCP sockets listening where `peer` (a TCP peer) says we
// connected: its exact address and port, or the wildcard of its family on
// that port (and, for an IPv4 peer, an IPv6 socket on :: or ::ffff:ADDR).
std::vector<uint64_t> listening_inodes(const ProcRoot& proc, const Peer& peer);

// The inodes of the sockets PID holds (readlink of PID/fd/* = "socket:[N]").
std::vector<uint64_t> socket_inodes_of(const ProcRoot& proc, pid_t pid);

// MASTER is a process here and this user may read its PID/fd; else one line
// starting with `who`: "is not a process on this machine", or "permission
// denied reading .../fd" (another user's uWSGI).
Status check_master_readable(const ProcRoot& proc, pid_t master, const std::string& who);

// The process that sent the snapshot is MASTER, proved on the connection
// that delivered it (`peer`, never a second lookup of the address):
//   * unix and abstract sockets: the peer's pid (SO_PEERCRED) is MASTER;
//   * TCP: exactly one socket listens where we connected, and MASTER holds
//     it; two or more (a wildcard beside a specific address, SO_REUSEPORT)
//     cannot tell which one answered and are refused;
//   * no peer recorded (not read over a socket): refused.
// A master whose PID/fd this user may not read (another user's uWSGI) is
// refused with a "permission denied" line before anything is sent.
Status check_peer_is_master(const ProcRoot& proc, pid_t master, const Address& address, const Peer& peer);

// The parent pid from PID/stat (after the last ')'), or nullopt.
std::optional<pid_t> parent_of(const ProcRoot& proc, pid_t pid);

// PID is a worker of MASTER as uWSGI makes them: alive (not a zombie), its parent is
// MASTER, and its program (PID/exe) is the master's (same device and inode):
// a fork of the master, never an attached daemon, a cron command or anything
// a process forks and execs (call immediately before kill()).
Status check_parent(const ProcRoot& proc, pid_t pid, pid_t master, long worker_id);

// kill(pid, sig); EPERM and ESRCH become one line naming `what`.
Status send_signal(pid_t pid, int sig, const std::string& what);

// The checked deliveries every caller uses. Each pins the process first (a
// pidfd), then checks it (signal_worker: check_parent; signal_master:
// check_peer_is_master), then signals the
// pinned process, so a pid that is reused between the check and the signal
// is never hit (ESRCH instead). Without pidfd support: the check, then kill().
// signal_master: MASTER is the peer of the stats connection).
Status signal_worker(const ProcRoot& proc, pid_t pid, pid_t master, long worker_id, int sig, const std::string& what);
Status signal_master(const ProcRoot& proc, pid_t master, const Address& address, const Peer& peer, int sig,
                     const std::string& what);

// Writes one letter to MASTER's FIFO. The path is first opened O_PATH (no
// open of the file itself: a device's open never runs) and checked by that
// descriptor: a FIFO, and held open by MASTER itself (one of PID/fd/* is
// the same device and inode; uWSGI keeps its master FIFO open), so a FIFO
// path that belongs to another instance (a --master-fifo given for another
// address, a relative path read against the wrong directory) never gets
// the letter. Only then is that same node opened O_WRONLY|O_NONBLOCK (never
// hangs; ENXIO = no reader) and written. The caller has proved MASTER.
Status write_fifo(const ProcRoot& proc, pid_t master, const std::string& path, char letter);

}  // namespace uwsgitop::action
