/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Binds a virtio-mmio transport to a real VM: a 4 KiB register window on the
 * MMIO bus (announced on the kernel command line), one KVM_IRQFD eventfd for
 * the device's GSI, and per queue one eventfd that KVM_IOEVENTFD signals on
 * a QueueNotify write of that queue's index and the event loop watches.
 */
#ifndef OZONE_VMM_VIRTIO_MMIO_KVM_H
#define OZONE_VMM_VIRTIO_MMIO_KVM_H

#include "devices/virtio_mmio.h"
#include "vm.h"

/*
 * Plugs device `dev` into `vm` (before its vCPUs start; vm->loop must exist).
 * The caller keeps owning `dev` and frees it after virtio_mmio_destroy().
 */
int virtio_mmio_create(struct vm *vm, const struct virtio_device_ops *ops, void *dev,
		       struct virtio_mmio **out);
/* Frees a transport made by virtio_mmio_create(); before evloop_destroy(vm->loop). */
void virtio_mmio_destroy(struct virtio_mmio *t);

#endif
