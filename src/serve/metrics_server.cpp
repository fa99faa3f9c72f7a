// metrics_server.cpp — the --serve-metrics endpoint on libmicrohttpd, via mhd_loader (see metrics_server.hpp).
#include "uwsgitop/serve/metrics_server.hpp"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <thread>
#include <vector>

#include "uwsgitop/base/clock.hpp"
#include "uwsgitop/base/text.hpp"
#include "uwsgitop/serve/gzip_body.hpp"
#include "uwsgitop/serve/mhd_loader.hpp"
#include "uwsgitop/source/address.hpp"

namespace uwsgitop {

struct MetricsServer::Request {
    MHD_Connection* connection;
    std::string_view url;
    std::string_view method;
};

namespace {

constexpr const char* kClassicType = "text/plain; version=0.0.4; charset=utf-8";
constexpr const char* kOpenMetricsType = "application/openmetrics-text; version=1.0.0; charset=utf-8";
constexpr const char* kRealm = "uwsgitop";
constexpr unsigned kSpareSlots = 16;   // libmicrohttpd's table beyond the guard's limit
constexpr std::size_t kReplyRoom = 1024;   // pool bytes beyond --web-max-request-size
constexpr double kDrainSeconds = 10;   // a replaced daemon's connections may end within this

// The dlopened library; start() checks it loaded before any other use.
const MhdApi& mhd() { return mhd_api(); }

// Queues `r` (destroyed here) with `status` and the given content type
// (HEAD: libmicrohttpd sends the headers only); `gzipped`: the body is
// gzip-coded.
MHD_Result queue(MHD_Connection* c, MHD_Response* r, unsigned status, std::string_view type,
                 const char* allow = nullptr, bool auth_challenge = false, bool gzipped = false) {
    if (!r) return MHD_NO;
    mhd().add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, std::string(type).c_str());
    if (allow) mhd().add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    if (gzipped) mhd().add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    const MHD_Result rc = auth_challenge ? mhd().queue_basic_auth_fail_response(c, kRealm, r)
                                         : mhd().queue_response(c, status, r);
    mhd().destroy_response(r);
    return rc;
}

// Queues a copy of `body`.
MHD_Result answer(MHD_Connection* c, unsigned status, std::string_view type, std::string_view body,
                  const char* allow = nullptr, bool auth_challenge = false) {
    MHD_Response* r = mhd().create_response_from_buffer(body.size(), const_cast<char*>(body.data()),
                                                      MHD_RESPMEM_MUST_COPY);
    return queue(c, r, status, type, allow, auth_challenge);
}

MHD_Result text(MHD_Connection* c, unsigned status, const std::string& line) {
    return answer(c, status, "text/plain; charset=utf-8", line + "\n");
}

const char* header(MHD_Connection* c, const char* name) {
    return mhd().lookup_connection_value(c, MHD_HEADER_KIND, name);
}

bool wants_gzip(MHD_Connection* c) {
    const char* enc = header(c, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    return enc && accepts_gzip(enc);
}

bool wants_openmetrics(MHD_Connection* c) {
    const char* accept = header(c, MHD_HTTP_HEADER_ACCEPT);
    return accept && std::strstr(accept, "application/openmetrics-text") != nullptr;
}

// The scrape's time budget from X-Prometheus-Scrape-Timeout-Seconds minus
// the offset; infinity without a usable header.
double scrape_budget(MHD_Connection* c, double offset) {
    const char* h = header(c, "X-Prometheus-Scrape-Timeout-Seconds");
    if (!h) return SharedPoll::kNoDeadline;
    const std::string_view s(h);
    double v = 0;
    const auto res = std::from_chars(s.data(), s.data() + s.size(), v);
    if (res.ec != std::errc() || !std::isfinite(v) || v <= 0) return SharedPoll::kNoDeadline;
    return std::max(0.05, v - offset);
}

void append_html(std::string& out, std::string_view s) {
    for (char ch : s) {
        switch (ch) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += ch;
        }
    }
}

std::string status_page(const PollAnswer* last, std::size_t targets) {
    std::string page =
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>uwsgitop exporter</title></head><body>\n"
        "<h1>uwsgitop exporter</h1>\n<p><a href=\"/metrics\">/metrics</a> (every target) &middot; "
        "/probe?target=ADDRESS (one) &middot; <a href=\"/-/healthy\">/-/healthy</a></p>\n";
    if (!last) {
        page += "<p>";
        append_int(page, static_cast<int64_t>(targets));
        page += " target(s), not polled yet (the first scrape polls them).</p>\n";
    } else {
        page += "<table>\n<tr><th>instance</th><th>address</th><th>state at the last scrape</th></tr>\n";
        for (const PollAnswer::TargetState& t : last->targets) {
            page += "<tr><td>";
            append_html(page, escape_for_display(t.name));
            page += "</td><td>";
            append_html(page, escape_for_display(t.address));
            page += "</td><td>";
            append_html(page, t.state);
            page += "</td></tr>\n";
        }
        page += "</table>\n";
    }
    page += "</body></html>\n";
    return page;
}

// The client's address for a log line ("127.0.0.1", "[::1]").
std::string client_of(MHD_Connection* c) {
    const MHD_ConnectionInfo* info = mhd().get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char host[INET6_ADDRSTRLEN] = "?";
    if (!info || !info->client_addr) return host;
    const sockaddr* sa = info->client_addr;
    if (sa->sa_family == AF_INET) {
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, host, sizeof host);
        return host;
    }
    if (sa->sa_family == AF_INET6) {
        ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, host, sizeof host);
        return log_text("[", host, "]");
    }
    return host;
}

