/* SPDX-License-Identifier: Apache-2.0 */
/* The ELF kernel loader on synthetic images, in fake guest memory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "arch/x86_64/boot_internal.h"

#define MEM_SIZE (4ULL << 20)
#define GUARD 4096
#define SEG_PADDR 0x100000ULL
#define SEG_OFFSET 0x1000
#define SEG_FILESZ 0x200
#define SEG_MEMSZ 0x3000
#define IMG_SIZE (SEG_OFFSET + SEG_FILESZ)

struct fixture {
	uint8_t *ram; /* MEM_SIZE bytes of guest RAM, then GUARD bytes that must stay 0x5a */
	struct guest_mem mem;
	uint8_t img[IMG_SIZE];
	struct boot_params zp;
	struct x86_kernel k;
};

static Elf64_Ehdr *ehdr(struct fixture *f)
{
	return (Elf64_Ehdr *)f->img;
}

static Elf64_Phdr *phdr(struct fixture *f, unsigned i)
{
	return (Elf64_Phdr *)(f->img + sizeof(Elf64_Ehdr)) + i;
}

/* One PT_LOAD at 1 MiB with a bss, and one PT_NOTE the loader must skip. */
static void build_elf(struct fixture *f)
{
	Elf64_Ehdr *eh = ehdr(f);

	memset(f->img, 0, sizeof(f->img));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = SEG_PADDR + 0x10;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 2;
	*phdr(f, 0) = (Elf64_Phdr){.p_type = PT_LOAD,
				   .p_offset = SEG_OFFSET,
				   .p_vaddr = 0xffffffff81000000ULL,
				   .p_paddr = SEG_PADDR,
				   .p_filesz = SEG_FILESZ,
				   .p_memsz = SEG_MEMSZ};
	*phdr(f, 1) = (Elf64_Phdr){.p_type = PT_NOTE, .p_offset = SEG_OFFSET, .p_filesz = 16};
	for (unsigned i = 0; i < SEG_FILESZ; i++)
		f->img[SEG_OFFSET + i] = (uint8_t)(i * 7 + 1);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->ram = malloc(MEM_SIZE + GUARD);
	assert_non_null(f->ram);
	/* Dirty RAM: the loader must zero the bss itself. */
	memset(f->ram, 0xee, MEM_SIZE);
	memset(f->ram + MEM_SIZE, 0x5a, GUARD);
	guest_mem_init_flat(&f->mem, f->ram, MEM_SIZE);
	build_elf(f);
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
	return x86_load_elf(&f->mem, f->img, size, "vmlinux", &f->zp, &f->k);
}

/* The failed load left the segment's target untouched. */
static void assert_nothing_loaded(struct fixture *f)
{
	for (uint64_t i = 0; i < SEG_MEMSZ; i++)
		assert_int_equal(f->ram[SEG_PADDR + i], 0xee);
}

static void assert_fails(struct fixture *f, size_t size, int err, const char *msg)
{
	assert_int_equal(load(f, size), -err);
	assert_non_null(strstr(err_msg(), msg));
	assert_non_null(strstr(err_msg(), "kernel image 'vmlinux'"));
	assert_nothing_loaded(f);
}

static void test_loads_segment_and_zeroes_bss(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, IMG_SIZE), 0);
	assert_memory_equal(f->ram + SEG_PADDR, f->img + SEG_OFFSET, SEG_FILESZ);
	for (uint64_t i = SEG_FILESZ; i < SEG_MEMSZ; i++)
		assert_int_equal(f->ram[SEG_PADDR + i], 0);
	/* Just past the segment: untouched. */
	assert_int_equal(f->ram[SEG_PADDR + SEG_MEMSZ], 0xee);
	assert_int_equal(f->k.entry, SEG_PADDR + 0x10);
	assert_int_equal(f->k.start, SEG_PADDR);
	assert_int_equal(f->k.end, SEG_PADDR + SEG_MEMSZ);
	assert_int_equal(f->k.cmdline_max, X86_ELF_CMDLINE_MAX);
	assert_int_equal(f->k.initrd_max, X86_ELF_INITRD_ADDR_MAX);
}

static void test_fills_minimal_setup_header(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, IMG_SIZE), 0);
	assert_int_equal(f->zp.hdr.boot_flag, 0xaa55);
	assert_memory_equal(&f->zp.hdr.header, "HdrS", 4);
	assert_int_equal(f->zp.hdr.type_of_loader, 0xff);
	assert_int_equal(f->zp.hdr.kernel_alignment, 0x1000000);
	assert_int_equal(f->zp.hdr.cmdline_size, X86_ELF_CMDLINE_MAX);
}

static void test_truncated_header(void **state)
{
	assert_fails(*state, sizeof(Elf64_Ehdr) - 1, ENOEXEC, "truncated ELF header");
}

static void test_not_elf(void **state)
{
	struct fixture *f = *state;

	f->img[1] = 'X';
	assert_fails(f, IMG_SIZE, ENOEXEC, "not an ELF file");
}

