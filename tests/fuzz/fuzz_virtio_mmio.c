/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: a guest driving a virtio-rng device through the
 * virtio-mmio registers. Byte 0 is a count k of 8-byte operations that
 * follow (register reads and writes of any offset and width, and queue
 * notifications); the rest of the input is guest memory from address 0.
 * Seeds: tests/fuzz/corpus/virtio_mmio/.
 *
 *   clang -g -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. -Ivmm \
 *     tests/fuzz/fuzz_virtio_mmio.c vmm/devices/virtio_mmio.c vmm/devices/virtio_rng.c \
 *     vmm/devices/virtqueue.c vmm/guest_mem.c common/error.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_target.h"
#include "devices/virtio_mmio.h"
#include "devices/virtio_rng.h"
#include "guest_mem.h"

#define MEM_SIZE 0x4000

static void irq(void *opaque)
{
	(void)opaque;
}

static void kick(void *opaque, unsigned q)
{
	virtio_mmio_queue_notify(opaque, q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t mem[MEM_SIZE] __attribute__((aligned(4096)));
	static struct virtio_mmio t;
	struct virtio_rng *rng;
	struct guest_mem gm;
	size_t ops;

	if (size < 1)
		return 0;
	ops = 1 + 8 * (size_t)data[0];
	if (ops > size)
		ops = size;
	memset(mem, 0, sizeof(mem));
	memcpy(mem, data + ops, size - ops < MEM_SIZE ? size - ops : MEM_SIZE);
	guest_mem_init_flat(&gm, mem, MEM_SIZE);
	if (virtio_rng_new(&rng))
		abort();
	if (virtio_mmio_init(&t, &virtio_rng_ops, rng, &gm,
			     &(struct virtio_mmio_platform){irq, kick, &t}))
		abort();
	/* op: u16 offset, u8 kind (bits 0-1: log2 width, 2: write, 7: notify), u8 pad, u32 value */
	for (size_t i = 1; i + 8 <= ops; i += 8) {
		uint16_t off;
		uint8_t kind = data[i + 2], buf[8];
		uint32_t len = 1u << (kind & 3);

		memcpy(&off, data + i, 2);
		memset(buf, 0, sizeof(buf));
		memcpy(buf, data + i + 4, 4);
		if (kind & 0x80)
			virtio_mmio_queue_notify(&t, kind & 7);
		else
			virtio_mmio_access(&t, off % VIRTIO_MMIO_WINDOW, buf, len, kind & 4);
	}
	virtio_mmio_fini(&t);
	virtio_rng_free(rng);
	return 0;
}
