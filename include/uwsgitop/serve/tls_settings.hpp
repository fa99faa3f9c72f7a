// tls_settings.hpp — exporter-toolkit's tls_server_config keys beyond the
// certificate, as GnuTLS (libmicrohttpd's TLS) takes them.
//
//   min_version: TLS12            # TLS10 TLS11 TLS12 TLS13; default TLS12
//   max_version: TLS13            # default TLS13
//   cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, ...]   # Go's names
//   curve_preferences: [X25519, CurveP256]   # CurveP256 CurveP384 CurveP521 X25519
//   prefer_server_cipher_suites: true         # the server's order decides
//   client_auth_type: RequireAndVerifyClientCert
//   client_ca_file: ca.crt
//
// GnuTLS enables suites by their parts, not by name: cipher_suites allows
// the key exchanges, ciphers and MACs of the suites listed, in every
// combination GnuTLS knows (listing TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
// and TLS_RSA_WITH_AES_256_CBC_SHA also allows ECDHE-RSA with AES-256-CBC).
// TLS 1.3's suites are not configurable (as in Go): their names are
// accepted and change nothing, and when max_version allows TLS 1.3 its AEAD
// ciphers stay on. RC4 suites are refused (GnuTLS offers none).
// client_auth_type, as in Go: NoClientCert (default), RequestClientCert,
// RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert.
// Every kind but NoClientCert needs client_ca_file (unlike Go: GnuTLS's
// certificate request names the acceptable CAs, and a Go client sends no
// certificate none of them issued); a client_ca_file with NoClientCert is
// refused (as exporter-toolkit does). Verified certificates must also be
// for TLS client authentication (extended key usage), as Go requires. The certificate is
// asked for in the handshake and checked when a request arrives
// (client_certificate_refusal()): a request without the certificate the
// kind requires, or with one that client_ca_file does not verify, is
// refused there (403), before anything is read or polled.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "uwsgitop/base/status.hpp"

namespace uwsgitop {

enum class ClientAuth { None, Request, RequireAny, VerifyIfGiven, RequireAndVerify };

struct TlsSettings {
    int min_version = 12;   // 10 11 12 13: TLS 1.x
    int max_version = 13;
    std::vector<std::string> kx, ciphers, macs;   // GnuTLS names; empty: GnuTLS' defaults
    std::vector<std::string> groups;              // GnuTLS group names; empty: defaults
    bool server_precedence = true;
    ClientAuth client_auth = ClientAuth::None;
    std::string client_ca_pem;                    // PEM, when client_ca_file is given
};

// Each returns a one-line error naming the value when it is not one of the
// forms above (`key` is the key's full name for the message).
Status parse_tls_version(std::string_view key, std::string_view value, int& out);
Status add_cipher_suite(std::string_view key, std::string_view name, TlsSettings& out);
Status add_curve(std::string_view key, std::string_view name, TlsSettings& out);
Status parse_client_auth(std::string_view key, std::string_view value, ClientAuth& out);
// The checks across keys (versions in order, CA file and auth kind agree).
Status check_tls_settings(const TlsSettings& s);

// libmicrohttpd's MHD_OPTION_HTTPS_PRIORITIES for `s`: "NORMAL" with the
// versions, suites' parts and groups narrowed.
std::string gnutls_priorities(const TlsSettings& s);

// What the client certificate of a request lacks under `auth`, or "" when
// it may go on. `presented`: the client sent a certificate; `verified`: it
// chains to client_ca_file and is valid now.
std::string client_certificate_refusal(ClientAuth auth, bool presented, bool verified);

}  // namespace uwsgitop
