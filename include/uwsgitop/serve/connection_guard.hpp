// connection_guard.hpp — the metrics server's whole-request deadline and its
// oldest-first eviction when the connection table is full.
//
// libmicrohttpd's own timeout is an idle timeout: a client that sends one
// byte a second is never closed by it. The guard tracks every connection
// from accept (opened) to close (closed) and ends, with shutdown(2) of its
// socket (the connection's thread then sees end of file and libmicrohttpd
// closes it), a connection that is
//   - still sending its request `request_timeout` seconds after it opened,
//     or after `idle_timeout + request_timeout` seconds after its previous
//     response ended (a keep-alive connection: its next request's first byte
//     is not visible, so the idle wait is granted on top), whatever the byte
//     rate: headers and body must both be in by then;
//   - the oldest one still sending its request when a new connection would
//     make more than `max_connections` open (the new one itself when every
//     other one has sent a whole request), so a scrape that sends its
//     request at once always gets in.
// A connection whose request is whole (answered) is not touched: writing
// the answer is bounded by the idle timeout alone. Socket descriptors are
// only shut down between opened() and closed() (the server calls closed()
// before libmicrohttpd closes the descriptor), under the guard's mutex.
// Thread-safe; a watchdog thread, started by the constructor and joined by
// the destructor, sleeps until the next deadline.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace uwsgitop {

class ConnectionGuard {
public:
    struct Counts {
        uint64_t timed_out = 0;   // shut down at the request deadline
        uint64_t evicted = 0;     // shut down to make room for a new connection
        uint64_t ended = 0;       // shut down by end()
    };

    ConnectionGuard(double request_timeout, double idle_timeout, unsigned max_connections);
    ~ConnectionGuard();
    ConnectionGuard(const ConnectionGuard&) = delete;
    ConnectionGuard& operator=(const ConnectionGuard&) = delete;

    // A new connection `key` on socket `fd`; true when it made room by
    // evicting the oldest one still sending its request. Its request
    // deadline counts from now, or from the time accepted(fd, since) gave
    // (the TLS front accepted it and waited for its first byte).
    bool opened(const void* key, int fd);
    void accepted(int fd, double since);
    // Its request is whole: no deadline until completed().
    void answered(const void* key);
    // Its response ended; a keep-alive connection waits for the next request.
    void completed(const void* key);
    // Gone (before its descriptor is closed).
    void closed(const void* key);
    // Shuts it down now, whatever its state (a reader holding an old answer
    // past --web-max-response-memory: answer_holds.hpp); unknown keys and
    // connections already shut down are left alone.
    void end(const void* key);

    Counts counts() const;
    std::size_t open() const;

private:
    struct Entry {
        int fd = -1;
        double since = 0;       // when its current request began to be awaited
        double deadline = 0;    // monotonic_seconds(); whole request by then
        bool waiting = true;    // still sending its request
        bool shut = false;      // shut down, not closed yet
    };

    void run();
    void shut(Entry& e);
    void evict_oldest_waiting();

    const double request_timeout_;
    const double idle_timeout_;
    const unsigned max_connections_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::unordered_map<const void*, Entry> entries_;
    std::unordered_map<int, double> accepted_;   // fd -> accepted at, until opened()
    std::size_t live_ = 0;   // entries not shut down
    Counts counts_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace uwsgitop
