#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# virtio-vsock end to end: ozone-vmm boots the real guest kernel with
# --vsock-socket, and a host client (python3) goes through the hybrid unix
# socket to the agent in the guest. Runs on a /dev/kvm that can run Linux
# (inside the test host: tests/testhost/run -- bash tests/integration/test_vsock.sh).
#
# The guest is the test initramfs (guest/initramfs-test.cpio, whose /init is
# ozone-agent-test: the agent with its test services) with ozone.echo=5000
# (the echo test aid; $OZONE_TEST_INITRD names another such initramfs). Checks:
# CONNECT 1024 -> OK and the protocol handshake; a request for an unknown
# container and a bad request answered, a framing error closing that connection only;
# CONNECT to a port nobody listens on -> closed; 100 concurrent streams of
# 64 KiB through the echo service; one stream of several MiB with a
# checksum; a host reader that stops reading stalls the writer (backpressure)
# and loses nothing; then the `shutdown` op powers the guest off: exit 0, socket gone.
. "${OZONE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/vmm/lib.sh"

BZIMAGE=${OZONE_KERNEL:-$OZONE_BUILD/guest/bzImage}
INITRD=${OZONE_TEST_INITRD:-$OZONE_BUILD/guest/initramfs-test.cpio}
BOOT_TIMEOUT_MS=$((${OZONE_BOOT_TIMEOUT:-180} * 1000))
CLIENT_TIMEOUT=${OZONE_VSOCK_TIMEOUT:-300}

if [ ! -c /dev/kvm ]; then
	fail "/dev/kvm is not available"
	finish
fi
for f in "$VMM" "$BZIMAGE" "$INITRD"; do
	if [ ! -f "$f" ]; then
		fail "missing $f (build it first)"
		finish
	fi
done

SOCK=$T_TMP/v.sock
# One vCPU: in the nested test host two-vCPU guests have stalled for minutes (at boot
# here once, mid-run in test_agent and test_virtiofs); test_boot boots two-vCPU guests.
start vsock --kernel "$BZIMAGE" --initrd "$INITRD" --cpus 1 --memory 256 \
	--vsock-socket "$SOCK" --cmdline "ozone.echo=5000"
VMM_PID=$PID
if ! wait_for "$OUT" '^ozone-agent: ready' "$BOOT_TIMEOUT_MS"; then
	fail "boot to 'ozone-agent: ready'" "err='$(describe "$ERR")'"
	tail -n 15 "$OUT" | sed 's/^/  guest: /'
	finish
fi
pass "boots with --vsock-socket"

# The client prints "ok   ..." / "FAIL ..." lines; the last one says whether it asked for shutdown.
cat >"$T_TMP/client.py" <<'PY'
import hashlib, json, os, selectors, socket, struct, sys, threading, time

path = sys.argv[1]
results = []

def check(cond, name, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond or not detail else ": " + detail), flush=True)
    results.append(cond)

def connect(port, timeout=60):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    s.sendall(b"CONNECT %d\n" % port)
    line = b""
    while not line.endswith(b"\n"):
        c = s.recv(1)
        if not c:
            s.close()
            return None, line
        line += c
    return s, line

def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            return None
        b += c
    return b

def send_frame(s, obj):
    p = json.dumps(obj).encode() if not isinstance(obj, bytes) else obj
    s.sendall(struct.pack(">I", len(p)) + p)

def recv_frame(s):
    h = recv_exact(s, 4)
    if h is None:
        return None
    p = recv_exact(s, struct.unpack(">I", h)[0])
    return json.loads(p) if p is not None else None

# Handshake on the control port.
s, line = connect(1024)
check(s is not None and line.startswith(b"OK ") and int(line[3:]) >= 1 << 30,
      "CONNECT 1024 -> OK <host port>", repr(line))
send_frame(s, {"v": 1, "id": 1, "op": "hello", "body": {"version": 1, "runtime": "0.1.0"}})
r = recv_frame(s)
check(r is not None and r.get("id") == 1 and r.get("ok") is True and r["body"]["version"] == 1,
      "hello answered with version 1", repr(r))
send_frame(s, {"v": 1, "id": 2, "op": "start", "body": {"container_id": "c1"}})
r = recv_frame(s)
check(r is not None and r.get("id") == 2 and r.get("ok") is False and r.get("errno") == 2,
      "start of a container the agent does not have: ENOENT", repr(r))
send_frame(s, b'{"v":1,"id":3,"op":')
r = recv_frame(s)
check(r is not None and r.get("ok") is False and r.get("errno") == 74, "a bad request: EBADMSG", repr(r))
send_frame(s, {"v": 1, "id": 4, "op": "hello", "body": {"version": 1, "runtime": "0.1.0"}})
r = recv_frame(s)
check(r is not None and r.get("id") == 4 and r.get("ok") is True, "still serving after a bad request", repr(r))
s.sendall(struct.pack(">I", 0))
check(s.recv(1) == b"", "a zero-length frame closes that connection")
s.close()
s, line = connect(1024)
send_frame(s, {"v": 1, "id": 5, "op": "hello", "body": {"version": 1, "runtime": "0.1.0"}})
r = recv_frame(s)
check(r is not None and r.get("ok") is True, "a new control connection is served", repr(r))
control = s

