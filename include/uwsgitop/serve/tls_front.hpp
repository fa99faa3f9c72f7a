// tls_front.hpp — the TLS port's doorman: each connection's first byte is
// looked at before libmicrohttpd gets it.
//
// A TLS client's first record is a handshake (byte 0x16); a client that
// speaks plain HTTP to the TLS port gets, instead of a silent close, "400
// Bad Request" with the one line "client sent an HTTP request to an HTTPS
// server" (as Go's servers answer) and is closed. TlsFront owns a thread
// that accepts on `listen_fd` (not owned, left open; made nonblocking), waits for each new
// connection's first byte without reading it (MSG_PEEK), and hands a TLS
// connection to `hand_off` (MHD_add_connection, which owns the socket from
// then on, also when it refuses it). A connection that sends nothing within
// `deadline` seconds, or closes, is closed; with `max_pending` connections
// waiting, a new one makes the oldest waiting one close (a client that
// opens connections and sends nothing cannot keep others out). Out of
// descriptors, it stops accepting for 0.1 s instead of spinning. `refused`
// is called (on the front's thread) for each plain-HTTP client, with its
// address. Thread-safe; the destructor stops and joins the thread and
// closes the connections still waiting.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "uwsgitop/base/wake_fd.hpp"

namespace uwsgitop {

class TlsFront {
public:
    // `since`: when it was accepted (monotonic_seconds()), for the request
    // deadline that started then.
    using HandOff = std::function<void(int fd, const sockaddr* addr, socklen_t len, double since)>;
    using Refused = std::function<void(const std::string& client)>;

    TlsFront(int listen_fd, double deadline, unsigned max_pending, HandOff hand_off, Refused refused);
    ~TlsFront();
    TlsFront(const TlsFront&) = delete;
    TlsFront& operator=(const TlsFront&) = delete;

    struct Counts {
        uint64_t handed = 0;       // given to hand_off
        uint64_t plain_http = 0;   // answered 400
        uint64_t dropped = 0;      // closed: silent past the deadline, or the oldest when full
    };
    Counts counts() const;

private:
    struct Pending {
        int fd;
        sockaddr_storage addr;
        socklen_t len;
        double since;
    };
    void run();
    void accept_all();
    void look_at(std::size_t i);   // pending_[i] is readable
    void drop(std::size_t i);

    const int listen_fd_;
    const double deadline_;
    const unsigned max_pending_;
    const HandOff hand_off_;
    const Refused refused_;
    WakeFd wake_;
    std::atomic<bool> stopping_{false};
    double accept_paused_until_ = 0;   // the thread's: out of descriptors, not accepting until then
    std::vector<Pending> pending_;   // the thread's alone
    std::atomic<uint64_t> handed_{0}, plain_http_{0}, dropped_{0};
    std::thread thread_;
};

}  // namespace uwsgitop
