// vassal_discovery.hpp — finding the stats address of an Emperor's vassals.
//
// A vassal's config file is its Emperor's `monitor` directory (plain path,
// or "dir://PATH"; a "glob://PATTERN" monitor uses the pattern's directory)
// joined with the vassal `id`. Only ini files are read: the first `stats`,
// `stats-server` or `stats_server` key in a [uwsgi] section is the address.
// A value with a placeholder (%(...), $(...), @(...)) cannot be resolved
// here and counts as not found. Files are read up to kMaxConfigBytes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "uwsgitop/fleet.hpp"
#include "uwsgitop/model.hpp"
#include "uwsgitop/status.hpp"

namespace uwsgitop::tui {

constexpr std::size_t kMaxConfigBytes = 1 << 20;

// The stats address in ini text (see top); false when there is none.
bool stats_address_from_ini(std::string_view ini, std::string& address);

// The config path of a vassal; false when monitor or id cannot make one
// (empty, or an id with "/" or "..").
bool vassal_config_path(std::string_view monitor, std::string_view id, std::string& path);

// Reads the vassal's config and returns its target (name = the vassal id).
// Fails with a one-line reason (no server bytes in it).
Status discover_vassal(const Vassal& vassal, Target& out);

// Every discoverable vassal of an Emperor snapshot, appended to `out`.
void discover_vassals(const Snapshot& emperor, std::vector<Target>& out);

}  // namespace uwsgitop::tui
