#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The ozone binary against runc's behaviour: version, spec, features, state,
# list, the id/signal/bundle errors, logging, and the verbs that need a VM
# checking the container's state first. Where runc is installed, outputs are
# compared with runc's own.
# shellcheck disable=SC2015 # `COND && pass ... || fail ...`: pass, fail and skip return 0
. "$(dirname "$0")/lib.sh"

# The comparisons are the point of this test: never pass without them.
if ! have_runc || ! have_python; then
	echo "test_cli: needs runc and python3 to compare with (scripts/install-deps installs them)" >&2
	exit 1
fi

# --version / -v
oz --version
if [ "$RC" -eq 0 ] && head -n1 "$OUT" | grep -q '^ozone version [0-9]' &&
	sed -n 2p "$OUT" | grep -q '^spec: 1\.'; then
	pass "--version: $(head -n1 "$OUT")"
else
	fail "--version" "rc=$RC out='$(cat "$OUT")'"
fi
oz -v
[ "$RC" -eq 0 ] && grep -q '^ozone version' "$OUT" && pass "-v" || fail "-v" "rc=$RC"

# spec: runc's default config.json, byte for byte; no overwrite.
mkdir -p "$T_TMP/spec" "$T_TMP/spec-rootless"
oz spec --bundle "$T_TMP/spec"
if [ "$RC" -eq 0 ] && [ -s "$T_TMP/spec/config.json" ]; then
	pass "spec writes config.json"
else
	fail "spec" "rc=$RC err='$(cat "$ERR")'"
fi
expect_err "spec refuses to overwrite" 1 "ozone: File config.json exists. Remove it first" \
	spec --bundle "$T_TMP/spec"
oz spec --rootless -b "$T_TMP/spec-rootless"
[ "$RC" -eq 0 ] && pass "spec --rootless" || fail "spec --rootless" "rc=$RC"
if have_runc; then
	mkdir -p "$T_TMP/runc-spec" "$T_TMP/runc-spec-rootless"
	(cd "$T_TMP/runc-spec" && runc spec) && (cd "$T_TMP/runc-spec-rootless" && runc spec --rootless)
	cmp -s "$T_TMP/spec/config.json" "$T_TMP/runc-spec/config.json" &&
		pass "spec: identical to runc spec" || fail "spec: differs from runc spec"
	cmp -s "$T_TMP/spec-rootless/config.json" "$T_TMP/runc-spec-rootless/config.json" &&
		pass "spec --rootless: identical to runc spec --rootless" ||
		fail "spec --rootless: differs from runc's"
fi
# The default spec is one ozone itself accepts.
cp -r "$T_TMP/spec" "$T_TMP/specb" && mkdir -p "$T_TMP/specb/rootfs"
expect_err "create with runc's default spec: terminal needs a console socket" 1 \
	"ozone: cannot allocate tty if ozone will detach without setting console socket" \
	create -b "$T_TMP/specb" c0

# features
oz features
cp "$OUT" "$T_TMP/features.json"
if [ "$RC" -eq 0 ] && have_python; then
	if [ "$(json_eval "$T_TMP/features.json" 'd["annotations"]["org.ozone.runtime.isolation"]')" = kvm-microvm ] &&
		[ "$(json_eval "$T_TMP/features.json" '"CAP_CHOWN" in d["linux"]["capabilities"] and "SCMP_ARCH_X86_64" in d["linux"]["seccomp"]["archs"] and "pid" in d["linux"]["namespaces"] and "rbind" in d["mountOptions"]')" = True ]; then
		pass "features: capabilities, archs, namespaces, mount options, VM annotation"
	else
		fail "features content" "$(head -c 300 "$T_TMP/features.json")"
	fi
	if have_runc && runc features >"$T_TMP/runc-features.json" 2>/dev/null; then
		keys='sorted(d.keys()), sorted(d["linux"].keys()), sorted(d["linux"]["seccomp"].keys()), sorted(d["linux"]["cgroup"].keys())'
		if [ "$(json_eval "$T_TMP/features.json" "$keys")" = "$(json_eval "$T_TMP/runc-features.json" "$keys")" ]; then
			pass "features: same fields as runc features"
		else
			fail "features fields" "$(json_eval "$T_TMP/features.json" "$keys")"
		fi
		same='d["mountOptions"], d["linux"]["namespaces"], d["linux"]["seccomp"]["actions"], d["linux"]["seccomp"]["operators"], d["hooks"]'
		[ "$(json_eval "$T_TMP/features.json" "$same")" = "$(json_eval "$T_TMP/runc-features.json" "$same")" ] &&
			pass "features: mount options, namespaces, seccomp actions, hooks as runc's" ||
			fail "features lists differ from runc's"
	fi
