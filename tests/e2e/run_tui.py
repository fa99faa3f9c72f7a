#!/usr/bin/env python3
"""run_tui.py — end-to-end test of uwsgitop's interactive screen.

Runs the real binary in a pseudo-terminal (120x40) and reads its screen back
through a small terminal model (vtscreen.py):

  * against a fake stats server (this file) serving fixture captures, then
    stalling, closing early and sending garbage, and recovering; keys: sort,
    a (core modes), Enter/Esc (details), / (filter), ? (help), Tab, q;
  * a fleet of two fake servers and a dead address: states, sort keys,
    filter, Enter/Esc into one instance's screen and the fleet q (its
    breadcrumb, q back to the fleet with the selection kept, Ctrl-C quits
    from inside), Space (pause: no reads), + and -, the help scrolling on
    80x15, q while a target stalls, and the signals;
  * a fake Emperor whose vassal files name two fake servers, with
    --follow-vassals: the vassals under it, c collapses and expands, Enter on
    a vassal and q back;
  * signals (SIGTERM, SIGHUP, Ctrl-C), resize down to 20x5, TERM=vt100 and
    NO_COLOR, TERM unset/unknown (a clear error before anything is drawn);
  * against a real uWSGI (Debian's uwsgi + python3 plugin) under a bounded
    load, when it is installed;
  * settings and the mouse: a config.toml with columns and sort drives
    --once --format tsv and the screen; s saves the view and a restart shows
    it (config.toml byte-identical); SGR 1006 mouse reports (ESC [ < b;x;y M,
    release m) sort by the clicked header, select the clicked row, open the
    details on a double click, and the wheel (64/65) scrolls; --no-mouse asks
    the terminal for no mouse reports;
  * escape sequences terminfo does not name (TERM=xterm-256color, as tmux
    sends them): ESC [ 1 ~ / 7 ~ are Home, ESC [ 4 ~ / 8 ~ End, ESC [ 99 z and
    an SGR mouse report with the mouse off do nothing and say nothing;
  * themes: the selection and header colours the terminal receives under
    each --theme, NO_COLOR (reverse video, no colour), a [colors] table on a
    256- and an 8-colour terminal, and an unknown theme or role (exit 2).

After every run it checks the exit status and that the terminal modes
(ICANON, ECHO, ISIG, ICRNL, OPOST) are what they were before.
Every process started here is stopped by its own pid. Loopback only.
Python 3 standard library only.
"""

import argparse
import fcntl
import json
import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vtscreen import Screen  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import free_port  # noqa: E402  (ports below the ephemeral range)

FAILURES = []
ISOLATED_HOME = tempfile.mkdtemp(prefix="uwsgitop-e2e-home-")
# Every uwsgitop started here (also by subprocess.run) gets empty settings dirs.
os.environ["XDG_CONFIG_HOME"] = os.environ["XDG_STATE_HOME"] = ISOLATED_HOME


def check(cond, what):
    if cond:
        print("  ok   " + what)
    else:
        print("  FAIL " + what)
        FAILURES.append(what)
    return cond


# --- fake stats server --------------------------------------------------------------

class FakeStats:
    """A uWSGI-like stats socket: writes one document per connection and
    closes. `mode` switches behaviour: ok, stall, close, garbage."""

    def __init__(self, files):
        self.docs = [open(f, "rb").read() for f in files]
        self.n = 0
        self.mode = "ok"
        self.stalled = threading.Event()
        self.release = threading.Event()
        self.connections = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.address = "127.0.0.1:%d" % self.sock.getsockname()[1]
        self.stop = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.connections += 1
            try:
                self.handle(conn)
            except OSError:
                pass
            finally:
                conn.close()

    def handle(self, conn):
        mode = self.mode
        if mode == "ok":
            conn.sendall(self.docs[self.n % len(self.docs)])
            self.n += 1
        elif mode == "stall":
            self.stalled.set()
            self.release.wait(30)   # bounded: never holds a reader forever
        elif mode == "garbage":
            conn.sendall(b"<html>\x1b[2J\x1b]0;owned\x07 not json")
        # "close": nothing at all

    def set_mode(self, mode):
        self.mode = mode
        if mode != "stall":
            self.release.set()
        else:
            self.release.clear()
            self.stalled.clear()

    def close(self):
        self.stop = True
        self.release.set()
        self.sock.close()
        self.thread.join(5)


# --- the binary in a pty ------------------------------------------------------------------

