/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the virtio-fs device (vmm/devices/virtio_fs.c) with its
 * worker threads live, as in the VMM: the fuzzer's thread plays the event
 * loop (kicks) while the workers run requests on the FUSE server and push
 * replies concurrently. fuzz_virtio_fs drives the same device on one thread
 * (virtio_fs_drain); this one looks for what only threads show: a reply
 * pushed for a chain the device no longer holds, a request that outlives
 * its device, a used ring written outside guest memory.
 *
 * The input is the guest's memory, laid out as for fuzz_virtio_fs: byte 0
 * picks the ring features and which of the three queues (hiprio and two
 * request queues, 8 entries each) are kicked; byte 1 how many more rounds
 * of kicks follow (low 2 bits) and how far each round moves every avail
 * index on (bits 2..4), so the same heads are published again while the
 * workers may still hold them; the rest is copied to guest address 0. The
 * guest memory is a heap block of exactly its size, so ASan reports any
 * access past it. After the kicks the fuzzer waits for the workers to
 * drain (a request waiting for a lock is ended by the reset that follows),
 * resets the device, runs the rings once more on the fresh server, and
 * stops the workers. The sentinel directory beside the share must be
 * unchanged (else abort). Seeds: tests/fuzz/corpus/virtio_fs_threads/.
 */
#include <time.h>
#include <fcntl.h>
#include <sched.h>
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
/* Longest wait for the workers to drain a round (a SETLKW may wait until the reset). */
#define DRAIN_NS 200000000L
#define FUZZ_VFS_ROOT "/tmp/ozone-fuzz-vfst-XXXXXX"
#include "virtio_fs_fuzz.h"

/* Waits (boundedly) until every request taken from the queues is answered or dropped. */
static void wait_drained(struct virtio_fs *fs)
{
	struct timespec t0, now;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (virtio_fs_pending(fs)) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - t0.tv_sec) * 1000000000L + (now.tv_nsec - t0.tv_nsec) > DRAIN_NS)
			return;
		sched_yield();
	}
}

/* Moves the avail index of queue q on by n: its ring entries are published again. */
static void advance(uint8_t *mem, unsigned q, unsigned n)
{
	uint16_t *idx = (uint16_t *)(mem + AVAIL(q) + 2);

	__atomic_store_n(idx, (uint16_t)(*idx + n), __ATOMIC_RELEASE);
}

static void kick_rounds(struct virtio_fs *fs, struct virtio_mmio *t, uint8_t *mem, uint8_t sel,
			uint8_t rounds)
{
	for (unsigned r = 0; r <= (rounds & 3u); r++) {
		if (r)
			for (unsigned q = 0; q < NQ; q++)
				advance(mem, q, (rounds >> 2) & 7u);
		for (unsigned q = 0; q < NQ; q++)
			if (sel & (1u << q))
				virtio_mmio_queue_notify(t, q);
	}
	wait_drained(fs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct virtio_fs_params p = {.tag = "fuzz", .request_queues = NQ - 1};
	struct virtio_mmio t;
	struct virtio_fs *fs;
	struct guest_mem gm;
	uint32_t features = 0;
	uint8_t *mem, sel;
	size_t n;

	if (size < 2)
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
	sel = data[0] & 7 ? data[0] : 7;
	mem = aligned_alloc(4096, MEM_SIZE);
	if (!mem)
		abort();
	memset(mem, 0, MEM_SIZE);
	n = size - 2 < USED(0) ? size - 2 : USED(0);
	memcpy(mem, data + 2, n);
	guest_mem_init_flat(&gm, mem, MEM_SIZE);
	if (virtio_fs_new(&p, &fs) < 0)
		abort();
	if (virtio_mmio_init(&t, virtio_fs_ops(fs), fs, &gm,
			     &(struct virtio_mmio_platform){fake_irq, fake_kick, NULL}) < 0)
		abort();
	if (virtio_fs_attach(fs, &t) < 0)
		abort();
	driver_up(&t, features);
	kick_rounds(fs, &t, mem, sel, data[1]);
	/* A reset while requests may still run, then the same rings again on the fresh server. */
	vfx_wr(&t, VIRTIO_MMIO_STATUS, 0);
	memcpy(mem, data + 2, n);
	memset(mem + USED(0), 0, MEM_SIZE - USED(0));
	driver_up(&t, features);
	kick_rounds(fs, &t, mem, sel, data[1]);
	/* Nothing kicks any more: the workers finish what they run and stop. */
	virtio_fs_detach(fs);
	virtio_mmio_fini(&t);
	virtio_fs_free(fs);
	free(mem);
	sentinel_check();
	return 0;
}
