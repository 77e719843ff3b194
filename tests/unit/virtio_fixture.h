/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The guest driver's side of a virtio test, shared by the unit tests of the
 * virtqueue, the virtio-mmio transport and the devices, and by the fuzz
 * targets of virtio devices: fake guest memory, the transport's registers,
 * the driver's bring-up as Linux's virtio_mmio driver does it, a fake
 * platform that counts interrupts and kicks, the descriptor and avail ring
 * builder and the used ring's readers, and a fuzz input's register
 * operations.
 * Header only and free of cmocka, so that a fuzz target can include it too
 * ("../unit/virtio_fixture.h").
 */
#ifndef OZONE_TESTS_VIRTIO_FIXTURE_H
#define OZONE_TESTS_VIRTIO_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "devices/virtio_mmio.h"
#include "guest_mem.h"

/* --- fake guest memory --- */

/*
 * `size` bytes of zeroed guest memory at guest address 0, described by `gm`;
 * NULL when out of memory. Heap memory, so that under ASan a device that
 * reaches past guest memory hits a redzone. Freed with free().
 */
static inline uint8_t *vfx_mem_new(struct guest_mem *gm, size_t size)
{
	uint8_t *mem = calloc(1, size);

	if (mem)
		guest_mem_init_flat(gm, mem, size);
	return mem;
}

/* --- the fake platform: the transport's opaque points at one --- */

struct vfx_platform {
	unsigned irqs;	    /* interrupts the transport raised */
	unsigned kicks;	    /* queue notifications it passed on */
	unsigned last_kick; /* the queue of the last one */
};

/* Counted atomically: a device's worker threads may raise interrupts. */
static inline void vfx_irq(void *opaque)
{
	__atomic_add_fetch(&((struct vfx_platform *)opaque)->irqs, 1, __ATOMIC_RELAXED);
}

static inline void vfx_kick(void *opaque, unsigned q)
{
	struct vfx_platform *p = opaque;

	p->kicks++;
	p->last_kick = q;
}

static inline unsigned vfx_irqs(struct vfx_platform *p)
{
	return __atomic_load_n(&p->irqs, __ATOMIC_RELAXED);
}

/* --- the transport's registers, 32 bits wide --- */

static inline void vfx_wr(struct virtio_mmio *t, uint32_t off, uint32_t v)
{
	virtio_mmio_access(t, off, (uint8_t *)&v, 4, true);
}

/* 0xdeadbeef where the transport wrote nothing. */
static inline uint32_t vfx_rd(struct virtio_mmio *t, uint32_t off)
{
	uint32_t v = 0xdeadbeef;

	virtio_mmio_access(t, off, (uint8_t *)&v, 4, false);
	return v;
}

/*
 * A guest's register operations as a fuzz target's input gives them, 8
 * bytes each: u16 offset, u8 kind (bits 0-1: log2 of the width, bit 2:
 * write, bit 7: notify queue kind & 7 instead), u8 pad, u32 value.
 */
static inline void vfx_mmio_ops(struct virtio_mmio *t, const uint8_t *ops, size_t n)
{
	for (size_t i = 0; i + 8 <= n; i += 8) {
		uint16_t off;
		uint8_t kind = ops[i + 2], buf[8];
		uint32_t len = 1u << (kind & 3);

		memcpy(&off, ops + i, 2);
		memset(buf, 0, sizeof(buf));
		memcpy(buf, ops + i + 4, 4);
		if (kind & 0x80)
			virtio_mmio_queue_notify(t, kind & 7);
		else
			virtio_mmio_access(t, off % VIRTIO_MMIO_WINDOW, buf, len, kind & 4);
	}
}

/* --- a split virtqueue as the driver lays it out --- */

struct vfx_queue {
	uint16_t num;		    /* its size */
	uint64_t desc, avail, used; /* where its rings are in guest memory */
};

/*
 * The driver's bring-up, as Linux's virtio_mmio driver does it (virtio 1.2
 * section 3.1.1): ACKNOWLEDGE and DRIVER; the feature bits `features` in the
 * low word and VIRTIO_F_VERSION_1 in the high one; FEATURES_OK; queue q of
 * `nq` at `queues[q]`, made ready; DRIVER_OK. True when the device kept
 * FEATURES_OK, every queue reads back ready and the status ends as written.
 */
