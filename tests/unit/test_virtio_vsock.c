/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-vsock tests: the device behind a real transport with a fake
 * platform; the test is the guest driver (rx and tx rings on a flat fake
 * guest memory) and the host programs (socketpairs, a unix listener).
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>
#include <linux/virtio_vsock.h>

#include "common/util.h"
#include "devices/virtio_mmio.h"
#include "devices/virtio_vsock.h"
#include "guest_mem.h"
#include "virtio_fixture.h"

#define MEM_SIZE (8 << 20)
#define NUM 256
#define RXBUF_LEN (sizeof(struct virtio_vsock_hdr) + 4096)
#define HDR_LEN sizeof(struct virtio_vsock_hdr)
#define HOST_PORT0 VSOCK_HOST_PORT_BASE

/* Ring layout per queue q: desc, avail, used in one 32 KiB area; buffers from 1 MiB. */
#define RING(q) (0x10000u + (q)*0x8000u)
#define DESC(q) RING(q)
#define AVAIL(q) (RING(q) + 0x1000)
#define USED(q) (RING(q) + 0x2000)
#define RXBUF(i) (0x100000u + (i)*8192u)
#define TXBUF 0x400000u

struct fixture {
	uint8_t *mem;
	struct guest_mem gm;
	struct vsock *vs;
	struct virtio_mmio t;
	uint16_t avail_idx[3], used_seen[3];
	struct vfx_platform plat;
	char dir[64], path[96];
};

static const struct vfx_queue queues[3] = {
    {NUM, DESC(0), AVAIL(0), USED(0)},
    {NUM, DESC(1), AVAIL(1), USED(1)},
    {NUM, DESC(2), AVAIL(2), USED(2)},
};

static struct vring_desc *desc(struct fixture *f, unsigned q)
{
	return vfx_desc(f->mem, DESC(q));
}

static void make_avail(struct fixture *f, unsigned q, uint16_t head)
{
	vfx_make_avail(f->mem, &queues[q], &f->avail_idx[q], head);
}

static void post_rx(struct fixture *f, uint16_t i)
{
	desc(f, VSOCK_RX_Q)[i] = (struct vring_desc){RXBUF(i), RXBUF_LEN, VRING_DESC_F_WRITE, 0};
	make_avail(f, VSOCK_RX_Q, i);
}

static void bring_up(struct fixture *f, unsigned nrx, bool event_idx)
{
	assert_int_equal(
	    virtio_mmio_init(&f->t, &virtio_vsock_ops, f->vs, &f->gm,
			     &(struct virtio_mmio_platform){vfx_irq, vfx_kick, &f->plat}),
	    0);
	vsock_attach(f->vs, &f->t);
	assert_true(vfx_driver_up(&f->t, event_idx ? 1U << VIRTIO_RING_F_EVENT_IDX : 0, queues, 3));
	for (unsigned i = 0; i < nrx; i++)
		post_rx(f, (uint16_t)i);
}

static int setup_common(void **state, bool with_path, bool event_idx)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->mem = vfx_mem_new(&f->gm, MEM_SIZE);
	assert_non_null(f->mem);
	if (with_path) {
		strcpy(f->dir, "/tmp/ozone-vsock-XXXXXX");
		assert_non_null(mkdtemp(f->dir));
		snprintf(f->path, sizeof(f->path), "%s/v.sock", f->dir);
	}
	assert_int_equal(vsock_new(&f->vs, with_path ? f->path : NULL), 0);
	/* With EVENT_IDX the test posts rx buffers itself, kicking only when asked. */
	bring_up(f, event_idx ? 0 : 64, event_idx);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_common(state, false, false);
}

static int setup_path(void **state)
{
	return setup_common(state, true, false);
}

static int setup_event_idx(void **state)
{
	return setup_common(state, false, true);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	virtio_mmio_fini(&f->t);
	vsock_free(f->vs);
	if (f->dir[0]) {
		/* vsock_free unlinked the listener's path. */
		assert_int_equal(access(f->path, F_OK), -1);
		rmdir(f->dir);
	}
	free(f->mem);
	free(f);
	return 0;
}

/*
 * The checked span of guest memory: the rings, the rx buffers and the tx
 * buffer. What the device may write there is only what the rx chains lend
 * it and the used rings (vfx_lent).
 */
#define CHECKED_SIZE (TXBUF + 8192)

/* Notifies queue q; the device must write only where it was lent. */
static void notify_checked(struct fixture *f, unsigned q)
{
	struct vfx_lent lent;

	assert_int_equal(vfx_lent_begin(&lent, f->mem, CHECKED_SIZE, queues, 3), 0);
	assert_true(lent.checked);
	virtio_mmio_queue_notify(&f->t, q);
	assert_int_equal(vfx_lent_check(&lent), -1);
}

