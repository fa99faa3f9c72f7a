// vassal_discovery.cpp — vassal stats addresses from their config files
// (see vassal_discovery.hpp).
#include "uwsgitop/fleet/vassal_discovery.hpp"

#include <rapidjson/document.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <optional>

#include "uwsgitop/base/file_read.hpp"
#include "uwsgitop/base/text.hpp"
#include "uwsgitop/source/address.hpp"

namespace uwsgitop {

namespace {

std::string_view trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

// uWSGI's names of the stats option, in every config format.
constexpr std::string_view kStatsKeys[] = {"stats", "stats-server", "stats_server"};

bool is_stats_key(std::string_view key) {
    return std::find(std::begin(kStatsKeys), std::end(kStatsKeys), key) != std::end(kStatsKeys);
}

// The address a config value gives: quotes removed; false when empty or
// when it holds a placeholder this tool cannot expand.
bool usable_value(std::string_view value, std::string& address) {
    value = trim(value);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
        value = value.substr(1, value.size() - 2);
    }
    if (value.empty() || value.find("%(") != std::string_view::npos || value.find("$(") != std::string_view::npos ||
        value.find("@(") != std::string_view::npos) {
        return false;
    }
    address.assign(value);
    return true;
}

// A `KEY<sep>VALUE` line of the uwsgi section: nothing when KEY is not a
// stats option, else whether its value is a usable address (then in `address`).
std::optional<bool> stats_option(std::string_view line, char sep, std::string& address) {
    const auto at = line.find(sep);
    if (at == std::string_view::npos || !is_stats_key(trim(line.substr(0, at)))) return std::nullopt;
    return usable_value(line.substr(at + 1), address);
}

// The next line of `text` (without its newline), consumed from `text`.
std::string_view next_line(std::string_view& text) {
    const auto nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    return line;
}

// Entity references XML allows in text; false for any other `&`.
bool xml_unescape(std::string_view in, std::string& out) {
    out.clear();
    static constexpr std::pair<std::string_view, char> kEntities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    while (!in.empty()) {
        if (in.front() != '&') {
            out += in.front();
            in.remove_prefix(1);
            continue;
        }
        bool known = false;
        for (const auto& [name, c] : kEntities) {
            if (in.substr(0, name.size()) == name) {
                out += c;
                in.remove_prefix(name.size());
                known = true;
                break;
            }
        }
        if (!known) return false;
    }
    return true;
}

}  // namespace

bool stats_address_from_yaml(std::string_view yaml, std::string& address) {
    bool in_uwsgi = false;
    while (!yaml.empty()) {
        std::string_view line = next_line(yaml);
        line = line.substr(0, line.find('#'));  // uWSGI's reader: '#' comments out the rest
        const std::string_view body = trim(line);
        if (body.empty()) continue;
        const bool top_level = line.front() != ' ' && line.front() != '\t';
        if (top_level) {
            in_uwsgi = body == "uwsgi:";
            continue;
        }
        if (!in_uwsgi) continue;
        if (const auto found = stats_option(body, ':', address)) return *found;
    }
    return false;
}

bool stats_address_from_json(std::string_view json, std::string& address) {
    rapidjson::Document doc;
    doc.Parse(json.data(), json.size());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("uwsgi")) return false;
    const rapidjson::Value& uwsgi = doc["uwsgi"];
    if (!uwsgi.IsObject()) return false;
    // By index, in file order: comparing RapidJSON 1.1's member iterators is
    // ambiguous in C++20.
    for (rapidjson::SizeType i = 0; i < uwsgi.MemberCount(); ++i) {
        const auto& m = *(uwsgi.MemberBegin() + i);
        if (!is_stats_key(std::string_view(m.name.GetString(), m.name.GetStringLength()))) continue;
        if (!m.value.IsString()) return false;
        return usable_value(std::string_view(m.value.GetString(), m.value.GetStringLength()), address);
    }
    return false;
}

