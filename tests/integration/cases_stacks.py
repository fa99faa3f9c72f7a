# cases_stacks.py — --stacks on a real uWSGI (issue 33): the Python stacks
# of its workers from uWSGI's own tracebacker, and a socket at the prefix
# path that no worker holds (bound by this case) refused without a connect;
# on the screen, a worker's details (Enter) show its stacks and p reads again;
# stuck and harakiri events carry the stack captured while the request ran.
import os
import socket
import time

import harness
from harness import check, workers_of
from suite import case


def slow_line():
    """The line of app.py where /slow sleeps: the innermost frame of a slow request."""
    with open(harness.APP, encoding="utf-8") as f:
        for n, text in enumerate(f, 1):
            if text.strip() == "_sleep(s)":
                return n
    raise harness.Fail("no '_sleep(s)' line in %s" % harness.APP)


def busy_ids(u):
    return [w["id"] for w in workers_of(u.read()[1]) if w.get("status") == "busy"]


def has_frame(stack, line):
    return any(f.get("function") == "application" and str(f.get("file", "")).endswith("app.py")
               and f.get("line") == line and f.get("code") == "_sleep(s)" for f in stack or [])


@case("stacks-tracebacker")
def stacks_tracebacker(ctx):
    prefix = ctx.path("tb")
    u = ctx.uwsgi(["--processes", "2", "--enable-threads", "--py-tracebacker", prefix], stats="unix")
    addr = ctx.address(u.stats)
    check(harness.wait_until(lambda: os.path.exists(prefix + "1") and os.path.exists(prefix + "2"), 15),
          "uWSGI made no tracebacker sockets at %s1, %s2" % (prefix, prefix))
    line = slow_line()
    slow = harness.InFlight(u.http_port, b"GET /slow?s=8 HTTP/1.0\r\nHost: t\r\n\r\n")
    try:
        busy = harness.wait_until(lambda: busy_ids(u), 10)
        check(busy and len(busy) == 1, "uWSGI shows no single busy worker: %r" % (busy,))
        wid = busy[0]

        def json_dump():
            doc = ctx.once(addr, "--stacks")  # exit 0, nothing on stderr: every worker was read
            stacks = {w["id"]: w.get("stack") for w in doc["workers"]}
            check(has_frame(stacks.get(wid), line),
                  "worker %d (busy) has no frame app.py:%d application: %r" % (wid, line, stacks.get(wid)))
            for other, stack in stacks.items():
                if other != wid:
                    check(isinstance(stack, list), "worker %d: stack not read: %r" % (other, stack))
                    check(not has_frame(stack, line), "idle worker %d shows the slow frame" % other)
        ctx.sub("json", json_dump)

        def table_dump():
            r = ctx.tool("--once", "--stacks", "-c", "id,pid,status", addr)
            check(r.rc == 0 and r.err == b"", "rc %s, stderr %r" % (r.rc, r.errtext()))
            lines = r.text().splitlines()
            row = [i for i, x in enumerate(lines) if x.split()[:1] == [str(wid)] and "busy" in x]
            check(row, "no row for the busy worker %d:\n%s" % (wid, r.text()))
            under = "\n".join(lines[row[0] + 1:row[0] + 8])
            check("app.py:%d application" % line in under and "_sleep(s)" in under,
                  "the frame is not under worker %d's row:\n%s" % (wid, r.text()))
        ctx.sub("table", table_dump)
    finally:
        slow.close()


@case("stacks-foreign-socket")
def stacks_foreign_socket(ctx):
    u = ctx.uwsgi(["--processes", "2"], stats="unix")
    addr = ctx.address(u.stats)
    prefix = ctx.path("tb")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        srv.bind(prefix + "1")
        srv.listen(8)
        srv.setblocking(False)
        r = ctx.tool("--once", "--stacks", "--format", "json", "--tracebacker", prefix, addr)
        check(r.rc == 0, "rc %s (a refused stack is no error): %r" % (r.rc, r.errtext()))
        err = r.errtext()
        check("worker 1, pid " in err and "does not hold the socket bound there" in err and
              "refused, not connected" in err, "no refusal for worker 1 on stderr: %r" % err)
        check("worker 2, pid " in err and "no such socket" in err, "no line for worker 2: %r" % err)
        check(all(w.get("stack") is None for w in r.json()["workers"]), "a stack was read: %r" % r.text())
        try:
            conn, _ = srv.accept()
            conn.close()
            raise harness.Fail("uwsgitop connected to the socket it refused")
        except BlockingIOError:
            pass  # no connection was ever made: 0 accepts

        r = ctx.tool("--once", "--stacks", addr)
        check(r.rc == 0, "rc %s without a tracebacker: %r" % (r.rc, r.errtext()))
        check(r.errtext().count("\n") == 1 and "no Python tracebacker: start uWSGI with --py-tracebacker "
              "/run/app/tb --enable-threads" in r.errtext(), "no one-line hint: %r" % r.errtext())
        check("WID" in r.text(), "no table: %r" % r.text())

        r = ctx.tool("--batch", "-n", "3", "-d", "0.2", "--stacks", "--format", "json", addr)
        check(r.rc == 0 and len(r.json_lines()) == 3, "rc %s, %r" % (r.rc, r.text()[:300]))
        check(r.errtext().count("no Python tracebacker") == 1,
              "--batch repeats an unchanged line: %r" % r.errtext())
    finally:
        srv.close()


