// address.cpp — parsing the ADDRESS argument (see address.hpp for the forms).
//
// Pure string work: no resolving, no stat(). Every error is one line of the
// form `bad address "TEXT": what is wrong`, with TEXT escaped for display.
#include "uwsgitop/source/address.hpp"

#include <arpa/inet.h>
#include <sys/un.h>

#include <cctype>

#include "uwsgitop/base/text.hpp"

namespace uwsgitop {

namespace {

// Longest usable sun_path for a file-system socket (a NUL must fit) and the
// longest abstract name (leading NUL + name + trailing NUL, as uWSGI binds).
constexpr std::size_t kMaxUnixPath = sizeof(sockaddr_un::sun_path) - 1;
constexpr std::size_t kMaxAbstractName = sizeof(sockaddr_un::sun_path) - 2;

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    }
    return true;
}

constexpr std::size_t kShownAddressColumns = 120;  // longer text is cut in its middle in errors

Status bad(std::string_view text, std::string_view what) {
    std::string msg = "bad address \"";
    append_elided_middle(msg, escape_for_display(text), kShownAddressColumns, false);
    msg += "\": ";
    msg += what;
    return Status::fail(std::move(msg));
}

// Port text -> 1..65535, or an error (without the "bad address" prefix).
bool parse_port(std::string_view s, uint16_t& port, std::string& why) {
    if (s.empty()) {
        why = "missing port after ':'";
        return false;
    }
    unsigned long value = 0;
    for (char c : s) {
        if (c < '0' || c > '9') {
            why = "port must be a number 1-65535";
            return false;
        }
        value = value * 10 + static_cast<unsigned long>(c - '0');
        if (value > 65535) break;
    }
    if (value == 0 || value > 65535) {
        why = "port must be 1-65535";
        return false;
    }
    port = static_cast<uint16_t>(value);
    return true;
}

bool valid_host_name(std::string_view host) {
    if (host.empty() || host.size() > 253) return false;
    for (char c : host) {
        const auto u = static_cast<unsigned char>(c);
        if (!(std::isalnum(u) || c == '-' || c == '.' || c == '_')) return false;
    }
    return true;
}

bool valid_ipv6(std::string_view host) {
    // A zone ("fe80::1%eth0") is left to getaddrinfo; the address part must parse.
    const std::string addr(host.substr(0, host.find('%')));
    in6_addr tmp{};
    return !addr.empty() && inet_pton(AF_INET6, addr.c_str(), &tmp) == 1;
}

// "[V6]:PORT" or "HOST:PORT" or ":PORT" into out.host / out.port.
Status parse_host_port(std::string_view text, std::string_view hp, Address& out) {
    std::string why;
    if (hp.front() == '[') {
        const std::size_t close = hp.find(']');
        if (close == std::string_view::npos) return bad(text, "missing ']' after the IPv6 address");
        const std::string_view host = hp.substr(1, close - 1);
        if (!valid_ipv6(host)) return bad(text, "not an IPv6 address between [ and ]");
        const std::string_view rest = hp.substr(close + 1);
        if (rest.empty() || rest.front() != ':') return bad(text, "expected :PORT after ']'");
        if (!parse_port(rest.substr(1), out.port, why)) return bad(text, why);
        out.host = std::string(host);
        return Status::ok();
    }
    const std::size_t colon = hp.rfind(':');
    if (colon == std::string_view::npos) {
        return bad(text, "expected HOST:PORT, a socket path (/x, ./x, @name) or a URL");
    }
    const std::string_view host = hp.substr(0, colon);
    if (host.find(':') != std::string_view::npos) {
        if (valid_ipv6(host)) return bad(text, "IPv6 addresses need brackets: [ADDRESS]:PORT");
        return bad(text, "too many ':'");
    }
    if (!parse_port(hp.substr(colon + 1), out.port, why)) return bad(text, why);
    if (host.empty()) {
        out.host = "localhost";
    } else if (!valid_host_name(host)) {
        return bad(text, "invalid host name");
    } else {
        out.host = std::string(host);
    }
    return Status::ok();
}

// Checks the authority part of an http(s) URL; libcurl gets the URL as given.
Status check_url(std::string_view text, std::string_view after_scheme) {
    const std::size_t end = after_scheme.find_first_of("/?#");
    std::string_view authority = after_scheme.substr(0, end);
    const std::size_t at = authority.rfind('@');
    if (at != std::string_view::npos) authority.remove_prefix(at + 1);
    if (authority.empty()) return bad(text, "no host in the URL");
    Address tmp;
    if (authority.front() == '[') {
        if (authority.find(']') == std::string_view::npos) return bad(text, "missing ']' in the URL");
        if (authority.back() == ']') {
            if (!valid_ipv6(authority.substr(1, authority.size() - 2))) {
                return bad(text, "not an IPv6 address between [ and ]");
            }
            return Status::ok();
        }
        return parse_host_port(text, authority, tmp);
    }
    if (authority.find(':') == std::string_view::npos) {
        return valid_host_name(authority) ? Status::ok() : bad(text, "invalid host name in the URL");
    }
    if (authority.front() == ':') return bad(text, "no host in the URL");
    return parse_host_port(text, authority, tmp);
}

