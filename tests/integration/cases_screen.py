# cases_screen.py — the interactive screen on a pseudo-terminal, read back
# through a small xterm model (vt.py): it shows the real workers, never puts
# a server's raw control bytes on the terminal, keeps running while the
# server is gone and shows the new master when one comes back, and 'q'
# restores the terminal and exits 0.
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
