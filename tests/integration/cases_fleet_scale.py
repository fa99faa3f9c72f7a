# cases_fleet_scale.py — a large fleet with hung members (issue 18): 199 fake
# stats servers in one process (fake_fleet.py, 10 of them accept and never
# answer) plus one real uWSGI, polled by the real binary.
#   screen: the fleet screen on a pty at 1 s keeps fetching every answering
#           instance once a second (counted by the fake process), the real
#           uWSGI's workers are read, and the silent ones are shown as timed
#           out within their timeout (2 s) plus a hand-over;
#   batch:  --batch -n 4 -d 1 waits one timeout for its first round only:
#           later rounds do not wait for the members that already failed
#           (shown with their error while asked again), so 4 rounds take
#           about 2 + 3 x 1 s, not 4 x 2 + 3 x 1 s;
#   once:   --once --concurrency 4 over the 200 ends after about one timeout
#           (not one per batch of 4 hung members), with the 190 answering ones in its JSON
#           and one error line per silent one.
# The fake process and uWSGI are stopped by their pids.
import json
import os
import subprocess
import sys
import time

from harness import Fail, check, wait_until
from ptyrun import PtyRun
from suite import case
import vt

HERE = os.path.dirname(os.path.abspath(__file__))
COUNT, SILENT, TIMEOUT = 199, 10, 2.0


class FakeFleet:
    def __init__(self, count, silent):
        self.p = subprocess.Popen([sys.executable, os.path.join(HERE, "fake_fleet.py"), str(count), str(silent)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.p.stdout.readline()
        if not line:
            self.close()
            raise Fail("fake_fleet.py did not start")
        self.ports = json.loads(line)["ports"]

    def counts(self):
        self.p.stdin.write("counts\n")
        self.p.stdin.flush()
        return json.loads(self.p.stdout.readline())["counts"]

    def close(self):
        if self.p.poll() is None:
            self.p.terminate()   # our own child, by its pid
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


def _targets(ctx, fleet, real_addr):
    path = ctx.path("targets")
    with open(path, "w") as f:
        f.write("real=%s\n" % real_addr)   # first: on the screen's first page
        for i, port in enumerate(fleet.ports):
            name = "silent-%02d" % i if i < SILENT else "fake-%03d" % i
            f.write("%s=127.0.0.1:%d\n" % (name, port))
    return path


@case("fleet-scale")
def fleet_scale(ctx):
    u = ctx.uwsgi(["--processes", "2"])
    fleet = FakeFleet(COUNT, SILENT)
    try:
        path = _targets(ctx, fleet, u.stats.bind_arg())
        ctx.sub("screen", lambda: _screen(ctx, fleet, path))
        ctx.sub("once", lambda: _once(ctx, fleet, path, u))
        ctx.sub("batch", lambda: _batch(ctx, fleet, path))
    finally:
        fleet.close()


def _screen(ctx, fleet, path):
    p = PtyRun(ctx.binary, ["--targets", path, "-d", "1", "--timeout", TIMEOUT], rows=50, cols=200)
    try:
        def screen():
            s = vt.Screen(50, 200)
            s.feed(p.output())
            return s

        t0 = time.monotonic()
        # The first round's hand-over: the answering instances ok on the screen.
        check(wait_until(lambda: any("fake-010" in ln and " ok" in ln for ln in screen().text()), 10),
              "the fleet screen never showed the instances\n" + "\n".join(screen().text()))
        # Silent ones: shown timed out once their timeout passed, not much later.
        def silent_down():
            rows = [ln for ln in screen().text() if "silent-" in ln]
            return len(rows) >= SILENT and all("timed out" in ln or "error" in ln for ln in rows)
        check(wait_until(silent_down, TIMEOUT + 3), "the silent instances were not shown down\n" +
              "\n".join(screen().text()))
        down_after = time.monotonic() - t0
        check(down_after <= TIMEOUT + 1.5, "silent shown down after %.1f s (timeout %.1f s)" % (down_after, TIMEOUT))
        # The interval holds while they hang: every answering one fetched about once a second.
        before = fleet.counts()
        time.sleep(5.0)
        after = fleet.counts()
        per = [after[i] - before[i] for i in range(SILENT, COUNT)]
        check(min(per) >= 4, "in 5 s an answering instance was fetched only %d times (interval 1 s; max %d)"
              % (min(per), max(per)))
        check(max(per) <= 6, "an answering instance was fetched %d times in 5 s (interval 1 s)" % max(per))
        # A silent one holds one connection at a time: a new one per timeout, at most.
        held = [after[i] - before[i] for i in range(SILENT)]
        check(max(held) <= 5.0 / TIMEOUT + 1, "a silent instance got %d connections in 5 s" % max(held))
        real = [ln for ln in screen().text() if ln.lstrip().startswith("real")]
        check(real and " ok" in real[0], "the real uWSGI is not ok on the screen: %r\n%s"
              % (real, "\n".join(screen().text())))
    finally:
        p.send(b"q")
        p.wait(5)
        p.close()


def _once(ctx, fleet, path, u):
    # --concurrency bounds only the threads of blocking sources (names,
    # http(s), files): the socket targets all share one event loop, so 10
    # hung members cost one timeout, not ceil(10 / 4) of them.
    r = ctx.tool("--targets", path, "--once", "--format", "json", "--timeout", TIMEOUT, "--concurrency", 4,
                 timeout=30)
    check(not r.timed_out, "--once hung")
    check(r.rc == 1, "exit %s, expected 1 (10 instances down)" % r.rc)
    check(r.elapsed <= TIMEOUT + 1.5, "--once took %.2f s over 200 instances with 10 hung (timeout %.1f s)"
          % (r.elapsed, TIMEOUT))
    doc = r.json()
    instances = doc["instances"] if isinstance(doc, dict) else doc
    states = {i["name"]: i["state"] for i in instances}
    check(len(states) == COUNT + 1, "%d instances in the JSON, expected %d" % (len(states), COUNT + 1))
    ok = [n for n, s in states.items() if s == "ok"]
    check(len(ok) == COUNT + 1 - SILENT, "%d ok, expected %d" % (len(ok), COUNT + 1 - SILENT))
    for i in range(SILENT):
        s = states["silent-%02d" % i]
        check("timed out after 2.0s (no reply)" in s, "silent-%02d: %r" % (i, s))
    lines = [ln for ln in r.errtext().splitlines() if ln]
    check(len(lines) == SILENT and all("timed out" in ln for ln in lines),
          "stderr: expected %d timeout lines, got %r" % (SILENT, lines[:3]))


def _batch(ctx, fleet, path):
    r = ctx.tool("--targets", path, "--batch", "-n", 4, "-d", 1, "--format", "json", "--timeout", TIMEOUT,
                 timeout=40)
    check(not r.timed_out, "--batch hung")
    docs = r.json_lines()
    check(len(docs) == 4, "%d JSON documents, expected 4" % len(docs))
    check(r.elapsed <= TIMEOUT + 3 * 1.0 + 2.0, "--batch -n 4 -d 1 took %.2f s with 10 hung members (timeout %.1f s)"
          % (r.elapsed, TIMEOUT))
    for n, doc in enumerate(docs, 1):
        states = {i["name"]: i["state"] for i in doc["instances"]}
        ok = [k for k, v in states.items() if v == "ok"]
        check(len(ok) == COUNT + 1 - SILENT, "round %d: %d ok, expected %d" % (n, len(ok), COUNT + 1 - SILENT))
        for i in range(SILENT):
            s = states["silent-%02d" % i]
            check("timed out after 2.0s (no reply)" in s, "round %d: silent-%02d: %r" % (n, i, s))
