# cases_exporter.py — --serve-metrics as production runs it: a real
# Prometheus server (Debian `prometheus`, started by the test on loopback,
# stopped by its pid) scraping uwsgitop in front of two real uWSGI instances
# under a known load; promtool on a scrape; TLS with a certificate made by
# the test (openssl req) plus basic auth (htpasswd -B), accepted and refused.
import base64
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import harness
from harness import Fail, Skip, check, free_port, http_get, settle, try_read, wait_until
from suite import case

PROMETHEUS = "/usr/bin/prometheus"


class Proc:
    """A process this case started; stopped by its own pid (SIGTERM, then
    SIGKILL after 10 s)."""

    def __init__(self, cmd, log):
        self.log = log
        with open(log, "wb") as f:
            self.p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait(5)

    def tail(self):
        return harness.tail(self.log, 15)


def fetch(url, headers=None, timeout=10, context=None):
    """(status, headers, body text) of a GET; status None when no answer."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=context) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()
    except (OSError, ValueError):
        return None, {}, ""


def exporter(ctx, *args):
    port = free_port()
    p = Proc([ctx.binary, "--serve-metrics", "127.0.0.1:%d" % port] + list(args), ctx.path("exporter-%d.log" % port))
    return port, p


def wait_serving(url, proc, context=None, headers=None):
    ok = wait_until(lambda: fetch(url, headers=headers, timeout=3, context=context)[0] is not None, 15, 0.2)
    check(ok, "the exporter never answered %s:\n%s" % (url, proc.tail()))


def query(port, promql):
    url = "http://127.0.0.1:%d/api/v1/query?%s" % (port, urllib.parse.urlencode({"query": promql}))
    st, _, body = fetch(url)
    check(st == 200, "Prometheus query %r: status %s %s" % (promql, st, body[:300]))
    return json.loads(body)["data"]["result"]


def promtool_check(text):
    """promtool check metrics on `text`: (clean, output)."""
    r = subprocess.run(["promtool", "check", "metrics"], input=text.encode(), capture_output=True, timeout=30)
    return r.returncode == 0 and not r.stdout.strip() and not r.stderr.strip(), (r.stdout + r.stderr).decode()


def start_prometheus(ctx, eport):
    """A Prometheus (started here, stopped by its pid through Proc.stop)
    scraping the exporter on `eport` every second with a 1 s timeout:
    (its port, its Proc)."""
    pport = free_port()
    cfg = ctx.path("prometheus.yml")
    with open(cfg, "w") as f:
        f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                "scrape_configs:\n  - job_name: uwsgitop\n    honor_labels: true\n    static_configs:\n"
                "      - targets: ['127.0.0.1:%d']\n" % eport)
    prom = Proc([PROMETHEUS, "--config.file=" + cfg, "--storage.tsdb.path=" + ctx.mkdir("tsdb"),
                 "--web.listen-address=127.0.0.1:%d" % pport], ctx.path("prometheus.log"))
    return pport, prom


def wait_prometheus_up(pport, prom):
    def up():
        try:
            r = query(pport, 'up{job="uwsgitop"}')
        except Fail:
            return False
        return bool(r) and r[0]["value"][1] == "1"
    check(wait_until(up, 30, 0.5), "Prometheus never saw the exporter up:\n" + prom.tail())


@case("exporter-prometheus")
def exporter_prometheus(ctx):
    """A real Prometheus scrapes --serve-metrics every second in front of two
    uWSGI instances: the request counters and their rate match the load
    sent, up is 1, every counter has its type and help in Prometheus'
    metadata, and promtool checks a scrape clean."""
    if not os.path.exists(PROMETHEUS) or not shutil.which("promtool"):
        raise Skip("Debian prometheus (with promtool) is not installed")
    a = ctx.uwsgi(["--processes", "2"])
    b = ctx.uwsgi(["--processes", "1"])
    targets = ctx.path("targets")
    with open(targets, "w") as f:
        f.write("a=%s\nb=%s\n" % (ctx.address(a.stats), ctx.address(b.stats)))
    eport, eproc = exporter(ctx, "--targets", targets)
    try:
        wait_serving("http://127.0.0.1:%d/-/ready" % eport, eproc)
        pport, prom = start_prometheus(ctx, eport)
        try:
            run_against_prometheus(ctx, a, b, eport, pport, prom)
        finally:
            prom.stop()
    finally:
        eproc.stop()


def run_against_prometheus(ctx, a, b, eport, pport, prom):
    wait_prometheus_up(pport, prom)

    def series_total(inst):
        r = query(pport, 'sum(uwsgi_worker_requests_total{instance="%s"})' % inst)
        return float(r[0]["value"][1]) if r else None

    def latest_is(inst, value):
        return lambda: series_total(inst) == value
    # Both instances idle and known before the load.
    check(wait_until(lambda: series_total("a") == 0 and series_total("b") == 0, 15, 0.5),
          "before the load Prometheus says a=%s b=%s requests" % (series_total("a"), series_total("b")))

    def counters():
        # A paced load on a (20/s for 6 s) and a fixed count on b.
        load_a = harness.PacedLoad(a.http_port, 20, 6).start()
        statuses = harness.load(b.http_port, ["/"] * 37, concurrency=2)
        check(statuses.count(200) == 37, "the load on b got %r" % statuses)
        time.sleep(4)
        r = query(pport, 'sum(rate(uwsgi_worker_requests_total{instance="a"}[3s]))')
        rate = float(r[0]["value"][1]) if r else 0.0
        load_a.join()
        sent_a = load_a.answered
        settle(a.stats, sent_a)
        settle(b.stats, 37)
        check(wait_until(latest_is("a", sent_a), 10, 0.5),
              "Prometheus' uwsgi_worker_requests_total for a is %s, the load sent %d" % (series_total("a"), sent_a))
        check(wait_until(latest_is("b", 37), 10, 0.5),
              "Prometheus' uwsgi_worker_requests_total for b is %s, the load sent 37" % series_total("b"))
        check(12 <= rate <= 28, "rate(uwsgi_worker_requests_total[3s]) for a is %.1f/s during a 20/s load" % rate)
        ctx.note("a: %d requests, rate %.1f/s; b: 37" % (sent_a, rate))
        workers = query(pport, 'count(uwsgi_worker_requests_total{instance="a"})')
        check(workers and workers[0]["value"][1] == "2", "a has 2 workers, Prometheus has %r" % workers)
    ctx.sub("counters-and-rate", counters)

    def metadata():
        st, _, body = fetch("http://127.0.0.1:%d/api/v1/targets/metadata?%s"
                            % (pport, urllib.parse.urlencode({"match_target": '{job="uwsgitop"}'})))
        check(st == 200, "metadata: status %s" % st)
        rows = json.loads(body)["data"]
        by_name = {r["metric"]: r for r in rows}
        counters = {n: r for n, r in by_name.items() if r["type"] == "counter"}
        # Prometheus negotiates OpenMetrics: families are named without _total.
        for fam in ("uwsgi_worker_requests", "uwsgi_worker_exceptions", "uwsgitop_polls"):
            check(fam in counters or fam + "_total" in counters,
                  "%s is not a counter in Prometheus' metadata: %r" % (fam, by_name.get(fam)))
        for n, r in counters.items():
            check(r.get("help"), "counter %s has no help in Prometheus' metadata" % n)
        check(by_name.get("uwsgi_up", {}).get("type") == "gauge", "uwsgi_up: %r" % by_name.get("uwsgi_up"))
        check(by_name.get("uwsgi_exporter_scrape_duration_seconds", {}).get("type") == "summary",
              "scrape duration: %r" % by_name.get("uwsgi_exporter_scrape_duration_seconds"))
        ctx.note("%d families, %d counters with help" % (len(by_name), len(counters)))
    ctx.sub("metadata", metadata)

    def promtool():
        st, hdr, classic = fetch("http://127.0.0.1:%d/metrics" % eport)
        check(st == 200 and "version=0.0.4" in hdr.get("Content-Type", ""), "classic scrape: %s %r" % (st, hdr))
        clean, out = promtool_check(classic)
        check(clean, "promtool check metrics on the classic scrape:\n" + out[:1500])
        st, hdr, om = fetch("http://127.0.0.1:%d/metrics" % eport,
                            headers={"Accept": "application/openmetrics-text; version=1.0.0"})
        check(st == 200 and om.endswith("# EOF\n"), "OpenMetrics scrape: %s" % st)
        # promtool (2.42) reads only the classic format; the OpenMetrics one
        # goes through prometheus_client's strict OpenMetrics parser.
        try:
            from prometheus_client.openmetrics.parser import text_string_to_metric_families
        except ImportError:
            ctx.note("OpenMetrics parser not installed")
            return
        fams = {f.name: f for f in text_string_to_metric_families(om)}
        check(fams["uwsgi_worker_requests"].type == "counter", "OpenMetrics: %r" % fams.get("uwsgi_worker_requests"))
        check(fams["uwsgitop_build_info"].type == "gauge", "build_info")
        # The same bytes from --once --format prometheus / openmetrics.
        r = ctx.tool("--once", "--format", "prometheus", ctx.address(a.stats))
        clean, out = promtool_check(r.text())
        check(r.rc == 0 and clean, "--once --format prometheus is not promtool-clean:\n" + out[:1500])
        r = ctx.tool("--once", "--format", "openmetrics", ctx.address(a.stats))
        check(r.rc == 0 and r.text().endswith("# EOF\n"), "--format openmetrics")
        list(text_string_to_metric_families(r.text()))
    ctx.sub("promtool", promtool)


def make_cert(ctx):
    if not shutil.which("openssl"):
        raise Skip("openssl is not installed")
    crt, key = ctx.path("server.crt"), ctx.path("server.key")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", crt], capture_output=True, timeout=60)
    check(r.returncode == 0, "openssl req failed: %s" % r.stderr.decode()[:500])
    return crt, key


@case("exporter-custom-metrics")
def exporter_custom_metrics(ctx):
    """uWSGI's metrics subsystem (--enable-metrics) with two user --metric, a
    counter and a gauge, changed by the app: `--once --format prometheus` and
    a --serve-metrics scrape (classic and OpenMetrics) export them as
    uwsgi_custom_myapp_* with their type and value, and none of the metrics
    uWSGI registers itself (core.*, worker.*, socket.*, the rss_size/vsz_size
    aliases); promtool checks the classic text clean."""
    if not shutil.which("promtool"):
        raise Skip("promtool (Debian prometheus) is not installed")
    u = ctx.uwsgi(["--processes", "2", "--enable-metrics",
                   "--metric", "name=myapp.hits,type=counter",
                   "--metric", "name=myapp.queue,type=gauge"])
    for _ in range(3):
        check(http_get(u.http_port, "/metric?name=myapp.hits&by=2") == 200, "the app did not add to myapp.hits")
    check(http_get(u.http_port, "/metric?name=myapp.queue&set=7") == 200, "the app did not set myapp.queue")
    # uWSGI's own document carries them (so the values below are uWSGI's).
    _, doc = try_read(u.stats)
    metrics = (doc or {}).get("metrics") or {}
    check(metrics.get("myapp.hits", {}).get("value") == 6 and metrics.get("myapp.queue", {}).get("value") == 7,
          "uWSGI's stats do not carry the user metrics: %r" % {k: v for k, v in metrics.items() if "myapp" in k})
    check(any(k.startswith("core.") for k in metrics) and any(k.startswith("worker.") for k in metrics),
          "uWSGI registered no core.*/worker.* metrics of its own: %r" % sorted(metrics)[:20])
    target = "web=" + ctx.address(u.stats)
    stats_uri = re.escape(ctx.address(u.stats))

    def own_metrics_left_out(text, where):
        leaked = sorted(set(re.findall(r"^uwsgi_custom_(?:core|worker|socket|rss_size|vsz_size)\w*", text, re.M)))
        check(not leaked, "%s exports uWSGI's own metrics as custom ones: %s" % (where, leaked))

    def classic(text, where):
        clean, out = promtool_check(text)
        check(clean, "promtool check metrics on %s:\n%s" % (where, out[:1500]))
        check("# TYPE uwsgi_custom_myapp_hits_total counter\n" in text, "%s: no counter family for myapp.hits:\n%s"
              % (where, "\n".join(l for l in text.splitlines() if "custom" in l)))
        check(re.search(r'^uwsgi_custom_myapp_hits_total\{instance="web",stats_uri="%s"\} 6$' % stats_uri, text, re.M),
              "%s: no sample uwsgi_custom_myapp_hits_total 6" % where)
        check("# TYPE uwsgi_custom_myapp_queue gauge\n" in text, "%s: no gauge family for myapp.queue" % where)
        check(re.search(r'^uwsgi_custom_myapp_queue\{instance="web",stats_uri="%s"\} 7$' % stats_uri, text, re.M),
              "%s: no sample uwsgi_custom_myapp_queue 7" % where)
        own_metrics_left_out(text, where)

    r = ctx.tool("--once", "--format", "prometheus", target)
    check(r.rc == 0, "--once --format prometheus exited %s: %s" % (r.rc, r.errtext()))
    classic(r.text(), "--once --format prometheus")

    eport, eproc = exporter(ctx, target)
    try:
        url = "http://127.0.0.1:%d/metrics" % eport
        wait_serving(url, eproc)
        st, _, body = fetch(url)
        check(st == 200, "scrape status %s" % st)
        classic(body, "the --serve-metrics scrape")
        st, hdrs, body = fetch(url, headers={"Accept": "application/openmetrics-text; version=1.0.0"})
        check(st == 200 and hdrs.get("Content-Type", "").startswith("application/openmetrics-text"),
              "OpenMetrics scrape: %s %s" % (st, hdrs.get("Content-Type")))
        check("# TYPE uwsgi_custom_myapp_hits counter\n" in body and
              re.search(r'^uwsgi_custom_myapp_hits_total\{instance="web",stats_uri="%s"\} 6$' % stats_uri, body, re.M),
              "OpenMetrics scrape: no counter uwsgi_custom_myapp_hits with sample _total 6")
        check("# TYPE uwsgi_custom_myapp_queue gauge\n" in body, "OpenMetrics scrape: no gauge uwsgi_custom_myapp_queue")
        own_metrics_left_out(body, "the OpenMetrics scrape")
    finally:
        eproc.stop()


@case("exporter-tls-auth")
def exporter_tls_auth(ctx):
    """--web-config-file with a test-made certificate and a bcrypt user: the
    scrape works over TLS with the right password, is 401 without or with a
    wrong one, plain HTTP gets 400 (and a log line), never metrics, and a bad
    config is a startup error naming the key."""
    if not shutil.which("htpasswd"):
        raise Skip("htpasswd (apache2-utils) is not installed")
    crt, key = make_cert(ctx)
    r = subprocess.run(["htpasswd", "-nbBC", "5", "prom", "pa55word"], capture_output=True, timeout=30)
    check(r.returncode == 0, "htpasswd: %s" % r.stderr)
    user, hashed = r.stdout.decode().strip().split(":", 1)
    web = ctx.path("web.yml")
    with open(web, "w") as f:
        f.write("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                "basic_auth_users:\n  %s: '%s'\n" % (user, hashed))
    u = ctx.uwsgi(["--processes", "1"])
    eport, eproc = exporter(ctx, "--web-config-file", web, ctx.address(u.stats))
    try:
        tls = ssl.create_default_context(cafile=crt)
        url = "https://127.0.0.1:%d/metrics" % eport
        good = {"Authorization": "Basic " + base64.b64encode(b"prom:pa55word").decode()}
        wait_serving("https://127.0.0.1:%d/-/healthy" % eport, eproc, context=tls, headers=good)

        def accepted():
            st, _, body = fetch(url, headers=good, context=tls)
            check(st == 200, "TLS + right password: status %s" % st)
            check('uwsgi_up{instance="%s"' % ctx.address(u.stats) in body, "no uwsgi_up in the TLS scrape")
        ctx.sub("accepted", accepted)

        def refused():
            st, hdr, body = fetch(url, context=tls)
            check(st == 401, "no credentials: status %s" % st)
            check(hdr.get("WWW-Authenticate", "").startswith("Basic"), "401 without WWW-Authenticate: %r" % hdr)
            check("uwsgi_up" not in body, "metrics in a 401")
            bad = {"Authorization": "Basic " + base64.b64encode(b"prom:wrong").decode()}
            st, _, body = fetch(url, headers=bad, context=tls)
            check(st == 401 and "uwsgi_up" not in body, "wrong password: status %s" % st)
            st, _, body = fetch("http://127.0.0.1:%d/metrics" % eport, headers=good)
            check(st == 400 and body == "client sent an HTTP request to an HTTPS server.\n",
                  "plain HTTP to the TLS port: %s %r" % (st, body[:200]))
            check(wait_until(lambda: "refused (400 plain HTTP): plain HTTP to the TLS port from 127.0.0.1"
                             in harness.tail(eproc.log, 20), 5, 0.1),
                  "plain HTTP to the TLS port left no log line:\n" + eproc.tail())
            check("refused (401 credentials): no credentials from 127.0.0.1" in harness.tail(eproc.log, 20),
                  "no 401 log line:\n" + eproc.tail())
        ctx.sub("refused", refused)
    finally:
        eproc.stop()

    def bad_config():
        with open(ctx.path("bad.yml"), "w") as f:
            f.write("tls_server_config:\n  cert_file: server.crt\n")
        r = ctx.tool("--serve-metrics", "127.0.0.1:%d" % free_port(), "--web-config-file", ctx.path("bad.yml"),
                     ctx.address(u.stats), timeout=10)
        check(r.rc == 2 and not r.timed_out, "a bad web config: exit %s" % r.rc)
        check("tls_server_config.key_file: missing" in r.errtext(), "stderr: %r" % r.errtext())
    ctx.sub("bad-config", bad_config)


@case("exporter-probe-parsed")
def exporter_probe_parsed(ctx):
    """/probe targets are parsed, then checked (issue 28 items 1 and 2): URL
    userinfo that would reach 127.0.0.2 behind an allowed 127.0.0.1 glob, and
    a '..' (plain or %2E%2E) out of an allowed socket tree, are 403 naming the
    rule, and the fake server they would have reached counts 0 connections;
    the allowed forms of the same servers are polled."""
    import fake_server
    doc = fake_server.snapshot()
    body = fake_server.h_http("200 OK", doc)
    socks = ctx.mkdir("socks")
    os.makedirs(os.path.join(socks, "app"))
    outside_path = os.path.join(os.path.dirname(socks), "stats.sock")   # SOCKS/../stats.sock
    inside_path = os.path.join(socks, "app", "stats.sock")
    with fake_server.FakeServer(body) as allowed_http, \
            fake_server.FakeServer(body, host="127.0.0.2") as hidden_http, \
            fake_server.FakeServer(fake_server.h_send(doc), unix_path=outside_path) as outside, \
            fake_server.FakeServer(fake_server.h_send(doc), unix_path=inside_path) as inside:
        eport, eproc = exporter(ctx, "--probe-allow", "http://127.0.0.1:*/", "--probe-allow",
                                socks + "/*/stats.sock", allowed_http.address)
        try:
            wait_serving("http://127.0.0.1:%d/-/ready" % eport, eproc)

            def probe(target, quote=True):
                q = urllib.parse.quote(target, safe="") if quote else target
                return fetch("http://127.0.0.1:%d/probe?target=%s" % (eport, q))

            def userinfo():
                st, _, text = probe("http://127.0.0.1:80@%s/" % hidden_http.address)
                check(st == 403, "userinfo target: status %s %r" % (st, text))
                check("userinfo" in text, "403 does not name the rule: %r" % text)
                st, _, text = probe("http://127.0.0.1:%d/" % allowed_http.port)
                check(st == 200 and "uwsgi_up{" in text and "} 1\n" in text, "allowed URL: %s %r" % (st, text[:300]))
                check(allowed_http.connections >= 1, "the allowed URL was never polled")
                time.sleep(0.3)
                check(hidden_http.connections == 0, "127.0.0.2 got %d connections" % hidden_http.connections)
            ctx.sub("userinfo", userinfo)

            def dotdot():
                # A '*' that matched '..' polled the socket outside the tree.
                st, _, text = probe(socks + "/../stats.sock")
                check(st == 403 and '".." component' in text, "'..' target: %s %r" % (st, text))
                st, _, text = probe(socks.replace("/", "%2F") + "%2F%2E%2E%2Fstats.sock", quote=False)
                check(st == 403 and '".." component' in text, "%%2E%%2E target: %s %r" % (st, text))
                st, _, text = probe(socks + "//stats.sock")
                check(st == 403 and "empty component" in text, "'//' target: %s %r" % (st, text))
                st, _, text = probe(inside_path)
                check(st == 200 and "} 1\n" in text, "allowed socket: %s %r" % (st, text[:300]))
                check(inside.connections == 1, "the allowed socket got %d connections" % inside.connections)
                time.sleep(0.3)
                check(outside.connections == 0, "the socket outside the tree got %d" % outside.connections)
            ctx.sub("dotdot", dotdot)

            def redirect():
                # An allowed URL that redirects to 127.0.0.2: not followed.
                hop = fake_server.FakeServer(fake_server.h_http(
                    "302 Found", b"", headers=("Location: http://%s/" % hidden_http.address,)))
                with hop:
                    st, _, text = probe("http://127.0.0.1:%d/" % hop.port)
                    check(st == 200 and 'uwsgi_up{instance="http://127.0.0.1:%d/",' % hop.port in text
                          and "} 0\n" in text, "a redirecting target: %s %r" % (st, text[:300]))
                    check(hop.connections == 1, "the redirecting target got %d connections" % hop.connections)
                    time.sleep(0.3)
                    check(hidden_http.connections == 0, "the redirect was followed to 127.0.0.2")
            ctx.sub("redirect", redirect)
        finally:
            eproc.stop()


class Drippers:
    """`count` clients on 127.0.0.2-5 that each send one byte of a request
    that never ends every `period` seconds, reconnecting when closed;
    bounded by `seconds`. Records how long each closed connection lived."""

    def __init__(self, port, count, seconds, period=1.0):
        self.port, self.count, self.seconds, self.period = port, count, seconds, period
        self.lifetimes = []     # seconds from connect to the close seen
        self.failed_connects = 0
        self._socks = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _connect(self, i):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.%d" % (2 + i % 4), 0))
        s.settimeout(0.5)
        try:
            s.connect(("127.0.0.1", self.port))
        except OSError:
            s.close()
            self.failed_connects += 1
            return None
        s.setblocking(False)
        return [s, time.monotonic(), 0]

    def _alive(self, entry):
        s, born, sent = entry
        try:
            if s.recv(4096, socket.MSG_PEEK) == b"":
                raise ConnectionResetError
        except BlockingIOError:
            pass
        except OSError:
            self.lifetimes.append(time.monotonic() - born)
            s.close()
            return False
        req = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Drip: " + b"a" * 4096
        try:
            s.send(req[sent % len(req):sent % len(req) + 1])
            entry[2] = sent + 1
        except BlockingIOError:
            pass
        except OSError:
            self.lifetimes.append(time.monotonic() - born)
            s.close()
            return False
        return True

    def _run(self):
        end = time.monotonic() + self.seconds
        self._socks = [self._connect(i) for i in range(self.count)]
        while time.monotonic() < end:
            for i, e in enumerate(self._socks):
                if e is None or not self._alive(e):
                    self._socks[i] = self._connect(i)
            time.sleep(self.period)
        for e in self._socks:
            if e:
                e[0].close()

    def start(self):
        self._thread.start()
        return self

    def join(self):
        self._thread.join(self.seconds + 30)


@case("exporter-drippers")
def exporter_drippers(ctx):
    """Issue 28 item 3: 100 clients dripping a byte a second (from 127.0.0.2-5)
    against --web-max-connections 40 and --web-request-timeout 2: each is
    closed by the deadline or to make room, and a scraper still gets 200 in
    its normal time all along."""
    import fake_server
    with fake_server.FakeServer(fake_server.h_send(fake_server.snapshot())) as target:
        eport, eproc = exporter(ctx, "--web-max-connections", "40", "--web-request-timeout", "2", target.address)
        try:
            url = "http://127.0.0.1:%d/metrics" % eport
            wait_serving(url, eproc)
            t0 = time.monotonic()
            st, _, _ = fetch(url)
            calm = time.monotonic() - t0
            check(st == 200, "scrape before the drip: %s" % st)
            drip = Drippers(eport, 100, 10).start()
            time.sleep(2)
            scrapes = []
            for _ in range(6):
                t0 = time.monotonic()
                st, _, text = fetch(url, timeout=5)
                scrapes.append((st, time.monotonic() - t0))
                check(st == 200 and "uwsgi_up{" in text, "scrape during the drip: %s after %.2f s:\n%s"
                      % (st, scrapes[-1][1], eproc.tail()))
                time.sleep(1)
            drip.join()
            slowest = max(s for _, s in scrapes)
            check(slowest < max(1.0, 5 * calm), "slowest scrape during the drip %.2f s (before: %.3f s)"
                  % (slowest, calm))
            check(len(drip.lifetimes) >= 100, "only %d dripping connections were closed" % len(drip.lifetimes))
            longest = max(drip.lifetimes)
            check(longest < 2 + 2.5, "a dripping connection lived %.1f s with a 2 s request deadline" % longest)
            ctx.note("scrapes %.3f s calm, slowest %.3f s under 100 drippers; %d dripper connections closed, "
                     "longest lived %.1f s" % (calm, slowest, len(drip.lifetimes), longest))
        finally:
            eproc.stop()


@case("exporter-sighup")
def exporter_sighup(ctx):
    """Issue 28 item 6: SIGHUP reads the targets file again (a new target
    appears, the process keeps running under its pid) and the web config
    (a new user is let in); a broken targets file is one log line and the
    previous targets stay in force."""
    import fake_server
    doc = fake_server.snapshot()
    with fake_server.FakeServer(fake_server.h_send(doc)) as a, fake_server.FakeServer(fake_server.h_send(doc)) as b:
        targets = ctx.path("targets")
        with open(targets, "w") as f:
            f.write("a=%s\n" % a.address)
        eport, eproc = exporter(ctx, "--no-config", "--targets", targets)
        url = "http://127.0.0.1:%d/metrics" % eport
        pid = eproc.p.pid
        try:
            wait_serving(url, eproc)

            def up_of(name):
                st, _, text = fetch(url)
                for line in text.splitlines():
                    if line.startswith('uwsgi_up{instance="%s",' % name):
                        return line.rsplit(" ", 1)[1]
                return None
            check(up_of("a") == "1" and up_of("b") is None, "before: a=%s b=%s" % (up_of("a"), up_of("b")))

            def added():
                with open(targets, "w") as f:
                    f.write("a=%s\nb=%s\n" % (a.address, b.address))
                os.kill(pid, signal.SIGHUP)
                check(wait_until(lambda: up_of("b") == "1", 10, 0.2),
                      "target b never appeared after SIGHUP:\n" + eproc.tail())
                check(eproc.p.poll() is None and eproc.p.pid == pid, "the exporter exited: %s" % eproc.p.returncode)
                check(up_of("a") == "1", "a after the reload: %s" % up_of("a"))
                check(wait_until(lambda: "reload: 2 target(s)" in harness.tail(eproc.log, 20), 5, 0.1),
                      "no reload line:\n" + eproc.tail())
            ctx.sub("added", added)

            def broken():
                with open(targets, "w") as f:
                    f.write("a=%s\nc=no-such-form\n" % a.address)
                os.kill(pid, signal.SIGHUP)

                def lines():
                    with open(eproc.log, errors="replace") as f:
                        return [l for l in f if "previous targets stay in force" in l]
                check(wait_until(lambda: lines(), 10, 0.1), "no log line for the broken file:\n" + eproc.tail())
                time.sleep(0.5)
                check(len(lines()) == 1, "%d log lines for one broken file: %r" % (len(lines()), lines()))
                check("no-such-form" in lines()[0], "the line does not name the bad target: %r" % lines()[0])
                check(up_of("a") == "1" and up_of("b") == "1", "after the broken file: a=%s b=%s"
                      % (up_of("a"), up_of("b")))
                check(eproc.p.poll() is None, "the exporter exited: %s" % eproc.p.returncode)
            ctx.sub("broken", broken)
        finally:
            eproc.stop()


@case("exporter-sighup-web")
def exporter_sighup_web(ctx):
    """SIGHUP reads the web config again: a new user and a new certificate
    apply without a restart (same pid), and a broken file is one log line
    while the previous config stays in force."""
    if not shutil.which("htpasswd"):
        raise Skip("htpasswd (apache2-utils) is not installed")
    import fake_server
    crt, key = make_cert(ctx)
    first_pem = open(crt).read()

    def user(name, pw):
        r = subprocess.run(["htpasswd", "-nbBC", "5", name, pw], capture_output=True, timeout=30)
        check(r.returncode == 0, "htpasswd: %s" % r.stderr)
        return r.stdout.decode().strip().split(":", 1)[1]
    web = ctx.path("web.yml")

    def write_web(name, pw):
        with open(web, "w") as f:
            f.write("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                    "basic_auth_users:\n  %s: '%s'\n" % (name, user(name, pw)))
    write_web("alice", "pw-a")
    with fake_server.FakeServer(fake_server.h_send(fake_server.snapshot())) as target:
        eport, eproc = exporter(ctx, "--no-config", "--web-config-file", web, target.address)
        try:
            url = "https://127.0.0.1:%d/metrics" % eport

            def status(name, pw):
                tls = ssl.create_default_context(cafile=crt)
                auth = {"Authorization": "Basic " + base64.b64encode(("%s:%s" % (name, pw)).encode()).decode()}
                return fetch(url, headers=auth, context=tls, timeout=5)[0]
            wait_serving("https://127.0.0.1:%d/-/healthy" % eport, eproc,
                         context=ssl.create_default_context(cafile=crt),
                         headers={"Authorization": "Basic " + base64.b64encode(b"alice:pw-a").decode()})
            check(status("alice", "pw-a") == 200 and status("bob", "pw-b") == 401, "before the reload")

            # A new certificate and a new user.
            os.rename(crt, crt + ".old")
            os.rename(key, key + ".old")
            make_cert(ctx)
            check(open(crt).read() != first_pem, "openssl made the same certificate twice")
            write_web("bob", "pw-b")
            os.kill(eproc.p.pid, signal.SIGHUP)
            check(wait_until(lambda: status("bob", "pw-b") == 200, 15, 0.2),
                  "bob not let in after SIGHUP:\n" + eproc.tail())
            check(status("alice", "pw-a") == 401, "alice still let in after the reload")
            served = ssl.get_server_certificate(("127.0.0.1", eport))
            check(ssl.PEM_cert_to_DER_cert(served) == ssl.PEM_cert_to_DER_cert(open(crt).read()),
                  "the old certificate is still served after SIGHUP")

            with open(web, "w") as f:
                f.write("basic_auth_users:\n  carol: plaintext\n")
            os.kill(eproc.p.pid, signal.SIGHUP)

            def lines():
                with open(eproc.log, errors="replace") as f:
                    return [l for l in f if "previous web config stays in force" in l]
            check(wait_until(lambda: lines(), 10, 0.1), "no log line for the broken web config:\n" + eproc.tail())
            time.sleep(0.3)
            check(len(lines()) == 1 and "basic_auth_users.carol" in lines()[0], "log lines: %r" % lines())
            check(status("bob", "pw-b") == 200, "bob refused after a broken reload")
            check(eproc.p.poll() is None, "the exporter exited: %s" % eproc.p.returncode)
        finally:
            eproc.stop()


@case("exporter-auth-timing")
def exporter_auth_timing(ctx):
    """Issue 28 item 7: with a cost-8 user, a wrong password for an unknown
    user takes as long as one for the known user (best of 7 each, within 2x
    of each other): user names cannot be found by timing."""
    if not shutil.which("htpasswd"):
        raise Skip("htpasswd (apache2-utils) is not installed")
    import fake_server
    r = subprocess.run(["htpasswd", "-nbBC", "8", "prom", "pa55word"], capture_output=True, timeout=30)
    check(r.returncode == 0, "htpasswd: %s" % r.stderr)
    web = ctx.path("web.yml")
    with open(web, "w") as f:
        f.write("basic_auth_users:\n  prom: '%s'\n" % r.stdout.decode().strip().split(":", 1)[1])
    with fake_server.FakeServer(fake_server.h_send(fake_server.snapshot())) as target:
        eport, eproc = exporter(ctx, "--no-config", "--web-config-file", web, target.address)
        try:
            url = "http://127.0.0.1:%d/-/healthy" % eport
            wait_serving(url, eproc)

            def best(user):
                auth = {"Authorization": "Basic " + base64.b64encode(("%s:wrong" % user).encode()).decode()}
                times = []
                for _ in range(7):
                    t0 = time.monotonic()
                    st, _, _ = fetch(url, headers=auth)
                    times.append(time.monotonic() - t0)
                    check(st == 401, "%s with a wrong password: %s" % (user, st))
                return min(times)
            known, unknown = best("prom"), best("nobody")
            ctx.note("cost 8: known user %.1f ms, unknown user %.1f ms" % (known * 1000, unknown * 1000))
            check(unknown < 2 * known and known < 2 * unknown,
                  "known user %.1f ms, unknown user %.1f ms" % (known * 1000, unknown * 1000))
        finally:
            eproc.stop()


@case("exporter-probe-only")
def exporter_probe_only(ctx):
    """Issue 28 item 10: --serve-metrics with --probe-allow and no target is a
    pure multi-target exporter: /metrics has the exporter's own metrics only,
    /probe polls an allowed target."""
    import fake_server
    with fake_server.FakeServer(fake_server.h_send(fake_server.snapshot())) as target:
        eport, eproc = exporter(ctx, "--no-config", "--probe-allow", "127.0.0.1:*")
        try:
            wait_serving("http://127.0.0.1:%d/-/ready" % eport, eproc)
            st, _, text = fetch("http://127.0.0.1:%d/metrics" % eport)
            check(st == 200, "/metrics: %s %r\n%s" % (st, text[:300], eproc.tail()))
            check("uwsgitop_build_info{" in text and "uwsgitop_targets 0\n" in text, "/metrics: %r" % text[:500])
            check("uwsgi_up" not in text, "/metrics of no target has uwsgi_up: %r" % text[:500])
            st, _, text = fetch("http://127.0.0.1:%d/probe?target=%s" % (eport, target.address))
            check(st == 200 and 'uwsgi_up{instance="%s"' % target.address in text, "/probe: %s %r" % (st, text[:300]))
            check(eproc.p.poll() is None, "exited %s" % eproc.p.returncode)
        finally:
            eproc.stop()
    r = ctx.tool("--no-config", "--serve-metrics", "127.0.0.1:%d" % free_port(), timeout=10)
    check(r.rc == 2 and "no address given" in r.errtext(), "without --probe-allow: exit %s %r" % (r.rc, r.errtext()))


@case("exporter-logs")
def exporter_logs(ctx):
    """Issue 28 item 9: one stderr line for a target going down and coming
    back up, for the first refused request of each kind (50 refused probes:
    one line; the rest are counted per minute) and for connection-limit hits;
    --log-level warn drops the start line."""
    import fake_server
    sock = os.path.join(ctx.mkdir("socks"), "stats.sock")
    eport, eproc = exporter(ctx, "--no-config", "--web-max-connections", "5", "--probe-allow", "127.0.0.1:*",
                            "s=" + sock)
    url = "http://127.0.0.1:%d" % eport

    def log_lines(part):
        with open(eproc.log, errors="replace") as f:
            return [l for l in f if part in l]
    try:
        wait_serving(url + "/-/ready", eproc)
        check(len(log_lines("serving /metrics for 1 target(s)")) == 1, "start line:\n" + eproc.tail())
        fetch(url + "/metrics")
        check(wait_until(lambda: log_lines("target s (%s) is down: " % sock), 5, 0.1), "no down line:\n" + eproc.tail())
        with fake_server.FakeServer(fake_server.h_send(fake_server.snapshot()), unix_path=sock):
            st, _, text = fetch(url + "/metrics")
            check(st == 200 and 'uwsgi_up{instance="s"' in text and "} 1\n" in text, "up: %s" % st)
            check(wait_until(lambda: log_lines("target s (%s) is up again" % sock), 5, 0.1), "no up line")
        for _ in range(50):
            check(fetch(url + "/probe?target=127.0.0.2:9")[0] == 403, "a probe of 127.0.0.2 was not refused")
        fetch(url + "/nowhere")
        socks = []
        try:
            for _ in range(12):
                s = socket.create_connection(("127.0.0.1", eport), timeout=2)
                socks.append(s)
            check(wait_until(lambda: log_lines("refused (connection limit)"), 5, 0.1),
                  "no connection-limit line:\n" + eproc.tail())
        finally:
            for s in socks:
                s.close()
        time.sleep(1.2)
        check(len(log_lines("refused (403 probe target)")) == 1, "50 refused probes gave %r"
              % log_lines("refused (403 probe target)"))
        check("127.0.0.2:9" in log_lines("refused (403 probe target)")[0], "the 403 line does not name the target")
        check(len(log_lines('refused (404 path): "/nowhere" from 127.0.0.1')) == 1, "404 line:\n" + eproc.tail())
        check(len(log_lines("refused (connection limit)")) == 1, "%r" % log_lines("refused (connection limit)"))
        check(len(log_lines("is down")) == 1 and len(log_lines("up again")) == 1, "down/up lines:\n" + eproc.tail())
    finally:
        eproc.stop()
    wport, wproc = exporter(ctx, "--no-config", "--log-level", "warn", "s=" + sock)
    try:
        wait_serving("http://127.0.0.1:%d/-/ready" % wport, wproc)
        fetch("http://127.0.0.1:%d/metrics" % wport)
        check(wait_until(lambda: "is down" in harness.tail(wproc.log, 10), 5, 0.1), "warn: no down line")
        check("serving /metrics" not in harness.tail(wproc.log, 10), "warn level printed the start line")
    finally:
        wproc.stop()


@case("exporter-exit-codes")
def exporter_exit_codes(ctx):
    """Issue 28 item 11: an address in use is exit 1 (the system, as the man
    page's EXIT STATUS says), an address that does not parse is exit 2 (a
    usage error), each with one line naming --serve-metrics."""
    busy = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        r = ctx.tool("--no-config", "--serve-metrics", "127.0.0.1:%d" % port, "127.0.0.1:9", timeout=10)
        check(r.rc == 1 and not r.timed_out, "address in use: exit %s" % r.rc)
        err = r.errtext().strip()
        check(err.count("\n") == 0 and "--serve-metrics 127.0.0.1:%d: " % port in err and "in use" in err,
              "address in use: %r" % err)
    finally:
        busy.close()
    r = ctx.tool("--no-config", "--serve-metrics", "nowhere", "127.0.0.1:9", timeout=10)
    check(r.rc == 2 and "give HOST:PORT" in r.errtext(), "bad listen address: exit %s %r" % (r.rc, r.errtext()))


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def stalled_reader(port):
    """A client that sends a scrape and reads nothing (a tiny receive buffer)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    s.connect(("127.0.0.1", port))
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    return s


