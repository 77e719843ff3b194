#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# virtio-fs end to end: ozone-vmm boots the real guest kernel with
# `--fs ozone=DIR` and a test initramfs (built here, in a temp dir: busybox,
# the fsops helper of tests/guest/fsops.c, and an /init script) whose /init
# mounts the share exactly as the agent does (`mount -t virtiofs ozone
# /run/ozone/shared`), runs a file-operations suite on it, prints one
# PASS/FAIL/SKIP line per check on the console and powers off. Then every
# result is checked again from the host side, on DIR itself.
#
# The suite: create/read/write/append/truncate, rename, rename-exchange and
# NOREPLACE, hard link, symlink, chmod (with set-uid), chown, utimes (ns,
# OMIT), xattrs, mkfifo, mknod, a 5 GiB sparse file, readdir of 10,000
# entries (made on the host) and 1,000 made by the guest, 8 concurrent writers, a tar of a busybox tree out of the share and
# back into it (diff -r and ownerships on the host), a bind mount inside
# DIR made on the host (the runtime's case), which the server must cross,
# and a tmpfs mounted inside DIR, which the guest must see as a file system
# of its own (FUSE submount: its own st_dev, no hard link across).
#
# Runs on a /dev/kvm that can run Linux (inside the test host:
# tests/testhost/run -- bash tests/integration/test_virtiofs.sh). Runs in a
# private mount namespace of its own so that the bind mount cannot leak.
if [ -z "${OZONE_VIRTIOFS_NS:-}" ]; then
	OZONE_VIRTIOFS_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
. "${OZONE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/vmm/lib.sh"

BZIMAGE=$OZONE_BUILD/guest/bzImage
RUN_TIMEOUT=${OZONE_VIRTIOFS_TIMEOUT:-400}

if [ ! -c /dev/kvm ]; then
	fail "/dev/kvm is not available"
	finish
fi
for f in "$VMM" "$BZIMAGE" /bin/busybox; do
	if [ ! -f "$f" ]; then
		fail "missing $f (build it first)"
		finish
	fi
done

SHARE=$T_TMP/share
VOL=$T_TMP/volume
ROOT=$T_TMP/initramfs
mkdir -p "$SHARE" "$VOL" "$ROOT"/{bin,dev,proc,sys,tmp,run/ozone/shared}

# --- the host's part of the set-up ---

# A volume outside the share, bind-mounted inside it as the runtime does.
echo "from the volume" >"$VOL/volfile"
mkdir "$SHARE/vol"
if ! mount --bind "$VOL" "$SHARE/vol"; then
	fail "bind-mount a volume into the share"
	finish
fi
# And a file system of its own inside the share: the guest must see it as one (st_dev).
mkdir "$SHARE/tmpvol"
if ! mount -t tmpfs -o size=4m ozone-test "$SHARE/tmpvol"; then
	fail "mount a tmpfs inside the share"
	finish
fi
echo "on another file system" >"$SHARE/tmpvol/other"
# Unmounted before lib.sh's cleanup removes the temp dir.
trap 'umount -l "$SHARE/vol" "$SHARE/tmpvol" 2>/dev/null; t_cleanup' EXIT

# The tree that goes out with tar and back in: busybox and its links, owners, modes.
TREE=$SHARE/tree-in
mkdir -p "$TREE"/{bin,etc,home/user,var/empty}
cp /bin/busybox "$TREE/bin/busybox"
for a in sh ls cat tar; do ln -s busybox "$TREE/bin/$a"; done
ln "$TREE/bin/busybox" "$TREE/bin/busybox.hard"
printf 'root:x:0:0::/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n' >"$TREE/etc/passwd"
chmod 600 "$TREE/etc/passwd"
echo "a user file" >"$TREE/home/user/notes"
chown -R 1000:1000 "$TREE/home/user"
chmod 1777 "$TREE/var/empty"
chown 123:456 "$TREE/var/empty"

# A directory of 10,000 entries for the guest to read.
mkdir "$SHARE/many"
(cd "$SHARE/many" && seq -f 'f%07g' 0 9999 | xargs touch)

# The guest's side: busybox, fsops, and /init (the kernel opens /dev/console for it).
cp /bin/busybox "$ROOT/bin/busybox"
mknod "$ROOT/dev/console" c 5 1
echo "building the test initramfs"
if ! gcc -static -O2 -o "$ROOT/bin/fsops" "$OZONE_SRC/tests/guest/fsops.c"; then
	fail "build tests/guest/fsops.c (gcc -static)"
	finish
