/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the virtio-fs device (vmm/devices/virtio_fs.c) behind
 * the virtio-mmio transport, over the FUSE server. The input is the
 * guest's memory: byte 0 picks the ring features and which queues are
 * kicked; the rest is copied to guest address 0 and holds, for each of the
 * three queues (hiprio and two request queues, 8 entries each), an avail
 * ring and a descriptor table, then request buffers. The used rings are
 * the device's (the input never covers them).
 *
 * Each input runs on a fresh device over a shared directory holding a file
 * and a symlink out of it to a sentinel directory beside it: the queues
 * are kicked, the requests run (on this thread: virtio_fs_drain), the
 * device is reset (a fresh FUSE server) and kicked again with the same
 * memory. The sentinel must be unchanged afterwards (else abort); any
 * crash, hang, leak or sanitizer report is a bug. Seeds:
 * tests/fuzz/corpus/virtio_fs/ (INIT, LOOKUP, a split READ, FORGET).
 */
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "devices/virtio_fs.h"
#include "devices/virtio_mmio.h"
#include "guest_mem.h"

#define MEM_SIZE 0x10000
#define NQ 3
#define NUM 8
#define AVAIL(q) ((q)*0x40)	     /* 22 bytes used of 0x40 */
#define DESC(q) (0x100 + (q)*0x80)   /* 8 * 16 bytes */
#define USED(q) (0xf000 + (q)*0x100) /* 70 bytes used of 0x100; never input */

static char root[64], share[PATH_MAX], sentinel[PATH_MAX];
static struct stat sentinel_st, secret_st;

static void path(char *dst, const char *dir, const char *name)
{
	if (snprintf(dst, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX)
		abort();
}

static void setup_once(void)
{
	char p[PATH_MAX];
	int fd;

	strcpy(root, "/tmp/ozone-fuzz-vfs-XXXXXX");
	if (!mkdtemp(root))
		abort();
	path(share, root, "share");
	path(sentinel, root, "sentinel");
	if (mkdir(share, 0777) < 0 || mkdir(sentinel, 0755) < 0)
		abort();
	path(p, sentinel, "secret");
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	if (fd < 0 || write(fd, "outside", 7) != 7)
		abort();
	close(fd);
	if (stat(sentinel, &sentinel_st) < 0 || stat(p, &secret_st) < 0)
		abort();
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

/* The share starts every input the same: one file and a link out. */
static void reset_share(void)
{
	char p[PATH_MAX];
	int fd;

	nftw(share, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (mkdir(share, 0777) < 0)
		abort();
	path(p, share, "hello");
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	if (fd < 0 || write(fd, "hello", 5) != 5)
		abort();
	close(fd);
	path(p, share, "out");
	if (symlink("../sentinel", p) < 0)
		abort();
}

static void sentinel_check(void)
{
	char p[PATH_MAX];
	struct stat a, b;

	path(p, sentinel, "secret");
	if (stat(sentinel, &a) < 0 || stat(p, &b) < 0)
		abort();
	if (a.st_mtim.tv_sec != sentinel_st.st_mtim.tv_sec ||
	    a.st_mtim.tv_nsec != sentinel_st.st_mtim.tv_nsec ||
	    a.st_nlink != sentinel_st.st_nlink || b.st_size != secret_st.st_size ||
	    b.st_mode != secret_st.st_mode || b.st_mtim.tv_nsec != secret_st.st_mtim.tv_nsec)
		abort();
}

static void fake_irq(void *opaque)
{
	(void)opaque;
}

static void fake_kick(void *opaque, unsigned q)
{
	(void)opaque;
	(void)q;
}

static void wr(struct virtio_mmio *t, uint32_t off, uint32_t v)
{
	virtio_mmio_access(t, off, (uint8_t *)&v, 4, true);
}

static void driver_up(struct virtio_mmio *t, uint32_t features)
{
	uint32_t ok = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	wr(t, VIRTIO_MMIO_STATUS, ok);
	wr(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(t, VIRTIO_MMIO_DRIVER_FEATURES, features);
	wr(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(t, VIRTIO_MMIO_DRIVER_FEATURES, 1U << (VIRTIO_F_VERSION_1 - 32));
	ok |= VIRTIO_CONFIG_S_FEATURES_OK;
	wr(t, VIRTIO_MMIO_STATUS, ok);
	for (unsigned q = 0; q < NQ; q++) {
		wr(t, VIRTIO_MMIO_QUEUE_SEL, q);
		wr(t, VIRTIO_MMIO_QUEUE_NUM, NUM);
		wr(t, VIRTIO_MMIO_QUEUE_DESC_LOW, DESC(q));
		wr(t, VIRTIO_MMIO_QUEUE_AVAIL_LOW, AVAIL(q));
		wr(t, VIRTIO_MMIO_QUEUE_USED_LOW, USED(q));
		wr(t, VIRTIO_MMIO_QUEUE_READY, 1);
	}
	wr(t, VIRTIO_MMIO_STATUS, ok | VIRTIO_CONFIG_S_DRIVER_OK);
}

static void kick_all(struct virtio_fs *fs, struct virtio_mmio *t, uint8_t sel)
{
	for (unsigned q = 0; q < NQ; q++)
		if (sel & (1u << q))
			virtio_mmio_queue_notify(t, q);
	virtio_fs_drain(fs, t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t mem[MEM_SIZE] __attribute__((aligned(4096)));
	static bool ready;
	struct virtio_fs_params p = {.tag = "fuzz", .request_queues = NQ - 1};
	struct virtio_mmio t;
	struct virtio_fs *fs;
	struct guest_mem gm;
	uint32_t features = 0;
	size_t n;

	if (size < 1)
		return 0;
	if (!ready) {
		setup_once();
		ready = true;
	}
	reset_share();
	p.dir = share;
	if (data[0] & 0x40)
		features |= 1u << VIRTIO_RING_F_INDIRECT_DESC;
	if (data[0] & 0x80)
		features |= 1u << VIRTIO_RING_F_EVENT_IDX;
	memset(mem, 0, sizeof(mem));
	n = size - 1 < USED(0) ? size - 1 : USED(0);
	memcpy(mem, data + 1, n);
	guest_mem_init_flat(&gm, mem, MEM_SIZE);
	if (virtio_fs_new(&p, &fs) < 0)
		abort();
	if (virtio_mmio_init(&t, virtio_fs_ops(fs), fs, &gm,
			     &(struct virtio_mmio_platform){fake_irq, fake_kick, NULL}) < 0)
		abort();
	driver_up(&t, features);
	kick_all(fs, &t, data[0] ? data[0] : 7);
	/* A reset, then the same rings again on the fresh server. */
	wr(&t, VIRTIO_MMIO_STATUS, 0);
	memcpy(mem, data + 1, n);
	memset(mem + USED(0), 0, MEM_SIZE - USED(0));
	driver_up(&t, features);
	kick_all(fs, &t, data[0] ? data[0] : 7);
	virtio_mmio_fini(&t);
	virtio_fs_free(fs);
	sentinel_check();
	return 0;
}