@case("exporter-answers")
def exporter_answers(ctx):
    """Issue 28 items 4, 5 and 11 (gzip): a real uWSGI and a slow target (1.4 s)
    behind --serve-metrics --cores. A scrape with a 1 s timeout header that
    joins a poll started by one with 10 s answers in its own 0.5 s (the
    uWSGI up, the slow target down) while the first gets the slow target up;
    a gzip scrape decompresses to the plain text; 60 readers that never read
    a multi-megabyte answer cost the exporter less than two answers' worth of
    RSS (an answer: both its text forms), not one copy each."""
    import gzip
    import fake_server
    a = ctx.uwsgi(["--processes", "2"])
    big = fake_server.snapshot(workers=40, cores=100)
    with fake_server.FakeServer(fake_server.h_drip(big, pieces=2, delay=0.7)) as slow:
        targets = ctx.path("targets")
        with open(targets, "w") as f:
            f.write("a=%s\nslow=%s\n" % (ctx.address(a.stats), slow.address))
        eport, eproc = exporter(ctx, "--no-config", "--cores", "--timeout", "5", "--targets", targets)
        url = "http://127.0.0.1:%d/metrics" % eport
        try:
            wait_serving("http://127.0.0.1:%d/-/ready" % eport, eproc)
            joined_deadline(ctx, url, slow)
            req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(req, timeout=10) as r:
                coded, enc = r.read(), r.headers.get("Content-Encoding")
            text = gzip.decompress(coded).decode()
            check(enc == "gzip" and 'uwsgi_up{instance="a"' in text and 'uwsgi_up{instance="slow"' in text,
                  "gzip scrape: Content-Encoding %r, %d bytes, %r" % (enc, len(coded), text[:200]))
            stalled_readers(ctx, eport, eproc, len(text), len(coded))
        finally:
            eproc.stop()


