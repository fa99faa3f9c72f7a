// fetch_setup.hpp — what the options say to poll, and the bounds of each fetch.
//
// collect_targets(): the positional addresses, the settings file's [[target]]
// tables, then the --targets file's lines
// (NAME=ADDRESS or ADDRESS; "--targets -" is standard input, read within
// --timeout, and an error beside the address "-"); an error names the file
// when it holds none, unless Options::probe_only() (a pure multi-target
// exporter may have none).
// fetch_limits(): --timeout and --max-size as the sources take them.
#pragma once

#include <vector>

#include "uwsgitop/fleet/fleet.hpp"
#include "uwsgitop/settings/options.hpp"

namespace uwsgitop {

Status collect_targets(const Options& options, std::vector<Target>& out);
FetchLimits fetch_limits(const Options& options);

}  // namespace uwsgitop
