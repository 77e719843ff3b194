/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The boot vCPU's state for the 64-bit boot protocol (Documentation/x86/
 * boot.rst): long mode with paging on, CS = __BOOT_CS (0x10), DS = ES = SS =
 * __BOOT_DS (0x18), both 4 GiB flat, interrupts off, RSI = zero page. The GDT
 * in guest memory is encoded from the very segments loaded into the vCPU, so
 * the two cannot disagree when the kernel reloads a selector.
 */
#include <errno.h>
#include <string.h>

#include "common/error.h"
#include "boot.h"
#include "boot_internal.h"

#define CR0_PE (1ULL << 0)
#define CR0_ET (1ULL << 4)
#define CR0_NE (1ULL << 5)
#define CR0_PG (1ULL << 31)
#define CR4_PAE (1ULL << 5)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define RFLAGS_RESERVED (1ULL << 1) /* always 1; IF stays 0 */

/* Segment types with the accessed bit set, as VMX requires of usable segments. */
#define SEG_CODE_XR 0xb
#define SEG_DATA_RW 0x3
#define SEG_TSS_BUSY 0xb /* 64-bit TSS; loaded into TR, hence busy */
#define SEG_LDT 0x2

static const struct kvm_segment boot_code = {
    .limit = 0xffffffff,
    .selector = X86_BOOT_CS,
    .type = SEG_CODE_XR,
    .present = 1,
    .s = 1,
    .l = 1,
    .g = 1,
};

static const struct kvm_segment boot_data = {
    .limit = 0xffffffff,
    .selector = X86_BOOT_DS,
    .type = SEG_DATA_RW,
    .present = 1,
    .db = 1,
    .s = 1,
    .g = 1,
};

/* KVM wants a valid TR; the kernel loads its own before any privilege change. */
static const struct kvm_segment boot_tss = {
    .limit = 0x67,
    .selector = X86_BOOT_TSS,
    .type = SEG_TSS_BUSY,
    .present = 1,
};

/* An empty LDT, as after reset: nothing uses it before the kernel sets its own. */
static const struct kvm_segment boot_ldt = {
    .limit = 0xffff,
    .type = SEG_LDT,
    .present = 1,
};

static uint64_t gdt_desc(const struct kvm_segment *s)
{
	uint64_t limit = s->g ? s->limit >> 12 : s->limit;

	return (limit & 0xffff) | (s->base & 0xffffffULL) << 16 | (uint64_t)(s->type & 0xf) << 40 |
	       (uint64_t)(s->s & 1) << 44 | (uint64_t)(s->dpl & 3) << 45 |
	       (uint64_t)(s->present & 1) << 47 | ((limit >> 16) & 0xf) << 48 |
	       (uint64_t)(s->avl & 1) << 52 | (uint64_t)(s->l & 1) << 53 |
	       (uint64_t)(s->db & 1) << 54 | (uint64_t)(s->g & 1) << 55 |
	       ((s->base >> 24) & 0xff) << 56;
}

int x86_gdt_write(struct guest_mem *mem)
{
	uint64_t gdt[X86_GDT_ENTRIES] = {0};

	gdt[X86_BOOT_CS / 8] = gdt_desc(&boot_code);
	gdt[X86_BOOT_DS / 8] = gdt_desc(&boot_data);
	/* A system descriptor is 16 bytes in long mode: base bits 32-63 follow. */
	gdt[X86_BOOT_TSS / 8] = gdt_desc(&boot_tss);
	gdt[X86_BOOT_TSS / 8 + 1] = boot_tss.base >> 32;
	if (guest_mem_write(mem, X86_GDT_ADDR, gdt, sizeof(gdt)))
		return err_setx(ENOMEM, "boot GDT: guest memory too small");
	return 0;
}

void x86_boot_sregs(struct kvm_sregs *sregs)
{
	sregs->cs = boot_code;
	sregs->ds = boot_data;
	sregs->es = boot_data;
	sregs->fs = boot_data;
	sregs->gs = boot_data;
	sregs->ss = boot_data;
	sregs->tr = boot_tss;
	sregs->ldt = boot_ldt;
	sregs->gdt.base = X86_GDT_ADDR;
	sregs->gdt.limit = X86_GDT_ENTRIES * sizeof(uint64_t) - 1;
	/* No IDT: an exception before the kernel installs its own is a triple
	 * fault, which the VMM sees as a shutdown rather than a hang. */
	sregs->idt.base = 0;
	sregs->idt.limit = 0;
	/* Exactly these bits: the reset value's CD and NW (caches off) go. */
	sregs->cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG;
	sregs->cr3 = X86_PML4_ADDR;
	sregs->cr4 = CR4_PAE;
	sregs->efer = EFER_LME | EFER_LMA;
}

void x86_boot_regs(struct kvm_regs *regs, const struct x86_boot_info *info)
{
	memset(regs, 0, sizeof(*regs));
	regs->rflags = RFLAGS_RESERVED;
	regs->rip = info->entry;
	regs->rsi = info->zero_page;
	regs->rsp = info->stack;
	regs->rbp = info->stack;
}
