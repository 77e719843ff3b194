/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Split virtqueue tests. The test plays the guest driver: it writes
 * descriptor tables and the avail ring into a flat fake guest memory, then
 * checks what the device side pops, pushes and signals. The hostile cases
 * each must end in -EIO and a broken queue, never a crash or a hang.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>
#include <linux/virtio_ring.h>

#include "devices/virtqueue.h"
#include "common/error.h"
#include "guest_mem.h"
#include "virtio_fixture.h"

#define MEM_SIZE (1 << 20)
#define NUM 8
#define DESC 0x1000
#define AVAIL 0x2000
#define USED 0x3000
#define INDIRECT 0x4000
#define BUF 0x10000

#define F_EVENT_IDX (1ULL << VIRTIO_RING_F_EVENT_IDX)
#define F_INDIRECT (1ULL << VIRTIO_RING_F_INDIRECT_DESC)

struct drv {
	uint8_t *mem;
	struct guest_mem gm;
	struct virtq vq;
	struct virtq_chain chain;
	uint16_t avail_idx;
};

static const struct vfx_queue queue = {NUM, DESC, AVAIL, USED};

static struct vring_desc *desc_at(struct drv *d, uint64_t gpa)
{
	return vfx_desc(d->mem, gpa);
}

static struct vring_avail *avail(struct drv *d)
{
	return vfx_avail(d->mem, &queue);
}

static struct vring_used *used(struct drv *d)
{
	return vfx_used(d->mem, &queue);
}

static void set_desc(struct vring_desc *t, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	t[i] = (struct vring_desc){.addr = addr, .len = len, .flags = flags, .next = next};
}

static void make_avail(struct drv *d, uint16_t head)
{
	vfx_make_avail(d->mem, &queue, &d->avail_idx, head);
}

static struct drv *drv_new(uint64_t features)
{
	struct drv *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	d->mem = vfx_mem_new(&d->gm, MEM_SIZE);
	assert_non_null(d->mem);
	assert_int_equal(virtq_init(&d->vq, &d->gm, NUM, DESC, AVAIL, USED, features), 0);
	return d;
}

static int setup(void **state)
{
	*state = drv_new(F_INDIRECT);
	return 0;
}

static int setup_event_idx(void **state)
{
	*state = drv_new(F_INDIRECT | F_EVENT_IDX);
	return 0;
}

static int teardown(void **state)
{
	struct drv *d = *state;

	free(d->mem);
	free(d);
	return 0;
}

/* Pops and expects the queue to break, for the reason `why` names. */
static void expect_broken(struct drv *d, const char *why)
{
	assert_int_equal(virtq_pop(&d->vq, &d->chain), -EIO);
	assert_true(d->vq.broken);
	if (!strstr(err_msg(), why))
		fail_msg("\"%s\" does not say \"%s\"", err_msg(), why);
	/* And it stays broken. */
	assert_int_equal(virtq_pop(&d->vq, &d->chain), -EIO);
	assert_int_equal(virtq_push(&d->vq, 0, 0), -EIO);
	assert_false(virtq_should_notify(&d->vq));
}

static void test_init_rejects_bad_geometry(void **state)
{
	struct drv *d = *state;
	struct virtq vq;

	assert_int_equal(virtq_init(&vq, &d->gm, 0, DESC, AVAIL, USED, 0), -EINVAL);
	assert_int_equal(virtq_init(&vq, &d->gm, 6, DESC, AVAIL, USED, 0), -EINVAL);
	assert_int_equal(virtq_init(&vq, &d->gm, 2048, DESC, AVAIL, USED, 0), -EINVAL);
	assert_int_equal(virtq_init(&vq, &d->gm, NUM, DESC + 8, AVAIL, USED, 0), -EINVAL);
	assert_int_equal(virtq_init(&vq, &d->gm, NUM, DESC, AVAIL + 1, USED, 0), -EINVAL);
	assert_int_equal(virtq_init(&vq, &d->gm, NUM, DESC, AVAIL, USED + 2, 0), -EINVAL);
	/* Ends past guest memory, or wraps around the address space. */
	assert_int_equal(virtq_init(&vq, &d->gm, NUM, MEM_SIZE - 64, AVAIL, USED, 0), -EINVAL);
	assert_int_equal(virtq_init(&vq, &d->gm, NUM, DESC, AVAIL, MEM_SIZE - 8, 0), -EINVAL);
	assert_int_equal(virtq_init(&vq, &d->gm, NUM, UINT64_MAX - 15, AVAIL, USED, 0), -EINVAL);
	assert_int_equal(virtq_init(&vq, &d->gm, 1024, DESC, AVAIL, USED, 0), 0);
}

