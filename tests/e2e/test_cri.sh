#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A Kubernetes-style pod through containerd's CRI plugin, with the runtime
# under test as a runtime class: the runc shim (io.containerd.runc.v2) with
# BinaryName = RUNTIME, named "ozone", the default runtime and the pod's
# runtime_handler. The CRI client is cri/cri.py (python3-grpcio, with the
# message code protoc makes from cri/api.proto, a subset of CRI v1).
# Checks: RunPodSandbox and SANDBOX_READY; an app container's output in its
# CRI log, its exit code, and the pod's PID namespace (its PID 1 is the
# pod's sandbox process); ExecSync's output and exit code; two containers
# sharing the pod's IPC namespace and /dev/shm; StopContainer, StopPodSandbox
# (which stops what still runs), RemoveContainer, RemovePodSandbox, and
# nothing left behind: no pod or container, no runtime state, no mount.
# The pod's network is the pod's own, made by CNI (Debian's bridge and
# host-local plugins, ipMasq off): a container has its address on eth0 and
# reaches the bridge's gateway, and the test's namespace reaches the pod.
# The test and its containerd run in a network namespace of their own, so
# nothing touches an interface of the machine and no route leads out.
# RUNTIME=/usr/sbin/runc runs the same checks against runc.
# shellcheck disable=SC2015 # `COND && pass ... || fail ...`: pass, fail and skip return 0
if [ -z "${OZONE_CRI_NETNS:-}" ]; then
	OZONE_CRI_NETNS=1 exec unshare --net --mount --propagation private bash "$0" "$@"
fi
ip link set lo up
. "$(dirname "$0")/clients.sh"
# CNI keeps its results under /var/lib/cni, a path containerd 1.6 cannot
# move: where /var/lib is read-only (the test host's image), a writable
# layer over it, in this test's mount namespace only; also where
# /var/lib/cni exists (made by a run on the machine itself) but is read-only.
if ! mkdir -p /var/lib/cni 2>/dev/null || [ ! -w /var/lib/cni ]; then
	mkdir -p "$T_TMP/varlib/upper" "$T_TMP/varlib/work"
	if ! mount -t overlay overlay \
		-o "lowerdir=/var/lib,upperdir=$T_TMP/varlib/upper,workdir=$T_TMP/varlib/work" /var/lib ||
		! mkdir -p /var/lib/cni; then
		fail "a writable /var/lib/cni for CNI's cache (overlay on a read-only /var/lib)"
		finish
	fi
fi
require_clients containerd ctr podman protoc
if ! /usr/bin/python3 -c 'import grpc, google.protobuf' 2>/dev/null; then
	fail "python3-grpcio and python3-protobuf are not installed (scripts/install-deps installs them)"
	finish
fi

CRI_SRC=$(cd "$(dirname "$0")/cri" && pwd)
mkdir -p "$T_TMP/cri"
if ! protoc -I "$CRI_SRC" --python_out="$T_TMP/cri" "$CRI_SRC/api.proto" 2>"$T_TMP/protoc.log"; then
	fail "protoc api.proto" "$(describe "$T_TMP/protoc.log")"
	finish
fi
# Every CRI call has a gRPC deadline of CLIENT_TIMEOUT s; the process gets a minute more.
cri() {
	PYTHONPATH=$T_TMP/cri timeout -k 5 $((CLIENT_TIMEOUT + 60)) /usr/bin/python3 "$CRI_SRC/cri.py" \
		--socket "$CD_DIR/c.sock" --timeout "$CLIENT_TIMEOUT" "$@"
}

# The images: busybox, and the same files as the pod's sandbox image, whose
# process (the "pause" container) sleeps.
make_rootfs_tar
# shellcheck disable=SC2034 # pm (clients.sh) runs it
PODMAN=(podman --root "$T_TMP/podman/root" --runroot "$T_TMP/podman/run"
	--cgroup-manager=cgroupfs --events-backend=file)
if ! pm import "$T_TMP/rootfs.tar" localhost/bb:1 >"$T_TMP/import.log" 2>&1 ||
	! pm import --change 'CMD ["/bin/sleep", "1000000"]' "$T_TMP/rootfs.tar" localhost/bb-pause:1 \
		>>"$T_TMP/import.log" 2>&1 ||
	! pm save --format oci-archive -o "$T_TMP/bb-oci.tar" localhost/bb:1 >>"$T_TMP/import.log" 2>&1 ||
	! pm save --format oci-archive -o "$T_TMP/pause-oci.tar" localhost/bb-pause:1 >>"$T_TMP/import.log" 2>&1; then
	fail "build the images" "$(describe "$T_TMP/import.log")"
	finish
