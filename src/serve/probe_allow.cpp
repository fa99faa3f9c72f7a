// probe_allow.cpp — the /probe allow-list: parse, refuse, normalise, then
// match (see probe_allow.hpp).
#include "uwsgitop/serve/probe_allow.hpp"

#include <arpa/inet.h>
#include <fnmatch.h>

#include <algorithm>
#include <cctype>

#include "uwsgitop/base/text.hpp"
#include "uwsgitop/source/address.hpp"

namespace uwsgitop {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// An IP literal in its canonical spelling, a name in lower case. IPv4
// spellings that inet_aton() takes and getaddrinfo() would connect to
// (127.1, 0x7f.0.0.1, 2130706433) become dotted quads; IPv6 keeps its zone.
std::string canonical_host(std::string_view host) {
    const std::string h = lower(host);
    char buf[INET6_ADDRSTRLEN] = {};
    in_addr v4{};
    if (::inet_aton(h.c_str(), &v4) == 1 && ::inet_ntop(AF_INET, &v4, buf, sizeof buf)) return buf;
    const std::size_t zone = h.find('%');
    const std::string addr = h.substr(0, zone);
    in6_addr v6{};
    if (::inet_pton(AF_INET6, addr.c_str(), &v6) == 1 && ::inet_ntop(AF_INET6, &v6, buf, sizeof buf)) {
        return std::string(buf) + (zone == std::string::npos ? "" : h.substr(zone));
    }
    return h;
}

std::string host_port(std::string_view host, uint16_t port) {
    const std::string h = canonical_host(host);
    const bool v6 = h.find(':') != std::string::npos;
    std::string out;
    if (v6) out += '[';
    out += h;
    if (v6) out += ']';
    out += ':';
    out += std::to_string(port);
    return out;
}

// "" when `path` (absolute, decoded) has no NUL and no empty, "." or ".."
// component; else what is wrong. A trailing '/' is allowed when `dir_ok`.
std::string path_fault(std::string_view path, bool dir_ok) {
    if (path.empty() || path.front() != '/') return "the socket path is not absolute";
    if (path.find('\0') != std::string_view::npos) return "NUL byte in the path";
    if (path == "/") return "";
    std::string_view rest = path.substr(1);
    if (dir_ok && rest.back() == '/') rest.remove_suffix(1);
    while (true) {
        const std::size_t slash = rest.find('/');
        const std::string_view part = rest.substr(0, slash);
        if (part.empty()) return "empty component in the path";
        if (part == "." || part == "..") {
            std::string why(1, '"');
            why += part;
            why += "\" component in the path";
            return why;
        }
        if (slash == std::string_view::npos) return "";
        rest.remove_prefix(slash + 1);
    }
}

// A decoded URL path written back with only unreserved characters, '/' and
// the sub-delimiters plain: one spelling for every way of encoding it.
std::string encode_path(std::string_view decoded) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (char c : decoded) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || std::string_view("-._~/!$&'()*+,;=:@").find(c) != std::string_view::npos) {
            out += c;
        } else {
            out += '%';
            out += kHex[u >> 4];
            out += kHex[u & 15];
        }
    }
    return out;
}

// The authority of an http(s) URL (no userinfo: checked before) in normal form.
Status normal_authority(std::string_view authority, std::string& out) {
    const std::size_t close = authority.find(']');
    const std::size_t colon = authority.find(':', close == std::string_view::npos ? 0 : close);
    if (colon == std::string_view::npos) {
        const bool v6 = !authority.empty() && authority.front() == '[';
        out.clear();
        if (v6) out += '[';
        out += canonical_host(v6 ? authority.substr(1, authority.size() - 2) : authority);
        if (v6) out += ']';
        return Status::ok();
    }
    Address a;
    if (Status st = parse_address(authority, a); !st || a.kind != AddressKind::Tcp) {
        return Status::fail("bad host or port in the URL");
    }
    out = host_port(a.host, a.port);
    return Status::ok();
}

Status normalize_url(std::string_view text, std::string& out) {
    if (text.find('#') != std::string_view::npos) return Status::fail("a URL fragment ('#') is not allowed");
    if (text.find('\\') != std::string_view::npos) return Status::fail("a backslash is not allowed in a URL");
    const std::size_t scheme_end = text.find("://");
    const std::string_view rest = text.substr(scheme_end + 3);
    const std::size_t auth_end = std::min(rest.find_first_of("/?"), rest.size());
    const std::string_view authority = rest.substr(0, auth_end);
    if (authority.find('@') != std::string_view::npos) {
        return Status::fail("userinfo ('@' before the host) is not allowed in a URL");
    }
    std::string host;
    if (Status st = normal_authority(authority, host); !st) return st;
    const std::string_view tail = rest.substr(auth_end);
    const std::size_t q = std::min(tail.find('?'), tail.size());
    std::string path;
    if (!percent_decode(tail.substr(0, q), path)) return Status::fail("bad %-escape in the URL path");
    if (path.empty()) path.push_back('/');
    if (std::string why = path_fault(path, true); !why.empty()) return Status::fail(why);
    out = lower(text.substr(0, scheme_end));
    out += "://";
    out += host;
    out += encode_path(path);
    out += tail.substr(q);
    return Status::ok();
}

std::string shown(std::string_view target) {
    std::string s(1, '"');
    s += escape_for_display(target);
    s += '"';
    return s;
}

}  // namespace

Status normalize_probe_target(std::string_view target, std::string& out) {
    Address a;
    if (Status st = parse_address(target, a); !st) return st;
    std::string why;
    switch (a.kind) {
        case AddressKind::Tcp: out = host_port(a.host, a.port); return Status::ok();
        case AddressKind::Abstract: out = "@" + a.path; return Status::ok();
        case AddressKind::Http: return normalize_url(target, out);
        case AddressKind::Unix: why = path_fault(a.path, false); out = a.path; break;
        case AddressKind::HttpUnix: why = path_fault(a.path, false); out = "http+unix://" + a.path; break;
        case AddressKind::File: why = path_fault(a.path, false); out = "file:" + a.path; break;
        case AddressKind::Stdin: return Status::fail("standard input cannot be probed");
    }
    if (!why.empty()) return Status::fail(why);
    return Status::ok();
}

ProbeAllow::ProbeAllow(std::vector<std::string> patterns, const std::vector<std::string>& configured_addresses)
    : patterns_(std::move(patterns)) {
    for (const std::string& address : configured_addresses) {
        std::string normal;
        if (normalize_probe_target(address, normal)) configured_.push_back(std::move(normal));
    }
}

Status ProbeAllow::check(std::string_view target, std::string& normalized) const {
    if (Status st = normalize_probe_target(target, normalized); !st) {
        return Status::fail("target " + shown(target) + " refused: " + st.message());
    }
    if (patterns_.empty()) {
        if (std::find(configured_.begin(), configured_.end(), normalized) != configured_.end()) return Status::ok();
        return Status::fail("target " + shown(target) +
                            " refused: without --probe-allow only the configured targets' addresses may be probed");
    }
    for (const std::string& p : patterns_) {
        if (::fnmatch(p.c_str(), normalized.c_str(), FNM_PATHNAME) == 0) return Status::ok();
    }
    std::string list;
    for (const std::string& p : patterns_) {
        if (!list.empty()) list += ' ';
        list += escape_for_display(p);
    }
    return Status::fail("target " + shown(target) + " refused: it matches no --probe-allow pattern (" + list + ")");
}

}  // namespace uwsgitop
