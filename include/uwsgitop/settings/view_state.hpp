// view_state.hpp — the saved view: what the screen's save key writes.
//
// The saved view is a settings file of its own ($XDG_STATE_HOME/uwsgitop/
// view.toml), read after config.toml and before the environment and the
// command line (settings_file.hpp), so the file a user writes by hand is
// never rewritten. The worker screen's save (save_view) and the fleet screen's
// (save_fleet_columns) each write their own keys and keep the others of the
// file already there (when it reads as TOML), so saving one screen does not
// forget what the other saved. Writing is atomic: a temporary file in the
// same directory (mode 0600), fsync, rename over the old one; missing
// directories are created with mode 0700. On failure nothing is left behind
// and the one-line Status names the path and the cause.
#pragma once

#include <string>
#include <vector>

#include "uwsgitop/base/status.hpp"
#include "uwsgitop/view/rows.hpp"

namespace uwsgitop {

struct SavedView {
    std::vector<ColumnId> columns;        // worker rows
    std::vector<ColumnId> core_columns;   // core rows (empty: not written)
    SortSpec sort;
    RowMode rows = RowMode::Workers;  // the a key's row mode
    std::string pane;       // a pane name ("workers", "sockets", ...)
    bool keep_filter = false;  // the filter is saved only when asked (a second s)
    std::string filter;
    double interval = 1.0;
    std::string color;      // "auto", "always" or "never"
};

// The file's text: keys of the option table (columns, core-columns, sort,
// reverse, rows, pane, interval, color, and filter only with keep_filter: otherwise
// config.toml's filter, if any, applies), so reading it back is reading a
// settings file.
std::string saved_view_text(const SavedView& view);

Status save_view(const std::string& path, const SavedView& view);

// The fleet screen's columns (fleet_columns.hpp screen columns) as the
// fleet-columns key, the file's other keys kept.
Status save_fleet_columns(const std::string& path, const std::vector<int>& columns);

}  // namespace uwsgitop
