// socket.cpp — the TCP / unix / abstract socket source.
//
// One fetch = one connection: a non-blocking connect (each resolved address
// in turn), then reading until EOF, all within FetchLimits::timeout_seconds
// and FetchLimits::max_bytes. Bytes are received straight into the frame's
// vector, which keeps its capacity between fetches. The fetch is a state
// machine (Idle, Retry, Connecting, Reading, Done) that never blocks: a
// caller's epoll loop drives it through Source::nonblocking() (the fleet
// poller: one thread for a thousand sockets), and fetch() drives it with an
// epoll set of its own. Only a TCP host given by name blocks, in its lookup
// (resolve.hpp), so such a source offers no nonblocking().
//
// stats-http detection. A plain uWSGI stats socket writes the document as
// soon as it accepts and never reads; with --stats-http the master waits for
// a request and sends nothing until it gets one (any bytes will do). So when
// nothing has arrived kProbeWait after connecting, the source sends
// "GET / HTTP/1.0" on the same connection and keeps reading. A reply that
// starts with "HTTP/1." is decoded as HTTP (status, headers, chunked).
// The source remembers what the server turned out to be:
//   Unknown -> probe after kProbeWait;
//   Http    -> send the request right after connecting;
//   Plain   -> never send anything; a timeout with no byte at all sets the
//              source back to Unknown (the server may have been restarted
//              with --stats-http), so the next fetch probes again.
// Bytes sent to a plain server are never read by it, and when it closes with
// them unread the kernel resets the connection: the reset may come after the
// whole document (accepted: the reply is complete) or cut a big reply short
// (a busy master answers later than kProbeWait). In that one case the source
// now knows the server is plain and, within the same deadline, connects once
// more and reads without sending anything: the only time a fetch makes a
// second (sequential, never concurrent) connection.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <cstddef>
#include <string>
#include <utility>

#include "connector.hpp"
#include "uwsgitop/base/clock.hpp"
#include "uwsgitop/base/proc_stat.hpp"
#include "uwsgitop/base/unique_fd.hpp"
#include "uwsgitop/source/resolve.hpp"

namespace uwsgitop {
namespace detail {

namespace {

constexpr double kProbeWait = 0.12;
// What a streamed fetch reads at most per recv(): the resident part of a
// document read as it arrives is a few of these.
constexpr std::size_t kStreamStep = 65536;
// A big reply from a plain TCP server is waited for until kLowWaterMax bytes
// (or the last reply's size, if smaller) are queued (see set_low_water).
constexpr std::size_t kLowWaterFrom = 262144;
constexpr std::size_t kLowWaterMax = 2097152;
// How long the addresses of a named host are reused before looking it up again
// (any failed connect also forces a new lookup).
constexpr double kLookupReuseSeconds = 30.0;
constexpr char kHttpRequest[] = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// The first and last non-space bytes of [p, p + n) (false, and nothing set,
// if none). uWSGI's documents are always objects: a reply "{...}" is
// plausibly whole, "{..." was cut.
bool ends_of(const char* p, std::size_t n, char& first, char& last) {
    std::size_t b = 0;
    std::size_t e = n;
    while (b < e && is_space(p[b])) ++b;
    while (e > b && is_space(p[e - 1])) --e;
    if (b == e) return false;
    first = p[b];
    last = p[e - 1];
    return true;
}

// The start time of PID (base/proc_stat.hpp), or 0.
uint64_t start_time_of(int pid) {
    const std::string path = "/proc/" + std::to_string(pid) + "/stat";
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    char buf[1024];
    const ssize_t n = fd.get() < 0 ? -1 : ::read(fd.get(), buf, sizeof buf);
    if (n <= 0) return 0;
    return stat_start_time(std::string_view(buf, static_cast<std::size_t>(n))).value_or(0);
}

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77  // Linux 6.5
#endif

// Whether the process that listened is still the one with p.pid, and since
// when it runs: the kernel's pidfd of the listener (SO_PEERPIDFD) polls
// readable once that process has exited, whatever has the pid number now.
// Without SO_PEERPIDFD (older kernels) the start time is read unchecked.
void listener_lifetime(int fd, Peer& p) {
    int pidfd = -1;
    socklen_t len = sizeof pidfd;
    const bool pinned = ::getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) == 0 && pidfd >= 0;
    // Only a kernel without the option may go on unchecked; any other error
    // (EINVAL on 6.5-6.15 when the listener was reaped) is an exited listener.
    if (!pinned && errno != ENOPROTOOPT && errno != EOPNOTSUPP) {
        p.listener_exited = true;
        return;
    }
    const UniqueFd owned(pinned ? pidfd : -1);
    const auto exited = [&] {
        pollfd q{pidfd, POLLIN, 0};
        return pinned && ::poll(&q, 1, 0) > 0;
    };
    if (exited()) {
        p.listener_exited = true;
        return;
    }
    p.start_time = start_time_of(p.pid);
    // It ended while we read (the start time may be another process's), or
    // no process has that pid now: the pid proves nothing.
    if (exited() || p.start_time == 0) {
        p.start_time = 0;
        p.listener_exited = true;
    }
}

// Who is at the other end of the connected socket `fd`, as the kernel says:
// SO_PEERCRED for a unix socket (the process that listened), getpeername()
// for TCP (the exact address reached). Kind::None when it will not say.
Peer peer_of(int fd) {
    Peer p;
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return p;
    if (ss.ss_family == AF_UNIX) {
        ucred cred{};
        socklen_t clen = sizeof cred;
        if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0 || cred.pid <= 0) return p;
        p.kind = Peer::Kind::Unix;
        p.pid = cred.pid;
        p.uid = cred.uid;
        listener_lifetime(fd, p);
    } else if (ss.ss_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
        p.kind = Peer::Kind::Tcp;
        std::memcpy(p.addr.data(), &in->sin_addr, 4);
        p.port = ntohs(in->sin_port);
    } else if (ss.ss_family == AF_INET6) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
        p.kind = Peer::Kind::Tcp;
        p.v6 = true;
        std::memcpy(p.addr.data(), &in6->sin6_addr, 16);
        p.port = ntohs(in6->sin6_port);
    }
    return p;
}

