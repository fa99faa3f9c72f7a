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
    CHECK(error("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: c\n")
              .find("tls_server_config.client_ca_file: not supported") != std::string::npos);
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
