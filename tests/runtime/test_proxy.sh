#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The ozone CLI end to end on the host, without a VM: OZONE_VMM names a
# stand-in that serves the sandbox's hybrid vsock socket with the agent's
# host mode (`ozone-agent --hybrid-socket S --shared DIR`: the same
# protocol and handshake as the agent behind ozone-vmm, running the
# container with namespaces on this host). What is checked is ozone's side:
# run's output and exit code; stdin; the proxy as a shim sees it (a
# subreaper waiting on the pid-file pid: exit codes, death by the same
# signal, signals forwarded, the guest process killed when the proxy is
# SIGKILLed); exec (foreground, detached, --process, flags); the console
# socket (the pty master with runc's name, window size); the lifecycle and
# its errors; nothing left after delete.
# shellcheck disable=SC2015 # `COND && pass ... || fail ...`: pass, fail and skip return 0
. "$(dirname "$0")/lib.sh"

AGENT=${OZONE_AGENT:-$OZONE_BUILD/bin/ozone-agent}
if [ "$(id -u)" -ne 0 ] || ! have_python || [ ! -x "$AGENT" ] || [ ! -x /bin/busybox ]; then
	echo "test_proxy: needs root, python3, /bin/busybox (static) and $AGENT" >&2
	exit 1
fi
if ! "$AGENT" --help 2>&1 | grep -q -- --hybrid-socket; then
	echo "test_proxy: $AGENT has no host mode (--hybrid-socket)" >&2
	exit 1
fi
HERE=$(cd "$(dirname "$0")" && pwd)

STANDIN=$T_TMP/agent-vmm
agent_standin "$STANDIN"
: >"$T_TMP/kernel"
: >"$T_TMP/initrd"
export OZONE_VMM=$STANDIN OZONE_KERNEL=$T_TMP/kernel OZONE_INITRD=$T_TMP/initrd OZONE_BOOT_TIMEOUT=30

# bundle DIR TERMINAL ARGS-JSON [NAMESPACES-JSON]: a busybox rootfs and a config.json running ARGS.
bundle() {
	local dir=$1 ns=${4:-}
	[ -n "$ns" ] || ns='[{"type":"pid"},{"type":"mount"},{"type":"uts"},{"type":"ipc"},{"type":"network"}]'
	mkdir -p "$dir/rootfs/bin" "$dir/rootfs/proc" "$dir/rootfs/dev" "$dir/rootfs/tmp"
	cp /bin/busybox "$dir/rootfs/bin/busybox"
	for c in sh echo cat sleep true stty tty pwd kill trap id; do
		ln -sf busybox "$dir/rootfs/bin/$c"
	done
	cat >"$dir/config.json" <<EOF
{"ociVersion":"1.0.2","process":{"terminal":$2,"user":{"uid":0,"gid":0},"args":$3,
"env":["PATH=/bin","HOME=/"],"cwd":"/"},"root":{"path":"rootfs"},"hostname":"t",
"mounts":[{"destination":"/proc","type":"proc","source":"proc"}],
"linux":{"namespaces":$ns}}
EOF
}

leftovers() { # nothing under --root, no agent of ours, no mount
	[ -z "$(ls -A "$ROOT" 2>/dev/null)" ] && ! pgrep -f "$AGENT --hybrid-socket $ROOT" >/dev/null &&
		! grep -q " $ROOT" /proc/mounts
}
check_gone() {
	if leftovers; then pass "$1: nothing left (state, agent, mounts)"; else
		fail "$1: left behind" "$(ls -A "$ROOT"; pgrep -af "$AGENT"; grep " $ROOT" /proc/mounts)"; fi
}

# shim NAME AFTER VERB ARG...: runs `ozone VERB --pid-file P ARG...` under shim.py; sets SHIM
# (its verdict) and SOUT/SERR (the process's output).
shim() {
	local name=$1 after=$2 verb=$3
	shift 3
	SHIM=$(/usr/bin/python3 "$HERE/shim.py" "$T_TMP/$name" "$T_TMP/$name.pid" "$after" -- \
		"$OZONE" --root "$ROOT" "$verb" --pid-file "$T_TMP/$name.pid" "$@" 2>&1 | tail -1)
	SOUT=$(cat "$T_TMP/$name.out" 2>/dev/null)
	SERR=$(cat "$T_TMP/$name.err" 2>/dev/null)
}

