#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# virtio-net end to end: ozone-vmm boots the real guest kernel with a NIC on
# a tap it inherits (`--net fd=3,mac=...,mtu=...`, the tap handed over by
# tests/tools/tapfd as the runtime hands it over) and a test initramfs
# (built here: busybox and an /init script) whose /init checks the MAC and
# MTU the guest sees, configures eth0 (10.99.0.2/24), pings the host
# (10.99.0.1, the tap) and moves 4 MiB of random data each way over TCP with
# busybox nc, each checked by its MD5 on the far end; it prints one
# PASS/FAIL line per check and powers off. Two runs: MTU 1500, and MTU 9000
# (jumbo frames both ways: pings of 8000 bytes) in a --jail'ed monitor, which
# must keep the inherited tap and allow the offload ioctl.
#
# Runs on a /dev/kvm that can run Linux (inside the test host:
# tests/testhost/run -- bash tests/integration/test_net_device.sh), in a
# network namespace of its own: nothing it makes touches a real interface.
if [ -z "${OZONE_NETDEV_NS:-}" ]; then
	OZONE_NETDEV_NS=1 exec unshare --net --mount --propagation private bash "$0" "$@"
fi
. "${OZONE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/vmm/lib.sh"

BZIMAGE=$OZONE_BUILD/guest/bzImage
TAPFD=$OZONE_BUILD/tests/tools/tapfd
RUN_TIMEOUT=${OZONE_NETDEV_TIMEOUT:-400}
TAP=ozt0
SIZE=$((4 << 20))
MAC=02:0a:0b:0c:0d:0e

if [ ! -c /dev/kvm ]; then
	fail "/dev/kvm is not available"
	finish
fi
for f in "$VMM" "$BZIMAGE" "$TAPFD" /bin/busybox; do
	if [ ! -f "$f" ]; then
		fail "missing $f (build it first)"
		finish
	fi
done
bb() { /bin/busybox "$@"; }

ROOT=$T_TMP/initramfs
mkdir -p "$ROOT"/{bin,dev,proc,sys,tmp}
cp /bin/busybox "$ROOT/bin/busybox"
mknod "$ROOT/dev/console" c 5 1
# Unknown NAME=VALUE words of the kernel command line reach /init as its environment.
cat >"$ROOT/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; }
check() { n=$1; shift; if "$@" >/tmp/out 2>&1; then pass "$n"; else fail "$n" "$(head -c 200 /tmp/out | tr '\n' '|')"; fi; }
same() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "want '$2' got '$3'"; fi; }
# wait_size FILE SIZE SECS: until FILE holds SIZE bytes.
wait_size() { i=0; while [ "$(stat -c %s "$1" 2>/dev/null)" != "$2" ] && [ $i -lt $3 ]; do sleep 1; i=$((i + 1)); done; }
end() { echo "SUITE-END"; poweroff -f; }

same "eth0 has the MAC of --net" "$OZT_MAC" "$(cat /sys/class/net/eth0/address 2>&1)"
same "eth0 has the MTU of --net" "$OZT_MTU" "$(cat /sys/class/net/eth0/mtu 2>&1)"
ip link set lo up
check "ip link set eth0 mtu $OZT_MTU up" ip link set eth0 mtu "$OZT_MTU" up
check "ip addr add 10.99.0.2/24 dev eth0" ip addr add 10.99.0.2/24 dev eth0
check "ping the host 3 times" ping -c 3 -W 10 10.99.0.1
if [ "$OZT_MTU" -ge 9000 ]; then
	check "ping with 8000-byte frames (jumbo both ways)" ping -c 3 -W 10 -s 8000 10.99.0.1
fi

# Every connection starts in the guest (no listener of its own to race):
# 5002 gives it the host's data, 5001 takes its own, 5003 gives back the
# host's MD5 of what arrived (retried until the host listens there).
(sleep 600 | nc 10.99.0.1 5002 >/tmp/h2g) &
dd if=/dev/urandom of=/tmp/g2h bs=65536 count=$((OZT_SIZE / 65536)) 2>/dev/null
G=$(md5sum /tmp/g2h | cut -d' ' -f1)
same "$OZT_SIZE random bytes to send" "$OZT_SIZE" "$(stat -c %s /tmp/g2h 2>&1)"
echo "READY $G"
check "TCP guest to host: $OZT_SIZE bytes sent" nc 10.99.0.1 5001 </tmp/g2h
wait_size /tmp/h2g "$OZT_SIZE" 300
same "TCP host to guest: $OZT_SIZE bytes, MD5 as sent" "$OZT_H2G_MD5" "$(md5sum /tmp/h2g | cut -d' ' -f1)"
i=0
while [ "$(stat -c %s /tmp/ack 2>/dev/null)" != 33 ] && [ $i -lt 300 ]; do
	nc 10.99.0.1 5003 </dev/null >/tmp/ack 2>/dev/null
	sleep 1
	i=$((i + 1))
