// aux_columns.hpp — column tables for the non-worker views: an Emperor's
// vassals and a router's subscription nodes. Same idea as columns.hpp (one
// table drives the screen, the text table and TSV/CSV), kept apart because
// their rows are other records.
#pragma once

#include <span>
#include <string_view>

#include "uwsgitop/view/columns.hpp"

namespace uwsgitop {

struct VassalColumn {
    std::string_view name, header, description;
    uint8_t width;
    bool left_align;
    Format format;
    Value (*get)(const Vassal&);
};

struct NodeColumn {
    std::string_view name, header, description;
    uint8_t width;
    bool left_align;
    Format format;
    Value (*get)(const Snapshot&, const RouterNode&);
};

std::span<const VassalColumn> vassal_columns();
std::span<const NodeColumn> node_columns();

// Human text for a vassal/node cell (same rules as format_human).
void format_aux(Format format, const Value& v, std::string& out);

}  // namespace uwsgitop
