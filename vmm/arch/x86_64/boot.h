/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Direct kernel boot on x86_64: no BIOS, no bootloader. The kernel (an ELF
 * vmlinux or a bzImage) and the initrd are placed in guest memory with a
 * zero page (struct boot_params with an e820 map and the command line),
 * identity-mapped page tables and a GDT, so the boot vCPU starts in long
 * mode at the kernel's 64-bit entry point with RSI pointing at the zero page.
 */
#ifndef OZONE_VMM_X86_BOOT_H
#define OZONE_VMM_X86_BOOT_H

#include <stdint.h>
#include <linux/kvm.h>

#include "guest_mem.h"

struct x86_boot_info {
	uint64_t entry;	    /* guest physical 64-bit entry point */
	uint64_t zero_page; /* guest physical address of boot_params (RSI) */
	uint64_t stack;	    /* initial RSP */
};

/*
 * Loads `kernel_path` (ELF or bzImage; anything else: -ENOEXEC with a clear
 * message), the optional initrd, and writes the command line, zero page,
 * page tables and GDT. Returns 0 or -errno with err_set() called.
 */
int x86_boot_load(struct guest_mem *mem, const char *kernel_path, const char *initrd_path,
		  const char *cmdline, struct x86_boot_info *out);

/* Writes an Intel MP table describing `ncpus` CPUs (APIC ids 0..n-1), an IOAPIC and ISA IRQs. */
int x86_mptable_write(struct guest_mem *mem, unsigned ncpus);

/* Boot vCPU state: long mode, paging on, flat 64-bit code/data segments. */
void x86_boot_sregs(struct kvm_sregs *sregs);
void x86_boot_regs(struct kvm_regs *regs, const struct x86_boot_info *info);

#endif
