// metrics_server.hpp — the --serve-metrics HTTP endpoint (libmicrohttpd).
//
// Paths (GET and HEAD; any other method is 405, unknown paths 404):
//   /          a small HTML page: the links and each target's state
//   /metrics   every target (shared_poll.hpp: concurrent scrapes share one
//              poll); OpenMetrics when the Accept header asks for
//              application/openmetrics-text, else the Prometheus text 0.0.4;
//              gzip-coded when Accept-Encoding allows it (gzip_body.hpp),
//              compressed once per poll. Every scrape of a poll is written
//              from that poll's one answer (no copy per connection); the
//              older answers slow readers still hold are capped at
//              `max_response_bytes` in all: past it the connections holding
//              the oldest are closed (answer_holds.hpp)
//   /probe?target=ADDRESS   one instance, polled for this request alone (the
//              multi-target exporter pattern); ADDRESS may be any form
//              uwsgitop reads (TCP, unix, @abstract, http://...) but must pass
//              the allow-list (probe_allow.hpp): else 403 naming the rule,
//              and no connection is made
//   /-/healthy, /-/ready   200 while the server runs (as Prometheus has them)
// Prometheus' X-Prometheus-Scrape-Timeout-Seconds header, minus
// `scrape_timeout_offset`, bounds a scrape when shorter than the per-target
// timeout: targets not answered by then are uwsgi_up 0 in a partial answer.
// Each connection has its own thread (libmicrohttpd's thread-per-connection
// mode), so a slow, idle or dripping client holds only its own; connections
// in total and per client address are capped, idle connections are closed
// after `idle_timeout_seconds`, a request must be whole (headers and body)
// within `request_timeout_seconds` whatever its byte rate, a full table
// drops its oldest connection still sending a request to let a new one in
// (connection_guard.hpp), and a request larger than `max_request_bytes`
// (request line + headers) is refused by the library.
// With a web config (web_config.hpp) the server speaks TLS and/or requires
// basic auth on every path: no or wrong credentials get 401 with
// WWW-Authenticate, never the metrics. With TLS, the versions, suites and
// client certificates of tls_settings.hpp apply (a request without the
// client certificate client_auth_type requires gets 403), and plain HTTP
// sent to the port gets 400 (tls_front.hpp).
// Reloading (SIGHUP, by the caller): replace_targets() swaps the fleet from
// the next poll on (`taken` as in SharedPoll::replace_targets) and the
// configured addresses /probe allows without --probe-allow; reload_web_config() reads the web config file again and,
// when it is good, its users apply to the next request and a changed
// certificate or key to the next connection (a new listener on the same
// socket, the old one closed once its connections ended, at most 10 s); a
// bad file changes nothing and its error is returned.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "uwsgitop/fleet/fleet.hpp"
#include "uwsgitop/output/prometheus.hpp"
#include "uwsgitop/serve/answer_holds.hpp"
#include "uwsgitop/serve/auth_cache.hpp"
#include "uwsgitop/serve/connection_guard.hpp"
#include "uwsgitop/serve/probe_allow.hpp"
#include "uwsgitop/serve/serve_log.hpp"
#include "uwsgitop/serve/shared_poll.hpp"
#include "uwsgitop/serve/tls_front.hpp"
#include "uwsgitop/serve/web_config.hpp"

struct MHD_Daemon;
struct MHD_Connection;

namespace uwsgitop {

struct ServeOptions {
    std::string listen;                    // HOST:PORT; ":PORT" listens on every interface
    unsigned concurrency = 16;             // targets polled at once
    PrometheusOptions prometheus;          // cores; the format follows Accept
    FetchLimits limits;                    // per target (and per probe)
    std::vector<std::string> probe_allow;  // --probe-allow globs
    std::string web_config_file;           // "" = plain HTTP, no auth
    unsigned max_connections = 512;
    unsigned max_connections_per_ip = 64;  // 0 = no cap
    unsigned idle_timeout_seconds = 10;
    double request_timeout_seconds = 5;    // whole request (connection_guard.hpp)
    std::size_t max_request_bytes = 32 * 1024;
    std::size_t max_response_bytes = std::size_t{256} << 20;   // older answers held by slow readers
    double scrape_timeout_offset = 0.5;
    LogLevel log_level = LogLevel::Info;   // serve_log.hpp
    ServeLog::Sink log_sink;               // default: stderr
};

class MetricsServer {
public:
    // `fleet` must outlive the server; `after_poll` as in SharedPoll.
    MetricsServer(std::vector<std::unique_ptr<Instance>>& fleet, ServeOptions options,
                  std::function<void()> after_poll = {});
    ~MetricsServer();
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

