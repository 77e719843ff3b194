#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A Kubernetes-style pod in one real microVM, through the ozone CLI as
# containerd's CRI drives it: the sandbox container (annotated
# io.kubernetes.cri.container-type=sandbox) boots the pod's VM; two app
# containers of the pod join it. Their rootfs and volumes reach the running
# VMM's jail by mount propagation (read-only where asked, under the share's
# read-only top), their specs name the sandbox's ipc and uts
# namespaces by the host path of its pid (as containerd writes them), and
# each app has its own mount and pid namespaces. Then: deleting an app
# leaves the pod running, deleting the sandbox stops the VM, and nothing is
# left (no ozone-vmm, no mount, no state, the bundles unchanged).
# Runs on a /dev/kvm that can run Linux (inside the test host:
#   tests/testhost/run -- bash tests/integration/test_pod.sh).
# shellcheck disable=SC2015 # `COND && pass ... || fail ...`: pass, fail and skip return 0
. "${OZONE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/runtime/lib.sh"

export OZONE_BOOT_TIMEOUT=${OZONE_BOOT_TIMEOUT:-300}
if [ ! -c /dev/kvm ]; then
	fail "/dev/kvm is not available"
	finish
fi
for f in "$OZONE_BUILD/bin/ozone-vmm" "${OZONE_KERNEL:-$OZONE_BUILD/guest/bzImage}" \
	"${OZONE_INITRD:-$OZONE_BUILD/guest/initramfs.cpio}" /bin/busybox; do
	if [ ! -f "$f" ]; then
		fail "missing $f (build it first)"
		finish
	fi
done

CRI_T=io.kubernetes.cri.container-type
CRI_S=io.kubernetes.cri.sandbox-id