static inline bool vfx_driver_up(struct virtio_mmio *t, uint32_t features,
				 const struct vfx_queue *queues, unsigned nq)
{
	uint32_t ok = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;
	bool good = true;

	vfx_wr(t, VIRTIO_MMIO_STATUS, ok);
	vfx_wr(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vfx_wr(t, VIRTIO_MMIO_DRIVER_FEATURES, features);
	vfx_wr(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vfx_wr(t, VIRTIO_MMIO_DRIVER_FEATURES, 1U << (VIRTIO_F_VERSION_1 - 32));
	ok |= VIRTIO_CONFIG_S_FEATURES_OK;
	vfx_wr(t, VIRTIO_MMIO_STATUS, ok);
	good &= vfx_rd(t, VIRTIO_MMIO_STATUS) == ok;
	for (unsigned q = 0; q < nq; q++) {
		vfx_wr(t, VIRTIO_MMIO_QUEUE_SEL, q);
		vfx_wr(t, VIRTIO_MMIO_QUEUE_NUM, queues[q].num);
		vfx_wr(t, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)queues[q].desc);
		vfx_wr(t, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(queues[q].desc >> 32));
		vfx_wr(t, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)queues[q].avail);
		vfx_wr(t, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(queues[q].avail >> 32));
		vfx_wr(t, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)queues[q].used);
		vfx_wr(t, VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(queues[q].used >> 32));
		vfx_wr(t, VIRTIO_MMIO_QUEUE_READY, 1);
		good &= vfx_rd(t, VIRTIO_MMIO_QUEUE_READY) == 1;
	}
	ok |= VIRTIO_CONFIG_S_DRIVER_OK;
	vfx_wr(t, VIRTIO_MMIO_STATUS, ok);
	return good && vfx_rd(t, VIRTIO_MMIO_STATUS) == ok;
}

/* The descriptor table at guest address `gpa`. */
static inline struct vring_desc *vfx_desc(uint8_t *mem, uint64_t gpa)
{
	return (struct vring_desc *)(mem + gpa);
}

static inline struct vring_avail *vfx_avail(uint8_t *mem, const struct vfx_queue *q)
{
	return (struct vring_avail *)(mem + q->avail);
}

static inline struct vring_used *vfx_used(uint8_t *mem, const struct vfx_queue *q)
{
	return (struct vring_used *)(mem + q->used);
}

/*
 * Makes the chain at descriptor `head` available: into the avail ring's
 * next slot, then the ring's index (the driver's count in *avail_idx) one
 * up, published with release order for a device on another thread.
 */
static inline void vfx_make_avail(uint8_t *mem, const struct vfx_queue *q, uint16_t *avail_idx,
				  uint16_t head)
{
	struct vring_avail *a = vfx_avail(mem, q);

	a->ring[*avail_idx % q->num] = head;
	__atomic_store_n(&a->idx, ++*avail_idx, __ATOMIC_RELEASE);
}

/* The used ring's index, read with acquire order. */
static inline uint16_t vfx_used_idx(uint8_t *mem, const struct vfx_queue *q)
{
	return __atomic_load_n(&vfx_used(mem, q)->idx, __ATOMIC_ACQUIRE);
}

/* The used ring's element for the i-th chain the device used. */
static inline struct vring_used_elem *vfx_used_elem(uint8_t *mem, const struct vfx_queue *q,
						    unsigned i)
{
	return &vfx_used(mem, q)->ring[i % q->num];
}

/* --- what a device may write: the buffers the driver lent it --- */

/*
 * A device writes guest memory only into the device-writable buffers of
 * the chains it was given, and into its used rings (virtio 1.2 section
 * 2.7.4); a write anywhere else corrupts the guest's own memory, its
 * kernel included. vfx_lent_begin() keeps the memory as it is before the
 * device runs and notes where the device may write: every buffer a
 * descriptor of `queues` (and of an indirect table one names) lends
 * writable, and each queue's used ring with its avail_event. After the
 * device ran, vfx_lent_check() names the first byte it changed anywhere
 * else. Where a lent buffer or a used ring covers a descriptor table, an
 * indirect table or an avail ring, the device may legitimately rewrite the
 * chains it has yet to read, so nothing is checked (`checked` is false).
 */
struct vfx_range {
	uint64_t start, end;
};

struct vfx_ranges {
	struct vfx_range *r;
	size_t n, cap;
	bool nomem;
};

