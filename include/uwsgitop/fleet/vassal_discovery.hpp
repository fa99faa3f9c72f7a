// vassal_discovery.hpp — finding the stats address of an Emperor's vassals.
//
// A vassal's config file is its Emperor's `monitor` directory (plain path,
// or "dir://PATH"; a "glob://PATTERN" monitor uses the pattern's directory)
// joined with the vassal `id`. The file's extension says how to read it, as
// it tells uWSGI: the address is the first `stats`, `stats-server` or
// `stats_server` option of the uwsgi section, i.e.
//   .ini            `stats = ADDR` under `[uwsgi]`
//   .yml, .yaml     `stats: ADDR` indented under a top-level `uwsgi:` (uWSGI's
//                   own reader: `#` starts a comment anywhere on a line)
//   .json, .js      {"uwsgi": {"stats": "ADDR"}}
//   .xml            <uwsgi>...<stats>ADDR</stats>...</uwsgi>
// Matching quotes around a value are dropped. A value with a placeholder
// (%(...), $(...), @(...)) cannot be resolved here and counts as not found.
// A config file is read only when it is a regular file (a FIFO, a device, a
// directory are refused without waiting or reading) and refused past
// kMaxConfigBytes, whatever its stat size says (base/file_read.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "uwsgitop/fleet/fleet.hpp"
#include "uwsgitop/model/model.hpp"
#include "uwsgitop/base/status.hpp"

namespace uwsgitop {

constexpr std::size_t kMaxConfigBytes = 1 << 20;

enum class ConfigKind : uint8_t { Ini, Yaml, Json, Xml, Unknown };

// The kind of a config file by its extension (see top).
ConfigKind config_kind(std::string_view path);

// The stats address in config text of each kind (see top); false when there
// is none.
bool stats_address_from_ini(std::string_view ini, std::string& address);
bool stats_address_from_yaml(std::string_view yaml, std::string& address);
bool stats_address_from_json(std::string_view json, std::string& address);
bool stats_address_from_xml(std::string_view xml, std::string& address);
bool stats_address_from_config(ConfigKind kind, std::string_view text, std::string& address);

// The config path of a vassal; false when monitor or id cannot make one
// (empty, or an id with "/" or "..").
bool vassal_config_path(std::string_view monitor, std::string_view id, std::string& path);

// What a vassal's `stats` value may make uwsgitop poll: only what uWSGI's
// --stats can bind on this machine. TCP on a loopback address, localhost or
// an address of one of this machine's interfaces (the wildcard, ":P",
// "0.0.0.0:P", "[::]:P", through loopback); a unix path (a relative one is
// the vassal's, read against `config_dir`, where the Emperor starts it); an
// @abstract name. Never "-" (standard input), file:, http(s):// URLs, host
// names or other hosts' addresses: refused with the reason, nothing opened.
// A vassal file is often its application's user's (Emperor tyrant mode).
Status vassal_stats_address(std::string_view value, std::string_view config_dir, std::string& address);

// Reads the vassal's config and returns its target (name = the vassal id).
// Fails with a one-line reason (no server bytes in it). `worth_a_line`, when
// given, says whether the failure is one a user should hear about: a stats
// address refused (vassal_stats_address), or a config file that is there
// but skipped (a symlink loop, a directory, a FIFO, unreadable, missing,
// larger than kMaxConfigBytes: "PATH: CAUSE; skipped"); not a vassal with no
// file to read or no stats option (most have none).
Status discover_vassal(const Vassal& vassal, Target& out, bool* worth_a_line = nullptr);

// Every discoverable vassal of an Emperor snapshot, appended to `out`; each
// vassal whose failure is worth a line (discover_vassal), one line to
// `refused` when given: "vassal ID: REASON".
void discover_vassals(const Snapshot& emperor, std::vector<Target>& out, std::vector<std::string>* refused = nullptr);

}  // namespace uwsgitop
