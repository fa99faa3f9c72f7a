#!/usr/bin/env bash
# bench/run.sh — the whole benchmark of issue 6 on a release build.
#
#   bench/run.sh            full run (about 10-20 minutes on 2 cores)
#   bench/run.sh --quick    every step once with tiny counts (checks the script)
#
# Environment:
#   BUILD         build dir (default: <repo>/build-bench, release)
#   OUT           results dir (default: $BUILD/bench-results)
#   STAGE_SECONDS time budget per bench_refresh stage (default 1)
#   INTERACTIVE_SECONDS  measuring window of the interactive runs (default 10)
#   PY_UWSGITOP   path to the Python uwsgitop 0.12 script (the single file
#                 `uwsgitop` of github.com/xrmx/uwsgitop, kept OUTSIDE this
#                 repository); its column is skipped when unset
#   PYTHON        interpreter for it (default /usr/bin/python3: Debian's has curses)
#
# Steps: machine facts; bench_refresh (stages per size, markdown); hyperfine of
# `uwsgitop --once --format json|table file:SNAPSHOT` per size; peak RSS per
# size (/usr/bin/time); callgrind instruction counts (whole process on the
# 4 MB input, one steady refresh, the RapidJSON floor, the cores view over the
# generated 1/4/16 MB inputs) with the top functions; VmHWM after 10 vs 200
# refreshes; CPU per refresh and peak RSS in interactive mode for this uwsgitop
# and the Python one (bench/interactive_cpu.py, tmux), worker tables and the
# cores view against the Python tool's `a` modes.
# Everything goes to $OUT/*.md|txt; summary.md collects the tables.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench}
OUT=${OUT:-$BUILD/bench-results}
QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
STAGE_SECONDS=${STAGE_SECONDS:-1}
INTERACTIVE_SECONDS=${INTERACTIVE_SECONDS:-10}
PYTHON=${PYTHON:-/usr/bin/python3}
[ -x "$PYTHON" ] || PYTHON=python3
SIZES=(prefork big bigasync huge)
CG_INPUT=bigasync

if [ "$QUICK" = 1 ]; then
  INTERACTIVE_SECONDS=2
  HF_ARGS=(--runs 2 --warmup 0)
  CG_REFRESHES=1
  BENCH_ARGS=(--quick)
  RSS_LONG=5
else
  HF_ARGS=(--warmup 3 --min-runs 10)
  CG_REFRESHES=10
  BENCH_ARGS=(--seconds "$STAGE_SECONDS")
  RSS_LONG=200
fi

need() { command -v "$1" >/dev/null 2>&1 || { echo "run.sh: $1 is required ($2)" >&2; exit 2; }; }
need meson "apt-get install meson"
need ninja "apt-get install ninja-build"
need hyperfine "apt-get install hyperfine"
need valgrind "apt-get install valgrind"
need callgrind_annotate "apt-get install valgrind"
need tmux "apt-get install tmux"
[ -x /usr/bin/time ] || { echo "run.sh: /usr/bin/time is required (apt-get install time)" >&2; exit 2; }

if [ ! -d "$BUILD" ]; then
  meson setup "$BUILD" --buildtype=release
fi
ninja -C "$BUILD" src/uwsgitop bench/bench_refresh bench-data
mkdir -p "$OUT"
UT=$BUILD/src/uwsgitop
BR=$BUILD/bench/bench_refresh
DATA=$BUILD/bench
SUM=$OUT/summary.md
: > "$SUM"
say() { echo "$@" | tee -a "$SUM"; }

# --- machine ----------------------------------------------------------------
{
  echo "## Machine"
  echo
  echo "- nproc: $(nproc)"
  echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "- kernel: $(uname -sr)"
  echo "- compiler: $(c++ --version | head -1)"
  echo "- buildtype: $(meson introspect --buildoptions "$BUILD" 2>/dev/null | "$PYTHON" -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="buildtype"))' 2>/dev/null || echo '?')"
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
} | tee -a "$SUM"

# --- 1. stages --------------------------------------------------------------
echo "== bench_refresh ${BENCH_ARGS[*]}" >&2
"$BR" "${BENCH_ARGS[@]}" | tee "$OUT/bench.md" >> "$SUM"

