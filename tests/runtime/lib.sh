# SPDX-License-Identifier: Apache-2.0
# Helpers for the tests of the `ozone` binary: each test_*.sh sources this
# file, runs checks with `pass`/`fail`/`skip` (tests/lib/tap.sh), and ends
# with `finish`. One line per check. Every test works in its own temporary
# --root and bundle.
# Environment: OZONE_BUILD (build dir), OZONE_SRC (source dir).
# shellcheck shell=bash

set -u
# pass, fail, skip, skip_all, finish
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"

OZONE_SRC=${OZONE_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
OZONE_BUILD=${OZONE_BUILD:-$OZONE_SRC/build}
OZONE=$OZONE_BUILD/bin/ozone

T_PIDS=()
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ozone-rt-test.XXXXXX")
ROOT=$T_TMP/root

t_cleanup() {
	local pid id
	for pid in "${T_PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	# Containers a failed check left: their VMs and mounts go first, so that
	# rm never walks into a bind mount of something outside the test.
	for id in "$ROOT"/*; do
		[ -e "$id" ] || continue
		"$OZONE" --root "$ROOT" delete --force "${id##*/}" >/dev/null 2>&1
	done
	grep -o " ${T_TMP}[^ ]*" /proc/mounts 2>/dev/null | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null
	done
	if grep -q " $T_TMP" /proc/mounts 2>/dev/null; then
		echo "lib.sh: mounts left under $T_TMP; not removing it" >&2
		return
	fi
	rm -rf "$T_TMP"
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

if [ ! -x "$OZONE" ]; then
	fail "$OZONE is not built"
	finish
fi

# oz ARGS...: runs ozone --root $ROOT ARGS; sets RC, OUT and ERR (file names).
OUT=$T_TMP/out
ERR=$T_TMP/err
oz() {
	"$OZONE" --root "$ROOT" "$@" >"$OUT" 2>"$ERR" </dev/null
	RC=$?
}

# expect NAME RC STDERR-LINE ARGS...: exit status and the exact one-line error.
expect_err() {
	local name=$1 rc=$2 msg=$3
	shift 3
	oz "$@"
	if [ "$RC" -eq "$rc" ] && [ "$(wc -l <"$ERR")" -eq 1 ] && [ "$(cat "$ERR")" = "$msg" ]; then
		pass "$name"
	else
		fail "$name" "rc=$RC stderr='$(head -c 300 "$ERR")' want rc=$rc '$msg'"
	fi
}

# json_eval FILE EXPR: evaluates a Python expression on the parsed JSON `d`.
json_eval() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
have_python() { command -v python3 >/dev/null; }
have_runc() { command -v runc >/dev/null; }

# A bundle with a valid config.json (no terminal) and an empty rootfs.
make_bundle() {
	local dir=$1
	mkdir -p "$dir/rootfs"
	cat >"$dir/config.json" <<'JSON'
{"ociVersion":"1.0.2","process":{"terminal":false,"user":{"uid":0,"gid":0},"args":["sh"],
"env":["PATH=/bin"],"cwd":"/"},"root":{"path":"rootfs"},"hostname":"t",
"linux":{"namespaces":[{"type":"pid"},{"type":"mount"},{"type":"network"}]}}
JSON
}

# fake_state ID PID STATUS: a state.json as `create` will write it.
fake_state() {
	local start=0
	[ "$2" -gt 0 ] && start=$(sed 's/.*) //' "/proc/$2/stat" | cut -d' ' -f20)
	mkdir -p "$ROOT/$1"
	printf '{"ociVersion":"1.0.2","id":"%s","pid":%d,"status":"%s","bundle":"%s","rootfs":"%s/rootfs","created":"2026-01-02T03:04:05.123456789Z","owner":"","pidStartTime":%s}' \
		"$1" "$2" "$3" "$T_TMP/b" "$T_TMP/b" "$start" >"$ROOT/$1/state.json"
}

# agent_standin FILE: writes a stand-in for ozone-vmm that takes its command
# line and serves the sandbox's hybrid vsock socket with the agent's host
# mode ($AGENT --hybrid-socket S --shared DIR), which runs the containers
# with namespaces on this host.
agent_standin() {
	cat >"$1" <<EOF
#!/bin/bash
# ozone-vmm's command line in, the host-mode agent out.
while [ \$# -gt 0 ]; do
	case "\$1" in
	--vsock-socket) sock=\$2; shift 2 ;;
	--fs) fs=\${2#*=}; shift 2 ;;
	*) shift ;;
	esac
done
exec "$AGENT" --hybrid-socket "\$sock" --shared "\$fs" --log debug
EOF
	chmod +x "$1"
}
