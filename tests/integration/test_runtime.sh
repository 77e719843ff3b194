#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `ozone` end to end in real microVMs: every container boots ozone-vmm with
# the guest kernel, its bundle comes over virtio-fs, its process runs under
# the agent. Checks `ozone run` (output, exit code), the create/start/
# state/kill/delete lifecycle with a pid file, the proxy as a shim sees it
# (exit code, death by the same signal, SIGTERM forwarded), exec (also with
# a tty), ps (json and the table), pause/resume, update, events --stats,
# --preserve-fds (run and exec: read-only, write-only and read-write fds
# relayed, a listening socket refused), a read-only rootfs and
# bind volumes (rw and ro), the host cgroup of cgroupsPath, the VMM killed
# under a live container, the console socket; after each delete: no
# ozone-vmm process, no mount, nothing under --root, the bundle unchanged.
# Then the real clients: containerd's runc shim (ctr run/exec/kill/delete
# with --runc-binary) and podman with conmon (run, exec, rm -f).
# Runs on a /dev/kvm that can run Linux (inside the test host:
#   tests/testhost/run -- bash tests/integration/test_runtime.sh).
# shellcheck disable=SC2015 # `COND && pass ... || fail ...`: pass, fail and skip return 0
. "${OZONE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/runtime/lib.sh"

HERE=$OZONE_SRC/tests/runtime
export OZONE_BOOT_TIMEOUT=${OZONE_BOOT_TIMEOUT:-300}
if [ ! -c /dev/kvm ]; then
	fail "/dev/kvm is not available"
	finish
fi
for f in "$OZONE_BUILD/bin/ozone-vmm" "${OZONE_KERNEL:-$OZONE_BUILD/guest/bzImage}" \
	"${OZONE_INITRD:-$OZONE_BUILD/guest/initramfs.cpio}" /bin/busybox /usr/bin/python3; do
	if [ ! -f "$f" ]; then
		fail "missing $f (build it first)"
		finish
	fi
done

# bundle DIR TERMINAL ARGS-JSON [EXTRA]: a busybox rootfs; EXTRA goes into the top level.
bundle() {
	local dir=$1
	mkdir -p "$dir/rootfs/bin" "$dir/rootfs/proc" "$dir/rootfs/dev" "$dir/rootfs/tmp" \
		"$dir/rootfs/data" "$dir/rootfs/ro" "$dir/rootfs/sys"
	cp /bin/busybox "$dir/rootfs/bin/busybox"
	for c in sh echo cat sleep true stty tty pwd kill ls touch mount hostname; do
		ln -sf busybox "$dir/rootfs/bin/$c"
	done
	echo "from the bundle" >"$dir/rootfs/hello.txt"
	cat >"$dir/config.json" <<EOF
{"ociVersion":"1.0.2","process":{"terminal":$2,"user":{"uid":0,"gid":0},"args":$3,
"env":["PATH=/bin","HOME=/"],"cwd":"/"},"root":{"path":"rootfs"${4:+,$4}},"hostname":"guest",
"mounts":[{"destination":"/proc","type":"proc","source":"proc"},
{"destination":"/tmp","type":"tmpfs","source":"tmpfs"},
{"destination":"/data","type":"bind","source":"$T_TMP/vol","options":["rbind","rw"]},
{"destination":"/ro","type":"bind","source":"$T_TMP/rovol","options":["bind","ro"]}],
"linux":{"namespaces":[{"type":"pid"},{"type":"mount"},{"type":"uts"},{"type":"ipc"},{"type":"network"}]}}
EOF
}

mkdir -p "$T_TMP/vol" "$T_TMP/rovol"
echo "read only" >"$T_TMP/rovol/file"

