// tls_settings.cpp — tls_server_config's keys as GnuTLS priorities (see tls_settings.hpp).
#include "uwsgitop/serve/tls_settings.hpp"

#include <algorithm>
#include <array>

#include "uwsgitop/base/text.hpp"

namespace uwsgitop {

namespace {

struct Suite {
    std::string_view name;   // Go's crypto/tls name
    std::string_view kx, cipher, mac;   // GnuTLS' names; kx empty: a TLS 1.3 suite
};

constexpr std::array<Suite, 24> kSuites = {{
    {"TLS_RSA_WITH_AES_128_CBC_SHA", "RSA", "AES-128-CBC", "SHA1"},
    {"TLS_RSA_WITH_AES_256_CBC_SHA", "RSA", "AES-256-CBC", "SHA1"},
    {"TLS_RSA_WITH_AES_128_CBC_SHA256", "RSA", "AES-128-CBC", "SHA256"},
    {"TLS_RSA_WITH_AES_128_GCM_SHA256", "RSA", "AES-128-GCM", "AEAD"},
    {"TLS_RSA_WITH_AES_256_GCM_SHA384", "RSA", "AES-256-GCM", "AEAD"},
    {"TLS_RSA_WITH_3DES_EDE_CBC_SHA", "RSA", "3DES-CBC", "SHA1"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA", "AES-128-CBC", "SHA1"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA", "AES-256-CBC", "SHA1"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA", "AES-128-CBC", "SHA256"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA", "AES-128-GCM", "AEAD"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA", "AES-256-GCM", "AEAD"},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA", "CHACHA20-POLY1305", "AEAD"},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "ECDHE-ECDSA", "CHACHA20-POLY1305", "AEAD"},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA", "AES-128-CBC", "SHA1"},
    {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA", "AES-256-CBC", "SHA1"},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA", "AES-128-CBC", "SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA", "AES-128-GCM", "AEAD"},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA", "AES-256-GCM", "AEAD"},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA", "CHACHA20-POLY1305", "AEAD"},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "ECDHE-RSA", "CHACHA20-POLY1305", "AEAD"},
    {"TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-RSA", "3DES-CBC", "SHA1"},
    {"TLS_AES_128_GCM_SHA256", "", "", ""},
    {"TLS_AES_256_GCM_SHA384", "", "", ""},
    {"TLS_CHACHA20_POLY1305_SHA256", "", "", ""},
}};

struct Curve {
    std::string_view name, group;
};
constexpr std::array<Curve, 4> kCurves = {{
    {"CurveP256", "SECP256R1"},
    {"CurveP384", "SECP384R1"},
    {"CurveP521", "SECP521R1"},
    {"X25519", "X25519"},
}};

constexpr std::array<std::string_view, 5> kClientAuth = {
    "NoClientCert", "RequestClientCert", "RequireAnyClientCert", "VerifyClientCertIfGiven",
    "RequireAndVerifyClientCert"};

void add_once(std::vector<std::string>& list, std::string_view v) {
    if (std::find(list.begin(), list.end(), v) == list.end()) list.emplace_back(v);
}

std::string bad(std::string_view key, std::string_view value, std::string_view valid) {
    std::string s(key);
    s.append(": \"").append(escape_for_display(value)).append("\" is not ").append(valid);
    return s;
}

// ":-ALL_KEYWORD:+PREFIXa:+PREFIXb", or "" for an empty list (GnuTLS
// spells additions of key exchanges, ciphers and MACs without a prefix,
// of groups with "GROUP-").
std::string only(std::string_view all, std::string_view prefix, const std::vector<std::string>& names) {
    if (names.empty()) return {};
    std::string s = ":-";
    s.append(all);
    for (const std::string& n : names) s.append(":+").append(prefix).append(n);
    return s;
}

}  // namespace

Status parse_tls_version(std::string_view key, std::string_view value, int& out) {
    if (value.size() == 5 && value.substr(0, 4) == "TLS1" && value[4] >= '0' && value[4] <= '3') {
        out = 10 + (value[4] - '0');
        return Status::ok();
    }
    return Status::fail(bad(key, value, "a TLS version (TLS10, TLS11, TLS12, TLS13)"));
}

