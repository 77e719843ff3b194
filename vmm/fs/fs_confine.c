/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Confinement: how the server touches the host file system.
 *
 *  - Every path the server resolves is one component, checked by
 *    fs_check_name(), relative to an inode's O_PATH fd. No path string is
 *    ever built from guest input.
 *  - Opens go through openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
 *    RESOLVE_NO_MAGICLINKS) with O_NOFOLLOW; where openat2 is missing,
 *    openat(O_NOFOLLOW) on the single component gives the same guarantee.
 *    A symlink is opened as itself (O_PATH) and never followed.
 *  - An O_PATH fd is reopened for I/O as openat(/proc/self/fd, "N"), the
 *    way virtiofsd does: following that magic link lands on the inode the
 *    fd already holds, never on a path. It is only done for regular files
 *    and directories (checked on the fd first), so a symlink is never
 *    reopened through it.
 *  - Mount points inside the shared directory are crossed: only the host
 *    can make a mount there (the runtime does, for the spec's bind mounts),
 *    never the guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <linux/openat2.h>

#include "fs/fs_internal.h"

int fs_check_name(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	return 0;
}

int fs_openat_beneath(int dirfd, const char *name, int flags, mode_t mode)
{
	static int no_openat2;
	struct open_how how = {
	    .flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC),
	    .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	if (fs_check_name(name))
		return -EINVAL;
	if (!__atomic_load_n(&no_openat2, __ATOMIC_RELAXED)) {
		fd = (int)syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
		if (fd >= 0)
			return fd;
		if (errno != ENOSYS)
			return -errno;
		__atomic_store_n(&no_openat2, 1, __ATOMIC_RELAXED);
	}
	fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
	return fd < 0 ? -errno : fd;
}

int fs_stat_fd(int fd, struct stat *st)
{
	return fstatat(fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

int fs_reopen(struct fuse_server *s, const struct fs_inode *ino, int flags)
{
	char name[16];
	int fd;

	if (ino->type == S_IFLNK)
		return -ELOOP;
	if (ino->type != S_IFREG && ino->type != S_IFDIR)
		return -ENXIO;
	snprintf(name, sizeof(name), "%d", ino->fd);
	flags &= ~(O_CREAT | O_EXCL | O_NOFOLLOW | O_TMPFILE);
	fd = openat(s->proc_self_fd, name, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

void fs_fill_attr(const struct stat *st, struct fuse_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->ino = st->st_ino;
	a->size = (uint64_t)st->st_size;
	a->blocks = (uint64_t)st->st_blocks;
	a->atime = (uint64_t)st->st_atim.tv_sec;
	a->mtime = (uint64_t)st->st_mtim.tv_sec;
	a->ctime = (uint64_t)st->st_ctim.tv_sec;
	a->atimensec = (uint32_t)st->st_atim.tv_nsec;
	a->mtimensec = (uint32_t)st->st_mtim.tv_nsec;
	a->ctimensec = (uint32_t)st->st_ctim.tv_nsec;
	a->mode = st->st_mode;
	a->nlink = (uint32_t)st->st_nlink;
	a->uid = st->st_uid;
	a->gid = st->st_gid;
	/* The kernel's new_encode_dev(): 12-bit major, 20-bit minor. */
	a->rdev = (uint32_t)((minor(st->st_rdev) & 0xff) | (major(st->st_rdev) << 8) |
			     ((minor(st->st_rdev) & ~0xffu) << 12));
	a->blksize = (uint32_t)st->st_blksize;
}

static void split_time(double t, uint64_t *sec, uint32_t *nsec)
{
	*sec = (uint64_t)t;
	*nsec = (uint32_t)((t - (double)*sec) * 1e9);
}

void fs_fill_entry(struct fuse_server *s, uint64_t nodeid, const struct stat *st,
		   struct fuse_entry_out *e)
{
	memset(e, 0, sizeof(*e));
	e->nodeid = nodeid;
	e->generation = 0;
	split_time(s->timeout, &e->entry_valid, &e->entry_valid_nsec);
	split_time(s->timeout, &e->attr_valid, &e->attr_valid_nsec);
	fs_fill_attr(st, &e->attr);
}

int fs_do_lookup(struct fuse_server *s, struct fs_inode *dir, const char *name,
		 struct fuse_entry_out *e)
{
	struct stat st;
	uint64_t nodeid;
	int fd, ret;

	if (dir->type != S_IFDIR)
		return -ENOTDIR;
	fd = fs_openat_beneath(dir->fd, name, O_PATH, 0);
	if (fd < 0)
		return fd;
	ret = fs_stat_fd(fd, &st);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	ret = fs_inode_insert(&s->inodes, fd, &st, &nodeid);
	if (ret < 0)
		return ret;
	fs_fill_entry(s, nodeid, &st, e);
	/*
	 * A directory on another device than its parent is the root of a
	 * mount the host made inside the share: the guest mounts it as a file
	 * system of its own, so st_dev differs there as on the host and inode
	 * numbers of two host file systems never meet in one guest one.
	 */
	if ((s->features & FUSE_SUBMOUNTS) && S_ISDIR(st.st_mode) && st.st_dev != dir->dev)
		e->attr.flags |= FUSE_ATTR_SUBMOUNT;
	return 0;
}

/*
 * setfsuid/setfsgid through syscall(): glibc's wrappers are per thread on
 * Linux anyway, but the raw call makes it explicit that only this worker
 * thread changes identity (credentials are per task in the kernel).
 */
int fs_creds_set(const struct fuse_in_header *h, struct fs_creds *old)
{
	old->gid = (gid_t)syscall(SYS_setfsgid, h->gid);
	old->uid = (uid_t)syscall(SYS_setfsuid, h->uid);
	/* setfsuid reports failure only by not changing: read back and compare. */
	if ((uid_t)syscall(SYS_setfsuid, -1) != h->uid ||
	    (gid_t)syscall(SYS_setfsgid, -1) != h->gid) {
		fs_creds_restore(old);
		return -EPERM;
	}
	return 0;
}

void fs_creds_restore(const struct fs_creds *old)
{
	syscall(SYS_setfsuid, old->uid);
	syscall(SYS_setfsgid, old->gid);
}

int fs_kill_suidgid(int fd)
{
	struct stat st;
	mode_t m;

	if (fstat(fd, &st) < 0)
		return -errno;
	m = st.st_mode & 07777;
	if (!(m & S_ISUID) && !((m & S_ISGID) && (m & S_IXGRP)))
		return 0;
	m &= ~S_ISUID;
	if (m & S_IXGRP)
		m &= ~S_ISGID;
	return fchmod(fd, m) < 0 ? -errno : 0;
}