snapshot() { (cd "$T_TMP" && find b rovol -printf '%p %y %m %s\n' | sort && find b rovol -type f -print0 | sort -z | xargs -0 sha256sum); }
vmms() { pgrep -f "$OZONE_BUILD/bin/ozone-vmm .*$ROOT" | wc -l; }
check_gone() {
	local name=$1
	[ "$(vmms)" -eq 0 ] && pass "$name: no ozone-vmm left" || fail "$name: ozone-vmm left" "$(pgrep -af ozone-vmm)"
	! grep -q " $ROOT" /proc/mounts && pass "$name: no mount left" ||
		fail "$name: mounts left" "$(grep " $ROOT" /proc/mounts)"
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ] && pass "$name: nothing under --root" ||
		fail "$name: left under --root" "$(ls -A "$ROOT")"
	snapshot | cmp -s - "$T_TMP/before" && pass "$name: the bundle is unchanged" ||
		fail "$name: bundle changed" "$(snapshot | diff - "$T_TMP/before" | head -5)"
}
shim() { # NAME AFTER VERB ARG...: see tests/runtime/shim.py
	local name=$1 after=$2 verb=$3
	shift 3
	SHIM=$(SHIM_TIMEOUT=300 /usr/bin/python3 "$HERE/shim.py" "$T_TMP/$name" "$T_TMP/$name.pid" "$after" -- \
		"$OZONE" --root "$ROOT" "$verb" --pid-file "$T_TMP/$name.pid" "$@" 2>&1 | tail -1)
	SOUT=$(cat "$T_TMP/$name.out" 2>/dev/null)
	SERR=$(cat "$T_TMP/$name.err" 2>/dev/null)
}
vmm_log() { tail -n 20 "$ROOT/$1/vmm.log" 2>/dev/null | sed 's/^/  vmm: /'; }

B=$T_TMP/b
# 1. run: the process's output and exit code, through a real VM; the volumes.
bundle "$B" false '["sh","-c","cat /hello.txt; echo written >/data/out; touch /ro/x 2>/dev/null || echo ro-refused; touch /hello2 2>/dev/null || echo rootfs-ro; echo err >&2; exit 3"]' '"readonly":true'
snapshot >"$T_TMP/before"
start=$SECONDS
oz run -b "$B" r1
if [ "$RC" -eq 3 ] && [ "$(tr '\n' '|' <"$OUT")" = "from the bundle|ro-refused|rootfs-ro|" ] &&
	[ "$(cat "$ERR")" = err ]; then
	pass "run: output, exit code 3, ro volume and read-only rootfs refused ($((SECONDS - start)) s)"
else
	fail "run" "rc=$RC out='$(cat "$OUT")' err='$(head -c 2000 "$ERR")'"
fi
[ "$(cat "$T_TMP/vol/out" 2>/dev/null)" = written ] && pass "run: a rw bind volume is written through" ||
	fail "rw volume" "$(ls -la "$T_TMP/vol")"
rm -f "$T_TMP/vol/out"
check_gone "run"

# 1b. --preserve-fds: the caller's fd 3 (read-only) and 4 (write-only) relayed into the VM.
bundle "$B" false '["sh","-c","cat <&3; echo to-fd4 >&4; ls -l /proc/self/fd/3 /proc/self/fd/4 | busybox grep -c pipe"]'
snapshot >"$T_TMP/before"
echo "from fd 3" >"$T_TMP/fd3.in"
oz run -b "$B" --preserve-fds 2 pf1 3<"$T_TMP/fd3.in" 4>"$T_TMP/fd4.out"
[ "$RC" -eq 0 ] && [ "$(tr '\n' '|' <"$OUT")" = "from fd 3|2|" ] && [ "$(cat "$T_TMP/fd4.out")" = to-fd4 ] &&
	pass "run --preserve-fds 2: fd 3 read in the guest, fd 4 written from it (pipes there)" ||
	fail "run --preserve-fds" "rc=$RC out='$(cat "$OUT")' err='$(cat "$ERR")' fd4='$(cat "$T_TMP/fd4.out")'"
check_gone "run --preserve-fds"
/usr/bin/python3 -c 'import os, socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
os.dup2(s.fileno(), 3); os.set_inheritable(3, True)
os.execv(sys.argv[2], sys.argv[2:])' "$T_TMP/listen.sock" "$OZONE" --root "$ROOT" run -b "$B" --preserve-fds 1 pf2 \
	>"$T_TMP/pf2.out" 2>&1 </dev/null
