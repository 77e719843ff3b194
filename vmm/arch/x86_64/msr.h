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
/* Sets the boot MSRs (SYSENTER, SYSCALL, TSC, MISC_ENABLE, MTRR default type) on a vCPU. */
int x86_msr_setup(int vcpu_fd, const struct kvm_msr_list *list);

#endif
