/* SPDX-License-Identifier: Apache-2.0 */
#include "devices/virtqueue.h"

#include <endian.h>
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "common/error.h"

#define VIRTQ_DESC_SIZE sizeof(struct vring_desc)

/* Marks the queue broken: the transport then asks the driver to reset the device. */
#define vq_fail(vq, ...)                                                                           \
	({                                                                                         \
		(vq)->broken = true;                                                               \
		err_setx(EIO, "virtqueue: " __VA_ARGS__);                                          \
	})

int virtq_init(struct virtq *vq, const struct guest_mem *mem, uint16_t num, uint64_t desc_gpa,
	       uint64_t avail_gpa, uint64_t used_gpa, uint64_t features)
{
	memset(vq, 0, sizeof(*vq));
	if (num == 0 || num > VIRTQ_MAX_SIZE || (num & (num - 1)))
		return err_setx(EINVAL, "virtqueue: size %u is not a power of two <= %u", num,
				VIRTQ_MAX_SIZE);
	/* Alignments of section 2.7: the ring structures are accessed as naturally aligned words.
	 */
	if (desc_gpa % VRING_DESC_ALIGN_SIZE || avail_gpa % VRING_AVAIL_ALIGN_SIZE ||
	    used_gpa % VRING_USED_ALIGN_SIZE)
		return err_setx(EINVAL, "virtqueue: misaligned ring address");
	/* The avail ring ends with used_event and the used ring with avail_event: count them too.
	 */
	vq->desc = guest_mem_ptr(mem, desc_gpa, (uint64_t)VIRTQ_DESC_SIZE * num);
	vq->avail = guest_mem_ptr(mem, avail_gpa, 6 + 2 * (uint64_t)num);
	vq->used = guest_mem_ptr(mem, used_gpa, 6 + sizeof(struct vring_used_elem) * (uint64_t)num);
	if (!vq->desc || !vq->avail || !vq->used) {
		memset(vq, 0, sizeof(*vq));
		return err_setx(EINVAL, "virtqueue: ring outside guest memory");
	}
	vq->mem = mem;
	vq->num = num;
	vq->event_idx = features & (1ULL << VIRTIO_RING_F_EVENT_IDX);
	vq->indirect = features & (1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	return 0;
}

/* The driver publishes descriptors before the index: acquire pairs with its write barrier. */
static uint16_t avail_idx_load(const struct virtq *vq)
{
	return le16toh(__atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE));
}

static uint16_t avail_ring_load(const struct virtq *vq, unsigned slot)
{
	return le16toh(__atomic_load_n(&vq->avail->ring[slot], __ATOMIC_RELAXED));
}

/* avail_event lives right after the used ring's last element (VIRTIO_RING_F_EVENT_IDX). */
static void avail_event_store(struct virtq *vq, uint16_t v)
{
	uint16_t *ev = (uint16_t *)&vq->used->ring[vq->num];

	__atomic_store_n(ev, htole16(v), __ATOMIC_RELAXED);
}

/*
 * Copies one descriptor out of guest memory. The barrier keeps the compiler
 * from re-reading guest memory in place of the copy: the guest may rewrite
 * the descriptor between two reads, so only this copy is ever checked and used.
 * memcpy also copes with an indirect table the driver did not align.
 */
static void desc_load(struct vring_desc *dst, const struct vring_desc *src)
{
	memcpy(dst, src, sizeof(*dst));
	__asm__ __volatile__("" ::: "memory");
	dst->addr = le64toh(dst->addr);
	dst->len = le32toh(dst->len);
	dst->flags = le16toh(dst->flags);
	dst->next = le16toh(dst->next);
}