rc=$?
[ "$rc" -eq 1 ] && [ "$(cat "$T_TMP/pf2.out")" = "ozone: --preserve-fds: fd 3 is a listening socket: its connections cannot be relayed into a microVM" ] &&
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ] && [ "$(vmms)" -eq 0 ] &&
	pass "run --preserve-fds: a listening socket is refused, nothing made" ||
	fail "preserve-fds listening socket" "rc=$rc $(cat "$T_TMP/pf2.out"; ls -A "$ROOT")"
# A read-write fd (one end of a socketpair here): both ways, each ending on its own.
cat >"$T_TMP/rwfd.py" <<'EOF'
import os, socket, sys
a, b = socket.socketpair()
pid = os.fork()
if pid == 0:
    os.dup2(b.fileno(), 3)
    os.set_inheritable(3, True)
    os.execv(sys.argv[1], sys.argv[1:])
b.close()
a.sendall(b"sock\n")
a.shutdown(socket.SHUT_WR)
a.settimeout(300)
data = b""
while True:
    c = a.recv(4096)
    if not c:
        break
    data += c
_, st = os.waitpid(pid, 0)
print(data.decode().strip(), os.waitstatus_to_exitcode(st))
EOF

# 2. The lifecycle, with a shim waiting on the pid-file pid: SIGTERM forwarded, exit 42.
bundle "$B" false '["sh","-c","trap \"echo got TERM; exit 42\" TERM; sleep 1000 & echo ready; while :; do sleep 0.2; done"]'
snapshot >"$T_TMP/before"
O="$OZONE --root $ROOT"
cat >"$T_TMP/c1.after" <<EOF
$O state c1 >$T_TMP/c1.created
$O start c1
$O state c1 >$T_TMP/c1.running
grep -E '^(Seccomp|NoNewPrivs|CapEff):' /proc/\$(cut -d' ' -f1 $ROOT/c1/vmm.pid)/status >$T_TMP/c1.vmm
$O exec c1 sh -c 'echo in-exec; hostname; exit 5' >$T_TMP/c1.exec 2>&1
echo \$? >>$T_TMP/c1.exec
$O ps --format json c1 >$T_TMP/c1.ps
$O ps c1 -o pid >$T_TMP/c1.pstable 2>&1
$O exec --preserve-fds 1 c1 sh -c 'echo via-exec-fd >&3' 3>$T_TMP/c1.execfd 2>$T_TMP/c1.execfd.err
/usr/bin/python3 $T_TMP/rwfd.py $O exec --preserve-fds 1 c1 sh -c 'read l <&3; echo got-\$l >&3; cat <&3' >$T_TMP/c1.rwfd 2>&1
$O exec -d --pid-file $T_TMP/xd.pid --preserve-fds 1 c1 sh -c 'echo detached-fd >&3' 3>$T_TMP/c1.xd
for i in \$(seq 300); do [ -s $T_TMP/c1.xd ] && break; sleep 0.1; done
$O pause c1 && $O state c1 >$T_TMP/c1.paused && $O resume c1
$O events --stats c1 >$T_TMP/c1.stats
$O update --pids-limit 77 --memory 104857600 c1 >$T_TMP/c1.update 2>&1 && $O events --stats c1 >$T_TMP/c1.stats2
CONSOLE_AFTER=true /usr/bin/python3 $HERE/console.py $T_TMP/exec.sock 20 60 $T_TMP/exec.out -- \\
	$O exec --tty --detach --console-socket $T_TMP/exec.sock --pid-file $T_TMP/exec.pid \\
	c1 sh -c '[ -t 0 ] && echo exec-tty' >$T_TMP/exec.log 2>&1
