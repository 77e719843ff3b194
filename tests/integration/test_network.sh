#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Networking end to end (docs/network.md): the `ozone` CLI runs busybox
# containers in real microVMs whose specs name a network namespace the test
# made as CNI would (a veth end with an address, a MAC, an MTU, a default
# route and a permanent neighbour; its peer, with the peer address, in the
# test's own namespace). The runtime scans it and wires a tap to each link,
# the VMM gives the guest a virtio-net NIC per tap, the agent configures
# them. Checks:
#   1. inside the container, ip addr/link/route/neigh show eth0 with the
#      veth end's address, MAC and MTU, the default route and the neighbour;
#      ping of the peer; TCP both ways (HTTP: busybox httpd on the peer and
#      wget in the container, httpd in the container and wget on the peer),
#      4 MiB each way, compared by MD5; while it runs, the namespace holds
#      the runtime's tap and ingress qdiscs;
#   2. MTU 1400 (full-size pings) and 9000 (pings of 8000 bytes), TCP at each;
#   3. two links: two NICs, each with its address, each peer reached; a
#      dual-stack link: its IPv6 address, default route and neighbour in the
#      container, no autoconfiguration, ping -6 and TCP over IPv6 both ways,
#      and its IPv4 still works;
#   4. a namespace with no link but lo: the container has lo alone;
#   5. a network namespace without a path: lo alone, up;
#   6. no network namespace (host networking): refused in one line, nothing left;
#   7. after delete: the taps and the ingress qdiscs are gone from the
#      namespace, the veth is as it was, no ozone-vmm is left.
# Runs on a /dev/kvm that can run Linux (inside the test host:
#   tests/testhost/run -- bash tests/integration/test_network.sh), in network
# and mount namespaces of its own: nothing it makes touches a real interface.
# shellcheck disable=SC2015 # `COND && pass ... || fail ...`: pass, fail and skip return 0
if [ -z "${OZONE_NET_E2E_NS:-}" ]; then
	OZONE_NET_E2E_NS=1 exec unshare --net --mount --propagation private bash "$0" "$@"
fi
. "${OZONE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/runtime/lib.sh"

export OZONE_BOOT_TIMEOUT=${OZONE_BOOT_TIMEOUT:-300}
if [ ! -c /dev/kvm ]; then
	fail "/dev/kvm is not available"
	finish
fi
for f in "$OZONE_BUILD/bin/ozone-vmm" "${OZONE_KERNEL:-$OZONE_BUILD/guest/bzImage}" \
	"${OZONE_INITRD:-$OZONE_BUILD/guest/initramfs.cpio}" /bin/busybox; do
	if [ ! -f "$f" ]; then
		fail "missing $f (build it first)"
		finish
	fi
done
for c in ip tc nsenter unshare md5sum; do
	if ! command -v $c >/dev/null; then
		fail "missing $c"
		finish
	fi
done
ip link set lo up

SIZE=$((4 << 20))
MAC0=02:77:00:00:00:02
MAC1=02:78:00:00:00:02
NEIGH_MAC=02:77:00:00:00:09

# A busybox rootfs with every applet, and a blob for the container's httpd to serve.
RFS=$T_TMP/rootfs
mkdir -p "$RFS"/{bin,proc,dev,tmp,sys,www}
cp /bin/busybox "$RFS/bin/busybox"
for a in $(/bin/busybox --list); do
	[ "$a" = busybox ] || ln -s busybox "$RFS/bin/$a"
done
head -c $SIZE /dev/urandom >"$RFS/www/blob"
C_MD5=$(md5sum <"$RFS/www/blob" | cut -d' ' -f1)
# The peer's blob, served by the peer's httpd.
mkdir -p "$T_TMP/www"
head -c $SIZE /dev/urandom >"$T_TMP/www/blob"
P_MD5=$(md5sum <"$T_TMP/www/blob" | cut -d' ' -f1)

