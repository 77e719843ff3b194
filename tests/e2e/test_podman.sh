#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# podman (with conmon) drives the runtime under test: `podman --runtime
# ozone run ...` must behave as it does with runc. Checks: output and exit
# code, stdin, a detached container with exec, stop and kill (137), rm -f
# of a running container, a bind volume written from inside, user and working directory, environment,
# hostname, and nothing left behind. RUNTIME=/usr/sbin/runc runs the same
# checks against runc.
# The network, through podman's CNI backend (Debian's bridge and host-local
# plugins, ipMasq off, a conflist in the temp dir): a container on the
# bridge network has its address on eth0 and the default route via the
# bridge's gateway, and pings it; a detached busybox httpd answers wget from
# the test's namespace at the container's IP; --network none has only lo;
# --network host is refused by ozone (runc allows it) and leaves nothing.
# The test and its podman run in a network namespace of their own, so
# nothing touches an interface of the machine and no route leads out.
# shellcheck disable=SC2015 # `COND && pass ... || fail ...`: pass, fail and skip return 0
if [ -z "${OZONE_PODMAN_NETNS:-}" ]; then
	OZONE_PODMAN_NETNS=1 exec unshare --net --mount --propagation private bash "$0" "$@"
fi
ip link set lo up
. "$(dirname "$0")/clients.sh"
# CNI keeps its cache under /var/lib/cni: where /var/lib is read-only (the
# test host's image), a writable layer over it, in this test's mount
# namespace only (as test_cri.sh does). A /var/lib/cni that exists (made
# by a run on the machine itself) on a read-only /var/lib needs it too.
if ! mkdir -p /var/lib/cni 2>/dev/null || [ ! -w /var/lib/cni ]; then
	mkdir -p "$T_TMP/varlib/upper" "$T_TMP/varlib/work"
	if ! mount -t overlay overlay \
		-o "lowerdir=/var/lib,upperdir=$T_TMP/varlib/upper,workdir=$T_TMP/varlib/work" /var/lib ||
		! mkdir -p /var/lib/cni; then
		fail "a writable /var/lib/cni for CNI's cache (overlay on a read-only /var/lib)"
		finish
	fi
fi
require_clients podman conmon

# podman's CNI backend (podman 4.3 on Debian 12 has no netavark), its
# network configs in the temp dir, Debian's plugins; one bridge network.
PNET=10.89.7
PNET8=10.89.8
mkdir -p "$T_TMP/cni/conf" "$T_TMP/cni/ipam"
cat >"$T_TMP/containers.conf" <<EOF
[network]
network_backend = "cni"
cni_plugin_dirs = ["/usr/lib/cni"]
network_config_dir = "$T_TMP/cni/conf"
EOF
export CONTAINERS_CONF=$T_TMP/containers.conf
# podman's error, without its warnings (the CNI cache misses a network it never ran).
perr() { grep -v 'level=warning' "$1" | head -c 400 | tr '\n' '|'; }
cat >"$T_TMP/cni/conf/ozpnet.conflist" <<EOF
{"cniVersion": "0.4.0", "name": "ozpnet",
 "plugins": [{"type": "bridge", "bridge": "ozpbr0", "isGateway": true, "ipMasq": false,
              "hairpinMode": true,
              "ipam": {"type": "host-local", "dataDir": "$T_TMP/cni/ipam",
                       "ranges": [[{"subnet": "$PNET.0/24", "gateway": "$PNET.1"}]],
                       "routes": [{"dst": "0.0.0.0/0"}]}}]}
EOF

make_rootfs_tar
if pm import "$T_TMP/rootfs.tar" localhost/bb:1 >"$T_TMP/import.log" 2>&1; then
	pass "podman import of a busybox image"
else
	fail "podman import" "$(describe "$T_TMP/import.log")"
	finish
fi

out=$(pm run --rm "${PODMAN_RUN_OPTS[@]}" localhost/bb:1 sh -c 'echo hello from podman; exit 3' 2>"$T_TMP/e1")
rc=$?
[ "$out" = "hello from podman" ] && [ $rc -eq 3 ] && pass "run: output and exit code 3" ||
	fail "run" "rc=$rc out='$out' err='$(describe "$T_TMP/e1")'"

