// fetch_setup.cpp — targets and fetch bounds from the options (see fetch_setup.hpp).
#include "uwsgitop/settings/fetch_setup.hpp"

#include <algorithm>

#include "uwsgitop/base/text.hpp"

namespace uwsgitop {

namespace {

bool reads_stdin(const Target& t) { return t.address == "-"; }

}  // namespace

Status collect_targets(const Options& options, std::vector<Target>& out) {
    out.clear();
    for (const std::string& a : options.addresses) out.push_back(target_from_text(a));
    out.insert(out.end(), options.file_targets.begin(), options.file_targets.end());
    if (!options.targets_path.empty()) {
        if (options.targets_path == "-" && std::any_of(out.begin(), out.end(), reads_stdin)) {
            return Status::fail("--targets - and the address - both read standard input");
        }
        Status st = read_targets_file(options.targets_path, out, options.timeout);
        if (!st) return st;
    }
    if (out.empty() && !options.probe_only()) {
        return Status::fail("--targets " + escape_for_display(options.targets_path) + ": no targets in the file");
    }
    return Status::ok();
}

FetchLimits fetch_limits(const Options& options) {
    FetchLimits limits;
    limits.timeout_seconds = options.timeout;
    limits.max_bytes = static_cast<std::size_t>(options.max_size_mib * 1024.0 * 1024.0);
    return limits;
}

}  // namespace uwsgitop
