#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Bad input fails fast with one clear line: files that are not kernels
# (non-zero exit) and bad command-line values (exit 2).
. "$(dirname "$0")/lib.sh"
require_vmm

: >"$T_TMP/empty"
head -c 100 "$TINY" >"$T_TMP/truncated-header.elf"
head -c "$(($(stat -c %s "$TINY") / 2))" "$TINY" >"$T_TMP/truncated.elf"
head -c 4096 /dev/urandom >"$T_TMP/random.bin"
printf 'not a kernel\n' >"$T_TMP/text"

bad=(/etc/passwd "$T_TMP/empty" "$T_TMP/truncated-header.elf" "$T_TMP/truncated.elf"
	"$T_TMP/random.bin" "$T_TMP/no-such-file" "$T_TMP")
# A real bzImage cut short is caught before any guest code runs, so this host's
# /dev/kvm is enough (skipped when the guest kernel has not been built).
if [ -f "$OZONE_BUILD/guest/bzImage" ]; then
	head -c 65536 "$OZONE_BUILD/guest/bzImage" >"$T_TMP/bzImage.truncated"
	bad+=("$T_TMP/bzImage.truncated")
fi
for k in "${bad[@]}"; do
	name=${k##*/}
	run "bad-$name" --kernel "$k"
	if [ "$RC" -ne 0 ] && [ "$RC" -ne 124 ] && [ "$MS" -lt 2000 ] && one_error_line "$ERR" &&
		grep -qF -- "$name" "$ERR"; then
		pass "--kernel $name: exit $RC in ${MS} ms: $(head -n1 "$ERR")"
	else
		fail "--kernel $name" "rc=$RC ${MS} ms err='$(describe "$ERR")'"
	fi
done

run bad-initrd --kernel "$TINY" --initrd "$T_TMP/no-such-initrd"
if [ "$RC" -ne 0 ] && [ "$RC" -ne 124 ] && one_error_line "$ERR" && grep -q no-such-initrd "$ERR"; then
	pass "--initrd missing: exit $RC: $(head -n1 "$ERR")"
else
	fail "--initrd missing" "rc=$RC err='$(describe "$ERR")'"
fi

cli_case() {
	local desc=$1
	shift
	run cli "$@"
	if [ "$RC" -eq 2 ] && one_error_line "$ERR" && [ ! -s "$OUT" ]; then
		pass "$desc: exit 2: $(head -n1 "$ERR")"
	else
		fail "$desc" "rc=$RC err='$(describe "$ERR")' out='$(describe "$OUT")'"
	fi
}
cli_case "--cpus 0" --kernel "$TINY" --cpus 0
cli_case "--cpus 999" --kernel "$TINY" --cpus 999
cli_case "--cpus abc" --kernel "$TINY" --cpus abc
cli_case "--memory abc" --kernel "$TINY" --memory abc
cli_case "--memory 0" --kernel "$TINY" --memory 0
cli_case "--memory 12x" --kernel "$TINY" --memory 12x
cli_case "--console ''" --kernel "$TINY" --console ""
cli_case "unknown option" --kernel "$TINY" --no-such-option
cli_case "missing --kernel" --cpus 1
cli_case "option without its value" --kernel

run help --help
if [ "$RC" -eq 0 ] && grep -q -- --kernel "$OUT" && grep -q -- --console "$OUT"; then
	pass "--help documents the options, exit 0"
else
	fail "--help" "rc=$RC out='$(describe "$OUT")'"
fi

finish
