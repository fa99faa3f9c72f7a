# cases_cli.py — usage errors (exit 2, one-line message), UWSGITOP_ADDRESS,
# --help/--version. No server needed: a saved snapshot file stands in.
import json
import os
import subprocess
import time

import fake_server as fs
import harness
from harness import Fail, check
from suite import case


def _usage_error(ctx, r, *words):
    check(not r.timed_out, "hung")
    check(r.rc == 2, "exit %s, expected 2 (usage error)" % r.rc)
    check(r.out == b"", "usage error wrote to stdout: %r" % r.out[:200])
    lines = r.errtext().strip("\n").split("\n")
    check(lines[0].startswith("uwsgitop: "), "first stderr line %r" % lines[0][:200])
    rest = [ln for ln in lines[1:] if "--help" not in ln]
    check(not rest, "the message is not one line: %r" % lines)
    for w in words:
        check(w.lower() in lines[0].lower(), "message %r does not mention %r" % (lines[0], w))
    ctx.note(lines[0][len("uwsgitop: "):][:70])


@case("usage")
def usage(ctx):
    snap = ctx.path("snap.json")
    with open(snap, "wb") as f:
        f.write(fs.snapshot(workers=2, cores=1, requests=4))
    good = "file:" + snap

    cases = [
        ("bad-port", ["--once", "127.0.0.1:99999"], ["99999"]),
        ("frequency-negative", ["--frequency", "-1", good], ["frequency"]),
        ("sort-unknown", ["--once", "--sort", "nosuch", good], ["nosuch"]),
        ("columns-unknown", ["--once", "--columns", "id,nosuch", good], ["nosuch"]),
        ("record-no-dir", ["--once", "--record", "/no/such/dir/f.jsonl", good], ["/no/such/dir"]),
        ("replay-missing", ["--once", "--replay", "/no/such/file"], ["/no/such/file"]),
        ("format-unknown", ["--once", "--format", "nosuch", good], ["nosuch"]),
        ("option-unknown", ["--bogus", good], ["bogus"]),
        ("iterations-zero", ["--batch", "-n", "0", good], []),
        ("timeout-zero", ["--once", "--timeout", "0", good], ["timeout"]),
        ("max-size-zero", ["--once", "--max-size", "0", good], ["max-size"]),
        ("once-and-batch", ["--once", "--batch", good], []),
        ("bracket-unclosed", ["--once", "[::1:9191"], []),
        ("empty-address", ["--once", ""], []),
    ]
    for name, args, words in cases:
        def one(args=args, words=words):
            _usage_error(ctx, ctx.tool(*args), *words)
        ctx.sub(name, one)

    def no_address():
        env = {k: v for k, v in os.environ.items() if k != "UWSGITOP_ADDRESS"}
        r = ctx.tool("--once", env=env)
        check(r.rc == 2, "no address: exit %s, expected 2" % r.rc)
        check(r.errtext().startswith("uwsgitop: "), "stderr %r" % r.errtext()[:200])
    ctx.sub("no-address", no_address)

    def env_address():
        r = ctx.tool("--once", "--format", "json", extra_env={"UWSGITOP_ADDRESS": good})
        check(r.rc == 0, "UWSGITOP_ADDRESS=file:...: exit %s" % r.rc)
        got = sum(w["requests"] for w in r.json()["workers"])
        check(got == 8, "%d requests from the saved snapshot, expected 8" % got)
        r = ctx.tool("--once", "--format", "json", good, extra_env={"UWSGITOP_ADDRESS": "127.0.0.1:1"})
        check(r.rc == 0, "an ADDRESS argument must win over UWSGITOP_ADDRESS: exit %s" % r.rc)
    ctx.sub("env-address", env_address)

    def stdin_empty():
        r = ctx.tool("--once", "--format", "json", "-", stdin_data=b"")
        check(r.rc == 1, "empty stdin: exit %s, expected 1" % r.rc)
        check("empty" in r.errtext().lower(), "stderr %r" % r.errtext()[:200])
    ctx.sub("stdin-empty", stdin_empty)

    def stdout_closed():
        # `uwsgitop --batch ... | head -1`: stops quietly when the reader goes
        p = subprocess.Popen([ctx.binary, "--batch", "-n", "1000", "-d", "0.05", "--format", "json", good],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            first = p.stdout.readline()
            p.stdout.close()
            rc = p.wait(10)
        except subprocess.TimeoutExpired:
            raise Fail("uwsgitop kept running after its stdout was closed")
        finally:
            if p.poll() is None:
                p.kill()
                p.wait(5)
        err = p.stderr.read()
        p.stderr.close()
        check(first.startswith(b"{"), "first line %r" % first[:80])
        check(rc == 0, "exit %s after stdout closed, expected 0 (quiet stop)" % rc)
        check(err == b"", "stderr %r" % err[:200])
    ctx.sub("stdout-closed", stdout_closed)

    def stdout_full():
        # `> /dev/full` (a full disk): every format, --once and --batch, and
        # --show-config, exit 1 with one line naming the cause, never 0 with
        # a truncated file (issue 29)
        fixture = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                               "fixtures", "prefork-1.json")
        runs = [["--once", "--format", f, "file:" + fixture]
                for f in ("prometheus", "openmetrics", "json", "table", "tsv", "csv", "raw")]
        runs += [["--batch", "-n", "2", "-d", "0.05", "--format", "json", good],
                 ["--once", "--format", "json", good, good],
                 ["--show-config"]]
        for args in runs:
            with open("/dev/full", "wb") as full:
                p = subprocess.run([ctx.binary] + args, stdin=subprocess.DEVNULL, stdout=full,
                                   stderr=subprocess.PIPE, timeout=20)
            err = p.stderr.decode("utf-8", "replace").strip("\n").split("\n")
            check(p.returncode == 1, "%s > /dev/full: exit %s, expected 1" % (" ".join(args), p.returncode))
            check(err == ["uwsgitop: cannot write output: No space left on device"],
                  "%s > /dev/full: stderr %r" % (" ".join(args), err))
    ctx.sub("stdout-full", stdout_full)

    def std_closed():
        # Descriptors 0-2 closed at start are held on /dev/null: `- <&-` is
        # one "closed" line (an internal eventfd at 0 was read as stdin and
        # hung), output to a closed stdout is an error, not /dev/null.
        def run(args, close):
            p = subprocess.Popen([ctx.binary] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, preexec_fn=lambda: os.close(close))
            try:
                out, err = p.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()  # our own child, by its pid
                p.communicate()
                raise Fail("%s with descriptor %d closed: hung" % (" ".join(args), close))
            return p.returncode, out, err.decode("utf-8", "replace").strip("\n").split("\n")

        rc, out, err = run(["--once", "--format", "json", "-"], 0)
        check(rc == 1 and err == ["uwsgitop: standard input: closed"], "- <&-: exit %s, stderr %r" % (rc, err))
        rc, out, err = run(["--once", "--format", "json", good, "-"], 0)
        check(rc == 1, "ADDR - <&-: exit %s" % rc)
        check(len(err) == 1 and err[0].endswith("standard input: closed"), "ADDR - <&-: stderr %r" % err)
        check([i["state"] == "ok" for i in json.loads(out)["instances"]] == [True, False], "ADDR - <&-: %r" % out[:300])
        rc, out, err = run(["--once", "--format", "json", good], 1)
        check(rc == 1 and err == ["uwsgitop: cannot write output: Bad file descriptor"],
              ">&-: exit %s, stderr %r" % (rc, err))
    ctx.sub("std-closed", std_closed)

    def help_version():
        r = ctx.tool("--help")
        check(r.rc == 0 and b"usage" in r.out.lower(), "--help: exit %s" % r.rc)
        r = ctx.tool("--version")
        check(r.rc == 0 and r.out.startswith(b"uwsgitop "), "--version: exit %s, %r" % (r.rc, r.out[:80]))
    ctx.sub("help-version", help_version)