# bundle DIR ARGS-JSON NAMESPACES-JSON ANNOTATIONS-JSON [HOSTNAME]: a busybox rootfs with a volume.
bundle() {
	local dir=$1 host=${5:+\"hostname\":\"$5\",}
	mkdir -p "$dir/rootfs/bin" "$dir/rootfs/proc" "$dir/rootfs/dev" "$dir/rootfs/tmp" "$dir/rootfs/data"
	cp /bin/busybox "$dir/rootfs/bin/busybox"
	for c in sh echo cat sleep true hostname readlink ls ipcs; do
		ln -sf busybox "$dir/rootfs/bin/$c"
	done
	basename "$dir" >"$dir/rootfs/whoami"
	cat >"$dir/config.json" <<EOF
{"ociVersion":"1.0.2","process":{"terminal":false,"user":{"uid":0,"gid":0},"args":$2,
"env":["PATH=/bin","HOME=/"],"cwd":"/"},"root":{"path":"rootfs","readonly":true},$host
"annotations":$4,
"mounts":[{"destination":"/proc","type":"proc","source":"proc"},
{"destination":"/tmp","type":"tmpfs","source":"tmpfs"},
{"destination":"/data","type":"bind","source":"$T_TMP/vol-$(basename "$dir")","options":["rbind","rw"]}],
"linux":{"namespaces":$3}}
EOF
	mkdir -p "$T_TMP/vol-$(basename "$dir")"
}
vmms() { pgrep -f "$OZONE_BUILD/bin/ozone-vmm .*$ROOT" | wc -l; }
snapshot() { (cd "$T_TMP" && find pause app1 app2 -printf '%p %y %m %s\n' | sort); }

# The pod's network namespace, as CNI leaves it (here without links): a path
# the sandbox's spec names. Host networking (no network namespace, or the
# host's by path) is refused.
unshare --net sleep 100000 &
T_PIDS+=("$!")
POD_NETNS=/proc/$!/ns/net
bundle "$T_TMP/pause" '["sleep","100000"]' \
	'[{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"network","path":"'"$POD_NETNS"'"}]' \
	"{\"$CRI_T\":\"sandbox\",\"$CRI_S\":\"pod\"}" podhost
start=$SECONDS
oz create --pid-file "$T_TMP/pod.pid" -b "$T_TMP/pause" pod
oz start pod
oz state pod
if [ "$RC" -eq 0 ] && grep -q '"status": "running"' "$OUT" && [ "$(vmms)" -eq 1 ]; then
	pass "pod sandbox: running in its microVM ($((SECONDS - start)) s)"
else
	fail "pod sandbox" "rc=$RC $(cat "$OUT" "$ERR"); $(tail -5 "$ROOT/pod/vmm.log" 2>/dev/null)"
	finish
fi
P=$(cat "$T_TMP/pod.pid")
ns="[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"ipc\",\"path\":\"/proc/$P/ns/ipc\"},{\"type\":\"uts\",\"path\":\"/proc/$P/ns/uts\"},{\"type\":\"network\",\"path\":\"/proc/$P/ns/net\"}]"
ann="{\"$CRI_T\":\"container\",\"$CRI_S\":\"pod\"}"
bundle "$T_TMP/app1" '["sh","-c","echo one >/data/out; sleep 100000"]' "$ns" "$ann"
bundle "$T_TMP/app2" '["sh","-c","cat /whoami; hostname; cat /data/in; readlink /proc/self/ns/ipc; readlink /proc/self/ns/mnt; exit 4"]' "$ns" "$ann"
echo "into app2" >"$T_TMP/vol-app2/in"
snapshot >"$T_TMP/before"

start=$SECONDS
oz run -d -b "$T_TMP/app1" app1
[ "$RC" -eq 0 ] && [ "$(vmms)" -eq 1 ] &&
	pass "app1: running in the pod's VM, no VM of its own ($((SECONDS - start)) s)" ||
	fail "app1" "rc=$RC $(cat "$ERR"); vmms=$(vmms); $(tail -5 "$ROOT/pod/vmm.log")"
for _ in $(seq 100); do [ -s "$T_TMP/vol-app1/out" ] && break; sleep 0.2; done
[ "$(cat "$T_TMP/vol-app1/out" 2>/dev/null)" = one ] &&
	pass "app1: its volume, mounted after the VM started, is written through" ||
	fail "app1 volume" "$(ls -la "$T_TMP/vol-app1")"

# As the VMM sees the share (its own mount namespace): the top read-only, app1's read-only
# rootfs read-only too although it was attached after the VM started, its rw volume rw.
vmm=$(cut -d' ' -f1 "$ROOT/pod/vmm.pid")
opt() { awk -v p="$1" '$5 == p {split($6, o, ","); f = o[1]} END {print f}' "/proc/$vmm/mountinfo"; }
if [ "$(opt /fs/0)" = ro ] && [ "$(opt /fs/0/app1/rootfs)" = ro ] &&
	[ "$(opt /fs/0/app1/mounts/2)" = rw ] &&
	touch "/proc/$vmm/root/fs/0/fill" 2>&1 | grep -q "Read-only file system"; then
	pass "in the VMM: the share's top read-only (EROFS), app1's ro rootfs ro, its rw volume rw"
else
	fail "the VMM's share" "top=$(opt /fs/0) rootfs=$(opt /fs/0/app1/rootfs) volume=$(opt /fs/0/app1/mounts/2)"
fi

oz run -b "$T_TMP/app2" app2
rc=$RC
out=$(tr '\n' ' ' <"$OUT")
oz exec pod sh -c 'readlink /proc/self/ns/ipc; readlink /proc/self/ns/mnt'
sb=$(tr '\n' ' ' <"$OUT")
read -r _ _ _ _ a_ipc a_mnt <<<"$out"
read -r s_ipc s_mnt <<<"$sb"
[ $rc -eq 4 ] && [[ $out == "app2 podhost into app2 ipc:"* ]] && [ "$a_ipc" = "$s_ipc" ] &&
	[ -n "$a_mnt" ] && [ "$a_mnt" != "$s_mnt" ] &&
	pass "app2: exit code 4, its own rootfs and volume, the pod's hostname and IPC namespace, its own mount namespace" ||
	fail "app2" "rc=$rc out='$out' sandbox='$sb' $(cat "$ERR")"
[ ! -e "$ROOT/app2" ] && [ "$(vmms)" -eq 1 ] && pass "app2: run --rm style: gone, the pod's VM stays" ||
	fail "app2 left" "$(ls "$ROOT") vmms=$(vmms)"

oz exec app1 sh -c 'cat /whoami; hostname'
[ "$RC" -eq 0 ] && [ "$(tr '\n' ' ' <"$OUT")" = "app1 podhost " ] && pass "exec into app1" ||
	fail "exec app1" "rc=$RC $(cat "$OUT" "$ERR")"
oz delete --force app1
oz exec pod cat /whoami
[ "$(cat "$OUT")" = pause ] && [ ! -e "$ROOT/app1" ] && ! grep -q " $ROOT/pod/shared/app1" /proc/mounts &&
	pass "delete --force app1: its state and mounts gone, the sandbox still runs" ||
	fail "delete app1" "$(cat "$OUT" "$ERR")"

oz kill pod KILL
for _ in $(seq 100); do kill -0 "$P" 2>/dev/null || break; sleep 0.1; done
oz delete pod
[ "$RC" -eq 0 ] && [ "$(vmms)" -eq 0 ] && [ -z "$(ls -A "$ROOT")" ] && ! grep -q " $ROOT" /proc/mounts &&
	pass "delete of the sandbox: no ozone-vmm, no mount, no state left" ||
	fail "delete pod" "rc=$RC $(cat "$ERR") vmms=$(vmms) $(ls -A "$ROOT")"
snapshot | cmp -s - "$T_TMP/before" && pass "the bundles are unchanged" ||
	fail "bundles changed" "$(snapshot | diff - "$T_TMP/before" | head -5)"
finish
