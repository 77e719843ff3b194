#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The sandbox's host side without a VM: `ozone create` with a stand-in for
# ozone-vmm (OZONE_VMM) that records its command line and never answers, so
# that create stops half-way. Checks the shared directory's bind mounts
# (rootfs, bind volumes, read-only where asked, file targets for files),
# the VM sizing, the rootfs symlink rule, and the delete-safety rule: after
# a failure half-way, or after `ozone create` is SIGKILLed mid-way, `delete`
# leaves no mount, no VMM process and no file, and the bundle and volumes
# are byte-for-byte as before; 1,000 nested directories left in the share
# do not stop it; a vmm.pid whose start time is 0 or another process's makes
# delete kill nothing. The share's top is read-only (EROFS), its rw volumes
# are not. A read-only rootfs gets the mount points it lacks, made inside it
# whatever its symlinks say.
# shellcheck disable=SC2015 # `COND && pass ... || fail ...`: pass, fail and skip return 0
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "test_sandbox: needs root (bind mounts)" >&2
	exit 1
fi

# The stand-in VMM: records its arguments, then sleeps (it never opens the socket).
FAKE=$T_TMP/fake-vmm
MARK=fake-vmm-${T_TMP##*.}
cat >"$FAKE" <<EOF
#!/bin/bash
echo "\$@" >"$T_TMP/vmm.args"
exec -a $MARK sleep 600
EOF
chmod +x "$FAKE"
: >"$T_TMP/kernel"
: >"$T_TMP/initrd"
export OZONE_VMM=$FAKE OZONE_KERNEL=$T_TMP/kernel OZONE_INITRD=$T_TMP/initrd

# A bundle with files, a read-only rootfs, a read-only recursive dir volume,
# a read-write file volume and a tmpfs mount (not a bind: not shared).
B=$T_TMP/b
mkdir -p "$B/rootfs/bin" "$B/rootfs/etc" "$T_TMP/vol/sub" "$T_TMP/vol2" \
	"$B/rootfs/tmp" "$B/rootfs/data" "$B/rootfs/two"
: >"$B/rootfs/f"
echo hello >"$B/rootfs/etc/hello"
ln -s ../etc/hello "$B/rootfs/bin/link"
head -c 100000 /dev/urandom >"$B/rootfs/bin/blob"
echo data >"$T_TMP/vol/sub/data"
echo file >"$T_TMP/volfile"
echo two >"$T_TMP/vol2/two"
write_config() {
	cat >"$B/config.json" <<EOF
{"ociVersion":"1.0.2","process":{"terminal":false,"user":{"uid":0,"gid":0},"args":["sh"],
"env":["PATH=/bin"],"cwd":"/"},"root":{"path":"$1","readonly":true},"hostname":"t",
"annotations":{$3},
"mounts":[{"destination":"/tmp","type":"tmpfs","source":"tmpfs"},
{"destination":"/data","type":"bind","source":"$T_TMP/vol","options":["rbind","ro"]},
{"destination":"/f","source":"$T_TMP/volfile","options":["bind"]},
{"destination":"/two","type":"none","source":"../vol2","options":["rbind","rw"]}],
"linux":{"namespaces":[{"type":"pid"},{"type":"mount"},{"type":"network"}]$2}}
EOF
	# The test changed the bundle, not ozone: that is the new reference.
	if [ -e "$T_TMP/before" ]; then
		snapshot >"$T_TMP/before"
		rm -rf "$T_TMP/b.copy" && cp -a "$B" "$T_TMP/b.copy"
	fi
}
write_config rootfs "" ""

# snapshot: every file of the bundle and volumes with its hash, mode and owner.
snapshot() {
	(cd "$T_TMP" && find b vol vol2 volfile -printf '%p %y %m %u %g %s %l\n' | sort &&
		find b vol vol2 volfile -type f -print0 | sort -z | xargs -0 sha256sum)
}
snapshot >"$T_TMP/before"
cp -a "$B" "$T_TMP/b.copy"

mounts_left() { grep -c " $ROOT" /proc/mounts; }

check_clean() { # NAME: nothing under --root, no mount, the bundle unchanged
	local name=$1
	if [ "$(mounts_left)" -eq 0 ]; then pass "$name: no mount left"; else
		fail "$name: mounts left" "$(grep " $ROOT" /proc/mounts)"; fi
	# shellcheck disable=SC2012 # only whether it is empty
	if [ -z "$(ls -A "$ROOT" 2>/dev/null)" ]; then pass "$name: nothing left under --root"; else
		fail "$name: left under --root" "$(ls -AR "$ROOT" | head -20)"; fi
	if snapshot | cmp -s - "$T_TMP/before" && diff -r "$B" "$T_TMP/b.copy" >/dev/null; then
		pass "$name: bundle and volumes byte-for-byte unchanged"
	else
		fail "$name: bundle changed" "$(snapshot | diff - "$T_TMP/before" | head)"
	fi
	if ! pgrep -f "^$MARK" >/dev/null; then pass "$name: no VMM left"; else
		fail "$name: a VMM is left" "$(pgrep -af "^$MARK")"; fi
}

# 1. A VMM that never answers: create fails after the boot timeout and undoes everything.
OZONE_BOOT_TIMEOUT=1 oz create -b "$B" c1
if [ "$RC" -eq 1 ] && grep -q "the agent did not answer within 1 s" "$ERR"; then
	pass "create: a VMM that never answers: boot timeout"
else
	fail "create: boot timeout" "rc=$RC err=$(cat "$ERR")"
fi
check_clean "failure half-way"

# A VMM that takes the connection but whose guest never answers CONNECT: the
# error says so and quotes the guest's last console line (a minute: the
# handshake's own least wait).
cat >"$T_TMP/mute-vmm.py" <<'EOF'
import socket, sys
a = sys.argv[1:]
s = socket.socket(socket.AF_UNIX)
s.bind(a[a.index("--vsock-socket") + 1])
s.listen(8)
print("[    1.5] guest: stuck before the agent", flush=True)
held = []
while True:
    held.append(s.accept()[0])
EOF
printf '#!/bin/bash\nexec -a %s python3 %s "$@"\n' "$MARK" "$T_TMP/mute-vmm.py" >"$T_TMP/mute-vmm"
chmod +x "$T_TMP/mute-vmm"
# The boot's own timeout is long enough for a python3 that starts slowly on a
# loaded machine to listen: the path under test is the handshake's minute.
OZONE_VMM=$T_TMP/mute-vmm OZONE_BOOT_TIMEOUT=30 oz create -b "$B" c1
if [ "$RC" -eq 1 ] && [ "$(wc -l <"$ERR")" -eq 1 ] &&
	grep -q "waiting for the answer to CONNECT 1024: .*; last VMM output: \[    1.5\] guest: stuck before the agent$" "$ERR"; then
	pass "create: a guest that never answers CONNECT: the guest's last console line"
else
	fail "create: CONNECT never answered" "rc=$RC err=$(cat "$ERR")"
fi
check_clean "CONNECT never answered"

# The VMM's command line: sized from the spec, the socket and the share in the state dir.
args=$(cat "$T_TMP/vmm.args" 2>/dev/null)
case "$args" in
*"--kernel $T_TMP/kernel --initrd $T_TMP/initrd --cpus 1 --memory 512 "*"--vsock-socket $ROOT/c1/vsock/vsock.sock --fs ozone=$ROOT/c1/shared"*)
	pass "VMM command line: defaults 1 vCPU, 512 MiB; share in the state dir, socket in a directory of its own" ;;