out=$(printf 'line1\nline2\n' | pm run --rm -i "${PODMAN_RUN_OPTS[@]}" localhost/bb:1 wc -l 2>"$T_TMP/e2")
# shellcheck disable=SC2086,SC2116 # word splitting trims wc's padding
[ "$(echo $out)" = 2 ] && pass "run -i: stdin delivered and closed" ||
	fail "run -i" "out='$out' err='$(describe "$T_TMP/e2")'"

# shellcheck disable=SC2016 # $FOO is the container's
out=$(pm run --rm "${PODMAN_RUN_OPTS[@]}" --user 1000:1000 -w /tmp -e FOO=bar --hostname box localhost/bb:1 \
	sh -c 'id -u; id -g; pwd; echo $FOO; hostname' 2>"$T_TMP/e3" | tr '\n' ' ')
[ "$out" = "1000 1000 /tmp bar box " ] && pass "user, workdir, env, hostname: $out" ||
	fail "user/workdir/env/hostname" "out='$out' err='$(describe "$T_TMP/e3")'"

# A terminal (conmon passes --console-socket; script(1) gives podman a tty).
out=$(timeout -k 5 "$CLIENT_TIMEOUT" script -qec "${PODMAN[*]} run --rm -t ${PODMAN_RUN_OPTS[*]} localhost/bb:1 sh -c 'tty; test -t 0 && echo is-a-tty'" /dev/null 2>"$T_TMP/e9" | tr -d '\r' | tr '\n' ' ')
[[ $out == "/dev/pts/"[0-9]*" is-a-tty " ]] && pass "run -t: the process has a terminal ($out)" ||
	fail "run -t" "out='$out' err='$(describe "$T_TMP/e9")'"

mkdir -p "$T_TMP/vol"
echo from-host >"$T_TMP/vol/in"
out=$(pm run --rm "${PODMAN_RUN_OPTS[@]}" -v "$T_TMP/vol:/data" localhost/bb:1 \
	sh -c 'cat /data/in; echo from-container >/data/out' 2>"$T_TMP/e4")
[ "$out" = from-host ] && [ "$(cat "$T_TMP/vol/out" 2>/dev/null)" = from-container ] &&
	pass "bind volume: read and written from inside" ||
	fail "bind volume" "out='$out' err='$(describe "$T_TMP/e4")'"

# A detached container: exec into it, then stop it (SIGTERM reaches sh's trap).
if pm run -d --name c1 "${PODMAN_RUN_OPTS[@]}" localhost/bb:1 \
	sh -c 'trap "exit 7" TERM; while :; do sleep 1; done' >"$T_TMP/c1.id" 2>"$T_TMP/e5"; then
	pass "run -d"
	out=$(pm exec c1 sh -c 'echo exec ok; exit 5' 2>"$T_TMP/e6")
	rc=$?
	[ "$out" = "exec ok" ] && [ $rc -eq 5 ] && pass "exec: output and exit code 5" ||
		fail "exec" "rc=$rc out='$out' err='$(describe "$T_TMP/e6")'"
	st=$(pm inspect -f '{{.State.Status}}' c1 2>&1)
	[ "$st" = running ] && pass "inspect: running" || fail "inspect" "'$st'"
	pm stop -t 60 c1 >/dev/null 2>"$T_TMP/e7"
	code=$(pm inspect -f '{{.State.ExitCode}}' c1 2>&1)
	[ "$code" = 7 ] && pass "stop: SIGTERM ran the trap, exit code 7" ||
		fail "stop" "exit code '$code' err='$(tr '\n' '|' <"$T_TMP/e7")'"
	pm rm c1 >/dev/null 2>&1 && pass "rm" || fail "rm"
else
	fail "run -d" "$(describe "$T_TMP/e5")"
fi

if pm run -d --name c2 "${PODMAN_RUN_OPTS[@]}" localhost/bb:1 sleep 1000 >/dev/null 2>"$T_TMP/e8"; then
	pm kill -s KILL c2 >/dev/null 2>&1
	code=$(pm wait c2 2>&1)
	[ "$code" = 137 ] && pass "kill -s KILL: exit code 137" || fail "kill -s KILL" "'$code'"
	pm rm -f c2 >/dev/null 2>&1