MHD_Result add_length(void* cls, MHD_ValueKind /*kind*/, const char* key, const char* value) {
    *static_cast<std::size_t*>(cls) += std::strlen(key) + (value ? std::strlen(value) : 0) + 4;   // ": ", CRLF
    return MHD_YES;
}

// The request line and headers' length as sent, give or take what the
// query's percent-decoding saved (never more than the bytes sent).
std::size_t request_bytes(MHD_Connection* c, const char* url, const char* method, std::size_t& line) {
    std::size_t query = 0;
    mhd().get_connection_values(c, MHD_GET_ARGUMENT_KIND, &add_length, &query);
    line = std::strlen(method) + std::strlen(url) + query + 12;   // " HTTP/1.1\r\n", '?', '='
    std::size_t headers = 2;
    mhd().get_connection_values(c, MHD_HEADER_KIND, &add_length, &headers);
    return line + headers;
}

MHD_Result on_request(void* cls, MHD_Connection* connection, const char* url, const char* method,
                      const char* /*version*/, const char* /*upload_data*/, size_t* upload_data_size,
                      void** con_cls) {
    // The first call (the headers are in) only checks the size; the answer
    // comes on the last call, once any body was read (and dropped: GET and
    // HEAD have none, the others get 405). libmicrohttpd closes a connection
    // whose answer was queued before the request was read to its end, so
    // answering on the first call would end every keep-alive.
    if (*con_cls == nullptr) {
        static int marker;
        *con_cls = &marker;
        auto* server = static_cast<MetricsServer*>(cls);
        std::size_t line = 0;
        if (request_bytes(connection, url, method, line) > server->max_request_bytes()) {
            server->guard()->answered(connection);
            const bool long_url = line > server->max_request_bytes();
            server->log().refused(long_url ? "414 request line" : "431 headers",
                                  log_text("a request larger than --web-max-request-size from ", client_of(connection)),
                                  monotonic_seconds());
            return text(connection, long_url ? MHD_HTTP_URI_TOO_LONG : MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE,
                        long_url ? "request line too long" : "request headers too large");
        }
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    auto* server = static_cast<MetricsServer*>(cls);
    server->guard()->answered(connection);   // the request is whole: its deadline is met
    MetricsServer::Request r{connection, url, method};
    return static_cast<MHD_Result>(server->handle(r));
}

// libmicrohttpd's connection start and close, for the guard (closed before
// the library closes the descriptor).
void on_connection(void* cls, MHD_Connection* connection, void** /*socket_context*/,
                   MHD_ConnectionNotificationCode code) {
    ConnectionGuard* guard = static_cast<MetricsServer*>(cls)->guard();
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        guard->closed(connection);
        return;
    }
    const MHD_ConnectionInfo* info = mhd().get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (info) guard->opened(connection, info->connect_fd);
}

