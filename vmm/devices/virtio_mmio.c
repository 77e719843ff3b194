/* SPDX-License-Identifier: Apache-2.0 */
#include "devices/virtio_mmio.h"

#include <endian.h>
#include <errno.h>
#include <string.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "common/error.h"

#define MMIO_MAGIC 0x74726976 /* "virt" */
#define MMIO_VERSION 2	      /* virtio 1.x; no legacy interface */

/* Features every device gets: the virtqueue code implements them for all. */
#define TRANSPORT_FEATURES                                                                         \
	((1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_RING_F_EVENT_IDX) |                        \
	 (1ULL << VIRTIO_RING_F_INDIRECT_DESC))

static uint64_t offered(const struct virtio_mmio *t)
{
	return t->ops->features | TRANSPORT_FEATURES;
}

static void lock(struct virtio_mmio *t)
{
	pthread_mutex_lock(&t->lock);
}

static void unlock(struct virtio_mmio *t)
{
	pthread_mutex_unlock(&t->lock);
}

static void raise_irq(struct virtio_mmio *t, uint32_t why)
{
	t->isr |= why;
	t->plat.irq(t->plat.opaque);
}

/* The selected queue, or NULL when QueueSel names no queue of this device. */
static struct virtio_mmio_queue *sel_queue(struct virtio_mmio *t)
{
	return t->queue_sel < t->ops->num_queues ? &t->q[t->queue_sel] : NULL;
}

/* The transport's side of a reset: everything the driver set up is forgotten. */
static void reset_state(struct virtio_mmio *t)
{
	t->status = 0;
	t->isr = 0;
	t->dev_features_sel = t->drv_features_sel = t->queue_sel = 0;
	t->drv_features = 0;
	t->active = false;
	memset(t->q, 0, sizeof(t->q));
	for (unsigned i = 0; i < t->ops->num_queues; i++)
		t->q[i].num = t->ops->queue_max;
}

static void reset(struct virtio_mmio *t)
{
	if (t->ops->reset)
		t->ops->reset(t);
	reset_state(t);
}

static bool pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

int virtio_mmio_init(struct virtio_mmio *t, const struct virtio_device_ops *ops, void *dev,
		     const struct guest_mem *mem, const struct virtio_mmio_platform *plat)
{
	pthread_mutexattr_t attr;

	memset(t, 0, sizeof(*t));
	if (ops->num_queues == 0 || ops->num_queues > VIRTIO_MMIO_MAX_QUEUES ||
	    !pow2(ops->queue_max) || ops->queue_max > VIRTQ_MAX_SIZE ||
	    ops->config_len > VIRTIO_MMIO_WINDOW - VIRTIO_MMIO_CONFIG || !ops->queue_notify ||
	    !plat->irq || !plat->kick)
		return err_setx(EINVAL, "virtio-%s: invalid device description", ops->name);
	/* Recursive: device callbacks run locked and may call the locking helpers. */
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&t->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	t->ops = ops;
	t->dev = dev;
	t->mem = mem;
	t->plat = *plat;
	reset_state(t);
	return 0;
}

void virtio_mmio_fini(struct virtio_mmio *t)
{
	pthread_mutex_destroy(&t->lock);
}

