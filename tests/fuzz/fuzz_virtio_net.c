/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: virtio-net between a hostile guest and a host that
 * sends arbitrary frames. The device's fd is one end of a SOCK_SEQPACKET
 * pair (frame boundaries kept, as a tap keeps them); the target holds the
 * other. The input:
 *
 *   u8 features (bit i: accept the i-th of MRG_RXBUF, CSUM, GUEST_CSUM,
 *      HOST_TSO4, HOST_TSO6, GUEST_TSO4, GUEST_TSO6, EVENT_IDX)
 *   then records: u8 op, u16 len (little-endian), len bytes
 *     op & 3 == 0: the host sends the bytes as one frame; the tap is readable
 *     op & 3 == 1: the guest writes the bytes into its memory at 4 * (u16 at
 *                  their start): descriptors, rings, headers, anything
 *     op & 3 == 2: the guest makes head (first byte) available on queue
 *                  (op >> 2) & 1 and kicks it
 *     op & 3 == 3: the guest transmits the bytes (header and frame) split
 *                  into two descriptors at 4 * (op >> 2)
 *
 * At bring-up every rx descriptor lends a buffer of its own size (64 bytes
 * to 8 KiB); used rx buffers are made available again after every record.
 * Every device call is checked with vfx_lent: a byte written where no chain
 * ever lent a writable buffer aborts. Seeds: tests/fuzz/corpus/virtio_net/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include "fuzz_target.h"
#include "devices/virtio_mmio.h"
#include "devices/virtio_net.h"
#include "guest_mem.h"
#include "../unit/virtio_fixture.h"

#define MEM_SIZE (256u * 1024)
#define NUM 16
#define RXBUF(i) (0x10000u + (i)*0x2000u)
#define TXBUF 0x30000u
#define MAX_SEEN 4096

static uint8_t *mem;
static uint16_t avail_idx[2], used_seen;
static const struct vfx_queue queues[2] = {
    {NUM, 0x1000, 0x1400, 0x1800},
    {NUM, 0x2000, 0x2400, 0x2800},
};
/* Every buffer lent writable since bring-up: the device may still hold one in its stash. */
static struct vfx_range seen[MAX_SEEN];
static size_t nr_seen;
static bool seen_full;

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
	vfx_desc(mem, queues[0].desc)[i] =
	    (struct vring_desc){RXBUF(i), 64u << (i % 8), VRING_DESC_F_WRITE, 0};
	vfx_make_avail(mem, &queues[0], &avail_idx[0], i);
}

static void recycle_rx(void)
{
	struct vring_used *u = vfx_used(mem, &queues[0]);

	while (used_seen != u->idx)
		post_rx((uint16_t)(u->ring[used_seen++ % NUM].id % NUM));
}

static void lent_begin(struct vfx_lent *l)
{
	if (vfx_lent_begin(l, mem, MEM_SIZE, queues, 2))
		abort();
	for (size_t i = 0; i < l->lent.n && !seen_full; i++) {
		if (nr_seen == MAX_SEEN)
			seen_full = true;
		else
			seen[nr_seen++] = l->lent.r[i];
	}
	for (size_t i = 0; i < nr_seen; i++)
		vfx_ranges_add(&l->lent, MEM_SIZE, seen[i].start, seen[i].end - seen[i].start);
	/* Past the bound the check would be weaker than it says: skip it. */
	if (seen_full || l->lent.nomem)
		l->checked = false;
	/* As vfx_lent_begin does: a lent buffer over a ring leaves nothing to check. */
	for (size_t i = 0; i < l->lent.n && l->checked; i++)
		for (size_t j = 0; j < l->rings.n; j++)
			if (l->lent.r[i].start < l->rings.r[j].end &&
			    l->rings.r[j].start < l->lent.r[i].end)
				l->checked = false;
}

static void lent_check(struct vfx_lent *l)
{
	long long bad = vfx_lent_check(l);

	if (bad >= 0) {
		fprintf(stderr, "virtio-net wrote guest address %#llx, which no chain lent it\n",
			bad);
		abort();
	}
}