CAPS='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_SETGID","CAP_SETUID","CAP_KILL","CAP_NET_BIND_SERVICE","CAP_NET_RAW"]'
# bundle DIR ARGS-JSON NETWORK-NAMESPACE-JSON (empty: no network namespace)
bundle() {
	local dir=$1 net=${3:+,$3}
	mkdir -p "$dir"
	[ -d "$dir/rootfs" ] || cp -a "$RFS" "$dir/rootfs"
	cat >"$dir/config.json" <<EOF
{"ociVersion":"1.0.2","process":{"terminal":false,"user":{"uid":0,"gid":0},"args":$2,
"env":["PATH=/bin","HOME=/"],"cwd":"/",
"capabilities":{"bounding":$CAPS,"effective":$CAPS,"permitted":$CAPS}},
"root":{"path":"rootfs","readonly":true},"hostname":"net",
"mounts":[{"destination":"/proc","type":"proc","source":"proc"},
{"destination":"/tmp","type":"tmpfs","source":"tmpfs"}],
"linux":{"namespaces":[{"type":"pid"},{"type":"mount"},{"type":"uts"},{"type":"ipc"}$net]}}
EOF
}
netns_json() { echo "{\"type\":\"network\",\"path\":\"$NS\"}"; }

# new_ns: a namespace held by a sleeping process, as CNI's; sets NSPID and NS.
new_ns() {
	local mine
	mine=$(readlink /proc/self/ns/net)
	unshare --net sleep 100000 &
	NSPID=$!
	T_PIDS+=("$NSPID")
	NS=/proc/$NSPID/ns/net
	for _ in $(seq 100); do
		[ "$(readlink "$NS")" != "$mine" ] && break
		sleep 0.05
	done
}
in_ns() { nsenter --net="$NS" "$@"; }
# veth NAME-IN-NS MAC ADDR PEER-NAME PEER-ADDR MTU: a veth pair, one end in $NS, both up.
veth() {
	ip link add "$4" mtu "$6" type veth peer name "$1" mtu "$6" netns "$NSPID" &&
		ip addr add "$5/24" dev "$4" && ip link set "$4" up &&
		in_ns ip link set "$1" address "$2" &&
		in_ns ip addr add "$3/24" dev "$1" && in_ns ip link set "$1" up
}
vmms() { pgrep -f "$OZONE_BUILD/bin/ozone-vmm .*$ROOT" | wc -l; }
vmm_log() { tail -n 15 "$ROOT/$1/vmm.log" 2>/dev/null | sed 's/^/  vmm: /'; }
oneline() { tr '\n' '|' <"$1" | head -c 1500; }
# The namespace's links and ingress qdiscs, one word each: "eth0 tap0_oz ingress:eth0 ..."
ns_state() {
	local l
	for l in $(in_ns ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1); do
		printf '%s ' "$l"
		in_ns tc qdisc show dev "$l" ingress | grep -q ingress && printf 'ingress:%s ' "$l"
	done
}
# veth_state DEV: what CNI set on the veth end (its carrier, operstate and
# IPv6 link-local address come and go by themselves), for before/after.
veth_state() {
	in_ns ip -o link show dev "$1" | grep -o '[<,]UP[,>]\|mtu [0-9]*\|link/ether [0-9a-f:]*' | tr '\n' ' '
	in_ns ip -o -4 addr show dev "$1" | awk '{print $3, $4}' | tr '\n' ' '
	in_ns ip route show dev "$1" | tr '\n' ' '
	in_ns ip neigh show nud permanent dev "$1" | tr '\n' ' '
}
# check_deleted NAME VETH-BEFORE DEV: case 7 after a container's delete.
check_deleted() {
	local st
	st=$(ns_state)
	[[ $st != *_oz* ]] && [[ $st != *ingress:* ]] &&
		pass "$1: after delete, no tap and no ingress qdisc in the namespace ($st)" ||
		fail "$1: after delete, left in the namespace" "$st"
	[ "$(veth_state "$3")" = "$2" ] && pass "$1: after delete, the veth $3 as it was: $2" ||
		fail "$1: the veth changed" "before '$2' after '$(veth_state "$3")'"
	[ "$(vmms)" -eq 0 ] && [ -z "$(ls -A "$ROOT" 2>/dev/null)" ] &&
		pass "$1: no ozone-vmm, nothing under --root" ||
		fail "$1: left behind" "vmms=$(vmms) $(ls -A "$ROOT")"
}

busybox httpd -f -p 8080 -h "$T_TMP/www" &
HTTPD=$!
T_PIDS+=("$HTTPD")

