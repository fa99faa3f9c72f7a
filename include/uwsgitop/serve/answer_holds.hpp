// answer_holds.hpp — which connections are still writing which poll's answer,
// and the memory that keeps alive.
//
// A /metrics response is written straight from the poll's shared answer (no
// copy per connection), so a connection that reads slowly keeps that poll's
// answer alive after newer polls replaced it. hold() registers a connection
// writing answer number `poll` (PollAnswer::serial: interim answers have
// their own) of `bytes`; the answers older than the newest one held count
// against `cap` bytes (the newest one is kept by
// the exporter anyway). When they exceed it, hold() returns the connections
// to end: those writing the oldest answers first, until the older answers
// held fit in `cap`. release() (the response was destroyed) forgets a hold;
// an answer is counted once however many connections hold it.
// Thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <vector>

namespace uwsgitop {

class AnswerHolds {
public:
    explicit AnswerHolds(std::size_t cap) : cap_(cap) {}

    // `hold` identifies this hold (unique while held); `connection` is what
    // to end. Returns the connections to end (never the one just added).
    std::vector<const void*> hold(const void* hold, const void* connection, unsigned long poll, std::size_t bytes);
    void release(const void* hold);

    // Bytes of the answers older than the newest one held.
    std::size_t older_bytes() const;

private:
    struct Answer {
        std::size_t bytes = 0;
        std::map<const void*, const void*> holds;   // hold -> connection
    };
    std::size_t older_bytes_locked() const;

    const std::size_t cap_;
    mutable std::mutex mutex_;
    std::map<unsigned long, Answer> answers_;   // by poll, oldest first
    std::map<const void*, unsigned long> poll_of_;   // hold -> poll
};

}  // namespace uwsgitop
