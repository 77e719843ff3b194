/* SPDX-License-Identifier: Apache-2.0 */
#include "arch/x86_64/exit_state.h"

#include <stdarg.h>
#include <stdio.h>

void x86_last_exit_record(struct x86_last_exit *e, const struct kvm_run *run, bool synced)
{
	e->seen = true;
	e->reason = run->exit_reason;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		e->write = run->io.direction == KVM_EXIT_IO_OUT;
		e->size = run->io.size;
		e->port = run->io.port;
		break;
	case KVM_EXIT_MMIO:
		e->write = run->mmio.is_write;
		e->size = (uint8_t)run->mmio.len;
		e->addr = run->mmio.phys_addr;
		break;
	default:
		break;
	}
	e->regs_known = synced;
	if (!synced)
		return;
	e->rip = run->s.regs.regs.rip;
	e->rsp = run->s.regs.regs.rsp;
	e->rflags = run->s.regs.regs.rflags;
	e->cr0 = run->s.regs.sregs.cr0;
	e->cr3 = run->s.regs.sregs.cr3;
	e->cr4 = run->s.regs.sregs.cr4;
	e->efer = run->s.regs.sregs.efer;
	e->cs = run->s.regs.sregs.cs.selector;
	e->cs_base = run->s.regs.sregs.cs.base;
}

/* Appends to buf at *pos, never past len; *pos may run past len (then the text is cut). */
__attribute__((format(printf, 4, 5))) static void put(char *buf, size_t len, size_t *pos,
						      const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*pos < len ? buf + *pos : NULL, *pos < len ? len - *pos : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos += (size_t)n;
}

static void put_exit(char *buf, size_t len, size_t *pos, const struct x86_last_exit *e)
{
	switch (e->reason) {
	case KVM_EXIT_IO:
		put(buf, len, pos, "an I/O %s port 0x%x", e->write ? "write to" : "read from",
		    e->port);
		break;
	case KVM_EXIT_MMIO:
		put(buf, len, pos, "an MMIO %s 0x%llx", e->write ? "write to" : "read from",
		    (unsigned long long)e->addr);
		break;
	case KVM_EXIT_HLT:
		put(buf, len, pos, "a HLT");
		break;
	case KVM_EXIT_INTR:
		put(buf, len, pos, "a signal");
		break;
	default:
		put(buf, len, pos, "KVM exit reason %u", e->reason);
		break;
	}
}

void x86_shutdown_msg(char *buf, size_t len, const struct x86_last_exit *e, bool synced,
		      bool now_known, uint64_t rip_now)
{
	size_t pos = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	put(buf, len, &pos, "triple fault (the guest is reset; ");
	if (!e->seen) {
		put(buf, len, &pos, "no exit before it, registers unknown");
	} else {
		put(buf, len, &pos, "its last exit, ");
		put_exit(buf, len, &pos, e);
		if (e->regs_known)
			put(buf, len, &pos,
			    ", was at RIP 0x%llx RSP 0x%llx RFLAGS 0x%llx CR0 0x%llx CR3 0x%llx "
			    "CR4 0x%llx EFER 0x%llx CS 0x%x base 0x%llx",
			    (unsigned long long)e->rip, (unsigned long long)e->rsp,
			    (unsigned long long)e->rflags, (unsigned long long)e->cr0,
			    (unsigned long long)e->cr3, (unsigned long long)e->cr4,
			    (unsigned long long)e->efer, e->cs, (unsigned long long)e->cs_base);
		else
			put(buf, len, &pos, ", registers unknown%s",
			    synced ? "" : ": no KVM_CAP_SYNC_REGS");
	}
	if (now_known)
		put(buf, len, &pos, "; RIP now 0x%llx)", (unsigned long long)rip_now);
	else
		put(buf, len, &pos, ")");
}
