// fetcher.hpp — fetching off the UI thread, and handing snapshots over
// without copying them.
//
// One background thread owns the Pipeline (Pipeline is not thread-safe; the
// UI never touches it once start() ran). Two Slots: the UI's (the snapshot
// on screen) and the fetch thread's. The thread refreshes into its slot; when
// that worked it marks the slot ready and waits until the UI's take() has
// swapped it with the one on screen — then it refreshes into what it got
// back. Only buffers change hands (vector moves keep their storage, so the
// string_views of a Snapshot stay valid); nothing is copied, both slots keep
// their capacity, so a steady refresh allocates nothing. A failed refresh
// clears only the thread's slot; the UI keeps its last good snapshot.
//
// Timing: one fetch at a time (so at most one connection), started every
// `interval` seconds (from the start of the previous one; a fetch slower than
// the interval is followed by the next at once). Recorded sources pace
// themselves (Source::delay_before_next). After failures the wait doubles
// from the interval up to kMaxBackoff seconds (or the interval, if longer):
// no retry storms, and a server that comes back is seen within seconds.
// Paused: no fetches at all until resumed (the server gets no load).
// A replay's speed (set_speed) reaches the source on the thread, before the
// next fetch or while waiting for it (the wait is then recomputed).
// Scope: the UI says whether it shows cores (want_cores); the thread parses
// without them while it does not (ParseScope::NoCores, the cheap road on a
// big async instance). When the UI starts wanting them, the next fetch
// starts at once, so rows of cores appear without waiting an interval; such
// early fetches are at least kEarlyFetchSpacing seconds apart (or the
// interval, if shorter), so keys pressed in a burst add at most one read a
// second to the server's load.
// Memory: when the next fetch is at least kIdleRelease seconds away (or
// paused), the thread gives the pages of what is dead until then back to the
// kernel, keeping the allocations (Pipeline::release_idle: the read buffer
// and the parser's copies; Snapshot::release on its slot once the UI has
// taken the snapshot it held). On a 4 MB document that is about 1.8 MB,
// which the next fetch faults in again (about 460 faults, 1.1 ms of CPU):
// worth it only for a long wait, so the default 1 s refresh (any interval
// up to kIdleRelease plus the fetch's own time) keeps its pages; the peak
// is the same either way.
// A finite source that is exhausted ends the thread's work with ended=true,
// except that a replay with positions keeps the thread for travel.
// Travel (replays, the [ ] { } ( ) keys): travel() queues a move from the
// snapshot on screen (the one take() handed out last; from the previous
// travel's result while that is not taken yet, so quick presses add up). The
// thread carries it out even while paused or ended (Pipeline::seek: the rates
// of a forward pass) and hands the result over like any snapshot, marked
// `travelled`; a forward snapshot fetched but not yet taken is dropped, and
// play goes on after the travelled one. take(shown, paused=true) hands over
// travelled snapshots only.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "uwsgitop/base/wake_fd.hpp"
#include "uwsgitop/pipeline/pipeline.hpp"

namespace uwsgitop::tui {

struct Slot {
    Snapshot snap;
    Rates rates;
    double wall_time = 0;   // the snapshot's wall-clock time (recorded time for replays)
    std::optional<RecordPosition> position;  // replays with times: where it is in the window
    bool travelled = false; // the result of a travel() rather than of play
    double mono_time = 0;   // monotonic_seconds() when the fetch (or travel) that made it ended
};

// What the last fetch said; `seq` grows with every fetch.
struct FetchReport {
    uint64_t seq = 0;
    bool ok = false;
    std::string message;    // the error ("" when ok)
    bool ended = false;     // the source has nothing more (final)
};

constexpr double kMaxBackoff = 5.0;
constexpr double kEarlyFetchSpacing = 1.0;
constexpr double kIdleRelease = 2.5;

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
    // A replay's playback speed from now on (Source::set_speed, applied by
    // the thread); the wait for the next record is measured again from the
    // end of the last fetch at the new speed.
    void set_speed(double speed);
    // Whether snapshots should carry the cores (see the top); true at first.
    // Cheap to call with an unchanged value (the screen loop calls it each turn).
    void want_cores(bool on);
    // Swaps a ready snapshot into `shown` (its old buffers go back for reuse);
    // with `paused`, only a travelled one.
    bool take(Slot& shown, bool paused = false);
    // Queues a move through a replay from the snapshot on screen (see the top).
    void travel(const Travel& travel);
    // Copies the latest report when its seq differs from `seen`; updates `seen`.
    bool poll(uint64_t& seen, FetchReport& out);
    // Readable from each report on (every fetch or travel that ended, so
    // every snapshot take() can hand over) until the next poll(): the screen
    // sleeps in poll() on it and its terminal instead of waking to look.
    // -1 when the kernel gave no eventfd (then the screen must look often).
    int ready_fd() const { return ready_.fd(); }
    // Asks the thread to stop; returns true if it finished within `wait_seconds`
    // (then it is joined). A fetch in flight can only end by its own timeout.
    bool stop(double wait_seconds);

private:
    void run();
    void travel_now(std::unique_lock<std::mutex>& lk);
    bool apply_speed();
    void release_idle(std::unique_lock<std::mutex>& lk, bool slot_too);
    // With the lock held: the slot is this thread's (the UI took what it
    // held) and its pages are still resident.
    bool slot_idle() const { return !ready_full_ && !slot_released_; }
    // With the lock held, after a refresh or travel into slot_: marks it ready
    // when `st` worked and reports the outcome.
    void settle(const Status& st, double wall, const std::optional<RecordPosition>& pos, bool travelled, bool ended);

    Pipeline& pipeline_;
    std::thread thread_;
    std::mutex mu_;
    std::condition_variable cv_;
    Slot slot_;              // the fetch thread's; handed over when ready_full_
    bool ready_full_ = false;
    FetchReport report_;
    WakeFd ready_;            // signalled with each report (ready_fd())
    double interval_ = 1.0;
    bool paused_ = false;
    bool want_cores_ = true;
    bool fetch_now_ = false;  // cores became wanted: fetch early (see the top)
    bool stop_ = false;
    bool done_ = false;
    bool ended_ = false;                      // a replay at its end, kept for travel
    std::vector<Travel> travels_;             // queued by travel()
    std::optional<RecordPosition> shown_pos_; // of the snapshot take() handed out last
    uint64_t config_gen_ = 0;
    double speed_ = -1;           // set_speed()'s; < 0: the source's own
    double speed_applied_ = -1;   // the last handed to the source
    bool idle_released_ = false;  // the pipeline's buffers were given back since the last fetch
    bool slot_released_ = false;  // likewise slot_'s (a snapshot the UI is done with)
};

}  // namespace uwsgitop::tui
