#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A stand-in for containerd's shim, to check the proxy as a shim sees it.

    shim.py OUT PIDFILE AFTER -- CMD [ARG...]

Becomes a child subreaper, runs CMD (`ozone create ...` or `ozone exec
--detach ...`) with pipes as its stdio, as the shim does; once CMD has
returned, reads the pid from PIDFILE, runs the shell command AFTER (with
$PID set; e.g. `ozone start c; kill -TERM $PID`), then waits for that pid,
which the kernel reparents to us. Prints one line, "exited N" or
"signaled N", and writes what the process wrote to OUT.out and OUT.err.
$SHIM_STDIN, if set, is written to the process's stdin, then closed.
"""
import ctypes
import os
import subprocess
import sys
import threading
import time

PR_SET_CHILD_SUBREAPER = 36


def collect(f, path, done):
    with open(path, "wb") as o:
        while True:
            b = f.read1(65536) if hasattr(f, "read1") else f.read(65536)
            if not b:
                break
            o.write(b)
            o.flush()
    done.set()


def main():
    out, pidfile, after = sys.argv[1:4]
    assert sys.argv[4] == "--"
    cmd = sys.argv[5:]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("prctl failed")
        return 1
    stdin_text = os.environ.get("SHIM_STDIN")
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if stdin_text is not None:
        p.stdin.write(stdin_text.encode())
        p.stdin.close()
    dones = []
    for f, suffix in ((p.stdout, ".out"), (p.stderr, ".err")):
        d = threading.Event()
        threading.Thread(target=collect, args=(f, out + suffix, d), daemon=True).start()
        dones.append(d)
    rc = p.wait()
    if rc != 0:
        for d in dones:
            d.wait(5)
        print("create-failed %d: %s" % (rc, open(out + ".err").read().strip()))
        return 1
    pid = int(open(pidfile).read())
    env = dict(os.environ, PID=str(pid))
    subprocess.run(["sh", "-c", after], env=env)
    deadline = time.time() + float(os.environ.get("SHIM_TIMEOUT", "60"))
    while True:
        got, status = os.waitpid(pid, os.WNOHANG)
        if got == pid:
            break
        if time.time() > deadline:
            print("timeout")
            os.kill(pid, 9)
            return 1
        time.sleep(0.02)
    for d in dones:
        d.wait(5)
    if os.WIFSIGNALED(status):
        print("signaled %d" % os.WTERMSIG(status))
    else:
        print("exited %d" % os.WEXITSTATUS(status))
    return 0


if __name__ == "__main__":
    sys.exit(main())