def _bounded(ctx, args, stdin=subprocess.DEVNULL, extra_env=None, timeout=5.0, pass_fds=()):
    """Runs uwsgitop with stdout/stderr in files, reaped by os.wait4 for its
    own peak RSS: (ToolResult, seconds, max RSS in KiB). Killed at `timeout`."""
    env = {k: v for k, v in os.environ.items() if k != "UWSGITOP_ADDRESS"}
    env.update(extra_env or {})
    cmd = [ctx.binary] + [str(a) for a in args]
    with open(ctx.path("bounded.out"), "w+b") as out, open(ctx.path("bounded.err"), "w+b") as err:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdin=stdin, stdout=out, stderr=err, env=env, pass_fds=pass_fds)
        timed_out = False
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - t0 > timeout:
                timed_out = True
                p.kill()  # our own child, by its pid
                pid, status, usage = os.wait4(p.pid, 0)
                break
            time.sleep(0.01)
        elapsed = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        r = harness.ToolResult(cmd, p.returncode, out.read(), err.read(), elapsed, timed_out)
    ctx.runs.append(r)
    return r, elapsed, usage.ru_maxrss


@case("bad-files")
def bad_files(ctx):
    """Issue 29: settings, saved view and targets files that are devices,
    directories, FIFOs or /proc files, and deeply nested TOML: exit 2 with one
    line within a second, never read into memory, never waited on."""
    snap = ctx.path("snap.json")
    with open(snap, "wb") as f:
        f.write(fs.snapshot(workers=2, cores=1, requests=4))
    good = "file:" + snap
    fifo = ctx.path("fifo")
    os.mkfifo(fifo)
    deep = ctx.path("c.toml")
    with open(deep, "w") as f:
        f.write("interval = 2\n" + "a" + ".a" * 35000 + "=1\n")

    # A child's peak RSS (wait4) counts this harness's own pages shared before
    # the exec, which grow over a long run: the bounds are over a baseline
    # measured the same way (uwsgitop --version).
    _, _, baseline_kb = _bounded(ctx, ["--version"])

    def refused(args, words, extra_env=None):
        r, elapsed, rss_kb = _bounded(ctx, args, extra_env=extra_env)
        _usage_error(ctx, r, *words)
        check(elapsed < 1.0, "%s: %.2f s, expected under 1 s" % (" ".join(args), elapsed))
        check(rss_kb - baseline_kb < 50 * 1024, "%s: peak RSS %d KiB over the baseline %d KiB, expected under 50 MiB"
              % (" ".join(args), rss_kb - baseline_kb, baseline_kb))

    cases = [
        ("config-dev-zero", ["--config", "/dev/zero", "--show-config"], ["/dev/zero", "not a regular file"]),
        ("config-fifo", ["--config", fifo, "-t", "0.3", "--once", good], [fifo, "no end within 0.3 s"]),
        ("config-directory", ["--config", ctx.dir, "--show-config"], [ctx.dir, "is a directory"]),
        ("config-proc-mem", ["--config", "/proc/self/mem", "--show-config"], ["/proc/self/mem", "cannot read"]),
        ("targets-dev-zero", ["--targets", "/dev/zero", "--once"], ["--targets /dev/zero", "not a regular file"]),
        ("targets-fifo", ["--targets", fifo, "--once"], [fifo, "not a regular file (a FIFO)"]),
        ("targets-directory", ["--targets", ctx.dir, "--once"], [ctx.dir, "is a directory"]),
        ("toml-deep", ["--config", deep, "--show-config"], [deep + ":2:", "nested more than 32 levels"]),
    ]
    for name, args, words in cases:
        ctx.sub(name, lambda args=args, words=words: refused(args, words))

    def symlinked_files():
        # config.toml and the saved view pointing at /dev/zero
        for var, sub in (("XDG_CONFIG_HOME", "config.toml"), ("XDG_STATE_HOME", "view.toml")):
            home = ctx.mkdir(var.lower(), "uwsgitop")
            link = os.path.join(home, sub)
            os.symlink("/dev/zero", link)
            refused(["--once", good], [link, "not a regular file (a character device)"],
                    extra_env={var: os.path.dirname(home)})
    ctx.sub("symlinks-to-dev-zero", symlinked_files)

    def targets_stdin():
        # --targets - reads standard input: a pipe to its end ...
        r = ctx.tool("--targets", "-", "--once", "--format", "json",
                     stdin_data=("a=%s\n# c\nb=%s\n" % (good, good)).encode())
        check(r.rc == 0, "--targets - from a pipe: exit %s" % r.rc)
        check([i["name"] for i in r.json()["instances"]] == ["a", "b"], "instances %r" % r.out[:200])
        # ... within --timeout when the writer never closes it ...
        rd, wr = os.pipe()
        try:
            r, elapsed, _ = _bounded(ctx, ["--targets", "-", "--once", "-t", "0.3"], stdin=rd)
        finally:
            os.close(rd)
            os.close(wr)
        _usage_error(ctx, r, "--targets -: no end within 0.3 s")
        check(elapsed < 1.0, "--targets - from an open pipe: %.2f s" % elapsed)
        # ... and up to its cap from a device
        with open("/dev/zero", "rb") as zero:
            r, elapsed, rss_kb = _bounded(ctx, ["--targets", "-", "--once"], stdin=zero)
        _usage_error(ctx, r, "--targets -: larger than 16 MiB")
        check(rss_kb - baseline_kb < 80 * 1024, "--targets - < /dev/zero: peak RSS %d KiB over the baseline" %
              (rss_kb - baseline_kb))
        # the address - and --targets - cannot both have standard input
        _usage_error(ctx, ctx.tool("--targets", "-", "--once", "-", stdin_data=b"x\n"), "both read standard input")
    ctx.sub("targets-stdin", targets_stdin)


