#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ozone against a guest that does not play by the protocol, without a VM:
# OZONE_VMM is tests/runtime/hostile_agent.py, a stand-in that serves the
# sandbox's hybrid vsock socket and answers as $HOSTILE says. Checked:
# - a reply that stops half way through a frame: kill, exec and events end
#   within the agent timeout with a one-line error; delete and delete
#   --force kill the VMM and remove the container (docs/runtime.md);
# - the exit status the guest reports for the container's process: the
#   proxy dies only by a signal that ends a process, a stop signal or an
#   ignored one gives 128+n, a number that is no signal 255 (never a
#   stopped proxy or one that goes on);
# - text from the guest (an agent's error reply, the console's last line
#   on a failed boot) reaches the user and the log escaped, on one line,
#   without a raw control byte;
# - a socket the VMM swapped for a symlink to another host socket: refused
#   before a byte is sent (the listening end must be the sandbox's VMM).
# shellcheck disable=SC2015 # `COND && pass ... || fail ...`: pass, fail and skip return 0
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ] || [ ! -x /usr/bin/python3 ]; then
	echo "test_hostile_agent: needs root (bind mounts) and /usr/bin/python3" >&2
	exit 1
fi
HERE=$(cd "$(dirname "$0")" && pwd)
: >"$T_TMP/kernel"
: >"$T_TMP/initrd"
export OZONE_VMM=$HERE/hostile_agent.py OZONE_KERNEL=$T_TMP/kernel OZONE_INITRD=$T_TMP/initrd
export OZONE_BOOT_TIMEOUT=20 OZONE_AGENT_TIMEOUT=2 HOSTILE_PIDS=$T_TMP/standins

# Stand-ins that a failing runtime left running go before lib.sh's cleanup.
# shellcheck disable=SC2317,SC2013 # run by the EXIT trap; the file holds PIDs
h_cleanup() {
	local pid
	for pid in $(cat "$HOSTILE_PIDS" 2>/dev/null); do
		kill -KILL "$pid" 2>/dev/null
	done
	t_cleanup
}
trap h_cleanup EXIT

B=$T_TMP/b
make_bundle "$B"

# ozt ARGS...: oz with a hard limit of 30 s; sets RC, OUT, ERR and SECS.
ozt() {
	local t0
	t0=$(date +%s)
	timeout -s KILL 30 "$OZONE" --root "$ROOT" "$@" >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	SECS=$(($(date +%s) - t0))
}

# one_line NAME REGEX: stderr is one line matching REGEX, with no raw control byte.
one_line() {
	if [ "$(wc -l <"$ERR")" -eq 1 ] && grep -Eq -- "$2" "$ERR" &&
		! grep -qP '[\x00-\x1f\x7f]' "$ERR"; then
		pass "$1"
	else
		fail "$1" "rc=$RC after ${SECS}s: $(head -c 400 "$ERR" | od -c | head -8)"
	fi
}

# up ID MODES: a started container whose guest misbehaves as MODES says.
up() {
	HOSTILE=$2 oz create -b "$B" "$1" && HOSTILE=$2 oz start "$1"
	[ "$RC" -eq 0 ] || fail "$1: create and start" "rc=$RC $(cat "$ERR")"
}

gone() { # NAME ID: the container and its stand-in VMM are gone
	if [ ! -e "$ROOT/$2" ] && ! pgrep -f "hostile_agent.py.*$ROOT/$2/" >/dev/null; then
		pass "$1"
	else
		fail "$1" "left: $(ls -A "$ROOT/$2" 2>/dev/null) $(pgrep -af "hostile_agent.py.*$ROOT/$2/")"
	fi
}

# 1. A reply cut off mid-frame.
up c1 "stall:signal,stall:exec,stall:stats,stall:shutdown"
ozt kill c1 TERM
[ "$RC" -ne 0 ] && [ "$SECS" -le 10 ] && pass "kill: a reply stalled mid-frame ends in ${SECS}s" ||
	fail "kill: stalled" "rc=$RC after ${SECS}s"
one_line "kill: one-line error" \
	"^ozone: agent: no reply to 'signal' within 2 s: frame: timed out after [0-9]+ of [0-9]+ payload bytes$"
ozt exec c1 true
[ "$RC" -ne 0 ] && [ "$SECS" -le 10 ] && pass "exec: a reply stalled mid-frame ends in ${SECS}s" ||
	fail "exec: stalled" "rc=$RC after ${SECS}s"
one_line "exec: one-line error" "^ozone: agent: no reply to 'exec' within 2 s: frame: timed out"
ozt events --stats c1
[ "$RC" -ne 0 ] && [ "$SECS" -le 10 ] && pass "events --stats: a stalled reply ends in ${SECS}s" ||
	fail "events --stats: stalled" "rc=$RC after ${SECS}s"
one_line "events --stats: one-line error" "^ozone: agent: no reply to 'stats' within 2 s"
ozt delete --force c1
[ "$RC" -eq 0 ] && [ "$SECS" -le 12 ] &&
	pass "delete --force: the shutdown stalled mid-frame, the VMM is killed (${SECS}s)" ||
	fail "delete --force: stalled" "rc=$RC after ${SECS}s: $(cat "$ERR")"
gone "delete --force: container and VMM gone" c1

# Between stats, an event that stops half way ends `events` too.
up c2 "halfevent,stall:shutdown"
ozt events --interval 1s c2
[ "$RC" -ne 0 ] && [ "$SECS" -le 10 ] && pass "events: an event stalled mid-frame ends in ${SECS}s" ||
	fail "events: stalled event" "rc=$RC after ${SECS}s"
