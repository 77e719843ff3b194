/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the input is a guest's memory holding a split virtqueue
 * (descriptor table, avail ring, indirect tables, all attacker-chosen); the
 * device pops and pushes until the ring is empty or broken. Byte 0 picks
 * the queue size and features; the rest is guest memory from address 0.
 * Seeds: tests/fuzz/corpus/virtqueue/. Any crash,
 * hang or out-of-bounds access (under ASan) is a bug.
 *
 *   clang -g -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. -Ivmm \
 *     tests/fuzz/fuzz_virtqueue.c vmm/devices/virtqueue.c vmm/guest_mem.c common/error.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_ring.h>

#include "fuzz_target.h"
#include "devices/virtqueue.h"
#include "guest_mem.h"

/* Driver-written rings first, so that short inputs already reach descriptors. */
#define MEM_SIZE 0x10000
#define AVAIL 0x0   /* flags, idx, ring[256], used_event: 518 bytes at most */
#define DESC 0x210  /* 256 * 16 bytes at most */
#define USED 0x8000 /* written by the device only */

static struct virtq_chain chain;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t mem[MEM_SIZE] __attribute__((aligned(4096)));
	struct guest_mem gm;
	struct virtq vq;
	uint64_t features = 0;
	uint16_t num;

	if (size < 2)
		return 0;
	/* Byte 0: queue size (a power of two up to 256) and the ring features. */
	num = 1u << (data[0] & 7);
	if (data[0] & 0x40)
		features |= 1ULL << VIRTIO_RING_F_INDIRECT_DESC;
	if (data[0] & 0x80)
		features |= 1ULL << VIRTIO_RING_F_EVENT_IDX;
	memset(mem, 0, sizeof(mem));
	memcpy(mem, data + 1, size - 1 < MEM_SIZE ? size - 1 : MEM_SIZE);
	guest_mem_init_flat(&gm, mem, MEM_SIZE);
	if (virtq_init(&vq, &gm, num, DESC, AVAIL, USED, features))
		abort();
	for (unsigned i = 0; i < 2u * num + 2; i++) {
		if (virtq_pop(&vq, &chain) != 1)
			break;
		/* Touch every byte the chain claims, as a device would. */
		for (unsigned j = 0; j < chain.nout + chain.nin; j++)
			memset(chain.iov[j].iov_base, 0xa5, chain.iov[j].iov_len);
		virtq_push(&vq, chain.head, chain.in_len);
		virtq_should_notify(&vq);
	}
	return 0;
}
