#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The agent's server in a real guest: ozone-vmm boots the guest kernel with
# --vsock-socket and --fs ozone=DIR (DIR holding busybox rootfses made by the
# driver), and tests/unit/test_agent — the same program that tests a
# host-mode agent — drives the agent through the real vsock and virtio-fs:
# create/start/stdio/exit status/exec/signal/ps/owner-wait/bad requests/
# 100 control connections; a terminal made in the container's own devpts
# (`tty` is /dev/pts/0, `stty size` follows a resize; create and exec);
# 1 GiB through stdout (256 MiB in the test host; OZONE_AGENT_BIG_MB sets the size in MiB),
# hashed on the host side and compared; and with the guest's cgroups: stats,
# pause/resume, update, /proc/kcore masked, an OOM kill under memory.max
# reported as an `oom` event and SIGKILL, and the BPF device program
# (/dev/mem made with CAP_MKNOD but EPERM to open, /dev/null and a device
# allowed by linux.resources.devices usable). Ends with `shutdown`: the VMM
# exits 0. In the test host (QEMU-TCG, nested KVM) stdout moves at
# 4-18 MiB/s depending on the machine's load (the driver prints the rate).
# There a long stream now and then meets a fault of the emulation itself
# (the nested guest triple-faults, or the test host's kernel locks up or
# crashes in KVM's vCPU run path: from once in 13 GiB to once in 1 GiB of
# stdout, docs/testing.md), so the test host streams 256 MiB, still some
# thousands of credit updates; on hardware KVM it is 1 GiB.
# Runs on a /dev/kvm that can run Linux (inside the test host:
# tests/testhost/run -- bash tests/integration/test_agent.sh).
. "${OZONE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/vmm/lib.sh"

BZIMAGE=$OZONE_BUILD/guest/bzImage
INITRD=$OZONE_BUILD/guest/initramfs.cpio
DRIVER=$OZONE_BUILD/tests/unit/test_agent
BOOT_TIMEOUT_MS=$((${OZONE_BOOT_TIMEOUT:-180} * 1000))
DRIVER_TIMEOUT=${OZONE_AGENT_TIMEOUT:-600}

if [ ! -c /dev/kvm ]; then
	fail "/dev/kvm is not available"
	finish
fi
for f in "$VMM" "$BZIMAGE" "$INITRD" "$DRIVER" /bin/busybox; do
	if [ ! -f "$f" ]; then
		fail "missing $f (build it first)"
		finish
	fi
done

SOCK=$T_TMP/v.sock
SHARE=$T_TMP/share
mkdir -p "$SHARE"
# One vCPU: in the nested test host a two-vCPU guest has stalled for minutes with
# virtio-fs busy (seen twice in 20 runs, here and in test_virtiofs); guests with
# several vCPUs are booted by test_boot and driven by test_vsock.
start agent --kernel "$BZIMAGE" --initrd "$INITRD" --cpus 1 --memory 512 \
	--vsock-socket "$SOCK" --fs "ozone=$SHARE" --cmdline "ozone.log=info"
VMM_PID=$PID
if ! wait_for "$OUT" '^ozone-agent: ready' "$BOOT_TIMEOUT_MS"; then
	fail "boot to 'ozone-agent: ready'" "err='$(describe "$ERR")' out='$(describe "$OUT")'"
	finish
fi
pass "boots with --vsock-socket and --fs ozone=DIR"
if grep -q "cgroup2 at /sys/fs/cgroup" "$OUT"; then
	fail "cgroup2 in the guest" "$(grep cgroup2 "$OUT")"
else
	pass "cgroup2 in the guest"
fi

BIG_MB_DEFAULT=1024
[ "${OZONE_TESTHOST:-}" = 1 ] && BIG_MB_DEFAULT=256
OZONE_AGENT_SOCKET=$SOCK OZONE_AGENT_SHARED=$SHARE OZONE_AGENT_CGROUPS=1 \
	OZONE_AGENT_SHUTDOWN=1 OZONE_AGENT_BIG_MB=${OZONE_AGENT_BIG_MB:-$BIG_MB_DEFAULT} \
	timeout -k 5 "$DRIVER_TIMEOUT" "$DRIVER" >"$T_TMP/driver.out" 2>&1
DRC=$?
while read -r l; do
	case $l in
	"[       OK ] "*) pass "${l#\[       OK \] }" ;;
	"[  FAILED  ] test_"*) fail "${l#\[  FAILED  \] }" ;;
	"[  SKIPPED ] "*) fail "${l#\[  SKIPPED \] }" "skipped" ;;
	"[  ERROR   ] "* | "[   LINE   ] "* | "big stdout: "*) echo "  $l" ;;
	esac
done <"$T_TMP/driver.out"
if [ "$DRC" -ne 0 ]; then
	fail "driver" "exit $DRC"
	# What the guest kernel said about itself first (a stall, a lockup, an oops), then the ends.
	grep -E -i 'rcu|stall|lockup|hung|bug|warning|oops|panic|out of memory|killed' "$OUT" |
		head -n 20 | sed 's/^/  guest kernel: /'
	tail -n 20 "$OUT" | sed 's/^/  guest: /'
	tail -n 10 "$ERR" | sed 's/^/  vmm: /'
	tail -n 20 "$T_TMP/driver.out" | sed 's/^/  driver: /'
fi

if wait_exit "$VMM_PID" 60000 && [ "$RC" -eq 0 ]; then
	pass "guest powered off on 'shutdown': exit 0"
else
	fail "power off after 'shutdown'" "rc=$RC err='$(describe "$ERR")'"
	kill -KILL "$VMM_PID" 2>/dev/null
fi
finish
