#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A guest that never ends (mode=loop: hlt with interrupts off) is stopped
# cleanly by SIGTERM and SIGINT; while it runs, the VMM holds only the fds
# and threads it needs.
. "$(dirname "$0")/lib.sh"
require_vmm

for sig in TERM INT; do
	start "loop$sig" --kernel "$TINY" --cmdline mode=loop
	if ! wait_for "$OUT" '^ozone-tiny: hello' 5000; then
		fail "SIG$sig: guest did not start" "err='$(describe "$ERR")'"
		continue
	fi
	t0=$(now_ms)
	kill -"$sig" "$PID"
	wait_exit "$PID" 5000
	ms=$(($(now_ms) - t0))
	if [ "$RC" -eq 0 ]; then
		pass "SIG$sig stops a looping guest: exit 0 in ${ms} ms"
	else
		fail "SIG$sig" "rc=$RC after ${ms} ms err='$(describe "$ERR")'"
	fi
done

# fds and threads of a running VMM (4 vCPUs, console in a file). The kernel
# file must not stay open. fds inherited from the parent (9 here, and whatever
# the test runner leaks) are the parent's business (the runtime closes what it
# does not pass on): reported only.
exec 9>"$T_TMP/inherited"
inherited=" "
for fd in "/proc/$$/fd/"*; do
	n=${fd##*/}
	[ "$n" -gt 2 ] && inherited="$inherited$n=$(readlink "$fd") "
done
start fds --kernel "$TINY" --cmdline mode=loop --cpus 4 --console "$T_TMP/fds.console"
exec 9>&-
if wait_for "$T_TMP/fds.console" '^ozone-tiny: hello' 5000; then
	bad=""
	vcpus=0
	for fd in /proc/"$PID"/fd/*; do
		n=${fd##*/}
		target=$(readlink "$fd" 2>/dev/null) || continue
		if [ "$n" -gt 2 ] && [[ $inherited == *" $n=$target "* ]]; then
			echo "note: fd $n ($target) inherited from the parent is still open in the VMM"
			continue
		fi
		case "$target" in
		/dev/kvm | anon_inode:kvm-vm | anon_inode:\[eventfd\] | anon_inode:\[eventpoll\] | \
			anon_inode:\[signalfd\] | anon_inode:\[timerfd\] | anon_inode:\[pidfd\] | \
			pipe:* | socket:* | /dev/null | /dev/urandom | /dev/random | "$T_TMP/fds.console")
			;;
		anon_inode:kvm-vcpu:*) vcpus=$((vcpus + 1)) ;;
		"$T_TMP/fds.out" | "$T_TMP/fds.err")
			[ "$n" -le 2 ] || bad="$bad $n=$target"
			;;
		*) bad="$bad $n=$target" ;;
		esac
	done
	if [ -z "$bad" ]; then
		pass "running VMM holds only KVM, event, console and stdio fds"
	else
		fail "unexpected fds in a running VMM (kernel file left open?)" "$bad"
	fi
	if [ "$vcpus" -eq 4 ]; then
		pass "4 vCPU fds for --cpus 4"
	else
		fail "vCPU fds" "$vcpus for --cpus 4"
	fi
	# shellcheck disable=SC2012 # counts thread ids, which are numbers
	threads=$(ls /proc/"$PID"/task | wc -l)
	if [ "$threads" -ge 5 ] && [ "$threads" -le 7 ]; then
		pass "$threads threads for 4 vCPUs (vCPU threads + event loop + main)"
	else
		fail "thread count" "$threads threads for --cpus 4"
	fi
	kill -TERM "$PID"
	wait_exit "$PID" 5000
	if [ "$RC" -eq 0 ]; then
		pass "4-vCPU looping guest: SIGTERM -> exit 0"
	else
		fail "4-vCPU SIGTERM" "rc=$RC err='$(describe "$ERR")'"
	fi
else
	fail "fds: guest did not start" "err='$(describe "$ERR")'"
fi

finish
