/* SPDX-License-Identifier: Apache-2.0 */
/* OPEN, CREATE, READ, WRITE, FLUSH, RELEASE, FSYNC, FALLOCATE, LSEEK, COPY_FILE_RANGE. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "fs/fs_internal.h"

/* Open flags the guest may pass through; anything else is dropped. */
#define FS_OPEN_FLAGS                                                                              \
	(O_ACCMODE | O_APPEND | O_TRUNC | O_SYNC | O_DSYNC | O_DIRECT | O_NOATIME | O_NONBLOCK |   \
	 O_LARGEFILE)

static uint32_t open_out_flags(const struct fuse_server *s)
{
	switch (s->opts.cache) {
	case FUSE_CACHE_NONE:
		return FOPEN_DIRECT_IO;
	case FUSE_CACHE_ALWAYS:
		return FOPEN_KEEP_CACHE;
	default:
		return 0;
	}
}

static int open_flags(const struct fuse_server *s, uint32_t guest, int *flags)
{
	if ((guest & O_ACCMODE) == O_ACCMODE)
		return -EINVAL;
	*flags = (int)(guest & FS_OPEN_FLAGS);
	/*
	 * With the writeback cache the guest reads to fill partial pages of
	 * files opened write-only, and keeps the append position itself.
	 */
	if (s->features & FUSE_WRITEBACK_CACHE) {
		if ((*flags & O_ACCMODE) == O_WRONLY)
			*flags = (*flags & ~O_ACCMODE) | O_RDWR;
		*flags &= ~O_APPEND;
	}
	return 0;
}

int fs_op_open(struct fs_req *r)
{
	struct fuse_open_in in;
	struct fuse_open_out out = {0};
	struct fs_inode *ino;
	int flags, fd, ret;

	if (fs_arg(r, &in, sizeof(in)) < 0 || open_flags(r->s, in.flags, &flags) < 0)
		return -EINVAL;
	ino = fs_inode_get(&r->s->inodes, r->h.nodeid);
	if (!ino)
		return -ESTALE;
	if (ino->type == S_IFDIR)
		fd = -EISDIR;
	else if (ino->type != S_IFREG && ino->type != S_IFLNK)
		fd = -ENXIO; /* devices, fifos and sockets live in the guest's kernel */
	else
		fd = fs_reopen(r->s, ino, flags);
	fs_inode_put(&r->s->inodes, ino);
	if (fd < 0)
		return fd;
	if ((in.open_flags & FUSE_OPEN_KILL_SUIDGID) && (flags & O_TRUNC) &&
	    (r->s->features & FUSE_HANDLE_KILLPRIV_V2))
		fs_kill_suidgid(fd);
	ret = fs_handle_add(&r->s->handles, fd, false, &out.fh);
	if (ret < 0)
		return ret;
	out.open_flags = open_out_flags(r->s);
	ret = fs_reply(r, &out, sizeof(out));
	if (ret < 0)
		fs_handle_release(&r->s->handles, out.fh, false);
	return ret;
}

int fs_op_create(struct fs_req *r)
{
	struct fuse_create_in in;
	struct {
		struct fuse_entry_out e;
		struct fuse_open_out o;
	} out;
	struct fs_inode *dir;
	struct fs_creds old;
	struct stat st = {0};
	const char *name;
	mode_t mode;
	int flags, fd, ret;
	bool created = false;
	uint64_t nodeid;

	if (fs_arg(r, &in, sizeof(in)) < 0 || open_flags(r->s, in.flags, &flags) < 0)
		return -EINVAL;
	name = fs_arg_str(r);
	if (!name)
		return -EINVAL;
	ret = fs_check_name(name);
	if (ret < 0)
		return ret;
	dir = fs_inode_get(&r->s->inodes, r->h.nodeid);
	if (!dir)
		return -ESTALE;
	if (dir->type != S_IFDIR) {
		fs_inode_put(&r->s->inodes, dir);
		return -ENOTDIR;
	}
	mode = in.mode & 07777 & ~in.umask;
	flags |= O_CREAT;
	ret = fs_creds_set(&r->h, &old);
	if (ret == 0) {
		/*
		 * Always O_EXCL first: an existing name might be a device node or
		 * a fifo, which the server must never open. Only a regular file
		 * found by O_PATH is then reopened.
		 */
		fd = fs_openat_beneath(dir->fd, name, flags | O_EXCL, mode);
		created = fd >= 0;
		if (fd == -EEXIST && !(in.flags & O_EXCL)) {
			int pfd = fs_openat_beneath(dir->fd, name, O_PATH, 0);

			if (pfd < 0) {
				fd = pfd;
			} else if (fs_stat_fd(pfd, &st) < 0 || !S_ISREG(st.st_mode)) {
				fd = S_ISDIR(st.st_mode)   ? -EISDIR
				     : S_ISLNK(st.st_mode) ? -ELOOP
							   : -ENXIO;
				close(pfd);
			} else {
				fd = fs_reopen(r->s, &(struct fs_inode){.fd = pfd, .type = S_IFREG},
					       flags & ~O_CREAT);
				close(pfd);
			}
		}
		fs_creds_restore(&old);
	} else {
		fd = ret;
	}
	fs_inode_put(&r->s->inodes, dir);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EIO;
	}
	/* A file this request made gets the guest's mode whatever the VMM's umask; an old one keeps
	 * its own. */
	if (created && (mode & r->s->proc_umask) && (st.st_mode & 07777) != mode &&
	    fchmod(fd, mode) == 0)
		st.st_mode = (st.st_mode & S_IFMT) | mode;

	/* The inode: the file just opened, reached through its own fd, not by name again. */
	int pfd = fs_reopen(r->s, &(struct fs_inode){.fd = fd, .type = S_IFREG}, O_PATH);

	if (pfd < 0) {
		close(fd);
		return pfd;
	}
	ret = fs_inode_insert(&r->s->inodes, pfd, &st, &nodeid);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	fs_fill_entry(r->s, nodeid, &st, &out.e);
	memset(&out.o, 0, sizeof(out.o));
	ret = fs_handle_add(&r->s->handles, fd, false, &out.o.fh);
	if (ret < 0) {
		fs_inode_forget(&r->s->inodes, nodeid, 1);
		return ret;
	}
	out.o.open_flags = open_out_flags(r->s);
	ret = fs_reply(r, &out, sizeof(out));
	if (ret < 0) {
		fs_handle_release(&r->s->handles, out.o.fh, false);
		fs_inode_forget(&r->s->inodes, nodeid, 1);
	}
	return ret;
}