done
same "TCP guest to host: the host's MD5 is ours" "$G" "$(cat /tmp/ack)"
end
INIT
chmod 755 "$ROOT/init"
(cd "$ROOT" && find . | cpio -o -H newc --quiet) >"$T_TMP/initramfs.cpio"

ip link set lo up
if ! ip tuntap add dev $TAP mode tap vnet_hdr || ! ip addr add 10.99.0.1/24 dev $TAP; then
	fail "make tap $TAP with 10.99.0.1/24"
	finish
fi

# wait_for FILE PATTERN SECS PID: until FILE has a line matching PATTERN, or PID ended.
wait_for() {
	local i=0
	while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt $(($3 * 10)) ] && kill -0 "$4" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -q "$2" "$1" 2>/dev/null
}

# one_run NAME MTU [VMM ARGS...]
one_run() {
	local name=$1 mtu=$2 dir=$T_TMP/$1 vmm_pid listen_pid send_pid ack_pid="" h2g_md5 g2h_md5 line rc
	shift 2
	mkdir -p "$dir"
	ip link set $TAP mtu "$mtu" up
	head -c $SIZE /dev/urandom >"$dir/h2g"
	h2g_md5=$(md5sum "$dir/h2g" | cut -d' ' -f1)
	(sleep 900 | bb nc -l -p 5001 >"$dir/g2h") &
	listen_pid=$!
	# Sends the file and closes at its end (busybox nc ends on EOF of its stdin).
	bb nc -l -p 5002 <"$dir/h2g" >/dev/null &
	send_pid=$!
	echo "booting the guest: --net fd=3,mac=$MAC,mtu=$mtu $*"
	timeout -k 2 "$RUN_TIMEOUT" "$TAPFD" $TAP "$VMM" --kernel "$BZIMAGE" \
		--initrd "$T_TMP/initramfs.cpio" --cpus 1 --memory 256 --console stdio \
		--net "fd=3,mac=$MAC,mtu=$mtu" "$@" \
		--cmdline "quiet OZT_MAC=$MAC OZT_MTU=$mtu OZT_SIZE=$SIZE OZT_H2G_MD5=$h2g_md5" \
		</dev/null >"$dir/out" 2>"$dir/err" &
	vmm_pid=$!
	if wait_for "$dir/out" '^READY' 300 $vmm_pid; then
		local i=0
		while [ "$(stat -c %s "$dir/g2h")" != $SIZE ] && [ $i -lt 3000 ] && kill -0 $vmm_pid 2>/dev/null; do
			sleep 0.1
			i=$((i + 1))
		done
		g2h_md5=$(md5sum "$dir/g2h" | cut -d' ' -f1)
		# The guest connects for it once it has checked its own download.
		# In the background: the connection never ends by itself (the guest
		# powers off with it open), so it is killed once the VMM is gone.
		(echo "$g2h_md5" | bb nc -l -p 5003 >/dev/null) &
		ack_pid=$!
		line=$(grep -a '^READY' "$dir/out" | tr -d '\r')
		if [ "${line#READY }" = "$g2h_md5" ]; then
			pass "$name: host: 4 MiB from the guest, MD5 as the guest sent"
		else
			fail "$name: host: 4 MiB from the guest" \
				"guest ${line#READY }, host $g2h_md5 ($(stat -c %s "$dir/g2h") bytes)"
		fi
	else
		fail "$name: the guest got ready to move data" "$(tr -d '\r' <"$dir/out" | tail -n 5 | tr '\n' '|')"
	fi
	wait $vmm_pid
	rc=$?
	if [ -n "$ack_pid" ]; then
		pkill -P "$ack_pid" 2>/dev/null
		kill "$ack_pid" 2>/dev/null
		wait "$ack_pid" 2>/dev/null
	fi
	# the listener's children first: once its subshell is gone they are no longer its
	pkill -P $listen_pid 2>/dev/null
	kill $send_pid $listen_pid 2>/dev/null
	wait $listen_pid $send_pid 2>/dev/null
	tr -d '\r' <"$dir/out" | sed 's/^/guest| /'
	if [ $rc -eq 0 ]; then
		pass "$name: the VMM exits 0 after the guest powers off"
	else
		fail "$name: the VMM exits 0" "rc=$rc err='$(describe "$dir/err")'"
	fi
	grep -q '^SUITE-END' <(tr -d '\r' <"$dir/out") || fail "$name: the guest suite ran to its end"
	while IFS= read -r line; do
		case "$line" in
		"PASS "*) pass "$name: guest: ${line#PASS }" ;;
		"FAIL "*) fail "$name: guest: ${line#FAIL }" ;;
		esac
	done < <(tr -d '\r' <"$dir/out")
}

one_run "mtu 1500" 1500
mkdir -p "$T_TMP/jail"
one_run "mtu 9000, jailed" 9000 --jail "$T_TMP/jail"
finish
