/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-balloon (device id 5, section 5.5) offering free page reporting only
 * (VIRTIO_BALLOON_F_REPORTING): the guest hands blocks of memory its page
 * allocator has free to the device, which gives the host pages behind them
 * back to the host kernel (guest_mem_discard) and returns the buffers. The
 * guest keeps owning that memory: its next touch faults in a zeroed page.
 *
 * Queues, numbered as Linux's virtio-mmio driver numbers them (it skips the
 * queues of features not negotiated): 0 inflateq, 1 deflateq, 2 reporting_vq.
 * The device never asks for pages (num_pages stays 0); whatever the guest
 * puts on inflateq or deflateq is returned untouched.
 */
#ifndef OZONE_VMM_VIRTIO_BALLOON_H
#define OZONE_VMM_VIRTIO_BALLOON_H

#include <stdint.h>
#include <stdio.h>

#include "devices/virtio_mmio.h"

#define VIRTIO_BALLOON_Q_INFLATE 0
#define VIRTIO_BALLOON_Q_DEFLATE 1
#define VIRTIO_BALLOON_Q_REPORTING 2

struct virtio_balloon;

extern const struct virtio_device_ops virtio_balloon_ops;

/*
 * `log` (NULL: silent) gets one line when the first memory comes back and
 * one each time the total given back since start doubles: a handful of
 * lines over a VM's life, whatever the guest does.
 */
int virtio_balloon_new(struct virtio_balloon **out, FILE *log);
void virtio_balloon_free(struct virtio_balloon *b);

/* Bytes given back to the host so far (whole guest pages). */
uint64_t virtio_balloon_discarded(const struct virtio_balloon *b);

#endif
