/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the virtio-fs device (vmm/devices/virtio_fs.c) behind
 * the virtio-mmio transport, over the FUSE server. The input is the
 * guest's memory: byte 0 picks the ring features and which queues are
 * kicked; the rest is copied to guest address 0 and holds, for each of the
 * three queues (hiprio and two request queues, 8 entries each), an avail
 * ring and a descriptor table, then request buffers. The used rings are
 * the device's (the input never covers them).
 *
 * Each input runs on a fresh device over a shared directory holding a file
 * and a symlink out of it to a sentinel directory beside it: the queues
 * are kicked, the requests run (on this thread: virtio_fs_drain), the
 * device is reset (a fresh FUSE server) and kicked again with the same
 * memory. The device must write no guest memory but the buffers the
 * input's chains lent it and the used rings (tests/unit/virtio_fixture.h,
 * vfx_lent), and the sentinel must be unchanged afterwards (else abort); any
 * crash, hang, leak or sanitizer report is a bug. Seeds:
 * tests/fuzz/corpus/virtio_fs/ (INIT, LOOKUP, a split READ, FORGET).
 */
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "fuzz_target.h"
#include "devices/virtio_fs.h"
#include "devices/virtio_mmio.h"
#include "guest_mem.h"

#define MEM_SIZE 0x10000
#define FUZZ_VFS_ROOT "/tmp/ozone-fuzz-vfs-XXXXXX"
#include "virtio_fs_fuzz.h"

/*
 * Kicks the queues `sel` picks and runs their requests; the device must
 * have written nothing but the buffers the input lent it and the used
 * rings (else abort).
 */
static void kick_all(struct virtio_fs *fs, struct virtio_mmio *t, uint8_t sel, const uint8_t *mem)
{
	struct vfx_lent lent;
	long long bad;

	if (vfx_lent_begin(&lent, mem, MEM_SIZE, queues, NQ))
		abort();
	for (unsigned q = 0; q < NQ; q++)
		if (sel & (1u << q))
			virtio_mmio_queue_notify(t, q);
	virtio_fs_drain(fs, t);
	bad = vfx_lent_check(&lent);
	if (bad >= 0) {
		fprintf(stderr, "virtio-fs wrote guest address 0x%llx, which no chain lent it\n",
			bad);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t mem[MEM_SIZE] __attribute__((aligned(4096)));
	static bool ready;
	struct virtio_fs_params p = {.tag = "fuzz", .request_queues = NQ - 1};
	struct virtio_mmio t;
	struct virtio_fs *fs;
	struct guest_mem gm;
	uint32_t features = 0;
	size_t n;

	if (size < 1)
		return 0;
	if (!ready) {
		setup_once();
		ready = true;
	}
	reset_share();
	p.dir = share;
	if (data[0] & 0x40)
		features |= 1u << VIRTIO_RING_F_INDIRECT_DESC;
	if (data[0] & 0x80)
		features |= 1u << VIRTIO_RING_F_EVENT_IDX;
	memset(mem, 0, sizeof(mem));
	n = size - 1 < USED(0) ? size - 1 : USED(0);
	memcpy(mem, data + 1, n);
	guest_mem_init_flat(&gm, mem, MEM_SIZE);
	if (virtio_fs_new(&p, &fs) < 0)
		abort();
	if (virtio_mmio_init(&t, virtio_fs_ops(fs), fs, &gm,
			     &(struct virtio_mmio_platform){fake_irq, fake_kick, NULL}) < 0)
		abort();
	driver_up(&t, features);
	kick_all(fs, &t, data[0] ? data[0] : 7, mem);
	/* A reset, then the same rings again on the fresh server. */
	vfx_wr(&t, VIRTIO_MMIO_STATUS, 0);
	memcpy(mem, data + 1, n);
	memset(mem + USED(0), 0, MEM_SIZE - USED(0));
	driver_up(&t, features);
	kick_all(fs, &t, data[0] ? data[0] : 7, mem);
	virtio_mmio_fini(&t);
	virtio_fs_free(fs);
	sentinel_check();
	return 0;
}
