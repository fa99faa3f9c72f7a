# cases_shapes.py — stats flags and services (minified, no cores, metrics,
# cache/spooler/daemon/cron/locks), awkward bytes (a cwd with quotes,
# backslashes and UTF-8; in-flight request headers with quotes, control
# bytes, invalid UTF-8, 3,000-byte values), and --record / --replay.
import base64
import json
import os
import re
import signal
import subprocess

from harness import Fail, InFlight, Skip, StatsAddr, check, load, settle, wait_until, workers_of, descendants, alive
from suite import case


def _sum(ws, key):
    return sum(int(w.get(key) or 0) for w in ws)


def _loaded(ctx, args, k=3):
    u = ctx.uwsgi(args)
    statuses = load(u.http_port, ["/"] * k, concurrency=2)
    check(statuses.count(200) == k, "the app answered %d of %d" % (statuses.count(200), k))
    settle(u.stats, k)
    return u


# ----------------------------------------------------------------- case 10

@case("flags")
def flags(ctx):
    def minified():
        u = _loaded(ctx, ["--processes", "2", "--threads", "2", "--stats-minified"])
        check(b"\n" not in u.stats.read_raw().strip(), "uWSGI did not minify (harness check)")
        j = ctx.once(ctx.address(u.stats))
        check(_sum(j["workers"], "requests") == 3, "%d requests, sent 3" % _sum(j["workers"], "requests"))
        check(all(len(w.get("cores") or []) == 2 for w in j["workers"]), "cores lost with --stats-minified")
    ctx.sub("minified", minified)

    def no_cores():
        u = _loaded(ctx, ["--processes", "2", "--threads", "2", "--stats-no-cores"])
        j = ctx.once(ctx.address(u.stats))
        check(_sum(j["workers"], "requests") == 3, "%d requests, sent 3" % _sum(j["workers"], "requests"))
        shown = [w.get("cores") for w in j["workers"] if "cores" in w]
        check(all(c is None for c in shown), "--stats-no-cores: workers still carry cores %s (unknown is "
              "absent or null, not a fake list)" % shown)
        r = ctx.tool("--once", "--format", "tsv", "--cores", ctx.address(u.stats))
        check(r.rc in (0, 1) and r.rc >= 0, "--cores without cores: exit %s" % r.rc)
    ctx.sub("no-cores", no_cores)

    def metrics():
        u = _loaded(ctx, ["--processes", "2", "--enable-metrics"])
        j = ctx.once(ctx.address(u.stats))
        m = j.get("metrics")
        check(isinstance(m, (dict, list)) and m, "metrics missing with --enable-metrics: %r" % (m,))
        names = set(m) if isinstance(m, dict) else {x.get("name") for x in m}
        for want in ("worker.1.requests", "worker.2.requests", "core.busy_workers"):
            check(want in names, "metric %s missing (have %d metrics)" % (want, len(names)))
        check(_sum(j["workers"], "requests") == 3, "requests wrong")
    ctx.sub("metrics", metrics)

    def no_metrics():
        u = _loaded(ctx, ["--processes", "2", "--enable-metrics", "--stats-no-metrics"])
        j = ctx.once(ctx.address(u.stats))
        check(j.get("metrics") in (None, {}, []) or "metrics" not in j,
              "metrics shown with --stats-no-metrics: %r" % str(j.get("metrics"))[:200])
        check("metrics" not in j or j["metrics"] is None, "metrics should be absent/null, got %r"
              % str(j.get("metrics"))[:100])
        check(_sum(j["workers"], "requests") == 3, "requests wrong")
    ctx.sub("no-metrics", no_metrics)

    def services():
        spool = ctx.mkdir("spool")
        u = ctx.uwsgi(["--processes", "2", "--mule", "--spooler", spool, "--cache2", "name=c1,items=10",
                       "--locks", "2", "--attach-daemon", "sleep 60", "--cron", "-1 -1 -1 -1 -1 true"],
                      ready=lambda raw, p: bool(p) and all(w.get("accepting") for w in workers_of(p))
                      and all(d.get("pid", 0) > 0 for d in p.get("daemons") or [{}]))
        j = ctx.once(ctx.address(u.stats))
        kids = set(descendants(u.pid))
        caches = j.get("caches") or []
        check([c.get("name") for c in caches] == ["c1"], "caches %r" % caches)
        check(caches[0].get("max_items") == 10, "cache max_items %r" % caches[0].get("max_items"))
        sp = j.get("spoolers") or []
        check(len(sp) == 1 and sp[0].get("dir") == spool, "spoolers %r" % sp)
        check(sp[0].get("pid") in kids, "spooler pid %r is not a descendant of the master" % sp[0].get("pid"))
        ds = j.get("daemons") or []
        check(len(ds) == 1 and ds[0].get("cmd") == "sleep 60", "daemons %r" % ds)
        check(ds[0].get("pid") in kids and alive(ds[0]["pid"]), "daemon pid %r not a live descendant"
              % ds[0].get("pid"))
        cr = j.get("crons") or []
        check(len(cr) == 1 and cr[0].get("command") == "true", "crons %r" % cr)
        locks = j.get("locks") or []
        flat = json.dumps(locks)
        for want in ("user 0", "user 1", "cache_c1"):
            check(want in flat, "lock %r missing from %s" % (want, flat[:300]))
        check(len(j["workers"]) == 2, "workers %d" % len(j["workers"]))
    ctx.sub("services", services)