*) fail "VMM command line" "$args" ;;
esac
write_config rootfs ',"resources":{"cpu":{"quota":150000,"period":100000},"memory":{"limit":268435456}}' ""
OZONE_BOOT_TIMEOUT=1 oz create -b "$B" c1
grep -q -- "--cpus 2 --memory 384 " "$T_TMP/vmm.args" &&
	pass "VM size: quota 1.5 CPUs -> 2 vCPUs; 256 MiB limit + 128 -> 384 MiB" ||
	fail "VM size from resources" "$(cat "$T_TMP/vmm.args")"
write_config rootfs "" '"org.ozone.vm.cpus":"3","org.ozone.vm.memory-mib":"1000"'
OZONE_BOOT_TIMEOUT=1 oz create -b "$B" c1
grep -q -- "--cpus 3 --memory 1000 " "$T_TMP/vmm.args" &&
	pass "VM size: annotations override" || fail "VM size annotations" "$(cat "$T_TMP/vmm.args")"
write_config rootfs "" '"org.ozone.vm.cpus":"0"'
expect_err "VM size: bad annotation" 1 \
	'ozone: annotation org.ozone.vm.cpus: "0" is not an integer in [1, 64]' create -b "$B" c1
write_config rootfs "" ""

# Where the guest is found without $OZONE_KERNEL/$OZONE_INITRD: an install tree next to the binary.
mkdir -p "$T_TMP/inst/bin" "$T_TMP/inst/share/ozone"
cp "$OZONE" "$T_TMP/inst/bin/ozone"
: >"$T_TMP/inst/share/ozone/bzImage"
: >"$T_TMP/inst/share/ozone/initramfs.cpio"
(unset OZONE_KERNEL OZONE_INITRD
	OZONE_BOOT_TIMEOUT=1 "$T_TMP/inst/bin/ozone" --root "$ROOT" create -b "$B" c1 >/dev/null 2>&1)
