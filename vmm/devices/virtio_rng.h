/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-rng (device id 4, section 5.4): one queue of device-writable
 * buffers that the device fills with bytes from the host's getrandom().
 */
#ifndef OZONE_VMM_VIRTIO_RNG_H
#define OZONE_VMM_VIRTIO_RNG_H

#include "devices/virtio_mmio.h"

/* Most bytes given for one chain: a guest cannot make one request drain the host pool. */
#define VIRTIO_RNG_MAX_CHAIN (64 * 1024)

struct virtio_rng;

extern const struct virtio_device_ops virtio_rng_ops;

int virtio_rng_new(struct virtio_rng **out);
void virtio_rng_free(struct virtio_rng *rng);

#endif
