// bench_render.cpp — the screen stand-in of bench_render.hpp.
#include "bench_render.hpp"

#include <algorithm>

#include "uwsgitop/summary.hpp"
#include "uwsgitop/text.hpp"

namespace uwsgitop::bench {

namespace {

// Appends `line` clipped to `width` bytes (ASCII screens; good enough for a
// cost model) and a newline.
void put_line(std::string& out, std::string_view line, int width) {
    out.append(line.substr(0, std::min<std::size_t>(line.size(), static_cast<std::size_t>(width))));
    out += '\n';
}

void put_cell(std::string& line, std::string_view text, std::size_t width, bool left) {
    const std::size_t w = display_width(text);
    const std::size_t pad = width > w ? width - w : 0;
    if (!left) line.append(pad, ' ');
    line.append(text);
    if (left) line.append(pad, ' ');
    line += ' ';
}

}  // namespace

int render_screen(const Snapshot& snap, const Rates* rates, double now, const std::string& address,
                  std::span<const RowRef> sorted_rows, bool cores_view, int width, int height,
                  std::string& out) {
    static thread_local std::string line;
    static thread_local std::string cell;
    out.clear();
    int lines = 0;
    line.clear();
    summary_line1(snap, rates, now, line);
    put_line(out, line, width);
    line.clear();
    summary_line2(snap, address, line);
    put_line(out, line, width);
    line.clear();
    summary_line3(snap, line);
    put_line(out, line, width);
    lines += 3;

    const std::span<const ColumnId> cols = cores_view ? default_core_columns() : default_worker_columns();
    line.clear();
    for (ColumnId id : cols) {
        const ColumnDef& def = column(id);
        put_cell(line, def.header, def.width, def.left_align);
    }
    put_line(out, line, width);
    ++lines;

    const RowContext ctx{&snap, rates, now, total_requests(snap)};
    const std::size_t visible = static_cast<std::size_t>(std::max(0, height - 5));
    const std::size_t n = std::min(visible, sorted_rows.size());
    for (std::size_t i = 0; i < n; ++i) {
        const RowRef r = sorted_rows[i];
        line.clear();
        for (ColumnId id : cols) {
            const ColumnDef& def = column(id);
            cell.clear();
            format_human(def, column_value(def, ctx, r), r, ctx, cell);
            put_cell(line, cell, def.width, def.left_align);
            if (line.size() >= static_cast<std::size_t>(width)) break;
        }
        put_line(out, line, width);
        ++lines;
    }
    return lines;
}

}  // namespace uwsgitop::bench