@case("stacks-screen")
def stacks_screen(ctx):
    """Enter on the busy worker shows its Python stacks in the details; p reads
    again; with no details open nothing touches a tracebacker socket."""
    from ptyrun import PtyRun
    from vt import Screen

    rows, cols = 40, 160

    def screen(p):
        s = Screen(rows, cols)
        s.feed(p.output())
        return s

    def dump(p):
        return "screen:\n" + "\n".join("  |" + ln for ln in screen(p).text() if ln.strip())

    prefix = ctx.path("tb")
    u = ctx.uwsgi(["--processes", "2", "--enable-threads", "--py-tracebacker", prefix], stats="unix")
    addr = ctx.address(u.stats)
    check(harness.wait_until(lambda: os.path.exists(prefix + "1") and os.path.exists(prefix + "2"), 15),
          "uWSGI made no tracebacker sockets")
    line = slow_line()
    slow = harness.InFlight(u.http_port, b"GET /slow?s=15 HTTP/1.0\r\nHost: t\r\n\r\n")
    try:
        busy = harness.wait_until(lambda: busy_ids(u), 10)
        check(busy and len(busy) == 1, "uWSGI shows no single busy worker: %r" % (busy,))
        wid = busy[0]

        def details():
            p = PtyRun(ctx.binary, ["-d", "0.5", addr], rows=rows, cols=cols)
            try:
                check(harness.wait_until(lambda: screen(p).contains("busy"), 10, 0.1), "no busy row\n%s" % dump(p))
                p.send(b"/busy\r")  # the busy worker's row alone
                time.sleep(0.3)
                p.send(b"\r")       # its details
                title = "Worker %d - pid" % wid
                check(harness.wait_until(lambda: screen(p).contains(title), 5, 0.1),
                      "no details of worker %d\n%s" % (wid, dump(p)))
                frame = "app.py:%d application" % line
                check(harness.wait_until(lambda: screen(p).contains(frame) and screen(p).contains("_sleep(s)"), 8, 0.1),
                      "the details show no %r\n%s" % (frame, dump(p)))
                check(screen(p).contains("Python stacks (read "), "no read time\n%s" % dump(p))
                p.send(b"p")
                check(harness.wait_until(lambda: screen(p).contains("reading worker %d's Python stacks" % wid), 5, 0.1),
                      "p said nothing\n%s" % dump(p))
                check(harness.wait_until(lambda: screen(p).contains(frame), 8, 0.1),
                      "the frame is gone after p\n%s" % dump(p))
                p.send(b"q")
                p.send(b"q")
                check(p.wait(10) is not None, "uwsgitop did not quit")
            finally:
                p.close()
        ctx.sub("details", details)

        def no_cost():
            strace = "/usr/bin/strace"
            if not os.access(strace, os.X_OK):
                raise harness.Skip("no strace to count the connects")
            log = ctx.path("strace.log")
            # --stuck-after 60: no stuck worker (its stack would be captured) within the run
            p = PtyRun(strace, ["-f", "-e", "trace=connect,openat", "-o", log, ctx.binary, "-d", "0.5",
                                "--stuck-after", "60", addr],
                       rows=rows, cols=cols)
            try:
                check(harness.wait_until(lambda: screen(p).contains("busy"), 10, 0.1), "no busy row\n%s" % dump(p))
                time.sleep(2.5)  # five refreshes on the worker table, a worker busy
                p.send(b"q")
                check(p.wait(10) is not None, "uwsgitop did not quit")
            finally:
                p.close()
            with open(log, errors="replace") as f:
                calls = f.read()
            check(addr in calls, "strace saw no connect to the stats socket: %r" % calls[-2000:])
            # A tracebacker socket is reached by a connect() through /proc/self/fd/N
            # (tracebacker.hpp); the master's config is read once through such
            # a path too (for its --harakiri), which is not a socket.
            touched = [ln for ln in calls.splitlines()
                       if prefix in ln or ("/proc/self/fd/" in ln and "connect(" in ln)]
            check(not touched, "a tracebacker socket was touched with no details open: %r" % touched[:5])
        ctx.sub("no-cost", no_cost)
    finally:
        slow.close()


def stack_has_slow_frame(event, line):
    return has_frame(event.get("stack"), line)


