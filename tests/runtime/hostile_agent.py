#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A stand-in for ozone-vmm whose "guest" misbehaves, to check ozone's side.

Takes ozone-vmm's command line, serves --vsock-socket with the hybrid
vsock handshake (CONNECT <port> -> OK <n>) and speaks the agent's protocol
(docs/protocol.md) well enough for create, start, kill, exec, events and
delete. What it does wrong is chosen by $HOSTILE (comma-separated):

  stall:OP      answers OP with half a frame, then sends nothing more on
                that connection (and keeps it open)
  halfevent     after each stats reply, half an event frame, then nothing
  errctl:OP     answers OP with an error whose text holds terminal control
                bytes (ESC sequences, CR, LF, BEL)
  status:JSON   answers the container process's wait with the status JSON
                (e.g. {"signal":19}) once the container is started
  console       writes ESC sequences and a CR to its console, then exits 1

Its pid is appended to $HOSTILE_PIDS (when set), so that a test can end
the stand-ins that a runtime under test failed to stop.
"""
import json
import os
import socket
import struct
import sys
import threading
import time

MODES = [m for m in os.environ.get("HOSTILE", "").split(",") if m]
STARTED = threading.Event()
EVIL = "\x1b[31mred\x1b[0m\rforged: ok\x1b]0;title\x07\nsecond line"


def mode_arg(name):
    for m in MODES:
        if m.startswith(name + ":"):
            return m[len(name) + 1:]
    return None


def ops_of(name):
    return [m.split(":", 1)[1] for m in MODES if m.startswith(name + ":")]


def frame(obj):
    b = json.dumps(obj).encode()
    return struct.pack(">I", len(b)) + b


def read_exact(s, n):
    buf = b""
    while len(buf) < n:
        b = s.recv(n - len(buf))
        if not b:
            return None
        buf += b
    return buf


def read_frame(s):
    h = read_exact(s, 4)
    if h is None:
        return None
    n = struct.unpack(">I", h)[0]
    b = read_exact(s, n)
    return None if b is None else json.loads(b)


def hold(s):
    """Sends nothing more; keeps the connection until the peer closes it."""
    try:
        while s.recv(4096):
            pass
    except OSError:
        pass


def control(s):
    lock = threading.Lock()

    def send(obj):
        with lock:
            s.sendall(frame(obj))

    while True:
        m = read_frame(s)
        if m is None:
            return
        op, rid = m.get("op"), m.get("id")
        if op in ops_of("stall"):
            reply = frame({"id": rid, "ok": True, "body": {}})
            with lock:
                s.sendall(reply[: len(reply) // 2])
            hold(s)
            return
        if op in ops_of("errctl"):
            send({"id": rid, "ok": False, "errno": 5, "error": op + ": " + EVIL})
            continue
        if op == "hello":
            send({"id": rid, "ok": True, "body": {"version": 1, "agent": "hostile"}})
        elif op == "wait":
            status = mode_arg("status")
            if status is None:
                continue  # never ends

            def later(rid=rid, status=status):
                STARTED.wait()
                time.sleep(0.2)
                send({"id": rid, "ok": True, "body": json.loads(status)})

            threading.Thread(target=later, daemon=True).start()
        elif op == "stats":
            send({"id": rid, "ok": True, "body": {
                "cpu": {"usage_ns": 1}, "memory": {"usage": 1}, "pids": {"current": 1},
                "io": {"read_bytes": 0, "write_bytes": 0}}})
            if "halfevent" in MODES:
                ev = frame({"event": "oom", "body": {"container_id": "x"}})
                with lock:
                    s.sendall(ev[:7])
                hold(s)
                return
        elif op == "shutdown":
            send({"id": rid, "ok": True})
            os._exit(0)
        else:
            if op == "start":
                STARTED.set()
            send({"id": rid, "ok": True})


def stream(s):
    if read_frame(s) is None:
        return
    s.sendall(frame({"id": 0, "ok": True}))
    hold(s)


def serve(c):
    try:
        line = b""
        while not line.endswith(b"\n"):
            b = c.recv(1)
            if not b:
                return
            line += b
        port = int(line.split()[1])
        c.sendall(b"OK 1\n")
        (control if port == 1024 else stream)(c)
    except (OSError, ValueError):
        pass
    finally:
        c.close()


def main():
    if os.environ.get("HOSTILE_PIDS"):
        with open(os.environ["HOSTILE_PIDS"], "a") as f:
            f.write("%d\n" % os.getpid())
    args = sys.argv[1:]
    sock = args[args.index("--vsock-socket") + 1]
    if "console" in MODES:
        sys.stdout.write("booting\r\n" + EVIL + "\x1b[2K\rkernel panic\x1b[?25l\r\n")
        sys.stdout.flush()
        sys.exit(1)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(sock)
    srv.listen(16)
    while True:
        c, _ = srv.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


if __name__ == "__main__":
    main()
