# suite.py — case registry and the per-case context (temp dir, uWSGI
# instances, uwsgitop runs, failure reports).
#
# A case is a function f(ctx) registered with @case("name"). It raises
# harness.Fail / harness.Skip, or calls ctx.sub("part", fn) to report parts
# sharing one uWSGI as separate results ("name/part"). Every uWSGI made with
# ctx.uwsgi() is stopped when the case ends, whatever happened. On FAIL the
# report shows the message, the uwsgitop runs of that (sub)case (command,
# exit code, stdout/stderr excerpts) and the tail of each uWSGI log.
import os
import random
import shutil
import socket
import tempfile
import traceback

import harness
from harness import Fail, Skip, StatsAddr

CASES = []


def case(name):
    def deco(fn):
        CASES.append((name, fn))
        return fn
    return deco


class Results:
    def __init__(self, out):
        self.out = out
        self.passed = self.failed = self.skipped = 0

    def emit(self, status, name, detail=""):
        if status == "PASS":
            self.passed += 1
        elif status == "FAIL":
            self.failed += 1
        else:
            self.skipped += 1
        line = "%s %s" % (status, name)
        if detail and status != "FAIL":
            line += " (%s)" % detail
        self.out.write(line + "\n")
        if status == "FAIL" and detail:
            for d in detail.rstrip("\n").split("\n"):
                self.out.write("    " + d + "\n")
        self.out.flush()

    def summary(self):
        return "%d passed, %d failed, %d skipped" % (self.passed, self.failed, self.skipped)


class Ctx:
    def __init__(self, binary, name, results, keep=False, verbose=False):
        self.binary = binary
        self.name = name
        self.results = results
        self.keep = keep
        self.verbose = verbose
        self.dir = tempfile.mkdtemp(prefix="uwt-")
        self.runs = []
        self.instances = []
        self.notes = []
        self.any_failed = False
        self.subs_run = 0
        self.only_parts = []   # CASE/PART prefixes to run; empty: all parts

    # --------------------------------------------------------- resources
    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def mkdir(self, *parts):
        p = self.path(*parts)
        os.makedirs(p, exist_ok=True)
        return p

    def stats_addr(self, kind="tcp", http=False):
        if kind == "tcp":
            return StatsAddr("tcp", ("127.0.0.1", harness.free_port()), http)
        if kind == "tcp6":
            return StatsAddr("tcp6", ("::1", harness.free_port(socket.AF_INET6, "::1")), http)
        if kind == "unix":
            return StatsAddr("unix", self.path("stats-http.sock" if http else "stats.sock"), http)
        if kind == "abstract":
            return StatsAddr("abstract", "uwt-integ-%d-%06x" % (os.getpid(), random.getrandbits(24)), http)
        raise ValueError(kind)

    @staticmethod
    def address(sa):
        """The ADDRESS uwsgitop is given for a StatsAddr, in the plain form."""
        if sa.kind == "tcp":
            return "%s:%d" % sa.target
        if sa.kind == "tcp6":
            return "[%s]:%d" % sa.target
        if sa.kind == "unix":
            return sa.target
        return "@" + sa.target

    def uwsgi(self, args, stats="tcp", http=False, workdir=None, **kw):
        """A started uWSGI (stopped at the end of the case)."""
        sa = stats if isinstance(stats, StatsAddr) or stats is None else self.stats_addr(stats, http)
        wd = workdir or self.mkdir("u%d" % len(self.instances))
        u = harness.Uwsgi(wd, args, stats=sa, **kw)
        self.instances.append(u)
        u.start()
        return u

    # ------------------------------------------------------------ binary
    def tool(self, *args, timeout=20.0, **kw):
        r = harness.run_tool(self.binary, list(args), timeout=timeout, **kw)
        self.runs.append(r)
        if self.verbose:
            self.results.out.write("    . %s\n" % r.describe(300).replace("\n", "\n      "))
        return r

    def once(self, address, *extra, timeout=20.0, **kw):
        """uwsgitop --once --format json ADDRESS: must exit 0; the object."""
        r = self.tool("--once", "--format", "json", *extra, address, timeout=timeout, **kw)
        harness.check(not r.timed_out, "uwsgitop did not finish within %.0f s" % timeout)
        harness.check(r.rc == 0, "uwsgitop exited %s (expected 0)" % r.rc)
        harness.check(r.err == b"", "exit 0 but stderr is not empty")
        return r.json()

    def note(self, text):
        self.notes.append(text)

    # ----------------------------------------------------------- running
    def _failure_detail(self, message, first_run):
        lines = [message]
        for r in self.runs[first_run:][-3:]:
            lines.append(r.describe())
        for u in self.instances:
            lines.append("uWSGI log tail (%s):" % u.log)
            lines.extend("  | " + x for x in harness.tail(u.log, 15).split("\n"))
        return "\n".join(lines)

    def _run(self, name, fn, top=False):
        first_run = len(self.runs)
        self.notes = []
        try:
            fn()
        except Skip as e:
            self.results.emit("SKIP", name, str(e))
        except Fail as e:
            self.any_failed = True
            self.results.emit("FAIL", name, self._failure_detail(str(e), first_run))
        except KeyboardInterrupt:
            raise
        except Exception:
            self.any_failed = True
            self.results.emit("FAIL", name, self._failure_detail(
                "harness error:\n" + traceback.format_exc().rstrip(), first_run))
        else:
            if not (top and self.subs_run):  # parts already reported
                self.results.emit("PASS", name, "; ".join(self.notes))

    def sub(self, part, fn):
        full = "%s/%s" % (self.name, part)
        self.subs_run += 1
        if self.only_parts and not any(full.startswith(w) for w in self.only_parts):
            return
        self._run(full, fn)

    def run_case(self, fn):
        try:
            self._run(self.name, lambda: fn(self), top=True)
        finally:
            self.close()

    def close(self):
        for u in self.instances:
            u.stop()
        if self.keep or (self.any_failed and os.environ.get("INTEG_KEEP_FAILED")):
            self.results.out.write("    (kept %s)\n" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
