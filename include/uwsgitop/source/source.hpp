// source.hpp — the connector layer: where snapshots come from.
//
// Contract of Source::fetch:
//   * never has two connections open at once, and returns within
//     FetchLimits::timeout (connect + whole read) plus a small constant; it
//     connects once, except that a plain stats server which reset the
//     connection because of our --stats-http probe is read again once, within
//     the same deadline, without a probe;
//   * on success `frame.bytes` holds one whole JSON document (HTTP headers
//     stripped, chunked/gzip decoded) and the frame's clocks are set;
//   * on failure returns a one-line message naming the address and the cause,
//     e.g. "127.0.0.1:9191: connection refused",
//     "127.0.0.1:9191: timed out after 3.0s (no reply)", "...: reply cut short
//     after N bytes", "...: reply larger than 256 MiB";
//   * never throws.
// A plain stats socket that turns out to be a --stats-http server (it sends
// nothing after accept) is detected and asked over HTTP, see source/socket.cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <string_view>

#include "uwsgitop/source/address.hpp"
#include "uwsgitop/source/frame.hpp"
#include "uwsgitop/base/status.hpp"

namespace uwsgitop {

struct FetchLimits {
    double timeout_seconds = 3.0;            // connect + read of one snapshot
    std::size_t max_bytes = 256u << 20;      // larger replies are an error
    bool follow_redirects = true;            // http(s): up to 3 (a /probe follows none: a 3xx is an error)
};

// Where a recording's last fetched record lies: `index` in [0, count) within
// the window played (--begin/--end), `time` its recorded time; `first` and
// `last` the recorded times of the window's first and last records, `gap`
// the seconds to the nearer of its neighbours in the window (infinity when
// it has none; 0 when one was recorded at the same time). The header tells
// snapshots apart with them (summary.hpp); `b` aims with them (travel.hpp).
struct RecordPosition {
    std::size_t index = 0;
    std::size_t count = 0;
    double time = 0;
    double first = 0;
    double last = 0;
    double gap = std::numeric_limits<double>::infinity();
};

// A fetch driven by the caller's event loop instead of blocking a thread
// (Source::nonblocking). The same contract as Source::fetch (one connection
// at a time, the deadline, the messages); the caller waits on an epoll set:
//   * start(frame, epoll_fd, token) clears `frame` and begins; the fetch adds
//     its socket to `epoll_fd` (level-triggered, data.u64 = `token`) and
//     removes it before closing it (a retry may open another socket);
//   * advance(events) is called with the events epoll reported for `token`,
//     or with 0 once monotonic_seconds() reached wake_at() (harmless
//     earlier); it never blocks;
//   * start() and advance() return true once the fetch is over: its socket
//     is closed and result() says how it went (frame filled on success);
//   * cancel() abandons a fetch in flight (closes its socket); a fetch that
//     is over or was never started ignores it.
// One fetch at a time per source: the object belongs to its source.
class NonblockingFetch {
public:
    virtual ~NonblockingFetch() = default;
    virtual bool start(Frame& frame, int epoll_fd, uint64_t token) = 0;
    virtual bool advance(uint32_t events) = 0;
    virtual double wake_at() const = 0;
    virtual Status result() const = 0;
    virtual void cancel() = 0;
};

// A fetch whose reply is read as its reader asks for it (Source::streamed),
// so a parser can consume a big document while it arrives and never hold all
// of it (Pipeline's streamed parse). The same connection, deadline, limits
// and messages as Source::fetch, except:
//   * the reply goes into `frame.bytes` without ever growing it past the
//     capacity it had at begin() less one byte, so the bytes never move;
//   * the reader may drop the bytes it is done with (moving the rest to the
//     front) and says so with forget(n): sizes in messages and the limit
//     count the whole reply;
//   * a reply that does not fit that capacity, or turns out to be HTTP, is
//     not read on: the fetch stops with needs_whole() true (result() failed)
//     and the caller reads the document again with fetch_whole().
// begin(frame) clears the bytes and connects; more(want) reads until `want`
// more bytes have arrived (or fewer, once the reply is over) and returns
// false once it is over (end, error, deadline, needs_whole): result() then
// says how it went, as fetch() would have (for example "reply cut short
// after N bytes"); received() counts the reply's bytes so far, the
// forgotten ones included. cancel() abandons a fetch in flight. fetch_whole() is
// Source::fetch() bounded by the last begin()'s deadline, not a new one: the
// whole read a caller falls back to keeps the refresh within one timeout.
// Never throws.
class StreamedFetch {
public:
    virtual ~StreamedFetch() = default;
    virtual void begin(Frame& frame) = 0;
    virtual bool more(std::size_t want) = 0;
    virtual void forget(std::size_t n) = 0;
    virtual std::size_t received() const = 0;
    virtual Status result() const = 0;
    virtual bool needs_whole() const = 0;
    virtual void cancel() = 0;
    virtual Status fetch_whole(Frame& frame) = 0;
};

class Source {
public:
    virtual ~Source() = default;
    Source() = default;
    Source(const Source&) = delete;
    Source& operator=(const Source&) = delete;

