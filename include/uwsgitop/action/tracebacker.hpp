// tracebacker.hpp — the Python stacks of a local uWSGI's workers, from
// uWSGI's own tracebacker (--py-tracebacker PREFIX: worker N listens on the
// unix socket PREFIXN and writes every thread's stack to whoever connects).
//
// Contract: a socket is connected to only when it is proven to be the
// worker's own, in this order:
//   1. the instance is local (check_address_local) and the snapshot's sender
//      is its master (check_peer_is_master, on the snapshot's own connection);
//   2. the worker is a fork of that master (check_pid, check_parent);
//   3. PREFIXN, looked at without following a last symbolic link (O_PATH |
//      O_NOFOLLOW), is a unix socket file, the kernel names the listening
//      socket bound at it (unix_diag.hpp), and that socket is among the
//      worker's PID/fd links ("socket:[INODE]");
//   4. the connection goes through that same O_PATH descriptor
//      (/proc/self/fd/N), so a file swapped in after the check is not reached.
// A socket someone else bound at that path is refused with one line; nothing
// connects to it. Each read is bounded (`timeout`, kMaxTracebackerBytes) and
// parsed by parse_tracebacker() (escaped, capped). Every refusal or failure
// is ONE line naming the worker, its pid and the cause; nothing here is an
// error of the run. Every /proc read of another process goes through the
// ProcRoot (tests use a fake tree); the kernel's socket table does not.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "uwsgitop/action/safety.hpp"
#include "uwsgitop/base/status.hpp"
#include "uwsgitop/base/unique_fd.hpp"
#include "uwsgitop/model/model.hpp"
#include "uwsgitop/model/stack.hpp"

namespace uwsgitop::action {

inline constexpr std::size_t kMaxTracebackerBytes = 256 * 1024;
inline constexpr double kTracebackerTimeout = 1.0;  // one worker's connect and read
inline constexpr double kStacksBudget = 5.0;        // all the workers of one snapshot

// The one line for an instance without a tracebacker (never an error).
inline constexpr std::string_view kTracebackerHint =
    "no Python tracebacker: start uWSGI with --py-tracebacker /run/app/tb --enable-threads "
    "(or give uwsgitop --tracebacker PREFIX)";

// Step 3: `node` is then an O_PATH descriptor of PATH, the listening unix
// socket that WORKER holds. `who` starts the line ("worker 2, pid 123").
Status open_held_socket(const ProcRoot& proc, pid_t worker, const std::string& who, const std::string& path,
                        UniqueFd& node);

// Step 4: connects through `node` and reads to the end, at most
// kMaxTracebackerBytes within `timeout` seconds.
Status read_through(const UniqueFd& node, const std::string& who, double timeout, std::string& out);

// Steps 2 to 4 and the parse for worker WORKER_ID, pid PID, of the proven MASTER.
WorkerStack read_worker_stack(const ProcRoot& proc, pid_t master, long worker_id, pid_t pid,
                              const std::string& prefix, double timeout);

struct StackReport {
    std::string note;                  // why no worker was tried ("" when they were), one line
    bool hint = false;                 // `note` is kTracebackerHint: none configured, not a failure
    std::string prefix;                // the prefix used (given, or the master's --py-tracebacker)
    std::vector<WorkerStack> workers;  // the snapshot's workers with an id, in its order
};

// What one worker's read needs to know of the snapshot it is in: plain
// values, so a reader thread keeps no reference to a snapshot.
struct StackTarget {
    Address address;        // where the snapshot was read
    Peer peer;              // the connection it came over
    bool master = false;    // it is a uWSGI master's (SnapshotKind::Master)
    pid_t master_pid = 0;   // its "pid"
    long worker_id = 0;
    pid_t pid = 0;          // the worker's pid in the snapshot
    std::string given;      // --tracebacker PREFIX, or "" (the master's)
};

// The target of worker WORKER_ID in `snap` (pid 0 when it is not there).
StackTarget stack_target(const Snapshot& snap, const Address& address, long worker_id, const std::string& given);

// All of read_stacks() for one worker: its stack, or why not (the instance's
// line, kTracebackerHint included, when step 1 or the prefix fail).
WorkerStack read_stack_of(const ProcRoot& proc, const StackTarget& target);

// All of it for one snapshot read from `address`: step 1, the prefix
// (`given`, else the master's --py-tracebacker, master_config.hpp), then each
// worker within kStacksBudget in all (those left get a line saying so).
StackReport read_stacks(const ProcRoot& proc, const Snapshot& snap, const Address& address, const std::string& given);

}  // namespace uwsgitop::action
