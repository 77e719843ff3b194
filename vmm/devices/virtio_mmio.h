/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtio-mmio transport, version 2 (virtio 1.x, section 4.2), and the
 * interface every virtio device plugs into.
 *
 * A device is a table of operations (struct virtio_device_ops) and an opaque
 * pointer. The transport owns the register state and the queues; it calls the
 * device back when the driver is ready (activate), when a queue is kicked
 * (queue_notify, always on the event loop thread) and on reset.
 *
 * Locking: vCPU threads access the registers while the device runs on the
 * event loop thread. One recursive mutex per transport covers both: every
 * device callback runs with it held, and the helpers below take it too, so a
 * device may call them from its callbacks or from its own event handlers.
 *
 * The transport does not know about KVM: interrupts and deferred kicks go
 * through struct virtio_mmio_platform, so tests drive it with a fake one.
 * virtio_mmio_kvm.h binds it to a real VM.
 */
#ifndef OZONE_VMM_VIRTIO_MMIO_H
#define OZONE_VMM_VIRTIO_MMIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/virtqueue.h"
#include "guest_mem.h"

/* Size of one device's register window. */
#define VIRTIO_MMIO_WINDOW 0x1000
/* Most queues one device may have. */
#define VIRTIO_MMIO_MAX_QUEUES 8
/* VendorID register: "OZON" in little-endian ASCII. */
#define VIRTIO_MMIO_VENDOR 0x4e4f5a4f

struct virtio_mmio;

struct virtio_device_ops {
	const char *name;   /* for messages: "rng", "vsock", ... */
	uint32_t device_id; /* VIRTIO_ID_* from <linux/virtio_ids.h> */
	/* Device feature bits; the transport adds VERSION_1, EVENT_IDX and INDIRECT_DESC. */
	uint64_t features;
	unsigned num_queues; /* 1..VIRTIO_MMIO_MAX_QUEUES */
	uint16_t queue_max;  /* power of two, <= VIRTQ_MAX_SIZE */
	uint32_t config_len; /* bytes of device config space (<= 0xf00) */
	/* Config space access, already bounds-checked: [off, off + len) < config_len. NULL: reads
	 * 0. */
	void (*config_read)(struct virtio_mmio *t, uint32_t off, void *data, uint32_t len);
	void (*config_write)(struct virtio_mmio *t, uint32_t off, const void *data, uint32_t len);
	/* DRIVER_OK: features are final and the ready queues are set up. <0 marks the device
	 * broken. */
	int (*activate)(struct virtio_mmio *t);
	/* The driver kicked queue q (ready, device active). Runs on the event loop thread. */
	void (*queue_notify)(struct virtio_mmio *t, unsigned q);
	/* Device reset: forget every chain and all negotiated state. May be NULL. */
	void (*reset)(struct virtio_mmio *t);
};

/* What the transport needs from the machine it is plugged into. */
struct virtio_mmio_platform {
	/* Pulses the device's interrupt line; InterruptStatus is already updated. */
	void (*irq)(void *opaque);
	/*
	 * Has virtio_mmio_queue_notify(t, q) run later on the event loop thread:
	 * used for QueueNotify writes that reach the bus instead of an ioeventfd,
	 * and by devices that yield after a batch (virtio_mmio_kick).
	 */
	void (*kick)(void *opaque, unsigned q);
	void *opaque;
};

struct virtio_mmio_queue {
	uint16_t num;
	bool ready;
	uint64_t desc, driver, device; /* guest physical addresses */
	struct virtq vq;
};

/* Embeddable so that a platform binding can wrap it; devices use the functions below. */
struct virtio_mmio {
	pthread_mutex_t lock;
	const struct virtio_device_ops *ops;
	void *dev;
	const struct guest_mem *mem;
	struct virtio_mmio_platform plat;
	uint32_t status;
	uint32_t isr; /* InterruptStatus */
	uint32_t config_gen;
	uint32_t dev_features_sel, drv_features_sel, queue_sel;
	uint64_t drv_features;
	bool active; /* activate() succeeded since the last reset */
	struct virtio_mmio_queue q[VIRTIO_MMIO_MAX_QUEUES];
};

/* Validates `ops` and starts the transport in the reset state; 0 or -EINVAL. */
int virtio_mmio_init(struct virtio_mmio *t, const struct virtio_device_ops *ops, void *dev,
		     const struct guest_mem *mem, const struct virtio_mmio_platform *plat);
void virtio_mmio_fini(struct virtio_mmio *t);

/* The register window's bus handler (bus_access_fn); `opaque` is the transport. */
void virtio_mmio_access(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

/* Delivers a kick of queue q to the device if it is active; event loop thread. */
void virtio_mmio_queue_notify(struct virtio_mmio *t, unsigned q);

/* --- for devices --- */

void *virtio_mmio_dev(struct virtio_mmio *t);
/*
 * The transport lock, for device work outside its callbacks (e.g. a socket
 * handler that fills a receive queue): hold it while using a virtq.
 */
void virtio_mmio_lock(struct virtio_mmio *t);
void virtio_mmio_unlock(struct virtio_mmio *t);
/* The negotiated features (valid from activate() on). */
uint64_t virtio_mmio_features(struct virtio_mmio *t);
/* Queue q's ring, or NULL when q is not ready. */
struct virtq *virtio_mmio_vq(struct virtio_mmio *t, unsigned q);
/*
 * After pushing chains on queue q: interrupts the driver if it wants one, or
 * marks the device broken if the queue broke.
 */
void virtio_mmio_used(struct virtio_mmio *t, unsigned q);
/* Re-delivers queue q's notification later (to bound the work done per event). */
void virtio_mmio_kick(struct virtio_mmio *t, unsigned q);
/* The device changed its config space: bumps ConfigGeneration and interrupts. */
void virtio_mmio_config_changed(struct virtio_mmio *t);
/* Sets DEVICE_NEEDS_RESET and interrupts: the device stops until the driver resets it. */
void virtio_mmio_broken(struct virtio_mmio *t);

#endif
