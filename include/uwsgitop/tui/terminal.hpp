// terminal.hpp — the only door to the terminal (implemented with ncursesw in
// src/tui/ncurses_backend.cpp, the one file that includes <curses.h>).
//
// open() checks everything that can make the screen unusable BEFORE drawing
// anything (stdin/stdout not a terminal, TERM unset, a TERM without a
// terminfo entry, a terminal that cannot move its cursor) and returns a
// one-line message instead. Colour and cursor-visibility calls that the
// terminal refuses are not fatal. close() restores the terminal and is safe
// to call more than once; the destructor calls it.
//
// Install the caller's SIGINT/SIGTERM handlers before open(): ncurses only
// installs its own (which exit the process) when none are set.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "uwsgitop/base/status.hpp"
#include "uwsgitop/settings/theme.hpp"
#include "uwsgitop/tui/escape_keys.hpp"
#include "uwsgitop/tui/grid.hpp"
#include "uwsgitop/tui/mouse.hpp"

namespace uwsgitop::tui {

class Terminal {
public:
    Terminal() = default;
    ~Terminal();
    Terminal(const Terminal&) = delete;
    Terminal& operator=(const Terminal&) = delete;

    // `mouse`: ask for mouse reports (set_mouse(true)); false asks for none.
    // The cells' looks are build_theme(theme, overrides, colour in use)
    // (settings/theme.hpp), colours fitted to what the terminal has.
    Status open(bool want_color, bool mouse, std::string_view theme = "default",
                const std::vector<ColorOverride>& overrides = {});
    void close();
    bool is_open() const { return open_; }
    bool utf8() const { return utf8_; }
    bool color() const { return color_; }
    void size(int& width, int& height) const;

    // The next key (keys.hpp codes), key::Resize after a resize, key::Mouse
    // after a mouse report (mouse_event() holds it), or key::None when nothing
    // came within `timeout_ms`. An escape sequence that terminfo does not
    // name is read whole (escape_keys.hpp): the key it spells (Home as
    // `ESC [ 1 ~`...) or, unknown, key::None. Reports other than a left press/release and
    // the wheel are dropped. With a `wake_fd` (>= 0) it also returns
    // key::None as soon as that descriptor is readable or a stop signal
    // arrives, and key::Resize at once after SIGWINCH (sleep_ending_signals(),
    // never lost between the last look and the sleep); it sleeps in one
    // ppoll() on the terminal and `wake_fd`, so a screen with nothing to do
    // does not wake to look.
    int read_key(int timeout_ms, int wake_fd = -1);
    const MouseEvent& mouse_event() const { return mouse_event_; }

    // Mouse reports on or off: ncurses mousemask() with no click resolution
    // (mouseinterval 0: presses and releases as they come; double clicks are
    // the view-model's); the terminal's SGR 1006 mode where its terminfo has
    // it (xterm-256color and most others). Off sends the terminal the
    // request to stop; a terminal never switched on is sent nothing. While
    // off, the report prefix (kmous) is no key to ncurses: a report that
    // still arrives is an unknown sequence, read whole and dropped.
    void set_mouse(bool on);
    bool mouse() const { return mouse_; }

    // Shows `grid` (which must have the terminal's size); `full` repaints
    // every cell (Ctrl-L) instead of only the changes. The first draw after the
    // terminal changed size is always full: terminals differ in what they keep
    // of the old content (xterm keeps it, tmux and reflowing terminals do not),
    // so nothing drawn before the resize may be assumed to be on screen.
    // Otherwise, of the rows that differ from the previous draw's grid, only
    // the stretches of cells that differ are sent to curses (widened so none
    // starts or ends inside a wide or non-ASCII character), plus the whole row
    // after one whose last column holds a non-ASCII character, in case curses
    // wrapped it.
    void draw(const Grid& grid, bool full);

private:
    // The next key: a key held back by the last escape sequence, else one
    // read_code(); an ESC and what follows it go through after_escape().
    int next_key(int timeout_ms);
    // One wget_wch() with `timeout_ms` (0: only what is there), mapped.
    int read_code(int timeout_ms);
    // Reads what follows an ESC (escape_keys.hpp): a whole sequence is one
    // key (key::None when it names none); an ESC followed by nothing or by
    // something that starts no sequence is key::Escape, that something kept
    // in pending_key_ for the next read.
    int after_escape();
    // Sends the cells [from, to) of row `y` to the curses window (w = width
    // drawn); true when a non-ASCII character ends in the last column.
    bool draw_cells(const Grid& grid, int y, int from, int to, int w);
    // Sends the stretches of row `y` that differ from drawn_'s row `y`; same
    // result as draw_cells.
    bool draw_changes(const Grid& grid, int y, int w);

    bool open_ = false;
    bool utf8_ = false;
    bool color_ = false;
    bool mouse_ = false;
    bool mouse_repeat_ = false;   // report mouse_event_ once more
    int pending_key_ = -1;        // key::None, or a key read after an ESC, not yet returned
    EscapeParser escape_;
    MouseEvent mouse_event_;
    void* screen_ = nullptr;  // SCREEN*
    std::string run_;
    int drawn_width_ = -1;   // size at the last draw; -1 before the first
    int drawn_height_ = -1;
    Grid drawn_;             // the grid of the last draw (what the window holds)
};

// True when the screen should draw ASCII only (sparklines, arrows): the
// locale is not UTF-8 (`utf8` false) or TERM is a console/vt100 family
// terminal that has no block characters.
bool prefer_ascii(bool utf8);

// Best-effort restore from a fatal signal handler (async-signal-safe: the
// saved termios and pre-computed reset strings only).
void emergency_restore_terminal();

}  // namespace uwsgitop::tui
