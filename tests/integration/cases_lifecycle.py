# cases_lifecycle.py — worker life on a real uWSGI: cheaper workers, harakiri
# respawns, pause (SIGTSTP), signal handlers (sigNN), graceful reload
# (SIGHUP) under a running monitor, and an Emperor with a failing vassal.
import os
import signal
import subprocess
import threading
import time
import urllib.request

from harness import (APP, PacedLoad, StatsAddr, check, children, descendants, free_port, load, settle,
                     try_read, wait_until, workers_of)
from suite import case


def _sum(ws, key):
    return sum(int(w.get(key) or 0) for w in ws)


def _spawned(parsed):
    return [w for w in workers_of(parsed) if w.get("pid")]


def _rates_sane(objs, max_total_rps):
    """Every rate is null or >= 0, and the total worker rps of each snapshot
    stays under max_total_rps (no spike from a respawn or a reset)."""
    for n, o in enumerate(objs):
        for w in o.get("workers") or []:
            for key in ("rps", "exc_rate", "tx_rate"):
                v = w.get(key)
                check(v is None or v >= 0, "snapshot %d worker %s: %s = %r" % (n, w.get("id"), key, v))
            for c in w.get("cores") or []:
                v = c.get("rps")
                check(v is None or v >= 0, "snapshot %d worker %s core %s: rps %r" % (n, w.get("id"), c.get("id"), v))
        tot = sum(w.get("rps") or 0 for w in o.get("workers") or [])
        check(tot <= max_total_rps, "snapshot %d: total rps %.1f, expected at most %s" % (n, tot, max_total_rps))


# ------------------------------------------------------------------ case 5

@case("cheaper")
def cheaper(ctx):
    u = ctx.uwsgi(["--processes", "4", "--cheaper", "1", "--cheaper-initial", "1"],
                  ready=lambda raw, p: bool(p) and any(w.get("pid") and w.get("accepting") for w in workers_of(p)))
    addr = ctx.address(u.stats)

    def idle_cheap():
        j = ctx.once(addr)
        ws = j["workers"]
        check(len(ws) == 4, "%d worker slots, expected 4" % len(ws))
        cheap = [w for w in ws if w.get("status") == "cheap"]
        check(len(cheap) >= 1, "no worker reports status cheap: %s" % [w.get("status") for w in ws])
        check(all(w.get("id") == 0 for w in cheap), "cheap never-spawned workers should have id 0: %s"
              % [(w.get("id"), w.get("pid")) for w in cheap])
        live = sorted(w["pid"] for w in ws if w.get("pid"))
        check(live == sorted(u.children()), "live worker pids %s != children %s" % (live, u.children()))
        ctx.note("%d cheap" % len(cheap))
    ctx.sub("idle", idle_cheap)

    def comes_back():
        bg = threading.Thread(target=load, args=(u.http_port, ["/slow?s=5"] * 4),
                              kwargs={"concurrency": 4, "max_seconds": 20}, daemon=True)
        bg.start()
        try:
            got = wait_until(lambda: len(_spawned(u.read()[1])) >= 2, 15, 0.25)
            check(got, "uWSGI did not spawn a second worker under load (harness saw none)")
            j = ctx.once(addr)
            live = [w for w in j["workers"] if w.get("pid")]
            check(len(live) >= 2, "uwsgitop shows %d live workers, uWSGI spawned >= 2" % len(live))
            check(all(w.get("status") != "cheap" and w.get("id", 0) > 0 for w in live),
                  "spawned workers: %s" % [(w.get("id"), w.get("status")) for w in live])
        finally:
            bg.join(30)
    ctx.sub("comes-back", comes_back)


# ------------------------------------------------------------------ case 6

