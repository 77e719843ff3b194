#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ozone-vmm boots the tiny guest on this host's /dev/kvm: serial output, the
# virtio-mmio device, every way the guest can end, vCPU and memory sizes, and
# the console options.
. "$(dirname "$0")/lib.sh"
require_vmm

HELLO='^ozone-tiny: hello'
MAGIC='^ozone-tiny: virtio-mmio magic ok'

run boot --kernel "$TINY"
if [ "$RC" -eq 0 ] && grep -q "$HELLO" "$OUT" && grep -q "$MAGIC" "$OUT"; then
	pass "boot: hello, virtio-mmio magic, power off -> exit 0 (${MS} ms)"
else
	fail "boot" "rc=$RC out='$(describe "$OUT")' err='$(describe "$ERR")'"
fi
if [ ! -s "$ERR" ]; then
	pass "boot: nothing on stderr"
else
	fail "boot: stderr not empty" "'$(describe "$ERR")'"
fi

# Both end the VM with exit 0; only the triple fault says so on stderr.
for mode in reset triple; do
	run "$mode" --kernel "$TINY" --cmdline "mode=$mode"
	said=$(grep -c '^ozone-vmm: vCPU 0: triple fault at RIP 0x[0-9a-f]*: the guest is reset$' "$ERR")
	if [ "$RC" -eq 0 ] && grep -q "$HELLO" "$OUT" &&
		{ { [ "$mode" = reset ] && [ ! -s "$ERR" ]; } || { [ "$mode" = triple ] && [ "$said" = 1 ]; }; }; then
		pass "mode=$mode -> exit 0$([ "$said" = 1 ] && echo ', the triple fault on stderr')"
	else
		fail "mode=$mode" "rc=$RC err='$(describe "$ERR")'"
	fi
done

run panic --kernel "$TINY" --cmdline "mode=panic"
if [ "$RC" -ne 0 ] && [ "$RC" -ne 124 ] && grep -q "$HELLO" "$OUT" &&
	grep -q '^ozone-vmm: .*panic' "$ERR"; then
	pass "mode=panic -> exit $RC with '$(head -n1 "$ERR")'"
else
	fail "mode=panic" "rc=$RC err='$(describe "$ERR")'"
fi

run cpus4 --kernel "$TINY" --cpus 4
if [ "$RC" -eq 0 ] && grep -q "$MAGIC" "$OUT"; then
	pass "--cpus 4 boots"
else
	fail "--cpus 4" "rc=$RC err='$(describe "$ERR")'"
fi

for mib in 64 1024 4096; do
	run "mem$mib" --kernel "$TINY" --memory "$mib"
	if [ "$RC" -eq 0 ] && grep -q "$MAGIC" "$OUT"; then
		pass "--memory $mib boots"
	else
		fail "--memory $mib" "rc=$RC err='$(describe "$ERR")'"
	fi
done

run cfile --kernel "$TINY" --console "$T_TMP/console.log"
if [ "$RC" -eq 0 ] && grep -q "$HELLO" "$T_TMP/console.log" && grep -q "$MAGIC" "$T_TMP/console.log" &&
	! grep -q ozone-tiny "$OUT"; then
	pass "--console PATH writes the guest's output to the file"
else
	fail "--console PATH" "rc=$RC file='$(describe "$T_TMP/console.log")' out='$(describe "$OUT")'"
fi

run cnone --kernel "$TINY" --console none
if [ "$RC" -eq 0 ] && [ ! -s "$OUT" ]; then
	pass "--console none: no output, exit 0"
else
	fail "--console none" "rc=$RC out='$(describe "$OUT")'"
fi

run cstdio --kernel "$TINY" --console stdio
if [ "$RC" -eq 0 ] && grep -q "$HELLO" "$OUT"; then
	pass "--console stdio"
else
	fail "--console stdio" "rc=$RC err='$(describe "$ERR")'"
fi

finish
