#!/usr/bin/env python3
"""exporter_soak.py - a long soak of `uwsgitop --serve-metrics` (issue 28, "Soak").

What it measures: whether the exporter stays small and keeps answering
Prometheus while hostile clients keep coming for a long time (30 minutes by
default). It is a benchmark, not a test: it prints numbers for
bench/RESULTS.md and exits non-zero only when the setup fails.

What it runs (all on loopback, all in a temporary directory):
  - 50 fake uWSGI stats servers (../shared/uwsgi-lab/replay.py serving real
    captures from ../shared/fixtures/), 40 on TCP ports and 10 on unix
    sockets. Every --churn-every seconds a few are stopped and, after
    --down-seconds, started again on the same address.
  - uwsgitop --no-config --serve-metrics 127.0.0.1:PORT --targets FILE, with
    basic auth (bcrypt cost 10 from htpasswd, else from python's crypt) and
    explicit connection limits.
  - /usr/bin/prometheus scraping the exporter's /metrics every second
    (scrape_timeout 1s), job "uwsgi".
  - rotating hostile bursts against the exporter, one kind at a time, each
    --burst-seconds long with --gap-seconds of quiet after it:
      idle      ~480 connections opened and left idle (reopened when closed)
      drip      a few hundred clients sending a request one byte a second
      oversize  requests with a 10 MB header
      stalled   clients sending GET /metrics and never reading the answer
      probe     /probe?target= refused: outside the allow-list, userinfo, ..
      badauth   wrong password, unknown user, malformed and no credentials
    The hostile clients come from 127.0.0.2..127.0.0.9, so the per-address
    cap (64) is reached by them and not by Prometheus (127.0.0.1).

What it reports: the exporter's VmRSS, open descriptors and threads sampled
every --sample-every seconds (at the start, after the warm-up, at the end),
the least-squares slope of RSS after the warm-up (kB per minute), min/max
descriptors, its CPU time, the share of Prometheus' samples of
up{job="uwsgi"} that were 1 (query_range, step 1s, and sum/count over the
run), the longest scrape, the bursts run of each kind with what the hostile
clients saw, and a count of the exporter's log lines by kind.

    bench/exporter_soak.py --minutes 30                 # the real soak
    bench/exporter_soak.py --minutes 3 --burst-seconds 10 --gap-seconds 5
"""
import argparse
import base64
import errno
import json
import os
import random
import re
import resource
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared"))

USER = "prometheus"
PASSWORD = "soak-pa55word"
BURST_KINDS = ["idle", "drip", "oversize", "stalled", "probe", "badauth"]
def close_tracked(st, sel, conns, s, by_exporter):
    """Closes a burst's connection `s` (conns: sock -> [opened_at, ...]);
    one the exporter closed counts with its lifetime."""
    t0 = conns.pop(s)[0]
    sel.unregister(s)
    s.close()
    if by_exporter:
        st.closed_by_exporter += 1
        st.lifetimes.append(time.monotonic() - t0)


HOSTILE_SOURCES = ["127.0.0.%d" % i for i in range(2, 10)]
# Fixture pairs served by the fake targets (each target cycles through one pair).
FIXTURE_PAIRS = [("prefork-1.json", "prefork-2.json"), ("metrics-1.json", "metrics-2.json"),
                 ("cheaper-2.json", "cheaper-3.json"), ("minified-1.json", "minified-2.json"),
                 ("nocores-1.json", "nocores-2.json"), ("backlog-1.json", "backlog-2.json"),
                 ("unix-1.json", "unix-2.json")]


class SetupError(Exception):
    pass


