/* SPDX-License-Identifier: Apache-2.0 */
/* LOOKUP, FORGET, BATCH_FORGET, GETATTR, SETATTR, READLINK, ACCESS, STATFS, SYNCFS. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

#include "fs/fs_internal.h"

int fs_op_lookup(struct fs_req *r)
{
	const char *name = fs_arg_str(r);
	struct fuse_entry_out e;
	struct fs_inode *dir;
	int ret;

	if (!name)
		return -EINVAL;
	/* The guest kernel never looks up "." or ".." (no FUSE_EXPORT_SUPPORT). */
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return -ENOENT;
	ret = fs_check_name(name);
	if (ret < 0)
		return ret;
	dir = fs_inode_get(&r->s->inodes, r->h.nodeid);
	if (!dir)
		return -ESTALE;
	ret = fs_do_lookup(r->s, dir, name, &e);
	fs_inode_put(&r->s->inodes, dir);
	if (ret < 0)
		return ret;
	ret = fs_reply(r, &e, sizeof(e));
	if (ret < 0) /* the guest will never learn this nodeid */
		fs_inode_forget(&r->s->inodes, e.nodeid, 1);
	return ret;
}

int fs_op_forget(struct fs_req *r)
{
	struct fuse_forget_in in;

	if (fs_arg(r, &in, sizeof(in)) == 0)
		fs_inode_forget(&r->s->inodes, r->h.nodeid, in.nlookup);
	return 0;
}

int fs_op_batch_forget(struct fs_req *r)
{
	struct fuse_batch_forget_in in;
	struct fuse_forget_one one;

	if (fs_arg(r, &in, sizeof(in)) < 0)
		return 0;
	/* As many entries as are actually present, however many `count` claims. */
	for (uint32_t i = 0; i < in.count && fs_arg(r, &one, sizeof(one)) == 0; i++)
		fs_inode_forget(&r->s->inodes, one.nodeid, one.nlookup);
	return 0;
}

static int reply_attr(struct fs_req *r, const struct stat *st)
{
	struct fuse_attr_out out = {0};
	uint64_t sec;
	uint32_t nsec;

	sec = (uint64_t)r->s->timeout;
	nsec = (uint32_t)((r->s->timeout - (double)sec) * 1e9);
	out.attr_valid = sec;
	out.attr_valid_nsec = nsec;
	fs_fill_attr(st, &out.attr);
	return fs_reply(r, &out, sizeof(out));
}

int fs_op_getattr(struct fs_req *r)
{
	struct fuse_getattr_in in;
	struct fs_inode *ino;
	struct stat st;
	int ret;

	if (fs_arg(r, &in, sizeof(in)) < 0)
		return -EINVAL;
	ino = fs_inode_get(&r->s->inodes, r->h.nodeid);
	if (!ino)
		return -ESTALE;
	ret = fs_stat_fd(ino->fd, &st);
	fs_inode_put(&r->s->inodes, ino);
	return ret < 0 ? ret : reply_attr(r, &st);
}

/* chmod of an O_PATH fd: through /proc/self/fd, only for what is not a symlink. */
static int chmod_inode(struct fuse_server *s, const struct fs_inode *ino, mode_t mode)
{
	char name[16];

	if (ino->type == S_IFLNK)
		return -EOPNOTSUPP;
	snprintf(name, sizeof(name), "%d", ino->fd);
	return fchmodat(s->proc_self_fd, name, mode, 0) < 0 ? -errno : 0;
}

