#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# containerd's runc shim (io.containerd.runc.v2) drives the runtime under
# test through `ctr --runc-binary`: output and exit code, a detached task
# with exec, kill by SIGTERM and SIGKILL with the right statuses, a bind
# mount, a terminal (-t), two containers at once, and nothing left
# behind. containerd runs on a socket of the test's own and is stopped by
# pid. RUNTIME=/usr/sbin/runc runs the same checks against runc.
# shellcheck disable=SC2015 # `COND && pass ... || fail ...`: pass, fail and skip return 0
. "$(dirname "$0")/clients.sh"
require_clients containerd ctr podman

# The image: made by podman offline, saved as an OCI archive, imported.
make_rootfs_tar
# shellcheck disable=SC2034 # pm (clients.sh) runs it
PODMAN=(podman --root "$T_TMP/podman/root" --runroot "$T_TMP/podman/run"
	--cgroup-manager=cgroupfs --events-backend=file)
if ! pm import "$T_TMP/rootfs.tar" localhost/bb:1 >"$T_TMP/import.log" 2>&1 ||
	! pm save --format oci-archive -o "$T_TMP/bb-oci.tar" localhost/bb:1 >>"$T_TMP/import.log" 2>&1; then
	fail "build the image" "$(describe "$T_TMP/import.log")"
	finish
fi
# shellcheck disable=SC2119 # no argument: without the CRI plugin
if ! start_containerd; then
	fail "containerd did not start" "$(describe "$CD_DIR/log")"
	finish
fi
pass "containerd started"
if ctr_ image import --base-name localhost/bb "$T_TMP/bb-oci.tar" >"$T_TMP/cimport.log" 2>&1; then
	pass "ctr image import"
else
	fail "ctr image import" "$(describe "$T_TMP/cimport.log")"
	finish
fi
RB=(--runc-binary "$RUNTIME")

out=$(ctr_ run --rm "${RB[@]}" localhost/bb:1 t1 sh -c 'echo hello from ctr; exit 4' 2>"$T_TMP/e1")
rc=$?
[ "$out" = "hello from ctr" ] && [ $rc -eq 4 ] && pass "run: output and exit code 4" ||
	fail "run" "rc=$rc out='$out' err='$(describe "$T_TMP/e1")'"

mkdir -p "$T_TMP/vol"
echo from-host >"$T_TMP/vol/in"
out=$(ctr_ run --rm "${RB[@]}" --mount "type=bind,src=$T_TMP/vol,dst=/data,options=rbind:rw" \
	localhost/bb:1 t2 sh -c 'cat /data/in; echo from-container >/data/out' 2>"$T_TMP/e2")
[ "$out" = from-host ] && [ "$(cat "$T_TMP/vol/out" 2>/dev/null)" = from-container ] &&
	pass "bind mount: read and written from inside" ||
	fail "bind mount" "out='$out' err='$(describe "$T_TMP/e2")'"

# A detached task: exec, then SIGTERM (the trap exits 7).
if ctr_ run -d "${RB[@]}" localhost/bb:1 t3 \
	sh -c 'trap "exit 7" TERM; while :; do sleep 1; done' >/dev/null 2>"$T_TMP/e3"; then
	pass "run -d"
	st=$(ctr_ task ls 2>&1 | awk '$1 == "t3" {print $3}')
	[ "$st" = RUNNING ] && pass "task ls: RUNNING" || fail "task ls" "'$st'"
	out=$(ctr_ task exec --exec-id e1 t3 sh -c 'echo exec ok; exit 5' 2>"$T_TMP/e4")
	rc=$?
	[ "$out" = "exec ok" ] && [ $rc -eq 5 ] && pass "task exec: output and exit code 5" ||
		fail "task exec" "rc=$rc out='$out' err='$(describe "$T_TMP/e4")'"
	ctr_ task kill -s SIGTERM t3 2>"$T_TMP/e5"
	for _ in $(seq 1 600); do
		st=$(ctr_ task ls 2>&1 | awk '$1 == "t3" {print $3}')
		[ "$st" = STOPPED ] && break
		sleep 0.1
	done
	[ "$st" = STOPPED ] && pass "task kill SIGTERM: STOPPED" || fail "task kill SIGTERM" "'$st'"
	# task delete reports the status the shim saw.
	out=$(ctr_ task delete t3 2>&1)
	[[ $out == *"exit code 7"* ]] && pass "task delete: exit code 7 (the trap ran)" ||
		fail "task delete" "'$out'"
	out=$(ctr_ container rm t3 2>&1)
	[ -z "$out" ] && pass "container rm" || fail "container rm" "'$out'"