fi
cat >"$ROOT/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
M=/run/ozone/shared
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; }
# check NAME CMD...: PASS when CMD succeeds.
check() { n=$1; shift; if "$@" >/tmp/out 2>&1; then pass "$n"; else fail "$n" "$(head -c 200 /tmp/out | tr '\n' '|')"; fi; }
# same NAME WANT GOT
same() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "want '$2' got '$3'"; fi; }

if ! mount -t virtiofs ozone $M; then
	fail "mount -t virtiofs ozone $M"
	echo "SUITE-END"
	poweroff -f
fi
pass "mount -t virtiofs ozone $M"
echo "-- $(cut -d' ' -f1 /proc/uptime) s: mounted"
cd $M || poweroff -f

# create, read, write, append, truncate
echo "hello world" >hello
same "create + read" "hello world" "$(cat hello)"
printf 'a\n' >append; printf 'b\n' >>append
same "append" "$(printf 'a\nb')" "$(cat append)"
echo "abcdefgh" >trunc; truncate -s 3 trunc
same "truncate" "abc" "$(cat trunc)"
echo "overwrite me" >over; echo "new" >over
same "O_TRUNC overwrite" "new" "$(cat over)"

# renames
echo moved >torename; mv torename renamed
check "rename" test -f renamed -a ! -e torename
echo A >xa; echo B >xb
check "rename exchange" fsops exchange xa xb
same "rename exchange: contents swapped" "B A" "$(cat xa) $(cat xb)"
echo C >xc
if fsops noreplace xc xa 2>/tmp/out; then fail "rename noreplace refuses" "it replaced"; else pass "rename noreplace refuses an existing target"; fi
same "rename noreplace: target kept" "B" "$(cat xa)"

# links
ln hello linked
same "hard link: same inode" "$(stat -c %i hello)" "$(stat -c %i linked)"
same "hard link: nlink 2" "2" "$(stat -c %h hello)"
ln -s hello sym
same "symlink: readlink" "hello" "$(readlink sym)"
same "symlink: read through" "hello world" "$(cat sym)"

# attributes
echo m >modefile; chmod 4750 modefile
same "chmod 4750" "4750" "$(stat -c %a modefile)"
echo o >owned; chown 1234:5678 owned
same "chown" "1234:5678" "$(stat -c %u:%g owned)"
echo t >timed
check "utimes" fsops utimes timed 1000000000 0 1234567890 123456789
same "utimes: mtime" "1234567890" "$(stat -c %Y timed)"
check "utimes OMIT" fsops utimes timed 1100000000 0 0 omit
same "utimes OMIT: mtime kept" "1234567890 1100000000" "$(stat -c '%Y %X' timed)"

# xattrs
echo x >xfile
XN=$(fsops setx xfile "ozone-value" 2>/tmp/out)
if [ -n "$XN" ]; then
	pass "setxattr ($XN)"
	same "getxattr" "ozone-value" "$(fsops getx xfile $XN)"
	check "listxattr" sh -c "fsops listx xfile | grep -qx $XN"
	echo y >xgone; fsops setx xgone gone >/dev/null
	check "removexattr" fsops rmx xgone $XN
	if fsops getx xgone $XN >/dev/null 2>&1; then fail "removed xattr is gone"; else pass "removed xattr is gone"; fi
else
	fail "setxattr" "$(cat /tmp/out)"
fi

# special files
check "mkfifo" mkfifo fifo
same "mkfifo: type" "fifo" "$(stat -c %F fifo)"
check "mknod c 1 3" mknod null c 1 3
same "mknod: type and numbers" "character special file 1 3" "$(stat -c '%F %t %T' null)"

# a 5 GiB sparse file, written past 4 GiB
check "large: truncate to 5 GiB" truncate -s 5G big
check "large: write at 4.5 GiB" fsops pwrite big 4831838208 tail-marker
same "large: read back at 4.5 GiB" "tail-marker" "$(fsops pread big 4831838208 11)"
same "large: size" "5368709120" "$(stat -c %s big)"
blocks=$(stat -c %b big)
if [ "$blocks" -lt 2048 ]; then pass "large: sparse ($blocks blocks)"; else fail "large: sparse" "$blocks blocks"; fi

