#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Minimal QMP client for the test bed (Python standard library only).

  qmp.py SOCKET COMMAND [JSON-ARGUMENTS]   run one command, print the reply
  qmp.py SOCKET wait-migration TIMEOUT     poll query-migrate until the
                                           migration ends; print the reply
  qmp.py SOCKET events                     print each event as it comes, one
                                           line "MONO_MS NAME JSON-DATA" (when
                                           QEMU emitted it, on this host's
                                           CLOCK_MONOTONIC, ms), until QEMU
                                           closes the socket
Exit status: 0 on a "return" (or status "completed"), 1 on an "error" (or
a failed/cancelled migration), 2 on a connection problem or timeout.
"""
import json
import socket
import sys
import time


class QMP:
    def __init__(self, path, timeout=30):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        self._recv()  # greeting
        reply = self.cmd("qmp_capabilities")
        if "return" not in reply:
            raise RuntimeError("qmp_capabilities: %r" % reply)

    def _recv(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("QMP socket closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, args=None):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._recv()
            if "event" not in reply:
                return reply


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        q = QMP(sys.argv[1])
        if sys.argv[2] == "events":
            q.sock.settimeout(None)
            while True:
                try:
                    ev = q._recv()
                except ConnectionError:
                    return 0
                if "event" in ev:
                    # when QEMU emitted it (its wall-clock stamp, on the
                    # monotonic clock), not when this reader got to it: on
                    # a busy single-vCPU host that can be seconds later
                    ts = ev.get("timestamp", {})
                    t = time.monotonic()
                    if "seconds" in ts:
                        t = ts["seconds"] + ts.get("microseconds", 0) / 1e6 + \
                            time.monotonic() - time.time()
                    print("%d %s %s" % (t * 1000, ev["event"],
                                        json.dumps(ev.get("data", {}))),
                          flush=True)
        if sys.argv[2] == "wait-migration":
            end = time.time() + float(sys.argv[3])
            while True:
                r = q.cmd("query-migrate")
                st = r.get("return", {}).get("status")
                if st in ("completed", "failed", "cancelled") or time.time() > end:
                    print(json.dumps(r))
                    return 0 if st == "completed" else (1 if st else 2)
                time.sleep(0.5)
        args = json.loads(sys.argv[3]) if len(sys.argv) > 3 else None
        r = q.cmd(sys.argv[2], args)
    except (OSError, ConnectionError, RuntimeError, ValueError) as e:
        print("qmp: %s: %s" % (sys.argv[1], e), file=sys.stderr)
        return 2
    print(json.dumps(r))
    return 0 if "return" in r else 1


if __name__ == "__main__":
    sys.exit(main())