def _settings_lines(text):
    """The settings of a --show-config text: its non-comment lines without
    the origin comment (the origins differ: command line, /dev/stdin:LINE)."""
    out = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        at = line.rfind("  # ")
        out.append((line[:at] if at >= 0 else line).rstrip())
    return out


@case("show-config-round-trip")
def show_config_round_trip(ctx):
    """Issue 34: `uwsgitop --show-config | uwsgitop --config /dev/stdin
    --show-config` gives the same settings, with the defaults and with options
    set on the command line; the output is TOML (tomllib reads it)."""
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        tomllib = None
    env = {k: v for k, v in os.environ.items() if k != "UWSGITOP_ADDRESS"}
    env["XDG_CONFIG_HOME"] = ctx.mkdir("config")
    env["XDG_STATE_HOME"] = ctx.mkdir("state")
    options = ["-r", "-s", "-rss", "--read-only", "--event-queue-share", "80", "--pane", "sockets",
               "--filter", 'a "q" # x', "--no-mouse", "--color", "never", "-c", "id,pid,rss", "-d", "0.5",
               "--serve-metrics", ":9117", "--web-max-connections", "9", "--probe-allow", "127.*"]

    def pipe(first_args, second_args):
        first = subprocess.Popen([ctx.binary, "--show-config"] + first_args, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, env=env)
        second = subprocess.run([ctx.binary, "--config", "/dev/stdin", "--show-config"] + second_args,
                                stdin=first.stdout, capture_output=True, env=env, timeout=20)
        first.stdout.close()
        first.wait(timeout=20)
        first_err = first.stderr.read()
        first.stderr.close()
        check(first.returncode == 0, "--show-config %s: exit %s %r" % (first_args, first.returncode, first_err))
        check(second.returncode == 0 and second.stderr == b"", "--config /dev/stdin --show-config: exit %s %r"
              % (second.returncode, second.stderr[:300]))
        return second.stdout.decode()

    def round_trip(args):
        r = ctx.tool("--show-config", *args, env=env)
        check(r.rc == 0, "--show-config: exit %s %r" % (r.rc, r.errtext()))
        text = r.out.decode()
        again = pipe(args, [])
        check(_settings_lines(again) == _settings_lines(text), "read back differs:\n%s\n---\n%s" % (text, again))
        check("/dev/stdin:" in again, "the second run names no /dev/stdin origin:\n%s" % again)
        if tomllib:
            check(tomllib.loads(again) == tomllib.loads(text), "not the same TOML")
        ctx.note("%d settings" % len(_settings_lines(text)))
    ctx.sub("defaults", lambda: round_trip([]))
    ctx.sub("options", lambda: round_trip(options))

    def dash():
        r = ctx.tool("--show-config", *options, env=env)
        r2 = ctx.tool("--config", "-", "--show-config", stdin_data=r.out, env=env)
        check(r2.rc == 0, "--config -: exit %s %r" % (r2.rc, r2.errtext()))
        check(_settings_lines(r2.out.decode()) == _settings_lines(r.out.decode()), "--config - reads back differently")
        check("# standard input:" in r2.out.decode(), "origins are not standard input")
    ctx.sub("config-dash", dash)


