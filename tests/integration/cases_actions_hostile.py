# cases_actions_hostile.py — --action against stats servers that lie, beside a
# real uWSGI: every hole of issue 27 as a case that signalled a real process
# before. Each victim is a process this case started (a uWSGI worker, or a
# `sleep`), and each is checked alive and unchanged afterwards.
#   * a fake on 127.0.0.1:P beside a real uWSGI on [::1]:P, reached as :P and
#     localhost:P, naming the real master and worker;
#   * a fake bound at a real instance's unlinked stats socket path;
#   * a server that names itself master and its own forked-and-exec'd sleep
#     as a worker (TCP and unix), or a child that exec'd its own program;
#   * pids past pid_max (2^32 + a child's pid), in exponent form, 0, 1,
#     negative, strings, naming a child of the (fake) master;
#   * brutal-reload on a --die-on-term instance without a FIFO (refused, the
#     master lives) and with one (R through the FIFO);
#   * add-worker on an instance that is not in cheaper mode (refused at once).
import json
import os
import subprocess
import sys
import time

import fake_server as fs
import harness
from harness import check, workers_of
from suite import case


def state(u):
    """{worker id: (pid, respawn_count)} as uWSGI's own stats say."""
    return {w["id"]: (w.get("pid"), w.get("respawn_count")) for w in workers_of(u.read()[1])}


def act(ctx, *args, timeout=30):
    r = ctx.tool("--action", *args, timeout=timeout)
    check(not r.timed_out, "uwsgitop --action did not finish")
    return r


def refused(r, *words):
    check(r.rc == 1, "exit %s, expected 1 (refused): %r %r" % (r.rc, r.text(), r.errtext()))
    check(r.text() == "", "something was reported sent: %r" % r.text())
    for w in words:
        check(w in r.errtext(), "no %r in %r" % (w, r.errtext()))


def unchanged(u, before):
    time.sleep(0.5)
    after = state(u)
    check(after == before, "a refused action changed the workers: %s -> %s" % (before, after))
    check(harness.alive(u.pid), "the master %d is gone" % u.pid)


@case("actions-hostile-loopback-twin")
def loopback_twin(ctx):
    if not harness.ipv6_loopback_available():
        raise harness.Skip("no IPv6 loopback")
    u = ctx.uwsgi(["--processes", "2"], stats="tcp6")
    port = u.stats.target[1]
    raw = u.read()[0]
    before = state(u)
    # The twin on 127.0.0.1:P serves the real document: the real master, the real workers.
    try:
        srv = fs.FakeServer(fs.h_send(raw), port=port)
    except OSError as e:
        raise harness.Skip("127.0.0.1:%d is taken: %s" % (port, e))
    with srv:
        for text in (":%d" % port, "localhost:%d" % port):
            for action in ("reload-worker:1", "log-worker:2", "log-stats"):
                def one(text=text, action=action):
                    n = srv.connections
                    r = act(ctx, action, "--wait", "2", text)
                    if srv.connections == n:
                        # It reached the real uWSGI on [::1]: then the proof held on that connection.
                        check(r.rc in (0, 1), "rc %s: %r" % (r.rc, r.errtext()))
                        ctx.note("%s reached [::1] first" % text)
                        return
                    refused(r, "does not hold the stats socket we read (127.0.0.1:%d" % port)
                ctx.sub("%s/%s" % (text, action.split(":")[0]), one)
    unchanged(u, before)
    check("Gracefully killing" not in open(u.log, errors="replace").read(), "a worker was reloaded (uwsgi.log)")


@case("actions-hostile-unlinked-path")
def unlinked_path(ctx):
    u = ctx.uwsgi(["--processes", "2"], stats="unix")
    path = u.stats.target
    raw = u.read()[0]
    before = sorted(u.children())  # its stats socket is gone: the workers by their pids
    os.unlink(path)  # the real master still listens on the unlinked socket
    with fs.FakeServer(fs.h_send(raw), unix_path=path) as srv:
        for action in ("reload-worker:1", "kill-worker:2", "reload", "log-stats"):
            def one(action=action):
                r = act(ctx, action, "--wait", "2", path)
                check(srv.connections >= 1, "the fake was never asked")
                refused(r, "the process that answered is pid %d, not the master pid %d" % (os.getpid(), u.pid))
            ctx.sub(action.split(":")[0], one)
    time.sleep(0.5)
    check(sorted(u.children()) == before, "workers changed: %s -> %s" % (before, sorted(u.children())))
    check("Gracefully killing" not in open(u.log, errors="replace").read(), "a worker was reloaded (uwsgi.log)")


# A server in a process of its own: it holds the socket, names itself as the
# master and the `sleep` it forked and exec'd as worker 1.
LIAR = r"""
import json, os, socket, subprocess, sys
same = len(sys.argv) > 4 and sys.argv[4] == "same-program"
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"] if same else ["sleep", "60"])
if sys.argv[1] == "tcp":
    s = socket.socket(); s.bind(("127.0.0.1", 0)); where = "127.0.0.1:%d" % s.getsockname()[1]
else:
    s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[2]); where = sys.argv[2]
s.listen(8)
doc = json.loads(sys.argv[3])
doc["pid"] = os.getpid()
doc["workers"][0]["pid"] = child.pid
body = json.dumps(doc).encode()
print(where, child.pid, flush=True)
s.settimeout(30)
try:
    while True:
        c, _ = s.accept(); c.sendall(body); c.close()
except Exception:
    pass
finally:
    child.kill()
"""


