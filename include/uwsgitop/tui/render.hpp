// render.hpp — the whole screen from a ViewModel, into a Grid. Pure: no
// terminal, no clock, no I/O; the same ViewModel and size give the same grid.
//
// Cost is bounded by the screen, not by the data: only the visible rows'
// cells are formatted, into buffers the Renderer reuses (no heap allocation
// per row once they have grown). Column widths are each column's preferred
// width, widened to fit the header and the visible values, so numbers are
// never cut; columns that do not fit are dropped from the right (layout.hpp).
// Written in two files: render.cpp (everything around the table) and
// render_table.cpp (the worker and pane tables).
#pragma once

#include <string>
#include <vector>

#include "uwsgitop/tui/grid.hpp"
#include "uwsgitop/tui/layout.hpp"
#include "uwsgitop/tui/text_view.hpp"
#include "uwsgitop/tui/view_model.hpp"

namespace uwsgitop::tui {

class Renderer {
public:
    // Resizes `grid` to the view-model's size and draws everything.
    void render(const ViewModel& vm, Grid& grid);
    // Where the last render put the header's columns and the tabs (for
    // ViewModel::handle_mouse).
    const ScreenHits& hits() const { return hits_; }

private:
    void summary(const ViewModel& vm, Grid& grid);
    static void breadcrumb(const ViewModel& vm, std::string& out);
    void tabs(const ViewModel& vm, Grid& grid);
    void worker_table(const ViewModel& vm, Grid& grid);
    void pane_table(const ViewModel& vm, Grid& grid);
    void table_body(const ViewModel& vm, Grid& grid, std::size_t ncols, std::size_t nrows,
                    int sorted_col, bool descending);
    void overlay(const ViewModel& vm, Grid& grid);
    void status_line(const ViewModel& vm, Grid& grid);
    void empty_message(const ViewModel& vm, Grid& grid);
    void history(const ViewModel& vm, Grid& grid, int x);

    std::string line_;
    std::vector<std::string> cells_;      // visible rows x columns, reused
    std::vector<std::string> headers_;
    std::vector<uint8_t> right_;          // right-aligned columns
    std::vector<Style> row_styles_;
    std::vector<int> widths_;
    std::vector<uint8_t> stretch_;
    std::vector<ColumnSlot> slots_;
    std::vector<int> colmap_;             // worker table: display column -> column, -1 = RPS~
    TextLines text_;
    ScreenHits hits_;
};

// Convenience: one Renderer per thread; last_hits() is its hits().
void render(const ViewModel& vm, Grid& grid);
const ScreenHits& last_hits();

// Style of a worker row by its status (busy, cheap, sigNN, pause, idle).
Style status_style(std::string_view status);
// Style of an events pane row: failures red (harakiri, down, cursed),
// restarts and thresholds yellow, the rest plain.
Style event_style(EventKind kind);

}  // namespace uwsgitop::tui
