/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An uncompressed ELF kernel (Linux's vmlinux, or the tiny test guest):
 * PT_LOAD segments go to their physical addresses and the vCPU enters at
 * e_entry in long mode, with RSI pointing at a zero page as for a bzImage.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "common/error.h"
#include "boot_internal.h"

static int elf_check_header(const Elf64_Ehdr *eh, size_t size, const char *name)
{
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_ident[EI_VERSION] != EV_CURRENT)
		return err_setx(ENOEXEC, "kernel image '%s': not a little-endian ELF64 file", name);
	if (eh->e_machine != EM_X86_64)
		return err_setx(ENOEXEC, "kernel image '%s': ELF machine %u is not x86_64", name,
				eh->e_machine);
	if (eh->e_type != ET_EXEC)
		return err_setx(ENOEXEC, "kernel image '%s': ELF type %u is not an executable",
				name, eh->e_type);
	/* An aligned table can be read in place (the image itself is page aligned). */
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 || eh->e_phnum == PN_XNUM ||
	    eh->e_phoff % _Alignof(Elf64_Phdr) != 0)
		return err_setx(ENOEXEC, "kernel image '%s': bad ELF program header table", name);
	/* e_phnum < 0xffff, so the product cannot overflow. */
	if (eh->e_phoff > size || (size_t)eh->e_phnum * sizeof(Elf64_Phdr) > size - eh->e_phoff)
		return err_setx(ENOEXEC,
				"kernel image '%s': ELF program headers beyond end of file", name);
	return 0;
}

/* Every check, before anything is copied: a bad image leaves guest memory untouched. */
static int elf_check_segment(const struct guest_mem *mem, const Elf64_Phdr *ph, unsigned i,
			     size_t size, const char *name)
{
	uint64_t low_end = x86_low_mem_end(mem);

	if (ph->p_filesz > ph->p_memsz)
		return err_setx(
		    ENOEXEC, "kernel image '%s': segment %u is larger in the file than in memory",
		    name, i);
	if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset)
		return err_setx(ENOEXEC, "kernel image '%s': segment %u extends beyond end of file",
				name, i);
	/* Below 1 MiB sit the zero page, page tables, command line and MP table. */
	if (ph->p_paddr < X86_HIMEM_START || ph->p_paddr > low_end ||
	    ph->p_memsz > low_end - ph->p_paddr || !guest_mem_ptr(mem, ph->p_paddr, ph->p_memsz))
		return err_setx(ENOEXEC,
				"kernel image '%s': segment %u [0x%llx, +0x%llx) is outside guest "
				"RAM [0x%llx, 0x%llx)",
				name, i, (unsigned long long)ph->p_paddr,
				(unsigned long long)ph->p_memsz,
				(unsigned long long)X86_HIMEM_START, (unsigned long long)low_end);
	return 0;
}

/* What an ELF kernel cannot tell us, filled in as a bzImage's header would be. */
static void elf_setup_header(struct boot_params *zp)
{
	struct setup_header *h = &zp->hdr;

	h->boot_flag = 0xaa55;
	h->header = 0x53726448; /* "HdrS" */
	h->type_of_loader = 0xff;
	h->kernel_alignment = 0x1000000;
	h->cmdline_size = X86_ELF_CMDLINE_MAX;
	h->initrd_addr_max = X86_ELF_INITRD_ADDR_MAX;
}

int x86_load_elf(struct guest_mem *mem, const void *img, size_t size, const char *name,
		 struct boot_params *zp, struct x86_kernel *k)
{
	const uint8_t *bytes = img;
	const Elf64_Ehdr *eh = img;
	const Elf64_Phdr *ph;
	uint64_t start = UINT64_MAX, end = 0;
	int entry_loaded = 0, ret;

	if (size < sizeof(*eh))
		return err_setx(ENOEXEC, "kernel image '%s': truncated ELF header", name);
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return err_setx(ENOEXEC, "kernel image '%s': not an ELF file", name);
	ret = elf_check_header(eh, size, name);
	if (ret)
		return ret;
	ph = (const Elf64_Phdr *)(bytes + eh->e_phoff);

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
			continue;
		ret = elf_check_segment(mem, &ph[i], i, size, name);
		if (ret)
			return ret;
		if (ph[i].p_paddr < start)
			start = ph[i].p_paddr;
		if (ph[i].p_paddr + ph[i].p_memsz > end)
			end = ph[i].p_paddr + ph[i].p_memsz;
		if (eh->e_entry >= ph[i].p_paddr && eh->e_entry - ph[i].p_paddr < ph[i].p_memsz)
			entry_loaded = 1;
	}
	if (end == 0)
		return err_setx(ENOEXEC, "kernel image '%s': no loadable ELF segment", name);
	/* Linux's vmlinux has a physical e_entry (phys_startup_64); so must other kernels. */
	if (!entry_loaded)
		return err_setx(
		    ENOEXEC, "kernel image '%s': entry point 0x%llx is not inside a loaded segment",
		    name, (unsigned long long)eh->e_entry);

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		uint8_t *dst;

		if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
			continue;
		dst = guest_mem_ptr(mem, ph[i].p_paddr, ph[i].p_memsz);
		memcpy(dst, bytes + ph[i].p_offset, ph[i].p_filesz);
		memset(dst + ph[i].p_filesz, 0, ph[i].p_memsz - ph[i].p_filesz);
	}

	elf_setup_header(zp);
	k->entry = eh->e_entry;
	k->start = start;
	k->end = end;
	k->initrd_max = zp->hdr.initrd_addr_max;
	k->cmdline_max = zp->hdr.cmdline_size;
	return 0;
}