// libmicrohttpd's messages (MHD_USE_ERROR_LOG), one line each, to the log.
__attribute__((format(printf, 2, 0))) void on_library_message(void* cls, const char* format, va_list args) {
    char buf[512];
    std::vsnprintf(buf, sizeof buf, format, args);
    static_cast<MetricsServer*>(cls)->library_message(buf);
}

// What the connection's client certificate lacks under `auth` (tls_settings.hpp), or "".
std::string client_certificate_problem(MHD_Connection* c, ClientAuth auth) {
    if (auth == ClientAuth::None || auth == ClientAuth::Request) return {};
    const MHD_ConnectionInfo* info = mhd().get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    void* session = info ? info->tls_session : nullptr;
    const GnutlsPeerApi& tls = gnutls_peer_api();
    bool presented = false, verified = false;
    if (session && tls.error.empty()) {
        unsigned n = 0;
        presented = tls.get_peers(session, &n) != nullptr && n > 0;
        // The chain to client_ca_file, and a purpose of TLS client
        // authentication (a server certificate of the same CA is refused).
        static char client_auth_oid[] = "1.3.6.1.5.5.7.3.2";   // GNUTLS_KP_TLS_WWW_CLIENT
        GnutlsPeerApi::TypedData purpose{GnutlsPeerApi::kKeyPurposeOid,
                                         reinterpret_cast<unsigned char*>(client_auth_oid), 0};
        unsigned status = 1;
        verified = presented && tls.verify_peers(session, &purpose, 1, &status) == 0 && status == 0;
    }
    return client_certificate_refusal(auth, presented, verified);
}

// A response ended (or the request failed): a kept-alive connection now
// awaits its next request.
void on_completed(void* cls, MHD_Connection* connection, void** /*con_cls*/, MHD_RequestTerminationCode /*toe*/) {
    static_cast<MetricsServer*>(cls)->guard()->completed(connection);
}

// The soft limit on open descriptors up to the hard one: every connection
// holds one (systemd's default soft limit, 1024, is about what the
// default --web-max-connections and the TLS front's waiting ones need).
void raise_descriptor_limit() {
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &rl);
    }
}

// Binds HOST:PORT (":PORT": every interface, IPv6 and IPv4 where it can).
Status bind_listen(const std::string& listen, int& fd_out, uint16_t& port_out) {
    Address a;
    if (Status st = parse_address(listen, a); !st || a.kind != AddressKind::Tcp) {
        return Status::fail("--serve-metrics \"" + escape_for_display(listen) +
                            "\": give HOST:PORT to listen on (:PORT for every interface)");
    }
    addrinfo hints{};
    hints.ai_family = a.host.empty() ? AF_INET6 : AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    const std::string port = std::to_string(a.port);
    std::string why = "no address";
    for (int attempt = 0; attempt < 2; ++attempt) {
        addrinfo* res = nullptr;
        if (int rc = ::getaddrinfo(a.host.empty() ? nullptr : a.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
            if (a.host.empty() && attempt == 0) {
                hints.ai_family = AF_INET;
                continue;
            }
            return Status::fail("--serve-metrics " + escape_for_display(listen) + ": " + gai_strerror(rc));
        }
        for (addrinfo* ai = res; ai; ai = ai->ai_next) {
            const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                why = std::strerror(errno);
                continue;
            }
            const int one = 1, zero = 0;
            ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            if (ai->ai_family == AF_INET6 && a.host.empty()) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
            if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, 128) == 0) {
                sockaddr_storage ss{};
                socklen_t len = sizeof ss;
                ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
                port_out = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                                          : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
                fd_out = fd;
                ::freeaddrinfo(res);
                return Status::ok();
            }
            why = std::strerror(errno);
            ::close(fd);
        }
        ::freeaddrinfo(res);
        if (!a.host.empty()) break;
        hints.ai_family = AF_INET;   // no IPv6 here: every IPv4 interface
    }
    return Status::fail("--serve-metrics " + escape_for_display(listen) + ": " + why);
}

}  // namespace

