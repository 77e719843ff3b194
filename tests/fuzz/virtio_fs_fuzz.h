/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by fuzz_virtio_fs and fuzz_virtio_fs_threads: the guest memory
 * layout of the three queues, the shared directory with its sentinel
 * beside it, and the device brought up as Linux's driver does. The target
 * defines FUZZ_VFS_ROOT (a mkdtemp template) before including it.
 */
#ifndef OZONE_FUZZ_VIRTIO_FS_H
#define OZONE_FUZZ_VIRTIO_FS_H

#include "../unit/virtio_fixture.h"

#define NQ 3
#define NUM 8
#define AVAIL(q) ((q)*0x40)	     /* 22 bytes used of 0x40 */
#define DESC(q) (0x100 + (q)*0x80)   /* 8 * 16 bytes */
#define USED(q) (0xf000 + (q)*0x100) /* 70 bytes used of 0x100; never input */

static const struct vfx_queue queues[NQ] = {
    {NUM, DESC(0), AVAIL(0), USED(0)},
    {NUM, DESC(1), AVAIL(1), USED(1)},
    {NUM, DESC(2), AVAIL(2), USED(2)},
};

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

	strcpy(root, FUZZ_VFS_ROOT);
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

static void driver_up(struct virtio_mmio *t, uint32_t features)
{
	vfx_driver_up(t, features, queues, NQ);
}

#endif