def _recording(path, n, respawn_at):
    """A --record file of `n` snapshots 1 s apart; worker 2 respawns at `respawn_at`."""
    import json
    with open(path, "w") as f:
        for i in range(n):
            doc = json.loads(fs.snapshot(workers=2, cores=1, requests=10 + i))
            if i >= respawn_at:
                doc["workers"][1]["pid"] = 9999
                doc["workers"][1]["respawn_count"] = 2
            f.write(json.dumps({"t": 1795600800.0 + i, "address": "127.0.0.1:9191", "stats": doc}) + "\n")


@case("replay-dump")
def replay_dump(ctx):
    """--replay FILE --format F, with neither --once nor --batch: --batch over the
    whole recording (the README's `--replay incident.jsonl --speed 0 --format events`)."""
    rec = ctx.path("incident.jsonl")
    n = 6
    _recording(rec, n, respawn_at=3)

    def events():
        r = ctx.tool("--no-config", "--replay", rec, "--speed", "0", "--format", "events", timeout=30)
        check(not r.timed_out, "hung")
        check(r.rc == 0, "exit %s, expected 0: %r" % (r.rc, r.errtext()[:200]))
        got = r.json_lines()
        kinds = [e.get("kind") for e in got]
        check(kinds == ["respawn"], "events %r, expected one respawn" % kinds)
        check(got and got[0].get("worker") == 2, "the respawn names worker 2: %r" % got[:1])
    ctx.sub("events", events)

    def tsv():
        r = ctx.tool("--no-config", "--replay", rec, "--speed", "0", "--format", "tsv", "-c", "id,pid", timeout=30)
        check(r.rc == 0, "exit %s, expected 0: %r" % (r.rc, r.errtext()[:200]))
        rows = [ln for ln in r.out.decode().splitlines() if ln and not ln.startswith("time")]
        check(len(rows) == 2 * n, "%d rows, expected %d (2 workers x %d snapshots)" % (len(rows), 2 * n, n))
        check(rows[-1].endswith("\t9999"), "the last row is the respawned worker's: %r" % rows[-1:])
    ctx.sub("tsv", tsv)

    def json_all():
        r = ctx.tool("--no-config", "--replay", rec, "--speed", "0", "--format", "json", timeout=30)
        check(r.rc == 0, "exit %s, expected 0" % r.rc)
        check(len(r.json_lines()) == n, "%d snapshots, expected %d" % (len(r.json_lines()), n))
    ctx.sub("json", json_all)

    def not_a_replay():
        snap = ctx.path("snap.json")
        with open(snap, "wb") as f:
            f.write(fs.snapshot())
        _usage_error(ctx, ctx.tool("--format", "json", "file:" + snap), "--format")
    ctx.sub("format-without-replay", not_a_replay)


