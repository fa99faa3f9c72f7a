# cases_screen_actions.py — the screen's action menu (x) on a pseudo-terminal
# against a real uWSGI started with --master-fifo in the case's temp dir:
# x, the reload-worker letter, y -> that worker's pid changes (read from
# uWSGI's own stats) and the status line reports the respawn; x, letter, n ->
# nothing changes; x, c, y -> a chain reload through the FIFO replaces every
# worker; t on two rows, x, h, y -> those two respawn one after the other and
# the third keeps its pid; paused past two intervals, x h y is refused as
# stale; with --read-only x opens nothing; on a replay x says why.
# screen-actions-more: x k y (kill-worker), x p y twice (pause, resume), and
# x + y on a cheaper instance (one running worker more).
# screen-actions-fleet: the menu in a fleet's drill-down acts on that instance only.
# screen-actions-fleet-table: x on the fleet table itself (targets file, b with
# fifo=PATH): select b, x c y -> every worker pid of b changes, a's do not;
# x c n -> nothing changes.
import re
import time

from harness import Accepting, check, wait_until, workers_of
from ptyrun import PtyRun
from suite import case
from vt import Screen

ROWS, COLS = 40, 160
TITLE = re.compile(r"Actions on worker (\d+), pid (\d+), and on the instance \(master pid (\d+)\)")


def _screen(p):
    s = Screen(ROWS, COLS)
    s.feed(p.output())
    return s


def _pids(u):
    return {w["id"]: w["pid"] for w in workers_of(u.read()[1]) if w.get("pid")}


def _dump(p):
    return "screen:\n" + "\n".join("  |" + ln for ln in _screen(p).text() if ln.strip())


def _wait_text(p, text, timeout=8):
    return wait_until(lambda: _screen(p).contains(text), timeout, 0.1)


def _open_menu(p):
    """x; returns (worker id, pid, master pid) the menu names."""
    p.send(b"x")
    m = wait_until(lambda: next((TITLE.search(ln) for ln in _screen(p).text() if TITLE.search(ln)), None), 5, 0.1)
    check(m, "x opened no action menu\n%s" % _dump(p))
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


