#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The runtime's network without a VM (docs/network.md): `ozone create` with
# a stand-in ozone-vmm that records its command line, its fds and its
# network namespace, then sleeps. Every namespace here is the test's own
# (unshare --net), so nothing touches an interface of the machine.
# Checks: host networking and bad namespace paths are refused with one
# line and leave nothing; a namespace with a veth gives the VMM
# `--net fd=3,mac=<the link's>,mtu=<the link's>`, fd 3 an open tap, and
# runs it in that namespace; a spec without a path gives it a new one;
# delete removes the tap and the qdiscs and leaves the veth as it was.
# shellcheck disable=SC2015 # `COND && pass ... || fail ...`: pass, fail and skip return 0
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ] || ! unshare --net true 2>/dev/null || ! command -v ip >/dev/null ||
	! command -v tc >/dev/null || [ ! -w /dev/net/tun ]; then
	skip_all "needs root, network namespaces, ip, tc and /dev/net/tun"
fi

FAKE=$T_TMP/fake-vmm
cat >"$FAKE" <<EOF
#!/bin/bash
echo "\$@" >"$T_TMP/vmm.args"
readlink /proc/self/fd/3 >"$T_TMP/vmm.fd3" 2>&1
readlink /proc/self/ns/net >"$T_TMP/vmm.netns"
exec sleep 600
EOF
chmod +x "$FAKE"
: >"$T_TMP/kernel"
export OZONE_VMM=$FAKE OZONE_KERNEL=$T_TMP/kernel OZONE_INITRD=$T_TMP/kernel

B=$T_TMP/b
mkdir -p "$B/rootfs"
# config NAMESPACES-JSON
config() {
	cat >"$B/config.json" <<EOF
{"ociVersion":"1.0.2","process":{"terminal":false,"user":{"uid":0,"gid":0},"args":["sh"],
"env":["PATH=/bin"],"cwd":"/"},"root":{"path":"rootfs"},"hostname":"t",
"linux":{"namespaces":$1}}
EOF
}
left() { ls -A "$ROOT" 2>/dev/null; }

# Host networking: no network namespace at all.
config '[{"type":"pid"},{"type":"mount"}]'
expect_err "host networking refused" 1 \
	"ozone: host networking (no network namespace in the spec) cannot be given to a VM; use a network namespace" \
	create -b "$B" h1
[ -z "$(left)" ] && pass "host networking: nothing left" || fail "host networking left" "$(left)"

config '[{"type":"pid"},{"type":"network","path":"/nonexistent/netns"}]'
expect_err "netns path that does not exist" 1 \
	"ozone: network namespace /nonexistent/netns: No such file or directory" create -b "$B" h2
config "[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":\"$B/config.json\"}]"
expect_err "netns path that is a file" 1 \
	"ozone: network namespace $B/config.json: not a namespace" create -b "$B" h3
config '[{"type":"pid"},{"type":"network","path":"/proc/self/ns/net"}]'
expect_err "netns path that is the host's" 1 \
	"ozone: network namespace /proc/self/ns/net is the host's: a VM cannot share the host's network" \
	create -b "$B" h4
[ -z "$(left)" ] && pass "bad namespaces: nothing left" || fail "bad namespaces left" "$(left)"

# No path: a new, empty namespace for the VMM, not ozone's.
config '[{"type":"pid"},{"type":"mount"},{"type":"network"}]'
OZONE_BOOT_TIMEOUT=1 oz create -b "$B" n1
[ -s "$T_TMP/vmm.netns" ] && [ "$(cat "$T_TMP/vmm.netns")" != "$(readlink /proc/self/ns/net)" ] &&
	! grep -q -- "--net" "$T_TMP/vmm.args" &&
	pass "no path: the VMM runs in a new namespace, without a NIC" ||
	fail "no path" "$(cat "$T_TMP/vmm.netns" "$T_TMP/vmm.args")"

# A CNI-like namespace: a veth with an address, a route, and its MTU (its peer
# stays down: a link that is down is not mirrored).
unshare --net sleep 1000 &
T_PIDS+=("$!")
NS=/proc/$!/ns/net
sleep 0.2
inns() { nsenter --net="$NS" "$@"; }
inns ip link add eth0 type veth peer name peer0 &&
	inns ip link set eth0 address 02:00:00:00:00:05 mtu 1450 up &&
	inns ip addr add 10.88.0.5/16 dev eth0 &&
	inns ip route add default via 10.88.0.1 dev eth0 ||
	fail "set up the namespace"
