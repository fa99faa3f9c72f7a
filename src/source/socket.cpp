// socket.cpp — the TCP / unix / abstract socket source.
//
// One fetch = one connection: a non-blocking connect (each resolved address
// in turn), then reading until EOF, all within FetchLimits::timeout_seconds
// and FetchLimits::max_bytes. Bytes are received straight into the frame's
// vector, which keeps its capacity between fetches.
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
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <thread>
#include <utility>

#include "connector.hpp"
#include "uwsgitop/source/resolve.hpp"

namespace uwsgitop {
namespace detail {

namespace {

constexpr double kProbeWait = 0.12;
// How long the addresses of a named host are reused before looking it up again
// (any failed connect also forces a new lookup).
constexpr double kLookupReuseSeconds = 30.0;
constexpr char kHttpRequest[] = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    void reset(int fd = -1) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

// Milliseconds for poll() until `deadline` (monotonic seconds), rounded up.
int poll_ms(double deadline) {
    const double left = deadline - monotonic_seconds();
    if (left <= 0) return 0;
    const double ms = std::ceil(left * 1000.0);
    return ms > 600000 ? 600000 : static_cast<int>(ms);
}

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// First and last non-space bytes of a plain reply ('\0' if none). uWSGI's
// documents are always objects: "{...}" is plausibly whole, "{..." was cut.
std::pair<char, char> ends_of(const ByteBuffer& bytes) {
    std::size_t b = 0;
    std::size_t e = bytes.size();
    while (b < e && is_space(bytes[b])) ++b;
    while (e > b && is_space(bytes[e - 1])) --e;
    if (b == e) return {'\0', '\0'};
    return {bytes[b], bytes[e - 1]};
}

bool cut_short_object(const ByteBuffer& bytes) {
    const auto [first, last] = ends_of(bytes);
    return first == '{' && last != '}';
}

bool whole_object(const ByteBuffer& bytes) {
    const auto [first, last] = ends_of(bytes);
    return first == '{' && last == '}';
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

class SocketSource final : public Source {
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
    }

    const std::string& label() const override { return address_.text; }

    Status fetch(Frame& frame) override {
        frame.bytes.clear();
        const double deadline = monotonic_seconds() + limits_.timeout_seconds;
        bool probe_hurt = false;
        Status st = connect_and_read(frame, deadline, probe_hurt);
        if (probe_hurt && monotonic_seconds() < deadline) {
            frame.bytes.clear();
            st = connect_and_read(frame, deadline, probe_hurt);
        }
        return st;
    }

private:
    enum class Protocol { Unknown, Plain, Http };

    Status connect_and_read(Frame& frame, double deadline, bool& probe_hurt) {
        Fd fd;
        Status st = address_.kind == AddressKind::Tcp ? connect_tcp(fd, deadline) : connect_unix(fd, deadline);
        if (!st) return st;
        return read_reply(fd.get(), frame, deadline, probe_hurt);
    }

    Status fail(const std::string& cause) const { return Status::fail(address_.text + ": " + cause); }

    Status timed_out(const char* phase) const {
        return fail("timed out after " + seconds_text(limits_.timeout_seconds) + " (" + phase + ")");
    }

    // Connects `fd` to one endpoint; on failure sets `err` (ETIMEDOUT when the
    // deadline passed).
    static bool connect_one(const Endpoint& ep, double deadline, Fd& fd, int& err) {
        fd.reset(::socket(ep.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (fd.get() < 0) {
            err = errno;
            return false;
        }
        for (;;) {
            if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&ep.addr), ep.len) == 0) return true;
            err = errno;
            if (err == EAGAIN && ep.family == AF_UNIX) {
                // The listen queue of a unix socket is full: retry until the deadline.
                if (monotonic_seconds() >= deadline) {
                    err = ETIMEDOUT;
                    return false;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
                continue;
            }
            if (err != EINPROGRESS && err != EINTR) return false;
            break;
        }
        for (;;) {
            pollfd p{fd.get(), POLLOUT, 0};
            const int rc = ::poll(&p, 1, poll_ms(deadline));
            if (rc < 0 && errno == EINTR) continue;
            if (rc < 0) {
                err = errno;
                return false;
            }
            if (rc == 0) {
                if (monotonic_seconds() < deadline) continue;
                err = ETIMEDOUT;
                return false;
            }
            int so_error = 0;
            socklen_t len = sizeof so_error;
            if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &so_error, &len) != 0) so_error = errno;
            if (so_error == 0) return true;
            err = so_error;
            return false;
        }
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

    Status connect_unix(Fd& fd, double deadline) {
        int err = 0;
        if (connect_one(unix_endpoint(unix_path_, abstract_, true), deadline, fd, err)) return Status::ok();
        if (abstract_ && err == ECONNREFUSED) {
            // Not bound the uWSGI way; try the plain "\0name" form.
            int err2 = 0;
            if (connect_one(unix_endpoint(unix_path_, true, false), deadline, fd, err2)) return Status::ok();
            if (err2 != ECONNREFUSED) err = err2;
        }
        return connect_error(err);
    }