MetricsServer::MetricsServer(std::vector<std::unique_ptr<Instance>>& fleet, ServeOptions options,
                             std::function<void()> after_poll)
    : fleet_(fleet),
      options_(std::move(options)),
      after_poll_(std::move(after_poll)),
      log_(options_.log_level, options_.log_sink) {}

MetricsServer::~MetricsServer() { stop(); }

Status MetricsServer::start() {
    if (const MhdApi& api = mhd(); !api.error.empty()) {
        return Status::fail("--serve-metrics " + escape_for_display(options_.listen) + ": " + api.error);
    }
    config_error_ = true;   // until the checks of what was given pass
    Address listen;
    if (Status st = parse_address(options_.listen, listen); !st || listen.kind != AddressKind::Tcp) {
        return Status::fail("--serve-metrics \"" + escape_for_display(options_.listen) +
                            "\": give HOST:PORT to listen on (:PORT for every interface)");
    }
    auto web = std::make_shared<WebConfig>();
    if (!options_.web_config_file.empty()) {
        if (Status st = load_web_config(options_.web_config_file, *web); !st) return st;
    }
    web_ = web;
    tls_ = web;
    std::vector<std::string> configured;
    for (const auto& inst : fleet_) configured.push_back(inst->target.address);
    allow_ = std::make_shared<ProbeAllow>(options_.probe_allow, configured);
    if (web->tls() && mhd().is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        return Status::fail("--web-config-file " + escape_for_display(options_.web_config_file) +
                            ": tls_server_config: this libmicrohttpd was built without TLS");
    }
    config_error_ = false;
    raise_descriptor_limit();
    if (Status st = bind_listen(options_.listen, listen_fd_, port_); !st) return st;
    poll_ = std::make_unique<SharedPoll>(fleet_, options_.concurrency, options_.prometheus, after_poll_, &log_);
    guard_ = std::make_unique<ConnectionGuard>(options_.request_timeout_seconds, options_.idle_timeout_seconds,
                                               options_.max_connections);
    holds_ = std::make_unique<AnswerHolds>(options_.max_response_bytes);
    Status why;
    MHD_Daemon* d = start_daemon(*web, why);
    {
        std::lock_guard<std::mutex> lock(daemon_mutex_);
        daemon_ = d;
    }
    if (!d) {
        config_error_ = web->tls();   // most likely a certificate and key that do not go together
        stop();
        return why;
    }
    if (web->tls_settings.client_auth != ClientAuth::None && !gnutls_peer_api().error.empty()) {
        stop();
        return Status::fail("--web-config-file " + escape_for_display(options_.web_config_file) +
                            ": client_auth_type: " + gnutls_peer_api().error);
    }
    if (web->tls()) start_front();
    return Status::ok();
}