    // Reads the web config, raises the soft limit on open descriptors to
    // the hard one, binds and starts serving; a one-line error
    // naming the option, key or address otherwise. After a failure,
    // config_error() tells a usage error (the --serve-metrics address does
    // not parse, a bad web config or certificate: exit 2) from one of the
    // running system (cannot bind, no libmicrohttpd: exit 1).
    Status start();
    bool config_error() const { return config_error_; }
    // The bound port (after start()).
    uint16_t port() const { return port_; }
    bool tls() const { return tls_ && tls_->tls(); }
    // Closes every connection and joins the threads (also the destructor).
    void stop();

    // See top; the main thread, after start().
    void replace_targets(std::vector<std::unique_ptr<Instance>> fresh, std::function<void()> taken = {});
    Status reload_web_config();

    // The server's log (serve_log.hpp): refused requests (401 credentials,
    // 403 probe target, 404 path, 405 method), connection-limit hits and
    // request deadlines (the connection guard's), libmicrohttpd's own
    // messages (TLS handshake failures and its limits as refusals, the rest
    // at debug), targets down and up. tick() (the main thread, about every
    // second) writes the guard's counts and the windows that ended.
    ServeLog& log() { return log_; }
    void tick();

    // The request handler's view (public for the C callbacks, not an API).
    struct Request;
    int handle(Request& r);
    void library_message(std::string_view text);
    ConnectionGuard* guard() { return guard_.get(); }
    std::size_t max_request_bytes() const { return options_.max_request_bytes; }

private:
    std::vector<std::unique_ptr<Instance>>& fleet_;
    ServeOptions options_;
    MHD_Daemon* start_daemon(const WebConfig& tls, Status& why);
    void start_front();
    void retire(MHD_Daemon* old, std::shared_ptr<const WebConfig> tls);
    bool authorized(MHD_Connection* c, const WebConfig& web);
    int probe(MHD_Connection* c);
    int metrics(MHD_Connection* c);
    std::shared_ptr<const WebConfig> web() const;
    std::shared_ptr<const ProbeAllow> allow() const;

    std::shared_ptr<const WebConfig> tls_;     // the running daemon's certificate (its memory)
    mutable std::mutex config_mutex_;          // web_ and allow_, swapped on reload
    std::shared_ptr<const WebConfig> web_;
    std::shared_ptr<const ProbeAllow> allow_;
    AuthCache auth_cache_;                     // basic-auth successes (auth_cache.hpp)
    std::unique_ptr<SharedPoll> poll_;
    std::unique_ptr<ConnectionGuard> guard_;   // outlives the daemon: stop() resets it after
    std::unique_ptr<AnswerHolds> holds_;       // outlives the daemon (its responses release holds)
    std::function<void()> after_poll_;
    ServeLog log_;
    ConnectionGuard::Counts logged_;           // the guard's counts at the last tick()
    std::mutex daemon_mutex_;                  // daemon_ while the TLS front hands a connection to it
    MHD_Daemon* daemon_ = nullptr;
    std::unique_ptr<TlsFront> front_;          // with TLS: accepts, answers plain HTTP 400
    struct Draining {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };
    std::vector<Draining> draining_;           // daemons a reload replaced, stopping (the main thread's)
    std::atomic<bool> stop_draining_{false};
    int listen_fd_ = -1;
    uint16_t port_ = 0;
    bool config_error_ = false;
};

}  // namespace uwsgitop
