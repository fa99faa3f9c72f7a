// rows.hpp — which rows a table shows, and in what order.
//
// build_rows() lists worker rows, core rows, or both (each worker followed by
// its cores). sort_rows() orders them by one column, in either direction,
// with unknown values always last and ties broken by worker id then core id,
// so rows keep their place between refreshes. In tree mode (cores under their
// worker) the workers are sorted and each keeps its cores beneath it, the
// cores sorted by the same column.
#pragma once

#include <vector>

#include "uwsgitop/columns.hpp"

namespace uwsgitop {

enum class RowMode : uint8_t {
    Workers,       // one row per worker
    Cores,         // one row per core (WID:CID)
    WorkersTree,   // each worker, then its cores beneath it
};

void build_rows(const Snapshot& snap, RowMode mode, std::vector<RowRef>& out);

struct SortSpec {
    ColumnId column = ColumnId::Id;
    bool descending = false;
};

void sort_rows(std::vector<RowRef>& rows, const RowContext& ctx, const SortSpec& spec, RowMode mode);

// Parses "--sort NAME" / "-NAME" (reverse of the natural direction).
// `reverse` flips the direction once more (--reverse).
Status parse_sort(std::string_view text, bool reverse, SortSpec& out);

}  // namespace uwsgitop
