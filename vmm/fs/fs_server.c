/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The FUSE server's front: copies one request out of the guest's buffers,
 * checks its header and length, dispatches it and writes the reply.
 *
 * The guest can change its buffers while we read them, so every byte the
 * server parses is copied once into private memory (the header, then the
 * body) and checked there. Only WRITE's payload is read in place: it is
 * data, never parsed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "common/util.h"
#include "fs/fs_internal.h"

/* Copies len bytes at offset `off` of a scatter list into dst; false if it is shorter. */
static bool iov_read(const struct iovec *iov, int n, size_t off, void *dst, size_t len)
{
	uint8_t *d = dst;

	for (int i = 0; i < n && len; i++) {
		size_t l = iov[i].iov_len;

		if (off >= l) {
			off -= l;
			continue;
		}
		size_t c = l - off < len ? l - off : len;

		memcpy(d, (const uint8_t *)iov[i].iov_base + off, c);
		d += c;
		len -= c;
		off = 0;
	}
	return len == 0;
}

/* Copies src into a scatter list at offset `off`; false if it is shorter. */
static bool iov_write(const struct iovec *iov, int n, size_t off, const void *src, size_t len)
{
	const uint8_t *s = src;

	for (int i = 0; i < n && len; i++) {
		size_t l = iov[i].iov_len;

		if (off >= l) {
			off -= l;
			continue;
		}
		size_t c = l - off < len ? l - off : len;

		memcpy((uint8_t *)iov[i].iov_base + off, s, c);
		s += c;
		len -= c;
		off = 0;
	}
	return len == 0;
}

int fs_arg(struct fs_req *r, void *dst, size_t len)
{
	if (r->arg_len - r->arg_pos < len)
		return -EINVAL;
	memcpy(dst, r->arg + r->arg_pos, len);
	r->arg_pos += len;
	return 0;
}

const char *fs_arg_str(struct fs_req *r)
{
	const char *s = (const char *)r->arg + r->arg_pos;
	size_t rem = r->arg_len - r->arg_pos;
	const char *nul = rem ? memchr(s, '\0', rem) : NULL;

	if (!nul)
		return NULL;
	r->arg_pos += (size_t)(nul - s) + 1;
	return s;
}

static int write_hdr(struct fs_req *r, int error, size_t body_len)
{
	struct fuse_out_header oh = {
	    .len = (uint32_t)(sizeof(oh) + body_len),
	    .error = error,
	    .unique = r->h.unique,
	};

	if (!iov_write(r->out, r->nout, 0, &oh, sizeof(oh)))
		return -EIO;
	r->written = oh.len;
	r->replied = true;
	return 0;
}

int fs_reply_hdr(struct fs_req *r, size_t body_len)
{
	if (r->out_len < sizeof(struct fuse_out_header) ||
	    body_len > r->out_len - sizeof(struct fuse_out_header))
		return -EIO;
	return write_hdr(r, 0, body_len);
}

int fs_reply(struct fs_req *r, const void *body, size_t len)
{
	if (r->out_len < sizeof(struct fuse_out_header) ||
	    len > r->out_len - sizeof(struct fuse_out_header))
		return -EIO;
	if (len && !iov_write(r->out, r->nout, sizeof(struct fuse_out_header), body, len))
		return -EIO;
	return write_hdr(r, 0, len);
}

int fs_reply_iov(struct fs_req *r, const struct iovec *iov, int n)
{
	size_t total = 0, off = sizeof(struct fuse_out_header);

	for (int i = 0; i < n; i++)
		total += iov[i].iov_len;
	if (r->out_len < sizeof(struct fuse_out_header) ||
	    total > r->out_len - sizeof(struct fuse_out_header))
		return -EIO;
	for (int i = 0; i < n; i++) {
		if (!iov_write(r->out, r->nout, off, iov[i].iov_base, iov[i].iov_len))
			return -EIO;
		off += iov[i].iov_len;
	}
	return write_hdr(r, 0, total);
}

struct iovec *fs_out_payload(struct fs_req *r, size_t max, int *n, size_t *len)
{
	struct iovec *v = calloc(r->nout ? r->nout : 1, sizeof(*v));
	size_t skip = sizeof(struct fuse_out_header), got = 0;
	int k = 0;

	if (!v)
		return NULL;
	for (int i = 0; i < r->nout && got < max; i++) {
		size_t l = r->out[i].iov_len;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		size_t c = l - skip < max - got ? l - skip : max - got;

		v[k].iov_base = (uint8_t *)r->out[i].iov_base + skip;
		v[k].iov_len = c;
		k++;
		got += c;
		skip = 0;
	}
	*n = k;
	*len = got;
	return v;
}

