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
#include <memory>
#include <optional>
#include <string>

#include "uwsgitop/source/address.hpp"
#include "uwsgitop/source/frame.hpp"
#include "uwsgitop/base/status.hpp"

namespace uwsgitop {

struct FetchLimits {
    double timeout_seconds = 3.0;            // connect + read of one snapshot
    std::size_t max_bytes = 256u << 20;      // larger replies are an error
};

class Source {
public:
    virtual ~Source() = default;
    Source() = default;
    Source(const Source&) = delete;
    Source& operator=(const Source&) = delete;

    // Reads one snapshot into `frame` (bytes cleared first, capacity reused).
    virtual Status fetch(Frame& frame) = 0;

    // The address as the user wrote it, for messages and labels.
    virtual const std::string& label() const = 0;

    // Recorded sources pace themselves: seconds to wait before the next fetch
    // (already divided by the replay speed). Live sources return nullopt and
    // the caller uses its refresh interval.
    virtual std::optional<double> delay_before_next() const { return std::nullopt; }

    // True once a finite source (file, stdin, a recording not looping) has
    // nothing more to give; fetch then fails with "end of recording".
    virtual bool exhausted() const { return false; }
};

// Builds the source for a live or file address. Never connects.
std::unique_ptr<Source> make_source(const Address& address, const FetchLimits& limits);

struct ReplayOptions {
    double speed = 1.0;   // >=0; 2 = twice as fast, 0 = no waiting
    bool loop = false;    // start again at the end (the demo does)
};

// A recording (--record's JSON-lines format) or a uWSGI --stats-push file
// (whole JSON documents separated by blank lines), detected from its content.
// Errors (unreadable file, no snapshot in it) come back from the first fetch
// or, when `error` is given, at open time.
std::unique_ptr<Source> make_replay_source(const std::string& path, const ReplayOptions& options,
                                           Status* error = nullptr);

}  // namespace uwsgitop
