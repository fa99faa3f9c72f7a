// column_chooser.hpp — the column chooser (o or F2): which columns one table
// shows and in which order, edited on the screen.
//
// The chooser is opened on a catalogue (every column the table can show, in
// the column table's order) and the table's shown list. It keeps two lists:
// "shown" (the table's columns, in their order) and "available" (the others,
// in catalogue order), a cursor in each and which list has the focus. Its
// keys (handle_key) are its own while it is open, as the filter's are while
// it is typed; the overlay's footer lists them (kChooserHint):
//   Up Down k j PgUp PgDn Home End   move in the focused list
//   Left Right Tab S-Tab             the other list
//   Space Enter                      shown: hide it; available: show it (at the end)
//   [ ]                              move the shown column earlier / later
//   Esc F2 o q                       close
// At least one column stays shown: hiding the last one is refused with a
// message (message()). handle_key() says when the shown list changed, so the
// owner applies shown() to its table at once (the table behind the overlay
// follows every change) and closes nothing else.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "uwsgitop/tui/grid.hpp"

namespace uwsgitop::tui {

// One column of the catalogue; `id` is the owner's (a ColumnId, a fleet
// column index), the texts stay valid while the chooser is open.
struct ChooserItem {
    int id = 0;
    std::string_view name;         // the --columns word
    std::string_view header;       // the screen header
    std::string_view description;  // with its unit
};

// What a key did.
enum class ChooserOutcome : uint8_t {
    Ignored,   // not a chooser key (nothing changed)
    Moved,     // the cursor or the focus moved, or a refusal was noted
    Changed,   // the shown list changed: apply shown()
    Closed,    // the chooser closed itself
};

constexpr std::string_view kChooserHint =
    "Space/Enter show/hide  [ ] move earlier/later  Tab other list  Esc close";

class ColumnChooser {
public:
    enum class Side : uint8_t { Shown, Available };

    // Opens on `catalogue` with `shown` (ids of the catalogue, in order;
    // ids not in it are dropped). `title` names the table ("worker rows").
    void open(std::string title, std::vector<ChooserItem> catalogue, const std::vector<int>& shown);
    void close() { open_ = false; }
    bool is_open() const { return open_; }
    ChooserOutcome handle_key(int key);

    const std::string& title() const { return title_; }
    const std::vector<int>& shown() const { return shown_; }
    // The catalogue's ids that are not shown, in catalogue order.
    std::vector<int> available() const;
    const ChooserItem* item(int id) const;
    Side side() const { return side_; }
    // The cursor's position in the focused list (0 when it is empty).
    int cursor() const { return side_ == Side::Shown ? cursor_shown_ : cursor_avail_; }
    int cursor_in(Side s) const { return s == Side::Shown ? cursor_shown_ : cursor_avail_; }
    // The last key's note ("at least one column stays shown"), "" if none.
    const std::string& message() const { return message_; }
    // Cells a name takes in the lists: the catalogue's longest, one space after.
    int name_width() const { return name_width_; }

private:
    void move_cursor(int delta);
    void clamp();
    ChooserOutcome toggle();
    ChooserOutcome reorder(int delta);

    bool open_ = false;
    std::string title_;
    std::vector<ChooserItem> catalogue_;
    std::vector<int> shown_;
    Side side_ = Side::Shown;
    int cursor_shown_ = 0;
    int cursor_avail_ = 0;
    std::string message_;
    int name_width_ = 1;
};

// Draws the open chooser as a panel over rows [top, top + rows) of `grid`:
// its title, the shown list left (name and screen header, in order) and
// the available list right (name and description), each scrolled to keep
// its cursor in view, the focused list's cursor highlighted, and the
// footer (the last key's note, else kChooserHint). Nothing when closed or
// when fewer than 4 rows are given. The table drawn before it stays visible
// above the panel.
void draw_chooser(const ColumnChooser& chooser, Grid& grid, int top, int rows);

// Where the panel goes on a table that starts at `table_top` with `table_rows`
// rows, above the row `bottom` (the status line): its first row. The header
// and a few rows of the table stay above it; on a tall screen the panel
// takes only the rows its lists need, at the bottom.
int chooser_top(const ColumnChooser& chooser, int table_top, int table_rows, int bottom);

}  // namespace uwsgitop::tui
