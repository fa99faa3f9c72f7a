#!/usr/bin/env python3
"""Validates uwsgitop's Prometheus output with a real parser.

1. `uwsgitop --once --format openmetrics` on captures plus a dead target is
   parsed by prometheus_client's strict OpenMetrics parser, and
   `--format prometheus` (the classic 0.0.4 text) by its text parser: the
   same bytes /metrics serves without an OpenMetrics Accept header.
2. `uwsgitop --serve-metrics 127.0.0.1:PORT ...` is scraped over HTTP twice:
   with an OpenMetrics Accept header (OpenMetrics parser) and without (the
   Prometheus 0.0.4 text parser); the server is then stopped by its pid.
3. The user metrics of uWSGI's metrics subsystem (custom-metrics-1.json, a
   real capture with --metric name=myapp.orders,type=counter and
   name=myapp.queue_depth,type=gauge) are uwsgi_custom_* families of their
   type, uWSGI's own metrics are not; `promtool check metrics` (Debian
   prometheus; skipped without it) finds the classic text clean.
Prints "N passed, N failed" last; skips (exit 77) without prometheus_client.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

try:
    from prometheus_client.openmetrics.parser import text_string_to_metric_families as om_parse
    from prometheus_client.parser import text_string_to_metric_families as prom_parse
except ImportError:
    print("SKIP: python3-prometheus-client is not installed")
    print("0 passed, 0 failed, 1 skipped")
    sys.exit(77)

BIN, FIX = sys.argv[1], sys.argv[2]
TARGETS = ["web=file:%s/prefork-1.json" % FIX, "cache=file:%s/mules-spooler-cache.json" % FIX,
           "emp=file:%s/emperor.json" % FIX, "custom=file:%s/custom-metrics-1.json" % FIX,
           "down=/nonexistent/uwsgitop.sock"]
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL", name, detail)


def families(parse, text):
    return {f.name: f for f in parse(text)}


def sample_value(fams, family, **labels):
    for s in fams[family].samples:
        if all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    return None


out = subprocess.run([BIN, "--once", "--format", "openmetrics"] + TARGETS,
                     capture_output=True, text=True, timeout=30)
check("once exits 1 because one target is down", out.returncode == 1, out.stderr)
try:
    fams = families(om_parse, out.stdout)
    check("openmetrics parses", True)
    check("up 1 for a good target", sample_value(fams, "uwsgi_up", instance="web") == 1)
    check("up 0 for a dead target", sample_value(fams, "uwsgi_up", instance="down") == 0)
    check("worker requests counter", sample_value(fams, "uwsgi_worker_requests", instance="web", worker_id="3") == 202,
          str(fams.get("uwsgi_worker_requests")))
    check("counter type", fams["uwsgi_worker_requests"].type == "counter")
    check("vassals gauge", sample_value(fams, "uwsgi_emperor_vassals", instance="emp") == 3)
except Exception as e:  # the parser raises on any format error
    check("openmetrics parses", False, repr(e))

classic = subprocess.run([BIN, "--once", "--format", "prometheus"] + TARGETS,
                         capture_output=True, text=True, timeout=30)
check("--format prometheus is the classic text", "# TYPE uwsgi_worker_requests_total counter" in classic.stdout
      and "# EOF" not in classic.stdout, classic.stdout[:300])
try:
    fams = families(prom_parse, classic.stdout)
    v = sample_value(fams, "uwsgi_worker_requests", instance="web", worker_id="3")
    check("--format prometheus parses as 0.0.4", v == 202, str(v))
except Exception as e:
    check("--format prometheus parses as 0.0.4", False, repr(e))

# 3. uWSGI's metrics subsystem: user metrics only, with their type.
check("custom counter family (0.0.4)", "# TYPE uwsgi_custom_myapp_orders_total counter\n" in classic.stdout)
check("custom counter sample",
      re.search(r'^uwsgi_custom_myapp_orders_total\{instance="custom",stats_uri="[^"]*"\} 9$', classic.stdout, re.M),
      "\n".join(l for l in classic.stdout.splitlines() if "custom_" in l))
check("custom gauge family", "# TYPE uwsgi_custom_myapp_queue_depth gauge\n" in classic.stdout)
own = sorted(set(re.findall(r"^uwsgi_custom_(?:core|worker|socket|rss_size|vsz_size)\w*", classic.stdout, re.M)))
check("uWSGI's own metrics are not custom families", not own, own)
try:
    fams = families(om_parse, out.stdout)
    check("custom counter in OpenMetrics", fams["uwsgi_custom_myapp_orders"].type == "counter"
          and sample_value(fams, "uwsgi_custom_myapp_orders", instance="custom") == 9)
    check("custom gauge in OpenMetrics", fams["uwsgi_custom_myapp_queue_depth"].type == "gauge"
          and sample_value(fams, "uwsgi_custom_myapp_queue_depth", instance="custom") == 7)
except Exception as e:
    check("custom metrics in OpenMetrics", False, repr(e))
if shutil.which("promtool"):
    r = subprocess.run(["promtool", "check", "metrics"], input=classic.stdout, capture_output=True, text=True, timeout=30)
    check("promtool check metrics on --format prometheus", r.returncode == 0 and not (r.stdout + r.stderr).strip(),
          r.stdout + r.stderr)
else:
    print("SKIP promtool check metrics: promtool is not installed")

s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
proc = subprocess.Popen([BIN, "--serve-metrics", "127.0.0.1:%d" % port] + TARGETS,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
try:
    body = None
    for _ in range(50):
        try:
            req = urllib.request.Request("http://127.0.0.1:%d/metrics" % port,
                                         headers={"Accept": "application/openmetrics-text; version=1.0.0"})
            with urllib.request.urlopen(req, timeout=10) as r:
                ctype = r.headers.get("Content-Type", "")
                body = r.read().decode()
            break
        except OSError:
            time.sleep(0.1)
    check("serve-metrics answers", body is not None)
    if body is not None:
        check("openmetrics content type", ctype.startswith("application/openmetrics-text"), ctype)
        try:
            fams = families(om_parse, body)
            check("served openmetrics parses", sample_value(fams, "uwsgi_up", instance="down") == 0)
        except Exception as e:
            check("served openmetrics parses", False, repr(e))
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10) as r:
            ctype = r.headers.get("Content-Type", "")
            body = r.read().decode()
        check("0.0.4 content type", ctype.startswith("text/plain; version=0.0.4"), ctype)
        try:
            fams = families(prom_parse, body)
            v = sample_value(fams, "uwsgi_worker_requests", instance="web", worker_id="3")
            check("served 0.0.4 parses", v == 202, str(v))
        except Exception as e:
            check("served 0.0.4 parses", False, repr(e))
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/nope" % port, timeout=10)
            check("unknown path is 404", False)
        except urllib.error.HTTPError as e:
            check("unknown path is 404", e.code == 404)
finally:
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
check("serve-metrics stops on SIGTERM with 0", rc == 0, str(rc))

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