$O kill c1 TERM
EOF
shim s1 "bash $T_TMP/c1.after" create -b "$B" c1
grep -q '"status": "created"' "$T_TMP/c1.created" && pass "state: created" || fail "created" "$(cat "$T_TMP/c1.created")"
grep -q '"status": "running"' "$T_TMP/c1.running" && pass "start: running" || fail "running" "$(cat "$T_TMP/c1.running")"
[ "$(tr -s '\t\n' ' ' <"$T_TMP/c1.vmm")" = "CapEff: 00000000080000db NoNewPrivs: 1 Seccomp: 2 " ] &&
	pass "the container's ozone-vmm is confined: $(tr -s '\t\n' ' ' <"$T_TMP/c1.vmm")" ||
	fail "VMM confinement" "$(cat "$T_TMP/c1.vmm")"
[ "$(tr '\n' '|' <"$T_TMP/c1.exec")" = "in-exec|guest|5|" ] && pass "exec: output, hostname, exit code 5" ||
	fail "exec" "$(cat "$T_TMP/c1.exec")"
grep -Eq '^\[[0-9]+(,[0-9]+)+\]$' "$T_TMP/c1.ps" && pass "ps --format json: the shell and its sleep: $(cat "$T_TMP/c1.ps")" ||
	fail "ps" "$(cat "$T_TMP/c1.ps")"
[ "$(cat "$T_TMP/c1.execfd")" = via-exec-fd ] && pass "exec --preserve-fds 1: fd 3 written from the guest" ||
	fail "exec --preserve-fds" "$(cat "$T_TMP/c1.execfd" "$T_TMP/c1.execfd.err")"
[ "$(cat "$T_TMP/c1.rwfd")" = "got-sock 0" ] &&
	pass "exec --preserve-fds 1: a read-write socket both ways, each end seen" ||
	fail "exec --preserve-fds rw" "$(cat "$T_TMP/c1.rwfd")"
[ "$(cat "$T_TMP/c1.xd")" = detached-fd ] && pass "exec --detach --preserve-fds 1: relayed by the forked proxy" ||
	fail "exec -d --preserve-fds" "$(cat "$T_TMP/c1.xd")"
head -1 "$T_TMP/c1.pstable" | grep -qx 'UID          PID    PPID  C STIME TTY          TIME CMD' &&
	grep -Eq '^root +[0-9]+ +[0-9]+ +[0-9]+ [0-9][0-9]:[0-9][0-9] \? +[0-9][0-9]:[0-9][0-9]:[0-9][0-9] sleep 1000$' "$T_TMP/c1.pstable" &&
	pass "ps: the ps -ef table, a row for 'sleep 1000' (ps options ignored): $(grep 'sleep 1000$' "$T_TMP/c1.pstable")" ||
	fail "ps table" "$(cat "$T_TMP/c1.pstable")"
grep -q '"status": "paused"' "$T_TMP/c1.paused" && pass "pause: paused, then resumed" ||
	fail "pause" "$(cat "$T_TMP/c1.paused")"
grep -q '"type":"stats"' "$T_TMP/c1.stats" && pass "events --stats" || fail "events --stats" "$(cat "$T_TMP/c1.stats")"
[ "$(json_eval "$T_TMP/c1.stats2" 'd["data"]["pids"]["limit"], d["data"]["memory"]["usage"]["limit"]')" = "(77, 104857600)" ] &&
	pass "update: pids and memory limits applied in the guest" ||
	fail "update" "$(cat "$T_TMP/c1.update" "$T_TMP/c1.stats2")"
grep -q '^rc=0$' "$T_TMP/exec.log" && tr -d '\r' <"$T_TMP/exec.out" | grep -q '^exec-tty$' &&
	pass "exec --tty --detach --console-socket: a terminal" || fail "exec tty" "$(cat "$T_TMP/exec.log" "$T_TMP/exec.out")"
[ "$SHIM" = "exited 42" ] && [ "$(printf '%s' "$SOUT" | tail -1)" = "got TERM" ] &&
	pass "kill TERM: the trap runs, the pid-file process exits 42" ||
	{ fail "kill TERM" "$SHIM out='$SOUT' err='$SERR'"; vmm_log c1; }
oz state c1
grep -q '"status": "stopped"' "$OUT" && pass "state: stopped" || fail "stopped" "$(cat "$OUT" "$ERR")"
oz delete c1
[ "$RC" -eq 0 ] && pass "delete" || fail "delete" "$(cat "$ERR")"
check_gone "lifecycle"

