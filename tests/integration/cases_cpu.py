# cases_cpu.py — the `cpu` column on a real uWSGI (issue 33): one worker kept
# busy by a CPU-bound request (/spin) shows far more CPU than the idle one in
# `--batch --format json`, and what uwsgitop says agrees with /proc itself.
import os

import harness
from harness import check, workers_of
from suite import case


def cpu_ticks(pid):
    """utime + stime of /proc/PID/stat (fields 14 and 15), in clock ticks."""
    with open("/proc/%d/stat" % pid, encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # field 3 is fields[0]


@case("cpu-busy-worker")
def cpu_busy_worker(ctx):
    u = ctx.uwsgi(["--processes", "2"], stats="unix")
    addr = ctx.address(u.stats)
    spin = harness.InFlight(u.http_port, b"GET /spin?s=12 HTTP/1.0\r\nHost: t\r\n\r\n")
    try:
        def busy():
            return [w for w in workers_of(u.read()[1]) if w.get("status") == "busy"]
        found = harness.wait_until(busy, 10)
        check(found and len(busy()) == 1, "uWSGI shows no single busy worker: %r" % (found,))
        wid, pid = busy()[0]["id"], busy()[0]["pid"]
        pids = {w["id"]: w["pid"] for w in workers_of(u.read()[1])}
        before = {w: cpu_ticks(p) for w, p in pids.items()}
        t0 = os.times().elapsed
        r = ctx.tool("--batch", "-n", "3", "-d", "1", "--format", "json", addr, timeout=30)
        elapsed = os.times().elapsed - t0
        after = {w: cpu_ticks(p) for w, p in pids.items()}
        check(r.rc == 0 and r.err == b"", "rc %s, stderr %r" % (r.rc, r.errtext()))
        docs = r.json_lines()
        check(len(docs) == 3, "%d snapshots, expected 3" % len(docs))
        first = {w["id"]: w.get("cpu") for w in docs[0]["workers"]}
        check(all(v is None for v in first.values()), "cpu on the first snapshot: %r" % first)
        tck = os.sysconf("SC_CLK_TCK")
        proc = {w: 100.0 * (after[w] - before[w]) / tck / elapsed for w in pids}
        for doc in docs[1:]:
            cpu = {w["id"]: w.get("cpu") for w in doc["workers"]}
            check(all(isinstance(v, (int, float)) for v in cpu.values()), "cpu not known: %r" % cpu)
            others = [v for w, v in cpu.items() if w != wid]
            check(cpu[wid] >= 30 and all(cpu[wid] >= v + 25 for v in others),
                  "worker %d (pid %d, spinning) at %.1f%% is not well above the others %r" %
                  (wid, pid, cpu[wid], others))
            check(all(v <= 15 for v in others), "an idle worker uses CPU: %r" % cpu)
        # /proc over the whole run agrees with what uwsgitop saw.
        check(proc[wid] >= 30, "/proc says the spinning worker used %.1f%%" % proc[wid])
        last = {w["id"]: w["cpu"] for w in docs[-1]["workers"]}
        check(abs(last[wid] - proc[wid]) <= 40,
              "uwsgitop says %.1f%%, /proc %.1f%% over the run" % (last[wid], proc[wid]))
        check(all(proc[w] <= 15 for w in pids if w != wid), "/proc: idle workers used %r" % proc)
    finally:
        spin.close()