@case("harakiri")
def harakiri(ctx):
    u = ctx.uwsgi(["--processes", "2", "--harakiri", "1"])
    addr = ctx.address(u.stats)
    statuses = load(u.http_port, ["/"] * 6, concurrency=2)
    check(statuses.count(200) == 6, "the app answered %d of 6" % statuses.count(200))
    settle(u.stats, 6)
    before = {w["id"]: w for w in ctx.once(addr)["workers"]}
    load(u.http_port, ["/slow?s=3"], concurrency=1, timeout=10)

    def respawned():
        p = u.read()[1]
        ws = workers_of(p)
        hk = [w for w in ws if w.get("harakiri_count")]
        return hk and all(w.get("pid") and w["pid"] != before[w["id"]]["pid"] and w.get("accepting") for w in hk)
    check(wait_until(respawned, 15, 0.2), "uWSGI itself never showed a harakiri respawn")
    j = ctx.once(addr)
    ws = j["workers"]
    check(_sum(ws, "harakiri_count") >= 1, "sum(harakiri_count) = %d after a 3 s request with --harakiri 1"
          % _sum(ws, "harakiri_count"))
    for w in ws:
        b = before[w["id"]]
        if w.get("harakiri_count"):
            check(w["pid"] != b["pid"], "worker %d: pid %d did not change after harakiri" % (w["id"], w["pid"]))
            check(w["respawn_count"] > b["respawn_count"], "worker %d: respawn_count %s -> %s"
                  % (w["id"], b["respawn_count"], w["respawn_count"]))
        check(w["requests"] >= b["requests"], "worker %d: requests %d -> %d (must carry on across respawn)"
              % (w["id"], b["requests"], w["requests"]))
    check(sorted(w["pid"] for w in ws) == sorted(u.children()), "pids != the master's children")
    check(_sum(ws, "requests") >= 6, "requests %d < 6" % _sum(ws, "requests"))


@case("harakiri-rates")
def harakiri_rates(ctx):
    """A monitor running across a harakiri respawn under a paced load: the
    counters carry on (uWSGI keeps them), so rates stay sane. No threads:
    in uWSGI 2.0 any request ending on a worker resets its harakiri timer."""
    u = ctx.uwsgi(["--processes", "2", "--harakiri", "1"])
    bg = PacedLoad(u.http_port, rate=10, seconds=6).start()
    slow = threading.Thread(target=load, args=(u.http_port, ["/slow?s=3"]), kwargs={"max_seconds": 10},
                            daemon=True)
    result = {}
    mon = threading.Thread(target=lambda: result.setdefault("r", ctx.tool(
        "--batch", "-n", "7", "-d", "1", "--format", "json", ctx.address(u.stats), timeout=30)), daemon=True)
    mon.start()
    time.sleep(0.5)
    slow.start()
    mon.join(40)
    slow.join(15)
    bg.join()
    r = result.get("r")
    check(r is not None and not r.timed_out, "the monitor hung")
    check(r.rc == 0, "exit %s" % r.rc)
    objs = r.json_lines()
    check(len(objs) == 7, "%d snapshots, expected 7" % len(objs))
    check(_sum(objs[-1]["workers"], "harakiri_count") >= 1, "no harakiri happened during the run")
    _rates_sane(objs, 60)
    pids = [sorted(w["pid"] for w in o["workers"]) for o in objs]
    check(pids[0] != pids[-1], "no respawn seen by the monitor: %s" % pids)
    ctx.note("load sent %d" % bg.sent)


# ------------------------------------------------------------------ case 7

@case("pause-and-signal")
def pause_and_signal(ctx):
    u = ctx.uwsgi(["--processes", "2", "--threads", "2"], env={"INTEG_SIG_SLEEP": "4"})
    addr = ctx.address(u.stats)

    def all_status(want):
        return lambda: (lambda ws: bool(ws) and all(w.get("status") == want for w in ws))(workers_of(u.read()[1]))

    def paused():
        u.signal(signal.SIGTSTP)
        check(wait_until(all_status("pause"), 10, 0.1), "uWSGI itself never showed all workers paused")
        st = [w.get("status") for w in ctx.once(addr)["workers"]]
        check(st == ["pause"] * 2, "statuses %s, expected pause" % st)
        u.signal(signal.SIGTSTP)
        check(wait_until(all_status("idle"), 10, 0.1), "uWSGI itself never resumed")
        st = [w.get("status") for w in ctx.once(addr)["workers"]]
        check(st == ["idle"] * 2, "statuses after resume %s, expected idle" % st)
    ctx.sub("pause", paused)

    def in_signal():
        check(load(u.http_port, ["/signal?n=17"], concurrency=1) == [200], "GET /signal failed")
        seen = wait_until(lambda: any(w.get("status") == "sig17" for w in workers_of(u.read()[1])), 3, 0.05)
        check(seen, "uWSGI itself never showed sig17")
        st = [w.get("status") for w in ctx.once(addr)["workers"]]
        check("sig17" in st, "statuses %s while signal 17's handler sleeps, expected sig17" % st)
    ctx.sub("sig17", in_signal)


