// fetch_setup.cpp — targets and fetch bounds from the options (see fetch_setup.hpp).
#include "uwsgitop/settings/fetch_setup.hpp"

namespace uwsgitop {

Status collect_targets(const Options& options, std::vector<Target>& out) {
    out.clear();
    for (const std::string& a : options.addresses) out.push_back(target_from_text(a));
    out.insert(out.end(), options.file_targets.begin(), options.file_targets.end());
    if (!options.targets_path.empty()) {
        Status st = read_targets_file(options.targets_path, out);
        if (!st) return st;
    }
    if (out.empty() && !options.probe_only()) {
        return Status::fail("--targets " + options.targets_path + ": no targets in the file");
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
