// ncurses_backend.cpp — the one file that talks to curses (see terminal.hpp).
//
// Styles become attributes and colour pairs here (the looks of the theme in
// effect, settings/theme.hpp, colours fitted to the terminal); the grid is copied cell by
// cell (runs of plain ASCII in one call, other characters at their own
// column, so a terminal that disagrees about a character's width cannot shift
// the rest of the line). Outside a UTF-8 locale, non-ASCII cells are shown
// as '?'. Only the rows that differ from the last drawn grid go through
// ncurses (copying a cell into a curses window costs a multibyte conversion
// and a width lookup: about 3 M instructions for a whole 160x50 screen); the
// window keeps the other rows as they were drawn.
#include <curses.h>
#include <langinfo.h>
#include <poll.h>
#include <pthread.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "uwsgitop/tui/escape_keys.hpp"
#include "uwsgitop/tui/keys.hpp"
#include "uwsgitop/tui/signals.hpp"
#include "uwsgitop/tui/terminal.hpp"

namespace uwsgitop::tui {

namespace {

std::array<attr_t, static_cast<std::size_t>(Style::Count_)> g_attrs{};

// For emergency_restore_terminal(): filled at open, read in a signal handler.
struct termios g_saved_termios;
bool g_have_termios = false;
char g_reset[256];
std::size_t g_reset_len = 0;
volatile bool g_open = false;

void append_cap(const char* name) {
    char* cap = tigetstr(const_cast<char*>(name));
    if (!cap || cap == reinterpret_cast<char*>(-1)) return;
    const std::size_t n = std::strlen(cap);
    if (g_reset_len + n >= sizeof g_reset) return;
    std::memcpy(g_reset + g_reset_len, cap, n);
    g_reset_len += n;
}

attr_t attrs_of(uint8_t bits) {
    attr_t a = A_NORMAL;
    if (bits & kAttrBold) a |= A_BOLD;
    if (bits & kAttrDim) a |= A_DIM;
    if (bits & kAttrUnderline) a |= A_UNDERLINE;
    if (bits & kAttrReverse) a |= A_REVERSE;
    if (bits & kAttrItalic) a |= A_ITALIC;
    return a;
}

// Each role's attributes, and a colour pair for each role with a colour:
// one pair per distinct (fg, bg) after fitting them to the terminal's
// colours; `default_ok`: -1 is the terminal's own colour (else white on black).
void set_styles(const Theme& theme, bool color, bool default_ok) {
    short pairs = 0;
    std::array<std::pair<short, short>, kColorRoleCount> made{};
    for (std::size_t i = 0; i < kColorRoleCount; ++i) {
        const Look& l = theme[i];
        g_attrs[i] = attrs_of(l.attrs);
        if (!color || (l.fg < 0 && l.bg < 0)) continue;
        short fg = static_cast<short>(fit_color(l.fg, COLORS));
        short bg = static_cast<short>(fit_color(l.bg, COLORS));
        if (!default_ok) {
            if (fg < 0) fg = COLOR_WHITE;
            if (bg < 0) bg = COLOR_BLACK;
        }
        short n = 0;
        for (short k = 0; k < pairs; ++k) {
            if (made[static_cast<std::size_t>(k)] == std::pair<short, short>(fg, bg)) n = static_cast<short>(k + 1);
        }
        if (n == 0 && pairs + 1 < COLOR_PAIRS && init_pair(static_cast<short>(pairs + 1), fg, bg) == OK) {
            made[static_cast<std::size_t>(pairs)] = {fg, bg};
            n = ++pairs;
        }
        if (n > 0) g_attrs[i] |= static_cast<attr_t>(COLOR_PAIR(n));
    }
}

int map_key(int r, wint_t ch) {
    if (r == KEY_CODE_YES) {
        if (ch >= KEY_F(2) && ch <= KEY_F(12)) return key::fkey(static_cast<int>(ch) - KEY_F0);
        switch (ch) {
            case KEY_UP: return key::Up;
            case KEY_DOWN: return key::Down;
            case KEY_LEFT: return key::Left;
            case KEY_RIGHT: return key::Right;
            case KEY_PPAGE: return key::PageUp;
            case KEY_NPAGE: return key::PageDown;
            case KEY_HOME: case KEY_A1: return key::Home;
            case KEY_END: case KEY_C1: return key::End;
            case KEY_ENTER: return key::Enter;
            case KEY_BACKSPACE: return key::Backspace;
            case KEY_DC: return key::Delete;
            case KEY_BTAB: return key::BackTab;
            case KEY_F(1): return key::F1;
            case KEY_RESIZE: return key::Resize;
            default: return key::None;
        }
    }
    switch (ch) {
        case '\r': case '\n': return key::Enter;
        case 127: case 8: return key::Backspace;
        default: return static_cast<int>(ch);
    }
}

// The terminal's mouse-report prefix (kmous) is a key to ncurses only while
// the mouse is on: off, a report is an unknown sequence that next_key()
// reads whole and drops (ncurses, asked for no mouse, would hand its bytes
// over one by one: `ESC [ < 0;10;5 M` as the keys 0 ; 1 0 ... M).
void mouse_prefix_is_key(bool on) {
    char* kmous = tigetstr(const_cast<char*>("kmous"));
    if (!kmous || kmous == reinterpret_cast<char*>(-1) || !*kmous) return;
    define_key(kmous, on ? KEY_MOUSE : 0);
}

}  // namespace

void emergency_restore_terminal() {
    if (!g_open) return;
    if (g_reset_len > 0) {
        ssize_t ignored = ::write(STDOUT_FILENO, g_reset, g_reset_len);
        (void)ignored;
    }
    if (g_have_termios) tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved_termios);
    g_open = false;
}

