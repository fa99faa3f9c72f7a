// test_web_config.cpp — the exporter-toolkit web config: what is read, what
// is refused (naming the key), and the bcrypt check.
#include <doctest/doctest.h>

#include <crypt.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>

#include "uwsgitop/serve/web_config.hpp"

using namespace uwsgitop;

namespace {

std::string dir() {
    static const std::string d = [] {
        char tmpl[] = "/tmp/uwsgitop-webcfg-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        return std::string(tmpl);
    }();
    return d;
}

std::string write(const std::string& name, const std::string& text) {
    const std::string path = dir() + "/" + name;
    std::ofstream(path) << text;
    return path;
}

std::string bcrypt(const char* password, const char* prefix = "$2b$", unsigned long cost = 4) {
    char salt[64];
    REQUIRE(crypt_gensalt_rn(prefix, cost, nullptr, 0, salt, sizeof salt) != nullptr);
    crypt_data data{};
    return crypt_r(password, salt, &data);
}

Status load(const std::string& text, WebConfig& c) { return load_web_config(write("web.yml", text), c); }

}  // namespace

TEST_CASE("a full config: TLS files relative to the config, users with bcrypt hashes") {
    write("server.crt", "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n");
    write("server.key", "-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----\n");
    const std::string alice = bcrypt("pw-a");
    const std::string bob = bcrypt("pw-b", "$2y$");
    WebConfig c;
    const Status st = load("tls_server_config:\n  cert_file: server.crt\n  key_file: " + dir() +
                               "/server.key\nbasic_auth_users:\n  alice: " + alice + "\n  bob: '" + bob + "'\n",
                           c);
    REQUIRE_MESSAGE(st.is_ok(), st.message());
    CHECK(c.tls());
    CHECK(c.cert_pem.find("BEGIN CERTIFICATE") != std::string::npos);
    CHECK(c.key_pem.find("BEGIN PRIVATE KEY") != std::string::npos);
    REQUIRE(c.users.size() == 2);
    CHECK(check_password(c, "alice", "pw-a"));
    CHECK(check_password(c, "bob", "pw-b"));
    CHECK_FALSE(check_password(c, "alice", "pw-b"));
    CHECK_FALSE(check_password(c, "alice", ""));
    CHECK_FALSE(check_password(c, "bob", "pw-b "));
    CHECK_FALSE(check_password(c, "carol", "pw-a"));
    CHECK_FALSE(check_password(c, "", ""));
}

TEST_CASE("an empty file is refused: without --web-config-file is the way to plain HTTP") {
    WebConfig c;
    const Status st = load("", c);
    CHECK(st.message() == "--web-config-file " + dir() +
                              "/web.yml: the file is empty (give tls_server_config and/or basic_auth_users; "
                              "without --web-config-file the server speaks plain HTTP without auth)");
    CHECK_FALSE(load("# only a comment\n", c).is_ok());
}