// How useful a connect error is for the message when several addresses fail.
int error_rank(int err) {
    switch (err) {
        case ETIMEDOUT: return 3;
        case ENETUNREACH:
        case EHOSTUNREACH:
        case EADDRNOTAVAIL:
        case EAFNOSUPPORT: return 1;
        default: return 2;
    }
}

struct Endpoint {
    sockaddr_storage addr{};
    socklen_t len = 0;
    int family = AF_UNSPEC;
};

// sockaddr_un for a file-system path or an abstract name; uWSGI binds "@name"
// as "\0name\0" (`trailing_nul`), other servers as "\0name".
Endpoint unix_endpoint(const std::string& path, bool abstract, bool trailing_nul) {
    Endpoint ep;
    auto* sun = reinterpret_cast<sockaddr_un*>(&ep.addr);
    sun->sun_family = AF_UNIX;
    const std::size_t base = offsetof(sockaddr_un, sun_path);
    if (abstract) {
        sun->sun_path[0] = '\0';
        std::memcpy(sun->sun_path + 1, path.data(), path.size());
        ep.len = static_cast<socklen_t>(base + 1 + path.size() + (trailing_nul ? 1 : 0));
    } else {
        std::memcpy(sun->sun_path, path.data(), path.size());
        ep.len = static_cast<socklen_t>(base + path.size() + 1);
    }
    ep.family = AF_UNIX;
    return ep;
}

// True when `host` is an IPv4 or IPv6 literal (resolving it never blocks).
bool numeric_host(const std::string& host) {
    in6_addr a6{};
    in_addr a4{};
    return ::inet_pton(AF_INET, host.c_str(), &a4) == 1 || ::inet_pton(AF_INET6, host.c_str(), &a6) == 1;
}

// The source is a state machine (SocketFetch's phases) that either the
// caller's event loop drives (nonblocking()) or fetch() drives itself with a
// private epoll set: one code path for both.
class SocketSource final : public Source, private NonblockingFetch, private StreamedFetch {
public:
    SocketSource(const Address& address, const FetchLimits& limits, LookupFunction lookup)
        : address_(address), limits_(limits), lookup_(lookup) {
        if (address_.kind == AddressKind::HttpUnix) {
            protocol_ = Protocol::Http;
            abstract_ = !address_.path.empty() && address_.path.front() == '@';
            unix_path_ = abstract_ ? address_.path.substr(1) : address_.path;
        } else if (address_.kind == AddressKind::Abstract) {
            abstract_ = true;
            unix_path_ = address_.path;
        } else if (address_.kind == AddressKind::Unix) {
            unix_path_ = address_.path;
        }
        tcp_ = address_.kind == AddressKind::Tcp;
        evented_ = !tcp_ || numeric_host(address_.host);
    }
    ~SocketSource() override { cancel(); }

