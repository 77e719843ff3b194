/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-fs device tests: the device behind a real transport with a fake
 * platform, the test acting as the guest driver on a flat fake guest
 * memory, the FUSE server serving a temp dir. Replies come from worker
 * threads, so each check waits (boundedly) for the used ring to move.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <linux/fuse.h>
#include <linux/virtio_config.h>
#include <linux/virtio_fs.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "devices/virtio_fs.h"
#include "devices/virtio_mmio.h"
#include "guest_mem.h"
#include "virtio_fixture.h"

#define MEM_SIZE (8 << 20)
#define NUM 16
#define NQ 3 /* hiprio + 2 request queues */
#define QBASE(q) (0x100000 + (q)*0x10000)
#define DESC(q) QBASE(q)
#define AVAIL(q) (QBASE(q) + 0x1000)
#define USED(q) (QBASE(q) + 0x2000)
#define BUF 0x200000
#define TAG "ozone"

struct fixture {
	uint8_t *mem;
	struct guest_mem gm;
	struct virtio_fs *fs;
	struct virtio_mmio t;
	char dir[64];
	struct vfx_platform plat;
	uint16_t avail_idx[NQ];
	uint16_t used_seen[NQ];
	uint64_t unique;
	uint64_t next_buf;
};

static const struct vfx_queue queues[NQ] = {
    {NUM, DESC(0), AVAIL(0), USED(0)},
    {NUM, DESC(1), AVAIL(1), USED(1)},
    {NUM, DESC(2), AVAIL(2), USED(2)},
};

/* The driver's bring-up of every queue; then DRIVER_OK. */
static void driver_up(struct fixture *f)
{
	memset(f->mem + QBASE(0), 0, QBASE(NQ) - QBASE(0));
	memset(f->avail_idx, 0, sizeof(f->avail_idx));
	memset(f->used_seen, 0, sizeof(f->used_seen));
	assert_true(vfx_driver_up(&f->t, 1U << VIRTIO_RING_F_INDIRECT_DESC, queues, NQ));
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

/* The device over a fresh directory, driver up; `workers`: serving requests already. */
static int setup_with(void **state, bool workers)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct virtio_fs_params p = {.tag = TAG, .request_queues = NQ - 1};
	char path[128];
	int fd;

	assert_non_null(f);
	strcpy(f->dir, "/tmp/ozone-vfs-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(path, sizeof(path), "%s/hello", f->dir);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello", 5), 5);
	close(fd);
	p.dir = f->dir;
	f->mem = vfx_mem_new(&f->gm, MEM_SIZE);
	assert_non_null(f->mem);
	assert_int_equal(virtio_fs_new(&p, &f->fs), 0);
	assert_int_equal(
	    virtio_mmio_init(&f->t, virtio_fs_ops(f->fs), f->fs, &f->gm,
			     &(struct virtio_mmio_platform){vfx_irq, vfx_kick, &f->plat}),
	    0);
	if (workers)
		assert_int_equal(virtio_fs_attach(f->fs, &f->t), 0);
	driver_up(f);
	f->next_buf = BUF;
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, true);
}

/* No worker yet: whatever the device takes from its queues stays pending until attach. */
static int setup_idle(void **state)
{
	return setup_with(state, false);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	virtio_fs_detach(f->fs);
	virtio_mmio_fini(&f->t);
	virtio_fs_free(f->fs);
	nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f->mem);
	free(f);
	return 0;
}

/* --- the driver's side of a request --- */

static struct vring_desc *desc(struct fixture *f, unsigned q)
{
	return vfx_desc(f->mem, DESC(q));
}

static uint64_t alloc_buf(struct fixture *f, size_t len)
{
	uint64_t a = f->next_buf;

	f->next_buf += (len + 63) & ~63ULL;
	assert_true(f->next_buf < MEM_SIZE);
	return a;
}

static void make_avail(struct fixture *f, unsigned q, uint16_t head)
{
	vfx_make_avail(f->mem, &queues[q], &f->avail_idx[q], head);
}

static uint16_t used_idx(struct fixture *f, unsigned q)
{
	return vfx_used_idx(f->mem, &queues[q]);
}

static struct vring_used_elem *used_elem(struct fixture *f, unsigned q, unsigned i)
{
	return vfx_used_elem(f->mem, &queues[q], i);
}

