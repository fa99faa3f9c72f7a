// rates.hpp — per-second rates from successive snapshots.
//
// RateTracker keeps its own compact copy of the previous counters (it does not
// hold on to the previous Snapshot). Each update() fills `Rates` with vectors
// parallel to snapshot.workers and snapshot.cores; a rate is NaN when unknown:
// the first sample, a worker or core that was not there (or had no counter)
// last time, a cheap worker (id 0), or a zero/negative time step.
// Reset rules:
//   * uWSGI keeps a worker's counters across its respawns (pid and
//     respawn_count change, requests does not): a respawn alone does not reset.
//   * a counter that goes DOWN (master restarted, another server answers on the
//     address) restarts the baseline for that row, and a different master pid
//     restarts it for everything: never a negative or absurd spike.
// Two per-interval values uWSGI's own fields hide:
//   * `rt`: the mean time of the requests that ended in the interval,
//     Δrunning_time / Δrequests (microseconds); NaN when none ended.
//   * `cpu`: the worker's CPU % over the interval (utime + stime of
//     /proc/PID/stat, 100 = one CPU busy), read only when cpu_readable() says
//     the snapshot's instance runs on this machine and its master's pid is
//     known. Two readings are compared only when they are of the same process
//     (same pid, same start time, field 22) and the process is the master's
//     child (field 4 = the master's pid): a reused pid, a respawn, an
//     unreadable file is NaN, never a spike. A worker with threads may pass 100.
//   * `busy_for`: the seconds a busy worker has been in its current request
//     (model/busy_clock.hpp); NaN when it is not busy. Known from the first
//     sample on, unlike the rates.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "uwsgitop/model/busy_clock.hpp"
#include "uwsgitop/model/model.hpp"

namespace uwsgitop {

struct WorkerRates {
    double requests = 0;    // requests per second
    double exceptions = 0;  // exceptions per second
    double tx = 0;          // bytes sent per second
    double rt = 0;          // mean request time over the interval, microseconds
    double cpu = 0;         // CPU % over the interval (100 = one CPU)
    double busy_for = 0;    // seconds in the current request, NaN when not busy
};

struct CoreRates {
    double requests = 0;
};

struct Rates {
    double interval = 0;          // seconds since the previous sample, 0 on the first
    double total_requests = 0;    // sums over workers with known rates; NaN if none known
    double total_exceptions = 0;
    double total_tx = 0;
    bool baseline_reset = false;  // the whole baseline restarted on this sample
    std::vector<WorkerRates> workers;  // parallel to Snapshot::workers
    std::vector<CoreRates> cores;      // parallel to Snapshot::cores

    // Empties both lists and gives their pages back (Snapshot::release).
    void release();
};

// Reads the /proc/PID/stat text of `pid` into `out` (replacing it); false
// when it cannot be read (gone, not ours to see).
using ProcStatReader = std::function<bool(int64_t pid, std::string& out)>;

// The default reader: /proc/PID/stat, at most 4 KiB.
bool read_proc_stat(int64_t pid, std::string& out);

// True when the snapshot came over a connection that proves its instance is
// on this machine and in our pid namespace: a unix socket whose listener
// (SO_PEERCRED) is the snapshot's master pid (or the master pid is unknown),
// or TCP to a loopback address. A recording, a file, http(s): false.
bool cpu_readable(const Snapshot& snap);

class RateTracker {
public:
    // Reads through `reader` with `ticks_per_second` (sysconf(_SC_CLK_TCK))
    // instead of /proc (tests). A null reader turns CPU readings off.
    void set_proc_reader(ProcStatReader reader, double ticks_per_second);
    // `wall_seconds` is the read's wall-clock time (0: unknown), to date a
    // request by its cores' request_start.
    void update(const Snapshot& snap, double mono_seconds, Rates& out, double wall_seconds = 0);
    void reset();
    // Gives back the pages of the table the next update() builds into (dead
    // between updates); the baseline stays.
    void release_idle();

private:
    struct Prev {
        int64_t requests = -1, exceptions = -1, tx = -1, running_time = -1;
        int64_t pid = -1;              // the process of the CPU reading
        uint64_t start_time = 0;       // its start time (field 22)
        uint64_t cpu_ticks = 0;        // utime + stime
        bool cpu_known = false;
        uint32_t cores_begin = 0, cores_count = 0;
    };
    // Fills next's CPU reading of worker `w` when the instance is local.
    void read_cpu(const Worker& w, int64_t master_pid, Prev& next);
    static double cpu_percent(const Prev& prev, const Prev& next, double dt, double ticks);

    ProcStatReader reader_ = read_proc_stat;
    double ticks_per_second_ = 0;      // 0: sysconf on first use
    std::string stat_buf_;             // reused between reads
    bool have_prev_ = false;
    double prev_time_ = 0;
    int64_t prev_master_pid_ = -1;
    std::vector<Prev> prev_workers_;       // indexed by worker id
    std::vector<int64_t> prev_cores_;      // core requests, ranges from Prev
    std::vector<Prev> next_workers_;       // built during update, then swapped
    std::vector<int64_t> next_cores_;
    BusyClock busy_;
};

}  // namespace uwsgitop
