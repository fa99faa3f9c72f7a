// bench_render.hpp — "layout + render of one screen" for the benchmark.
//
// STAND-IN: the interactive screen's pure renderer (include/uwsgitop/tui/)
// did not exist when this bench was written. Until it does, this formats
// what a width x height screen shows, with the same building blocks the
// screen uses: the three summary lines, the column header and the first
// (height - 5) rows of the already sorted row list, each cell through
// column_value + format_human, padded to the column's preferred width and
// clipped to `width` bytes. Only visible rows are formatted, so the cost is
// bounded by the screen, not by the number of rows. `out` is cleared first
// and keeps its capacity; returns the number of lines written.
#pragma once

#include <span>
#include <string>

#include "uwsgitop/columns.hpp"
#include "uwsgitop/rates.hpp"

namespace uwsgitop::bench {

int render_screen(const Snapshot& snap, const Rates* rates, double now, const std::string& address,
                  std::span<const RowRef> sorted_rows, bool cores_view, int width, int height,
                  std::string& out);

}  // namespace uwsgitop::bench
