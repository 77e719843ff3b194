/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-mmio transport tests: the test is the guest driver, poking the
 * registers through the bus handler, with a fake platform that counts
 * interrupts and kicks and a fake device that records its callbacks.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "devices/virtio_mmio.h"
#include "guest_mem.h"
#include "virtio_fixture.h"

#define MEM_SIZE (1 << 20)
#define DESC 0x1000
#define AVAIL 0x2000
#define USED 0x3000
#define BUF 0x10000
#define QMAX 16
#define DEV_FEATURE (1ULL << 5)

#define S_ACK VIRTIO_CONFIG_S_ACKNOWLEDGE
#define S_DRIVER VIRTIO_CONFIG_S_DRIVER
#define S_FEAT VIRTIO_CONFIG_S_FEATURES_OK
#define S_OK VIRTIO_CONFIG_S_DRIVER_OK

struct fixture {
	uint8_t *mem;
	struct guest_mem gm;
	struct virtio_mmio t;
	/* fake platform */
	struct vfx_platform plat;
	/* fake device */
	unsigned activates, resets, notifies, last_notify;
	int activate_ret;
	uint8_t config[8];
	struct virtq_chain chain;
};

static void dev_config_read(struct virtio_mmio *t, uint32_t off, void *data, uint32_t len)
{
	struct fixture *f = virtio_mmio_dev(t);

	assert_true(off + len <= sizeof(f->config));
	memcpy(data, f->config + off, len);
}

static void dev_config_write(struct virtio_mmio *t, uint32_t off, const void *data, uint32_t len)
{
	struct fixture *f = virtio_mmio_dev(t);

	assert_true(off + len <= sizeof(f->config));
	memcpy(f->config + off, data, len);
}

static int dev_activate(struct virtio_mmio *t)
{
	struct fixture *f = virtio_mmio_dev(t);

	f->activates++;
	return f->activate_ret;
}

/* Echoes every chain back with its writable length, like a trivial device. */
static void dev_queue_notify(struct virtio_mmio *t, unsigned q)
{
	struct fixture *f = virtio_mmio_dev(t);
	struct virtq *vq = virtio_mmio_vq(t, q);

	f->notifies++;
	f->last_notify = q;
	assert_non_null(vq);
	while (virtq_pop(vq, &f->chain) == 1)
		virtq_push(vq, f->chain.head, f->chain.in_len);
	virtio_mmio_used(t, q);
}

static void dev_reset(struct virtio_mmio *t)
{
	((struct fixture *)virtio_mmio_dev(t))->resets++;
}

static const struct virtio_device_ops test_ops = {
    .name = "test",
    .device_id = 42,
    .features = DEV_FEATURE,
    .num_queues = 2,
    .queue_max = QMAX,
    .config_len = 8,
    .config_read = dev_config_read,
    .config_write = dev_config_write,
    .activate = dev_activate,
    .queue_notify = dev_queue_notify,
    .reset = dev_reset,
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->mem = vfx_mem_new(&f->gm, MEM_SIZE);
	assert_non_null(f->mem);
	assert_int_equal(
	    virtio_mmio_init(&f->t, &test_ops, f, &f->gm,
			     &(struct virtio_mmio_platform){vfx_irq, vfx_kick, &f->plat}),
	    0);
	memcpy(f->config, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	virtio_mmio_fini(&f->t);
	free(f->mem);
	free(f);
	return 0;
}

static void write_features(struct fixture *f, uint64_t features)
{
	vfx_wr(&f->t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vfx_wr(&f->t, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	vfx_wr(&f->t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vfx_wr(&f->t, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
}

static void setup_queue(struct fixture *f, unsigned q, uint32_t num, uint64_t desc)
{
	vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_SEL, q);
	vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_NUM, num);
	vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_AVAIL_LOW, AVAIL + q * 0x8000);
	vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
	vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_USED_LOW, USED + q * 0x8000);
	vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
	vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_READY, 1);
}

/* Section 3.1.1, as Linux's virtio_mmio driver does it. */
static void driver_init(struct fixture *f, uint64_t features)
{
	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, 0);
	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, S_ACK);
	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER);
	write_features(f, features);
	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEAT);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_STATUS), S_ACK | S_DRIVER | S_FEAT);
	setup_queue(f, 0, 8, DESC);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_QUEUE_READY), 1);
	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEAT | S_OK);
}

static const uint64_t std_features = (1ULL << VIRTIO_F_VERSION_1) | DEV_FEATURE;

