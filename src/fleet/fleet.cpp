// fleet.cpp — targets and concurrent polling (see fleet.hpp).
#include "uwsgitop/fleet/fleet.hpp"

#include <algorithm>
#include <atomic>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include <unistd.h>

#include "uwsgitop/base/file_read.hpp"
#include "uwsgitop/base/text.hpp"
#include "uwsgitop/fleet/fleet_poll.hpp"

namespace uwsgitop {

uint64_t next_instance_serial() {
    static std::atomic<uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
}

Target target_from_text(const std::string& text) {
    const auto eq = text.find('=');
    if (eq != std::string::npos && eq > 0 && eq + 1 < text.size()) {
        const std::string name = text.substr(0, eq);
        if (name.find_first_of(":/@[") == std::string::npos) return Target{name, text.substr(eq + 1), {}};
    }
    return Target{text, text, {}};
}

namespace {

constexpr std::size_t kShownFieldColumns = 60;  // a bad field is shown cut to this (a 1 MB line is not echoed)

std::string shown_field(std::string_view field) {
    std::string out;
    append_elided_middle(out, escape_for_display(field), kShownFieldColumns, false);
    return out;
}

bool has_control(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// A line without its comment: '#' at its start or after a space or a tab
// begins one; any other '#' is text ("web#2=ADDRESS").
std::string_view without_comment(std::string_view line) {
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) return line.substr(0, i);
    }
    return line;
}

}  // namespace

Status parse_target_line(const std::string& line, Target& out) {
    std::vector<std::string> fields;
    std::size_t i = 0;
    while (i < line.size()) {
        const std::size_t b = line.find_first_not_of(" \t\r", i);
        if (b == std::string::npos) break;
        const std::size_t e = std::min(line.find_first_of(" \t\r", b), line.size());
        fields.push_back(line.substr(b, e - b));
        i = e;
    }
    if (fields.empty())
        return Status::fail("no target (\"NAME=ADDRESS\" or \"ADDRESS\", then fifo=PATH, tracebacker=PREFIX)");
    if (fields.front().starts_with("fifo=") || fields.front().starts_with("tracebacker=")) {
        std::string line_error = "the line starts with ";
        line_error.append(fields.front(), 0, fields.front().find('=') + 1);
        line_error += ": the target (\"NAME=ADDRESS\" or \"ADDRESS\") comes first";
        return Status::fail(line_error);
    }
    out = target_from_text(fields.front());
    for (std::size_t f = 1; f < fields.size(); ++f) {
        const std::string& field = fields[f];
        std::string* value = field.starts_with("fifo=")          ? &out.fifo
                             : field.starts_with("tracebacker=") ? &out.tracebacker
                                                                 : nullptr;
        if (value == nullptr) {
            return Status::fail("unknown field \"" + shown_field(field) +
                                "\" (one target per line: \"NAME=ADDRESS\" or \"ADDRESS\", then fifo=PATH, "
                                "tracebacker=PREFIX)");
        }
        const std::string key = field.substr(0, field.find('=') + 1);
        if (!value->empty()) return Status::fail(key + " given twice");
        *value = field.substr(key.size());
        if (value->empty()) return Status::fail(key + (value == &out.fifo ? ": empty path" : ": empty prefix"));
    }
    if (out.name != out.address && has_control(out.name)) return Status::fail("the name contains control characters");
    Address address;
    return parse_address(out.address, address);
}

Status parse_targets_text(std::string_view text, const std::string& shown, std::vector<Target>& out) {
    int number = 0;
    std::string line;
    while (!text.empty()) {
        const std::size_t end = std::min(text.find('\n'), text.size());
        line.assign(without_comment(text.substr(0, end)));
        text.remove_prefix(std::min(end + 1, text.size()));
        ++number;
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos) continue;
        const auto last = line.find_last_not_of(" \t\r");
        line = line.substr(first, last - first + 1);
        Target t;
        if (Status st = parse_target_line(line, t); !st) {
            return Status::fail("--targets " + shown + ":" + std::to_string(number) + ": " + st.message());
        }
        out.push_back(std::move(t));
    }
    return Status::ok();
}

Status read_targets_file(const std::string& path, std::vector<Target>& out, double stdin_timeout_seconds) {
    std::string text;
    const Status st = path == "-" ? read_stream(STDIN_FILENO, path, kMaxTargetsBytes, stdin_timeout_seconds, text)
                                  : read_regular_file(path, kMaxTargetsBytes, text);
    if (!st) return Status::fail("--targets " + st.message());
    return parse_targets_text(text, escape_for_display(path), out);
}

