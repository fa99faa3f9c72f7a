#!/usr/bin/env bash
# Renders the mixin with Debian's jsonnet into the files committed next to
# it, for people without jsonnet:
#   prometheus_alerts.yaml, prometheus_rules.yaml, dashboards_out/*.json
# Usage: mixin/build.sh [OUTDIR]   (default: the mixin directory itself)
# tests/check_mixin.py renders into a temporary OUTDIR and compares.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
JSONNET=${JSONNET:-jsonnet}
command -v "$JSONNET" >/dev/null || { echo "build.sh: jsonnet not found (Debian: apt-get install jsonnet)" >&2; exit 1; }

yaml() {  # yaml FIELD FILE
  "$JSONNET" -J "$here" -S -e \
    "std.manifestYamlDoc((import 'mixin.libsonnet').$1, indent_array_in_object=true, quote_keys=false)" \
    > "$out/$2.tmp"
  mv "$out/$2.tmp" "$out/$2"
}

mkdir -p "$out/dashboards_out"
yaml prometheusAlerts prometheus_alerts.yaml
yaml prometheusRules prometheus_rules.yaml
rm -f "$out"/dashboards_out/*.json
"$JSONNET" -J "$here" -m "$out/dashboards_out" -e "(import 'mixin.libsonnet').grafanaDashboards" >/dev/null