# ----------------------------------------------------------------- case 11

WEIRD_DIR = 'we"ird\\dir-\u00fc'

WEIRD_REQ = (b"GET /slow%22q?s=4 HTTP/1.1\r\n"
             b"Host: 127.0.0.1\r\n"
             b'X-Quote: say "hi" now\r\n'
             b"X-Ctl: a\x01b\r\n"
             b"X-Bin: caf\xff!\r\n"
             b"X-Long: " + b"L" * 3000 + b"\r\n"
             b"Connection: close\r\n\r\n")


def _no_control_bytes(data, allowed=b"\n"):
    bad = sorted({b for b in data if (b < 0x20 and b not in allowed) or b == 0x7F})
    check(not bad, "output contains raw control bytes %s" % ["0x%02x" % b for b in bad])


@case("weird-bytes")
def weird_bytes(ctx):
    def weird_cwd():
        wd = ctx.mkdir(WEIRD_DIR)
        sock = ctx.path('ht"tp\\s\u00f6ck')
        u = ctx.uwsgi(["--processes", "1", "--http-socket", sock], chdir=wd,
                      ready=lambda raw, p: raw.count(b'"accepting":1') == 1)
        raw = u.stats.read_raw()
        check(b'we"ird\\dir' in raw, "uWSGI escaped the cwd: nothing to repair here")
        j = ctx.once(ctx.address(u.stats))
        check(j.get("cwd") == wd, "cwd %r != real path %r" % (j.get("cwd"), wd))
        names = [x.get("name") for x in j.get("sockets") or []]
        check(sock in names, "socket %r not among sockets %r" % (sock, names))
        r = ctx.tool("--once", "--format", "raw", ctx.address(u.stats))
        check(r.rc == 0 and wd.encode() in r.out and sock.encode() in r.out,
              "--format raw must pass uWSGI's bytes through unchanged (exit %s)" % r.rc)
        check((j.get("uwsgitop") or {}).get("repaired") is True, "repaired = %r for invalid JSON input"
              % (j.get("uwsgitop") or {}).get("repaired"))
        r = ctx.tool("--once", "--format", "table", ctx.address(u.stats))
        check(r.rc == 0, "table exit %s" % r.rc)
        _no_control_bytes(r.out)
        # record (the b64 form) and replay keep the cwd
        rec = ctx.path("weird.jsonl")
        r = ctx.tool("--batch", "-n", "1", "--format", "json", "--record", rec, ctx.address(u.stats))
        check(r.rc == 0, "--record exit %s" % r.rc)
        r = ctx.tool("--once", "--format", "json", "--replay", rec)
        check(r.rc == 0, "--replay of a repaired recording: exit %s" % r.rc)
        check(r.json().get("cwd") == wd, "replayed cwd %r" % r.json().get("cwd"))
    ctx.sub("cwd", weird_cwd)

    def in_flight():
        u = ctx.uwsgi(["--processes", "1", "--threads", "2", "--buffer-size", "16384"])
        req = InFlight(u.http_port, WEIRD_REQ)
        try:
            check(wait_until(lambda: b'"in_request":1' in u.stats.read_raw(), 3, 0.05),
                  "uWSGI never showed the request in flight")
            r = ctx.tool("--once", "--format", "json", ctx.address(u.stats))
            check(r.rc == 0, "exit %s" % r.rc)
            j = r.json()  # strict UTF-8 + strict JSON, or Fail
            check((j.get("uwsgitop") or {}).get("repaired") is True, "repaired = %r"
                  % (j.get("uwsgitop") or {}).get("repaired"))
            cores = [c for w in j["workers"] for c in (w.get("cores") or []) if c.get("in_request")]
            check(len(cores) == 1, "%d cores in request, expected 1" % len(cores))
            vs = {}
            for v in cores[0].get("vars") or []:
                k, _, val = v.partition("=")
                vs[k] = val
            check(vs.get("HTTP_X_QUOTE") == 'say "hi" now', "X-Quote came back as %r" % vs.get("HTTP_X_QUOTE"))
            check(vs.get("HTTP_X_CTL") == "a\x01b", "X-Ctl came back as %r" % vs.get("HTTP_X_CTL"))
            check(vs.get("HTTP_X_BIN") == "caf\ufffd!", "X-Bin (caf\\xff!) came back as %r" % vs.get("HTTP_X_BIN"))
            check(vs.get("HTTP_X_LONG") == "L" * 3000, "X-Long came back with %d chars"
                  % len(vs.get("HTTP_X_LONG") or ""))
            check(vs.get("PATH_INFO") == '/slow"q', "PATH_INFO (/slow%%22q decoded) came back as %r"
                  % vs.get("PATH_INFO"))
            check(vs.get("REQUEST_URI") == "/slow%22q?s=4", "REQUEST_URI %r" % vs.get("REQUEST_URI"))
            for fmt, allowed in (("table", b"\n"), ("tsv", b"\n\t"), ("csv", b"\n")):
                r = ctx.tool("--once", "--format", fmt, "--cores", ctx.address(u.stats))
                check(r.rc == 0, "--format %s --cores: exit %s" % (fmt, r.rc))
                _no_control_bytes(r.out, allowed)
                try:
                    r.out.decode("utf-8")
                except UnicodeDecodeError as e:
                    raise Fail("--format %s output is not UTF-8: %s" % (fmt, e))
        finally:
            req.close()
    ctx.sub("in-flight", in_flight)


