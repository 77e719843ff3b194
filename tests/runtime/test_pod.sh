#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Pods on the host, without a VM: the stand-in VMM of test_proxy.sh (the
# agent's host mode behind the sandbox's hybrid vsock socket). A pod's
# sandbox container, marked as containerd's CRI marks it, starts the VM; a
# container of the same pod joins that VM instead of starting one, gets its
# rootfs in the VM's shared directory, and joins the sandbox's namespaces
# that its spec names by the host path of the sandbox's pid (containerd
# writes /proc/<pid of the pid file>/ns/ipc). Checks: one VM for the pod,
# the shared hostname and IPC namespace, exec and ps in the member,
# deleting the member leaves the pod's VM running (and takes exactly its own
# mounts, even after a guest-side rename in the share, whose top is
# read-only), CRI-O's annotations,
# the errors (no such sandbox, a member as a sandbox, a host namespace
# outside a pod), and nothing left after the sandbox goes.
# shellcheck disable=SC2015 # `COND && pass ... || fail ...`: pass, fail and skip return 0
. "$(dirname "$0")/lib.sh"

AGENT=${OZONE_AGENT:-$OZONE_BUILD/bin/ozone-agent}
if [ "$(id -u)" -ne 0 ] || [ ! -x "$AGENT" ] || [ ! -x /bin/busybox ]; then
	echo "test_pod: needs root, /bin/busybox (static) and $AGENT" >&2
	exit 1
fi

STANDIN=$T_TMP/agent-vmm
agent_standin "$STANDIN"
: >"$T_TMP/kernel"
: >"$T_TMP/initrd"
export OZONE_VMM=$STANDIN OZONE_KERNEL=$T_TMP/kernel OZONE_INITRD=$T_TMP/initrd OZONE_BOOT_TIMEOUT=30

