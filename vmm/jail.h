/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The monitor's confinement, built in (what Firecracker's jailer does from
 * outside). Three steps, in this order:
 *
 *  1. jail_enter(), before anything is opened: new mount, IPC and UTS
 *     namespaces, and a pivot_root into a tmpfs mounted on the per-sandbox
 *     jail directory that holds only what this VMM serves: /dev/kvm, the
 *     kernel and initrd (read-only), each shared directory under /fs/<n>,
 *     the directory of the vsock socket under /vsock. The paths in the
 *     configuration are rewritten to those inside the jail.
 *  2. jail_lock_down(), right after, before any thread starts: no_new_privs,
 *     not dumpable, the bounding set and every capability dropped but the
 *     few the FUSE server needs to serve a root-owned tree as its owners see
 *     it (none without --fs). These are per thread in Linux and a thread
 *     inherits its creator's, so every thread (vCPUs, FUSE workers) starts
 *     confined; nothing that builds the VM needs what is dropped.
 *  3. seccomp filters per thread kind (seccomp_policy.h), each installed by
 *     the thread itself before it runs guest work.
 *
 * See docs/security.md for the list and the reasons.
 */
#ifndef OZONE_VMM_JAIL_H
#define OZONE_VMM_JAIL_H

#include <stdbool.h>

#include "config.h"

/*
 * Closes every fd above stderr but the taps of cfg's NICs (--net fd=N):
 * nothing a caller leaked reaches the guest's monitor.
 */
void jail_close_stray_fds(const struct vmm_config *cfg);

/*
 * Enters the jail at dir (an empty directory the caller made for this
 * sandbox) and rewrites cfg's paths to those inside it. The strings it
 * writes into cfg are static storage. 0 or -errno with a message.
 */
int jail_enter(const char *dir, struct vmm_config *cfg);

/*
 * Sets no_new_privs, clears the dumpable flag and drops capabilities (the
 * bounding set too); keep_fs keeps the FUSE server's few. Call it while the
 * process has one thread: it confines only the calling thread and those it
 * creates afterwards.
 */
int jail_lock_down(bool keep_fs);

#endif