int fs_op_read(struct fs_req *r)
{
	struct fuse_read_in in;
	struct fs_handle *h;
	struct iovec *v;
	size_t len;
	ssize_t n;
	int nv;

	if (fs_arg(r, &in, sizeof(in)) < 0 || in.offset > (uint64_t)INT64_MAX)
		return -EINVAL;
	h = fs_handle_get(&r->s->handles, in.fh, false);
	if (!h)
		return -EBADF;
	v = fs_out_payload(r, in.size < FS_MAX_WRITE ? in.size : FS_MAX_WRITE, &nv, &len);
	if (!v) {
		fs_handle_put(&r->s->handles, h);
		return -ENOMEM;
	}
	n = len ? preadv(h->fd, v, nv, (off_t)in.offset) : 0;
	n = n < 0 ? -errno : n;
	free(v);
	fs_handle_put(&r->s->handles, h);
	if (n < 0)
		return (int)n;
	return fs_reply_hdr(r, (size_t)n);
}

/* The WRITE payload: in[] past the header and fuse_write_in, `len` bytes. */
static struct iovec *write_payload(struct fs_req *r, size_t len, int *n)
{
	struct iovec *v = calloc(r->nin ? r->nin : 1, sizeof(*v));
	size_t skip = sizeof(struct fuse_in_header) + sizeof(struct fuse_write_in), got = 0;
	int k = 0;

	if (!v)
		return NULL;
	for (int i = 0; i < r->nin && got < len; i++) {
		size_t l = r->in[i].iov_len;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		size_t c = l - skip < len - got ? l - skip : len - got;

		v[k].iov_base = (uint8_t *)r->in[i].iov_base + skip;
		v[k].iov_len = c;
		k++;
		got += c;
		skip = 0;
	}
	if (got != len) {
		free(v);
		return NULL;
	}
	*n = k;
	return v;
}

int fs_op_write(struct fs_req *r)
{
	struct fuse_write_in in;
	struct fuse_write_out out = {0};
	struct fs_handle *h;
	struct iovec *v;
	ssize_t n;
	int nv = 0;

	if (fs_arg(r, &in, sizeof(in)) < 0 || in.offset > (uint64_t)INT64_MAX)
		return -EINVAL;
	/* The payload is exactly what the header's length says is left. */
	if ((uint64_t)in.size != (uint64_t)r->h.len - sizeof(r->h) - sizeof(in) ||
	    in.size > FS_MAX_WRITE)
		return -EINVAL;
	h = fs_handle_get(&r->s->handles, in.fh, false);
	if (!h)
		return -EBADF;
	v = write_payload(r, in.size, &nv);
	if (!v) {
		fs_handle_put(&r->s->handles, h);
		return -EINVAL;
	}
	if ((in.write_flags & FUSE_WRITE_KILL_SUIDGID) &&
	    (r->s->features & FUSE_HANDLE_KILLPRIV_V2))
		fs_kill_suidgid(h->fd);
	n = in.size ? pwritev(h->fd, v, nv, (off_t)in.offset) : 0;
	n = n < 0 ? -errno : n;
	free(v);
	fs_handle_put(&r->s->handles, h);
	if (n < 0)
		return (int)n;
	out.size = (uint32_t)n;
	return fs_reply(r, &out, sizeof(out));
}

