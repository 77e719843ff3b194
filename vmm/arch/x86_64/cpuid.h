/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CPUID a vCPU shows: what KVM supports, with this vCPU's APIC id and
 * the VM's topology (one thread per core, every vCPU a core of one socket),
 * the hypervisor leaves, and features we do not emulate taken out.
 */
#ifndef OZONE_VMM_X86_CPUID_H
#define OZONE_VMM_X86_CPUID_H

#include <linux/kvm.h>
#include <stdbool.h>

struct x86_cpuid_opts {
	unsigned cpu;	    /* this vCPU's index, which is also its APIC id */
	unsigned ncpus;	    /* vCPUs in the VM */
	bool arch_caps_msr; /* KVM lets us access MSR 0x10a: offer ARCH_CAPABILITIES */
	bool tsc_deadline;  /* KVM emulates the LAPIC TSC-deadline timer */
};

/* KVM_GET_SUPPORTED_CPUID into a new allocation (free() it). */
int x86_cpuid_supported(int kvm_fd, struct kvm_cpuid2 **out);

/* Returns a new table (free() it) for one vCPU, built from `supported`. */
int x86_cpuid_for_vcpu(const struct kvm_cpuid2 *supported, const struct x86_cpuid_opts *o,
		       struct kvm_cpuid2 **out);

#endif