# 3. A process killed by a signal: the proxy dies by it; the VM killed under a live container.
bundle "$B" false '["sleep","1000"]'
sed -i 's|"linux":{|"linux":{"cgroupsPath":"/ozone-it/c2",|' "$B/config.json"
snapshot >"$T_TMP/before"
CGP=$(grep -E ' - cgroup2 ' /proc/self/mountinfo | awk '$4 == "/" {print $5; exit}')/ozone-it/c2/cgroup.procs
shim s2 "$OZONE --root $ROOT start c2; cat $CGP >$T_TMP/c2.procs; $OZONE --root $ROOT kill c2 KILL" create -b "$B" c2
grep -qx "$(cut -d' ' -f1 "$ROOT/c2/vmm.pid")" "$T_TMP/c2.procs" && grep -qx "$(cat "$T_TMP/s2.pid")" "$T_TMP/c2.procs" &&
	pass "host cgroup: the VMM and the proxy are in cgroupsPath's group" ||
	fail "host cgroup" "$(cat "$T_TMP/c2.procs")"
[ "$SHIM" = "signaled 9" ] && pass "kill KILL: the pid-file process dies by SIGKILL" ||
	{ fail "kill KILL" "$SHIM $SERR"; vmm_log c2; }
oz delete c2
[ ! -e "${CGP%/cgroup.procs}" ] && pass "host cgroup: removed by delete" || fail "host cgroup left"
rmdir "$(dirname "${CGP%/cgroup.procs}")" 2>/dev/null
bundle "$B" false '["sleep","1000"]'
snapshot >"$T_TMP/before"
shim s3 "$OZONE --root $ROOT start c3; kill -KILL \$(cut -d' ' -f1 $ROOT/c3/vmm.pid)" create -b "$B" c3
[ "$SHIM" = "signaled 9" ] && pass "the VM SIGKILLed: the proxy ends as killed by SIGKILL" ||
	fail "VM killed" "$SHIM $SERR"
oz state c3
grep -q '"status": "stopped"' "$OUT" && pass "state: a container whose VM died is stopped" ||
	fail "state after VM death" "$(cat "$OUT")"
oz delete c3
[ "$RC" -eq 0 ] && pass "delete after the VM was killed" || fail "delete after VM death" "$(cat "$ERR")"
check_gone "killed"

# 4. A terminal through --console-socket, with the window size.
bundle "$B" true '["sh","-c","stty size; [ -t 0 ] && echo is-a-tty"]'
snapshot >"$T_TMP/before"
CONSOLE_AFTER="$OZONE --root $ROOT start t1" /usr/bin/python3 "$HERE/console.py" "$T_TMP/console.sock" \
	33 111 "$T_TMP/console.out" -- "$OZONE" --root "$ROOT" create --console-socket "$T_TMP/console.sock" \
	-b "$B" t1 >"$T_TMP/console.log" 2>&1
grep -q '^name=/dev/ptmx$' "$T_TMP/console.log" && grep -q '^rc=0$' "$T_TMP/console.log" &&
	pass "console socket: the pty master" || fail "console socket" "$(cat "$T_TMP/console.log")"
tr -d '\r' <"$T_TMP/console.out" | grep -q '^33 111$' && tr -d '\r' <"$T_TMP/console.out" | grep -q '^is-a-tty$' &&
	pass "console: a terminal of 33x111 in the guest" || fail "console" "$(od -c "$T_TMP/console.out" | head)"
oz delete --force t1
check_gone "terminal"