/* The guest sends one packet (header and payload in two descriptors). */
static void tx(struct fixture *f, uint32_t hport, uint32_t gport, uint16_t op, uint32_t flags,
	       const void *data, uint32_t len, uint32_t buf_alloc, uint32_t fwd_cnt)
{
	struct virtio_vsock_hdr h = {
	    .src_cid = htole64(3),
	    .dst_cid = htole64(2),
	    .src_port = htole32(gport),
	    .dst_port = htole32(hport),
	    .len = htole32(len),
	    .type = htole16(VIRTIO_VSOCK_TYPE_STREAM),
	    .op = htole16(op),
	    .flags = htole32(flags),
	    .buf_alloc = htole32(buf_alloc),
	    .fwd_cnt = htole32(fwd_cnt),
	};

	memcpy(f->mem + TXBUF, &h, HDR_LEN);
	desc(f, VSOCK_TX_Q)[0] =
	    (struct vring_desc){TXBUF, HDR_LEN, len ? VRING_DESC_F_NEXT : 0, 1};
	if (len) {
		memcpy(f->mem + TXBUF + 4096, data, len);
		desc(f, VSOCK_TX_Q)[1] = (struct vring_desc){TXBUF + 4096, len, 0, 0};
	}
	make_avail(f, VSOCK_TX_Q, 0);
	notify_checked(f, VSOCK_TX_Q);
}

/* A raw header from the guest, with the chain's payload length given apart from h.len. */
static void tx_raw(struct fixture *f, const struct virtio_vsock_hdr *h, uint32_t hdr_bytes,
		   uint32_t payload)
{
	memcpy(f->mem + TXBUF, h, HDR_LEN);
	desc(f, VSOCK_TX_Q)[0] =
	    (struct vring_desc){TXBUF, hdr_bytes, payload ? VRING_DESC_F_NEXT : 0, 1};
	desc(f, VSOCK_TX_Q)[1] = (struct vring_desc){TXBUF + 4096, payload, 0, 0};
	make_avail(f, VSOCK_TX_Q, 0);
	virtio_mmio_queue_notify(&f->t, VSOCK_TX_Q);
}

/* The next used rx buffer, without running the device or giving the buffer back: false if none. */
static bool take_rx(struct fixture *f, struct virtio_vsock_hdr *h, void *data, uint32_t *len,
		    uint16_t *id)
{
	struct vring_used *u = (struct vring_used *)(f->mem + USED(VSOCK_RX_Q));
	struct vring_used_elem e;

	if (__atomic_load_n(&u->idx, __ATOMIC_ACQUIRE) == f->used_seen[VSOCK_RX_Q])
		return false;
	e = u->ring[f->used_seen[VSOCK_RX_Q]++ % NUM];
	assert_true(e.len >= HDR_LEN);
	memcpy(h, f->mem + RXBUF(e.id), HDR_LEN);
	assert_int_equal(e.len, HDR_LEN + le32toh(h->len));
	assert_int_equal(le64toh(h->src_cid), 2);
	assert_int_equal(le64toh(h->dst_cid), 3);
	assert_int_equal(le16toh(h->type), VIRTIO_VSOCK_TYPE_STREAM);
	if (data)
		memcpy(data, f->mem + RXBUF(e.id) + HDR_LEN, le32toh(h->len));
	if (len)
		*len = le32toh(h->len);
	if (id)
		*id = (uint16_t)e.id;
	return true;
}

/* The next packet the device gave the guest: false if none. Re-posts its buffer. */
static bool rx(struct fixture *f, struct virtio_vsock_hdr *h, void *data, uint32_t *len)
{
	struct vfx_lent lent;
	uint16_t id;

	assert_int_equal(vfx_lent_begin(&lent, f->mem, CHECKED_SIZE, queues, 3), 0);
	assert_true(lent.checked);
	vsock_poll(f->vs);
	assert_int_equal(vfx_lent_check(&lent), -1);
	if (!take_rx(f, h, data, len, &id))
		return false;
	post_rx(f, id);
	return true;
}

static void expect_rx(struct fixture *f, uint16_t op, uint32_t hport, uint32_t gport,
		      struct virtio_vsock_hdr *out)
{
	struct virtio_vsock_hdr h;

	assert_true(rx(f, &h, NULL, NULL));
	assert_int_equal(le16toh(h.op), op);
	assert_int_equal(le32toh(h.src_port), hport);
	assert_int_equal(le32toh(h.dst_port), gport);
	if (out)
		*out = h;
}

static void expect_no_rx(struct fixture *f)
{
	struct virtio_vsock_hdr h;

	assert_false(rx(f, &h, NULL, NULL));
}

/* Reads exactly len bytes from a blocking host socket. */
static void host_read(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		assert_true(n > 0);
		got += (size_t)n;
	}
}

/* Socket buffer size for the device's end of the next host_connect() (0: default). */
static int small_sndbuf;

/* A host stream to the device, connected to guest port gport; returns the host's end. */
static int host_connect(struct fixture *f, uint32_t gport, uint32_t *hport, uint32_t buf_alloc)
{
	struct virtio_vsock_hdr h;
	char line[32], ok[32];
	int sp[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	if (small_sndbuf) {
		setsockopt(sp[1], SOL_SOCKET, SO_SNDBUF, &small_sndbuf, sizeof(small_sndbuf));
		setsockopt(sp[0], SOL_SOCKET, SO_RCVBUF, &small_sndbuf, sizeof(small_sndbuf));
		small_sndbuf = 0;
	}
	assert_int_equal(vsock_host_accept(f->vs, sp[1]), 0);
	snprintf(line, sizeof(line), "CONNECT %u\n", gport);
	assert_int_equal(write(sp[0], line, strlen(line)), (ssize_t)strlen(line));
	assert_true(rx(f, &h, NULL, NULL));
	assert_int_equal(le16toh(h.op), VIRTIO_VSOCK_OP_REQUEST);
	assert_int_equal(le32toh(h.dst_port), gport);
	assert_int_equal(le32toh(h.buf_alloc), VSOCK_BUF_ALLOC);
	*hport = le32toh(h.src_port);
	assert_true(*hport >= VSOCK_HOST_PORT_BASE);
	tx(f, *hport, gport, VIRTIO_VSOCK_OP_RESPONSE, 0, NULL, 0, buf_alloc, 0);
	snprintf(ok, sizeof(ok), "OK %u\n", *hport);
	host_read(sp[0], line, strlen(ok));
	assert_memory_equal(line, ok, strlen(ok));
	return sp[0];
}

static void test_identity(void **state)
{
	struct fixture *f = *state;
	uint64_t cid = 0;

	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_VSOCK);
	for (unsigned i = 0; i < 8; i++)
		virtio_mmio_access(&f->t, 0x100 + i, (uint8_t *)&cid + i, 1, false);
	assert_int_equal(le64toh(cid), 3);
}

