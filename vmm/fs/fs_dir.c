/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OPENDIR, READDIR, READDIRPLUS, RELEASEDIR, FSYNCDIR.
 *
 * A directory handle is an fd opened with O_DIRECTORY; the guest's offset
 * is the host's getdents64 d_off cookie, so a READDIR is one lseek plus one
 * getdents64 under the handle's lock and the server keeps no listing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "fs/fs_internal.h"

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

int fs_op_opendir(struct fs_req *r)
{
	struct fuse_open_in in;
	struct fuse_open_out out = {0};
	struct fs_inode *ino;
	int fd, ret;

	if (fs_arg(r, &in, sizeof(in)) < 0)
		return -EINVAL;
	ino = fs_inode_get(&r->s->inodes, r->h.nodeid);
	if (!ino)
		return -ESTALE;
	fd = ino->type == S_IFDIR ? fs_reopen(r->s, ino, O_RDONLY | O_DIRECTORY) : -ENOTDIR;
	fs_inode_put(&r->s->inodes, ino);
	if (fd < 0)
		return fd;
	ret = fs_handle_add(&r->s->handles, fd, true, &out.fh);
	if (ret < 0)
		return ret;
	ret = fs_reply(r, &out, sizeof(out));
	if (ret < 0)
		fs_handle_release(&r->s->handles, out.fh, true);
	return ret;
}

static int do_readdir(struct fs_req *r, bool plus)
{
	struct fuse_read_in in;
	struct fs_handle *h;
	struct fs_inode *dir = NULL;
	uint8_t *out = NULL, *raw = NULL;
	size_t max, used = 0;
	int ret = 0;

	if (fs_arg(r, &in, sizeof(in)) < 0 || in.offset > (uint64_t)INT64_MAX)
		return -EINVAL;
	h = fs_handle_get(&r->s->handles, in.fh, true);
	if (!h)
		return -EBADF;
	if (plus) {
		dir = fs_inode_get(&r->s->inodes, r->h.nodeid);
		if (!dir || dir->type != S_IFDIR) {
			ret = -ESTALE;
			goto out;
		}
	}
	max = in.size < FS_MAX_WRITE ? in.size : FS_MAX_WRITE;
	if (r->out_len < sizeof(struct fuse_out_header))
		max = 0;
	else if (max > r->out_len - sizeof(struct fuse_out_header))
		max = r->out_len - sizeof(struct fuse_out_header);
	out = malloc(max ? max : 1);
	raw = malloc(max < 4096 ? 4096 : max);
	if (!out || !raw) {
		ret = -ENOMEM;
		goto out;
	}

	pthread_mutex_lock(&h->lock);
	if (lseek(h->fd, (off_t)in.offset, SEEK_SET) < 0) {
		ret = -errno;
		goto unlock;
	}
	for (bool full = false; !full;) {
		long n = syscall(SYS_getdents64, h->fd, raw, max < 4096 ? 4096 : max);

		if (n < 0) {
			ret = used ? 0 : -errno;
			break;
		}
		if (n == 0)
			break;
		for (long pos = 0; pos < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(raw + pos);
			size_t namelen = strlen(d->d_name);
			size_t entlen = plus ? FUSE_DIRENTPLUS_SIZE(&(struct fuse_direntplus){
						   .dirent.namelen = (uint32_t)namelen})
					     : FUSE_DIRENT_SIZE(&(struct fuse_dirent){
						   .namelen = (uint32_t)namelen});
			struct fuse_dirent *fd;

			if (used + entlen > max) {
				full = true;
				break;
			}
			memset(out + used, 0, entlen);
			if (plus) {
				struct fuse_direntplus *dp = (struct fuse_direntplus *)(out + used);

				/*
				 * "." and ".." keep nodeid 0: the guest does not
				 * link them, and ".." of the root must never be
				 * looked up. Other entries get a real lookup.
				 */
				if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..")) {
					int lr = fs_do_lookup(r->s, dir, d->d_name, &dp->entry_out);

					if (lr < 0)
						memset(&dp->entry_out, 0, sizeof(dp->entry_out));
				}
				fd = &dp->dirent;
			} else {
				fd = (struct fuse_dirent *)(out + used);
			}
			fd->ino = d->d_ino;
			fd->off = (uint64_t)d->d_off;
			fd->namelen = (uint32_t)namelen;
			fd->type = d->d_type;
			memcpy(fd->name, d->d_name, namelen);
			used += entlen;
			pos += d->d_reclen;
			/* Where the next request continues, if this is the last entry sent. */
			if (lseek(h->fd, d->d_off, SEEK_SET) < 0) {
				full = true;
				break;
			}
		}
	}
unlock:
	pthread_mutex_unlock(&h->lock);
	if (ret == 0) {
		ret = fs_reply(r, out, used);
		if (ret < 0 && plus) { /* undo the lookups the guest will never see */
			for (size_t pos = 0; pos < used;) {
				struct fuse_direntplus *dp = (struct fuse_direntplus *)(out + pos);

				if (dp->entry_out.nodeid)
					fs_inode_forget(&r->s->inodes, dp->entry_out.nodeid, 1);
				pos += FUSE_DIRENTPLUS_SIZE(dp);
			}
		}
	}
out:
	free(out);
	free(raw);
	fs_inode_put(&r->s->inodes, dir);
	fs_handle_put(&r->s->handles, h);
	return ret;
}

int fs_op_readdir(struct fs_req *r)
{
	return do_readdir(r, false);
}

int fs_op_readdirplus(struct fs_req *r)
{
	return do_readdir(r, true);
}

int fs_op_releasedir(struct fs_req *r)
{
	return fs_release_handle(r, true);
}

int fs_op_fsyncdir(struct fs_req *r)
{
	return fs_fsync_handle(r, true);
}
