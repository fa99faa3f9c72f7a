#!/usr/bin/env bash
# Records data/demo.jsonl from a real uWSGI (Debian uwsgi-core +
# uwsgi-plugin-python3) on loopback under varied, bounded load: idle, a busy
# phase, slow requests that keep workers busy, an exception burst, big
# responses, a worker that dies and is respawned, then calm again.
# usage: scripts/make-demo.sh [BINARY]   (default build/src/uwsgitop)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/src/uwsgitop}
DIR=$(mktemp -d /tmp/uwsgitop-demo.XXXXXX)
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
HP=$(port); SP=$(port)
uwsgi --plugin python3 --master --die-on-term --pidfile "$DIR/pid" --daemonize "$DIR/log" \
  --http-socket "127.0.0.1:$HP" --wsgi-file "$PWD/scripts/demo_app.py" --need-app --disable-logging \
  --processes 4 --threads 2 --memory-report --stats "127.0.0.1:$SP" --chdir "$DIR"
MASTER=""
cleanup() {
  [ -n "$MASTER" ] && kill -INT "$MASTER" 2>/dev/null || true
  for _ in $(seq 50); do [ -n "$MASTER" ] && kill -0 "$MASTER" 2>/dev/null || break; sleep 0.2; done
  [ -n "$MASTER" ] && kill -KILL "$MASTER" 2>/dev/null || true
  [ -n "${KEEP_DEMO_DIR:-}" ] && echo "kept $DIR" || rm -rf "$DIR"
}
trap cleanup EXIT
for _ in $(seq 50); do [ -s "$DIR/pid" ] && break; sleep 0.1; done
MASTER=$(cat "$DIR/pid")
sleep 1

# load PATH COUNT CONCURRENCY RATE: at most RATE requests/s in all; bounded
# in count (COUNT) and time (90 s); loopback only
load() {
  python3 - "$HP" "$1" "$2" "$3" "${4:-1000}" <<'PY'
import sys, threading, time, urllib.request
port, path, count, conc, rate = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
left = [count]; lock = threading.Lock(); start = time.monotonic(); sent = [0]
def run():
    while time.monotonic() - start < 90:
        with lock:
            if left[0] <= 0: return
            left[0] -= 1; sent[0] += 1
            due = start + sent[0] / rate
        time.sleep(max(0.0, due - time.monotonic()))
        try: urllib.request.urlopen("http://127.0.0.1:%s%s" % (port, path), timeout=15).read()
        except Exception: pass
ts = [threading.Thread(target=run) for _ in range(conc)]
[t.start() for t in ts]; [t.join(100) for t in ts]
PY
}

OUT=data/demo.jsonl
rm -f "$OUT"
"$BIN" --batch -n 60 -d 0.5 --format raw --record "$OUT" "127.0.0.1:$SP" > /dev/null &
REC=$!
sleep 2
load / 1500 2 60 &                      # steady traffic for the whole run (~25 s)
sleep 3
load "/slow?s=3" 6 3 2 &                # workers stay busy for seconds
sleep 4
load /boom 60 2 20 &                    # exception burst
sleep 4
load "/big?kb=512" 40 2 8 &             # tx grows
sleep 3
load /die 2 1 1                         # two workers die and are respawned
sleep 2
load "/slow?s=1.5" 8 4 4 &              # a second busy spell
wait "$REC"
wait
# The instance ran in a temporary directory: the recording names a realistic
# one instead (its cwd and the paths under it), no path of this machine.
sed -i "s#$DIR#/srv/app#g" "$OUT"
echo "recorded $(wc -l < "$OUT") snapshots into $OUT"
