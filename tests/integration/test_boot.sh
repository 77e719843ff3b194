#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Linux-guest integration tests: ozone-vmm boots the real guest kernel
# (build/guest/bzImage and vmlinux) with the agent's initramfs on a /dev/kvm
# that can run Linux (hardware KVM, or real KVM inside the QEMU-TCG test
# host: tests/testhost/run -- bash tests/integration/test_boot.sh).
#
# The agent, given ozone.report, prints one line
#   ozone-agent: cpus=N mem_total_kib=N rng=NAME rng_bytes=N
# and powers off (ozone.report=reboot: reboots). Checks that the guest sees
# the vCPUs and memory it was given and gets data from virtio-rng, and that
# power off, reboot, a kernel panic and a bad image end the VMM as they should.
. "${OZONE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/vmm/lib.sh"

BZIMAGE=$OZONE_BUILD/guest/bzImage
VMLINUX=$OZONE_BUILD/guest/vmlinux
INITRD=$OZONE_BUILD/guest/initramfs.cpio
# Under TCG a boot takes seconds, not milliseconds.
RUN_TIMEOUT=${OZONE_BOOT_TIMEOUT:-180}

if [ ! -c /dev/kvm ]; then
	fail "/dev/kvm is not available"
	finish
fi
for f in "$VMM" "$BZIMAGE" "$VMLINUX" "$INITRD"; do
	if [ ! -f "$f" ]; then
		fail "missing $f (build it first)"
		finish
	fi
done

# agent_lines FILE: the guest's console output without the kernel's messages.
# A printk can land in the middle of a line the agent writes; every kernel
# message starts with "[ seconds.micros] " (PRINTK_TIME) and ends with a newline.
agent_lines() {
	perl -0pe 's/\r//g; s/\[ *\d+\.\d+\] [^\n]*\n//g' "$1" | grep -a '^ozone-agent: '
}

# field NAME FILE: the value of NAME= in the agent's report line.
field() {
	agent_lines "$2" | grep -m1 '^ozone-agent: cpus=' | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# tail_of FILE: the last lines of a console, for failure messages.
tail_of() { tail -n 4 "$1" | tr -d '\r' | tr '\n' '|'; }

# boot KERNEL CPUS MIB [EXTRA CMDLINE]: boots with ozone.report, checks the report.
boot() {
	local kernel=$1 cpus=$2 mib=$3 extra=${4:-} kname name got_cpus kib rng nbytes lo hi
	kname=${kernel##*/}
	name="$kname $cpus vCPU/$mib MiB"
	# Said before the boot: if the machine under the test stops, the log shows where.
	echo "    booting: $name"
	run "boot-$kname-$cpus-$mib" --kernel "$kernel" --initrd "$INITRD" --cpus "$cpus" \
		--memory "$mib" --cmdline "ozone.report${extra:+ $extra}"
	if [ "$RC" -ne 0 ]; then
		fail "$name: exit 0 after power off" "rc=$RC err='$(describe "$ERR")' out tail='$(tail_of "$OUT")'"
		return
	fi
	if [ "$(agent_lines "$OUT" | grep -c '^ozone-agent: ready$')" -ne 1 ]; then
		fail "$name: 'ozone-agent: ready' once" "out tail='$(tail_of "$OUT")'"
		return
	fi
	pass "$name: boots to 'ozone-agent: ready' and powers off, exit 0 (${MS} ms)"
	got_cpus=$(field cpus "$OUT")
	kib=$(field mem_total_kib "$OUT")
	rng=$(field rng "$OUT")
	nbytes=$(field rng_bytes "$OUT")
	if [ "$got_cpus" = "$cpus" ]; then
		pass "$name: guest sees $got_cpus CPUs"
	else
		fail "$name: CPUs" "guest sees '$got_cpus', given $cpus"
	fi
	# MemTotal is RAM less what the kernel keeps for itself (image, memmap):
	# below the size given, and not by more than 10% + 16 MiB.
	hi=$((mib * 1024))
	lo=$((mib * 1024 * 90 / 100 - 16384))
	if [ -n "$kib" ] && [ "$kib" -le "$hi" ] && [ "$kib" -ge "$lo" ]; then
		pass "$name: MemTotal $kib KiB (in [$lo, $hi])"
	else
		fail "$name: MemTotal" "'$kib' KiB not in [$lo, $hi]"
	fi
	if [ -n "$nbytes" ] && [ "$nbytes" -gt 0 ] && [[ $rng == virtio_rng* ]]; then
		pass "$name: /dev/hwrng ($rng) gives $nbytes bytes"
	else
		fail "$name: hwrng" "$(agent_lines "$OUT" | grep -m1 '^ozone-agent: cpus=')"
	fi
	if [ -z "$got_cpus" ] || [ -z "$kib" ]; then
		echo "    no report line; console tail:"
		tail -n 15 "$OUT" | tr -d '\r' | sed 's/^/    | /'
	fi
}

boot "$BZIMAGE" 1 128
boot "$BZIMAGE" 4 512
boot "$VMLINUX" 2 2048
boot "$VMLINUX" 1 128
# RAM on both sides of the 32-bit MMIO hole (3 GiB below, 1 GiB above).
boot "$BZIMAGE" 2 4096

# Reboot from the guest (the agent's reboot(RB_AUTOBOOT), as reboot -f does).
run reboot --kernel "$BZIMAGE" --initrd "$INITRD" --cmdline "ozone.report=reboot"
if [ "$RC" -eq 0 ] && agent_lines "$OUT" | grep -q '^ozone-agent: cpus='; then
	pass "reboot from the guest: exit 0 (${MS} ms)"
else
	fail "reboot from the guest" "rc=$RC err='$(describe "$ERR")' out tail='$(tail_of "$OUT")'"
fi

# A kernel that panics: no initramfs, no root device -> "VFS: Unable to mount root fs".
run panic --kernel "$BZIMAGE" --memory 128
if [ "$RC" -ne 0 ] && [ "$RC" -ne 124 ] && grep -q '^ozone-vmm: ' "$ERR"; then
	pass "kernel panic (no root fs): exit $RC in ${MS} ms: $(grep -m1 '^ozone-vmm: ' "$ERR")"
else
	fail "kernel panic" "rc=$RC ${MS} ms err='$(describe "$ERR")' out tail='$(tail_of "$OUT")'"
fi
if grep -q 'Kernel panic' "$OUT"; then
	pass "kernel panic: the panic message reached the console"
else
	fail "kernel panic: no 'Kernel panic' on the console" "out tail='$(tail_of "$OUT")'"
fi

# Images that are not kernels fail fast with one line.
: >"$T_TMP/empty"
head -c 65536 "$BZIMAGE" >"$T_TMP/bzImage.truncated"
head -c 65536 "$VMLINUX" >"$T_TMP/vmlinux.truncated"
for k in /etc/passwd "$T_TMP/empty" "$T_TMP/bzImage.truncated" "$T_TMP/vmlinux.truncated" "$INITRD"; do
	run bad --kernel "$k" --initrd "$INITRD"
	if [ "$RC" -ne 0 ] && [ "$RC" -ne 124 ] && [ "$MS" -lt 2000 ] && one_error_line "$ERR"; then
		pass "not a kernel (${k##*/}): exit $RC in ${MS} ms: $(head -n1 "$ERR")"
	else
		fail "not a kernel (${k##*/})" "rc=$RC ${MS} ms err='$(describe "$ERR")'"
	fi
done

finish
