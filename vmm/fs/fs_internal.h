/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of the FUSE server, shared by its files:
 *   fs_server.c   request parsing, dispatch, replies, INIT/DESTROY
 *   fs_inode.c    the inode table and the file handle table
 *   fs_confine.c  name checks, confined opens, reopening O_PATH fds, credentials
 *   fs_attr.c     LOOKUP, FORGET, GETATTR, SETATTR, READLINK, ACCESS, STATFS, SYNCFS
 *   fs_ns.c       SYMLINK, MKNOD, MKDIR, UNLINK, RMDIR, RENAME, LINK
 *   fs_file.c     OPEN, CREATE, READ, WRITE, FLUSH, RELEASE, FSYNC, FALLOCATE, LSEEK,
 *                 COPY_FILE_RANGE
 *   fs_dir.c      OPENDIR, READDIR, READDIRPLUS, RELEASEDIR, FSYNCDIR
 *   fs_xattr.c    GETXATTR, SETXATTR, LISTXATTR, REMOVEXATTR
 *   fs_lock.c     GETLK, SETLK, SETLKW
 */
#ifndef OZONE_VMM_FS_INTERNAL_H
#define OZONE_VMM_FS_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <linux/fuse.h>

#include "fs/fuse_server.h"

/* Largest READ/WRITE payload offered to the guest (FUSE_MAX_PAGES). */
#define FS_MAX_PAGES 256
#define FS_MAX_WRITE (FS_MAX_PAGES * 4096u)
/* Largest request body (after the header) copied for ops other than WRITE. */
#define FS_MAX_ARG (64 * 1024 + 2 * 4096)

/* One inode the guest knows: an O_PATH fd that never follows a symlink. */
struct fs_inode {
	int fd;
	dev_t dev;
	ino_t ino;
	uint64_t mnt;	  /* the host mount fd is on (statx STATX_MNT_ID); 0 unknown */
	mode_t type;	  /* S_IFMT bits */
	uint64_t nlookup; /* guest references (LOOKUP +1, FORGET -n) */
	unsigned refs;	  /* requests in flight using this inode */
	uint32_t slot;
	struct fs_inode *hnext;
};

struct fs_inode_table {
	pthread_mutex_t lock;
	struct fs_inode **slots; /* index = low 32 bits of the nodeid, minus 1 */
	uint32_t *gens;		 /* generation of each slot: high 32 bits of the nodeid */
	uint32_t nslots, cap;
	uint32_t *free; /* stack of free slots */
	uint32_t nfree;
	struct fs_inode **hash; /* keyed by (dev, ino) */
	uint32_t hash_size;	/* power of two */
	uint64_t count;		/* inodes in the table, the root included */
	uint64_t max;		/* count never goes past it: a new inode is ENFILE */
};

/* One open file or directory. */
struct fs_handle {
	int fd;
	bool dir;
	unsigned refs;
	uint32_t slot;
	pthread_mutex_t lock; /* directories: lseek + getdents as one step */
};

struct fs_handle_table {
	pthread_mutex_t lock;
	struct fs_handle **slots;
	uint32_t *gens;
	uint32_t nslots, cap;
	uint32_t *free;
	uint32_t nfree;
	uint32_t count; /* handles in the table */
	uint32_t max;	/* count never goes past it: a new handle is EMFILE */
};

struct fuse_server {
	struct fuse_server_opts opts;
	int proc_self_fd; /* /proc/self/fd, for reopening O_PATH fds */
	mode_t proc_umask;
	double timeout; /* entry and attribute validity, seconds */
	pthread_mutex_t init_lock;
	bool initialized;
	uint32_t minor;	   /* the guest's protocol minor */
	uint32_t features; /* negotiated FUSE_* init flags */
	bool stop_waits;   /* atomic: SETLKW gives up waiting (fuse_server_stop_waits) */
	struct fs_inode_table inodes;
	struct fs_handle_table handles;
};

/* One request being served. */
struct fs_req {
	struct fuse_server *s;
	struct fuse_in_header h; /* copied and checked */
	uint8_t *arg;		 /* private copy of the body (never guest memory) */
	size_t arg_len, arg_pos;
	const struct iovec *in; /* WRITE: the payload stays in the guest's buffers */
	int nin;
	const struct iovec *out;
	int nout;
	size_t out_len;
	uint32_t written;
	bool replied;
};

/* ---- fs_server.c: arguments and replies ---- */

/* Copies the next `len` bytes of the body into dst; -EINVAL if fewer remain. */
int fs_arg(struct fs_req *r, void *dst, size_t len);
/*
 * The next NUL-terminated string of the body (a pointer into the private
 * copy); NULL if no NUL comes before the body ends.
 */
const char *fs_arg_str(struct fs_req *r);
/* Replies with a body; -EIO (nothing written) if it does not fit out_len. */
int fs_reply(struct fs_req *r, const void *body, size_t len);
/* Replies with the header followed by a scatter list of payload. */
int fs_reply_iov(struct fs_req *r, const struct iovec *iov, int n);
/* The writable buffers past the reply header, at most `max` bytes: *n entries in a malloc'd array.
 */
struct iovec *fs_out_payload(struct fs_req *r, size_t max, int *n, size_t *len);
/* Marks the reply as written by the caller (header filled by fs_reply_hdr). */
int fs_reply_hdr(struct fs_req *r, size_t body_len);