static void test_host_connect_and_data(void **state)
{
	struct fixture *f = *state;
	struct virtio_vsock_hdr h;
	char buf[64];
	uint32_t hport, len;
	int fd = host_connect(f, 1024, &hport, 1 << 18);

	assert_int_equal(hport, HOST_PORT0);
	/* Host to guest. */
	assert_int_equal(write(fd, "hello", 5), 5);
	assert_true(rx(f, &h, buf, &len));
	assert_int_equal(le16toh(h.op), VIRTIO_VSOCK_OP_RW);
	assert_int_equal(len, 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(le32toh(h.dst_port), 1024);
	/* Guest to host: fwd_cnt counts what the host socket took. */
	tx(f, hport, 1024, VIRTIO_VSOCK_OP_RW, 0, "world!", 6, 1 << 18, 5);
	host_read(fd, buf, 6);
	assert_memory_equal(buf, "world!", 6);
	tx(f, hport, 1024, VIRTIO_VSOCK_OP_CREDIT_REQUEST, 0, NULL, 0, 1 << 18, 5);
	expect_rx(f, VIRTIO_VSOCK_OP_CREDIT_UPDATE, hport, 1024, &h);
	assert_int_equal(le32toh(h.fwd_cnt), 6);
	assert_int_equal(le32toh(h.buf_alloc), VSOCK_BUF_ALLOC);
	expect_no_rx(f);
	close(fd);
	/* Host closed: end of stream, then an RST once the guest shuts down too. */
	expect_rx(f, VIRTIO_VSOCK_OP_SHUTDOWN, hport, 1024, &h);
	assert_int_equal(le32toh(h.flags), VIRTIO_VSOCK_SHUTDOWN_SEND);
	tx(f, hport, 1024, VIRTIO_VSOCK_OP_SHUTDOWN, 0, NULL, 0, 1 << 18, 5);
	tx(f, hport, 1024, VIRTIO_VSOCK_OP_SHUTDOWN, 3, NULL, 0, 1 << 18, 5);
	expect_rx(f, VIRTIO_VSOCK_OP_RST, hport, 1024, NULL);
	assert_int_equal(vsock_nr_conns(f->vs), 0);
}

static void test_connect_refused(void **state)
{
	struct fixture *f = *state;
	struct virtio_vsock_hdr h;
	char c;
	int sp[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	assert_int_equal(vsock_host_accept(f->vs, sp[1]), 0);
	assert_int_equal(write(sp[0], "CONNECT 77\n", 11), 11);
	expect_rx(f, VIRTIO_VSOCK_OP_REQUEST, HOST_PORT0, 77, &h);
	tx(f, HOST_PORT0, 77, VIRTIO_VSOCK_OP_RST, 0, NULL, 0, 0, 0);
	assert_int_equal(read(sp[0], &c, 1), 0);
	assert_int_equal(vsock_nr_conns(f->vs), 0);
	close(sp[0]);
}

static void test_bad_connect_lines(void **state)
{
	static const char *const lines[] = {
	    "HELLO 1024\n",
	    "CONNECT abc\n",
	    "CONNECT \n",
	    "CONNECT 99999999999\n",
	    "CONNECT 4294967295\n",
	    "CONNECT 12 \n",
	    "CONNECT 1024 and a lot more text here",
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
		char c;
		int sp[2];

		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
		assert_int_equal(vsock_host_accept(f->vs, sp[1]), 0);
		assert_int_equal(write(sp[0], lines[i], strlen(lines[i])),
				 (ssize_t)strlen(lines[i]));
		vsock_poll(f->vs);
		/* Closed: end of stream, or a reset when our bytes were left unread. */
		assert_true(read(sp[0], &c, 1) <= 0);
		close(sp[0]);
		expect_no_rx(f);
	}
	assert_int_equal(vsock_nr_conns(f->vs), 0);
}

/* Data sent after the CONNECT line in the same write is stream data, not lost. */
static void test_data_after_line(void **state)
{
	struct fixture *f = *state;
	struct virtio_vsock_hdr h;
	char buf[16], ok[32];
	uint32_t len;
	int sp[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	assert_int_equal(vsock_host_accept(f->vs, sp[1]), 0);
	assert_int_equal(write(sp[0], "CONNECT 5\nearly", 15), 15);
	expect_rx(f, VIRTIO_VSOCK_OP_REQUEST, HOST_PORT0, 5, NULL);
	expect_no_rx(f);
	tx(f, HOST_PORT0, 5, VIRTIO_VSOCK_OP_RESPONSE, 0, NULL, 0, 4096, 0);
	host_read(sp[0], ok, 14);
	assert_memory_equal(ok, "OK 1073741824\n", 14);
	assert_true(rx(f, &h, buf, &len));
	assert_int_equal(len, 5);
	assert_memory_equal(buf, "early", 5);
	close(sp[0]);
}

/* The guest gives 100 bytes of credit: no more is read from the host socket until it gives more. */
static void test_guest_credit(void **state)
{
	struct fixture *f = *state;
	struct virtio_vsock_hdr h;
	uint8_t data[300], got[300];
	uint32_t hport, len, total = 0;
	int fd = host_connect(f, 1024, &hport, 100);

	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	assert_int_equal(write(fd, data, sizeof(data)), (ssize_t)sizeof(data));
	assert_true(rx(f, &h, got, &len));
	assert_int_equal(len, 100);
	expect_no_rx(f);
	expect_no_rx(f);
	total = len;
	/* The guest consumed 100: 100 more. */
	tx(f, hport, 1024, VIRTIO_VSOCK_OP_CREDIT_UPDATE, 0, NULL, 0, 100, 100);
	assert_true(rx(f, &h, got + total, &len));
	assert_int_equal(len, 100);
	total += len;
	expect_no_rx(f);
	/* A bigger buffer: the rest. */
	tx(f, hport, 1024, VIRTIO_VSOCK_OP_CREDIT_UPDATE, 0, NULL, 0, 4096, 200);
	assert_true(rx(f, &h, got + total, &len));
	assert_int_equal(len, 100);
	assert_memory_equal(got, data, sizeof(data));
	/* A guest claiming to have consumed more than it got gives no credit (no crash). */
	assert_int_equal(write(fd, data, 10), 10);
	tx(f, hport, 1024, VIRTIO_VSOCK_OP_CREDIT_UPDATE, 0, NULL, 0, 4096, 100000);
	expect_no_rx(f);
	close(fd);
}

/*
 * Plays a well-behaved guest writer: sends 4 KiB chunks (byte i of the stream
 * is (i / 4096) & 0xff) while the device's credit allows, to a host reader
 * that does not read, until no credit is left. Returns the bytes sent.
 */
static uint32_t write_until_stalled(struct fixture *f, uint32_t hport, uint32_t *fwd)
{
	static uint8_t chunk[4096];
	struct virtio_vsock_hdr h;
	uint32_t sent = 0;

	*fwd = 0;
	for (;;) {
		while (rx(f, &h, NULL, NULL)) {
			assert_int_equal(le16toh(h.op), VIRTIO_VSOCK_OP_CREDIT_UPDATE);
			*fwd = le32toh(h.fwd_cnt);
		}
		if (VSOCK_BUF_ALLOC - (sent - *fwd) < sizeof(chunk))
			return sent;
		memset(chunk, (int)(sent / 4096), sizeof(chunk));
		tx(f, hport, 1024, VIRTIO_VSOCK_OP_RW, 0, chunk, sizeof(chunk), 1 << 18, 0);
		sent += sizeof(chunk);
		/* A reader that never reads must stall the writer, not grow a buffer. */
		assert_true(sent < (8u << 20));
	}
}

/* A host reader that does not read: the guest's writer stalls; when it reads, credit returns. */
static void test_host_backpressure(void **state)
{
	struct fixture *f = *state;
	struct virtio_vsock_hdr h;
	static uint8_t all[8u << 20];
	uint32_t hport, sent, fwd, got = 0;
	int fd;

	small_sndbuf = 4096;
	fd = host_connect(f, 1024, &hport, 1 << 18);
	sent = write_until_stalled(f, hport, &fwd);
	assert_true(sent >= VSOCK_BUF_ALLOC);
	assert_true(sent - fwd <= VSOCK_BUF_ALLOC);
	/* Nothing more comes while the host does not read. */
	expect_no_rx(f);
	expect_no_rx(f);
	/* The host reads everything, in order; the guest hears all of it was taken. */
	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (got < sent) {
		ssize_t n = read(fd, all + got, sent - got);

		if (n > 0)
			got += (uint32_t)n;
		while (rx(f, &h, NULL, NULL)) {
			assert_int_equal(le16toh(h.op), VIRTIO_VSOCK_OP_CREDIT_UPDATE);
			fwd = le32toh(h.fwd_cnt);
		}
	}
	for (uint32_t i = 0; i < sent; i++)
		if (all[i] != (uint8_t)(i / 4096))
			fail_msg("byte %u: %u", i, all[i]);
	/* Updates come while the guest thinks it has less than half the buffer left. */
	assert_true(sent - fwd < VSOCK_BUF_ALLOC / 2);
	tx(f, hport, 1024, VIRTIO_VSOCK_OP_CREDIT_REQUEST, 0, NULL, 0, 1 << 18, 0);
	expect_rx(f, VIRTIO_VSOCK_OP_CREDIT_UPDATE, hport, 1024, &h);
	assert_int_equal(le32toh(h.fwd_cnt), sent);
	close(fd);
}

/* Data beyond the credit we gave is a broken guest: RST. */
static void test_credit_overrun(void **state)
{
	struct fixture *f = *state;
	static uint8_t chunk[4096];
	uint32_t hport, fwd;
	int fd;

	small_sndbuf = 4096;
	fd = host_connect(f, 1024, &hport, 1 << 18);
	write_until_stalled(f, hport, &fwd);
	tx(f, hport, 1024, VIRTIO_VSOCK_OP_RW, 0, chunk, sizeof(chunk), 1 << 18, 0);
	expect_rx(f, VIRTIO_VSOCK_OP_RST, hport, 1024, NULL);
	assert_int_equal(vsock_nr_conns(f->vs), 0);
	close(fd);
}

static void test_half_close(void **state)
{
	struct fixture *f = *state;
	struct virtio_vsock_hdr h;
	char buf[8];
	uint32_t hport, len;
	int fd = host_connect(f, 1024, &hport, 4096);

	/* The guest stops sending: the host sees end of stream but can still send. */
	tx(f, hport, 1024, VIRTIO_VSOCK_OP_SHUTDOWN, VIRTIO_VSOCK_SHUTDOWN_SEND, NULL, 0, 4096, 0);
	assert_int_equal(read(fd, buf, 1), 0);
	assert_int_equal(write(fd, "late", 4), 4);
	assert_true(rx(f, &h, buf, &len));
	assert_int_equal(le16toh(h.op), VIRTIO_VSOCK_OP_RW);
	assert_memory_equal(buf, "late", 4);
	/* Data after its own SHUTDOWN(SEND) resets. */
	shutdown(fd, SHUT_WR);
	expect_rx(f, VIRTIO_VSOCK_OP_SHUTDOWN, hport, 1024, &h);
	assert_int_equal(le32toh(h.flags), VIRTIO_VSOCK_SHUTDOWN_SEND);
	/* Both directions done: RST and the connection is gone. */
	expect_rx(f, VIRTIO_VSOCK_OP_RST, hport, 1024, NULL);
	assert_int_equal(vsock_nr_conns(f->vs), 0);
	close(fd);
}

static void test_guest_rst(void **state)
{
	struct fixture *f = *state;
	uint32_t hport;
	char c;
	int fd = host_connect(f, 1024, &hport, 4096);

	tx(f, hport, 1024, VIRTIO_VSOCK_OP_RST, 0, NULL, 0, 0, 0);
	assert_int_equal(read(fd, &c, 1), 0);
	assert_int_equal(vsock_nr_conns(f->vs), 0);
	expect_no_rx(f);
	close(fd);
	/* The port is free again. */
	fd = host_connect(f, 1024, &hport, 4096);
	close(fd);
}

static struct virtio_vsock_hdr good_hdr(uint16_t op, uint32_t len)
{
	return (struct virtio_vsock_hdr){
	    .src_cid = htole64(3),
	    .dst_cid = htole64(2),
	    .src_port = htole32(1000),
	    .dst_port = htole32(2000),
	    .len = htole32(len),
	    .type = htole16(VIRTIO_VSOCK_TYPE_STREAM),
	    .op = htole16(op),
	};
}

static void test_hostile(void **state)
{
	struct fixture *f = *state;
	struct virtio_vsock_hdr h;
	uint32_t hport;
	int fd;

	/* Wrong cids: dropped without an answer. */
	h = good_hdr(VIRTIO_VSOCK_OP_REQUEST, 0);
	h.src_cid = htole64(2);
	tx_raw(f, &h, HDR_LEN, 0);
	h = good_hdr(VIRTIO_VSOCK_OP_REQUEST, 0);
	h.dst_cid = htole64(7);
	tx_raw(f, &h, HDR_LEN, 0);
	h = good_hdr(VIRTIO_VSOCK_OP_RW, 0);
	h.src_cid = htole64(UINT64_MAX);
	tx_raw(f, &h, HDR_LEN, 0);
	expect_no_rx(f);
	/* A header cut short: ignored. */
	h = good_hdr(VIRTIO_VSOCK_OP_REQUEST, 0);
	tx_raw(f, &h, HDR_LEN - 1, 0);
	expect_no_rx(f);
	/* Unknown ops, a bad type, RW or SHUTDOWN for no connection: RST. */
	for (uint16_t op = 0; op < 12; op++) {
		if (op == VIRTIO_VSOCK_OP_REQUEST || op == VIRTIO_VSOCK_OP_RST)
			continue;
		h = good_hdr(op, 0);
		tx_raw(f, &h, HDR_LEN, 0);
		expect_rx(f, VIRTIO_VSOCK_OP_RST, 2000, 1000, NULL);
	}
	h = good_hdr(VIRTIO_VSOCK_OP_REQUEST, 0);
	h.type = htole16(VIRTIO_VSOCK_TYPE_SEQPACKET);
	tx_raw(f, &h, HDR_LEN, 0);
	expect_rx(f, VIRTIO_VSOCK_OP_RST, 2000, 1000, NULL);
	/* REQUEST with no --vsock-socket path: RST. */
	h = good_hdr(VIRTIO_VSOCK_OP_REQUEST, 0);
	tx_raw(f, &h, HDR_LEN, 0);
	expect_rx(f, VIRTIO_VSOCK_OP_RST, 2000, 1000, NULL);
	/* An RST is never answered. */
	h = good_hdr(VIRTIO_VSOCK_OP_RST, 0);
	tx_raw(f, &h, HDR_LEN, 0);
	expect_no_rx(f);
	/* On a live connection: a length beyond the chain, or beyond 64 KiB, resets it. */
	fd = host_connect(f, 1000, &hport, 4096);
	h = good_hdr(VIRTIO_VSOCK_OP_RW, 1u << 20);
	h.dst_port = htole32(hport);
	tx_raw(f, &h, HDR_LEN, 4096);
	expect_rx(f, VIRTIO_VSOCK_OP_RST, hport, 1000, NULL);
	close(fd);
	fd = host_connect(f, 1000, &hport, 4096);
	h = good_hdr(VIRTIO_VSOCK_OP_RW, 4097);
	h.dst_port = htole32(hport);
	tx_raw(f, &h, HDR_LEN, 4096);
	expect_rx(f, VIRTIO_VSOCK_OP_RST, hport, 1000, NULL);
	close(fd);
	/* A control op with a payload, and a RESPONSE to nothing we asked. */
	fd = host_connect(f, 1000, &hport, 4096);
	h = good_hdr(VIRTIO_VSOCK_OP_CREDIT_UPDATE, 4);
	h.dst_port = htole32(hport);
	tx_raw(f, &h, HDR_LEN, 4);
	expect_rx(f, VIRTIO_VSOCK_OP_RST, hport, 1000, NULL);
	close(fd);
	fd = host_connect(f, 1000, &hport, 4096);
	h = good_hdr(VIRTIO_VSOCK_OP_RESPONSE, 0);
	h.dst_port = htole32(hport);
	tx_raw(f, &h, HDR_LEN, 0);
	expect_rx(f, VIRTIO_VSOCK_OP_RST, hport, 1000, NULL);
	close(fd);
	/* A flood of bad packets with no rx buffers: the owed RSTs are bounded, no crash. */
	for (unsigned i = 0; i < 500; i++) {
		h = good_hdr(VIRTIO_VSOCK_OP_RW, 0);
		h.src_port = htole32(i);
		tx_raw(f, &h, HDR_LEN, 0);
	}
	for (unsigned i = 0; i < 500 && rx(f, &h, NULL, NULL); i++)
		assert_int_equal(le16toh(h.op), VIRTIO_VSOCK_OP_RST);
	assert_int_equal(vsock_nr_conns(f->vs), 0);
}

/* A guest connection to host port P goes to <path>_P. */
static void test_guest_connect(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct virtio_vsock_hdr h;
	char buf[16];
	uint32_t len;
	int lfd, fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s_5000", f->path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 4), 0);
	tx(f, 5000, 40000, VIRTIO_VSOCK_OP_REQUEST, 0, NULL, 0, 4096, 0);
	expect_rx(f, VIRTIO_VSOCK_OP_RESPONSE, 5000, 40000, NULL);
	fd = accept(lfd, NULL, NULL);
	assert_true(fd >= 0);
	tx(f, 5000, 40000, VIRTIO_VSOCK_OP_RW, 0, "ping", 4, 4096, 0);
	host_read(fd, buf, 4);
	assert_memory_equal(buf, "ping", 4);
	assert_int_equal(write(fd, "pong", 4), 4);
	assert_true(rx(f, &h, buf, &len));
	assert_int_equal(le16toh(h.op), VIRTIO_VSOCK_OP_RW);
	assert_memory_equal(buf, "pong", 4);
	/* Nobody on port 5001: RST. */
	tx(f, 5001, 40001, VIRTIO_VSOCK_OP_REQUEST, 0, NULL, 0, 4096, 0);
	expect_rx(f, VIRTIO_VSOCK_OP_RST, 5001, 40001, NULL);
	/* The guest closes: SHUTDOWN both ways, then our RST. */
	tx(f, 5000, 40000, VIRTIO_VSOCK_OP_SHUTDOWN, 3, NULL, 0, 4096, 4);
	expect_rx(f, VIRTIO_VSOCK_OP_RST, 5000, 40000, NULL);
	assert_int_equal(read(fd, buf, 1), 0);
	close(fd);
	close(lfd);
	unlink(sa.sun_path);
	/* A host program through the listener itself. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(write(fd, "CONNECT 1024\n", 13), 13);
	vsock_poll(f->vs); /* accept */
	expect_rx(f, VIRTIO_VSOCK_OP_REQUEST, HOST_PORT0, 1024, NULL);
	close(fd);
}

#define MANY 150

/* Many connections at once, each with its own data, interleaved. */
static void test_many(void **state)
{
	struct fixture *f = *state;
	int fds[MANY];
	uint32_t ports[MANY];
	unsigned seen[MANY] = {0};
	struct virtio_vsock_hdr h;
	char buf[64];
	uint32_t len;
	unsigned n = 0;

	for (unsigned i = 0; i < MANY; i++)
		fds[i] = host_connect(f, 2000 + i, &ports[i], 4096);
	for (unsigned i = 0; i < MANY; i++) {
		snprintf(buf, sizeof(buf), "conn %u", i);
		assert_int_equal(write(fds[i], buf, strlen(buf)), (ssize_t)strlen(buf));
		tx(f, ports[i], 2000 + i, VIRTIO_VSOCK_OP_RW, 0, buf, (uint32_t)strlen(buf), 4096,
		   0);
	}
	while (rx(f, &h, buf, &len)) {
		unsigned i = le32toh(h.dst_port) - 2000;
		char want[64];

		assert_true(i < MANY);
		assert_int_equal(le32toh(h.src_port), ports[i]);
		snprintf(want, sizeof(want), "conn %u", i);
		assert_int_equal(len, strlen(want));
		assert_memory_equal(buf, want, len);
		seen[i]++;
		n++;
	}
	assert_int_equal(n, MANY);
	for (unsigned i = 0; i < MANY; i++) {
		char want[64];

		assert_int_equal(seen[i], 1);
		snprintf(want, sizeof(want), "conn %u", i);
		host_read(fds[i], buf, strlen(want));
		assert_memory_equal(buf, want, strlen(want));
		close(fds[i]);
	}
}

/*
 * EVENT_IDX, as Linux's driver uses it: it kicks only when avail_event asks
 * for it (vring_need_event over the buffers added since its last check) and
 * wants an interrupt only once the used index passes used_event.
 */
static uint16_t avail_event(struct fixture *f, unsigned q)
{
	struct vring_used *u = (struct vring_used *)(f->mem + USED(q));

	return le16toh(__atomic_load_n((uint16_t *)&u->ring[NUM], __ATOMIC_RELAXED));
}

static void set_used_event(struct fixture *f, unsigned q, uint16_t v)
{
	struct vring_avail *a = (struct vring_avail *)(f->mem + AVAIL(q));

	__atomic_store_n(&a->ring[NUM], htole16(v), __ATOMIC_RELEASE);
}

/* Posts rx buffer i and kicks if the device asked for it: true if it kicked. */
static bool post_rx_kick(struct fixture *f, uint16_t i)
{
	uint16_t old = f->avail_idx[VSOCK_RX_Q];

	post_rx(f, i);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vring_need_event(avail_event(f, VSOCK_RX_Q), f->avail_idx[VSOCK_RX_Q], old))
		return false;
	virtio_mmio_queue_notify(&f->t, VSOCK_RX_Q);
	return true;
}

/*
 * The rx queue run dry while packets are owed: the device has asked for a
 * kick on the next buffer, each refill brings the next packet of whichever
 * connection owes one (both connections are served), and interrupts follow
 * used_event.
 */
static void test_event_idx_rx_refill(void **state)
{
	enum { CHUNKS = 3, CHUNK = 4096 };
	struct fixture *f = *state;
	struct virtio_vsock_hdr h;
	static uint8_t data[CHUNKS * CHUNK], got[2][CHUNKS * CHUNK], pkt[CHUNK];
	uint32_t gport[2] = {1024, 1025}, hport[2], have[2] = {0, 0}, len;
	unsigned irqs;
	char line[32];
	int sp[2][2];

	set_used_event(f, VSOCK_RX_Q, 0);
	/* One buffer: the device keeps it, having nothing to send. */
	assert_true(post_rx_kick(f, 0));
	assert_false(take_rx(f, &h, NULL, NULL, NULL));
	/* Two host programs connect: one REQUEST fits, the other is owed. */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp[i]), 0);
		assert_int_equal(vsock_host_accept(f->vs, sp[i][1]), 0);
		snprintf(line, sizeof(line), "CONNECT %u\n", gport[i]);
		assert_int_equal(write(sp[i][0], line, strlen(line)), (ssize_t)strlen(line));
	}
	vsock_poll(f->vs);
	assert_true(take_rx(f, &h, NULL, NULL, NULL));
	assert_int_equal(le16toh(h.op), VIRTIO_VSOCK_OP_REQUEST);
	assert_int_equal(le32toh(h.dst_port), gport[0]);
	hport[0] = le32toh(h.src_port);
	assert_int_equal(f->plat.irqs, 1);
	/* Nothing more without a buffer, however often the event loop runs. */
	vsock_poll(f->vs);
	assert_false(take_rx(f, &h, NULL, NULL, NULL));
	assert_int_equal(avail_event(f, VSOCK_RX_Q), f->avail_idx[VSOCK_RX_Q]);
	/* The refill is kicked and brings the other REQUEST. */
	set_used_event(f, VSOCK_RX_Q, f->used_seen[VSOCK_RX_Q]);
	assert_true(post_rx_kick(f, 0));
	assert_true(take_rx(f, &h, NULL, NULL, NULL));
	assert_int_equal(le16toh(h.op), VIRTIO_VSOCK_OP_REQUEST);
	assert_int_equal(le32toh(h.dst_port), gport[1]);
	hport[1] = le32toh(h.src_port);
	assert_int_equal(f->plat.irqs, 2);
	for (int i = 0; i < 2; i++) {
		char ok[32], want[32];

		tx(f, hport[i], gport[i], VIRTIO_VSOCK_OP_RESPONSE, 0, NULL, 0, 1 << 18, 0);
		snprintf(want, sizeof(want), "OK %u\n", hport[i]);
		host_read(sp[i][0], ok, strlen(want));
		assert_memory_equal(ok, want, strlen(want));
	}
	/* Both hosts send; the event loop sees it with no buffer to fill. */
	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	for (int i = 0; i < 2; i++)
		assert_int_equal(write(sp[i][0], data, sizeof(data)), (ssize_t)sizeof(data));
	vsock_poll(f->vs);
	assert_false(take_rx(f, &h, NULL, NULL, NULL));
	/* One buffer at a time: every refill is kicked and carries a packet of one or the other. */
	for (int n = 0; n < 2 * CHUNKS; n++) {
		unsigned c;

		set_used_event(f, VSOCK_RX_Q, f->used_seen[VSOCK_RX_Q]);
		irqs = f->plat.irqs;
		assert_true(post_rx_kick(f, 0));
		assert_true(take_rx(f, &h, pkt, &len, NULL));
		assert_int_equal(le16toh(h.op), VIRTIO_VSOCK_OP_RW);
		c = le32toh(h.dst_port) == gport[0] ? 0 : 1;
		assert_int_equal(le32toh(h.dst_port), gport[c]);
		assert_true(have[c] + len <= sizeof(data));
		memcpy(got[c] + have[c], pkt, len);
		have[c] += len;
		assert_int_equal(f->plat.irqs, irqs + 1);
	}
	for (int i = 0; i < 2; i++) {
		assert_int_equal(have[i], sizeof(data));
		assert_memory_equal(got[i], data, sizeof(data));
	}
	/* Idle: the device keeps one buffer and needs no kick for the next. */
	assert_true(post_rx_kick(f, 0));
	assert_false(post_rx_kick(f, 1));
	/* No interrupt until the used index passes used_event. */
	set_used_event(f, VSOCK_RX_Q, (uint16_t)(f->used_seen[VSOCK_RX_Q] + 1));
	irqs = f->plat.irqs;
	assert_int_equal(write(sp[0][0], "z", 1), 1);
	vsock_poll(f->vs);
	assert_int_equal(f->plat.irqs, irqs);
	assert_int_equal(write(sp[0][0], "y", 1), 1);
	vsock_poll(f->vs);
	assert_int_equal(f->plat.irqs, irqs + 1);
	assert_true(take_rx(f, &h, NULL, &len, NULL));
	assert_true(take_rx(f, &h, NULL, &len, NULL));
	for (int i = 0; i < 2; i++)
		close(sp[i][0]);
}

