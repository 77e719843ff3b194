/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-balloon tests: the device behind a real transport with a fake
 * platform, the test acting as the guest driver on fake guest memory that is
 * a real anonymous mapping, so that a discard is seen as pages reading zero
 * again. Also guest_mem_discard() on its own, with two regions.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>
#include <linux/virtio_balloon.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "devices/virtio_balloon.h"
#include "devices/virtio_mmio.h"
#include "guest_mem.h"
#include "virtio_fixture.h"

#define MEM_SIZE (1 << 20)
#define PAGE 4096
#define NUM 8
/* Queue q's rings: descriptors at RING(q), avail one page up, used two pages up. */
#define RING(q) (0x1000 + (q)*0x3000)
#define BUF 0x10000
#define FILL 0x5a

struct fixture {
	uint8_t *mem;
	struct guest_mem gm;
	struct virtio_balloon *b;
	struct virtio_mmio t;
	struct vfx_platform plat;
	uint16_t avail_idx[3];
	char *log;
	size_t log_len;
	FILE *logf;
};

static const struct vfx_queue queues[3] = {
    {NUM, RING(0), RING(0) + 0x1000, RING(0) + 0x2000},
    {NUM, RING(1), RING(1) + 0x1000, RING(1) + 0x2000},
    {NUM, RING(2), RING(2) + 0x1000, RING(2) + 0x2000},
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(f->mem != MAP_FAILED);
	memset(f->mem + BUF, FILL, MEM_SIZE - BUF);
	guest_mem_init_flat(&f->gm, f->mem, MEM_SIZE);
	f->logf = open_memstream(&f->log, &f->log_len);
	assert_non_null(f->logf);
	assert_int_equal(virtio_balloon_new(&f->b, f->logf), 0);
	assert_int_equal(
	    virtio_mmio_init(&f->t, &virtio_balloon_ops, f->b, &f->gm,
			     &(struct virtio_mmio_platform){vfx_irq, vfx_kick, &f->plat}),
	    0);
	/* Linux's bring-up with only free page reporting offered. */
	assert_true(vfx_driver_up(&f->t, 1U << VIRTIO_BALLOON_F_REPORTING, queues, 3));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	virtio_mmio_fini(&f->t);
	virtio_balloon_free(f->b);
	fclose(f->logf);
	free(f->log);
	munmap(f->mem, MEM_SIZE);
	free(f);
	return 0;
}

static struct vring_desc *desc(struct fixture *f, unsigned q)
{
	return vfx_desc(f->mem, queues[q].desc);
}

static void make_avail(struct fixture *f, unsigned q, uint16_t head)
{
	vfx_make_avail(f->mem, &queues[q], &f->avail_idx[q], head);
}

static struct vring_used *used(struct fixture *f, unsigned q)
{
	return vfx_used(f->mem, &queues[q]);
}

static bool all(const uint8_t *p, size_t len, uint8_t v)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

static bool needs_reset(struct fixture *f)
{
	return vfx_rd(&f->t, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET;
}

/* One report of a single writable buffer on reporting_vq. */
static void report(struct fixture *f, uint64_t addr, uint32_t len)
{
	desc(f, VIRTIO_BALLOON_Q_REPORTING)[0] =
	    (struct vring_desc){addr, len, VRING_DESC_F_WRITE, 0};
	make_avail(f, VIRTIO_BALLOON_Q_REPORTING, 0);
	virtio_mmio_queue_notify(&f->t, VIRTIO_BALLOON_Q_REPORTING);
}

static void test_identity_and_config(void **state)
{
	struct fixture *f = *state;
	uint32_t actual = 7;

	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BALLOON);
	vfx_wr(&f->t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	/* Free page reporting only: no inflate requests, no stats, no hinting, no poison. */
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_DEVICE_FEATURES) & 0xff,
			 1U << VIRTIO_BALLOON_F_REPORTING);
	vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_SEL, 3);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_SEL, VIRTIO_BALLOON_Q_REPORTING);
	/* Linux refuses a reporting queue shorter than PAGE_REPORTING_CAPACITY (32). */
	assert_true(vfx_rd(&f->t, VIRTIO_MMIO_QUEUE_NUM_MAX) >= 32);
	assert_int_equal(
	    vfx_rd(&f->t, VIRTIO_MMIO_CONFIG + offsetof(struct virtio_balloon_config, num_pages)),
	    0);
	/* `actual` is the driver's; num_pages is not. */
	vfx_wr(&f->t, VIRTIO_MMIO_CONFIG + offsetof(struct virtio_balloon_config, actual), actual);
	vfx_wr(&f->t, VIRTIO_MMIO_CONFIG + offsetof(struct virtio_balloon_config, num_pages), 99);
	assert_int_equal(
	    vfx_rd(&f->t, VIRTIO_MMIO_CONFIG + offsetof(struct virtio_balloon_config, actual)),
	    actual);
	assert_int_equal(
	    vfx_rd(&f->t, VIRTIO_MMIO_CONFIG + offsetof(struct virtio_balloon_config, num_pages)),
	    0);
	/* A reset forgets it. */
	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(
	    vfx_rd(&f->t, VIRTIO_MMIO_CONFIG + offsetof(struct virtio_balloon_config, actual)), 0);
}

