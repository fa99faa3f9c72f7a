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
#pragma once

#include <cstdint>
#include <vector>

#include "uwsgitop/model/model.hpp"

namespace uwsgitop {

struct WorkerRates {
    double requests = 0;    // requests per second
    double exceptions = 0;  // exceptions per second
    double tx = 0;          // bytes sent per second
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

class RateTracker {
public:
    void update(const Snapshot& snap, double mono_seconds, Rates& out);
    void reset();
    // Gives back the pages of the table the next update() builds into (dead
    // between updates); the baseline stays.
    void release_idle();

private:
    struct Prev {
        int64_t requests = -1, exceptions = -1, tx = -1;
        uint32_t cores_begin = 0, cores_count = 0;
    };
    bool have_prev_ = false;
    double prev_time_ = 0;
    int64_t prev_master_pid_ = -1;
    std::vector<Prev> prev_workers_;       // indexed by worker id
    std::vector<int64_t> prev_cores_;      // core requests, ranges from Prev
    std::vector<Prev> next_workers_;       // built during update, then swapped
    std::vector<int64_t> next_cores_;
};

}  // namespace uwsgitop