@case("screen-actions")
def screen_actions(ctx):
    fifo = ctx.path("master.fifo")
    u = ctx.uwsgi(["--processes", "3", "--master-fifo", fifo])
    addr = ctx.address(u.stats)
    p = PtyRun(ctx.binary, ["-d", "0.5", addr], rows=ROWS, cols=COLS)
    try:
        check(wait_until(lambda: all(_screen(p).contains(str(x)) for x in u.children()), 10, 0.2),
              "the screen never showed the workers %s\n%s" % (u.children(), _dump(p)))

        def menu_lists_actions():
            wid, pid, master = _open_menu(p)
            check(master == u.pid, "the menu names master pid %d, uWSGI's is %d" % (master, u.pid))
            check(_pids(u).get(wid) == pid, "the menu names worker %d pid %d, uWSGI says %s" % (wid, pid, _pids(u)))
            s = _screen(p)
            for text in ("SIGHUP to worker %d, pid %d: it finishes its request" % (wid, pid),
                         "kill-worker", "'c' to the master FIFO", "master FIFO: " + fifo):
                check(s.contains(text), "the menu does not show %r\n%s" % (text, _dump(p)))
            p.send(b"\x1b")
            check(wait_until(lambda: not TITLE.search("\n".join(_screen(p).text())), 5, 0.1),
                  "Esc did not close the menu\n%s" % _dump(p))
        ctx.sub("menu", menu_lists_actions)

        def cancel():
            time.sleep(0.6)  # the Esc of the previous part is not the start of a key sequence
            before = _pids(u)
            wid, pid, _ = _open_menu(p)
            p.send(b"h")
            check(_wait_text(p, "Send reload-worker?"), "h asked no confirmation\n%s" % _dump(p))
            p.send(b"n")
            check(_wait_text(p, "cancelled: nothing sent"), "n did not say cancelled\n%s" % _dump(p))
            time.sleep(2.0)
            check(_pids(u) == before, "pids changed after n: %s -> %s" % (before, _pids(u)))
        ctx.sub("cancel", cancel)

        def reload_worker():
            before = _pids(u)
            wid, pid, _ = _open_menu(p)
            p.send(b"h")
            check(_wait_text(p, "Send reload-worker?"), "h asked no confirmation\n%s" % _dump(p))
            p.send(b"y")
            line = "worker %d respawned: pid %d -> " % (wid, pid)
            check(_wait_text(p, line, 15), "the status line never said %r\n%s" % (line, _dump(p)))
            after = _pids(u)
            check(after.get(wid) not in (None, pid), "worker %d pid %d -> %s" % (wid, pid, after.get(wid)))
            check(_screen(p).contains(line + str(after[wid])), "the status line names another new pid than %d\n%s"
                  % (after[wid], _dump(p)))
            check(all(after[i] == before[i] for i in before if i != wid), "other workers changed: %s -> %s"
                  % (before, after))
            check(set(after.values()) <= set(u.children()), "the new pid is not the master's child")
        ctx.sub("reload-worker", reload_worker)

        def chain_reload():
            time.sleep(3.5)  # the previous part's message has expired
            before = _pids(u)
            _open_menu(p)
            p.send(b"c")
            check(_wait_text(p, "Send chain-reload?"), "c asked no confirmation\n%s" % _dump(p))
            acc = Accepting(u)
            try:
                p.send(b"y")
                # "sent: ..." first; the next snapshot replaces it with the progress.
                check(wait_until(lambda: any(_screen(p).contains(t) for t in ("sent: 'c' to the master FIFO",
                                                                              "chain-reload: ")), 5, 0.05),
                      "no 'sent' line\n%s" % _dump(p))
                line = "chain-reload: 3 of 3 workers replaced"
                check(_wait_text(p, line, 30), "the status line never said %r\n%s" % (line, _dump(p)))
            finally:
                acc.stop()
            # One worker at a time: capacity never dropped below N-1 (uWSGI's own stats).
            check(acc.reads >= 3 and acc.fewest is not None and acc.fewest >= 2,
                  "during the chain reload as few as %s of 3 workers accepted (%d snapshots)" % (acc.fewest, acc.reads))
            ctx.note("chain reload: at least %d of 3 workers accepting in %d snapshots" % (acc.fewest, acc.reads))
            after = _pids(u)
            check(all(after.get(i) not in (None, x) for i, x in before.items()), "pids %s -> %s" % (before, after))
        ctx.sub("chain-reload", chain_reload)

        def tagged():
            time.sleep(3.5)  # the previous part's message has expired
            before = _pids(u)
            p.send(b"g")  # Home: the first row
            time.sleep(0.3)
            p.send(b"t")
            check(_wait_text(p, "tagged (1 tagged"), "t tagged nothing\n%s" % _dump(p))
            p.send(b"j")
            time.sleep(0.3)
            p.send(b"t")
            check(_wait_text(p, "tagged (2 tagged"), "the second t tagged nothing\n%s" % _dump(p))
            marks = [ln for ln in _screen(p).text() if ln.startswith("*")]
            check(len(marks) == 2, "%d rows marked '*', expected 2\n%s" % (len(marks), _dump(p)))
            p.send(b"x")
            check(_wait_text(p, "Actions on 2 tagged workers"), "the menu does not count the tags\n%s" % _dump(p))
            line = next((ln for ln in _screen(p).text() if "tagged workers, one after another" in ln), "")
            targets = [(int(a), int(b)) for a, b in re.findall(r"(\d+) \(pid (\d+)\)", line)]
            check(len(targets) == 2 and all(before.get(w) == x for w, x in targets),
                  "the menu names %s, uWSGI says %s\n%s" % (targets, before, _dump(p)))
            p.send(b"h")
            p.send(b"y")
            (w1, p1), (w2, p2) = targets
            check(_wait_text(p, "worker %d respawned: pid %d -> " % (w2, p2), 30),
                  "the second tagged worker's respawn never showed\n%s" % _dump(p))
            check(_screen(p).contains("(2 of 2)"), "no '(2 of 2)' on the status line\n%s" % _dump(p))
            after = _pids(u)
            check(after[w1] != p1 and after[w2] != p2, "tagged pids %s -> %s" % (before, after))
            untouched = [i for i in before if i not in (w1, w2)]
            check(all(after[i] == before[i] for i in untouched), "an untagged worker changed: %s -> %s"
                  % (before, after))
        ctx.sub("tagged", tagged)

        def stale():
            time.sleep(3.5)
            before = _pids(u)
            p.send(b" ")  # pause: the snapshot on screen ages
            check(_wait_text(p, "PAUSED"), "Space did not pause\n%s" % _dump(p))
            time.sleep(1.5)  # more than two intervals of 0.5 s
            p.send(b"x")  # the tags of the previous part stay: the menu aims at them
            check(_wait_text(p, "Actions on 2 tagged workers"), "x opened no menu\n%s" % _dump(p))
            # Every entry says so as soon as the menu opens; a letter sends nothing.
            check(_wait_text(p, "paused or stale"), "the menu does not say the snapshot is stale\n%s" % _dump(p))
            p.send(b"h")
            check(_wait_text(p, "nothing sent"), "no stale refusal\n%s" % _dump(p))
            check(not _screen(p).contains("Send reload-worker?"), "a stale menu asked to confirm\n%s" % _dump(p))
            time.sleep(1.0)
            check(_pids(u) == before, "a stale action changed pids: %s -> %s" % (before, _pids(u)))
            p.send(b" ")
            check(_wait_text(p, "resumed"), "Space did not resume\n%s" % _dump(p))
        ctx.sub("stale", stale)

        def still_running():
            check(p.poll() is None, "uwsgitop exited (%s)\n%s" % (p.rc, _dump(p)))
            p.send(b"q")
            check(p.wait(10) == 0, "exit %s after q" % p.rc)
        ctx.sub("quit", still_running)
    finally:
        p.close()

    def read_only():
        before = _pids(u)
        r = PtyRun(ctx.binary, ["-d", "0.5", "--read-only", addr], rows=ROWS, cols=COLS)
        try:
            check(wait_until(lambda: all(_screen(r).contains(str(x)) for x in before.values()), 10, 0.2),
                  "the screen never showed the workers\n%s" % _dump(r))
            r.send(b"x")
            check(_wait_text(r, "--read-only: no actions (x is off)", 5), "x did not say read-only\n%s" % _dump(r))
            check(not TITLE.search("\n".join(_screen(r).text())), "x opened a menu with --read-only\n%s" % _dump(r))
            r.send(b"h")  # the reload-worker letter: here it is only help
            r.send(b"y")
            time.sleep(1.5)
            check(_pids(u) == before, "pids changed with --read-only: %s -> %s" % (before, _pids(u)))
        finally:
            r.close()
    ctx.sub("read-only", read_only)

    def replay():
        rec = ctx.path("rec.jsonl")
        r = ctx.tool("--batch", "-n", "2", "-d", "0.2", "--format", "json", "--record", rec, addr)
        check(r.rc == 0, "recording failed: %s" % r.errtext())
        q = PtyRun(ctx.binary, ["--replay", rec], rows=ROWS, cols=COLS)
        try:
            check(_wait_text(q, str(u.pid), 10), "the replay never showed the master pid\n%s" % _dump(q))
            q.send(b"x")
            check(_wait_text(q, "a replay is not a live instance", 5), "x on a replay did not refuse\n%s" % _dump(q))
            check(not TITLE.search("\n".join(_screen(q).text())), "x opened a menu on a replay\n%s" % _dump(q))
        finally:
            q.close()
    ctx.sub("replay", replay)