static int reply_err(struct fs_req *r, int err)
{
	if (err >= 0 || err < -4095)
		err = -EIO;
	return write_hdr(r, err, 0);
}

/* ---- INIT, DESTROY ---- */

/* What we offer; the reply carries only those the guest offered too. */
#define FS_FEATURES                                                                                \
	(FUSE_ASYNC_READ | FUSE_ATOMIC_O_TRUNC | FUSE_BIG_WRITES | FUSE_DO_READDIRPLUS |           \
	 FUSE_READDIRPLUS_AUTO | FUSE_PARALLEL_DIROPS | FUSE_MAX_PAGES | FUSE_HANDLE_KILLPRIV_V2 | \
	 FUSE_CACHE_SYMLINKS | FUSE_SUBMOUNTS | FUSE_POSIX_LOCKS)

static int op_init(struct fs_req *r)
{
	struct fuse_server *s = r->s;
	struct fuse_init_in in = {0};
	struct fuse_init_out out = {0};
	size_t have = r->arg_len;

	/* Before 7.36 the request was 16 bytes; the rest stays zero. */
	if (have < 16)
		return -EINVAL;
	fs_arg(r, &in, have < sizeof(in) ? have : sizeof(in));
	out.major = FUSE_KERNEL_VERSION;
	out.minor = FUSE_KERNEL_MINOR_VERSION;
	if (in.major < 7)
		return -EPROTO;
	if (in.major > 7) /* the guest retries with our major */
		return fs_reply(r, &out, FUSE_COMPAT_INIT_OUT_SIZE);
	if (in.minor < 31) /* older than any kernel with virtio-fs */
		return -EPROTO;
	out.max_readahead = in.max_readahead;
	out.flags = in.flags & (FS_FEATURES | (s->opts.writeback ? FUSE_WRITEBACK_CACHE : 0));
	out.max_background = 64;
	out.congestion_threshold = 48;
	out.max_write = FS_MAX_WRITE;
	out.time_gran = 1;
	out.max_pages = FS_MAX_PAGES;

	pthread_mutex_lock(&s->init_lock);
	s->minor = in.minor;
	s->features = out.flags;
	s->initialized = true;
	pthread_mutex_unlock(&s->init_lock);
	return fs_reply(r, &out, sizeof(out));
}

static int op_destroy(struct fs_req *r)
{
	pthread_mutex_lock(&r->s->init_lock);
	r->s->initialized = false;
	pthread_mutex_unlock(&r->s->init_lock);
	return fs_reply(r, NULL, 0);
}

typedef int (*fs_op_fn)(struct fs_req *r);

static const fs_op_fn op_table[] = {
    [FUSE_LOOKUP] = fs_op_lookup,
    [FUSE_FORGET] = fs_op_forget,
    [FUSE_BATCH_FORGET] = fs_op_batch_forget,
    [FUSE_GETATTR] = fs_op_getattr,
    [FUSE_SETATTR] = fs_op_setattr,
    [FUSE_READLINK] = fs_op_readlink,
    [FUSE_SYMLINK] = fs_op_symlink,
    [FUSE_MKNOD] = fs_op_mknod,
    [FUSE_MKDIR] = fs_op_mkdir,
    [FUSE_UNLINK] = fs_op_unlink,
    [FUSE_RMDIR] = fs_op_rmdir,
    [FUSE_RENAME] = fs_op_rename,
    [FUSE_RENAME2] = fs_op_rename2,
    [FUSE_LINK] = fs_op_link,
    [FUSE_OPEN] = fs_op_open,
    [FUSE_CREATE] = fs_op_create,
    [FUSE_READ] = fs_op_read,
    [FUSE_WRITE] = fs_op_write,
    [FUSE_FLUSH] = fs_op_flush,
    [FUSE_RELEASE] = fs_op_release,
    [FUSE_FSYNC] = fs_op_fsync,
    [FUSE_FALLOCATE] = fs_op_fallocate,
    [FUSE_LSEEK] = fs_op_lseek,
    [FUSE_COPY_FILE_RANGE] = fs_op_copy_file_range,
    [FUSE_OPENDIR] = fs_op_opendir,
    [FUSE_READDIR] = fs_op_readdir,
    [FUSE_READDIRPLUS] = fs_op_readdirplus,
    [FUSE_RELEASEDIR] = fs_op_releasedir,
    [FUSE_FSYNCDIR] = fs_op_fsyncdir,
    [FUSE_STATFS] = fs_op_statfs,
    [FUSE_SYNCFS] = fs_op_syncfs,
    [FUSE_ACCESS] = fs_op_access,
    [FUSE_GETXATTR] = fs_op_getxattr,
    [FUSE_SETXATTR] = fs_op_setxattr,
    [FUSE_LISTXATTR] = fs_op_listxattr,
    [FUSE_REMOVEXATTR] = fs_op_removexattr,
    [FUSE_GETLK] = fs_op_getlk,
    [FUSE_SETLK] = fs_op_setlk,
    [FUSE_SETLKW] = fs_op_setlkw,
    [FUSE_INIT] = op_init,
    [FUSE_DESTROY] = op_destroy,
};

