# cases_screen.py — the interactive screen on a pseudo-terminal, read back
# through a small xterm model (vt.py): it shows the real workers, never puts
# a server's raw control bytes on the terminal, keeps running while the
# server is gone and shows the new master when one comes back, and 'q'
# restores the terminal and exits 0.
import os
import signal
import time

from cases_shapes import WEIRD_REQ
from harness import InFlight, check, load, settle, wait_until
from ptyrun import PtyRun
from suite import case
from vt import Screen

ROWS, COLS = 40, 160


def _screen(p):
    s = Screen(ROWS, COLS)
    s.feed(p.output())
    return s


def _shows_pids(p, pids):
    def ok():
        s = _screen(p)
        return all(s.contains(str(x)) for x in pids) and s
    return wait_until(ok, 8, 0.2)


@case("screen")
def screen(ctx):
    u = ctx.uwsgi(["--processes", "2", "--threads", "2", "--buffer-size", "16384"])
    addr = ctx.address(u.stats)
    check(load(u.http_port, ["/"] * 9, concurrency=3).count(200) == 9, "the app did not answer 9 requests")
    per_pid = {w["pid"]: w["requests"] for w in settle(u.stats, 9)["workers"]}
    req = InFlight(u.http_port, WEIRD_REQ)
    p = PtyRun(ctx.binary, ["-d", "0.5", addr], rows=ROWS, cols=COLS)

    def dump():
        return "screen:\n" + "\n".join("  |" + ln for ln in _screen(p).text() if ln.strip())

    try:
        def workers():
            s = _shows_pids(p, u.children())
            check(s, "the screen never showed worker pids %s\n%s" % (u.children(), dump()))
            check(s.contains(str(u.pid)), "the master pid %d is not on the screen\n%s" % (u.pid, dump()))
            # the worker table: a header naming PID and REQ columns, one row per worker
            lines = s.text()
            head = next((ln.split() for ln in lines if "PID" in ln.split() and any(
                t.startswith("REQ") for t in ln.split())), None)
            check(head, "no worker table header with PID and REQ\n%s" % dump())
            ipid = head.index("PID")
            ireq = next(i for i, t in enumerate(head) if t.startswith("REQ"))
            for pid, n in per_pid.items():
                row = next((ln.split() for ln in lines if len(ln.split()) > max(ipid, ireq)
                            and ln.split()[ipid] == str(pid)), None)
                check(row, "no row for worker pid %d\n%s" % (pid, dump()))
                check(row[ireq] == str(n), "worker %d shows REQ %s, uWSGI says %d\n%s" % (pid, row[ireq], n, dump()))
        ctx.sub("workers", workers)

        def no_raw_bytes():
            time.sleep(1.0)  # a few refreshes with the odd request in flight
            out = p.output()
            check(b"\x01" not in out, "the raw 0x01 byte of a request header reached the terminal")
            check(b"\xff" not in out, "the raw 0xff byte of a request header reached the terminal")
            s = _screen(p)
            check(s.raw_controls == 0, "%d stray control bytes on the terminal" % s.raw_controls)
            check(p.poll() is None, "uwsgitop exited (%s) while showing odd bytes\n%s" % (p.rc, dump()))
        ctx.sub("no-raw-bytes", no_raw_bytes)

        def survives_restart():
            old = set(u.children())
            u.stop()
            time.sleep(2.0)
            check(p.poll() is None, "uwsgitop exited (%s) when the server went away\n%s" % (p.rc, dump()))
            s = _screen(p)
            check(any(s.contains(str(x)) for x in old), "the last good screen did not stay\n%s" % dump())
            b = ctx.uwsgi(["--processes", "2"], stats=u.stats)
            s = _shows_pids(p, b.children())
            check(s, "the new master's workers %s never appeared\n%s" % (b.children(), dump()))
            check(s.contains(str(b.pid)), "the new master pid %d is not on the screen\n%s" % (b.pid, dump()))
        ctx.sub("survives-restart", survives_restart)

        def quits():
            t0 = time.monotonic()
            p.send(b"q")
            rc = p.wait(10)
            el = time.monotonic() - t0
            check(rc is not None, "uwsgitop did not exit within 10 s of 'q'\n%s" % dump())
            check(rc == 0, "exit %s after 'q' (%.1f s)" % (rc, el))
            tail = p.output()[-300:]
            check(b"\x1b[?1049l" in tail or b"\x1b[?47l" in tail, "the terminal was not restored: %r" % tail[-120:])
            ctx.note("exit after %.2f s" % el)
        ctx.sub("quit", quits)
    finally:
        p.close()
        req.close()


def _events_rows(p):
    """The events pane's rows on screen (lines naming an event kind)."""
    kinds = ("respawn", "harakiri", "reload", "down", "up", "status")
    return [ln for ln in _screen(p).text() if any((" %s " % k) in ln for k in kinds)]