# ----------------------------------------------------------------- case 14

@case("record-replay")
def record_replay(ctx):
    u = _loaded(ctx, ["--processes", "2", "--threads", "2"], k=5)
    rec = ctx.path("rec.jsonl")
    r = ctx.tool("--batch", "-n", "3", "-d", "0.3", "--format", "json", "--record", rec,
                 ctx.address(u.stats), timeout=30)
    check(r.rc == 0, "--record run exit %s" % r.rc)
    live = r.json_lines()
    check(len(live) == 3, "%d snapshots printed while recording" % len(live))

    def file_format():
        with open(rec, "rb") as f:
            lines = [ln for ln in f.read().split(b"\n") if ln.strip()]
        check(len(lines) == 3, "%d lines in the recording, expected 3" % len(lines))
        for n, ln in enumerate(lines, 1):
            try:
                o = json.loads(ln)
            except ValueError as e:
                raise Fail("recording line %d is not JSON: %s" % (n, e))
            check(isinstance(o.get("t"), (int, float)), "line %d: t = %r" % (n, o.get("t")))
            doc = o.get("stats")
            if doc is None and "b64" in o:
                doc = json.loads(base64.b64decode(o["b64"]))
            check(_sum(doc.get("workers") or [], "requests") == 5, "line %d: %s requests"
                  % (n, _sum(doc.get("workers") or [], "requests")))
    ctx.sub("file-format", file_format)

    def replay_once():
        r = ctx.tool("--replay", rec, "--once", "--format", "json")
        check(r.rc == 0, "exit %s" % r.rc)
        j = r.json()
        check(_sum(j["workers"], "requests") == _sum(live[0]["workers"], "requests") == 5,
              "replayed %d requests, recorded %d" % (_sum(j["workers"], "requests"),
                                                     _sum(live[0]["workers"], "requests")))
        check(j.get("pid") == u.pid, "replayed pid %r" % j.get("pid"))
    ctx.sub("once", replay_once)

    def replay_batch():
        r = ctx.tool("--replay", rec, "--batch", "-n", "3", "--format", "tsv", "--columns", "id,requests",
                     timeout=30)
        check(r.rc == 0, "exit %s" % r.rc)
        lines = [ln for ln in r.text().split("\n") if ln.strip()]
        check(lines and lines[0].split("\t") == ["time", "id", "requests"], "header %r" % lines[:1])
        rows = [ln.split("\t") for ln in lines[1:]]
        check(len(rows) == 3 * 2, "%d rows, expected 3 snapshots x 2 workers" % len(rows))
        check(len({x[0] for x in rows}) == 3, "time column has %d distinct values, expected 3"
              % len({x[0] for x in rows}))
        check(sum(int(x[2]) for x in rows) == 15, "requests over 3 snapshots sum to %d, expected 15"
              % sum(int(x[2]) for x in rows))
    ctx.sub("batch-tsv", replay_batch)

    def cut_short():
        cut = ctx.path("cut.jsonl")
        with open(rec, "rb") as f:
            data = f.read()
        with open(cut, "wb") as f:
            f.write(data + data[: len(data) // 6])  # a last line cut mid-way
        r = ctx.tool("--replay", cut, "--batch", "-n", "10", "--speed", "100", "--format", "json", timeout=30)
        check(r.rc in (0, 1), "exit %s" % r.rc)
        objs = r.json_lines()
        check(len(objs) == 3, "%d snapshots from a file with 3 complete lines and a cut one" % len(objs))
    ctx.sub("cut-short", cut_short)

    def interrupted():
        # a --record run stopped by Ctrl-C (SIGINT to our own child): the file
        # stays readable up to its last complete snapshot
        cut = ctx.path("int.jsonl")
        p = subprocess.Popen([ctx.binary, "--batch", "-n", "1000", "-d", "0.2", "--format", "json",
                              "--record", cut, ctx.address(u.stats)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_until(lambda: os.path.exists(cut) and open(cut, "rb").read().count(b"\n") >= 3, 10, 0.1)
            p.send_signal(signal.SIGINT)
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                raise Fail("uwsgitop --batch --record did not stop within 5 s of SIGINT")
        finally:
            if p.poll() is None:
                p.kill()
                p.wait(5)
        with open(cut, "rb") as f:
            data = f.read()
        complete = data.count(b"\n")
        check(complete >= 3, "only %d complete lines recorded" % complete)
        r = ctx.tool("--replay", cut, "--batch", "-n", "1000", "--speed", "1000", "--format", "json", timeout=30)
        check(r.rc == 0, "replay of an interrupted recording: exit %s" % r.rc)
        check(len(r.json_lines()) == complete, "%d snapshots replayed from %d complete lines"
              % (len(r.json_lines()), complete))
        ctx.note("exit %s after SIGINT, %d lines" % (p.returncode, complete))
    ctx.sub("interrupted", interrupted)

    def stats_push_file():
        # uWSGI's own pusher: whole documents separated by a blank line (and
        # its pretty-printed documents contain blank lines themselves).
        pushed = ctx.path("pushed.stats")
        p = ctx.uwsgi(["--processes", "2", "--stats-push", "file:path=%s,freq=1" % pushed],
                      plugin="python3,stats_pusher_file")
        statuses = load(p.http_port, ["/"] * 4, concurrency=2)
        check(statuses.count(200) == 4, "the app answered %d of 4" % statuses.count(200))
        settle(p.stats, 4)

        start = os.path.getsize(pushed) if os.path.exists(pushed) else 0

        def pushed_after_load():
            # at least one whole document written after the load settled
            try:
                with open(pushed, "rb") as f:
                    data = f.read()
            except OSError:
                return False
            return len(data) > start + 1000 and data.endswith(b"}\n\n")
        check(wait_until(pushed_after_load, 10, 0.2), "uWSGI never pushed a document after the load to %s"
              % pushed)
        r = ctx.tool("--replay", pushed, "--batch", "-n", "50", "--speed", "1000", "--format", "json", timeout=30)
        check(r.rc in (0, 1) and not r.timed_out, "exit %s" % r.rc)
        check(r.rc == 0, "--replay of a --stats-push file: exit %s" % r.rc)
        objs = r.json_lines()
        check(objs, "no snapshot replayed")
        counts = [_sum(o["workers"], "requests") for o in objs]
        check(counts == sorted(counts) and counts[-1] == 4, "replayed request totals %s, expected rising to 4"
              % counts)
        check(all(o.get("pid") == p.pid for o in objs), "replayed pids differ from the master's")
        ctx.note("%d pushed documents replayed" % len(objs))
    ctx.sub("stats-push-file", stats_push_file)


# ------------------------------------------------------- prometheus output

_PROM_LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
_PROM_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)",?')


def _prom_unescape(v):
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "\\": "\\", '"': '"'}.get(m.group(1), m.group(0)), v)


def _prom_parse(text):
    """[(name, {label: value}, float)] from the Prometheus text format;
    Fail on a line that does not follow it."""
    out = []
    for ln in text.split("\n"):
        if not ln or ln.startswith("#"):
            continue
        m = _PROM_LINE.match(ln)
        check(m, "not a Prometheus sample line: %r" % ln[:200])
        labels, rest = {}, m.group(2) or ""
        pos = 0
        while pos < len(rest):
            lm = _PROM_LABEL.match(rest, pos)
            check(lm, "bad label set in %r" % ln[:200])
            labels[lm.group(1)] = _prom_unescape(lm.group(2))
            pos = lm.end()
        out.append((m.group(1), labels, float(m.group(3))))
    return out


@case("prometheus")
def prometheus(ctx):
    """--format prometheus on a real server whose stats socket path has a
    quote and a backslash: label values escaped, worker request totals exact."""
    sock = ctx.path('st"a\\ts.sock')
    sa = StatsAddr("unix", sock)
    u = ctx.uwsgi(["--processes", "2"], stats=sa)
    check(load(u.http_port, ["/"] * 5 + ["/boom"], concurrency=2).count(200) == 5, "the app did not answer")
    settle(u.stats, 6, 1)
    r = ctx.tool("--once", "--format", "prometheus", sock)
    if r.rc == 2 and b"prometheus" in r.err:
        raise Skip("this uwsgitop has no --format prometheus")
    check(r.rc == 0, "exit %s" % r.rc)
    samples = _prom_parse(r.text())
    reqs = [(lab, v) for name, lab, v in samples if name == "uwsgi_worker_requests_total"]
    check(len(reqs) == 2, "%d uwsgi_worker_requests_total samples, expected 2 workers" % len(reqs))
    check(sum(v for _, v in reqs) == 6, "requests total %s, sent 6" % sum(v for _, v in reqs))
    insts = {lab.get("instance") for name, lab, v in samples if "instance" in lab}
    check(insts == {sock}, "instance labels %r, expected the socket path %r" % (insts, sock))