/* Waits up to 10 s for the used ring of q to reach `want`. */
static void wait_used(struct fixture *f, unsigned q, uint16_t want)
{
	for (int i = 0; i < 10000 && used_idx(f, q) != want; i++)
		usleep(1000);
	assert_int_equal(used_idx(f, q), want);
	while (virtio_fs_pending(f->fs))
		usleep(100);
}

/* A request split as given: pieces of the readable side (bytes), then writable lengths. */
struct piece {
	uint32_t len;
	bool writable;
};

/*
 * Puts a chain at descriptors [head, head + n) of queue q holding `req`
 * across the readable pieces; returns the guest address of the first
 * writable piece (the writable pieces are laid out back to back).
 */
static uint64_t post(struct fixture *f, unsigned q, uint16_t head, const void *req,
		     const struct piece *pc, unsigned n)
{
	size_t roff = 0, wtotal = 0;
	uint64_t wbase;

	for (unsigned i = 0; i < n; i++)
		if (pc[i].writable)
			wtotal += pc[i].len;
	wbase = alloc_buf(f, wtotal ? wtotal : 1);
	memset(f->mem + wbase, 0xa5, wtotal);
	for (unsigned i = 0, woff = 0; i < n; i++) {
		uint64_t addr;

		if (pc[i].writable) {
			addr = wbase + woff;
			woff += pc[i].len;
		} else {
			addr = alloc_buf(f, pc[i].len);
			memcpy(f->mem + addr, (const uint8_t *)req + roff, pc[i].len);
			roff += pc[i].len;
		}
		desc(f, q)[head + i] =
		    (struct vring_desc){addr, pc[i].len,
					(uint16_t)((pc[i].writable ? VRING_DESC_F_WRITE : 0) |
						   (i + 1 < n ? VRING_DESC_F_NEXT : 0)),
					(uint16_t)(head + i + 1)};
	}
	make_avail(f, q, head);
	return wbase;
}

/* Builds header + a + b into buf; returns its length. */
static size_t build(struct fixture *f, uint8_t *buf, uint32_t opcode, uint64_t nodeid,
		    const void *a, size_t alen, const void *b, size_t blen)
{
	struct fuse_in_header ih = {
	    .len = (uint32_t)(sizeof(ih) + alen + blen),
	    .opcode = opcode,
	    .unique = ++f->unique,
	    .nodeid = nodeid,
	    .uid = getuid(),
	    .gid = getgid(),
	    .pid = 1,
	};

	memcpy(buf, &ih, sizeof(ih));
	if (alen)
		memcpy(buf + sizeof(ih), a, alen);
	if (blen)
		memcpy(buf + sizeof(ih) + alen, b, blen);
	return ih.len;
}

/* One request in one readable and one writable descriptor on queue q; returns the reply. */
static const struct fuse_out_header *call(struct fixture *f, unsigned q, uint32_t opcode,
					  uint64_t nodeid, const void *a, size_t alen,
					  uint32_t room)
{
	uint8_t buf[512];
	size_t len = build(f, buf, opcode, nodeid, a, alen, NULL, 0);
	struct piece pc[] = {{(uint32_t)len, false}, {room, true}};
	uint16_t seen = f->used_seen[q];
	uint64_t w = post(f, q, 0, buf, pc, 2);
	struct vfx_lent lent;

	assert_int_equal(vfx_lent_begin(&lent, f->mem, MEM_SIZE, queues, NQ), 0);
	virtio_mmio_queue_notify(&f->t, q);
	wait_used(f, q, (uint16_t)(seen + 1));
	/* the reply went into the writable buffer, and nowhere else */
	assert_true(lent.checked);
	assert_int_equal(vfx_lent_check(&lent), -1);
	f->used_seen[q]++;
	assert_int_equal(used_elem(f, q, seen)->id, 0);
	return (const struct fuse_out_header *)(f->mem + w);
}

static void do_init(struct fixture *f)
{
	struct fuse_init_in in = {.major = 7, .minor = 36, .max_readahead = 1 << 17};
	const struct fuse_out_header *oh;
	const struct fuse_init_out *io;

	oh = call(f, 1, FUSE_INIT, 0, &in, sizeof(in), 256);
	assert_int_equal(oh->error, 0);
	assert_int_equal(oh->unique, f->unique);
	assert_int_equal(oh->len, sizeof(*oh) + sizeof(*io));
	assert_int_equal(used_elem(f, 1, f->used_seen[1] - 1)->len, oh->len);
	io = (const struct fuse_init_out *)(oh + 1);
	assert_int_equal(io->major, 7);
}