def set_winsize(fd, cols, rows):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class Tui:
    def __init__(self, binary, args, cols=120, rows=40, env=None):
        self.master, self.slave = os.openpty()
        set_winsize(self.slave, cols, rows)
        self.before = termios.tcgetattr(self.slave)
        self.screen = Screen(cols, rows)
        self.lock = threading.Lock()
        e = dict(os.environ)
        e.update({"TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"})
        e.pop("NO_COLOR", None)
        # The user's own settings files must not change what a test sees.
        e["XDG_CONFIG_HOME"] = e["XDG_STATE_HOME"] = ISOLATED_HOME
        for k, v in (env or {}).items():
            if v is None:
                e.pop(k, None)
            else:
                e[k] = v
        slave = self.slave

        def child_setup():
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen([binary] + args, stdin=slave, stdout=slave, stderr=subprocess.PIPE,
                                     preexec_fn=child_setup, env=e, close_fds=True)
        self.stderr = b""
        self.reader = threading.Thread(target=self.read_loop, daemon=True)
        self.reader.start()

    def read_loop(self):
        while True:
            try:
                r, _, _ = select.select([self.master], [], [], 0.1)
            except (OSError, ValueError):
                return
            if not r:
                if self.proc.poll() is not None:
                    # Drain what is left, then stop.
                    try:
                        while select.select([self.master], [], [], 0.05)[0]:
                            data = os.read(self.master, 65536)
                            if not data:
                                break
                            with self.lock:
                                self.screen.feed(data)
                    except OSError:
                        pass
                    return
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            with self.lock:
                self.screen.feed(data)

    def send(self, keys):
        os.write(self.master, keys.encode() if isinstance(keys, str) else keys)

    def text(self):
        with self.lock:
            return self.screen.text()

    def lines(self):
        with self.lock:
            return self.screen.lines()

    def wait_for(self, what, timeout=10.0):
        """Waits until `what` (a string or a predicate on the text) holds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            t = self.text()
            if (what in t) if isinstance(what, str) else what(t):
                return True
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        return False

    def resize(self, cols, rows):
        # The model first: the kernel signals the program as soon as the pty
        # size changes, and the repaint it then sends must not land in the
        # model before the model has the new size (resize blanks it).
        with self.lock:
            self.screen.resize(cols, rows)
            set_winsize(self.slave, cols, rows)
        self.proc.send_signal(signal.SIGWINCH)

    def finish(self, timeout=10.0):
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait(5)
            check(False, "process exited by itself (had to be killed)")
        self.reader.join(2)
        self.stderr = self.proc.stderr.read() if self.proc.stderr else b""
        after = termios.tcgetattr(self.slave)
        os.close(self.master)
        os.close(self.slave)
        return code, after

    def terminal_restored(self, after):
        iflag, oflag, _, lflag = 0, 1, 2, 3
        same = ((after[lflag] & (termios.ICANON | termios.ECHO | termios.ISIG)) ==
                (self.before[lflag] & (termios.ICANON | termios.ECHO | termios.ISIG)) and
                (after[iflag] & termios.ICRNL) == (self.before[iflag] & termios.ICRNL) and
                (after[oflag] & termios.OPOST) == (self.before[oflag] & termios.OPOST))
        return same


def uses_colour(raw):
    """True if any SGR sequence in `raw` sets a foreground/background colour."""
    import re
    for m in re.finditer(rb"\x1b\[([0-9;]*)m", bytes(raw)):
        for p in m.group(1).split(b";"):
            if p and (30 <= int(p) <= 49 or 90 <= int(p) <= 107):
                return True
    return False


def status_line(tui):
    lines = tui.lines()
    return lines[-1] if lines else ""


# --- scenarios -------------------------------------------------------------------------------

def visible_cells(row):
    """A row as the eye sees it: a space shows only its background (its
    foreground colour and boldness are invisible unless it is reversed)."""
    out = []
    for ch, (fg, bg, bold, rev) in row:
        if ch.strip() or rev:
            out.append((ch, (fg, bg, bold, rev)))
        else:
            out.append((ch, (None, bg, False, False)))
    return out


def check_incremental_equals_full(tui, when):
    """The screen built by change-only draws looks the same as a full repaint
    (Ctrl-L): text and visible attributes of every row but the first (it
    holds the clock). Call with the data paused."""
    with tui.lock:
        before = [visible_cells(row) for row in tui.screen.cells[1:]]
    tui.send("\x0c")
    time.sleep(1.0)
    with tui.lock:
        after = [visible_cells(row) for row in tui.screen.cells[1:]]
    diff = [y + 1 for y, (a, b) in enumerate(zip(before, after)) if a != b]
    for y in diff[:2]:
        print("    row %d, cells differing (x, incremental, full): %r" %
              (y, [(x, a, b) for x, (a, b) in enumerate(zip(before[y - 1], after[y - 1])) if a != b][:4]))
    check(not diff, "incremental draw looks like a full repaint, %s (rows differing: %s)" % (when, diff[:8]))


def scenario_fake_server(binary, fixtures):
    print("fake server: screen, keys, misbehaviour, recovery")
    files = [os.path.join(fixtures, "prefork-%d.json" % i) for i in (1, 2, 3)]
    srv = FakeStats(files)
    tui = Tui(binary, [srv.address, "--frequency", "0.5", "--timeout", "20"])
    try:
        check(tui.wait_for("WID"), "the worker table appears")
        check(tui.wait_for("uwsgi 2.0.21"), "the summary line shows the version")
        check(tui.wait_for(lambda t: "13006" in t and "busy" in t), "worker pids and statuses are shown")
        check(tui.wait_for(lambda t: "RPS:" in t and "RPS: -" not in t, 10), "total RPS once two snapshots came")
        check(tui.screen.modes.get(1049) is True, "the alternate screen is used")
        check(uses_colour(tui.screen.raw), "colours are used on xterm-256color")
        with tui.lock:
            greens = [y for y, line in enumerate(tui.screen.lines())
                      if " busy " in line and "WID" not in line and
                      tui.screen.attr_at(line.index(" busy ") + 1, y)[0] == 2]
        check(len(greens) >= 1, "busy rows are green (%d)" % len(greens))
        tui.send("S")
        check(tui.wait_for("RPS\u2193"), "S sorts by RPS (descending marker in the header)")
        tui.send("S")
        check(tui.wait_for("RPS\u2191"), "S again flips the direction")
        tui.send("a")
        check(tui.wait_for("1:cores"), "a: cores as WID:CID")
        check(tui.wait_for(lambda t: any(f"{w}:1" in t for w in range(1, 5))), "core rows are WID:CID")
        tui.send("a")
        check(tui.wait_for("1:workers+cores"), "a again: cores under their worker")
        tui.send("a")
        check(tui.wait_for(" 1:workers "), "a a third time: workers")

        tui.send("\r")
        check(tui.wait_for("Requests in flight"), "Enter opens the worker's details with requests in flight")
        check(tui.wait_for("REQUEST_URI=/slow"), "the vars of a request in flight are shown")
        tui.send("\x1b")
        check(tui.wait_for(lambda t: "Requests in flight" not in t and "WID" in t), "Esc goes back to the table")

        tui.send("/13007\r")
        check(tui.wait_for('filter "13007" 1/4'), "/ filters by pid (1 of 4 rows)")
        tui.send("\x1b")
        check(tui.wait_for(lambda t: 'filter "' not in t and "13009" in t), "Esc clears the filter")

        tui.send("?")
        check(tui.wait_for("uwsgitop keys"), "? opens the help")
        tui.send("\x1b")
        tui.send("\t")
        check(tui.wait_for("SOCKET"), "Tab switches to the sockets pane")
        tui.send("1")
        check(tui.wait_for("WID"), "1 goes back to the workers")

        # A server that never answers: the screen keeps answering keys.
        srv.set_mode("stall")
        check(srv.stalled.wait(10), "the next read is stalled by the server")
        tui.send("?")
        check(tui.wait_for("uwsgitop keys", 8), "keys answer while a read is stalled")
        tui.send("\x1b")
        check(tui.wait_for("WID", 8), "and again")
        srv.set_mode("close")  # releases the stalled reader; then empty replies
        check(tui.wait_for(lambda t: "stale" in t.splitlines()[-1] and "retrying" in t, 15),
              "an empty reply: stale status line, retrying")
        check("13006" in tui.text(), "the last good snapshot stays on screen")
        srv.set_mode("garbage")
        check(tui.wait_for(lambda t: "invalid stats JSON" in t or "not JSON" in t or "invalid" in t, 15),
              "garbage: the parse error is in the status line")
        check("\x1b" not in tui.text(), "no raw escape from the server reached the screen")
        check(tui.screen.modes.get(1049) is True, "garbage did not switch the screen")
        srv.set_mode("ok")
        check(tui.wait_for(lambda t: status_line(tui).startswith("every"), 15), "recovers by itself")

        tui.send(" ")
        check(tui.wait_for("PAUSED"), "Space pauses (and says fetching stopped)")
        n = srv.connections
        time.sleep(1.5)
        check(srv.connections <= n + 1, "paused: no more reads")
        check_incremental_equals_full(tui, "after many refreshes drawn as changes only")
        tui.send(" ")
        check(tui.wait_for(lambda t: "PAUSED" not in t), "Space resumes")

        tui.resize(60, 15)
        check(tui.wait_for(lambda t: "WID" in t and "LastSpwn" not in t), "resize to 60x15 redraws at once")
        check(all(len(l) <= 60 for l in tui.lines()), "no line wider than the terminal")
        tui.resize(20, 5)
        check(tui.wait_for(lambda t: "WID" in t), "20x5 still shows the table header")
        tui.resize(120, 40)
        check(tui.wait_for("LastSpwn"), "back to 120x40")

        tui.send("q")
        code, after = tui.finish()
        check(code == 0, "q exits 0 (got %r)" % code)
        check(tui.terminal_restored(after), "terminal modes restored after q")
        check(tui.screen.modes.get(1049) is False, "left the alternate screen")
        check(tui.screen.modes.get(25) is not False, "cursor visible again")
    finally:
        if tui.proc.poll() is None:
            tui.proc.kill()
            tui.proc.wait(5)
        srv.close()


def data_rows(tui):
    """The fleet table's rows (the lines under the NAME header)."""
    lines = tui.lines()
    for i, l in enumerate(lines):
        if l.startswith("NAME"):
            return [x for x in lines[i + 1:-1] if x.strip()]
    return []


def poll_rounds(tui):
    """The fleet summary's "poll rounds N", or None."""
    import re
    m = re.search(r"poll rounds (\d+)", tui.text())
    return int(m.group(1)) if m else None


