#!/usr/bin/env python3
# fake_fleet.py — many fake stats servers in ONE process (one selector loop),
# for the fleet-scale case: COUNT loopback ports (127.0.0.1 only), each a
# plain stats socket that writes a 4-worker document on accept and closes,
# except the first SILENT ones, which accept and never write (a hung master;
# the connection is held until the client closes it).
#
# usage: fake_fleet.py COUNT SILENT
# Prints one JSON line {"ports": [...]} once every port listens. Then reads
# commands on stdin, one a line: "counts" prints {"counts": [...]} (documents
# written per port, connections accepted for silent ones); EOF on stdin
# ends the process (the test also stops it by its pid).
import json
import os
import selectors
import socket
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fake_server  # noqa: E402


def main():
    count, silent = int(sys.argv[1]), int(sys.argv[2])
    doc = fake_server.snapshot(workers=4)
    sel = selectors.DefaultSelector()
    listeners = []
    for i in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        s.listen(128)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, ("listen", i))
        listeners.append(s)
    counts = [0] * count
    sel.register(sys.stdin, selectors.EVENT_READ, ("stdin", None))
    print(json.dumps({"ports": [s.getsockname()[1] for s in listeners]}), flush=True)
    held = {}
    while True:
        for key, _ in sel.select():
            kind, i = key.data
            if kind == "stdin":
                line = sys.stdin.readline()
                if not line:
                    return
                if line.strip() == "counts":
                    print(json.dumps({"counts": counts}), flush=True)
            elif kind == "listen":
                while True:
                    try:
                        conn, _ = key.fileobj.accept()
                    except (BlockingIOError, InterruptedError):
                        break
                    counts[i] += 1
                    if i < silent:
                        conn.setblocking(False)
                        sel.register(conn, selectors.EVENT_READ, ("held", i))
                        held[conn.fileno()] = conn
                        continue
                    try:
                        conn.setblocking(True)
                        conn.settimeout(2.0)
                        conn.sendall(doc)
                    except OSError:
                        pass
                    conn.close()
            else:  # a silent connection: drop what comes until the client leaves
                try:
                    data = key.fileobj.recv(4096)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                if not data:
                    sel.unregister(key.fileobj)
                    held.pop(key.fileobj.fileno(), None)
                    key.fileobj.close()


if __name__ == "__main__":
    main()