Status parse_unix_path(std::string_view text, std::string_view path, AddressKind kind,
                       Address& out) {
    if (path.empty()) return bad(text, "no socket path");
    if (path.find('\0') != std::string_view::npos) return bad(text, "NUL byte in the socket path");
    if (path.front() == '@') {
        if (path.size() == 1) return bad(text, "empty abstract socket name after '@'");
        if (path.size() - 1 > kMaxAbstractName) return bad(text, "abstract socket name too long");
    } else if (path.size() > kMaxUnixPath) {
        return bad(text, "socket path longer than " + std::to_string(kMaxUnixPath) + " bytes");
    }
    out.kind = kind;
    out.path = std::string(path);
    return Status::ok();
}

}  // namespace

Status parse_address(std::string_view text, Address& out) {
    out = Address{};
    out.text = std::string(text);
    if (text.empty()) return bad(text, "empty");
    for (char c : text) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return bad(text, "contains control characters");
    }

    if (text == "-") {
        out.kind = AddressKind::Stdin;
        return Status::ok();
    }
    if (starts_with(text, "file:")) {
        std::string_view path = text.substr(5);
        if (starts_with(path, "//")) path.remove_prefix(2);  // file:///x -> /x
        if (path.empty()) return bad(text, "no file name after \"file:\"");
        out.kind = AddressKind::File;
        out.path = std::string(path);
        return Status::ok();
    }
    if (starts_with_nocase(text, "http://") || starts_with_nocase(text, "https://")) {
        const std::size_t skip = text.find("://") + 3;
        Status st = check_url(text, text.substr(skip));
        if (!st) return st;
        out.kind = AddressKind::Http;
        out.url = std::string(text);
        return Status::ok();
    }
    if (starts_with_nocase(text, "http+unix://")) {
        std::string_view rest = text.substr(12);
        if (!rest.empty() && rest.front() == '/') {
            return parse_unix_path(text, rest, AddressKind::HttpUnix, out);
        }
        std::string decoded;
        const std::string_view host = rest.substr(0, rest.find('/'));
        if (!percent_decode(host, decoded)) return bad(text, "bad %-escape in the socket path");
        return parse_unix_path(text, decoded, AddressKind::HttpUnix, out);
    }
    if (starts_with_nocase(text, "unix-http:")) {
        return parse_unix_path(text, text.substr(10), AddressKind::HttpUnix, out);
    }
    if (text.front() == '@') {
        if (text.size() == 1) return bad(text, "empty abstract socket name after '@'");
        Status st = parse_unix_path(text, text, AddressKind::Abstract, out);
        if (!st) return st;
        out.path.erase(0, 1);
        return Status::ok();
    }
    if (text.front() == '/' || starts_with(text, "./") || starts_with(text, "../")) {
        return parse_unix_path(text, text, AddressKind::Unix, out);
    }
    const std::size_t scheme = text.find("://");
    if (scheme != std::string_view::npos) {
        return bad(text, "unknown scheme (http://, https://, http+unix:// are supported)");
    }
    if (text.find(':') == std::string_view::npos) {
        // The Python uwsgitop took a bare word as a socket path; accept the
        // obvious cases and explain the rest.
        if (text.find('/') != std::string_view::npos ||
            (text.size() > 5 && text.substr(text.size() - 5) == ".sock") ||
            (text.size() > 7 && text.substr(text.size() - 7) == ".socket")) {
            return parse_unix_path(text, text, AddressKind::Unix, out);
        }
        return bad(text, "expected HOST:PORT, a socket path (/x, ./x, @name) or a URL");
    }
    out.kind = AddressKind::Tcp;
    return parse_host_port(text, text, out);
}

const char* address_forms_help() {
    return "ADDRESS is one of:\n"
           "  HOST:PORT              TCP stats server (IPv4 or a host name)\n"
           "  :PORT                  TCP on localhost\n"
           "  [IPV6]:PORT            TCP over IPv6, e.g. [::1]:9191\n"
           "  /path.sock ./x ../x    unix socket (plain or --stats-http, detected)\n"
           "  @name                  abstract unix socket\n"
           "  http://HOST:PORT/      --stats-http (also https://)\n"
           "  http+unix:///path.sock --stats-http on a unix socket (also unix-http:/path,\n"
           "                         unix-http:@name)\n"
           "  file:PATH              a saved snapshot\n"
           "  -                      a snapshot on standard input\n";
}

}  // namespace uwsgitop
