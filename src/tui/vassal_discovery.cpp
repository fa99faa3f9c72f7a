// vassal_discovery.cpp — vassal stats addresses from their ini files
// (see vassal_discovery.hpp).
#include "uwsgitop/tui/vassal_discovery.hpp"

#include <fstream>

#include "uwsgitop/text.hpp"

namespace uwsgitop::tui {

namespace {

std::string_view trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

}  // namespace

bool stats_address_from_ini(std::string_view ini, std::string& address) {
    bool in_uwsgi = false;
    while (!ini.empty()) {
        const auto nl = ini.find('\n');
        std::string_view line = trim(ini.substr(0, nl));
        ini = nl == std::string_view::npos ? std::string_view{} : ini.substr(nl + 1);
        if (line.empty() || line[0] == '#' || line[0] == ';') continue;
        if (line[0] == '[') {
            in_uwsgi = trim(line.substr(1, line.find(']') == std::string_view::npos ? line.size() : line.find(']') - 1)) == "uwsgi";
            continue;
        }
        if (!in_uwsgi) continue;
        const auto eq = line.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string_view key = trim(line.substr(0, eq));
        if (key != "stats" && key != "stats-server" && key != "stats_server") continue;
        std::string_view value = trim(line.substr(eq + 1));
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

Status discover_vassal(const Vassal& vassal, Target& out) {
    std::string path;
    if (!vassal_config_path(vassal.monitor, vassal.id, path)) {
        return Status::fail("no config file known for this vassal (monitor/id)");
    }
    const auto dot = path.rfind('.');
    if (dot == std::string::npos || path.compare(dot, std::string::npos, ".ini") != 0) {
        return Status::fail("only .ini vassal configs are read");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::fail("cannot read " + escape_for_display(path));
    std::string text(kMaxConfigBytes, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    std::string address;
    if (!stats_address_from_ini(text, address)) {
        return Status::fail(escape_for_display(path) + " has no usable stats = ADDRESS under [uwsgi]");
    }
    out.name.assign(vassal.id);
    out.address = address;
    return Status::ok();
}

void discover_vassals(const Snapshot& emperor, std::vector<Target>& out) {
    if (emperor.kind != SnapshotKind::Emperor) return;
    for (const Vassal& v : emperor.vassals) {
        Target t;
        if (discover_vassal(v, t)) out.push_back(std::move(t));
    }
}

}  // namespace uwsgitop::tui
