/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-rng tests: the device behind a real transport with a fake platform,
 * the test acting as the guest driver on a flat fake guest memory.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "devices/virtio_mmio.h"
#include "devices/virtio_rng.h"
#include "guest_mem.h"
#include "virtio_fixture.h"

#define MEM_SIZE (1 << 20)
#define NUM 8
#define DESC 0x1000
#define AVAIL 0x2000
#define USED 0x3000
#define INDIRECT 0x4000
#define BUF 0x10000

struct fixture {
	uint8_t *mem;
	struct guest_mem gm;
	struct virtio_rng *rng;
	struct virtio_mmio t;
	struct vfx_platform plat;
	uint16_t avail_idx;
};

static const struct vfx_queue queue = {NUM, DESC, AVAIL, USED};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->mem = vfx_mem_new(&f->gm, MEM_SIZE);
	assert_non_null(f->mem);
	assert_int_equal(virtio_rng_new(&f->rng), 0);
	assert_int_equal(
	    virtio_mmio_init(&f->t, &virtio_rng_ops, f->rng, &f->gm,
			     &(struct virtio_mmio_platform){vfx_irq, vfx_kick, &f->plat}),
	    0);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_RNG);
	/* The driver's bring-up, with indirect descriptors. */
	assert_true(vfx_driver_up(&f->t, 1U << VIRTIO_RING_F_INDIRECT_DESC, &queue, 1));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	virtio_mmio_fini(&f->t);
	virtio_rng_free(f->rng);
	free(f->mem);
	free(f);
	return 0;
}

static struct vring_desc *desc(struct fixture *f, uint64_t table)
{
	return vfx_desc(f->mem, table);
}

static void make_avail(struct fixture *f, uint16_t head)
{
	vfx_make_avail(f->mem, &queue, &f->avail_idx, head);
}

static struct vring_used_elem *used_elem(struct fixture *f, unsigned i)
{
	return vfx_used_elem(f->mem, &queue, i);
}

static uint16_t used_idx(struct fixture *f)
{
	return vfx_used_idx(f->mem, &queue);
}

static bool all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static void test_fills_request(void **state)
{
	struct fixture *f = *state;

	struct vfx_lent lent;

	desc(f, DESC)[2] = (struct vring_desc){BUF, 64, VRING_DESC_F_WRITE, 0};
	make_avail(f, 2);
	assert_int_equal(vfx_lent_begin(&lent, f->mem, MEM_SIZE, &queue, 1), 0);
	virtio_mmio_queue_notify(&f->t, 0);
	/* the 64 bytes lent and the used ring, nothing else */
	assert_int_equal(vfx_lent_check(&lent), -1);
	assert_int_equal(used_idx(f), 1);
	assert_int_equal(used_elem(f, 0)->id, 2);
	assert_int_equal(used_elem(f, 0)->len, 64);
	/* 512 random bits are all zero with probability 2^-512. */
	assert_false(all_zero(f->mem + BUF, 64));
	assert_true(all_zero(f->mem + BUF + 64, 64));
	assert_int_equal(f->plat.irqs, 1);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
}

static void test_fills_scattered_request(void **state)
{
	struct fixture *f = *state;
	struct vring_desc *it = desc(f, INDIRECT);
	struct vfx_lent lent;

	/* A readable header the device must leave alone, then two writable pieces. */
	memset(f->mem + BUF, 0x5a, 16);
	it[0] = (struct vring_desc){BUF, 16, VRING_DESC_F_NEXT, 1};
	it[1] = (struct vring_desc){BUF + 0x100, 16, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2};
	it[2] = (struct vring_desc){BUF + 0x200, 32, VRING_DESC_F_WRITE, 0};
	desc(f, DESC)[0] = (struct vring_desc){INDIRECT, 3 * 16, VRING_DESC_F_INDIRECT, 0};
	make_avail(f, 0);
	assert_int_equal(vfx_lent_begin(&lent, f->mem, MEM_SIZE, &queue, 1), 0);
	virtio_mmio_queue_notify(&f->t, 0);
	/* the two writable pieces of the indirect table and the used ring only */
	assert_int_equal(vfx_lent_check(&lent), -1);
	assert_int_equal(used_idx(f), 1);
	assert_int_equal(used_elem(f, 0)->len, 48);
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(f->mem[BUF + i], 0x5a);
	assert_false(all_zero(f->mem + BUF + 0x200, 32));
}