@case("actions-hostile-own-child")
def own_child(ctx):
    doc = fs.snapshot(workers=2).decode()
    for kind, program in (("tcp", ""), ("unix", ""), ("unix", "same-program")):
        def one(kind=kind, program=program):
            sock = ctx.path("liar-%s%s.sock" % (kind, program))
            liar = subprocess.Popen([sys.executable, "-c", LIAR, kind, sock, doc, program],
                                    stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
            try:
                where, victim = liar.stdout.readline().decode().split()
                victim = int(victim)
                for action in ("kill-worker:1", "reload-worker:1", "log-worker:1"):
                    r = act(ctx, action, "--wait", "2", where)
                    if program:  # its child runs the same program, exec'd: not a fork of it
                        refused(r, "was started by an exec, not forked from the master pid %d" % liar.pid)
                    else:
                        refused(r, "runs another program than the master pid %d" % liar.pid)
                    check(harness.alive(victim), "the liar's sleep %d was signalled" % victim)
            finally:
                liar.kill()  # the liar this case started
                liar.wait(10)
            if harness.alive(victim):
                os.kill(victim, 9)  # its sleep, started for this case
        ctx.sub(kind + ("-" + program if program else ""), one)


@case("actions-hostile-pids")
def bad_pids(ctx):
    # This process is the "master" (it holds the fake's socket), and the
    # victim is its own child: only a wrapped or rounded pid could reach it.
    victim = subprocess.Popen(["sleep", "60"], stdin=subprocess.DEVNULL)
    try:
        base = json.loads(fs.snapshot(workers=1))
        base["pid"] = os.getpid()
        forms = {
            "2^32+pid": str((1 << 32) + victim.pid),
            "2^64+pid": str((1 << 64) + victim.pid),
            "exponent": "%de0" % victim.pid,
            "fraction": "%d.0" % victim.pid,
            "zero": "0", "one": "1", "negative": "-%d" % victim.pid,
            "string": '"%d"' % victim.pid, "float": "%d.5" % victim.pid,
        }
        for label, form in forms.items():
            def one(form=form):
                text = json.dumps(base).replace('"pid": 4243', '"pid": ' + form)
                with fs.FakeServer(fs.h_send(text.encode())) as srv:
                    r = act(ctx, "kill-worker:1", "--wait", "2", srv.address)
                check(r.rc in (1, 2) and r.text() == "", "rc %s out %r err %r" % (r.rc, r.text(), r.errtext()))
                check(any(w in r.errtext() for w in ("no running worker 1", "invalid stats JSON", "pid 1 is init")),
                      "not refused for the pid: %r" % r.errtext())
                check(victim.poll() is None, "the child %d was signalled" % victim.pid)
            ctx.sub(label, one)

        def master_init():
            d = dict(base)
            d["pid"] = 1
            with fs.FakeServer(fs.h_send(json.dumps(d).encode())) as srv:
                r = act(ctx, "log-stats", "--wait", "2", srv.address)
            refused(r, "names pid 1 (init) as its master")
        ctx.sub("master-1", master_init)
    finally:
        victim.kill()  # the sleep this case started
        victim.wait(10)


@case("actions-hostile-die-on-term")
def die_on_term(ctx):
    u = ctx.uwsgi(["--processes", "2", "--die-on-term"])
    addr = ctx.address(u.stats)
    before = state(u)

    def no_fifo():
        r = act(ctx, "brutal-reload", "--wait", "3", addr)
        refused(r, "the master runs with --die-on-term")
        unchanged(u, before)
    ctx.sub("no-fifo", no_fifo)

    def not_cheaper():
        t0 = time.monotonic()
        r = act(ctx, "add-worker", "--master-fifo", ctx.path("none.fifo"), "--wait", "10", addr)
        refused(r, "not in cheaper mode")
        check(time.monotonic() - t0 < 3, "took %.1f s: it waited for a confirmation" % (time.monotonic() - t0))
        unchanged(u, before)
    ctx.sub("add-worker-not-cheaper", not_cheaper)


@case("actions-hostile-die-on-term-fifo")
def die_on_term_fifo(ctx):
    fifo = ctx.path("master.fifo")
    u = ctx.uwsgi(["--processes", "2", "--die-on-term", "--master-fifo", fifo])
    addr = ctx.address(u.stats)
    before = {i: p for i, (p, _) in state(u).items()}
    r = act(ctx, "brutal-reload", "--wait", "30", addr, timeout=45)
    check(r.rc == 0, "exit %s: %r %r" % (r.rc, r.text(), r.errtext()))
    check("'R' to the master FIFO" in r.text(), "not sent through the FIFO: %r" % r.text())
    check(harness.alive(u.pid), "the master %d is gone" % u.pid)
    after = {i: p for i, (p, _) in state(u).items()}
    check(all(after.get(i) and after[i] != p for i, p in before.items()), "pids %s -> %s" % (before, after))
