/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-net tests: the device behind a real transport with a fake platform
 * and a real event loop, the test acting as the guest driver on fake guest
 * memory. The "tap" is a SOCK_SEQPACKET socket pair (it keeps frame
 * boundaries as a tap does): the device holds one end, the test the other.
 * Every test that runs the device checks that it wrote guest memory only
 * where a chain lent it a writable buffer (vfx_lent).
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sys/socket.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include "devices/virtio_mmio.h"
#include "devices/virtio_net.h"
#include "evloop.h"
#include "guest_mem.h"
#include "virtio_fixture.h"

#define MEM_SIZE (1 << 20)
#define NUM 16
#define BUF 0x10000
#define HDR VIRTIO_NET_HDR_LEN

#define F(bit) (1U << (bit))
/* Everything the device offers, in the low word. */
#define ALL                                                                                        \
	(F(VIRTIO_NET_F_MAC) | F(VIRTIO_NET_F_MTU) | F(VIRTIO_NET_F_STATUS) |                      \
	 F(VIRTIO_NET_F_CSUM) | F(VIRTIO_NET_F_GUEST_CSUM) | F(VIRTIO_NET_F_HOST_TSO4) |           \
	 F(VIRTIO_NET_F_HOST_TSO6) | F(VIRTIO_NET_F_GUEST_TSO4) | F(VIRTIO_NET_F_GUEST_TSO6) |     \
	 F(VIRTIO_NET_F_MRG_RXBUF) | F(VIRTIO_RING_F_EVENT_IDX))

static const struct vfx_queue queues[2] = {
    {NUM, 0x1000, 0x2000, 0x3000}, /* rx */
    {NUM, 0x5000, 0x6000, 0x7000}, /* tx */
};

static const uint8_t mac[6] = {0x02, 0x42, 0xac, 0x11, 0x00, 0x02};

struct fixture {
	uint8_t *mem;
	struct guest_mem gm;
	struct virtio_net *net;
	struct virtio_mmio t;
	struct vfx_platform plat;
	struct evloop *loop;
	int host;   /* the test's end of the "tap" */
	int dev_fd; /* the device's end */
	uint16_t avail[2];
	uint16_t next_desc[2];
	struct vfx_lent lent;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct virtio_net_params p = {.mtu = 9000, .not_tap = true};
	int sv[2];

