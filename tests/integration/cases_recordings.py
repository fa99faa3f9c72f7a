# cases_recordings.py — long recordings on a real uWSGI: --record-max-size rotation into
# FILE.N.zst, the --format none recorder, and --replay of the rotated set (every snapshot
# once, in order, with the rates of the live run), a set whose current file is cut mid-line,
# a set with a damaged, a bad-magic, a missing and a directory member.
import json
import os
import struct

from harness import PacedLoad, check, load, settle
from suite import case


def _zstd_content_size(path):
    """The decompressed size a zstd frame header records (RFC 8878 3.1.1.1), or None."""
    with open(path, "rb") as f:
        head = f.read(18)
    if len(head) < 6 or head[:4] != b"\x28\xb5\x2f\xfd":
        return None
    fhd = head[4]
    fcs_flag, single, did_flag = fhd >> 6, (fhd >> 5) & 1, fhd & 3
    pos = 5 + (0 if single else 1) + (0, 1, 2, 4)[did_flag]
    size = (1 if single else 0, 2, 4, 8)[fcs_flag]
    if size == 0:
        return None
    raw = head[pos:pos + size]
    value = int.from_bytes(raw, "little")
    return value + 256 if size == 2 else value


def _key(o):
    """What a snapshot is: each worker's pid and requests."""
    return tuple((w["id"], w["pid"], w["requests"]) for w in o["workers"])


def _same_snapshots(live, got):
    check(len(live) == len(got), "%d snapshots replayed, %d recorded" % (len(got), len(live)))
    for i, (a, b) in enumerate(zip(live, got)):
        check(_key(a) == _key(b), "snapshot %d: live %r, replayed %r" % (i, _key(a), _key(b)))
        ta, tb = a["uwsgitop"]["time"], b["uwsgitop"]["time"]
        check(abs(ta - tb) < 0.0011, "snapshot %d: read at %.4f, replayed as %.4f" % (i, ta, tb))


def _rates_of_neighbours(got):
    """Each replayed rps is the requests between the recorded neighbours over their recorded times."""
    for i, o in enumerate(got):
        for w, prev in zip(o["workers"], got[i - 1]["workers"] if i else o["workers"]):
            if i == 0:
                check(w.get("rps") is None, "the first snapshot has rps %r, expected null" % w.get("rps"))
                continue
            dt = o["uwsgitop"]["time"] - got[i - 1]["uwsgitop"]["time"]
            want = (w["requests"] - prev["requests"]) / dt
            check(w.get("rps") is not None and abs(w["rps"] - want) <= 0.0006,  # printed with 3 decimals
                  "snapshot %d worker %d: rps %r, expected %.6f" % (i, w["id"], w.get("rps"), want))


@case("record-rotation")
def record_rotation(ctx):
    u = ctx.uwsgi(["--processes", "2"])
    statuses = load(u.http_port, ["/"] * 4, concurrency=2)
    check(statuses.count(200) == 4, "the app answered %d of 4" % statuses.count(200))
    settle(u.stats, 4)
    addr = ctx.address(u.stats)
    rec = ctx.path("rec.jsonl")
    limit_mib = 0.02
    limit = int(limit_mib * 1048576)
    n = 40
    paced = PacedLoad(u.http_port, 20, 2.5)
    paced.start()
    try:
        r = ctx.tool("--no-config", "--batch", "-n", str(n), "-d", "0.05", "--format", "json", "--record", rec,
                     "--record-max-size", str(limit_mib), "--record-keep", "100", addr, timeout=60)
    finally:
        paced.join()
    check(r.rc == 0, "recording run: exit %s" % r.rc)
    live = r.json_lines()
    check(len(live) == n, "%d snapshots printed while recording, expected %d" % (len(live), n))
    rotated = sorted((f for f in os.listdir(ctx.dir) if f.startswith("rec.jsonl.")),
                     key=lambda f: int(f.split(".")[2]))
    ctx.note("%d rotated files" % len(rotated))

    def sizes():
        check(len(rotated) >= 3, "only %d rotated files: %s" % (len(rotated), rotated))
        check(all(f.endswith(".zst") for f in rotated), "not all rotated files are .zst: %s" % rotated)
        check(rotated == ["rec.jsonl.%d.zst" % k for k in range(1, len(rotated) + 1)], "gaps: %s" % rotated)
        check(os.path.getsize(rec) <= limit, "FILE is %d bytes, limit %d" % (os.path.getsize(rec), limit))
        for f in rotated:
            size = _zstd_content_size(ctx.path(f))
            check(size is not None and 0 < size <= limit, "%s holds %r bytes, limit %d" % (f, size, limit))
            check(os.path.getsize(ctx.path(f)) < size, "%s is not smaller than its content" % f)
        check(not [f for f in os.listdir(ctx.dir) if f.endswith(".tmp") or f == "rec.jsonl.0"],
              "temporary files left: %s" % os.listdir(ctx.dir))
    ctx.sub("sizes", sizes)

    def replay_set():
        r = ctx.tool("--replay", rec, "--batch", "-n", "1000", "--speed", "1000", "--format", "json", timeout=60)
        check(r.rc == 0, "replay of the set: exit %s" % r.rc)
        got = r.json_lines()
        _same_snapshots(live, got)
        _rates_of_neighbours(got)
        times = [o["uwsgitop"]["time"] for o in got]
        check(times == sorted(times) and len(set(times)) == n, "replayed times are not strictly increasing")
        total = [sum(w["requests"] for w in o["workers"]) for o in got]
        check(total[-1] > total[0], "the load does not show: requests %d -> %d" % (total[0], total[-1]))
    ctx.sub("replay-set", replay_set)

    def each_part_once():
        seen = []
        for f in reversed(rotated):
            r = ctx.tool("--replay", ctx.path(f), "--batch", "-n", "1000", "--speed", "1000", "--format", "json",
                         timeout=30)
            check(r.rc == 0, "replay of %s alone: exit %s" % (f, r.rc))
            seen += r.json_lines()
        with open(rec, "rb") as fh:
            current = fh.read().count(b"\n")
        _same_snapshots(live[:len(seen)], seen)
        check(len(seen) + current == n,
              "rotated files hold %d snapshots and FILE %d: not the %d recorded, each once" % (len(seen), current, n))
    ctx.sub("each-snapshot-once", each_part_once)

    def cut_mid_line():
        with open(rec, "rb") as fh:
            data = fh.read()
        with open(rec, "wb") as fh:
            fh.write(data[:-200])  # the last line loses its end
        r = ctx.tool("--replay", rec, "--batch", "-n", "1000", "--speed", "1000", "--format", "json", timeout=60)
        check(r.rc == 0, "replay of the cut set: exit %s" % r.rc)
        got = r.json_lines()
        check(len(got) == n - 1, "%d snapshots from a set whose last line is cut, expected %d" % (len(got), n - 1))
        _same_snapshots(live[:n - 1], got)
    ctx.sub("cut-mid-line", cut_mid_line)

    def recorder():
        quiet = ctx.path("quiet.jsonl")
        r = ctx.tool("--no-config", "--batch", "-n", "5", "-d", "0.05", "--format", "none", "--record", quiet,
                     "--record-max-size", "64", addr, timeout=30)
        check(r.rc == 0, "recorder: exit %s" % r.rc)
        check(r.out == b"" and r.err == b"", "the recorder printed %r / %r" % (r.out[:100], r.err[:100]))
        with open(quiet, "rb") as fh:
            check(fh.read().count(b"\n") == 5, "the recorder did not record 5 snapshots")
        r = ctx.tool("--batch", "-n", "1", "--format", "none", addr)
        check(r.rc == 2 and "--record" in r.errtext(), "--format none without --record: exit %s %r"
              % (r.rc, r.errtext()[:200]))
    ctx.sub("format-none", recorder)