static void test_empty(void **state)
{
	struct drv *d = *state;

	assert_int_equal(virtq_pop(&d->vq, &d->chain), 0);
	assert_false(d->vq.broken);
}

static void test_simple_chain(void **state)
{
	struct drv *d = *state;
	struct vring_desc *t = desc_at(d, DESC);
	struct virtq_chain *c = &d->chain;

	/* head 3: out 100 bytes -> out 20 bytes -> in 50 bytes */
	set_desc(t, 3, BUF, 100, VRING_DESC_F_NEXT, 5);
	set_desc(t, 5, BUF + 0x1000, 20, VRING_DESC_F_NEXT, 1);
	set_desc(t, 1, BUF + 0x2000, 50, VRING_DESC_F_WRITE, 0);
	make_avail(d, 3);

	assert_int_equal(virtq_pop(&d->vq, c), 1);
	assert_int_equal(c->head, 3);
	assert_int_equal(c->nout, 2);
	assert_int_equal(c->nin, 1);
	assert_int_equal(c->out_len, 120);
	assert_int_equal(c->in_len, 50);
	assert_ptr_equal(virtq_chain_out(c)[0].iov_base, d->mem + BUF);
	assert_int_equal(virtq_chain_out(c)[1].iov_len, 20);
	assert_ptr_equal(virtq_chain_in(c)[0].iov_base, d->mem + BUF + 0x2000);
	assert_int_equal(virtq_chain_in(c)[0].iov_len, 50);
	assert_int_equal(virtq_pop(&d->vq, c), 0);

	assert_int_equal(virtq_push(&d->vq, 3, 42), 0);
	assert_int_equal(used(d)->idx, 1);
	assert_int_equal(used(d)->ring[0].id, 3);
	assert_int_equal(used(d)->ring[0].len, 42);
	assert_true(virtq_should_notify(&d->vq));
	assert_int_equal(virtq_push(&d->vq, NUM, 0), -EINVAL);
}

static void test_zero_length_skipped(void **state)
{
	struct drv *d = *state;
	struct vring_desc *t = desc_at(d, DESC);

	set_desc(t, 0, BUF, 0, VRING_DESC_F_NEXT, 1);
	set_desc(t, 1, BUF, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
	set_desc(t, 2, 0xdeadbeef0000ULL, 0, VRING_DESC_F_WRITE, 0);
	make_avail(d, 0);
	assert_int_equal(virtq_pop(&d->vq, &d->chain), 1);
	assert_int_equal(d->chain.nout, 0);
	assert_int_equal(d->chain.nin, 1);
	assert_int_equal(d->chain.in_len, 8);
}

/* Many chains, with the 16-bit ring indexes wrapping around. */
static void test_index_wrap(void **state)
{
	struct drv *d = *state;
	struct vring_desc *t = desc_at(d, DESC);

	d->vq.last_avail = d->vq.used_idx = 65530;
	d->avail_idx = 65530;
	used(d)->idx = 65530;
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned i = 0; i < NUM; i++) {
			set_desc(t, i, BUF + i * 64, 64, VRING_DESC_F_WRITE, 0);
			make_avail(d, i);
		}
		for (unsigned i = 0; i < NUM; i++) {
			assert_int_equal(virtq_pop(&d->vq, &d->chain), 1);
			assert_int_equal(d->chain.head, i);
			assert_int_equal(virtq_push(&d->vq, d->chain.head, 64), 0);
		}
		assert_int_equal(virtq_pop(&d->vq, &d->chain), 0);
	}
	assert_int_equal(used(d)->idx, (uint16_t)(65530 + 3 * NUM));
}

/* A chain of exactly num descriptors is legal; the loop guard must not reject it. */
static void test_full_length_chain(void **state)
{
	struct drv *d = *state;
	struct vring_desc *t = desc_at(d, DESC);

	for (unsigned i = 0; i < NUM; i++)
		set_desc(t, i, BUF, 16, i + 1 < NUM ? VRING_DESC_F_NEXT : 0, i + 1);
	make_avail(d, 0);
	assert_int_equal(virtq_pop(&d->vq, &d->chain), 1);
	assert_int_equal(d->chain.nout, NUM);
	assert_int_equal(d->chain.out_len, 16 * NUM);
}

