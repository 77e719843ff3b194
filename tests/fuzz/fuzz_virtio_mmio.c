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
#include "../unit/virtio_fixture.h"

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
	vfx_mmio_ops(&t, data + 1, ops - 1);
	virtio_mmio_fini(&t);
	virtio_rng_free(rng);
	return 0;
}
