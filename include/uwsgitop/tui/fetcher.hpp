// fetcher.hpp — fetching off the UI thread, and handing snapshots over
// without copying them.
//
// One background thread owns the Pipeline (Pipeline is not thread-safe; the
// UI never touches it once start() ran). Three Slots take turns: the fetch
// thread refreshes into its own `work` slot; when that worked it swaps it
// with `ready` under the mutex; the UI's take() swaps `ready` with the slot it
// shows. Only buffers change hands (vector moves keep their storage, so the
// string_views of a Snapshot stay valid); nothing is copied, and all three
// slots keep their capacity, so a steady refresh allocates nothing. If the UI
// has not taken a ready snapshot when the next one is done, the newer one
// replaces it (the older one's buffers go back to the fetch thread).
//
// Timing: one fetch at a time (so at most one connection), started every
// `interval` seconds (from the start of the previous one; a fetch slower than
// the interval is followed by the next at once). Recorded sources pace
// themselves (Source::delay_before_next). After failures the wait doubles
// from the interval up to kMaxBackoff seconds (or the interval, if longer):
// no retry storms, and a server that comes back is seen within seconds.
// Paused: no fetches at all until resumed (the server gets no load).
// A finite source that is exhausted ends the thread's work with ended=true.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "uwsgitop/pipeline.hpp"

namespace uwsgitop::tui {

struct Slot {
    Snapshot snap;
    Rates rates;
    double wall_time = 0;   // the snapshot's wall-clock time (recorded time for replays)
};

// What the last fetch said; `seq` grows with every fetch.
struct FetchReport {
    uint64_t seq = 0;
    bool ok = false;
    std::string message;    // the error ("" when ok)
    bool ended = false;     // the source has nothing more (final)
};

constexpr double kMaxBackoff = 5.0;

// Seconds to wait before the next try after `failures` failures in a row.
double backoff_delay(double interval, int failures);

class Fetcher {
public:
    explicit Fetcher(Pipeline& pipeline);
    ~Fetcher();
    Fetcher(const Fetcher&) = delete;
    Fetcher& operator=(const Fetcher&) = delete;

    void start(double interval, bool paused);
    // New interval or pause state; wakes the thread (resuming fetches at once).
    void configure(double interval, bool paused);
    // Swaps a ready snapshot into `shown` (its old buffers go back for reuse).
    bool take(Slot& shown);
    // Copies the latest report when its seq differs from `seen`; updates `seen`.
    bool poll(uint64_t& seen, FetchReport& out);
    // Asks the thread to stop; returns true if it finished within `wait_seconds`
    // (then it is joined). A fetch in flight can only end by its own timeout.
    bool stop(double wait_seconds);

private:
    void run();

    Pipeline& pipeline_;
    std::thread thread_;
    std::mutex mu_;
    std::condition_variable cv_;
    Slot slots_[2];          // [0] work (fetch thread), [1] ready (hand-off)
    bool ready_full_ = false;
    FetchReport report_;
    double interval_ = 1.0;
    bool paused_ = false;
    bool stop_ = false;
    bool done_ = false;
    uint64_t config_gen_ = 0;
};

}  // namespace uwsgitop::tui