@case("screen-actions-more")
def screen_actions_more(ctx):
    """kill-worker, pause then resume, and add-worker (cheaper) through the screen."""
    u = ctx.uwsgi(["--processes", "2", "--master-fifo", ctx.path("master.fifo")])
    p = PtyRun(ctx.binary, ["-d", "0.5", ctx.address(u.stats)], rows=ROWS, cols=COLS)
    try:
        check(wait_until(lambda: all(_screen(p).contains(str(x)) for x in u.children()), 10, 0.2),
              "the screen never showed the workers %s\n%s" % (u.children(), _dump(p)))

        def kill_worker():
            before = _pids(u)
            wid, pid, _ = _open_menu(p)
            p.send(b"k")
            check(_wait_text(p, "Send kill-worker? (brutal)"), "k asked no confirmation\n%s" % _dump(p))
            p.send(b"y")
            line = "worker %d respawned: pid %d -> " % (wid, pid)
            check(_wait_text(p, line, 15), "the status line never said %r\n%s" % (line, _dump(p)))
            after = _pids(u)
            check(after.get(wid) not in (None, pid), "worker %d pid %d -> %s" % (wid, pid, after.get(wid)))
            check(all(after[i] == before[i] for i in before if i != wid), "others changed: %s -> %s" % (before, after))
        ctx.sub("kill-worker", kill_worker)

        def pause_resume():
            time.sleep(3.5)
            _open_menu(p)
            p.send(b"p")
            p.send(b"y")
            check(_wait_text(p, "paused: every worker reports status pause", 15), "no pause line\n%s" % _dump(p))
            check(all(w.get("status") == "pause" for w in workers_of(u.read()[1])), "uWSGI itself is not paused")
            time.sleep(3.5)
            _open_menu(p)
            p.send(b"p")
            p.send(b"y")
            check(_wait_text(p, "resumed: no worker reports status pause", 15), "no resume line\n%s" % _dump(p))
            check(not any(w.get("status") == "pause" for w in workers_of(u.read()[1])), "uWSGI is still paused")
        ctx.sub("pause-resume", pause_resume)
    finally:
        p.close()

    def add_worker():
        c = ctx.uwsgi(["--processes", "4", "--cheaper", "1", "--cheaper-initial", "1",
                       "--master-fifo", ctx.path("cheaper.fifo")],
                      ready=lambda raw, q: bool(q) and any(w.get("pid") and w.get("accepting") for w in workers_of(q)))
        n = len(_pids(c))
        q = PtyRun(ctx.binary, ["-d", "0.5", ctx.address(c.stats)], rows=ROWS, cols=COLS)
        try:
            check(wait_until(lambda: _screen(q).contains(str(c.pid)), 10, 0.2), "no screen\n%s" % _dump(q))
            q.send(b"x")
            check(_wait_text(q, "Actions on "), "x opened no menu\n%s" % _dump(q))
            q.send(b"+")
            q.send(b"y")
            line = "running workers %d -> %d" % (n, n + 1)
            check(_wait_text(q, line, 15), "the status line never said %r\n%s" % (line, _dump(q)))
            check(len(_pids(c)) == n + 1, "uWSGI runs %d workers, expected %d" % (len(_pids(c)), n + 1))
        finally:
            q.close()
    ctx.sub("add-worker", add_worker)