void MetricsServer::start_front() {
    auto hand_off = [this](int fd, const sockaddr* addr, socklen_t len, double since) {
        std::lock_guard<std::mutex> lock(daemon_mutex_);
        if (!daemon_) {
            ::close(fd);
            return;
        }
        // Its request deadline began at accept (a refused one's entry is
        // replaced when the front accepts that descriptor number again).
        guard_->accepted(fd, since);
        mhd().add_connection(daemon_, fd, addr, len);   // owns fd now, also when it refuses it
    };
    auto refused = [this](const std::string& client) {
        log_.refused("400 plain HTTP", log_text("plain HTTP to the TLS port from ", client), monotonic_seconds());
    };
    front_ = std::make_unique<TlsFront>(listen_fd_, options_.request_timeout_seconds, options_.max_connections,
                                        hand_off, refused);
}

// A daemon on listen_fd_ with the limits, the guard's hooks and `tls`'s
// certificate (which must outlive it); null with `why` when it does not start.
MHD_Daemon* MetricsServer::start_daemon(const WebConfig& tls, Status& why) {
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG;
    // With TLS the front accepts (tls_front.hpp) and hands connections over.
    if (tls.tls()) flags |= MHD_USE_TLS | MHD_USE_NO_LISTEN_SOCKET;
    std::vector<MHD_OptionItem> opts = {
        // The guard keeps max_connections open: the spare slots let a new
        // connection in while the one it evicts closes.
        {MHD_OPTION_CONNECTION_LIMIT, static_cast<intptr_t>(options_.max_connections + kSpareSlots), nullptr},
        {MHD_OPTION_NOTIFY_CONNECTION, reinterpret_cast<intptr_t>(&on_connection), this},
        {MHD_OPTION_NOTIFY_COMPLETED, reinterpret_cast<intptr_t>(&on_completed), this},
        {MHD_OPTION_EXTERNAL_LOGGER, reinterpret_cast<intptr_t>(&on_library_message), this},
        {MHD_OPTION_PER_IP_CONNECTION_LIMIT, static_cast<intptr_t>(options_.max_connections_per_ip), nullptr},
        {MHD_OPTION_CONNECTION_TIMEOUT, static_cast<intptr_t>(options_.idle_timeout_seconds), nullptr},
        // Room beyond the request limit for the answer's headers: a request
        // just under the limit filled the pool and got no answer at all
        // (libmicrohttpd 0.9.75); on_request refuses what is over the limit.
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, static_cast<intptr_t>(options_.max_request_bytes + kReplyRoom), nullptr},
        {MHD_OPTION_THREAD_STACK_SIZE, static_cast<intptr_t>(1 << 20), nullptr},
    };
    if (!tls.tls()) opts.push_back({MHD_OPTION_LISTEN_SOCKET, listen_fd_, nullptr});
    if (tls.tls()) {
        opts.push_back({MHD_OPTION_HTTPS_MEM_KEY, 0, const_cast<char*>(tls.key_pem.c_str())});
        opts.push_back({MHD_OPTION_HTTPS_MEM_CERT, 0, const_cast<char*>(tls.cert_pem.c_str())});
        opts.push_back({MHD_OPTION_HTTPS_PRIORITIES, 0, const_cast<char*>(tls.priorities.c_str())});
        if (const std::string& trust = tls.client_trust_pem(); !trust.empty()) {
            opts.push_back({MHD_OPTION_HTTPS_MEM_TRUST, 0, const_cast<char*>(trust.c_str())});
        }
    }
    opts.push_back({MHD_OPTION_END, 0, nullptr});
    MHD_Daemon* d = mhd().start_daemon(flags, 0, nullptr, nullptr, &on_request, this, MHD_OPTION_ARRAY, opts.data(),
                                       MHD_OPTION_END);
    if (!d) {
        why = Status::fail("--serve-metrics " + escape_for_display(options_.listen) +
                           (tls.tls() ? ": cannot start TLS (are tls_server_config.cert_file and key_file a PEM "
                                        "certificate and its key, and its other keys settings GnuTLS takes? "
                                        "libmicrohttpd's line above says)"
                                      : ": the HTTP server did not start"));
    }
    return d;
}