TEST_CASE("an unknown user costs the same bcrypt work as a known one") {
    const std::string alice = bcrypt("pw-a", "$2b$", 8);
    WebConfig c;
    REQUIRE(load("basic_auth_users:\n  alice: " + alice + "\n  bob: " + bcrypt("pw-b") + "\n", c).is_ok());
    CHECK(c.dummy_hash.rfind("$2b$08$", 0) == 0);   // the highest cost configured
    CHECK(c.dummy_hash != alice);
    // Best of 5 each, so a busy machine's pauses do not decide it.
    auto best = [&](const char* user) {
        double least = 1e9;
        for (int i = 0; i < 5; ++i) {
            const auto t0 = std::chrono::steady_clock::now();
            CHECK_FALSE(check_password(c, user, "wrong"));
            least = std::min(least, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        }
        return least;
    };
    const double known = best("alice");
    const double unknown = best("nobody");
    MESSAGE("cost 8: known user " << known * 1000 << " ms, unknown user " << unknown * 1000 << " ms");
    CHECK(unknown < 2 * known);
    CHECK(known < 2 * unknown);
}

TEST_CASE("bad configs are one-line errors naming the key") {
    WebConfig c;
    auto error = [&](const std::string& text) {
        const Status st = load(text, c);
        CHECK_FALSE(st.is_ok());
        CHECK(st.message().find('\n') == std::string::npos);
        return st.message();
    };
    CHECK(error("tls_config:\n  cert_file: a\n").find(": tls_config: unknown key") != std::string::npos);
    CHECK(error("tls_server_config:\n  cert_file: a.crt\n").find("tls_server_config.key_file: missing") != std::string::npos);
    CHECK(error("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_allowed_sans: [x]\n")
              .find("tls_server_config.client_allowed_sans: not supported") != std::string::npos);
    CHECK(error("tls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n")
              .find("tls_server_config.cert_file: cannot read " + dir() + "/missing.crt") != std::string::npos);
    CHECK(error("basic_auth_users:\n  alice: plaintext\n").find("basic_auth_users.alice: not a bcrypt hash") !=
          std::string::npos);
    CHECK(error("basic_auth_users:\n  alice: [1, 2]\n").find("basic_auth_users.alice: give a string") != std::string::npos);
    CHECK(error("basic_auth_users: [alice]\n").find("basic_auth_users: give USER: BCRYPT-HASH") != std::string::npos);
    CHECK(error("- a\n- b\n").find("is not a YAML mapping") != std::string::npos);
    const std::string h = bcrypt("x");
    CHECK(error("basic_auth_users:\n  alice: " + h + "\n  alice: " + h + "\n")
              .find("basic_auth_users.alice: the user is given twice") != std::string::npos);
    CHECK(error("basic_auth_users:\n  alice: $2b$x4$" + h.substr(7) + "\n").find("not a bcrypt hash") !=
          std::string::npos);
    CHECK(error("a: [unclosed\n").find("--web-config-file ") == 0);
    CHECK_FALSE(load_web_config(dir() + "/does-not-exist.yml", c).is_ok());
}

TEST_CASE("tls_server_config's other keys: versions, suites, curves, client certificates") {
    write("server.crt", "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n");
    write("server.key", "-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----\n");
    write("ca.crt", "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n");
    const std::string head = "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n";
    WebConfig c;

    REQUIRE(load(head, c).is_ok());   // the defaults: TLS 1.2 and 1.3, no client certificate
    CHECK(c.priorities == "NORMAL:%SERVER_PRECEDENCE:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2");
    CHECK(c.client_trust_pem().empty());

    REQUIRE(load(head + "  min_version: TLS10\n  max_version: TLS12\n"
                        "  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256]\n"
                        "  curve_preferences: [X25519, CurveP256]\n  prefer_server_cipher_suites: false\n",
                 c)
                .is_ok());
    CHECK(c.priorities ==
          "NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0:-KX-ALL:+ECDHE-RSA:-CIPHER-ALL:+AES-128-GCM"
          ":-MAC-ALL:+AEAD:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1");

    // With TLS 1.3 allowed its AEAD ciphers stay on beside a CBC suite.
    REQUIRE(load(head + "  cipher_suites: TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA\n", c).is_ok());
    CHECK(c.priorities.find(":-CIPHER-ALL:+AES-256-CBC:+AES-256-GCM:+AES-128-GCM:+CHACHA20-POLY1305") !=
          std::string::npos);
    CHECK(c.priorities.find(":-MAC-ALL:+SHA1:+AEAD") != std::string::npos);

    REQUIRE(load(head + "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n", c).is_ok());
    CHECK(c.tls_settings.client_auth == ClientAuth::RequireAndVerify);
    CHECK(c.client_trust_pem().find("CA") != std::string::npos);
    REQUIRE(load(head + "  client_auth_type: RequireAnyClientCert\n  client_ca_file: ca.crt\n", c).is_ok());
    CHECK(c.client_trust_pem() == c.tls_settings.client_ca_pem);   // asks for a certificate, verifies none

    auto error = [&](const std::string& text) {
        const Status st = load(head + text, c);
        CHECK_FALSE(st.is_ok());
        CHECK(st.message().find('\n') == std::string::npos);
        return st.message();
    };
    CHECK(error("  min_version: TLS14\n").find("min_version: \"TLS14\" is not a TLS version") != std::string::npos);
    CHECK(error("  min_version: TLS13\n  max_version: TLS12\n").find("min_version is above max_version") !=
          std::string::npos);
    CHECK(error("  cipher_suites: [TLS_NOPE]\n").find("cipher_suites: \"TLS_NOPE\" is not a cipher suite") !=
          std::string::npos);
    CHECK(error("  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]\n").find("GnuTLS has no RC4") != std::string::npos);
    CHECK(error("  cipher_suites: {a: b}\n").find("give a list of names") != std::string::npos);
    CHECK(error("  curve_preferences: [P256]\n").find("is not a curve") != std::string::npos);
    CHECK(error("  prefer_server_cipher_suites: maybe\n").find("give true or false") != std::string::npos);
    CHECK(error("  client_auth_type: Always\n").find("is not a client_auth_type") != std::string::npos);
    CHECK(error("  client_auth_type: VerifyClientCertIfGiven\n").find("needs client_ca_file") != std::string::npos);
    CHECK(error("  client_auth_type: RequireAnyClientCert\n").find("needs client_ca_file") != std::string::npos);
    CHECK(error("  client_ca_file: ca.crt\n").find("client_ca_file: given without a client_auth_type") !=
          std::string::npos);
    CHECK(error("  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: none.crt\n")
              .find("tls_server_config.client_ca_file: cannot read") != std::string::npos);
}

TEST_CASE("client_certificate_refusal: what each client_auth_type lets through") {
    CHECK(client_certificate_refusal(ClientAuth::None, false, false).empty());
    CHECK(client_certificate_refusal(ClientAuth::Request, false, false).empty());
    CHECK_FALSE(client_certificate_refusal(ClientAuth::RequireAny, false, false).empty());
    CHECK(client_certificate_refusal(ClientAuth::RequireAny, true, false).empty());
    CHECK(client_certificate_refusal(ClientAuth::VerifyIfGiven, false, false).empty());
    CHECK_FALSE(client_certificate_refusal(ClientAuth::VerifyIfGiven, true, false).empty());
    CHECK(client_certificate_refusal(ClientAuth::VerifyIfGiven, true, true).empty());
    CHECK_FALSE(client_certificate_refusal(ClientAuth::RequireAndVerify, false, false).empty());
    CHECK_FALSE(client_certificate_refusal(ClientAuth::RequireAndVerify, true, false).empty());
    CHECK(client_certificate_refusal(ClientAuth::RequireAndVerify, true, true).empty());
}