fi

# The CRI plugin, everything under the temp dir (the shim's runtime state too:
# Root; it adds the namespace, k8s.io). Pods get their network from CNI: a
# bridge in the test's namespace, addresses from host-local (its state under
# the temp dir), the plugins Debian installs in /usr/lib/cni. No AppArmor profile (the test host
# runs Debian's kernel, which has AppArmor; apparmor_parser is not
# installed). The sandbox's oomScoreAdj (-998) is capped to containerd's own:
# root may lack CAP_SYS_RESOURCE, and runc then fails to create the sandbox. The images are imported before any pod: the CRI plugin
# pulls only a sandbox_image it does not have, and never a container's.
RUNC_ROOT=$CD_DIR/runc
mkdir -p "$T_TMP/cni/conf" "$T_TMP/cni/ipam" "$T_TMP/pods"
POD_NET=10.88.7
cat >"$T_TMP/cni/conf/10-ozone.conflist" <<EOF
{"cniVersion": "1.0.0", "name": "ozone-test",
 "plugins": [{"type": "bridge", "bridge": "ozbr0", "isGateway": true, "ipMasq": false,
              "ipam": {"type": "host-local", "dataDir": "$T_TMP/cni/ipam",
                       "ranges": [[{"subnet": "$POD_NET.0/24", "gateway": "$POD_NET.1"}]],
                       "routes": [{"dst": "0.0.0.0/0"}]}}]}
EOF
CRI_TOML=$(
	cat <<EOF
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/bb-pause:1"
  disable_apparmor = true
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$T_TMP/cni/conf"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "ozone"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.ozone]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.ozone.options]
        BinaryName = "$RUNTIME"
        Root = "$RUNC_ROOT"
EOF
)
if ! start_containerd "$CRI_TOML"; then
	fail "containerd did not start" "$(describe "$CD_DIR/log")"
	finish
fi
out=$(cri version 2>&1)
if [[ $out == "containerd "*" v1" ]] && grep -q 'Start cri plugin' "$CD_DIR/log"; then
	pass "containerd started, its CRI plugin serves CRI v1 ($out)"
else
	fail "CRI plugin" "'$out' $(grep -m1 -i 'cri.*error' "$CD_DIR/log" | head -c 300)"
	stop_containerd
	finish
fi
if ctr_ -n k8s.io image import --base-name localhost/bb "$T_TMP/bb-oci.tar" >"$T_TMP/cimport.log" 2>&1 &&
	ctr_ -n k8s.io image import --base-name localhost/bb-pause "$T_TMP/pause-oci.tar" >>"$T_TMP/cimport.log" 2>&1 &&
	cri image localhost/bb:1 >/dev/null 2>>"$T_TMP/cimport.log" &&
	cri image localhost/bb-pause:1 >/dev/null 2>>"$T_TMP/cimport.log"; then
	pass "images imported into k8s.io, and the CRI image service has them"
else
	fail "image import" "$(describe "$T_TMP/cimport.log")"
	stop_containerd
	finish
fi

# The pod: its own network, PID and IPC namespaces (POD).
cat >"$T_TMP/pod.json" <<EOF
{"metadata": {"name": "ozonepod", "uid": "7c1e0b6a-0001", "namespace": "default"},
 "hostname": "ozonepod", "log_directory": "$T_TMP/pods/ozonepod",
 "linux": {"security_context": {"namespace_options": {"network": "POD", "pid": "POD", "ipc": "POD"}}}}
EOF
# ctr_json NAME COMMAND_JSON: a container of the pod, logging to NAME.log.
ctr_json() {
	cat >"$T_TMP/$1.json" <<EOF
{"metadata": {"name": "$1"}, "image": {"image": "localhost/bb:1"},
 "command": $2, "log_path": "$1.log",
 "linux": {"security_context": {"namespace_options": {"network": "POD", "pid": "POD", "ipc": "POD"}}}}
EOF
}
POD=
teardown() {
	[ -n "$POD" ] && { cri stopp "$POD"; cri rmp "$POD"; } >/dev/null 2>&1
	stop_containerd
}

POD=$(cri runp --handler ozone "$T_TMP/pod.json" 2>"$T_TMP/e1")
st=$(cri podstatus "$POD" 2>&1)
if [ -n "$POD" ] && [ "$st" = "SANDBOX_READY ozone" ]; then
	pass "RunPodSandbox (runtime_handler ozone): pod ${POD:0:12}, SANDBOX_READY"