def scenario_fleet(binary, fixtures):
    print("fleet: two fake servers and a dead address; sort, filter, drill down, stall")
    web = FakeStats([os.path.join(fixtures, "prefork-%d.json" % i) for i in (1, 2)])
    api = FakeStats([os.path.join(fixtures, "metrics-1.json")])
    dead = os.path.join(tempfile.mkdtemp(prefix="uwsgitop-e2e-"), "nobody.sock")
    tui = Tui(binary, ["web=" + web.address, "api=" + api.address, dead, "--frequency", "0.5", "--timeout", "25"])
    try:
        check(tui.wait_for("uwsgitop fleet - 3 instances"), "the fleet summary appears")
        check(tui.wait_for("2 ok, 0 stale, 1 error"), "states are counted (2 ok, 1 error)")
        rows = data_rows(tui)
        check(len(rows) == 3 and rows[0].startswith("web") and rows[1].startswith("api"),
              "one row per target, in the targets' order: %r" % rows)
        check(any("error:" in r for r in rows), "the dead address shows its error")
        tui.send("R")  # requests, descending: web (506) before api (350)
        check(tui.wait_for(lambda t: data_rows(tui)[:1] and data_rows(tui)[0].startswith("web")), "R sorts by requests")
        tui.send("R")
        check(tui.wait_for(lambda t: data_rows(tui)[:1] and data_rows(tui)[0].startswith("api")), "R again inverts")
        tui.send("/api\r")
        check(tui.wait_for(lambda t: len(data_rows(tui)) == 1), "the filter keeps one row")
        tui.send("\x1b")
        check(tui.wait_for(lambda t: len(data_rows(tui)) == 3), "Esc clears the filter")
        tui.send("g\r")  # first row (api, sorted ascending by requests), open it
        check(tui.wait_for("1:workers") and tui.wait_for("WID"), "Enter opens the instance's worker screen")
        check(tui.wait_for("uwsgi 2.0.21"), "the drill-down shows the instance's summary")
        check(tui.wait_for(lambda t: tui.lines()[0].startswith("fleet \u203a api - uwsgi")),
              "the header's breadcrumb says where it is: %r" % tui.lines()[0])
        check("q fleet" in status_line(tui), "the status line's hint says q goes to the fleet")
        tui.send("\x1b")
        check(tui.wait_for("uwsgitop fleet - 3 instances"), "Esc comes back to the fleet")
        # The fleet q: inside an instance q goes back (the help first), it never quits.
        tui.send("\r")
        check(tui.wait_for(lambda t: tui.lines()[0].startswith("fleet \u203a api")), "Enter opens api again")
        tui.send("?")
        check(tui.wait_for("back to the fleet (Ctrl-C quits)"), "the help lists q as back to the fleet")
        tui.send("q")
        check(tui.wait_for(lambda t: "WID" in t and "uwsgitop keys" not in t), "q closes the help first")
        tui.send("q")
        check(tui.wait_for("uwsgitop fleet - 3 instances"), "q comes back to the fleet")
        check(tui.proc.poll() is None, "q inside an instance did not quit the program")
        check(tui.wait_for(lambda t: data_rows(tui)[:1] and data_rows(tui)[0].startswith("api")
                           and re.search(r"(^|\s)1/3(\s|$)", status_line(tui))),
              "the fleet's sort and selection are as they were: %r" % status_line(tui))
        check("RPS\u2193" in tui.text() or "REQ\u2191" in tui.text(), "the sorted column's header has its arrow")
        check(tui.wait_for(lambda t: "RPS~" in t), "sparkline columns are shown")

        # Space: no more polls (the servers get no reads, the rounds stop), again resumes.
        tui.send(" ")
        check(tui.wait_for(lambda t: status_line(tui).startswith("PAUSED")), "Space pauses: PAUSED in the status line")
        n_web, n_api, n_rounds = web.connections, api.connections, poll_rounds(tui)
        time.sleep(1.5)   # three rounds at 0.5 s when not paused
        check(web.connections <= n_web + 1 and api.connections <= n_api + 1,
              "paused: no more reads of the servers (%d->%d, %d->%d)" % (n_web, web.connections, n_api, api.connections))
        check(poll_rounds(tui) == n_rounds, "paused: the poll rounds shown stay at %r" % n_rounds)
        tui.send(" ")
        check(tui.wait_for(lambda t: "PAUSED" not in status_line(tui)), "Space again resumes")
        n_web = web.connections
        check(tui.wait_for(lambda t: web.connections >= n_web + 2 and poll_rounds(tui) > n_rounds),
              "resumed: the servers are read again and rounds go on")

        # + and -: the interval steps, shown in the summary.
        check("interval 0.5s" in tui.text(), "the summary shows the interval (0.5 s)")
        tui.send("+")
        check(tui.wait_for("interval 1.0s"), "+ makes the interval longer (1 s)")
        tui.send("-")
        check(tui.wait_for("interval 0.5s"), "- makes it shorter again")

        # The help scrolls on a small terminal.
        tui.resize(80, 15)
        check(tui.wait_for(lambda t: "NAME" in t and all(len(l) <= 80 for l in tui.lines())), "resize to 80x15")
        tui.send("?")
        check(tui.wait_for("uwsgitop fleet keys"), "? opens the fleet help")
        last = "RPS~ and BUSY~"
        check(last not in tui.text(), "the help is taller than 15 rows: its end is not shown yet")
        check("Space" in tui.text() and "pause" in tui.text(), "the help lists Space (pause)")
        tui.send("\x1b[6~")  # PgDn
        check(tui.wait_for(lambda t: "uwsgitop fleet keys" not in t), "PgDn scrolls the help")
        for _ in range(6):
            tui.send("\x1b[6~")
        check(tui.wait_for(last), "PgDn again reaches the end of the help")
        check("scroll" in status_line(tui), "the status line says how to scroll")
        for _ in range(60):
            tui.send("\x1bOA")  # Up
        check(tui.wait_for(lambda t: "uwsgitop fleet keys" in t and last not in t), "Up scrolls back to the top")
        tui.send("\x1b")
        check(tui.wait_for(lambda t: "NAME" in t and "uwsgitop fleet keys" not in t), "Esc closes the help")
        tui.resize(120, 40)
        check(tui.wait_for(lambda t: "RPS~" in t), "back to 120x40")

        api.set_mode("stall")
        check(api.stalled.wait(10), "one instance stalls")
        tui.send("j")
        time.sleep(0.3)
        t0 = time.monotonic()
        tui.send("q")
        code, after = tui.finish(10)
        check(code == 0, "q exits 0 while a target hangs (got %r)" % code)
        check(time.monotonic() - t0 < 8, "without waiting for the stalled read's 25 s timeout")
        check(tui.terminal_restored(after), "terminal modes restored")

        # Signals, as on the single screen: 128 + N, the terminal restored.
        api.set_mode("ok")
        check_stop_signals(binary, ["web=" + web.address, "api=" + api.address], "2 ok, 0 stale, 0 error", "fleet ")
        # Ctrl-C quits from inside an instance too.
        tui = Tui(binary, ["web=" + web.address, "api=" + api.address])
        check(tui.wait_for("2 ok, 0 stale, 0 error"), "fleet up again")
        tui.send("\r")
        check(tui.wait_for(lambda t: tui.lines()[0].startswith("fleet \u203a web")), "Enter opens web")
        tui.send("\x03")
        code, after = tui.finish()
        check(code == 128 + 2, "Ctrl-C inside an instance quits: exit status 130 (got %r)" % code)
        check(tui.terminal_restored(after), "Ctrl-C inside an instance: terminal modes restored")
    finally:
        if tui.proc.poll() is None:
            tui.proc.kill()
            tui.proc.wait(5)
        web.close()
        api.close()


def scenario_vassals(binary, fixtures):
    print("fleet: an Emperor's vassals under it (--follow-vassals); c collapses; q back from a vassal")
    vdir = tempfile.mkdtemp(prefix="uwsgitop-e2e-vassals-")
    web = FakeStats([os.path.join(fixtures, "prefork-1.json")])
    api = FakeStats([os.path.join(fixtures, "metrics-1.json")])
    for vid, srv in (("app1.ini", web), ("app2.ini", api)):
        with open(os.path.join(vdir, vid), "w") as f:
            f.write("[uwsgi]\nstats = %s\n" % srv.address)
    doc = json.load(open(os.path.join(fixtures, "emperor.json")))
    doc["emperor"] = [vdir]
    vassal = doc["vassals"][0]
    doc["vassals"] = [dict(vassal, id=vid, monitor=vdir) for vid in ("app1.ini", "app2.ini")]
    emperor_json = os.path.join(vdir, "emperor.json.doc")
    with open(emperor_json, "w") as f:
        json.dump(doc, f)
    emperor = FakeStats([emperor_json])
    tui = Tui(binary, ["emp=" + emperor.address, "--follow-vassals", "--frequency", "0.5"])
    try:
        check(tui.wait_for("3 ok, 0 stale, 0 error"), "the Emperor and its two vassals are polled")
        want = ["emp", "\u251c\u2500 app1.ini", "\u2514\u2500 app2.ini"]
        def names():
            return [" ".join(r.split()[:2]) if r.split()[0] in ("\u251c\u2500", "\u2514\u2500") else r.split()[0]
                    for r in data_rows(tui)]
        check(tui.wait_for(lambda t: names() == want),
              "the vassals are shown under their Emperor: %r" % names())
        tui.send("c")
        check(tui.wait_for(lambda t: len(data_rows(tui)) == 1 and data_rows(tui)[0].startswith("emp [+2]")),
              "c collapses the Emperor's group: %r" % data_rows(tui))
        tui.send("c")
        check(tui.wait_for(lambda t: len(data_rows(tui)) == 3), "c again expands it")
        tui.send("G\r")  # the last row: app2.ini
        check(tui.wait_for(lambda t: tui.lines()[0].startswith("fleet \u203a app2.ini - uwsgi")),
              "Enter on a vassal opens it, the breadcrumb names it: %r" % tui.lines()[0])
        tui.send("q")
        check(tui.wait_for("uwsgitop fleet - 3 instances"), "q comes back to the fleet")
        check(tui.wait_for(lambda t: re.search(r"(^|\s)3/3(\s|$)", status_line(tui))),
              "the vassal is still selected: %r" % status_line(tui))
        tui.send("q")
        code, after = tui.finish(10)
        check(code == 0, "q on the fleet quits: exit 0 (got %r)" % code)
    finally:
        if tui.proc.poll() is None:
            tui.proc.kill()
            tui.proc.wait(5)
        for srv in (emperor, web, api):
            srv.close()
        shutil.rmtree(vdir, ignore_errors=True)


