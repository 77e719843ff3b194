/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GETXATTR, SETXATTR, LISTXATTR, REMOVEXATTR.
 *
 * Extended attributes are reached through an fd reopened (O_RDONLY) from
 * the inode's O_PATH fd, so only regular files and directories carry them
 * here; symlinks and special files answer EOPNOTSUPP (there is no f*xattr
 * on an O_PATH fd, and the path-based calls would need a path).
 * Names in the "trusted." namespace are refused: on a host whose shared
 * directory sits on overlayfs they steer the host's overlay
 * ("trusted.overlay.*"), and a container has no business with them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/xattr.h>
#include <linux/limits.h>

#include "fs/fs_internal.h"

static int xattr_name_ok(const char *name)
{
	size_t len;

	if (!name)
		return -EINVAL;
	len = strlen(name);
	if (len == 0)
		return -EINVAL;
	if (len > XATTR_NAME_MAX)
		return -ERANGE;
	if (!strncmp(name, "trusted.", 8))
		return -EPERM;
	return 0;
}

/* An fd of the request's inode that f*xattr accepts, or -errno. */
static int xattr_fd(struct fs_req *r)
{
	struct fs_inode *ino = fs_inode_get(&r->s->inodes, r->h.nodeid);
	int fd;

	if (!ino)
		return -ESTALE;
	if (ino->type == S_IFREG)
		fd = fs_reopen(r->s, ino, O_RDONLY | O_NONBLOCK);
	else if (ino->type == S_IFDIR)
		fd = fs_reopen(r->s, ino, O_RDONLY | O_DIRECTORY);
	else
		fd = -EOPNOTSUPP;
	fs_inode_put(&r->s->inodes, ino);
	return fd;
}

/* GETXATTR and LISTXATTR: size 0 asks for the size, else the bytes (ERANGE if larger). */
static int reply_sized(struct fs_req *r, uint32_t size,
		       ssize_t (*get)(int, const char *, void *, size_t), const char *name)
{
	size_t cap = size < XATTR_SIZE_MAX ? size : XATTR_SIZE_MAX;
	void *buf = NULL;
	ssize_t n;
	int fd, ret;

	fd = xattr_fd(r);
	if (fd < 0)
		return fd;
	if (size) {
		buf = malloc(cap ? cap : 1);
		if (!buf) {
			close(fd);
			return -ENOMEM;
		}
	}
	n = get(fd, name, buf, size ? cap : 0);
	ret = n < 0 ? -errno : 0;
	close(fd);
	if (ret == 0) {
		if (size == 0) {
			struct fuse_getxattr_out out = {.size = (uint32_t)n};

			ret = fs_reply(r, &out, sizeof(out));
		} else {
			ret = fs_reply(r, buf, (size_t)n);
		}
	}
	free(buf);
	return ret;
}

static ssize_t get_one(int fd, const char *name, void *buf, size_t size)
{
	return fgetxattr(fd, name, buf, size);
}

static ssize_t get_list(int fd, const char *name, void *buf, size_t size)
{
	(void)name;
	return flistxattr(fd, buf, size);
}

int fs_op_getxattr(struct fs_req *r)
{
	struct fuse_getxattr_in in;
	const char *name;
	int ret;

	if (fs_arg(r, &in, sizeof(in)) < 0)
		return -EINVAL;
	name = fs_arg_str(r);
	ret = xattr_name_ok(name);
	if (ret < 0)
		return ret == -EPERM ? -ENODATA : ret;
	return reply_sized(r, in.size, get_one, name);
}

int fs_op_listxattr(struct fs_req *r)
{
	struct fuse_getxattr_in in;

	if (fs_arg(r, &in, sizeof(in)) < 0)
		return -EINVAL;
	return reply_sized(r, in.size, get_list, NULL);
}

int fs_op_setxattr(struct fs_req *r)
{
	/* Without FUSE_SETXATTR_EXT (not offered) the argument is the 8-byte compat form. */
	struct fuse_setxattr_in in = {0};
	const char *name;
	const void *value;
	int fd, ret;

	if (fs_arg(r, &in, FUSE_COMPAT_SETXATTR_IN_SIZE) < 0)
		return -EINVAL;
	name = fs_arg_str(r);
	ret = xattr_name_ok(name);
	if (ret < 0)
		return ret;
	if (in.size > XATTR_SIZE_MAX)
		return -E2BIG;
	if (in.flags & ~(uint32_t)(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	/* The value: exactly `size` bytes of the private copy. */
	if (r->arg_len - r->arg_pos < in.size)
		return -EINVAL;
	value = r->arg + r->arg_pos;
	r->arg_pos += in.size;
	fd = xattr_fd(r);
	if (fd < 0)
		return fd;
	ret = fsetxattr(fd, name, value, in.size, (int)in.flags) < 0 ? -errno : 0;
	close(fd);
	return ret < 0 ? ret : fs_reply(r, NULL, 0);
}

int fs_op_removexattr(struct fs_req *r)
{
	const char *name = fs_arg_str(r);
	int fd, ret = xattr_name_ok(name);

	if (ret < 0)
		return ret;
	fd = xattr_fd(r);
	if (fd < 0)
		return fd;
	ret = fremovexattr(fd, name) < 0 ? -errno : 0;
	close(fd);
	return ret < 0 ? ret : fs_reply(r, NULL, 0);
}
