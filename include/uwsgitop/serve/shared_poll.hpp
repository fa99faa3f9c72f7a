// shared_poll.hpp — one poll of the fleet at a time, shared by every scrape
// that arrives while it is in flight (single-flight).
//
// scrape() returns the answer of a poll that started no earlier than the
// call, or of the poll in flight when it was called: ten concurrent
// scrapers cause one poll, so uWSGI sees the load of one. A poll is a
// FleetPoll round (fleet_poll.hpp): it asks every target at once (the socket
// targets in one epoll loop, the others on at most `concurrency` threads,
// each fetch bounded by its own timeout) and ends when no fetch is left or
// at its deadline, whichever is first: the deadline is the earliest one of
// the scrapes that asked for it (Prometheus' scrape timeout minus the
// offset; none: no deadline). Targets still fetching at the deadline are
// answered as down (uwsgi_up 0, error "no answer within the scrape's
// deadline"); their fetch goes on into the next poll, which does not ask
// them again and does not wait for them beyond its own deadline. A scrape
// that joins a poll in flight keeps its own deadline: a poll runs to the
// latest deadline of the scrapes that asked for it or joined it, and at
// each earlier one (or up to kInterimSlack before it) the poll thread
// renders an interim answer (the targets answered so far in this poll, the
// others down as above) for the scrapes due, and the poll goes on. So a
// client with a short deadline never cuts Prometheus' longer one short.
// The answer holds both text formats (self metrics first) and each target's
// state for the status page. After each poll `after_poll` runs (it may
// append instances and poll them, and remove instances, keeping alive any
// with a fetch in flight until that fetch was stored: --follow-vassals,
// vassal_follow.hpp), before the answer is rendered when every target
// answered in time, after it otherwise.
// replace_targets() (SIGHUP) hands in a new fleet that the poll thread takes
// before its next poll: an instance of the same name and address stays as
// it is (its state, failure count and any fetch in flight), the others
// leave (kept alive, unpolled, until no fetch is in flight) and the new ones
// join. Thread-safe; the poll runs on its own thread, stopped and joined by
// the destructor or stop().
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "uwsgitop/fleet/fleet.hpp"
#include "uwsgitop/fleet/fleet_poll.hpp"
#include "uwsgitop/output/prometheus.hpp"
#include "uwsgitop/serve/self_metrics.hpp"
#include "uwsgitop/serve/serve_log.hpp"

namespace uwsgitop {

struct PollAnswer {
    struct TargetState {
        std::string name;
        std::string address;
        std::string state;   // instance_state(): "ok", "error: ...", "stale 4s: ..."
    };
    std::string classic;       // Prometheus text 0.0.4
    std::string openmetrics;   // OpenMetrics text (ends in # EOF)
    std::vector<TargetState> targets;
    unsigned long poll = 0;    // which poll this is (1, 2, ...)
    uint64_t serial = 0;       // which answer (1, 2, ...): interim ones have their own

    // `openmetrics` or `classic` gzip-coded (gzip_body.hpp), made by the
    // first call, once, on any thread; empty when zlib could not.
    const std::string& gzipped(bool openmetrics) const;
    // The bytes of the two texts (what the answer keeps alive, give or take
    // its gzip forms, about a fifth of each).
    std::size_t bytes() const { return classic.size() + openmetrics.size(); }

private:
    mutable std::once_flag gzip_once_[2];
    mutable std::string gzipped_[2];
};

class SharedPoll {
public:
    static constexpr double kNoDeadline = std::numeric_limits<double>::infinity();
    static constexpr double kInterimSlack = 0.25;   // seconds an interim answer may come early

    // `log` (may be null): each target that goes down (warn, with its
    // error; also one that is down at its first poll) and that comes back
    // up (info), one line each.
    SharedPoll(std::vector<std::unique_ptr<Instance>>& fleet, unsigned concurrency, PrometheusOptions format,
               std::function<void()> after_poll = {}, ServeLog* log = nullptr);
    ~SharedPoll();
    SharedPoll(const SharedPoll&) = delete;
    SharedPoll& operator=(const SharedPoll&) = delete;

