// web_config.cpp — the exporter-toolkit web configuration file (see web_config.hpp).
#include "uwsgitop/serve/web_config.hpp"

#include <crypt.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <memory>
#include <sstream>

#include "uwsgitop/base/text.hpp"

namespace uwsgitop {

namespace {

// A valid cost-10 bcrypt hash of a random password: an unknown user's check
// when the config has no dummy_hash of its own (a WebConfig not loaded from
// a file).
constexpr const char* kDummyHash = "$2b$10$WGvr2pvZpPPDTXwa/dcLWOtC68ZlR6WQ20xPq1UUT66VZjYPoMZNW";

std::string where(const std::string& path, std::string_view key) {
    return "--web-config-file " + escape_for_display(path) + ": " + std::string(key);
}

bool is_bcrypt(const std::string& h) {
    return h.size() == 60 && (h.rfind("$2a$", 0) == 0 || h.rfind("$2b$", 0) == 0 || h.rfind("$2y$", 0) == 0) &&
           std::isdigit(static_cast<unsigned char>(h[4])) && std::isdigit(static_cast<unsigned char>(h[5])) &&
           h[6] == '$';
}

// The cost (log2 rounds) of a hash is_bcrypt() accepted.
unsigned long bcrypt_cost(const std::string& h) { return static_cast<unsigned long>((h[4] - '0') * 10 + (h[5] - '0')); }

// out.dummy_hash: a fresh salt and the highest cost among out.users.
Status make_dummy_hash(const std::string& path, WebConfig& out) {
    unsigned long cost = 4;
    for (const auto& [name, hash] : out.users) cost = std::max(cost, bcrypt_cost(hash));
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    auto data = std::make_unique<crypt_data>();
    const char* h = crypt_gensalt_rn("$2b$", cost, nullptr, 0, salt, sizeof salt)
                        ? crypt_rn("uwsgitop: no such user", salt, data.get(), static_cast<int>(sizeof(crypt_data)))
                        : nullptr;
    if (!h || h[0] == '*') {
        return Status::fail(where(path, "basic_auth_users") + ": cannot make a bcrypt hash of cost " +
                            std::to_string(cost) + " (bcrypt costs are 4 to 31)");
    }
    out.dummy_hash = h;
    return Status::ok();
}

Status read_file(const std::string& config_path, const std::string& key, const std::string& file, std::string& out) {
    std::string full = file;
    if (!file.empty() && file[0] != '/') {
        const auto slash = config_path.rfind('/');
        if (slash != std::string::npos) full = config_path.substr(0, slash + 1) + file;
    }
    std::ifstream in(full, std::ios::binary);
    if (!in) return Status::fail(where(config_path, key) + ": cannot read " + escape_for_display(full));
    std::ostringstream s;
    s << in.rdbuf();
    out = s.str();
    if (out.empty()) return Status::fail(where(config_path, key) + ": " + escape_for_display(full) + " is empty");
    return Status::ok();
}

Status scalar(const std::string& path, const std::string& key, const YAML::Node& n, std::string& out) {
    if (!n.IsScalar()) return Status::fail(where(path, key) + ": give a string");
    out = n.Scalar();
    return Status::ok();
}

// A list of strings (a lone string is a list of one), each given to `add`.
template <typename Add>
Status each_string(const std::string& path, const std::string& key, const YAML::Node& n, Add add) {
    if (n.IsScalar()) return add(n.Scalar());
    if (!n.IsSequence()) return Status::fail(where(path, key) + ": give a list of names");
    for (const auto& item : n) {
        if (!item.IsScalar()) return Status::fail(where(path, key) + ": give a list of names");
        if (Status st = add(item.Scalar()); !st) return st;
    }
    return Status::ok();
}

// One key of tls_server_config other than the certificate's; `file` gets
// client_ca_file's name.
Status parse_tls_key(const std::string& path, const std::string& k, const YAML::Node& v, TlsSettings& tls,
                     std::string& ca_file) {
    const std::string full = "tls_server_config." + k;
    const std::string key = where(path, full);
    std::string text;
    if (k == "client_ca_file") return scalar(path, full, v, ca_file);
    if (k == "cipher_suites") {
        return each_string(path, full, v, [&](const std::string& n) { return add_cipher_suite(key, n, tls); });
    }
    if (k == "curve_preferences") {
        return each_string(path, full, v, [&](const std::string& n) { return add_curve(key, n, tls); });
    }
    if (k == "prefer_server_cipher_suites") {
        if (Status st = scalar(path, full, v, text); !st) return st;
        if (text != "true" && text != "false") return Status::fail(key + ": give true or false");
        tls.server_precedence = text == "true";
        return Status::ok();
    }
    if (k != "min_version" && k != "max_version" && k != "client_auth_type") {
        return Status::fail(key + ": not supported (uwsgitop reads cert_file, key_file, min_version, max_version, "
                                  "cipher_suites, curve_preferences, prefer_server_cipher_suites, client_auth_type, "
                                  "client_ca_file)");
    }
    if (Status st = scalar(path, full, v, text); !st) return st;
    if (k == "client_auth_type") return parse_client_auth(key, text, tls.client_auth);
    return parse_tls_version(key, text, k == "min_version" ? tls.min_version : tls.max_version);
}

Status parse_tls(const std::string& path, const YAML::Node& v, WebConfig& out) {
    const std::string key = "tls_server_config";
    if (!v.IsMap()) return Status::fail(where(path, key) + ": give cert_file and key_file");
    std::string cert, keyf, ca;
    for (const auto& t : v) {
        const std::string k = t.first.as<std::string>();
        const std::string full = key + "." + k;
        if (k == "cert_file") {
            if (Status st = scalar(path, full, t.second, cert); !st) return st;
        } else if (k == "key_file") {
            if (Status st = scalar(path, full, t.second, keyf); !st) return st;
        } else if (Status st = parse_tls_key(path, k, t.second, out.tls_settings, ca); !st) {
            return st;
        }
    }
    if (cert.empty() != keyf.empty() || cert.empty()) {
        return Status::fail(where(path, key + (cert.empty() ? ".cert_file" : ".key_file")) +
                            ": missing (TLS needs both cert_file and key_file)");
    }
    if (Status st = read_file(path, key + ".cert_file", cert, out.cert_pem); !st) return st;
    if (Status st = read_file(path, key + ".key_file", keyf, out.key_pem); !st) return st;
    if (!ca.empty()) {
        if (Status st = read_file(path, key + ".client_ca_file", ca, out.tls_settings.client_ca_pem); !st) return st;
    }
    if (Status st = check_tls_settings(out.tls_settings); !st) {
        return Status::fail("--web-config-file " + escape_for_display(path) + ": " + st.message());
    }
    out.priorities = gnutls_priorities(out.tls_settings);
    return Status::ok();
}

Status parse(const std::string& path, const YAML::Node& root, WebConfig& out) {
    if (root.IsNull()) {
        return Status::fail(where(path, "the file") +
                            " is empty (give tls_server_config and/or basic_auth_users; without --web-config-file "
                            "the server speaks plain HTTP without auth)");
    }
    if (!root.IsMap()) return Status::fail(where(path, "the file") + " is not a YAML mapping");
    for (const auto& top : root) {
        const std::string key = top.first.as<std::string>();
        const YAML::Node& v = top.second;
        if (key == "tls_server_config") {
            if (v.IsNull()) continue;
            if (Status st = parse_tls(path, v, out); !st) return st;
        } else if (key == "basic_auth_users") {
            if (v.IsNull()) continue;
            if (!v.IsMap()) return Status::fail(where(path, key) + ": give USER: BCRYPT-HASH lines");
            for (const auto& u : v) {
                const std::string user = u.first.as<std::string>();
                const std::string full = key + "." + user;
                std::string hash;
                if (Status st = scalar(path, full, u.second, hash); !st) return st;
                if (!is_bcrypt(hash)) return Status::fail(where(path, full) + ": not a bcrypt hash ($2y$..., e.g. from htpasswd -nB)");
                if (user.empty() || user.find(':') != std::string::npos) {
                    return Status::fail(where(path, full) + ": a user name is not empty and has no ':'");
                }
                for (const auto& [name, h] : out.users) {
                    if (name == user) return Status::fail(where(path, full) + ": the user is given twice");
                }
                out.users.emplace_back(user, hash);
            }
        } else {
            return Status::fail(where(path, key) + ": unknown key (valid: tls_server_config, basic_auth_users)");
        }
    }
    return out.users.empty() ? Status::ok() : make_dummy_hash(path, out);
}

// Equal length and content, in time that depends only on the lengths.
bool constant_time_equal(std::string_view a, std::string_view b) {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    const std::size_t n = a.size() < b.size() ? a.size() : b.size();
    for (std::size_t i = 0; i < n; ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

}  // namespace

Status load_web_config(const std::string& path, WebConfig& out) {
    out = WebConfig();
    std::ifstream in(path);
    if (!in) return Status::fail("--web-config-file " + escape_for_display(path) + ": cannot open file");
    YAML::Node root;
    try {
        root = YAML::Load(in);
        return parse(path, root, out);
    } catch (const YAML::Exception& e) {
        std::string msg = e.what();
        for (char& c : msg) {
            if (c == '\n') c = ' ';
        }
        return Status::fail("--web-config-file " + escape_for_display(path) + ": " + escape_for_display(msg));
    }
}

const std::string& WebConfig::client_trust_pem() const {
    static const std::string none;
    return tls_settings.client_auth == ClientAuth::None ? none : tls_settings.client_ca_pem;
}

bool WebConfig::same_tls(const WebConfig& o) const {
    return cert_pem == o.cert_pem && key_pem == o.key_pem && priorities == o.priorities &&
           tls_settings.client_auth == o.tls_settings.client_auth &&
           tls_settings.client_ca_pem == o.tls_settings.client_ca_pem;
}

bool check_password(const WebConfig& config, std::string_view user, std::string_view password) {
    const std::string* hash = nullptr;
    for (const auto& [name, h] : config.users) {
        if (constant_time_equal(name, user) && !hash) hash = &h;
    }
    const std::string pw(password);
    auto data = std::make_unique<crypt_data>();
    // crypt_rn (libxcrypt): crypt_r with NULL for failure; also not wrapped
    // by ASan's crypt_r interceptor, which resolves to nothing in some links.
    const std::string_view expected = hash                            ? std::string_view(*hash)
                                      : config.dummy_hash.empty() ? std::string_view(kDummyHash)
                                                                  : std::string_view(config.dummy_hash);
    const std::string expected_z(expected);
    const char* got = crypt_rn(pw.c_str(), expected_z.c_str(), data.get(), static_cast<int>(sizeof(crypt_data)));
    const bool match = got && constant_time_equal(got, expected);
    return hash && match;
}

}  // namespace uwsgitop