grep -q -- "--kernel $T_TMP/inst/bin/../share/ozone/bzImage --initrd $T_TMP/inst/bin/../share/ozone/initramfs.cpio " \
	"$T_TMP/vmm.args" && pass "an install tree: the guest from <exe dir>/../share/ozone" ||
	fail "install tree lookup" "$(cat "$T_TMP/vmm.args")"
rm "$T_TMP/inst/share/ozone/bzImage"
(unset OZONE_KERNEL OZONE_INITRD
	"$T_TMP/inst/bin/ozone" --root "$ROOT" create -b "$B" c1 >"$OUT" 2>"$ERR")
grep -q "^ozone: guest kernel not found: looked at \$OZONE_KERNEL, $T_TMP/inst/bin/../guest/bzImage, " "$ERR" &&
	pass "no guest kernel anywhere: the places looked at" || fail "kernel not found" "$(cat "$ERR")"

# A VMM that exits at once: its last words are the error.
printf '#!/bin/sh\necho "ozone-vmm: KVM_CREATE_VM: no luck" >&2\nexit 1\n' >"$T_TMP/dying-vmm"
chmod +x "$T_TMP/dying-vmm"
OZONE_VMM=$T_TMP/dying-vmm expect_err "create: the VMM dies during boot" 1 \
	"ozone: ozone-vmm exited before the agent answered: ozone-vmm: KVM_CREATE_VM: no luck" \
	create -b "$B" c1
check_clean "VMM died"

# One whose message follows a guest console line it cut short: the message is
# shown whole, from the VMM's name on (a triple fault's line is 300 bytes).
long="ozone-vmm: vCPU 0: triple fault (the guest is reset; its last exit, an I/O read from port 0x3fd, was at RIP 0xffffffff81234567 RSP 0xffff88800000ff00 RFLAGS 0x46 CR0 0x80050033 CR3 0x84c000 CR4 0x3106 EFER 0xd01 CS 0x10 base 0x0; RIP now 0xfff0)"
printf '#!/bin/sh\nprintf "[    0.123456] virtio_blk" \nprintf "%%s\\n" "%s" >&2\nexit 1\n' "$long" >"$T_TMP/dying-vmm"
OZONE_VMM=$T_TMP/dying-vmm expect_err "create: the VMM's long last words, whole" 1 \
	"ozone: ozone-vmm exited before the agent answered: $long" \
	create -b "$B" c1
