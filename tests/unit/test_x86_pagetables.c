/* SPDX-License-Identifier: Apache-2.0 */
/* The boot page tables, walked in fake guest memory as the MMU would. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "common/error.h"
#include "arch/x86_64/boot_internal.h"

#define MEM_SIZE (1ULL << 20)
#define PTE_P 0x1ULL
#define PTE_RW 0x2ULL
#define PTE_PS 0x80ULL
#define ADDR_MASK 0x000ffffffffff000ULL

struct ram {
	uint8_t *buf;
	struct guest_mem mem;
};

static int setup(void **state)
{
	struct ram *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	r->buf = malloc(MEM_SIZE);
	assert_non_null(r->buf);
	memset(r->buf, 0xff, MEM_SIZE); /* stale entries must not survive */
	guest_mem_init_flat(&r->mem, r->buf, MEM_SIZE);
	assert_int_equal(x86_pagetables_write(&r->mem), 0);
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	struct ram *r = *state;

	free(r->buf);
	free(r);
	return 0;
}

static uint64_t entry(struct ram *r, uint64_t table, unsigned index)
{
	uint64_t e;

	assert_int_equal(guest_mem_read(&r->mem, table + index * 8, &e, sizeof(e)), 0);
	return e;
}

/* 4-level walk from X86_PML4_ADDR; false when a level is not present. */
static bool translate(struct ram *r, uint64_t va, uint64_t *pa)
{
	uint64_t e = entry(r, X86_PML4_ADDR, (va >> 39) & 511);

	if (!(e & PTE_P))
		return false;
	assert_true(e & PTE_RW);
	e = entry(r, e & ADDR_MASK, (va >> 30) & 511);
	if (!(e & PTE_P))
		return false;
	assert_false(e & PTE_PS); /* no 1 GiB pages */
	e = entry(r, e & ADDR_MASK, (va >> 21) & 511);
	if (!(e & PTE_P))
		return false;
	assert_true(e & PTE_PS);
	assert_true(e & PTE_RW);
	*pa = (e & ADDR_MASK & ~0x1fffffULL) | (va & 0x1fffff);
	return true;
}

static void test_identity_below_4g(void **state)
{
	static const uint64_t addrs[] = {
	    0,		0x7000,	    X86_PML4_ADDR, 0x9fc00,    0x100000,   0x1000000,
	    0x12345678, 0xbfffffff, 0xd0000000,	   0xfec00000, 0xfee00000, 0xffffffff,
	};
	uint64_t pa;

	for (size_t i = 0; i < ARRAY_SIZE(addrs); i++) {
		assert_true(translate(*state, addrs[i], &pa));
		assert_int_equal(pa, addrs[i]);
	}
}

static void test_nothing_above_4g(void **state)
{
	uint64_t pa;

	assert_false(translate(*state, 0x100000000ULL, &pa));
	assert_false(translate(*state, 1ULL << 39, &pa));
	assert_false(translate(*state, 0xffffffff81000000ULL, &pa));
}

static void test_tables_stay_in_their_pages(void **state)
{
	struct ram *r = *state;

	/* The page below the PML4 (the boot stack) and the one after the PDs are untouched. */
	assert_int_equal(r->buf[X86_PML4_ADDR - 1], 0xff);
	assert_int_equal(r->buf[X86_PD_ADDR + 4 * 4096], 0xff);
}

static void test_memory_too_small(void **state)
{
	struct guest_mem m;
	uint8_t *buf = calloc(1, X86_PD_ADDR);

	(void)state;
	assert_non_null(buf);
	guest_mem_init_flat(&m, buf, X86_PD_ADDR);
	assert_int_equal(x86_pagetables_write(&m), -ENOMEM);
	assert_non_null(strstr(err_msg(), "page tables"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_identity_below_4g, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nothing_above_4g, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tables_stay_in_their_pages, setup, teardown),
	    cmocka_unit_test(test_memory_too_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
