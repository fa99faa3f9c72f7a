#!/usr/bin/env bash
# Renders the mixin with Debian's jsonnet into the files committed next to
# it, for people without jsonnet:
#   alerts.yaml, rules.yaml, dashboards/*.json
# Usage: packaging/mixin/build.sh [OUTDIR]   (default: the mixin directory itself)
# MIXIN_CONFIG, if set, is a jsonnet object added to the mixin, e.g.
#   MIXIN_CONFIG="{_config+:: {uwsgiSelector: 'job=\"shop\"'}}" packaging/mixin/build.sh /tmp/shop
# tests/check_mixin.py renders into a temporary OUTDIR and compares;
# tests/integration/mixin_e2e.py renders a variant with short durations.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
JSONNET=${JSONNET:-jsonnet}
command -v "$JSONNET" >/dev/null || { echo "build.sh: jsonnet not found (Debian: apt-get install jsonnet)" >&2; exit 1; }
mixin="((import 'mixin.libsonnet') + ${MIXIN_CONFIG:-{\}})"

yaml() {  # yaml FIELD FILE
  # jsonnet 0.18's quote_keys=false is slow: quote, then unquote the plain keys.
  "$JSONNET" -J "$here" -S -e "std.manifestYamlDoc($mixin.$1, indent_array_in_object=true)" \
    | sed -E 's/^( *(- )?)"([A-Za-z_][A-Za-z0-9_]*)":/\1\3:/' > "$out/$2.tmp"
  mv "$out/$2.tmp" "$out/$2"
}

mkdir -p "$out/dashboards"
yaml prometheusAlerts alerts.yaml
yaml prometheusRules rules.yaml
rm -f "$out"/dashboards/*.json
"$JSONNET" -J "$here" -m "$out/dashboards" -e "$mixin.grafanaDashboards" >/dev/null