static void test_readable_only_chain(void **state)
{
	struct fixture *f = *state;

	memset(f->mem + BUF, 0x5a, 32);
	desc(f, DESC)[1] = (struct vring_desc){BUF, 32, 0, 0};
	make_avail(f, 1);
	virtio_mmio_queue_notify(&f->t, 0);
	assert_int_equal(used_idx(f), 1);
	assert_int_equal(used_elem(f, 0)->id, 1);
	assert_int_equal(used_elem(f, 0)->len, 0);
	for (unsigned i = 0; i < 32; i++)
		assert_int_equal(f->mem[BUF + i], 0x5a);
	assert_false(vfx_rd(&f->t, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
}

static void test_large_request_is_bounded(void **state)
{
	struct fixture *f = *state;
	const uint32_t len = VIRTIO_RNG_MAX_CHAIN + 4096;

	desc(f, DESC)[0] = (struct vring_desc){BUF, len, VRING_DESC_F_WRITE, 0};
	make_avail(f, 0);
	virtio_mmio_queue_notify(&f->t, 0);
	assert_int_equal(used_elem(f, 0)->len, VIRTIO_RNG_MAX_CHAIN);
	assert_true(all_zero(f->mem + BUF + VIRTIO_RNG_MAX_CHAIN, 4096));
}

/* A full ring is served in one go; then the device yields and asks to be run again. */
static void test_batch_and_yield(void **state)
{
	struct fixture *f = *state;

	for (unsigned i = 0; i < NUM; i++) {
		desc(f, DESC)[i] = (struct vring_desc){BUF + i * 16, 16, VRING_DESC_F_WRITE, 0};
		make_avail(f, i);
	}
	virtio_mmio_queue_notify(&f->t, 0);
	assert_int_equal(used_idx(f), NUM);
	assert_int_equal(f->plat.irqs, 1);
	assert_int_equal(f->plat.kicks, 1);
	/* The re-run finds nothing and raises nothing. */
	virtio_mmio_queue_notify(&f->t, 0);
	assert_int_equal(used_idx(f), NUM);
	assert_int_equal(f->plat.irqs, 1);
}

static void test_broken_ring(void **state)
{
	struct fixture *f = *state;

	desc(f, DESC)[0] = (struct vring_desc){BUF, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 0};
	make_avail(f, 0);
	virtio_mmio_queue_notify(&f->t, 0);
	assert_int_equal(used_idx(f), 0);
	assert_true(vfx_rd(&f->t, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
}

/*
 * The fixture's check that a device writes only where it was lent, which
 * the device tests rely on, itself: it names a stray write, allows the
 * lent buffers (indirect ones too) and the used ring, and checks nothing
 * where a lent buffer covers a ring the driver owns.
 */
static void test_lent_check_names_stray_writes(void **state)
{
	struct fixture *f = *state;
	struct vring_desc *it = desc(f, INDIRECT);
	struct vfx_lent lent;

	desc(f, DESC)[0] = (struct vring_desc){BUF, 64, VRING_DESC_F_WRITE, 0};
	desc(f, DESC)[1] = (struct vring_desc){INDIRECT, 16, VRING_DESC_F_INDIRECT, 0};
	it[0] = (struct vring_desc){BUF + 0x1000, 8, VRING_DESC_F_WRITE, 0};
	assert_int_equal(vfx_lent_begin(&lent, f->mem, MEM_SIZE, &queue, 1), 0);
	assert_true(lent.checked);
	f->mem[BUF] = 1;
	f->mem[BUF + 63] = 1;
	f->mem[BUF + 0x1000 + 7] = 1;
	f->mem[USED + 2] = 1;
	assert_int_equal(vfx_lent_check(&lent), -1);

	assert_int_equal(vfx_lent_begin(&lent, f->mem, MEM_SIZE, &queue, 1), 0);
	f->mem[BUF + 64] = 1; /* one past the buffer */
	assert_int_equal(vfx_lent_check(&lent), BUF + 64);
	assert_int_equal(vfx_lent_begin(&lent, f->mem, MEM_SIZE, &queue, 1), 0);
	f->mem[BUF + 0x1000 + 8] = 1; /* one past the indirect one */
	assert_int_equal(vfx_lent_check(&lent), BUF + 0x1000 + 8);
	assert_int_equal(vfx_lent_begin(&lent, f->mem, MEM_SIZE, &queue, 1), 0);
	f->mem[AVAIL + 2] ^= 1; /* the driver's avail ring */
	assert_int_equal(vfx_lent_check(&lent), AVAIL + 2);

	/* A buffer lent over the descriptor table: nothing is checked. */
	desc(f, DESC)[0] = (struct vring_desc){DESC, 16, VRING_DESC_F_WRITE, 0};
	assert_int_equal(vfx_lent_begin(&lent, f->mem, MEM_SIZE, &queue, 1), 0);
	assert_false(lent.checked);
	f->mem[BUF + 0x2000] = 1;
	assert_int_equal(vfx_lent_check(&lent), -1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_fills_request),
	    T(test_fills_scattered_request),
	    T(test_readable_only_chain),
	    T(test_large_request_is_bounded),
	    T(test_batch_and_yield),
	    T(test_broken_ring),
	    T(test_lent_check_names_stray_writes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