# readdir of 10,000 entries
echo "-- $(cut -d' ' -f1 /proc/uptime) s: 10,000 entries"
# (the host made them: under nested KVM in TCG each creation is a few ms of round trips)
same "readdir: 10000 entries" "10000" "$(fsops countdir many)"
same "ls: 10000 entries" "10000" "$(ls many | wc -l)"
same "stat of an entry" "regular empty file" "$(stat -c %F many/f0009999)"
mkdir made
check "create 1000 files" fsops mkmany made 1000
same "readdir: 1000 new entries" "1000" "$(fsops countdir made)"

echo "-- $(cut -d' ' -f1 /proc/uptime) s: concurrent writers"
# concurrent writers: 8 processes, 1 MiB each, one file; and 8 files at once
check "8 concurrent writers" fsops writers shared-file 8 1048576
same "concurrent writers: size" "8388608" "$(stat -c %s shared-file)"
mkdir par
for i in 1 2 3 4 5 6 7 8; do (dd if=/dev/zero of=par/f$i bs=64k count=16 2>/dev/null; echo "done $i" >>par/f$i) & done
wait
same "8 files written at once" "8" "$(for f in par/f*; do tail -c 7 $f; done | grep -c '^done')"

# record locks between two guest processes (F_GETLK, F_SETLK, F_SETLKW)
check "record locks: seen, refused, waited for" fsops locks lockfile

echo "-- $(cut -d' ' -f1 /proc/uptime) s: tar"
# tar of a busybox tree out of the share, and back into it
check "tar out" tar -C $M/tree-in -cf /tmp/tree.tar .
mkdir tree-out
check "tar in" tar -C $M/tree-out -xpf /tmp/tree.tar
check "diff -r in the guest" diff -r tree-in tree-out

# the volume bind-mounted inside the share by the host
same "bind mount inside the share is served" "from the volume" "$(cat vol/volfile)"
check "write into the bind mount" sh -c 'echo from the guest >vol/fromguest'

# a file system mounted inside the share by the host: its own st_dev in the guest too
same "another file system inside the share is served" "on another file system" "$(cat tmpvol/other)"
if [ "$(stat -c %d tmpvol)" != "$(stat -c %d .)" ]; then pass "it has its own st_dev in the guest"; else fail "it has its own st_dev in the guest" "same st_dev $(stat -c %d .)"; fi
same "the bind mount of the same file system keeps its st_dev" "$(stat -c %d .)" "$(stat -c %d vol)"
check "write into it" sh -c 'echo from the guest >tmpvol/fromguest'
if ln tmpvol/other cross-link 2>/dev/null; then fail "no hard link across file systems"; else pass "no hard link across file systems"; fi

# the tree-out files must survive a drop of the guest's caches
sync
echo 3 >/proc/sys/vm/drop_caches 2>/dev/null
same "after drop_caches" "hello world" "$(cat hello)"
cd /
# The guest mounted the submount itself: it goes first, as on any host.
check "umount the submount" umount $M/tmpvol
check "umount" umount $M
echo "SUITE-END"
poweroff -f
INIT
chmod 755 "$ROOT/init"
(cd "$ROOT" && find . | cpio -o -H newc --quiet) >"$T_TMP/initramfs.cpio"

# --- the guest run: its console goes to our output as it runs (the suite takes a while) ---
# One vCPU: with two, on a busy test host (several QEMU-TCG VMs on two cores),
# the whole test-host VM has twice stopped responding in the suite's busiest
# phase (thousands of short requests), even to `timeout`: nested KVM under
# TCG, not the VMM, which a killed process would show. The requests still
# run in parallel on the device's worker threads, and the concurrent-writer
# checks still run several guest processes at once.
echo "booting the guest with --fs ozone=$SHARE"
OUT=$T_TMP/guest.out
ERR=$T_TMP/guest.err
timeout -k 2 "$RUN_TIMEOUT" "$VMM" --kernel "$BZIMAGE" --initrd "$T_TMP/initramfs.cpio" \
	--cpus 1 --memory 512 --console stdio --fs "ozone=$SHARE" \
	--cmdline "quiet" </dev/null 2>"$ERR" | tee "$OUT" | sed -u 's/^/guest| /'