else
	fail "run -d" "$(describe "$T_TMP/e3")"
fi

# SIGKILL: the shim sees the process killed by signal 9 (status 137).
if ctr_ run -d "${RB[@]}" localhost/bb:1 t4 sleep 1000 >/dev/null 2>"$T_TMP/e6"; then
	ctr_ task kill -s SIGKILL t4 2>/dev/null
	for _ in $(seq 1 600); do
		st=$(ctr_ task ls 2>&1 | awk '$1 == "t4" {print $3}')
		[ "$st" = STOPPED ] && break
		sleep 0.1
	done
	out=$(ctr_ task delete t4 2>&1)
	[ "$st" = STOPPED ] && [[ $out == *"exit code 137"* ]] &&
		pass "task kill SIGKILL: STOPPED, exit code 137" || fail "task kill SIGKILL" "'$st' '$out'"
	ctr_ container rm t4 >/dev/null 2>&1
else
	fail "run -d (kill)" "$(describe "$T_TMP/e6")"
fi

# A terminal: the shim passes --console-socket; script(1) gives ctr the tty it needs.
timeout -k 5 "$CLIENT_TIMEOUT" script -qec "${CTR[*]} run --rm -t ${RB[*]} localhost/bb:1 t5 sh -c 'tty; test -t 0 && echo is-a-tty; exit 6'" /dev/null >"$T_TMP/o7" 2>"$T_TMP/e7"
rc=$?
# script(1) writes the terminal's end-of-file character when its stdin ends; before the
# terminal is raw the line discipline echoes it (a NUL, as ^@).
out=$(tr -d '\r' <"$T_TMP/o7" | sed 's/\^@//g' | tr '\n' ' ')
[[ $out == "/dev/pts/"[0-9]*" is-a-tty " ]] && [ "$rc" -eq 6 ] &&
	pass "run -t: the process has a terminal ($out), exit code 6" ||
	fail "run -t" "rc=$rc out='$out' err='$(describe "$T_TMP/e7")'"

# Two containers at once, each in its own microVM: both run, each sees its own /tmp
# and neither sees the other's processes.
ok=0
for n in 6 7; do
	ctr_ run -d "${RB[@]}" localhost/bb:1 "t$n" sh -c "echo t$n >/tmp/me; sleep 1000" \
		>/dev/null 2>"$T_TMP/e8-$n" && ok=$((ok + 1))
done
if [ $ok -eq 2 ]; then
	st=$(ctr_ task ls 2>&1 | awk '$1 == "t6" || $1 == "t7" {print $3}' | tr '\n' ' ')
	a=$(ctr_ task exec --exec-id x6 t6 sh -c 'cat /tmp/me; ps -o comm | grep -c sleep' 2>&1 | tr '\n' ' ')
	b=$(ctr_ task exec --exec-id x7 t7 sh -c 'cat /tmp/me; ps -o comm | grep -c sleep' 2>&1 | tr '\n' ' ')
	[ "$st" = "RUNNING RUNNING " ] && [ "$a" = "t6 1 " ] && [ "$b" = "t7 1 " ] &&
		pass "two containers at once: both RUNNING, each sees only its own" ||
		fail "two containers at once" "state='$st' t6='$a' t7='$b'"
else
	fail "two containers at once: run -d" "$(describe "$T_TMP/e8-6") $(describe "$T_TMP/e8-7")"
fi
for n in 6 7; do
	ctr_ task kill -s SIGKILL "t$n" >/dev/null 2>&1
done
for n in 6 7; do
	for _ in $(seq 1 600); do
		st=$(ctr_ task ls 2>&1 | awk -v id="t$n" '$1 == id {print $3}')
		[ "$st" = STOPPED ] || [ -z "$st" ] && break
		sleep 0.1
	done
	ctr_ task delete "t$n" >/dev/null 2>&1
	ctr_ container rm "t$n" >/dev/null 2>&1
done

left=$(ctr_ task ls -q 2>&1; ctr_ container ls -q 2>&1)
[ -z "$left" ] && pass "no task or container left" || fail "left behind" "'$left'"
stop_containerd
sleep 1
no_vmm_left && pass "no ozone-vmm left" || fail "ozone-vmm processes left" "$(pgrep -af "$OZONE_BUILD/bin/ozone-vmm" | head -3)"
finish