def check_stop_signals(binary, args, screen_up, prefix=""):
    """SIGTERM, SIGHUP and Ctrl-C end the screen started with `args` (up once
    `screen_up` shows) with 128 + N and the terminal restored."""
    for name, how, want in (("SIGTERM", signal.SIGTERM, 128 + 15), ("SIGHUP", signal.SIGHUP, 128 + 1),
                            ("Ctrl-C", None, 128 + 2)):
        label = prefix + name
        tui = Tui(binary, args)
        try:
            check(tui.wait_for(screen_up), label + ": screen up")
            if how is None:
                tui.send("\x03")
            else:
                tui.proc.send_signal(how)
            code, after = tui.finish()
            check(code == want, "%s: exit status %d (got %r)" % (label, want, code))
            check(tui.terminal_restored(after), label + ": terminal modes restored")
            check(tui.screen.modes.get(1049) is False, label + ": left the alternate screen")
        finally:
            if tui.proc.poll() is None:
                tui.proc.kill()
                tui.proc.wait(5)


def scenario_signals(binary, fixtures):
    print("signals restore the terminal")
    srv = FakeStats([os.path.join(fixtures, "prefork-1.json")])
    try:
        check_stop_signals(binary, [srv.address], "WID")

        print("a server that never answers does not delay q")
        srv.set_mode("stall")
        tui = Tui(binary, [srv.address, "--timeout", "25"])
        check(srv.stalled.wait(10), "first read stalled")
        check(tui.wait_for("connecting to"), "status says it is connecting")
        t0 = time.monotonic()
        tui.send("q")
        code, after = tui.finish(10)
        check(code == 0, "q exits 0 during a stalled read (got %r)" % code)
        check(time.monotonic() - t0 < 8, "without waiting for the read's 25 s timeout")
        check(tui.terminal_restored(after), "terminal modes restored")
        srv.set_mode("ok")
    finally:
        srv.close()


def scenario_terminals(binary, fixtures):
    print("terminal types")
    path = "file:" + os.path.join(fixtures, "prefork-1.json")
    # TERM=linux: ncurses dlopen()s libgpm for the console mouse; libgpm's Gpm_Open
    # leaks the tty name (10 bytes) and ncurses dlclose()s it, so LeakSanitizer in
    # the ASan run reports a leak in an unnamed module that no suppression can
    # match. An empty NCURSES_GPM_TERMS turns ncurses's GPM use off; the terminal
    # handling under test is the same.
    for term, env in (("vt100", {"NO_COLOR": "1"}), ("linux", {"NCURSES_GPM_TERMS": ""}),
                      ("screen", {}), ("vt102", {})):
        e = {"TERM": term}
        e.update(env)
        tui = Tui(binary, [path], env=e)
        check(tui.wait_for("WID"), "TERM=%s: the table appears" % term)
        if term == "vt100":
            check(not uses_colour(tui.screen.raw), "NO_COLOR: no colour sequences")
        tui.send("a")
        check(tui.wait_for("1:cores"), "TERM=%s: keys work" % term)
        tui.send("q")
        code, after = tui.finish()
        check(code == 0, "TERM=%s: exits 0 (got %r, stderr %r)" % (term, code, tui.stderr[-300:]))
        check(tui.terminal_restored(after), "TERM=%s: terminal restored" % term)

    for term, expect in ((None, b"TERM is not set"), ("no-such-terminal-xyz", b"unknown terminal type"),
                         ("dumb", b"cannot move the cursor")):
        tui = Tui(binary, [path], env={"TERM": term})
        code, after = tui.finish()
        check(code == 1, "TERM=%s: exit status 1 (got %r)" % (term, code))
        check(expect in tui.stderr, "TERM=%s: clear message (%r)" % (term, tui.stderr[:120]))
        check(b"\x1b" not in bytes(tui.screen.raw), "TERM=%s: nothing drawn" % term)
        check(tui.terminal_restored(after), "TERM=%s: terminal untouched" % term)

    print("--no-color")
    tui = Tui(binary, [path, "--no-color"])
    check(tui.wait_for("WID"), "--no-color: the table appears")
    check(not uses_colour(tui.screen.raw), "--no-color: no colour sequences")
    tui.send("q")
    code, _ = tui.finish()
    check(code == 0, "--no-color: exits 0")


def scenario_themes(binary, fixtures):
    """The colours the terminal receives for a role differ by theme: the
    selected row and the header row as the terminal model saw them
    ((fg, bg, bold, reverse) of a cell with text; None = the terminal's own)."""
    print("themes")
    path = "file:" + os.path.join(fixtures, "prefork-1.json")
    home = tempfile.mkdtemp(prefix="uwsgitop-e2e-themes-")

    def looks(args, env=None):
        tui = Tui(binary, [path] + args, env=env)
        try:
            seen = tui.wait_for(lambda t: "WID" in t and "13009" in t)
            time.sleep(0.3)
            y, line = header_row(tui)
            x = line.find("WID") + 2   # "WID" and the worker ids end in this column
            with tui.lock:
                head = tui.screen.attr_at(x, y) if seen else None
                sel = tui.screen.attr_at(x, y + 1) if seen else None
                coloured = uses_colour(tui.screen.raw)
            tui.send("q")
        finally:
            code, _ = tui.finish()
        check(seen and code == 0, "%s: the table appears, q exits 0 (%r)" % (" ".join(args), code))
        return head, sel, coloured

    try:
        got = {}
        for theme in ("default", "light", "mono", "high-contrast", "colorblind"):
            got[theme] = looks(["--theme", theme])
        check(got["default"][1] == (0, 6, False, False), "default: selection black on cyan (%r)" % (got["default"][1],))
        check(got["light"][1] == (7, 4, True, False), "light: selection white on blue, bold (%r)" % (got["light"][1],))
        check(got["mono"][1] == (None, None, True, True), "mono: selection reversed and bold (%r)" % (got["mono"][1],))
        check(not got["mono"][2], "mono: no colour sequences at all")
        check(got["high-contrast"][0] == (0, 15, True, False),
              "high-contrast: header black on bright white, bold (%r)" % (got["high-contrast"][0],))
        check(got["colorblind"][1] == (7, 25, True, False),
              "colorblind: selection white on colour 25 (%r)" % (got["colorblind"][1],))
        sels = [got[t][1] for t in got]
        check(len(set(sels)) == len(sels), "every theme sends its own selection colours (%r)" % sels)

        _, sel, coloured = looks(["--theme", "light"], env={"NO_COLOR": "1"})
        check(sel == (None, None, True, True) and not coloured,
              "NO_COLOR: the selection is reversed, not only bold, and no colour is sent (%r)" % (sel,))

        config = os.path.join(home, "config.toml")
        with open(config, "w") as f:
            f.write('[colors]\nselection = "black on color208 bold"\nheader = "#ffffff on #008700"\n')
        head, sel, _ = looks(["--config", config])
        check(sel == (0, 208, True, False), "[colors]: selection black on 208 on a 256-colour terminal (%r)" % (sel,))
        check(head == (231, 28, False, False), "[colors]: #rrggbb becomes the nearest of 256 (%r)" % (head,))
        head, sel, _ = looks(["--config", config], env={"TERM": "xterm"})
        check(sel == (0, 3, True, False), "[colors]: 208 is yellow on an 8-colour terminal (%r)" % (sel,))
        check(head == (7, 2, False, False), "[colors]: 231 on 28 is white on green there (%r)" % (head,))

        for args, expect in ((["--theme", "solarized"], b"unknown theme \"solarized\" (valid: default light mono "
                                                         b"high-contrast colorblind)"),
                             (["--config", os.path.join(home, "bad.toml")], b"colors.bussy: unknown role (valid: ")):
            with open(os.path.join(home, "bad.toml"), "w") as f:
                f.write('[colors]\nbussy = "red"\n')
            tui = Tui(binary, [path] + args)
            code, after = tui.finish()
            check(code == 2, "%s: exit status 2 (got %r)" % (args[1], code))
            check(expect in tui.stderr, "%s: one line naming the valid ones (%r)" % (args[1], tui.stderr[:200]))
            check(b"\x1b" not in bytes(tui.screen.raw), "%s: nothing drawn" % args[1])
    finally:
        shutil.rmtree(home, ignore_errors=True)


