/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The monitor's seccomp allowlists, one per kind of thread. Each thread
 * installs its own filter (without TSYNC) before it runs guest work, so a
 * vCPU thread cannot open a file and a FUSE worker cannot run KVM_RUN;
 * whatever a filter does not allow kills the whole process. Filters stack:
 * a thread inherits the filter of the thread that created it, so the main
 * thread installs its own only after it has started every other thread.
 */
#ifndef OZONE_VMM_SECCOMP_POLICY_H
#define OZONE_VMM_SECCOMP_POLICY_H

#include <stdbool.h>

enum vmm_thread_kind {
	VMM_THREAD_MAIN, /* the event loop: devices' host side, signals, teardown */
	VMM_THREAD_VCPU, /* KVM_RUN and the MMIO/PIO handlers it calls */
	VMM_THREAD_FS,	 /* virtio-fs workers: the FUSE server's file system calls */
	VMM_THREAD_KIND_COUNT,
};

/* Turns filtering on for the threads that call seccomp_policy_apply() from now on. */
void seccomp_policy_enable(void);
bool seccomp_policy_enabled(void);

/*
 * Installs the filter of `kind` on the calling thread, when enabled
 * (otherwise 0 at once). 0 or -errno with a message.
 */
int seccomp_policy_apply(enum vmm_thread_kind kind);

#endif