B=$T_TMP/b
# 1. run in the foreground: output, error output, exit code; then the container is gone.
bundle "$B" false '["sh","-c","echo hello; echo oops >&2; exit 3"]'
oz run -b "$B" r1
[ "$RC" -eq 3 ] && [ "$(cat "$OUT")" = hello ] && [ "$(cat "$ERR")" = oops ] &&
	pass "run: stdout, stderr, exit code 3" || fail "run" "rc=$RC out=$(cat "$OUT") err=$(cat "$ERR")"
check_gone "run"

# A socket path past sun_path's 107 bytes (a long --root, a 64-character id) still works.
LONGROOT=$T_TMP/a-rather-long-root-directory-name/for-the-state-of-containers
LONGID=$(printf '%064d' 7)
"$OZONE" --root "$LONGROOT" run -b "$B" "$LONGID" >"$OUT" 2>"$ERR"
RC=$?
[ "$RC" -eq 3 ] && [ "$(cat "$OUT")" = hello ] && [ ${#LONGROOT} -gt 40 ] &&
	pass "run: a vsock socket path of $((${#LONGROOT} + 82)) bytes" || fail "long socket path" "rc=$RC $(cat "$ERR")"
[ -z "$(ls -A "$LONGROOT")" ] && pass "run: nothing left under the long root" || fail "long root left"

# 2. stdin reaches the process, and its end closes the process's stdin.
bundle "$B" false '["cat"]'
"$OZONE" --root "$ROOT" run -b "$B" r2 <<<"piped through" >"$OUT" 2>"$ERR"
RC=$?
[ "$RC" -eq 0 ] && [ "$(cat "$OUT")" = "piped through" ] && pass "run: stdin relayed, EOF passed on" ||
	fail "run: stdin" "rc=$RC out=$(cat "$OUT") err=$(cat "$ERR")"
head -c 3000000 /dev/urandom >"$T_TMP/big"
"$OZONE" --root "$ROOT" run -b "$B" r2 <"$T_TMP/big" >"$T_TMP/big.out" 2>"$ERR"
cmp -s "$T_TMP/big" "$T_TMP/big.out" && pass "run: 3 MB through stdin and stdout intact" ||
	fail "run: big stream" "$(wc -c <"$T_TMP/big.out") bytes; $(cat "$ERR")"
check_gone "run with stdin"

# run --detach: created and started; the proxy stays.
bundle "$B" false '["sleep","100"]'
oz run -d --pid-file "$T_TMP/r3.pid" -b "$B" r3
oz state r3
[ "$RC" -eq 0 ] && grep -q '"status": "running"' "$OUT" && kill -0 "$(cat "$T_TMP/r3.pid")" &&
	pass "run --detach: running, the pid file names a live proxy" || fail "run -d" "$(cat "$OUT" "$ERR")"
oz delete --force r3
check_gone "run --detach"

# 3. The proxy as a shim sees it: create with pipes, start, wait for the pid-file pid.
bundle "$B" false '["sh","-c","echo out; echo err >&2; exit 7"]'
shim s1 "$OZONE --root $ROOT start c1" create -b "$B" c1
[ "$SHIM" = "exited 7" ] && [ "$SOUT" = out ] && [ "$SERR" = err ] &&
	pass "shim: the pid-file process exits 7, output through the pipes" ||
	fail "shim: exit" "$SHIM out=$SOUT err=$SERR"
oz state c1
grep -q '"status": "stopped"' "$OUT" && pass "state: stopped once the process ended" ||
	fail "state after exit" "$(cat "$OUT")"
oz delete c1
[ "$RC" -eq 0 ] && check_gone "delete of a stopped container" || fail "delete" "$(cat "$ERR")"

bundle "$B" false '["sh","-c","trap \"echo got TERM; exit 42\" TERM; echo ready; while :; do sleep 0.1; done"]'
shim s2 "$OZONE --root $ROOT start c2; sleep 1; kill -TERM \$PID" create -b "$B" c2
[ "$SHIM" = "exited 42" ] && [ "$(printf '%s' "$SOUT" | tail -1)" = "got TERM" ] &&
	pass "shim: SIGTERM to the proxy is forwarded; the trap's exit 42 comes back" ||
	fail "shim: signal forwarding" "$SHIM out=$SOUT err=$SERR"
oz delete c2

bundle "$B" false '["sleep","100"]'
shim s3 "$OZONE --root $ROOT start c3; sleep 0.5; $OZONE --root $ROOT kill c3 KILL" create -b "$B" c3
[ "$SHIM" = "signaled 9" ] && pass "shim: a process killed by SIGKILL: the proxy dies by SIGKILL" ||
	fail "shim: killed" "$SHIM $SERR"
oz delete c3

# Not the init of a pid namespace, which ignores signals it has no handler for.
bundle "$B" false '["sleep","100"]' '[{"type":"mount"},{"type":"uts"},{"type":"network"}]'
shim s4 "$OZONE --root $ROOT start c4; sleep 0.5; $OZONE --root $ROOT kill c4 USR1" create -b "$B" c4
[ "$SHIM" = "signaled 10" ] && pass "shim: killed by SIGUSR1: the proxy dies by SIGUSR1" ||
	fail "shim: killed by USR1" "$SHIM $SERR"
oz delete --force c4
bundle "$B" false '["sleep","100"]'

# The proxy SIGKILLed: the agent kills the process it held.
shim s5 "$OZONE --root $ROOT start c5; sleep 0.5; kill -KILL \$PID" create -b "$B" c5
for _ in $(seq 50); do grep -q "c5: pid [0-9]* killed by signal 9" "$ROOT/c5/vmm.log" && break; sleep 0.1; done
[ "$SHIM" = "signaled 9" ] && grep -q "c5: pid [0-9]* killed by signal 9" "$ROOT/c5/vmm.log" &&
	pass "proxy SIGKILLed: the guest process is killed too" ||
	fail "proxy SIGKILLed" "$SHIM; $(tail -3 "$ROOT/c5/vmm.log")"
oz delete c5

# 4. Lifecycle and its errors.
oz create -b "$B" --pid-file "$T_TMP/c6.pid" c6 </dev/null
[ "$RC" -eq 0 ] && pass "create" || fail "create" "$(cat "$ERR")"
oz state c6
[ "$RC" -eq 0 ] && grep -q '"status": "created"' "$OUT" &&
	grep -q "\"pid\": $(cat "$T_TMP/c6.pid")," "$OUT" && pass "state: created, pid = the pid file's" ||
	fail "state created" "$(cat "$OUT" "$ERR")"
expect_err "create: duplicate id" 1 "ozone: container with id exists: c6" create -b "$B" c6
oz start c6
oz state c6
grep -q '"status": "running"' "$OUT" && pass "start: running" || fail "start" "$(cat "$OUT" "$ERR")"
expect_err "start twice" 1 "ozone: cannot start an already running container" start c6
expect_err "delete a running container" 1 \
	"ozone: cannot delete container c6 that is not stopped: running" delete c6
oz ps --format json c6
[ "$RC" -eq 0 ] && grep -Eq '^\[[0-9]+(,[0-9]+)*\]$' "$OUT" && pass "ps --format json: $(cat "$OUT")" ||
	fail "ps json" "$(cat "$OUT" "$ERR")"
oz ps c6
[ "$RC" -eq 0 ] && [ "$(head -1 "$OUT")" = "UID          PID    PPID  C STIME TTY          TIME CMD" ] &&
	pass "ps: the ps -ef table" || fail "ps" "$(cat "$OUT" "$ERR")"

# 5. exec: foreground with flags, a killed one, --process, detached under a shim.
# shellcheck disable=SC2016 # $FOO is the container's
oz exec -e FOO=bar --cwd /tmp c6 sh -c 'echo $FOO; pwd; echo e >&2; exit 5'
[ "$RC" -eq 5 ] && [ "$(tr '\n' ' ' <"$OUT")" = "bar /tmp " ] && [ "$(cat "$ERR")" = e ] &&
	pass "exec: env and cwd flags, output, exit code 5" ||
	fail "exec" "rc=$RC out=$(cat "$OUT") err=$(cat "$ERR")"
oz exec -u 1000:1001 -g 5 --cap CAP_KILL --no-new-privs c6 sh -c 'id -u; id -g; id -G; grep ^NoNewPrivs /proc/self/status'
[ "$RC" -eq 0 ] && [ "$(tr '\n' '|' <"$OUT" | tr -s ' \t' ' ')" = "1000|1001|1001 5|NoNewPrivs: 1|" ] &&
	pass "exec: --user, --additional-gids, --no-new-privs reach the process" ||
	fail "exec user flags" "rc=$RC $(cat "$OUT" "$ERR")"
oz exec c6 sh -c 'kill -KILL $$'
[ "$RC" -eq 137 ] && pass "exec: a process killed by SIGKILL: 128+9, as runc exits" ||
	fail "exec killed" "rc=$RC $(cat "$ERR")"
echo '{"args":["sh","-c","echo from process.json; exit 4"],"cwd":"/","env":["PATH=/bin"],"user":{"uid":0,"gid":0}}' >"$T_TMP/p.json"
oz exec --process "$T_TMP/p.json" c6
[ "$RC" -eq 4 ] && [ "$(cat "$OUT")" = "from process.json" ] && pass "exec --process" ||
	fail "exec --process" "rc=$RC $(cat "$OUT" "$ERR")"
shim x1 "true" exec --detach c6 sh -c 'echo detached; exit 9'
[ "$SHIM" = "exited 9" ] && [ "$SOUT" = detached ] && pass "exec --detach: the pid-file process exits 9" ||
	fail "exec --detach" "$SHIM $SOUT $SERR"
shim x2 "sleep 0.5; kill -KILL \$PID" exec --detach c6 sleep 100
[ "$SHIM" = "signaled 9" ] && pass "exec --detach: SIGKILL to its proxy" || fail "exec SIGKILL" "$SHIM"

CONSOLE_AFTER=true /usr/bin/python3 "$HERE/console.py" "$T_TMP/exec.sock" 20 60 "$T_TMP/exec.out" -- \
	"$OZONE" --root "$ROOT" exec --tty --detach --console-socket "$T_TMP/exec.sock" \
	--pid-file "$T_TMP/exec.pid" c6 sh -c '[ -t 0 ] && echo exec-tty' >"$T_TMP/exec.log" 2>&1
grep -q '^rc=0$' "$T_TMP/exec.log" && tr -d '\r' <"$T_TMP/exec.out" | grep -q '^exec-tty$' &&
	pass "exec --tty --detach --console-socket: a terminal" ||
	fail "exec tty" "$(cat "$T_TMP/exec.log" "$T_TMP/exec.out")"

echo '{"terminal":true,"consoleSize":{"height":21,"width":81},"args":["stty","size"],"cwd":"/","env":["PATH=/bin"],"user":{"uid":0,"gid":0}}' >"$T_TMP/pt.json"
CONSOLE_AFTER=true /usr/bin/python3 "$HERE/console.py" "$T_TMP/exec2.sock" 0 0 "$T_TMP/exec2.out" -- \
	"$OZONE" --root "$ROOT" exec --process "$T_TMP/pt.json" --detach --console-socket "$T_TMP/exec2.sock" \
	--pid-file "$T_TMP/exec2.pid" c6 >"$T_TMP/exec2.log" 2>&1
tr -d '\r' <"$T_TMP/exec2.out" | grep -q '^21 81$' &&
	pass "exec --process with a consoleSize: the process starts with it" ||
	fail "exec consoleSize" "$(cat "$T_TMP/exec2.log" "$T_TMP/exec2.out")"

oz kill c6 TERM
sleep 0.5
oz delete --force c6
[ "$RC" -eq 0 ] && pass "delete --force" || fail "delete --force" "$(cat "$ERR")"
check_gone "delete --force"
oz delete --force c6
[ "$RC" -eq 0 ] && [ ! -s "$ERR" ] && pass "delete --force of a deleted id: exit 0, as runc" ||
	fail "delete --force again" "rc=$RC $(cat "$ERR")"

# The host cgroup of cgroupsPath holds the VMM (here, the agent standing in for it) and the proxies.
CG=ozone-test-${T_TMP##*.}
bundle "$B" false '["sleep","100"]'
sed -i "s|\"hostname\":\"t\",|\"hostname\":\"t\",|; s|\"linux\":{|\"linux\":{\"cgroupsPath\":\"/$CG/g1\",|" "$B/config.json"
oz create -b "$B" --pid-file "$T_TMP/g1.pid" g1
oz start g1
PROCS=/sys/fs/cgroup/pids/$CG/g1/cgroup.procs
[ -d /sys/fs/cgroup/pids ] || PROCS=/sys/fs/cgroup/$CG/g1/cgroup.procs
shim g2 "grep -qx \$PID $PROCS && echo in >$T_TMP/g2.in; kill -KILL \$PID" exec --detach g1 sleep 100
[ "$(cat "$T_TMP/g2.in" 2>/dev/null)" = in ] && [ "$SHIM" = "signaled 9" ] &&
	pass "host cgroup: an exec's proxy is in it too" || fail "exec proxy cgroup" "$SHIM $(cat "$PROCS")"
vpid=$(cut -d' ' -f1 "$ROOT/g1/vmm.pid")
grep -qx "$vpid" "$PROCS" && grep -qx "$(cat "$T_TMP/g1.pid")" "$PROCS" &&
	pass "host cgroup: the VMM and the container's proxy are in $CG/g1" ||
	fail "host cgroup" "vmm $vpid proxy $(cat "$T_TMP/g1.pid"): $(cat "$PROCS" 2>&1)"
oz delete --force g1
[ "$RC" -eq 0 ] && [ ! -e "${PROCS%/cgroup.procs}" ] && pass "host cgroup: gone after delete --force" ||
	fail "host cgroup after delete" "$(cat "$ERR")"
for d in /sys/fs/cgroup/*/"$CG" /sys/fs/cgroup/"$CG"; do rmdir "$d" 2>/dev/null; done
check_gone "host cgroup"

# 6. A terminal: the pty master goes to --console-socket with runc's name; window size passes.
bundle "$B" true '["sh","-c","stty size; [ -t 0 ] && echo is-a-tty"]'
CONSOLE_AFTER="$OZONE --root $ROOT start t1" /usr/bin/python3 "$HERE/console.py" "$T_TMP/console.sock" \
	33 111 "$T_TMP/console.out" -- "$OZONE" --root "$ROOT" create --console-socket "$T_TMP/console.sock" \
	-b "$B" t1 >"$T_TMP/console.log" 2>&1
grep -q '^name=/dev/ptmx$' "$T_TMP/console.log" && grep -q '^rc=0$' "$T_TMP/console.log" &&
	pass "console socket: the master, named /dev/ptmx, as runc sends it" ||
	fail "console socket" "$(cat "$T_TMP/console.log")"
tr -d '\r' <"$T_TMP/console.out" | grep -q '^33 111$' && pass "console: the window size reaches the process" ||
	fail "console: size" "$(od -c "$T_TMP/console.out" | head -5)"
tr -d '\r' <"$T_TMP/console.out" | grep -q '^is-a-tty$' && pass "console: the process has a terminal" ||
	fail "console: tty" "$(cat "$T_TMP/console.out")"
oz delete --force t1
check_gone "terminal"
# containerd's shim reads create's output to its end before it takes the master: the
# proxy must not hold create's stdout and stderr.
CONSOLE_SHIM=1 CONSOLE_AFTER="$OZONE --root $ROOT start t4" /usr/bin/python3 "$HERE/console.py" \
	"$T_TMP/console4.sock" 0 0 "$T_TMP/console4.out" -- "$OZONE" --root "$ROOT" create \
	--console-socket "$T_TMP/console4.sock" -b "$B" t4 >"$T_TMP/console4.log" 2>&1
grep -q '^rc=0$' "$T_TMP/console4.log" && tr -d '\r' <"$T_TMP/console4.out" | grep -q '^is-a-tty$' &&
	pass "console: create's output ends when create does (the proxy lets go of it)" ||
	fail "console: create's output held open" "$(cat "$T_TMP/console4.log" "$T_TMP/console4.out")"
oz delete --force t4
sed -i 's|"terminal":true,|"terminal":true,"consoleSize":{"height":19,"width":71},|' "$B/config.json"
CONSOLE_AFTER="$OZONE --root $ROOT start t3" /usr/bin/python3 "$HERE/console.py" "$T_TMP/console3.sock" \
	0 0 "$T_TMP/console3.out" -- "$OZONE" --root "$ROOT" create --console-socket "$T_TMP/console3.sock" \
	-b "$B" t3 >"$T_TMP/console3.log" 2>&1
tr -d '\r' <"$T_TMP/console3.out" | grep -q '^19 71$' &&
	pass "console: process.consoleSize until the client sets one" ||
	fail "console: consoleSize" "$(cat "$T_TMP/console3.log" "$T_TMP/console3.out")"
oz delete --force t3

# A foreground run with a terminal and no console socket: the caller's own terminal (script(1)'s pty).
bundle "$B" true '["sh","-c","[ -t 0 ] && [ -t 1 ] && echo fg-tty; stty size; exit 6"]'
TERM=dumb script -qec "stty cols 77 rows 22; $OZONE --root $ROOT run -b $B t2" /dev/null </dev/null >"$OUT" 2>&1
RC=$?
# script(1) writes the terminal's end-of-file character when its stdin ends; if that comes
# before the terminal is raw, the line discipline echoes it (a NUL, as ^@).
sed -i 's/\^@//g' "$OUT"
[ "$RC" -eq 6 ] && tr -d '\r' <"$OUT" | grep -q '^fg-tty$' && tr -d '\r' <"$OUT" | grep -q '^22 77$' &&
	pass "run with a terminal in the foreground: the caller's terminal and its size, exit code 6" ||
	fail "foreground terminal" "rc=$RC $(od -c "$OUT" | head -5)"
check_gone "foreground terminal"

# 7. OCI hooks, on the host, with the state on stdin; a failing one fails create.
HOOK=$T_TMP/hook
cat >"$HOOK" <<EOF
#!/bin/sh
# \$1: the hook's name; the state JSON comes on stdin.
cat >"$T_TMP/hook.\$1"
[ "\$1" != fail ] || { echo "no good" >&2; exit 3; }
[ "\$1" != slow ] || exec sleep 30
EOF
chmod +x "$HOOK"
hookcfg() { # NAME...: a "hooks" object with one hook of each kind, running $HOOK NAME
	local out="" k
	for k in "$@"; do
		out="$out${out:+,}\"$k\":[{\"path\":\"$HOOK\",\"args\":[\"hook\",\"$k\"]}]"
	done
	echo "{$out}"
}
bundle "$B" false '["sh","-c","exit 0"]'
sed -i "s|\"hostname\":\"t\",|\"hostname\":\"t\",\"hooks\":$(hookcfg prestart createRuntime createContainer startContainer poststart poststop),|" "$B/config.json"
shim h1 "$OZONE --root $ROOT start h1" create -b "$B" h1
oz delete h1
ok=1
for k in prestart createRuntime createContainer startContainer poststart poststop; do
	[ -s "$T_TMP/hook.$k" ] || { ok=0; fail "hook $k did not run"; }
done
[ $ok -eq 1 ] && pass "hooks: prestart, createRuntime, createContainer, startContainer, poststart, poststop ran"
want="prestart:creating createRuntime:creating createContainer:creating startContainer:created poststart:running poststop:stopped"
got=""
for k in prestart createRuntime createContainer startContainer poststart poststop; do
	got="$got${got:+ }$k:$(json_eval "$T_TMP/hook.$k" 'd["status"]' 2>/dev/null)"
done
[ "$got" = "$want" ] && pass "hooks: the state on stdin with the spec's status for each" || fail "hook states" "$got"
[ "$(json_eval "$T_TMP/hook.createRuntime" 'd["id"], d["pid"] > 0, d["bundle"]')" = "('h1', True, '$B')" ] &&
	pass "hooks: id, the proxy's pid and the bundle in the state" ||
	fail "hook state fields" "$(cat "$T_TMP/hook.createRuntime")"
bundle "$B" false '["sh","-c","exit 0"]'
sed -i "s|\"hostname\":\"t\",|\"hostname\":\"t\",\"hooks\":{\"createRuntime\":[{\"path\":\"$HOOK\",\"args\":[\"hook\",\"fail\"]}]},|" "$B/config.json"
expect_err "hooks: a failing createRuntime hook fails create" 1 \
	"ozone: hooks.createRuntime[0] ($HOOK): exit status 3: no good" create -b "$B" h2
check_gone "failed hook"
bundle "$B" false '["sh","-c","exit 0"]'
sed -i "s|\"hostname\":\"t\",|\"hostname\":\"t\",\"hooks\":{\"createContainer\":[{\"path\":\"$HOOK\",\"args\":[\"hook\",\"slow\"],\"timeout\":1}]},|" "$B/config.json"
expect_err "hooks: a hook past its timeout is killed and fails create" 1 \
	"ozone: hooks.createContainer[0] ($HOOK): timed out after 1 s" create -b "$B" h3
check_gone "hook timeout"

finish