static void test_wrong_class(void **state)
{
	struct fixture *f = *state;

	ehdr(f)->e_ident[EI_CLASS] = ELFCLASS32;
	assert_fails(f, IMG_SIZE, ENOEXEC, "ELF64");
}

static void test_wrong_machine(void **state)
{
	struct fixture *f = *state;

	ehdr(f)->e_machine = EM_AARCH64;
	assert_fails(f, IMG_SIZE, ENOEXEC, "is not x86_64");
}

static void test_not_executable(void **state)
{
	struct fixture *f = *state;

	ehdr(f)->e_type = ET_DYN;
	assert_fails(f, IMG_SIZE, ENOEXEC, "is not an executable");
}

static void test_program_headers_beyond_file(void **state)
{
	struct fixture *f = *state;

	ehdr(f)->e_phoff = IMG_SIZE - sizeof(Elf64_Phdr);
	assert_fails(f, IMG_SIZE, ENOEXEC, "program headers beyond end of file");
	ehdr(f)->e_phoff = UINT64_MAX - 7;
	assert_fails(f, IMG_SIZE, ENOEXEC, "program headers beyond end of file");
}

static void test_bad_program_header_table(void **state)
{
	struct fixture *f = *state;

	ehdr(f)->e_phentsize = 32;
	assert_fails(f, IMG_SIZE, ENOEXEC, "bad ELF program header table");
	ehdr(f)->e_phentsize = sizeof(Elf64_Phdr);
	ehdr(f)->e_phnum = 0;
	assert_fails(f, IMG_SIZE, ENOEXEC, "bad ELF program header table");
}

static void test_segment_beyond_file(void **state)
{
	struct fixture *f = *state;

	assert_fails(f, IMG_SIZE - 1, ENOEXEC, "segment 0 extends beyond end of file");
	phdr(f, 0)->p_offset = UINT64_MAX - 0x10;
	assert_fails(f, IMG_SIZE, ENOEXEC, "segment 0 extends beyond end of file");
}

static void test_filesz_above_memsz(void **state)
{
	struct fixture *f = *state;

	phdr(f, 0)->p_memsz = SEG_FILESZ - 1;
	assert_fails(f, IMG_SIZE, ENOEXEC, "larger in the file than in memory");
}

static void test_segment_beyond_guest_memory(void **state)
{
	struct fixture *f = *state;

	phdr(f, 0)->p_memsz = MEM_SIZE - SEG_PADDR + 1;
	assert_fails(f, IMG_SIZE, ENOEXEC, "outside guest RAM");
	/* A size that would wrap around the address space. */
	phdr(f, 0)->p_memsz = UINT64_MAX;
	assert_fails(f, IMG_SIZE, ENOEXEC, "outside guest RAM");
	phdr(f, 0)->p_memsz = SEG_MEMSZ;
	phdr(f, 0)->p_paddr = MEM_SIZE - 0x100;
	ehdr(f)->e_entry = MEM_SIZE - 0x100;
	assert_fails(f, IMG_SIZE, ENOEXEC, "outside guest RAM");
}

static void test_segment_below_1m(void **state)
{
	struct fixture *f = *state;

	phdr(f, 0)->p_paddr = 0x7000; /* would overwrite the zero page */
	ehdr(f)->e_entry = 0x7000;
	assert_fails(f, IMG_SIZE, ENOEXEC, "outside guest RAM");
	assert_int_equal(f->ram[0x7000], 0xee);
}

static void test_entry_outside_segments(void **state)
{
	struct fixture *f = *state;

	ehdr(f)->e_entry = 0xffffffff81000000ULL; /* virtual, not physical */
	assert_fails(f, IMG_SIZE, ENOEXEC, "entry point 0xffffffff81000000 is not inside");
}

static void test_no_loadable_segment(void **state)
{
	struct fixture *f = *state;

	phdr(f, 0)->p_type = PT_NULL;
	assert_fails(f, IMG_SIZE, ENOEXEC, "no loadable ELF segment");
}

/* A bad second segment: the good first one is not copied either. */
static void test_all_segments_checked_before_copy(void **state)
{
	struct fixture *f = *state;

	*phdr(f, 1) = *phdr(f, 0);
	phdr(f, 1)->p_paddr = MEM_SIZE;
	assert_fails(f, IMG_SIZE, ENOEXEC, "segment 1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	    T(test_loads_segment_and_zeroes_bss),
	    T(test_fills_minimal_setup_header),
	    T(test_truncated_header),
	    T(test_not_elf),
	    T(test_wrong_class),
	    T(test_wrong_machine),
	    T(test_not_executable),
	    T(test_program_headers_beyond_file),
	    T(test_bad_program_header_table),
	    T(test_segment_beyond_file),
	    T(test_filesz_above_memsz),
	    T(test_segment_beyond_guest_memory),
	    T(test_segment_below_1m),
	    T(test_entry_outside_segments),
	    T(test_no_loadable_segment),
	    T(test_all_segments_checked_before_copy),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
