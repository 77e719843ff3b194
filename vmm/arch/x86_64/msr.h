/* SPDX-License-Identifier: Apache-2.0 */
/* The MSRs a vCPU starts with, limited to those KVM lets us set. */
#ifndef OZONE_VMM_X86_MSR_H
#define OZONE_VMM_X86_MSR_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

#define MSR_IA32_ARCH_CAPABILITIES 0x10a

/* KVM_GET_MSR_INDEX_LIST into a new allocation (free() it). */
int x86_msr_index_list(int kvm_fd, struct kvm_msr_list **out);
bool x86_msr_listed(const struct kvm_msr_list *list, uint32_t index);
/*
 * Whether the guest may be told (CPUID 7.0 EDX[29]) that it has
 * IA32_ARCH_CAPABILITIES: KVM must list the MSR and hold a non-zero value for
 * this vCPU. PVM lists it but reads 0 and faults the guest's RDMSR.
 */
bool x86_msr_arch_caps_usable(int vcpu_fd, const struct kvm_msr_list *list);
/* Sets the boot MSRs (SYSENTER, SYSCALL, TSC, MISC_ENABLE, MTRR default type) on a vCPU. */
int x86_msr_setup(int vcpu_fd, const struct kvm_msr_list *list);

#endif
