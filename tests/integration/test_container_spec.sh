#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The OCI process and linux settings, honoured inside a real microVM and
# checked from inside the container as a user would: `ozone run` of one
# busybox bundle whose spec sets user, groups and umask, capabilities,
# no_new_privs, rlimits, oomScoreAdj, a seccomp profile (an errno with
# errnoRet, an argument condition), hostname and domainname, a sysctl,
# masked and read-only paths, env and cwd. Runs on a /dev/kvm that can run
# Linux (inside the test host: tests/testhost/run -- bash tests/integration/test_container_spec.sh).
# shellcheck disable=SC2015 # `COND && pass ... || fail ...`: pass, fail and skip return 0
. "${OZONE_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/runtime/lib.sh"

if [ ! -c /dev/kvm ]; then
	fail "/dev/kvm is not available"
	finish
fi

B=$T_TMP/b
mkdir -p "$B/rootfs/bin" "$B/rootfs/proc" "$B/rootfs/dev" "$B/rootfs/tmp" "$B/rootfs/work" \
	"$B/rootfs/sys" "$ROOT"
cp /bin/busybox "$B/rootfs/bin/busybox"
for c in sh echo cat id grep mkdir ls hostname wc head stat tr sed; do
	ln -sf busybox "$B/rootfs/bin/$c"
done
chmod 1777 "$B/rootfs/work"

# What the container prints, one fact per line, "key=value".
cat >"$B/rootfs/probe.sh" <<'SH'
echo "id=$(id -u):$(id -g):$(id -G)"
echo "umask=$(umask)"
echo "cwd=$(pwd)"
echo "env=$GREETING"
echo "nofile=$(ulimit -n)"
grep -E '^(CapEff|CapPrm|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status | tr -d '\t' | sed 's/:/=/'
echo "oom=$(cat /proc/self/oom_score_adj)"
echo "hostname=$(hostname)"
echo "domainname=$(cat /proc/sys/kernel/domainname)"
echo "msgmax=$(cat /proc/sys/kernel/msgmax)"
mkdir /work/denied 2>/tmp/err; echo "mkdir=$(cat /tmp/err)"
echo "kcore=$(stat -c '%F %t:%T' /proc/kcore)"
echo x 2>/tmp/err >/proc/sys/kernel/msgmni; echo "procsys=$(cat /tmp/err)"
SH

# A spec as containerd or podman would write it, with each field set.
cat >"$B/config.json" <<'EOF'
{"ociVersion":"1.0.2",
 "process":{"terminal":false,
  "user":{"uid":1000,"gid":1000,"additionalGids":[10,20],"umask":23},
  "args":["sh","/probe.sh"],
  "env":["PATH=/bin","GREETING=hello-env"],"cwd":"/work",
  "capabilities":{"bounding":["CAP_KILL","CAP_NET_BIND_SERVICE","CAP_CHOWN"],
   "effective":["CAP_KILL","CAP_NET_BIND_SERVICE"],"permitted":["CAP_KILL","CAP_NET_BIND_SERVICE"],
   "inheritable":["CAP_NET_BIND_SERVICE"],"ambient":["CAP_NET_BIND_SERVICE"]},
  "rlimits":[{"type":"RLIMIT_NOFILE","hard":777,"soft":777}],
  "noNewPrivileges":true,"oomScoreAdj":300},
 "root":{"path":"rootfs","readonly":true},
 "hostname":"spec-host","domainname":"spec.example",
 "mounts":[{"destination":"/proc","type":"proc","source":"proc"},
  {"destination":"/tmp","type":"tmpfs","source":"tmpfs","options":["mode=1777"]},
  {"destination":"/work","type":"tmpfs","source":"tmpfs","options":["mode=1777"]}],
 "linux":{"namespaces":[{"type":"pid"},{"type":"mount"},{"type":"uts"},{"type":"ipc"},{"type":"network"}],
  "sysctl":{"kernel.msgmax":"4242"},
  "maskedPaths":["/proc/kcore","/proc/acpi"],
  "readonlyPaths":["/proc/sys"],
  "seccomp":{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],
   "syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":38},
    {"names":["personality"],"action":"SCMP_ACT_ERRNO","errnoRet":1,
     "args":[{"index":0,"value":255,"op":"SCMP_CMP_EQ"}]}]}}}
EOF

oz run -b "$B" spec1
if [ "$RC" -ne 0 ]; then
	fail "ozone run" "rc=$RC err='$(head -c 1500 "$ERR")'"
	finish
fi
pass "ozone run of a spec with every process field"
got() { grep "^$1=" "$OUT" | head -1 | cut -d= -f2-; }
expect() { # KEY WANT WHAT
	local v
	v=$(got "$1")
	[ "$v" = "$2" ] && pass "$3: $1=$v" || fail "$3" "$1='$v', want '$2'"
}
expect id "1000:1000:1000 10 20" "user, gid and additionalGids (id)"
expect umask "0027" "umask 23 (octal 027)"
expect cwd /work "cwd"
expect env hello-env "env"
expect nofile 777 "RLIMIT_NOFILE (ulimit -n)"
# Bits: CHOWN 0, KILL 5, NET_BIND_SERVICE 10. For a uid other than 0, exec
# keeps only the ambient set in the permitted and effective sets (as under runc).
expect CapEff 0000000000000400 "effective capabilities"
expect CapPrm 0000000000000400 "permitted capabilities"
expect CapBnd 0000000000000421 "bounding set"
expect CapAmb 0000000000000400 "ambient capabilities"
expect NoNewPrivs 1 "no_new_privs"
expect Seccomp 2 "a seccomp filter"
expect oom 300 "oomScoreAdj"
expect hostname spec-host "hostname"
expect domainname spec.example "domainname"
expect msgmax 4242 "linux.sysctl"
expect mkdir "mkdir: can't create directory '/work/denied': Function not implemented" \
	"a syscall the profile denies returns errnoRet (38, ENOSYS)"
expect kcore "character special file 1:3" "maskedPaths: /dev/null bound over /proc/kcore"
v=$(got procsys)
[[ $v == *"Read-only file system"* ]] && pass "readonlyPaths: /proc/sys is read-only" ||
	fail "readonlyPaths" "procsys='$v'"
oz delete spec1
sleep 0.5
! pgrep -f "$OZONE_BUILD/bin/ozone-vmm .*$ROOT" >/dev/null && pass "no ozone-vmm left" ||
	fail "ozone-vmm left" "$(pgrep -af "$OZONE_BUILD/bin/ozone-vmm")"
finish
