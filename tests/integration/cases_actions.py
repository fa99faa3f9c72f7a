# cases_actions.py — uwsgitop --action on a real uWSGI started with --master-fifo
# in the case's temp dir: reload-worker, kill-worker, chain-reload (FIFO),
# pause/resume, add-worker (cheaper); refusals: replay/file source,
# --read-only, a remote-looking address (before any connect), and a fake stats
# server naming as worker the pid of a `sleep` this case started (it survives);
# a non-root user (setpriv) against the root-owned uWSGI: one "permission" line.
import os
import shutil
import subprocess
import time

import fake_server as fs
import harness
from harness import Accepting, check, wait_until, workers_of
from suite import case


def pids(u):
    return {w["id"]: w["pid"] for w in workers_of(u.read()[1]) if w.get("pid")}


def fifo_args(ctx):
    return ["--master-fifo", ctx.path("master.fifo")]


def act(ctx, *args, timeout=40):
    r = ctx.tool("--action", *args, timeout=timeout)
    check(not r.timed_out, "uwsgitop --action did not finish")
    return r


@case("actions-worker")
def actions_worker(ctx):
    u = ctx.uwsgi(["--processes", "3"] + fifo_args(ctx))
    addr = ctx.address(u.stats)

    def reload_worker():
        before = pids(u)
        respawns = {w["id"]: w.get("respawn_count") for w in workers_of(u.read()[1])}
        r = act(ctx, "reload-worker:2", "--wait", "15", addr)
        check(r.rc == 0, "exit %s, expected 0: %s" % (r.rc, r.errtext()))
        check("worker 2 respawned" in r.text(), "no confirmation line: %r" % r.text())
        after = pids(u)
        check(after.get(2) and after[2] != before[2], "worker 2 pid %s -> %s" % (before[2], after.get(2)))
        check(after[1] == before[1] and after[3] == before[3], "other workers changed: %s -> %s" % (before, after))
        check(set(after.values()) <= set(u.children()), "new pid is not the master's child")
        now = {w["id"]: w.get("respawn_count") for w in workers_of(u.read()[1])}
        check(now[2] > respawns[2], "worker 2's respawn count %s -> %s" % (respawns[2], now[2]))
        check(now[1] == respawns[1] and now[3] == respawns[3], "others' respawn counts %s -> %s" % (respawns, now))
    ctx.sub("reload-worker", reload_worker)

    def kill_worker():
        before = pids(u)
        r = act(ctx, "kill-worker:1", "--wait", "15", addr)
        check(r.rc == 0, "exit %s, expected 0: %s" % (r.rc, r.errtext()))
        check(wait_until(lambda: pids(u).get(1) not in (None, before[1]), 10), "worker 1 not respawned")
    ctx.sub("kill-worker", kill_worker)

    def unknown_worker():
        r = act(ctx, "reload-worker:9", addr)
        check(r.rc == 1 and "no running worker 9" in r.errtext(), "rc %s err %r" % (r.rc, r.errtext()))
    ctx.sub("unknown-worker", unknown_worker)


