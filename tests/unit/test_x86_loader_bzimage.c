/* SPDX-License-Identifier: Apache-2.0 */
/* The bzImage loader on synthetic images with a Linux setup header. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "arch/x86_64/boot_internal.h"

#define MEM_SIZE (32ULL << 20)
#define GUARD 4096
#define SETUP_SECTS 2
#define SETUP_SIZE ((SETUP_SECTS + 1) * 512)
#define PM_SIZE 0x3000
#define IMG_SIZE (SETUP_SIZE + PM_SIZE)
#define HDR_OFFSET 0x1f1
#define INIT_SIZE 0x800000u
#define PREF_ADDRESS 0x1000000u

struct fixture {
	uint8_t *ram;
	struct guest_mem mem;
	uint8_t img[IMG_SIZE];
	struct boot_params zp;
	struct x86_kernel k;
};

static struct setup_header *hdr(struct fixture *f)
{
	return (struct setup_header *)(f->img + HDR_OFFSET);
}

/* What a 6.1 x86_64 bzImage's header looks like, in miniature. */
static void build_bzimage(struct fixture *f)
{
	struct setup_header *h = hdr(f);

	memset(f->img, 0, sizeof(f->img));
	h->setup_sects = SETUP_SECTS;
	h->boot_flag = 0xaa55;
	f->img[0x200] = 0xeb; /* jmp short: the header ends at 0x202 + displacement */
	f->img[0x201] = HDR_OFFSET + sizeof(struct setup_header) - 0x202;
	memcpy(&h->header, "HdrS", 4);
	h->version = 0x020f;
	h->loadflags = LOADED_HIGH;
	h->code32_start = 0x100000;
	h->initrd_addr_max = 0x7fffffff;
	h->kernel_alignment = 0x200000;
	h->relocatable_kernel = 1;
	h->xloadflags = XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G;
	h->cmdline_size = 2047;
	h->pref_address = PREF_ADDRESS;
	h->init_size = INIT_SIZE;
	h->syssize = PM_SIZE / 16;
	for (unsigned i = 0; i < PM_SIZE; i++)
		f->img[SETUP_SIZE + i] = (uint8_t)(i * 13 + 5);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->ram = calloc(1, MEM_SIZE + GUARD);
	assert_non_null(f->ram);
	memset(f->ram + MEM_SIZE, 0x5a, GUARD);
	guest_mem_init_flat(&f->mem, f->ram, MEM_SIZE);
	build_bzimage(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	for (unsigned i = 0; i < GUARD; i++)
		assert_int_equal(f->ram[MEM_SIZE + i], 0x5a);
	free(f->ram);
	free(f);
	return 0;
}

static int load(struct fixture *f, size_t size)
{
	return x86_load_bzimage(&f->mem, f->img, size, "bzImage", &f->zp, &f->k);
}

static void assert_fails(struct fixture *f, size_t size, int err, const char *msg)
{
	assert_int_equal(load(f, size), -err);
	assert_non_null(strstr(err_msg(), msg));
	assert_non_null(strstr(err_msg(), "kernel image 'bzImage'"));
	/* Nothing was copied to 1 MiB. */
	for (unsigned i = 0; i < PM_SIZE; i++)
		assert_int_equal(f->ram[X86_HIMEM_START + i], 0);
}

static void test_loads_protected_mode_kernel(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, IMG_SIZE), 0);
	assert_memory_equal(f->ram + X86_HIMEM_START, f->img + SETUP_SIZE, PM_SIZE);
	assert_int_equal(f->ram[X86_HIMEM_START + PM_SIZE], 0);
	assert_int_equal(f->k.entry, X86_HIMEM_START + 0x200);
	assert_int_equal(f->k.start, X86_HIMEM_START);
	/* Relocatable: runs at max(align_up(1 MiB, 2 MiB), pref_address). */
	assert_int_equal(f->k.end, PREF_ADDRESS + INIT_SIZE);
	assert_int_equal(f->k.initrd_max, 0x7fffffff);
	assert_int_equal(f->k.cmdline_max, 2047);
}

static void test_fills_setup_header(void **state)
{
	struct fixture *f = *state;
	struct setup_header *h = &f->zp.hdr;

	assert_int_equal(load(f, IMG_SIZE), 0);
	/* Copied from the image... */
	assert_int_equal(h->version, 0x020f);
	assert_int_equal(h->boot_flag, 0xaa55);
	assert_int_equal(h->setup_sects, SETUP_SECTS);
	assert_int_equal(h->init_size, INIT_SIZE);
	assert_int_equal(h->xloadflags, XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G);
	/* ...and what a loader writes. */
	assert_int_equal(h->type_of_loader, 0xff);
	assert_true(h->loadflags & LOADED_HIGH);
	assert_true(h->loadflags & CAN_USE_HEAP);
	assert_int_equal(h->heap_end_ptr, 0xfe00);
	assert_int_equal(h->code32_start, X86_HIMEM_START);
	/* Nothing outside the header was touched. */
	assert_int_equal(f->zp.e820_entries, 0);
	assert_int_equal(f->zp.sentinel, 0);
}