static void test_report_discards_whole_pages(void **state)
{
	struct fixture *f = *state;
	struct vring_desc *d = desc(f, VIRTIO_BALLOON_Q_REPORTING);

	/* Two blocks in one report, as Linux sends them (a scatterlist of device-writable buffers).
	 */
	d[2] = (struct vring_desc){BUF, 4 * PAGE, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 5};
	d[5] = (struct vring_desc){BUF + 8 * PAGE, PAGE, VRING_DESC_F_WRITE, 0};
	make_avail(f, VIRTIO_BALLOON_Q_REPORTING, 2);
	virtio_mmio_queue_notify(&f->t, VIRTIO_BALLOON_Q_REPORTING);
	assert_int_equal(used(f, 2)->idx, 1);
	assert_int_equal(used(f, 2)->ring[0].id, 2);
	assert_int_equal(used(f, 2)->ring[0].len, 0);
	assert_int_equal(f->plat.irqs, 1);
	assert_true(all(f->mem + BUF, 4 * PAGE, 0));
	assert_true(all(f->mem + BUF + 4 * PAGE, 4 * PAGE, FILL));
	assert_true(all(f->mem + BUF + 8 * PAGE, PAGE, 0));
	assert_true(all(f->mem + BUF + 9 * PAGE, PAGE, FILL));
	assert_int_equal(virtio_balloon_discarded(f->b), 5 * PAGE);
	assert_false(needs_reset(f));
}

/* An unaligned block gives back only the whole pages inside it. */
static void test_unaligned_report_rounds_inward(void **state)
{
	struct fixture *f = *state;

	report(f, BUF + 100, 3 * PAGE);
	assert_int_equal(used(f, 2)->idx, 1);
	assert_true(all(f->mem + BUF, PAGE, FILL));
	assert_true(all(f->mem + BUF + PAGE, 2 * PAGE, 0));
	assert_true(all(f->mem + BUF + 3 * PAGE, PAGE, FILL));
	assert_int_equal(virtio_balloon_discarded(f->b), 2 * PAGE);
	/* Less than a page, or a page's worth straddling a boundary: nothing, but returned. */
	report(f, BUF + 5 * PAGE + 1, PAGE);
	report(f, BUF + 6 * PAGE, PAGE - 1);
	assert_int_equal(used(f, 2)->idx, 3);
	assert_true(all(f->mem + BUF + 5 * PAGE, 2 * PAGE, FILL));
	assert_int_equal(virtio_balloon_discarded(f->b), 2 * PAGE);
	assert_false(needs_reset(f));
}

static void test_report_outside_ram_breaks_queue(void **state)
{
	struct fixture *f = *state;

	/* Runs past the end of guest RAM by one page. */
	report(f, MEM_SIZE - PAGE, 2 * PAGE);
	assert_int_equal(used(f, 2)->idx, 0);
	assert_true(needs_reset(f));
	assert_true(all(f->mem + MEM_SIZE - PAGE, PAGE, FILL));
	assert_int_equal(virtio_balloon_discarded(f->b), 0);
}