/* ---- fs_inode.c ---- */
/* A table holding the root (root_fd), with room for at most `max` inodes in all. */
int fs_inodes_init(struct fs_inode_table *t, int root_fd, uint32_t max);
void fs_inodes_free(struct fs_inode_table *t);
/* Pins the inode of a guest nodeid; NULL for an unknown or stale nodeid. */
struct fs_inode *fs_inode_get(struct fs_inode_table *t, uint64_t nodeid);
void fs_inode_put(struct fs_inode_table *t, struct fs_inode *ino);
/*
 * Takes ownership of `fd` (O_PATH) with stat `st`: finds the inode by
 * (dev, ino) or adds it, and counts one lookup. 0 with *nodeid, or -errno
 * (fd closed either way unless it became the inode's fd); -ENFILE when a
 * new inode would go past the table's cap.
 */
int fs_inode_insert(struct fs_inode_table *t, int fd, const struct stat *st, uint64_t *nodeid);
/* Drops n lookups of nodeid; the inode goes at zero. Unknown nodeids are ignored. */
void fs_inode_forget(struct fs_inode_table *t, uint64_t nodeid, uint64_t n);

int fs_handles_init(struct fs_handle_table *t, uint32_t max);
void fs_handles_free(struct fs_handle_table *t);
/* Adds an open fd (owned from now on): 0 with *fh, or -errno (fd closed): -EMFILE at the cap. */
int fs_handle_add(struct fs_handle_table *t, int fd, bool dir, uint64_t *fh);
struct fs_handle *fs_handle_get(struct fs_handle_table *t, uint64_t fh, bool dir);
void fs_handle_put(struct fs_handle_table *t, struct fs_handle *h);
/* Removes fh: its fd closes when the last user puts it. -EBADF if unknown. */
int fs_handle_release(struct fs_handle_table *t, uint64_t fh, bool dir);

/* ---- fs_confine.c ---- */
/* 0 if `name` is one path component other than "." and ".."; else -EINVAL/-ENAMETOOLONG. */
int fs_check_name(const char *name);
/* Opens `name` beneath dirfd without following any symlink. fd or -errno. */
int fs_openat_beneath(int dirfd, const char *name, int flags, mode_t mode);
/* Reopens an O_PATH fd of a regular file or directory for I/O. fd or -errno. */
int fs_reopen(struct fuse_server *s, const struct fs_inode *ino, int flags);
/* fstat of an O_PATH fd, never following a symlink. 0 or -errno. */
int fs_stat_fd(int fd, struct stat *st);
/* Looks `name` up beneath the directory inode and fills *e (nlookup +1). */
int fs_do_lookup(struct fuse_server *s, struct fs_inode *dir, const char *name,
		 struct fuse_entry_out *e);
/* Switches this thread's fs uid/gid to the requester's; fs_creds_restore undoes it. */
struct fs_creds {
	uid_t uid;
	gid_t gid;
};
int fs_creds_set(const struct fuse_in_header *h, struct fs_creds *old);
void fs_creds_restore(const struct fs_creds *old);
/* Clears set-user-ID and (group-executable) set-group-ID of an open file. */
int fs_kill_suidgid(int fd);

void fs_fill_attr(const struct stat *st, struct fuse_attr *a);
void fs_fill_entry(struct fuse_server *s, uint64_t nodeid, const struct stat *st,
		   struct fuse_entry_out *e);

/* ---- operations: each returns 0 once replied, or -errno for an error reply ---- */
int fs_op_lookup(struct fs_req *r);
int fs_op_forget(struct fs_req *r);
int fs_op_batch_forget(struct fs_req *r);
int fs_op_getattr(struct fs_req *r);
int fs_op_setattr(struct fs_req *r);
int fs_op_readlink(struct fs_req *r);
int fs_op_access(struct fs_req *r);
int fs_op_statfs(struct fs_req *r);
int fs_op_syncfs(struct fs_req *r);
int fs_op_symlink(struct fs_req *r);
int fs_op_mknod(struct fs_req *r);
int fs_op_mkdir(struct fs_req *r);
int fs_op_unlink(struct fs_req *r);
int fs_op_rmdir(struct fs_req *r);
int fs_op_rename(struct fs_req *r);
int fs_op_rename2(struct fs_req *r);
int fs_op_link(struct fs_req *r);
int fs_op_open(struct fs_req *r);
int fs_op_create(struct fs_req *r);
int fs_op_read(struct fs_req *r);
int fs_op_write(struct fs_req *r);
int fs_op_flush(struct fs_req *r);
/* Shared by the file and directory variants of RELEASE and FSYNC. */
int fs_release_handle(struct fs_req *r, bool dir);
int fs_fsync_handle(struct fs_req *r, bool dir);
int fs_op_release(struct fs_req *r);
int fs_op_fsync(struct fs_req *r);
int fs_op_fallocate(struct fs_req *r);
int fs_op_lseek(struct fs_req *r);
int fs_op_copy_file_range(struct fs_req *r);
int fs_op_opendir(struct fs_req *r);
int fs_op_readdir(struct fs_req *r);
int fs_op_readdirplus(struct fs_req *r);
int fs_op_releasedir(struct fs_req *r);
int fs_op_fsyncdir(struct fs_req *r);
int fs_op_getxattr(struct fs_req *r);
int fs_op_setxattr(struct fs_req *r);
int fs_op_listxattr(struct fs_req *r);
int fs_op_removexattr(struct fs_req *r);
int fs_op_getlk(struct fs_req *r);
int fs_op_setlk(struct fs_req *r);
int fs_op_setlkw(struct fs_req *r);

#endif