# --- 2. hyperfine, 3. peak RSS ----------------------------------------------
say ""
say "## uwsgitop --once (whole process)"
say ""
say "| input | bytes | json mean ms | table mean ms | json peak RSS MiB | table peak RSS MiB |"
say "|---|---:|---:|---:|---:|---:|"
for s in "${SIZES[@]}"; do
  f=$DATA/$s-2.json
  bytes=$(stat -c %s "$f")
  hyperfine -N "${HF_ARGS[@]}" --export-json "$OUT/hyperfine-$s.json" \
    "$UT --once --format json file:$f" "$UT --once --format table file:$f" > "$OUT/hyperfine-$s.txt" 2>&1
  means=$("$PYTHON" -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(" ".join("%.2f"%(x["mean"]*1000) for x in r))' "$OUT/hyperfine-$s.json")
  rss=()
  for fmt in json table; do
    kib=$( { /usr/bin/time -f '%M' "$UT" --once --format $fmt "file:$f" > /dev/null; } 2>&1 | tail -1)
    rss+=("$(awk -v k="$kib" 'BEGIN{printf "%.1f", k/1024}')")
  done
  set -- $means
  say "| $s | $bytes | $1 | $2 | ${rss[0]} | ${rss[1]} |"
done

# --- 4. callgrind -----------------------------------------------------------
cg() {  # cg NAME ARGS... : callgrind into $OUT/cg-NAME.out, prints Ir total
  local name=$1; shift
  valgrind --tool=callgrind --callgrind-out-file="$OUT/cg-$name.out" "$@" > "$OUT/cg-$name.stdout" 2> "$OUT/cg-$name.log"
  grep -m1 'Collected' "$OUT/cg-$name.log" | awk '{gsub(",","",$4); print $4}'
}
top10() {  # top10 NAME: the ten functions with the most instructions (self)
  callgrind_annotate "$OUT/cg-$1.out" 2>/dev/null | awk '/^-+$/{n++} n>=3' | grep -E '^ *[0-9,]+ ' | head -10 > "$OUT/cg-$1.top10.txt" || true
}
echo "== callgrind" >&2
F4=$DATA/$CG_INPUT-2.json
whole=$(cg once-table "$UT" --once --format table "file:$F4")
top10 once-table
steady_w=$(cg steady-workers --collect-atstart=no --toggle-collect=uwsgitop_bench_refresh "$BR" --loop $CG_INPUT --refreshes $CG_REFRESHES)
top10 steady-workers
steady_c=$(cg steady-cores --collect-atstart=no --toggle-collect=uwsgitop_bench_refresh "$BR" --loop $CG_INPUT --refreshes $CG_REFRESHES --cores-view)
top10 steady-cores
cg floors "$BR" --loop $CG_INPUT --refreshes $CG_REFRESHES --floors > /dev/null
callgrind_annotate --inclusive=yes "$OUT/cg-floors.out" 2>/dev/null | grep -E 'floor_parse_' > "$OUT/cg-floors.txt" || true
say ""
say "## callgrind (instructions, $CG_INPUT: $(stat -c %s "$F4") bytes)"
say ""
say "| measure | instructions | goal |"
say "|---|---:|---|"
say "| whole process \`uwsgitop --once --format table file:$CG_INPUT-2.json\` | $whole | <= 130 M |"
say "| one steady refresh, workers view (read+parse+rates+view+render) | $(( steady_w / CG_REFRESHES )) | <= 100 M |"
say "| one steady refresh, cores view | $(( steady_c / CG_REFRESHES )) | - |"
# Scaling of the cores view over the generated inputs (issue 18): linear, each
# step within 1.2x of the size ratio.
prev_ir=0; prev_bytes=0
for g in gen1 gen4 gen16; do
  ir=$(cg "steady-cores-$g" --collect-atstart=no --toggle-collect=uwsgitop_bench_refresh "$BR" --loop $g --refreshes $CG_REFRESHES --cores-view)
  bytes=$(grep -o 'bytes=[0-9]*' "$OUT/cg-steady-cores-$g.stdout" | cut -d= -f2)
  step="-"
  if [ "$prev_ir" -gt 0 ]; then
    step=$(awk -v a="$ir" -v b="$prev_ir" -v x="$bytes" -v y="$prev_bytes" 'BEGIN{printf "%.2f", (a/b)/(x/y)}')
  fi
  say "| one steady refresh, cores view, $g ($bytes bytes): step $step | $(( ir / CG_REFRESHES )) | step <= 1.2 |"
  prev_ir=$ir; prev_bytes=$bytes
done
while read -r ir _ fn; do
  v=$(echo "$fn" | sed -E 's/.*(floor_parse_[a-z0-9]+).*/\1/')
  say "| RapidJSON floor ($v), per parse | $(( ${ir//,/} / CG_REFRESHES )) | - |"
done < "$OUT/cg-floors.txt"
for n in once-table steady-workers steady-cores; do
  say ""
  say "Top 10 (self) — $n:"
  say '```'
  cut -c1-160 "$OUT/cg-$n.top10.txt" | tee -a "$SUM" > /dev/null
  say '```'
done

# --- 5. RSS over time -------------------------------------------------------
say ""
say "## Peak RSS of a refresh loop ($CG_INPUT, bench process with both inputs loaded)"
say ""
say '```'
"$BR" --loop $CG_INPUT --refreshes 10 | tee -a "$SUM"
"$BR" --loop $CG_INPUT --refreshes $RSS_LONG | tee -a "$SUM"
say '```'

# --- 6. interactive ---------------------------------------------------------
say ""
say "## Interactive mode, 160x50, fast refresh (f), ${INTERACTIVE_SECONDS}s window"
say ""
say "| monitor | input bytes | refreshes | CPU ms/refresh | minor faults/refresh | VmHWM MiB | screen lines |"
say "|---|---:|---:|---:|---:|---:|---:|"
for s in "${SIZES[@]}"; do
  a=$DATA/$s-1.json; b=$DATA/$s-2.json
  "$PYTHON" "$HERE/interactive_cpu.py" --name "uwsgitop (C++) $s" --input "$a" "$b" \
    --seconds "$INTERACTIVE_SECONDS" --capture "$OUT/screen-cpp-$s.txt" -- "$UT" '{addr}' | tee -a "$SUM" || \
    say "| uwsgitop (C++) $s | failed | | | | | |"
  if [ -n "${PY_UWSGITOP:-}" ]; then
    "$PYTHON" "$HERE/interactive_cpu.py" --name "uwsgitop 0.12 (Python) $s" --input "$a" "$b" \
      --seconds "$INTERACTIVE_SECONDS" --capture "$OUT/screen-py-$s.txt" -- "$PYTHON" "$PY_UWSGITOP" '{addr}' | tee -a "$SUM" || \
      say "| uwsgitop 0.12 (Python) $s | failed | | | | | |"
  fi
done
# The cores view (issue 18): rows of cores here (`f a`), the Python tool's `a`
# modes (1: cores merged into the workers, 2: cores under them), same input.
a=$DATA/$CG_INPUT-1.json; b=$DATA/$CG_INPUT-2.json
"$PYTHON" "$HERE/interactive_cpu.py" --name "uwsgitop (C++) $CG_INPUT, f a (rows of cores)" --keys fa --input "$a" "$b" \
  --seconds "$INTERACTIVE_SECONDS" --capture "$OUT/screen-cpp-cores.txt" -- "$UT" '{addr}' | tee -a "$SUM" || \
  say "| uwsgitop (C++) $CG_INPUT, f a | failed | | | | | |"
if [ -n "${PY_UWSGITOP:-}" ]; then
  for keys in fa faa; do
    "$PYTHON" "$HERE/interactive_cpu.py" --name "uwsgitop 0.12 (Python) $CG_INPUT, $keys" --keys $keys --input "$a" "$b" \
      --seconds "$INTERACTIVE_SECONDS" --capture "$OUT/screen-py-$keys.txt" -- "$PYTHON" "$PY_UWSGITOP" '{addr}' | tee -a "$SUM" || \
      say "| uwsgitop 0.12 (Python) $CG_INPUT, $keys | failed | | | | | |"
  done
fi
[ -n "${PY_UWSGITOP:-}" ] || say "(PY_UWSGITOP unset: Python column skipped)"
# The cores view at the default 1 s refresh (issue 18: RSS <= 12 MiB): VmRSS
# sampled every 20 ms beside the peak (VmHWM); between refreshes the fetch
# thread gives the dead buffers' pages back (tui/fetcher.hpp).
say ""
say "### Cores view at the default 1 s refresh, memory (limit: RSS <= 12 MiB)"
say ""
say '```'
"$PYTHON" "$HERE/interactive_cpu.py" --name "uwsgitop (C++) $CG_INPUT, a at 1 Hz" --keys a --memory --input "$a" "$b" \
  --seconds "$INTERACTIVE_SECONDS" -- "$UT" '{addr}' 2>&1 | tee -a "$SUM" || say "uwsgitop (C++) $CG_INPUT, a at 1 Hz: failed"
say '```'
say ""
say "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== results in $OUT (summary: $SUM)" >&2