static void test_report_wrapping_address_breaks_queue(void **state)
{
	struct fixture *f = *state;

	/* addr + len wraps around 2^64 to a small address inside RAM. */
	report(f, 0xfffffffffffff000ULL, BUF + 0x2000);
	assert_int_equal(used(f, 2)->idx, 0);
	assert_true(needs_reset(f));
	assert_int_equal(virtio_balloon_discarded(f->b), 0);
}

/* A buffer the driver did not hand over for writing is not discarded. */
static void test_readable_buffer_is_left_alone(void **state)
{
	struct fixture *f = *state;

	desc(f, 2)[1] = (struct vring_desc){BUF, 2 * PAGE, 0, 0};
	make_avail(f, 2, 1);
	virtio_mmio_queue_notify(&f->t, 2);
	assert_int_equal(used(f, 2)->idx, 1);
	assert_int_equal(used(f, 2)->ring[0].id, 1);
	assert_true(all(f->mem + BUF, 2 * PAGE, FILL));
	assert_int_equal(virtio_balloon_discarded(f->b), 0);
	assert_false(needs_reset(f));
}

/* Nothing was asked for: PFNs put on inflateq or deflateq come back and free nothing. */
static void test_inflate_and_deflate_are_returned(void **state)
{
	struct fixture *f = *state;
	uint32_t *pfns = (uint32_t *)(f->mem + BUF);

	for (unsigned i = 0; i < 16; i++)
		pfns[i] = (BUF >> 12) + 1 + i;
	for (unsigned q = VIRTIO_BALLOON_Q_INFLATE; q <= VIRTIO_BALLOON_Q_DEFLATE; q++) {
		desc(f, q)[3] = (struct vring_desc){BUF, 16 * 4, 0, 0};
		make_avail(f, q, 3);
		virtio_mmio_queue_notify(&f->t, q);
		assert_int_equal(used(f, q)->idx, 1);
		assert_int_equal(used(f, q)->ring[0].id, 3);
		assert_int_equal(used(f, q)->ring[0].len, 0);
	}
	assert_true(all(f->mem + BUF + PAGE, 16 * PAGE, FILL));
	assert_int_equal(virtio_balloon_discarded(f->b), 0);
	/* A writable one, too. */
	desc(f, 0)[4] = (struct vring_desc){BUF + PAGE, PAGE, VRING_DESC_F_WRITE, 0};
	make_avail(f, 0, 4);
	virtio_mmio_queue_notify(&f->t, 0);
	assert_int_equal(used(f, 0)->idx, 2);
	assert_true(all(f->mem + BUF + PAGE, PAGE, FILL));
	/* A broken ring there breaks the device like any other. */
	desc(f, 1)[0] = (struct vring_desc){MEM_SIZE, 4, 0, 0};
	make_avail(f, 1, 0);
	virtio_mmio_queue_notify(&f->t, 1);
	assert_int_equal(used(f, 1)->idx, 1);
	assert_true(needs_reset(f));
}

/* A full ring is served in one go; then the device yields and asks to be run again. */
static void test_batch_and_yield(void **state)
{
	struct fixture *f = *state;

	for (unsigned i = 0; i < NUM; i++) {
		desc(f, 2)[i] = (struct vring_desc){BUF + i * PAGE, PAGE, VRING_DESC_F_WRITE, 0};
		make_avail(f, 2, i);
	}
	virtio_mmio_queue_notify(&f->t, 2);
	assert_int_equal(used(f, 2)->idx, NUM);
	assert_int_equal(f->plat.irqs, 1);
	assert_int_equal(f->plat.kicks, 1);
	assert_int_equal(virtio_balloon_discarded(f->b), NUM * PAGE);
	virtio_mmio_queue_notify(&f->t, 2);
	assert_int_equal(used(f, 2)->idx, NUM);
	assert_int_equal(f->plat.irqs, 1);
}

static unsigned count_lines(struct fixture *f)
{
	unsigned n = 0;

	fflush(f->logf);
	for (size_t i = 0; i < f->log_len; i++)
		n += f->log[i] == '\n';
	return n;
}