int fuse_server_handle(struct fuse_server *s, const struct iovec *in, int nin, size_t in_len,
		       const struct iovec *out, int nout, size_t out_len, uint32_t *written)
{
	struct fs_req r = {.s = s, .in = in, .nin = nin, .out = out, .nout = nout};
	size_t body;
	fs_op_fn fn;
	int ret;

	*written = 0;
	if (nin < 0 || nout < 0 || !s)
		return -EINVAL;
	/* The reply can never be longer than what the used ring can say. */
	r.out_len = out_len > UINT32_MAX ? UINT32_MAX : out_len;

	/* The header: copied once, then checked against the bytes actually present. */
	if (in_len < sizeof(r.h) || !iov_read(in, nin, 0, &r.h, sizeof(r.h))) {
		memset(&r.h, 0, sizeof(r.h));
		ret = -EINVAL;
		goto fail;
	}
	/*
	 * FORGET and BATCH_FORGET take no reply (on the hiprio queue they come
	 * with no writable buffer at all); everything else needs room for one.
	 */
	if (r.out_len < sizeof(struct fuse_out_header) && r.h.opcode != FUSE_FORGET &&
	    r.h.opcode != FUSE_BATCH_FORGET)
		return -EINVAL;
	if (r.h.len != in_len || r.h.len < sizeof(r.h)) {
		ret = -EINVAL;
		goto fail;
	}
	body = r.h.len - sizeof(r.h);

	pthread_mutex_lock(&s->init_lock);
	bool ready = s->initialized;
	pthread_mutex_unlock(&s->init_lock);
	if (!ready && r.h.opcode != FUSE_INIT) {
		ret = -EIO;
		goto fail;
	}
	fn = r.h.opcode < ARRAY_SIZE(op_table) ? op_table[r.h.opcode] : NULL;
	if (!fn) {
		ret = -ENOSYS;
		goto fail;
	}

	/* The body, into private memory. WRITE keeps its payload in place. */
	if (r.h.opcode == FUSE_WRITE)
		r.arg_len =
		    body < sizeof(struct fuse_write_in) ? body : sizeof(struct fuse_write_in);
	else if (body > FS_MAX_ARG) {
		ret = -E2BIG;
		goto fail;
	} else
		r.arg_len = body;
	r.arg = malloc(r.arg_len + 1);
	if (!r.arg) {
		ret = -ENOMEM;
		goto fail;
	}
	if (!iov_read(in, nin, sizeof(r.h), r.arg, r.arg_len)) {
		ret = -EINVAL;
		goto fail;
	}
	ret = fn(&r);
fail:
	free(r.arg);
	/* FORGET and BATCH_FORGET take no reply, even when malformed. */
	if (r.h.opcode == FUSE_FORGET || r.h.opcode == FUSE_BATCH_FORGET)
		return 0;
	if (r.out_len < sizeof(struct fuse_out_header))
		return -EINVAL;
	if (!r.replied)
		reply_err(&r, ret < 0 ? ret : -EIO);
	*written = r.written;
	return 0;
}

/*
 * The process umask, read from /proc/self/status: umask(2) can only read
 * it by changing it, which would race with other threads creating files.
 * 022 if it cannot be read.
 */
static mode_t proc_umask(void)
{
	char line[128];
	unsigned m = 022;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 022;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Umask: %o", &m) == 1)
			break;
	}
	fclose(f);
	return (mode_t)(m & 0777);
}