def sgr(button, x, y, release=False):
    """An SGR 1006 mouse report for the 0-based cell (x, y)."""
    return "\x1b[<%d;%d;%d%s" % (button, x + 1, y + 1, "m" if release else "M")


def click(tui, x, y):
    tui.send(sgr(0, x, y) + sgr(0, x, y, release=True))


def header_row(tui):
    for y, line in enumerate(tui.lines()):
        if line.lstrip().startswith("WID"):
            return y, line
    return None, ""


def table_pids(tui):
    """The PID column of the worker table, top to bottom."""
    y, head = header_row(tui)
    if y is None:
        return []
    pids = []
    for line in tui.lines()[y + 1:-1]:
        f = line.split()
        if len(f) > 1 and f[1].isdigit():
            pids.append(int(f[1]))
    return pids


def scenario_settings_mouse(binary, fixtures):
    print("settings file, saved view, mouse")
    home = tempfile.mkdtemp(prefix="uwsgitop-e2e-settings-")
    path = "file:" + os.path.join(fixtures, "prefork-1.json")
    cfg_dir = os.path.join(home, "config", "uwsgitop")
    os.makedirs(cfg_dir)
    config = os.path.join(cfg_dir, "config.toml")
    hand = (b"# hand-written, with comments\n"
            b"columns = [\"id\", \"pid\", \"requests\", \"status\"]  # four\n"
            b"sort = \"-pid\"\n")
    with open(config, "wb") as f:
        f.write(hand)
    env = {"XDG_CONFIG_HOME": os.path.join(home, "config"), "XDG_STATE_HOME": os.path.join(home, "state")}
    e = dict(os.environ)
    e.update(env)
    try:
        out = subprocess.run([binary, "--once", "--format", "tsv", path], capture_output=True, env=e, timeout=20)
        lines = out.stdout.decode().splitlines()
        check(out.returncode == 0, "config: --once --format tsv exits 0 (%r)" % out.stderr[:200])
        check(bool(lines) and lines[0].split("\t") == ["id", "pid", "requests", "status"],
              "config: tsv has the columns of config.toml (%r)" % lines[:1])
        pids = [int(l.split("\t")[1]) for l in lines[1:]]
        check(pids == sorted(pids, reverse=True) and len(pids) == 4, "config: tsv sorted by -pid (%r)" % pids)

        tui = Tui(binary, [path], env=env)
        try:
            check(tui.wait_for(lambda t: len(table_pids(tui)) == 4), "config: the screen appears")
            _, head = header_row(tui)
            check(head.split()[:4] == ["WID", "PID\u2193", "REQ", "STATUS"] or
                  head.split()[:4] == ["WID", "PID\u2191", "REQ", "STATUS"],
                  "config: the screen shows the config's columns, sorted by PID (%r)" % head)
            check("RSS" not in head, "config: columns not listed are not shown")
            p = table_pids(tui)
            check(p == sorted(p, reverse=True) and len(p) == 4, "config: rows in -pid order (%r)" % p)
            check(tui.screen.modes.get(1000) is True and tui.screen.modes.get(1006) is True,
                  "mouse: button reports in SGR 1006 mode requested (%r)" % tui.screen.modes)

            # Mouse: click the REQ header -> sorted by requests; again -> reversed.
            y, head = header_row(tui)
            x = head.index("REQ")
            click(tui, x, y)
            check(tui.wait_for(lambda t: "REQ\u2193" in t or "REQ\u2191" in t, 5), "mouse: a header click sorts by it")
            first = "\u2193" if "REQ\u2193" in tui.text() else "\u2191"
            other = "\u2191" if first == "\u2193" else "\u2193"
            click(tui, x + 1, y)
            check(tui.wait_for("REQ" + other, 5), "mouse: a second click reverses the sort")
            # Back to the PID sort by clicking its header, for a known order.
            y, head = header_row(tui)
            click(tui, head.index("PID"), y)
            tui.wait_for(lambda t: "PID\u2193" in t or "PID\u2191" in t, 5)
            time.sleep(0.5)
            # A row click selects it; Enter opens that worker's details.
            pids = table_pids(tui)
            click(tui, 2, y + 3)
            time.sleep(0.6)  # longer than a double click
            tui.send("\r")
            want = pids[2] if len(pids) > 2 else -1
            check(tui.wait_for(lambda t: ("pid %d" % want) in t or ("PID %d" % want) in t or
                               ("Worker " in t and str(want) in t and "WID" not in t), 5),
                  "mouse: a row click selects that row (details of pid %d)" % want)
            tui.send("\x1b")
            check(tui.wait_for("WID", 5), "Esc closes the details")
            # A double click opens the details of the clicked row at once.
            y, _ = header_row(tui)
            pids = table_pids(tui)
            click(tui, 2, y + 2)
            click(tui, 2, y + 2)
            want = pids[1] if len(pids) > 1 else -1
            check(tui.wait_for(lambda t: "WID" not in t and str(want) in t, 5),
                  "mouse: a double click opens the row's details (pid %d)" % want)
            tui.send("\x1b")
            tui.wait_for("WID", 5)

            # The save key: sort by requests, save, and quit.
            tui.send("R")
            tui.wait_for(lambda t: "REQ\u2193" in t or "REQ\u2191" in t, 5)
            saved_arrow = "\u2193" if "REQ\u2193" in tui.text() else "\u2191"
            tui.send("s")
            check(tui.wait_for("view saved to", 5), "save: the status line says the view was saved")
            tui.send("q")
        finally:
            code, after = tui.finish()
        check(code == 0 and tui.terminal_restored(after), "settings screen: exits 0, terminal restored")
        with open(config, "rb") as f:
            check(f.read() == hand, "save: config.toml is byte-identical")
        view = os.path.join(home, "state", "uwsgitop", "view.toml")
        check(os.path.exists(view) and (os.stat(view).st_mode & 0o777) == 0o600, "save: view.toml written 0600")

        tui = Tui(binary, [path], env=env)
        try:
            check(tui.wait_for("WID"), "restart: the screen appears")
            check(tui.wait_for("saved view in effect", 5), "restart: the status line says a saved view is in effect")
            _, head = header_row(tui)
            check(("REQ" + saved_arrow) in head and head.split()[:4] == ["WID", "PID", "REQ" + saved_arrow, "STATUS"],
                  "restart: the saved view (columns, sort by REQ) is shown (%r)" % head)
            tui.send("q")
        finally:
            code, _ = tui.finish()
        check(code == 0, "restart: exits 0")

        # The wheel scrolls: 8 rows leave room for 3 of the 4 workers.
        tui = Tui(binary, [path, "--no-config", "-s", "pid", "-c", "id,pid,requests"], rows=8, env=env)
        try:
            check(tui.wait_for(lambda t: len(table_pids(tui)) == 3), "wheel: the screen appears on 8 rows")
            before = table_pids(tui)
            tui.send(sgr(65, 5, 5))
            check(tui.wait_for(lambda t: table_pids(tui)[:1] != before[:1], 5),
                  "wheel: 65 scrolls the table down (%r -> %r)" % (before, table_pids(tui)))
            tui.send(sgr(64, 5, 5))
            check(tui.wait_for(lambda t: table_pids(tui)[:1] == before[:1], 5), "wheel: 64 scrolls back up")
            tui.send("m")
            check(tui.wait_for(lambda t: tui.screen.modes.get(1000) is False, 5), "m: mouse reports switched off")
            tui.send("q")
        finally:
            code, _ = tui.finish()
        check(code == 0, "wheel: exits 0")

        tui = Tui(binary, [path, "--no-mouse"], env=env)
        try:
            check(tui.wait_for("WID"), "--no-mouse: the screen appears")
            raw = bytes(tui.screen.raw)
            check(b"\x1b[?1000" not in raw and b"1006" not in raw and 1000 not in tui.screen.modes,
                  "--no-mouse: no mouse reporting is requested at all")
            tui.send("q")
        finally:
            code, _ = tui.finish()
        check(code == 0, "--no-mouse: exits 0")

        with open(config, "wb") as f:
            f.write(hand.replace(b"sort = \"-pid\"", b"\n\n\nsort = \"rsss\""))
        out = subprocess.run([binary, "--once", path], capture_output=True, env=e, timeout=20)
        check(out.returncode == 2, "bad config: exit status 2 (got %r)" % out.returncode)
        check(b"config.toml:6: sort: unknown column \"rsss\" (did you mean rss?)" in out.stderr,
              "bad config: file, line, key and hint (%r)" % out.stderr[:200])
    finally:
        shutil.rmtree(home, ignore_errors=True)


