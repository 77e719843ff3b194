/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A vCPU's last exit, kept so that a triple fault can say where the guest
 * was. On AMD (SVM) KVM resets the vCPU before it reports the shutdown, so
 * the registers at KVM_EXIT_SHUTDOWN are the reset ones (RIP 0xfff0); the
 * exit before it is the last state the VMM saw. With KVM_CAP_SYNC_REGS
 * (kvm_run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS) KVM
 * copies the registers into kvm_run->s.regs on every exit, without an
 * ioctl; without it only the exit itself is known.
 */
#ifndef OZONE_VMM_X86_EXIT_STATE_H
#define OZONE_VMM_X86_EXIT_STATE_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct x86_last_exit {
	bool seen;	 /* an exit was recorded */
	bool regs_known; /* the registers below are from that exit */
	uint32_t reason; /* KVM_EXIT_* */
	bool write;	 /* I/O or MMIO: the guest wrote */
	uint8_t size;	 /* I/O: bytes per item; MMIO: bytes */
	uint16_t port;	 /* KVM_EXIT_IO */
	uint64_t addr;	 /* KVM_EXIT_MMIO: guest physical address */
	uint64_t rip;
	uint64_t rsp;
	uint64_t rflags;
	uint64_t cr0;
	uint64_t cr3;
	uint64_t cr4;
	uint64_t efer;
	uint16_t cs; /* selector */
	uint64_t cs_base;
};

/* Copies what `run`'s current exit says; the registers only if `synced` (KVM fills s.regs). */
void x86_last_exit_record(struct x86_last_exit *e, const struct kvm_run *run, bool synced);

/*
 * Formats the text after "vCPU N: " for a shutdown:
 *   triple fault (the guest is reset; its last exit, an I/O write to port
 *   0x3f8, was at RIP 0x... RSP 0x... RFLAGS 0x... CR0 0x... CR3 0x... CR4
 *   0x... EFER 0x... CS 0x10 base 0x0; RIP now 0xfff0)
 * (one line). `synced`: whether KVM syncs registers at all, which tells an
 * exit without registers ("registers unknown: no KVM_CAP_SYNC_REGS") from
 * no exit at all. `rip_now` is printed when `now_known`.
 */
void x86_shutdown_msg(char *buf, size_t len, const struct x86_last_exit *e, bool synced,
		      bool now_known, uint64_t rip_now);

#endif