# Nobody listens on 4000: the VMM closes the host socket.
s, line = connect(4000)
check(s is None, "CONNECT to a port nobody listens on: closed", repr(line))

# 100 concurrent streams through the echo service, 64 KiB each.
N, SIZE = 100, 64 * 1024
socks, want, got, off = [], [], [], []
for i in range(N):
    s, line = connect(5000)
    if s is None:
        check(False, "echo CONNECT %d" % i, repr(line))
        sys.exit(1)
    s.setblocking(False)
    socks.append(s)
    want.append(os.urandom(SIZE))
    got.append(bytearray())
    off.append(0)
sel = selectors.DefaultSelector()
for i, s in enumerate(socks):
    sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE, i)
done = 0
while done < N:
    ev = sel.select(timeout=60)
    if not ev:
        break
    for key, mask in ev:
        i, s = key.data, key.fileobj
        if mask & selectors.EVENT_WRITE and off[i] < SIZE:
            try:
                off[i] += s.send(want[i][off[i]:off[i] + 16384])
            except BlockingIOError:
                pass
            if off[i] == SIZE:
                s.shutdown(socket.SHUT_WR)
                sel.modify(s, selectors.EVENT_READ, i)
        if mask & selectors.EVENT_READ:
            try:
                c = s.recv(65536)
            except BlockingIOError:
                continue
            if c:
                got[i] += c
            else:
                sel.unregister(s)
                done += 1
bad = [i for i in range(N) if bytes(got[i]) != want[i]]
check(done == N and not bad, "%d concurrent streams of %d KiB echoed intact" % (N, SIZE // 1024),
      "done=%d bad=%s" % (done, bad[:5]))
for s in socks:
    s.close()

# One big stream, written and read at once, checked by digest.
BIG = 6 << 20
s, line = connect(5000, timeout=120)
data = os.urandom(BIG)
h_in = hashlib.sha256(data).hexdigest()
def writer():
    for i in range(0, BIG, 65536):
        s.sendall(data[i:i + 65536])
    s.shutdown(socket.SHUT_WR)
t = threading.Thread(target=writer)
t.start()
h, n = hashlib.sha256(), 0
while True:
    c = s.recv(262144)
    if not c:
        break
    h.update(c)
    n += len(c)
t.join()
check(n == BIG and h.hexdigest() == h_in, "%d MiB stream echoed, sha256 matches" % (BIG >> 20), "n=%d" % n)
s.close()

# A host reader that stops reading: the echo service blocks writing back, so
# the guest stops reading, and the host writer must stall instead of the VMM
# buffering; then everything written comes back intact.
def rss_kib(pid):
    for l in open("/proc/%s/status" % pid):
        if l.startswith("VmRSS:"):
            return int(l.split()[1])
    return -1
s, line = connect(5000, timeout=120)
s.setblocking(False)
rss0 = rss_kib(sys.argv[2])
sent, last_progress, h_out = 0, time.monotonic(), hashlib.sha256()
deadline = time.monotonic() + 90
while sent < (32 << 20) and time.monotonic() < deadline and time.monotonic() - last_progress < 3:
    chunk = bytes([(sent >> 16) & 0xff]) * 65536
    try:
        n = s.send(chunk)
        h_out.update(chunk[:n])
        sent += n
        last_progress = time.monotonic()
    except BlockingIOError:
        time.sleep(0.05)
rss1 = rss_kib(sys.argv[2])
check(time.monotonic() - last_progress >= 3 and sent < (32 << 20),
      "a host reader that does not read stalls the writer (%d KiB in flight; VMM RSS %+d KiB)"
      % (sent >> 10, rss1 - rss0), "sent=%d" % sent)
s.setblocking(True)
s.shutdown(socket.SHUT_WR)
h_back, n = hashlib.sha256(), 0
while True:
    c = s.recv(262144)
    if not c:
        break
    h_back.update(c)
    n += len(c)
check(n == sent and h_back.hexdigest() == h_out.hexdigest(), "then all of it comes back intact",
      "n=%d sent=%d" % (n, sent))
s.close()

# Ports are reused: the control connection still works, then shutdown.
send_frame(control, {"v": 1, "id": 6, "op": "shutdown"})
r = recv_frame(control)
check(r is not None and r.get("id") == 6 and r.get("ok") is True, "shutdown answered", repr(r))
sys.exit(0 if all(results) else 1)
PY

timeout -k 5 "$CLIENT_TIMEOUT" python3 "$T_TMP/client.py" "$SOCK" "$VMM_PID" >"$T_TMP/client.out" 2>&1
CRC=$?
while read -r l; do
	case $l in
	"ok   "*) pass "${l#ok   }" ;;
	"FAIL "*) fail "${l#FAIL }" ;;
	*) echo "  $l" ;;
	esac
done <"$T_TMP/client.out"
[ "$CRC" -eq 0 ] || fail "client" "exit $CRC"

if wait_exit "$VMM_PID" 60000 && [ "$RC" -eq 0 ]; then
	pass "guest powered off on 'shutdown': exit 0"
else
	fail "power off after 'shutdown'" "rc=$RC err='$(describe "$ERR")'"
	kill -KILL "$VMM_PID" 2>/dev/null
fi
if [ ! -e "$SOCK" ]; then
	pass "socket removed on exit"
else
	fail "socket removed on exit"
fi
finish