# ------------------------------------------------------------------ case 8

@case("reload")
def reload(ctx):
    u = ctx.uwsgi(["--processes", "2", "--threads", "2"])
    addr = ctx.address(u.stats)
    old = set(u.children())
    result = {}

    def monitor():
        result["r"] = ctx.tool("--batch", "-n", "6", "-d", "0.5", "--format", "json", "--timeout", "2", addr,
                               timeout=40)
    t = threading.Thread(target=monitor, daemon=True)
    t.start()
    time.sleep(0.8)
    u.signal(signal.SIGHUP)
    t.join(60)
    r = result.get("r")
    check(r is not None, "the monitor thread did not finish")
    check(not r.timed_out, "uwsgitop hung across the reload (killed after 40 s)")
    check(r.rc in (0, 1), "exit %s (a crash?)" % r.rc)
    for line in r.errtext().splitlines():
        check(line.startswith("uwsgitop: " + addr + ": "), "stderr line %r is not 'uwsgitop: ADDRESS: cause'" % line)
    objs = r.json_lines()
    check(objs, "no snapshot printed at all")
    check(all(o.get("pid") == u.pid for o in objs), "master pid changed: %s" % [o.get("pid") for o in objs])
    first = {w["pid"] for w in objs[0]["workers"]}
    last = {w["pid"] for w in objs[-1]["workers"]}
    new = set(u.children())
    check(first == old or not (first & new), "first snapshot pids %s vs old %s" % (first, old))
    check(last and not (last & old), "last snapshot still shows pre-reload pids %s (old %s, now %s)"
          % (last, old, new))
    check(last == new, "last snapshot pids %s != the master's children now %s" % (last, new))
    _rates_sane(objs, 5)  # no load ran: a reload alone must not make a rate
    ctx.note("%d snapshots, %d read errors" % (len(objs), len(r.errtext().splitlines())))


@case("restart")
def restart(ctx):
    """The master is replaced by a new one on the same stats address while a
    monitor runs: refused reads are reported, the monitor carries on, the
    counters that went down restart the baseline (no negative or huge rate)."""
    a = ctx.uwsgi(["--processes", "2"])
    sa = a.stats
    check(load(a.http_port, ["/"] * 30, concurrency=4).count(200) == 30, "first instance did not answer")
    settle(sa, 30)
    result = {}
    mon = threading.Thread(target=lambda: result.setdefault("r", ctx.tool(
        "--batch", "-n", "8", "-d", "0.6", "--format", "json", "--timeout", "1", ctx.address(sa), timeout=40)),
        daemon=True)
    mon.start()
    time.sleep(1.0)
    a.stop()
    time.sleep(0.8)
    b = ctx.uwsgi(["--processes", "2"], stats=sa)
    check(load(b.http_port, ["/"] * 2, concurrency=1).count(200) == 2, "second instance did not answer")
    mon.join(50)
    r = result.get("r")
    check(r is not None and not r.timed_out, "the monitor hung across the restart")
    check(r.rc == 0, "exit %s: the reads refused while nothing listened are reported, and the run "
          "ended with a good read (expected 0)" % r.rc)
    errs = r.errtext().splitlines()
    check(errs and all(e.startswith("uwsgitop: %s: " % ctx.address(sa)) for e in errs), "stderr %r" % errs[:3])
    objs = r.json_lines()
    check(len(objs) + len(errs) == 8, "%d snapshots + %d errors != 8 iterations" % (len(objs), len(errs)))
    check(objs and objs[0]["pid"] == a.pid and objs[-1]["pid"] == b.pid,
          "pids %s, expected %d then %d" % ([o["pid"] for o in objs], a.pid, b.pid))
    check(_sum(objs[-1]["workers"], "requests") == 2, "last snapshot shows %d requests, the new master had 2"
          % _sum(objs[-1]["workers"], "requests"))
    _rates_sane(objs, 20)
    ctx.note("%d snapshots, %d refused" % (len(objs), len(errs)))


# ------------------------------------------------------------------ case 9