    const std::string& label() const override { return address_.text; }

    NonblockingFetch* nonblocking() override { return evented_ ? this : nullptr; }

    // Only once a fetch found the server plain: the probe and the HTTP
    // decoding of an unknown server need the whole reply.
    StreamedFetch* streamed() override { return protocol_ == Protocol::Plain ? this : nullptr; }

    Status fetch(Frame& frame) override {
        UniqueFd ep(::epoll_create1(EPOLL_CLOEXEC));
        if (ep.get() < 0) {
            frame.bytes.clear();
            return fail(errno_text(errno));
        }
        bool over = start_fetch(frame, ep.get(), 0, true);
        while (!over) over = wait_and_advance(ep.get());
        return result();
    }

private:
    // One epoll_wait on `ep` (the fetch's private set) and the step it
    // allows; true once the fetch is over.
    bool wait_and_advance(int ep) {
        for (;;) {
            epoll_event ev{};
            const int rc = ::epoll_wait(ep, &ev, 1, wait_ms_until(wake_at(), monotonic_seconds(), 600000));
            if (rc < 0 && errno == EINTR) continue;
            if (rc < 0) {
                const int err = errno;
                cancel();
                result_ = fail(errno_text(err));
                phase_ = Phase::Done;
                return true;
            }
            return advance(rc > 0 ? ev.events : 0);
        }
    }

    // --- StreamedFetch: fetch() in steps, into a buffer that never grows ---

    void begin(Frame& frame) override {
        stream_ep_.reset(::epoll_create1(EPOLL_CLOEXEC));
        if (stream_ep_.get() < 0) {
            const int err = errno;
            reset_for(frame);
            needs_whole_ = true;  // fetch_whole() reports it, or reads
            finish(fail(errno_text(err)));
            return;
        }
        start_fetch(frame, stream_ep_.get(), 0, true);
        stream_deadline_ = deadline_;
        // One byte of the capacity stays free for the reader's NUL.
        stream_limit_ = frame.bytes.capacity() > 1 ? frame.bytes.capacity() - 1 : 1;
    }

    void forget(std::size_t n) override { dropped_ += n; }

    // fetch() with the streamed fetch's deadline instead of a new one.
    Status fetch_whole(Frame& frame) override {
        next_deadline_ = stream_deadline_;
        return fetch(frame);
    }

    bool more(std::size_t want) override {
        if (phase_ == Phase::Done || phase_ == Phase::Idle) return false;
        const std::size_t goal = frame_->bytes.size() + want;
        bool over = false;
        while (!over && frame_->bytes.size() < goal) {
            // Most of a big reply is waiting in the socket already: read
            // first, wait only when nothing came.
            if (phase_ == Phase::Reading) {
                const std::size_t before = received();
                over = advance(EPOLLIN);
                if (over || received() > before) continue;
            }
            over = wait_and_advance(stream_ep_.get());
        }
        return !over;
    }

    bool needs_whole() const override { return needs_whole_; }

    enum class Protocol { Unknown, Plain, Http };
    enum class Phase { Idle, Retry, Connecting, Reading, Done };

    // --- NonblockingFetch ---

    bool start(Frame& frame, int epoll_fd, uint64_t token) override {
        return start_fetch(frame, epoll_fd, token, false);
    }

    // start(); `own_loop`: fetch() or a streamed fetch drives it (one fetch
    // at a time, so it may wait on a low-water mark), not a caller's event
    // loop with many sockets (the fleet poller, the exporter).
    bool start_fetch(Frame& frame, int epoll_fd, uint64_t token, bool own_loop) {
        reset_for(frame);
        own_loop_ = own_loop;
        ep_ = epoll_fd;
        token_ = token;
        deadline_ = next_deadline_ > 0 ? next_deadline_ : monotonic_seconds() + limits_.timeout_seconds;
        next_deadline_ = 0;
        begin_connecting();
        return phase_ == Phase::Done;
    }