elif [ "$RC" -eq 0 ]; then
	pass "features (python3 absent: content not checked)"
else
	fail "features" "rc=$RC"
fi

# list with no containers: runc's header, runc's JSON "null", nothing with -q.
oz list
if [ "$RC" -eq 0 ] && [ "$(cat "$OUT")" = "ID          PID         STATUS      BUNDLE      CREATED     OWNER" ]; then
	pass "list: empty table header"
else
	fail "list empty" "rc=$RC out='$(cat "$OUT")'"
fi
if have_runc; then
	runc --root "$T_TMP/runc-root" list >"$T_TMP/runc-list" 2>/dev/null
	cmp -s "$OUT" "$T_TMP/runc-list" && pass "list: header identical to runc's" ||
		fail "list header differs from runc's"
	runc --root "$T_TMP/runc-root" list --format json >"$T_TMP/runc-list.json" 2>/dev/null
fi
oz list --format json
if [ "$RC" -eq 0 ] && [ "$(cat "$OUT")" = null ]; then
	pass "list --format json: null"
else
	fail "list json empty" "out='$(cat "$OUT")'"
fi
have_runc && { cmp -s "$OUT" "$T_TMP/runc-list.json" && pass "list json: identical to runc's" ||
	fail "list json differs from runc's"; }
oz list -q
[ "$RC" -eq 0 ] && [ ! -s "$OUT" ] && pass "list -q: nothing" || fail "list -q" "rc=$RC"
expect_err "list --format yaml" 1 "ozone: invalid format option" list --format yaml

# state and the id rule
expect_err "state of an unknown id" 1 'ozone: container "nope" does not exist' state nope
expect_err "state: id with a /" 1 "ozone: invalid container id 'a/b'" state a/b
expect_err "state: id .." 1 "ozone: invalid container id '..'" state ..
expect_err "state: no id" 1 'ozone: "state" requires exactly 1 argument(s)' state

# A container recorded by a live process, then stopped.
make_bundle "$T_TMP/b"
sleep 300 &
SLEEP=$!
T_PIDS+=("$SLEEP")
fake_state c1 "$SLEEP" running
fake_state c2 0 stopped
oz state c1
if [ "$RC" -eq 0 ] && have_python; then
	if [ "$(json_eval "$OUT" 'list(d.keys())')" = "['ociVersion', 'id', 'pid', 'status', 'bundle', 'rootfs', 'created', 'owner']" ] &&
		[ "$(json_eval "$OUT" 'd["status"], d["pid"]')" = "('running', $SLEEP)" ]; then
		pass "state: runc's fields, running"
	else
		fail "state fields" "$(cat "$OUT")"
	fi
	[ "$(tail -c1 "$OUT" | od -An -c | tr -d ' ')" = "}" ] && pass "state: no newline after the document, as runc" ||
		fail "state trailing newline"
elif [ "$RC" -eq 0 ]; then
	grep -q '"status": "running"' "$OUT" && pass "state running" || fail "state running"
else
	fail "state c1" "rc=$RC err='$(cat "$ERR")'"
fi
oz list
if [ "$RC" -eq 0 ] && [ "$(wc -l <"$OUT")" -eq 3 ] &&
	awk 'NR==2 && $1=="c1" && $3=="running" && $4 ~ /\/b$/ {ok=1} NR==3 && $1=="c2" && $2=="0" && $3=="stopped" {ok2=1} END {exit !(ok && ok2)}' "$OUT"; then
	pass "list: table rows"
else
	fail "list rows" "$(cat "$OUT")"
