#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The confined monitor (--jail): while a guest runs, every thread's
# /proc/<vmm>/task/<tid>/status shows a seccomp filter, no_new_privs and the
# small capability set the docs name (the FUSE workers included); the
# monitor is not dumpable (root without CAP_SYS_PTRACE cannot look into it)
# and holds no fd on the host's /proc; the VMM sits in its own mount
# namespace whose root holds only what it serves; a shared directory and the
# vsock socket still work from inside, and the socket's directory must be
# its own; a VMM started by `ozone create` sees nothing of the sandbox's
# state directory but its socket; a forbidden call kills the monitor (the
# test-only ozone-vmm-selftest build), and a bad jail directory is one line
# and exit 1.
# shellcheck disable=SC2015 # `COND && pass ... || fail ...`: pass, fail and skip return 0
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

# threads_confined PID CAPS: every thread of PID (capabilities, the bounding
# set and no_new_privs are per thread) has a seccomp filter, no_new_privs,
# CapEff = CapPrm = CapBnd = CAPS and no inheritable or ambient capability.
# Sets NAMES to the threads' names.
threads_confined() {
	local pid=$1 want=$2 t f v bad="" name
	NAMES=""
	for t in /proc/"$pid"/task/*; do
		name=$(cat "$t/comm" 2>/dev/null) || continue
		NAMES="$NAMES $name"
		for f in Seccomp:2 NoNewPrivs:1 CapEff:$want CapPrm:$want CapBnd:$want \
			CapInh:0000000000000000 CapAmb:0000000000000000; do
			v=$(awk -v k="${f%%:*}:" '$1 == k {print $2}' "$t/status")
			[ "$v" = "${f#*:}" ] || bad="$bad $name(${t##*/}) ${f%%:*}=$v;"
		done
	done
	[ -z "$bad" ] && pass "every thread ($NAMES ) confined: Seccomp 2, NoNewPrivs 1, CapEff/CapPrm/CapBnd $want" ||
		fail "threads not confined" "$bad"
}

# not_dumpable PID: root without CAP_SYS_PTRACE (every other capability, so
# that it holds all the VMM's) cannot open the VMM's /proc entries, though it
# can those of a dumpable process of the same uid (the control).
not_dumpable() {
	local pid=$1 ctl
	setpriv --bounding-set=-sys_ptrace --inh-caps=-all -- sleep 30 &
	ctl=$!
	T_PIDS+=("$ctl")
	# Until it has dropped CAP_SYS_PTRACE too, it holds more than the caller.
	for _ in $(seq 50); do
		[ "$(cat /proc/"$ctl"/comm 2>/dev/null)" = sleep ] && break
		sleep 0.1
	done
	nocap() { setpriv --bounding-set=-sys_ptrace --inh-caps=-all -- ls "$1" >/dev/null 2>&1; }
	if ! nocap /proc/"$ctl"/root/; then
		fail "control: root without CAP_SYS_PTRACE cannot list /proc/$ctl/root of a dumpable process"
	elif nocap /proc/"$pid"/root/; then
		fail "the monitor is dumpable: root without CAP_SYS_PTRACE lists /proc/$pid/root"
	else
		pass "not dumpable: root without CAP_SYS_PTRACE cannot open /proc/$pid/root (it can a dumpable process's)"
	fi
	kill "$ctl" 2>/dev/null
	wait "$ctl" 2>/dev/null
}

# no_host_proc PID: no fd of the monitor is on the host's /proc (from its
# /proc/<pid>/fd, ".." reaches every process's root).
no_host_proc() {
	local pid=$1 f l bad=""
	for f in /proc/"$pid"/fd/*; do
		l=$(readlink "$f" 2>/dev/null) || continue
		case "$l" in /proc/*) bad="$bad ${f##*/}->$l" ;; esac
	done
	[ -z "$bad" ] && pass "no fd on the host's /proc" || fail "fds on the host's /proc" "$bad"
}

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
	threads_confined "$PID" 0000000000000000
	not_dumpable "$PID"
	[ "$(readlink /proc/$$/ns/mnt)" != "$(readlink /proc/"$PID"/ns/mnt)" ] &&
		pass "own mount namespace" || fail "same mount namespace as the caller"
	[ "$(readlink /proc/$$/ns/uts)" != "$(readlink /proc/"$PID"/ns/uts)" ] &&
		[ "$(readlink /proc/$$/ns/ipc)" != "$(readlink /proc/"$PID"/ns/ipc)" ] &&
		pass "own UTS and IPC namespaces" || fail "UTS/IPC namespaces shared"
	# shellcheck disable=SC2012 # the jail's few fixed names, compared as one line
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
	# The threads that parse the guest's FUSE requests above all.
	threads_confined "$PID" "$FS_CAPS"
	case "$NAMES" in
	*" fs-worker"*) pass "the FUSE workers run: $(echo "$NAMES" | tr ' ' '\n' | grep -c fs-worker)" ;;
	*) fail "no fs-worker thread" "$NAMES" ;;
	esac
	not_dumpable "$PID"
	no_host_proc "$PID"
	[ "$(cat /proc/"$PID"/root/fs/0/sub/file 2>&1)" = data ] &&
		pass "the shared directory is inside the jail" || fail "shared dir not visible in the jail"
	kill -TERM "$PID"
	wait_exit "$PID" 5000
