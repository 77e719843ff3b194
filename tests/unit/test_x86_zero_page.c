/* SPDX-License-Identifier: Apache-2.0 */
/* The zero page's machine description: e820 map, command line, initrd placement. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <asm/e820.h>

#include "common/error.h"
#include "arch/x86_64/boot_internal.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

/* Regions as guest_mem_alloc() lays them out; e820 code never touches host memory. */
static struct guest_mem fake_mem(uint64_t size)
{
	struct guest_mem m;

	memset(&m, 0, sizeof(m));
	m.r[0].size = size < X86_MMIO_HOLE_START ? size : X86_MMIO_HOLE_START;
	m.nr = 1;
	if (size > X86_MMIO_HOLE_START) {
		m.r[1].gpa = X86_MMIO_HOLE_END;
		m.r[1].size = size - X86_MMIO_HOLE_START;
		m.nr = 2;
	}
	m.total = size;
	return m;
}

static void assert_e820(const struct boot_params *zp, unsigned i, uint64_t addr, uint64_t size,
			uint32_t type)
{
	assert_int_equal(zp->e820_table[i].addr, addr);
	assert_int_equal(zp->e820_table[i].size, size);
	assert_int_equal(zp->e820_table[i].type, type);
}

static void test_e820_low_memory_only(void **state)
{
	struct guest_mem m = fake_mem(256 * MiB);
	struct boot_params zp;

	(void)state;
	memset(&zp, 0, sizeof(zp));
	assert_int_equal(x86_e820_fill(&m, &zp), 0);
	assert_int_equal(zp.e820_entries, 3);
	assert_e820(&zp, 0, 0, 0x9fc00, E820_RAM);
	assert_e820(&zp, 1, 0x9fc00, 0x100000 - 0x9fc00, E820_RESERVED);
	assert_e820(&zp, 2, MiB, 255 * MiB, E820_RAM);
}

static void test_e820_exactly_3g(void **state)
{
	struct guest_mem m = fake_mem(3 * GiB);
	struct boot_params zp;

	(void)state;
	memset(&zp, 0, sizeof(zp));
	assert_int_equal(x86_e820_fill(&m, &zp), 0);
	assert_int_equal(zp.e820_entries, 3);
	assert_e820(&zp, 2, MiB, 3 * GiB - MiB, E820_RAM);
}

static void test_e820_with_high_region(void **state)
{
	struct guest_mem m = fake_mem(6 * GiB);
	struct boot_params zp;

	(void)state;
	memset(&zp, 0, sizeof(zp));
	assert_int_equal(x86_e820_fill(&m, &zp), 0);
	assert_int_equal(zp.e820_entries, 4);
	assert_e820(&zp, 0, 0, 0x9fc00, E820_RAM);
	assert_e820(&zp, 1, 0x9fc00, 0x60400, E820_RESERVED);
	assert_e820(&zp, 2, MiB, 3 * GiB - MiB, E820_RAM);
	/* The 1 GiB hole is not RAM: what was above 3 GiB is now above 4 GiB. */
	assert_e820(&zp, 3, 4 * GiB, 3 * GiB, E820_RAM);
	uint64_t total = 0;
	for (unsigned i = 0; i < zp.e820_entries; i++)
		if (zp.e820_table[i].type == E820_RAM)
			total += zp.e820_table[i].size;
	assert_int_equal(total, 6 * GiB - 0x60400);
}

/* A flat test region past 3 GiB is cut at the hole. */
static void test_e820_flat_region_cut_at_hole(void **state)
{
	struct guest_mem m;
	struct boot_params zp;

	(void)state;
	memset(&zp, 0, sizeof(zp));
	guest_mem_init_flat(&m, NULL, 4 * GiB);
	assert_int_equal(x86_e820_fill(&m, &zp), 0);
	assert_int_equal(zp.e820_entries, 3);
	assert_e820(&zp, 2, MiB, 3 * GiB - MiB, E820_RAM);
}

static void test_e820_too_small(void **state)
{
	struct guest_mem m = fake_mem(MiB);
	struct boot_params zp;

	(void)state;
	memset(&zp, 0, sizeof(zp));
	assert_int_equal(x86_e820_fill(&m, &zp), -EINVAL);
	assert_non_null(strstr(err_msg(), "too small"));
}

struct ram {
	uint8_t *buf;
	struct guest_mem mem;
};

static int ram_setup(void **state)
{
	struct ram *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	r->buf = calloc(1, 4 * MiB);
	assert_non_null(r->buf);
	guest_mem_init_flat(&r->mem, r->buf, 4 * MiB);
	*state = r;
	return 0;
}

static int ram_teardown(void **state)
{
	struct ram *r = *state;

	free(r->buf);
	free(r);
	return 0;
}

static void test_cmdline_placed(void **state)
{
	struct ram *r = *state;
	struct x86_kernel k = {.cmdline_max = 2047};
	struct boot_params zp;
	const char *cmd = "console=ttyS0 reboot=k panic=-1";

	memset(&zp, 0, sizeof(zp));
	zp.ext_cmd_line_ptr = 0x1234;
	assert_int_equal(x86_cmdline_write(&r->mem, &zp, cmd, &k), 0);
	assert_int_equal(zp.hdr.cmd_line_ptr, X86_CMDLINE_ADDR);
	assert_int_equal(zp.ext_cmd_line_ptr, 0);
	assert_string_equal((char *)r->buf + X86_CMDLINE_ADDR, cmd);
}

