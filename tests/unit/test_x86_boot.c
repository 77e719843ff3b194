/* SPDX-License-Identifier: Apache-2.0 */
/* x86_boot_load() end to end: kernel and initrd files in, a bootable guest memory out. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <asm/e820.h>

#include "common/error.h"
#include "arch/x86_64/boot.h"
#include "arch/x86_64/boot_internal.h"

#define MEM_SIZE (64ULL << 20)
#define KERNEL_PADDR 0x1000000ULL
#define ELF_CODE_OFFSET 0x1000
#define ELF_SIZE (ELF_CODE_OFFSET + 0x100)

struct fixture {
	uint8_t *ram;
	struct guest_mem mem;
	char dir[64];
	char kernel[96];
	char initrd[96];
	struct x86_boot_info info;
};

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void write_elf(const char *path)
{
	uint8_t img[ELF_SIZE] = {0};
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof(*eh));

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_entry = KERNEL_PADDR;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	ph->p_type = PT_LOAD;
	ph->p_offset = ELF_CODE_OFFSET;
	ph->p_paddr = KERNEL_PADDR;
	ph->p_filesz = 0x100;
	ph->p_memsz = 0x200000;
	memset(img + ELF_CODE_OFFSET, 0xf4, 0x100); /* hlt */
	write_file(path, img, sizeof(img));
}