@case("screen-actions-fleet")
def screen_actions_fleet(ctx):
    """Two instances on the fleet screen: Enter on the first, x h y reloads its worker; the other is untouched."""
    a = ctx.uwsgi(["--processes", "2", "--master-fifo", ctx.path("a.fifo")])
    b = ctx.uwsgi(["--processes", "2", "--master-fifo", ctx.path("b.fifo")])
    p = PtyRun(ctx.binary, ["-d", "0.5", "a=" + ctx.address(a.stats), "b=" + ctx.address(b.stats)], rows=ROWS, cols=COLS)
    try:
        check(_wait_text(p, "uwsgitop fleet - 2 instances", 10), "no fleet screen\n%s" % _dump(p))
        before_a, before_b = _pids(a), _pids(b)
        p.send(b"g\r")  # the first row (the targets' order): a
        check(_wait_text(p, "WID", 10), "Enter opened no instance\n%s" % _dump(p))
        check(_wait_text(p, "masterpid: %d" % a.pid, 10), "the drill-down is not instance a\n%s" % _dump(p))
        wid, pid, master = _open_menu(p)
        check(master == a.pid and before_a.get(wid) == pid, "the menu aims at master %d worker %d pid %d; a is %d %s"
              % (master, wid, pid, a.pid, before_a))
        p.send(b"h")
        p.send(b"y")
        line = "worker %d respawned: pid %d -> " % (wid, pid)
        check(_wait_text(p, line, 15), "the status line never said %r\n%s" % (line, _dump(p)))
        check(_pids(a).get(wid) not in (None, pid), "a's worker %d kept pid %d" % (wid, pid))
        check(_pids(b) == before_b, "instance b changed: %s -> %s" % (before_b, _pids(b)))
        p.send(b"q")  # back to the fleet
        check(_wait_text(p, "uwsgitop fleet - 2 instances", 5), "q did not come back to the fleet\n%s" % _dump(p))
        p.send(b"q")
        check(p.wait(10) == 0, "exit %s after q" % p.rc)
    finally:
        p.close()