else
	fail "RunPodSandbox" "pod='$POD' status='$st' err='$(describe "$T_TMP/e1")'"
	teardown
	finish
fi

# An app container: its output goes to the CRI log (timestamp, stream, F for a
# full line); its PID 1 is the pod's sandbox process.
# shellcheck disable=SC2016 # $(tr ...) runs in the container
ctr_json app '["sh", "-c", "echo hello from a pod; echo pid 1: $(tr \"\\0\" \" \" </proc/1/cmdline); exit 3"]'
C1=$(cri create "$POD" "$T_TMP/app.json" "$T_TMP/pod.json" 2>"$T_TMP/e2")
if [ -n "$C1" ] && cri start "$C1" 2>>"$T_TMP/e2" && cri wait "$C1" "$CLIENT_TIMEOUT" 2>>"$T_TMP/e2"; then
	st=$(cri status "$C1" 2>&1)
	[ "$st" = "CONTAINER_EXITED 3 Error" ] && pass "app container: CreateContainer, StartContainer, EXITED with exit code 3" ||
		fail "app container status" "'$st'"
	log=$T_TMP/pods/ozonepod/app.log
	grep -qE '^[^ ]+ stdout F hello from a pod$' "$log" 2>/dev/null &&
		pass "app container: its output in the CRI log" ||
		fail "app container log" "$(describe "$log")"
	grep -qE '^[^ ]+ stdout F pid 1: /bin/sleep 1000000 ?$' "$log" 2>/dev/null &&
		pass "app container: in the pod's PID namespace (PID 1 is the sandbox's sleep)" ||
		fail "app container PID namespace" "$(describe "$log")"
else
	fail "app container" "id='$C1' $(describe "$T_TMP/e2")"
fi

# A long-running container and ExecSync.
ctr_json sleeper '["sleep", "1000000"]'
C2=$(cri create "$POD" "$T_TMP/sleeper.json" "$T_TMP/pod.json" 2>"$T_TMP/e3")
if [ -n "$C2" ] && cri start "$C2" 2>>"$T_TMP/e3"; then
	st=$(cri status "$C2" 2>&1)
	out=$(cri exec "$C2" "$CLIENT_TIMEOUT" sh -c 'echo exec ok; exit 5' 2>"$T_TMP/e4")
	rc=$?
	[ "$st" = "CONTAINER_RUNNING 0 -" ] && [ "$out" = "exec ok" ] && [ $rc -eq 5 ] &&
		pass "ExecSync in a running container: output and exit code 5" ||
		fail "ExecSync" "status='$st' rc=$rc out='$out' err='$(describe "$T_TMP/e4")'"
else
	fail "second container" "id='$C2' $(describe "$T_TMP/e3")"
fi

# The pod's network, as CNI made it: an address of the bridge's subnet on
# eth0, a default route via the bridge, the gateway reachable from inside,
# and the pod reachable from the test's namespace (the node's side).
if [ -n "$C2" ]; then
	net=$(cri exec "$C2" "$CLIENT_TIMEOUT" sh -c 'ip -4 -o addr show dev eth0; ip route show default' 2>&1)
	ip=$(grep -oE "inet $POD_NET\.[0-9]+" <<<"$net" | cut -d' ' -f2)
	[ -n "$ip" ] && grep -q "default via $POD_NET.1 dev eth0" <<<"$net" &&
		pass "the pod's network from CNI: eth0 has $ip, the default route is via $POD_NET.1" ||
		fail "the pod's network in the container" "'$(tr '\n' '|' <<<"$net")'"
	if out=$(cri exec "$C2" "$CLIENT_TIMEOUT" ping -c 2 -W 10 "$POD_NET.1" 2>&1); then
		pass "a container of the pod pings the bridge's gateway $POD_NET.1"
	else
		fail "ping the gateway from the pod" "$(tail -n 3 <<<"$out" | tr '\n' '|')"
	fi
	if [ -n "$ip" ] && /bin/busybox ping -c 2 -W 10 "$ip" >"$T_TMP/ping.log" 2>&1; then
		pass "the node's side pings the pod at $ip"
	else
		fail "ping the pod from the node's side" "$(describe "$T_TMP/ping.log")"
	fi
fi