@case("screen-events")
def screen_events(ctx):
    """The events pane on a real uWSGI: a killed worker's respawn with both
    pids, a harakiri naming its URI, one reload for SIGHUP, down then up
    across a restart; the notice on the worker table names the pane."""
    u = ctx.uwsgi(["--processes", "2", "--harakiri", "1"])
    addr = ctx.address(u.stats)
    p = PtyRun(ctx.binary, ["-d", "0.5", "--timeout", "1", addr], rows=ROWS, cols=COLS)

    def dump():
        return "screen:\n" + "\n".join("  |" + ln for ln in _screen(p).text() if ln.strip())

    def shows(pred, secs=10):
        return wait_until(lambda: pred(_screen(p)), secs, 0.2)

    try:
        check(_shows_pids(p, u.children()), "the workers never appeared\n%s" % dump())
        time.sleep(1.0)  # a few snapshots first: never an event from the first one

        def respawn():
            victim = sorted(u.children())[0]
            os.kill(victim, signal.SIGKILL)  # a worker of the master this test started
            check(shows(lambda s: s.contains("event: worker") and s.contains("shows events")),
                  "no new-event notice on the worker table after killing %d\n%s" % (victim, dump()))
            s = _screen(p)
            line = next(ln for ln in s.text() if "event: worker" in ln)
            digit = line.split("shows events")[0].split()[-1]
            check(digit.isdigit(), "the notice does not name the pane's key: %r" % line)
            p.send(digit.encode())
            check(shows(lambda s: any("respawn" in ln and "pid %d ->" % victim in ln for ln in s.text())),
                  "the events pane has no respawn of pid %d\n%s" % (victim, dump()))
            row = next(ln for ln in _screen(p).text() if "pid %d ->" % victim in ln)
            new = int(row.split("pid %d ->" % victim)[1].split()[0])
            check(new in u.children(), "the new pid %d is not a child of the master %s" % (new, u.children()))
        ctx.sub("respawn", respawn)

        def harakiri():
            load(u.http_port, ["/slow?s=3"], concurrency=1, timeout=10)
            check(shows(lambda s: any(" harakiri " in ln and "/slow?s=3" in ln for ln in s.text()), 10),
                  "no harakiri row naming /slow?s=3\n%s" % dump())
            check(not any(" reload " in ln for ln in _events_rows(p)), "a harakiri showed as a reload\n%s" % dump())
        ctx.sub("harakiri", harakiri)

        def reload():
            u.signal(signal.SIGHUP)  # the master this test started, by its pid
            check(shows(lambda s: any(" reload " in ln for ln in s.text()), 12), "no reload row\n%s" % dump())
            time.sleep(2.0)
            n = sum(1 for ln in _events_rows(p) if " reload " in ln)
            check(n == 1, "%d reload rows for one SIGHUP\n%s" % (n, dump()))
        ctx.sub("reload", reload)

        def down_up():
            sa = u.stats
            u.stop()
            check(shows(lambda s: any(" down " in ln for ln in s.text()), 8), "no down row\n%s" % dump())
            ctx.uwsgi(["--processes", "1"], stats=sa)
            check(shows(lambda s: any(" up " in ln and "back after" in ln for ln in s.text()), 12),
                  "no up row\n%s" % dump())
            rows = _events_rows(p)
            iu = next(i for i, ln in enumerate(rows) if " up " in ln)
            idn = next(i for i, ln in enumerate(rows) if " down " in ln)
            check(iu < idn, "newest first: up should be above down\n%s" % dump())
        ctx.sub("down-up", down_up)

        p.send(b"q")
        check(p.wait(10) == 0, "exit %s after q" % p.rc)
    finally:
        p.close()


@case("screen-fleet-events")
def screen_fleet_events(ctx):
    """The fleet screen's events view on two real uWSGI: a killed worker
    shows as a respawn of that instance with both pids; Enter opens it."""
    a = ctx.uwsgi(["--processes", "2"])
    b = ctx.uwsgi(["--processes", "2"])
    p = PtyRun(ctx.binary, ["-d", "0.5", "--timeout", "1", "web=" + ctx.address(a.stats),
                            "api=" + ctx.address(b.stats)], rows=ROWS, cols=COLS)

    def dump():
        return "screen:\n" + "\n".join("  |" + ln for ln in _screen(p).text() if ln.strip())

    def shows(pred, secs=10):
        return wait_until(lambda: pred(_screen(p)), secs, 0.2)

    try:
        check(shows(lambda s: s.contains("2 ok")), "the fleet never showed two instances ok\n%s" % dump())
        time.sleep(1.0)
        victim = sorted(a.children())[0]
        os.kill(victim, signal.SIGKILL)  # a worker of a master this test started
        check(shows(lambda s: s.contains("event: web: worker") and s.contains("Tab shows events")),
              "no new-event notice naming web\n%s" % dump())
        p.send(b"\t")
        check(shows(lambda s: any(" web " in ln and " respawn " in ln and "pid %d ->" % victim in ln
                                  for ln in s.text())), "no respawn row of web for pid %d\n%s" % (victim, dump()))
        check(not any(" api " in ln and " respawn " in ln for ln in _screen(p).text()),
              "api shows a respawn it did not have\n%s" % dump())
        p.send(b"\r")
        check(shows(lambda s: s.contains("masterpid: %d" % a.pid)), "Enter did not open web's screen\n%s" % dump())
        # Opened from the event: on its events pane, that respawn listed, the breadcrumb on top.
        check(shows(lambda s: s.text()[0].startswith("fleet \u203a web - ")
                    and any(" respawn " in ln and "pid %d ->" % victim in ln for ln in s.text())),
              "web's screen does not show the event it was opened from\n%s" % dump())
        p.send(b"q")  # back to the fleet, not out of the program
        check(shows(lambda s: s.contains("uwsgitop fleet - 2 instances")), "q did not come back to the fleet\n%s" % dump())
        check(p.poll() is None, "q inside an instance quit the program")
        p.send(b"q")
        check(p.wait(10) == 0, "exit %s after q" % p.rc)
    finally:
        p.close()