/*
 * A guest writer out of credit while the rx queue is empty: the host reader
 * catches up, the CREDIT_UPDATE it earns waits for a buffer, and the
 * refill that brings it is kicked.
 */
static void test_event_idx_credit_update(void **state)
{
	struct fixture *f = *state;
	struct virtio_vsock_hdr h;
	static uint8_t chunk[4096], sink[VSOCK_BUF_ALLOC];
	uint32_t hport, sent = 0, got = 0;
	int sp[2], small = 4096;
	char ok[32];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	setsockopt(sp[1], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	setsockopt(sp[0], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	assert_int_equal(vsock_host_accept(f->vs, sp[1]), 0);
	assert_int_equal(write(sp[0], "CONNECT 1024\n", 13), 13);
	assert_true(post_rx_kick(f, 0));
	vsock_poll(f->vs);
	assert_true(take_rx(f, &h, NULL, NULL, NULL));
	assert_int_equal(le16toh(h.op), VIRTIO_VSOCK_OP_REQUEST);
	hport = le32toh(h.src_port);
	tx(f, hport, 1024, VIRTIO_VSOCK_OP_RESPONSE, 0, NULL, 0, 1 << 18, 0);
	host_read(sp[0], ok, 14);
	/* The guest spends its whole credit (fwd_cnt 0 is all it heard) on a reader that waits. */
	while (sent < VSOCK_BUF_ALLOC) {
		tx(f, hport, 1024, VIRTIO_VSOCK_OP_RW, 0, chunk, sizeof(chunk), 1 << 18, 0);
		sent += sizeof(chunk);
	}
	vsock_poll(f->vs);
	assert_false(take_rx(f, &h, NULL, NULL, NULL));
	/* The reader takes it all; what the device owes waits for a buffer. */
	fcntl(sp[0], F_SETFL, O_NONBLOCK);
	for (unsigned spins = 0; got < sent; spins++) {
		ssize_t n = read(sp[0], sink, sizeof(sink));

		assert_true(spins < 100000);
		if (n > 0)
			got += (uint32_t)n;
		vsock_poll(f->vs);
	}
	assert_false(take_rx(f, &h, NULL, NULL, NULL));
	assert_int_equal(avail_event(f, VSOCK_RX_Q), f->avail_idx[VSOCK_RX_Q]);
	set_used_event(f, VSOCK_RX_Q, f->used_seen[VSOCK_RX_Q]);
	assert_true(post_rx_kick(f, 0));
	assert_true(take_rx(f, &h, NULL, NULL, NULL));
	assert_int_equal(le16toh(h.op), VIRTIO_VSOCK_OP_CREDIT_UPDATE);
	assert_int_equal(le32toh(h.fwd_cnt), sent);
	close(sp[0]);
}

/* A device reset closes every host socket. */
static void test_reset(void **state)
{
	struct fixture *f = *state;
	uint32_t hport;
	char c;
	int fd = host_connect(f, 1024, &hport, 4096);

	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(vsock_nr_conns(f->vs), 0);
	assert_int_equal(read(fd, &c, 1), 0);
	close(fd);
}

/* The listener replaces a stale socket file, refuses to replace anything else. */
static void test_listener_path(void **state)
{
	char dir[] = "/tmp/ozone-vsock-XXXXXX", path[64];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct vsock *vs;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/v.sock", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	assert_int_equal(vsock_new(&vs, path), 0);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	vsock_free(vs);
	assert_int_equal(access(path, F_OK), -1);
	/* A regular file is not ours to remove. */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	assert_int_equal(vsock_new(&vs, path), -EADDRINUSE);
	assert_int_equal(access(path, F_OK), 0);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_identity, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_host_connect_and_data, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_connect_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_connect_lines, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_data_after_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_guest_credit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_host_backpressure, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_credit_overrun, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_half_close, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_guest_rst, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_guest_connect, setup_path, teardown),
	    cmocka_unit_test_setup_teardown(test_many, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_event_idx_rx_refill, setup_event_idx, teardown),
	    cmocka_unit_test_setup_teardown(test_event_idx_credit_update, setup_event_idx,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
	    cmocka_unit_test(test_listener_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