    // A new fetch into `frame`: the one in flight abandoned, the per-fetch
    // state as before any byte (what the source learnt stays).
    void reset_for(Frame& frame) {
        cancel();
        frame_ = &frame;
        frame.bytes.clear();
        frame.peer = {};
        second_connection_ = false;
        stream_limit_ = 0;  // begin() sets it for a streamed fetch
        needs_whole_ = false;
        dropped_ = 0;
        first_ = -1;
        last_ = '\0';
    }

    bool advance(uint32_t events) override {
        switch (phase_) {
            case Phase::Idle:
            case Phase::Done: return true;
            case Phase::Retry:
                if (monotonic_seconds() >= retry_at_) try_connect();
                break;
            case Phase::Connecting:
                if (events != 0) {
                    int so_error = 0;
                    socklen_t len = sizeof so_error;
                    if (::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &so_error, &len) != 0) so_error = errno;
                    if (so_error == 0) start_reading();
                    else connect_failed(so_error);
                }
                break;
            case Phase::Reading:
                if (events != 0) read_some();
                else if (probing() && monotonic_seconds() >= probe_at_) {
                    send_request(fd_.get());
                    sent_ = true;
                }
                break;
        }
        if (phase_ != Phase::Done && monotonic_seconds() >= deadline_) deadline_passed();
        return phase_ == Phase::Done;
    }

    double wake_at() const override {
        if (phase_ == Phase::Retry) return std::min(retry_at_, deadline_);
        if (phase_ == Phase::Reading && probing()) return std::min(probe_at_, deadline_);
        return deadline_;
    }

    Status result() const override { return result_; }

    void cancel() override {
        if (phase_ == Phase::Done || phase_ == Phase::Idle) return;
        close_socket();
        stream_ep_.reset();
        phase_ = Phase::Idle;
    }

    // --- the phases ---

    Status fail(const std::string& cause) const { return Status::fail(address_.text + ": " + cause); }

    Status timed_out(const char* phase) const {
        return fail("timed out after " + seconds_text(limits_.timeout_seconds) + " (" + phase + ")");
    }

    void finish(Status st) {
        if (st.is_ok() && frame_ != nullptr) last_reply_ = received();
        close_socket();
        stream_ep_.reset();  // a streamed fetch's set, once nothing is in it
        result_ = std::move(st);
        phase_ = Phase::Done;
    }

    void close_socket() {
        if (fd_.get() >= 0 && registered_) ::epoll_ctl(ep_, EPOLL_CTL_DEL, fd_.get(), nullptr);
        registered_ = false;
        fd_.reset();
    }

    void watch(uint32_t events) {
        epoll_event ev{};
        ev.events = events;
        ev.data.u64 = token_;
        if (::epoll_ctl(ep_, registered_ ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd_.get(), &ev) == 0) {
            registered_ = true;
        } else {
            finish(fail(errno_text(errno)));
        }
    }

    // The endpoints of this connection attempt: the TCP addresses (looked
    // up, or reused, see below), or the unix path; an abstract name first
    // the uWSGI way ("\0name\0"), then the plain "\0name".
    void begin_connecting() {
        targets_.clear();
        next_target_ = 0;
        best_err_ = 0;
        if (tcp_) {
            // resolve.hpp: literals at once, names on a thread bounded by
            // the deadline (only fetch() reaches this for a name: such a
            // source has no nonblocking()). The addresses found are kept for
            // kLookupReuseSeconds while connecting to them works, so a named
            // host costs one lookup (and one thread) per half minute.
            const double now = monotonic_seconds();
            if (endpoints_.empty() || now - resolved_at_ >= kLookupReuseSeconds) {
                Status resolved =
                    resolve_stream_endpoints_with(lookup_, address_.host, address_.port, deadline_, endpoints_);
                if (!resolved) {
                    endpoints_.clear();
                    if (resolved.message() == kNameLookupTimedOut) return finish(timed_out("name lookup"));
                    return finish(fail(resolved.message()));
                }
                resolved_at_ = now;
            }
            for (const StreamEndpoint& found : endpoints_) {
                Endpoint ep;
                ep.addr = found.addr;
                ep.len = found.len;
                ep.family = found.family;
                targets_.push_back(ep);
            }
            if (targets_.empty()) return finish(connect_error(EADDRNOTAVAIL));
        } else {
            targets_.push_back(unix_endpoint(unix_path_, abstract_, true));
        }
        try_connect();
    }

    void try_connect() {
        const Endpoint& ep = targets_[next_target_];
        if (phase_ != Phase::Retry || fd_.get() < 0) {
            close_socket();
            fd_.reset(::socket(ep.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
            if (fd_.get() < 0) return connect_failed(errno);
            set_low_water();
        }
        for (;;) {
            if (::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&ep.addr), ep.len) == 0) return start_reading();
            const int err = errno;
            if (err == EAGAIN && ep.family == AF_UNIX) {
                // The listen queue of a unix socket is full: retry until the deadline.
                phase_ = Phase::Retry;
                retry_at_ = monotonic_seconds() + 0.005;
                return;
            }
            if (err == EINTR) continue;
            if (err != EINPROGRESS) return connect_failed(err);
            break;
        }
        phase_ = Phase::Connecting;
        watch(EPOLLOUT);
    }

    // One endpoint failed with `err` (ETIMEDOUT: the deadline passed):
    // the next one, or the most telling error.
    void connect_failed(int err) {
        close_socket();
        if (tcp_) {
            if (best_err_ == 0 || error_rank(err) > error_rank(best_err_)) best_err_ = err;
            if (err != ETIMEDOUT && ++next_target_ < targets_.size()) return try_connect();
            endpoints_.clear();  // the host may have moved: look it up again next time
            return finish(connect_error(best_err_));
        }
        if (targets_.size() == 1 && abstract_ && err == ECONNREFUSED) {
            // Not bound the uWSGI way; try the plain "\0name" form.
            best_err_ = err;
            targets_.push_back(unix_endpoint(unix_path_, true, false));
            next_target_ = 1;
            return try_connect();
        }
        if (best_err_ == 0 || err != ECONNREFUSED) best_err_ = err;
        finish(connect_error(best_err_));
    }

    void deadline_passed() {
        if (phase_ == Phase::Retry || phase_ == Phase::Connecting) return connect_failed(ETIMEDOUT);
        if (low_water_) low_water_works_ = false;  // see set_low_water
        const std::size_t got = received() + queued();
        if (got == 0) {
            if (protocol_ == Protocol::Plain) protocol_ = Protocol::Unknown;
            return finish(timed_out("no reply"));
        }
        finish(timed_out(("reading, " + std::to_string(got) + " bytes so far").c_str()));
    }

    Status connect_error(int err) const {
        if (err == ETIMEDOUT) return timed_out("connect");
        if (err == ECONNREFUSED && abstract_) return fail("no such abstract socket (connection refused)");
        if (err == ECONNREFUSED && !unix_path_.empty()) {
            struct stat st {};
            if (::stat(unix_path_.c_str(), &st) == 0 && !S_ISSOCK(st.st_mode)) return fail("not a socket");
            return fail("connection refused (no server on the socket)");
        }
        return fail(errno_text(err));
    }

    static void send_request(int fd) {
        // Errors are ignored: a server that already closed has left its reply
        // in our receive queue, and reading finds out the rest.
        const ssize_t n = ::send(fd, kHttpRequest, sizeof kHttpRequest - 1, MSG_NOSIGNAL);
        (void)n;
    }

    bool probing() const { return may_probe_ && !sent_ && frame_->bytes.empty(); }

    void start_reading() {
        phase_ = Phase::Reading;
        frame_->peer = peer_of(fd_.get());
        const std::size_t max = limits_.max_bytes;
        cap_ = max >= SIZE_MAX / 2 ? max : max + 1;  // one byte more detects "too large"
        sent_ = false;
        http_ = false;
        if (protocol_ == Protocol::Http) {
            send_request(fd_.get());
            sent_ = true;
        }
        may_probe_ = protocol_ == Protocol::Unknown;
        probe_at_ = monotonic_seconds() + kProbeWait;
        watch(EPOLLIN);
    }

    // Bytes of the reply so far (a streamed fetch's reader drops some).
    std::size_t received() const override { return frame_ != nullptr ? dropped_ + frame_->bytes.size() : 0; }

    // Before connecting to a server known to be plain whose last reply was
    // big: SO_RCVLOWAT of that size (at most kLowWaterMax), so epoll reports
    // the socket readable only once that much is queued, or at EOF (every
    // plain reply ends with one). The kernel also grows the receive buffer
    // to hold that much from the start (up to half of tcp_rmem's maximum),
    // where it would otherwise begin at about 64 KiB and grow as we read:
    // the server's writes then go out in a few large pieces instead of being
    // paced by our acknowledgements, whose sending (on loopback, the
    // server's next segments with them) would run in our thread. On the
    // 4 MB document that is about 1 ms less CPU per refresh
    // (bench/RESULTS.md). The frame's time is when the first bytes were
    // read, so with a mark it comes when the mark is reached (on loopback,
    // a millisecond or two after the first byte). Only for fetches that
    // drive themselves (fetch(), a streamed fetch: one socket at a time),
    // never in a caller's loop of many sockets, which could then hold 2 MiB
    // each in the kernel. Never before the protocol is known: the probe of
    // an unknown server needs to see its first byte. Not for HTTP or unix
    // sockets. Best effort (a refused option changes nothing); a read that
    // times out with a mark turns the mark off for this source, in case
    // this kernel does not wake the reader before its window closes.
    void set_low_water() {
        low_water_ = false;
        if (!own_loop_ || !low_water_works_ || !tcp_ || protocol_ != Protocol::Plain || last_reply_ < kLowWaterFrom) {
            return;
        }
        const int bytes = static_cast<int>(std::min(last_reply_, kLowWaterMax));
        low_water_ = ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVLOWAT, &bytes, sizeof bytes) == 0;
    }

    // Bytes queued on the socket and not read yet (below the low-water
    // mark, or not waited for): a timed-out read counts them as received.
    std::size_t queued() const {
        int n = 0;
        if (fd_.get() < 0 || ::ioctl(fd_.get(), FIONREAD, &n) != 0 || n < 0) return 0;
        return static_cast<std::size_t>(n);
    }

    // Room for the next recv(), 0 when the reply may not grow: a streamed
    // fetch reads kStreamStep at a time into the room it was given, and a
    // reply that outgrows that room is needs_whole().
    std::size_t next_room(ByteBuffer& bytes) {
        if (stream_limit_ == 0) return std::min<std::size_t>(make_room(bytes, 16384, cap_), 262144);
        const std::size_t total = received();
        if (total >= cap_) return 0;
        const std::size_t fit = stream_limit_ > bytes.size() ? stream_limit_ - bytes.size() : 0;
        if (fit == 0) needs_whole_ = true;
        return std::min({fit, cap_ - total, kStreamStep});
    }

    // One recv() after epoll said the socket is readable (or closed).
    void read_some() {
        ByteBuffer& bytes = frame_->bytes;
        const std::size_t max = limits_.max_bytes;
        const std::size_t room = next_room(bytes);
        if (needs_whole_) return finish(fail("reply larger than the room of a streamed read"));
        if (room == 0) return finish(fail("reply larger than " + size_limit_text(max)));
        const std::size_t old = bytes.size();
        const std::size_t before = received();
        bytes.resize(old + room);
        const ssize_t n = ::recv(fd_.get(), bytes.data() + old, room, 0);
        const int err = errno;
        bytes.resize(old + (n > 0 ? static_cast<std::size_t>(n) : 0));
        if (n > 0) {
            if (before == 0) {
                frame_->wall_time = wall_clock_seconds();
                frame_->mono_time = monotonic_seconds();
            }
            if (stream_limit_ != 0) note_ends(bytes.data() + old, static_cast<std::size_t>(n));
            if (before < 7 && received() >= 7) {
                http_ = looks_like_http_reply(bytes.data(), bytes.size());
                protocol_ = http_ ? Protocol::Http : Protocol::Plain;
                // Headers and chunks are decoded from the whole reply.
                if (http_ && stream_limit_ != 0) {
                    needs_whole_ = true;
                    return finish(fail("an HTTP reply to a streamed read"));
                }
                // Room for headers and chunk framing on top of the body.
                if (http_ && cap_ < SIZE_MAX / 2) cap_ += 65536 + max / 16;
            }
            return;
        }
        if (n == 0) return reply_over(false);  // EOF
        if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR) return;
        if (err == ECONNRESET) return reply_over(true);
        finish(fail(errno_text(err)));
    }

    // A streamed fetch's reader drops what it parsed, so the first and last
    // non-space bytes of the reply are noted as they arrive.
    void note_ends(const char* p, std::size_t n) {
        char first = '\0';
        if (!ends_of(p, n, first, last_)) return;
        if (first_ < 0) first_ = static_cast<unsigned char>(first);
    }

    // The first and last non-space bytes of the reply ('\0' if none).
    std::pair<char, char> reply_ends() const {
        if (stream_limit_ == 0) {
            std::pair<char, char> ends{'\0', '\0'};
            ends_of(frame_->bytes.data(), frame_->bytes.size(), ends.first, ends.second);
            return ends;
        }
        if (first_ < 0) return {'\0', '\0'};
        return {static_cast<char>(first_), last_};
    }

    // The reply ended (EOF, or a reset when `reset`): judge it. Bytes we sent
    // that made a plain server reset before its document was whole cost one
    // more connection, without a probe, within the same deadline.
    void reply_over(bool reset) {
        ByteBuffer& bytes = frame_->bytes;
        const std::size_t max = limits_.max_bytes;
        close_socket();
        const std::size_t got = received();
        if (got == 0) return finish(fail(reset ? "connection reset" : "empty reply"));
        if (got < 7) {
            http_ = looks_like_http_reply(bytes.data(), bytes.size());
            protocol_ = http_ ? Protocol::Http : Protocol::Plain;
        }
        const auto [first, last] = reply_ends();
        if (reset && (http_ || !(first == '{' && last == '}'))) {
            const bool probe_hurt = sent_ && !http_;
            if (probe_hurt && !second_connection_ && monotonic_seconds() < deadline_) {
                second_connection_ = true;
                bytes.clear();
                return begin_connecting();
            }
            return finish(fail("connection reset after " + std::to_string(got) + " bytes"));
        }
        if (http_) {
            Status st = decode_http_reply(bytes, max);
            if (!st) return finish(fail(st.message()));
            if (bytes.empty()) return finish(fail("empty reply"));
            return finish(Status::ok());
        }
        if (got > max) return finish(fail("reply larger than " + size_limit_text(max)));
        if (first == '{' && last != '}') {
            return finish(fail("reply cut short after " + std::to_string(got) + " bytes"));
        }
        finish(Status::ok());
    }

    Address address_;
    FetchLimits limits_;
    LookupFunction lookup_;
    Protocol protocol_ = Protocol::Unknown;
    bool abstract_ = false;
    bool tcp_ = false;
    bool evented_ = false;                   // nonblocking() offered
    std::string unix_path_;
    std::vector<StreamEndpoint> endpoints_;  // the last lookup's result; empty = look up again
    double resolved_at_ = 0;                 // monotonic time of that lookup

    // The fetch in flight.
    Phase phase_ = Phase::Idle;
    Frame* frame_ = nullptr;
    int ep_ = -1;
    uint64_t token_ = 0;
    UniqueFd fd_;
    bool registered_ = false;                // fd_ is in ep_
    double deadline_ = 0;
    double retry_at_ = 0;
    double probe_at_ = 0;
    bool second_connection_ = false;
    std::vector<Endpoint> targets_;
    std::size_t next_target_ = 0;
    int best_err_ = 0;
    std::size_t cap_ = 0;
    bool sent_ = false;
    bool may_probe_ = false;
    bool http_ = false;
    Status result_ = Status::ok();
    // A streamed fetch (StreamedFetch): its epoll set, the size its bytes
    // may reach (0: not streamed), whether it must be read whole instead,
    // the bytes its reader dropped, the reply's first and last non-space
    // bytes (-1: none yet).
    UniqueFd stream_ep_;
    double stream_deadline_ = 0;             // the last begin()'s deadline, for fetch_whole()
    double next_deadline_ = 0;               // > 0: the deadline start() uses once
    std::size_t stream_limit_ = 0;
    bool needs_whole_ = false;
    std::size_t dropped_ = 0;
    int first_ = -1;
    char last_ = '\0';
    std::size_t last_reply_ = 0;             // bytes of the last reply that ended well (set_low_water)
    bool own_loop_ = false;                  // the fetch in flight drives itself (start_fetch)
    bool low_water_ = false;                 // its socket has a low-water mark
    bool low_water_works_ = true;            // no read with a mark has timed out
};

}  // namespace

std::unique_ptr<Source> make_socket_source(const Address& address, const FetchLimits& limits) {
    return make_socket_source_with_lookup(address, limits, &::getaddrinfo);
}

std::unique_ptr<Source> make_socket_source_with_lookup(const Address& address, const FetchLimits& limits,
                                                       LookupFunction lookup) {
    return std::make_unique<SocketSource>(address, limits, lookup);
}

}  // namespace detail
}  // namespace uwsgitop
