// master_config.cpp — the options of a master's command line and config file
// that decide what an action does (see master_config.hpp).
#include "uwsgitop/action/master_config.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fcntl.h>
#include <string_view>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <utility>
#include <vector>

#include "uwsgitop/base/unique_fd.hpp"

namespace uwsgitop::action {

namespace {

// A file of the kernel's pseudo file systems (/proc, /sys, debugfs...): its
// "regular" files can act when read (/proc/kmsg consumes the kernel log).
bool on_kernel_fs(int fd) {
    struct statfs fs {};
    if (::fstatfs(fd, &fs) != 0) return true;
    switch (static_cast<unsigned long>(fs.f_type)) {
    case 0x9fa0UL:      // proc
    case 0x62656572UL:  // sysfs
    case 0x64626720UL:  // debugfs
    case 0x74726163UL:  // tracefs
    case 0x73636673UL:  // securityfs
    case 0x27e0ebUL:    // cgroup
    case 0x63677270UL:  // cgroup2
    case 0x6e736673UL:  // nsfs
    case 0xcafe4a11UL:  // bpf
        return true;
    default: return false;
    }
}

// At most `cap` bytes of a regular file (not of a kernel pseudo file system,
// unless `kernel_files`: the master's own /proc entries). The path is looked at first without
// being opened (O_PATH), so a device, FIFO or socket a lying command line
// names is never opened (an open of a device can act; of a FIFO, wake its
// writer); only a regular file is then opened, through that descriptor.
std::string read_regular(const std::string& path, std::size_t cap, bool kernel_files = false) {
    const UniqueFd node(::open(path.c_str(), O_PATH | O_CLOEXEC));
    struct stat st {};
    if (node.get() < 0 || ::fstat(node.get(), &st) != 0 || !S_ISREG(st.st_mode)) return {};
    if (!kernel_files && on_kernel_fs(node.get())) return {};
    const std::string again = "/proc/self/fd/" + std::to_string(node.get());
    const UniqueFd fd(::open(again.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    if (fd.get() < 0) return {};
    std::string out(cap, '\0');
    std::size_t got = 0;
    while (got < cap) {
        const ssize_t n = ::read(fd.get(), out.data() + got, cap - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
    }
    out.resize(got);
    return out;
}

std::string master_dir(const ProcRoot& proc, pid_t master) {
    return proc.root + "/" + std::to_string(master);
}

// A path as the master sees it: relative ones against its working directory.
std::string of_master(const ProcRoot& proc, pid_t master, const std::string& path) {
    if (path.empty() || path[0] == '/') return path;
    const std::string cwd_link = master_dir(proc, master) + "/cwd";
    char dir[PATH_MAX];
    const ssize_t n = ::readlink(cwd_link.c_str(), dir, sizeof dir - 1);
    if (n > 0 && dir[0] == '/') return std::string(dir, static_cast<std::size_t>(n)) + "/" + path;
    return cwd_link + "/" + path;  // unreadable link: the path through it still names the master's
}

// uWSGI's reading of a flag's value: anything but false, off, no or 0
// (in any case) turns it on, an empty value too.
bool truthy(std::string_view v) {
    std::string lower(v);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return !(lower == "false" || lower == "off" || lower == "no" || lower == "0");
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) s = s.substr(1, s.size() - 2);
    return s;
}

// One option, with or without a value, in uWSGI's spelling ('_' = '-'). The
// first --master-fifo is the one uWSGI reads commands from; --py-tracebacker
// and --harakiri are single values: the last one given counts.
void apply(MasterConfig& c, const ProcRoot& proc, pid_t master, std::string name, std::string_view value) {
    for (char& ch : name)
        if (ch == '_') ch = '-';
    if (name == "master-fifo" && !value.empty() && !c.master_fifo) c.master_fifo = of_master(proc, master, std::string(value));
    if (name == "die-on-term") c.die_on_term = truthy(value);
    if (name == "exit-on-reload") c.exit_on_reload = truthy(value);
    if (name == "cheaper") c.cheaper = std::strtol(std::string(value).c_str(), nullptr, 10) > 0;
    if (name == "py-tracebacker")
        c.py_tracebacker = value.empty() ? std::nullopt : std::optional(of_master(proc, master, std::string(value)));
    if (name == "harakiri") {
        const long secs = std::strtol(std::string(value).c_str(), nullptr, 10);
        c.harakiri = secs > 0 ? std::optional(secs) : std::nullopt;
    }
}

// `key = value` lines of the [SECTION] section of an ini file ("uwsgi"
// unless the command line named another: app.ini:prod).
void read_ini(MasterConfig& c, const ProcRoot& proc, pid_t master, std::string_view text, std::string_view section) {
    std::string header(1, '[');
    header += section;
    header += ']';
    bool in_uwsgi = false;
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        std::string_view line = trim(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (line.empty() || line[0] == ';' || line[0] == '#') continue;
        if (line[0] == '[') {
            in_uwsgi = line == header;
            continue;
        }
        const std::size_t eq = line.find('=');
        if (!in_uwsgi) continue;
        if (eq == std::string_view::npos) apply(c, proc, master, std::string(trim(line)), "");
        else apply(c, proc, master, std::string(trim(line.substr(0, eq))), trim(line.substr(eq + 1)));
    }
}

// `  key: value` lines under a top-level `uwsgi:` of a yaml file.
void read_yaml(MasterConfig& c, const ProcRoot& proc, pid_t master, std::string_view text) {
    bool in_uwsgi = false;
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        const std::string_view raw = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        const std::string_view line = trim(raw);
        if (line.empty() || line[0] == '#') continue;
        if (raw[0] != ' ' && raw[0] != '\t') {
            in_uwsgi = line == "uwsgi:";
            continue;
        }
        const std::size_t colon = line.find(':');
        if (!in_uwsgi || colon == std::string_view::npos) continue;
        apply(c, proc, master, std::string(trim(line.substr(0, colon))), trim(line.substr(colon + 1)));
    }
}

bool ends_with(std::string_view s, std::string_view tail) {
    return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

void read_config_file(MasterConfig& c, const ProcRoot& proc, pid_t master, std::string path, bool yaml) {
    if (path.find("://") != std::string::npos) return;  // uWSGI can fetch configs; we never do
    std::string section = yaml ? "" : "uwsgi";
    std::string text = read_regular(of_master(proc, master, path), kMaxConfigBytes);
    if (text.empty()) {
        // "app.ini:section": the file is before the colon, the section after it.
        const std::size_t colon = path.rfind(':');
        if (colon == std::string::npos) return;
        if (!yaml && colon + 1 < path.size()) section = path.substr(colon + 1);
        text = read_regular(of_master(proc, master, path.substr(0, colon)), kMaxConfigBytes);
    }
    if (yaml) read_yaml(c, proc, master, text);
    else read_ini(c, proc, master, text, section);
}

// UWSGI_<OPTION> variables of the master's environment set options too.
void read_environment(MasterConfig& c, const ProcRoot& proc, pid_t master) {
    const std::string env = read_regular(master_dir(proc, master) + "/environ", kMaxConfigBytes, true);
    for (std::size_t at = 0; at < env.size();) {
        const std::size_t end = std::min(env.find('\0', at), env.size());
        const std::string_view var(env.data() + at, end - at);
        const std::size_t eq = var.find('=');
        if (var.rfind("UWSGI_", 0) == 0 && eq != std::string_view::npos) {
            std::string name(var.substr(6, eq - 6));
            for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            if (name == "die_on_term" || name == "exit_on_reload" || name == "cheaper" || name == "py_tracebacker" ||
                name == "harakiri")
                apply(c, proc, master, name, var.substr(eq + 1));
        }
        at = end + 1;
    }
}

std::vector<std::string> cmdline_args(const ProcRoot& proc, pid_t master) {
    const std::string cmd = read_regular(master_dir(proc, master) + "/cmdline", kMaxConfigBytes, true);
    std::vector<std::string> args;
    for (std::size_t at = 0; at < cmd.size();) {
        const std::size_t end = cmd.find('\0', at);
        args.push_back(cmd.substr(at, end == std::string::npos ? std::string::npos : end - at));
        if (end == std::string::npos) break;
        at = end + 1;
    }
    return args;
}

}  // namespace

MasterConfig read_master_config(const ProcRoot& proc, pid_t master) {
    MasterConfig c;
    if (master <= 0) return c;
    read_environment(c, proc, master);
    const std::vector<std::string> args = cmdline_args(proc, master);
    for (std::size_t i = 1; i < args.size(); ++i) {
        std::string_view a = args[i];
        if (a.empty() || a.front() != '-') {
            // A lone config file: `uwsgi app.ini`.
            if (ends_with(a, ".ini")) read_config_file(c, proc, master, std::string(a), false);
            else if (ends_with(a, ".yaml") || ends_with(a, ".yml")) read_config_file(c, proc, master, std::string(a), true);
            else if (const std::size_t eq = a.find('='); eq != std::string_view::npos)
                apply(c, proc, master, std::string(a.substr(0, eq)), a.substr(eq + 1));  // "master-fifo=PATH"
            continue;
        }
        while (!a.empty() && a.front() == '-') a.remove_prefix(1);
        const std::size_t eq = a.find('=');
        const std::string name(a.substr(0, eq));
        const bool takes_value = name != "die-on-term" && name != "die_on_term" && name != "exit-on-reload" &&
                                 name != "exit_on_reload";
        std::string value;
        if (eq != std::string_view::npos) {
            value = std::string(a.substr(eq + 1));
        } else if (takes_value && i + 1 < args.size() && args[i + 1].rfind("-", 0) != 0) {
            value = args[++i];
        }
        if (name == "ini") read_config_file(c, proc, master, value, false);
        else if (name == "yaml" || name == "y" || name == "yml") read_config_file(c, proc, master, value, true);
        else if (name == "set" && value.find('=') != std::string::npos)
            apply(c, proc, master, value.substr(0, value.find('=')), std::string_view(value).substr(value.find('=') + 1));
        else apply(c, proc, master, name, value);
    }
    return c;
}

}  // namespace uwsgitop::action