@case("actions-instance")
def actions_instance(ctx):
    u = ctx.uwsgi(["--processes", "3"] + fifo_args(ctx), stats="unix")
    addr = ctx.address(u.stats)

    def chain_reload():
        before = pids(u)
        acc = Accepting(u)
        try:
            r = act(ctx, "chain-reload", "--wait", "30", addr)
        finally:
            acc.stop()
        check(r.rc == 0, "exit %s, expected 0: %s" % (r.rc, r.errtext()))
        # One worker at a time: capacity never dropped below N-1 (uWSGI's own stats).
        check(acc.reads >= 3 and acc.fewest is not None and acc.fewest >= 2,
              "during the chain reload as few as %s of 3 workers accepted (%d snapshots)" % (acc.fewest, acc.reads))
        check("'c' to the master FIFO" in r.text(), "not sent through the FIFO: %r" % r.text())
        after = pids(u)
        check(all(after.get(i) and after[i] != p for i, p in before.items()), "pids %s -> %s" % (before, after))
    ctx.sub("chain-reload", chain_reload)

    def pause_resume():
        r = act(ctx, "pause", "--wait", "10", addr)
        check(r.rc == 0 and "paused" in r.text(), "pause: rc %s %r %r" % (r.rc, r.text(), r.errtext()))
        check(all(w.get("status") == "pause" for w in workers_of(u.read()[1])), "uWSGI itself is not paused")
        r = act(ctx, "pause", "--wait", "10", addr)
        check(r.rc == 0 and "resumed" in r.text(), "resume: rc %s %r %r" % (r.rc, r.text(), r.errtext()))
    ctx.sub("pause-resume", pause_resume)

    def no_reader():
        # A FIFO that is not the master's: refused before it is opened, no hang.
        dead = ctx.path("dead.fifo")
        os.mkfifo(dead)
        r = act(ctx, "reopen-logs", "--master-fifo", dead, addr, timeout=10)
        check(r.rc == 1 and "does not hold it open" in r.errtext(), "rc %s err %r" % (r.rc, r.errtext()))
        # A device and a socket at the path: named for what they are, never opened.
        r = act(ctx, "reopen-logs", "--master-fifo", "/dev/zero", addr, timeout=10)
        check(r.rc == 1 and "a character device, not a FIFO" in r.errtext(), "rc %s err %r" % (r.rc, r.errtext()))
        r = act(ctx, "reopen-logs", "--master-fifo", u.stats.target, addr, timeout=10)
        check(r.rc == 1 and "a socket, not a FIFO" in r.errtext(), "rc %s err %r" % (r.rc, r.errtext()))
        plain = ctx.path("plain.txt")
        open(plain, "w").write("x")
        r = act(ctx, "reopen-logs", "--master-fifo", plain, addr, timeout=10)
        check(r.rc == 1 and "not a FIFO" in r.errtext(), "rc %s err %r" % (r.rc, r.errtext()))
        check(open(plain).read() == "x", "the plain file was written to")
    ctx.sub("fifo-errors", no_reader)


@case("actions-cheaper")
def actions_cheaper(ctx):
    u = ctx.uwsgi(["--processes", "4", "--cheaper", "1", "--cheaper-initial", "1"] + fifo_args(ctx),
                  ready=lambda raw, p: bool(p) and any(w.get("pid") and w.get("accepting") for w in workers_of(p)))
    addr = ctx.address(u.stats)
    n = len(pids(u))
    r = act(ctx, "add-worker", "--wait", "15", addr)
    check(r.rc == 0, "exit %s, expected 0: %s" % (r.rc, r.errtext()))
    check("running workers %d -> %d" % (n, n + 1) in r.text(), "confirmation %r (had %d)" % (r.text(), n))


@case("actions-refused")
def actions_refused(ctx):
    u = ctx.uwsgi(["--processes", "2"] + fifo_args(ctx))
    addr = ctx.address(u.stats)
    before = pids(u)

    def read_only():
        r = act(ctx, "kill-worker:1", "--read-only", addr)
        check(r.rc == 1 and "--read-only" in r.errtext(), "rc %s err %r" % (r.rc, r.errtext()))
    ctx.sub("read-only", read_only)

    def saved_sources():
        snap = ctx.path("snap.json")
        open(snap, "wb").write(u.read()[0])
        r = act(ctx, "kill-worker:1", "file:" + snap)
        check(r.rc == 1 and "not a live instance" in r.errtext(), "file: rc %s err %r" % (r.rc, r.errtext()))
        rec = ctx.path("rec.jsonl")
        ctx.tool("--batch", "-n", "1", "--format", "json", "--record", rec, addr)
        r = act(ctx, "kill-worker:1", "--replay", rec)
        check(r.rc == 1 and "replay" in r.errtext(), "replay: rc %s err %r" % (r.rc, r.errtext()))
    ctx.sub("file-and-replay", saved_sources)

    def remote():
        t0 = time.monotonic()
        r = act(ctx, "chain-reload", "192.0.2.1:9191", timeout=10)
        check(r.rc == 1 and "not a local address" in r.errtext(), "rc %s err %r" % (r.rc, r.errtext()))
        check(time.monotonic() - t0 < 2, "took %.1f s: did it try to connect?" % (time.monotonic() - t0))
    ctx.sub("remote", remote)

    def usage():
        for args in (["explode", addr], ["reload-worker", addr], ["pause:1", addr]):
            r = act(ctx, *args)
            check(r.rc == 2, "%s: rc %s, expected 2" % (args, r.rc))
    ctx.sub("usage", usage)
    check(pids(u) == before, "a refused action changed the workers: %s -> %s" % (before, pids(u)))


