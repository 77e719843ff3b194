/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Name space operations: SYMLINK, MKNOD, MKDIR, UNLINK, RMDIR, RENAME,
 * RENAME2, LINK. Each name is one checked component relative to a parent
 * inode's fd. New files are made with the requester's fs uid/gid (this
 * thread only) and the mode the guest asked for minus its umask.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fs/fs_internal.h"

/* The parent directory and a checked name: the common front of every op here. */
static int dir_and_name(struct fs_req *r, uint64_t nodeid, const char *name, struct fs_inode **dir)
{
	int ret;

	if (!name)
		return -EINVAL;
	ret = fs_check_name(name);
	if (ret < 0)
		return ret;
	*dir = fs_inode_get(&r->s->inodes, nodeid);
	if (!*dir)
		return -ESTALE;
	if ((*dir)->type != S_IFDIR) {
		fs_inode_put(&r->s->inodes, *dir);
		return -ENOTDIR;
	}
	return 0;
}

/*
 * After a creation: looks the new name up and replies with its entry. Where
 * the process umask took bits the guest asked for, they are put back (on the
 * inode just looked up, never through the name again).
 */
static int reply_new(struct fs_req *r, struct fs_inode *dir, const char *name, mode_t mode)
{
	struct fuse_entry_out e;
	int ret = fs_do_lookup(r->s, dir, name, &e);

	if (ret < 0)
		return ret;
	if ((mode & r->s->proc_umask & 0777) && !S_ISLNK(e.attr.mode)) {
		struct fs_inode *ino = fs_inode_get(&r->s->inodes, e.nodeid);
		char fdname[16];

		/* chmod through the magic link opens nothing, so fifos and devices are fine. */
		if (ino && ino->type != S_IFLNK) {
			snprintf(fdname, sizeof(fdname), "%d", ino->fd);
			if (fchmodat(r->s->proc_self_fd, fdname, mode & 07777, 0) == 0)
				e.attr.mode = (e.attr.mode & S_IFMT) | (mode & 07777);
		}
		fs_inode_put(&r->s->inodes, ino);
	}
	ret = fs_reply(r, &e, sizeof(e));
	if (ret < 0)
		fs_inode_forget(&r->s->inodes, e.nodeid, 1);
	return ret;
}

int fs_op_symlink(struct fs_req *r)
{
	const char *name = fs_arg_str(r);
	const char *target = fs_arg_str(r);
	struct fs_inode *dir;
	struct fs_creds old;
	int ret;

	if (!target || !*target || strlen(target) >= PATH_MAX)
		return -EINVAL;
	ret = dir_and_name(r, r->h.nodeid, name, &dir);
	if (ret < 0)
		return ret;
	ret = fs_creds_set(&r->h, &old);
	if (ret == 0) {
		/* The target is text only: stored, never resolved by the server. */
		ret = symlinkat(target, dir->fd, name) < 0 ? -errno : 0;
		fs_creds_restore(&old);
	}
	if (ret == 0)
		ret = reply_new(r, dir, name, 0);
	fs_inode_put(&r->s->inodes, dir);
	return ret;
}

int fs_op_mknod(struct fs_req *r)
{
	struct fuse_mknod_in in;
	const char *name;
	struct fs_inode *dir;
	struct fs_creds old;
	mode_t mode;
	dev_t dev;
	int ret;

	if (fs_arg(r, &in, sizeof(in)) < 0)
		return -EINVAL;
	name = fs_arg_str(r);
	switch (in.mode & S_IFMT) {
	case S_IFREG:
	case S_IFIFO:
	case S_IFSOCK:
	case S_IFCHR:
	case S_IFBLK:
		break;
	default:
		return -EINVAL;
	}
	ret = dir_and_name(r, r->h.nodeid, name, &dir);
	if (ret < 0)
		return ret;
	mode = (in.mode & S_IFMT) | (in.mode & 07777 & ~in.umask);
	/* The kernel's new_encode_dev() format. */
	dev = makedev((in.rdev & 0xfff00) >> 8, (in.rdev & 0xff) | ((in.rdev >> 12) & 0xfff00));
	ret = fs_creds_set(&r->h, &old);
	if (ret == 0) {
		ret = mknodat(dir->fd, name, mode, dev) < 0 ? -errno : 0;
		fs_creds_restore(&old);
	}
	if (ret == 0)
		ret = reply_new(r, dir, name, mode);
	fs_inode_put(&r->s->inodes, dir);
	return ret;
}

