# app.py — the tiny WSGI app the integration tests run inside a real uWSGI.
#
# Endpoints (GET, loopback only):
#   /               "ok"
#   /slow?s=N       sleeps N seconds (float, capped at 30) and answers
#   /spin?s=N       keeps its CPU busy N seconds (float, capped at 30) and answers
#   /boom           raises before start_response: uWSGI counts the request and
#                   an exception, the client sees the connection close
#   /big?kb=N       N KiB body (capped at 4096)
#   /signal?n=17    raises uWSGI signal n; handler 17 ("workers") sleeps
#                   SIG_SLEEP seconds in every worker (status "sig17")
#   /metric?name=M&by=N | &set=N   adds N to (or sets) uWSGI metric M
#                   (--enable-metrics --metric name=M,...) and answers its value
# Under the gevent loop engine the sleeps are cooperative.
import os
import sys
import time

try:
    import uwsgi  # importable only inside uWSGI
except ImportError:  # pragma: no cover
    uwsgi = None

SIG_SLEEP = float(os.environ.get("INTEG_SIG_SLEEP", "3"))
MAX_SLEEP = 30.0


def _has_opt(name):
    if uwsgi is None:
        return False
    return name in uwsgi.opt or name.encode() in uwsgi.opt


_sleep = time.sleep
if _has_opt("gevent"):
    try:
        import gevent
        _sleep = gevent.sleep
    except ImportError:
        pass


def _on_signal(num):
    time.sleep(SIG_SLEEP)


if uwsgi is not None:
    try:
        uwsgi.register_signal(17, "workers", _on_signal)
    except Exception as exc:  # no master: no signal framework
        sys.stderr.write("signal registration failed: %r\n" % (exc,))


def _query(environ):
    out = {}
    for part in environ.get("QUERY_STRING", "").split("&"):
        key, sep, value = part.partition("=")
        if sep:
            out[key] = value
    return out


def _number(text, default, low, high):
    try:
        value = float(text)
    except (TypeError, ValueError):
        return default
    return max(low, min(value, high))


def application(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    q = _query(environ)
    headers = [("Content-Type", "text/plain")]

    if path.startswith("/spin"):
        s = _number(q.get("s"), 1.0, 0.0, MAX_SLEEP)
        end, n = time.monotonic() + s, 0
        while time.monotonic() < end:
            n += 1
        start_response("200 OK", headers)
        return [("spun %d\n" % n).encode()]

    if path.startswith("/slow"):
        s = _number(q.get("s"), 1.0, 0.0, MAX_SLEEP)
        _sleep(s)
        start_response("200 OK", headers)
        return [("slept %s\n" % s).encode()]

    if path.startswith("/boom"):
        raise RuntimeError("boom requested by the integration tests")

    if path.startswith("/big"):
        kb = int(_number(q.get("kb"), 64, 1, 4096))
        start_response("200 OK", headers)
        return [b"x" * 1024 for _ in range(kb)]

    if path.startswith("/signal"):
        if uwsgi is None:
            start_response("501 Not Implemented", headers)
            return [b"not under uWSGI\n"]
        uwsgi.signal(int(_number(q.get("n"), 17, 0, 255)))
        start_response("200 OK", headers)
        return [b"signal sent\n"]

    if path.startswith("/metric"):
        if uwsgi is None or not hasattr(uwsgi, "metric_inc"):
            start_response("501 Not Implemented", headers)
            return [b"no metrics subsystem\n"]
        name = q.get("name", "")
        if q.get("set") is not None:
            uwsgi.metric_set(name, int(_number(q.get("set"), 0, -1e15, 1e15)))
        else:
            uwsgi.metric_inc(name, int(_number(q.get("by"), 1, 0, 1e15)))
        start_response("200 OK", headers)
        return [("%s\n" % uwsgi.metric_get(name)).encode()]

    start_response("200 OK", headers)
    return [b"ok\n"]