def scenario_escapes(binary, fixtures):
    print("escape sequences terminfo does not name: one key each (TERM=xterm-256color, as inside tmux)")
    path = "file:" + os.path.join(fixtures, "prefork-1.json")

    def quiet(tui, what):
        time.sleep(0.6)
        line = status_line(tui)
        check("unknown key" not in line and "no pane" not in line, "%s: no message (%r)" % (what, line))

    def details_pid(tui):
        """Opens the selected row's details, returns the pid they show, closes them."""
        tui.send("\r")
        tui.wait_for(lambda t: "WID" not in t and re.search(r"- pid \d+", t), 5)
        m = re.search(r"- pid (\d+)", tui.text())
        tui.send("\x1b")
        tui.wait_for("WID", 5)
        return int(m.group(1)) if m else None

    tui = Tui(binary, [path, "--no-config", "-s", "pid", "-c", "id,pid,requests,status"])
    try:
        check(tui.wait_for(lambda t: len(table_pids(tui)) == 4), "escapes: the table appears")
        pids = table_pids(tui)
        tui.send("\x1b[B\x1b[B")  # Down twice, as CSI B
        time.sleep(0.3)
        tui.send("\x1b[1~")
        quiet(tui, "ESC [ 1 ~")
        check(" 1:workers " in tui.text() or "1:workers" in tui.lines()[1] or "WID" in tui.text(),
              "ESC [ 1 ~ stays on the workers pane")
        check(details_pid(tui) == pids[0], "ESC [ 1 ~ is Home: the first row is selected (%r)" % pids[:1])
        tui.send("\x1b[4~")
        quiet(tui, "ESC [ 4 ~")
        check("SOCKET" not in tui.text() and "WID" in tui.text(), "ESC [ 4 ~ does not open pane 4")
        check(details_pid(tui) == pids[-1], "ESC [ 4 ~ is End: the last row is selected (%r)" % pids[-1:])
        tui.send("\x1b[7~")
        time.sleep(0.3)
        check(details_pid(tui) == pids[0], "ESC [ 7 ~ is Home too")
        tui.send("\x1b[8~")
        time.sleep(0.3)
        check(details_pid(tui) == pids[-1], "ESC [ 8 ~ is End too")
        before = header_row(tui)[1]
        tui.send("\x1b[99z")
        quiet(tui, "ESC [ 99 z")
        check(header_row(tui)[1] == before and "WID" in tui.text(), "ESC [ 99 z does nothing")
        tui.send("m")
        check(tui.wait_for(lambda t: tui.screen.modes.get(1000) is False, 5), "m: mouse off")
        time.sleep(5.5)  # let the "mouse off" message expire
        state = status_line(tui)
        tui.send(sgr(0, 10, 5))
        quiet(tui, "an SGR mouse report with the mouse off")
        check(header_row(tui)[1] == before and status_line(tui) == state,
              "the report does not sort (M) or act (%r)" % status_line(tui))
        tui.send("m")
        check(tui.wait_for(lambda t: tui.screen.modes.get(1000) is True, 5), "m: mouse on again")
        y, head = header_row(tui)
        click(tui, head.index("REQ"), y)
        check(tui.wait_for(lambda t: "REQ\u2193" in t or "REQ\u2191" in t, 5), "mouse on again: a header click sorts")
        tui.send("q")
        code, after = tui.finish()
        check(code == 0 and tui.terminal_restored(after), "escapes: q exits 0, terminal restored")
    finally:
        if tui.proc.poll() is None:
            tui.proc.kill()
            tui.proc.wait(5)

    tui = Tui(binary, [path, "--no-config", "-s", "pid", "-c", "id,pid,requests,status", "--no-mouse"])
    try:
        check(tui.wait_for(lambda t: len(table_pids(tui)) == 4), "--no-mouse: the table appears")
        before = header_row(tui)[1]
        state = status_line(tui)
        tui.send(sgr(0, 10, 5) + sgr(0, 10, 5, release=True))
        quiet(tui, "--no-mouse: an SGR mouse report")
        check(header_row(tui)[1] == before and status_line(tui) == state,
              "--no-mouse: the report does not act (%r)" % status_line(tui))
        tui.send("\x1b")
        tui.send("?")
        check(tui.wait_for("uwsgitop keys", 5), "Esc then ? right after it: both keys work")
        tui.send("q")
        tui.send("q")
        code, after = tui.finish()
        check(code == 0 and tui.terminal_restored(after), "--no-mouse: q exits 0, terminal restored")
    finally:
        if tui.proc.poll() is None:
            tui.proc.kill()
            tui.proc.wait(5)


APP = b'''
import time
def application(env, start_response):
    path = env.get("PATH_INFO", "/")
    if path == "/slow":
        time.sleep(0.4)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok\\n"]
'''