_VASSAL = """[uwsgi]
plugin = python3
master = true
processes = %(procs)d
http-socket = 127.0.0.1:%(port)d
wsgi-file = %(app)s
disable-logging = true
"""

_BROKEN = """[uwsgi]
plugin = python3
master = true
need-app = true
wsgi-file = /nonexistent/uwsgitop-integ/app.py
http-socket = 127.0.0.1:%(port)d
"""


@case("emperor")
def emperor(ctx):
    vd = ctx.mkdir("vassals")
    for n, name in ((1, "app1"), (2, "app2")):
        with open(os.path.join(vd, name + ".ini"), "w") as f:
            f.write(_VASSAL % {"procs": n, "port": free_port(), "app": APP})
    with open(os.path.join(vd, "broken.ini"), "w") as f:
        f.write(_BROKEN % {"port": free_port()})

    def ready(raw, p):
        vs = {v.get("id"): v for v in (p or {}).get("vassals") or []}
        bl = [b.get("id") for b in (p or {}).get("blacklist") or []]
        return all(vs.get(k, {}).get("ready") for k in ("app1.ini", "app2.ini")) and "broken.ini" in bl
    u = ctx.uwsgi(["--emperor", vd], app=False, stats_opt="--emperor-stats", ready=ready)
    addr = ctx.address(u.stats)

    def as_json():
        j = ctx.once(addr)
        meta = j.get("uwsgitop") or {}
        check(meta.get("kind") == "emperor", "uwsgitop.kind = %r, expected emperor" % meta.get("kind"))
        check(j.get("pid") == u.pid, "pid %r != emperor %d" % (j.get("pid"), u.pid))
        vs = {v.get("id"): v for v in j.get("vassals") or []}
        check("app1.ini" in vs and "app2.ini" in vs, "vassals %s" % sorted(vs))
        kids = set(children(u.pid))
        for k in ("app1.ini", "app2.ini"):
            check(vs[k].get("pid") in kids, "%s pid %r is not a child of the emperor %s" % (k, vs[k].get("pid"), kids))
        # each vassal master has its own workers under it
        check(len(descendants(vs["app2.ini"]["pid"])) == 2, "app2 should have 2 workers")
        bl = [b.get("id") for b in j.get("blacklist") or []]
        check("broken.ini" in bl or "broken.ini" in vs, "broken.ini neither in vassals %s nor blacklist %s"
              % (sorted(vs), bl))
    ctx.sub("json", as_json)

    def as_tsv():
        r = ctx.tool("--once", "--format", "tsv", addr)
        check(r.rc == 0, "exit %s" % r.rc)
        check("app1.ini" in r.text() and "app2.ini" in r.text(), "vassal names missing from TSV")
        r = ctx.tool("--once", "--format", "table", addr)
        check(r.rc == 0, "table exit %s" % r.rc)
        check("app1.ini" in r.text(), "vassal names missing from the table")
    ctx.sub("tsv-table", as_tsv)


_VASSAL_YAML = """uwsgi:
  plugin: python3
  master: true
  processes: 1
  http-socket: 127.0.0.1:%(port)d
  wsgi-file: %(app)s
  disable-logging: true
  stats: 127.0.0.1:%(stats)d   # the vassal's own stats server
"""

_VASSAL_JSON = """{"uwsgi": {"plugin": "python3", "master": true, "processes": 1,
  "http-socket": "127.0.0.1:%(port)d", "wsgi-file": "%(app)s", "disable-logging": true,
  "stats": "127.0.0.1:%(stats)d"}}
"""

_VASSAL_XML = """<?xml version="1.0"?>
<uwsgi>
  <plugin>python3</plugin>
  <master/>
  <processes>1</processes>
  <http-socket>127.0.0.1:%(port)d</http-socket>
  <wsgi-file>%(app)s</wsgi-file>
  <disable-logging/>
  <stats>127.0.0.1:%(stats)d</stats>
</uwsgi>
"""