/* Switches the walk to an indirect table; 0 or -EIO. */
static int enter_indirect(struct virtq *vq, const struct vring_desc *d,
			  const struct vring_desc **table, unsigned *size)
{
	if (!vq->indirect)
		return vq_fail(vq, "indirect descriptor without VIRTIO_RING_F_INDIRECT_DESC");
	if (d->flags & VRING_DESC_F_NEXT)
		return vq_fail(vq, "indirect descriptor with NEXT set");
	if (d->len == 0 || d->len % VIRTQ_DESC_SIZE || d->len / VIRTQ_DESC_SIZE > VIRTQ_MAX_SIZE)
		return vq_fail(vq, "indirect table of %u bytes", d->len);
	*table = guest_mem_ptr(vq->mem, d->addr, d->len);
	if (!*table)
		return vq_fail(vq, "indirect table outside guest memory");
	*size = d->len / VIRTQ_DESC_SIZE;
	return 0;
}

/* Appends one buffer to the chain; 0 or -EIO. */
static int chain_add(struct virtq *vq, struct virtq_chain *c, const struct vring_desc *d,
		     uint64_t *out_len, uint64_t *in_len)
{
	void *p;

	if (d->len == 0)
		return 0;
	p = guest_mem_ptr(vq->mem, d->addr, d->len);
	if (!p)
		return vq_fail(vq, "buffer 0x%llx+%u outside guest memory",
			       (unsigned long long)d->addr, d->len);
	c->iov[c->nout + c->nin] = (struct iovec){p, d->len};
	if (d->flags & VRING_DESC_F_WRITE) {
		c->nin++;
		*in_len += d->len;
	} else {
		c->nout++;
		*out_len += d->len;
	}
	if (*in_len > UINT32_MAX || *out_len > UINT32_MAX)
		return vq_fail(vq, "chain longer than 4 GiB");
	return 0;
}

/*
 * Follows a chain from `head`. Loops end because each table (the ring's,
 * then at most one indirect table) is walked for at most its own size, and
 * the chain as a whole holds at most VIRTQ_MAX_SIZE buffers (c->iov's size).
 */
static int chain_walk(struct virtq *vq, uint16_t head, struct virtq_chain *c)
{
	const struct vring_desc *table = vq->desc;
	unsigned size = vq->num, seen = 0, total = 0;
	uint64_t out_len = 0, in_len = 0;
	bool indirect = false, saw_write = false;
	uint16_t i = head;
	int ret;

	c->head = head;
	c->nout = c->nin = 0;
	for (;;) {
		struct vring_desc d;

		if (++seen > size)
			return vq_fail(vq, "descriptor loop");
		desc_load(&d, &table[i]);
		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (indirect)
				return vq_fail(vq, "nested indirect table");
			ret = enter_indirect(vq, &d, &table, &size);
			if (ret)
				return ret;
			indirect = true;
			seen = 0;
			i = 0;
			continue;
		}
		if (++total > VIRTQ_MAX_SIZE)
			return vq_fail(vq, "chain longer than %u descriptors", VIRTQ_MAX_SIZE);
		if (d.flags & VRING_DESC_F_WRITE)
			saw_write = true;
		else if (saw_write)
			return vq_fail(vq, "readable descriptor after a writable one");
		ret = chain_add(vq, c, &d, &out_len, &in_len);
		if (ret)
			return ret;
		if (!(d.flags & VRING_DESC_F_NEXT))
			break;
		if (d.next >= size)
			return vq_fail(vq, "next index %u out of range", d.next);
		i = d.next;
	}
	c->out_len = (uint32_t)out_len;
	c->in_len = (uint32_t)in_len;
	return 0;
}

static bool head_held(const struct virtq *vq, uint16_t head)
{
	return vq->held[head / 64] & (1ULL << (head % 64));
}

