#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A --console-socket receiver, as containerd's shim and conmon are.

    console.py SOCKET ROWS COLS OUT -- CMD [ARG...]

Listens on SOCKET, runs CMD (`ozone create --console-socket SOCKET ...`),
receives the pty master with SCM_RIGHTS and checks the name sent with it,
sets the window size to ROWS x COLS (0 0: leaves it), then runs $CONSOLE_AFTER (e.g.
`ozone start c`) and copies everything the master gives to OUT until it
ends (EIO) or 30 s pass. Prints "name=<name>" and "rc=<create's status>".
With CONSOLE_SHIM=1 it first reads CMD's stdout and stderr to their end,
as containerd's shim does before it takes the master, and fails if that
end does not come within 30 s.
"""
import array
import fcntl
import os
import select
import socket
import struct
import subprocess
import sys
import termios
import time


def main():
    path, rows, cols, out = sys.argv[1:5]
    cmd = sys.argv[6:]
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    if os.environ.get("CONSOLE_SHIM"):
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
        try:
            said, _ = p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            print("rc=%s" % p.poll())
            print("create's output did not end: something kept its stdout open")
            return 1
        sys.stdout.write(said.decode(errors="replace"))
    else:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
    srv.settimeout(0.2)
    conn = None
    deadline = time.time() + 60
    while conn is None and time.time() < deadline:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            if p.poll() is not None:
                break
    if conn is None:
        print("rc=%d" % p.wait())
        print("no connection to the console socket")
        return 1
    fds = array.array("i")
    msg, anc, _, _ = conn.recvmsg(4096, socket.CMSG_SPACE(fds.itemsize))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[:fds.itemsize])
    rc = p.wait()
    print("name=%s" % msg.decode())
    print("rc=%d" % rc)
    sys.stdout.flush()
    if not fds:
        print("no fd received")
        return 1
    master = fds[0]
    if int(rows) and int(cols):
        fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", int(rows), int(cols), 0, 0))
    after = os.environ.get("CONSOLE_AFTER")
    if after:
        subprocess.run(["sh", "-c", after])
    deadline = time.time() + 30
    with open(out, "wb") as o:
        while time.time() < deadline:
            if not select.select([master], [], [], 1)[0]:
                continue
            try:
                b = os.read(master, 4096)
            except OSError:
                break
            if not b:
                break
            o.write(b)
            o.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