struct vfx_lent {
	const uint8_t *mem;
	size_t size;
	uint8_t *before;	 /* the memory before the device ran */
	struct vfx_ranges lent;	 /* where the device may write */
	struct vfx_ranges rings; /* the driver's rings and tables */
	bool checked;
};

/* [gpa, gpa + len) as far as it lies in guest memory; nothing when empty. */
static inline void vfx_ranges_add(struct vfx_ranges *rs, size_t size, uint64_t gpa, uint64_t len)
{
	if (gpa >= size || len == 0)
		return;
	if (len > size - gpa)
		len = size - gpa;
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? 2 * rs->cap : 64;
		struct vfx_range *r = realloc(rs->r, cap * sizeof(*r));

		if (!r) {
			rs->nomem = true;
			return;
		}
		rs->r = r;
		rs->cap = cap;
	}
	rs->r[rs->n++] = (struct vfx_range){gpa, gpa + len};
}

static inline bool vfx_ranges_hold(const struct vfx_ranges *rs, uint64_t gpa)
{
	for (size_t i = 0; i < rs->n; i++)
		if (gpa >= rs->r[i].start && gpa < rs->r[i].end)
			return true;
	return false;
}

/* The descriptors of one table at `gpa`, `n` entries, as the memory holds them. */
static inline void vfx_lent_table(struct vfx_lent *l, uint64_t gpa, uint64_t n, bool nested)
{
	struct vring_desc d;

	if (gpa >= l->size)
		return;
	vfx_ranges_add(&l->rings, l->size, gpa, n * sizeof(d));
	for (uint64_t i = 0; i < n && (i + 1) * sizeof(d) <= l->size - gpa; i++) {
		memcpy(&d, l->before + gpa + i * sizeof(d), sizeof(d));
		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (!nested)
				vfx_lent_table(l, d.addr, d.len / sizeof(d), true);
		} else if (d.flags & VRING_DESC_F_WRITE) {
			vfx_ranges_add(&l->lent, l->size, d.addr, d.len);
		}
	}
}

/* Frees what vfx_lent_begin() took. */
static inline void vfx_lent_end(struct vfx_lent *l)
{
	free(l->before);
	free(l->lent.r);
	free(l->rings.r);
	l->before = NULL;
	l->lent = l->rings = (struct vfx_ranges){0};
}

/* 0, or -ENOMEM. */
static inline int vfx_lent_begin(struct vfx_lent *l, const uint8_t *mem, size_t size,
				 const struct vfx_queue *queues, unsigned nq)
{
	*l = (struct vfx_lent){.mem = mem, .size = size, .checked = true};
	l->before = malloc(size);
	if (!l->before)
		return -12; /* ENOMEM, without errno.h in every includer */
	memcpy(l->before, mem, size);
	for (unsigned q = 0; q < nq; q++) {
		vfx_lent_table(l, queues[q].desc, queues[q].num, false);
		/* flags, idx, ring[num], used_event */
		vfx_ranges_add(&l->rings, size, queues[q].avail,
			       4 + 2 * (uint64_t)queues[q].num + 2);
		/* flags, idx, ring[num], avail_event: the device's own */
		vfx_ranges_add(&l->lent, size, queues[q].used, 4 + 8 * (uint64_t)queues[q].num + 2);
	}
	if (l->lent.nomem || l->rings.nomem) {
		vfx_lent_end(l);
		return -12;
	}
	for (size_t i = 0; i < l->lent.n; i++)
		for (size_t j = 0; j < l->rings.n; j++)
			if (l->lent.r[i].start < l->rings.r[j].end &&
			    l->rings.r[j].start < l->lent.r[i].end)
				l->checked = false;
	return 0;
}

/*
 * The guest address of the first byte the device changed outside what was
 * lent to it; -1 when there is none, or nothing is checked. Frees what
 * vfx_lent_begin() took.
 */
static inline long long vfx_lent_check(struct vfx_lent *l)
{
	long long bad = -1;

	for (size_t c = 0; l->checked && bad < 0 && c < l->size; c += 4096) {
		size_t len = l->size - c < 4096 ? l->size - c : 4096;

		if (!memcmp(l->mem + c, l->before + c, len))
			continue;
		for (size_t i = c; i < c + len; i++) {
			if (l->mem[i] != l->before[i] && !vfx_ranges_hold(&l->lent, i)) {
				bad = (long long)i;
				break;
			}
		}
	}
	vfx_lent_end(l);
	return bad;
}

#endif
