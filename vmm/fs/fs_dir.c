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

#include "common/cleanup.h"
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

/*
 * Appends one entry to `out` at *used; false when it does not fit in `max`.
 * For READDIRPLUS the entry is looked up: the reply hands the guest a
 * reference to its inode.
 */
static bool put_dirent(struct fs_req *r, struct fs_inode *dir, bool plus,
		       const struct linux_dirent64 *d, uint8_t *out, size_t max, size_t *used)
{
	size_t namelen = strlen(d->d_name);
	size_t entlen = plus
			    ? FUSE_DIRENTPLUS_SIZE(
				  &(struct fuse_direntplus){.dirent.namelen = (uint32_t)namelen})
			    : FUSE_DIRENT_SIZE(&(struct fuse_dirent){.namelen = (uint32_t)namelen});
	struct fuse_dirent *fd;

	if (*used + entlen > max)
		return false;
	memset(out + *used, 0, entlen);
	if (plus) {
		struct fuse_direntplus *dp = (struct fuse_direntplus *)(out + *used);

		/*
		 * "." and ".." keep nodeid 0: the guest does not link them, and
		 * ".." of the root must never be looked up. Other entries get a
		 * real lookup.
		 */
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..")) {
			if (fs_do_lookup(r->s, dir, d->d_name, &dp->entry_out) < 0)
				memset(&dp->entry_out, 0, sizeof(dp->entry_out));
		}
		fd = &dp->dirent;
	} else {
		fd = (struct fuse_dirent *)(out + *used);
	}
	fd->ino = d->d_ino;
	fd->off = (uint64_t)d->d_off;
	fd->namelen = (uint32_t)namelen;
	fd->type = d->d_type;
	memcpy(fd->name, d->d_name, namelen);
	*used += entlen;
	return true;
}

/*
 * Under the handle's lock: fills `out` (at most `max` bytes, *used of them
 * filled) with the entries from `offset` on, until it is full or the
 * directory ends, through `raw` (rawlen bytes) for getdents64. Leaves the
 * fd's offset after the last entry sent. An error after the first entry
 * only ends the listing early.
 */
static int read_dirents(struct fs_req *r, struct fs_handle *h, struct fs_inode *dir, bool plus,
			uint64_t offset, uint8_t *out, size_t max, uint8_t *raw, size_t rawlen,
			size_t *used)
{
	if (lseek(h->fd, (off_t)offset, SEEK_SET) < 0)
		return -errno;
	for (;;) {
		long n = syscall(SYS_getdents64, h->fd, raw, rawlen);

		if (n < 0)
			return *used ? 0 : -errno;
		if (n == 0)
			return 0;
		for (long pos = 0; pos < n;) {
			const struct linux_dirent64 *d = (const struct linux_dirent64 *)(raw + pos);

			if (!put_dirent(r, dir, plus, d, out, max, used))
				return 0;
			pos += d->d_reclen;
			/* Where the next request continues, if this is the last entry sent. */
			if (lseek(h->fd, d->d_off, SEEK_SET) < 0)
				return 0;
		}
	}
}

/* Undoes the lookups of a READDIRPLUS reply that the guest will never see. */
static void forget_lookups(struct fs_req *r, const uint8_t *out, size_t used)
{
	for (size_t pos = 0; pos < used;) {
		const struct fuse_direntplus *dp = (const struct fuse_direntplus *)(out + pos);

		if (dp->entry_out.nodeid)
			fs_inode_forget(&r->s->inodes, dp->entry_out.nodeid, 1);
		pos += FUSE_DIRENTPLUS_SIZE(dp);
	}
}

static int do_readdir(struct fs_req *r, bool plus)
{
	_cleanup_free_ uint8_t *out = NULL;
	_cleanup_free_ uint8_t *raw = NULL;
	struct fuse_read_in in;
	struct fs_inode *dir = NULL;
	struct fs_handle *h;
	size_t max, rawlen, used = 0;
	int ret;

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
	rawlen = max < 4096 ? 4096 : max;
	out = malloc(max ? max : 1);
	raw = malloc(rawlen);
	if (!out || !raw) {
		ret = -ENOMEM;
		goto out;
	}

	pthread_mutex_lock(&h->lock);
	ret = read_dirents(r, h, dir, plus, in.offset, out, max, raw, rawlen, &used);
	pthread_mutex_unlock(&h->lock);
	if (ret < 0)
		goto out;
	ret = fs_reply(r, out, used);
	if (ret < 0 && plus)
		forget_lookups(r, out, used);
out:
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
