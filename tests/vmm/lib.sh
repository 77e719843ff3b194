# SPDX-License-Identifier: Apache-2.0
# Helpers for the VMM tests: each test_*.sh sources this file, runs checks with
# `pass`/`fail`/`skip` (tests/lib/tap.sh), and ends with `finish`. One line per
# check.
# Environment: OZONE_BUILD (build dir), OZONE_SRC (source dir).
# shellcheck shell=bash
# shellcheck disable=SC2034 # RC, MS, OUT, ERR, PID are set here for the test that sources this

set -u
# pass, fail, skip, skip_all, finish
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"

OZONE_SRC=${OZONE_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
OZONE_BUILD=${OZONE_BUILD:-$OZONE_SRC/build}
VMM=$OZONE_BUILD/bin/ozone-vmm
TINY=$OZONE_BUILD/guest/tiny.elf

T_PIDS=()
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ozone-vmm-test.XXXXXX")

t_cleanup() {
	local pid
	for pid in "${T_PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	rm -rf "$T_TMP"
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

# Preconditions every test shares; exits 77 (skipped, as ctest counts it) when
# /dev/kvm is absent: scripts/check runs these tests in the test host then.
require_vmm() {
	if [ ! -c /dev/kvm ] || ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
		skip_all "/dev/kvm is not available"
	fi
	local f
	for f in "$VMM" "$TINY"; do
		if [ ! -f "$f" ]; then
			fail "missing $f (build it first)"
			finish
		fi
	done
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# run NAME [VMM ARGS...]: runs the VMM in the foreground ($RUN_TIMEOUT s at most) with its
# stdout in $T_TMP/NAME.out and stderr in $T_TMP/NAME.err; sets RC and MS.
run() {
	local name=$1 t0
	shift
	t0=$(now_ms)
	timeout -k 2 "${RUN_TIMEOUT:-20}" "$VMM" "$@" </dev/null >"$T_TMP/$name.out" 2>"$T_TMP/$name.err"
	RC=$?
	MS=$(($(now_ms) - t0))
	OUT=$T_TMP/$name.out
	ERR=$T_TMP/$name.err
}

# start NAME [VMM ARGS...]: starts the VMM in the background; sets PID, OUT, ERR.
start() {
	local name=$1
	shift
	OUT=$T_TMP/$name.out
	ERR=$T_TMP/$name.err
	"$VMM" "$@" </dev/null >"$OUT" 2>"$ERR" &
	PID=$!
	T_PIDS+=("$PID")
}

# wait_for FILE PATTERN TIMEOUT_MS: polls until FILE contains PATTERN (grep -E).
wait_for() {
	local deadline=$(($(now_ms) + $3))
	until grep -qE -- "$2" "$1" 2>/dev/null; do
		[ "$(now_ms)" -ge "$deadline" ] && return 1
		sleep 0.01
	done
}

# wait_exit PID TIMEOUT_MS: waits for a background VMM to end; sets RC (124 on timeout).
wait_exit() {
	local pid=$1 deadline=$(($(now_ms) + $2))
	while kill -0 "$pid" 2>/dev/null; do
		# a zombie still answers kill -0: check its state
		[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] && break
		if [ "$(now_ms)" -ge "$deadline" ]; then
			RC=124
			return 1
		fi
		sleep 0.01
	done
	wait "$pid"
	RC=$?
}

# one_error_line FILE: true if FILE is exactly one line starting "ozone-vmm: ".
one_error_line() {
	[ "$(wc -l <"$1")" -eq 1 ] && head -n1 "$1" | grep -q '^ozone-vmm: '
}

# describe FILE: a file's first line, for failure messages.
describe() { printf '%s' "$(head -c 200 "$1" | tr '\n' '|')"; }
