# cases_hostile.py — uwsgitop against servers that misbehave (fake_server.py):
# refused, silent, dripping, truncated, empty, reset, HTTP errors, chunked
# and gzip bodies, floods, size caps, wrong types, deep nesting, overflow.
# Every failure must be exit 1 with one "uwsgitop: ADDRESS: cause" line,
# bounded in time, with no raw server bytes on the terminal.
import gzip
import json
import os
import time

import fake_server as fs
from harness import Fail, check, free_port
from suite import case


def _expect_error(ctx, r, address, *words, max_secs=None):
    check(not r.timed_out, "uwsgitop hung (killed after %.0f s)" % r.elapsed)
    check(r.rc == 1, "exit %s, expected 1" % r.rc)
    err = r.err
    bad = sorted({b for b in err if (b < 0x20 and b != 0x0A) or b == 0x7F})
    check(not bad, "stderr carries raw control bytes %s (server bytes must be escaped)" % bad)
    try:
        text = err.decode("utf-8")
    except UnicodeDecodeError:
        raise Fail("stderr is not UTF-8")
    lines = text.strip("\n").split("\n")
    check(len(lines) == 1 and lines[0], "expected one stderr line, got %d" % len(lines))
    check(lines[0].startswith("uwsgitop: " + address + ": "),
          "stderr %r does not start with 'uwsgitop: %s: '" % (lines[0][:200], address))
    for w in words:
        check(w.lower() in text.lower(), "stderr %r does not mention %r" % (lines[0][:200], w))
    check(len(lines[0]) < 400, "stderr line is %d chars long" % len(lines[0]))
    if max_secs is not None:
        check(r.elapsed < max_secs, "took %.1f s (bound %.0f s)" % (r.elapsed, max_secs))
    ctx.note("%.2f s: %s" % (r.elapsed, lines[0][len("uwsgitop: " + address + ": "):][:80]))


def _served(ctx, handler, *args, address=None, timeout=20.0, unix=False):
    """Runs uwsgitop --once --format json [args] against a fake server."""
    with fs.FakeServer(handler, unix_path=ctx.path("fake.sock") if unix else None) as srv:
        addr = address(srv) if address else srv.address
        r = ctx.tool("--once", "--format", "json", *args, addr, timeout=timeout)
    return addr, r


def _ok_counts(ctx, r, requests):
    check(r.rc == 0, "exit %s, expected 0" % r.rc)
    j = r.json()
    got = sum(w.get("requests") or 0 for w in j.get("workers") or [])
    check(got == requests, "%d requests, the server said %d" % (got, requests))


def _url(srv):
    return "http://127.0.0.1:%d/" % srv.port


VALID = fs.snapshot(workers=2, cores=2, requests=7)


