// test_web_config.cpp — the exporter-toolkit web config: what is read, what
// is refused (naming the key), and the bcrypt check.
#include <doctest/doctest.h>

#include <crypt.h>
#include <unistd.h>

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

std::string bcrypt(const char* password, const char* prefix = "$2b$") {
    char salt[64];
    REQUIRE(crypt_gensalt_rn(prefix, 4, nullptr, 0, salt, sizeof salt) != nullptr);
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

TEST_CASE("an empty file changes nothing") {
    WebConfig c;
    REQUIRE(load("", c).is_ok());
    CHECK_FALSE(c.tls());
    CHECK_FALSE(c.auth());
    REQUIRE(load("# only a comment\n", c).is_ok());
    CHECK_FALSE(c.auth());
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
    CHECK(error("a: [unclosed\n").find("--web-config-file ") == 0);
    CHECK_FALSE(load_web_config(dir() + "/does-not-exist.yml", c).is_ok());
}