def joined_deadline(ctx, url, slow):
    first = {}
    t = threading.Thread(target=lambda: first.update(
        r=fetch(url, headers={"X-Prometheus-Scrape-Timeout-Seconds": "10"}, timeout=15)))
    t0 = time.monotonic()
    t.start()
    time.sleep(0.2)
    t1 = time.monotonic()
    st, _, text = fetch(url, headers={"X-Prometheus-Scrape-Timeout-Seconds": "1"})
    hurried = time.monotonic() - t1
    t.join()
    patient = time.monotonic() - t0
    up_a = re.search(r'uwsgi_up\{instance="a",[^}]*\} (\d)', text)
    up_slow = re.search(r'uwsgi_up\{instance="slow",[^}]*\} (\d)', text)
    check(st == 200 and hurried < 0.9, "the 1 s scrape took %.2f s (status %s)" % (hurried, st))
    check(up_a and up_a.group(1) == "1" and up_slow and up_slow.group(1) == "0",
          "the 1 s scrape: up a %s, slow %s" % (up_a and up_a.group(1), up_slow and up_slow.group(1)))
    st2, _, text2 = first["r"]
    check(st2 == 200 and re.search(r'uwsgi_up\{instance="slow",[^}]*\} 1', text2),
          "the 10 s scrape: %s, slow not up after %.2f s" % (st2, patient))
    check(slow.connections == 1, "the slow target was asked %d times for two scrapes of one poll" % slow.connections)
    ctx.note("1 s scrape joining a 10 s one: %.2f s; the 10 s one %.2f s" % (hurried, patient))