fi
# Columns line up as Go's tabwriter does (padding 3, at least 12).
hdr=$(head -n1 "$OUT")
if [ "${hdr%%PID*}" = "ID          " ] && [ "$(awk 'NR==2 {print index($0, "'"$SLEEP"'")}' "$OUT")" = 13 ]; then
	pass "list: column layout"
else
	fail "list layout" "$(cat "$OUT")"
fi
oz list -q
[ "$(tr '\n' ' ' <"$OUT")" = "c1 c2 " ] && pass "list -q: ids" || fail "list -q" "$(cat "$OUT")"
oz list --format json
if have_python && [ "$RC" -eq 0 ] && [ "$(json_eval "$OUT" '[c["id"] for c in d], [c["status"] for c in d], sorted(d[0].keys())')" = "(['c1', 'c2'], ['running', 'stopped'], ['bundle', 'created', 'id', 'ociVersion', 'owner', 'pid', 'rootfs', 'status'])" ]; then
	pass "list --format json: array of states"
else
	[ "$RC" -eq 0 ] && ! have_python && skip "list json" "no python3" || fail "list json" "$(cat "$OUT")"
fi
expect_err "delete of a running container" 1 \
	"ozone: cannot delete container c1 that is not stopped: running" delete c1
kill -KILL "$SLEEP"
wait "$SLEEP" 2>/dev/null
oz state c1
grep -q '"status": "stopped"' "$OUT" && pass "state: dead pid reads as stopped" || fail "stopped" "$(cat "$OUT")"
# A pid reused by another process is not the container's.
sleep 300 &
OTHER=$!
T_PIDS+=("$OTHER")
fake_state c3 "$OTHER" running
sed -i 's/"pidStartTime":[0-9]*/"pidStartTime":1/' "$ROOT/c3/state.json"
oz state c3
grep -q '"status": "stopped"' "$OUT" && pass "state: reused pid reads as stopped" || fail "reused pid" "$(cat "$OUT")"
oz delete c1
[ "$RC" -eq 0 ] && [ ! -e "$ROOT/c1" ] && pass "delete of a stopped container removes its state" ||
	fail "delete stopped" "rc=$RC err='$(cat "$ERR")'"
oz delete --force c1
[ "$RC" -eq 0 ] && pass "delete --force of a deleted id: exit 0, as runc" || fail "delete --force" "rc=$RC"
expect_err "delete of an unknown id" 1 'ozone: container "c1" does not exist' delete c1
# A corrupt state file is named in the error.
mkdir -p "$ROOT/bad" && echo '{"ociVersion":' >"$ROOT/bad/state.json"
oz state bad
[ "$RC" -eq 1 ] && grep -q "^ozone: $ROOT/bad/state.json: invalid JSON" "$ERR" && pass "state: corrupt state.json" ||
	fail "corrupt state" "$(cat "$ERR")"

# kill: signals checked first; then the container.
expect_err "kill: unknown signal" 1 'ozone: unknown signal "FOO"' kill c2 FOO
expect_err "kill: unknown signal 99" 1 'ozone: unknown signal "99"' kill c2 99
expect_err "kill: unknown id" 1 'ozone: container "zz" does not exist' kill zz SIGKILL
for s in 9 KILL SIGKILL term 15 SIGRTMIN+1; do
	expect_err "kill c2 $s: a stopped container" 1 "ozone: container not running" kill c2 "$s"
done
expect_err "kill --all" 1 "ozone: container not running" kill --all c2

# create / run: full validation, then failures that leave nothing behind.
expect_err "create: --preserve-fds over the limit" 1 \
	"ozone: --preserve-fds: 65 is more than the 64 fds relayed" \
	create --bundle "$T_TMP/b" --pid-file "$T_TMP/pid" --no-pivot --preserve-fds 65 c9
[ ! -e "$ROOT/c9" ] && pass "create: no state left behind" || fail "create left $ROOT/c9"
expect_err "create: --preserve-fds with fd 4 closed" 1 "ozone: --preserve-fds: fd 4 is not open" \
	create --bundle "$T_TMP/b" --pid-file "$T_TMP/pid" --preserve-fds 2 c9 3</dev/null 4<&-