/* The driver offers one writable buffer of 32 bytes on queue 0. */
static void offer_buffer(struct fixture *f)
{
	struct vring_desc *d = (struct vring_desc *)(f->mem + DESC);
	struct vring_avail *a = (struct vring_avail *)(f->mem + AVAIL);

	d[0] = (struct vring_desc){.addr = BUF, .len = 32, .flags = VRING_DESC_F_WRITE};
	a->ring[a->idx % 8] = 0;
	a->idx++;
}

static void test_identity(void **state)
{
	struct fixture *f = *state;
	uint8_t b[8];

	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_VERSION), 2);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_DEVICE_ID), 42);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_VENDOR_ID), VIRTIO_MMIO_VENDOR);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_QUEUE_NUM_MAX), QMAX);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffff);
	assert_int_equal(vfx_rd(&f->t, 0x0f8), 0); /* reserved */

	/* Registers take aligned 32-bit accesses only. */
	memset(b, 0xaa, sizeof(b));
	virtio_mmio_access(&f->t, VIRTIO_MMIO_MAGIC_VALUE, b, 2, false);
	assert_int_equal(b[0] | b[1], 0);
	memset(b, 0xaa, sizeof(b));
	virtio_mmio_access(&f->t, VIRTIO_MMIO_MAGIC_VALUE + 2, b, 4, false);
	assert_int_equal(b[0] | b[1] | b[2] | b[3], 0);
	memset(b, 0xaa, sizeof(b));
	virtio_mmio_access(&f->t, VIRTIO_MMIO_MAGIC_VALUE, b, 8, false);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(b[i], 0);
	b[0] = S_ACK;
	virtio_mmio_access(&f->t, VIRTIO_MMIO_STATUS, b, 1, true);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_STATUS), 0);
}

static void test_device_features(void **state)
{
	struct fixture *f = *state;

	vfx_wr(&f->t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_DEVICE_FEATURES),
			 (uint32_t)DEV_FEATURE | 1U << VIRTIO_RING_F_EVENT_IDX |
			     1U << VIRTIO_RING_F_INDIRECT_DESC);
	vfx_wr(&f->t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_DEVICE_FEATURES),
			 1U << (VIRTIO_F_VERSION_1 - 32));
	vfx_wr(&f->t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_DEVICE_FEATURES), 0);
}

static void test_init_sequence(void **state)
{
	struct fixture *f = *state;
	struct vring_used *u = (struct vring_used *)(f->mem + USED);

	driver_init(f, std_features);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_STATUS), S_ACK | S_DRIVER | S_FEAT | S_OK);
	assert_int_equal(f->activates, 1);
	assert_int_equal(virtio_mmio_features(&f->t), std_features);

	/* A kick through the bus is handed to the event loop (the platform's kick)... */
	offer_buffer(f);
	vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(f->plat.kicks, 1);
	assert_int_equal(f->plat.last_kick, 0);
	assert_int_equal(f->notifies, 0);
	/* ...which delivers it to the device. */
	virtio_mmio_queue_notify(&f->t, 0);
	assert_int_equal(f->notifies, 1);
	assert_int_equal(u->idx, 1);
	assert_int_equal(u->ring[0].len, 32);
	assert_int_equal(f->plat.irqs, 1);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	vfx_wr(&f->t, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_INTERRUPT_STATUS), 0);

	/* Kicks of queues that do not exist or are not ready go nowhere. */
	vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_NOTIFY, 7);
	assert_int_equal(f->plat.kicks, 1);
	virtio_mmio_queue_notify(&f->t, 1);
	virtio_mmio_queue_notify(&f->t, 7);
	assert_int_equal(f->notifies, 1);

	/* Status bits only accumulate: a driver cannot clear DRIVER_OK without a reset. */
	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, S_ACK);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_STATUS), S_ACK | S_DRIVER | S_FEAT | S_OK);
	assert_int_equal(f->activates, 1);
}

static void test_features_wrong_phase(void **state)
{
	struct fixture *f = *state;

	/* Before DRIVER: ignored. */
	write_features(f, std_features);
	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER);
	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEAT);
	/* No VERSION_1 was recorded, so FEATURES_OK does not stick. */
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_STATUS), S_ACK | S_DRIVER);
	assert_int_equal(virtio_mmio_features(&f->t), 0);

	write_features(f, std_features);
	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEAT);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_STATUS), S_ACK | S_DRIVER | S_FEAT);
	/* After FEATURES_OK: ignored. */
	write_features(f, 1ULL << VIRTIO_F_VERSION_1);
	assert_int_equal(virtio_mmio_features(&f->t), std_features);
	/* A selector past the second word: ignored. */
	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, 0);
	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER);
	vfx_wr(&f->t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 2);
	vfx_wr(&f->t, VIRTIO_MMIO_DRIVER_FEATURES, 0xffffffff);
	assert_int_equal(virtio_mmio_features(&f->t), 0);
}