Terminal::~Terminal() { close(); }

Status Terminal::open(bool want_color, bool mouse, std::string_view theme,
                      const std::vector<ColorOverride>& overrides) {
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        return Status::fail("the interactive screen needs a terminal on stdin and stdout (use --once or --batch)");
    }
    const char* term = std::getenv("TERM");
    if (!term || !*term) {
        return Status::fail("TERM is not set, so the terminal type is unknown (set it, e.g. TERM=xterm, or use --once)");
    }
    g_have_termios = tcgetattr(STDIN_FILENO, &g_saved_termios) == 0;
    SCREEN* scr = newterm(term, stdout, stdin);
    if (!scr) {
        std::string t;
        for (const char* p = term; *p && t.size() < 64; ++p) t += (*p >= 0x20 && *p < 0x7F) ? *p : '?';
        return Status::fail("unknown terminal type \"" + t +
                            "\" (no terminfo entry; try TERM=xterm or TERM=vt100, or use --once)");
    }
    set_term(scr);
    char* cup = tigetstr(const_cast<char*>("cup"));
    if (!cup || cup == reinterpret_cast<char*>(-1)) {
        endwin();
        delscreen(scr);
        return Status::fail("terminal type \"" + std::string(term).substr(0, 64) +
                            "\" cannot move the cursor; the screen needs one that can (or use --once)");
    }
    screen_ = scr;
    open_ = true;
    g_reset_len = 0;
    append_cap("sgr0");
    append_cap("cnorm");
    append_cap("rmcup");
    g_open = true;

    cbreak();
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);  // refused by some terminals: not fatal
    leaveok(stdscr, TRUE);

    const char* codeset = nl_langinfo(CODESET);
    utf8_ = codeset && (std::strcmp(codeset, "UTF-8") == 0 || std::strcmp(codeset, "utf8") == 0);

    // A theme without any colour (mono) starts no colour at all: the terminal
    // is then sent no colour sequence, as with NO_COLOR.
    const Theme wanted = build_theme(theme, overrides, true);
    const bool any_color = std::any_of(wanted.begin(), wanted.end(), [](const Look& l) { return l.fg >= 0 || l.bg >= 0; });
    color_ = want_color && any_color && has_colors() && start_color() == OK && COLORS >= 8;
    const bool default_ok = color_ && use_default_colors() == OK;
    set_styles(build_theme(theme, overrides, color_), color_, default_ok);
    mouse_ = false;
    if (mouse) set_mouse(true);
    else mouse_prefix_is_key(false);
    return Status::ok();
}

void Terminal::set_mouse(bool on) {
    if (!open_ || on == mouse_) return;
    mouse_prefix_is_key(on);
    mouseinterval(0);
    // A press and its release read in one go may come back as one click.
    const mmask_t want = on ? (BUTTON1_PRESSED | BUTTON1_RELEASED | BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED |
                               BUTTON4_PRESSED | BUTTON5_PRESSED)
                            : 0;
    mousemask(want, nullptr);
    mouse_ = on;
}

