# harness.py — start/stop a real uWSGI, bounded loads, read stats, run uwsgitop.
#
# Contracts:
# - Every uWSGI is started daemonized with its own pidfile and log in a temp
#   dir, bound to loopback or unix sockets only, and stopped by ITS OWN pid:
#   SIGINT to the master, up to 20 s wait, then SIGKILL of the master and of
#   the descendants recorded from /proc/PID/task/*/children. Never by name.
# - Uwsgi is a context manager; it is also kept in a registry that
#   stop_all() drains (run.py calls it on exit and on SIGINT/SIGTERM), so an
#   instance is stopped whatever happens in the test.
# - Loads are bounded in request count and in wall time, only to 127.0.0.1.
# - The tool runner kills uwsgitop (its own child, by pid) on timeout.
# Python 3 standard library only.
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
APP = os.path.join(HERE, "app.py")
UWSGI = os.environ.get("UWSGI", "uwsgi")


class Fail(Exception):
    """A check failed: the case is reported FAIL with this message."""


class Skip(Exception):
    """The case cannot run here (missing plugin, no IPv6): reported SKIP."""


def check(cond, message):
    if not cond:
        raise Fail(message)


# ----------------------------------------------------------------- sockets

# Ports for servers the tests start come from below the kernel's ephemeral
# range (Linux: 32768-60999), so an outgoing connection of a test running
# alongside (its source port is ephemeral) can never take one between our
# pick and uWSGI's bind. A port is handed out once per process.
_PORT_LOW, _PORT_HIGH = 20000, 32000
_PORTS_GIVEN = set()
_PORTS_LOCK = threading.Lock()


def free_port(family=socket.AF_INET, host="127.0.0.1"):
    """A TCP port nobody listens on right now on host, never handed out
    before by this process; taken from 20000-32000 (see above)."""
    rng = random.Random()
    with _PORTS_LOCK:
        for _ in range(500):
            port = rng.randrange(_PORT_LOW, _PORT_HIGH)
            if port in _PORTS_GIVEN:
                continue
            with socket.socket(family, socket.SOCK_STREAM) as s:
                try:
                    s.bind((host, port))
                except OSError:
                    continue
            _PORTS_GIVEN.add(port)
            return port
    raise Fail("no free port found in %d-%d on %s" % (_PORT_LOW, _PORT_HIGH, host))


def ipv6_loopback_available():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def plugin_available(name):
    for d in ("/usr/lib/uwsgi/plugins", "/usr/lib/uwsgi"):
        if os.path.exists(os.path.join(d, name + "_plugin.so")):
            return True
    return False


# ----------------------------------------------------------- stats reading

