#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Bad inputs from a careless caller (docs/security.md keeps the table): each
# gets one line on stderr and exit 1, returns at once, and leaves nothing
# under --root. A stand-in VMM (OZONE_VMM=/bin/false) is never reached: every
# one of these fails before a VM would start.
# shellcheck disable=SC2015 # `COND && pass ... || fail ...`: pass, fail and skip return 0
. "$(dirname "$0")/lib.sh"

export OZONE_VMM=/bin/false OZONE_KERNEL=$T_TMP/kernel OZONE_INITRD=$T_TMP/initrd
: >"$T_TMP/kernel"
: >"$T_TMP/initrd"

# A good bundle to start from (no terminal: that would need a console socket).
B=$T_TMP/b
mkdir -p "$B/rootfs" "$ROOT"
"$OZONE" spec -b "$B"
python3 - "$B/config.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["process"]["terminal"] = False
json.dump(d, open(sys.argv[1], "w"))
PY

# bad NAME WANT-SUBSTRING ARGS...: exit 1, one line naming the problem, in under 5 s, nothing left.
bad() {
	local name=$1 want=$2
	shift 2
	timeout -k 1 5 "$OZONE" --root "$ROOT" "$@" >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	if [ "$RC" -eq 1 ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -q -- "$want" "$ERR" &&
		[ -z "$(ls -A "$ROOT")" ]; then
		pass "$name: $(cat "$ERR")"
	else
		fail "$name" "rc=$RC err='$(head -c 300 "$ERR")' left='$(ls -A "$ROOT")'"
	fi
}

bundle_with() { # DIR PYTHON-EXPR-ON-d: a copy of the good bundle with its config changed
	mkdir -p "$1/rootfs"
	python3 - "$B/config.json" "$1/config.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
PY
}

bad "id of 300 characters" "invalid container id" create -b "$B" "$(printf 'a%.0s' $(seq 300))"
bad "id with path traversal" "invalid container id '../x'" create -b "$B" ../x
bad "id that is '..'" "invalid container id" create -b "$B" ..

mkdir -p "$T_TMP/fifo/rootfs" && mkfifo "$T_TMP/fifo/config.json"
bad "config.json is a FIFO (must not hang)" "not a regular file" create -b "$T_TMP/fifo" c1
mkdir -p "$T_TMP/zero/rootfs" && ln -s /dev/zero "$T_TMP/zero/config.json"
bad "config.json is a symlink to /dev/zero" "not a regular file" create -b "$T_TMP/zero" c1
bundle_with "$T_TMP/huge" 'd["process"]["env"].append("X=" + "a" * (5 << 20))'
bad "config.json of 5 MiB" "exceeds the limit" create -b "$T_TMP/huge" c1
bundle_with "$T_TMP/longstr" 'd["hostname"] = "h" * 70000'
bad "a 70,000-byte string" "hostname" create -b "$T_TMP/longstr" c1
mkdir -p "$T_TMP/trunc/rootfs" && head -c 100 "$B/config.json" >"$T_TMP/trunc/config.json"
bad "truncated JSON" "config.json" create -b "$T_TMP/trunc" c1
bundle_with "$T_TMP/types" 'd["process"]["user"]["uid"] = "0"'
bad "wrong type (uid as a string)" "uid" create -b "$T_TMP/types" c1
bundle_with "$T_TMP/neg" 'd["process"]["user"]["uid"] = -1'
bad "negative uid" "uid" create -b "$T_TMP/neg" c1
mkdir -p "$T_TMP/deep/rootfs"
python3 -c 'import sys; t = open(sys.argv[1]).read().rstrip().rstrip("}"); open(sys.argv[2], "w").write(t + ",\"x\":" + "[" * 5000 + "]" * 5000 + "}")' \
	"$B/config.json" "$T_TMP/deep/config.json"
bad "JSON nested 5000 deep" "nest" create -b "$T_TMP/deep" c1
bad "bundle that does not exist" "no such file\|No such file" create -b "$T_TMP/nowhere" c1
ln -s "$B" "$T_TMP/blink"
mkdir -p "$T_TMP/nokernel"
OZONE_KERNEL=$T_TMP/nokernel/bzImage bad "missing kernel" "guest kernel" create -b "$B" c1

# A full disk under --root: the state cannot be written, and nothing half-written stays.
mkdir -p "$T_TMP/full"
if mount -t tmpfs -o size=12k tmpfs "$T_TMP/full" 2>/dev/null; then
	dd if=/dev/zero of="$T_TMP/full/fill" bs=1k count=12 2>/dev/null
	timeout -k 1 5 "$OZONE" --root "$T_TMP/full" create -b "$B" c1 >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	# shellcheck disable=SC2010 # what create left there, by name, for the message
	left=$(ls -A "$T_TMP/full" | grep -v '^fill$')
	[ "$RC" -eq 1 ] && [ "$(wc -l <"$ERR")" -eq 1 ] && grep -q "No space left" "$ERR" && [ -z "$left" ] &&
		pass "full disk for the state dir: $(cat "$ERR")" ||
		fail "full disk" "rc=$RC err='$(head -c 300 "$ERR")' left='$left'"
	umount "$T_TMP/full"
else
	fail "full disk: cannot mount a tmpfs (needs root)"
fi

# kill -9 of `delete` half-way: a stand-in VMM that ignores SIGTERM keeps
# delete waiting; delete is SIGKILLed there, and the next delete finishes
# the job: no mount, no VMM, nothing under --root.
MARK=stubborn-vmm-${T_TMP##*.}
printf '#!/bin/bash\ntrap "" TERM\nexec -a %s sleep 600\n' "$MARK" >"$T_TMP/stubborn-vmm"
chmod +x "$T_TMP/stubborn-vmm"
OZONE_VMM=$T_TMP/stubborn-vmm OZONE_BOOT_TIMEOUT=120 "$OZONE" --root "$ROOT" create -b "$B" k1 \
	>/dev/null 2>&1 &
CPID=$!
T_PIDS+=("$CPID")
for _ in $(seq 100); do
	[ -s "$ROOT/k1/vmm.pid" ] && pgrep -f "^$MARK" >/dev/null && break
	sleep 0.1
done
{
	kill -KILL "$CPID"
	wait "$CPID"
} 2>/dev/null
"$OZONE" --root "$ROOT" delete --force k1 >/dev/null 2>&1 &
DPID=$!
T_PIDS+=("$DPID")
sleep 0.5
{
	kill -KILL "$DPID"
	wait "$DPID"
} 2>/dev/null
timeout -k 1 60 "$OZONE" --root "$ROOT" delete --force k1 >"$OUT" 2>"$ERR" </dev/null
RC=$?
sleep 0.2
if [ "$RC" -eq 0 ] && [ -z "$(ls -A "$ROOT")" ] && ! grep -q " $ROOT" /proc/mounts &&
	! pgrep -f "^$MARK" >/dev/null; then
	pass "delete SIGKILLed half-way: the next delete leaves no VMM, mount or file"
else
	fail "delete after a killed delete" "rc=$RC err='$(head -c 200 "$ERR")' left='$(ls -A "$ROOT")' vmm='$(pgrep -af "^$MARK")'"
fi

# A symlinked bundle path is the caller's own choice: followed, as runc does
# (the rootfs inside it is still held to the rootfs rule).
timeout -k 1 5 "$OZONE" --root "$ROOT" create -b "$T_TMP/blink" c1 >"$OUT" 2>"$ERR" </dev/null
grep -q "ozone-vmm\|/bin/false\|VMM\|agent" "$ERR" && pass "symlinked bundle: followed, fails only at the VM: $(head -1 "$ERR")" ||
	fail "symlinked bundle" "$(head -c 300 "$ERR")"
"$OZONE" --root "$ROOT" delete --force c1 >/dev/null 2>&1
finish
