# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# The bookkeeping every shell test suite shares (sourced, after `set -u` or
# not): one line per check, then one summary line, and an exit status that
# says what happened.
#
#   pass NAME            ok   NAME
#   fail NAME [DETAIL]   FAIL NAME: DETAIL
#   skip NAME [WHY]      skip NAME: WHY     (counted as skipped, never passed)
#   skip_all WHY         skip: WHY          (nothing more can run here: finish)
#   finish               N passed, M failed, K skipped
#
# finish exits 0 when every check that ran passed, 1 when any failed (or no
# check ran at all), and 77 when every check was skipped: ctest counts 77 as
# skipped (SKIP_RETURN_CODE in tests/CMakeLists.txt), and so do
# tests/integration/run-all and scripts/check.

T_PASSED=0
T_FAILED=0
T_SKIPPED=0

# Each returns 0, always: suites write `COND && pass NAME || fail NAME`.
pass() {
	T_PASSED=$((T_PASSED + 1))
	echo "ok   $1"
	return 0
}
fail() {
	T_FAILED=$((T_FAILED + 1))
	echo "FAIL $1${2:+: $2}"
	return 0
}
skip() {
	T_SKIPPED=$((T_SKIPPED + 1))
	echo "skip $1${2:+: $2}"
	return 0
}

finish() {
	if [ $((T_PASSED + T_FAILED + T_SKIPPED)) -eq 0 ]; then
		fail "no check ran"
	fi
	echo "$T_PASSED passed, $T_FAILED failed, $T_SKIPPED skipped"
	if [ "$T_FAILED" -gt 0 ]; then
		exit 1
	elif [ "$T_PASSED" -eq 0 ]; then
		exit 77
	fi
	exit 0
}

skip_all() {
	T_SKIPPED=$((T_SKIPPED + 1))
	echo "skip: $1"
	finish
}
