// fleet.hpp — many uWSGI instances polled at once.
//
// A Target is a name and an address ("name=ADDRESS" in a --targets file, or a
// bare ADDRESS whose name is the address itself). An Instance owns the
// pipeline of one target plus its last good snapshot, its rates and its state.
// poll_fleet() refreshes every instance concurrently (fleet_poll.hpp: one
// epoll loop for the socket targets, at most `concurrency` threads for the
// others); each fetch is bounded by its own timeout, so one dead or slow
// instance never delays the others beyond that timeout.
// A failed poll keeps the instance's last good snapshot and records the error
// and when it last succeeded (the "stale Ns" state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "uwsgitop/pipeline/pipeline.hpp"
#include "uwsgitop/source/source.hpp"

namespace uwsgitop {

struct Target {
    std::string name;
    std::string address;
    std::string fifo = {};  // the instance's master FIFO ("fifo=PATH"; "" = none given)
    std::string tracebacker = {};  // its --py-tracebacker PREFIX ("tracebacker=PREFIX"; "" = the master's)
    // The address of the Emperor that lists it as a vassal ("" = none known):
    // set by following the Emperor (vassal_follow.hpp) and by the screen's v;
    // the fleet screen groups vassals under it.
    std::string emperor = {};
};

// Reads a targets file: one target per line, "ADDRESS" or "NAME=ADDRESS",
// optionally followed by " fifo=PATH" (that instance's master FIFO, for the
// fleet screen's actions) and " tracebacker=PREFIX" (its --py-tracebacker, for
// the Python stacks of its details), blank lines and comments ignored ('#' at the start
// of a line or after a space or tab; "web#2=ADDRESS" is a name). PATH "-" is
// standard input (a pipe, a FIFO, a file), read to its end within
// `stdin_timeout_seconds`; any other PATH must be a regular file (a
// directory, a FIFO, a device are refused before anything is read). Nothing
// past kMaxTargetsBytes is read. Errors are one line, "--targets PATH: ..."
// (base/file_read.hpp's causes), "--targets PATH:LINE: ...".
inline constexpr std::size_t kMaxTargetsBytes = std::size_t{16} << 20;
Status read_targets_file(const std::string& path, std::vector<Target>& out, double stdin_timeout_seconds = 3.0);

// The targets in `text` (a targets file's contents), appended to `out`;
// `shown` is the file's name as errors show it (escaped).
Status parse_targets_text(std::string_view text, const std::string& shown, std::vector<Target>& out);

// One target line without its comment: "NAME=ADDRESS" or "ADDRESS", then
// whitespace-separated fields, of which only "fifo=PATH" and
// "tracebacker=PREFIX" exist (each not empty, once). The ADDRESS must parse (address.hpp) and a NAME has no
// control characters. The error is one line saying what is wrong (the
// caller prefixes where), a bad field cut to 60 columns.
Status parse_target_line(const std::string& line, Target& out);

// "NAME=ADDRESS" or "ADDRESS" (a name never contains ':' '/' '@' or '[').
Target target_from_text(const std::string& text);

uint64_t next_instance_serial();

struct Instance {
    Target target;
    std::unique_ptr<Pipeline> pipeline;
    Snapshot snapshot;            // last good snapshot (valid when has_data)
    Rates rates;
    bool has_data = false;
    bool last_ok = false;         // the most recent poll succeeded
    std::string error;            // the most recent failure (escaped, one line)
    double last_ok_wall = 0;      // wall time of the last good snapshot
    double last_ok_mono = 0;      // monotonic time of the last good poll
    double last_poll_mono = 0;    // when the latest poll started
    uint64_t polls_stored = 0;    // outcomes stored so far (store_poll)
    // Unique in the process (never reused, unlike an address): what follows
    // an instance across changes of the fleet (fleet_events.hpp).
    uint64_t serial = next_instance_serial();
    bool followed = false;        // added by following an Emperor (vassal_follow.hpp)

    // Scratch for the poll in flight (swapped into snapshot on success).
    Snapshot incoming;
    Rates incoming_rates;
    // A FleetPoll fetch is in flight (started in its round `poll_round`;
    // `poll_holds_round`: counted in that round's round_pending()).
    bool polling = false;
    bool poll_holds_round = false;
    unsigned long poll_round = 0;
};

// Builds the instances; an address that does not parse is a usage error
// naming it. `limits` bounds each fetch. Names are unique within a fleet: a
// name already taken gets `#2`, `#3`... (add_targets too), so a row, an
// event and a Prometheus `instance` label name one instance. Time is linear
// in the targets (a hash of the names; 100,000 targets: bench/RESULTS.md).
Status make_fleet(const std::vector<Target>& targets, const FetchLimits& limits,
                  std::vector<std::unique_ptr<Instance>>& out);

// Polls one instance once (bounded by its own timeout): on success its
// snapshot and rates are replaced, otherwise `error` says why and the last
// good snapshot stays. poll_fleet runs this for every instance.
void poll_instance(Instance& inst);
// The second half of poll_instance: stores the outcome `st` of a refresh
// that wrote inst.incoming and inst.incoming_rates (fleet_poll.hpp).
void store_poll(Instance& inst, const Status& st);

// Polls every instance once and returns when all have answered or timed out:
// a FleetPoll (fleet_poll.hpp) round, so every socket target is fetched at
// once (one epoll loop) and `concurrency` bounds the threads of the others.
void poll_fleet(std::vector<std::unique_ptr<Instance>>& fleet, unsigned concurrency);

// Growing a fleet (the fleet screen, and --once/--batch with --follow-vassals:
// vassal_follow.hpp).
// add_targets makes an instance, parsing with `scope`, for each target whose
// address the fleet does not poll yet (repeats and addresses that do not
// parse are skipped), and appends them. With `poll_now` it first polls the
// new ones once, concurrently, so they come with a state of their own (a
// one-shot dump needs that); without, they wait for the caller's next round
// (the fleet screen: a new member that never answers must not hold up the
// hand-over of the others' rows for its timeout).
void add_targets(std::vector<std::unique_ptr<Instance>>& fleet, const std::vector<Target>& targets,
                 const FetchLimits& limits, unsigned concurrency, ParseScope scope, bool poll_now = true);

// "ok", "stale 4s: <error>", "error: <error>", or "polling" before the
// first fetch of an instance ended, for an instance at `now_mono`.
std::string instance_state(const Instance& inst, double now_mono);

}  // namespace uwsgitop