check_clean "VMM died after console output"

# 2. create SIGKILLed mid-way: mounts, a VMM and state are left; delete undoes all of it.
OZONE_BOOT_TIMEOUT=120 "$OZONE" --root "$ROOT" create -b "$B" c1 >/dev/null 2>&1 &
CPID=$!
T_PIDS+=("$CPID")
for _ in $(seq 100); do
	[ "$(mounts_left)" -ge 6 ] && [ -s "$ROOT/c1/vmm.pid" ] && break
	sleep 0.1
done
[ "$(mounts_left)" -eq 6 ] &&
	pass "create: 6 mounts (the socket's tmpfs, shared, rootfs, 3 bind volumes; not the spec's tmpfs)" ||
	fail "create: mounts" "$(grep " $ROOT" /proc/mounts)"
# What the VMM may write, its socket's directory, cannot grow the host's /run:
# a tmpfs of a few inodes and no data (filled here as a VMM running the
# guest's code would).
V=$ROOT/c1/vsock
made=0
for i in $(seq 20); do : 2>/dev/null >"$V/fill$i" && made=$((made + 1)); done
if grep -q " $V tmpfs " /proc/mounts && [ "$made" -lt 8 ] &&
	! head -c 65536 /dev/zero 2>/dev/null >"$V/fill1"; then
	pass "the VMM's socket directory is a tmpfs it cannot fill ($made files, no data)"
else
	fail "socket directory" "made $made files; $(grep " $V " /proc/mounts)"
fi
rm -f "$V"/fill*
S=$ROOT/c1/shared/c1
[ -f "$S/mounts/2" ] && [ -d "$S/mounts/1" ] && [ -d "$S/mounts/3" ] && [ ! -e "$S/mounts/0" ] &&
	pass "bind targets: a file for a file, a dir for a dir, none for tmpfs" ||
	fail "bind targets" "$(ls -la "$S/mounts")"
[ "$(cat "$S/rootfs/etc/hello")" = hello ] && [ "$(cat "$S/mounts/1/sub/data")" = data ] &&
	[ "$(cat "$S/mounts/3/two")" = two ] && pass "the shared dir shows the rootfs and volumes" ||
	fail "shared contents"
if ! touch "$S/rootfs/x" 2>/dev/null && ! touch "$S/mounts/1/sub/x" 2>/dev/null; then
	pass "read-only rootfs and ro volume are read-only in the share"
else
	fail "read-only mounts are writable"
fi
grep " $S/mounts/2 " /proc/mounts | grep -q " rw," && pass "rw file volume stays rw" ||
	fail "rw file volume" "$(grep " $S/mounts/2 " /proc/mounts)"
{
	kill -KILL "$CPID"
	wait "$CPID"
} 2>/dev/null
oz state c1
[ "$RC" -eq 0 ] && grep -q '"status": "stopped"' "$OUT" &&
	pass "state: a create that died half-way reads as stopped" || fail "state after crash" "$(cat "$OUT" "$ERR")"
# The guest writes only inside a rootfs or volume: the share's top (the state dir's tmpfs) is
# read-only, whoever writes.
if ! touch "$ROOT/c1/shared/fill" 2>/dev/null && ! mkdir "$S/x" 2>/dev/null &&
	! touch "$S/mounts/fill" 2>/dev/null && ! mv "$S/mounts" "$S/moved" 2>/dev/null &&
	touch "$ROOT/c1/shared/fill" 2>&1 | grep -q "Read-only file system"; then
	pass "the share's top is read-only (EROFS): nothing made, filled or renamed there"
else
	fail "the share's top is writable" "$(ls -la "$ROOT/c1/shared" "$S")"
