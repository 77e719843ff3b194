#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# containerd's runc shim (io.containerd.runc.v2) drives the runtime under
# test through `ctr --runc-binary`: output and exit code, a detached task
# with exec, kill by SIGTERM and SIGKILL with the right statuses, a bind
# mount, and nothing left behind. containerd runs on a socket of the
# test's own and is stopped by pid. RUNTIME=/usr/sbin/runc runs the same
# checks against runc.
. "$(dirname "$0")/clients.sh"
require_clients containerd ctr podman

# The image: made by podman offline, saved as an OCI archive, imported.
make_rootfs_tar
PODMAN=(podman --root "$T_TMP/podman/root" --runroot "$T_TMP/podman/run"
	--cgroup-manager=cgroupfs --events-backend=file)
if ! pm import "$T_TMP/rootfs.tar" localhost/bb:1 >"$T_TMP/import.log" 2>&1 ||
	! pm save --format oci-archive -o "$T_TMP/bb-oci.tar" localhost/bb:1 >>"$T_TMP/import.log" 2>&1; then
	fail "build the image" "$(describe "$T_TMP/import.log")"
	finish
fi
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
	for i in $(seq 1 600); do
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
	for i in $(seq 1 600); do
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

left=$(ctr_ task ls -q 2>&1; ctr_ container ls -q 2>&1)
[ -z "$left" ] && pass "no task or container left" || fail "left behind" "'$left'"
stop_containerd
sleep 1
no_vmm_left && pass "no ozone-vmm left" || fail "ozone-vmm processes left" "$(pgrep -af "$OZONE_BUILD/bin/ozone-vmm" | head -3)"
finish