# A third container: it and the second share the pod's IPC namespace (not the
# node's) and its /dev/shm.
ctr_json peer '["sleep", "1000000"]'
C3=$(cri create "$POD" "$T_TMP/peer.json" "$T_TMP/pod.json" 2>"$T_TMP/e5")
if [ -n "$C2" ] && [ -n "$C3" ] && cri start "$C3" 2>>"$T_TMP/e5"; then
	a=$(cri exec "$C2" "$CLIENT_TIMEOUT" sh -c 'readlink /proc/self/ns/ipc; echo shared >/dev/shm/from-sleeper' 2>&1)
	b=$(cri exec "$C3" "$CLIENT_TIMEOUT" sh -c 'readlink /proc/self/ns/ipc; cat /dev/shm/from-sleeper' 2>&1 | tr '\n' ' ')
	host=$(readlink /proc/self/ns/ipc)
	[[ $a == "ipc:["*"]" ]] && [ "$a" != "$host" ] && [ "$b" = "$a shared " ] &&
		pass "two containers of the pod share its IPC namespace ($a) and /dev/shm" ||
		fail "IPC namespace" "sleeper='$a' peer='$b' node='$host'"
else
	fail "third container" "id='$C3' $(describe "$T_TMP/e5")"
fi

# The runtime under test runs them, in the shim's Root.
ids=$(timeout -k 5 "$CLIENT_TIMEOUT" "$RUNTIME" --root "$RUNC_ROOT/k8s.io" list -q 2>&1 | sort | tr '\n' ' ')
want=$(printf '%s\n' "$POD" "$C2" "$C3" | sort | tr '\n' ' ')
[ "$ids" = "$want" ] && pass "$(basename "$RUNTIME") list: the sandbox and the two running containers" ||
	fail "$(basename "$RUNTIME") list" "'$ids', expected '$want'"
# ozone runs the whole pod in one microVM: the sandbox's; the containers start none.
if [ "$(basename "$RUNTIME")" = ozone ]; then
	n=$(pgrep -fc "$OZONE_BUILD/bin/ozone-vmm")
	[ "$n" = 1 ] && pass "one microVM for the pod of three containers" ||
		fail "microVMs for the pod" "$n: $(pgrep -af "$OZONE_BUILD/bin/ozone-vmm" | cut -c1-200)"
fi

# StopContainer (SIGTERM, 10 s of grace); StopPodSandbox stops what still runs.
if cri stop "$C2" 10 2>"$T_TMP/e6"; then
	st=$(cri status "$C2" 2>&1)
	[[ $st == "CONTAINER_EXITED "* ]] && pass "StopContainer: $st" || fail "StopContainer" "'$st'"
else
	fail "StopContainer" "$(describe "$T_TMP/e6")"
fi
if cri stopp "$POD" 2>"$T_TMP/e7"; then
	st=$(cri podstatus "$POD" 2>&1)
	st3=$(cri status "$C3" 2>&1)
	[ "$st" = "SANDBOX_NOTREADY ozone" ] && [[ $st3 == "CONTAINER_EXITED "* ]] &&
		pass "StopPodSandbox: SANDBOX_NOTREADY, its running container EXITED" ||
		fail "StopPodSandbox" "pod '$st' container '$st3'"
else
	fail "StopPodSandbox" "$(describe "$T_TMP/e7")"
fi
ok=1
for c in "$C1" "$C2" "$C3"; do
	[ -n "$c" ] && ! cri rm "$c" 2>>"$T_TMP/e8" && ok=0
done
[ $ok -eq 1 ] && pass "RemoveContainer" || fail "RemoveContainer" "$(describe "$T_TMP/e8")"
if cri rmp "$POD" 2>"$T_TMP/e9"; then
	pass "RemovePodSandbox"
	POD=
else
	fail "RemovePodSandbox" "$(describe "$T_TMP/e9")"
fi

left=$(cri pods 2>&1; cri ps 2>&1)
[ -z "$left" ] && pass "no pod or container left" || fail "left behind" "'$left'"
left=$(timeout -k 5 "$CLIENT_TIMEOUT" "$RUNTIME" --root "$RUNC_ROOT/k8s.io" list -q 2>&1)
[ ! -d "$RUNC_ROOT/k8s.io" ] || [ -z "$left" ] && pass "$(basename "$RUNTIME") list: no container left" ||
	fail "$(basename "$RUNTIME") list" "'$left'"
left=$(grep -F "$CD_DIR/" /proc/self/mounts)
[ -z "$left" ] && pass "no mount left (rootfs, the pod's /dev/shm)" || fail "mounts left" "$(echo "$left" | head -3)"
teardown
sleep 1
no_vmm_left && pass "no ozone-vmm left" || fail "ozone-vmm processes left" "$(pgrep -af "$OZONE_BUILD/bin/ozone-vmm" | head -3)"
finish