bool stats_address_from_xml(std::string_view xml, std::string& address) {
    auto open = xml.find("<uwsgi");
    while (open != std::string_view::npos && xml.size() > open + 6 && xml[open + 6] != '>' &&
           xml[open + 6] != ' ' && xml[open + 6] != '\t' && xml[open + 6] != '\n') {
        open = xml.find("<uwsgi", open + 6);  // e.g. <uwsgi-foo>
    }
    if (open == std::string_view::npos) return false;
    const auto close = xml.find("</uwsgi>", open);
    const std::string_view section = xml.substr(open, close == std::string_view::npos ? xml.npos : close - open);
    std::string tag, end_tag;
    for (std::string_view key : kStatsKeys) {
        // Appended piece by piece: gcc 12 at -O3 warns falsely (-Wrestrict)
        // on "<" + std::string(key) + ">".
        tag.assign(1, '<');
        tag.append(key);
        tag += '>';
        end_tag.assign("</");
        end_tag.append(key);
        end_tag += '>';
        const auto at = section.find(tag);
        if (at == std::string_view::npos) continue;
        const auto from = at + tag.size();
        const auto end = section.find(end_tag, from);
        if (end == std::string_view::npos) return false;
        std::string text;
        const std::string_view raw = section.substr(from, end - from);
        if (raw.find('<') != std::string_view::npos || !xml_unescape(raw, text)) return false;
        return usable_value(text, address);
    }
    return false;
}

ConfigKind config_kind(std::string_view path) {
    const auto dot = path.rfind('.');
    const std::string_view ext = dot == std::string_view::npos ? std::string_view{} : path.substr(dot);
    if (ext == ".ini") return ConfigKind::Ini;
    if (ext == ".yml" || ext == ".yaml") return ConfigKind::Yaml;
    if (ext == ".json" || ext == ".js") return ConfigKind::Json;
    if (ext == ".xml") return ConfigKind::Xml;
    return ConfigKind::Unknown;
}

bool stats_address_from_config(ConfigKind kind, std::string_view text, std::string& address) {
    switch (kind) {
    case ConfigKind::Ini: return stats_address_from_ini(text, address);
    case ConfigKind::Yaml: return stats_address_from_yaml(text, address);
    case ConfigKind::Json: return stats_address_from_json(text, address);
    case ConfigKind::Xml: return stats_address_from_xml(text, address);
    case ConfigKind::Unknown: break;
    }
    return false;
}

bool stats_address_from_ini(std::string_view ini, std::string& address) {
    bool in_uwsgi = false;
    while (!ini.empty()) {
        const std::string_view line = trim(next_line(ini));
        if (line.empty() || line[0] == '#' || line[0] == ';') continue;
        if (line[0] == '[') {
            in_uwsgi = trim(line.substr(1, line.find(']') == std::string_view::npos ? line.size() : line.find(']') - 1)) == "uwsgi";
            continue;
        }
        if (!in_uwsgi) continue;
        if (const auto found = stats_option(line, '=', address)) return *found;
    }
    return false;
}

bool vassal_config_path(std::string_view monitor, std::string_view id, std::string& path) {
    if (monitor.substr(0, 6) == "dir://") monitor.remove_prefix(6);
    else if (monitor.substr(0, 7) == "glob://") {
        monitor.remove_prefix(7);
        const auto slash = monitor.rfind('/');
        monitor = slash == std::string_view::npos ? std::string_view{} : monitor.substr(0, slash);
    } else if (monitor.find("://") != std::string_view::npos) {
        return false;  // other scanners (pg://, zmq://, ...) have no files
    }
    if (monitor.empty() || id.empty() || id.find('/') != std::string_view::npos || id == "..") return false;
    path.assign(monitor);
    if (path.back() != '/') path += '/';
    path += id;
    return true;
}