static void test_features_not_offered(void **state)
{
	struct fixture *f = *state;

	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER);
	write_features(f, std_features | (1ULL << 3));
	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEAT);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_STATUS), S_ACK | S_DRIVER);
	/* DRIVER_OK without FEATURES_OK does not activate the device. */
	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_OK);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_STATUS), S_ACK | S_DRIVER);
	assert_int_equal(f->activates, 0);
	/* Legacy drivers (no VERSION_1) are refused too. */
	write_features(f, DEV_FEATURE);
	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEAT);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_STATUS), S_ACK | S_DRIVER);
}

static void test_queue_num(void **state)
{
	struct fixture *f = *state;

	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER);
	write_features(f, std_features);
	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEAT);
	vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_SEL, 0);
	vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_NUM, 4);
	assert_int_equal(f->t.q[0].num, 4);
	vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_NUM, 6); /* not a power of two */
	assert_int_equal(f->t.q[0].num, 4);
	vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_NUM, 2 * QMAX); /* above QueueNumMax */
	assert_int_equal(f->t.q[0].num, 4);
	vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_NUM, 0);
	assert_int_equal(f->t.q[0].num, 4);

	/* A queue the device does not have: max 0, writes go nowhere. */
	vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_SEL, 5);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_QUEUE_READY), 0);

	/* A ready queue cannot be redescribed. */
	setup_queue(f, 1, 8, DESC + 0x800);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_QUEUE_READY), 1);
	vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_NUM, 2);
	vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x5000);
	assert_int_equal(f->t.q[1].num, 8);
	assert_int_equal(f->t.q[1].desc, DESC + 0x800);
	/* QueueReady = 0 stops it; then it can be changed. */
	vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_READY, 0);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_QUEUE_READY), 0);
	vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_NUM, 2);
	assert_int_equal(f->t.q[1].num, 2);
}

static void test_queue_before_features_ok(void **state)
{
	struct fixture *f = *state;

	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER);
	setup_queue(f, 0, 8, DESC);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_QUEUE_READY), 0);
}

static void test_bad_ring_breaks_device(void **state)
{
	struct fixture *f = *state;

	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER);
	write_features(f, std_features);
	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEAT);
	setup_queue(f, 0, 8, MEM_SIZE - 16); /* descriptor table past the end of RAM */
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_QUEUE_READY), 0);
	assert_true(vfx_rd(&f->t, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	/* The driver cannot clear it, nor start the device... */
	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, S_ACK | S_DRIVER | S_FEAT | S_OK);
	assert_true(vfx_rd(&f->t, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_int_equal(f->activates, 0);
	/* ...but a reset does. */
	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_STATUS), 0);
}

static void test_hostile_ring_needs_reset(void **state)
{
	struct fixture *f = *state;
	struct vring_avail *a = (struct vring_avail *)(f->mem + AVAIL);

	driver_init(f, std_features);
	a->idx = 100; /* more than the ring holds */
	virtio_mmio_queue_notify(&f->t, 0);
	assert_int_equal(f->notifies, 1);
	assert_true(vfx_rd(&f->t, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(f->plat.irqs, 1);
	/* The device is left alone until the driver resets it. */
	virtio_mmio_queue_notify(&f->t, 0);
	assert_int_equal(f->notifies, 1);

	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, 0);
	memset(f->mem, 0, MEM_SIZE);
	driver_init(f, std_features);
	offer_buffer(f);
	virtio_mmio_queue_notify(&f->t, 0);
	assert_int_equal(f->notifies, 2);
	assert_false(vfx_rd(&f->t, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
}

static void test_activate_failure(void **state)
{
	struct fixture *f = *state;

	f->activate_ret = -EIO;
	driver_init(f, std_features);
	assert_int_equal(f->activates, 1);
	assert_true(vfx_rd(&f->t, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	offer_buffer(f);
	virtio_mmio_queue_notify(&f->t, 0);
	assert_int_equal(f->notifies, 0);
}

static void test_reset_clears_queues(void **state)
{
	struct fixture *f = *state;

	driver_init(f, std_features);
	vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_SEL, 1);
	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(f->resets, 2); /* driver_init's own reset, then this one */
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_STATUS), 0);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_int_equal(virtio_mmio_features(&f->t), 0);
	assert_int_equal(f->t.queue_sel, 0);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_QUEUE_READY), 0);
	assert_int_equal(f->t.q[0].desc, 0);
	assert_int_equal(f->t.q[0].num, QMAX);
	assert_null(virtio_mmio_vq(&f->t, 0));
	offer_buffer(f);
	virtio_mmio_queue_notify(&f->t, 0);
	assert_int_equal(f->notifies, 0);
}

