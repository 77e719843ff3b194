/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: a guest sending virtio-vsock packets on the tx queue.
 * Before the input runs, a host program has connected through the device
 * ("CONNECT 1024\n", host port 1<<30) and the REQUEST is on the rx queue, so
 * inputs can answer it, send data, shut down or reset, as well as send
 * anything else. The input is a sequence of records:
 *
 *   u8 ctl, u16 len (little-endian), len bytes: the packet (header, payload)
 *
 * ctl bits 0-2: the host writes 100 bytes / reads what it has / the device
 * polls its sockets; bits 3-7: where the packet is split into two
 * descriptors (times 4 bytes). Seeds: tests/fuzz/corpus/virtio_vsock/.
 *
 *   clang -g -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. -Ivmm \
 *     tests/fuzz/fuzz_virtio_vsock.c vmm/devices/virtio_vsock.c vmm/devices/virtio_vsock_conn.c \
 *     vmm/devices/virtio_vsock_mux.c vmm/devices/virtio_mmio.c vmm/devices/virtqueue.c \
 *     vmm/guest_mem.c common/error.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "fuzz_target.h"
#include "devices/virtio_mmio.h"
#include "devices/virtio_vsock.h"
#include "guest_mem.h"
#include "../unit/virtio_fixture.h"

#define MEM_SIZE (1u << 20)
#define NUM 16
#define RING(q) (0x1000u + (q)*0x1000u)
#define RXBUF(i) (0x10000u + (i)*0x2000u)
#define TXBUF 0x40000u
#define RXBUF_LEN 0x1000u

static uint8_t mem[MEM_SIZE] __attribute__((aligned(4096)));
static uint16_t avail_idx[3], used_seen;
static const struct vfx_queue queues[3] = {
    {NUM, RING(0), RING(0) + 0x400, RING(0) + 0x800},
    {NUM, RING(1), RING(1) + 0x400, RING(1) + 0x800},
    {NUM, RING(2), RING(2) + 0x400, RING(2) + 0x800},
};

static void irq(void *opaque)
{
	(void)opaque;
}

static void kick(void *opaque, unsigned q)
{
	(void)opaque;
	(void)q;
}

static void post_rx(uint16_t i)
{
	vfx_desc(mem, RING(0))[i] = (struct vring_desc){RXBUF(i), RXBUF_LEN, VRING_DESC_F_WRITE, 0};
	vfx_make_avail(mem, &queues[0], &avail_idx[0], i);
}

/* Gives the device back every rx buffer it used. */
static void recycle_rx(void)
{
	struct vring_used *u = vfx_used(mem, &queues[0]);

	while (used_seen != u->idx)
		post_rx((uint16_t)(u->ring[used_seen++ % NUM].id % NUM));
}

static void bring_up(struct virtio_mmio *t)
{
	vfx_driver_up(t, 0, queues, 3);
	for (uint16_t i = 0; i < NUM; i++)
		post_rx(i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct virtio_mmio t;
	static const char junk[100];
	struct guest_mem gm;
	struct vsock *vs;
	char buf[4096];
	int sp[2];

	memset(mem, 0, sizeof(mem));
	memset(avail_idx, 0, sizeof(avail_idx));
	used_seen = 0;
	guest_mem_init_flat(&gm, mem, MEM_SIZE);
	if (vsock_new(&vs, NULL))
		abort();
	if (virtio_mmio_init(&t, &virtio_vsock_ops, vs, &gm,
			     &(struct virtio_mmio_platform){irq, kick, &t}))
		abort();
	vsock_attach(vs, &t);
	bring_up(&t);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sp) || vsock_host_accept(vs, sp[1]))
		abort();
	if (write(sp[0], "CONNECT 1024\n", 13) != 13)
		abort();
	vsock_poll(vs);

	while (size >= 3) {
		uint8_t ctl = data[0];
		uint16_t len = (uint16_t)(data[1] | data[2] << 8);
		uint32_t split;

		data += 3;
		size -= 3;
		if (len > size)
			len = (uint16_t)size;
		memcpy(mem + TXBUF, data, len);
		split = (uint32_t)(ctl >> 3) * 4;
		if (split > len)
			split = len;
		/* Two descriptors: [0, split) and [split, len); zero-length ones are skipped. */
		vfx_desc(mem, RING(1))[0] = (struct vring_desc){TXBUF, split, VRING_DESC_F_NEXT, 1};
		vfx_desc(mem, RING(1))[1] = (struct vring_desc){TXBUF + split, len - split, 0, 0};
		vfx_make_avail(mem, &queues[1], &avail_idx[1], 0);
		virtio_mmio_queue_notify(&t, 1);
		data += len;
		size -= len;
		if (ctl & 1 && send(sp[0], junk, sizeof(junk), MSG_NOSIGNAL) < 0) {
			/* closed by the device: fine */
		}
		if (ctl & 2) {
			while (read(sp[0], buf, sizeof(buf)) > 0)
				;
		}
		if (ctl & 4)
			vsock_poll(vs);
		recycle_rx();
	}
	vsock_poll(vs);
	virtio_mmio_fini(&t);
	vsock_free(vs);
	close(sp[0]);
	return 0;
}
