#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Full boots of the tiny guest under valgrind are clean: no memory errors, no
# definite or indirect leaks, whether the guest powers off or the VMM is
# stopped by SIGTERM with vCPU threads running.
. "$(dirname "$0")/lib.sh"
require_vmm
if ! command -v valgrind >/dev/null; then
	skip_all "valgrind is not installed"
fi

# shellcheck disable=SC2054 # commas separate valgrind's list values, not array elements
VG=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
	--show-leak-kinds=definite,indirect --track-fds=no -q)

t0=$(now_ms)
timeout -k 2 60 "${VG[@]}" --log-file="$T_TMP/vg-boot.log" "$VMM" --kernel "$TINY" --cpus 2 \
	</dev/null >"$T_TMP/vg-boot.out" 2>"$T_TMP/vg-boot.err"
RC=$?
if [ "$RC" -eq 0 ] && grep -q 'virtio-mmio magic ok' "$T_TMP/vg-boot.out"; then
	pass "valgrind: boot to power off is clean ($(($(now_ms) - t0)) ms)"
else
	fail "valgrind boot" "rc=$RC log='$(describe "$T_TMP/vg-boot.log")' err='$(describe "$T_TMP/vg-boot.err")'"
	sed 's/^/    /' "$T_TMP/vg-boot.log" | head -40
fi

"${VG[@]}" --log-file="$T_TMP/vg-term.log" "$VMM" --kernel "$TINY" --cpus 2 --cmdline mode=loop \
	</dev/null >"$T_TMP/vg-term.out" 2>"$T_TMP/vg-term.err" &
PID=$!
T_PIDS+=("$PID")
if wait_for "$T_TMP/vg-term.out" '^ozone-tiny: hello' 30000; then
	kill -TERM "$PID"
	wait_exit "$PID" 20000
	if [ "$RC" -eq 0 ]; then
		pass "valgrind: SIGTERM of a running guest is clean"
	else
		fail "valgrind SIGTERM" "rc=$RC log='$(describe "$T_TMP/vg-term.log")'"
		sed 's/^/    /' "$T_TMP/vg-term.log" | head -40
	fi
else
	fail "valgrind SIGTERM: guest did not start" "log='$(describe "$T_TMP/vg-term.log")'"
fi

finish