void Terminal::close() {
    if (!open_) return;
    open_ = false;
    curs_set(1);
    endwin();
    delscreen(static_cast<SCREEN*>(screen_));
    screen_ = nullptr;
    g_open = false;
    std::fflush(stdout);
}

void Terminal::size(int& width, int& height) const {
    if (!open_) {
        width = height = 0;
        return;
    }
    getmaxyx(stdscr, height, width);
}

int Terminal::read_key(int timeout_ms, int wake_fd) {
    if (!open_) return key::None;
    if (mouse_repeat_) {  // the second press of a double click ncurses folded into one report
        mouse_repeat_ = false;
        return key::Mouse;
    }
    timeout_ms = std::max(timeout_ms, 0);
    if (wake_fd < 0) return next_key(timeout_ms);
    // The signals that end the sleep are blocked from the look at what
    // ncurses holds on until ppoll() unblocks them atomically: one that comes
    // in between ends the sleep at once instead of at the timeout.
    const sigset_t wake = sleep_ending_signals();
    sigset_t old;
    pthread_sigmask(SIG_BLOCK, &wake, &old);
    int k = next_key(0);  // a key ncurses already read, a resize it noted
    if (k == key::None && stop_signal() == 0) {
        pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {wake_fd, POLLIN, 0}};
        const timespec ts{timeout_ms / 1000, static_cast<long>(timeout_ms % 1000) * 1000000L};
        const int r = ::ppoll(fds, 2, &ts, &old);
        const bool hangup = r > 0 && ((fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) != 0 ||
                                      (fds[1].revents & POLLNVAL) != 0);
        if (hangup) {
            k = next_key(timeout_ms);  // nothing to sleep on: as without wake_fd
        } else if ((r > 0 && (fds[0].revents & POLLIN) != 0) || (r < 0 && errno == EINTR)) {
            k = next_key(0);  // the key, or key::Resize after SIGWINCH
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return k;
}

int Terminal::next_key(int timeout_ms) {
    int k = pending_key_;
    pending_key_ = key::None;
    if (k == key::None) k = read_code(timeout_ms);
    return k == key::Escape ? after_escape() : k;
}

int Terminal::after_escape() {
    // What ncurses did not name comes back after the ESC as it arrived: the
    // rest of a sequence sent in one go is there at once (a lone Escape has
    // already waited ncurses's ESCDELAY), its later bytes within kEscapeGapMs.
    constexpr int kEscapeGapMs = 25;
    escape_.reset();
    for (;;) {
        const int c = read_code(escape_.lone() ? 0 : kEscapeGapMs);
        if (c == key::None) return escape_.lone() ? key::Escape : key::None;  // cut short: dropped
        switch (escape_.feed(c)) {
            case EscapeParser::Step::More: continue;
            case EscapeParser::Step::Done: return escape_.key();
            case EscapeParser::Step::Reject:
                pending_key_ = c;
                return escape_.lone() ? key::Escape : key::None;
        }
    }
}

int Terminal::read_code(int timeout_ms) {
    wtimeout(stdscr, timeout_ms);
    wint_t ch = 0;
    const int r = wget_wch(stdscr, &ch);
    if (r == ERR) return key::None;
    if (r == KEY_CODE_YES && ch == KEY_MOUSE) {
        MEVENT ev;
        if (getmouse(&ev) != OK) return key::None;
        if (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED)) mouse_event_.kind = MouseKind::Press;
        else if (ev.bstate & BUTTON1_RELEASED) mouse_event_.kind = MouseKind::Release;
        else if (ev.bstate & BUTTON4_PRESSED) mouse_event_.kind = MouseKind::WheelUp;
        else if (ev.bstate & BUTTON5_PRESSED) mouse_event_.kind = MouseKind::WheelDown;
        else return key::None;
        mouse_event_.x = ev.x;
        mouse_event_.y = ev.y;
        mouse_repeat_ = (ev.bstate & BUTTON1_DOUBLE_CLICKED) != 0;
        return key::Mouse;
    }
    return map_key(r, ch);
}