/* Makes a server over root_fd and proc_self_fd, which it takes (closed on failure too). */
static int server_make(const struct fuse_server_opts *opts, int proc_self_fd, int root_fd,
		       mode_t proc_umask, struct fuse_server **out)
{
	struct fuse_server *s = calloc(1, sizeof(*s));
	int ret;

	if (!s) {
		close(proc_self_fd);
		close(root_fd);
		return -ENOMEM;
	}
	if (opts)
		s->opts = *opts;
	if (!s->opts.max_inodes)
		s->opts.max_inodes = FUSE_SERVER_MAX_INODES;
	if (!s->opts.max_handles)
		s->opts.max_handles = FUSE_SERVER_MAX_HANDLES;
	switch (s->opts.cache) {
	case FUSE_CACHE_NONE:
		s->timeout = 0;
		break;
	case FUSE_CACHE_ALWAYS:
		s->timeout = 86400;
		break;
	default:
		s->timeout = 1;
		break;
	}
	s->proc_self_fd = proc_self_fd;
	s->proc_umask = proc_umask;
	pthread_mutex_init(&s->init_lock, NULL);
	ret = fs_inodes_init(&s->inodes, root_fd, s->opts.max_inodes);
	if (ret < 0) {
		close(root_fd);
		goto err;
	}
	ret = fs_handles_init(&s->handles, s->opts.max_handles);
	if (ret < 0) {
		fs_inodes_free(&s->inodes);
		goto err;
	}
	*out = s;
	return 0;

err:
	pthread_mutex_destroy(&s->init_lock);
	close(s->proc_self_fd);
	free(s);
	return ret;
}

/* /proc/self/fd opened before the monitor left the host's root (fuse_server_preopen_proc). */
static int preopened_proc = -1;

int fuse_server_preopen_proc(void)
{
	if (preopened_proc >= 0)
		return 0;
	/*
	 * Not an fd on the host's /proc: from /proc/<pid>/fd, ".." leads to
	 * /proc and every other process's root, cwd and fds (a thread that
	 * runs the guest's code would only need openat(fd, "../../1/root")).
	 * A detached copy of the mount whose root is this directory: ".." at
	 * a mount's root that has no parent stays where it is, so only this
	 * process's own fds can be named through it.
	 */
	preopened_proc = open_tree(AT_FDCWD, "/proc/self/fd", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	return preopened_proc < 0 ? -errno : 0;
}

int fuse_server_new(const char *dir, const struct fuse_server_opts *opts, struct fuse_server **out)
{
	struct stat st;
	int proc, root, ret;

	proc = preopened_proc >= 0 ? fcntl(preopened_proc, F_DUPFD_CLOEXEC, 0)
				   : open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (proc < 0)
		return -errno;
	root = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0 || fstat(root, &st) < 0) {
		ret = -errno;
		if (root >= 0)
			close(root);
		close(proc);
		return ret;
	}
	/* The umask of the process: creations undo it where the guest's mode asks for more. */
	return server_make(opts, proc, root, proc_umask(), out);
}

int fuse_server_clone(const struct fuse_server *s, struct fuse_server **out)
{
	/* Slot 0 is the root; its fd never changes while the server lives. */
	int proc = fcntl(s->proc_self_fd, F_DUPFD_CLOEXEC, 0);
	int root = fcntl(s->inodes.slots[0]->fd, F_DUPFD_CLOEXEC, 0);

	if (proc < 0 || root < 0) {
		int ret = -errno;

		if (proc >= 0)
			close(proc);
		if (root >= 0)
			close(root);
		return ret;
	}
	return server_make(&s->opts, proc, root, s->proc_umask, out);
}

unsigned long fuse_server_fd_need(const struct fuse_server_opts *opts)
{
	unsigned long inodes = opts && opts->max_inodes ? opts->max_inodes : FUSE_SERVER_MAX_INODES;
	unsigned long handles =
	    opts && opts->max_handles ? opts->max_handles : FUSE_SERVER_MAX_HANDLES;

	return inodes + handles + FUSE_SERVER_FD_SLACK;
}

unsigned long fuse_server_set_fd_limit(unsigned long limit)
{
	struct rlimit rl = {limit, limit};

	/* Lowering the hard limit needs no privilege; raising it needs CAP_SYS_RESOURCE. */
	if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
		return limit;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 0;
	rl.rlim_cur = limit < rl.rlim_max ? limit : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		getrlimit(RLIMIT_NOFILE, &rl);
	return rl.rlim_cur;
}

void fuse_server_free(struct fuse_server *s)
{
	if (!s)
		return;
	fs_handles_free(&s->handles);
	fs_inodes_free(&s->inodes);
	close(s->proc_self_fd);
	pthread_mutex_destroy(&s->init_lock);
	free(s);
}