# 1. One link, with a default route and a permanent neighbour.
new_ns
if ! veth eth0 $MAC0 10.77.0.2 vp0 10.77.0.1 1500 || ! in_ns ip route add default via 10.77.0.1 ||
	! in_ns ip neigh add 10.77.0.9 lladdr $NEIGH_MAC dev eth0 nud permanent; then
	fail "make the container's namespace (veth eth0 10.77.0.2/24 <-> vp0 10.77.0.1/24)"
	finish
fi
VETH1=$(veth_state eth0)
B=$T_TMP/c1
bundle "$B" '["httpd","-f","-p","8080","-h","/www"]' "$(netns_json)"
start=$SECONDS
oz run -d -b "$B" c1
if [ "$RC" -eq 0 ] && [ "$(vmms)" -eq 1 ]; then
	pass "run -d of a container in the namespace: running ($((SECONDS - start)) s)"
else
	fail "run -d c1" "rc=$RC $(oneline "$ERR")"
	vmm_log c1
	finish
fi
st=$(ns_state)
[[ " $st" == *" tap0_oz "* ]] && [[ $st == *ingress:eth0* ]] && [[ $st == *ingress:tap0_oz* ]] &&
	pass "while it runs: the namespace holds tap0_oz and ingress qdiscs on eth0 and the tap ($st)" ||
	fail "the runtime's tap and qdiscs" "$st"
oz exec c1 ip -o link show dev eth0
link=$(oneline "$OUT")
[ "$RC" -eq 0 ] && [[ $link == *"link/ether $MAC0 "* ]] && [[ $link == *" mtu 1500 "* ]] &&
	[[ $link == *"<"*UP*">"* ]] && [[ $link != *NO-CARRIER* ]] &&
	pass "ip link in the container: eth0 up with a carrier, MAC $MAC0, MTU 1500" ||
	fail "ip link eth0" "rc=$RC '$link' $(oneline "$ERR")"
oz exec c1 ip -o -4 addr show dev eth0
[ "$RC" -eq 0 ] && grep -q 'inet 10.77.0.2/24 ' "$OUT" && [ "$(wc -l <"$OUT")" -eq 1 ] &&
	pass "ip addr in the container: eth0 has 10.77.0.2/24" ||
	fail "ip addr eth0" "rc=$RC '$(oneline "$OUT")' $(oneline "$ERR")"
oz exec c1 ip route show
[ "$RC" -eq 0 ] && grep -q '^default via 10.77.0.1 dev eth0' "$OUT" &&
	grep -q '^10.77.0.0/24 dev eth0 ' "$OUT" &&
	pass "ip route in the container: default via 10.77.0.1 dev eth0, 10.77.0.0/24 on eth0" ||
	fail "ip route" "rc=$RC '$(oneline "$OUT")' $(oneline "$ERR")"
oz exec c1 ip neigh show 10.77.0.9
[ "$RC" -eq 0 ] && grep -q "^10.77.0.9 dev eth0 lladdr $NEIGH_MAC .*PERMANENT$" "$OUT" &&
	pass "ip neigh in the container: 10.77.0.9 lladdr $NEIGH_MAC, permanent" ||
	fail "ip neigh" "rc=$RC '$(oneline "$OUT")' $(oneline "$ERR")"
oz exec c1 ip -o link show
[ "$RC" -eq 0 ] && [ "$(awk -F': ' '{print $2}' "$OUT" | tr '\n' ' ')" = "lo eth0 " ] &&
	pass "the container's links: lo and eth0, nothing else" ||
	fail "the container's links" "'$(oneline "$OUT")'"
oz exec c1 ping -c 3 -W 10 10.77.0.1
[ "$RC" -eq 0 ] && grep -q '3 packets received' "$OUT" && pass "ping -c 3 10.77.0.1 from the container: 3 replies" ||
	fail "ping the peer" "rc=$RC '$(oneline "$OUT")' $(oneline "$ERR")"
start=$SECONDS
oz exec c1 sh -c 'timeout 300 wget -q -O - http://10.77.0.1:8080/blob | md5sum'
got=$(cut -d' ' -f1 "$OUT")
[ "$RC" -eq 0 ] && [ "$got" = "$P_MD5" ] &&
	pass "TCP to the peer: wget of 4 MiB from the peer's httpd, MD5 as served ($((SECONDS - start)) s)" ||
	fail "wget from the peer" "rc=$RC md5 '$got' want $P_MD5 $(oneline "$ERR")"