void Terminal::draw(const Grid& grid, bool full) {
    if (!open_) return;
    int rows = 0, cols = 0;
    getmaxyx(stdscr, rows, cols);
    // What the window holds is known only if the last draw had this size and
    // this grid shape; otherwise (and for `full`) every row is sent again.
    const bool resized = rows != drawn_height_ || cols != drawn_width_;
    if (full || resized) clearok(curscr, TRUE);
    const bool all = full || resized || grid.width() != drawn_.width() || grid.height() != drawn_.height();
    drawn_height_ = rows;
    drawn_width_ = cols;
    const int h = std::min(rows, grid.height());
    const int w = std::min(cols, grid.width());
    if (all) drawn_ = grid;  // the one copy that may allocate: a new size
    bool redo_next = false;  // the row above may have spilled into this one
    for (int y = 0; y < h; ++y) {
        if (all || redo_next) {
            if (!all) drawn_.copy_row(grid, y);
            redo_next = draw_cells(grid, y, 0, w, w);
        } else if (!grid.same_row(drawn_, y)) {
            redo_next = draw_changes(grid, y, w);
            drawn_.copy_row(grid, y);
        }
    }
    wattrset(stdscr, A_NORMAL);
    wnoutrefresh(stdscr);
    doupdate();
}

namespace {

bool plain_ascii(const Cell& c) {
    return c.width == 1 && (c.len == 0 || (c.len == 1 && static_cast<unsigned char>(c.text[0]) < 0x80));
}

// Equal cells between two changes shorter than this are sent again rather
// than skipped: one call and one cursor move cost more than a few bytes.
constexpr int kJoinGap = 8;

}  // namespace

bool Terminal::draw_changes(const Grid& grid, int y, int w) {
    bool wide_end = false;
    int x = 0;
    while (x < w) {
        if (same_cell(grid.at(x, y), drawn_.at(x, y))) {
            ++x;
            continue;
        }
        int last = x;  // the last differing cell of this stretch
        for (int i = x + 1; i < w && i - last <= kJoinGap; ++i) {
            if (!same_cell(grid.at(i, y), drawn_.at(i, y))) last = i;
        }
        // Widen to whole characters: a stretch may begin or end at column
        // `e` only where, in the new and the old row alike, no wide character
        // straddles it and the cell before it is plain ASCII (curses may
        // measure a non-ASCII one wider than we do).
        const auto clean_edge = [&](int e) {
            return plain_ascii(grid.at(e - 1, y)) && plain_ascii(drawn_.at(e - 1, y)) && grid.at(e, y).width != 0 &&
                   drawn_.at(e, y).width != 0;
        };
        int from = x;
        while (from > 0 && !clean_edge(from)) --from;
        int to = last + 1;
        while (to < w && !clean_edge(to)) ++to;
        wide_end = draw_cells(grid, y, from, to, w) || wide_end;
        x = to;
    }
    return wide_end;
}

bool Terminal::draw_cells(const Grid& grid, int y, int from, int to, int w) {
    bool wide_end = false;
    int x = from;
    while (x < to) {
        const Cell& c = grid.at(x, y);
        if (c.width == 0) {
            ++x;
            continue;
        }
        wattrset(stdscr, static_cast<int>(g_attrs[static_cast<std::size_t>(c.style)]));
        if (plain_ascii(c)) {
            // A run of single-column ASCII cells in one style.
            run_.clear();
            const int start = x;
            while (x < to) {
                const Cell& d = grid.at(x, y);
                if (d.style != c.style || !plain_ascii(d)) break;
                run_ += d.len ? d.text[0] : ' ';
                ++x;
            }
            mvwaddnstr(stdscr, y, start, run_.data(), static_cast<int>(run_.size()));
            continue;
        }
        if (utf8_) {
            mvwaddnstr(stdscr, y, x, c.text, c.len);
            // ncurses may think this character wider than we do; in the last
            // column it would then wrap onto the next row of the window.
            if (x + c.width >= w) wide_end = true;
        } else {
            mvwaddnstr(stdscr, y, x, c.width == 2 ? "??" : "?", c.width);
        }
        x += c.width;
    }
    return wide_end;
}

bool prefer_ascii(bool utf8) {
    if (!utf8) return true;
    const char* t = std::getenv("TERM");
    return t && (std::strcmp(t, "linux") == 0 || std::strncmp(t, "vt100", 5) == 0 || std::strncmp(t, "vt102", 5) == 0);
}

}  // namespace uwsgitop::tui
