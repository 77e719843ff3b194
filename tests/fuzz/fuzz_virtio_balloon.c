/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: a guest driving a virtio-balloon device that it has
 * brought up as Linux does (free page reporting negotiated, inflateq,
 * deflateq and reporting_vq ready), with every ring, descriptor and buffer
 * attacker-chosen. Byte 0 picks the queue size (bits 0-2) and the ring
 * features (bit 6 INDIRECT_DESC, bit 7 EVENT_IDX); byte 1 is a count k of
 * 8-byte operations that follow (register reads and writes of any offset
 * and width, config space included, resets, and queue notifications); the
 * rest is guest memory from address 0. Each queue is notified once more at
 * the end, so short inputs reach the device. Reported buffers are really
 * discarded (the guest memory is page-aligned). Any crash, hang or access
 * outside guest memory (under ASan) is a bug. Seeds:
 * tests/fuzz/corpus/virtio_balloon/.
 *
 *   clang -g -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. -Ivmm \
 *     tests/fuzz/fuzz_virtio_balloon.c vmm/devices/virtio_balloon.c \
 *     vmm/devices/virtio_mmio.c vmm/devices/virtqueue.c vmm/guest_mem.c common/error.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_balloon.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "fuzz_target.h"
#include "devices/virtio_balloon.h"
#include "devices/virtio_mmio.h"
#include "guest_mem.h"
#include "../unit/virtio_fixture.h"

#define MEM_SIZE 0x10000
/* Driver-written rings first, so that short inputs already reach descriptors. */
#define AVAIL(q) ((q)*0x200)	    /* flags, idx, ring[128], used_event */
#define DESC(q) (0x600 + (q)*0x800) /* 128 * 16 bytes at most */
#define USED(q) (0x8000 + (q)*0x1000)
#define NQ 3

static void irq(void *opaque)
{
	(void)opaque;
}

static void kick(void *opaque, unsigned q)
{
	virtio_mmio_queue_notify(opaque, q);
}

static void bring_up(struct virtio_mmio *t, uint8_t sel)
{
	uint32_t lo = 1u << VIRTIO_BALLOON_F_REPORTING;
	struct vfx_queue queues[NQ];

	if (sel & 0x40)
		lo |= 1u << VIRTIO_RING_F_INDIRECT_DESC;
	if (sel & 0x80)
		lo |= 1u << VIRTIO_RING_F_EVENT_IDX;
	for (unsigned q = 0; q < NQ; q++)
		queues[q] = (struct vfx_queue){1u << (sel & 7), DESC(q), AVAIL(q), USED(q)};
	vfx_driver_up(t, lo, queues, NQ);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t mem[MEM_SIZE] __attribute__((aligned(4096)));
	static struct virtio_mmio t;
	struct virtio_balloon *b;
	struct guest_mem gm;
	size_t ops;

	if (size < 2)
		return 0;
	ops = 2 + 8 * (size_t)data[1];
	if (ops > size)
		ops = size;
	memset(mem, 0, sizeof(mem));
	memcpy(mem, data + ops, size - ops < MEM_SIZE ? size - ops : MEM_SIZE);
	guest_mem_init_flat(&gm, mem, MEM_SIZE);
	if (virtio_balloon_new(&b, NULL))
		abort();
	if (virtio_mmio_init(&t, &virtio_balloon_ops, b, &gm,
			     &(struct virtio_mmio_platform){irq, kick, &t}))
		abort();
	bring_up(&t, data[0]);
	vfx_mmio_ops(&t, data + 2, ops - 2);
	for (unsigned q = 0; q < NQ; q++)
		virtio_mmio_queue_notify(&t, q);
	/* Only whole pages are ever given back. */
	if (virtio_balloon_discarded(b) % GUEST_PAGE_SIZE)
		abort();
	virtio_mmio_fini(&t);
	virtio_balloon_free(b);
	return 0;
}