# bundle DIR ARGS-JSON NAMESPACES-JSON ANNOTATIONS-JSON [HOSTNAME]
bundle() {
	local dir=$1 host=${5:+\"hostname\":\"$5\",}
	mkdir -p "$dir/rootfs/bin" "$dir/rootfs/proc" "$dir/rootfs/dev" "$dir/rootfs/tmp"
	cp /bin/busybox "$dir/rootfs/bin/busybox"
	for c in sh echo cat sleep hostname readlink ls true; do
		ln -sf busybox "$dir/rootfs/bin/$c"
	done
	basename "$dir" >"$dir/rootfs/whoami"
	cat >"$dir/config.json" <<EOF
{"ociVersion":"1.0.2","process":{"terminal":false,"user":{"uid":0,"gid":0},"args":$2,
"env":["PATH=/bin","HOME=/"],"cwd":"/"},"root":{"path":"rootfs"},$host
"annotations":$4,
"mounts":[{"destination":"/proc","type":"proc","source":"proc"}],
"linux":{"namespaces":$3}}
EOF
}
vms() { pgrep -fc "$AGENT --hybrid-socket $ROOT" 2>/dev/null || true; }

CRI_T=io.kubernetes.cri.container-type
CRI_S=io.kubernetes.cri.sandbox-id

# The pod's network namespace, as CNI leaves it (here without links): a path
# the sandbox's spec names. Host networking (no network namespace, or the
# host's by path) is refused.
unshare --net sleep 100000 &
T_PIDS+=("$!")
POD_NETNS=/proc/$!/ns/net
# The pod's sandbox container, as containerd's CRI makes it: its own ipc and uts namespaces, and
# the pod's network namespace by path.
bundle "$T_TMP/pause" '["sleep","1000"]' \
	'[{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"network","path":"'"$POD_NETNS"'"}]' \
	"{\"$CRI_T\":\"sandbox\",\"$CRI_S\":\"pod1\"}" podhost
oz run -d --pid-file "$T_TMP/pod1.pid" -b "$T_TMP/pause" pod1
[ "$RC" -eq 0 ] && [ "$(vms)" = 1 ] && pass "pod sandbox: running in a VM of its own" ||
	fail "pod sandbox" "rc=$RC $(cat "$ERR") vms=$(vms)"
P=$(cat "$T_TMP/pod1.pid" 2>/dev/null)

# A container of the pod: the sandbox's namespaces by the path of the sandbox's pid.
member_ns="[{\"type\":\"pid\"},{\"type\":\"ipc\",\"path\":\"/proc/$P/ns/ipc\"},{\"type\":\"uts\",\"path\":\"/proc/$P/ns/uts\"},{\"type\":\"mount\"},{\"type\":\"network\",\"path\":\"/proc/$P/ns/net\"}]"
bundle "$T_TMP/app" '["sleep","1000"]' "$member_ns" "{\"$CRI_T\":\"container\",\"$CRI_S\":\"pod1\"}"
oz create --pid-file "$T_TMP/app1.pid" -b "$T_TMP/app" app1
oz start app1
oz state app1
[ "$RC" -eq 0 ] && grep -q '"status": "running"' "$OUT" && [ "$(vms)" = 1 ] &&
	[ -e "$ROOT/pod1/shared/app1/rootfs/whoami" ] && [ ! -e "$ROOT/app1/vsock" ] &&
	pass "pod member: running in the pod's VM (still one VM; rootfs in the pod's shared dir)" ||
	fail "pod member" "rc=$RC $(cat "$OUT" "$ERR") vms=$(vms)"

oz exec app1 sh -c 'hostname; cat /whoami; readlink /proc/self/ns/ipc'
m=$(tr '\n' ' ' <"$OUT")
oz exec pod1 sh -c 'hostname; cat /whoami; readlink /proc/self/ns/ipc'
s=$(tr '\n' ' ' <"$OUT")
[ "${m%% *}" = podhost ] && [[ $m == "podhost app "ipc:* ]] && [[ $s == "podhost pause "ipc:* ]] &&
	[ "${m##*ipc:}" = "${s##*ipc:}" ] &&
	pass "pod member: the pod's hostname and IPC namespace, its own rootfs ($m| $s)" ||
	fail "pod member namespaces" "member='$m' sandbox='$s' $(cat "$ERR")"
oz exec app1 sh -c 'readlink /proc/self/ns/pid'
mp=$(cat "$OUT")
oz exec pod1 sh -c 'readlink /proc/self/ns/pid'
[ -n "$mp" ] && [ "$mp" != "$(cat "$OUT")" ] &&
	pass "pod member: a pid namespace of its own (the spec gives no path)" ||
	fail "pod member pid ns" "'$mp' '$(cat "$OUT")'"
oz ps --format json app1
[ "$RC" -eq 0 ] && grep -Eq '^\[[0-9]+(,[0-9]+)*\]$' "$OUT" && pass "pod member: ps" ||
	fail "pod member ps" "$(cat "$OUT" "$ERR")"

# A second member that runs to its end in the foreground, with its output.
# shellcheck disable=SC2016 # $(hostname) runs in the container
bundle "$T_TMP/app2" '["sh","-c","echo from app2 on $(hostname); exit 3"]' "$member_ns" \
	"{\"$CRI_T\":\"container\",\"$CRI_S\":\"pod1\"}"
oz run -b "$T_TMP/app2" app2
[ "$RC" -eq 3 ] && [ "$(cat "$OUT")" = "from app2 on podhost" ] && [ ! -e "$ROOT/app2" ] &&
	[ ! -e "$ROOT/pod1/shared/app2" ] && [ "$(vms)" = 1 ] &&
	pass "pod member: run to its end (output, exit code 3), then gone from the pod's VM" ||
	fail "pod member run" "rc=$RC $(cat "$OUT" "$ERR")"

# The guest writes at the top of the share (the state dir's tmpfs) get EROFS; a rw rootfs in it
# is still written through.
if ! touch "$ROOT/pod1/shared/fill" 2>/dev/null && ! mkdir "$ROOT/pod1/shared/app1/x" 2>/dev/null &&
	touch "$ROOT/pod1/shared/fill" 2>&1 | grep -q "Read-only file system" &&
	echo w >"$ROOT/pod1/shared/app1/rootfs/tmp/w" && [ "$(cat "$T_TMP/app/rootfs/tmp/w")" = w ]; then
	pass "the share's top is read-only to the guest (EROFS); a rw rootfs in it is written through"
else
	fail "share's top" "$(ls -la "$ROOT/pod1/shared")"
fi
rm -f "$T_TMP/app/rootfs/tmp/w"

# A guest that renames the members' directories in the share before one is deleted (swapping
# app1's for app7's): delete app1 still detaches exactly app1's mounts, found by mount id.
bundle "$T_TMP/app7" '["sleep","1000"]' "$member_ns" "{\"$CRI_T\":\"container\",\"$CRI_S\":\"pod1\"}"
oz run -d -b "$T_TMP/app7" app7
mount_ids() { awk -v p="$ROOT/pod1/shared/$1/" 'index($5, p) == 1 {print $1}' /proc/self/mountinfo | sort; }
ids1=$(mount_ids app1)
ids7=$(mount_ids app7)
S1=$ROOT/pod1/shared
mv "$S1/app1" "$S1/gone" 2>/dev/null && mv "$S1/app7" "$S1/app1" 2>/dev/null && mv "$S1/gone" "$S1/app7" 2>/dev/null
# Deleting a member: its processes and share go, the pod's VM and sandbox stay.
oz kill app1 KILL
for _ in $(seq 50); do kill -0 "$(cat "$T_TMP/app1.pid")" 2>/dev/null || break; sleep 0.1; done
oz delete app1
rc=$RC
oz state pod1
[ $rc -eq 0 ] && [ ! -e "$ROOT/app1" ] && [ ! -e "$ROOT/pod1/shared/app1" ] && [ "$(vms)" = 1 ] &&
	grep -q '"status": "running"' "$OUT" && ! grep -q " $ROOT/pod1/shared/app1" /proc/mounts &&
	pass "delete of a member: its state, share and mounts gone; the pod still runs" ||
	fail "delete member" "rc=$rc $(cat "$ERR") vms=$(vms)"
left=$(awk '{print $1}' /proc/self/mountinfo | sort)
oz exec app7 cat /whoami
[ -n "$ids1" ] && [ -n "$ids7" ] && [ -z "$(comm -12 <(echo "$ids1") <(echo "$left"))" ] &&
	[ -z "$(comm -23 <(echo "$ids7") <(echo "$left"))" ] && [ "$(cat "$OUT")" = app7 ] &&
	pass "after a guest-side rename of the members' dirs, delete took exactly app1's mounts; app7 runs on" ||
	fail "delete after rename" "app1 [$ids1] app7 [$ids7] left: $(comm -12 <(echo "$ids1 $ids7" | tr ' ' '\n' | sort) <(echo "$left") | tr '\n' ' ') $(cat "$OUT" "$ERR")"
oz delete --force app7
oz exec pod1 true
[ "$RC" -eq 0 ] && pass "the pod's sandbox still answers exec" || fail "sandbox exec" "$(cat "$ERR")"

# delete --force of a running member.
oz run -d -b "$T_TMP/app" app3
oz delete --force app3
[ "$RC" -eq 0 ] && [ ! -e "$ROOT/app3" ] && [ "$(vms)" = 1 ] &&
	pass "delete --force of a running member: gone, the pod's VM stays" ||
	fail "delete --force member" "rc=$RC $(cat "$ERR")"

# Errors: nothing is made.
bundle "$T_TMP/bad" '["true"]' '[{"type":"mount"}]' "{\"$CRI_T\":\"container\",\"$CRI_S\":\"nosuch\"}"
expect_err "member of a sandbox that does not exist" 1 \
	"ozone: pod sandbox nosuch: no such container" create -b "$T_TMP/bad" bad1
bundle "$T_TMP/bad" '["true"]' '[{"type":"mount"}]' "{\"$CRI_T\":\"container\"}"
expect_err "member without a sandbox id" 1 \
	"ozone: config.json: annotation $CRI_S is missing (a pod's container names its sandbox)" \
	create -b "$T_TMP/bad" bad2
bundle "$T_TMP/bad" '["true"]' '[{"type":"mount"}]' "{\"$CRI_T\":\"podling\"}"
expect_err "unknown container type" 1 \
	"ozone: config.json: annotation $CRI_T: \"podling\" is neither \"sandbox\" nor \"container\"" \
	create -b "$T_TMP/bad" bad3
bundle "$T_TMP/bad" '["true"]' "[{\"type\":\"mount\"},{\"type\":\"ipc\",\"path\":\"/proc/$P/ns/ipc\"}]" '{}'
expect_err "a host namespace outside a pod" 1 \
	"ozone: config.json: linux.namespaces: the ipc namespace /proc/$P/ns/ipc is the host's: a container in a microVM cannot join it" \
	create -b "$T_TMP/bad" bad4
oz run -d -b "$T_TMP/app" app4
bundle "$T_TMP/bad" '["true"]' '[{"type":"mount"}]' "{\"$CRI_T\":\"container\",\"$CRI_S\":\"app4\"}"
expect_err "a member as a pod's sandbox" 1 \
	"ozone: pod sandbox app4: not a pod's sandbox container (its annotation $CRI_T is not \"sandbox\")" \
	create -b "$T_TMP/bad" bad5
[ ! -e "$ROOT/bad1" ] && [ ! -e "$ROOT/bad5" ] && [ ! -e "$ROOT/pod1/shared/bad5" ] &&
	pass "the failed creates left nothing" || fail "failed creates left" "$(ls "$ROOT" "$ROOT/pod1/shared")"

# CRI-O's annotations: the same, with its pinned namespace files as paths for the sandbox.
bundle "$T_TMP/crio-pause" '["sleep","1000"]' \
	'[{"type":"pid"},{"type":"mount"},{"type":"ipc","path":"/var/run/ipcns/x"},{"type":"uts","path":"/var/run/utsns/x"},{"type":"network","path":"'"$POD_NETNS"'"}]' \
	'{"io.kubernetes.cri-o.ContainerType":"sandbox","io.kubernetes.cri-o.SandboxID":"pod2"}' crio
oz run -d --pid-file "$T_TMP/pod2.pid" -b "$T_TMP/crio-pause" pod2
rc=$RC
bundle "$T_TMP/crio-app" '["sh","-c","hostname"]' \
	'[{"type":"pid"},{"type":"mount"},{"type":"ipc","path":"/var/run/ipcns/x"},{"type":"uts","path":"/var/run/utsns/x"}]' \
	'{"io.kubernetes.cri-o.ContainerType":"container","io.kubernetes.cri-o.SandboxID":"pod2"}'
oz run -b "$T_TMP/crio-app" app5
[ $rc -eq 0 ] && [ "$RC" -eq 0 ] && [ "$(cat "$OUT")" = crio ] && [ "$(vms)" = 2 ] &&
	pass "CRI-O's annotations: a pod of two in one VM (pinned namespace paths)" ||
	fail "CRI-O pod" "rc=$rc/$RC $(cat "$OUT" "$ERR") vms=$(vms)"

# The sandbox goes first: its VM stops, the member reads stopped and deletes cleanly.
oz create -b "$T_TMP/app" app6
oz delete --force pod1
rc=$RC
# Its proxy sees the VM go and ends.
for _ in $(seq 50); do
	oz state app6
	grep -q '"status": "stopped"' "$OUT" && break
	sleep 0.1
done
grep -q '"status": "stopped"' "$OUT" && [ $rc -eq 0 ] && pass "sandbox deleted first: its member reads stopped" ||
	fail "sandbox first" "rc=$rc $(cat "$OUT" "$ERR")"
oz delete app6
[ "$RC" -eq 0 ] && [ ! -e "$ROOT/app6" ] && pass "then the member deletes cleanly" ||
	fail "member after sandbox" "$(cat "$ERR")"
for id in app4 pod2; do oz delete --force "$id"; done
[ -z "$(ls -A "$ROOT")" ] && [ "$(vms)" = 0 ] && ! grep -q " $ROOT" /proc/mounts &&
	pass "nothing left (state, VMs, mounts)" ||
	fail "left behind" "$(ls -A "$ROOT") vms=$(vms) $(grep " $ROOT" /proc/mounts)"
finish
