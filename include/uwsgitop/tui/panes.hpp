// panes.hpp — the tables a screen can show besides workers, described as data.
//
// A pane is one table of records from a Snapshot: Emperor vassals and their
// blacklist, a router's nodes and static nodes, and a master's sockets, locks,
// caches, spoolers, daemons, crons and metrics. Each PaneDef lists columns
// with a getter returning a Value (Unknown shows "-"), so sorting, filtering,
// rendering and the help screen treat every pane alike. The worker table is
// PaneId::Workers: its columns come from columns.hpp and its rows from
// rows.hpp, and it has no PaneColumn list here.
//
// Which panes exist for a snapshot: available_panes() — the main pane first
// (workers for a master, vassals for an Emperor, nodes for a router), then
// every other pane that has records (metrics only when the server sent them).
// The events pane is not the server's: its rows are the ViewModel's EventLog
// (event_log.hpp), its columns' getters return unknown (the view-model reads
// the log instead: ViewModel::pane_value), available_panes() never lists it
// and the view-model adds its tab, last, once there is an event.
// New screens (e.g. a fleet view) add a PaneId and a PaneDef.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "uwsgitop/view/columns.hpp"

namespace uwsgitop::tui {

enum class PaneId : uint8_t {
    Workers, Vassals, Blacklist, Nodes, StaticNodes,
    Sockets, Locks, Caches, Spoolers, Daemons, Crons, Metrics, Events,
    Count_
};

struct PaneColumn {
    std::string_view name, header, description;
    uint8_t width;
    bool left_align;
    Format format;
    // `col` is this column's position in the pane (lets one getter serve a table).
    Value (*get)(const Snapshot&, uint32_t row, uint32_t col);
};

struct PaneDef {
    PaneId id;
    std::string_view name;         // tab label
    std::string_view description;  // help text
    std::span<const PaneColumn> columns;
    uint32_t (*rows)(const Snapshot&);
};

const PaneDef& pane_def(PaneId id);
std::span<const PaneDef> all_panes();

void available_panes(const Snapshot& snap, std::vector<PaneId>& out);

// The main pane for a snapshot kind.
PaneId main_pane(const Snapshot& snap);

}  // namespace uwsgitop::tui