else
	fail "run -d (kill)" "$(describe "$T_TMP/e8")"
fi

# rm -f of a running container: it is stopped and removed in one call.
if pm run -d --name c3 "${PODMAN_RUN_OPTS[@]}" localhost/bb:1 sleep 1000 >/dev/null 2>"$T_TMP/e10"; then
	pm rm -f c3 >/dev/null 2>"$T_TMP/e11"
	rc=$?
	st=$(pm ps -a --filter name=c3 -q 2>&1)
	[ $rc -eq 0 ] && [ -z "$st" ] && pass "rm -f of a running container" ||
		fail "rm -f" "rc=$rc left='$st' err='$(describe "$T_TMP/e11")'"
else
	fail "run -d (rm -f)" "$(describe "$T_TMP/e10")"
fi

# The network. A container on the bridge network: its address, its default
# route, a ping of the gateway (NET_RAW: podman's default set lacks it).
out=$(pm run --rm --network ozpnet --cap-add NET_RAW "${PODMAN_RUN_OPTS[@]:2}" localhost/bb:1 \
	sh -c 'ip -4 -o addr show dev eth0; ip -4 route show default; ping -c 2 -W 5 '"$PNET.1"' >/dev/null && echo ping-ok' \
	2>"$T_TMP/n1")
addr=$(echo "$out" | grep -o "inet $PNET\.[0-9]*/24" | head -1)
[ -n "$addr" ] && pass "network ozpnet: eth0 has ${addr#inet } of $PNET.0/24" ||
	fail "network ozpnet: eth0's address" "out='$out' err='$(perr "$T_TMP/n1")'"
echo "$out" | grep -q "^default via $PNET.1 dev eth0" && pass "network ozpnet: the default route via the gateway $PNET.1" ||
	fail "network ozpnet: default route" "out='$out'"
echo "$out" | grep -qx ping-ok && pass "network ozpnet: ping of the gateway $PNET.1" ||
	fail "network ozpnet: ping" "out='$out' err='$(perr "$T_TMP/n1")'"

# A detached busybox httpd on the bridge network, fetched from the test's
# namespace at the container's IP (busybox wget without -T: Debian 12's
# busybox 1.35 segfaults with it; timeout bounds each try).
mkdir -p "$T_TMP/www"
echo "served by podman through $(basename "$RUNTIME")" >"$T_TMP/www/index.html"
if pm run -d --name web --network ozpnet "${PODMAN_RUN_OPTS[@]:2}" -v "$T_TMP/www:/www:ro" localhost/bb:1 \
	busybox httpd -f -p 80 -h /www >/dev/null 2>"$T_TMP/n2"; then
	ip4=$(pm inspect -f '{{.NetworkSettings.Networks.ozpnet.IPAddress}}' web 2>&1)
	got=
	for _ in $(seq 1 30); do
		got=$(timeout 10 /bin/busybox wget -O - "http://$ip4/index.html" 2>"$T_TMP/n3") && break
		sleep 1
	done
	[ "$got" = "$(cat "$T_TMP/www/index.html")" ] && pass "httpd in a detached container answers wget at $ip4:80" ||
		fail "httpd at the container's IP" "ip='$ip4' got='$got' wget: $(describe "$T_TMP/n3") state: $(pm inspect -f '{{.State.Status}} {{.State.ExitCode}}' web 2>&1) logs: $(pm logs web 2>&1 | head -c 300)"
	pm rm -f -t 0 web >/dev/null 2>&1
else
	fail "run -d httpd on ozpnet" "$(perr "$T_TMP/n2")"
	pm rm -f -t 0 web >/dev/null 2>&1
fi

# A published port (-p 18080:80) through CNI's portmap plugin, on a second
# bridge network (portmap needs iptables' nat table, which a kernel without
# the nf_tables modules lacks: then the check is skipped, never failed).
if iptables -t nat -S >/dev/null 2>&1; then
	cat >"$T_TMP/cni/conf/ozpmap.conflist" <<EOF
{"cniVersion": "0.4.0", "name": "ozpmap",
 "plugins": [{"type": "bridge", "bridge": "ozpbr1", "isGateway": true, "ipMasq": false,
              "hairpinMode": true,
              "ipam": {"type": "host-local", "dataDir": "$T_TMP/cni/ipam",
                       "ranges": [[{"subnet": "$PNET8.0/24", "gateway": "$PNET8.1"}]],
                       "routes": [{"dst": "0.0.0.0/0"}]}},
             {"type": "portmap", "capabilities": {"portMappings": true}}]}