@case("hostile")
def hostile(ctx):
    def refused():
        port = free_port()
        addr = "127.0.0.1:%d" % port
        r = ctx.tool("--once", "--format", "json", addr)
        _expect_error(ctx, r, addr, "refused", max_secs=10)
    ctx.sub("refused", refused)

    def no_socket():
        addr = ctx.path("nothing-here.sock")
        r = ctx.tool("--once", "--format", "json", addr)
        _expect_error(ctx, r, addr, max_secs=10)
    ctx.sub("unix-missing", no_socket)

    def no_abstract():
        addr = "@uwt-integ-nobody-%d" % os.getpid()
        r = ctx.tool("--once", "--format", "json", addr)
        _expect_error(ctx, r, addr, "refused", max_secs=10)
    ctx.sub("abstract-missing", no_abstract)

    def silence():
        addr, r = _served(ctx, fs.h_silence, "--timeout", "1")
        _expect_error(ctx, r, addr, max_secs=4)
    ctx.sub("silence", silence)

    def silence_unix():
        addr, r = _served(ctx, fs.h_silence, "--timeout", "1", unix=True)
        _expect_error(ctx, r, addr, max_secs=4)
    ctx.sub("silence-unix", silence_unix)

    def silence_http():
        addr, r = _served(ctx, fs.h_http_silence, "--timeout", "1", address=_url)
        _expect_error(ctx, r, addr, max_secs=4)
    ctx.sub("silence-http", silence_http)

    def drip():
        addr, r = _served(ctx, fs.h_drip(VALID, pieces=20, delay=0.04), "--timeout", "8")
        _ok_counts(ctx, r, 14)
    ctx.sub("slow-drip", drip)

    def late_plain():
        # a busy master answers a plain read late: that is not --stats-http
        def h(srv, conn):
            time.sleep(1.5)
            conn.sendall(VALID)
        addr, r = _served(ctx, h)
        _ok_counts(ctx, r, 14)
    ctx.sub("late-plain-reply", late_plain)

    def odd_var_bytes():
        doc = VALID.replace(b'"vars": []', b'"vars": ["HTTP_X=a\x00b\x1b[31mred\xc3", "HTTP_Y=\xed\xa0\x80s"]', 1)
        doc = doc.replace(b'"in_request": 0', b'"in_request": 1', 1)
        check(doc.count(b"HTTP_") == 2, "fixture did not change")
        addr, r = _served(ctx, fs.h_send(doc))
        _ok_counts(ctx, r, 14)
        j = r.json()
        vs = j["workers"][0]["cores"][0]["vars"]
        check(vs[0].startswith("HTTP_X=a\x00b\x1b[31mred") and vs[0].endswith("\ufffd"), "var 1 came back as %r" % vs[0])
        check(vs[1] == "HTTP_Y=" + "\ufffd" * 3 + "s", "an encoded surrogate must become U+FFFD: %r" % vs[1])
        check(j["uwsgitop"]["repaired"] is True, "repaired should be true")
        for fmt in ("table", "tsv", "csv"):
            with fs.FakeServer(fs.h_send(doc)) as srv:
                r = ctx.tool("--once", "--format", fmt, "--cores", srv.address)
            check(r.rc == 0, "%s: exit %s" % (fmt, r.rc))
            bad = sorted({b for b in r.out if (b < 0x20 and b not in b"\n\t") or b == 0x7F})
            check(not bad, "%s output carries raw control bytes %s" % (fmt, bad))
    ctx.sub("odd-bytes-in-vars", odd_var_bytes)

    def truncated():
        cut = VALID.index(b'"status": "idle"') + len(b'"status": "id')
        addr, r = _served(ctx, fs.h_send(VALID[:cut]))
        _expect_error(ctx, r, addr, "byte")
    ctx.sub("truncated", truncated)

    def empty():
        addr, r = _served(ctx, fs.h_empty)
        _expect_error(ctx, r, addr, "empty")
    ctx.sub("empty", empty)

    def reset():
        addr, r = _served(ctx, fs.h_reset)
        _expect_error(ctx, r, addr)
    ctx.sub("reset", reset)

    def html_page():
        page = b"<html><head><title>502 Bad Gateway</title></head><body>\x1b[31mnope\x00</body></html>\n"
        addr, r = _served(ctx, fs.h_send(page))
        _expect_error(ctx, r, addr)
    ctx.sub("html-page", html_page)

    for code in ("404 Not Found", "500 Internal Server Error"):
        def http_error(code=code):
            addr, r = _served(ctx, fs.h_http(code, b"<h1>nope</h1>"), address=_url)
            _expect_error(ctx, r, addr, code.split()[0])
        ctx.sub("http-" + code.split()[0], http_error)

    def http_to_plain():
        # http:// given for a plain stats socket (answers without HTTP)
        addr, r = _served(ctx, fs.h_send(VALID), address=_url)
        check(r.rc in (0, 1) and not r.timed_out, "exit %s" % r.rc)
        if r.rc == 0:
            _ok_counts(ctx, r, 14)
        else:
            _expect_error(ctx, r, addr)
    ctx.sub("http-to-plain-socket", http_to_plain)

    def chunked():
        addr, r = _served(ctx, fs.h_http("200 OK", VALID, chunked=True), address=_url)
        _ok_counts(ctx, r, 14)
    ctx.sub("http-chunked", chunked)

    def gzipped():
        addr, r = _served(ctx, fs.h_http("200 OK", gzip.compress(VALID), headers=("Content-Encoding: gzip",)),
                          address=_url)
        check(r.rc in (0, 1) and not r.timed_out, "exit %s" % r.rc)
        if r.rc == 0:
            _ok_counts(ctx, r, 14)
        else:
            _expect_error(ctx, r, addr)
    ctx.sub("http-gzip", gzipped)

    def flood():
        addr, r = _served(ctx, fs.h_flood(20 << 20), timeout=40)
        _expect_error(ctx, r, addr, max_secs=20)
    ctx.sub("garbage-20MB", flood)

    def max_size():
        big = fs.snapshot(workers=16, cores=64, requests=3, extra_core_vars=12)
        check(len(big) > 2 << 20, "payload is only %d bytes" % len(big))
        addr, r = _served(ctx, fs.h_send(big))
        _ok_counts(ctx, r, 16 * 3)
        addr, r = _served(ctx, fs.h_send(big), "--max-size", "1")
        _expect_error(ctx, r, addr, "larger")
    ctx.sub("max-size", max_size)

    def wrong_types():
        doc = json.loads(VALID)
        doc["workers"][0]["requests"] = "lots"
        addr, r = _served(ctx, fs.h_send(json.dumps(doc).encode()))
        _expect_error(ctx, r, addr)
        doc = json.loads(VALID)
        doc["workers"] = "none"
        addr, r = _served(ctx, fs.h_send(json.dumps(doc).encode()))
        _expect_error(ctx, r, addr)
    ctx.sub("wrong-types", wrong_types)

    def deep():
        payload = b'{"version":"2.0.21","workers":' + b"[" * 10000 + b"]" * 10000 + b"}"
        addr, r = _served(ctx, fs.h_send(payload))
        _expect_error(ctx, r, addr)
    ctx.sub("nesting-10000", deep)

    def deep_unknown():
        # a million levels inside a field uwsgitop does not know
        for inner in (b"[" * 1000000 + b"]" * 1000000, b'{"a":' * 1000000 + b"1" + b"}" * 1000000):
            payload = b'{"version":"2.0.21","x":' + inner + b',"workers":[]}'
            addr, r = _served(ctx, fs.h_send(payload), timeout=60)
            check(r.rc in (0, 1), "exit %s (a crash?)" % r.rc)
            if r.rc == 1:  # refusing is fine, skipping the unknown field too
                _expect_error(ctx, r, addr)
            else:
                check(r.json().get("workers") == [], "workers %r" % r.json().get("workers"))
    ctx.sub("nesting-1000000-unknown-field", deep_unknown)

    def overflow():
        payload = VALID.replace(b'"requests": 7,', b'"requests": 123456789012345678901234567890,', 1)
        check(payload != VALID, "fixture did not change")
        addr, r = _served(ctx, fs.h_send(payload))
        _expect_error(ctx, r, addr)
    ctx.sub("number-overflow", overflow)

    def negative():
        payload = VALID.replace(b'"requests": 7,', b'"requests": -5,', 1)
        addr, r = _served(ctx, fs.h_send(payload))
        check(r.rc in (0, 1) and not r.timed_out, "exit %s" % r.rc)
        if r.rc == 0:
            for w in r.json()["workers"]:
                check(w.get("requests") is None or w["requests"] >= 0, "negative counter shown: %r" % w["requests"])
    ctx.sub("negative-counter", negative)
