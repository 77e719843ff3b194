/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vCPUs: one thread each, running KVM_RUN and dispatching port I/O and MMIO
 * exits to the VM's buses. vCPU 0 starts at the kernel's entry point; the
 * others wait for the INIT/SIPI that the guest sends through the in-kernel
 * LAPIC.
 */
#ifndef OZONE_VMM_VCPU_H
#define OZONE_VMM_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "vm.h"

struct vcpu {
	struct vm *vm;
	unsigned id;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	pthread_t thread;
	_Atomic bool started;	/* its thread runs (read by kicks from other threads) */
	struct arch_vcpu *arch; /* arch/arch.h */
};

/*
 * Creates and configures vm->ncpus vCPUs (vm->vcpus); vCPU 0 gets the entry
 * state that arch_boot_load() left.
 */
int vcpus_create(struct vm *vm);
/* Starts one thread per vCPU. On failure the threads already started are stopped. */
int vcpus_start(struct vm *vm);
/* Makes every running vCPU leave KVM_RUN and look at vm->exit_reason. */
void vcpus_kick(struct vm *vm);
/* Kicks and joins the vCPU threads (vm->exit_reason must already be set). */
void vcpus_stop(struct vm *vm);
/* Closes and unmaps every vCPU and frees vm->vcpus. */
void vcpus_destroy(struct vm *vm);

#endif