static void test_cmdline_at_limit(void **state)
{
	struct ram *r = *state;
	struct x86_kernel k = {.cmdline_max = 16};
	struct boot_params zp;

	memset(&zp, 0, sizeof(zp));
	assert_int_equal(x86_cmdline_write(&r->mem, &zp, "0123456789abcdef", &k), 0);
	assert_int_equal(x86_cmdline_write(&r->mem, &zp, "0123456789abcdefg", &k), -E2BIG);
	assert_non_null(strstr(err_msg(), "kernel command line: 17 bytes"));
	assert_non_null(strstr(err_msg(), "at most 16"));
}

/* Whatever the kernel claims, the command line stays inside its slot. */
static void test_cmdline_bounded_by_layout(void **state)
{
	struct ram *r = *state;
	struct x86_kernel k = {.cmdline_max = UINT32_MAX};
	struct boot_params zp;
	char *big = malloc(X86_CMDLINE_MAX + 1);

	assert_non_null(big);
	memset(big, 'a', X86_CMDLINE_MAX);
	big[X86_CMDLINE_MAX] = '\0';
	memset(&zp, 0, sizeof(zp));
	assert_int_equal(x86_cmdline_write(&r->mem, &zp, big, &k), -E2BIG);
	assert_int_equal(r->buf[X86_CMDLINE_ADDR], 0);
	big[X86_CMDLINE_MAX - 1] = '\0';
	assert_int_equal(x86_cmdline_write(&r->mem, &zp, big, &k), 0);
	free(big);
}

static void test_cmdline_empty(void **state)
{
	struct ram *r = *state;
	struct x86_kernel k = {.cmdline_max = 2047};
	struct boot_params zp;

	memset(&zp, 0, sizeof(zp));
	r->buf[X86_CMDLINE_ADDR] = 'x';
	assert_int_equal(x86_cmdline_write(&r->mem, &zp, "", &k), 0);
	assert_int_equal(r->buf[X86_CMDLINE_ADDR], 0);
}

static void test_initrd_at_top_of_memory(void **state)
{
	struct guest_mem m = fake_mem(256 * MiB);
	struct x86_kernel k = {.start = MiB, .end = 20 * MiB, .initrd_max = 0x7fffffff};
	uint64_t addr;

	(void)state;
	assert_int_equal(x86_initrd_place(&m, &k, 10 * MiB + 123, "initrd", &addr), 0);
	assert_int_equal(addr % 4096, 0);
	assert_true(addr >= k.end);
	assert_true(addr + 10 * MiB + 123 <= 256 * MiB);
	assert_true(addr + 10 * MiB + 123 > 256 * MiB - 4096);
}

static void test_initrd_below_initrd_addr_max(void **state)
{
	struct guest_mem m = fake_mem(6 * GiB);
	struct x86_kernel k = {.start = MiB, .end = 20 * MiB, .initrd_max = 0x7fffffff};
	uint64_t addr;

	(void)state;
	assert_int_equal(x86_initrd_place(&m, &k, 5 * MiB, "initrd", &addr), 0);
	assert_int_equal(addr, 2 * GiB - 5 * MiB);
	/* Without the kernel's limit: below the hole. */
	k.initrd_max = UINT32_MAX;
	assert_int_equal(x86_initrd_place(&m, &k, 5 * MiB, "initrd", &addr), 0);
	assert_int_equal(addr, 3 * GiB - 5 * MiB);
}

static void test_initrd_too_big(void **state)
{
	struct guest_mem m = fake_mem(64 * MiB);
	struct x86_kernel k = {.start = MiB, .end = 24 * MiB, .initrd_max = 0x7fffffff};
	uint64_t addr = 0;

	(void)state;
	/* Exactly what is left above the kernel fits... */
	assert_int_equal(x86_initrd_place(&m, &k, 40 * MiB, "initrd", &addr), 0);
	assert_int_equal(addr, 24 * MiB);
	/* ...one byte more would overlap it. */
	assert_int_equal(x86_initrd_place(&m, &k, 40 * MiB + 1, "/x/initrd.img", &addr), -ENOMEM);
	assert_non_null(strstr(err_msg(), "initrd '/x/initrd.img'"));
	assert_int_equal(x86_initrd_place(&m, &k, 128 * MiB, "initrd", &addr), -ENOMEM);
	assert_int_equal(x86_initrd_place(&m, &k, UINT64_MAX, "initrd", &addr), -ENOMEM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_e820_low_memory_only),
	    cmocka_unit_test(test_e820_exactly_3g),
	    cmocka_unit_test(test_e820_with_high_region),
	    cmocka_unit_test(test_e820_flat_region_cut_at_hole),
	    cmocka_unit_test(test_e820_too_small),
	    cmocka_unit_test_setup_teardown(test_cmdline_placed, ram_setup, ram_teardown),
	    cmocka_unit_test_setup_teardown(test_cmdline_at_limit, ram_setup, ram_teardown),
	    cmocka_unit_test_setup_teardown(test_cmdline_bounded_by_layout, ram_setup,
					    ram_teardown),
	    cmocka_unit_test_setup_teardown(test_cmdline_empty, ram_setup, ram_teardown),
	    cmocka_unit_test(test_initrd_at_top_of_memory),
	    cmocka_unit_test(test_initrd_below_initrd_addr_max),
	    cmocka_unit_test(test_initrd_too_big),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