else
	fail "guest with --fs did not start in the jail" "err='$(describe "$ERR")'"
fi

# The socket's directory is bound in writable: one that holds anything but
# sockets (a state directory) is refused.
mkdir -p "$T_TMP/state"
echo '{}' >"$T_TMP/state/config.json"
run sockdir --kernel "$TINY" --cmdline mode=loop --jail "$T_TMP/jail" --console none \
	--vsock-socket "$T_TMP/state/v.sock"
[ "$RC" -eq 1 ] && one_error_line "$ERR" && grep -q "holds config.json" "$ERR" &&
	pass "a socket directory that is not the socket's own: $(cat "$ERR")" ||
	fail "socket directory with other files" "rc=$RC err='$(describe "$ERR")'"

# A VMM started by `ozone create` (the tiny guest in place of the kernel,
# kept running): in its mount namespace, nothing of the sandbox's state
# directory but the vsock socket, alone in its directory.
OZONE=$OZONE_BUILD/bin/ozone
if [ -x "$OZONE" ]; then
	R=$T_TMP/root
	mkdir -p "$T_TMP/bundle/rootfs"
	cat >"$T_TMP/bundle/config.json" <<'JSON'
{"ociVersion":"1.0.2","process":{"terminal":false,"user":{"uid":0,"gid":0},"args":["sh"],
"env":["PATH=/bin"],"cwd":"/"},"root":{"path":"rootfs"},"hostname":"t",
"linux":{"namespaces":[{"type":"pid"},{"type":"mount"},{"type":"network"}]}}
JSON
	printf '#!/bin/sh\nexec "%s" "$@" --cmdline mode=loop\n' "$VMM" >"$T_TMP/loop-vmm"
	chmod +x "$T_TMP/loop-vmm"
	head -c 4096 /dev/zero >"$T_TMP/initrd"
	OZONE_VMM=$T_TMP/loop-vmm OZONE_KERNEL=$TINY OZONE_INITRD=$T_TMP/initrd \
		OZONE_BOOT_TIMEOUT=20 "$OZONE" --root "$R" create -b "$T_TMP/bundle" c1 \
		</dev/null >"$T_TMP/create.out" 2>&1 &
	CPID=$!
	T_PIDS+=("$CPID")
	VPID=""
	for _ in $(seq 100); do
		VPID=$(cut -d' ' -f1 "$R/c1/vmm.pid" 2>/dev/null)
		[ -n "$VPID" ] && [ -e "/proc/$VPID/root/vsock/vsock.sock" ] && break
		sleep 0.1
	done
	if [ -n "$VPID" ] && [ -e "/proc/$VPID/root/vsock" ]; then
		# shellcheck disable=SC2012 # the jail's few fixed names, compared as one line
		got=$(ls -A /proc/"$VPID"/root/vsock/ 2>&1 | tr '\n' ' ')
		[ "$got" = "vsock.sock " ] && pass "ozone create: the VMM's /vsock holds only its socket" ||
			fail "ozone create: the VMM's /vsock" "'$got'"
		# shellcheck disable=SC2012 # the jail's few fixed names, compared as one line
		got=$(ls -A /proc/"$VPID"/root/ 2>&1 | sort | tr '\n' ' ')
		[ "$got" = "console dev fs initrd kernel vsock " ] &&
			pass "ozone create: the jail holds $got" || fail "ozone create: jail root" "'$got'"
		threads_confined "$VPID" "$FS_CAPS"
	else
		fail "ozone create: no VMM with a socket" "$(cat "$T_TMP/create.out")"
	fi
	kill -KILL "$CPID" 2>/dev/null
	wait "$CPID" 2>/dev/null
	"$OZONE" --root "$R" delete --force c1 >"$T_TMP/delete.out" 2>&1 &&
		[ ! -e "$R/c1" ] && pass "ozone delete: nothing left" ||
		fail "ozone delete" "$(cat "$T_TMP/delete.out"; ls -A "$R/c1" 2>&1)"
else
	fail "missing $OZONE (build it first)"
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