static void write_bzimage(const char *path, uint32_t init_size)
{
	size_t size = 5 * 512 + 0x1000;
	uint8_t *img = calloc(1, size);
	struct setup_header *h = (struct setup_header *)(img + 0x1f1);

	assert_non_null(img);
	h->setup_sects = 4;
	h->boot_flag = 0xaa55;
	img[0x201] = 0x1f1 + sizeof(*h) - 0x202;
	memcpy(&h->header, "HdrS", 4);
	h->version = 0x020f;
	h->loadflags = LOADED_HIGH;
	h->initrd_addr_max = 0x7fffffff;
	h->kernel_alignment = 0x200000;
	h->relocatable_kernel = 1;
	h->xloadflags = XLF_KERNEL_64;
	h->cmdline_size = 255;
	h->pref_address = KERNEL_PADDR;
	h->init_size = init_size;
	memset(img + 5 * 512, 0x90, 0x1000);
	write_file(path, img, size);
	free(img);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->ram = calloc(1, MEM_SIZE);
	assert_non_null(f->ram);
	guest_mem_init_flat(&f->mem, f->ram, MEM_SIZE);
	strcpy(f->dir, "/tmp/ozone-x86-boot-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->kernel, sizeof(f->kernel), "%s/kernel", f->dir);
	snprintf(f->initrd, sizeof(f->initrd), "%s/initrd", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unlink(f->kernel);
	unlink(f->initrd);
	rmdir(f->dir);
	free(f->ram);
	free(f);
	return 0;
}

static struct boot_params *zero_page(struct fixture *f)
{
	return (struct boot_params *)(f->ram + X86_ZERO_PAGE_ADDR);
}

static void test_elf_with_initrd(void **state)
{
	struct fixture *f = *state;
	uint8_t initrd[5000];

	write_elf(f->kernel);
	for (size_t i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i * 31);
	write_file(f->initrd, initrd, sizeof(initrd));
	assert_int_equal(
	    x86_boot_load(&f->mem, f->kernel, f->initrd, "console=ttyS0 quiet", &f->info), 0);

	assert_int_equal(f->info.entry, KERNEL_PADDR);
	assert_int_equal(f->info.zero_page, X86_ZERO_PAGE_ADDR);
	assert_int_equal(f->info.stack, X86_BOOT_STACK_ADDR);
	assert_int_equal(f->ram[KERNEL_PADDR], 0xf4);

	struct boot_params *zp = zero_page(f);
	assert_int_equal(zp->hdr.boot_flag, 0xaa55);
	assert_int_equal(zp->hdr.type_of_loader, 0xff);
	assert_int_equal(zp->e820_entries, 3);
	assert_int_equal(zp->e820_table[2].addr + zp->e820_table[2].size, MEM_SIZE);
	assert_int_equal(zp->e820_table[2].type, E820_RAM);
	assert_int_equal(zp->hdr.cmd_line_ptr, X86_CMDLINE_ADDR);
	assert_string_equal((char *)f->ram + X86_CMDLINE_ADDR, "console=ttyS0 quiet");

	uint32_t addr = zp->hdr.ramdisk_image;
	assert_int_equal(zp->hdr.ramdisk_size, sizeof(initrd));
	assert_int_equal(addr % 4096, 0);
	assert_true(addr >= KERNEL_PADDR + 0x200000);
	assert_true(addr + sizeof(initrd) <= MEM_SIZE);
	assert_memory_equal(f->ram + addr, initrd, sizeof(initrd));

	/* Page tables and GDT are in place. */
	uint64_t pml4e;
	memcpy(&pml4e, f->ram + X86_PML4_ADDR, 8);
	assert_int_equal(pml4e & ~0xfffULL, X86_PDPT_ADDR);
	uint64_t cs;
	memcpy(&cs, f->ram + X86_GDT_ADDR + X86_BOOT_CS, 8);
	assert_true(cs & (1ULL << 53)); /* L */
}

static void test_bzimage_no_initrd(void **state)
{
	struct fixture *f = *state;

	write_bzimage(f->kernel, 0x800000);
	assert_int_equal(x86_boot_load(&f->mem, f->kernel, NULL, NULL, &f->info), 0);
	assert_int_equal(f->info.entry, X86_HIMEM_START + 0x200);
	assert_int_equal(f->ram[X86_HIMEM_START], 0x90);
	struct boot_params *zp = zero_page(f);
	assert_int_equal(zp->hdr.version, 0x020f);
	assert_int_equal(zp->hdr.ramdisk_image, 0);
	assert_int_equal(zp->hdr.ramdisk_size, 0);
	assert_int_equal(f->ram[X86_CMDLINE_ADDR], 0);
	assert_int_equal(zp->e820_entries, 3);
}

/* The bzImage's own cmdline_size is the limit. */
static void test_bzimage_cmdline_too_long(void **state)
{
	struct fixture *f = *state;
	char cmd[257];

	write_bzimage(f->kernel, 0x800000);
	memset(cmd, 'x', 256);
	cmd[256] = '\0';
	assert_int_equal(x86_boot_load(&f->mem, f->kernel, NULL, cmd, &f->info), -E2BIG);
	assert_non_null(strstr(err_msg(), "at most 255"));
}

static void test_elf_cmdline_too_long(void **state)
{
	struct fixture *f = *state;
	char *cmd = malloc(X86_ELF_CMDLINE_MAX + 2);

	assert_non_null(cmd);
	write_elf(f->kernel);
	memset(cmd, 'x', X86_ELF_CMDLINE_MAX + 1);
	cmd[X86_ELF_CMDLINE_MAX + 1] = '\0';
	assert_int_equal(x86_boot_load(&f->mem, f->kernel, NULL, cmd, &f->info), -E2BIG);
	cmd[X86_ELF_CMDLINE_MAX] = '\0';
	assert_int_equal(x86_boot_load(&f->mem, f->kernel, NULL, cmd, &f->info), 0);
	free(cmd);
}

static void test_initrd_too_big(void **state)
{
	struct fixture *f = *state;
	FILE *fp;

	write_elf(f->kernel);
	fp = fopen(f->initrd, "wb");
	assert_non_null(fp);
	/* Sparse: 60 MiB do not fit above a kernel ending at 18 MiB in 64 MiB. */
	assert_int_equal(fseek(fp, 60 << 20, SEEK_SET), 0);
	assert_int_equal(fputc(1, fp), 1);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(x86_boot_load(&f->mem, f->kernel, f->initrd, "", &f->info), -ENOMEM);
	assert_non_null(strstr(err_msg(), "initrd '"));
	assert_non_null(strstr(err_msg(), "do not fit"));
}

static void test_empty_initrd(void **state)
{
	struct fixture *f = *state;

	write_elf(f->kernel);
	write_file(f->initrd, "", 0);
	assert_int_equal(x86_boot_load(&f->mem, f->kernel, f->initrd, "", &f->info), -ENOEXEC);
	assert_non_null(strstr(err_msg(), "empty file"));
}

static void test_not_a_kernel(void **state)
{
	struct fixture *f = *state;
	char junk[4096];

	memset(junk, 'z', sizeof(junk));
	write_file(f->kernel, junk, sizeof(junk));
	assert_int_equal(x86_boot_load(&f->mem, f->kernel, NULL, "", &f->info), -ENOEXEC);
	assert_non_null(strstr(err_msg(), "not an ELF vmlinux or a bzImage"));
	assert_non_null(strstr(err_msg(), f->kernel));
	/* Too short to hold either magic. */
	write_file(f->kernel,
		   "\x7f"
		   "E",
		   2);
	assert_int_equal(x86_boot_load(&f->mem, f->kernel, NULL, "", &f->info), -ENOEXEC);
}

static void test_empty_kernel(void **state)
{
	struct fixture *f = *state;

	write_file(f->kernel, "", 0);
	assert_int_equal(x86_boot_load(&f->mem, f->kernel, NULL, "", &f->info), -ENOEXEC);
	assert_non_null(strstr(err_msg(), "empty file"));
}

static void test_missing_kernel(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(x86_boot_load(&f->mem, f->kernel, NULL, "", &f->info), -ENOENT);
	assert_non_null(strstr(err_msg(), "kernel image '"));
	assert_non_null(strstr(err_msg(), "No such file"));
}

static void test_kernel_is_directory(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(x86_boot_load(&f->mem, f->dir, NULL, "", &f->info), -ENOEXEC);
	assert_non_null(strstr(err_msg(), "not a regular file"));
}

static void test_truncated_bzimage(void **state)
{
	struct fixture *f = *state;
	uint8_t hdr[0x210] = {0};

	memcpy(hdr + 0x202, "HdrS", 4);
	hdr[0x206] = 0x0f;
	hdr[0x207] = 0x02;
	hdr[0x201] = 0x6a;
	write_file(f->kernel, hdr, sizeof(hdr));
	assert_int_equal(x86_boot_load(&f->mem, f->kernel, NULL, "", &f->info), -ENOEXEC);
	assert_non_null(strstr(err_msg(), "truncated setup header"));
}

static void test_memory_too_small_for_bzimage(void **state)
{
	struct fixture *f = *state;

	write_bzimage(f->kernel, 64 << 20);
	assert_int_equal(x86_boot_load(&f->mem, f->kernel, NULL, "", &f->info), -ENOMEM);
	assert_non_null(strstr(err_msg(), "init_size"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	    T(test_elf_with_initrd),
	    T(test_bzimage_no_initrd),
	    T(test_bzimage_cmdline_too_long),
	    T(test_elf_cmdline_too_long),
	    T(test_initrd_too_big),
	    T(test_empty_initrd),
	    T(test_not_a_kernel),
	    T(test_empty_kernel),
	    T(test_missing_kernel),
	    T(test_kernel_is_directory),
	    T(test_truncated_bzimage),
	    T(test_memory_too_small_for_bzimage),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
