#!/usr/bin/env python3
"""CPU per refresh and peak RSS of a monitor in interactive mode.

Serves two captured snapshots in turn on 127.0.0.1 (like a uWSGI stats
socket: the document is written on accept, then the connection closes),
starts the monitor on a 160x50 tmux screen (a private tmux server, killed at
the end), waits for its first read, presses `f` (fast refresh, 0.1 s, in both
the Python uwsgitop and this one), lets it settle, then samples the
monitor's CPU time and the number of documents served over a fixed window.
CPU time is the nanosecond run time of each of its threads
(/proc/PID/task/*/schedstat), summed; utime+stime (/proc/PID/stat) count in
10 ms ticks, too coarse for a 1 Hz window of ten refreshes. `--keys` presses other keys
after the first read instead of `f`, one at a time (`fa`: fast refresh, then
rows of cores in this uwsgitop; `fa`/`faa` are the Python tool's `a` modes 1
and 2, which go through every core too). CPU per refresh = CPU time /
documents served in the window; likewise for minor page faults (all
threads). Peak RSS is VmHWM at the end. With --memory, VmRSS is also sampled every 20 ms
through the window (median, 95th percentile, max: what top shows), beside the
peak, which a refresh reaches for the moment it holds a whole document.

Usage:
  interactive_cpu.py --name NAME --input A.json B.json [--seconds 10] [--keys fa] -- CMD...
CMD may contain {addr} (replaced by 127.0.0.1:PORT). Prints one markdown row:
| NAME | input bytes | refreshes | CPU ms/refresh | minor faults/refresh | VmHWM MiB | screen lines |
Exit status 1 when the monitor did not read at least twice or died.
"""
import argparse
import os
import shlex
import socket
import subprocess
import sys
import threading
import time


class Server:
    def __init__(self, docs):
        self.docs = docs
        self.served = 0
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        i = 0
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                conn.settimeout(30)
                conn.sendall(self.docs[i % len(self.docs)])
                i += 1
                with self.lock:
                    self.served += 1
            except OSError:
                pass
            finally:
                conn.close()

    def count(self):
        with self.lock:
            return self.served

    def close(self):
        self.stop = True
        self.thread.join(2)
        self.sock.close()


def cpu_and_faults(pid):
    """(utime+stime in seconds, minor faults) of the whole process."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is state (field 3): minflt is field 10, utime 14, stime 15
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks, int(fields[7])


def thread_ns(pid):
    """{thread id: nanoseconds on a CPU} of the process's live threads (schedstat)."""
    out = {}
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            try:
                with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                    out[int(tid)] = int(f.read().split()[0])
            except (OSError, ValueError, IndexError):
                pass  # a thread that ended between listing and reading
    except OSError:
        pass
    return out


