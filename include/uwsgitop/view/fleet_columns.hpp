// fleet_columns.hpp — the columns of the fleet view: one row per instance.
// Same contract as columns.hpp: stable short names used by --sort, TSV/CSV
// headers, help and the man page; Unknown when an instance has no data yet.
#pragma once

#include <span>
#include <string_view>

#include "uwsgitop/view/columns.hpp"
#include "uwsgitop/fleet/fleet.hpp"

namespace uwsgitop {

struct FleetColumn {
    std::string_view name, header, description;
    uint8_t width;
    bool left_align;
    bool default_desc;
    Format format;
    // `state` is instance_state() computed once per output.
    Value (*get)(const Instance&, std::string_view state);
};

std::span<const FleetColumn> fleet_columns();
const FleetColumn* find_fleet_column(std::string_view name);

}  // namespace uwsgitop