def scenario_real_uwsgi(binary):
    print("real uWSGI under load")
    uwsgi = None
    for d in os.environ.get("PATH", "").split(os.pathsep):
        cand = os.path.join(d, "uwsgi")
        if os.access(cand, os.X_OK):
            uwsgi = cand
            break
    if not uwsgi or not os.path.exists("/usr/lib/uwsgi/plugins/python3_plugin.so"):
        print("  skip (uwsgi or its python3 plugin is not installed)")
        return
    tmp = tempfile.mkdtemp(prefix="uwsgitop-e2e-")
    app = os.path.join(tmp, "app.py")
    with open(app, "wb") as f:
        f.write(APP)
    hp, sp = free_port(), free_port()
    log = open(os.path.join(tmp, "uwsgi.log"), "wb")
    proc = subprocess.Popen([uwsgi, "--plugin", "python3", "--master", "--processes", "2", "--threads", "2",
                             "--http-socket", "127.0.0.1:%d" % hp, "--wsgi-file", app, "--need-app",
                             "--stats", "127.0.0.1:%d" % sp, "--disable-logging", "--die-on-term",
                             "--chdir", tmp],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    stop_load = threading.Event()

    def load():
        # Bounded: at most 200 requests, 60 s, a 5 s timeout each.
        deadline = time.monotonic() + 60
        for i in range(200):
            if stop_load.is_set() or time.monotonic() > deadline:
                return
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/%s" % (hp, "slow" if i % 2 else ""), timeout=5).read()
            except OSError:
                time.sleep(0.1)

    loaders = [threading.Thread(target=load, daemon=True) for _ in range(3)]
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", sp), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        for t in loaders:
            t.start()
        # A row of cores starts with WID:CID; the header's clock (21:01:05)
        # holds "1:0" too, so rows are looked for, not the text anywhere.
        def core_row(t, wc):
            return re.search(r"^\s*%s\s" % re.escape(wc), t, re.M) is not None

        tui = Tui(binary, ["127.0.0.1:%d" % sp, "--frequency", "0.5"])
        check(tui.wait_for("WID", 15), "real uWSGI: the worker table appears")
        check(tui.wait_for(lambda t: "busy" in t, 20), "real uWSGI: busy workers show up under load")
        check(tui.wait_for(lambda t: "RPS: -" not in t and "RPS:" in t, 10), "real uWSGI: RPS known")
        tui.send("a")
        check(tui.wait_for(lambda t: core_row(t, "1:0") and core_row(t, "2:1"), 10), "real uWSGI: cores as WID:CID")
        tui.send("a\r")
        check(tui.wait_for("Worker ", 10), "real uWSGI: details open")
        tui.send("\x1b")
        tui.send("q")
        code, after = tui.finish()
        check(code == 0, "real uWSGI: q exits 0 (got %r)" % code)
        check(tui.terminal_restored(after), "real uWSGI: terminal modes restored")
        # The worker table reads no cores; rows of cores and the details read
        # them with a fetch at once, not at the next (30 s) refresh.
        tui = Tui(binary, ["127.0.0.1:%d" % sp, "--frequency", "30"])
        check(tui.wait_for("WID", 15), "real uWSGI, 30 s: the worker table appears")
        tui.send("a")
        check(tui.wait_for(lambda t: core_row(t, "1:0") and core_row(t, "2:1"), 5), "real uWSGI, 30 s: cores read at once")
        tui.send("aa")
        check(tui.wait_for(lambda t: not core_row(t, "1:0"), 5), "real uWSGI, 30 s: back to the worker table")
        tui.send("\r")
        check(tui.wait_for("Cores (2,", 5), "real uWSGI, 30 s: the details list the worker's 2 cores")
        tui.send("\x1bq")
        code, after = tui.finish()
        check(code == 0, "real uWSGI, 30 s: q exits 0 (got %r)" % code)
    finally:
        stop_load.set()
        for t in loaders:
            if t.is_alive():
                t.join(10)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


def scenario_travel(binary, fixtures):
    print("travel through a replay: [ ] { } ( ) b, + and the recorded time in the header")
    tmp = tempfile.mkdtemp(prefix="uwsgitop-e2e-travel-")
    rec = os.path.join(tmp, "rec.jsonl")
    t0 = 1795600800.0  # 2026-12-03 10:00:00 UTC
    with open(rec, "w") as f:
        for i in range(200):
            # Worker 1 has served i*i requests at snapshot i (2 s apart): the
            # rate between snapshot i-1 and i is (2i-1)/2, a different one at
            # every position, so a step that took rates from the wrong
            # neighbour shows a wrong number.
            stats = {"version": "2.0.21", "pid": 4000, "listen_queue": 0, "listen_queue_errors": 0,
                     "signal_queue": 0, "load": 0, "uid": 0, "gid": 0, "cwd": "/srv",
                     "workers": [{"id": 1, "pid": 4001, "requests": i * i, "exceptions": 0, "status": "idle",
                                  "rss": 0, "vsz": 0, "running_time": 0, "respawn_count": 1, "tx": 0,
                                  "avg_rt": 0, "signals": 0, "apps": [], "cores": []}]}
            f.write(json.dumps({"t": t0 + 2 * i, "address": "127.0.0.1:9191", "stats": stats}) + "\n")

    def header(tui):
        return tui.lines()[0]

    def position(t):
        m = re.search(r"replay (\d\d:\d\d:\d\d), (\d+)/200", t)
        return (m.group(1), int(m.group(2))) if m else None

    def rps_at(tui):
        m = re.search(r"RPS: ([0-9.]+)", header(tui))
        return m.group(1) if m else None

    tui = Tui(binary, ["--replay", rec, "--speed", "4"], env={"TZ": "UTC"})
    try:
        check(tui.wait_for(lambda t: position(t) is not None), "the header shows 'replay HH:MM:SS, I/200'")
        check(tui.wait_for(lambda t: "replay 4x" in t), "the status line shows the speed, replay 4x")
        tui.send("+")
        check(tui.wait_for(lambda t: "replay speed 8x" in t), "+ plays faster: replay speed 8x")
        tui.send("]")  # pauses and steps
        time.sleep(0.5)
        start = position(header(tui))
        check(start is not None, "] keeps the replay header (%r)" % header(tui))
        if start is None:
            return
        n = start[1]
        tui.send("]")
        check(tui.wait_for(lambda t: position(t) and position(t)[1] == n + 1), "] steps one forward (%d -> %d)" % (n, n + 1))
        forward = rps_at(tui)
        want_time = time.strftime("%H:%M:%S", time.gmtime(t0 + 2 * n))  # position n+1 is snapshot n
        check(want_time in header(tui), "the header shows the recorded time %s (%r)" % (want_time, header(tui)))
        check(forward == "%.1f" % ((2 * n - 1) / 2.0), "RPS at %d is the recorded rate (got %r)" % (n + 1, forward))
        tui.send("]")
        check(tui.wait_for(lambda t: position(t) and position(t)[1] == n + 2), "] again: %d" % (n + 2))
        tui.send("[")
        check(tui.wait_for(lambda t: position(t) and position(t)[1] == n + 1), "[ steps back to %d" % (n + 1))
        check(rps_at(tui) == forward, "after [ the RPS equals the forward pass's (%r vs %r)" % (rps_at(tui), forward))
        tui.send("}")
        check(tui.wait_for(lambda t: position(t) and position(t)[1] == n + 31), "} jumps one minute (30 snapshots)")
        tui.send("{")
        check(tui.wait_for(lambda t: position(t) and position(t)[1] == n + 1), "{ jumps back one minute")
        check(rps_at(tui) == forward, "and the rate is the same again")
        tui.send(")")
        check(tui.wait_for(lambda t: position(t) and position(t)[1] == 200), ") goes to the last snapshot")
        tui.send("(")
        check(tui.wait_for(lambda t: position(t) and position(t)[1] == 1), "( goes to the first snapshot")
        # b: a time of day (10:05:00 is snapshot 150, position 151), then
        # relative, a bad entry (nothing moves) and one past the end.
        tui.send("b")
        check(tui.wait_for(lambda t: "go to time: _" in t), "b opens the go-to prompt")
        tui.send("10:05:00\r")
        check(tui.wait_for(lambda t: position(t) == ("10:05:00", 151)), "b 10:05:00 goes to 10:05:00, 151/200 (%r)" % header(tui))
        tui.send("b-1m\r")
        check(tui.wait_for(lambda t: position(t) == ("10:04:00", 121)), "b -1m goes a minute back (%r)" % header(tui))
        tui.send("bnoon\r")
        check(tui.wait_for(lambda t: '"noon" is not a time' in t), "a bad entry is named in the status line")
        time.sleep(0.3)
        check(position(header(tui)) == ("10:04:00", 121), "and nothing moved (%r)" % header(tui))
        tui.send("b2026-12-03T11:00:00Z\r")
        check(tui.wait_for(lambda t: position(t) and position(t)[1] == 200), "b past the end goes to the last snapshot")
        check(tui.wait_for(lambda t: "after the recording" in t), "and says so")
        tui.send("q")
        code, after = tui.finish()
        check(code == 0, "q exits 0 (got %r)" % code)
        check(tui.terminal_restored(after), "terminal modes restored")
    finally:
        if tui.proc.poll() is None:
            tui.proc.kill()
            tui.proc.wait(5)
        shutil.rmtree(tmp, ignore_errors=True)


def scenario_columns(binary, fixtures):
    print("column chooser: F2 (ESC O Q) and o, hide and move columns, Esc, s keeps them")
    path = "file:" + os.path.join(fixtures, "prefork-1.json")
    state = tempfile.mkdtemp(prefix="uwsgitop-e2e-columns-")
    env = {"XDG_STATE_HOME": state}
    try:
        tui = Tui(binary, [path, "-s", "requests", "-c", "id,pid,requests,status"], env=env)
        try:
            check(tui.wait_for(lambda t: len(table_pids(tui)) == 4), "columns: the table appears")
            tui.send("\x1bOQ")  # F2 as xterm sends it
            check(tui.wait_for("columns of the worker rows", 5), "columns: F2 opens the chooser")
            check(tui.wait_for(lambda t: "Space/Enter show/hide" in t, 5), "columns: the footer lists its keys")
            tui.send("\x1b[B")  # Down: pid
            time.sleep(0.2)
            tui.send(" ")       # hides it
            check(tui.wait_for(lambda t: header_row(tui)[1].split()[:2] == ["WID", "REQ\u2193"], 5),
                  "columns: the header behind the chooser loses PID at once (%r)" % header_row(tui)[1])
            tui.send("\x1b")
            check(tui.wait_for(lambda t: "columns of the worker rows" not in t, 5), "columns: Esc closes the chooser")
            _, head = header_row(tui)
            check(head.split() == ["WID", "REQ\u2193", "STATUS"], "columns: the header keeps the change (%r)" % head)
            tui.send("o")       # the letter opens it too
            check(tui.wait_for("columns of the worker rows", 5), "columns: o opens the chooser")
            tui.send("\x1b[F]")  # End (CSI F), then ] at the last does nothing
            time.sleep(0.2)
            tui.send("[")       # status one place earlier
            check(tui.wait_for(lambda t: header_row(tui)[1].split() == ["WID", "STATUS", "REQ\u2193"], 5),
                  "columns: [ moves the column earlier (%r)" % header_row(tui)[1])
            tui.send("\x1bOQs")  # F2 closes, s saves
            check(tui.wait_for("view saved to", 5), "columns: s saves the view")
            tui.send("q")
            tui.finish()
        finally:
            if tui.proc.poll() is None:
                tui.proc.kill()
                tui.proc.wait(5)
        saved = open(os.path.join(state, "uwsgitop", "view.toml")).read()
        m = re.search(r"^columns = \[(.*)\]$", saved, re.M)
        check(m is not None and re.findall(r'"(\w+)"', m.group(1)) == ["id", "status", "requests"],
              "columns: view.toml has the chosen columns (%r)" % saved)
        tui = Tui(binary, [path], env=env)
        try:
            check(tui.wait_for(lambda t: len(header_row(tui)[1].split()) == 3, 5), "columns: a restart shows the table")
            _, head = header_row(tui)
            check(head.split() == ["WID", "STATUS", "REQ\u2193"], "columns: a restart shows the saved columns (%r)" % head)
            tui.send("q")
            tui.finish()
        finally:
            if tui.proc.poll() is None:
                tui.proc.kill()
                tui.proc.wait(5)

        def fleet_header(tui):
            return next((l for l in tui.lines() if l.startswith("NAME")), "")

        tui = Tui(binary, [path, path], env=env)  # the fleet screen
        try:
            check(tui.wait_for(lambda t: "STATE" in fleet_header(tui), 10), "columns: the fleet table appears")
            tui.send("\x1bOQ")
            check(tui.wait_for("columns of the instances", 5), "columns: F2 opens the fleet's chooser")
            tui.send("\x1b[B")  # Down: state
            time.sleep(0.2)
            tui.send(" ")
            check(tui.wait_for(lambda t: "STATE" not in fleet_header(tui), 5),
                  "columns: the fleet header loses STATE at once (%r)" % fleet_header(tui))
            tui.send("\x1b")
            check(tui.wait_for(lambda t: "columns of the instances" not in t, 5), "columns: Esc closes the fleet's chooser")
            check(fleet_header(tui).split()[:2] == ["NAME", "RPS"], "columns: the fleet header keeps it (%r)" % fleet_header(tui))
            # An opened instance: Esc closes its chooser (not the instance); the
            # next instance opened starts with the columns chosen there.
            tui.send("\r")
            check(tui.wait_for(lambda t: header_row(tui)[0] is not None, 10), "columns: Enter opens an instance")
            tui.send("o")
            check(tui.wait_for("columns of the worker rows", 5), "columns: o opens the instance's chooser")
            tui.send(" ")  # hides the first column: id
            check(tui.wait_for(lambda t: header_row(tui)[0] is None, 5), "columns: WID hidden in the instance")
            tui.send("\x1b")
            check(tui.wait_for(lambda t: "columns of the worker rows" not in t, 5), "columns: Esc closes that chooser")
            time.sleep(0.3)
            check("NAME" not in tui.text() and "REQ" in tui.text(), "columns: Esc left the instance open")
            tui.send("\x1b")
            check(tui.wait_for(lambda t: fleet_header(tui) != "", 5), "columns: Esc again goes back to the fleet")
            tui.send("\r")
            check(tui.wait_for(lambda t: "REQ" in t and "NAME" not in t, 10), "columns: Enter opens it again")
            time.sleep(0.5)
            check(header_row(tui)[0] is None and "STATUS" in tui.text(),
                  "columns: the instance opened again has the chosen columns (no WID)")
            tui.send("\x1b")
            check(tui.wait_for(lambda t: fleet_header(tui) != "", 5), "columns: back to the fleet")
            tui.send("s")
            check(tui.wait_for("instance columns saved to", 5), "columns: s on the fleet screen saves")
            tui.send("q")
            tui.finish()
        finally:
            if tui.proc.poll() is None:
                tui.proc.kill()
                tui.proc.wait(5)
        saved = open(os.path.join(state, "uwsgitop", "view.toml")).read()
        check(re.search(r"^fleet-columns = \[", saved, re.M) and re.search(r"^columns = \[", saved, re.M),
              "columns: view.toml keeps the worker columns beside the fleet's (%r)" % saved)
    finally:
        shutil.rmtree(state, ignore_errors=True)


def scenario_keys(binary, fixtures):
    print("[keys]: a rebound key works, the old one does not, help and hints show the new one")
    home = tempfile.mkdtemp(prefix="uwsgitop-e2e-keys-")
    path = "file:" + os.path.join(fixtures, "prefork-1.json")
    config = os.path.join(home, "keys.toml")
    with open(config, "w") as f:
        f.write('[keys]\nquit = "z"\nhelp = ["F3", "?"]\nsort_requests = "Ctrl-R"\n')
    try:
        tui = Tui(binary, [path, "--config", config, "-c", "id,pid,requests,status"])
        try:
            check(tui.wait_for("WID"), "keys: the screen appears")
            check(tui.wait_for(lambda t: status_line(tui).rstrip().endswith("F3 help  z quit"), 5),
                  "keys: the status-line hint names the keys in effect (%r)" % status_line(tui))
            tui.send("q")
            check(tui.wait_for("unknown key q", 5), "keys: q (no longer quit's key) is an unknown key")
            check(tui.proc.poll() is None, "keys: q did not quit")
            tui.send("\x12")  # Ctrl-R: sort by requests
            check(tui.wait_for(lambda t: "REQ\u2193" in t or "REQ\u2191" in t, 5), "keys: Ctrl-R sorts by requests")
            tui.send("\x1bOR")  # F3
            check(tui.wait_for("uwsgitop keys", 5), "keys: F3 opens the help")
            text = tui.text()
            check("\n  z             quit" in "\n" + text, "keys: the help lists z for quit")
            check("\n  F3 ?          this help" in "\n" + text, "keys: the help lists F3 ? for the help")
            tui.send("z")
            check(tui.wait_for(lambda t: "uwsgitop keys" not in t and "WID" in t, 5), "keys: z closes the help, as q did")
            tui.send("z")
            code, after = tui.finish()
            check(code == 0, "keys: z quits with status 0 (%r)" % code)
            check(tui.terminal_restored(after), "keys: the terminal is restored")
        finally:
            if tui.proc.poll() is None:
                tui.proc.kill()
        # Two actions on one key, an unknown action: exit 2 before the screen, naming them.
        for text, want in (('[keys]\nredraw = "r"\n', "[keys]: r is bound to both sort-invert and redraw"),
                           ('[keys]\nquitt = "z"\n', 'unknown action "quitt" (did you mean quit?)'),
                           ('[keys]\nquit = "Ctrl-C"\n', "Ctrl-C always quits")):
            with open(config, "w") as f:
                f.write(text)
            out = subprocess.run([binary, "--config", config, path], capture_output=True, timeout=20,
                                 stdin=subprocess.DEVNULL)
            err = out.stderr.decode()
            check(out.returncode == 2 and want in err and config + ":2: " in err,
                  "keys: %r is exit 2 naming it (%r, %r)" % (text, out.returncode, err[:200]))
        # The fleet screen reads the same bindings.
        with open(config, "w") as f:
            f.write('[keys]\nquit = "z"\n')
        tui = Tui(binary, ["web=" + path, "api=" + path, "--config", config])
        try:
            check(tui.wait_for("uwsgitop fleet - 2 instances"), "keys: the fleet screen appears")
            check(tui.wait_for(lambda t: status_line(tui).startswith("z quit"), 5),
                  "keys: the fleet's hint names z (%r)" % status_line(tui))
            tui.send("q")
            time.sleep(0.5)
            check(tui.proc.poll() is None, "keys: q does not quit the fleet")
            tui.send("z")
            code, _ = tui.finish()
            check(code == 0, "keys: z quits the fleet (%r)" % code)
        finally:
            if tui.proc.poll() is None:
                tui.proc.kill()
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    # meson's timeout ends this runner with SIGTERM; turn it into SystemExit so
    # every scenario's `finally` still kills the monitor it started (the
    # monitors run in their own session and would not get the signal).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    scenarios = {
        "fake": lambda: scenario_fake_server(args.binary, args.fixtures),
        "signals": lambda: scenario_signals(args.binary, args.fixtures),
        "fleet": lambda: scenario_fleet(args.binary, args.fixtures),
        "vassals": lambda: scenario_vassals(args.binary, args.fixtures),
        "terminals": lambda: scenario_terminals(args.binary, args.fixtures),
        "uwsgi": lambda: scenario_real_uwsgi(args.binary),
        "settings": lambda: scenario_settings_mouse(args.binary, args.fixtures),
        "travel": lambda: scenario_travel(args.binary, args.fixtures),
        "escapes": lambda: scenario_escapes(args.binary, args.fixtures),
        "columns": lambda: scenario_columns(args.binary, args.fixtures),
        "themes": lambda: scenario_themes(args.binary, args.fixtures),
        "keys": lambda: scenario_keys(args.binary, args.fixtures),
    }
    for name, run in scenarios.items():
        if args.only and name not in args.only.split(","):
            continue
        run()
    shutil.rmtree(ISOLATED_HOME, ignore_errors=True)
    if FAILURES:
        print("%d check(s) failed:" % len(FAILURES))
        for f in FAILURES:
            print("  - " + f)
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
