// fleet_dump.hpp — script output for several instances (--once/--batch with
// more than one address or --targets).
//   json: {"instances":[{"address":..,"name":..,"state":"ok"|"stale 4s: ..."|
//          "error: ...", <when it answered: the same keys as the single-address
//          output>}, ...]} — one object per poll, one line.
//   tsv/csv: one row per instance (fleet_columns.hpp), or with `workers` one
//          row per worker with leading "instance" and "address" columns.
//   table: the fleet table.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "uwsgitop/output/dump.hpp"
#include "uwsgitop/fleet/fleet.hpp"

namespace uwsgitop {

struct FleetDumpOptions {
    DumpOptions base;               // format, columns (worker columns with `workers`), sort...
    bool workers = false;           // tsv/csv: one row per worker
};

void dump_fleet(const std::vector<std::unique_ptr<Instance>>& fleet, double now_mono,
                const FleetDumpOptions& opt, std::string& out);

}  // namespace uwsgitop