static uint32_t features_of(uint8_t sel)
{
	static const unsigned bits[8] = {
	    VIRTIO_NET_F_MRG_RXBUF,  VIRTIO_NET_F_CSUM,	      VIRTIO_NET_F_GUEST_CSUM,
	    VIRTIO_NET_F_HOST_TSO4,  VIRTIO_NET_F_HOST_TSO6,  VIRTIO_NET_F_GUEST_TSO4,
	    VIRTIO_NET_F_GUEST_TSO6, VIRTIO_RING_F_EVENT_IDX,
	};
	uint32_t f = 1U << VIRTIO_NET_F_MAC | 1U << VIRTIO_NET_F_MTU | 1U << VIRTIO_NET_F_STATUS;

	for (unsigned i = 0; i < 8; i++)
		if (sel & (1u << i))
			f |= 1U << bits[i];
	return f;
}

static void record(struct virtio_mmio *t, struct virtio_net *net, int host, uint8_t op,
		   const uint8_t *d, uint16_t len)
{
	struct vfx_lent l;

	switch (op & 3) {
	case 0:
		if (send(host, d, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
			/* full: the device has not read enough yet */
		}
		lent_begin(&l);
		virtio_net_rx_event(net);
		lent_check(&l);
		break;
	case 1: {
		uint32_t off = len >= 2 ? 4u * (uint32_t)(d[0] | d[1] << 8) : 0;

		if (len >= 2 && off < MEM_SIZE && len - 2u <= MEM_SIZE - off)
			memcpy(mem + off, d + 2, len - 2u);
		break;
	}
	case 2:
		if (len < 1)
			break;
		vfx_make_avail(mem, &queues[(op >> 2) & 1], &avail_idx[(op >> 2) & 1], d[0]);
		lent_begin(&l);
		virtio_mmio_queue_notify(t, (op >> 2) & 1);
		lent_check(&l);
		break;
	default: {
		uint32_t split = 4u * (op >> 2);

		if (split > len)
			split = len;
		memcpy(mem + TXBUF, d, len);
		vfx_desc(mem, queues[1].desc)[0] =
		    (struct vring_desc){TXBUF, split, VRING_DESC_F_NEXT, 1};
		vfx_desc(mem, queues[1].desc)[1] =
		    (struct vring_desc){TXBUF + split, len - split, 0, 0};
		vfx_make_avail(mem, &queues[1], &avail_idx[1], 0);
		lent_begin(&l);
		virtio_mmio_queue_notify(t, 1);
		lent_check(&l);
		break;
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct virtio_mmio t;
	struct virtio_net_params p = {.mtu = 1500, .mac = {2, 0, 0, 0, 0, 1}, .not_tap = true};
	struct guest_mem gm;
	struct virtio_net *net;
	char drain[70000];
	int sp[2];

	if (size < 1)
		return 0;
	if (!mem)
		mem = malloc(MEM_SIZE);
	if (!mem)
		abort();
	memset(mem, 0, MEM_SIZE);
	memset(avail_idx, 0, sizeof(avail_idx));
	used_seen = 0;
	nr_seen = 0;
	seen_full = false;
	guest_mem_init_flat(&gm, mem, MEM_SIZE);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp))
		abort();
	p.fd = sp[0];
	if (virtio_net_new(&p, &net) ||
	    virtio_mmio_init(&t, &virtio_net_ops, net, &gm,
			     &(struct virtio_mmio_platform){irq, kick, &t}) ||
	    virtio_net_attach(net, &t, NULL))
		abort();
	vfx_driver_up(&t, features_of(data[0]), queues, 2);
	for (uint16_t i = 0; i < NUM; i++)
		post_rx(i);
	data++;
	size--;

	while (size >= 3) {
		uint8_t op = data[0];
		uint16_t len = (uint16_t)(data[1] | data[2] << 8);

		data += 3;
		size -= 3;
		if (len > size)
			len = (uint16_t)size;
		record(&t, net, sp[1], op, data, len);
		data += len;
		size -= len;
		recycle_rx();
		/* What the device sent to the "tap" is not checked here, only drained. */
		while (recv(sp[1], drain, sizeof(drain), MSG_DONTWAIT) > 0)
			;
	}
	virtio_net_detach(net);
	virtio_mmio_fini(&t);
	virtio_net_free(net);
	close(sp[0]);
	close(sp[1]);
	return 0;
}