[ ! -e "$ROOT/c9" ] && pass "create: no state left behind" || fail "create left $ROOT/c9"
OZONE_VMM=$T_TMP/no-vmm expect_err "run: no VMM" 1 \
	"ozone: ozone-vmm $T_TMP/no-vmm: No such file or directory" run -d --keep -b "$T_TMP/b" c9
[ ! -e "$ROOT/c9" ] && pass "run: no state left behind" || fail "run left $ROOT/c9"
touch "$T_TMP/vmm" && chmod +x "$T_TMP/vmm"
OZONE_VMM=$T_TMP/vmm OZONE_KERNEL=$T_TMP/no-kernel expect_err "create: no kernel" 1 \
	"ozone: guest kernel $T_TMP/no-kernel (from \$OZONE_KERNEL): No such file or directory" \
	create -b "$T_TMP/b" c9
[ ! -e "$ROOT/c9" ] && pass "create: no kernel: no state left behind" || fail "left $ROOT/c9"
expect_err "create: duplicate id" 1 "ozone: container with id exists: c2" create -b "$T_TMP/b" c2
expect_err "create: id with a /" 1 "ozone: invalid container id 'a/b'" create -b "$T_TMP/b" a/b
expect_err "create: no bundle directory" 1 \
	"ozone: bundle $T_TMP/nob: No such file or directory" create -b "$T_TMP/nob" c9
mkdir -p "$T_TMP/nob"
expect_err "create: no config.json" 1 \
	"ozone: open $T_TMP/nob/config.json: No such file or directory" create -b "$T_TMP/nob" c9
make_bundle "$T_TMP/bad"
sed -i 's/"args":\["sh"\]/"args":[]/' "$T_TMP/bad/config.json"
expect_err "create: empty process.args" 1 \
	"ozone: config.json: process.args: must be a non-empty array of strings" create -b "$T_TMP/bad" c9
echo '{"ociVersion":"1.0.2","root":{"path":"rootfs"},"process":{"args":["sh"],"cwd":"/","user":{"uid":"0","gid":0}}}' >"$T_TMP/bad/config.json"
expect_err "create: wrong type" 1 "ozone: config.json: process.user.uid: must be an integer" \
	create -b "$T_TMP/bad" c9
echo '{"ociVersion":"1.0.2","root":{"path":"rootfs"}' >"$T_TMP/bad/config.json"
oz create -b "$T_TMP/bad" c9
[ "$RC" -eq 1 ] && grep -q '^ozone: config.json: invalid JSON' "$ERR" && pass "create: malformed JSON" ||
	fail "malformed" "$(cat "$ERR")"
make_bundle "$T_TMP/norootfs" && rmdir "$T_TMP/norootfs/rootfs"
expect_err "create: missing rootfs" 1 "ozone: rootfs (\"$T_TMP/norootfs/rootfs\") does not exist" \
	create -b "$T_TMP/norootfs" c9
expect_err "create: bad --preserve-fds" 1 \
	'ozone: invalid value "x" for flag --preserve-fds: want an integer in [0, 1048576]' \
	create --preserve-fds x -b "$T_TMP/b" c9
expect_err "create: unknown flag" 1 "ozone: create: flag provided but not defined: --bogus" \
	create --bogus c9

# The other verbs that need the VM: flags parsed, container found, its state checked.
expect_err "start: a stopped container" 1 "ozone: cannot start a container that has stopped" start c2
expect_err "pause: a stopped container" 1 "ozone: container not running" pause c2
expect_err "resume: a stopped container" 1 "ozone: container not paused" resume c2
for v in start pause resume; do
	expect_err "$v: unknown id" 1 'ozone: container "zz" does not exist' "$v" zz
done
expect_err "ps --format json: a stopped container" 1 "ozone: container with id c2 is not running" \
	ps --format json c2 -ef
expect_err "events --stats --interval 1s: a stopped container" 1 \
	"ozone: container with id c2 is not running" events --stats --interval 1s c2
expect_err "events: bad interval" 1 \
	'ozone: invalid value "soon" for flag --interval: not a duration' events --interval soon c2
