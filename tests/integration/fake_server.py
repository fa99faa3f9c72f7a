# fake_server.py — a hostile stats server on loopback, for the failure cases.
#
# FakeServer(handler) listens on 127.0.0.1 (TCP, port picked by the kernel
# unless given; `host` may name another loopback address such as 127.0.0.2)
# or on a unix socket path; every accepted connection runs handler(conn) in
# a daemon thread with a socket timeout, so nothing outlives the test for
# long. Handlers below build the faults: silence, truncated or empty
# replies, HTTP errors, floods, wrong types. Python 3 stdlib only.
import json
import socket
import threading
import time

HOLD_MAX = 15.0   # longest a handler keeps a connection open


class FakeServer:
    def __init__(self, handler, unix_path=None, host="127.0.0.1", port=0):
        assert host.startswith("127."), "loopback only"
        self.handler = handler
        self.host = host
        self.unix_path = unix_path
        if unix_path:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.bind(unix_path)
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.sock.bind((host, port))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.connections = 0
        self.requests = []      # bytes each connection sent before the reply
        self._stop = threading.Event()
        self._threads = []
        self._accepter = threading.Thread(target=self._accept_loop, daemon=True)

    @property
    def port(self):
        return self.sock.getsockname()[1]

    @property
    def address(self):
        return self.unix_path or "%s:%d" % (self.host, self.port)

    def __enter__(self):
        self._accepter.start()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        self._stop.set()
        self._accepter.join(5)
        self.sock.close()
        for t in self._threads:
            t.join(HOLD_MAX + 1)

    def _accept_loop(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.connections += 1
            conn.settimeout(HOLD_MAX)
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(t)
            t.start()

    def _serve(self, conn):
        try:
            self.handler(self, conn)
        except OSError:
            pass  # the client went away: expected for several faults
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def hold(self, conn, seconds=HOLD_MAX):
        """Keeps conn open, silent, until the peer closes or `seconds` pass
        or the server stops."""
        deadline = time.monotonic() + seconds
        conn.settimeout(0.1)
        while time.monotonic() < deadline and not self._stop.is_set():
            try:
                if conn.recv(4096) == b"":
                    return
            except socket.timeout:
                continue


def read_http_request(conn, limit=65536):
    """Reads up to the end of the request headers (bounded)."""
    data = b""
    while b"\r\n\r\n" not in data and len(data) < limit:
        d = conn.recv(4096)
        if not d:
            break
        data += d
    return data


# ------------------------------------------------------------ payloads

def snapshot(workers=2, cores=1, requests=7, pid=4242, extra_core_vars=0):
    """A valid uWSGI-shaped stats document (bytes)."""
    ws = []
    for w in range(1, workers + 1):
        cs = []
        for c in range(cores):
            cs.append({"id": c, "requests": requests if c == 0 else 0, "static_requests": 0,
                       "routed_requests": 0, "offloaded_requests": 0, "write_errors": 0,
                       "read_errors": 0, "in_request": 0,
                       "vars": ["X_PAD=" + "p" * 200] * extra_core_vars, "req_info": {}})
        ws.append({"id": w, "pid": pid + w, "accepting": 1, "requests": requests,
                   "delta_requests": 0, "exceptions": 0, "harakiri_count": 0, "signals": 0,
                   "signal_queue": 0, "status": "idle", "rss": 0, "vsz": 0,
                   "running_time": 1000, "last_spawn": 1700000000, "respawn_count": 1,
                   "tx": 100, "avg_rt": 10, "apps": [], "cores": cs})
    doc = {"version": "2.0.21", "listen_queue": 0, "listen_queue_errors": 0,
           "signal_queue": 0, "load": 0, "pid": pid, "uid": 1000, "gid": 1000,
           "cwd": "/srv", "locks": [], "sockets": [], "workers": ws}
    return json.dumps(doc, indent=1).encode()


# ------------------------------------------------------------ handlers

def h_send(payload):
    """Plain stats socket: write payload on accept, close."""
    def h(srv, conn):
        conn.sendall(payload)
    return h


def h_sequence(*handlers):
    """The Nth connection is served by the Nth handler; the last one serves
    every connection after it (a read that fails in the middle of a run)."""
    lock = threading.Lock()
    served = [0]

    def h(srv, conn):
        with lock:
            n = served[0]
            served[0] += 1
        handlers[min(n, len(handlers) - 1)](srv, conn)
    return h


def h_silence(srv, conn):
    srv.hold(conn)


def h_empty(srv, conn):
    pass


def h_reset(srv, conn):
    import struct
    conn.sendall(b'{"version":"2.0.21","work')
    # SO_LINGER 0: close sends an RST instead of a FIN
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def h_drip(payload, pieces=20, delay=0.05):
    def h(srv, conn):
        step = max(1, len(payload) // pieces)
        for i in range(0, len(payload), step):
            conn.sendall(payload[i:i + step])
            time.sleep(delay)
    return h


def h_flood(total_bytes, chunk=b"\x00garbage\xff{[" * 6554):
    def h(srv, conn):
        sent = 0
        while sent < total_bytes and not srv._stop.is_set():
            conn.sendall(chunk)
            sent += len(chunk)
    return h


def h_http(status, body, headers=(), chunked=False):
    """Answers one HTTP request (read first) with status and body."""
    def h(srv, conn):
        srv.requests.append(read_http_request(conn))
        head = ["HTTP/1.1 %s" % status, "Connection: close", "Content-Type: application/json"]
        head += list(headers)
        if chunked:
            head.append("Transfer-Encoding: chunked")
            out = ("\r\n".join(head) + "\r\n\r\n").encode()
            step = max(1, len(body) // 5)
            for i in range(0, len(body), step):
                part = body[i:i + step]
                out += b"%x\r\n" % len(part) + part + b"\r\n"
            out += b"0\r\n\r\n"
        else:
            head.append("Content-Length: %d" % len(body))
            out = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        conn.sendall(out)
    return h


def h_http_silence(srv, conn):
    srv.requests.append(read_http_request(conn))
    srv.hold(conn)