def log(msg):
    sys.stderr.write("[soak %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---------------------------------------------------------------- processes

class Procs:
    """Every process the soak starts; stopped by pid at the end."""

    def __init__(self):
        self.all = []

    def start(self, argv, **kw):
        try:
            p = subprocess.Popen(argv, start_new_session=True, **kw)
        except OSError as e:
            raise SetupError("cannot start %s: %s" % (argv[0], e))
        self.all.append(p)
        return p

    @staticmethod
    def stop(p, wait=5.0):
        if p.poll() is not None:
            return p.returncode
        try:
            os.kill(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            return p.wait(wait)
        except subprocess.TimeoutExpired:
            try:
                os.kill(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            return p.wait()

    def stop_all(self):
        for p in reversed(self.all):
            self.stop(p)
            for f in (p.stdout, p.stderr):
                if f:
                    f.close()


class Target:
    """One fake stats server (replay.py) at a fixed address."""

    def __init__(self, name, kind, address, files):
        self.name, self.kind, self.address, self.files = name, kind, address, files
        self.proc = None
        self.started_at = 0.0
        self.down_until = None      # set while deliberately stopped

    def argv(self, replay, max_seconds):
        where = ["--tcp", self.address] if self.kind == "tcp" else ["--unix", self.address]
        return [sys.executable, replay] + where + ["--max-seconds", str(int(max_seconds))] + self.files

    def start(self, procs, replay, max_seconds):
        self.proc = procs.start(self.argv(replay, max_seconds), stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        line = self.proc.stdout.readline().decode().strip()
        if not line:
            raise SetupError("replay.py for %s (%s) printed no address" % (self.name, self.address))
        self.started_at = time.monotonic()
        return line


# ---------------------------------------------------------------- exporter sampling

def proc_sample(pid):
    with open("/proc/%d/status" % pid) as f:
        status = f.read()
    rss = int(re.search(r"^VmRSS:\s+(\d+)", status, re.M).group(1))
    threads = int(re.search(r"^Threads:\s+(\d+)", status, re.M).group(1))
    fds = len(os.listdir("/proc/%d/fd" % pid))
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])    # utime + stime
    return {"rss_kb": rss, "fds": fds, "threads": threads, "cpu_s": ticks / os.sysconf("SC_CLK_TCK")}


def slope_per_minute(points):
    """Least-squares slope of (seconds, value) points, in value per minute."""
    n = len(points)
    if n < 2:
        return None
    mx = sum(p[0] for p in points) / n
    my = sum(p[1] for p in points) / n
    sxx = sum((p[0] - mx) ** 2 for p in points)
    if sxx == 0:
        return None
    sxy = sum((p[0] - mx) * (p[1] - my) for p in points)
    return sxy / sxx * 60.0


# ---------------------------------------------------------------- hostile clients

def auth_header(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


class KindStats:
    def __init__(self):
        self.bursts = 0
        self.opened = 0
        self.connect_failed = 0
        self.closed_by_exporter = 0
        self.lifetimes = []         # seconds from connect to the exporter's close
        self.statuses = {}
        self.bytes_sent = 0
        self.bytes_queued = 0       # stalled: answer bytes waiting unread at the end
        self.peak_fds = 0           # the exporter's open descriptors and threads during
        self.peak_threads = 0       # these bursts, sampled every second

    def status(self, code):
        self.statuses[code] = self.statuses.get(code, 0) + 1

    def report(self):
        out = {"bursts": self.bursts, "opened": self.opened, "connect_failed": self.connect_failed,
               "closed_by_exporter": self.closed_by_exporter,
               "exporter_fds_max": self.peak_fds, "exporter_threads_max": self.peak_threads,
               "statuses": {str(k): v for k, v in sorted(self.statuses.items(), key=lambda kv: str(kv[0]))}}
        if self.lifetimes:
            lt = sorted(self.lifetimes)
            out["close_after_s"] = {"min": round(lt[0], 2), "median": round(lt[len(lt) // 2], 2),
                                    "max": round(lt[-1], 2)}
        if self.bytes_sent:
            out["bytes_sent"] = self.bytes_sent
        if self.bytes_queued:
            out["answer_kb_unread"] = round(self.bytes_queued / 1e3, 1)
        return out


class Hostile:
    """Runs one burst at a time, in the calling thread, with a selector."""

    def __init__(self, port, auth, allow_dir, args):
        self.port = port
        self.auth = auth              # the Authorization value, or None without auth
        self.allow_dir = allow_dir
        self.args = args
        self.stats = {k: KindStats() for k in BURST_KINDS}
        self.src_i = 0
        self.stop = threading.Event()
        self.current = None         # the kind of the burst running, for the peak samples

    def _source(self):
        self.src_i += 1
        return HOSTILE_SOURCES[self.src_i % len(HOSTILE_SOURCES)]

    def _connect(self, st, rcvbuf=None):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            if rcvbuf:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            s.bind((self._source(), 0))
            s.settimeout(2.0)
            s.connect(("127.0.0.1", self.port))
            s.setblocking(False)
        except OSError:
            s.close()
            st.connect_failed += 1
            return None
        st.opened += 1
        return s

    def _request(self, path, auth=True, extra=""):
        h = "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % (path, self.port)
        if auth and self.auth:
            h += "Authorization: %s\r\n" % self.auth
        return (h + extra + "\r\n").encode()

    @staticmethod
    def _status_of(data):
        m = re.match(rb"HTTP/1\.[01] (\d{3})", data)
        return int(m.group(1)) if m else "garbage"

    def run(self, kind, seconds):
        st = self.stats[kind]
        st.bursts += 1
        deadline = time.monotonic() + seconds
        self.current = kind
        try:
            getattr(self, "_burst_" + kind)(st, deadline)
        finally:
            self.current = None

    # -- connections kept open (idle, drip): reopened when the exporter closes one
    def _held(self, st, deadline, count, drip):
        sel = selectors.DefaultSelector()
        conns = {}      # sock -> [opened_at, request bytes left, got status]
        req = self._request("/metrics")

        def open_one():
            s = self._connect(st)
            if s:
                conns[s] = [time.monotonic(), req if drip else b"", False]
                sel.register(s, selectors.EVENT_READ)

        def drop(s, by_exporter):
            close_tracked(st, sel, conns, s, by_exporter)

        try:
            # Open them over about a second, not all in one go.
            for i in range(count):
                if self.stop.is_set() or time.monotonic() >= deadline:
                    break
                open_one()
                if i % 50 == 49:
                    time.sleep(0.1)
            next_drip = time.monotonic() + 1.0
            while not self.stop.is_set():
                now = time.monotonic()
                if now >= deadline:
                    break
                wait = min(0.5, deadline - now)
                if drip:
                    wait = min(wait, max(0.0, next_drip - now))
                for key, _ in sel.select(timeout=wait):
                    s = key.fileobj
                    try:
                        data = s.recv(4096)
                    except OSError:
                        data = b""
                    if data:
                        if not conns[s][2]:
                            st.status(self._status_of(data))
                            conns[s][2] = True
                        continue
                    drop(s, True)
                    if time.monotonic() < deadline:
                        open_one()
                if drip and time.monotonic() >= next_drip:
                    next_drip += 1.0
                    for s, c in list(conns.items()):
                        if c[1]:
                            try:
                                st.bytes_sent += s.send(c[1][:1])
                                c[1] = c[1][1:]
                            except OSError:
                                drop(s, True)
                while len(conns) < count and time.monotonic() < deadline and not self.stop.is_set():
                    before = len(conns)
                    open_one()
                    if len(conns) == before:
                        break
        finally:
            for s in list(conns):
                drop(s, False)
            sel.close()

    def _burst_idle(self, st, deadline):
        self._held(st, deadline, self.args.idle, drip=False)

    def _burst_drip(self, st, deadline):
        self._held(st, deadline, self.args.drippers, drip=True)

    # -- requests with a 10 MB header, --oversize-parallel at a time
    def _burst_oversize(self, st, deadline):
        pad = b"a" * (64 * 1024)
        total = self.args.oversize_mb * 1024 * 1024
        head = self._request("/metrics", extra="X-Soak-Pad: ")[:-2]
        sel = selectors.DefaultSelector()
        conns = {}      # sock -> [opened_at, bytes sent of the pad, got reply]
        next_open = 0.0

        def finish(s, by_exporter):
            close_tracked(st, sel, conns, s, by_exporter)

        try:
            while not self.stop.is_set() and time.monotonic() < deadline:
                now = time.monotonic()
                if len(conns) < self.args.oversize_parallel and now >= next_open:
                    next_open = now + 0.25
                    s = self._connect(st)
                    if s:
                        try:
                            s.send(head)
                        except OSError:
                            pass
                        conns[s] = [now, 0, False]
                        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE)
                for key, ev in sel.select(timeout=0.1):
                    s = key.fileobj
                    c = conns.get(s)
                    if c is None:
                        continue
                    if ev & selectors.EVENT_READ:
                        try:
                            data = s.recv(4096)
                        except OSError:
                            data = b""
                        if data:
                            if not c[2]:
                                st.status(self._status_of(data))
                                c[2] = True
                            continue
                        finish(s, True)
                        continue
                    if ev & selectors.EVENT_WRITE:
                        try:
                            n = s.send(pad[:min(len(pad), total - c[1])] if c[1] < total else b"\r\n\r\n")
                            st.bytes_sent += n
                            if c[1] >= total:
                                sel.modify(s, selectors.EVENT_READ)
                            c[1] += n
                        except OSError:
                            # EPIPE / ECONNRESET: the exporter gave up on it; read what it said.
                            sel.modify(s, selectors.EVENT_READ)
        finally:
            for s in list(conns):
                finish(s, False)
            sel.close()

    # -- GET /metrics with a tiny receive buffer, never read, held to the end
    # of the burst. Seen so far: one answer (about 290 KB for the 50 targets)
    # fits in the exporter's socket send buffer (loopback autotunes it up to
    # tcp_wmem's 4 MB), so the exporter writes it all and closes (its socket
    # is then an orphan in FIN-WAIT-1 held by the kernel, freed when we close
    # ours). --stalled-requests N pipelines N requests on each connection,
    # whose answers would overflow that buffer if the exporter kept
    # connections alive (it answers "Connection: close" to the first).
    def _burst_stalled(self, st, deadline):
        conns = {}      # sock -> opened_at
        req = self._request("/metrics") * self.args.stalled_requests
        try:
            while not self.stop.is_set() and time.monotonic() < deadline:
                # Open 10 a second at most: each request costs the exporter a
                # bcrypt check and a poll of every target.
                for _ in range(10):
                    if len(conns) >= self.args.stalled:
                        break
                    s = self._connect(st, rcvbuf=2048)
                    if not s:
                        break
                    try:
                        s.send(req)
                    except OSError:
                        pass
                    conns[s] = time.monotonic()
                # A socket the exporter has closed shows in its TCP state
                # (CLOSE_WAIT, or CLOSE after a reset): nothing is read.
                for s in list(conns):
                    try:
                        state = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0]
                    except OSError:
                        state = 7
                    if state != 1:      # not TCP_ESTABLISHED
                        st.closed_by_exporter += 1
                        st.lifetimes.append(time.monotonic() - conns.pop(s))
                        s.close()
                time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
        finally:
            for s in list(conns):
                try:
                    st.bytes_queued += struct.unpack("i", fcntl_ioctl(s, 0x541B))[0]   # FIONREAD
                except OSError:
                    pass
                s.close()

    # -- plain request/response kinds, --rate a second
    def _one_request(self, st, raw):
        s = self._connect(st)
        if not s:
            return
        s.setblocking(True)
        s.settimeout(5.0)
        t0 = time.monotonic()
        try:
            s.sendall(raw)
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
                if len(data) > 12 and b"\r\n\r\n" in data:
                    break
            st.status(self._status_of(data) if data else "closed")
        except socket.timeout:
            st.status("timeout")
        except OSError as e:
            st.status(errno.errorcode.get(e.errno, "oserror"))
        finally:
            s.close()
        return time.monotonic() - t0

    def _paced(self, st, deadline, requests):
        i = 0
        period = 1.0 / self.args.rate
        nxt = time.monotonic()
        while not self.stop.is_set() and time.monotonic() < deadline:
            self._one_request(st, requests[i % len(requests)])
            i += 1
            nxt += period
            time.sleep(max(0.0, min(nxt - time.monotonic(), deadline - time.monotonic())))
            if nxt < time.monotonic() - 1.0:
                nxt = time.monotonic()

    def _burst_probe(self, st, deadline):
        bad = ["10.0.0.1:9191",                             # outside the allow-list
               "127.0.0.1:1",                               # not a configured target
               "http://user:pw@127.0.0.1:1/",               # userinfo
               "http://127.0.0.1:1/a/../b",                 # .. in a URL path
               os.path.join(self.allow_dir, "..", "etc.sock"),   # .. in a socket path
               self.allow_dir + "//t.sock",                 # empty component
               "http://127.0.0.1:1/#frag",                  # fragment
               "/etc/passwd"]
        reqs = [self._request("/probe?target=" + urllib.parse.quote(t, safe="")) for t in bad]
        reqs.append(self._request("/probe?target=" + urllib.parse.quote(self.allow_dir, safe="") + "%2F..%2Fx.sock"))
        self._paced(st, deadline, reqs)

    def _burst_badauth(self, st, deadline):
        if not self.auth:
            # Without auth there are no credentials to get wrong: unknown paths and methods instead.
            reqs = [self._request("/nothing-here"), b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"]
        else:
            reqs = [self._request("/metrics", auth=False, extra="Authorization: %s\r\n" % auth_header(USER, "wrong")),
                    self._request("/metrics", auth=False, extra="Authorization: %s\r\n" % auth_header("mallory", PASSWORD)),
                    self._request("/metrics", auth=False, extra="Authorization: Basic !!!notbase64\r\n"),
                    self._request("/metrics", auth=False)]
        self._paced(st, deadline, reqs)


def fcntl_ioctl(s, req):
    import fcntl
    return fcntl.ioctl(s.fileno(), req, b"\0\0\0\0")


# ---------------------------------------------------------------- HTTP helpers

def http_get(url, auth=None, timeout=5.0):
    req = urllib.request.Request(url)
    if auth:
        req.add_header("Authorization", auth)
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, r.read()


def prom_query(pport, path, params):
    url = "http://127.0.0.1:%d/api/v1/%s?%s" % (pport, path, urllib.parse.urlencode(params))
    _, body = http_get(url, timeout=30)
    doc = json.loads(body)
    if doc.get("status") != "success":
        raise RuntimeError("prometheus %s: %s" % (path, doc))
    return doc["data"]["result"]


def wait_for(what, fn, seconds, proc=None):
    end = time.monotonic() + seconds
    last = None
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise SetupError("%s: the process exited with %s" % (what, proc.returncode))
        try:
            v = fn()
            if v:
                return v
        except Exception as e:     # not up yet
            last = e
        time.sleep(0.2)
    raise SetupError("%s: not ready after %g s (%s)" % (what, seconds, last))


# ---------------------------------------------------------------- the soak

def make_password_hash():
    """bcrypt cost 10: htpasswd (apache2-utils), else python's crypt; None if neither."""
    if shutil.which("htpasswd"):
        r = subprocess.run(["htpasswd", "-nbBC", "10", USER, PASSWORD], capture_output=True, timeout=60)
        if r.returncode == 0:
            return r.stdout.decode().strip().split(":", 1)[1], "htpasswd -nbBC 10"
    try:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import crypt
        h = crypt.crypt(PASSWORD, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 10))
        if h and h.startswith("$2"):
            return h, "python crypt (blowfish, cost 10)"
    except Exception:
        pass
    return None, None


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--minutes", type=float, default=30.0, help="length of the hostile run (default 30)")
    ap.add_argument("--uwsgitop", default=None, help="the binary (default build-soak/src/uwsgitop, else build/src/uwsgitop)")
    ap.add_argument("--prometheus", default="/usr/bin/prometheus")
    ap.add_argument("--replay", default=os.path.join(SHARED, "uwsgi-lab", "replay.py"))
    ap.add_argument("--fixtures", default=os.path.join(SHARED, "fixtures"))
    ap.add_argument("--targets", type=int, default=50, help="fake stats servers (default 50)")
    ap.add_argument("--unix-targets", type=int, default=10, help="of those, on unix sockets (default 10)")
    ap.add_argument("--churn-every", type=float, default=60.0, help="seconds between stopping a few targets (default 60)")
    ap.add_argument("--churn-count", type=int, default=3, help="targets stopped each time (default 3)")
    ap.add_argument("--down-seconds", type=float, default=20.0, help="how long they stay down (default 20)")
    ap.add_argument("--burst-seconds", type=float, default=20.0, help="length of one hostile burst (default 20)")
    ap.add_argument("--gap-seconds", type=float, default=10.0, help="quiet after each burst (default 10)")
    ap.add_argument("--sample-every", type=float, default=10.0, help="RSS/fd sampling period (default 10)")
    ap.add_argument("--warmup-minutes", type=float, default=3.0, help="RSS slope is taken after this (default 3)")
    ap.add_argument("--idle", type=int, default=480, help="idle connections per idle burst (default 480)")
    ap.add_argument("--drippers", type=int, default=300, help="one-byte-a-second clients per drip burst (default 300)")
    ap.add_argument("--stalled", type=int, default=40, help="never-reading clients per stalled burst (default 40)")
    ap.add_argument("--stalled-requests", type=int, default=1,
                    help="requests each never-reading client pipelines (default 1)")
    ap.add_argument("--oversize-parallel", type=int, default=4, help="10 MB requests at a time (default 4)")
    ap.add_argument("--oversize-mb", type=int, default=10)
    ap.add_argument("--rate", type=float, default=4.0, help="requests a second in probe/badauth bursts (default 4)")
    ap.add_argument("--max-connections", type=int, default=512, help="--web-max-connections (default 512)")
    ap.add_argument("--max-connections-per-ip", type=int, default=64, help="--web-max-connections-per-ip (default 64)")
    ap.add_argument("--request-timeout", type=float, default=5.0, help="--web-request-timeout (default 5)")
    ap.add_argument("--idle-timeout", type=int, default=10, help="--web-idle-timeout (default 10)")
    ap.add_argument("--no-auth", action="store_true", help="no --web-config-file (no basic auth)")
    ap.add_argument("--json", action="store_true", help="print the results as one JSON document")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, TSDB)")
    ap.add_argument("--kinds", default=",".join(BURST_KINDS),
                    help="burst kinds to rotate through, comma-separated (default all: %s)" % ",".join(BURST_KINDS))
    ap.add_argument("--seed", type=int, default=28)
    return ap.parse_args()


def find_uwsgitop(arg):
    if arg:
        if not os.access(arg, os.X_OK):
            raise SetupError("--uwsgitop %s: not an executable" % arg)
        return arg
    for b in ("build-soak", "build"):
        p = os.path.join(ROOT, b, "src", "uwsgitop")
        if os.access(p, os.X_OK):
            return p
    raise SetupError("no uwsgitop binary: build one (ninja -C build-soak src/uwsgitop) or give --uwsgitop")


def summarize_log(path):
    """The exporter's stderr: refusals by kind (the "N more in the last 60 s"
    lines added in), targets down/up, and any other line (at most 20 kept)."""
    counts = {}
    other = []
    try:
        with open(path, errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return {}, []
    for line in lines:
        m = re.search(r"refused \(([^)]+)\): (?:(\d+) more in the last)?", line)
        if m:
            key = "refused " + m.group(1)
            counts[key] = counts.get(key, 0) + (int(m.group(2)) if m.group(2) else 1)
        elif re.search(r"^uwsgitop: target .* is down", line):
            counts["target down"] = counts.get("target down", 0) + 1
        elif re.search(r"^uwsgitop: target .* is up again", line):
            counts["target up again"] = counts.get("target up again", 0) + 1
        elif re.search(r"^uwsgitop: serving /metrics", line):
            pass
        else:
            counts["other"] = counts.get("other", 0) + 1
            if len(other) < 20:
                other.append(line)
    return counts, other


def on_term(signum, frame):
    raise KeyboardInterrupt


def main():
    args = parse_args()
    # Ctrl-C and SIGTERM end the hostile run early (a report is still
    # printed); a second one skips the report. Both always reach the cleanup.
    # (SIGINT is set explicitly: a shell's background job inherits it ignored.)
    signal.signal(signal.SIGINT, on_term)
    signal.signal(signal.SIGTERM, on_term)
    random.seed(args.seed)
    procs = Procs()
    tmp = tempfile.mkdtemp(prefix="uwsgitop-soak-")
    result = {"setup": {}}
    stop_bg = threading.Event()
    hostile = None
    bg = None
    try:
        kinds = [k for k in args.kinds.split(",") if k]
        for k in kinds:
            if k not in BURST_KINDS:
                raise SetupError("--kinds: unknown kind %r (known: %s)" % (k, ",".join(BURST_KINDS)))
        binary = find_uwsgitop(args.uwsgitop)
        for p in (args.prometheus, args.replay):
            if not os.path.exists(p):
                raise SetupError("%s is missing" % p)
        for pair in FIXTURE_PAIRS:
            for f in pair:
                if not os.path.exists(os.path.join(args.fixtures, f)):
                    raise SetupError("fixture %s missing in %s" % (f, args.fixtures))

        # Targets. replay.py stops by itself after --max-seconds (at most 3600):
        # a target is restarted before that.
        total_s = args.minutes * 60 + 300
        max_seconds = min(3600, total_s)
        sockdir = os.path.join(tmp, "sock")
        os.mkdir(sockdir)
        targets = []
        for i in range(args.targets):
            files = [os.path.join(args.fixtures, f) for f in FIXTURE_PAIRS[i % len(FIXTURE_PAIRS)]]
            if i < args.targets - args.unix_targets:
                targets.append(Target("t%02d" % i, "tcp", "127.0.0.1:0", files))
            else:
                targets.append(Target("t%02d" % i, "unix", os.path.join(sockdir, "t%02d.sock" % i), files))
        for t in targets:
            shown = t.start(procs, args.replay, max_seconds)
            if t.kind == "tcp":
                t.address = shown       # the port replay.py picked, kept for its restarts
        tfile = os.path.join(tmp, "targets")
        with open(tfile, "w") as f:
            for t in targets:
                f.write("%s=%s\n" % (t.name, t.address))
        log("%d fake targets up (%d tcp, %d unix)" % (len(targets), args.targets - args.unix_targets, args.unix_targets))

        # Exporter.
        eport = free_port()
        auth = None
        how = None
        cmd = [binary, "--no-config", "--serve-metrics", "127.0.0.1:%d" % eport, "--targets", tfile,
               "--web-max-connections", str(args.max_connections),
               "--web-max-connections-per-ip", str(args.max_connections_per_ip),
               "--web-request-timeout", str(args.request_timeout),
               "--web-idle-timeout", str(args.idle_timeout),
               "--probe-allow", os.path.join(sockdir, "*.sock")]
        if not args.no_auth:
            hashed, how = make_password_hash()
            if hashed:
                wc = os.path.join(tmp, "web-config.yml")
                with open(wc, "w") as f:
                    f.write("basic_auth_users:\n  %s: '%s'\n" % (USER, hashed))
                cmd += ["--web-config-file", wc]
                auth = auth_header(USER, PASSWORD)
            else:
                log("no htpasswd and no bcrypt in python's crypt: running WITHOUT basic auth")
        result["setup"] = {"exporter": binary, "targets": args.targets, "unix_targets": args.unix_targets,
                           "basic_auth": how or "none", "minutes": args.minutes,
                           "burst_seconds": args.burst_seconds, "gap_seconds": args.gap_seconds,
                           "command": " ".join(cmd)}
        elog = open(os.path.join(tmp, "exporter.log"), "wb")
        exporter = procs.start(cmd, stdout=subprocess.DEVNULL, stderr=elog, stdin=subprocess.DEVNULL)
        elog.close()
        base = "http://127.0.0.1:%d" % eport

        def exporter_ready():
            code, body = http_get(base + "/metrics", auth)
            ups = re.findall(rb"^uwsgi_up\{[^}]*\} 1", body, re.M)
            result["setup"]["metrics_bytes"] = len(body)
            return code == 200 and len(ups) >= args.targets
        wait_for("exporter", exporter_ready, 20, exporter)
        log("exporter pid %d on 127.0.0.1:%d, every target up (auth: %s)" % (exporter.pid, eport, how or "none"))

        # Prometheus.
        pport = free_port()
        pcfg = os.path.join(tmp, "prometheus.yml")
        with open(pcfg, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1m\n"
                    "scrape_configs:\n  - job_name: uwsgi\n    honor_labels: true\n")
            if auth:
                f.write("    basic_auth: {username: '%s', password: '%s'}\n" % (USER, PASSWORD))
            f.write("    static_configs: [{targets: ['127.0.0.1:%d']}]\n" % eport)
        plog = open(os.path.join(tmp, "prometheus.log"), "wb")
        prom = procs.start([args.prometheus, "--config.file=" + pcfg,
                            "--storage.tsdb.path=" + os.path.join(tmp, "tsdb"),
                            "--web.listen-address=127.0.0.1:%d" % pport, "--log.level=warn"],
                           stdout=subprocess.DEVNULL, stderr=plog, stdin=subprocess.DEVNULL)
        plog.close()
        wait_for("prometheus", lambda: prom_query(pport, "query", {"query": 'up{job="uwsgi"} == 1'}), 60, prom)
        log("prometheus pid %d on 127.0.0.1:%d scraping every 1 s" % (prom.pid, pport))

        hostile = Hostile(eport, auth, sockdir, args)

        # Background: RSS/fd samples, peak fds/threads per burst kind, target churn.
        samples = []
        churn = {"stops": 0, "starts": 0, "unexpected_exits": 0}
        t_start = time.time()
        m_start = time.monotonic()
        load_start = os.getloadavg()
        cpu_self_start = resource.getrusage(resource.RUSAGE_SELF)

        # The start sample: before any burst (after setup, Prometheus scraping).
        first = proc_sample(exporter.pid)
        first["t"] = 0.0
        samples.append(first)

        def background():
            next_sample = m_start + args.sample_every
            next_churn = time.monotonic() + args.churn_every
            next_peak = time.monotonic()
            while not stop_bg.is_set():
                now = time.monotonic()
                kind = hostile.current
                if kind and now >= next_peak:
                    next_peak = now + 1.0
                    try:
                        st = hostile.stats[kind]
                        st.peak_fds = max(st.peak_fds, len(os.listdir("/proc/%d/fd" % exporter.pid)))
                        st.peak_threads = max(st.peak_threads, len(os.listdir("/proc/%d/task" % exporter.pid)))
                    except OSError:
                        pass
                if now >= next_sample:
                    next_sample += args.sample_every
                    if exporter.poll() is None:
                        try:
                            s = proc_sample(exporter.pid)
                            s["t"] = round(now - m_start, 1)
                            samples.append(s)
                        except (OSError, AttributeError):
                            pass
                if now >= next_churn:
                    next_churn += args.churn_every
                    up = [t for t in targets if t.down_until is None]
                    for t in random.sample(up, min(args.churn_count, len(up))):
                        Procs.stop(t.proc)
                        t.down_until = now + args.down_seconds
                        churn["stops"] += 1
                for t in targets:
                    if stop_bg.is_set():
                        break
                    if t.down_until is not None and now >= t.down_until:
                        t.down_until = None
                        t.start(procs, args.replay, max_seconds)
                        churn["starts"] += 1
                    elif t.down_until is None and (t.proc.poll() is not None
                                                   or now - t.started_at > max_seconds - 60):
                        if t.proc.poll() is not None and now - t.started_at < max_seconds - 5:
                            churn["unexpected_exits"] += 1
                        Procs.stop(t.proc)
                        t.start(procs, args.replay, max_seconds)
                stop_bg.wait(0.5)

        bg = threading.Thread(target=background, daemon=True)
        bg.start()

        # The hostile loop.
        end = m_start + args.minutes * 60
        k = 0
        interrupted = False
        try:
            while time.monotonic() < end and exporter.poll() is None:
                kind = kinds[k % len(kinds)]
                k += 1
                secs = min(args.burst_seconds, end - time.monotonic())
                log("burst %d: %s for %.0f s" % (k, kind, secs))
                hostile.run(kind, secs)
                time.sleep(max(0.0, min(args.gap_seconds, end - time.monotonic())))
        except KeyboardInterrupt:
            interrupted = True
            log("interrupted: reporting what there is")
        hostile.stop.set()
        t_end = time.time()
        time.sleep(2)       # the last scrapes land
        stop_bg.set()
        bg.join(10)

        # Results.
        res = result
        res["interrupted"] = interrupted
        res["run_seconds"] = round(t_end - t_start, 1)
        res["exporter_exit"] = exporter.poll()
        ru = resource.getrusage(resource.RUSAGE_SELF)
        res["soak_script_cpu_s"] = round(ru.ru_utime + ru.ru_stime - cpu_self_start.ru_utime - cpu_self_start.ru_stime, 1)
        res["loadavg_start_end"] = [round(load_start[0], 2), round(os.getloadavg()[0], 2)]
        if exporter.poll() is None:
            try:
                fin = proc_sample(exporter.pid)
                fin["t"] = round(time.monotonic() - m_start, 1)
                samples.append(fin)
            except OSError:
                pass
        warm = args.warmup_minutes * 60
        if samples:
            after = [s for s in samples if s["t"] >= warm]
            pick = lambda s: {"t": s["t"], "rss_kb": s["rss_kb"], "fds": s["fds"], "threads": s["threads"]}
            res["memory"] = {
                "start": pick(samples[0]),
                "after_warmup": pick(after[0]) if after else None,
                "end": pick(samples[-1]),
                "rss_max_kb": max(s["rss_kb"] for s in samples),
                "rss_slope_kb_per_min_after_warmup":
                    None if len(after) < 3 else round(slope_per_minute([(s["t"], s["rss_kb"]) for s in after]), 1),
                "fds_min": min(s["fds"] for s in samples), "fds_max": max(s["fds"] for s in samples),
                "threads_max": max(s["threads"] for s in samples),
                "cpu_s": round(samples[-1]["cpu_s"] - samples[0]["cpu_s"], 1),
                "cpu_share_of_one_core": round((samples[-1]["cpu_s"] - samples[0]["cpu_s"])
                                               / max(1.0, samples[-1]["t"] - samples[0]["t"]), 3),
                "samples": len(samples)}
        res["samples"] = samples
        res["churn"] = churn
        res["bursts"] = {k2: v.report() for k2, v in hostile.stats.items()}

        # Prometheus' view of the run.
        prom_res = {}
        try:
            start, stop = int(t_start), int(t_end)
            rng = "%ds" % max(1, stop - start)
            step = max(1, (stop - start) // 10000 + 1) if stop - start > 10000 else 1
            series = prom_query(pport, "query_range", {"query": 'up{job="uwsgi"}', "start": start, "end": stop, "step": step})
            vals = [v for s in series for _, v in s["values"]]
            prom_res["query_range_step_s"] = step
            prom_res["query_range_points"] = len(vals)
            prom_res["up_fraction_query_range"] = round(sum(1 for v in vals if v == "1") / len(vals), 4) if vals else None

            def scalar(q):
                r = prom_query(pport, "query", {"query": q, "time": stop})
                return float(r[0]["value"][1]) if r else None
            n = scalar('count_over_time(up{job="uwsgi"}[%s])' % rng)
            ok = scalar('sum_over_time(up{job="uwsgi"}[%s])' % rng)
            prom_res["scrapes"] = n
            prom_res["scrapes_expected"] = stop - start
            prom_res["up_fraction_scrapes"] = round(ok / n, 4) if n else None
            prom_res["scrape_duration_max_s"] = scalar('max_over_time(scrape_duration_seconds{job="uwsgi"}[%s])' % rng)
            prom_res["scrape_duration_p99_s"] = scalar('quantile_over_time(0.99, scrape_duration_seconds{job="uwsgi"}[%s])' % rng)
            prom_res["uwsgi_up_targets_mean"] = scalar('avg_over_time(sum(uwsgi_up)[%s:5s])' % rng)
            prom_res["uwsgi_up_targets_min"] = scalar('min_over_time(sum(uwsgi_up)[%s:5s])' % rng)
            if prom_res["up_fraction_query_range"] is not None and prom_res["up_fraction_query_range"] < 1:
                down = prom_query(pport, "query_range", {"query": 'up{job="uwsgi"} == 0', "start": start,
                                                         "end": stop, "step": 1})
                prom_res["up_0_at"] = [round(float(t) - t_start, 0) for s in down for t, _ in s["values"]][:50]
        except Exception as e:
            prom_res["error"] = str(e)
        res["prometheus"] = prom_res
        res["exporter_log"], res["exporter_log_other"] = summarize_log(os.path.join(tmp, "exporter.log"))
        res["tmpdir"] = tmp if args.keep else None

        if args.json:
            print(json.dumps(res, indent=1))
        else:
            print_text(res)
        return 0
    except SetupError as e:
        log("setup failed: %s" % e)
        for name in ("exporter.log", "prometheus.log"):
            p = os.path.join(tmp, name)
            if os.path.exists(p):
                with open(p, errors="replace") as f:
                    tail = f.read()[-2000:]
                if tail:
                    log("%s:\n%s" % (name, tail))
        return 2
    finally:
        if hostile:
            hostile.stop.set()
        stop_bg.set()
        if bg:
            bg.join(10)
        procs.stop_all()
        if args.keep:
            log("kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def print_text(r):
    s = r["setup"]
    print("# exporter soak: %g min, %d targets (%d unix), auth %s, bursts %gs + %gs quiet, /metrics %s bytes"
          % (s["minutes"], s["targets"], s["unix_targets"], s["basic_auth"], s["burst_seconds"], s["gap_seconds"],
             format(s.get("metrics_bytes", 0), ",")))
    print("run %.0f s%s, exporter %s; load average %s at the start, %s at the end; this script's CPU %.1f s"
          % (r["run_seconds"], " (interrupted)" if r["interrupted"] else "",
             "still running" if r["exporter_exit"] is None else "EXITED with %s" % r["exporter_exit"],
             r["loadavg_start_end"][0], r["loadavg_start_end"][1], r["soak_script_cpu_s"]))
    m = r.get("memory")
    if m:
        print()
        print("| when | t s | VmRSS kB | fds | threads |")
        print("|---|---:|---:|---:|---:|")
        for name in ("start", "after_warmup", "end"):
            x = m[name]
            if x:
                print("| %s | %.0f | %d | %d | %d |" % (name, x["t"], x["rss_kb"], x["fds"], x["threads"]))
        print()
        print("RSS max %d kB; slope after warm-up %s kB/min; fds min %d max %d; threads max %d; "
              "CPU %.1f s (%.1f%% of a core), %d samples"
              % (m["rss_max_kb"], m["rss_slope_kb_per_min_after_warmup"], m["fds_min"], m["fds_max"],
                 m["threads_max"], m["cpu_s"], 100 * m["cpu_share_of_one_core"], m["samples"]))
    p = r["prometheus"]
    print()
    if "error" in p:
        print("prometheus query failed: %s" % p["error"])
    print("up==1: %s of %s query_range points (step %ss); %s of %s scrapes (%s expected); "
          "scrape duration max %s s, p99 %s s; targets up mean %s min %s"
          % (p.get("up_fraction_query_range"), p.get("query_range_points"), p.get("query_range_step_s"),
             p.get("up_fraction_scrapes"), p.get("scrapes"), p.get("scrapes_expected"),
             fmt(p.get("scrape_duration_max_s")), fmt(p.get("scrape_duration_p99_s")),
             fmt(p.get("uwsgi_up_targets_mean")), fmt(p.get("uwsgi_up_targets_min"))))
    if p.get("up_0_at"):
        print("up==0 at (s into the run): %s" % p["up_0_at"])
    c = r["churn"]
    print("target churn: %d stopped, %d restarted, %d exited by themselves" % (c["stops"], c["starts"], c["unexpected_exits"]))
    print()
    print("| burst | runs | opened | connect failed | closed by exporter | close after s (min/med/max) | statuses "
          "| exporter fds / threads max | other |")
    print("|---|---:|---:|---:|---:|---|---|---:|---|")
    for k, b in r["bursts"].items():
        lt = b.get("close_after_s")
        other = []
        if "bytes_sent" in b:
            other.append("%s bytes sent" % format(b["bytes_sent"], ","))
        if "answer_kb_unread" in b:
            other.append("%s kB answer unread" % b["answer_kb_unread"])
        print("| %s | %d | %d | %d | %d | %s | %s | %d / %d | %s |"
              % (k, b["bursts"], b["opened"], b["connect_failed"], b["closed_by_exporter"],
                 "%s/%s/%s" % (lt["min"], lt["median"], lt["max"]) if lt else "-",
                 " ".join("%s:%s" % kv for kv in b["statuses"].items()) or "-",
                 b["exporter_fds_max"], b["exporter_threads_max"], ", ".join(other) or "-"))
    print()
    print("exporter log (refusals counted, the per-minute summaries added in): %s"
          % (", ".join("%s %d" % kv for kv in sorted(r["exporter_log"].items())) or "nothing"))
    for line in r.get("exporter_log_other") or []:
        print("  other line: %s" % line)
    if r.get("tmpdir"):
        print("kept: %s" % r["tmpdir"])


def fmt(x):
    return "-" if x is None else ("%.3g" % x)


if __name__ == "__main__":
    sys.exit(main())