@case("emperor-follow-vassals")
def emperor_follow_vassals(ctx):
    """--follow-vassals with one Emperor address: the fleet is the Emperor
    plus every vassal whose config (ini, yaml, json, xml) names its stats
    server, each read as its own instance."""
    vd = ctx.mkdir("vassals")
    stats = {}
    for name, text in (("app1.ini", _VASSAL + "stats = 127.0.0.1:%(stats)d\n"), ("app2.yaml", _VASSAL_YAML),
                       ("app3.json", _VASSAL_JSON), ("app4.xml", _VASSAL_XML)):
        stats[name] = free_port()
        with open(os.path.join(vd, name), "w") as f:
            f.write(text % {"procs": 1, "port": free_port(), "app": APP, "stats": stats[name]})
    with open(os.path.join(vd, "nostats.ini"), "w") as f:
        f.write(_VASSAL % {"procs": 1, "port": free_port(), "app": APP})

    def ready(raw, p):
        vs = {v.get("id"): v for v in (p or {}).get("vassals") or []}
        return all(vs.get(k, {}).get("ready") for k in list(stats) + ["nostats.ini"])
    u = ctx.uwsgi(["--emperor", vd], app=False, stats_opt="--emperor-stats", ready=ready)
    addr = ctx.address(u.stats)
    # A vassal's stats server may answer a moment after it says ready.
    wait_until(lambda: all(try_read(StatsAddr("tcp", ("127.0.0.1", p)), 1)[0] for p in stats.values()), 15, 0.2)

    def as_json():
        j = ctx.once(addr, "--follow-vassals")
        by_name = {i.get("name"): i for i in j.get("instances") or []}
        check(set(by_name) == {addr} | set(stats), "instances %s, expected the emperor and %s"
              % (sorted(by_name), sorted(stats)))
        check((by_name.get(addr) or {}).get("uwsgitop", {}).get("kind") == "emperor", "the emperor's own row")
        kids = set(descendants(u.pid))
        for name, port in stats.items():
            inst = by_name.get(name) or {}
            check(inst.get("address") == "127.0.0.1:%d" % port, "%s: address %r" % (name, inst.get("address")))
            check(inst.get("state") == "ok", "%s: state %r" % (name, inst.get("state")))
            ws = inst.get("workers") or []
            check(len(ws) == 1 and ws[0].get("pid") in kids,
                  "%s: expected 1 worker under the emperor, got %r" % (name, [w.get("pid") for w in ws]))
    ctx.sub("json", as_json)

    def as_table():
        r = ctx.tool("--once", "--format", "table", "--follow-vassals", addr)
        check(r.rc == 0, "exit %s" % r.rc)
        for name in stats:
            check(name in r.text(), "%s missing from the fleet table" % name)
        check("nostats.ini" not in r.text(), "a vassal without a stats server cannot be followed")
    ctx.sub("table", as_table)

    def served_metrics():
        port = free_port()
        proc = subprocess.Popen([ctx.binary, "--serve-metrics", "127.0.0.1:%d" % port, "--follow-vassals", addr],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            body = None
            deadline = time.monotonic() + 15
            while body is None and time.monotonic() < deadline:
                try:
                    body = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10).read().decode()
                except OSError:
                    time.sleep(0.2)
            check(body is not None, "--serve-metrics did not answer")
            for name in stats:
                check('instance="%s"' % name in body, "%s missing from the served metrics" % name)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
    ctx.sub("serve-metrics", served_metrics)


@case("emperor-odd-names")
def emperor_odd_names(ctx):
    """Vassal file names with a quote, a comma and a tab: uWSGI writes them
    unescaped; JSON must recover them, CSV must quote them, TSV/table must
    not carry the raw tab."""
    vd = ctx.mkdir("vassals")
    names = ['q"uo,te.ini', "ta\tb.ini"]
    for n, name in enumerate(names, 1):
        with open(os.path.join(vd, name), "w") as f:
            f.write(_VASSAL % {"procs": 1, "port": free_port(), "app": APP})
    u = ctx.uwsgi(["--emperor", vd], app=False, stats_opt="--emperor-stats",
                  ready=lambda raw, p: raw.count(b'"ready":1') == 2)
    addr = ctx.address(u.stats)

    def as_json():
        j = ctx.once(addr)
        ids = sorted(v.get("id") for v in j.get("vassals") or [])
        check(ids == sorted(names), "vassal ids %r, expected %r" % (ids, sorted(names)))
        check((j.get("uwsgitop") or {}).get("repaired") is True, "repaired should be true")
    ctx.sub("json", as_json)

    def as_csv():
        import csv
        import io
        r = ctx.tool("--once", "--format", "csv", addr)
        check(r.rc == 0, "exit %s" % r.rc)
        rows = list(csv.reader(io.StringIO(r.text())))
        cells = {c for row in rows[1:] for c in row}
        check('q"uo,te.ini' in cells, "CSV does not carry the quoted/comma name as one field: %r" % rows[1:])
    ctx.sub("csv", as_csv)

    def as_tsv_table():
        for fmt in ("tsv", "table"):
            r = ctx.tool("--once", "--format", fmt, addr)
            check(r.rc == 0, "%s: exit %s" % (fmt, r.rc))
            lines = [ln for ln in r.out.split(b"\n") if ln]
            if fmt == "tsv":
                ncols = {ln.count(b"\t") for ln in lines}
                check(len(ncols) == 1, "TSV rows have differing column counts %s: a raw tab leaked" % ncols)
            else:
                check(b"\t" not in r.out, "the table carries a raw tab")
            check(b"ta" in r.out and b"uo,te" in r.out, "%s misses the vassal names" % fmt)
    ctx.sub("tsv-table", as_tsv_table)