    // Blocks until the answer is there (see top). `deadline` is a
    // monotonic_seconds() time; the wait itself gives up 1 s after it (a
    // poll delayed by the previous one's stragglers) and then returns the
    // newest answer there is. Null only when there is none (stopping()
    // tells why).
    std::shared_ptr<const PollAnswer> scrape(double deadline = kNoDeadline);

    // The last answer (null before the first poll); never polls.
    std::shared_ptr<const PollAnswer> last() const;

    // The fleet to poll from the next poll on (see top); `taken` runs on the
    // poll thread right after the swap (--follow-vassals forgets the
    // Emperors it followed, so their vassals join the new fleet again).
    // Any thread.
    void replace_targets(std::vector<std::unique_ptr<Instance>> fresh, std::function<void()> taken = {});
    // Targets in the fleet, as of the last poll or replace_targets().
    std::size_t targets() const { return targets_.load(); }

    // Wakes every waiting scrape (they get null) and joins the poll thread.
    void stop();
    bool stopping() const;

private:
    void run();
    void poll_once();
    void take_replacement();   // the poll thread, before a poll
    void forget_gone_targets();   // the poll thread: self metrics of targets that left
    void fleet_changed();         // the poll thread, after after_poll_
    void log_changes(const std::vector<std::unique_ptr<Instance>>& view);
    std::shared_ptr<PollAnswer> render(const std::vector<std::unique_ptr<Instance>>& view);
    std::shared_ptr<PollAnswer> render_interim();   // the poll thread, between run_until() calls
    std::vector<std::unique_ptr<Instance>> lend_view(std::vector<char>& lent);
    void give_back(std::vector<std::unique_ptr<Instance>>& view, const std::vector<char>& lent);
    void drive();                                    // the poll thread: the fetches until done or the deadline
    double earliest_joined() const;                  // under mutex_

    std::vector<std::unique_ptr<Instance>>& fleet_;
    const unsigned concurrency_;
    const PrometheusOptions format_;
    const std::function<void()> after_poll_;
    SelfMetrics self_;   // only the poll thread touches it
    uint64_t rendered_ = 0;   // answers rendered (the poll thread's)

    mutable std::mutex mutex_;
    std::condition_variable cv_;
    unsigned long requested_ = 0;     // highest poll number asked for
    unsigned long answered_ = 0;      // highest poll number answered
    unsigned long in_flight_ = 0;     // poll running and not answered yet (0: none)
    std::vector<double> pending_deadlines_;   // of the scrapes waiting for poll requested_
    double flight_deadline_ = kNoDeadline;    // of poll in_flight_: its scrapes' latest
    std::vector<double> joined_;              // deadlines of scrapes that joined in_flight_ before flight_deadline_
    std::shared_ptr<const PollAnswer> last_;
    std::shared_ptr<const PollAnswer> interim_;   // of poll in_flight_, rendered at interim_at_
    double interim_at_ = 0;
    bool stopping_ = false;
    std::atomic<bool> stop_requested_{false};   // stopping_, read by the poll loop without the mutex
    std::vector<std::unique_ptr<Instance>> replacement_;   // under mutex_ (has_replacement_)
    bool has_replacement_ = false;
    std::function<void()> replacement_taken_;              // under mutex_
    std::vector<std::unique_ptr<Instance>> retired_;       // the poll thread's: left the fleet, maybe fetching
    std::atomic<std::size_t> targets_{0};
    ServeLog* const log_;
    std::unordered_map<std::string, bool> was_up_;   // the poll thread's: "NAME\nADDRESS" -> up at the last poll
    FleetPoll poll_;                            // only the poll thread drives it
    std::thread thread_;
};

}  // namespace uwsgitop