RC=${PIPESTATUS[0]}
CONSOLE=$T_TMP/console
tr -d '\r' <"$OUT" >"$CONSOLE"
if [ "$RC" -ne 0 ]; then
	fail "the VMM exits 0 after the guest powers off" "rc=$RC err='$(describe "$ERR")'"
fi
if ! grep -q '^SUITE-END' "$CONSOLE"; then
	fail "the guest suite ran to its end" \
		"rc=$RC tail='$(tail -n 5 "$CONSOLE" | tr '\n' '|')' VMM stderr='$(describe "$ERR")'"
fi
# The guest's own lines, as ours.
while IFS= read -r line; do
	case "$line" in
	"PASS "*) pass "guest: ${line#PASS }" ;;
	"FAIL "*) fail "guest: ${line#FAIL }" ;;
	esac
done <"$CONSOLE"

# --- the host's checks, on the share itself ---
hcheck() {
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then pass "host: $name"; else fail "host: $name"; fi
}
hsame() { if [ "$2" = "$3" ]; then pass "host: $1"; else fail "host: $1" "want '$2' got '$3'"; fi; }
S=$SHARE
hsame "created file" "hello world" "$(cat "$S/hello" 2>&1)"
hsame "appended file" "$(printf 'a\nb')" "$(cat "$S/append" 2>&1)"
hsame "truncated file" "abc" "$(cat "$S/trunc" 2>&1)"
hcheck "renamed" test -f "$S/renamed" -a ! -e "$S/torename"
hsame "exchanged" "B A" "$(cat "$S/xa" "$S/xb" 2>&1 | tr '\n' ' ' | sed 's/ $//')"
hsame "hard link" "$(stat -c %i "$S/hello")" "$(stat -c %i "$S/linked" 2>&1)"
hsame "symlink text" "hello" "$(readlink "$S/sym" 2>&1)"
hsame "mode 4750" "4750" "$(stat -c %a "$S/modefile" 2>&1)"
hsame "owner 1234:5678" "1234:5678" "$(stat -c %u:%g "$S/owned" 2>&1)"
hsame "mtime with ns" "1234567890.123456789" "$(stat -c %.9Y "$S/timed" 2>&1)"
hsame "atime" "1100000000" "$(stat -c %X "$S/timed" 2>&1)"
hsame "xattr" "ozone-value" "$(/usr/bin/python3 -c '
import os, sys
for n in ("user.ozone", "security.ozone"):
    try:
        print(os.getxattr(sys.argv[1], n).decode()); break
    except OSError:
        pass
' "$S/xfile" 2>&1)"
hsame "fifo" "fifo" "$(stat -c %F "$S/fifo" 2>&1)"
hsame "char device 1,3" "character special file 1 3" "$(stat -c '%F %t %T' "$S/null" 2>&1)"
hsame "large file size" "5368709120" "$(stat -c %s "$S/big" 2>&1)"
hsame "large file data at 4.5 GiB" "tail-marker" "$(dd if="$S/big" bs=1 skip=4831838208 count=11 2>/dev/null)"
# shellcheck disable=SC2012 # counts the guest's files, named 0 to 999
hsame "1000 files made by the guest" "1000" "$(ls "$S/made" | wc -l)"
hsame "concurrent writers' blocks" "ok" "$(/usr/bin/python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
ok = len(d) == 8 << 20 and all(d[i << 20:(i + 1) << 20] == bytes([97 + i]) * (1 << 20) for i in range(8))
print("ok" if ok else "bad")
' "$S/shared-file" 2>&1)"
hsame "8 files written at once" "8" "$(for i in 1 2 3 4 5 6 7 8; do
	[ "$(stat -c %s "$S/par/f$i")" = $((1048576 + 7)) ] && tail -c 7 "$S/par/f$i"
done | grep -c '^done')"
hcheck "tar tree: diff -r" diff -r --no-dereference "$S/tree-in" "$S/tree-out"
listing() { (cd "$1" && find . -printf '%p %y %U:%G %m %n %l\n' | sort); }
hsame "tar tree: types, owners, modes, links" "$(listing "$S/tree-in")" "$(listing "$S/tree-out")"
hsame "write through the bind mount lands in the volume" "from the guest" "$(cat "$VOL/fromguest" 2>&1)"
hsame "write into the other file system lands there" "from the guest" "$(cat "$SHARE/tmpvol/fromguest" 2>&1)"
finish
