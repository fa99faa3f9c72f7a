# cases_events.py — --batch --format events against a real uWSGI: harakiri,
# reload (SIGHUP), a killed worker's respawn, down then up across a restart.
import os
import signal
import threading
import time

from harness import check, load, workers_of
from suite import case


def _monitor(ctx, addr, n, delay="0.5"):
    """Starts `uwsgitop --batch --format events` in a thread; returns (thread, result)."""
    result = {}

    def run():
        result["r"] = ctx.tool("--batch", "-n", str(n), "-d", delay, "--format", "events", "--timeout", "1",
                               addr, timeout=60)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, result


def _events(t, result):
    t.join(70)
    r = result.get("r")
    check(r is not None and not r.timed_out, "the monitor hung")
    check(r.rc in (0, 1), "exit %s (a crash?)" % (r.rc if r else None))
    evs = r.json_lines()
    for e in evs:
        check({"time", "instance", "kind"} <= set(e), "event without time/instance/kind: %s" % e)
    return evs


def _kinds(evs):
    return [e["kind"] for e in evs]


@case("events-harakiri")
def events_harakiri(ctx):
    u = ctx.uwsgi(["--processes", "2", "--harakiri", "1"])
    addr = ctx.address(u.stats)
    t, res = _monitor(ctx, addr, 12)
    time.sleep(0.7)
    load(u.http_port, ["/slow?s=3"], concurrency=1, timeout=10)
    evs = _events(t, res)
    hk = [e for e in evs if e["kind"] == "harakiri"]
    check(len(hk) == 1, "harakiri events %s (all: %s)" % (hk, _kinds(evs)))
    check(hk[0].get("uri") == "/slow?s=3", "harakiri names %r, expected /slow?s=3" % hk[0].get("uri"))
    check(hk[0].get("method") == "GET", "method %r" % hk[0].get("method"))
    check(isinstance(hk[0].get("worker"), int), "no worker: %s" % hk[0])
    check("reload" not in _kinds(evs), "a harakiri is not a reload: %s" % _kinds(evs))


@case("events-reload")
def events_reload(ctx):
    u = ctx.uwsgi(["--processes", "2"])
    addr = ctx.address(u.stats)
    t, res = _monitor(ctx, addr, 8)
    time.sleep(0.8)
    u.signal(signal.SIGHUP)   # the master this test started, by its pid
    evs = _events(t, res)
    kinds = _kinds(evs)
    check(kinds.count("reload") == 1, "expected exactly one reload, got %s" % kinds)
    check("respawn" not in kinds, "a reload is not per-worker respawns: %s" % kinds)


@case("events-respawn")
def events_respawn(ctx):
    u = ctx.uwsgi(["--processes", "2"])
    addr = ctx.address(u.stats)
    ws = workers_of(u.read()[1])
    victim = ws[0]["pid"]
    check(victim in u.children(), "worker pid %d from stats is not a child of the test's master" % victim)
    t, res = _monitor(ctx, addr, 8)
    time.sleep(0.8)
    os.kill(victim, signal.SIGKILL)
    evs = _events(t, res)
    rs = [e for e in evs if e["kind"] == "respawn"]
    check(len(rs) == 1, "respawn events %s (all %s)" % (rs, _kinds(evs)))
    check(rs[0]["old_pid"] == victim, "old_pid %s, killed %d" % (rs[0]["old_pid"], victim))
    check(rs[0]["new_pid"] in u.children(), "new_pid %s is not a child of the master" % rs[0]["new_pid"])
    check(rs[0]["worker"] == ws[0]["id"], "worker %s, killed worker %s" % (rs[0]["worker"], ws[0]["id"]))
    check("reload" not in _kinds(evs), "one killed worker is not a reload: %s" % _kinds(evs))


@case("events-down-up")
def events_down_up(ctx):
    a = ctx.uwsgi(["--processes", "1"])
    sa = a.stats
    t, res = _monitor(ctx, ctx.address(sa), 10, "0.6")
    time.sleep(1.0)
    a.stop()
    time.sleep(1.5)
    ctx.uwsgi(["--processes", "1"], stats=sa)
    evs = _events(t, res)
    kinds = [k for k in _kinds(evs) if k in ("down", "up")]
    check(kinds == ["down", "up"], "expected down then up, got %s" % _kinds(evs))
    down = [e for e in evs if e["kind"] == "down"][0]
    up = [e for e in evs if e["kind"] == "up"][0]
    check(down.get("error"), "down without an error: %s" % down)
    check(up["gap"] >= 1.0, "gap %s s, the instance was down >= 1.5 s" % up["gap"])


@case("events-fleet")
def events_fleet(ctx):
    """--format events over two instances: a worker killed on one is one
    respawn naming that instance; the other raises nothing."""
    a = ctx.uwsgi(["--processes", "2"])
    b = ctx.uwsgi(["--processes", "2"])
    ws = workers_of(b.read()[1])
    victim = ws[0]["pid"]
    check(victim in b.children(), "worker pid %d from stats is not a child of the test's master" % victim)
    result = {}

    def run():
        result["r"] = ctx.tool("--batch", "-n", "8", "-d", "0.5", "--format", "events", "--timeout", "1",
                               "web=" + ctx.address(a.stats), "api=" + ctx.address(b.stats), timeout=60)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    time.sleep(0.8)
    os.kill(victim, signal.SIGKILL)  # a worker of a master this test started
    evs = _events(t, result)
    rs = [e for e in evs if e["kind"] == "respawn"]
    check(len(rs) == 1, "respawn events %s (all %s)" % (rs, _kinds(evs)))
    check(rs[0]["instance"] == "api", "the respawn names %r, the worker was api's" % rs[0]["instance"])
    check(rs[0]["old_pid"] == victim, "old_pid %s, killed %d" % (rs[0]["old_pid"], victim))
    check(not [e for e in evs if e["instance"] == "web"], "web raised events: %s" % evs)