static void set_broken(struct virtio_mmio *t)
{
	if (t->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return;
	t->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	/* Section 2.1.2: a driver that is running learns of it through a config change interrupt.
	 */
	if (t->status & VIRTIO_CONFIG_S_DRIVER_OK)
		raise_irq(t, VIRTIO_MMIO_INT_CONFIG);
}

/*
 * QueueReady = 1: checks the rings the driver described and starts the queue.
 * Only between FEATURES_OK and DRIVER_OK (section 3.1.1): the rings' format
 * depends on the features, and once the device runs it may hold chains of a
 * queue that the driver stops. Restarting that queue with fresh rings would
 * forget them, so a device could be handed a queue's worth again and again
 * (no VIRTIO_F_RING_RESET is offered); a stopped queue stays stopped until
 * the device is reset, which drops what it held.
 */
static void queue_enable(struct virtio_mmio *t, struct virtio_mmio_queue *q)
{
	if (q->ready || !(t->status & VIRTIO_CONFIG_S_FEATURES_OK) ||
	    (t->status & VIRTIO_CONFIG_S_DRIVER_OK))
		return;
	if (virtq_init(&q->vq, t->mem, q->num, q->desc, q->driver, q->device, t->drv_features)) {
		set_broken(t);
		return;
	}
	q->ready = true;
}

/*
 * Status bits only accumulate (a driver may not clear one, section 2.1.2);
 * writing 0 resets. FEATURES_OK sticks only for an acceptable feature set,
 * DRIVER_OK only after FEATURES_OK, and it activates the device once.
 */
static void status_write(struct virtio_mmio *t, uint32_t v)
{
	uint32_t add;

	if (v == 0) {
		reset(t);
		return;
	}
	add = (v & 0xff & ~VIRTIO_CONFIG_S_NEEDS_RESET) & ~t->status;
	if (add & VIRTIO_CONFIG_S_FEATURES_OK) {
		uint64_t f = t->drv_features;

		if ((f & ~offered(t)) || !(f & (1ULL << VIRTIO_F_VERSION_1)))
			add &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	}
	if ((add & VIRTIO_CONFIG_S_DRIVER_OK) && !((t->status | add) & VIRTIO_CONFIG_S_FEATURES_OK))
		add &= ~VIRTIO_CONFIG_S_DRIVER_OK;
	t->status |= add;
	if ((add & VIRTIO_CONFIG_S_DRIVER_OK) && !(t->status & VIRTIO_CONFIG_S_NEEDS_RESET)) {
		int ret = t->ops->activate ? t->ops->activate(t) : 0;

		if (ret < 0)
			set_broken(t);
		else
			t->active = true;
	}
}

static void set_half(uint64_t *v, bool high, uint32_t half)
{
	if (high)
		*v = (*v & 0xffffffffULL) | (uint64_t)half << 32;
	else
		*v = (*v & ~0xffffffffULL) | half;
}

static void queue_write(struct virtio_mmio *t, uint32_t off, uint32_t v)
{
	struct virtio_mmio_queue *q = sel_queue(t);

	if (!q)
		return;
	if (off == VIRTIO_MMIO_QUEUE_READY) {
		if (v == 1)
			queue_enable(t, q);
		else if (v == 0)
			q->ready = false;
		return;
	}
	/* Section 4.2.2.2: the driver describes a queue only while it is not ready. */
	if (q->ready)
		return;
	switch (off) {
	case VIRTIO_MMIO_QUEUE_NUM:
		if (pow2(v) && v <= t->ops->queue_max)
			q->num = v;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		set_half(&q->desc, off == VIRTIO_MMIO_QUEUE_DESC_HIGH, v);
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		set_half(&q->driver, off == VIRTIO_MMIO_QUEUE_AVAIL_HIGH, v);
		break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		set_half(&q->device, off == VIRTIO_MMIO_QUEUE_USED_HIGH, v);
		break;
	}
}

static void reg_write(struct virtio_mmio *t, uint32_t off, uint32_t v)
{
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		t->dev_features_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		/* Section 3.1.1: features are written after DRIVER and before FEATURES_OK. */
		if ((t->status & VIRTIO_CONFIG_S_DRIVER) &&
		    !(t->status & VIRTIO_CONFIG_S_FEATURES_OK) && t->drv_features_sel < 2)
			set_half(&t->drv_features, t->drv_features_sel == 1, v);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		t->drv_features_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		t->queue_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		/* No ioeventfd caught this write: hand it to the event loop like one would. */
		if (v < t->ops->num_queues)
			t->plat.kick(t->plat.opaque, v);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		t->isr &= ~v;
		break;
	case VIRTIO_MMIO_STATUS:
		status_write(t, v);
		break;
	default:
		queue_write(t, off, v);
		break;
	}
}