before=$(inns ip -d addr show eth0; inns ip route)
config "[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"network\",\"path\":\"$NS\"}]"
rm -f "$T_TMP/vmm.args" "$T_TMP/vmm.fd3" "$T_TMP/vmm.netns"
OZONE_BOOT_TIMEOUT=30 "$OZONE" --root "$ROOT" create -b "$B" c1 >/dev/null 2>"$T_TMP/c1.err" &
CPID=$!
for _ in $(seq 100); do [ -s "$T_TMP/vmm.netns" ] && break; sleep 0.05; done
grep -q -- "--net fd=3,mac=02:00:00:00:00:05,mtu=1450" "$T_TMP/vmm.args" &&
	pass "the VMM gets --net fd=3 with the link's MAC and MTU" ||
	fail "--net" "$(cat "$T_TMP/vmm.args" 2>&1)"
[ "$(cat "$T_TMP/vmm.fd3" 2>&1)" = /dev/net/tun ] && pass "its fd 3 is the tap" ||
	fail "fd 3" "$(cat "$T_TMP/vmm.fd3" 2>&1)"
[ "$(cat "$T_TMP/vmm.netns")" = "$(readlink "$NS")" ] && pass "the VMM runs in the container's namespace" ||
	fail "VMM namespace" "$(cat "$T_TMP/vmm.netns") vs $(readlink "$NS")"
inns ip -o link show tap0_oz | grep -q "mtu 1450 .*state UP\|mtu 1450" &&
	inns tc filter show dev eth0 ingress | grep -q "mirred.*tap0_oz" &&
	inns tc filter show dev tap0_oz ingress | grep -q "mirred.*eth0" &&
	pass "tap0_oz (MTU 1450) and eth0 redirect to each other" ||
	fail "wiring" "$(inns ip link; inns tc filter show dev eth0 ingress)"
[ -f "$ROOT/c1/net" ] && grep -q "^link eth0$" "$ROOT/c1/net" && pass "what was made is recorded" ||
	fail "record" "$(cat "$ROOT/c1/net" 2>&1)"
# A create killed half-way (while it waits for the agent): delete undoes it.
kill -KILL "$CPID"
wait "$CPID" 2>/dev/null
oz delete --force c1
after=$(inns ip -d addr show eth0; inns ip route)
[ "$RC" -eq 0 ] && ! inns ip link show tap0_oz >/dev/null 2>&1 &&
	[ -z "$(inns tc qdisc show dev eth0 ingress)" ] && [ "$before" = "$after" ] && [ -z "$(left)" ] &&
	pass "delete after a killed create: no tap, no qdisc, the veth as it was, nothing left" ||
	fail "teardown" "rc=$RC $(cat "$ERR") $(inns ip link) $(inns tc qdisc show dev eth0) $(left)"

# A link with an ingress qdisc of its own (a CNI plugin's) is refused, and keeps it.
inns tc qdisc add dev eth0 ingress
expect_err "a link with an ingress qdisc already" 1 \
	"ozone: network namespace $NS: network namespace: link eth0 has an ingress qdisc already; its frames cannot be mirrored to the VM" \
	create -b "$B" c2
[ -n "$(inns tc qdisc show dev eth0 ingress)" ] && [ -z "$(left)" ] &&
	pass "its qdisc stays, nothing left" || fail "CNI qdisc" "$(inns tc qdisc show dev eth0) $(left)"
inns tc qdisc del dev eth0 ingress

# 64 addresses on the link: more than a NIC takes, refused.
for i in $(seq 1 64); do inns ip addr add "10.89.0.$i/24" dev eth0; done
expect_err "a link with 64 addresses" 1 \
	"ozone: network namespace $NS: network namespace: link eth0 has more than 16 addresses" \
	create -b "$B" c3
[ -z "$(left)" ] && ! inns ip link show tap0_oz >/dev/null 2>&1 &&
	pass "64 addresses: nothing left" || fail "64 addresses left" "$(left)"

finish