@case("actions-eperm")
def actions_eperm(ctx):
    # uWSGI runs as this (root) user; --action runs as nobody through setpriv.
    if os.geteuid() != 0:
        raise harness.Skip("needs root (uWSGI as root, uwsgitop as nobody)")
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        raise harness.Skip("no setpriv (util-linux)")
    u = ctx.uwsgi(["--processes", "2"] + fifo_args(ctx))
    addr = ctx.address(u.stats)
    before = pids(u)
    drop = [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", ctx.binary]
    # No settings file to read: nobody may not read root's home.
    env = {"HOME": "/nonexistent", "XDG_CONFIG_HOME": "/nonexistent", "XDG_STATE_HOME": "/nonexistent"}

    for name in ("reload-worker:1", "kill-worker:2", "chain-reload", "reload"):
        def one(name=name):
            r = harness.run_tool(drop[0], drop[1:] + ["--action", name, "--wait", "3", addr], timeout=20, extra_env=env)
            ctx.runs.append(r)
            check(not r.timed_out, "uwsgitop --action as nobody did not finish")
            lines = r.errtext().strip().splitlines()
            check(r.rc == 1, "exit %s, expected 1: %r" % (r.rc, r.errtext()))
            check(len(lines) == 1 and "permission" in lines[0], "not one 'permission' line: %r" % r.errtext())
            check(r.text() == "", "something was reported sent: %r" % r.text())
        ctx.sub(name.split(":")[0], one)
    time.sleep(1.0)
    check(pids(u) == before, "workers changed: %s -> %s" % (before, pids(u)))

    def unreadable_home():
        # Root's 0700 home: a settings file that cannot be there is not an error.
        home = ctx.mkdir("roots-home")
        os.chmod(home, 0o700)
        snap = ctx.path("snap.json")
        open(snap, "wb").write(u.read()[0])
        os.chmod(ctx.dir, 0o755)
        os.chmod(snap, 0o644)
        r = harness.run_tool(drop[0], drop[1:] + ["--once", "--format", "json", "file:" + snap], timeout=20,
                             extra_env={"HOME": home, "XDG_CONFIG_HOME": "", "XDG_STATE_HOME": ""})
        ctx.runs.append(r)
        check(r.rc == 0, "exit %s as nobody with an unreadable $HOME: %r" % (r.rc, r.errtext()))
    ctx.sub("unreadable-home", unreadable_home)


@case("actions-fake-server")
def actions_fake_server(ctx):
    # `sleep` is started through a shell that exits, so its parent is not this
    # process; the fake server (held by this process) names it as worker 1.
    out = subprocess.run(["sh", "-c", "sleep 60 >/dev/null 2>&1 & echo $!"], capture_output=True, timeout=10)
    sleep_pid = int(out.stdout.strip())
    try:
        doc = fs.snapshot(workers=1).replace(b'"pid": 4243', b'"pid": %d' % sleep_pid)

        def lying_master():
            # master pid = the sleep: it does not hold the stats socket.
            d = doc.replace(b'"pid": 4242', b'"pid": %d' % sleep_pid)
            with fs.FakeServer(fs.h_send(d)) as srv:
                r = act(ctx, "kill-worker:1", "127.0.0.1:%d" % srv.port, timeout=10)
            check(r.rc == 1 and "does not hold the stats socket" in r.errtext(), "rc %s err %r" % (r.rc, r.errtext()))
            check(harness.alive(sleep_pid), "the sleep was signalled")
        ctx.sub("master-not-holder", lying_master)

        def foreign_worker():
            # master pid = this process (it does hold the socket); the worker's
            # parent is not this process, so the ppid check refuses.
            d = doc.replace(b'"pid": 4242', b'"pid": %d' % os.getpid())
            with fs.FakeServer(fs.h_send(d)) as srv:
                r = act(ctx, "kill-worker:1", "127.0.0.1:%d" % srv.port, timeout=10)
            check(r.rc == 1 and "not the master pid" in r.errtext(), "rc %s err %r" % (r.rc, r.errtext()))
            check(harness.alive(sleep_pid), "the sleep was signalled")
        ctx.sub("worker-not-child", foreign_worker)
    finally:
        if harness.alive(sleep_pid):
            os.kill(sleep_pid, 15)  # the sleep this case started
