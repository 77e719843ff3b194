/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Split virtqueues (virtio 1.x, section 2.7), device side.
 *
 * The rings live in guest memory and the guest is hostile: every index,
 * length and address read from them is copied once into a local and checked
 * before use. Any structural violation marks the queue broken; a broken
 * queue returns -EIO from every call until the driver resets the device.
 *
 * One thread drives a queue at a time (the transport's lock serialises the
 * device's event loop work against register writes from vCPU threads); the
 * guest driver runs concurrently on its own vCPUs, hence the barriers.
 */
#ifndef OZONE_VMM_VIRTQUEUE_H
#define OZONE_VMM_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>
#include <linux/virtio_ring.h>

#include "guest_mem.h"

/* Largest queue size we accept; also the most descriptors in one chain. */
#define VIRTQ_MAX_SIZE 1024

struct virtq {
	const struct guest_mem *mem;
	uint16_t num;	/* power of two, 1..VIRTQ_MAX_SIZE */
	bool event_idx; /* VIRTIO_RING_F_EVENT_IDX negotiated */
	bool indirect;	/* VIRTIO_RING_F_INDIRECT_DESC negotiated */
	bool broken;
	/* Host views of the rings, translated once by virtq_init (guest RAM never moves). */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail;	 /* next avail ring slot we will consume */
	uint16_t used_idx;	 /* next used ring slot we will fill */
	uint16_t signalled_used; /* used_idx at the last virtq_should_notify() */
	bool signalled_valid;
	/*
	 * Heads the device holds: popped and not pushed yet. A head is in
	 * flight at most once, so a device never holds more than `num` chains
	 * of one queue, whatever the guest publishes.
	 */
	uint64_t held[VIRTQ_MAX_SIZE / 64];
};

/*
 * One popped descriptor chain: iov[0, nout) are the device-readable buffers,
 * iov[nout, nout + nin) the device-writable ones. Zero-length descriptors are
 * skipped. Totals fit in 32 bits (the used ring's length field).
 */
struct virtq_chain {
	uint16_t head;
	unsigned nout, nin;
	uint32_t out_len, in_len;
	struct iovec iov[VIRTQ_MAX_SIZE];
};

static inline struct iovec *virtq_chain_out(struct virtq_chain *c)
{
	return c->iov;
}

static inline struct iovec *virtq_chain_in(struct virtq_chain *c)
{
	return c->iov + c->nout;
}

/*
 * Checks the ring geometry (num a power of two <= VIRTQ_MAX_SIZE, rings
 * aligned and wholly inside guest memory) and starts the queue empty.
 * `features` is the negotiated feature set. 0 or -EINVAL.
 */
int virtq_init(struct virtq *vq, const struct guest_mem *mem, uint16_t num, uint64_t desc_gpa,
	       uint64_t avail_gpa, uint64_t used_gpa, uint64_t features);

/*
 * Takes the next available chain: 1 with *c filled, 0 when the ring is empty
 * (with EVENT_IDX, also asks the driver to notify on its next buffer), or
 * -EIO when the guest broke the ring (the queue is then marked broken).
 * A head the device still holds, made available again, breaks the ring
 * (section 2.7.13: the driver may not reuse a buffer before it is used).
 */
int virtq_pop(struct virtq *vq, struct virtq_chain *c);

/*
 * Returns chain `head`, which the device holds, to the driver with
 * `written` bytes written into it; 0, -EIO (broken queue) or -EINVAL (a
 * head the device does not hold: nothing is written).
 */
int virtq_push(struct virtq *vq, uint16_t head, uint32_t written);

/*
 * Whether the driver wants an interrupt for what was pushed since the last
 * call (VRING_AVAIL_F_NO_INTERRUPT, or the used_event index with EVENT_IDX).
 */
bool virtq_should_notify(struct virtq *vq);

/*
 * Copies len bytes between buf and the buffers of a chain's iovecs,
 * starting `skip` bytes into them; never past their end. Returns the bytes
 * copied (less than len when the iovecs are shorter).
 */
uint32_t virtq_iov_read(const struct iovec *iov, unsigned n, uint32_t skip, void *dst,
			uint32_t len);
uint32_t virtq_iov_write(const struct iovec *iov, unsigned n, uint32_t skip, const void *src,
			 uint32_t len);

#endif