def stalled_readers(ctx, eport, eproc, plain_bytes, coded_bytes):
    before = rss_kib(eproc.p.pid)
    readers = [stalled_reader(eport) for _ in range(60)]
    try:
        time.sleep(4)
        grown = rss_kib(eproc.p.pid) - before
        check(eproc.p.poll() is None, "the exporter exited %s" % eproc.p.returncode)
        # An answer is two texts of about plain_bytes each. (AddressSanitizer's
        # allocator keeps freed blocks in quarantine: its RSS proves nothing.)
        if not harness.sanitized(ctx.binary):
            check(grown * 1024 < 2 * 2 * plain_bytes,
                  "RSS grew by %d KiB with 60 stalled readers of a %d-byte answer" % (grown, plain_bytes))
        ctx.note("answer %.1f MB (gzip %.2f MB); RSS %+.1f MB with 60 stalled readers"
                 % (plain_bytes / 1e6, coded_bytes / 1e6, grown / 1024))
    finally:
        for s in readers:
            s.close()


def openssl(ctx, *args):
    r = subprocess.run(["openssl"] + list(args), capture_output=True, timeout=60, cwd=ctx.path("."))
    check(r.returncode == 0, "openssl %s: %s" % (args[0], r.stderr.decode()[:500]))


def make_pki(ctx):
    """A CA, a server certificate and a client certificate it signed, and a
    self-signed client certificate it did not (files in the case's dir)."""
    if not shutil.which("openssl"):
        raise Skip("openssl is not installed")
    openssl(ctx, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test-ca",
            "-keyout", "ca.key", "-out", "ca.crt")
    with open(ctx.path("san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    for name, cn in (("server", "127.0.0.1"), ("client", "prometheus")):
        openssl(ctx, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + cn, "-keyout", name + ".key",
                "-out", name + ".csr")
        openssl(ctx, "x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-out", name + ".crt", "-extfile", "san.ext")
    openssl(ctx, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=rogue",
            "-keyout", "rogue.key", "-out", "rogue.crt")
    # Signed by the CA, but for servers only (extended key usage serverAuth).
    with open(ctx.path("server-only.ext"), "w") as f:
        f.write("extendedKeyUsage=serverAuth\n")
    openssl(ctx, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=other-server", "-keyout", "other.key",
            "-out", "other.csr")
    openssl(ctx, "x509", "-req", "-in", "other.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-days", "2", "-out", "other.crt", "-extfile", "server-only.ext")


def tls_context(ctx, cert=None, max_version=None):
    c = ssl.create_default_context(cafile=ctx.path("ca.crt"))
    if cert:
        c.load_cert_chain(ctx.path(cert + ".crt"), ctx.path(cert + ".key"))
    if max_version:
        c.minimum_version = ssl.TLSVersion.TLSv1
        c.maximum_version = max_version
        c.set_ciphers("DEFAULT@SECLEVEL=0")
    return c


@case("exporter-tls-options")
def exporter_tls_options(ctx):
    """Issue 28 item 8: exporter-toolkit's TLS keys. With mutual TLS
    (client_auth_type RequireAndVerifyClientCert, client_ca_file) a client
    certificate the test's CA signed gets the metrics; none, a self-signed
    one, or one the CA signed for servers only, gets 403 and a log line; a TLS 1.1 client is refused
    by the default min_version (TLS12) and gets in with min_version TLS10;
    cipher_suites narrows what is offered; a kept-alive connection serves
    two scrapes."""
    make_pki(ctx)
    u = ctx.uwsgi(["--processes", "1"])
    web = ctx.path("web.yml")
    with open(web, "w") as f:
        f.write("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n")
    eport, eproc = exporter(ctx, "--no-config", "--web-config-file", web, ctx.address(u.stats))
    url = "https://127.0.0.1:%d/metrics" % eport
    try:
        wait_serving(url, eproc, context=tls_context(ctx, "client"))
        st, _, body = fetch(url, context=tls_context(ctx, "client"))
        check(st == 200 and "uwsgi_up{" in body, "a signed client certificate: %s" % st)
        st, _, body = fetch(url, context=tls_context(ctx))
        check(st == 403 and "client certificate" in body and "uwsgi_up" not in body, "none: %s %r" % (st, body))
        st, _, body = fetch(url, context=tls_context(ctx, "rogue"))
        check(st == 403 and "not signed by client_ca_file" in body, "self-signed: %s %r" % (st, body))
        st, _, body = fetch(url, context=tls_context(ctx, "other"))
        check(st == 403 and "uwsgi_up" not in body, "a server-only certificate of the CA: %s %r" % (st, body))
        check(wait_until(lambda: "refused (403 client certificate)" in harness.tail(eproc.log, 20), 5, 0.1),
              "no log line for the refused certificate:\n" + eproc.tail())
        st, _, _ = fetch(url, context=tls_context(ctx, "client", ssl.TLSVersion.TLSv1_1))
        check(st is None, "TLS 1.1 under the default min_version: %s" % st)
        keep_alive(ctx, eport)
    finally:
        eproc.stop()
    tls_versions_and_suites(ctx, u)


def keep_alive(ctx, eport):
    import http.client
    conn = http.client.HTTPSConnection("127.0.0.1", eport, context=tls_context(ctx, "client"), timeout=10)
    try:
        conn.request("GET", "/metrics")
        r1 = conn.getresponse()
        r1.read()
        sock = conn.sock
        conn.request("GET", "/-/ready")
        r2 = conn.getresponse()
        r2.read()
        check(r1.status == 200 and r2.status == 200 and conn.sock is sock and sock is not None,
              "two requests on one kept-alive connection: %s %s (same socket: %s)" % (r1.status, r2.status,
                                                                                     conn.sock is sock))
    finally:
        conn.close()


def tls_versions_and_suites(ctx, u):
    web = ctx.path("web2.yml")
    with open(web, "w") as f:
        f.write("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                "  min_version: TLS10\n  max_version: TLS12\n"
                "  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA]\n")
    eport, eproc = exporter(ctx, "--no-config", "--web-config-file", web, ctx.address(u.stats))
    url = "https://127.0.0.1:%d/metrics" % eport
    try:
        wait_serving(url, eproc, context=tls_context(ctx))
        st, _, _ = fetch(url, context=tls_context(ctx, None, ssl.TLSVersion.TLSv1_1))
        check(st == 200, "TLS 1.1 with min_version TLS10: %s" % st)
        c = tls_context(ctx)
        c.maximum_version = ssl.TLSVersion.TLSv1_2
        c.set_ciphers("ECDHE-RSA-AES256-GCM-SHA384")
        st, _, _ = fetch(url, context=c)
        check(st is None, "a suite cipher_suites leaves out: %s" % st)
        c.set_ciphers("ECDHE-RSA-AES128-GCM-SHA256")
        st, _, _ = fetch(url, context=c)
        check(st == 200, "the suite cipher_suites lists: %s" % st)
        c = tls_context(ctx)
        c.minimum_version = ssl.TLSVersion.TLSv1_3
        st, _, _ = fetch(url, context=c)
        check(st is None, "TLS 1.3 above max_version TLS12: %s" % st)
    finally:
        eproc.stop()


def idle_clients(port, count):
    """`count` connections from 127.0.0.6-9 that send nothing."""
    socks = []
    for i in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.%d" % (6 + i % 4), 0))
        s.settimeout(0.5)
        try:
            s.connect(("127.0.0.1", port))
            socks.append(s)
        except OSError:
            s.close()
    return socks


def huge_header(port):
    """One request with a 10 MB header (refused at 32 KiB)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ")
            chunk = b"a" * 65536
            for _ in range(160):
                s.sendall(chunk)
    except OSError:
        pass   # the exporter answered 431 and closed: the rest is refused


@case("exporter-prometheus-under-attack")
def exporter_prometheus_under_attack(ctx):
    """Issue 28: a real Prometheus scrapes the exporter every second (1 s
    timeout) while 300 clients drip a byte a second, 200 sit idle and one
    sends a 10 MB header; up stays 1 for every scrape of the attack
    (query_range through Prometheus' API)."""
    if not os.path.exists(PROMETHEUS):
        raise Skip("Debian prometheus is not installed")
    u = ctx.uwsgi(["--processes", "2"])
    eport, eproc = exporter(ctx, "--no-config", "--web-request-timeout", "3", ctx.address(u.stats))
    prom = None
    try:
        wait_serving("http://127.0.0.1:%d/-/ready" % eport, eproc)
        pport, prom = start_prometheus(ctx, eport)

        wait_prometheus_up(pport, prom)
        start = time.time()
        drip = Drippers(eport, 300, 20).start()
        idle = idle_clients(eport, 200)
        threading.Thread(target=huge_header, args=(eport,), daemon=True).start()
        drip.join()
        end = time.time()
        for s in idle:
            s.close()
        time.sleep(2)   # the last scrapes of the attack are stored
        url = "http://127.0.0.1:%d/api/v1/query_range?%s" % (pport, urllib.parse.urlencode(
            {"query": 'up{job="uwsgitop"}', "start": "%.3f" % start, "end": "%.3f" % end, "step": "1"}))
        st, _, body = fetch(url)
        check(st == 200, "query_range: %s %s" % (st, body[:300]))
        values = [v for r in json.loads(body)["data"]["result"] for _, v in r["values"]]
        down = values.count("0")
        check(len(values) >= 15 and down == 0, "up over the attack: %d samples, %d of them 0:\n%s"
              % (len(values), down, eproc.tail()))
        check(eproc.p.poll() is None, "the exporter exited %s" % eproc.p.returncode)
        ctx.note("up 1 in %d of %d samples under 300 drippers, 200 idle clients and a 10 MB header"
                 % (len(values) - down, len(values)))
    finally:
        if prom:
            prom.stop()
        eproc.stop()