    Status connect_tcp(Fd& fd, double deadline) {
        // resolve.hpp: literals at once, names on a thread bounded by the
        // deadline. The addresses found are kept for kLookupReuseSeconds while
        // connecting to them works, so a named host costs one lookup (and one
        // thread) per half minute, not one per refresh.
        const double now = monotonic_seconds();
        if (endpoints_.empty() || now - resolved_at_ >= kLookupReuseSeconds) {
            Status resolved = resolve_stream_endpoints_with(lookup_, address_.host, address_.port, deadline, endpoints_);
            if (!resolved) {
                endpoints_.clear();
                if (resolved.message() == kNameLookupTimedOut) return timed_out("name lookup");
                return fail(resolved.message());
            }
            resolved_at_ = now;
        }
        Status st = connect_endpoints(fd, deadline);
        if (!st) endpoints_.clear();  // the host may have moved: look it up again next time
        return st;
    }

    Status connect_endpoints(Fd& fd, double deadline) {
        int best = 0;
        for (const StreamEndpoint& found : endpoints_) {
            Endpoint ep;
            ep.addr = found.addr;
            ep.len = found.len;
            ep.family = found.family;
            int err = 0;
            if (connect_one(ep, deadline, fd, err)) return Status::ok();
            if (best == 0 || error_rank(err) > error_rank(best)) best = err;
            if (err == ETIMEDOUT) break;  // the deadline is spent
        }
        return connect_error(best == 0 ? EADDRNOTAVAIL : best);
    }

    static void send_request(int fd) {
        // Errors are ignored: a server that already closed has left its reply
        // in our receive queue, and reading finds out the rest.
        const ssize_t n = ::send(fd, kHttpRequest, sizeof kHttpRequest - 1, MSG_NOSIGNAL);
        (void)n;
    }

    // Reads one reply until EOF. `probe_hurt` is set when bytes we sent made
    // a plain server reset the connection before its document was whole.
    Status read_reply(int fd, Frame& frame, double deadline, bool& probe_hurt) {
        probe_hurt = false;
        ByteBuffer& bytes = frame.bytes;
        const std::size_t max = limits_.max_bytes;
        std::size_t cap = max >= SIZE_MAX / 2 ? max : max + 1;  // one byte more detects "too large"
        bool sent = false;
        if (protocol_ == Protocol::Http) {
            send_request(fd);
            sent = true;
        }
        const bool may_probe = protocol_ == Protocol::Unknown;
        const double probe_at = monotonic_seconds() + kProbeWait;
        bool http = false;
        bool reset = false;
        for (;;) {
            const bool probing = may_probe && !sent && bytes.empty();
            const double until = probing && probe_at < deadline ? probe_at : deadline;
            pollfd p{fd, POLLIN, 0};
            const int rc = ::poll(&p, 1, poll_ms(until));
            if (rc < 0) {
                if (errno == EINTR) continue;
                return fail(errno_text(errno));
            }
            if (rc == 0) {
                const double t = monotonic_seconds();
                if (t >= deadline) {
                    if (bytes.empty()) {
                        if (protocol_ == Protocol::Plain) protocol_ = Protocol::Unknown;
                        return timed_out("no reply");
                    }
                    return timed_out(("reading, " + std::to_string(bytes.size()) + " bytes so far").c_str());
                }
                if (probing && t >= probe_at) {
                    send_request(fd);
                    sent = true;
                }
                continue;
            }
            const std::size_t room = std::min<std::size_t>(make_room(bytes, 16384, cap), 262144);
            if (room == 0) return fail("reply larger than " + size_limit_text(max));
            const std::size_t old = bytes.size();
            bytes.resize(old + room);
            const ssize_t n = ::recv(fd, bytes.data() + old, room, 0);
            const int err = errno;
            bytes.resize(old + (n > 0 ? static_cast<std::size_t>(n) : 0));
            if (n > 0) {
                if (old == 0) {
                    frame.wall_time = wall_clock_seconds();
                    frame.mono_time = monotonic_seconds();
                }
                if (old < 7 && bytes.size() >= 7) {
                    http = looks_like_http_reply(bytes.data(), bytes.size());
                    protocol_ = http ? Protocol::Http : Protocol::Plain;
                    // Room for headers and chunk framing on top of the body.
                    if (http && cap < SIZE_MAX / 2) cap += 65536 + max / 16;
                }
                continue;
            }
            if (n == 0) break;  // EOF
            if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR) continue;
            if (err == ECONNRESET) {
                reset = true;
                break;
            }
            return fail(errno_text(err));
        }

        if (bytes.empty()) return fail(reset ? "connection reset" : "empty reply");
        if (bytes.size() < 7) {
            http = looks_like_http_reply(bytes.data(), bytes.size());
            protocol_ = http ? Protocol::Http : Protocol::Plain;
        }
        if (reset && (http || !whole_object(bytes))) {
            probe_hurt = sent && !http;
            return fail("connection reset after " + std::to_string(bytes.size()) + " bytes");
        }
        if (http) {
            Status st = decode_http_reply(bytes, max);
            if (!st) return fail(st.message());
            if (bytes.empty()) return fail("empty reply");
            return Status::ok();
        }
        if (bytes.size() > max) return fail("reply larger than " + size_limit_text(max));
        if (cut_short_object(bytes)) return fail("reply cut short after " + std::to_string(bytes.size()) + " bytes");
        return Status::ok();
    }

    Address address_;
    FetchLimits limits_;
    LookupFunction lookup_;
    Protocol protocol_ = Protocol::Unknown;
    bool abstract_ = false;
    std::string unix_path_;
    std::vector<StreamEndpoint> endpoints_;  // the last lookup's result; empty = look up again
    double resolved_at_ = 0;                 // monotonic time of that lookup
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