@case("screen-actions-fleet-leave")
def screen_actions_fleet_leave(ctx):
    """A chain-reload sent from a drill-down and left at once (Esc) stays the one action in flight: x on
    the fleet table refuses while it runs, and the fleet screen's status line reports its end."""
    a = ctx.uwsgi(["--processes", "4", "--master-fifo", ctx.path("a.fifo")])
    b = ctx.uwsgi(["--processes", "2", "--master-fifo", ctx.path("b.fifo")])
    p = PtyRun(ctx.binary, ["-d", "0.5", "a=" + ctx.address(a.stats), "b=" + ctx.address(b.stats)], rows=ROWS, cols=COLS)
    try:
        check(_wait_text(p, "uwsgitop fleet - 2 instances", 10), "no fleet screen\n%s" % _dump(p))
        check(wait_until(lambda: len(_pids(a)) == 4 and len(_pids(b)) == 2, 10, 0.1), "uWSGI workers not up")
        p.send(b"g\r")  # the first row: a
        check(_wait_text(p, "masterpid: %d" % a.pid, 10), "the drill-down is not instance a\n%s" % _dump(p))
        time.sleep(1.0)  # fresh snapshots of a
        before_a, before_b = _pids(a), _pids(b)
        _open_menu(p)
        p.send(b"c")
        check(_wait_text(p, "Send chain-reload?"), "c asked no confirmation\n%s" % _dump(p))
        p.send(b"y")
        check(_wait_text(p, "sent:", 5), "nothing was sent\n%s" % _dump(p))
        p.send(b"\x1b")  # back to the fleet table, the chain-reload still running
        check(_wait_text(p, "uwsgitop fleet - 2 instances", 5), "Esc did not leave the drill-down\n%s" % _dump(p))
        p.send(b"j")
        p.send(b"x")  # on b: refused while a's chain-reload flies
        check(_wait_text(p, "one action at a time", 5), "x on the table did not wait\n%s" % _dump(p))
        check(not _screen(p).contains("Actions on instance b"), "a menu opened on b meanwhile\n%s" % _dump(p))
        line = "chain-reload: 4 of 4 workers replaced"
        check(_wait_text(p, line, 40), "the fleet screen never said %r\n%s" % (line, _dump(p)))
        check(all(_pids(a).get(i) not in (None, x) for i, x in before_a.items()), "a's pids %s -> %s" % (before_a, _pids(a)))
        check(_pids(b) == before_b, "instance b changed: %s -> %s" % (before_b, _pids(b)))
        p.send(b"x")  # the flight is over: x opens on b
        check(_wait_text(p, "Actions on instance b (master pid %d)" % b.pid, 5), "x did not open on b after\n%s" % _dump(p))
        p.send(b"\x1b")
        p.send(b"q")
        check(p.wait(10) == 0, "exit %s after q" % p.rc)
    finally:
        p.close()


