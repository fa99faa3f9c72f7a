#!/usr/bin/env python3
"""The monitoring mixin (packaging/mixin/) end to end, with real components only.

A real uWSGI (--harakiri 1, --memory-report) on loopback, and a second one
(one worker, --listen 5); uwsgitop
--serve-metrics in front of it; a real Prometheus (Debian `prometheus`, 1 s
scrapes and rule evaluations) loading the mixin's alerts and recording rules,
rendered by jsonnet with a test _config (short `for:` durations and windows);
a real Alertmanager (Debian `prometheus-alertmanager`, clustering off) routing
every alert to a webhook receiver this script runs on 127.0.0.1. Checks:

  traffic       requests with 1 exception in 11 fire UwsgiHighExceptionRate
                (value near 1/11)
  harakiri      a request past --harakiri makes UwsgiHarakiri fire in
                Prometheus (/api/v1/alerts) with its labels and annotations
  listen-queue  a second uWSGI (1 worker, --listen 5) with its worker held:
                4 connections waiting fire UwsgiListenQueueFilling (not Full),
                a 5th fires UwsgiListenQueueFull
  records       every recording rule of the mixin has samples
  dashboards    every query of the committed dashboards/*.json (template
                variables replaced, $__rate_interval by 1m) runs on that
                Prometheus without error and returns data
  down          stopping uWSGI (SIGINT to its master, by its own pid) makes
                UwsgiDown fire in Prometheus, and Alertmanager posts it to the
                webhook (and the harakiri before it)
  exporter-down stopping uwsgitop (by its pid) fires UwsgiExporterDown, posted
                to the webhook

Every process is started by this script and stopped by its own pid; every
wait is bounded. Exit 0 all passed, 1 a failure, 77 skipped (a component is
not installed: Debian jsonnet, prometheus, prometheus-alertmanager,
uwsgi-core + uwsgi-plugin-python3; scripts/install-deps.sh lists them).
Usage: mixin_e2e.py --binary BUILD/src/uwsgitop [--keep]
"""
import argparse
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MIXIN = os.path.join(ROOT, "packaging", "mixin")
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import Fail, StatsAddr, check, free_port, wait_until  # noqa: E402

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
JOB = "uwsgi"
INSTANCE = "web"
BACKLOG = 5   # --listen of the second instance

# Short durations so the test runs in seconds; everything else is the default.
TEST_CONFIG = """{
  _config+:: {
    uwsgiSelector: 'job="%s"',
    rateWindow: '30s',
    uwsgiDownFor: '3s', exporterDownFor: '3s', noWorkerAcceptingFor: '3s',
    listenQueueFillingFor: '3s', listenQueueFullFor: '3s', workersSaturatedFor: '3s',
    respawnsFor: '3s', exceptionRateFor: '3s', memoryGrowthFor: '3s',
    harakiriWindow: '1m', respawnWindow: '1m', listenQueueErrorsWindow: '1m',
    memoryPredictWindow: '1m',
  },
}""" % JOB


class Proc:
    """A process this script started; stopped by its own pid (SIGTERM, then
    SIGKILL after 10 s)."""

    def __init__(self, name, cmd, log):
        self.name, self.log = name, log
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
        return "--- %s log:\n%s" % (self.name, harness.tail(self.log, 15))