start=$SECONDS
got=$(timeout 300 busybox wget -q -O - http://10.77.0.2:8080/blob 2>"$T_TMP/wget.err" | md5sum | cut -d' ' -f1)
[ "$got" = "$C_MD5" ] &&
	pass "TCP from the peer: wget of 4 MiB from the container's httpd, MD5 as served ($((SECONDS - start)) s)" ||
	fail "wget from the container" "md5 '$got' want $C_MD5 $(oneline "$T_TMP/wget.err")"
oz delete --force c1
[ "$RC" -eq 0 ] && pass "delete --force c1" || fail "delete c1" "rc=$RC $(oneline "$ERR")"
check_deleted "1 link" "$VETH1" eth0
kill "$NSPID" 2>/dev/null

# 2. MTU 1400 and 9000: the NIC's MTU, full-size frames, TCP.
for mtu in 1400 9000; do
	new_ns
	if ! veth eth0 $MAC0 10.77.0.2 vp0 10.77.0.1 $mtu; then
		fail "MTU $mtu: make the namespace"
		continue
	fi
	VETH=$(veth_state eth0)
	size=$((mtu - 28))
	[ $mtu -ge 9000 ] && size=8000
	B=$T_TMP/mtu$mtu
	bundle "$B" '["sh","-c","ip -o link show dev eth0; ping -c 3 -W 10 -s '$size' 10.77.0.1 >/tmp/p && echo ping-ok; timeout 300 wget -q -O - http://10.77.0.1:8080/blob | md5sum"]' "$(netns_json)"
	start=$SECONDS
	oz run -b "$B" mtu$mtu
	[ "$RC" -eq 0 ] && grep -q " mtu $mtu " "$OUT" && pass "MTU $mtu: the container's eth0 has MTU $mtu" ||
		fail "MTU $mtu: eth0's MTU" "rc=$RC '$(oneline "$OUT")' $(oneline "$ERR")"
	grep -qx ping-ok "$OUT" && pass "MTU $mtu: ping -s $size (frames of $((size + 42)) bytes) both ways" ||
		fail "MTU $mtu: ping -s $size" "'$(oneline "$OUT")'"
	grep -q "^$P_MD5 " "$OUT" && pass "MTU $mtu: 4 MiB over TCP from the peer, MD5 as served ($((SECONDS - start)) s)" ||
		fail "MTU $mtu: TCP" "'$(oneline "$OUT")' $(oneline "$ERR")"
	check_deleted "MTU $mtu" "$VETH" eth0
	ip link del vp0 2>/dev/null
	kill "$NSPID" 2>/dev/null
done

# 3. Two links: two NICs, each with its address and its peer.
new_ns
if ! veth eth0 $MAC0 10.77.0.2 vp0 10.77.0.1 1500 || ! veth eth1 $MAC1 10.78.0.2 vp1 10.78.0.1 1500; then
	fail "two links: make the namespace"
else
	V0=$(veth_state eth0)
	V1=$(veth_state eth1)
	B=$T_TMP/two
	bundle "$B" '["sh","-c","ip -o -4 addr show | sort; ip -o link show; ping -c 2 -W 10 10.77.0.1 >/dev/null && echo ping0-ok; ping -c 2 -W 10 10.78.0.1 >/dev/null && echo ping1-ok"]' "$(netns_json)"
	oz run -b "$B" two
	grep -q '^[0-9]*: eth0 .*inet 10.77.0.2/24 ' "$OUT" && grep -q '^[0-9]*: eth1 .*inet 10.78.0.2/24 ' "$OUT" &&
		pass "two links: eth0 has 10.77.0.2/24, eth1 has 10.78.0.2/24" ||
		fail "two links: addresses" "rc=$RC '$(oneline "$OUT")' $(oneline "$ERR")"
	grep -q "eth0: .*link/ether $MAC0 " "$OUT" && grep -q "eth1: .*link/ether $MAC1 " "$OUT" &&
		pass "two links: each NIC has its link's MAC" || fail "two links: MACs" "'$(oneline "$OUT")'"
	grep -qx ping0-ok "$OUT" && grep -qx ping1-ok "$OUT" && pass "two links: each peer answers ping" ||
		fail "two links: ping" "'$(oneline "$OUT")'"
	check_deleted "two links (eth0)" "$V0" eth0
	[ "$(veth_state eth1)" = "$V1" ] && pass "two links: eth1 as it was" || fail "two links: eth1 changed" "$(veth_state eth1)"
fi
ip link del vp0 2>/dev/null
ip link del vp1 2>/dev/null
kill "$NSPID" 2>/dev/null

# 3b. Dual stack: the link has fd77::2/64 besides its IPv4 address, an IPv6
# default route via the peer's fd77::1 and an IPv6 permanent neighbour; the
# container has all of them, no address or route of its own making (the
# agent switched accept_ra and autoconf off), reaches the peer over IPv6
# (ping, TCP both ways) and over IPv4.
new_ns
if ! veth eth0 $MAC0 10.77.0.2 vp0 10.77.0.1 1500 || ! in_ns ip route add default via 10.77.0.1 ||
	! ip -6 addr add fd77::1/64 dev vp0 nodad ||
	! in_ns ip -6 addr add fd77::2/64 dev eth0 nodad ||
	! in_ns ip -6 route add default via fd77::1 dev eth0 ||
	! in_ns ip -6 neigh add fd77::9 lladdr $NEIGH_MAC dev eth0 nud permanent; then
	fail "dual stack: make the namespace (fd77::2/64 <-> fd77::1/64, default via fd77::1)"
else
	VD=$(veth_state eth0)
	B=$T_TMP/dual
	bundle "$B" '["httpd","-f","-p","8080","-h","/www"]' "$(netns_json)"
	oz run -d -b "$B" dual
	if [ "$RC" -ne 0 ]; then
		fail "dual stack: run -d" "rc=$RC $(oneline "$ERR")"
		vmm_log dual
	else
		oz exec dual ip -o addr show dev eth0
		# The guest kernel adds the link-local address itself once it sees
		# the carrier, which may come a moment after the container starts:
		# it may or may not be there yet, but no other IPv6 address may be.
		[ "$RC" -eq 0 ] && grep -q 'inet 10.77.0.2/24 ' "$OUT" && grep -q 'inet6 fd77::2/64 ' "$OUT" &&
			[ "$(grep 'inet6 ' "$OUT" | grep -v 'inet6 fd77::2/64 ' | grep -cv 'inet6 fe80::.* scope link')" -eq 0 ] &&
			pass "dual stack: eth0 has 10.77.0.2/24 and fd77::2/64 (and no IPv6 address but a link-local one)" ||
			fail "dual stack: ip addr eth0" "rc=$RC '$(oneline "$OUT")' $(oneline "$ERR")"
		oz exec dual ip -6 route show
		[ "$RC" -eq 0 ] && grep -q '^default via fd77::1 dev eth0' "$OUT" &&
			grep -q '^fd77::/64 dev eth0' "$OUT" && ! grep -q 'proto ra' "$OUT" &&
			pass "dual stack: ip -6 route: default via fd77::1 dev eth0, fd77::/64 on eth0, none from a router" ||
			fail "dual stack: ip -6 route" "rc=$RC '$(oneline "$OUT")' $(oneline "$ERR")"
		oz exec dual ip -6 neigh show fd77::9
		[ "$RC" -eq 0 ] && grep -q "^fd77::9 dev eth0 lladdr $NEIGH_MAC .*PERMANENT$" "$OUT" &&
			pass "dual stack: ip -6 neigh: fd77::9 lladdr $NEIGH_MAC, permanent" ||
			fail "dual stack: ip -6 neigh" "rc=$RC '$(oneline "$OUT")' $(oneline "$ERR")"
		oz exec dual cat /proc/sys/net/ipv6/conf/eth0/accept_ra /proc/sys/net/ipv6/conf/eth0/autoconf
		[ "$RC" -eq 0 ] && [ "$(tr '\n' ' ' <"$OUT")" = "0 0 " ] &&
			pass "dual stack: eth0's accept_ra and autoconf are 0" ||
			fail "dual stack: accept_ra/autoconf" "rc=$RC '$(oneline "$OUT")' $(oneline "$ERR")"
		oz exec dual ping -6 -c 3 -W 10 fd77::1
		[ "$RC" -eq 0 ] && grep -q '3 packets received' "$OUT" &&
			pass "dual stack: ping -6 -c 3 fd77::1 from the container: 3 replies" ||
			fail "dual stack: ping -6" "rc=$RC '$(oneline "$OUT")' $(oneline "$ERR")"
		oz exec dual ping -c 2 -W 10 10.77.0.1
		[ "$RC" -eq 0 ] && grep -q '2 packets received' "$OUT" &&
			pass "dual stack: ping -c 2 10.77.0.1 from the container: IPv4 still works" ||
			fail "dual stack: ping IPv4" "rc=$RC '$(oneline "$OUT")' $(oneline "$ERR")"
		start=$SECONDS
		oz exec dual sh -c 'timeout 300 wget -q -O - "http://[fd77::1]:8080/blob" | md5sum'
		got=$(cut -d' ' -f1 "$OUT")
		[ "$RC" -eq 0 ] && [ "$got" = "$P_MD5" ] &&
			pass "dual stack: TCP over IPv6 to the peer: wget of 4 MiB from [fd77::1]:8080, MD5 as served ($((SECONDS - start)) s)" ||
			fail "dual stack: wget from [fd77::1]" "rc=$RC md5 '$got' want $P_MD5 $(oneline "$ERR")"
		start=$SECONDS
		got=$(timeout 300 busybox wget -q -O - "http://[fd77::2]:8080/blob" 2>"$T_TMP/wget6.err" | md5sum | cut -d' ' -f1)
		[ "$got" = "$C_MD5" ] &&
			pass "dual stack: TCP over IPv6 from the peer: wget of 4 MiB from [fd77::2]:8080, MD5 as served ($((SECONDS - start)) s)" ||
			fail "dual stack: wget from [fd77::2]" "md5 '$got' want $C_MD5 $(oneline "$T_TMP/wget6.err")"
		oz delete --force dual
		[ "$RC" -eq 0 ] && pass "delete --force dual" || fail "delete dual" "rc=$RC $(oneline "$ERR")"
	fi
	check_deleted "dual stack" "$VD" eth0
fi
ip link del vp0 2>/dev/null
kill "$NSPID" 2>/dev/null

# 4. A namespace with no link but lo.
new_ns
B=$T_TMP/nolinks
bundle "$B" '["ip","-o","link","show"]' "$(netns_json)"
oz run -b "$B" nolinks
[ "$RC" -eq 0 ] && [ "$(awk -F': ' '{print $2}' "$OUT" | tr '\n' ' ')" = "lo " ] &&
	pass "a namespace with no link: the container has lo alone" ||
	fail "no links" "rc=$RC '$(oneline "$OUT")' $(oneline "$ERR")"
[ "$(ns_state)" = "lo " ] && [ "$(vmms)" -eq 0 ] && [ -z "$(ls -A "$ROOT")" ] &&
	pass "a namespace with no link: nothing made there, nothing left" ||
	fail "no links: left" "$(ns_state) vmms=$(vmms)"
kill "$NSPID" 2>/dev/null

# 5. A network namespace without a path.
B=$T_TMP/nopath
bundle "$B" '["ip","-o","link","show"]' '{"type":"network"}'
oz run -b "$B" nopath
[ "$RC" -eq 0 ] && [ "$(awk -F': ' '{print $2}' "$OUT" | tr '\n' ' ')" = "lo " ] && grep -q '^1: lo: <.*UP' "$OUT" &&
	pass "a network namespace without a path: lo alone, up" ||
	fail "no path" "rc=$RC '$(oneline "$OUT")' $(oneline "$ERR")"

# 6. No network namespace: host networking is refused.
B=$T_TMP/host
bundle "$B" '["true"]' ""
expect_err "no network namespace (host networking): refused in one line" 1 \
	"ozone: host networking (no network namespace in the spec) cannot be given to a VM; use a network namespace" \
	run -b "$B" host
[ "$(vmms)" -eq 0 ] && [ -z "$(ls -A "$ROOT" 2>/dev/null)" ] &&
	pass "host networking: no ozone-vmm, nothing under --root" ||
	fail "host networking: left" "vmms=$(vmms) $(ls -A "$ROOT")"

[ -z "$(pgrep -f "$OZONE_BUILD/bin/ozone-vmm")" ] && pass "no ozone-vmm process left at the end" ||
	fail "ozone-vmm left" "$(pgrep -af ozone-vmm)"
finish
