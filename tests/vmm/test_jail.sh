#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The confined monitor (--jail): while a guest runs, /proc/<vmm>/status shows
# a seccomp filter, no_new_privs and the small capability set the docs name;
# the VMM sits in its own mount namespace whose root holds only what it
# serves; a shared directory and the vsock socket still work from inside;
# a forbidden call kills the monitor (the test-only ozone-vmm-selftest build),
# and a bad jail directory is one line and exit 1.
. "$(dirname "$0")/lib.sh"
require_vmm

SELFTEST=$OZONE_BUILD/bin/ozone-vmm-selftest

# field PID NAME: a line's value from /proc/PID/status.
field() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

# The kernel's capability numbers, as /proc shows a set: bit n for capability n.
caps_mask() {
	local m=0 c
	for c in "$@"; do m=$((m | (1 << c))); done
	printf '%016x' "$m"
}
# CHOWN 0, DAC_OVERRIDE 1, FOWNER 3, FSETID 4, SETGID 6, SETUID 7, MKNOD 27
FS_CAPS=$(caps_mask 0 1 3 4 6 7 27)

mkdir -p "$T_TMP/jail" "$T_TMP/share/sub" "$T_TMP/sock"
echo data >"$T_TMP/share/sub/file"

# Without --fs: no capability at all.
start plain --kernel "$TINY" --cmdline mode=loop --jail "$T_TMP/jail" \
	--console "$T_TMP/plain.console" --vsock-socket "$T_TMP/sock/v.sock"
if wait_for "$T_TMP/plain.console" '^ozone-tiny: hello' 5000; then
	pass "a guest runs in the jail"
	s=$(field "$PID" Seccomp) n=$(field "$PID" NoNewPrivs) e=$(field "$PID" CapEff)
	b=$(field "$PID" CapBnd)
	[ "$s" = 2 ] && pass "Seccomp: 2 (filter)" || fail "Seccomp" "'$s'"
	[ "$n" = 1 ] && pass "NoNewPrivs: 1" || fail "NoNewPrivs" "'$n'"
	[ "$e" = 0000000000000000 ] && pass "CapEff: none without --fs" || fail "CapEff" "'$e'"
	[ "$b" = 0000000000000000 ] && pass "CapBnd: none without --fs" || fail "CapBnd" "'$b'"
	# Every thread: the vCPU's own filter too.
	bad=""
	for t in /proc/"$PID"/task/*; do
		[ "$(awk '$1 == "Seccomp:" {print $2}' "$t/status")" = 2 ] || bad="$bad ${t##*/}"
	done
	[ -z "$bad" ] && pass "every thread is filtered" || fail "threads without a filter:$bad"
	[ "$(readlink /proc/$$/ns/mnt)" != "$(readlink /proc/"$PID"/ns/mnt)" ] &&
		pass "own mount namespace" || fail "same mount namespace as the caller"
	[ "$(readlink /proc/$$/ns/uts)" != "$(readlink /proc/"$PID"/ns/uts)" ] &&
		[ "$(readlink /proc/$$/ns/ipc)" != "$(readlink /proc/"$PID"/ns/ipc)" ] &&
		pass "own UTS and IPC namespaces" || fail "UTS/IPC namespaces shared"
	root=$(ls -A /proc/"$PID"/root/ 2>&1 | sort | tr '\n' ' ')
	[ "$root" = "console dev kernel vsock " ] && pass "the jail holds only what it serves: $root" ||
		fail "jail root" "'$root'"
	[ -S "$T_TMP/sock/v.sock" ] && pass "the vsock socket is made where the caller asked" ||
		fail "no vsock socket at $T_TMP/sock/v.sock"
	# Nothing the VMM mounted shows on the host.
	grep -q "ozone-jail" /proc/self/mountinfo && fail "the jail's tmpfs leaked into the host" ||
		pass "the jail's mounts stay private"
	kill -TERM "$PID"
	wait_exit "$PID" 5000
	[ "$RC" -eq 0 ] && pass "SIGTERM: exit 0 from the jail" || fail "SIGTERM" "rc=$RC"
else
	fail "guest did not start in the jail" "err='$(describe "$ERR")'"
fi

# With --fs: the FUSE server's capabilities, and a bind mount inside the share is served.
mkdir -p "$T_TMP/mnt"
start withfs --kernel "$TINY" --cmdline mode=loop --jail "$T_TMP/jail" \
	--console "$T_TMP/withfs.console" --fs "share=$T_TMP/share"
if wait_for "$T_TMP/withfs.console" '^ozone-tiny: hello' 5000; then
	e=$(field "$PID" CapEff) b=$(field "$PID" CapBnd)
	[ "$e" = "$FS_CAPS" ] && pass "CapEff with --fs: $e (chown dac_override fowner fsetid setgid setuid mknod)" ||
		fail "CapEff with --fs" "'$e', want $FS_CAPS"
	[ "$b" = "$FS_CAPS" ] && pass "CapBnd with --fs: $b" || fail "CapBnd with --fs" "'$b'"
	[ "$(cat /proc/"$PID"/root/fs/0/sub/file 2>&1)" = data ] &&
		pass "the shared directory is inside the jail" || fail "shared dir not visible in the jail"
	kill -TERM "$PID"
	wait_exit "$PID" 5000
else
	fail "guest with --fs did not start in the jail" "err='$(describe "$ERR")'"
fi

# The filter kills: the self-test build makes a forbidden call once confined.
if [ -x "$SELFTEST" ]; then
	# In a child shell, so that this one does not report the "Bad system call".
	bash -c 'timeout -k 2 20 "$@" </dev/null >"'"$T_TMP"'/self.out" 2>"'"$T_TMP"'/self.err"' \
		selftest "$SELFTEST" --kernel "$TINY" --cmdline mode=loop --jail "$T_TMP/jail" \
		--console none 2>/dev/null
	rc=$?
	[ "$rc" -eq $((128 + 31)) ] && pass "a forbidden call kills the monitor (SIGSYS)" ||
		fail "forbidden call" "rc=$rc err='$(describe "$T_TMP/self.err")'"
else
	fail "missing $SELFTEST (build it first)"
fi

# Bad jail directories: one line, exit 1, nothing started.
run nojail --kernel "$TINY" --jail "$T_TMP/missing"
[ "$RC" -eq 1 ] && one_error_line "$ERR" && grep -q "missing" "$ERR" &&
	pass "missing jail dir: $(cat "$ERR")" || fail "missing jail dir" "rc=$RC err='$(describe "$ERR")'"
run filejail --kernel "$TINY" --jail "$T_TMP/share/sub/file"
[ "$RC" -eq 1 ] && one_error_line "$ERR" && pass "jail that is a file: $(cat "$ERR")" ||
	fail "jail that is a file" "rc=$RC err='$(describe "$ERR")'"

finish
