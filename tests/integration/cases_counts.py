# cases_counts.py — exact request counts over every address form, the
# output formats on a real server, rates under a known load, gevent cores.
import json
import os
import subprocess

from harness import Fail, Skip, check, load, settle, PacedLoad, ipv6_loopback_available, plugin_available
from suite import case


def _sum(ws, key):
    return sum(int(w.get(key) or 0) for w in ws)


def _rows(text, sep):
    lines = [ln for ln in text.split("\n") if ln.strip()]
    check(lines, "no output at all")
    header = lines[0].split(sep)
    return header, [dict(zip(header, ln.split(sep))) for ln in lines[1:]]


def _no_control_bytes(data, allowed=b"\n"):
    bad = sorted({b for b in data if (b < 0x20 and b not in allowed) or b == 0x7F})
    check(not bad, "output contains raw control bytes %s" % ["0x%02x" % b for b in bad])


# ------------------------------------------------------------------ case 1

@case("tcp-counts")
def tcp_counts(ctx):
    """4 workers x 2 threads, 40 requests + 5 exceptions: exact counts."""
    u = ctx.uwsgi(["--processes", "4", "--threads", "2"])
    addr = ctx.address(u.stats)
    statuses = load(u.http_port, ["/"] * 40 + ["/boom"] * 5, concurrency=8)
    check(statuses.count(200) == 40, "the app answered %d of 40 requests" % statuses.count(200))
    settle(u.stats, 45, 5)

    def json_counts():
        j = ctx.once(addr)
        ws = j.get("workers") or []
        check(len(ws) == 4, "expected 4 workers, got %d" % len(ws))
        check(_sum(ws, "requests") == 45, "sum(workers.requests) = %d, sent 45" % _sum(ws, "requests"))
        check(_sum(ws, "exceptions") == 5, "sum(workers.exceptions) = %d, raised 5" % _sum(ws, "exceptions"))
        st = [w.get("status") for w in ws]
        check(all(s == "idle" for s in st), "statuses %s, expected all idle" % st)
        real = sorted(u.children())
        got = sorted(w.get("pid") for w in ws)
        check(got == real, "worker pids %s != children of master %d: %s" % (got, u.pid, real))
        check(j.get("pid") == u.pid, "pid %r != pidfile %d" % (j.get("pid"), u.pid))
        check(str(j.get("version", "")).startswith("2."), "version %r" % j.get("version"))
        check(j.get("cwd") == u.workdir, "cwd %r != %r" % (j.get("cwd"), u.workdir))
        meta = j.get("uwsgitop") or {}
        check(meta.get("repaired") is False, "uwsgitop.repaired = %r on clean output" % meta.get("repaired"))
        check(isinstance(meta.get("address"), str) and str(u.stats.target[1]) in meta["address"],
              "uwsgitop.address = %r" % meta.get("address"))
        for w in ws:
            cores = w.get("cores") or []
            check(len(cores) == 2, "worker %s has %d cores, expected 2 threads" % (w.get("id"), len(cores)))
            check(_sum(cores, "requests") == w["requests"],
                  "worker %s: cores sum %d != requests %d" % (w["id"], _sum(cores, "requests"), w["requests"]))
            check(w.get("rps") is None, "worker %s: rps %r on a single read (expected null)" % (w["id"], w.get("rps")))
        total_share = sum(w["share"] for w in ws if w.get("share") is not None)
        check(abs(total_share - 100.0) < 0.1, "shares sum to %.3f, expected 100" % total_share)
    ctx.sub("json", json_counts)

    def colon_port():
        j = ctx.once(":%d" % u.stats.target[1])
        check(_sum(j["workers"], "requests") == 45, "':PORT' form: %d requests" % _sum(j["workers"], "requests"))
    ctx.sub("colon-port", colon_port)

    for fmt, sep in (("tsv", "\t"), ("csv", ",")):
        def delimited(fmt=fmt, sep=sep):
            r = ctx.tool("--once", "--format", fmt, "--columns", "id,pid,requests,exceptions,status", addr)
            check(r.rc == 0, "exit %s" % r.rc)
            header, rows = _rows(r.text(), sep)
            check(header == ["id", "pid", "requests", "exceptions", "status"], "header %r" % header)
            check(len(rows) == 4, "%d rows, expected 4 workers" % len(rows))
            check(sum(int(x["requests"]) for x in rows) == 45, "requests column sums to %s"
                  % sum(int(x["requests"]) for x in rows))
            check(sum(int(x["exceptions"]) for x in rows) == 5, "exceptions column wrong")
            check(sorted(int(x["pid"]) for x in rows) == sorted(u.children()), "pids column wrong")
        ctx.sub(fmt, delimited)

    def sort_order():
        a = ctx.tool("--once", "--format", "tsv", "--columns", "requests", "--sort", "requests", addr)
        b = ctx.tool("--once", "--format", "tsv", "--columns", "requests", "--sort", "-requests", addr)
        check(a.rc == 0 and b.rc == 0, "exit codes %s %s" % (a.rc, b.rc))
        ra = [int(x["requests"]) for x in _rows(a.text(), "\t")[1]]
        rb = [int(x["requests"]) for x in _rows(b.text(), "\t")[1]]
        check(ra in (sorted(ra), sorted(ra, reverse=True)), "--sort requests not sorted: %s" % ra)
        check(rb == list(reversed(ra)) or sorted(ra) == ra == rb == sorted(rb, reverse=True),
              "--sort -requests %s is not the reverse of --sort requests %s" % (rb, ra))
    ctx.sub("sort", sort_order)

    def table():
        r = ctx.tool("--once", "--format", "table", addr)
        check(r.rc == 0, "exit %s" % r.rc)
        _no_control_bytes(r.out)
        for pid in u.children():
            check(str(pid).encode() in r.out, "table does not show worker pid %d" % pid)
    ctx.sub("table", table)

    def raw():
        r = ctx.tool("--once", "--format", "raw", addr)
        check(r.rc == 0, "exit %s" % r.rc)
        try:
            doc = json.loads(r.out.decode("utf-8"))
        except ValueError as e:
            raise Fail("raw output is not uWSGI's JSON: %s" % e)
        check(_sum(doc["workers"], "requests") == 45, "raw: %d requests" % _sum(doc["workers"], "requests"))
    ctx.sub("raw", raw)

    def saved():
        raw_bytes = u.stats.read_raw()
        path = ctx.path("snap.json")
        with open(path, "wb") as f:
            f.write(raw_bytes)
        j = ctx.once("file:" + path)
        check(_sum(j["workers"], "requests") == 45, "file: form: %d requests" % _sum(j["workers"], "requests"))
        j = ctx.once("-", stdin_data=raw_bytes)
        check(_sum(j["workers"], "requests") == 45, "'-' form: %d requests" % _sum(j["workers"], "requests"))
    ctx.sub("file-and-stdin", saved)