static void test_config_space(void **state)
{
	struct fixture *f = *state;
	uint8_t b[8];
	uint32_t v;

	memset(b, 0xaa, sizeof(b));
	virtio_mmio_access(&f->t, VIRTIO_MMIO_CONFIG + 4, b, 4, false);
	assert_memory_equal(b, "\x05\x06\x07\x08", 4);
	virtio_mmio_access(&f->t, VIRTIO_MMIO_CONFIG, b, 8, false);
	assert_memory_equal(b, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	virtio_mmio_access(&f->t, VIRTIO_MMIO_CONFIG + 7, b, 1, false);
	assert_int_equal(b[0], 8);

	/* Past the end, straddling it, odd widths, far away: zeros, no device call. */
	memset(b, 0xaa, sizeof(b));
	virtio_mmio_access(&f->t, VIRTIO_MMIO_CONFIG + 6, b, 4, false);
	assert_memory_equal(b, "\0\0\0\0", 4);
	memset(b, 0xaa, sizeof(b));
	virtio_mmio_access(&f->t, VIRTIO_MMIO_CONFIG, b, 3, false);
	assert_memory_equal(b, "\0\0\0", 3);
	memset(b, 0xaa, sizeof(b));
	virtio_mmio_access(&f->t, VIRTIO_MMIO_WINDOW - 4, b, 4, false);
	assert_memory_equal(b, "\0\0\0\0", 4);
	virtio_mmio_access(&f->t, UINT64_MAX - 1, b, 2, false);
	assert_memory_equal(b, "\0\0", 2);

	v = 0x44332211;
	virtio_mmio_access(&f->t, VIRTIO_MMIO_CONFIG + 2, (uint8_t *)&v, 4, true);
	assert_memory_equal(f->config, "\x01\x02\x11\x22\x33\x44\x07\x08", 8);
	virtio_mmio_access(&f->t, VIRTIO_MMIO_CONFIG + 6, (uint8_t *)&v, 4, true);
	virtio_mmio_access(&f->t, VIRTIO_MMIO_CONFIG + 8, (uint8_t *)&v, 1, true);
	assert_memory_equal(f->config, "\x01\x02\x11\x22\x33\x44\x07\x08", 8);

	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_CONFIG_GENERATION), 0);
	virtio_mmio_config_changed(&f->t);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_CONFIG_GENERATION), 1);
	assert_int_equal(f->plat.irqs, 0); /* no driver yet: no interrupt */
	driver_init(f, std_features);
	virtio_mmio_config_changed(&f->t);
	assert_int_equal(f->plat.irqs, 1);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
}

static void test_device_without_config(void **state)
{
	struct virtio_device_ops ops = test_ops;
	struct fixture *f = *state;
	struct virtio_mmio t;
	uint32_t v = 0xffffffff;

	ops.config_len = 0;
	ops.config_read = NULL;
	ops.config_write = NULL;
	assert_int_equal(
	    virtio_mmio_init(&t, &ops, f, &f->gm,
			     &(struct virtio_mmio_platform){vfx_irq, vfx_kick, &f->plat}),
	    0);
	virtio_mmio_access(&t, VIRTIO_MMIO_CONFIG, (uint8_t *)&v, 4, false);
	assert_int_equal(v, 0);
	virtio_mmio_access(&t, VIRTIO_MMIO_CONFIG, (uint8_t *)&v, 4, true);
	virtio_mmio_fini(&t);
}

static void test_bad_ops_rejected(void **state)
{
	struct virtio_device_ops ops = test_ops;
	struct fixture *f = *state;
	struct virtio_mmio_platform plat = {vfx_irq, vfx_kick, &f->plat};
	struct virtio_mmio t;

	ops.queue_max = 12;
	assert_int_equal(virtio_mmio_init(&t, &ops, f, &f->gm, &plat), -EINVAL);
	ops = test_ops;
	ops.num_queues = VIRTIO_MMIO_MAX_QUEUES + 1;
	assert_int_equal(virtio_mmio_init(&t, &ops, f, &f->gm, &plat), -EINVAL);
	ops = test_ops;
	ops.config_len = 0x1000;
	assert_int_equal(virtio_mmio_init(&t, &ops, f, &f->gm, &plat), -EINVAL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_identity),
	    T(test_device_features),
	    T(test_init_sequence),
	    T(test_features_wrong_phase),
	    T(test_features_not_offered),
	    T(test_queue_num),
	    T(test_queue_before_features_ok),
	    T(test_bad_ring_breaks_device),
	    T(test_hostile_ring_needs_reset),
	    T(test_activate_failure),
	    T(test_reset_clears_queues),
	    T(test_config_space),
	    T(test_device_without_config),
	    T(test_bad_ops_rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