@case("screen-actions-fleet-table")
def screen_actions_fleet_table(ctx):
    """x on the fleet table: on the second instance, x c y chain-reloads it (all its pids change, the
    first instance's do not); x c n cancels."""
    a = ctx.uwsgi(["--processes", "2", "--master-fifo", ctx.path("a.fifo")])
    b = ctx.uwsgi(["--processes", "2", "--master-fifo", ctx.path("b.fifo")])
    targets = ctx.path("targets")
    with open(targets, "w") as f:
        f.write("a=%s\nb=%s fifo=%s\n" % (ctx.address(a.stats), ctx.address(b.stats), ctx.path("b.fifo")))
    p = PtyRun(ctx.binary, ["-d", "0.5", "--targets", targets], rows=ROWS, cols=COLS)
    title = "Actions on instance b (master pid %d)" % b.pid
    try:
        check(_wait_text(p, "uwsgitop fleet - 2 instances", 10), "no fleet screen\n%s" % _dump(p))
        check(wait_until(lambda: len(_pids(a)) == 2 and len(_pids(b)) == 2, 10, 0.1), "uWSGI workers not up")
        time.sleep(1.0)  # a round or two with both instances ok
        before_a, before_b = _pids(a), _pids(b)
        p.send(b"j")  # Down: the second row (the targets' order): b
        p.send(b"x")
        check(_wait_text(p, title, 5), "x opened no menu on b\n%s" % _dump(p))
        check(_screen(p).contains("master FIFO: " + ctx.path("b.fifo")), "the menu does not use b's fifo=\n%s" % _dump(p))
        check(not _screen(p).contains("kill-worker"), "worker actions offered on the fleet table\n%s" % _dump(p))

        def cancel():
            p.send(b"c")
            check(_wait_text(p, "Send chain-reload?"), "c asked no confirmation\n%s" % _dump(p))
            p.send(b"n")
            check(_wait_text(p, "cancelled: nothing sent"), "n did not cancel\n%s" % _dump(p))
            time.sleep(2.0)
            check(_pids(b) == before_b and _pids(a) == before_a,
                  "n changed pids: a %s -> %s, b %s -> %s" % (before_a, _pids(a), before_b, _pids(b)))
            p.send(b"x")
            check(_wait_text(p, title, 5), "x did not open again on b\n%s" % _dump(p))
        ctx.sub("cancel", cancel)

        def chain_reload():
            p.send(b"c")
            check(_wait_text(p, "Send chain-reload?"), "c asked no confirmation\n%s" % _dump(p))
            p.send(b"y")
            check(wait_until(lambda: all(_pids(b).get(i) not in (None, x) for i, x in before_b.items()), 30, 0.2),
                  "b's pids %s -> %s\n%s" % (before_b, _pids(b), _dump(p)))
            line = "chain-reload: 2 of 2 workers replaced"
            ok = _wait_text(p, line, 15)
            check(ok, "the status line never said %r\n%s" % (line, _dump(p)))
            check(_pids(a) == before_a, "instance a changed: %s -> %s" % (before_a, _pids(a)))
        ctx.sub("chain-reload", chain_reload)
        p.send(b"q")
        check(p.wait(10) == 0, "exit %s after q" % p.rc)
    finally:
        p.close()