int fs_op_flush(struct fs_req *r)
{
	struct fuse_flush_in in;
	struct fs_handle *h;
	int fd;

	if (fs_arg(r, &in, sizeof(in)) < 0)
		return -EINVAL;
	h = fs_handle_get(&r->s->handles, in.fh, false);
	if (!h)
		return -EBADF;
	/* A close of a duplicate: what close(2) in the guest means for the host file. */
	fd = dup(h->fd);
	fs_handle_put(&r->s->handles, h);
	if (fd < 0)
		return -errno;
	return close(fd) < 0 ? -errno : fs_reply(r, NULL, 0);
}

/* RELEASE and RELEASEDIR differ only in the kind of handle they drop. */
int fs_release_handle(struct fs_req *r, bool dir)
{
	struct fuse_release_in in;
	int ret;

	if (fs_arg(r, &in, sizeof(in)) < 0)
		return -EINVAL;
	ret = fs_handle_release(&r->s->handles, in.fh, dir);
	return ret < 0 ? ret : fs_reply(r, NULL, 0);
}

/* FSYNC and FSYNCDIR likewise. */
int fs_fsync_handle(struct fs_req *r, bool dir)
{
	struct fuse_fsync_in in;
	struct fs_handle *h;
	int ret;

	if (fs_arg(r, &in, sizeof(in)) < 0)
		return -EINVAL;
	h = fs_handle_get(&r->s->handles, in.fh, dir);
	if (!h)
		return -EBADF;
	ret = ((in.fsync_flags & FUSE_FSYNC_FDATASYNC) ? fdatasync(h->fd) : fsync(h->fd)) < 0
		  ? -errno
		  : 0;
	fs_handle_put(&r->s->handles, h);
	return ret < 0 ? ret : fs_reply(r, NULL, 0);
}

int fs_op_release(struct fs_req *r)
{
	return fs_release_handle(r, false);
}

int fs_op_fsync(struct fs_req *r)
{
	return fs_fsync_handle(r, false);
}

int fs_op_fallocate(struct fs_req *r)
{
	const uint32_t modes = FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE |
			       FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE;
	struct fuse_fallocate_in in;
	struct fs_handle *h;
	int ret;

	if (fs_arg(r, &in, sizeof(in)) < 0 || (in.mode & ~modes) ||
	    in.offset > (uint64_t)INT64_MAX || in.length > (uint64_t)INT64_MAX)
		return -EINVAL;
	h = fs_handle_get(&r->s->handles, in.fh, false);
	if (!h)
		return -EBADF;
	ret = fallocate(h->fd, (int)in.mode, (off_t)in.offset, (off_t)in.length) < 0 ? -errno : 0;
	fs_handle_put(&r->s->handles, h);
	return ret < 0 ? ret : fs_reply(r, NULL, 0);
}

int fs_op_lseek(struct fs_req *r)
{
	struct fuse_lseek_in in;
	struct fuse_lseek_out out = {0};
	struct fs_handle *h;
	off_t off;

	if (fs_arg(r, &in, sizeof(in)) < 0 || in.offset > (uint64_t)INT64_MAX)
		return -EINVAL;
	if (in.whence != SEEK_DATA && in.whence != SEEK_HOLE)
		return -EINVAL;
	h = fs_handle_get(&r->s->handles, in.fh, false);
	if (!h)
		return -EBADF;
	/* The fd's position is never used for I/O (pread/pwrite), so moving it is harmless. */
	off = lseek(h->fd, (off_t)in.offset, (int)in.whence);
	int err = errno;

	fs_handle_put(&r->s->handles, h);
	if (off < 0)
		return -err;
	out.offset = (uint64_t)off;
	return fs_reply(r, &out, sizeof(out));
}

int fs_op_copy_file_range(struct fs_req *r)
{
	struct fuse_copy_file_range_in in;
	struct fuse_write_out out = {0};
	struct fs_handle *hin, *hout;
	loff_t off_in, off_out;
	ssize_t n;

	if (fs_arg(r, &in, sizeof(in)) < 0 || in.flags || in.off_in > (uint64_t)INT64_MAX ||
	    in.off_out > (uint64_t)INT64_MAX)
		return -EINVAL;
	hin = fs_handle_get(&r->s->handles, in.fh_in, false);
	hout = fs_handle_get(&r->s->handles, in.fh_out, false);
	if (!hin || !hout) {
		fs_handle_put(&r->s->handles, hin);
		fs_handle_put(&r->s->handles, hout);
		return -EBADF;
	}
	off_in = (loff_t)in.off_in;
	off_out = (loff_t)in.off_out;
	/* The reply says how much in 32 bits: at most 1 GiB per request (the guest loops). */
	n = copy_file_range(hin->fd, &off_in, hout->fd, &off_out,
			    in.len < (1u << 30) ? in.len : (1u << 30), 0);
	n = n < 0 ? -errno : n;
	fs_handle_put(&r->s->handles, hin);
	fs_handle_put(&r->s->handles, hout);
	if (n < 0)
		return (int)n;
	out.size = (uint32_t)n;
	return fs_reply(r, &out, sizeof(out));
}