# ------------------------------------------------------------------ case 2

def _count_case(ctx, kind, http, forms, k=7):
    """Starts uWSGI with stats on `kind`, sends k requests, then checks each
    (label, address-maker, extra args, max seconds) form reports exactly k."""
    u = ctx.uwsgi(["--processes", "2", "--threads", "2"], stats=kind, http=http)
    statuses = load(u.http_port, ["/"] * k, concurrency=3)
    check(statuses.count(200) == k, "the app answered %d of %d" % (statuses.count(200), k))
    settle(u.stats, k)
    for label, make, extra, max_secs in forms:
        def one(make=make, extra=extra, max_secs=max_secs):
            address = make(u)
            j = ctx.once(address, *extra)
            got = _sum(j.get("workers") or [], "requests")
            check(got == k, "%s reports %d requests, sent %d" % (address, got, k))
            check(j.get("pid") == u.pid, "pid %r != master %d" % (j.get("pid"), u.pid))
            if max_secs is not None:
                el = ctx.runs[-1].elapsed
                check(el < max_secs, "took %.1f s with --timeout 10: the --stats-http server was not "
                      "detected quickly" % el)
                ctx.note("%.2f s" % el)
        ctx.sub(label, one)


@case("ipv6")
def ipv6(ctx):
    if not ipv6_loopback_available():
        raise Skip("::1 is not available here")
    _count_case(ctx, "tcp6", False, [("bracket", lambda u: ctx.address(u.stats), (), None)])


@case("unix")
def unix(ctx):
    _count_case(ctx, "unix", False, [
        ("absolute", lambda u: u.stats.target, (), None),
    ])

    def relative():
        j = ctx.once("./stats.sock", cwd=ctx.dir)
        check(_sum(j["workers"], "requests") == 7, "./stats.sock: %d requests" % _sum(j["workers"], "requests"))
    ctx.sub("relative", relative)