fi
echo w >"$S/mounts/3/written" && [ "$(cat "$T_TMP/vol2/written")" = w ] && rm "$S/mounts/3/written" &&
	pass "a rw volume in the share is still written through" || fail "rw volume not writable"
# What a share may hold that ozone did not make (a share of an older ozone, whose top the guest
# could write): 1,000 nested directories and a wide tree, written through a writable view of it.
deep=$(printf 'd/%.0s' $(seq 1000))
unshare -m sh -c "mount -o remount,bind,rw '$ROOT/c1/shared' && mkdir -p '$S/junk/$deep' &&
	echo x >'$S/junk/${deep}f' && mkdir '$S/wide' && cd '$S/wide' && touch \$(seq 1000)" &&
	[ -f "$S/junk/${deep}f" ] && [ -f "$S/wide/1000" ] || fail "deep tree" "not made"
oz delete c1
[ "$RC" -eq 0 ] && pass "delete after a crash (and 1,000 nested directories left in the share)" ||
	fail "delete after a crash" "rc=$RC $(cat "$ERR")"
check_clean "crash mid-way"

# vmm.pid names the process delete SIGKILLs: only with the start time it
# was recorded with. One without (0), or with another, is not killed; the
# rest of the sandbox still goes.
for forged in zero changed; do
	OZONE_BOOT_TIMEOUT=120 "$OZONE" --root "$ROOT" create -b "$B" c1 >/dev/null 2>&1 &
	CPID=$!
	T_PIDS+=("$CPID")
	for _ in $(seq 100); do
		[ "$(mounts_left)" -ge 6 ] && [ -s "$ROOT/c1/vmm.pid" ] && break
		sleep 0.1
	done
	{
		kill -KILL "$CPID"
		wait "$CPID"
	} 2>/dev/null
	[ -d "$ROOT/c1/vsock" ] && [ -z "$(ls -A "$ROOT/c1/vsock")" ] &&
		pass "vmm.pid $forged: the socket's directory is made, empty" ||
		fail "vmm.pid $forged: socket directory" "$(ls -la "$ROOT/c1" 2>&1)"
	vpid=$(cut -d' ' -f1 "$ROOT/c1/vmm.pid")
	sleep 600 &
	victim=$!
	T_PIDS+=("$victim")
	vstart=$(sed 's/.*) //' "/proc/$victim/stat" | cut -d' ' -f20)
	if [ "$forged" = zero ]; then vstart=0; else vstart=$((vstart + 1)); fi
	echo "$victim $vstart" >"$ROOT/c1/vmm.pid"
	oz delete c1
	# Our child: killed, it would linger as a zombie, which kill -0 still finds.
	if [ "$(cut -d' ' -f3 "/proc/$victim/stat" 2>/dev/null)" = S ]; then
		pass "vmm.pid with start time $forged: delete does not kill that pid"
	else
		fail "vmm.pid with start time $forged: delete killed pid $victim"
	fi
	[ "$RC" -eq 0 ] && pass "vmm.pid $forged: delete goes on" || fail "vmm.pid $forged: delete" "rc=$RC $(cat "$ERR")"
	kill -KILL "$victim" "$vpid" 2>/dev/null
	wait "$victim" 2>/dev/null
	check_clean "vmm.pid $forged"
done

# SIGTERM (or ^C) during create: what was made is undone, then create dies by the signal.
OZONE_BOOT_TIMEOUT=120 "$OZONE" --root "$ROOT" create -b "$B" c1 >/dev/null 2>"$ERR" &
CPID=$!
T_PIDS+=("$CPID")
for _ in $(seq 100); do
	[ "$(mounts_left)" -ge 6 ] && [ -s "$ROOT/c1/vmm.pid" ] && break
	sleep 0.1
done
kill -TERM "$CPID"
wait "$CPID"
crc=$?
[ "$crc" -eq 143 ] && grep -q "^ozone: interrupted by Terminated$" "$ERR" &&
	pass "SIGTERM during create: undone, then killed by it" || fail "SIGTERM during create" "rc=$crc $(cat "$ERR")"