@case("batch-exit")
def batch_exit(ctx):
    """--batch exits 0 when its last read worked (a read refused in the middle,
    as during a reload, is reported but is no failure of the run); 1 when the
    last read failed or none worked."""
    good = fs.h_send(fs.snapshot(workers=2))
    reload_pid = fs.h_send(fs.snapshot(workers=2, pid=5000))

    def run(handler, n, fmt="events", extra=()):
        with fs.FakeServer(handler) as srv:
            return ctx.tool("--no-config", "--batch", "--format", fmt, "-d", "0.05", "-n", str(n), *extra,
                            srv.address, timeout=30)

    def failure_in_the_middle():
        r = run(fs.h_sequence(good, good, fs.h_empty, reload_pid), 5)
        check(r.rc == 0, "exit %s, expected 0 (the last read worked)" % r.rc)
        errs = [ln for ln in r.errtext().splitlines() if ln.startswith("uwsgitop: ")]
        check(len(errs) == 1, "one failed read reported on stderr: %r" % errs)
        kinds = [e.get("kind") for e in r.json_lines()]
        check(kinds == ["down", "up", "reload"], "events %r" % kinds)
    ctx.sub("failure-in-the-middle", failure_in_the_middle)

    def last_read_failed():
        r = run(fs.h_sequence(good, good, fs.h_empty), 3, "json")
        check(r.rc == 1, "exit %s, expected 1 (the last read failed)" % r.rc)
        check(len(r.json_lines()) == 2, "the two good snapshots are written")
    ctx.sub("last-read-failed", last_read_failed)

    def none_worked():
        r = run(fs.h_empty, 2, "json")
        check(r.rc == 1, "exit %s, expected 1 (no read worked)" % r.rc)
        r = run(fs.h_empty, 1, "json", ())
        check(r.rc == 1, "one failed read: exit %s, expected 1" % r.rc)
    ctx.sub("none-worked", none_worked)

    def fleet():
        with fs.FakeServer(good) as a:
            # A member whose poll failed is asked again without holding up the
            # next round (fleet_poll.hpp): it shows as recovered a round or two later.
            for handlers, want in (((good, fs.h_empty, good), 0), ((good, good, good, good, fs.h_empty), 1)):
                with fs.FakeServer(fs.h_sequence(*handlers)) as b:
                    r = ctx.tool("--no-config", "--batch", "--format", "json", "-d", "0.05", "-n", "5",
                                 a.address, b.address, timeout=30)
                check(r.rc == want, "fleet, %s: exit %s, expected %s" %
                      ("the last poll failed" if want else "a poll in the middle failed", r.rc, want))
    ctx.sub("fleet", fleet)