namespace {

// Stops `d` without closing the listening socket (quiesced first: it hands
// the socket back), after its connections ended, `wait` seconds or `*abort`.
void stop_keeping_socket(MHD_Daemon* d, double wait, const std::atomic<bool>* abort = nullptr) {
    mhd().quiesce_daemon(d);
    const double until = monotonic_seconds() + wait;
    while (monotonic_seconds() < until && !(abort && abort->load())) {
        const MHD_DaemonInfo* info = mhd().get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        if (!info || info->num_connections == 0) break;
        sleep_for_seconds(0.05);
    }
    mhd().stop_daemon(d);
}

}  // namespace

void MetricsServer::stop() {
    if (poll_) poll_->stop();   // wakes waiting scrapes before their threads are joined
    front_.reset();             // hands nothing to the daemon any more
    stop_draining_ = true;      // daemons replaced by a reload stop now
    for (Draining& d : draining_) d.thread.join();
    draining_.clear();
    MHD_Daemon* d = nullptr;
    {
        std::lock_guard<std::mutex> lock(daemon_mutex_);
        std::swap(d, daemon_);
    }
    if (d) stop_keeping_socket(d, 0);
    if (d) {
        tick();   // the guard's last counts
        log_.finish(monotonic_seconds());
    }
    if (listen_fd_ >= 0) {
        ::close(listen_fd_);
        listen_fd_ = -1;
    }
    poll_.reset();
    guard_.reset();
    holds_.reset();
}

std::shared_ptr<const WebConfig> MetricsServer::web() const {
    std::lock_guard<std::mutex> lock(config_mutex_);
    return web_;
}

std::shared_ptr<const ProbeAllow> MetricsServer::allow() const {
    std::lock_guard<std::mutex> lock(config_mutex_);
    return allow_;
}

void MetricsServer::replace_targets(std::vector<std::unique_ptr<Instance>> fresh, std::function<void()> taken) {
    std::vector<std::string> configured;
    for (const auto& inst : fresh) configured.push_back(inst->target.address);
    auto allow = std::make_shared<ProbeAllow>(options_.probe_allow, configured);
    {
        std::lock_guard<std::mutex> lock(config_mutex_);
        allow_ = std::move(allow);
    }
    poll_->replace_targets(std::move(fresh), std::move(taken));
}

Status MetricsServer::reload_web_config() {
    if (options_.web_config_file.empty()) return Status::ok();
    auto web = std::make_shared<WebConfig>();
    if (Status st = load_web_config(options_.web_config_file, *web); !st) return st;
    if (web->tls() != tls_->tls()) {
        return Status::fail("--web-config-file " + escape_for_display(options_.web_config_file) +
                            ": tls_server_config: turning TLS on or off needs a restart");
    }
    if (web->tls() && !web->same_tls(*tls_)) {
        Status why;
        MHD_Daemon* fresh = start_daemon(*web, why);
        if (!fresh) return why;
        MHD_Daemon* old = fresh;
        {
            std::lock_guard<std::mutex> lock(daemon_mutex_);
            std::swap(old, daemon_);
        }
        retire(old, tls_);   // its connections end on the old certificate, off this thread
        tls_ = web;
    }
    std::lock_guard<std::mutex> lock(config_mutex_);
    web_ = std::move(web);
    auth_cache_.clear();   // the users may have changed
    return Status::ok();
}

// Stops a daemon a reload replaced once its connections ended (at most
// kDrainSeconds) on a thread of its own, so the main loop is not held up
// (SIGTERM, the log's ticks); `tls` (its certificate's memory) lives as long.
void MetricsServer::retire(MHD_Daemon* old, std::shared_ptr<const WebConfig> tls) {
    std::erase_if(draining_, [](Draining& d) {
        if (!d.done->load()) return false;
        d.thread.join();
        return true;
    });
    auto done = std::make_shared<std::atomic<bool>>(false);
    std::thread t([this, old, tls = std::move(tls), done] {
        stop_keeping_socket(old, kDrainSeconds, &stop_draining_);
        *done = true;
    });
    draining_.push_back({std::move(t), std::move(done)});
}

