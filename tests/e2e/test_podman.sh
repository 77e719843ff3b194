#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# podman (with conmon) drives the runtime under test: `podman --runtime
# ozone run ...` must behave as it does with runc. Checks: output and exit
# code, stdin, a detached container with exec, stop and kill (137), rm -f
# of a running container, a bind volume written from inside, user and working directory, environment,
# hostname, and nothing left behind. RUNTIME=/usr/sbin/runc runs the same
# checks against runc.
# shellcheck disable=SC2015 # `COND && pass ... || fail ...`: pass, fail and skip return 0
. "$(dirname "$0")/clients.sh"
require_clients podman conmon

make_rootfs_tar
if pm import "$T_TMP/rootfs.tar" localhost/bb:1 >"$T_TMP/import.log" 2>&1; then
	pass "podman import of a busybox image"
else
	fail "podman import" "$(describe "$T_TMP/import.log")"
	finish
fi

out=$(pm run --rm "${PODMAN_RUN_OPTS[@]}" localhost/bb:1 sh -c 'echo hello from podman; exit 3' 2>"$T_TMP/e1")
rc=$?
[ "$out" = "hello from podman" ] && [ $rc -eq 3 ] && pass "run: output and exit code 3" ||
	fail "run" "rc=$rc out='$out' err='$(describe "$T_TMP/e1")'"

out=$(printf 'line1\nline2\n' | pm run --rm -i "${PODMAN_RUN_OPTS[@]}" localhost/bb:1 wc -l 2>"$T_TMP/e2")
# shellcheck disable=SC2086,SC2116 # word splitting trims wc's padding
[ "$(echo $out)" = 2 ] && pass "run -i: stdin delivered and closed" ||
	fail "run -i" "out='$out' err='$(describe "$T_TMP/e2")'"

# shellcheck disable=SC2016 # $FOO is the container's
out=$(pm run --rm "${PODMAN_RUN_OPTS[@]}" --user 1000:1000 -w /tmp -e FOO=bar --hostname box localhost/bb:1 \
	sh -c 'id -u; id -g; pwd; echo $FOO; hostname' 2>"$T_TMP/e3" | tr '\n' ' ')
[ "$out" = "1000 1000 /tmp bar box " ] && pass "user, workdir, env, hostname: $out" ||
	fail "user/workdir/env/hostname" "out='$out' err='$(describe "$T_TMP/e3")'"

# A terminal (conmon passes --console-socket; script(1) gives podman a tty).
out=$(timeout -k 5 "$CLIENT_TIMEOUT" script -qec "${PODMAN[*]} run --rm -t ${PODMAN_RUN_OPTS[*]} localhost/bb:1 sh -c 'tty; test -t 0 && echo is-a-tty'" /dev/null 2>"$T_TMP/e9" | tr -d '\r' | tr '\n' ' ')
[[ $out == "/dev/pts/"[0-9]*" is-a-tty " ]] && pass "run -t: the process has a terminal ($out)" ||
	fail "run -t" "out='$out' err='$(describe "$T_TMP/e9")'"

mkdir -p "$T_TMP/vol"
echo from-host >"$T_TMP/vol/in"
out=$(pm run --rm "${PODMAN_RUN_OPTS[@]}" -v "$T_TMP/vol:/data" localhost/bb:1 \
	sh -c 'cat /data/in; echo from-container >/data/out' 2>"$T_TMP/e4")
[ "$out" = from-host ] && [ "$(cat "$T_TMP/vol/out" 2>/dev/null)" = from-container ] &&
	pass "bind volume: read and written from inside" ||
	fail "bind volume" "out='$out' err='$(describe "$T_TMP/e4")'"

# A detached container: exec into it, then stop it (SIGTERM reaches sh's trap).
if pm run -d --name c1 "${PODMAN_RUN_OPTS[@]}" localhost/bb:1 \
	sh -c 'trap "exit 7" TERM; while :; do sleep 1; done' >"$T_TMP/c1.id" 2>"$T_TMP/e5"; then
	pass "run -d"
	out=$(pm exec c1 sh -c 'echo exec ok; exit 5' 2>"$T_TMP/e6")
	rc=$?
	[ "$out" = "exec ok" ] && [ $rc -eq 5 ] && pass "exec: output and exit code 5" ||
		fail "exec" "rc=$rc out='$out' err='$(describe "$T_TMP/e6")'"
	st=$(pm inspect -f '{{.State.Status}}' c1 2>&1)
	[ "$st" = running ] && pass "inspect: running" || fail "inspect" "'$st'"
	pm stop -t 60 c1 >/dev/null 2>"$T_TMP/e7"
	code=$(pm inspect -f '{{.State.ExitCode}}' c1 2>&1)
	[ "$code" = 7 ] && pass "stop: SIGTERM ran the trap, exit code 7" ||
		fail "stop" "exit code '$code' err='$(tr '\n' '|' <"$T_TMP/e7")'"
	pm rm c1 >/dev/null 2>&1 && pass "rm" || fail "rm"
else
	fail "run -d" "$(describe "$T_TMP/e5")"
fi

if pm run -d --name c2 "${PODMAN_RUN_OPTS[@]}" localhost/bb:1 sleep 1000 >/dev/null 2>"$T_TMP/e8"; then
	pm kill -s KILL c2 >/dev/null 2>&1
	code=$(pm wait c2 2>&1)
	[ "$code" = 137 ] && pass "kill -s KILL: exit code 137" || fail "kill -s KILL" "'$code'"
	pm rm -f c2 >/dev/null 2>&1
else
	fail "run -d (kill)" "$(describe "$T_TMP/e8")"
fi

# rm -f of a running container: it is stopped and removed in one call.
if pm run -d --name c3 "${PODMAN_RUN_OPTS[@]}" localhost/bb:1 sleep 1000 >/dev/null 2>"$T_TMP/e10"; then
	pm rm -f c3 >/dev/null 2>"$T_TMP/e11"
	rc=$?
	st=$(pm ps -a --filter name=c3 -q 2>&1)
	[ $rc -eq 0 ] && [ -z "$st" ] && pass "rm -f of a running container" ||
		fail "rm -f" "rc=$rc left='$st' err='$(describe "$T_TMP/e11")'"
else
	fail "run -d (rm -f)" "$(describe "$T_TMP/e10")"
fi

left=$(pm ps -aq 2>&1)
[ -z "$left" ] && pass "no container left" || fail "containers left" "'$left'"
sleep 1
no_vmm_left && pass "no ozone-vmm left" || fail "ozone-vmm processes left" "$(pgrep -af "$OZONE_BUILD/bin/ozone-vmm" | head -3)"
finish
