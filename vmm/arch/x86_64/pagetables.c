/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The boot page tables: the first 4 GiB identity-mapped with 2 MiB pages.
 * The 64-bit entry wants the kernel, zero page and command line mapped; the
 * kernel builds its own tables before it needs anything else. 2 MiB pages
 * need no CPUID feature (1 GiB pages do).
 */
#include <errno.h>
#include <string.h>

#include "common/error.h"
#include "boot_internal.h"

#define PTE_PRESENT (1ULL << 0)
#define PTE_WRITE (1ULL << 1)
#define PTE_PS (1ULL << 7) /* in a PD entry: a 2 MiB page */
#define PT_ENTRIES 512
#define PT_SIZE (PT_ENTRIES * sizeof(uint64_t))
#define PD_COUNT 4 /* one per GiB */
#define HUGE_2M (2ULL << 20)

int x86_pagetables_write(struct guest_mem *mem)
{
	uint64_t *pml4 = guest_mem_ptr(mem, X86_PML4_ADDR, PT_SIZE);
	uint64_t *pdpt = guest_mem_ptr(mem, X86_PDPT_ADDR, PT_SIZE);
	uint64_t *pd = guest_mem_ptr(mem, X86_PD_ADDR, PD_COUNT * PT_SIZE);

	if (!pml4 || !pdpt || !pd)
		return err_setx(ENOMEM, "boot page tables: guest memory too small");
	memset(pml4, 0, PT_SIZE);
	memset(pdpt, 0, PT_SIZE);
	pml4[0] = X86_PDPT_ADDR | PTE_PRESENT | PTE_WRITE;
	for (unsigned i = 0; i < PD_COUNT; i++)
		pdpt[i] = (X86_PD_ADDR + i * PT_SIZE) | PTE_PRESENT | PTE_WRITE;
	/* The PDs are contiguous: entry n maps the n-th 2 MiB of the address space. */
	for (unsigned n = 0; n < PD_COUNT * PT_ENTRIES; n++)
		pd[n] = n * HUGE_2M | PTE_PRESENT | PTE_WRITE | PTE_PS;
	return 0;
}
