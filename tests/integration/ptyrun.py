# ptyrun.py — run uwsgitop's interactive screen on a pseudo-terminal.
#
# PtyRun(binary, args, rows, cols) forks the binary on a pty of that size
# (TERM=xterm, UTF-8 locale, UWSGITOP_ADDRESS removed) and collects its
# output in a thread; send() types keys; wait()/poll() give the exit code;
# close() kills the child by its own pid if it still runs. vt.Screen turns
# output() into text.
import fcntl
import os
import pty
import select
import signal
import struct
import termios
import threading

from harness import wait_until


class PtyRun:
    """See the module comment. Always call close()."""

    def __init__(self, binary, args, rows=40, cols=160, env=None):
        e = dict(os.environ)
        e.pop("UWSGITOP_ADDRESS", None)
        e.update({"TERM": "xterm", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"})
        e.update(env or {})
        self.out = b""
        self.rc = None
        self._lock = threading.Lock()
        pid, fd = pty.fork()
        if pid == 0:  # child
            try:
                os.execve(binary, [binary] + [str(a) for a in args], e)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self._t = threading.Thread(target=self._reader, daemon=True)
        self._t.start()

    def _reader(self):
        while True:
            try:
                r, _, _ = select.select([self.fd], [], [], 0.1)
                if r:
                    d = os.read(self.fd, 65536)
                    if not d:
                        return
                    with self._lock:
                        self.out += d
                elif self.rc is not None:
                    return
            except OSError:
                return

    def output(self):
        with self._lock:
            return self.out

    def send(self, data):
        os.write(self.fd, data)

    def poll(self):
        if self.rc is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.rc = os.waitstatus_to_exitcode(status)
        return self.rc

    def wait(self, timeout):
        wait_until(lambda: self.poll() is not None, timeout, 0.05)
        if self.rc is not None:
            self._t.join(2)  # the last bytes may still sit in the pty
        return self.rc

    def close(self):
        if self.poll() is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
            self.wait(5)
        self._t.join(2)
        try:
            os.close(self.fd)
        except OSError:
            pass