check_clean "interrupted create"

# The host cgroup: cgroupsPath in every hierarchy (v1 and v2 of a hybrid); the VMM in it
# before it runs; the group (not its parent) removed by delete.
CG=ozone-test-${T_TMP##*.}
cg_dirs() { grep -E ' - cgroup2? ' /proc/self/mountinfo | awk '$4 == "/" {print $5}'; }
write_config rootfs ",\"cgroupsPath\":\"/$CG/c1\"" ""
OZONE_BOOT_TIMEOUT=120 "$OZONE" --root "$ROOT" create -b "$B" c1 >/dev/null 2>&1 &
CPID=$!
T_PIDS+=("$CPID")
for _ in $(seq 100); do [ -s "$ROOT/c1/vmm.pid" ] && break; sleep 0.1; done
sleep 0.3
vpid=$(cut -d' ' -f1 "$ROOT/c1/vmm.pid" 2>/dev/null)
ok=1
n=0
for d in $(cg_dirs); do
	n=$((n + 1))
	grep -qx "$vpid" "$d/$CG/c1/cgroup.procs" 2>/dev/null || { ok=0; fail "VMM not in $d/$CG/c1"; }
done
[ "$ok" -eq 1 ] && [ "$n" -gt 0 ] && pass "host cgroup: the VMM is in $CG/c1 of all $n hierarchies"
{
	kill -KILL "$CPID"
	wait "$CPID"
} 2>/dev/null
oz delete c1
gone=1
for d in $(cg_dirs); do
	[ -e "$d/$CG/c1" ] && gone=0
	rmdir "$d/$CG" 2>/dev/null
done
[ "$RC" -eq 0 ] && [ "$gone" -eq 1 ] && pass "host cgroup: removed by delete" ||
	fail "host cgroup removal" "rc=$RC $(cat "$ERR")"
check_clean "host cgroup"
SL=ozt${T_TMP##*.}.slice
write_config rootfs ",\"cgroupsPath\":\"$SL:ozone:c1\"" ""
OZONE_BOOT_TIMEOUT=1 oz --systemd-cgroup create -b "$B" c1
grep -q "the agent did not answer" "$ERR" && pass "--systemd-cgroup slice:prefix:name accepted" ||
	fail "systemd cgroup" "$(cat "$ERR")"
made=0
for d in $(cg_dirs); do
	[ -d "$d/$SL" ] && made=1
	[ -e "$d/$SL/ozone-c1.scope" ] && made=2
	rmdir "$d/$SL" 2>/dev/null
done
[ "$made" -eq 1 ] && pass "--systemd-cgroup: $SL/ozone-c1.scope made, then removed" ||
	fail "systemd scope" "made=$made"
write_config rootfs ",\"cgroupsPath\":\"nocolons\"" ""
expect_err "--systemd-cgroup: a path that is not slice:prefix:name" 1 \
	'ozone: cgroupsPath "nocolons": want slice:prefix:name with --systemd-cgroup' --systemd-cgroup create -b "$B" c1
write_config rootfs "" ""

# 3. The lock: a delete waits for the create holding it.
OZONE_BOOT_TIMEOUT=2 "$OZONE" --root "$ROOT" create -b "$B" c1 >/dev/null 2>&1 &
CPID=$!
T_PIDS+=("$CPID")
for _ in $(seq 50); do [ -s "$ROOT/c1/vmm.pid" ] && break; sleep 0.1; done
start=$(date +%s%N)
oz delete --force c1
waited=$((($(date +%s%N) - start) / 1000000))
wait "$CPID"
crc=$?
[ "$RC" -eq 0 ] && [ "$crc" -eq 1 ] && [ "$waited" -ge 500 ] &&
	pass "delete --force waits for the create holding the lock (${waited} ms), then finds nothing" ||
	fail "lock" "delete rc=$RC create rc=$crc waited=${waited}ms $(cat "$ERR")"
check_clean "concurrent delete"

# 4. The rootfs rule: no symlink in a relative root.path, not the host's /.
ln -s / "$B/toroot"
ln -s rootfs "$B/alias"
write_config toroot "" ""
expect_err "rootfs: a symlink to / is refused" 1 \
	"ozone: rootfs (\"$B/toroot\"): a symlink or a path out of the bundle: ozone does not follow symlinks in root.path" \
	create -b "$B" c1
write_config alias "" ""
expect_err "rootfs: a symlink inside the bundle is refused too" 1 \
	"ozone: rootfs (\"$B/alias\"): a symlink or a path out of the bundle: ozone does not follow symlinks in root.path" \
	create -b "$B" c1
write_config "$B/toroot" "" ""
expect_err "rootfs: an absolute path that is a symlink" 1 \
	"ozone: rootfs (\"$B/toroot\"): a symlink or a path out of the bundle: ozone does not follow symlinks in root.path" \
	create -b "$B" c1
write_config / "" ""
expect_err "rootfs: the host's root" 1 "ozone: rootfs (\"/\") is the host's root directory" \
	create -b "$B" c1
rm "$B/toroot" "$B/alias"
write_config rootfs "" ""
check_clean "refused rootfs"

# 5. Mount points missing from a read-only rootfs are made in it, as runc makes them (a pause
# image has no /proc): resolved inside the rootfs, never through its symlinks to the host.
M=$T_TMP/m
mkdir -p "$M/rootfs/etc" "$T_TMP/outside"
ln -s "$T_TMP/outside" "$M/rootfs/abs"
ln -s ../../../../../.. "$M/rootfs/up"
echo file >"$T_TMP/hostname"
cat >"$M/config.json" <<EOF
{"ociVersion":"1.0.2","process":{"user":{"uid":0,"gid":0},"args":["sh"],"cwd":"/"},
"root":{"path":"rootfs","readonly":true},
"mounts":[{"destination":"/proc","type":"proc","source":"proc"},
{"destination":"/dev","type":"tmpfs","source":"tmpfs"},
{"destination":"/dev/pts","type":"devpts","source":"devpts"},
{"destination":"/etc/hostname","type":"bind","source":"$T_TMP/hostname","options":["rbind","ro"]},
{"destination":"/up/escaped","type":"tmpfs","source":"tmpfs"}],
"linux":{"namespaces":[{"type":"mount"},{"type":"network"}]}}
EOF
OZONE_BOOT_TIMEOUT=1 oz create -b "$M" m1
[ -d "$M/rootfs/proc" ] && [ -d "$M/rootfs/dev" ] && [ ! -e "$M/rootfs/dev/pts" ] &&
	[ -f "$M/rootfs/etc/hostname" ] && [ ! -s "$M/rootfs/etc/hostname" ] &&
	[ -d "$M/rootfs/escaped" ] && [ ! -e "/escaped" ] && [ "$(cat "$T_TMP/hostname")" = file ] &&
	pass "read-only rootfs: missing mount points made inside it (dirs, a file for a file bind, none under /dev's mount, a symlink's .. stays in the rootfs)" ||
	fail "mount points" "$(cd "$M/rootfs" && find . | sort | tr '\n' ' ')"
# A symlink out of the rootfs resolves inside it, where there is nothing: refused, nothing made.
sed -i 's|"/up/escaped"|"/abs/sub"|' "$M/config.json"
expect_err "read-only rootfs: a mount point through a dangling symlink is refused" 1 \
	"ozone: make mount point /abs/sub in the rootfs: /abs: No such file or directory" create -b "$M" m1
[ -z "$(ls -A "$T_TMP/outside")" ] && [ -z "$(ls -A "$ROOT")" ] &&
	pass "read-only rootfs: nothing made outside it, nothing left" ||
	fail "dangling symlink" "$(ls -A "$T_TMP/outside" "$ROOT")"

finish