    // Reads one snapshot into `frame` (bytes cleared first, capacity reused).
    virtual Status fetch(Frame& frame) = 0;

    // The event-loop form of fetch() (see NonblockingFetch), or nullptr when
    // this source can only block: files, stdin, recordings, http(s) through
    // libcurl, and TCP hosts given by name (the lookup runs on a thread).
    // Socket sources (TCP to an IP literal, unix, abstract) have one.
    virtual NonblockingFetch* nonblocking() { return nullptr; }

    // The streamed form of fetch() (see StreamedFetch), or nullptr: only a
    // socket source whose server is known to write plain JSON (not
    // --stats-http, which the first fetch finds out) offers one.
    virtual StreamedFetch* streamed() { return nullptr; }
    // The address as the user wrote it, for messages and labels.
    virtual const std::string& label() const = 0;

    // Recorded sources pace themselves: seconds to wait before the next fetch
    // (already divided by the replay speed). Live sources return nullopt and
    // the caller uses its refresh interval.
    virtual std::optional<double> delay_before_next() const { return std::nullopt; }
    // Recorded sources: the playback speed from now on (as ReplayOptions'
    // `speed`: 2 twice as fast, 0 no waiting). Live sources ignore it.
    virtual void set_speed(double /*speed*/) {}

    // True once a finite source (file, stdin, a recording not looping) has
    // nothing more to give; fetch then fails with "end of recording".
    virtual bool exhausted() const { return false; }

    // Time travel, for recordings with recorded times (JSON lines): the
    // position of the record the last successful fetch returned (nullopt for
    // live sources, before the first fetch, and for recordings without times).
    virtual std::optional<RecordPosition> position() const { return std::nullopt; }
    // Makes the next fetch return record `index` of the window; -1 is the
    // record just before the window (to compute the first one's rates from
    // its recorded neighbour). False, and nothing changes, when there is no
    // such record or the source cannot travel. Constant time (the index is
    // built on open).
    virtual bool seek(std::ptrdiff_t /*index*/) { return false; }
    // The index in the window of the first record recorded at or after `t`,
    // the last one if none is.
    virtual std::size_t index_at(double /*t*/) const { return 0; }
};

// A --begin/--end time as given: epoch seconds, or a local time of day
// (seconds after midnight) resolved against the recording's first day.
struct TimeSpec {
    enum class Kind : uint8_t { None, Epoch, TimeOfDay } kind = Kind::None;
    double value = 0;
    // The span the text named: 60 for HH:MM, 1 for HH:MM:SS, 0.1 for
    // HH:MM:SS.f; 0 when not from text. An --end takes all of it.
    double unit = 0;
};

// Parses local "HH:MM[:SS]" or ISO 8601 "YYYY-MM-DD[T ]HH:MM[:SS[.fff]]"
// with an optional "Z" or "+HH:MM"/"-HH:MM" (none: local time). The error
// names the text and the accepted forms.
Status parse_time_spec(std::string_view text, TimeSpec& out);

// Builds the source for a live or file address. Never connects.
std::unique_ptr<Source> make_source(const Address& address, const FetchLimits& limits);

struct ReplayOptions {
    double speed = 1.0;   // >=0; 2 = twice as fast, 0 = no waiting
    bool loop = false;    // start again at the end (the demo does)
    TimeSpec begin, end;  // the window played: records recorded in [begin, end + end.unit)
    // The largest record read (--max-size): a longer line is never read
    // whole (nor kept whole when decompressed); its fetch is one error
    // naming the file and the line, and the next fetch plays the next one.
    std::size_t max_record = std::size_t{256} << 20;
};

// A recording (--record's JSON-lines format, plain or zstd, alone or a
// rotated set) or a uWSGI --stats-push file (whole JSON documents separated
// by blank lines), detected from its content. A window (begin/end) needs
// recorded times and at least one record in it, else the open fails
// ("PATH: --begin 14:00 to --end 15:00: no snapshot recorded in it").
// Errors (unreadable file, no snapshot in it) come back from the first fetch
// or, when `error` is given, at open time. `notes`, when given, gets one
// line per member of a rotated set that was skipped (bad zstd data, bad
// magic, a directory, a gap) or cut short by damage: the rest still plays.
std::unique_ptr<Source> make_replay_source(const std::string& path, const ReplayOptions& options,
                                           Status* error = nullptr, std::vector<std::string>* notes = nullptr);

}  // namespace uwsgitop