	assert_non_null(f);
	signal(SIGPIPE, SIG_IGN);
	f->mem = vfx_mem_new(&f->gm, MEM_SIZE);
	assert_non_null(f->mem);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	f->dev_fd = sv[0];
	f->host = sv[1];
	p.fd = f->dev_fd;
	memcpy(p.mac, mac, sizeof(mac));
	assert_int_equal(virtio_net_new(&p, &f->net), 0);
	assert_int_equal(evloop_create(&f->loop), 0);
	assert_int_equal(
	    virtio_mmio_init(&f->t, &virtio_net_ops, f->net, &f->gm,
			     &(struct virtio_mmio_platform){vfx_irq, vfx_kick, &f->plat}),
	    0);
	assert_int_equal(virtio_net_attach(f->net, &f->t, f->loop), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	virtio_net_detach(f->net);
	virtio_mmio_fini(&f->t);
	virtio_net_free(f->net);
	evloop_destroy(f->loop);
	close(f->dev_fd);
	if (f->host >= 0)
		close(f->host);
	free(f->mem);
	free(f);
	return 0;
}

/* The driver's bring-up with `features` (and VERSION_1); the activation's kick delivered. */
static void up(struct fixture *f, uint32_t features)
{
	assert_true(vfx_driver_up(&f->t, features, queues, 2));
	assert_int_equal(f->plat.last_kick, VIRTIO_NET_RX_Q);
	virtio_mmio_queue_notify(&f->t, VIRTIO_NET_RX_Q);
}

static bool needs_reset(struct fixture *f)
{
	return vfx_rd(&f->t, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET;
}

/* One descriptor of queue q; returns its index. `chain`: NEXT to the following one. */
static uint16_t desc(struct fixture *f, unsigned q, uint64_t gpa, uint32_t len, uint16_t flags,
		     bool chain)
{
	uint16_t i = f->next_desc[q]++ % NUM;
	struct vring_desc *d = vfx_desc(f->mem, queues[q].desc) + i;

	*d = (struct vring_desc){gpa, len, flags | (chain ? VRING_DESC_F_NEXT : 0),
				 (uint16_t)((i + 1) % NUM)};
	return i;
}

static void avail(struct fixture *f, unsigned q, uint16_t head)
{
	vfx_make_avail(f->mem, &queues[q], &f->avail[q], head);
}

/* A one-buffer rx chain of `len` bytes at gpa. */
static void rx_buf(struct fixture *f, uint64_t gpa, uint32_t len)
{
	avail(f, VIRTIO_NET_RX_Q, desc(f, VIRTIO_NET_RX_Q, gpa, len, VRING_DESC_F_WRITE, false));
}

static void lent_begin(struct fixture *f)
{
	assert_int_equal(vfx_lent_begin(&f->lent, f->mem, MEM_SIZE, queues, 2), 0);
	assert_true(f->lent.checked);
}

static void lent_check(struct fixture *f)
{
	long long bad = vfx_lent_check(&f->lent);

	if (bad >= 0)
		fail_msg("the device wrote guest address %#llx, which no chain lent it", bad);
}

/* A frame of `len` bytes after a zero header, byte i = seed + i, sent by the host. */
static void host_send(struct fixture *f, uint32_t len, uint8_t seed)
{
	static uint8_t buf[HDR + 70000];

	memset(buf, 0, HDR);
	for (uint32_t i = 0; i < len; i++)
		buf[HDR + i] = (uint8_t)(seed + i);
	assert_int_equal(send(f->host, buf, HDR + len, 0), (ssize_t)(HDR + len));
}

static struct vring_used_elem *used(struct fixture *f, unsigned q, unsigned i)
{
	return vfx_used_elem(f->mem, &queues[q], i);
}

/* --- config space --- */

static void test_config(void **state)
{
	struct fixture *f = *state;
	uint16_t status = 0, mtu = 0;
	uint32_t feat;

	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_NET);
	vfx_wr(&f->t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	feat = vfx_rd(&f->t, VIRTIO_MMIO_DEVICE_FEATURES);
	assert_int_equal(feat & ALL, ALL);
	for (unsigned i = 0; i < 6; i++) {
		uint8_t b = 0;

		virtio_mmio_access(&f->t, VIRTIO_MMIO_CONFIG + i, &b, 1, false);
		assert_int_equal(b, mac[i]);
	}
	virtio_mmio_access(&f->t, VIRTIO_MMIO_CONFIG + 6, (uint8_t *)&status, 2, false);
	assert_int_equal(status, VIRTIO_NET_S_LINK_UP);
	virtio_mmio_access(&f->t, VIRTIO_MMIO_CONFIG + 10, (uint8_t *)&mtu, 2, false);
	assert_int_equal(mtu, 9000);
	/* Past the end: zeros, not our memory. */
	mtu = 0xffff;
	virtio_mmio_access(&f->t, VIRTIO_MMIO_CONFIG + 12, (uint8_t *)&mtu, 2, false);
	assert_int_equal(mtu, 0);
}

/* --- transmit --- */

static void put_tx_frame(struct fixture *f, uint64_t gpa, uint32_t len, uint8_t seed)
{
	memset(f->mem + gpa, 0, HDR);
	for (uint32_t i = 0; i < len; i++)
		f->mem[gpa + HDR + i] = (uint8_t)(seed + i);
}

static void test_tx_frame(void **state)
{
	struct fixture *f = *state;
	uint8_t got[256];
	uint16_t head;

	up(f, ALL);
	put_tx_frame(f, BUF, 100, 7);
	/* Header and frame in two descriptors, as Linux lays them out. */
	head = desc(f, VIRTIO_NET_TX_Q, BUF, HDR, 0, true);
	desc(f, VIRTIO_NET_TX_Q, BUF + HDR, 100, 0, false);
	avail(f, VIRTIO_NET_TX_Q, head);
	lent_begin(f);
	virtio_mmio_queue_notify(&f->t, VIRTIO_NET_TX_Q);
	lent_check(f);
	assert_int_equal(recv(f->host, got, sizeof(got), MSG_DONTWAIT), HDR + 100);
	assert_memory_equal(got, f->mem + BUF, HDR + 100);
	assert_int_equal(vfx_used_idx(f->mem, &queues[1]), 1);
	assert_int_equal(used(f, 1, 0)->id, head);
	assert_int_equal(used(f, 1, 0)->len, 0);
	assert_int_equal(virtio_net_stats(f->net).tx_frames, 1);
	assert_true(vfx_irqs(&f->plat) > 0);
}

/* Each bad chain is given back unsent; the device keeps going. */
static void test_tx_hostile(void **state)
{
	struct fixture *f = *state;
	struct virtio_net_hdr_v1 *h = (struct virtio_net_hdr_v1 *)(f->mem + BUF);
	uint8_t got[256];
	uint16_t head;

	up(f, ALL & ~F(VIRTIO_NET_F_HOST_TSO6));
	put_tx_frame(f, BUF, 100, 1);
	/* 1: a writable descriptor in a tx chain (the device must not write it either). */
	head = desc(f, 1, BUF, HDR + 100, 0, true);
	desc(f, 1, BUF + 0x1000, 64, VRING_DESC_F_WRITE, false);
	avail(f, 1, head);
	/* 2: longer than 65550 bytes after the header (three 30000-byte buffers). */
	head = desc(f, 1, BUF, 30000, 0, true);
	desc(f, 1, BUF, 30000, 0, true);
	desc(f, 1, BUF, 30000, 0, false);
	avail(f, 1, head);
	/* 3: shorter than a header and an Ethernet header. */
	avail(f, 1, desc(f, 1, BUF, HDR + 10, 0, false));
	memset(f->mem + BUF + 0x1000, 0x55, 64);
	lent_begin(f);
	virtio_mmio_queue_notify(&f->t, 1);
	lent_check(f);
	assert_int_equal(f->mem[BUF + 0x1000], 0x55);
	/* 4: GSO the driver did not get (TCPV6 without HOST_TSO6), UDP, no gso_size. */
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->csum_start = 34;
	h->csum_offset = 16;
	h->gso_size = 50;
	h->gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	avail(f, 1, desc(f, 1, BUF, HDR + 100, 0, false));
	virtio_mmio_queue_notify(&f->t, 1);
	h->gso_type = VIRTIO_NET_HDR_GSO_UDP;
	avail(f, 1, desc(f, 1, BUF, HDR + 100, 0, false));
	virtio_mmio_queue_notify(&f->t, 1);
	h->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	h->gso_size = 0;
	avail(f, 1, desc(f, 1, BUF, HDR + 100, 0, false));
	virtio_mmio_queue_notify(&f->t, 1);
	/* 5: a checksum offset past the frame's end; unknown flags. */
	h->gso_type = VIRTIO_NET_HDR_GSO_NONE;
	h->csum_start = 90;
	avail(f, 1, desc(f, 1, BUF, HDR + 100, 0, false));
	virtio_mmio_queue_notify(&f->t, 1);
	h->csum_start = 34;
	h->flags = 0x80;
	avail(f, 1, desc(f, 1, BUF, HDR + 100, 0, false));
	virtio_mmio_queue_notify(&f->t, 1);
	assert_int_equal(recv(f->host, got, sizeof(got), MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(virtio_net_stats(f->net).tx_dropped, 8);
	assert_int_equal(vfx_used_idx(f->mem, &queues[1]), 8);
	/* A good TSO4 frame still goes out. */
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->gso_size = 50;
	h->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	avail(f, 1, desc(f, 1, BUF, HDR + 100, 0, false));
	virtio_mmio_queue_notify(&f->t, 1);
	assert_int_equal(recv(f->host, got, sizeof(got), MSG_DONTWAIT), HDR + 100);
	assert_false(needs_reset(f));
	/* 6: a buffer outside guest memory breaks the ring: NEEDS_RESET, no crash. */
	avail(f, 1, desc(f, 1, MEM_SIZE - 8, 64, 0, false));
	virtio_mmio_queue_notify(&f->t, 1);
	assert_true(needs_reset(f));
}

/* A "tap" that cannot take the frame (EAGAIN) or fails (EPIPE): dropped, chain given back. */
static void test_tx_eagain_and_error(void **state)
{
	struct fixture *f = *state;
	uint8_t fill[4096] = {0};
	unsigned sent = 0;

	up(f, ALL);
	while (send(f->dev_fd, fill, sizeof(fill), MSG_DONTWAIT) > 0)
		sent++;
	assert_int_equal(errno, EAGAIN);
	assert_true(sent > 0);
	put_tx_frame(f, BUF, 100, 3);
	avail(f, 1, desc(f, 1, BUF, HDR + 100, 0, false));
	virtio_mmio_queue_notify(&f->t, 1);
	assert_int_equal(virtio_net_stats(f->net).tx_dropped, 1);
	assert_int_equal(vfx_used_idx(f->mem, &queues[1]), 1);
	close(f->host);
	f->host = -1;
	avail(f, 1, desc(f, 1, BUF, HDR + 100, 0, false));
	virtio_mmio_queue_notify(&f->t, 1);
	assert_int_equal(virtio_net_stats(f->net).tx_dropped, 2);
	assert_int_equal(vfx_used_idx(f->mem, &queues[1]), 2);
	assert_false(needs_reset(f));
}

/* --- receive --- */

static uint16_t num_buffers(struct fixture *f, uint64_t gpa)
{
	return ((struct virtio_net_hdr_v1 *)(f->mem + gpa))->num_buffers;
}

static void check_frame(struct fixture *f, uint64_t gpa, uint32_t len, uint8_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		if (f->mem[gpa + i] != (uint8_t)(seed + i))
			fail_msg("byte %u of the frame: %#x", i, f->mem[gpa + i]);
}

static void test_rx_one_buffer(void **state)
{
	struct fixture *f = *state;

	up(f, ALL & ~F(VIRTIO_NET_F_MRG_RXBUF));
	memset(f->mem + BUF, 0xee, 4096);
	rx_buf(f, BUF, 2048);
	host_send(f, 100, 9);
	lent_begin(f);
	virtio_net_rx_event(f->net);
	lent_check(f);
	assert_int_equal(vfx_used_idx(f->mem, &queues[0]), 1);
	assert_int_equal(used(f, 0, 0)->len, HDR + 100);
	assert_int_equal(num_buffers(f, BUF), 1);
	check_frame(f, BUF + HDR, 100, 9);
	assert_int_equal(f->mem[BUF + HDR + 100], 0xee);
	assert_int_equal(virtio_net_stats(f->net).rx_frames, 1);
	assert_true(vfx_irqs(&f->plat) > 0);
}

static void test_rx_merged(void **state)
{
	struct fixture *f = *state;

	up(f, ALL);
	for (unsigned i = 0; i < 4; i++)
		rx_buf(f, BUF + i * 0x1000, 512);
	host_send(f, 1200, 5);
	lent_begin(f);
	virtio_net_rx_event(f->net);
	lent_check(f);
	/* 12 + 1200 bytes over 512 + 512 + 188. */
	assert_int_equal(vfx_used_idx(f->mem, &queues[0]), 3);
	assert_int_equal(used(f, 0, 0)->len, 512);
	assert_int_equal(used(f, 0, 1)->len, 512);
	assert_int_equal(used(f, 0, 2)->len, 188);
	assert_int_equal(num_buffers(f, BUF), 3);
	check_frame(f, BUF + HDR, 500, 5);
	check_frame(f, BUF + 0x1000, 512, (uint8_t)(5 + 500));
	check_frame(f, BUF + 0x2000, 188, (uint8_t)(5 + 1012));
	/* The fourth buffer stayed with the device and takes the next frame. */
	host_send(f, 40, 1);
	lent_begin(f);
	virtio_net_rx_event(f->net);
	lent_check(f);
	assert_int_equal(vfx_used_idx(f->mem, &queues[0]), 4);
	assert_int_equal(used(f, 0, 3)->id, 3);
	assert_int_equal(used(f, 0, 3)->len, HDR + 40);
	assert_int_equal(num_buffers(f, BUF + 0x3000), 1);
	check_frame(f, BUF + 0x3000 + HDR, 40, 1);
}

/* Buffers that cannot hold a header, or lend nothing writable, come back unused. */
static void test_rx_bad_buffers(void **state)
{
	struct fixture *f = *state;

	up(f, ALL);
	rx_buf(f, BUF, 8);
	avail(f, 0, desc(f, 0, BUF + 0x1000, 1500, 0, false));
	rx_buf(f, BUF + 0x2000, 2048);
	host_send(f, 60, 2);
	lent_begin(f);
	virtio_net_rx_event(f->net);
	lent_check(f);
	assert_int_equal(virtio_net_stats(f->net).rx_bad_bufs, 2);
	assert_int_equal(vfx_used_idx(f->mem, &queues[0]), 3);
	assert_int_equal(used(f, 0, 0)->len, 0);
	assert_int_equal(used(f, 0, 1)->len, 0);
	assert_int_equal(used(f, 0, 2)->len, HDR + 60);
	check_frame(f, BUF + 0x2000 + HDR, 60, 2);
	assert_false(needs_reset(f));
	/* A buffer outside guest memory breaks the ring. */
	rx_buf(f, MEM_SIZE - 100, 2048);
	host_send(f, 60, 2);
	virtio_net_rx_event(f->net);
	assert_true(needs_reset(f));
}

/* No buffers: the tap is not watched (no busy loop) until the guest adds some. */
static void test_rx_pause_resume(void **state)
{
	struct fixture *f = *state;

	up(f, ALL);
	assert_false(virtio_net_rx_polling(f->net));
	host_send(f, 100, 4);
	host_send(f, 100, 5);
	virtio_net_rx_event(f->net);
	assert_false(virtio_net_rx_polling(f->net));
	assert_int_equal(vfx_used_idx(f->mem, &queues[0]), 0);
	/* EVENT_IDX: the device asked to be told of the next buffer. */
	assert_int_equal(*(uint16_t *)&vfx_used(f->mem, &queues[0])->ring[NUM], 0);
	rx_buf(f, BUF, 2048);
	lent_begin(f);
	virtio_mmio_queue_notify(&f->t, VIRTIO_NET_RX_Q);
	lent_check(f);
	assert_int_equal(vfx_used_idx(f->mem, &queues[0]), 1);
	check_frame(f, BUF + HDR, 100, 4);
	/* Out of buffers again with a frame waiting: stopped. */
	assert_false(virtio_net_rx_polling(f->net));
	rx_buf(f, BUF + 0x1000, 2048);
	rx_buf(f, BUF + 0x2000, 2048);
	virtio_mmio_queue_notify(&f->t, VIRTIO_NET_RX_Q);
	assert_int_equal(vfx_used_idx(f->mem, &queues[0]), 2);
	check_frame(f, BUF + 0x1000 + HDR, 100, 5);
	/* A buffer held and nothing to read (EAGAIN): watching the tap. */
	assert_true(virtio_net_rx_polling(f->net));
}

/* The "tap" ends (read returns 0): no longer watched, no crash, tx still answered. */
static void test_rx_eof(void **state)
{
	struct fixture *f = *state;

	up(f, ALL);
	rx_buf(f, BUF, 2048);
	virtio_net_rx_event(f->net);
	assert_true(virtio_net_rx_polling(f->net));
	close(f->host);
	f->host = -1;
	virtio_net_rx_event(f->net);
	assert_false(virtio_net_rx_polling(f->net));
	virtio_net_rx_event(f->net);
	assert_int_equal(vfx_used_idx(f->mem, &queues[0]), 0);
	assert_false(needs_reset(f));
}

/* A reset forgets the buffers the device held; a fresh driver starts clean. */
static void test_reset_forgets_stash(void **state)
{
	struct fixture *f = *state;

	up(f, ALL);
	rx_buf(f, BUF, 2048);
	virtio_net_rx_event(f->net);
	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, 0);
	memset(f->mem + 0x1000, 0, 0x7000);
	f->avail[0] = f->avail[1] = 0;
	f->next_desc[0] = f->next_desc[1] = 0;
	up(f, ALL & ~F(VIRTIO_NET_F_MRG_RXBUF));
	rx_buf(f, BUF + 0x4000, 2048);
	host_send(f, 70, 8);
	lent_begin(f);
	virtio_net_rx_event(f->net);
	lent_check(f);
	assert_int_equal(vfx_used_idx(f->mem, &queues[0]), 1);
	assert_int_equal(used(f, 0, 0)->id, 0);
	check_frame(f, BUF + 0x4000 + HDR, 70, 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_config, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tx_frame, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tx_hostile, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tx_eagain_and_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rx_one_buffer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rx_merged, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rx_bad_buffers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rx_pause_resume, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rx_eof, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reset_forgets_stash, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