Status add_cipher_suite(std::string_view key, std::string_view name, TlsSettings& out) {
    for (const Suite& s : kSuites) {
        if (s.name != name) continue;
        if (s.kx.empty()) return Status::ok();   // TLS 1.3: not configurable
        add_once(out.kx, s.kx);
        add_once(out.ciphers, s.cipher);
        add_once(out.macs, s.mac);
        return Status::ok();
    }
    if (name.find("RC4") != std::string_view::npos) {
        return Status::fail(bad(key, name, "offered: GnuTLS has no RC4 suites"));
    }
    return Status::fail(bad(key, name, "a cipher suite Go's crypto/tls names (e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)"));
}

Status add_curve(std::string_view key, std::string_view name, TlsSettings& out) {
    for (const Curve& c : kCurves) {
        if (c.name == name) {
            add_once(out.groups, c.group);
            return Status::ok();
        }
    }
    return Status::fail(bad(key, name, "a curve (CurveP256, CurveP384, CurveP521, X25519)"));
}

Status parse_client_auth(std::string_view key, std::string_view value, ClientAuth& out) {
    for (std::size_t i = 0; i < kClientAuth.size(); ++i) {
        if (kClientAuth[i] == value) {
            out = static_cast<ClientAuth>(i);
            return Status::ok();
        }
    }
    return Status::fail(bad(key, value,
                            "a client_auth_type (NoClientCert, RequestClientCert, RequireAnyClientCert, "
                            "VerifyClientCertIfGiven, RequireAndVerifyClientCert)"));
}

Status check_tls_settings(const TlsSettings& s) {
    if (s.min_version > s.max_version) {
        return Status::fail("tls_server_config.min_version is above max_version");
    }
    if (s.client_auth != ClientAuth::None && s.client_ca_pem.empty()) {
        return Status::fail("tls_server_config.client_auth_type: asking for client certificates needs client_ca_file "
                            "(GnuTLS names its CAs to the client; Go clients, Prometheus among them, send no "
                            "certificate that none of them issued)");
    }
    if (!s.client_ca_pem.empty() && s.client_auth == ClientAuth::None) {
        return Status::fail("tls_server_config.client_ca_file: given without a client_auth_type that asks for "
                            "certificates (e.g. RequireAndVerifyClientCert)");
    }
    return Status::ok();
}

std::string gnutls_priorities(const TlsSettings& s) {
    std::string p = s.server_precedence ? "NORMAL:%SERVER_PRECEDENCE:-VERS-ALL" : "NORMAL:-VERS-ALL";
    for (int v = s.max_version; v >= s.min_version; --v) p.append(":+VERS-TLS1.").append(std::to_string(v - 10));
    std::vector<std::string> ciphers = s.ciphers, macs = s.macs;
    if (!ciphers.empty() && s.max_version >= 13) {   // TLS 1.3's suites stay on
        for (const char* c : {"AES-256-GCM", "AES-128-GCM", "CHACHA20-POLY1305"}) add_once(ciphers, c);
        add_once(macs, "AEAD");
    }
    p += only("KX-ALL", "", s.kx);
    p += only("CIPHER-ALL", "", ciphers);
    p += only("MAC-ALL", "", macs);
    p += only("GROUP-ALL", "GROUP-", s.groups);
    return p;
}

std::string client_certificate_refusal(ClientAuth auth, bool presented, bool verified) {
    switch (auth) {
        case ClientAuth::None:
        case ClientAuth::Request: return {};
        case ClientAuth::RequireAny: return presented ? "" : "a client certificate is required";
        case ClientAuth::VerifyIfGiven:
            return !presented || verified ? "" : "the client certificate is not signed by client_ca_file for client authentication (or not valid now)";
        case ClientAuth::RequireAndVerify:
            if (!presented) return "a client certificate signed by client_ca_file is required";
            return verified ? "" : "the client certificate is not signed by client_ca_file for client authentication (or not valid now)";
    }
    return "unknown client_auth_type";
}

}  // namespace uwsgitop