int fs_op_mkdir(struct fs_req *r)
{
	struct fuse_mkdir_in in;
	const char *name;
	struct fs_inode *dir;
	struct fs_creds old;
	mode_t mode;
	int ret;

	if (fs_arg(r, &in, sizeof(in)) < 0)
		return -EINVAL;
	name = fs_arg_str(r);
	ret = dir_and_name(r, r->h.nodeid, name, &dir);
	if (ret < 0)
		return ret;
	mode = in.mode & 07777 & ~in.umask;
	ret = fs_creds_set(&r->h, &old);
	if (ret == 0) {
		ret = mkdirat(dir->fd, name, mode) < 0 ? -errno : 0;
		fs_creds_restore(&old);
	}
	if (ret == 0)
		ret = reply_new(r, dir, name, S_IFDIR | mode);
	fs_inode_put(&r->s->inodes, dir);
	return ret;
}

static int remove_name(struct fs_req *r, int flags)
{
	const char *name = fs_arg_str(r);
	struct fs_inode *dir;
	int ret = dir_and_name(r, r->h.nodeid, name, &dir);

	if (ret < 0)
		return ret;
	ret = unlinkat(dir->fd, name, flags) < 0 ? -errno : 0;
	fs_inode_put(&r->s->inodes, dir);
	return ret < 0 ? ret : fs_reply(r, NULL, 0);
}

int fs_op_unlink(struct fs_req *r)
{
	return remove_name(r, 0);
}

int fs_op_rmdir(struct fs_req *r)
{
	return remove_name(r, AT_REMOVEDIR);
}

static int do_rename(struct fs_req *r, uint64_t newdir_id, uint32_t flags)
{
	const char *oldname = fs_arg_str(r);
	const char *newname = fs_arg_str(r);
	struct fs_inode *olddir, *newdir;
	int ret;

	if (flags & ~(uint32_t)(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))
		return -EINVAL;
	if (!newname)
		return -EINVAL;
	ret = fs_check_name(newname);
	if (ret < 0)
		return ret;
	ret = dir_and_name(r, r->h.nodeid, oldname, &olddir);
	if (ret < 0)
		return ret;
	ret = dir_and_name(r, newdir_id, newname, &newdir);
	if (ret < 0) {
		fs_inode_put(&r->s->inodes, olddir);
		return ret;
	}
	ret = renameat2(olddir->fd, oldname, newdir->fd, newname, flags) < 0 ? -errno : 0;
	fs_inode_put(&r->s->inodes, newdir);
	fs_inode_put(&r->s->inodes, olddir);
	return ret < 0 ? ret : fs_reply(r, NULL, 0);
}

int fs_op_rename(struct fs_req *r)
{
	struct fuse_rename_in in;

	if (fs_arg(r, &in, sizeof(in)) < 0)
		return -EINVAL;
	return do_rename(r, in.newdir, 0);
}

int fs_op_rename2(struct fs_req *r)
{
	struct fuse_rename2_in in;

	if (fs_arg(r, &in, sizeof(in)) < 0)
		return -EINVAL;
	return do_rename(r, in.newdir, in.flags);
}

int fs_op_link(struct fs_req *r)
{
	struct fuse_link_in in;
	const char *name;
	struct fs_inode *dir, *src;
	char fdname[16];
	int ret;

	if (fs_arg(r, &in, sizeof(in)) < 0)
		return -EINVAL;
	name = fs_arg_str(r);
	ret = dir_and_name(r, r->h.nodeid, name, &dir);
	if (ret < 0)
		return ret;
	src = fs_inode_get(&r->s->inodes, in.oldnodeid);
	if (!src) {
		fs_inode_put(&r->s->inodes, dir);
		return -ESTALE;
	}
	if (src->type == S_IFDIR) {
		ret = -EPERM;
		goto out;
	}
	/*
	 * Links the inode the O_PATH fd holds. AT_EMPTY_PATH needs
	 * CAP_DAC_READ_SEARCH; without it, the /proc/self/fd magic link with
	 * AT_SYMLINK_FOLLOW reaches the same inode (a symlink's fd is linked as
	 * the symlink itself).
	 */
	ret = linkat(src->fd, "", dir->fd, name, AT_EMPTY_PATH) < 0 ? -errno : 0;
	if (ret == -ENOENT || ret == -EPERM) {
		snprintf(fdname, sizeof(fdname), "%d", src->fd);
		ret = linkat(r->s->proc_self_fd, fdname, dir->fd, name, AT_SYMLINK_FOLLOW) < 0
			  ? -errno
			  : 0;
	}
	if (ret == 0)
		ret = reply_new(r, dir, name, 0);
out:
	fs_inode_put(&r->s->inodes, src);
	fs_inode_put(&r->s->inodes, dir);
	return ret;
}
