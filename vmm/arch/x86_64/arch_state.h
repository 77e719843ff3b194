/* SPDX-License-Identifier: Apache-2.0 */
/* The x86_64 state behind vm->arch and vcpu->arch (vmm/arch/arch.h). */
#ifndef OZONE_VMM_X86_ARCH_STATE_H
#define OZONE_VMM_X86_ARCH_STATE_H

#include <linux/kvm.h>
#include <stdbool.h>

#include "arch/arch.h"
#include "arch/x86_64/boot.h"
#include "arch/x86_64/exit_state.h"

struct arch_vm {
	struct x86_boot_info boot; /* vCPU 0's entry state (arch_boot_load) */
	/* Between arch_vcpus_prepare() and arch_vcpus_release(): */
	struct kvm_cpuid2 *cpuid;  /* KVM_GET_SUPPORTED_CPUID */
	struct kvm_msr_list *msrs; /* KVM_GET_MSR_INDEX_LIST */
	bool tsc_deadline;	   /* KVM_CAP_TSC_DEADLINE_TIMER */
	bool sync_regs;		   /* KVM_CAP_SYNC_REGS has KVM_SYNC_X86_REGS and _SREGS */
};

struct arch_vcpu {
	struct x86_last_exit last_exit;
};

#endif
