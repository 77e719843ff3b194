#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The sanitizer integration run: `ozone` and `ozone-vmm` built with ASan and
# UBSan (build-asan/, made by `scripts/build --sanitize`, which the sanitize
# tier of scripts/check runs first) drive a real microVM through two suites:
# test_container_spec.sh (the runtime, the proxy, virtio-fs, vsock, the
# jail) and test_vsock.sh (the vsock device under 100 streams and
# backpressure). The guest side (kernel, initramfs, agent; the test
# initramfs for test_vsock.sh) is the normal build's. Any sanitizer report,
# from any ozone or ozone-vmm process, fails.
here=$(cd "$(dirname "$0")" && pwd)
export OZONE_SRC=${OZONE_SRC:-$(cd "$here/../.." && pwd)}
BUILD=${OZONE_BUILD:-$OZONE_SRC/build}
# pass, fail, skip, finish
. "$here/../lib/tap.sh"
ASAN=${OZONE_ASAN_BUILD:-$OZONE_SRC/build-asan}

for f in "$ASAN/bin/ozone" "$ASAN/bin/ozone-vmm" "$BUILD/guest/bzImage" "$BUILD/guest/initramfs.cpio" \
	"$BUILD/guest/initramfs-test.cpio"; do
	if [ ! -f "$f" ]; then
		fail "missing $f (scripts/build and scripts/build --sanitize make it)"
		finish
	fi
done
if [ ! -c /dev/kvm ]; then
	fail "/dev/kvm is not available"
	finish
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/ozone-sanitized.XXXXXX")
trap 'rm -rf "$T"' EXIT
# The guest from the normal build; the VMM started through a wrapper that
# keeps its stderr (where ASan reports) after delete removes vmm.log.
mkdir -p "$T/guest"
ln -s "$BUILD/guest/bzImage" "$T/guest/bzImage"
ln -s "$BUILD/guest/initramfs.cpio" "$T/guest/initramfs.cpio"
ln -s "$BUILD/guest/initramfs-test.cpio" "$T/guest/initramfs-test.cpio"
printf '#!/bin/sh\nexec "%s" "$@" 2>>"%s"\n' "$ASAN/bin/ozone-vmm" "$T/vmm.stderr" >"$T/vmm"
chmod +x "$T/vmm"
export OZONE_KERNEL=$T/guest/bzImage OZONE_INITRD=$T/guest/initramfs.cpio OZONE_VMM=$T/vmm
export OZONE_TEST_INITRD=$T/guest/initramfs-test.cpio
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
: >"$T/vmm.stderr"

for t in test_container_spec.sh test_vsock.sh; do
	echo "--- $t with ASan+UBSan"
	OZONE_BUILD=$ASAN bash "$here/$t" 2>&1 | tee "$T/$t.log" | sed 's/^/  /'
	case ${PIPESTATUS[0]} in
	0) pass "$t under ASan+UBSan" ;;
	77) skip "$t under ASan+UBSan" "every check of it was skipped" ;;
	*) fail "$t under ASan+UBSan" ;;
	esac
done
if grep -hE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$T/vmm.stderr" "$T"/*.log >"$T/reports"; then
	fail "sanitizer reports:"
	head -40 "$T/reports"
	grep -hA30 "ERROR: " "$T/vmm.stderr" | head -60
else
	pass "no sanitizer report from ozone or ozone-vmm"
fi
finish
