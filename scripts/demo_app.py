# The WSGI app scripts/make-demo.sh runs under uWSGI to record the demo:
#   /            fast "ok"
#   /slow?s=N    sleeps N seconds (capped at 10)
#   /boom        raises (counts as an exception)
#   /big?kb=N    N KiB body (grows tx)
#   /die         the worker exits after answering (uWSGI respawns it)
import os
import time


def application(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    qs = dict(p.split("=", 1) for p in environ.get("QUERY_STRING", "").split("&") if "=" in p)
    if path == "/slow":
        time.sleep(min(float(qs.get("s", "1")), 10.0))
    elif path == "/boom":
        raise RuntimeError("demo exception")
    elif path == "/big":
        kb = min(int(qs.get("kb", "64")), 4096)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"x" * (kb * 1024)]
    elif path == "/die":
        start_response("200 OK", [("Content-Type", "text/plain")])
        try:
            return [b"bye"]
        finally:
            os._exit(1)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