static uint32_t reg_read(struct virtio_mmio *t, uint32_t off)
{
	struct virtio_mmio_queue *q = sel_queue(t);

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return MMIO_VERSION;
	case VIRTIO_MMIO_DEVICE_ID:
		return t->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (t->dev_features_sel > 1)
			return 0;
		return (uint32_t)(offered(t) >> (32 * t->dev_features_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return q ? t->ops->queue_max : 0; /* 0: no such queue */
	case VIRTIO_MMIO_QUEUE_READY:
		return q ? q->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return t->isr;
	case VIRTIO_MMIO_STATUS:
		return t->status;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return t->config_gen;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
		return 0xffffffff; /* no shared memory regions: length -1 (section 4.2.2) */
	default:
		return 0; /* write-only and reserved registers */
	}
}

/* Device config space: bounds-checked here, so devices only copy bytes. */
static void config_access(struct virtio_mmio *t, uint64_t off, uint8_t *data, uint32_t len,
			  bool is_write)
{
	bool ok = (len == 1 || len == 2 || len == 4 || len == 8) && off <= t->ops->config_len &&
		  len <= t->ops->config_len - off;

	if (is_write) {
		if (ok && t->ops->config_write)
			t->ops->config_write(t, (uint32_t)off, data, len);
		return;
	}
	memset(data, 0, len);
	if (ok && t->ops->config_read)
		t->ops->config_read(t, (uint32_t)off, data, len);
}

void virtio_mmio_access(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct virtio_mmio *t = opaque;
	uint32_t v;

	lock(t);
	if (offset >= VIRTIO_MMIO_CONFIG) {
		config_access(t, offset - VIRTIO_MMIO_CONFIG, data, len, is_write);
	} else if (len != 4 || offset % 4) {
		/* Section 4.2.2.2: registers take aligned 32-bit accesses only. */
		if (!is_write)
			memset(data, 0, len);
	} else if (is_write) {
		memcpy(&v, data, 4);
		reg_write(t, (uint32_t)offset, le32toh(v));
	} else {
		v = htole32(reg_read(t, (uint32_t)offset));
		memcpy(data, &v, 4);
	}
	unlock(t);
}

static bool queue_live(struct virtio_mmio *t, unsigned q)
{
	return q < t->ops->num_queues && t->active && t->q[q].ready &&
	       !(t->status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

void virtio_mmio_queue_notify(struct virtio_mmio *t, unsigned q)
{
	lock(t);
	if (queue_live(t, q)) {
		t->ops->queue_notify(t, q);
		if (t->q[q].vq.broken)
			set_broken(t);
	}
	unlock(t);
}

void virtio_mmio_lock(struct virtio_mmio *t)
{
	lock(t);
}

void virtio_mmio_unlock(struct virtio_mmio *t)
{
	unlock(t);
}

void *virtio_mmio_dev(struct virtio_mmio *t)
{
	return t->dev;
}

uint64_t virtio_mmio_features(struct virtio_mmio *t)
{
	uint64_t f;

	lock(t);
	f = t->drv_features;
	unlock(t);
	return f;
}

struct virtq *virtio_mmio_vq(struct virtio_mmio *t, unsigned q)
{
	struct virtq *vq = NULL;

	lock(t);
	if (queue_live(t, q))
		vq = &t->q[q].vq;
	unlock(t);
	return vq;
}

void virtio_mmio_used(struct virtio_mmio *t, unsigned q)
{
	lock(t);
	if (q < t->ops->num_queues && t->q[q].ready) {
		if (t->q[q].vq.broken)
			set_broken(t);
		else if (virtq_should_notify(&t->q[q].vq))
			raise_irq(t, VIRTIO_MMIO_INT_VRING);
	}
	unlock(t);
}

void virtio_mmio_kick(struct virtio_mmio *t, unsigned q)
{
	t->plat.kick(t->plat.opaque, q);
}

void virtio_mmio_config_changed(struct virtio_mmio *t)
{
	lock(t);
	t->config_gen++;
	if (t->status & VIRTIO_CONFIG_S_DRIVER_OK)
		raise_irq(t, VIRTIO_MMIO_INT_CONFIG);
	unlock(t);
}

void virtio_mmio_broken(struct virtio_mmio *t)
{
	lock(t);
	set_broken(t);
	unlock(t);
}
