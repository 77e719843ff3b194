/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bzImage through the 64-bit boot protocol (Documentation/x86/boot.rst):
 * the real-mode setup is never run. Only the protected-mode kernel is loaded,
 * at 1 MiB, and entered at its 64-bit entry point (load address + 0x200) with
 * the image's own setup header copied into the zero page.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "common/error.h"
#include "boot_internal.h"

#define BZ_HDR_OFFSET 0x1f1	 /* struct setup_header in the image and in boot_params */
#define BZ_JUMP_LEN_OFFSET 0x201 /* the header ends at 0x202 + this byte */
#define BZ_MAGIC_OFFSET 0x202
#define BZ_VERSION_OFFSET 0x206
#define BZ_SECTOR 512
#define BZ_DEFAULT_SETUP_SECTS 4 /* setup_sects == 0 means 4 */
/* The heap end the protocol suggests for a setup loaded at segment start (0x10000 - 0x200). */
#define BZ_HEAP_END 0xfe00

/* The header must reach init_size, which the protocol has had since 2.10. */
#define BZ_HDR_MIN_END (BZ_HDR_OFFSET + offsetof(struct setup_header, init_size) + sizeof(uint32_t))

/* Copies the setup header as long as the image says it is, at most as long as we know. */
static int bz_copy_header(const uint8_t *b, size_t size, const char *name, struct setup_header *h)
{
	size_t end, len;
	uint16_t version;

	if (size < BZ_VERSION_OFFSET + sizeof(version))
		return err_setx(ENOEXEC, "kernel image '%s': truncated setup header", name);
	if (memcmp(b + BZ_MAGIC_OFFSET, "HdrS", 4) != 0)
		return err_setx(ENOEXEC, "kernel image '%s': not a bzImage (no HdrS magic)", name);
	memcpy(&version, b + BZ_VERSION_OFFSET, sizeof(version));
	if (version < X86_BZIMAGE_MIN_VERSION)
		return err_setx(
		    ENOEXEC,
		    "kernel image '%s': boot protocol %u.%02u is too old (2.12 or later needed)",
		    name, version >> 8, version & 0xff);

	end = BZ_MAGIC_OFFSET + b[BZ_JUMP_LEN_OFFSET];
	if (end < BZ_HDR_MIN_END)
		return err_setx(ENOEXEC, "kernel image '%s': setup header too short", name);
	if (end > size)
		return err_setx(ENOEXEC, "kernel image '%s': truncated setup header", name);
	len = end - BZ_HDR_OFFSET;
	if (len > sizeof(*h))
		len = sizeof(*h);
	memcpy(h, b + BZ_HDR_OFFSET, len);
	return 0;
}

/*
 * Where the kernel decompresses itself and runs, as arch/x86/boot/compressed/
 * head_64.S computes it: the load address aligned up to kernel_alignment but
 * not below pref_address (LOAD_PHYSICAL_ADDR) if relocatable, else pref_address.
 */
static int bz_runtime_start(const struct setup_header *h, uint64_t load, const char *name,
			    uint64_t *start)
{
	uint64_t align = h->kernel_alignment;

	if (!h->relocatable_kernel) {
		*start = h->pref_address;
		return 0;
	}
	if (align == 0 || (align & (align - 1)) != 0)
		return err_setx(ENOEXEC,
				"kernel image '%s': kernel_alignment 0x%llx is not a power of two",
				name, (unsigned long long)align);
	*start = (load + align - 1) & ~(align - 1);
	if (*start < h->pref_address)
		*start = h->pref_address;
	return 0;
}

int x86_load_bzimage(struct guest_mem *mem, const void *img, size_t size, const char *name,
		     struct boot_params *zp, struct x86_kernel *k)
{
	const uint8_t *b = img;
	struct setup_header *h = &zp->hdr;
	const uint64_t load = X86_BZIMAGE_LOAD_ADDR;
	uint64_t low_end = x86_low_mem_end(mem), run = 0, end;
	size_t setup_size, pm_size;
	void *dst;
	int ret;

	ret = bz_copy_header(b, size, name, h);
	if (ret)
		return ret;
	if (!(h->xloadflags & XLF_KERNEL_64))
		return err_setx(ENOEXEC,
				"kernel image '%s': no 64-bit entry point (XLF_KERNEL_64 unset)",
				name);
	if (!(h->loadflags & LOADED_HIGH))
		return err_setx(ENOEXEC, "kernel image '%s': a zImage, not a bzImage", name);

	setup_size =
	    ((size_t)(h->setup_sects ? h->setup_sects : BZ_DEFAULT_SETUP_SECTS) + 1) * BZ_SECTOR;
	if (setup_size >= size)
		return err_setx(
		    ENOEXEC, "kernel image '%s': truncated (%zu bytes of setup, %zu bytes in all)",
		    name, setup_size, size);
	pm_size = size - setup_size;
	/* syssize (16-byte paragraphs) says how much protected-mode code the
	 * image holds: a file cut short would otherwise run whatever follows. */
	if ((uint64_t)h->syssize * 16 > pm_size)
		return err_setx(
		    ENOEXEC, "kernel image '%s': truncated (%zu bytes of kernel, header says %llu)",
		    name, pm_size, (unsigned long long)h->syssize * 16);

	ret = bz_runtime_start(h, load, name, &run);
	if (ret)
		return ret;
	/* pref_address comes from the file: compare without overflowing. */
	end = load + pm_size;
	if (run <= low_end && h->init_size <= low_end - run && run + h->init_size > end)
		end = run + h->init_size;
	dst = guest_mem_ptr(mem, load, pm_size);
	if (run > low_end || h->init_size > low_end - run || end > low_end || !dst)
		return err_setx(ENOMEM,
				"kernel image '%s': needs guest RAM up to 0x%llx (init_size 0x%x "
				"at 0x%llx), RAM ends at 0x%llx",
				name, (unsigned long long)end, h->init_size,
				(unsigned long long)run, (unsigned long long)low_end);
	memcpy(dst, b + setup_size, pm_size);

	h->type_of_loader = 0xff;
	h->code32_start = load;
	/* The setup code that uses the heap does not run on the 64-bit entry; the
	 * fields are still filled as the protocol asks. KEEP_SEGMENTS is obsolete. */
	h->loadflags |= CAN_USE_HEAP;
	h->heap_end_ptr = BZ_HEAP_END;

	k->entry = load + X86_BZIMAGE_ENTRY_OFFSET;
	k->start = load;
	k->end = end;
	k->initrd_max = h->initrd_addr_max;
	k->cmdline_max = h->cmdline_size;
	return 0;
}