class StatsAddr:
    """Where a stats server listens, as this harness reads it (independently
    of uwsgitop). kind: tcp, tcp6, unix, abstract; http: --stats-http."""

    def __init__(self, kind, target, http=False):
        self.kind = kind
        self.target = target    # (host, port) or path or abstract name
        self.http = http

    def bind_arg(self):
        """The value for uWSGI's --stats / --emperor-stats."""
        if self.kind == "tcp":
            return "%s:%d" % self.target
        if self.kind == "tcp6":
            return "[%s]:%d" % self.target
        if self.kind == "unix":
            return self.target
        return "@" + self.target

    def _connect(self, timeout):
        if self.kind in ("tcp", "tcp6"):
            fam = socket.AF_INET if self.kind == "tcp" else socket.AF_INET6
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.settimeout(timeout)
            s.connect(self.target)
            return s
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        if self.kind == "unix":
            s.connect(self.target)
        else:
            # uWSGI binds "@name" as "\0name\0": the trailing NUL is part of it.
            s.connect(b"\0" + self.target.encode() + b"\0")
        return s

    def read_raw(self, timeout=3.0, limit=64 << 20):
        """Bytes of one snapshot (the HTTP body for --stats-http)."""
        s = self._connect(timeout)
        try:
            if self.http:
                s.sendall(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
            chunks, total = [], 0
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and total < limit:
                d = s.recv(65536)
                if not d:
                    break
                chunks.append(d)
                total += len(d)
        finally:
            s.close()
        data = b"".join(chunks)
        if self.http:
            head, sep, body = data.partition(b"\r\n\r\n")
            data = body if sep else b""
        return data

    def read(self, timeout=3.0):
        """(raw bytes, parsed dict or None). uWSGI does not escape strings,
        so odd output may not parse; callers that need the value check None."""
        raw = self.read_raw(timeout)
        try:
            return raw, json.loads(raw.decode("utf-8", "replace"), strict=False)
        except ValueError:
            return raw, None


def try_read(addr, timeout=3.0):
    try:
        return addr.read(timeout)
    except OSError:
        return b"", None


def wait_until(fn, timeout, interval=0.1):
    """Polls fn() until it returns a truthy value (returned) or timeout (None)."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


def workers_of(parsed):
    return (parsed or {}).get("workers") or []


def total(parsed, key):
    return sum(int(w.get(key) or 0) for w in workers_of(parsed))


def all_idle(parsed):
    ws = [w for w in workers_of(parsed) if w.get("pid")]
    return bool(ws) and all(w.get("status") == "idle" for w in ws)


def settle(stats, requests, exceptions=None, idle=True, timeout=15.0):
    """Waits until uWSGI itself (read by this harness) reports `requests` in
    total (and `exceptions`), every worker idle. Fails if it never does: the
    load did not arrive as planned, so uwsgitop cannot be judged."""
    last = [None]

    def ok():
        raw, parsed = try_read(stats, 2.0)
        last[0] = parsed
        if parsed is None:
            return False
        if total(parsed, "requests") != requests:
            return False
        if exceptions is not None and total(parsed, "exceptions") != exceptions:
            return False
        return all_idle(parsed) if idle else True

    if not wait_until(ok, timeout, 0.1):
        got = last[0]
        raise Fail("uWSGI itself never settled at %d requests / %s exceptions (it says %s / %s)"
                   % (requests, exceptions, total(got, "requests") if got else "?",
                      total(got, "exceptions") if got else "?"))
    return last[0]


# ------------------------------------------------------------------ procs

def children(pid):
    out = []
    try:
        tasks = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return out
    for t in tasks:
        try:
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                out.extend(int(x) for x in f.read().split())
        except OSError:
            pass
    return sorted(set(out))


def descendants(pid):
    seen, todo = [], [pid]
    while todo:
        for c in children(todo.pop()):
            if c not in seen:
                seen.append(c)
                todo.append(c)
    return seen


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is dead for our purposes
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def tail(path, lines=25, max_bytes=6000):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - max_bytes))
            data = f.read()
    except OSError as e:
        return "(no log: %s)" % e
    text = data.decode("utf-8", "replace")
    return "\n".join(text.splitlines()[-lines:])


# ------------------------------------------------------------------ uWSGI

_LIVE = set()
_LIVE_LOCK = threading.Lock()


def stop_all():
    with _LIVE_LOCK:
        live = list(_LIVE)
    for u in live:
        u.stop()


class Uwsgi:
    """One daemonized uWSGI master in `workdir`.

    args: options after the common ones. With app=True the common options
    are: --master --daemonize LOG --pidfile PIDFILE --http-socket
    127.0.0.1:PORT --wsgi-file app.py --plugin PLUGIN --disable-logging
    --need-app. stats: a StatsAddr (passed as --stats unless `stats_opt`
    says otherwise, e.g. "--emperor-stats"); stats_http adds --stats-http.
    ready(raw, parsed) -> bool decides when start() returns."""

    def __init__(self, workdir, args, stats=None, app=True, plugin="python3",
                 stats_opt="--stats", ready=None, env=None, chdir=None,
                 startup_timeout=30.0):
        self.workdir = workdir
        self.log = os.path.join(workdir, "uwsgi.log")
        self.pidfile = os.path.join(workdir, "uwsgi.pid")
        self.http_port = free_port() if app else None
        self.stats = stats
        self.pid = None
        self.paused = False
        self.startup_timeout = startup_timeout
        self.ready = ready
        self.env = dict(os.environ)
        self.env.update(env or {})
        cmd = [UWSGI]
        if app:
            # the plugin first: it defines --wsgi-file and friends
            cmd += ["--plugin", plugin, "--master", "--daemonize", self.log,
                    "--pidfile", self.pidfile,
                    "--http-socket", "127.0.0.1:%d" % self.http_port,
                    "--wsgi-file", APP, "--disable-logging",
                    "--need-app", "--chdir", chdir or workdir]
        else:
            cmd += ["--daemonize", self.log, "--pidfile", self.pidfile,
                    "--chdir", chdir or workdir]
        if stats is not None:
            cmd += [stats_opt, stats.bind_arg()]
            if stats.http:
                cmd += ["--stats-http"]
        cmd += list(args)
        self.cmd = cmd

    # context manager
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        with _LIVE_LOCK:
            _LIVE.add(self)
        for f in (self.pidfile,):
            if os.path.exists(f):
                os.unlink(f)
        with open(os.path.join(self.workdir, "cmdline"), "w") as f:
            f.write(" ".join(repr(a) for a in self.cmd) + "\n")
        launch = subprocess.run(self.cmd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                env=self.env, timeout=30, cwd=self.workdir)
        pid = wait_until(self._read_pidfile, 15)
        if not pid:
            raise Fail("uWSGI did not write its pidfile (launcher rc=%s): %s\n%s"
                       % (launch.returncode, launch.stdout.decode("utf-8", "replace")[-2000:],
                          tail(self.log)))
        self.pid = pid
        if self.stats is None:
            return self

        def is_ready():
            if not alive(self.pid):
                raise Fail("uWSGI master %d died during startup" % self.pid)
            raw, parsed = try_read(self.stats, timeout=2)
            if not raw:
                return False
            if self.ready is not None:
                return self.ready(raw, parsed)
            if parsed is None:
                return True
            ws = workers_of(parsed)
            return bool(ws) and all(w.get("pid") and w.get("accepting", 1) for w in ws)

        if not wait_until(is_ready, self.startup_timeout, 0.2):
            raise Fail("uWSGI stats at %s never became ready" % self.stats.bind_arg())
        return self

    def _read_pidfile(self):
        try:
            with open(self.pidfile) as f:
                text = f.read().strip()
            return int(text) if text else None
        except (OSError, ValueError):
            return None

    def read(self, timeout=3.0):
        return try_read(self.stats, timeout)

    def signal(self, sig):
        if self.pid and alive(self.pid):
            os.kill(self.pid, sig)
            if sig == signal.SIGTSTP:
                self.paused = not self.paused

    def children(self):
        return children(self.pid) if self.pid else []

    def stop(self):
        with _LIVE_LOCK:
            if self not in _LIVE:
                return
            _LIVE.discard(self)
        pid = self.pid or self._read_pidfile()
        if not pid or not alive(pid):
            return
        if "uwsgi" not in cmdline(pid):
            return  # not ours any more (pid reused): touch nothing
        kids = descendants(pid)
        if self.paused:
            try:
                os.kill(pid, signal.SIGTSTP)  # resume so it exits promptly
            except OSError:
                pass
            self.paused = False
        try:
            os.kill(pid, signal.SIGINT)
        except OSError:
            pass
        if not wait_until(lambda: not alive(pid), 20, 0.1):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        kids = [k for k in kids + descendants(pid) if alive(k)]
        wait_until(lambda: not any(alive(k) for k in kids), 5, 0.1)
        for k in kids:
            if alive(k):
                try:
                    os.kill(k, signal.SIGKILL)
                except OSError:
                    pass


# ------------------------------------------------------------------ loads

def http_get(port, path, timeout=10.0, host="127.0.0.1"):
    """One GET to the app; returns the status, or None when the server closed
    without an answer (e.g. /boom) or the request failed."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        resp = conn.getresponse()
        resp.read()
        return resp.status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def load(port, paths, concurrency=4, max_seconds=30.0, timeout=10.0):
    """Sends every path in `paths` (a list: its length is the request count)
    with `concurrency` threads; stops issuing after max_seconds. Returns the
    list of statuses in completion order (None for no answer)."""
    lock = threading.Lock()
    todo = list(paths)
    results = []
    deadline = time.monotonic() + max_seconds

    def worker():
        while time.monotonic() < deadline:
            with lock:
                if not todo:
                    return
                p = todo.pop()
            st = http_get(port, p, timeout)
            with lock:
                results.append(st)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(max(1, concurrency))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max_seconds + timeout + 5)
    return results