static void test_indirect(void **state)
{
	struct drv *d = *state;
	struct vring_desc *t = desc_at(d, DESC);
	struct vring_desc *it = desc_at(d, INDIRECT);

	/* Head: one direct readable buffer, then an indirect table of three. */
	set_desc(t, 2, BUF, 10, VRING_DESC_F_NEXT, 4);
	set_desc(t, 4, INDIRECT, 3 * sizeof(*it), VRING_DESC_F_INDIRECT, 0);
	set_desc(it, 0, BUF + 0x100, 20, VRING_DESC_F_NEXT, 2);
	set_desc(it, 2, BUF + 0x200, 30, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
	set_desc(it, 1, BUF + 0x300, 40, VRING_DESC_F_WRITE, 0);
	make_avail(d, 2);
	assert_int_equal(virtq_pop(&d->vq, &d->chain), 1);
	assert_int_equal(d->chain.head, 2);
	assert_int_equal(d->chain.nout, 2);
	assert_int_equal(d->chain.nin, 2);
	assert_int_equal(d->chain.out_len, 30);
	assert_int_equal(d->chain.in_len, 70);
	assert_ptr_equal(virtq_chain_in(&d->chain)[1].iov_base, d->mem + BUF + 0x300);

	/* An indirect table longer than the ring is fine (Linux makes them). */
	for (unsigned i = 0; i < 3 * NUM; i++)
		set_desc(it, i, BUF, 1, i + 1 < 3 * NUM ? VRING_DESC_F_NEXT : 0, i + 1);
	set_desc(t, 0, INDIRECT, 3 * NUM * sizeof(*it), VRING_DESC_F_INDIRECT, 0);
	make_avail(d, 0);
	assert_int_equal(virtq_pop(&d->vq, &d->chain), 1);
	assert_int_equal(d->chain.nout, 3 * NUM);
}

static void test_event_idx(void **state)
{
	struct drv *d = *state;
	struct vring_desc *t = desc_at(d, DESC);
	uint16_t *used_event = &avail(d)->ring[NUM];
	uint16_t *avail_event = (uint16_t *)&used(d)->ring[NUM];

	for (unsigned i = 0; i < 4; i++) {
		set_desc(t, i, BUF, 8, VRING_DESC_F_WRITE, 0);
		make_avail(d, i);
	}
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(virtq_pop(&d->vq, &d->chain), 1);
	/* Empty: the device asks to be told about the next buffer, at index 4. */
	assert_int_equal(virtq_pop(&d->vq, &d->chain), 0);
	assert_int_equal(*avail_event, 4);

	/* The first check always interrupts. */
	assert_int_equal(virtq_push(&d->vq, 0, 8), 0);
	assert_true(virtq_should_notify(&d->vq));
	/* The driver wants an interrupt only once used idx passes 3 (used_event = 2). */
	*used_event = 2;
	assert_int_equal(virtq_push(&d->vq, 1, 8), 0); /* used idx 2 */
	assert_false(virtq_should_notify(&d->vq));
	assert_int_equal(virtq_push(&d->vq, 2, 8), 0); /* used idx 3: crosses 2 */
	assert_true(virtq_should_notify(&d->vq));
	assert_int_equal(virtq_push(&d->vq, 3, 8), 0); /* used idx 4: already past */
	assert_false(virtq_should_notify(&d->vq));
	/* Nothing new: no interrupt. */
	assert_false(virtq_should_notify(&d->vq));
}

static void test_no_interrupt_flag(void **state)
{
	struct drv *d = *state;

	set_desc(desc_at(d, DESC), 0, BUF, 8, VRING_DESC_F_WRITE, 0);
	make_avail(d, 0);
	assert_int_equal(virtq_pop(&d->vq, &d->chain), 1);
	assert_int_equal(virtq_push(&d->vq, 0, 8), 0);
	avail(d)->flags = VRING_AVAIL_F_NO_INTERRUPT;
	assert_false(virtq_should_notify(&d->vq));
	avail(d)->flags = 0;
	assert_true(virtq_should_notify(&d->vq));
}

/* ---- hostile drivers ---- */

static void test_avail_idx_jump(void **state)
{
	struct drv *d = *state;

	avail(d)->idx = NUM + 1;
	expect_broken(d, "available index");
}

/*
 * A driver that makes the head the device holds available again, over and
 * over: the device never holds more than one chain per head (never more
 * than the queue size), and the second publication breaks the ring.
 */
static void test_head_republished(void **state)
{
	struct drv *d = *state;
	unsigned popped = 0;

	set_desc(desc_at(d, DESC), 0, BUF, 8, VRING_DESC_F_WRITE, 0);
	for (unsigned i = 0; i < 10000; i++) {
		make_avail(d, 0);
		if (virtq_pop(&d->vq, &d->chain) != 1)
			break;
		popped++;
	}
	assert_int_equal(popped, 1);
	assert_true(d->vq.broken);
	if (!strstr(err_msg(), "made available again"))
		fail_msg("\"%s\" does not say why", err_msg());
}

/* The avail index runs ahead of what was used: at most a queue's worth is ever held. */
static void test_avail_ahead_of_used(void **state)
{
	struct drv *d = *state;
	unsigned popped = 0;

	for (unsigned i = 0; i < NUM; i++)
		set_desc(desc_at(d, DESC), i, BUF, 8, VRING_DESC_F_WRITE, 0);
	/* Nothing is ever pushed; the driver keeps publishing every head, round after round. */
	for (unsigned i = 0; i < 100 * NUM; i++) {
		make_avail(d, (uint16_t)(i % NUM));
		if (virtq_pop(&d->vq, &d->chain) != 1)
			break;
		popped++;
	}
	assert_int_equal(popped, NUM);
	assert_true(d->vq.broken);
}

/* A head the device pushed back may come again; one it does not hold cannot be pushed. */
static void test_held_heads(void **state)
{
	struct drv *d = *state;

	set_desc(desc_at(d, DESC), 2, BUF, 8, VRING_DESC_F_WRITE, 0);
	assert_int_equal(virtq_push(&d->vq, 2, 0), -EINVAL);
	assert_int_equal(used(d)->idx, 0);
	for (unsigned i = 0; i < 3 * NUM; i++) {
		make_avail(d, 2);
		assert_int_equal(virtq_pop(&d->vq, &d->chain), 1);
		assert_int_equal(virtq_push(&d->vq, 2, 8), 0);
		/* Used once: a second push of the same head is refused. */
		assert_int_equal(virtq_push(&d->vq, 2, 8), -EINVAL);
	}
	assert_int_equal(used(d)->idx, 3 * NUM);
	assert_false(d->vq.broken);
}

static void test_head_out_of_range(void **state)
{
	struct drv *d = *state;

	make_avail(d, NUM);
	expect_broken(d, "head index");
}

static void test_next_out_of_range(void **state)
{
	struct drv *d = *state;

	set_desc(desc_at(d, DESC), 0, BUF, 8, VRING_DESC_F_NEXT, NUM);
	make_avail(d, 0);
	expect_broken(d, "next index");
}

static void test_loop(void **state)
{
	struct drv *d = *state;
	struct vring_desc *t = desc_at(d, DESC);

	set_desc(t, 0, BUF, 8, VRING_DESC_F_NEXT, 1);
	set_desc(t, 1, BUF, 8, VRING_DESC_F_NEXT, 0);
	make_avail(d, 0);
	expect_broken(d, "loop");
}

static void test_self_loop(void **state)
{
	struct drv *d = *state;

	set_desc(desc_at(d, DESC), 5, BUF, 8, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 5);
	make_avail(d, 5);
	expect_broken(d, "loop");
}

static void test_indirect_loop(void **state)
{
	struct drv *d = *state;
	struct vring_desc *it = desc_at(d, INDIRECT);

	set_desc(desc_at(d, DESC), 0, INDIRECT, 4 * sizeof(*it), VRING_DESC_F_INDIRECT, 0);
	set_desc(it, 0, BUF, 8, VRING_DESC_F_NEXT, 1);
	set_desc(it, 1, BUF, 8, VRING_DESC_F_NEXT, 2);
	set_desc(it, 2, BUF, 8, VRING_DESC_F_NEXT, 0);
	make_avail(d, 0);
	expect_broken(d, "loop");
}

/* An indirect table whose entry points back at the table itself, as an indirect. */
static void test_nested_indirect(void **state)
{
	struct drv *d = *state;
	struct vring_desc *it = desc_at(d, INDIRECT);

	set_desc(desc_at(d, DESC), 0, INDIRECT, 2 * sizeof(*it), VRING_DESC_F_INDIRECT, 0);
	set_desc(it, 0, BUF, 8, VRING_DESC_F_NEXT, 1);
	set_desc(it, 1, INDIRECT, 2 * sizeof(*it), VRING_DESC_F_INDIRECT, 0);
	make_avail(d, 0);
	expect_broken(d, "nested");
}

static void indirect_len_case(uint32_t len)
{
	struct drv *d = drv_new(F_INDIRECT);

	set_desc(desc_at(d, DESC), 0, INDIRECT, len, VRING_DESC_F_INDIRECT, 0);
	make_avail(d, 0);
	expect_broken(d, "indirect table of");
	free(d->mem);
	free(d);
}

static void test_indirect_bad_len(void **state)
{
	(void)state;
	indirect_len_case(0);
	indirect_len_case(17);
	indirect_len_case(sizeof(struct vring_desc) - 1);
	indirect_len_case((VIRTQ_MAX_SIZE + 1) *
			  sizeof(struct vring_desc)); /* in memory, too big */
	indirect_len_case(0xfffffff0);
}

static void test_indirect_outside_memory(void **state)
{
	struct drv *d = *state;

	set_desc(desc_at(d, DESC), 0, MEM_SIZE - 16, 32, VRING_DESC_F_INDIRECT, 0);
	make_avail(d, 0);
	expect_broken(d, "indirect table outside");
}

static void test_indirect_not_negotiated(void **state)
{
	struct drv *d = drv_new(0);

	set_desc(desc_at(d, INDIRECT), 0, BUF, 8, 0, 0);
	set_desc(desc_at(d, DESC), 0, INDIRECT, 16, VRING_DESC_F_INDIRECT, 0);
	make_avail(d, 0);
	expect_broken(d, "without VIRTIO_RING_F_INDIRECT_DESC");
	*state = d; /* freed by teardown */
}

static void test_indirect_with_next(void **state)
{
	struct drv *d = *state;
	struct vring_desc *t = desc_at(d, DESC);

	set_desc(desc_at(d, INDIRECT), 0, BUF, 8, 0, 0);
	set_desc(t, 0, INDIRECT, 16, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
	set_desc(t, 1, BUF, 8, 0, 0);
	make_avail(d, 0);
	expect_broken(d, "with NEXT");
}

static void test_buffer_outside_memory(void **state)
{
	struct drv *d = *state;

	set_desc(desc_at(d, DESC), 0, MEM_SIZE - 4, 8, VRING_DESC_F_WRITE, 0);
	make_avail(d, 0);
	expect_broken(d, "outside guest memory");
}

static void test_buffer_addr_overflow(void **state)
{
	struct drv *d = *state;

	set_desc(desc_at(d, DESC), 0, UINT64_MAX - 10, 100, 0, 0);
	make_avail(d, 0);
	expect_broken(d, "outside guest memory");
}

static void test_read_after_write(void **state)
{
	struct drv *d = *state;
	struct vring_desc *t = desc_at(d, DESC);

	set_desc(t, 0, BUF, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set_desc(t, 1, BUF, 8, 0, 0);
	make_avail(d, 0);
	expect_broken(d, "readable descriptor after");
}

/* Buffers that are each in guest memory but add up to more than 4 GiB. */
static void test_total_length_overflow(void **state)
{
	const uint64_t size = 3ULL << 30;
	struct vring_desc *t;
	struct drv *d = *state;
	struct guest_mem big;
	struct virtq vq;
	uint8_t *mem;

	(void)d;
	/* Untouched MAP_NORESERVE pages cost nothing. */
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		   -1, 0);
	assert_true(mem != MAP_FAILED);
	guest_mem_init_flat(&big, mem, size);
	assert_int_equal(virtq_init(&vq, &big, NUM, DESC, AVAIL, USED, 0), 0);
	t = (struct vring_desc *)(mem + DESC);
	set_desc(t, 0, 0, (uint32_t)(size - 1), VRING_DESC_F_NEXT, 1);
	set_desc(t, 1, 0, (uint32_t)(size - 1), 0, 0);
	((struct vring_avail *)(mem + AVAIL))->ring[0] = 0;
	((struct vring_avail *)(mem + AVAIL))->idx = 1;
	assert_int_equal(virtq_pop(&vq, &d->chain), -EIO);
	assert_true(vq.broken);
	assert_non_null(strstr(err_msg(), "4 GiB"));
	munmap(mem, size);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_init_rejects_bad_geometry, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_simple_chain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_zero_length_skipped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_index_wrap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_full_length_chain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_indirect, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_event_idx, setup_event_idx, teardown),
	    cmocka_unit_test_setup_teardown(test_no_interrupt_flag, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_avail_idx_jump, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_head_out_of_range, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_head_republished, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_avail_ahead_of_used, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_held_heads, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_next_out_of_range, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_loop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_self_loop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_indirect_loop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nested_indirect, setup, teardown),
	    cmocka_unit_test(test_indirect_bad_len),
	    cmocka_unit_test_setup_teardown(test_indirect_outside_memory, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_indirect_not_negotiated, NULL, teardown),
	    cmocka_unit_test_setup_teardown(test_indirect_with_next, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_buffer_outside_memory, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_buffer_addr_overflow, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_after_write, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_total_length_overflow, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
