"""vtscreen.py — a tiny terminal screen model for the end-to-end test.

Understands what ncurses sends to xterm-like terminals and to vt100/linux/
screen: cursor moves, erases, insert/delete of characters and lines, scroll
regions, repeat, SGR attributes, the alternate screen and cursor visibility
modes. Good enough to read back what uwsgitop shows; not a full emulator.
Python 3 standard library only.
"""

import codecs
import unicodedata

DEFAULT_ATTR = (None, None, False, False)  # fg, bg, bold, reverse


class Screen:
    def __init__(self, cols, rows):
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.modes = {}          # private modes seen last: {1049: True, 25: False}
        self.raw = bytearray()   # everything received
        self.x = self.y = 0
        self.attr = DEFAULT_ATTR
        self.saved = (0, 0, DEFAULT_ATTR)
        self.last_char = " "
        self.state = "normal"
        self.buf = ""
        self.resize(cols, rows)

    # --- geometry -------------------------------------------------------------
    def resize(self, cols, rows):
        """A window resize. The parser state (a half-received escape sequence)
        and the attributes survive, as in a real terminal; the content does
        not: this model blanks it, the strictest of what terminals do, so a
        program that does not repaint after a resize shows holes here."""
        self.cols, self.rows = cols, rows
        self.cells = [[(" ", DEFAULT_ATTR) for _ in range(cols)] for _ in range(rows)]
        self.x = min(self.x, cols - 1)
        self.y = min(self.y, rows - 1)
        self.top, self.bottom = 0, rows - 1
        self.wrap_pending = False

    # --- reading back ---------------------------------------------------------------
    def lines(self):
        out = []
        for row in self.cells:
            out.append("".join(ch for ch, _ in row if ch != "").rstrip())
        return out

    def text(self):
        return "\n".join(self.lines())

    def attr_at(self, x, y):
        return self.cells[y][x][1]

    def find(self, needle):
        """(x, y) of the first occurrence of needle, or None."""
        for y, line in enumerate(self.lines()):
            x = line.find(needle)
            if x >= 0:
                return x, y
        return None

    # --- input ----------------------------------------------------------------------
    def feed(self, data):
        self.raw += data
        for ch in self.decoder.decode(data):
            self._char(ch)

    def _char(self, ch):
        st = self.state
        if st == "normal":
            if ch == "\x1b":
                self.state, self.buf = "esc", ""
            elif ch < " " or ch == "\x7f":
                self._control(ch)
            else:
                self._print(ch)
        elif st == "esc":
            self._esc(ch)
        elif st == "csi":
            if "\x40" <= ch <= "\x7e":
                self.state = "normal"
                self._csi(self.buf, ch)
            else:
                self.buf += ch
        elif st == "osc":
            if ch == "\x07":
                self.state = "normal"
            elif ch == "\x1b":
                self.state = "osc_esc"
        elif st == "osc_esc":
            self.state = "normal" if ch == "\\" else "osc"
        elif st == "charset":
            self.state = "normal"

    def _control(self, ch):
        if ch == "\r":
            self.x, self.wrap_pending = 0, False
        elif ch in "\n\x0b\x0c":
            self._index()
        elif ch == "\x08":
            self.x, self.wrap_pending = max(0, self.x - 1), False
        elif ch == "\t":
            self.x = min(self.cols - 1, (self.x // 8 + 1) * 8)

    def _esc(self, ch):
        self.state = "normal"
        if ch == "[":
            self.state, self.buf = "csi", ""
        elif ch == "]":
            self.state = "osc"
        elif ch in "()*+-./":
            self.state = "charset"
        elif ch == "7":
            self.saved = (self.x, self.y, self.attr)
        elif ch == "8":
            self.x, self.y, self.attr = self.saved
        elif ch == "M":
            if self.y == self.top:
                self._scroll_down(1)
            else:
                self.y = max(0, self.y - 1)
        elif ch == "D":
            self._index()
        elif ch == "E":
            self.x = 0
            self._index()
        elif ch == "c":
            self.resize(self.cols, self.rows)

    def _print(self, ch):
        w = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if unicodedata.combining(ch):
            px = max(0, self.x - 1)
            c, a = self.cells[self.y][px]
            self.cells[self.y][px] = (c + ch, a)
            return
        if self.wrap_pending:
            self.x = 0
            self._index()
            self.wrap_pending = False
        if self.x + w > self.cols:
            self.x = 0
            self._index()
        self.cells[self.y][self.x] = (ch, self.attr)
        if w == 2 and self.x + 1 < self.cols:
            self.cells[self.y][self.x + 1] = ("", self.attr)
        self.last_char = ch
        if self.x + w >= self.cols:
            self.x = self.cols - 1
            self.wrap_pending = True
        else:
            self.x += w

    def _index(self):
        self.wrap_pending = False
        if self.y == self.bottom:
            self._scroll_up(1)
        elif self.y < self.rows - 1:
            self.y += 1

    def _blank_line(self):
        return [(" ", self.attr_bg()) for _ in range(self.cols)]

    def attr_bg(self):
        # Erased cells take the current background (bce terminals).
        return (None, self.attr[1], False, False)

    def _scroll_up(self, n, top=None):
        top = self.top if top is None else top
        for _ in range(n):
            del self.cells[top]
            self.cells.insert(self.bottom, self._blank_line())

    def _scroll_down(self, n, top=None):
        top = self.top if top is None else top
        for _ in range(n):
            del self.cells[self.bottom]
            self.cells.insert(top, self._blank_line())

    def _csi(self, buf, final):
        private = buf[:1] if buf[:1] in "?>=<" else ""
        body = buf[len(private):]
        try:
            params = [int(p) if p else None for p in body.split(";")] if body else []
        except ValueError:
            params = []

        def p(i, default=1):
            v = params[i] if i < len(params) else None
            return default if v is None or (v == 0 and default == 1) else v

        if private == "?":
            if final in "hl":
                for m in params:
                    self.modes[m] = final == "h"
            return
        if private:
            return
        self.wrap_pending = False
        if final in "Hf":
            self.y = min(self.rows - 1, p(0) - 1)
            self.x = min(self.cols - 1, p(1) - 1)
        elif final == "A":
            self.y = max(0, self.y - p(0))
        elif final == "B":
            self.y = min(self.rows - 1, self.y + p(0))
        elif final == "C":
            self.x = min(self.cols - 1, self.x + p(0))
        elif final == "D":
            self.x = max(0, self.x - p(0))
        elif final in "G`":
            self.x = min(self.cols - 1, p(0) - 1)
        elif final == "d":
            self.y = min(self.rows - 1, p(0) - 1)
        elif final == "J":
            mode = p(0, 0)
            if mode == 0:
                self._erase(self.y, self.x, self.cols)
                for yy in range(self.y + 1, self.rows):
                    self.cells[yy] = self._blank_line()
            elif mode == 1:
                for yy in range(0, self.y):
                    self.cells[yy] = self._blank_line()
                self._erase(self.y, 0, self.x + 1)
            else:
                for yy in range(self.rows):
                    self.cells[yy] = self._blank_line()
        elif final == "K":
            mode = p(0, 0)
            if mode == 0:
                self._erase(self.y, self.x, self.cols)
            elif mode == 1:
                self._erase(self.y, 0, self.x + 1)
            else:
                self._erase(self.y, 0, self.cols)
        elif final == "X":
            self._erase(self.y, self.x, min(self.cols, self.x + p(0)))
        elif final == "@":
            row = self.cells[self.y]
            for _ in range(min(p(0), self.cols - self.x)):
                row.insert(self.x, (" ", self.attr_bg()))
                row.pop()
        elif final == "P":
            row = self.cells[self.y]
            for _ in range(min(p(0), self.cols - self.x)):
                row.pop(self.x)
                row.append((" ", self.attr_bg()))
        elif final == "L":
            if self.top <= self.y <= self.bottom:
                self._scroll_down(p(0), top=self.y)
        elif final == "M":
            if self.top <= self.y <= self.bottom:
                self._scroll_up(p(0), top=self.y)
        elif final == "S":
            self._scroll_up(p(0))
        elif final == "T":
            self._scroll_down(p(0))
        elif final == "r":
            top = p(0) - 1
            bottom = (params[1] if len(params) > 1 and params[1] else self.rows) - 1
            if 0 <= top < bottom < self.rows:
                self.top, self.bottom = top, bottom
            self.x = self.y = 0
        elif final == "b":
            for _ in range(p(0)):
                self._print(self.last_char)
        elif final == "m":
            self._sgr(params or [0])
        elif final == "s":
            self.saved = (self.x, self.y, self.attr)
        elif final == "u":
            self.x, self.y, self.attr = self.saved

    def _erase(self, y, x0, x1):
        for xx in range(x0, x1):
            self.cells[y][xx] = (" ", self.attr_bg())

    def _sgr(self, params):
        fg, bg, bold, rev = self.attr
        i = 0
        while i < len(params):
            v = params[i] or 0
            if v == 0:
                fg, bg, bold, rev = DEFAULT_ATTR
            elif v == 1:
                bold = True
            elif v == 22:
                bold = False
            elif v == 7:
                rev = True
            elif v == 27:
                rev = False
            elif 30 <= v <= 37:
                fg = v - 30
            elif 90 <= v <= 97:
                fg = v - 90 + 8
            elif v == 39:
                fg = None
            elif 40 <= v <= 47:
                bg = v - 40
            elif 100 <= v <= 107:
                bg = v - 100 + 8
            elif v == 49:
                bg = None
            elif v in (38, 48) and i + 2 < len(params) and params[i + 1] == 5:
                if v == 38:
                    fg = params[i + 2]
                else:
                    bg = params[i + 2]
                i += 2
            i += 1
        self.attr = (fg, bg, bold, rev)