class Webhook:
    """Alertmanager's webhook receiver: records each POSTed JSON body."""

    def __init__(self):
        self.posts = []
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with outer.lock:
                    outer.posts.append(json.loads(body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.port = free_port()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def alerts(self):
        with self.lock:
            return [a for p in self.posts for a in p.get("alerts", [])]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def get(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except (OSError, ValueError):
        return None, ""


def query(pport, promql):
    """(status, result or error) of an instant query."""
    st, body = get("http://127.0.0.1:%d/api/v1/query?%s" % (pport, urllib.parse.urlencode({"query": promql})))
    if st is None:
        return "unreachable", None
    doc = json.loads(body)
    if doc.get("status") != "success":
        return "error", doc.get("error")
    return "success", doc["data"]["result"]


def prom_alerts(pport, name, state="firing", instance=None):
    """Prometheus' alerts named `name` in `state` (of `instance`, if given)."""
    st, body = get("http://127.0.0.1:%d/api/v1/alerts" % pport)
    if st != 200:
        return []
    return [a for a in json.loads(body)["data"]["alerts"]
            if a["labels"].get("alertname") == name and a["state"] == state
            and instance in (None, a["labels"].get("instance"))]


def render(tmp):
    """The mixin's alerts and rules with TEST_CONFIG, rendered by packaging/mixin/build.sh
    (MIXIN_CONFIG) as the committed files are."""
    out = os.path.join(tmp, "mixin")
    os.mkdir(out)
    env = dict(os.environ, MIXIN_CONFIG=TEST_CONFIG)
    r = subprocess.run([os.path.join(MIXIN, "build.sh"), out], env=env, capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, "packaging/mixin/build.sh: %s" % r.stderr)
    paths = {"alerts.yaml": os.path.join(out, "alerts.yaml"),
             "rules.yaml": os.path.join(out, "rules.yaml")}
    for p in paths.values():
        r = subprocess.run(["promtool", "check", "rules", p], capture_output=True, text=True, timeout=60)
        check(r.returncode == 0, "promtool check rules on the test rendering:\n%s%s" % (r.stdout, r.stderr))
    with open(paths["alerts.yaml"]) as f:
        check("for: \"3s\"" in f.read(), "the test _config did not shorten the for: durations")
    return paths


def dashboard_queries():
    """(dashboard, panel title, PromQL) of every committed dashboard's targets,
    its template variables replaced as Grafana would for job=uwsgi, instance=web."""
    out = []
    d = os.path.join(MIXIN, "dashboards")
    for fname in sorted(os.listdir(d)):
        with open(os.path.join(d, fname)) as f:
            dash = json.load(f)
        for p in dash["panels"]:
            for t in p.get("targets", []):
                q = (t["expr"].replace("$__rate_interval", "1m")
                     .replace("$job", JOB).replace("$instance", INSTANCE))
                check("$" not in q, "%s / %s: a variable left in %r" % (fname, p["title"], q))
                out.append((fname, p["title"], q))
    return out


class Run:
    def __init__(self, keep):
        self.keep = keep
        self.passed, self.failed = 0, 0
        self.t0 = time.monotonic()
        self.procs = []

    def step(self, name, fn):
        t = time.monotonic()
        try:
            fn()
        except Fail as e:
            self.failed += 1
            print("FAIL %s (%.1fs): %s" % (name, time.monotonic() - t, e))
            for p in self.procs:
                print(p.tail())
            return False
        self.passed += 1
        print("PASS %s (%.1fs)" % (name, time.monotonic() - t))
        return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()

    missing = [n for n, ok in (("jsonnet", shutil.which("jsonnet")), ("promtool", shutil.which("promtool")),
                               ("prometheus", os.path.exists(PROMETHEUS)),
                               ("prometheus-alertmanager", ALERTMANAGER),
                               ("uwsgi", shutil.which(harness.UWSGI))) if not ok]
    if not missing and not harness.plugin_available("python3"):
        missing.append("uwsgi-plugin-python3")
    if missing:
        print("SKIP mixin-e2e: not installed: %s (scripts/install-deps.sh installs them)" % ", ".join(missing))
        print("0 passed, 0 failed, 1 skipped")
        return 77

    def on_signal(signum, frame):
        raise KeyboardInterrupt("signal %d" % signum)
    signal.signal(signal.SIGTERM, on_signal)

    tmp = tempfile.mkdtemp(prefix="uwsgitop-mixin-e2e-")
    run = Run(args.keep)
    hook = None
    try:
        hook = Webhook()
        rules = render(tmp)

        wd = os.path.join(tmp, "uwsgi")
        os.mkdir(wd)
        stats = StatsAddr("tcp", ("127.0.0.1", free_port()))
        u = harness.Uwsgi(wd, ["--processes", "2", "--harakiri", "1", "--memory-report"], stats=stats)
        u.start()
        # One worker and a listen queue of 5, for the queue alerts.
        wd = os.path.join(tmp, "uwsgi-backlog")
        os.mkdir(wd)
        bstats = StatsAddr("tcp", ("127.0.0.1", free_port()))
        backlog = harness.Uwsgi(wd, ["--processes", "1", "--listen", str(BACKLOG)], stats=bstats)
        backlog.start()

        targets = os.path.join(tmp, "targets")
        with open(targets, "w") as f:
            f.write("%s=127.0.0.1:%d\n" % (INSTANCE, stats.target[1]))
            f.write("backlog=127.0.0.1:%d\n" % bstats.target[1])
        eport = free_port()
        exporter = Proc("uwsgitop", [args.binary, "--serve-metrics", "127.0.0.1:%d" % eport, "--targets", targets],
                        os.path.join(tmp, "uwsgitop.log"))
        run.procs.append(exporter)

        aport = free_port()
        amcfg = os.path.join(tmp, "alertmanager.yml")
        with open(amcfg, "w") as f:
            f.write("route:\n  receiver: hook\n  group_by: [alertname, instance]\n"
                    "  group_wait: 1s\n  group_interval: 1s\n  repeat_interval: 1h\n"
                    "receivers:\n  - name: hook\n    webhook_configs:\n"
                    "      - url: http://127.0.0.1:%d/hook\n        send_resolved: false\n" % hook.port)
        os.mkdir(os.path.join(tmp, "am-data"))
        am = Proc("alertmanager", [ALERTMANAGER, "--config.file=" + amcfg,
                                   "--storage.path=" + os.path.join(tmp, "am-data"),
                                   "--web.listen-address=127.0.0.1:%d" % aport,
                                   "--cluster.listen-address="],  # no gossip port: loopback HTTP only
                  os.path.join(tmp, "alertmanager.log"))
        run.procs.append(am)

        pport = free_port()
        pcfg = os.path.join(tmp, "prometheus.yml")
        with open(pcfg, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
                    "rule_files: ['%s', '%s']\n" % (rules["alerts.yaml"], rules["rules.yaml"])
                    + "alerting:\n  alertmanagers:\n    - static_configs: [{targets: ['127.0.0.1:%d']}]\n" % aport
                    + "scrape_configs:\n  - job_name: %s\n    honor_labels: true\n" % JOB
                    + "    static_configs: [{targets: ['127.0.0.1:%d']}]\n" % eport)
        os.mkdir(os.path.join(tmp, "tsdb"))
        prom = Proc("prometheus", [PROMETHEUS, "--config.file=" + pcfg,
                                   "--storage.tsdb.path=" + os.path.join(tmp, "tsdb"),
                                   "--web.listen-address=127.0.0.1:%d" % pport],
                    os.path.join(tmp, "prometheus.log"))
        run.procs.append(prom)

        def startup():
            ok = wait_until(lambda: get("http://127.0.0.1:%d/-/ready" % aport)[0] == 200, 30, 0.3)
            check(ok, "Alertmanager never became ready")
            def up():
                st, r = query(pport, 'uwsgi_up{job="%s", instance="%s"}' % (JOB, INSTANCE))
                return st == "success" and r and r[0]["value"][1] == "1"
            check(wait_until(up, 60, 0.5), "Prometheus never saw uwsgi_up == 1 for %s" % INSTANCE)
        if not run.step("startup: uWSGI, uwsgitop, Prometheus, Alertmanager", startup):
            return 1

        def traffic():
            # Requests and exceptions, spread over a few seconds so rates have data.
            for i in range(6):
                statuses = harness.load(u.http_port, ["/"] * 10 + ["/boom"], concurrency=2)
                check(statuses.count(200) == 10, "load: %r" % statuses)
                time.sleep(0.5)
            # 1 exception in 11 requests (9%) is over the 5% threshold.
            check(wait_until(lambda: prom_alerts(pport, "UwsgiHighExceptionRate", instance=INSTANCE), 30, 0.5),
                  "UwsgiHighExceptionRate never fired; exceptions/s and requests/s: %r %r"
                  % (query(pport, 'sum(rate(uwsgi_worker_exceptions_total{instance="web"}[30s]))')[1],
                     query(pport, 'sum(rate(uwsgi_worker_requests_total{instance="web"}[30s]))')[1]))
            a = prom_alerts(pport, "UwsgiHighExceptionRate", instance=INSTANCE)[0]
            ratio = float(a["value"])
            check(0.07 <= ratio <= 0.11, "exceptions per request %.3f, the load sent 1 in 11" % ratio)
        run.step("traffic: 1 request in 11 raises, UwsgiHighExceptionRate fires", traffic)

        def harakiri():
            # /slow?s=3 outlives --harakiri 1: uWSGI kills that worker.
            harness.load(u.http_port, ["/slow?s=3"], concurrency=1, timeout=10)
            check(wait_until(lambda: prom_alerts(pport, "UwsgiHarakiri", instance=INSTANCE), 45, 0.5),
                  "UwsgiHarakiri never fired; harakiri count in Prometheus: %r"
                  % (query(pport, "uwsgi_worker_harakiri_count_total")[1],))
            a = prom_alerts(pport, "UwsgiHarakiri", instance=INSTANCE)[0]
            check(a["labels"].get("instance") == INSTANCE and a["labels"].get("severity") == "warning",
                  "labels %r" % a["labels"])
            ann = a["annotations"]
            check(ann.get("runbook_url", "").endswith("#uwsgiharakiri") and INSTANCE in ann.get("description", ""),
                  "annotations %r" % ann)
        run.step("harakiri: UwsgiHarakiri fires", harakiri)

        def listen_queue():
            # The backlog instance's only worker sleeps in one request; the
            # next connections wait in its listen queue (the kernel accepts
            # them): 4 of 5 is UwsgiListenQueueFilling only, 5 of 5 also Full.
            held = []

            def req(path):
                return ("GET %s HTTP/1.0\r\nHost: backlog\r\n\r\n" % path).encode()
            try:
                held.append(harness.InFlight(backlog.http_port, req("/slow?s=30"), max_seconds=40))
                check(wait_until(lambda: harness.workers_of(backlog.read()[1])[0].get("status") == "busy", 10, 0.2),
                      "the backlog instance's worker never became busy")
                held += [harness.InFlight(backlog.http_port, req("/"), max_seconds=40) for _ in range(BACKLOG - 1)]
                check(wait_until(lambda: prom_alerts(pport, "UwsgiListenQueueFilling"), 15, 0.5),
                      "UwsgiListenQueueFilling never fired; queue in Prometheus: %r"
                      % (query(pport, 'uwsgi_socket_queue_length{instance="backlog"}')[1],))
                a = prom_alerts(pport, "UwsgiListenQueueFilling")[0]
                check(a["labels"].get("instance") == "backlog", "labels %r" % a["labels"])
                check("80%" in a["annotations"].get("description", ""), "description %r" % a["annotations"])
                check(not prom_alerts(pport, "UwsgiListenQueueFull", "pending")
                      and not prom_alerts(pport, "UwsgiListenQueueFull"), "UwsgiListenQueueFull at 4 of 5")
                held.append(harness.InFlight(backlog.http_port, req("/"), max_seconds=40))
                check(wait_until(lambda: prom_alerts(pport, "UwsgiListenQueueFull"), 15, 0.5),
                      "UwsgiListenQueueFull never fired; queue in Prometheus: %r"
                      % (query(pport, 'uwsgi_socket_queue_length{instance="backlog"}')[1],))
                a = prom_alerts(pport, "UwsgiListenQueueFull")[0]
                check(a["labels"].get("instance") == "backlog" and a["labels"].get("severity") == "critical",
                      "labels %r" % a["labels"])
            finally:
                for h in held:
                    h.close()
                backlog.stop()   # its worker still sleeps; SIGINT to its master, by its pid
        run.step("listen-queue: UwsgiListenQueueFilling, then Full", listen_queue)

        def records():
            with open(rules["rules.yaml"]) as f:
                names = [line.split("record:", 1)[1].strip().strip('"') for line in f
                         if line.strip().startswith("- record:") or line.strip().startswith("record:")]
            check(len(names) >= 8, "recording rules: %r" % names)
            empty = []

            def all_have_samples():
                empty[:] = [n for n in names if not query(pport, n)[1]]
                return not empty
            check(wait_until(all_have_samples, 30, 1.0), "recording rules without samples: %s" % empty)
        run.step("records: every recording rule has samples", records)

        def dashboards():
            qs = dashboard_queries()
            check(len(qs) >= 20, "only %d dashboard queries" % len(qs))
            errors, nodata = [], []
            for fname, title, q in qs:
                st, r = query(pport, q)
                if st != "success":
                    errors.append("%s / %s: %s: %s" % (fname, title, q, r))
                elif not r:
                    nodata.append("%s / %s: %s" % (fname, title, q))
            check(not errors, "queries failing:\n" + "\n".join(errors))
            check(not nodata, "queries without data:\n" + "\n".join(nodata))
            print("    %d dashboard queries ran, all with data" % len(qs))
        run.step("dashboards: every panel query runs and has data", dashboards)

        def down():
            check(not prom_alerts(pport, "UwsgiDown", instance=INSTANCE)
                  and not prom_alerts(pport, "UwsgiDown", "pending", instance=INSTANCE),
                  "UwsgiDown for %s before it was stopped" % INSTANCE)
            t = time.monotonic()
            u.stop()   # SIGINT to its master, by the pid in its pidfile
            check(wait_until(lambda: prom_alerts(pport, "UwsgiDown", instance=INSTANCE), 60, 0.5),
                  "UwsgiDown never fired in Prometheus; uwsgi_up: %r" % (query(pport, "uwsgi_up")[1],))
            fired = time.monotonic() - t
            a = prom_alerts(pport, "UwsgiDown", instance=INSTANCE)[0]
            check(a["labels"].get("instance") == INSTANCE and a["labels"].get("severity") == "critical",
                  "labels %r" % a["labels"])

            def delivered(name):
                return [x for x in hook.alerts() if x["labels"].get("alertname") == name
                        and x["status"] == "firing" and x["labels"].get("instance") == INSTANCE]
            check(wait_until(lambda: delivered("UwsgiDown"), 60, 0.5),
                  "the webhook never received UwsgiDown; it received %r"
                  % sorted({x["labels"].get("alertname") for x in hook.alerts()}))
            got = delivered("UwsgiDown")[0]
            check(got["annotations"].get("runbook_url", "").endswith("#uwsgidown")
                  and got["annotations"].get("summary"), "annotations %r" % got["annotations"])
            check(delivered("UwsgiHarakiri"), "the webhook never received UwsgiHarakiri")
            print("    UwsgiDown firing %.1fs after the stop, at the webhook %.1fs after"
                  % (fired, time.monotonic() - t))
        run.step("down: UwsgiDown fires and reaches the webhook through Alertmanager", down)

        def exporter_down():
            check(not prom_alerts(pport, "UwsgiExporterDown"), "UwsgiExporterDown while the exporter runs")
            t = time.monotonic()
            exporter.stop()   # by its pid
            check(wait_until(lambda: prom_alerts(pport, "UwsgiExporterDown"), 60, 0.5),
                  "UwsgiExporterDown never fired; up: %r" % (query(pport, "up")[1],))
            a = prom_alerts(pport, "UwsgiExporterDown")[0]
            check(a["labels"].get("instance") == "127.0.0.1:%d" % eport, "labels %r" % a["labels"])
            check(wait_until(lambda: [x for x in hook.alerts() if x["labels"].get("alertname") == "UwsgiExporterDown"],
                             60, 0.5), "the webhook never received UwsgiExporterDown")
            print("    UwsgiExporterDown at the webhook %.1fs after the exporter stopped" % (time.monotonic() - t))
        run.step("exporter-down: UwsgiExporterDown fires and reaches the webhook", exporter_down)
    except KeyboardInterrupt as e:
        print("FAIL interrupted: %s" % e)
        run.failed += 1
    except Fail as e:
        print("FAIL setup: %s" % e)
        for p in run.procs:
            print(p.tail())
        run.failed += 1
    finally:
        for p in reversed(run.procs):
            p.stop()
        harness.stop_all()
        if hook:
            hook.stop()
        if args.keep or run.failed:
            print("    files kept in %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed (%.1fs)" % (run.passed, run.failed, time.monotonic() - run.t0))
    return 1 if run.failed else 0


if __name__ == "__main__":
    sys.exit(main())