/* --- tests --- */

static void test_identity_and_config(void **state)
{
	struct fixture *f = *state;
	struct virtio_fs_config cfg;
	uint8_t *p = (uint8_t *)&cfg;

	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_FS);
	for (unsigned q = 0; q < NQ + 1; q++) {
		vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_SEL, q);
		assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_QUEUE_NUM_MAX),
				 q < NQ ? VIRTIO_FS_QUEUE_SIZE : 0);
	}
	/* Byte by byte, as a driver may read it; then a 4-byte read of the queue count. */
	for (unsigned i = 0; i < sizeof(cfg); i++)
		virtio_mmio_access(&f->t, VIRTIO_MMIO_CONFIG + i, p + i, 1, false);
	assert_memory_equal(cfg.tag, TAG, strlen(TAG));
	for (unsigned i = strlen(TAG); i < sizeof(cfg.tag); i++)
		assert_int_equal(cfg.tag[i], 0);
	assert_int_equal(le32toh(cfg.num_request_queues), NQ - 1);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_CONFIG +
					   offsetof(struct virtio_fs_config, num_request_queues)),
			 NQ - 1);
	/* Past the end: zeros, and the device goes on. */
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_CONFIG + sizeof(cfg)), 0);
}

static void test_tag_limits(void **state)
{
	struct fixture *f = *state;
	char tag[64];
	struct virtio_fs *fs;
	struct virtio_fs_params p = {.tag = tag, .dir = f->dir};

	memset(tag, 'a', sizeof(tag));
	tag[VIRTIO_FS_TAG_MAX] = 0;
	assert_int_equal(virtio_fs_new(&p, &fs), 0);
	virtio_fs_free(fs);
	tag[VIRTIO_FS_TAG_MAX + 1] = 0;
	tag[VIRTIO_FS_TAG_MAX] = 'a';
	assert_int_equal(virtio_fs_new(&p, &fs), -EINVAL);
	tag[0] = 0;
	assert_int_equal(virtio_fs_new(&p, &fs), -EINVAL);
	p.tag = "x";
	p.dir = "/nonexistent/ozone-vfs";
	assert_int_equal(virtio_fs_new(&p, &fs), -ENOENT);
	p.dir = f->dir;
	p.request_queues = VIRTIO_FS_MAX_REQUEST_QUEUES + 1;
	assert_int_equal(virtio_fs_new(&p, &fs), -EINVAL);
}