/* A header longer than ours (a newer protocol) is cut to what we know. */
static void test_longer_header_is_cut(void **state)
{
	struct fixture *f = *state;

	f->img[0x201] = 0x7f;
	f->img[HDR_OFFSET + sizeof(struct setup_header)] = 0x99;
	assert_int_equal(load(f, IMG_SIZE), 0);
	assert_int_equal(f->zp._pad7[0], 0);
}

static void test_setup_sects_zero_means_four(void **state)
{
	struct fixture *f = *state;

	hdr(f)->setup_sects = 0;
	hdr(f)->syssize = (IMG_SIZE - 5 * 512) / 16;
	assert_int_equal(load(f, IMG_SIZE), 0);
	assert_memory_equal(f->ram + X86_HIMEM_START, f->img + 5 * 512, IMG_SIZE - 5 * 512);
}

static void test_not_relocatable_runs_at_pref_address(void **state)
{
	struct fixture *f = *state;

	hdr(f)->relocatable_kernel = 0;
	hdr(f)->pref_address = 0x400000;
	assert_int_equal(load(f, IMG_SIZE), 0);
	assert_int_equal(f->k.end, 0x400000 + INIT_SIZE);
}

static void test_wrong_magic(void **state)
{
	struct fixture *f = *state;

	f->img[0x202] = 'h';
	assert_fails(f, IMG_SIZE, ENOEXEC, "not a bzImage");
}

static void test_old_protocol(void **state)
{
	struct fixture *f = *state;

	hdr(f)->version = 0x020b;
	assert_fails(f, IMG_SIZE, ENOEXEC, "boot protocol 2.11 is too old");
}

static void test_no_64bit_entry(void **state)
{
	struct fixture *f = *state;

	hdr(f)->xloadflags = XLF_CAN_BE_LOADED_ABOVE_4G;
	assert_fails(f, IMG_SIZE, ENOEXEC, "no 64-bit entry point");
}

static void test_zimage(void **state)
{
	struct fixture *f = *state;

	hdr(f)->loadflags = 0;
	assert_fails(f, IMG_SIZE, ENOEXEC, "a zImage");
}

static void test_truncated_setup_header(void **state)
{
	struct fixture *f = *state;

	assert_fails(f, 0x204, ENOEXEC, "truncated setup header");
	assert_fails(f, 0x240, ENOEXEC, "truncated setup header");
}

static void test_short_setup_header(void **state)
{
	struct fixture *f = *state;

	f->img[0x201] = 0x30; /* ends before init_size */
	assert_fails(f, IMG_SIZE, ENOEXEC, "setup header too short");
}

static void test_truncated_setup(void **state)
{
	struct fixture *f = *state;

	assert_fails(f, SETUP_SIZE, ENOEXEC, "truncated");
	hdr(f)->setup_sects = 200;
	assert_fails(f, IMG_SIZE, ENOEXEC, "truncated");
}

/* A file cut inside its protected-mode code: syssize says more is due. */
static void test_truncated_kernel(void **state)
{
	struct fixture *f = *state;

	assert_fails(f, IMG_SIZE - 16, ENOEXEC, "truncated");
	assert_fails(f, SETUP_SIZE + 512, ENOEXEC, "header says");
	assert_int_equal(load(f, IMG_SIZE), 0);
}

static void test_init_size_too_large(void **state)
{
	struct fixture *f = *state;

	hdr(f)->init_size = MEM_SIZE - PREF_ADDRESS + 1;
	assert_fails(f, IMG_SIZE, ENOMEM, "init_size");
	hdr(f)->init_size = UINT32_MAX;
	assert_fails(f, IMG_SIZE, ENOMEM, "init_size");
}

static void test_pref_address_beyond_memory(void **state)
{
	struct fixture *f = *state;

	hdr(f)->pref_address = UINT64_MAX - 0x1000; /* must not wrap */
	assert_fails(f, IMG_SIZE, ENOMEM, "needs guest RAM");
}

static void test_bad_kernel_alignment(void **state)
{
	struct fixture *f = *state;

	hdr(f)->kernel_alignment = 0x300000;
	assert_fails(f, IMG_SIZE, ENOEXEC, "not a power of two");
	hdr(f)->kernel_alignment = 0;
	assert_fails(f, IMG_SIZE, ENOEXEC, "not a power of two");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	    T(test_loads_protected_mode_kernel),
	    T(test_fills_setup_header),
	    T(test_longer_header_is_cut),
	    T(test_setup_sects_zero_means_four),
	    T(test_not_relocatable_runs_at_pref_address),
	    T(test_wrong_magic),
	    T(test_old_protocol),
	    T(test_no_64bit_entry),
	    T(test_zimage),
	    T(test_truncated_setup_header),
	    T(test_short_setup_header),
	    T(test_truncated_setup),
	    T(test_truncated_kernel),
	    T(test_init_size_too_large),
	    T(test_pref_address_beyond_memory),
	    T(test_bad_kernel_alignment),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
