/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The parts of the zero page (struct boot_params) that describe the machine
 * rather than the kernel: the e820 memory map, the command line and where the
 * initrd goes.
 */
#include <errno.h>
#include <string.h>
#include <asm/e820.h>

#include "common/error.h"
#include "boot_internal.h"

#define PAGE_MASK_4K (~0xfffULL)

uint64_t x86_low_mem_end(const struct guest_mem *mem)
{
	for (unsigned i = 0; i < mem->nr; i++) {
		if (mem->r[i].gpa != 0)
			continue;
		/* A flat test region may run past 3 GiB; the hole is never RAM. */
		return mem->r[i].size < X86_MMIO_HOLE_START ? mem->r[i].size : X86_MMIO_HOLE_START;
	}
	return 0;
}

static void e820_add(struct boot_params *zp, uint64_t addr, uint64_t size, uint32_t type)
{
	struct boot_e820_entry *e = &zp->e820_table[zp->e820_entries++];

	e->addr = addr;
	e->size = size;
	e->type = type;
}

int x86_e820_fill(const struct guest_mem *mem, struct boot_params *zp)
{
	uint64_t low_end = x86_low_mem_end(mem);

	if (low_end <= X86_HIMEM_START)
		return err_setx(EINVAL, "guest memory: %llu KiB is too small to boot a kernel",
				(unsigned long long)(mem->total >> 10));
	zp->e820_entries = 0;
	e820_add(zp, 0, X86_EBDA_START, E820_RAM);
	/* EBDA (our MP table), VGA and BIOS areas: nothing there is for the kernel to use. */
	e820_add(zp, X86_EBDA_START, X86_HIMEM_START - X86_EBDA_START, E820_RESERVED);
	e820_add(zp, X86_HIMEM_START, low_end - X86_HIMEM_START, E820_RAM);
	for (unsigned i = 0; i < mem->nr; i++) {
		if (mem->r[i].gpa >= X86_MMIO_HOLE_END && mem->r[i].size)
			e820_add(zp, mem->r[i].gpa, mem->r[i].size, E820_RAM);
	}
	return 0;
}

int x86_cmdline_write(struct guest_mem *mem, struct boot_params *zp, const char *cmdline,
		      const struct x86_kernel *k)
{
	size_t len = strlen(cmdline);
	size_t max = k->cmdline_max < X86_CMDLINE_MAX - 1 ? k->cmdline_max : X86_CMDLINE_MAX - 1;

	/* The kernel would cut a longer one short without a word: refuse it here. */
	if (len > max)
		return err_setx(E2BIG,
				"kernel command line: %zu bytes, the kernel accepts at most %zu",
				len, max);
	if (guest_mem_write(mem, X86_CMDLINE_ADDR, cmdline, len + 1))
		return err_setx(ENOMEM, "kernel command line: guest memory too small");
	zp->hdr.cmd_line_ptr = X86_CMDLINE_ADDR;
	zp->ext_cmd_line_ptr = 0;
	return 0;
}

int x86_initrd_place(const struct guest_mem *mem, const struct x86_kernel *k, uint64_t size,
		     const char *name, uint64_t *addr)
{
	uint64_t top = x86_low_mem_end(mem);

	/* initrd_addr_max is the highest byte the initrd may occupy. */
	if (k->initrd_max + 1 < top)
		top = k->initrd_max + 1;
	/* As high as possible: the kernel decompresses and allocates upwards from its start. */
	if (size == 0 || size > top || ((top - size) & PAGE_MASK_4K) < k->end)
		return err_setx(ENOMEM,
				"initrd '%s': %llu bytes do not fit in guest RAM between the "
				"kernel's end 0x%llx and 0x%llx",
				name, (unsigned long long)size, (unsigned long long)k->end,
				(unsigned long long)top);
	*addr = (top - size) & PAGE_MASK_4K;
	return 0;
}