namespace {

// The names of a fleet's instances. unique() gives `name`, or `name#2`,
// `name#3`... : the first no instance has, and takes it. Linear in the
// fleet: a hash of the names, and per name asked for twice the suffix where
// its last search ended (names are only added, so the smallest free suffix of
// a name never goes down and the search resumes there).
class NameSet {
public:
    explicit NameSet(const std::vector<std::unique_ptr<Instance>>& fleet) {
        taken_.reserve(fleet.size());
        for (const auto& inst : fleet) taken_.insert(inst->target.name);
    }
    void reserve(std::size_t more) { taken_.reserve(taken_.size() + more); }

    std::string unique(const std::string& name) {
        if (taken_.insert(name).second) return name;
        int& k = next_suffix_.try_emplace(name, 2).first->second;
        for (;; ++k) {
            std::string candidate = name + "#" + std::to_string(k);
            if (taken_.insert(candidate).second) return candidate;
        }
    }

private:
    std::unordered_set<std::string> taken_;
    std::unordered_map<std::string, int> next_suffix_;
};

Status make_instance(const Target& t, const FetchLimits& limits, std::unique_ptr<Instance>& out) {
    Address address;
    if (Status st = parse_address(t.address, address); !st) return st;
    out = std::make_unique<Instance>();
    out->target = t;
    out->pipeline = std::make_unique<Pipeline>(make_source(address, limits));
    return Status::ok();
}

}  // namespace

Status make_fleet(const std::vector<Target>& targets, const FetchLimits& limits,
                  std::vector<std::unique_ptr<Instance>>& out) {
    out.clear();
    out.reserve(targets.size());
    NameSet names(out);
    names.reserve(targets.size());
    for (const Target& t : targets) {
        std::unique_ptr<Instance> inst;
        if (Status st = make_instance(t, limits, inst); !st) return st;
        inst->target.name = names.unique(t.name);
        out.push_back(std::move(inst));
    }
    return Status::ok();
}

void poll_instance(Instance& inst) {
    inst.last_poll_mono = monotonic_seconds();
    store_poll(inst, inst.pipeline->refresh(inst.incoming, inst.incoming_rates));
}

void store_poll(Instance& inst, const Status& st) {
    ++inst.polls_stored;
    if (!st) {
        inst.last_ok = false;
        inst.error = escape_for_display(st.message());
        return;
    }
    std::swap(inst.snapshot, inst.incoming);
    std::swap(inst.rates, inst.incoming_rates);
    inst.has_data = true;
    inst.last_ok = true;
    inst.error.clear();
    inst.last_ok_wall = inst.pipeline->last_wall_time();
    inst.last_ok_mono = monotonic_seconds();
}

void poll_fleet(std::vector<std::unique_ptr<Instance>>& fleet, unsigned concurrency) {
    if (fleet.empty()) return;
    FleetPoll poll(concurrency == 0 ? 1 : concurrency);
    poll.start_round(fleet);
    while (poll.round_pending() > 0) poll.run_until(std::numeric_limits<double>::infinity(), FleetPoll::Until::RoundDone);
}

std::string instance_state(const Instance& inst, double now_mono) {
    if (inst.last_ok) return "ok";
    if (!inst.has_data && inst.error.empty()) return "polling";   // the first fetch is still in flight
    if (!inst.has_data) return "error: " + inst.error;
    std::string s = "stale ";
    append_duration_s(s, now_mono - inst.last_ok_mono);
    s += ": ";
    s += inst.error;
    return s;
}

void add_targets(std::vector<std::unique_ptr<Instance>>& fleet, const std::vector<Target>& targets,
                 const FetchLimits& limits, unsigned concurrency, ParseScope scope, bool poll_now) {
    std::unordered_set<std::string> addresses;
    for (const auto& inst : fleet) addresses.insert(inst->target.address);
    NameSet names(fleet);
    std::vector<std::unique_ptr<Instance>> added;
    for (const Target& t : targets) {
        if (addresses.count(t.address)) continue;
        std::unique_ptr<Instance> inst;
        if (!make_instance(t, limits, inst)) continue;  // an address that does not parse
        addresses.insert(t.address);
        inst->pipeline->set_scope(scope);
        inst->target.name = names.unique(t.name);
        added.push_back(std::move(inst));
    }
    if (added.empty()) return;
    if (poll_now) poll_fleet(added, concurrency);
    for (auto& inst : added) fleet.push_back(std::move(inst));
}

}  // namespace uwsgitop
