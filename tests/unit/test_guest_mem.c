/* SPDX-License-Identifier: Apache-2.0 */
/* Guest memory bounds: the one check every guest-supplied address goes through. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "guest_mem.h"

#define SIZE 4096

static void test_flat_bounds(void **state)
{
	static uint8_t buf[SIZE];
	struct guest_mem m;

	(void)state;
	guest_mem_init_flat(&m, buf, SIZE);
	assert_ptr_equal(guest_mem_ptr(&m, 0, SIZE), buf);
	assert_ptr_equal(guest_mem_ptr(&m, SIZE - 1, 1), buf + SIZE - 1);
	assert_ptr_equal(guest_mem_ptr(&m, SIZE, 0), buf + SIZE);
	/* One byte past the end, however the range is expressed. */
	assert_null(guest_mem_ptr(&m, 0, SIZE + 1));
	assert_null(guest_mem_ptr(&m, SIZE - 1, 2));
	assert_null(guest_mem_ptr(&m, SIZE, 1));
	assert_null(guest_mem_ptr(&m, SIZE + 1, 0));
	/* gpa + len wrapping around 2^64 must not look small. */
	assert_null(guest_mem_ptr(&m, 16, UINT64_MAX));
	assert_null(guest_mem_ptr(&m, UINT64_MAX, 2));
	assert_null(guest_mem_ptr(&m, UINT64_MAX - 7, 16));
}

static void test_copy_in_out(void **state)
{
	static uint8_t buf[SIZE];
	struct guest_mem m;
	uint8_t v[8] = {1, 2, 3, 4, 5, 6, 7, 8}, back[8];

	(void)state;
	guest_mem_init_flat(&m, buf, SIZE);
	assert_int_equal(guest_mem_write(&m, SIZE - 8, v, 8), 0);
	assert_int_equal(guest_mem_read(&m, SIZE - 8, back, 8), 0);
	assert_memory_equal(v, back, 8);
	assert_int_equal(guest_mem_write(&m, SIZE - 4, v, 8), -EFAULT);
	assert_int_equal(guest_mem_read(&m, SIZE - 4, back, 8), -EFAULT);
}

/* Memory larger than the hole start continues above the hole: nothing inside it is RAM. */
static void test_two_regions_around_the_hole(void **state)
{
	const uint64_t hole_start = 1 << 20, hole_end = 4 << 20, size = 3 << 20;
	struct guest_mem m;
	uint8_t *lo, *hi;

	(void)state;
	assert_int_equal(guest_mem_alloc(&m, size, hole_start, hole_end), 0);
	assert_int_equal(m.nr, 2);
	lo = guest_mem_ptr(&m, hole_start - 1, 1);
	hi = guest_mem_ptr(&m, hole_end, 1);
	assert_non_null(lo);
	assert_ptr_equal(hi, lo + 1);
	assert_null(guest_mem_ptr(&m, hole_start, 1));
	assert_null(guest_mem_ptr(&m, hole_end - 1, 1));
	/* A range may not span the hole even though the host memory is contiguous. */
	assert_null(guest_mem_ptr(&m, hole_start - 1, 2));
	assert_non_null(guest_mem_ptr(&m, hole_end, size - hole_start));
	assert_null(guest_mem_ptr(&m, hole_end, size - hole_start + 1));
	guest_mem_free(&m);

	assert_int_equal(guest_mem_alloc(&m, hole_start / 2, hole_start, hole_end), 0);
	assert_int_equal(m.nr, 1);
	assert_null(guest_mem_ptr(&m, hole_start / 2, 1));
	guest_mem_free(&m);
	assert_int_equal(guest_mem_alloc(&m, 0, hole_start, hole_end), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_flat_bounds),
	    cmocka_unit_test(test_copy_in_out),
	    cmocka_unit_test(test_two_regions_around_the_hole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