@case("stacks-stuck-harakiri")
def stacks_stuck_harakiri(ctx):
    """--batch --format events at the default 1 s interval: a request past
    --stuck-after is a stuck event with its method, URI and stack; a request
    harakiri kills is a harakiri event with the URI and the stack captured at
    half the harakiri (the master's --harakiri 4 read from its command line).
    On the screen's worker table at the default refresh the same harakiri
    event names the request and shows the stack in its details."""
    import threading
    prefix = ctx.path("tb")
    u = ctx.uwsgi(["--processes", "2", "--enable-threads", "--py-tracebacker", prefix, "--harakiri", "4"],
                  stats="unix")
    addr = ctx.address(u.stats)
    check(harness.wait_until(lambda: os.path.exists(prefix + "1") and os.path.exists(prefix + "2"), 15),
          "uWSGI made no tracebacker sockets")
    line = slow_line()

    def batch():
        out = {}
        run = threading.Thread(target=lambda: out.update(
            r=ctx.tool("--batch", "--format", "events", "-n", "13", "--stuck-after", "2", addr, timeout=40)))
        run.start()
        time.sleep(1.5)  # a first snapshot: events compare two
        short = harness.InFlight(u.http_port, b"GET /slow?s=3 HTTP/1.0\r\nHost: t\r\n\r\n")
        killed = harness.InFlight(u.http_port, b"GET /slow?s=8 HTTP/1.0\r\nHost: t\r\n\r\n")
        run.join(45)
        short.close()
        killed.close()
        r = out.get("r")
        check(r is not None and r.rc == 0, "the batch did not end well: %s" % (r.describe() if r else "no result"))
        events = r.json_lines()
        stuck = [e for e in events if e.get("kind") == "stuck"]
        check(any(e.get("uri") == "/slow?s=3" and e.get("method") == "GET" and stack_has_slow_frame(e, line)
                  and e.get("seconds", 0) >= 2 for e in stuck),
              "no stuck event for /slow?s=3 with its stack: %r" % stuck)
        hk = [e for e in events if e.get("kind") == "harakiri"]
        check(len(hk) == 1, "not one harakiri event: %r" % hk)
        check(hk[0].get("uri") == "/slow?s=8" and stack_has_slow_frame(hk[0], line),
              "the harakiri event has no URI or stack: %r" % hk[0])
        check(isinstance(hk[0].get("pid"), int) and hk[0]["pid"] > 0, "no pid in %r" % hk[0])
    ctx.sub("batch-events", batch)

    def screen():
        from ptyrun import PtyRun
        from vt import Screen
        rows, cols = 40, 160

        def shot(p):
            s = Screen(rows, cols)
            s.feed(p.output())
            return s

        def dump(p):
            return "screen:\n" + "\n".join("  |" + ln for ln in shot(p).text() if ln.strip())

        check(harness.wait_until(lambda: not busy_ids(u), 15), "a worker is still busy before the screen run")
        p = PtyRun(ctx.binary, [addr], rows=rows, cols=cols)  # the default 1 s, the worker table
        killed = None
        try:
            check(harness.wait_until(lambda: shot(p).contains("idle"), 10, 0.1), "no worker rows\n%s" % dump(p))
            killed = harness.InFlight(u.http_port, b"GET /slow?s=8 HTTP/1.0\r\nHost: t\r\n\r\n")
            check(harness.wait_until(lambda: shot(p).contains("events"), 15, 0.2), "no event\n%s" % dump(p))
            check(harness.wait_until(lambda: u.read()[1]["workers"] and
                                     any(w.get("harakiri_count") for w in workers_of(u.read()[1])), 15, 0.3),
                  "uWSGI did not kill the request")
            time.sleep(1.5)  # the next snapshot shows it
            # Tab to the events pane (it appeared with the first event), the harakiri line alone.
            for _ in range(12):
                if shot(p).contains("KIND"):
                    break
                p.send(b"\t")
                time.sleep(0.4)
            check(shot(p).contains("KIND"), "no events pane\n%s" % dump(p))
            p.send(b"/harakiri\r")
            check(harness.wait_until(lambda: shot(p).contains("harakiri x1: GET /slow?s=8"), 5, 0.1),
                  "no harakiri event naming the request\n%s" % dump(p))
            p.send(b"\r")
            check(harness.wait_until(lambda: shot(p).contains("Python stack (captured"), 5, 0.1),
                  "the event's details show no captured stack\n%s" % dump(p))
            check(shot(p).contains("app.py:%d application" % line), "no slow frame in the details\n%s" % dump(p))
            p.send(b"\x1b")
            p.send(b"q")
            check(p.wait(10) is not None, "uwsgitop did not quit")
        finally:
            if killed:
                killed.close()
            p.close()
    ctx.sub("screen", screen)