int virtq_pop(struct virtq *vq, struct virtq_chain *c)
{
	uint16_t avail, pending, head;
	int ret;

	if (vq->broken || !vq->num)
		return -EIO;
	avail = avail_idx_load(vq);
	pending = (uint16_t)(avail - vq->last_avail);
	if (pending == 0 && vq->event_idx) {
		/*
		 * Ask for a notification on the next buffer, then look again: the
		 * driver may have added one before it could see our avail_event.
		 * The full fence orders our store before the reload (store->load).
		 */
		avail_event_store(vq, vq->last_avail);
		atomic_thread_fence(memory_order_seq_cst);
		avail = avail_idx_load(vq);
		pending = (uint16_t)(avail - vq->last_avail);
	}
	if (pending == 0)
		return 0;
	if (pending > vq->num)
		return vq_fail(vq, "available index moved by %u on a ring of %u", pending, vq->num);
	head = avail_ring_load(vq, vq->last_avail & (vq->num - 1));
	if (head >= vq->num)
		return vq_fail(vq, "head index %u out of range", head);
	/*
	 * Without this a guest that publishes one head over and over would
	 * have the device take it again each time, and a device that queues
	 * what it pops would grow without bound on a ring of a few entries.
	 */
	if (head_held(vq, head))
		return vq_fail(vq, "head %u made available again while the device holds it", head);
	ret = chain_walk(vq, head, c);
	if (ret)
		return ret;
	vq->held[head / 64] |= 1ULL << (head % 64);
	vq->last_avail++;
	return 1;
}

int virtq_push(struct virtq *vq, uint16_t head, uint32_t written)
{
	struct vring_used_elem *e;

	if (vq->broken || !vq->num)
		return -EIO;
	if (head >= vq->num)
		return err_setx(EINVAL, "virtqueue: push of head %u out of range", head);
	/* A chain used twice would hand the driver a buffer it has already reused. */
	if (!head_held(vq, head))
		return err_setx(EINVAL,
				"virtqueue: push of head %u, which the device does not hold", head);
	vq->held[head / 64] &= ~(1ULL << (head % 64));
	e = &vq->used->ring[vq->used_idx & (vq->num - 1)];
	__atomic_store_n(&e->id, htole32(head), __ATOMIC_RELAXED);
	__atomic_store_n(&e->len, htole32(written), __ATOMIC_RELAXED);
	vq->used_idx++;
	/* The element must be visible before the index that publishes it. */
	__atomic_store_n(&vq->used->idx, htole16(vq->used_idx), __ATOMIC_RELEASE);
	return 0;
}

bool virtq_should_notify(struct virtq *vq)
{
	uint16_t old, new, event;
	bool valid;

	if (vq->broken || !vq->num)
		return false;
	/* Our used->idx store must be visible before we read the driver's wishes (store->load). */
	atomic_thread_fence(memory_order_seq_cst);
	if (!vq->event_idx)
		return !(le16toh(__atomic_load_n(&vq->avail->flags, __ATOMIC_RELAXED)) &
			 VRING_AVAIL_F_NO_INTERRUPT);
	old = vq->signalled_used;
	new = vq->used_idx;
	valid = vq->signalled_valid;
	vq->signalled_used = new;
	vq->signalled_valid = true;
	if (!valid)
		return true;
	/* used_event sits right after the avail ring's last entry. */
	event = avail_ring_load(vq, vq->num);
	return vring_need_event(event, new, old);
}

/* The walk of virtq_iov_read and virtq_iov_write: to_iov says which way. */
static uint32_t iov_copy(const struct iovec *iov, unsigned n, uint32_t skip, uint8_t *buf,
			 uint32_t len, bool to_iov)
{
	uint32_t done = 0;

	for (unsigned i = 0; i < n && done < len; i++) {
		size_t l = iov[i].iov_len, chunk;

		if (skip >= l) {
			skip -= (uint32_t)l;
			continue;
		}
		chunk = l - skip < len - done ? l - skip : len - done;
		if (to_iov)
			memcpy((uint8_t *)iov[i].iov_base + skip, buf + done, chunk);
		else
			memcpy(buf + done, (uint8_t *)iov[i].iov_base + skip, chunk);
		done += (uint32_t)chunk;
		skip = 0;
	}
	return done;
}

uint32_t virtq_iov_read(const struct iovec *iov, unsigned n, uint32_t skip, void *dst, uint32_t len)
{
	return iov_copy(iov, n, skip, dst, len, false);
}

uint32_t virtq_iov_write(const struct iovec *iov, unsigned n, uint32_t skip, const void *src,
			 uint32_t len)
{
	return iov_copy(iov, n, skip, (uint8_t *)(uintptr_t)src, len, true);
}
