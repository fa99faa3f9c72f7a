# vt.py — a minimal xterm screen model, enough to read what ncurses drew.
#
# Screen(rows, cols).feed(bytes) interprets the output of a curses program
# running with TERM=xterm: printable UTF-8 text, CR/LF/BS/TAB, cursor
# motion (CUP, VPA, HPA, CUU/CUD/CUF/CUB), erase (EL, ED, ECH), insert and
# delete (ICH, DCH, IL, DL), REP, scroll regions and scrolling (DECSTBM,
# IND, RI, SU, SD), save/restore cursor. Attributes, modes and charset
# selections are ignored. Unknown sequences are skipped, never fatal.
# text() returns the screen as lines; raw_controls counts C0 bytes that
# were not part of a known control (they would be garbage on a terminal).
import re

_CSI = re.compile(rb"\x1b\[([?>=!]?)([0-9;]*)([ -/]*)([@-~])")


class Screen:
    def __init__(self, rows, cols):
        self.rows, self.cols = rows, cols
        self.grid = [[" "] * cols for _ in range(rows)]
        self.y = self.x = 0
        self.top, self.bottom = 0, rows - 1
        self.saved = (0, 0)
        self.last = " "
        self.raw_controls = 0
        self._pending = b""

    # ------------------------------------------------------------ helpers
    def _clamp(self):
        self.y = max(0, min(self.y, self.rows - 1))
        self.x = max(0, min(self.x, self.cols - 1))

    def _scroll_up(self, n=1):
        for _ in range(n):
            del self.grid[self.top]
            self.grid.insert(self.bottom, [" "] * self.cols)

    def _scroll_down(self, n=1):
        for _ in range(n):
            del self.grid[self.bottom]
            self.grid.insert(self.top, [" "] * self.cols)

    def _put(self, ch):
        if self.x >= self.cols:  # pending wrap
            self.x = 0
            self._linefeed()
        self.grid[self.y][self.x] = ch
        self.last = ch
        self.x += 1

    def _linefeed(self):
        if self.y == self.bottom:
            self._scroll_up()
        else:
            self.y = min(self.y + 1, self.rows - 1)

    # ------------------------------------------------------------- input
    def feed(self, data):
        data = self._pending + data
        self._pending = b""
        i, n = 0, len(data)
        while i < n:
            b = data[i]
            if b == 0x1B:
                if i + 1 >= n:
                    self._pending = data[i:]
                    return
                nxt = data[i + 1]
                if nxt == ord("["):
                    m = _CSI.match(data, i)
                    if not m:
                        if len(data) - i < 32:
                            self._pending = data[i:]
                            return
                        i += 2
                        continue
                    self._csi(m.group(1), m.group(2), m.group(4))
                    i = m.end()
                    continue
                if nxt in b"()*+":
                    i += 3
                    continue
                if nxt == ord("7"):
                    self.saved = (self.y, self.x)
                elif nxt == ord("8"):
                    self.y, self.x = self.saved
                elif nxt == ord("M"):
                    if self.y == self.top:
                        self._scroll_down()
                    else:
                        self.y = max(0, self.y - 1)
                elif nxt == ord("D"):
                    self._linefeed()
                elif nxt == ord("E"):
                    self.x = 0
                    self._linefeed()
                elif nxt == ord("]"):  # OSC ... BEL or ST
                    end = data.find(b"\x07", i)
                    st = data.find(b"\x1b\\", i)
                    ends = [e for e in (end, st) if e >= 0]
                    if not ends:
                        self._pending = data[i:]
                        return
                    e = min(ends)
                    i = e + (1 if e == end else 2)
                    continue
                i += 2
                continue
            if b < 0x20 or b == 0x7F:
                if b == 0x0D:
                    self.x = 0
                elif b == 0x0A:
                    self._linefeed()
                elif b == 0x08:
                    self.x = max(0, self.x - 1)
                elif b == 0x09:
                    self.x = min(self.cols - 1, (self.x // 8 + 1) * 8)
                elif b in (0x07, 0x0E, 0x0F, 0x00):
                    pass
                else:
                    self.raw_controls += 1
                i += 1
                continue
            # one UTF-8 character
            length = 1 if b < 0x80 else 2 if b >> 5 == 6 else 3 if b >> 4 == 14 else 4 if b >> 3 == 30 else 1
            if i + length > n:
                self._pending = data[i:]
                return
            self._put(data[i:i + length].decode("utf-8", "replace"))
            i += length

    def _csi(self, private, params, final):
        if private:
            return  # modes (?1049h, ?25l, ...): no effect on the text
        args = [int(p) if p else 0 for p in params.split(b";")] if params else []

        def a(k=0, default=1):
            v = args[k] if k < len(args) else 0
            return v if v else default
        f = chr(final[0])
        if f in "Hf":
            self.y, self.x = a(0) - 1, a(1) - 1
        elif f == "d":
            self.y = a(0) - 1
        elif f in "G`":
            self.x = a(0) - 1
        elif f == "A":
            self.y -= a(0)
        elif f == "B":
            self.y += a(0)
        elif f == "C":
            self.x += a(0)
        elif f == "D":
            self.x -= a(0)
        elif f == "K":
            mode = args[0] if args else 0
            row = self.grid[self.y]
            lo, hi = {0: (self.x, self.cols), 1: (0, self.x + 1), 2: (0, self.cols)}.get(mode, (0, 0))
            for k in range(max(0, lo), min(hi, self.cols)):
                row[k] = " "
        elif f == "J":
            mode = args[0] if args else 0
            if mode == 0:
                self._csi(b"", b"0", b"K")
                rng = range(self.y + 1, self.rows)
            elif mode == 1:
                self._csi(b"", b"1", b"K")
                rng = range(0, self.y)
            else:
                rng = range(self.rows)
            for r in rng:
                self.grid[r] = [" "] * self.cols
        elif f == "X":
            for k in range(self.x, min(self.cols, self.x + a(0))):
                self.grid[self.y][k] = " "
        elif f == "@":
            row = self.grid[self.y]
            for _ in range(a(0)):
                row.insert(self.x, " ")
                row.pop()
        elif f == "P":
            row = self.grid[self.y]
            for _ in range(a(0)):
                if self.x < len(row):
                    row.pop(self.x)
                    row.append(" ")
        elif f in "LM":
            if self.top <= self.y <= self.bottom:
                saved = self.top
                self.top = self.y
                (self._scroll_down if f == "L" else self._scroll_up)(a(0))
                self.top = saved
        elif f == "S":
            self._scroll_up(a(0))
        elif f == "T":
            self._scroll_down(a(0))
        elif f == "b":
            for _ in range(a(0)):
                self._put(self.last)
            return
        elif f == "r":
            self.top = a(0) - 1
            self.bottom = (args[1] if len(args) > 1 and args[1] else self.rows) - 1
            self.y = self.x = 0
        self._clamp() if f not in "m" else None

    # ------------------------------------------------------------ output
    def text(self):
        return ["".join(r).rstrip() for r in self.grid]

    def contains(self, s):
        return any(s in line for line in self.text())