// True when basic auth is off or the request's credentials match; else
// logs the refusal (the 401 is the caller's).
bool MetricsServer::authorized(MHD_Connection* c, const WebConfig& web) {
    if (!web.auth()) return true;
    char* password = nullptr;
    char* user = mhd().basic_auth_get_username_password(c, &password);
    bool ok = false;
    if (user && password) {
        ok = auth_cache_.known(user, password) || check_password(web, user, password);
        if (ok) auth_cache_.remember(user, password);
    }
    if (!ok && log_.enabled(LogLevel::Warn)) {
        const std::string who = user ? log_text("user \"", escape_for_display(user), "\"") : "no credentials";
        log_.refused("401 credentials", log_text(who, " from ", client_of(c)), monotonic_seconds());
    }
    if (user) mhd().free(user);
    if (password) mhd().free(password);
    return ok;
}

// /probe?target=ADDRESS: checked (probe_allow.hpp), then polled alone.
int MetricsServer::probe(MHD_Connection* c) {
    const char* target = mhd().lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "target");
    if (!target || !*target) return text(c, MHD_HTTP_BAD_REQUEST, "give the instance as /probe?target=ADDRESS");
    std::string normal;   // the address checked is the one polled
    if (Status st = allow()->check(target, normal); !st) {
        log_.refused("403 probe target", log_text(st.message(), " (from ", client_of(c), ")"), monotonic_seconds());
        return text(c, MHD_HTTP_FORBIDDEN, st.message());
    }
    FetchLimits limits = options_.limits;
    limits.timeout_seconds = std::min(limits.timeout_seconds, scrape_budget(c, options_.scrape_timeout_offset));
    limits.follow_redirects = false;   // a redirect would poll what was not checked
    std::vector<std::unique_ptr<Instance>> one;
    if (Status st = make_fleet({Target{normal, normal}}, limits, one); !st) {
        return text(c, MHD_HTTP_BAD_REQUEST, st.message());
    }
    poll_instance(*one.front());
    PrometheusOptions o = options_.prometheus;
    o.openmetrics = wants_openmetrics(c);
    std::string body;
    write_prometheus(one, o, body);
    const char* type = o.openmetrics ? kOpenMetricsType : kClassicType;
    std::string coded = wants_gzip(c) ? gzip(body) : std::string();
    if (coded.empty()) return answer(c, MHD_HTTP_OK, type, body);
    MHD_Response* r = mhd().create_response_from_buffer(coded.size(), coded.data(), MHD_RESPMEM_MUST_COPY);
    if (r) mhd().add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    return queue(c, r, MHD_HTTP_OK, type, nullptr, false, true);
}

namespace {

// What a /metrics response keeps alive: the answer it is written from, and
// its place among the server's holds (released with the response).
struct AnswerHold {
    std::shared_ptr<const PollAnswer> answer;
    AnswerHolds* holds;
};

void release_hold(void* cls) {
    auto* hold = static_cast<AnswerHold*>(cls);
    hold->holds->release(hold);
    delete hold;
}

}  // namespace