expect_err "update --memory: a stopped container" 1 "ozone: container with id c2 is not running" \
	update --memory 1048576 --cpu-quota 50000 --pids-limit 10 c2
oz --debug update --memory 1048576 --memory-swap -1 --cpu-quota 50000 --cpuset-cpus 0-1 \
	--pids-limit 10 --blkio-weight 100 c2
grep -qF 'resources {"memory":{"limit":1048576,"swap":-1},"cpu":{"quota":50000,"cpus":"0-1"},"pids":{"limit":10},"blockIO":{"weight":100}}' "$ERR" &&
	pass "update: the flags as one linux.resources object" || fail "update flags" "$(cat "$ERR")"
expect_err "update: Intel RDT" 1 \
	"ozone: Intel RDT (--l3-cache-schema, --mem-bw-schema) is not available in a microVM" \
	update --l3-cache-schema L3:0=f c2
oz update -r - c2 <<<'{"memory":{"limit":1}}'
echo '[1]' >"$T_TMP/res.json"
expect_err "update --resources: not an object" 1 "ozone: resources: must be a JSON object" \
	update -r "$T_TMP/res.json" c2
expect_err "exec: a stopped container" 1 "ozone: cannot exec in a stopped container" \
	exec -e A=1 --cwd /tmp -u 1000:1000 -g 5 --cap CAP_KILL --no-new-privs c2 ls -l
echo '{"args":[],"cwd":"/"}' >"$T_TMP/process.json"
expect_err "exec --process: bad process.json" 1 \
	"ozone: process.json: args: must be a non-empty array of strings" exec --process "$T_TMP/process.json" -d c2
expect_err "exec: bad --user" 1 "ozone: invalid --user \"root\": want <uid>[:<gid>]" exec -u root c2 ls
expect_err "exec: no command" 1 'ozone: "exec" requires a minimum of 2 argument(s)' exec c2

# checkpoint / restore
expect_err "checkpoint" 1 "ozone: checkpoint: not supported (containers run in microVMs)" checkpoint c2
expect_err "restore" 1 "ozone: restore: not supported (containers run in microVMs)" restore --image-path /x c2

# --help for every verb, and for ozone itself
for v in create run start state kill delete exec ps list pause resume events update spec features checkpoint restore; do
	oz "$v" --help
	if [ "$RC" -ne 0 ] || ! grep -q "^usage: ozone $v" "$OUT"; then
		fail "$v --help" "rc=$RC out='$(head -n1 "$OUT")'"
		continue
	fi
	T_HELP_OK=$((${T_HELP_OK:-0} + 1))
done
[ "${T_HELP_OK:-0}" -eq 17 ] && pass "--help of every verb"
oz --help
[ "$RC" -eq 0 ] && grep -q "GLOBAL OPTIONS" "$OUT" && pass "--help" || fail "--help"
expect_err "unknown verb" 1 "ozone: bogus: unknown command" bogus

# Global options: runc's, and the ones runc accepts that ozone has no use for.
oz --criu /usr/sbin/criu --systemd-cgroup --rootless auto --debug list -q
[ "$RC" -eq 0 ] && pass "globals --criu --systemd-cgroup --rootless --debug accepted" || fail "globals" "$(cat "$ERR")"
expect_err "--log-format yaml" 1 "ozone: invalid log-format: yaml" --log-format yaml list
# --log-format json: containerd reads the last error's "msg" from the log file.
"$OZONE" --root "$ROOT" --log "$T_TMP/log.json" --log-format json state nope 2>/dev/null
if have_python && [ "$(json_eval "$T_TMP/log.json" 'sorted(d.keys()), d["level"], d["msg"]')" = "(['level', 'msg', 'time'], 'error', 'container \"nope\" does not exist')" ]; then
	pass "--log-format json: {level,msg,time} line"
else
	have_python && fail "log json" "$(cat "$T_TMP/log.json")" || skip "log json" "no python3"
fi
"$OZONE" --root "$ROOT" --log "$T_TMP/log.txt" state nope 2>/dev/null
grep -q 'level=error msg="container "nope" does not exist"' "$T_TMP/log.txt" && pass "--log text line" ||
	fail "log text" "$(cat "$T_TMP/log.txt")"

finish