@case("fifo-sources")
def fifo_sources(ctx):
    """file:FIFO and `-` (standard input) that never end: one timeout (-t), one
    line, exit 1; a FIFO or pipe that does deliver a document is read."""
    fifo = ctx.path("stats.fifo")
    os.mkfifo(fifo)
    r, elapsed, _ = _bounded(ctx, ["--once", "-t", "0.5", "file:" + fifo])
    check(r.rc == 1 and "file:%s: no end within 0.5 s" % fifo in r.errtext(), "rc %s err %r" % (r.rc, r.errtext()))
    check(elapsed < 2.0, "file:FIFO took %.1f s with -t 0.5" % elapsed)
    rd, wr = os.pipe()
    try:
        r, elapsed, _ = _bounded(ctx, ["--once", "-t", "0.5", "-"], stdin=rd)
    finally:
        os.close(rd)
        os.close(wr)
    check(r.rc == 1 and "standard input: no end within 0.5 s" in r.errtext(), "rc %s err %r" % (r.rc, r.errtext()))
    check(elapsed < 2.0, "- from an open pipe took %.1f s with -t 0.5" % elapsed)
    r = ctx.tool("--once", "--format", "json", "-", stdin_data=fs.snapshot(workers=2))
    check(r.rc == 0 and len(r.json()["workers"]) == 2, "a piped document: rc %s" % r.rc)
