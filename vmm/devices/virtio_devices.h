/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The table of virtio devices: the one place that knows which devices a VM
 * gets. Each device lives in its own file pair and is created from here.
 */
#ifndef OZONE_VMM_VIRTIO_DEVICES_H
#define OZONE_VMM_VIRTIO_DEVICES_H

#include "config.h"
#include "vm.h"

/* Creates every configured virtio device on `vm` (before the vCPUs start). */
/*
 * Sets RLIMIT_NOFILE to what the configured devices need (the FUSE
 * servers' fds and the VMM's own); setup calls it, and a monitor that drops
 * capabilities first calls it before. Returns the soft limit in force.
 */
unsigned long virtio_devices_set_fd_limit(const struct vmm_config *cfg);
int virtio_devices_setup(struct vm *vm, const struct vmm_config *cfg);
/* Stops and frees them (after the vCPUs and the event loop have stopped). */
void virtio_devices_teardown(struct vm *vm);

#endif