class PacedLoad:
    """Background load at `rate` requests/s for `seconds` (at most
    rate*seconds requests), one thread per request slot, bounded."""

    def __init__(self, port, rate, seconds, path="/"):
        self.port, self.rate, self.seconds, self.path = port, rate, seconds, path
        self.sent = 0
        self.answered = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        n = int(self.rate * self.seconds)
        start = time.monotonic()
        for i in range(n):
            due = start + i / self.rate
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            if time.monotonic() - start > self.seconds + 2:
                break
            self.sent += 1
            if http_get(self.port, self.path, timeout=5) == 200:
                self.answered += 1

    def start(self):
        self._thread.start()
        return self

    def join(self):
        self._thread.join(self.seconds + 15)


# ------------------------------------------------------------- raw clients

class InFlight:
    """Keeps one raw HTTP request (bytes as given) in flight on a socket until
    close(); the server's answer is read in a thread, bounded."""

    def __init__(self, port, request, max_seconds=20.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=max_seconds)
        self.sock.sendall(request)
        self.reply = b""
        self._t = threading.Thread(target=self._drain, daemon=True)
        self._t.start()

    def _drain(self):
        try:
            while True:
                d = self.sock.recv(65536)
                if not d:
                    break
                self.reply += d
        except OSError:
            pass

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self._t.join(5)


