/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtio-fs FUSE server: serves one host directory to the guest with
 * passthrough semantics, confined to that directory whatever the guest
 * sends. Transport independent: the device pops a request chain and hands
 * its device-readable and device-writable buffers to fuse_server_handle().
 * Several threads may call fuse_server_handle() on one server at once.
 * See docs/virtio-fs.md.
 */
#ifndef OZONE_VMM_FS_FUSE_SERVER_H
#define OZONE_VMM_FS_FUSE_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct fuse_server;

enum fuse_cache_policy {
	FUSE_CACHE_AUTO = 0, /* attributes and entries cached for 1 s (default) */
	FUSE_CACHE_NONE,     /* nothing cached: every access asks the server */
	FUSE_CACHE_ALWAYS,   /* cached for a day: only when the host does not change DIR */
};

struct fuse_server_opts {
	enum fuse_cache_policy cache;
	/*
	 * Offer FUSE_WRITEBACK_CACHE: the guest batches writes in its page
	 * cache. Faster, but the host sees data late; only for shares no
	 * other party writes to.
	 */
	bool writeback;
	/*
	 * Caps on what the guest may hold at once (0: the defaults below). Each
	 * inode and each open handle costs the host an fd and a little memory,
	 * and a guest keeps every inode it has seen until it sends FORGET. At the
	 * cap a LOOKUP (or anything else that would add an inode) fails with
	 * ENFILE and an OPEN, CREATE or OPENDIR with EMFILE; the server goes on
	 * serving, and FORGET and RELEASE make room again.
	 */
	uint32_t max_inodes;  /* the root included */
	uint32_t max_handles; /* open files and directories */
};

#define FUSE_SERVER_MAX_INODES 65536u
#define FUSE_SERVER_MAX_HANDLES 4096u
/* Most fds one server holds at once besides its inodes and handles (requests in flight). */
#define FUSE_SERVER_FD_SLACK 256u

/*
 * Opens /proc/self/fd once for every server made from now on: a monitor
 * that will leave the host's root (vmm/jail.h) calls it first, since the
 * server reopens its O_PATH handles through that directory. The fd is only
 * ever used with names the server formats from its own fd numbers, and it
 * is the root of a detached copy of that directory's mount (open_tree, so
 * CAP_SYS_ADMIN): ".." stays in it, no other process's /proc entry can be
 * named through it.
 */
int fuse_server_preopen_proc(void);

/*
 * Serves `dir` (which must be a directory; it is the guest's root, nodeid 1).
 * `opts` may be NULL for the defaults. 0 with *out set, or -errno.
 */
int fuse_server_new(const char *dir, const struct fuse_server_opts *opts, struct fuse_server **out);

/*
 * A fresh server over the same directory, with the same options: no inode
 * but the root, no handle, INIT not done. It needs no path and no /proc
 * lookup (it duplicates `s`'s fds), so it works after the VMM has left the
 * mount namespace it started in. Safe while requests run on `s`.
 * 0 with *out set, or -errno.
 */
int fuse_server_clone(const struct fuse_server *s, struct fuse_server **out);

/*
 * The most fds a server with `opts` (NULL: the defaults) can hold at once:
 * one per inode and per handle at the caps, and FUSE_SERVER_FD_SLACK for
 * the requests in flight (an fd being opened, an inode FORGET dropped that
 * a running request still pins).
 */
unsigned long fuse_server_fd_need(const struct fuse_server_opts *opts);

/*
 * Sets RLIMIT_NOFILE, soft and hard, to `limit`: a number the caller works
 * out from what it serves (fuse_server_fd_need() and its own fds), never
 * the host's fs.nr_open. Raising the hard limit needs CAP_SYS_RESOURCE;
 * without it the soft limit goes as far as the hard one allows. Call once,
 * before dropping capabilities. Returns the soft limit now in force.
 */
unsigned long fuse_server_set_fd_limit(unsigned long limit);

/*
 * Ends every wait for a lock (SETLKW) running on `s` now or later: they
 * answer EINTR. The device calls it when the guest resets it (the server
 * is then being replaced) and before it joins its workers, so a lock the
 * guest never releases cannot hold a worker, or teardown, forever.
 * Safe from any thread while requests run; makes no file system call.
 */
void fuse_server_stop_waits(struct fuse_server *s);

/* Closes every inode and file handle. No call may be running. */
void fuse_server_free(struct fuse_server *s);

/*
 * Handles one request: parses it from the device-readable buffers
 * in[0, nin) (in_len bytes in all) and writes the reply into the
 * device-writable buffers out[0, nout) (out_len bytes in all).
 * Returns 0 with *written = the reply's length (0 for requests that take
 * no reply: FORGET, BATCH_FORGET, which need no writable buffer at all, as
 * on the hiprio queue), or -EINVAL with *written = 0 when a reply is due
 * and not even an error reply fits (fewer than 16 writable bytes). A malformed
 * request gets an error reply, never a crash; the reply never goes past
 * out_len.
 */
int fuse_server_handle(struct fuse_server *s, const struct iovec *in, int nin, size_t in_len,
		       const struct iovec *out, int nout, size_t out_len, uint32_t *written);

#endif