static int set_times(const struct fs_inode *ino, const struct fuse_setattr_in *in)
{
	struct timespec ts[2] = {{.tv_nsec = UTIME_OMIT}, {.tv_nsec = UTIME_OMIT}};

	if (in->valid & FATTR_ATIME_NOW)
		ts[0].tv_nsec = UTIME_NOW;
	else if (in->valid & FATTR_ATIME) {
		if (in->atimensec >= 1000000000u)
			return -EINVAL;
		ts[0].tv_sec = (time_t)in->atime;
		ts[0].tv_nsec = in->atimensec;
	}
	if (in->valid & FATTR_MTIME_NOW)
		ts[1].tv_nsec = UTIME_NOW;
	else if (in->valid & FATTR_MTIME) {
		if (in->mtimensec >= 1000000000u)
			return -EINVAL;
		ts[1].tv_sec = (time_t)in->mtime;
		ts[1].tv_nsec = in->mtimensec;
	}
	return utimensat(ino->fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

int fs_op_setattr(struct fs_req *r)
{
	const uint32_t known = FATTR_MODE | FATTR_UID | FATTR_GID | FATTR_SIZE | FATTR_ATIME |
			       FATTR_MTIME | FATTR_FH | FATTR_ATIME_NOW | FATTR_MTIME_NOW |
			       FATTR_LOCKOWNER | FATTR_CTIME | FATTR_KILL_SUIDGID;
	struct fuse_setattr_in in;
	struct fs_handle *h = NULL;
	struct fs_inode *ino;
	struct stat st;
	int ret = 0, fd = -1;

	if (fs_arg(r, &in, sizeof(in)) < 0)
		return -EINVAL;
	if (in.valid & ~known)
		return -EINVAL;
	ino = fs_inode_get(&r->s->inodes, r->h.nodeid);
	if (!ino)
		return -ESTALE;
	if (in.valid & FATTR_FH) {
		h = fs_handle_get(&r->s->handles, in.fh, false);
		if (!h) {
			ret = -EBADF;
			goto out;
		}
	}
	if (in.valid & FATTR_MODE) {
		ret = chmod_inode(r->s, ino, in.mode & 07777);
		if (ret < 0)
			goto out;
	}
	if (in.valid & (FATTR_UID | FATTR_GID)) {
		uid_t uid = (in.valid & FATTR_UID) ? in.uid : (uid_t)-1;
		gid_t gid = (in.valid & FATTR_GID) ? in.gid : (gid_t)-1;

		if (fchownat(ino->fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
			ret = -errno;
			goto out;
		}
	}
	if (in.valid & FATTR_SIZE) {
		if (in.size > (uint64_t)INT64_MAX) {
			ret = -EFBIG;
			goto out;
		}
		if (h) {
			fd = h->fd;
		} else {
			fd = fs_reopen(r->s, ino, O_WRONLY);
			if (fd < 0) {
				ret = fd;
				goto out;
			}
		}
		if (ftruncate(fd, (off_t)in.size) < 0)
			ret = -errno;
		else if ((in.valid & FATTR_KILL_SUIDGID) &&
			 (r->s->features & FUSE_HANDLE_KILLPRIV_V2))
			ret = fs_kill_suidgid(fd);
		if (!h)
			close(fd);
		if (ret < 0)
			goto out;
	}
	if (in.valid & (FATTR_ATIME | FATTR_MTIME | FATTR_ATIME_NOW | FATTR_MTIME_NOW)) {
		ret = set_times(ino, &in);
		if (ret < 0)
			goto out;
	}
	ret = fs_stat_fd(ino->fd, &st);
out:
	fs_handle_put(&r->s->handles, h);
	fs_inode_put(&r->s->inodes, ino);
	return ret < 0 ? ret : reply_attr(r, &st);
}

int fs_op_readlink(struct fs_req *r)
{
	char buf[PATH_MAX];
	struct fs_inode *ino;
	ssize_t n;

	ino = fs_inode_get(&r->s->inodes, r->h.nodeid);
	if (!ino)
		return -ESTALE;
	if (ino->type != S_IFLNK) {
		fs_inode_put(&r->s->inodes, ino);
		return -EINVAL;
	}
	n = readlinkat(ino->fd, "", buf, sizeof(buf));
	fs_inode_put(&r->s->inodes, ino);
	if (n < 0)
		return -errno;
	return fs_reply(r, buf, (size_t)n);
}

int fs_op_access(struct fs_req *r)
{
	struct fuse_access_in in;
	struct fs_creds old;
	struct fs_inode *ino;
	int ret;

	if (fs_arg(r, &in, sizeof(in)) < 0)
		return -EINVAL;
	if (in.mask & ~(uint32_t)(R_OK | W_OK | X_OK))
		return -EINVAL;
	ino = fs_inode_get(&r->s->inodes, r->h.nodeid);
	if (!ino)
		return -ESTALE;
	ret = fs_creds_set(&r->h, &old);
	if (ret == 0) {
		/* faccessat2 takes the O_PATH fd itself; AT_EACCESS checks the fs ids just set. */
		ret = (int)syscall(SYS_faccessat2, ino->fd, "", (int)in.mask,
				   AT_EMPTY_PATH | AT_EACCESS | AT_SYMLINK_NOFOLLOW);
		ret = ret < 0 ? -errno : 0;
		fs_creds_restore(&old);
	}
	fs_inode_put(&r->s->inodes, ino);
	return ret < 0 ? ret : fs_reply(r, NULL, 0);
}

int fs_op_statfs(struct fs_req *r)
{
	struct fuse_statfs_out out = {0};
	struct fs_inode *ino;
	struct statvfs sv;
	int ret;

	ino = fs_inode_get(&r->s->inodes, r->h.nodeid);
	if (!ino)
		return -ESTALE;
	ret = fstatvfs(ino->fd, &sv) < 0 ? -errno : 0;
	fs_inode_put(&r->s->inodes, ino);
	if (ret < 0)
		return ret;
	out.st.blocks = sv.f_blocks;
	out.st.bfree = sv.f_bfree;
	out.st.bavail = sv.f_bavail;
	out.st.files = sv.f_files;
	out.st.ffree = sv.f_ffree;
	out.st.bsize = (uint32_t)sv.f_bsize;
	out.st.namelen = (uint32_t)sv.f_namemax;
	out.st.frsize = (uint32_t)sv.f_frsize;
	return fs_reply(r, &out, sizeof(out));
}

int fs_op_syncfs(struct fs_req *r)
{
	struct fuse_syncfs_in in;
	struct fs_inode *ino;
	int fd, ret;

	if (fs_arg(r, &in, sizeof(in)) < 0)
		return -EINVAL;
	ino = fs_inode_get(&r->s->inodes, r->h.nodeid);
	if (!ino)
		return -ESTALE;
	/* syncfs takes no O_PATH fd: a read-only reopen of the directory (or file). */
	fd = fs_reopen(r->s, ino, ino->type == S_IFDIR ? O_RDONLY | O_DIRECTORY : O_RDONLY);
	fs_inode_put(&r->s->inodes, ino);
	if (fd < 0)
		return fd;
	ret = syncfs(fd) < 0 ? -errno : 0;
	close(fd);
	return ret < 0 ? ret : fs_reply(r, NULL, 0);
}
