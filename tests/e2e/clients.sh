# SPDX-License-Identifier: Apache-2.0
# Shared by the client tests (test_podman.sh, test_containerd.sh,
# test_cri.sh): a busybox image made offline, podman with its storage under
# the test's temp dir, and a containerd daemon of the test's own, stopped by
# pid. RUNTIME is the OCI runtime under test (default: ozone from the build);
# RUNTIME=/usr/sbin/runc runs the same checks against runc, which shows that
# the tests are right.
# shellcheck shell=bash
. "${OZONE_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}/tests/vmm/lib.sh"

RUNTIME=${RUNTIME:-$OZONE_BUILD/bin/ozone}
CLIENT_TIMEOUT=${OZONE_CLIENT_TIMEOUT:-300}

require_clients() {
	local b
	for b in "$@"; do
		if ! command -v "$b" >/dev/null; then
			fail "$b is not installed (scripts/install-deps installs it)"
			finish
		fi
	done
	if [ ! -x "$RUNTIME" ]; then
		fail "missing $RUNTIME (build it first)"
		finish
	fi
	# Peers run containers on the host kernel; ozone needs a KVM that runs Linux.
	if [ "$(basename "$RUNTIME")" = ozone ] && [ ! -c /dev/kvm ]; then
		fail "/dev/kvm is not available"
		finish
	fi
}

# A busybox root filesystem as a tar: the image every client test runs.
make_rootfs_tar() {
	local r=$T_TMP/img-rootfs c
	mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/data"
	cp /bin/busybox "$r/bin/busybox"
	for c in sh echo cat id true false sleep ls hostname wc head tr sha256sum dd env pwd \
		grep kill ps seq printf stat touch ip ping; do
		ln -sf busybox "$r/bin/$c"
	done
	echo "root:x:0:0:root:/:/bin/sh" >"$r/etc/passwd"
	echo "root:x:0:" >"$r/etc/group"
	chmod 1777 "$r/tmp"
	tar -C "$r" -cf "$T_TMP/rootfs.tar" .
}

# podman with everything under the temp dir; no network, no systemd, ulimits
# capped (root here lacks CAP_SYS_RESOURCE and the hard nofile is 20000).
PODMAN=(podman --root "$T_TMP/podman/root" --runroot "$T_TMP/podman/run"
	--cgroup-manager=cgroupfs --events-backend=file --runtime "$RUNTIME")
# shellcheck disable=SC2034 # for the tests that source this file
PODMAN_RUN_OPTS=(--network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

pm() { timeout -k 5 "$CLIENT_TIMEOUT" "${PODMAN[@]}" "$@"; }

# containerd on a socket of its own; CTR talks to it.
CD_DIR=$T_TMP/containerd
CTR=(ctr --address "$CD_DIR/c.sock")

ctr_() { timeout -k 5 "$CLIENT_TIMEOUT" "${CTR[@]}" "$@"; }

# start_containerd [CRI_TOML]: without an argument the CRI plugin is off;
# with one it is on, and CRI_TOML (its [plugins."io.containerd.grpc.v1.cri"]
# tables) ends the configuration.
start_containerd() {
	mkdir -p "$CD_DIR"
	{
		echo 'version = 2'
		echo "root = \"$CD_DIR/root\""
		echo "state = \"$CD_DIR/state\""
		[ $# -gt 0 ] || echo 'disabled_plugins = ["io.containerd.grpc.v1.cri"]'
		echo '[grpc]'
		echo "  address = \"$CD_DIR/c.sock\""
		[ $# -eq 0 ] || echo "$1"
	} >"$CD_DIR/config.toml"
	containerd --config "$CD_DIR/config.toml" >"$CD_DIR/log" 2>&1 &
	CD_PID=$!
	T_PIDS+=("$CD_PID")
	for _ in $(seq 1 200); do
		"${CTR[@]}" version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

stop_containerd() {
	kill -TERM "$CD_PID" 2>/dev/null
	wait "$CD_PID" 2>/dev/null
}

# No microVM monitor may outlive the test's containers.
no_vmm_left() {
	! pgrep -f "$OZONE_BUILD/bin/ozone-vmm" >/dev/null
}