@case("record-set-damage")
def record_set_damage(ctx):
    """A rotated set with a damaged, a bad-magic, a missing and a directory member plays
    the rest, one line naming each; the recorder refuses a directory where the set goes."""
    plain = ctx.path("plain.jsonl")
    with open(plain, "w") as f:
        for i in range(400):
            doc = {"version": "2.0.28", "workers": [{"id": 1, "pid": 7, "requests": i, "status": "idle",
                                                     "pad": os.urandom(60).hex()}]}
            f.write('{"t":%d,"address":"a","stats":%s}\n' % (1800000000 + i, json.dumps(doc)))
    rec = ctx.path("set.jsonl")
    r = ctx.tool("--no-config", "--replay", plain, "--batch", "-n", "1000", "--speed", "0", "--format", "none",
                 "--record", rec, "--record-max-size", "0.01", "--record-keep", "100", timeout=60)
    check(r.rc == 0, "recording the set: exit %s %r" % (r.rc, r.errtext()[:300]))

    def member(k):
        return "%s.%d.zst" % (rec, k)
    check(os.path.exists(member(6)), "too few rotated files: %s" % sorted(os.listdir(ctx.dir)))

    def requests_of(path):
        r = ctx.tool("--replay", path, "--batch", "-n", "1000", "--speed", "0", "--format", "json", timeout=60)
        check(r.rc == 0, "replay of %s: exit %s %r" % (path, r.rc, r.errtext()[:300]))
        return [o["workers"][0]["requests"] for o in r.json_lines()], r
    held = {k: requests_of(member(k))[0] for k in range(2, 6)}
    whole, _ = requests_of(rec)
    check(len(whole) >= 390 and whole == sorted(set(whole)), "the intact set replays %d snapshots" % len(whole))

    with open(member(2), "r+b") as f:
        data = bytearray(f.read())
        check(len(data) > 960, "%s is only %d bytes" % (member(2), len(data)))
        for i in range(900, 960):
            data[i] ^= 0xFF
        f.seek(0)
        f.write(bytes(data))
    with open(member(3), "wb") as f:
        f.write(b"not a recording\n")
    os.unlink(member(4))
    os.unlink(member(5))
    os.mkdir(member(5))
    got, r = requests_of(rec)
    gone = set(held[2] + held[3] + held[4] + held[5])
    check(got == [i for i in whole if i not in gone],
          "%d snapshots played, expected the %d of the intact members" % (len(got), len(whole) - len(gone)))
    lines = r.errtext().splitlines()
    check(len(lines) == 4, "expected one line per damaged member, got %r" % lines)
    for k, why in ((2, "bad zstd data"), (3, "bad magic"), (4, "missing"), (5, "is a directory")):
        check(any(member(k) in line and why in line for line in lines), "no line names %s (%s): %r"
              % (member(k), why, lines))

    rec2 = ctx.path("blocked.jsonl")
    os.mkdir(rec2 + ".1.zst")
    r = ctx.tool("--no-config", "--replay", plain, "--batch", "-n", "1000", "--speed", "0", "--format", "none",
                 "--record", rec2, "--record-max-size", "0.01", timeout=30)
    check(r.rc == 2 and r.errtext().count("\n") >= 1 and rec2 + ".1.zst: is a directory" in r.errtext(),
          "recording beside a directory: exit %s %r" % (r.rc, r.errtext()[:300]))
    check(not os.path.exists(rec2) or os.path.getsize(rec2) <= 10485,
          "FILE grew past its limit beside a directory")