EOF
	if pm run -d --name webp --network ozpmap -p 18080:80 "${PODMAN_RUN_OPTS[@]:2}" -v "$T_TMP/www:/www:ro" \
		localhost/bb:1 busybox httpd -f -p 80 -h /www >/dev/null 2>"$T_TMP/n6"; then
		got=
		for _ in $(seq 1 30); do
			got=$(timeout 10 /bin/busybox wget -O - "http://$PNET8.1:18080/index.html" 2>"$T_TMP/n7") && break
			sleep 1
		done
		[ "$got" = "$(cat "$T_TMP/www/index.html")" ] && pass "-p 18080:80: httpd answers wget at $PNET8.1:18080 (portmap)" ||
			fail "-p 18080:80" "got='$got' wget: $(describe "$T_TMP/n7") state: $(pm inspect -f '{{.State.Status}}' webp 2>&1)"
		pm rm -f -t 0 webp >/dev/null 2>&1
	else
		fail "run -d -p 18080:80 on ozpmap" "$(perr "$T_TMP/n6")"
		pm rm -f -t 0 webp >/dev/null 2>&1
	fi
else
	skip "-p 18080:80 (portmap)" "iptables has no nat table here: $(iptables -t nat -S 2>&1 | head -1)"
fi

# --network none: loopback alone.
out=$(pm run --rm "${PODMAN_RUN_OPTS[@]}" localhost/bb:1 sh -c 'ls /sys/class/net | tr "\n" " "' 2>"$T_TMP/n4")
[ "$out" = "lo " ] && pass "--network none: only lo" ||
	fail "--network none" "links '$out' err='$(perr "$T_TMP/n4")'"

# --network host: a VM cannot share the host's network. ozone refuses it with
# one line at create and leaves nothing; runc runs it in the host's namespace.
out=$(pm run --rm --cidfile "$T_TMP/hostnet.cid" --network host "${PODMAN_RUN_OPTS[@]:2}" localhost/bb:1 \
	sh -c 'echo ran' 2>"$T_TMP/n5")
rc=$?
if [ "$(basename "$RUNTIME")" = ozone ]; then
	msg='host networking (no network namespace in the spec) cannot be given to a VM'
	sleep 1
	[ $rc -ne 0 ] && [ -z "$out" ] && grep -qF "$msg" "$T_TMP/n5" &&
		pass "--network host: refused ($msg)" ||
		fail "--network host: not refused as expected" "rc=$rc out='$out' err='$(perr "$T_TMP/n5")'"
	# podman gives the runtime no --root: ozone's state is under /run/ozone.
	cid=$(cat "$T_TMP/hostnet.cid" 2>/dev/null)
	st=$([ -n "$cid" ] && ls -d "/run/ozone/$cid" 2>/dev/null)
	[ -n "$cid" ] && ! pm container exists "$cid" && [ -z "$st" ] && no_vmm_left &&
		pass "--network host: no container, no runtime state, no ozone-vmm left" ||
		fail "--network host left something" "cid='$cid' containers='$(pm ps -aq --no-trunc 2>&1 | tr '\n' ' ')' state='$st' vmm='$(pgrep -af "$OZONE_BUILD/bin/ozone-vmm" | head -1)'"
else
	[ $rc -eq 0 ] && [ "$out" = ran ] && pass "--network host: $(basename "$RUNTIME") runs it" ||
		fail "--network host under $(basename "$RUNTIME")" "rc=$rc out='$out' err='$(perr "$T_TMP/n5")'"
fi

left=$(pm ps -aq 2>&1)
[ -z "$left" ] && pass "no container left" || fail "containers left" "'$left'"
sleep 1
no_vmm_left && pass "no ozone-vmm left" || fail "ozone-vmm processes left" "$(pgrep -af "$OZONE_BUILD/bin/ozone-vmm" | head -3)"
finish
