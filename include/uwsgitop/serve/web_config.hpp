// web_config.hpp — --web-config-file: TLS and basic auth in the format the
// Prometheus exporters share (exporter-toolkit's web configuration file).
//
//   tls_server_config:
//     cert_file: server.crt      # PEM; relative paths are relative to the file
//     key_file: server.key
//     min_version: TLS12         # and the other keys of tls_settings.hpp
//   basic_auth_users:
//     alice: $2y$10$...          # bcrypt hashes (htpasswd -B, or any bcrypt tool)
//
// Both sections are optional, but a file with neither (empty, or only
// comments) is refused: it is more likely a mistake than a wish for plain
// HTTP without auth, which is what no --web-config-file gives. Any other
// key, a missing half of the certificate pair, an unreadable file, a hash
// that is not bcrypt ($2a$ $2b$ $2y$) or a user given twice is an error
// naming the key (and file).
// Passwords are checked with the system's crypt_rn() (libxcrypt), and the
// result compared in constant time. An unknown user is checked against
// `dummy_hash`, a bcrypt hash of a random password made when the file is
// loaded with the highest cost among the configured hashes, so it costs
// the same bcrypt work as a known user: user names cannot be found by
// timing. (Use cost 10 or more: htpasswd -nBC 10 USER.)
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "uwsgitop/base/status.hpp"
#include "uwsgitop/serve/tls_settings.hpp"

namespace uwsgitop {

struct WebConfig {
    std::string cert_pem;   // empty: plain HTTP
    std::string key_pem;
    TlsSettings tls_settings;   // versions, suites, client certificates (with TLS)
    std::string priorities;     // gnutls_priorities(tls_settings), for libmicrohttpd
    std::vector<std::pair<std::string, std::string>> users;   // name, bcrypt hash
    std::string dummy_hash;   // for unknown users: the users' highest cost ("" = a cost-10 default)

    bool tls() const { return !cert_pem.empty(); }
    bool auth() const { return !users.empty(); }
    // What libmicrohttpd is given as MHD_OPTION_HTTPS_MEM_TRUST so that it
    // asks clients for a certificate: client_ca_file; "" when no
    // certificate is asked for.
    const std::string& client_trust_pem() const;
    // The same TLS (certificate, key, priorities, client certificates).
    bool same_tls(const WebConfig& o) const;
};

Status load_web_config(const std::string& path, WebConfig& out);

// True when `user` is configured and `password` matches its hash.
bool check_password(const WebConfig& config, std::string_view user, std::string_view password);

}  // namespace uwsgitop
