/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The parts x86_boot_load() is made of. Each works on guest memory or on a
 * host-side struct boot_params only, so the unit tests drive them without
 * KVM. Not for use outside vmm/arch/x86_64/ and its tests.
 */
#ifndef OZONE_VMM_X86_BOOT_INTERNAL_H
#define OZONE_VMM_X86_BOOT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <asm/bootparam.h>

#include "guest_mem.h"
#include "layout.h"

/* Files larger than this are refused rather than mapped. */
#define X86_KERNEL_MAX_SIZE (512ULL << 20)

/*
 * An ELF vmlinux's own command-line limit is not in the file; Linux's x86
 * COMMAND_LINE_SIZE has been 2048 since 2.6.26.
 */
#define X86_ELF_CMDLINE_MAX 2047u
/* Highest initrd byte for kernels that do not say (ELF): what bzImages say. */
#define X86_ELF_INITRD_ADDR_MAX 0x7fffffffu

/* The oldest boot protocol we accept: 2.12 brought xloadflags (XLF_KERNEL_64). */
#define X86_BZIMAGE_MIN_VERSION 0x020c
/* bzImages are loaded at 1 MiB; their 64-bit entry point is 0x200 further. */
#define X86_BZIMAGE_LOAD_ADDR X86_HIMEM_START
#define X86_BZIMAGE_ENTRY_OFFSET 0x200

/* What a loaded kernel occupies and accepts. */
struct x86_kernel {
	uint64_t entry;	      /* guest physical 64-bit entry */
	uint64_t start;	      /* lowest guest physical byte it uses */
	uint64_t end;	      /* one past the highest (bss, init_size included) */
	uint64_t initrd_max;  /* highest byte an initrd may occupy */
	uint32_t cmdline_max; /* longest command line, without its NUL */
};

_Static_assert(sizeof(struct boot_params) == 4096, "the zero page is one page");

/* Guest RAM usable by the kernel below the 32-bit hole: [0, end). */
uint64_t x86_low_mem_end(const struct guest_mem *mem);

/*
 * loader_elf.c: copies the PT_LOAD segments of an ELF64 x86_64 ET_EXEC image
 * to their physical addresses (all at or above 1 MiB, in low RAM) and zeroes
 * their bss; fills a minimal setup header in `zp`. Nothing is written to guest
 * memory unless every segment checks out. -ENOEXEC on a bad image.
 */
int x86_load_elf(struct guest_mem *mem, const void *img, size_t size, const char *name,
		 struct boot_params *zp, struct x86_kernel *k);

/*
 * loader_bzimage.c: Linux boot protocol >= 2.12 with a 64-bit kernel: copies
 * the protected-mode kernel to 1 MiB and the image's setup header into `zp`.
 * -ENOEXEC on a bad image, -ENOMEM when init_size does not fit.
 */
int x86_load_bzimage(struct guest_mem *mem, const void *img, size_t size, const char *name,
		     struct boot_params *zp, struct x86_kernel *k);

/* zero_page.c */
/* Fills zp's e820 map from guest memory's regions; -EINVAL if there is no RAM above 1 MiB. */
int x86_e820_fill(const struct guest_mem *mem, struct boot_params *zp);
/* Copies `cmdline` to X86_CMDLINE_ADDR and points zp at it; -E2BIG when too long. */
int x86_cmdline_write(struct guest_mem *mem, struct boot_params *zp, const char *cmdline,
		      const struct x86_kernel *k);
/*
 * Chooses where an initrd of `size` bytes goes: page aligned, as high as
 * possible below both initrd_max and the end of low RAM, above the kernel.
 * -ENOMEM when it does not fit; `name` is for the message.
 */
int x86_initrd_place(const struct guest_mem *mem, const struct x86_kernel *k, uint64_t size,
		     const char *name, uint64_t *addr);

/* pagetables.c: identity map of [0, 4 GiB) with 2 MiB pages at X86_PML4_ADDR. */
int x86_pagetables_write(struct guest_mem *mem);

/* regs.c: the boot GDT at X86_GDT_ADDR, matching x86_boot_sregs()'s segments. */
int x86_gdt_write(struct guest_mem *mem);
#define X86_GDT_ENTRIES 6 /* null, null, code, data, TSS (two slots) */

/* mptable.c: bytes the MP table for `ncpus` CPUs takes (floating pointer included). */
size_t x86_mptable_size(unsigned ncpus);

#endif
