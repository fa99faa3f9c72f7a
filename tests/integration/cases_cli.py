# cases_cli.py — usage errors (exit 2, one-line message), UWSGITOP_ADDRESS,
# --help/--version. No server needed: a saved snapshot file stands in.
import os
import subprocess

import fake_server as fs
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

    def help_version():
        r = ctx.tool("--help")
        check(r.rc == 0 and b"usage" in r.out.lower(), "--help: exit %s" % r.rc)
        r = ctx.tool("--version")
        check(r.rc == 0 and r.out.startswith(b"uwsgitop "), "--version: exit %s, %r" % (r.rc, r.out[:80]))
    ctx.sub("help-version", help_version)

