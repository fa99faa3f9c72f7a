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

// Inodes of the listening sockets this address names, from net/tcp, net/tcp6
// (state LISTEN, the port, and a local address the client can have reached:
// the host's address or the wildcard) or net/unix (by path or @name,
// listening flag).
std::vector<uint64_t> listening_inodes(const ProcRoot& proc, const Address& address);

// The inodes of the sockets PID holds (readlink of PID/fd/* = "socket:[N]").
std::vector<uint64_t> socket_inodes_of(const ProcRoot& proc, pid_t pid);

// The master pid holds the stats socket we read from. A master whose
// PID/fd this user may not read (another user's uWSGI) is refused with a
// "permission denied" line before anything is sent.
Status check_master_holds_socket(const ProcRoot& proc, pid_t master, const Address& address);

// The parent pid from PID/stat (after the last ')'), or nullopt.
std::optional<pid_t> parent_of(const ProcRoot& proc, pid_t pid);

// PID is alive and its parent is MASTER (call immediately before kill()).
Status check_parent(const ProcRoot& proc, pid_t pid, pid_t master, long worker_id);

// The master FIFO on MASTER's command line (--master-fifo PATH,
// --master-fifo=PATH or master-fifo=PATH), or nullopt. A relative path is
// the master's: resolved against its working directory (PID/cwd), not ours.
std::optional<std::string> master_fifo_from_cmdline(const ProcRoot& proc, pid_t master);

// kill(pid, sig); EPERM and ESRCH become one line naming `what`.
Status send_signal(pid_t pid, int sig, const std::string& what);

// The checked deliveries every caller uses. Each pins the process first (a
// pidfd), then checks it (signal_worker: alive and a child of MASTER;
// signal_master: MASTER holds the stats socket of ADDRESS), then signals the
// pinned process, so a pid that is reused between the check and the signal
// is never hit (ESRCH instead). Without pidfd support: the check, then kill().
Status signal_worker(const ProcRoot& proc, pid_t pid, pid_t master, long worker_id, int sig, const std::string& what);
Status signal_master(const ProcRoot& proc, pid_t master, const Address& address, int sig, const std::string& what);

// Writes one letter to MASTER's FIFO: opened O_WRONLY|O_NONBLOCK (never
// hangs), ENXIO = no reader, not a FIFO (fstat) = refused before writing,
// and refused unless MASTER itself holds that FIFO open (one of PID/fd/* is
// the same device and inode; uWSGI keeps its master FIFO open), so a FIFO
// path that belongs to another instance (a --master-fifo given for another
// address, a relative path read against the wrong directory) never gets
// the letter. The caller has checked that MASTER holds the stats socket.
Status write_fifo(const ProcRoot& proc, pid_t master, const std::string& path, char letter);

}  // namespace uwsgitop::action