# 5. The real clients: containerd's runc shim (ctr --runc-binary) and podman + conmon.
RFS=$T_TMP/rfs
mkdir -p "$RFS/bin" "$RFS/proc" "$RFS/dev" "$RFS/sys" "$RFS/tmp" "$RFS/etc" "$RFS/run"
cp /bin/busybox "$RFS/bin/"
for c in sh echo sleep cat; do ln -sf busybox "$RFS/bin/$c"; done
if command -v containerd >/dev/null && command -v ctr >/dev/null; then
	CTD=$T_TMP/ctd
	mkdir -p "$CTD/root" "$CTD/state"
	printf 'version = 2\nroot = "%s/root"\nstate = "%s/state"\n[grpc]\n  address = "%s/sock"\n' \
		"$CTD" "$CTD" "$CTD" >"$CTD/config.toml"
	containerd --config "$CTD/config.toml" >"$CTD/log" 2>&1 &
	T_PIDS+=("$!")
	for _ in $(seq 300); do [ -S "$CTD/sock" ] && break; sleep 0.1; done
	CTR=(ctr --address "$CTD/sock")
	out=$(timeout 600 "${CTR[@]}" run --rm --rootfs --runc-binary "$OZONE" "$RFS" k1 sh -c 'echo hello-ctr; exit 7' </dev/null 2>&1)
	rc=$?
	[ "$rc" -eq 7 ] && [ "$out" = hello-ctr ] && pass "containerd: ctr run: output and exit code 7" ||
		fail "ctr run" "rc=$rc out=$out"
	timeout 600 "${CTR[@]}" run -d --rootfs --runc-binary "$OZONE" "$RFS" k2 sleep 1000 </dev/null >/dev/null 2>&1
	out=$(timeout 300 "${CTR[@]}" task exec --exec-id e1 k2 sh -c 'echo in-exec; exit 3' </dev/null 2>&1)
	rc=$?
	[ "$rc" -eq 3 ] && [ "$out" = in-exec ] && pass "containerd: ctr task exec: output and exit code 3" ||
		fail "ctr task exec" "rc=$rc out=$out"
	"${CTR[@]}" task kill -s KILL k2 >/dev/null 2>&1
	for _ in $(seq 300); do "${CTR[@]}" task ls 2>/dev/null | grep -q "k2 .*STOPPED" && break; sleep 0.2; done
	"${CTR[@]}" task delete k2 >/dev/null 2>&1 && "${CTR[@]}" container delete k2 >/dev/null 2>&1 &&
		pass "containerd: kill -s KILL, task and container deleted" ||
		fail "ctr kill/delete" "$("${CTR[@]}" task ls 2>&1)"
	[ "$(pgrep -fc "$OZONE_BUILD/bin/ozone-vmm")" -eq 0 ] && pass "containerd: no ozone-vmm left" ||
		fail "containerd: ozone-vmm left" "$(pgrep -af ozone-vmm)"
	kill "${T_PIDS[-1]}" 2>/dev/null
else
	fail "containerd and ctr are not installed"
fi
if command -v podman >/dev/null && command -v conmon >/dev/null; then
	P=(podman --runtime "$OZONE" --cgroup-manager cgroupfs --events-backend file)
	out=$(ulimit -n 4096; timeout 600 "${P[@]}" run --rm --rootfs --network none --ulimit host "$RFS" \
		sh -c 'echo hello-podman; exit 7' </dev/null 2>&1)
	rc=$?
	[ "$rc" -eq 7 ] && [ "$out" = hello-podman ] && pass "podman run: output and exit code 7" ||
		fail "podman run" "rc=$rc out=$out"
	(ulimit -n 4096; timeout 600 "${P[@]}" run -d --name p2 --network none --ulimit host --rootfs "$RFS" sleep 1000) \
		</dev/null >/dev/null 2>&1
	out=$(timeout 300 "${P[@]}" exec p2 sh -c 'echo in-exec; exit 3' </dev/null 2>&1)
	rc=$?
	[ "$rc" -eq 3 ] && [ "$out" = in-exec ] && pass "podman exec: output and exit code 3" ||
		fail "podman exec" "rc=$rc out=$out"
	timeout 300 "${P[@]}" rm -f p2 </dev/null >/dev/null 2>&1 && pass "podman rm -f" || fail "podman rm -f"
	[ "$(pgrep -fc "$OZONE_BUILD/bin/ozone-vmm")" -eq 0 ] && pass "podman: no ozone-vmm left" ||
		fail "podman: ozone-vmm left" "$(pgrep -af ozone-vmm)"
else
	fail "podman and conmon are not installed"
fi

finish