namespace {

// 'VALUE', escaped for a message (appended: GCC 12's -Wrestrict misreads "'" + string).
std::string quoted(std::string_view value) {
    std::string out(1, '\'');
    out += escape_for_display(value);
    out += '\'';
    return out;
}

// An address of one of this machine's interfaces (getifaddrs), for a vassal
// that binds its stats on a non-loopback address of its own host.
bool is_local_ip(const std::string& host) {
    in_addr a4{};
    in6_addr a6{};
    const bool v4 = inet_pton(AF_INET, host.c_str(), &a4) == 1;
    if (!v4 && inet_pton(AF_INET6, host.c_str(), &a6) != 1) return false;
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return false;
    bool found = false;
    for (const ifaddrs* i = list; i != nullptr && !found; i = i->ifa_next) {
        if (i->ifa_addr == nullptr) continue;
        if (v4 && i->ifa_addr->sa_family == AF_INET)
            found = reinterpret_cast<const sockaddr_in*>(i->ifa_addr)->sin_addr.s_addr == a4.s_addr;
        else if (!v4 && i->ifa_addr->sa_family == AF_INET6)
            found = std::memcmp(&reinterpret_cast<const sockaddr_in6*>(i->ifa_addr)->sin6_addr, &a6, sizeof a6) == 0;
    }
    freeifaddrs(list);
    return found;
}

// A TCP stats address a vassal can bind on this machine, as uwsgitop reaches
// it: loopback and this host's addresses as they are, the wildcard (":P",
// "0.0.0.0:P", "[::]:P") through loopback; names other than localhost and
// other hosts' addresses are refused.
Status vassal_tcp_address(const Address& a, std::string& address) {
    const std::string port = std::to_string(a.port);
    if (a.host.empty() || a.host == "0.0.0.0" || a.text.front() == ':') {
        address = "127.0.0.1:" + port;
        return Status::ok();
    }
    if (a.host == "::") {
        address = "[::1]:" + port;
        return Status::ok();
    }
    in_addr a4{};
    in6_addr a6{};
    const bool v4 = inet_pton(AF_INET, a.host.c_str(), &a4) == 1;
    const bool v6 = !v4 && inet_pton(AF_INET6, a.host.c_str(), &a6) == 1;
    const bool loopback = (v4 && (ntohl(a4.s_addr) >> 24) == 127) || (v6 && IN6_IS_ADDR_LOOPBACK(&a6));
    if (a.host == "localhost" || loopback || ((v4 || v6) && is_local_ip(a.host))) {
        address = a.text;
        return Status::ok();
    }
    if (!v4 && !v6)
        return Status::fail(quoted(a.text) + " names a host; only this machine's addresses are polled");
    return Status::fail(quoted(a.text) + " is not an address of this machine; never polled");
}

}  // namespace

Status vassal_stats_address(std::string_view value, std::string_view config_dir, std::string& address) {
    Address a;
    if (!parse_address(value, a)) return Status::fail(quoted(value) + " is not a stats address");
    switch (a.kind) {
    case AddressKind::Tcp: return vassal_tcp_address(a, address);
    case AddressKind::Unix:
        if (a.path[0] == '/') address = a.path;
        else address = std::string(config_dir) + "/" + a.path;  // where the Emperor starts its vassals
        return Status::ok();
    case AddressKind::Abstract: address = a.text; return Status::ok();
    case AddressKind::Stdin:
        return Status::fail("'-' is standard input, not a socket a vassal can bind; never read");
    case AddressKind::File:
        return Status::fail(quoted(value) + " is a file, not a socket a vassal can bind; never read");
    case AddressKind::Http:
    case AddressKind::HttpUnix:
        return Status::fail(quoted(value) + " is a URL, not a socket a vassal can bind; never fetched");
    }
    return Status::fail(quoted(value) + " is not a stats address");
}

Status discover_vassal(const Vassal& vassal, Target& out, bool* worth_a_line) {
    if (worth_a_line != nullptr) *worth_a_line = false;
    std::string path;
    if (!vassal_config_path(vassal.monitor, vassal.id, path)) {
        return Status::fail("no config file known for this vassal (monitor/id)");
    }
    const ConfigKind kind = config_kind(path);
    if (kind == ConfigKind::Unknown) {
        return Status::fail("only .ini, .yml/.yaml, .json/.js and .xml vassal configs are read");
    }
    std::string text;
    if (Status st = read_regular_file(path, kMaxConfigBytes, text); !st) {
        if (worth_a_line != nullptr) *worth_a_line = true;   // the file is there but not read
        return Status::fail(st.message() + "; skipped");
    }
    std::string value;
    if (!stats_address_from_config(kind, text, value)) {
        return Status::fail(escape_for_display(path) + " has no usable stats address in its uwsgi section");
    }
    std::string address;
    if (Status st = vassal_stats_address(value, std::string_view(path).substr(0, path.rfind('/')), address); !st) {
        if (worth_a_line != nullptr) *worth_a_line = true;
        return Status::fail(escape_for_display(path) + ": stats " + st.message());
    }
    out.name.assign(vassal.id);
    out.address = address;
    return Status::ok();
}

void discover_vassals(const Snapshot& emperor, std::vector<Target>& out, std::vector<std::string>* refused) {
    if (emperor.kind != SnapshotKind::Emperor) return;
    for (const Vassal& v : emperor.vassals) {
        Target t;
        bool worth_a_line = false;
        if (Status st = discover_vassal(v, t, &worth_a_line); st) out.push_back(std::move(t));
        else if (refused != nullptr && worth_a_line)
            refused->push_back("vassal " + escape_for_display(v.id) + ": " + st.message());
    }
}

}  // namespace uwsgitop