// /metrics: the shared poll's answer, written from it (see the header).
int MetricsServer::metrics(MHD_Connection* c) {
    const double budget = scrape_budget(c, options_.scrape_timeout_offset);
    const double deadline = budget < options_.limits.timeout_seconds ? monotonic_seconds() + budget
                                                                     : SharedPoll::kNoDeadline;
    std::shared_ptr<const PollAnswer> a = poll_->scrape(deadline);
    if (!a) {
        return text(c, MHD_HTTP_SERVICE_UNAVAILABLE, poll_->stopping() ? "no metrics: the exporter is stopping"
                                                                       : "no metrics yet: the first poll is late");
    }
    const bool om = wants_openmetrics(c);
    std::string_view body = om ? a->openmetrics : a->classic;
    const bool coded = wants_gzip(c) && !a->gzipped(om).empty();
    if (coded) body = a->gzipped(om);
    auto* hold = new AnswerHold{a, holds_.get()};
    MHD_Response* r = mhd().create_response_from_shared_buffer(body.size(), const_cast<char*>(body.data()),
                                                             &release_hold, hold);
    if (!r) {
        delete hold;
        return MHD_NO;
    }
    mhd().add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    for (const void* slow : holds_->hold(hold, c, a->serial, a->bytes())) guard_->end(slow);
    return queue(c, r, MHD_HTTP_OK, om ? kOpenMetricsType : kClassicType, nullptr, false, coded);
}

int MetricsServer::handle(Request& r) {
    MHD_Connection* c = r.connection;
    if (r.method != "GET" && r.method != "HEAD") {
        log_.refused("405 method", log_text("method \"", escape_for_display(r.method), "\" from ", client_of(c)),
                     monotonic_seconds());
        return answer(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", "only GET and HEAD\n", "GET, HEAD");
    }
    const std::shared_ptr<const WebConfig> web_now = web();
    if (const std::string why = client_certificate_problem(c, web_now->tls_settings.client_auth); !why.empty()) {
        log_.refused("403 client certificate", log_text(why, " (from ", client_of(c), ")"), monotonic_seconds());
        return text(c, MHD_HTTP_FORBIDDEN, why);
    }
    if (!authorized(c, *web_now)) {
        return answer(c, MHD_HTTP_UNAUTHORIZED, "text/plain; charset=utf-8", "Unauthorized\n", nullptr, true);
    }
    const std::string_view url = r.url;
    if (url == "/metrics") return metrics(c);
    if (url == "/probe") return probe(c);
    if (url == "/") {
        const std::shared_ptr<const PollAnswer> last = poll_->last();
        return answer(c, MHD_HTTP_OK, "text/html; charset=utf-8", status_page(last.get(), poll_->targets()));
    }
    if (url == "/-/healthy") return text(c, MHD_HTTP_OK, "uwsgitop exporter is Healthy.");
    if (url == "/-/ready") return text(c, MHD_HTTP_OK, "uwsgitop exporter is Ready.");
    log_.refused("404 path", log_text("\"", escape_for_display(url), "\" from ", client_of(c)), monotonic_seconds());
    return text(c, MHD_HTTP_NOT_FOUND, "not found; try /metrics, /probe?target=ADDRESS or /");
}

void MetricsServer::library_message(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    const std::string line = log_text("libmicrohttpd: ", escape_for_display(text));
    const bool limit = text.find("limit") != std::string_view::npos;
    const bool tls = text.find("TLS") != std::string_view::npos || text.find("handshake") != std::string_view::npos;
    if (limit) {
        log_.refused("connection limit", line, monotonic_seconds());
    } else if (tls) {
        log_.refused("TLS", line, monotonic_seconds());
    } else {
        log_.line(LogLevel::Debug, line);
    }
}

void MetricsServer::tick() {
    const double now = monotonic_seconds();
    if (guard_) {
        const ConnectionGuard::Counts n = guard_->counts();
        char secs[32];
        std::snprintf(secs, sizeof secs, "%g", options_.request_timeout_seconds);
        log_.refused_many("request deadline", n.timed_out - logged_.timed_out,
                          log_text("a connection sent no whole request within ", secs, " s: closed"), now);
        log_.refused_many("connection limit", n.evicted - logged_.evicted,
                          log_text("--web-max-connections ", std::to_string(options_.max_connections),
                                   " open: the oldest one still sending its request was closed"),
                          now);
        log_.refused_many("response memory", n.ended - logged_.ended,
                          "--web-max-response-memory: a slow reader of an older answer was closed", now);
        logged_ = n;
    }
    log_.tick(now);
}

}  // namespace uwsgitop
