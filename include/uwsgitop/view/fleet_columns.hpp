// fleet_columns.hpp — the columns of the fleet view: one row per instance.
// Same contract as columns.hpp: stable short names used by --sort, TSV/CSV
// headers, help and the man page; Unknown when an instance has no data yet.
#pragma once

#include <span>
#include <string_view>
#include <vector>

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

// The fleet screen's history columns (sparklines of each instance's recent
// rounds; not in dumps): rps_history (RPS~) and busy_history (BUSY~).
struct FleetHistoryColumn {
    std::string_view name, header, description;
};
std::span<const FleetHistoryColumn> fleet_history_columns();

// A column of the fleet screen: c >= 0 is fleet_columns()[c], c < 0 is
// fleet_history_columns()[-1 - c]. Its name and header ("" when c is neither).
std::string_view fleet_screen_column_name(int c);
std::string_view fleet_screen_column_header(int c);
// The fleet screen's columns by default: what matters at a glance first
// (name, state, rps and its history, busy and its history, ...), the
// version and address last.
std::span<const int> default_fleet_screen_columns();
// "name,state,rps_history" -> screen columns (--fleet-columns). Unknown or
// repeated names are a usage error that lists the valid names.
Status parse_fleet_column_list(std::string_view list, std::vector<int>& out);

}  // namespace uwsgitop