def user_sys(pid):
    """(utime, stime) in seconds of the whole process."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / ticks, int(fields[12]) / ticks


def vmrss_kib(pid):
    try:
        with open("/proc/%d/statm" % pid) as f:
            return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except OSError:
        return -1


def vmhwm_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--input", nargs=2, required=True)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--settle", type=float, default=2.0)
    ap.add_argument("--first-timeout", type=float, default=30.0)
    ap.add_argument("--capture", help="write the final screen here")
    ap.add_argument("--memory", action="store_true",
                    help="also print VmHWM, VmRSS, RssAnon, RssFile and the user/system split (stderr)")
    ap.add_argument("--keys", default="f", help="keys pressed after the first read (default: f)")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        ap.error("no monitor command")
    docs = [open(p, "rb").read() for p in a.input]
    srv = Server(docs)
    addr = "127.0.0.1:%d" % srv.port
    line = " ".join(shlex.quote(c.replace("{addr}", addr)) for c in cmd)
    sock = "uwsgitop-bench-%d" % os.getpid()
    tmux = ["tmux", "-L", sock, "-f", "/dev/null"]
    ok = True
    pid = None
    try:
        out = subprocess.run(tmux + ["new-session", "-d", "-s", "bench", "-x", "160", "-y", "50",
                                     "-P", "-F", "#{pane_pid}", "exec " + line],
                             check=True, capture_output=True, text=True, timeout=10)
        pid = int(out.stdout.strip())
        deadline = time.monotonic() + a.first_timeout
        while srv.count() < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        for key in a.keys:
            subprocess.run(tmux + ["send-keys", "-t", "bench", "-l", key], check=True, timeout=10)
            time.sleep(0.2)
        time.sleep(a.settle)
        (c0, f0), n0, us0, t0 = cpu_and_faults(pid), srv.count(), user_sys(pid), thread_ns(pid)
        samples = []  # VmRSS every 20 ms through the window: what top would show
        end = time.monotonic() + a.seconds
        while time.monotonic() < end:
            samples.append(vmrss_kib(pid))
            time.sleep(0.02)
        (c1, f1), n1, us1, t1 = cpu_and_faults(pid), srv.count(), user_sys(pid), thread_ns(pid)
        if t0 and t1:
            c0, c1 = sum(t0.values()) / 1e9, sum(t1.values()) / 1e9
        hwm = vmhwm_kib(pid)
        if a.memory:
            with open("/proc/%d/status" % pid) as f:
                mem = [l.split() for l in f if l.split(":")[0] in ("VmHWM", "VmRSS", "RssAnon", "RssFile")]
            maps = []  # (Rss kB, mapping) of the anonymous mappings, biggest first
            with open("/proc/%d/smaps" % pid) as f:
                head = None
                for l in f:
                    parts = l.split()
                    if parts and not parts[0].endswith(":"):
                        head = parts
                    elif parts and parts[0] == "Rss:" and head is not None and (len(head) < 6 or head[5].startswith("[")):
                        maps.append((int(parts[1]), head[0] + (" " + head[5] if len(head) > 5 else "")))
            maps.sort(reverse=True)
            print("%s: biggest anonymous mappings (Rss kB): %s" % (
                a.name, ", ".join("%d %s" % m for m in maps[:8])), file=sys.stderr)
            ok_samples = sorted(x for x in samples if x > 0)
            if ok_samples:
                print("%s: VmRSS sampled every 20 ms (%d samples): median %d kB, 95th percentile %d kB, max %d kB" % (
                    a.name, len(ok_samples), ok_samples[len(ok_samples) // 2],
                    ok_samples[min(len(ok_samples) - 1, len(ok_samples) * 95 // 100)], ok_samples[-1]), file=sys.stderr)
            n = max(1, n1 - n0)
            print("%s: CPU ms per refresh by thread (main first; threads alive through the window): %s" % (
                a.name, ", ".join("%.2f" % ((t1[t] - t0[t]) / n / 1e6)
                                  for t in sorted(t1, key=lambda t: (t != pid, t)) if t in t0)), file=sys.stderr)
            print("%s: %s; user %.2f / system %.2f ms per refresh" % (
                a.name, ", ".join("%s %s kB" % (m[0].rstrip(":"), m[1]) for m in mem),
                (us1[0] - us0[0]) / n * 1000, (us1[1] - us0[1]) / n * 1000), file=sys.stderr)
        screen = subprocess.run(tmux + ["capture-pane", "-p", "-t", "bench"], capture_output=True,
                                text=True, timeout=10).stdout
        if a.capture:
            with open(a.capture, "w") as f:
                f.write(screen)
        lines = sum(1 for l in screen.splitlines() if l.strip())
        n = n1 - n0
        if n < 2:
            ok = False
        per = (c1 - c0) / n * 1000 if n else float("nan")
        faults = (f1 - f0) / n if n else float("nan")
        print("| %s | %d | %d | %.2f | %.1f | %.1f | %d |" % (a.name, len(docs[1]), n, per, faults,
                                                          hwm / 1024.0, lines))
        subprocess.run(tmux + ["send-keys", "-t", "bench", "q"], timeout=10)
        for _ in range(40):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
    except (OSError, subprocess.SubprocessError, ValueError) as e:
        print("interactive_cpu: %s: %s" % (a.name, e), file=sys.stderr)
        ok = False
    finally:
        subprocess.run(tmux + ["kill-server"], capture_output=True, timeout=10)
        srv.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