# ------------------------------------------------------------- the binary

class ToolResult:
    def __init__(self, cmd, rc, out, err, elapsed, timed_out):
        self.cmd, self.rc, self.out, self.err = cmd, rc, out, err
        self.elapsed, self.timed_out = elapsed, timed_out

    def text(self):
        return self.out.decode("utf-8", "replace")

    def errtext(self):
        return self.err.decode("utf-8", "replace")

    def json(self):
        """The single JSON object on stdout (strict UTF-8 and strict JSON)."""
        try:
            return json.loads(self.out.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise Fail("stdout is not one valid UTF-8 JSON value: %s" % e)

    def json_lines(self):
        out = []
        for n, line in enumerate(self.out.split(b"\n"), 1):
            if not line.strip():
                continue
            try:
                out.append(json.loads(line.decode("utf-8")))
            except (UnicodeDecodeError, ValueError) as e:
                raise Fail("stdout line %d is not valid UTF-8 JSON: %s" % (n, e))
        return out

    def describe(self, limit=1500):
        def excerpt(b):
            t = b.decode("utf-8", "backslashreplace")
            t = "".join(c if c in "\n\t" or (" " <= c and c != "\x7f") else "\\x%02x" % ord(c) for c in t)
            return t if len(t) <= limit else t[:limit] + "... (%d bytes)" % len(b)
        return ("$ %s\n  rc=%s%s elapsed=%.2fs\n  stdout: %s\n  stderr: %s"
                % (" ".join(_quote(a) for a in self.cmd), self.rc,
                   " (TIMED OUT, killed)" if self.timed_out else "",
                   self.elapsed, excerpt(self.out), excerpt(self.err)))


def _quote(a):
    a = str(a)
    if a and all(c.isalnum() or c in "-_./:=,@[]+" for c in a):
        return a
    return "'" + a.replace("'", "'\\''") + "'"


def run_tool(binary, args, timeout=20.0, env=None, stdin_data=None, extra_env=None, cwd=None):
    cmd = [binary] + [str(a) for a in args]
    e = dict(os.environ) if env is None else dict(env)
    if env is None:
        e.pop("UWSGITOP_ADDRESS", None)
    e.update(extra_env or {})
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin_data is not None else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e, cwd=cwd)
    timed_out = False
    try:
        out, err = p.communicate(stdin_data, timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        p.kill()  # our own child, by its pid
        out, err = p.communicate(timeout=10)
    return ToolResult(cmd, p.returncode, out, err, time.monotonic() - t0, timed_out)


class Accepting:
    """Reads uWSGI's stats every 50 ms in a thread: the fewest workers
    accepting (a pid and accepting=1) seen in one snapshot, and how many
    snapshots were read."""

    def __init__(self, u):
        self.u, self.fewest, self.reads = u, None, 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self):
        while not self._stop.is_set():
            parsed = self.u.read(timeout=1.0)[1]
            if parsed:
                n = sum(1 for w in workers_of(parsed) if w.get("pid") and w.get("accepting"))
                self.fewest = n if self.fewest is None else min(self.fewest, n)
                self.reads += 1
            time.sleep(0.05)

    def stop(self):
        self._stop.set()
        self._t.join(5)


_sanitized = {}


def sanitized(binary):
    """True when `binary` was built with AddressSanitizer (its memory figures
    then say nothing about the program's own)."""
    if binary not in _sanitized:
        with open(binary, "rb") as f:
            _sanitized[binary] = b"__asan_init" in f.read()
    return _sanitized[binary]