@case("ipv6-stats-http")
def ipv6_stats_http(ctx):
    if not ipv6_loopback_available():
        raise Skip("::1 is not available here")
    _count_case(ctx, "tcp6", True, [
        ("url", lambda u: "http://[::1]:%d/" % u.stats.target[1], (), None),
        ("plain-autodetect", lambda u: ctx.address(u.stats), ("--timeout", "10"), 5.0),
    ])


@case("abstract")
def abstract(ctx):
    _count_case(ctx, "abstract", False, [("at-name", lambda u: ctx.address(u.stats), (), None)])


@case("stats-http-tcp")
def stats_http_tcp(ctx):
    _count_case(ctx, "tcp", True, [
        ("url", lambda u: "http://127.0.0.1:%d/" % u.stats.target[1], (), None),
        ("plain-autodetect", lambda u: "127.0.0.1:%d" % u.stats.target[1], ("--timeout", "10"), 5.0),
    ])


@case("stats-http-unix")
def stats_http_unix(ctx):
    _count_case(ctx, "unix", True, [
        ("url", lambda u: "http+unix://" + u.stats.target, (), None),
        ("plain-autodetect", lambda u: u.stats.target, ("--timeout", "10"), 5.0),
    ])


# ------------------------------------------------------------------ case 3

def _walk_rates(obj, path="$"):
    """Yields (path, value) of every rps / exc_rate / tx_rate field."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in ("rps", "exc_rate", "tx_rate"):
                yield path + "." + k, v
            else:
                yield from _walk_rates(v, path + "." + k)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _walk_rates(v, "%s[%d]" % (path, i))


@case("rates")
def rates(ctx):
    """Known paced loads while --batch -n 3 -d 1 runs: 10 req/s to /, 5/s to
    /boom (exceptions), 5/s to /big?kb=16 (16 KiB each): ~20 req/s, ~5 exc/s,
    >= ~80 KB/s. Bands are generous: the machine is shared."""
    u = ctx.uwsgi(["--processes", "2", "--threads", "2"])
    loads = [PacedLoad(u.http_port, rate=10, seconds=4.5).start(),
             PacedLoad(u.http_port, rate=5, seconds=4.5, path="/boom").start(),
             PacedLoad(u.http_port, rate=5, seconds=4.5, path="/big?kb=16").start()]
    try:
        r = ctx.tool("--batch", "-n", "3", "-d", "1", "--format", "json", ctx.address(u.stats), timeout=30)
    finally:
        for bg in loads:
            bg.join()
    check(r.rc == 0 and not r.timed_out, "exit %s%s" % (r.rc, " (timed out)" if r.timed_out else ""))
    objs = r.json_lines()
    check(len(objs) == 3, "%d JSON lines, expected 3" % len(objs))
    first = [w.get("rps") for w in objs[0]["workers"]]
    check(all(x is None for x in first), "first snapshot has worker rps %s, expected null" % first)
    check(objs[0].get("rps") is None, "first snapshot has a total rps %r" % objs[0].get("rps"))
    check((objs[0].get("uwsgitop") or {}).get("interval") is None, "first snapshot has an interval")
    prev = None
    for n, o in enumerate(objs):
        for path, v in _walk_rates(o):
            check(v is None or (isinstance(v, (int, float)) and v >= 0), "snapshot %d: %s = %r" % (n, path, v))
        reqs = _sum(o["workers"], "requests")
        check(prev is None or reqs >= prev, "requests went down: %s -> %s" % (prev, reqs))
        prev = reqs
    notes = []
    for n, o in enumerate(objs[1:], 2):
        ws = o["workers"]
        iv = (o.get("uwsgitop") or {}).get("interval")
        check(isinstance(iv, (int, float)) and 0.5 <= iv <= 5, "snapshot %d: interval %r for -d 1" % (n, iv))

        def rate_sum(key):
            vals = [w.get(key) for w in ws]
            check(all(isinstance(x, (int, float)) for x in vals), "snapshot %d: worker %s %s" % (n, key, vals))
            return sum(vals)
        tot, exc, tx = rate_sum("rps"), rate_sum("exc_rate"), rate_sum("tx_rate")
        check(5 <= tot <= 60, "snapshot %d: total rps %.2f outside 5..60 for a 20 req/s load" % (n, tot))
        check(1 <= exc <= 15, "snapshot %d: exc_rate %.2f outside 1..15 for 5 exceptions/s" % (n, exc))
        check(20000 <= tx <= 400000, "snapshot %d: tx_rate %.0f B/s outside 20k..400k for ~80 KiB/s" % (n, tx))
        top = o.get("rps")
        check(isinstance(top, (int, float)) and abs(top - tot) <= max(0.5, 0.05 * tot),
              "snapshot %d: top-level rps %r != sum of workers %.2f" % (n, top, tot))
        cores_rps = [c.get("rps") for w in ws for c in (w.get("cores") or [])]
        check(all(isinstance(x, (int, float)) for x in cores_rps), "snapshot %d: core rps %s" % (n, cores_rps))
        check(abs(sum(cores_rps) - tot) <= max(0.5, 0.05 * tot), "snapshot %d: core rps sum %.2f != workers %.2f"
              % (n, sum(cores_rps), tot))
        notes.append("%.1f rps %.1f exc/s %.0f B/s" % (tot, exc, tx))
    ctx.note("; ".join(notes))


# ------------------------------------------------------------------ case 4

@case("gevent-cores")
def gevent_cores(ctx):
    if not plugin_available("gevent_python3"):
        raise Skip("uwsgi-plugin-gevent-python3 is not installed")
    # the plugin embeds the system's Python, which may not be the one running us
    py = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else "python3"
    if subprocess.run([py, "-c", "import gevent"], capture_output=True).returncode != 0:
        raise Skip("python3-gevent is not installed for %s" % py)
    u = ctx.uwsgi(["--processes", "2", "--gevent", "20"], plugin="python3,gevent_python3")
    paths = ["/"] * 20 + ["/slow?s=0.3"] * 10
    statuses = load(u.http_port, paths, concurrency=10)
    check(statuses.count(200) == 30, "the app answered %d of 30" % statuses.count(200))
    settle(u.stats, 30)
    j = ctx.once(ctx.address(u.stats))
    ws = j["workers"]
    check(len(ws) == 2, "%d workers, expected 2" % len(ws))
    check(_sum(ws, "requests") == 30, "sum(requests) = %d, sent 30" % _sum(ws, "requests"))
    used = 0
    for w in ws:
        cores = w.get("cores") or []
        check(len(cores) == 20, "worker %s: %d cores, expected 20 async cores" % (w["id"], len(cores)))
        check(_sum(cores, "requests") == w["requests"], "worker %s: cores sum %d != requests %d"
              % (w["id"], _sum(cores, "requests"), w["requests"]))
        used += sum(1 for c in cores if c.get("requests"))
    check(used >= 2, "only %d cores ever served a request: async cores not reported" % used)
    ctx.note("%d cores used" % used)


@case("big")
def big(ctx):
    """8 workers x 8 threads, 200 requests (+10 exceptions): exact counts in a
    larger document, per worker and per core, in json and in --cores tsv."""
    u = ctx.uwsgi(["--processes", "8", "--threads", "8", "--listen", "128"])
    statuses = load(u.http_port, ["/"] * 190 + ["/big?kb=16"] * 10 + ["/boom"] * 10, concurrency=12)
    check(statuses.count(200) == 200, "the app answered %d of 200" % statuses.count(200))
    settle(u.stats, 210, 10)
    j = ctx.once(ctx.address(u.stats))
    ws = j["workers"]
    check(len(ws) == 8, "%d workers" % len(ws))
    check(_sum(ws, "requests") == 210 and _sum(ws, "exceptions") == 10, "requests %d exceptions %d"
          % (_sum(ws, "requests"), _sum(ws, "exceptions")))
    check(_sum(ws, "tx") >= 10 * 16 * 1024, "tx %d < the 160 KiB sent by /big" % _sum(ws, "tx"))
    for w in ws:
        check(_sum(w.get("cores") or [], "requests") == w["requests"], "worker %d cores sum" % w["id"])
    r = ctx.tool("--once", "--format", "tsv", "--cores", "--columns", "id,requests", ctx.address(u.stats))
    check(r.rc == 0, "--cores tsv: exit %s" % r.rc)
    header, rows = _rows(r.text(), "\t")
    check(len(rows) == 64, "%d core rows, expected 64" % len(rows))
    check(sum(int(x["requests"]) for x in rows) == 210, "core rows sum to %d"
          % sum(int(x["requests"]) for x in rows))


@case("settings")
def settings_file(ctx):
    """A config.toml naming two real uWSGI instances ([[target]]), columns and
    sort: --once reads what the file says; the environment and the command
    line override it; --show-config says where each value came from."""
    u1 = ctx.uwsgi(["--processes", "2"])
    u2 = ctx.uwsgi(["--processes", "3"])
    a1, a2 = ctx.address(u1.stats), ctx.address(u2.stats)
    load(u1.http_port, ["/"] * 4, concurrency=2)
    load(u2.http_port, ["/"] * 9, concurrency=3)
    settle(u1.stats, 4, 0)
    settle(u2.stats, 9, 0)
    home = ctx.mkdir("home")
    os.makedirs(os.path.join(home, "uwsgitop"))
    config = os.path.join(home, "uwsgitop", "config.toml")
    text = ('# two instances\ncolumns = ["id", "pid", "requests"]\nsort = "-pid"\n'
            '[[target]]\nname = "small"\naddress = "%s"\n[[target]]\nname = "large"\naddress = "%s"\n' % (a1, a2))
    with open(config, "w") as f:
        f.write(text)
    env = {"XDG_CONFIG_HOME": home, "XDG_STATE_HOME": home}

    def fleet_from_file():
        r = ctx.tool("--once", "--format", "json", extra_env=env)
        check(r.rc == 0, "exit %s: %r" % (r.rc, r.errtext()[:300]))
        doc = r.json()
        insts = doc.get("instances") if isinstance(doc, dict) else doc
        names = sorted(i.get("name") for i in insts)
        check(names == ["large", "small"], "instances from [[target]]: %r" % names)
        by_name = {i["name"]: i for i in insts}
        got = {n: sum(w["requests"] for w in (by_name[n].get("stats") or by_name[n]).get("workers", []))
               for n in by_name}
        check(got == {"small": 4, "large": 9}, "requests per instance %r, sent small 4, large 9" % got)
    ctx.sub("fleet-from-file", fleet_from_file)

    def environment_overrides():
        r = ctx.tool("--once", "--format", "tsv", extra_env=dict(env, UWSGITOP_ADDRESS=a2))
        check(r.rc == 0, "exit %s: %r" % (r.rc, r.errtext()[:300]))
        rows = [l.split("\t") for l in r.out.decode().splitlines()]
        check(rows[0] == ["id", "pid", "requests"], "tsv header from config.toml: %r" % rows[:1])
        pids = [int(x[1]) for x in rows[1:]]
        check(sorted(pids) == sorted(u2.children()), "UWSGITOP_ADDRESS replaced the file's instances: %r" % pids)
        check(pids == sorted(pids, reverse=True), "sorted by -pid as config.toml says: %r" % pids)
        check(sum(int(x[2]) for x in rows[1:]) == 9, "requests %r" % rows)
    ctx.sub("environment-overrides", environment_overrides)

    def command_line_overrides():
        r = ctx.tool("--once", "--format", "tsv", "-c", "pid,requests", "-s", "pid", a1, extra_env=env)
        check(r.rc == 0, "exit %s: %r" % (r.rc, r.errtext()[:300]))
        rows = [l.split("\t") for l in r.out.decode().splitlines()]
        check(rows[0] == ["pid", "requests"], "the flag's columns win: %r" % rows[:1])
        pids = [int(x[0]) for x in rows[1:]]
        check(pids == sorted(u1.children()), "the flag's sort and address win: %r" % pids)
    ctx.sub("command-line-overrides", command_line_overrides)

    def show_config():
        r = ctx.tool("--show-config", extra_env=env)
        check(r.rc == 0, "exit %s" % r.rc)
        out = r.out.decode()
        check('sort = "-pid"' in out and (config + ":3") in out, "sort and its origin: %r" % out[:600])
        # The file's instances as [[target]] tables, so the text reads back with --config.
        check('[[target]]\naddress = "%s"\nname = "small"\n' % a1 in out and
              '[[target]]\naddress = "%s"\nname = "large"\n' % a2 in out, "instances listed: %r" % out[-400:])
        with open(config) as f:
            check(f.read() == text, "config.toml unchanged")
    ctx.sub("show-config", show_config)

    def bad_file():
        with open(config, "w") as f:
            f.write(text.replace('address = "%s"' % a2, 'address = "%s"\nport = 1' % a2))
        r = ctx.tool("--once", extra_env=env)
        check(r.rc == 2, "exit %s, expected 2" % r.rc)
        check(r.errtext().startswith("uwsgitop: %s:10: target.port: unknown key" % config), r.errtext()[:300])
    ctx.sub("bad-file", bad_file)