one_line "events: one-line error" "^ozone: agent: no whole message within 2 s: frame: timed out after 3 of [0-9]+ payload bytes$"

# A container never started: plain delete, same fallback.
HOSTILE=stall:shutdown oz create -b "$B" c3
ozt delete c3
[ "$RC" -eq 0 ] && [ "$SECS" -le 12 ] && pass "delete: stalled shutdown, the VMM is killed (${SECS}s)" ||
	fail "delete: stalled" "rc=$RC after ${SECS}s: $(cat "$ERR")"
gone "delete: container and VMM gone" c3
ozt delete --force c2
gone "delete --force after a stalled event: gone" c2

# 2. The exit status the guest reports, as a shim waiting on the pid-file pid sees it.
# status ID JSON WANT: create with pipes under shim.py, start; the shim's verdict is WANT.
status() {
	local got
	got=$(HOSTILE="status:$2" SHIM_TIMEOUT=10 /usr/bin/python3 "$HERE/shim.py" "$T_TMP/$1" \
		"$T_TMP/$1.pid" "$OZONE --root $ROOT start $1" -- \
		"$OZONE" --root "$ROOT" create --pid-file "$T_TMP/$1.pid" -b "$B" "$1" 2>&1 | tail -1)
	[ "$got" = "$3" ] && pass "proxy: guest says $2: $3" || fail "proxy: guest says $2" "got '$got', want '$3'"
	oz delete --force "$1"
}
status p1 '{"signal":19}' "exited 147" # SIGSTOP: never a stopped proxy
status p2 '{"signal":20}' "exited 148" # SIGTSTP
status p3 '{"signal":17}' "exited 145" # SIGCHLD: ignored by default, so no signal
status p4 '{"signal":15}' "signaled 15"
status p5 '{"signal":0}' "exited 255"
status p6 '{"signal":200}' "exited 255"
status p7 '{"code":3}' "exited 3"

# 3. Guest text in errors: escaped, one line, in the log too.
up c4 "errctl:signal"
ozt --log "$T_TMP/c4.log" kill c4 TERM
one_line "kill: the agent's error text escaped" \
	'^ozone: agent: signal: \\x1b\[31mred\\x1b\[0m\\x0dforged: ok\\x1b\]0;title\\x07\\x0asecond line$'
if [ -s "$T_TMP/c4.log" ] && ! grep -qP '[\x00-\x09\x0b-\x1f\x7f]' "$T_TMP/c4.log" &&
	[ "$(wc -l <"$T_TMP/c4.log")" -eq 1 ]; then
	pass "--log: the agent's error on one line, no control byte"
else
	fail "--log: agent error" "$(od -c "$T_TMP/c4.log" | head -5)"
fi
oz delete --force c4

HOSTILE=console ozt create -b "$B" c5
[ "$RC" -ne 0 ] && pass "create: the VMM exits on a bad console" || fail "create: console" "rc=$RC"
one_line "create: the console's last line escaped" \
	'^ozone: ozone-vmm exited before the agent answered: second line\\x1b\[2K\\x0dkernel panic\\x1b\[\?25l$'
[ ! -e "$ROOT/c5" ] && pass "create: nothing left after the failed boot" || fail "create: left" "$(ls -A "$ROOT")"

# 4. A VMM taken over by its guest swaps its socket for a symlink to another
# host socket: ozone sends not a byte to a socket whose listening end is not
# the sandbox's VMM (the decoy records what reaches it; SO_PEERCRED needs the
# connection itself, which is closed unused).
up c6 ""
cat >"$T_TMP/decoy.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(8)
open(sys.argv[2], "w").close()
while True:
    c = s.accept()[0]
    c.settimeout(3)
    try:
        data = c.recv(4096)
    except OSError:
        data = b""
    with open(sys.argv[2], "ab") as f:
        f.write(data)
    c.close()
EOF
/usr/bin/python3 "$T_TMP/decoy.py" "$T_TMP/decoy.sock" "$T_TMP/decoy.got" &
decoy=$!
T_PIDS+=("$decoy")
for _ in $(seq 50); do [ -e "$T_TMP/decoy.got" ] && break; sleep 0.1; done
sock=$(find "$ROOT/c6" -name vsock.sock | head -1)
if [ -S "$sock" ]; then
	mv "$sock" "$sock.real" && ln -s "$T_TMP/decoy.sock" "$sock"
	ozt kill c6 TERM
	[ "$RC" -ne 0 ] && pass "kill: a socket swapped for a symlink to a host socket is refused" ||
		fail "kill through a swapped socket" "rc=$RC"
	one_line "kill: one-line error naming the socket's holder" \
		"^ozone: .*vsock.sock: held by pid [0-9]+, not by the sandbox's ozone-vmm \(pid [0-9]+\): not connected$"
	ozt exec c6 true
	[ "$RC" -ne 0 ] && pass "exec through the swapped socket refused" || fail "exec through a swapped socket" "rc=$RC"
	[ ! -s "$T_TMP/decoy.got" ] && pass "the host socket received nothing" ||
		fail "the decoy host socket received" "$(od -c "$T_TMP/decoy.got" | head -3)"
	rm -f "$sock" && mv "$sock.real" "$sock"
else
	fail "c6: no vsock.sock under $ROOT/c6"
fi
ozt delete --force c6
gone "delete --force after the swap: gone" c6

finish
