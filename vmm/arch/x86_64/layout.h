/* SPDX-License-Identifier: Apache-2.0 */
/* The x86_64 guest physical memory map. */
#ifndef OZONE_VMM_X86_LAYOUT_H
#define OZONE_VMM_X86_LAYOUT_H

#define X86_GDT_ADDR 0x500ULL
#define X86_ZERO_PAGE_ADDR 0x7000ULL /* struct boot_params */
#define X86_PVH_START_INFO_ADDR 0x6000ULL
#define X86_PML4_ADDR 0x9000ULL /* identity page tables: PML4, PDPT, PDs follow */
#define X86_PDPT_ADDR 0xa000ULL
#define X86_PD_ADDR 0xb000ULL /* 4 PDs, [0xb000, 0xf000): the first 4 GiB */
#define X86_CMDLINE_ADDR 0x20000ULL
#define X86_CMDLINE_MAX 0x10000ULL
#define X86_BOOT_STACK_ADDR 0x8ff0ULL
#define X86_EBDA_START 0x9fc00ULL   /* MP table lives here, up to X86_HIMEM_START */
#define X86_HIMEM_START 0x100000ULL /* kernels load at 1 MiB or above */

/*
 * Boot GDT selectors, as the 64-bit boot protocol (Documentation/x86/boot.rst)
 * requires: __BOOT_CS = 0x10, __BOOT_DS = 0x18. The TSS takes two slots.
 */
#define X86_BOOT_CS 0x10
#define X86_BOOT_DS 0x18
#define X86_BOOT_TSS 0x20

/* The 32-bit hole: [3 GiB, 4 GiB) is not RAM. */
#define X86_MMIO_HOLE_START 0xc0000000ULL
#define X86_MMIO_HOLE_END 0x100000000ULL
#define X86_VIRTIO_MMIO_BASE 0xd0000000ULL
#define X86_VIRTIO_MMIO_SIZE 0x1000ULL
#define X86_IOAPIC_ADDR 0xfec00000ULL
#define X86_LAPIC_ADDR 0xfee00000ULL

/* GSIs: 4 is the serial port; virtio-mmio devices take 5 and up (skipping 8). */
#define X86_SERIAL_GSI 4
#define X86_VIRTIO_FIRST_GSI 5

/*
 * The exit port: a guest write here ends the VM. 0 = power off (exit 0),
 * 1 = kernel panic (non-zero exit). Our kernel writes it from its power-off
 * and panic paths (ozone_exit_port= on its command line); the tiny test guest
 * uses it too, and QEMU's isa-debug-exit device listens on the same port.
 */
#define X86_EXIT_PORT 0x501
#define X86_EXIT_POWEROFF 0
#define X86_EXIT_PANIC 1

#endif
