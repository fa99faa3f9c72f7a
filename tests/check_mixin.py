#!/usr/bin/env python3
"""Checks the monitoring mixin (packaging/mixin/) without a running Prometheus.

1. packaging/mixin/build.sh renders into a temporary directory; the result
   must equal the committed alerts.yaml, rules.yaml and
   dashboards/*.json byte for byte (the same set of dashboards too);
   the jsonnet sources pass jsonnetfmt --test.
2. promtool check rules is clean on both YAML files.
3. promtool test rules packaging/mixin/tests.yaml passes (every alert fires on its
   synthetic series and stays quiet on the others; recording rule values).
4. Every alert has a severity label and summary, description and runbook_url
   annotations; every runbook_url anchor is a section of docs/runbook.md and
   every alert in tests.yaml is tested firing and quiet.
5. Every metric name in the rules and the dashboards' queries is one uwsgitop
   exports (src/output/prometheus_families.hpp, uwsgi_up; Prometheus' up and
   scrape_duration_seconds),
   or a recording rule of the mixin; dashboards have the datasource, job and
   instance variables, no hard-coded data source uid, unique panel ids, and
   panels inside Grafana's 24 columns.
Prints "N passed, N failed" last; skips (exit 77) without jsonnet or promtool.
Usage: check_mixin.py SOURCE_ROOT
"""
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
MIXIN = os.path.join(ROOT, "packaging", "mixin")

missing = [t for t in ("jsonnet", "promtool") if not shutil.which(t)]
if missing:
    print("SKIP: %s not installed (Debian: apt-get install jsonnet prometheus)" % ", ".join(missing))
    print("0 passed, 0 failed, 1 skipped")
    sys.exit(77)

passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL", name, detail)


def run(cmd, cwd=None):
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120)
    return r.returncode, r.stdout + r.stderr


def jsonnet_field(field):
    rc, out = run(["jsonnet", "-J", MIXIN, "-e", "(import 'mixin.libsonnet').%s" % field])
    if rc != 0:
        raise SystemExit("jsonnet failed on %s:\n%s" % (field, out))
    return json.loads(out)


# 1. Rendered = committed.
with tempfile.TemporaryDirectory(prefix="uwsgitop-mixin-") as tmp:
    rc, out = run([os.path.join(MIXIN, "build.sh"), tmp])
    check("build.sh renders", rc == 0, out)
    for name in ("alerts.yaml", "rules.yaml"):
        committed = os.path.join(MIXIN, name)
        same = os.path.exists(committed) and filecmp.cmp(committed, os.path.join(tmp, name), shallow=False)
        check("%s is what the jsonnet renders" % name, same, "(run packaging/mixin/build.sh and commit the result)")
    want = sorted(os.listdir(os.path.join(tmp, "dashboards")))
    have = sorted(f for f in os.listdir(os.path.join(MIXIN, "dashboards")) if f.endswith(".json"))
    check("dashboards/ holds the rendered dashboards", want == have and want, "rendered %r, committed %r" % (want, have))
    for name in want:
        committed = os.path.join(MIXIN, "dashboards", name)
        same = os.path.exists(committed) and filecmp.cmp(committed, os.path.join(tmp, "dashboards", name), shallow=False)
        check("dashboards/%s is what the jsonnet renders" % name, same, "(run packaging/mixin/build.sh and commit the result)")

# The jsonnet as jsonnetfmt writes it (Debian's jsonnet package has it).
if shutil.which("jsonnetfmt"):
    for dirpath, _, files in sorted(os.walk(MIXIN)):
        for fn in sorted(files):
            if fn.endswith((".jsonnet", ".libsonnet")):
                path = os.path.join(dirpath, fn)
                rc, out = run(["jsonnetfmt", "--test", path])
                check("jsonnetfmt --test %s" % os.path.relpath(path, ROOT), rc == 0, "(run jsonnetfmt -i on it) " + out)

# 2. promtool check rules.
for name in ("alerts.yaml", "rules.yaml"):
    rc, out = run(["promtool", "check", "rules", os.path.join(MIXIN, name)])
    check("promtool check rules %s" % name, rc == 0 and "SUCCESS" in out, out)

# 3. promtool test rules.
rc, out = run(["promtool", "test", "rules", "tests.yaml"], cwd=MIXIN)
check("promtool test rules tests.yaml", rc == 0 and "SUCCESS" in out, out[-4000:])