@case("emperor-hostile-vassals")
def emperor_hostile_vassals(ctx):
    """--follow-vassals takes from a vassal's config only what uWSGI's --stats
    can bind here: `stats = -` (standard input), file:/dev/zero, a URL and
    another host's address are refused with one line each and never read,
    while a good vassal beside them is followed."""
    vd = ctx.mkdir("vassals")
    good = free_port()
    with open(os.path.join(vd, "good.ini"), "w") as f:
        f.write(_VASSAL % {"procs": 1, "port": free_port(), "app": APP} + "stats = 127.0.0.1:%d\n" % good)
    bad = {"stdin.ini": "-", "zero.ini": "file:/dev/zero", "url.ini": "http://127.0.0.1:%d/" % free_port(),
           "remote.ini": "192.0.2.7:9191"}
    for name, value in bad.items():
        with open(os.path.join(vd, name), "w") as f:
            f.write(_VASSAL % {"procs": 1, "port": free_port(), "app": APP} + "stats = %s\n" % value)

    def ready(raw, p):
        ids = {v.get("id") for v in (p or {}).get("vassals") or []}
        return {"good.ini"} | set(bad) <= ids
    u = ctx.uwsgi(["--emperor", vd], app=False, stats_opt="--emperor-stats", ready=ready)
    addr = ctx.address(u.stats)
    wait_until(lambda: try_read(StatsAddr("tcp", ("127.0.0.1", good)), 1)[0], 15, 0.2)

    # Standard input is a pipe this case holds open: reading it would hang until the timeout.
    t0 = time.monotonic()
    proc = subprocess.Popen([ctx.binary, "--once", "--format", "json", "--follow-vassals", "-t", "5", addr],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()  # the uwsgitop this case started
            proc.wait(5)
    elapsed = time.monotonic() - t0
    check(proc.returncode == 0, "exit %s: %r" % (proc.returncode, err[-500:]))
    check(elapsed < 8, "took %.1f s: something was read that should not have been" % elapsed)
    import json as _json
    names = {i.get("name") for i in _json.loads(out).get("instances") or []}
    check(names == {addr, "good.ini"}, "instances %s, expected the emperor and good.ini" % sorted(names))
    lines = err.decode(errors="replace").strip().splitlines()
    # The vassals that cannot bind their stats die and are respawned: the
    # Emperor may not list them at the moment uwsgitop reads it. Each is said
    # at most once; the one that runs (stats = -, a socket named "-") exactly once.
    for name in bad:
        said = [x for x in lines if x.startswith("uwsgitop: vassal %s: " % name)]
        check(len(said) <= 1 and (name != "stdin.ini" or len(said) == 1),
              "%s: %d lines about it in %r" % (name, len(said), lines))
    check(any("is standard input" in x for x in lines), "no line says '-' is standard input: %r" % lines)


@case("emperor-vassals-follow-changes")
def emperor_vassals_follow_changes(ctx):
    """--batch --follow-vassals follows the Emperor on every round: a vassal
    file added while it runs joins the fleet (polled, state ok), one removed
    leaves it (no longer shown or polled). The same for --serve-metrics: the
    new vassal is exported, the removed one is not any more."""
    vd = ctx.mkdir("vassals")
    stats = {name: free_port() for name in ("app1.ini", "app2.ini", "app3.ini")}

    def write(name):
        with open(os.path.join(vd, name), "w") as f:
            f.write(_VASSAL % {"procs": 1, "port": free_port(), "app": APP} + "stats = 127.0.0.1:%d\n" % stats[name])
    write("app1.ini")
    write("app2.ini")

    def ready(raw, p):
        vs = {v.get("id"): v for v in (p or {}).get("vassals") or []}
        return all(vs.get(k, {}).get("ready") for k in ("app1.ini", "app2.ini"))
    u = ctx.uwsgi(["--emperor", vd, "--emperor-freq", "1"], app=False, stats_opt="--emperor-stats", ready=ready)
    addr = ctx.address(u.stats)
    wait_until(lambda: all(try_read(StatsAddr("tcp", ("127.0.0.1", stats[k])), 1)[0] for k in ("app1.ini", "app2.ini")),
               15, 0.2)

    import json as _json
    import queue
    err = open(ctx.path("batch.err"), "wb")   # a pipe nobody reads could fill up
    proc = subprocess.Popen([ctx.binary, "--batch", "--format", "json", "--follow-vassals", "-d", "0.5", "-t", "2",
                             addr], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err)
    docs = queue.Queue()

    def reader():
        for line in proc.stdout:
            if line.strip():
                docs.put(_json.loads(line.decode("utf-8")))
    threading.Thread(target=reader, daemon=True).start()

    def wait_for(want, seconds):
        """The first document whose instances are `want`, all ok; None if none came in time."""
        deadline = time.monotonic() + seconds
        last = None
        while time.monotonic() < deadline:
            try:
                d = docs.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            by_name = {i.get("name"): i for i in d.get("instances") or []}
            last = sorted(by_name)
            if set(by_name) == want and all(i.get("state") == "ok" for i in by_name.values()):
                return by_name
        ctx.note("last instances seen: %s" % last)
        return None

    try:
        first = wait_for({addr, "app1.ini", "app2.ini"}, 20)
        check(first is not None, "the Emperor and its two vassals never showed together")
        write("app3.ini")
        os.unlink(os.path.join(vd, "app2.ini"))
        after = wait_for({addr, "app1.ini", "app3.ini"}, 40)
        check(after is not None, "the fleet did not follow: app3.ini added and app2.ini removed")
        check(after["app3.ini"].get("address") == "127.0.0.1:%d" % stats["app3.ini"],
              "app3.ini address %r" % after["app3.ini"].get("address"))
        kids = set(descendants(u.pid))
        ws = after["app3.ini"].get("workers") or []
        check(len(ws) == 1 and ws[0].get("pid") in kids, "app3.ini: its worker is not under the Emperor: %r" % ws)
        # It stays gone.
        for _ in range(3):
            d = docs.get(timeout=10)
            names = {i.get("name") for i in d.get("instances") or []}
            check("app2.ini" not in names, "app2.ini came back: %s" % sorted(names))
    finally:
        if proc.poll() is None:
            proc.terminate()   # the uwsgitop this case started
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        err.close()

    # The exporter: app2.ini comes back, app3.ini leaves.
    port = free_port()
    serve_err = open(ctx.path("serve.err"), "wb")
    proc = subprocess.Popen([ctx.binary, "--serve-metrics", "127.0.0.1:%d" % port, "--follow-vassals", "-t", "2", addr],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=serve_err)

    def exported(want, gone, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                body = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10).read().decode()
            except OSError:
                body = ""
            shown = {n for n in want | gone if 'uwsgi_up{instance="%s"' % n in body}
            if shown >= want and not (shown & gone):
                return True
            time.sleep(0.5)
        return False
    try:
        check(exported({"app1.ini", "app3.ini"}, {"app2.ini"}, 20), "--serve-metrics: app1.ini and app3.ini not exported")
        write("app2.ini")
        os.unlink(os.path.join(vd, "app3.ini"))
        check(exported({"app1.ini", "app2.ini"}, {"app3.ini"}, 40),
              "--serve-metrics did not follow: app2.ini added back and app3.ini removed")
    finally:
        if proc.poll() is None:
            proc.terminate()   # the uwsgitop this case started
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        serve_err.close()