/* INIT, then a LOOKUP whose request and reply are split over several descriptors. */
static void test_init_lookup(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[256];
	size_t len;
	const struct fuse_out_header *oh;
	const struct fuse_entry_out *e;
	uint64_t w;

	do_init(f);
	len = build(f, buf, FUSE_LOOKUP, FUSE_ROOT_ID, "hello", 6, NULL, 0);
	/* Header in pieces of 10 and 30 bytes, the name alone; reply: 5 bytes, then the rest. */
	struct piece pc[] = {{10, false},
			     {30, false},
			     {(uint32_t)(len - 40), false},
			     {5, true},
			     {sizeof(*oh) + sizeof(*e) - 5, true}};
	struct vfx_lent lent;

	w = post(f, 2, 3, buf, pc, 5);
	assert_int_equal(vfx_lent_begin(&lent, f->mem, MEM_SIZE, queues, NQ), 0);
	virtio_mmio_queue_notify(&f->t, 2);
	wait_used(f, 2, 1);
	assert_int_equal(vfx_lent_check(&lent), -1);
	assert_int_equal(used_elem(f, 2, 0)->id, 3);
	assert_int_equal(used_elem(f, 2, 0)->len, sizeof(*oh) + sizeof(*e));
	oh = (const struct fuse_out_header *)(f->mem + w);
	assert_int_equal(oh->error, 0);
	assert_int_equal(oh->unique, f->unique);
	e = (const struct fuse_entry_out *)(oh + 1);
	assert_true(e->nodeid > FUSE_ROOT_ID);
	assert_int_equal(e->attr.size, 5);
	assert_true(S_ISREG(e->attr.mode));
	assert_true(vfx_irqs(&f->plat) > 0);
	assert_false(vfx_rd(&f->t, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);

	/* FORGET on the hiprio queue: no writable buffer, no reply, an empty used element. */
	struct fuse_forget_in fi = {.nlookup = 1};
	len = build(f, buf, FUSE_FORGET, e->nodeid, &fi, sizeof(fi), NULL, 0);
	struct piece fp[] = {{(uint32_t)len, false}};
	post(f, 0, 0, buf, fp, 1);
	virtio_mmio_queue_notify(&f->t, 0);
	wait_used(f, 0, 1);
	assert_int_equal(used_elem(f, 0, 0)->len, 0);
}

static void test_before_init(void **state)
{
	struct fixture *f = *state;
	struct fuse_getattr_in ga = {0};

	assert_int_equal(call(f, 1, FUSE_GETATTR, FUSE_ROOT_ID, &ga, sizeof(ga), 256)->error, -EIO);
}

static void assert_still_serving(struct fixture *f)
{
	struct fuse_getattr_in ga = {0};
	const struct fuse_out_header *oh;

	oh = call(f, 1, FUSE_GETATTR, FUSE_ROOT_ID, &ga, sizeof(ga), 256);
	assert_int_equal(oh->error, 0);
	assert_true(S_ISDIR(((const struct fuse_attr_out *)(oh + 1))->attr.mode));
	assert_false(vfx_rd(&f->t, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
}

/* Hostile chains that keep the ring valid: each gets an error or an empty reply. */
static void test_hostile_requests(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[256];
	size_t len;
	uint64_t w;

	do_init(f);

	/* The header claims more bytes than the chain holds. */
	len = build(f, buf, FUSE_LOOKUP, FUSE_ROOT_ID, "hello", 6, NULL, 0);
	((struct fuse_in_header *)buf)->len += 100;
	struct piece a[] = {{(uint32_t)len, false}, {256, true}};
	w = post(f, 1, 0, buf, a, 2);
	virtio_mmio_queue_notify(&f->t, 1);
	wait_used(f, 1, ++f->used_seen[1]);
	assert_int_equal(((struct fuse_out_header *)(f->mem + w))->error, -EINVAL);
	assert_int_equal(used_elem(f, 1, f->used_seen[1] - 1)->len, sizeof(struct fuse_out_header));

	/* The request sits in a writable descriptor (nothing readable): an error, unique 0. */
	len = build(f, buf, FUSE_LOOKUP, FUSE_ROOT_ID, "hello", 6, NULL, 0);
	struct piece b[] = {{256, true}};
	w = post(f, 1, 2, buf, b, 1);
	memcpy(f->mem + w, buf, len);
	virtio_mmio_queue_notify(&f->t, 1);
	wait_used(f, 1, ++f->used_seen[1]);
	assert_int_equal(((struct fuse_out_header *)(f->mem + w))->error, -EINVAL);
	assert_int_equal(((struct fuse_out_header *)(f->mem + w))->unique, 0);

	/* The reply room is readable (no writable descriptor): nothing written, empty used. */
	len = build(f, buf, FUSE_LOOKUP, FUSE_ROOT_ID, "hello", 6, NULL, 0);
	memset(buf + len, 0x5a, 128);
	struct piece c[] = {{(uint32_t)len, false}, {128, false}};
	post(f, 1, 4, buf, c, 2);
	virtio_mmio_queue_notify(&f->t, 1);
	wait_used(f, 1, ++f->used_seen[1]);
	assert_int_equal(used_elem(f, 1, f->used_seen[1] - 1)->len, 0);

	/* Writable room smaller than a reply header. */
	len = build(f, buf, FUSE_LOOKUP, FUSE_ROOT_ID, "hello", 6, NULL, 0);
	struct piece d[] = {{(uint32_t)len, false}, {8, true}};
	w = post(f, 1, 6, buf, d, 2);
	virtio_mmio_queue_notify(&f->t, 1);
	wait_used(f, 1, ++f->used_seen[1]);
	assert_int_equal(used_elem(f, 1, f->used_seen[1] - 1)->len, 0);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(f->mem[w + i], 0xa5);

	/* Room for the header but not the entry: EIO in what fits, nothing past it. */
	len = build(f, buf, FUSE_LOOKUP, FUSE_ROOT_ID, "hello", 6, NULL, 0);
	struct piece e[] = {{(uint32_t)len, false}, {20, true}};
	w = post(f, 1, 8, buf, e, 2);
	virtio_mmio_queue_notify(&f->t, 1);
	wait_used(f, 1, ++f->used_seen[1]);
	assert_int_equal(((struct fuse_out_header *)(f->mem + w))->error, -EIO);
	assert_int_equal(used_elem(f, 1, f->used_seen[1] - 1)->len, 16);
	for (unsigned i = 16; i < 20; i++)
		assert_int_equal(f->mem[w + i], 0xa5);

	/* A zero-length descriptor and a truncated header. */
	struct piece g[] = {{0, false}, {10, false}, {256, true}};
	w = post(f, 1, 10, buf, g, 3);
	virtio_mmio_queue_notify(&f->t, 1);
	wait_used(f, 1, ++f->used_seen[1]);
	assert_int_equal(((struct fuse_out_header *)(f->mem + w))->error, -EINVAL);

	assert_still_serving(f);
}

/* A descriptor outside guest memory breaks the ring: the device asks for a reset. */
static void test_broken_ring_then_reset(void **state)
{
	struct fixture *f = *state;
	struct fuse_init_in in = {.major = 7, .minor = 36};

	do_init(f);
	desc(f, 1)[0] = (struct vring_desc){MEM_SIZE - 8, 64, 0, 0};
	make_avail(f, 1, 0);
	virtio_mmio_queue_notify(&f->t, 1);
	assert_true(vfx_rd(&f->t, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	/* A write-only descriptor before a readable one also breaks a ring. */
	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, 0);
	driver_up(f);
	desc(f, 2)[0] = (struct vring_desc){BUF, 64, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1};
	desc(f, 2)[1] = (struct vring_desc){BUF + 64, 64, 0, 0};
	make_avail(f, 2, 0);
	virtio_mmio_queue_notify(&f->t, 2);
	assert_true(vfx_rd(&f->t, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);

	/* After the reset the server is a fresh one: INIT is due again, then all works. */
	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, 0);
	driver_up(f);
	test_before_init(state);
	(void)in;
	do_init(f);
	assert_still_serving(f);
}

/* Many requests on both request queues at once: every one is answered, with its own unique. */
static void test_parallel_requests(void **state)
{
	struct fixture *f = *state;
	uint64_t w[2][NUM / 2];
	uint64_t uniq[2][NUM / 2];

	do_init(f);
	for (unsigned q = 1; q <= 2; q++) {
		for (unsigned i = 0; i < NUM / 2; i++) {
			uint8_t buf[128];
			size_t len = build(f, buf, FUSE_LOOKUP, FUSE_ROOT_ID, "hello", 6, NULL, 0);
			struct piece pc[] = {{(uint32_t)len, false}, {256, true}};

			uniq[q - 1][i] = f->unique;
			w[q - 1][i] = post(f, q, (uint16_t)(2 * i), buf, pc, 2);
		}
	}
	virtio_mmio_queue_notify(&f->t, 1);
	virtio_mmio_queue_notify(&f->t, 2);
	wait_used(f, 1, (uint16_t)(f->used_seen[1] + NUM / 2));
	wait_used(f, 2, NUM / 2);
	for (unsigned q = 0; q < 2; q++) {
		for (unsigned i = 0; i < NUM / 2; i++) {
			const struct fuse_out_header *oh =
			    (const struct fuse_out_header *)(f->mem + w[q][i]);

			assert_int_equal(oh->error, 0);
			assert_int_equal(oh->unique, uniq[q][i]);
		}
	}
}

/* Reset with requests on the ring that were never kicked: they are forgotten, not served. */
static void test_reset_forgets_ring(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[128];
	size_t len;

	do_init(f);
	len = build(f, buf, FUSE_LOOKUP, FUSE_ROOT_ID, "hello", 6, NULL, 0);
	struct piece pc[] = {{(uint32_t)len, false}, {256, true}};
	post(f, 2, 0, buf, pc, 2);
	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, 0);
	virtio_mmio_queue_notify(&f->t, 2); /* a kick that arrives late: the queue is gone */
	driver_up(f);
	assert_int_equal(used_idx(f, 2), 0);
	test_before_init(state);
}

/* Posts a LOOKUP at descriptors [head, head + 2) of queue q; nothing is kicked. */
static void post_lookup(struct fixture *f, unsigned q, uint16_t head)
{
	uint8_t buf[128];
	size_t len = build(f, buf, FUSE_LOOKUP, FUSE_ROOT_ID, "hello", 6, NULL, 0);
	struct piece pc[] = {{(uint32_t)len, false}, {256, true}};

	post(f, q, head, buf, pc, 2);
}

/* After a hostile ring: the device asked for a reset, and after one it serves again. */
static void assert_recovers(struct fixture *f)
{
	assert_true(vfx_rd(&f->t, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_true(vfx_rd(&f->t, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(virtio_fs_attach(f->fs, &f->t), 0);
	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(virtio_fs_pending(f->fs), 0);
	driver_up(f);
	do_init(f);
	assert_still_serving(f);
}

/*
 * The guest makes the one head it posted available again and again, kicking
 * each time, while no request is answered: the device takes it once, the
 * next publication is a broken ring (NEEDS_RESET), and the pending requests
 * stay within the queue size instead of growing with every kick.
 */
static void test_republished_head(void **state)
{
	struct fixture *f = *state;

	post_lookup(f, 1, 0);
	virtio_mmio_queue_notify(&f->t, 1);
	for (unsigned i = 0; i < 20000; i++) {
		make_avail(f, 1, 0);
		virtio_mmio_queue_notify(&f->t, 1);
	}
	assert_in_range(virtio_fs_pending(f->fs), 1, NUM);
	assert_recovers(f);
}

/*
 * Every head posted, then published round after round (the avail index runs
 * ever further ahead of the used one): the device holds at most the queue.
 */
static void test_avail_ahead_of_used(void **state)
{
	struct fixture *f = *state;

	for (uint16_t h = 0; h < NUM; h += 2)
		post_lookup(f, 2, h);
	virtio_mmio_queue_notify(&f->t, 2);
	for (unsigned round = 0; round < 2000; round++) {
		for (uint16_t h = 0; h < NUM; h += 2)
			make_avail(f, 2, h);
		virtio_mmio_queue_notify(&f->t, 2);
	}
	assert_in_range(virtio_fs_pending(f->fs), NUM / 2, NUM);
	assert_recovers(f);
}

/*
 * A queue stopped (QueueReady 0) and started again with the same rings while
 * the device holds its chains: a restart would forget them, so it is
 * refused once the device runs, and the pending requests stay bounded.
 */
static void test_queue_restart_refused(void **state)
{
	struct fixture *f = *state;

	for (uint16_t h = 0; h < NUM; h += 2)
		post_lookup(f, 1, h);
	virtio_mmio_queue_notify(&f->t, 1);
	for (unsigned round = 0; round < 1000; round++) {
		vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_SEL, 1);
		vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_READY, 0);
		/* Fresh rings in the same place, as a driver setting the queue up anew. */
		memset(f->mem + AVAIL(1), 0, 0x1000);
		memset(f->mem + USED(1), 0, 0x1000);
		f->avail_idx[1] = 0;
		vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_READY, 1);
		for (uint16_t h = 0; h < NUM; h += 2)
			make_avail(f, 1, h);
		virtio_mmio_queue_notify(&f->t, 1);
	}
	assert_in_range(virtio_fs_pending(f->fs), NUM / 2, NUM);
	vfx_wr(&f->t, VIRTIO_MMIO_QUEUE_SEL, 1);
	assert_int_equal(vfx_rd(&f->t, VIRTIO_MMIO_QUEUE_READY), 0);
	/* The device is fine; a reset brings the queue back. */
	assert_int_equal(virtio_fs_attach(f->fs, &f->t), 0);
	vfx_wr(&f->t, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(virtio_fs_pending(f->fs), 0);
	driver_up(f);
	do_init(f);
	assert_still_serving(f);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define T_IDLE(fn) cmocka_unit_test_setup_teardown(fn, setup_idle, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_identity_and_config),
	    T(test_tag_limits),
	    T(test_init_lookup),
	    T(test_before_init),
	    T(test_hostile_requests),
	    T(test_broken_ring_then_reset),
	    T(test_parallel_requests),
	    T(test_reset_forgets_ring),
	    T_IDLE(test_republished_head),
	    T_IDLE(test_avail_ahead_of_used),
	    T_IDLE(test_queue_restart_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