# 4. Annotations, runbook sections, tests per alert.
alerts = [r for g in jsonnet_field("prometheusAlerts")["groups"] for r in g["rules"]]
records = [r for g in jsonnet_field("prometheusRules")["groups"] for r in g["rules"]]
check("alerts are defined", len(alerts) >= 10, "%d alerts" % len(alerts))
check("alert names are unique", len({a["alert"] for a in alerts}) == len(alerts))
with open(os.path.join(ROOT, "docs", "runbook.md")) as f:
    runbook = f.read()
anchors = {re.sub(r"[^a-z0-9 _-]", "", h.strip().lower()).replace(" ", "-")
           for h in re.findall(r"^#+ (.*)$", runbook, re.M)}
with open(os.path.join(MIXIN, "tests.yaml")) as f:
    tests_text = f.read()
for a in alerts:
    name = a["alert"]
    ann, labels = a.get("annotations", {}), a.get("labels", {})
    check("%s: severity, summary, description, runbook_url" % name,
          labels.get("severity") in ("critical", "warning", "info")
          and all(ann.get(k) for k in ("summary", "description", "runbook_url")), json.dumps(a))
    check("%s: description names the instance" % name, "{{ $labels.instance }}" in ann.get("description", ""))
    anchor = ann.get("runbook_url", "").rpartition("#")[2]
    check("%s: runbook_url points to a section of docs/runbook.md" % name, anchor in anchors,
          "#%s not among %s" % (anchor, sorted(anchors)))
    tested = re.findall(r"alertname: %s\n\s+exp_alerts:(\s*\[\])?" % name, tests_text)
    check("%s: tests.yaml has a firing and a quiet case" % name,
          any(t == "" for t in tested) and any(t for t in tested), "cases: %r" % tested)

# 5. Metric names and dashboards.
with open(os.path.join(ROOT, "src", "output", "prometheus_families.hpp")) as f:
    fams = f.read()
exported = {"uwsgi_up", "up", "scrape_duration_seconds"}
for kind, fam in re.findall(r'\b(gauge|counter|derived)\("(uwsgi_[a-z_]+)"', fams):
    exported.add(fam + "_total" if kind == "counter" else fam)
recorded = {r["record"] for r in records}
FUNCS = {"sum", "count", "max", "min", "avg", "by", "on", "and", "or", "unless", "rate", "increase",
         "predict_linear", "avg_over_time", "max_over_time", "vector", "without", "ignoring", "label_values", "group_left", "bool"}


def metric_names(expr):
    expr = re.sub(r'"[^"]*"', '""', expr)           # label values
    expr = re.sub(r"\{[^}]*\}", "{}", expr)         # matchers
    expr = re.sub(r"\[[^\]]*\]", "[]", expr)        # windows
    expr = re.sub(r"\b(by|on|without|ignoring)\s*\([^)]*\)", "", expr)  # grouping labels
    names = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", expr))
    return {n for n in names if n not in FUNCS and not re.fullmatch(r"[0-9e]+", n)}


for r in alerts + records:
    unknown = metric_names(r["expr"]) - exported - recorded
    check("%s: only exported metrics" % r.get("alert", r.get("record")), not unknown, "unknown: %s" % sorted(unknown))

for fname, dash in sorted(jsonnet_field("grafanaDashboards").items()):
    names = [v["name"] for v in dash["templating"]["list"]]
    check("%s: datasource, job and instance variables" % fname, names == ["datasource", "job", "instance"], names)
    text = json.dumps(dash)
    uids = set(re.findall(r'"uid": "([^"]*)"', text)) - {dash["uid"], "-- Grafana --"}
    check("%s: the data source is the variable" % fname, uids == {"${datasource}"}, uids)
    panels = dash["panels"]
    check("%s: unique panel ids" % fname, len({p["id"] for p in panels}) == len(panels))
    check("%s: panels within 24 columns" % fname,
          all(p["gridPos"]["x"] + p["gridPos"]["w"] <= 24 for p in panels))
    exprs = [t["expr"] for p in panels for t in p.get("targets", [])]
    check("%s: has queries" % fname, len(exprs) >= 8, len(exprs))
    for v in dash["templating"]["list"]:
        if v["type"] == "query":
            exprs.append(re.sub(r"label_values\((.*), *\w+\)", r"\1", v["definition"]))
    bad = {}
    for e in exprs:
        unknown = metric_names(e.replace("$__rate_interval", "1m")) - exported - recorded
        if unknown:
            bad[e] = sorted(unknown)
    check("%s: queries use only exported metrics" % fname, not bad, bad)
    check("%s: rates use $__rate_interval" % fname,
          all("$__rate_interval" in e for e in exprs if re.search(r"\b(rate|increase)\(", e)))

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