/* One line for the first memory back, then one each time the total doubles. */
static void test_log_is_sparse(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(count_lines(f), 0);
	report(f, BUF, 4 * PAGE);
	assert_int_equal(count_lines(f), 1);
	assert_non_null(strstr(f->log, "virtio-balloon: 16 KiB of freed guest memory given back"));
	report(f, BUF, 2 * PAGE);
	report(f, BUF, PAGE);
	assert_int_equal(count_lines(f), 1);
	report(f, BUF, PAGE); /* 8 pages: doubled */
	assert_int_equal(count_lines(f), 2);
	for (unsigned i = 0; i < 7; i++)
		report(f, BUF, PAGE);
	assert_int_equal(count_lines(f), 2);
	report(f, BUF, PAGE); /* 16 pages */
	assert_int_equal(count_lines(f), 3);
	assert_int_equal(virtio_balloon_discarded(f->b), 16 * PAGE);
}

/* The helper itself, on memory laid out like a VM's: two regions around a hole. */
static void test_discard_regions(void **state)
{
	struct guest_mem m;
	uint64_t n = 1;
	uint8_t *p;

	(void)state;
	/* 8 pages: gpa [0, 16K) and [64K, 80K), contiguous on the host. */
	assert_int_equal(guest_mem_alloc(&m, 8 * PAGE, 4 * PAGE, 16 * PAGE), 0);
	p = m.r[0].host;
	/* Guest frames of the host's huge page size are whole huge pages. */
	assert_int_equal((uintptr_t)p % GUEST_MEM_HOST_ALIGN, 0);
	memset(p, FILL, 8 * PAGE);
	assert_int_equal(guest_mem_discard(&m, p + 5 * PAGE, 2 * PAGE, &n), 0);
	assert_int_equal(n, 2 * PAGE);
	assert_true(all(p + 4 * PAGE, PAGE, FILL));
	assert_true(all(p + 5 * PAGE, 2 * PAGE, 0));
	assert_true(all(p + 7 * PAGE, PAGE, FILL));
	/* Contiguous on the host but across the hole in guest RAM: refused. */
	assert_int_equal(guest_mem_discard(&m, p + 3 * PAGE, 2 * PAGE, &n), -EFAULT);
	assert_int_equal(n, 0);
	/* Before, past and around the end of guest RAM, and lengths that wrap. */
	assert_int_equal(guest_mem_discard(&m, p - PAGE, PAGE, &n), -EFAULT);
	assert_int_equal(guest_mem_discard(&m, p + 8 * PAGE, PAGE, &n), -EFAULT);
	assert_int_equal(guest_mem_discard(&m, p + 7 * PAGE, 2 * PAGE, &n), -EFAULT);
	assert_int_equal(guest_mem_discard(&m, p + 5 * PAGE, UINT64_MAX, &n), -EFAULT);
	assert_int_equal(guest_mem_discard(&m, p + 5 * PAGE, UINT64_MAX - 4 * PAGE, &n), -EFAULT);
	assert_true(all(p, 3 * PAGE, FILL));
	/* The last byte of RAM and an empty range are fine, and give back nothing. */
	assert_int_equal(guest_mem_discard(&m, p + 8 * PAGE - 1, 1, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(guest_mem_discard(&m, p + 8 * PAGE, 0, &n), 0);
	assert_int_equal(n, 0);
	guest_mem_free(&m);
}

/* Caller-made memory whose guest pages are not host pages cannot be discarded. */
static void test_discard_misaligned_region(void **state)
{
	uint8_t *buf =
	    mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct guest_mem m;
	uint64_t n = 1;

	(void)state;
	assert_true(buf != MAP_FAILED);
	memset(buf, FILL, 4 * PAGE);
	guest_mem_init_flat(&m, buf + 1, 3 * PAGE);
	assert_int_equal(guest_mem_discard(&m, buf + 1, 2 * PAGE, &n), -EINVAL);
	assert_int_equal(n, 0);
	assert_true(all(buf, 4 * PAGE, FILL));
	munmap(buf, 4 * PAGE);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_identity_and_config),
	    T(test_report_discards_whole_pages),
	    T(test_unaligned_report_rounds_inward),
	    T(test_report_outside_ram_breaks_queue),
	    T(test_report_wrapping_address_breaks_queue),
	    T(test_readable_buffer_is_left_alone),
	    T(test_inflate_and_deflate_are_returned),
	    T(test_batch_and_yield),
	    T(test_log_is_sparse),
	    cmocka_unit_test(test_discard_regions),
	    cmocka_unit_test(test_discard_misaligned_region),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
