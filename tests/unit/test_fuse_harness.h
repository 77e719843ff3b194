/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the FUSE server's tests: a temp dir holding the shared
 * directory and, beside it, a sentinel directory that no request may touch;
 * helpers that build requests by hand and read replies.
 */
#ifndef OZONE_TEST_FUSE_HARNESS_H
#define OZONE_TEST_FUSE_HARNESS_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <linux/fuse.h>

#include "common/util.h"
#include "fs/fuse_server.h"

#define FH_OUT_MAX (2 * 1024 * 1024)

struct fh {
	char root[64];
	char share[PATH_MAX];
	char sentinel[PATH_MAX];
	char snapshot[8192];
	struct fuse_server *s;
	uint8_t *out;	   /* the reply buffer */
	uint32_t written;  /* bytes of the last reply */
	size_t out_len;	   /* writable bytes offered (default FH_OUT_MAX) */
	unsigned split;	   /* >0: the request goes in chunks of this many bytes */
	uint32_t uid, gid; /* requester */
	uint64_t unique;
};

static inline void fh_path(char *dst, const char *dir, const char *name)
{
	if (snprintf(dst, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX)
		abort();
}

static inline void fh_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			abort();
		close(fd);
	}
}

/* A listing of the sentinel dir: names, types, sizes, modes, mtimes, contents. */
static inline void fh_snapshot(const char *dir, char *buf, size_t len)
{
	const char *names[] = {"", "secret", "subdir", "subdir/inner"};
	size_t used = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < ARRAY_SIZE(names); i++) {
		char p[PATH_MAX], content[64] = {0};
		struct stat st;

		if (snprintf(p, sizeof(p), "%s/%s", dir, names[i]) >= (int)sizeof(p) ||
		    lstat(p, &st) < 0) {
			used += (size_t)snprintf(buf + used, len - used, "%s:missing;", names[i]);
			continue;
		}
		if (S_ISREG(st.st_mode)) {
			int fd = open(p, O_RDONLY);

			if (fd >= 0) {
				if (read(fd, content, sizeof(content) - 1) < 0)
					content[0] = 0;
				close(fd);
			}
		}
		used += (size_t)snprintf(buf + used, len - used, "%s:%o:%u:%u:%lld:%ld.%ld:%s;",
					 names[i], st.st_mode, st.st_uid, st.st_gid,
					 (long long)st.st_size, (long)st.st_mtim.tv_sec,
					 st.st_mtim.tv_nsec, content);
	}
	/* Anything new in the dir shows as a changed link count or mtime above. */
}

static inline int fh_rm(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static inline int fh_setup(struct fh *h)
{
	char p[PATH_MAX];

	memset(h, 0, sizeof(*h));
	strcpy(h->root, "/tmp/ozone-fuse-XXXXXX");
	if (!mkdtemp(h->root))
		return -1;
	fh_path(h->share, h->root, "share");
	fh_path(h->sentinel, h->root, "sentinel");
	if (mkdir(h->share, 0777) < 0 || mkdir(h->sentinel, 0755) < 0)
		return -1;
	chmod(h->share, 0777);
	fh_path(p, h->sentinel, "secret");
	fh_write_file(p, "outside");
	fh_path(p, h->sentinel, "subdir");
	mkdir(p, 0755);
	fh_path(p, h->sentinel, "subdir/inner");
	fh_write_file(p, "inner");
	fh_snapshot(h->sentinel, h->snapshot, sizeof(h->snapshot));
	h->out = calloc(1, FH_OUT_MAX);
	h->out_len = FH_OUT_MAX;
	h->uid = getuid();
	h->gid = getgid();
	return h->out && fuse_server_new(h->share, NULL, &h->s) == 0 ? 0 : -1;
}

/* 1 if the sentinel dir is exactly as fh_setup left it. */
static inline int fh_sentinel_intact(struct fh *h)
{
	char now[sizeof(h->snapshot)];

	fh_snapshot(h->sentinel, now, sizeof(now));
	return strcmp(now, h->snapshot) == 0;
}

static inline void fh_teardown(struct fh *h)
{
	fuse_server_free(h->s);
	free(h->out);
	nftw(h->root, fh_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* Sends raw bytes as one request; returns fuse_server_handle's value. */
static inline int fh_raw(struct fh *h, const void *buf, size_t len)
{
	struct iovec in[256], out[3];
	int nin = 0, ret;

	if (h->split && len) {
		for (size_t off = 0; off < len && nin < 256; off += h->split) {
			in[nin].iov_base = (uint8_t *)buf + off;
			in[nin].iov_len = len - off < h->split ? len - off : h->split;
			nin++;
		}
	} else {
		in[0].iov_base = (void *)buf;
		in[0].iov_len = len;
		nin = 1;
	}
	/* The writable side in three pieces, the first shorter than a header. */
	size_t a = h->out_len < 7 ? h->out_len : 7, b = h->out_len - a < 100 ? h->out_len - a : 100;

	out[0].iov_base = h->out;
	out[0].iov_len = a;
	out[1].iov_base = h->out + a;
	out[1].iov_len = b;
	out[2].iov_base = h->out + a + b;
	out[2].iov_len = h->out_len - a - b;
	memset(h->out, 0xa5, 4096);
	ret = fuse_server_handle(h->s, in, nin, len, out, 3, h->out_len, &h->written);
	return ret;
}

/* The reply's error (0 or -errno); -1000 for no reply; -2000 for a bad reply header. */
static inline int fh_reply_error(struct fh *h)
{
	struct fuse_out_header oh;

	if (h->written == 0)
		return -1000;
	memcpy(&oh, h->out, sizeof(oh));
	if (oh.len != h->written || oh.unique != h->unique)
		return -2000;
	return oh.error;
}

static inline const void *fh_body(struct fh *h)
{
	return h->out + sizeof(struct fuse_out_header);
}

/* Sends opcode on nodeid with body = a then b (either may be NULL); returns the reply's error. */
static inline int fh_req2(struct fh *h, uint32_t opcode, uint64_t nodeid, const void *a,
			  size_t alen, const void *b, size_t blen)
{
	size_t len = sizeof(struct fuse_in_header) + alen + blen;
	uint8_t *buf = malloc(len);
	struct fuse_in_header ih = {
	    .len = (uint32_t)len,
	    .opcode = opcode,
	    .unique = ++h->unique,
	    .nodeid = nodeid,
	    .uid = h->uid,
	    .gid = h->gid,
	    .pid = 42,
	};
	int ret;

	memcpy(buf, &ih, sizeof(ih));
	if (alen)
		memcpy(buf + sizeof(ih), a, alen);
	if (blen)
		memcpy(buf + sizeof(ih) + alen, b, blen);
	ret = fh_raw(h, buf, len);
	free(buf);
	if (ret < 0)
		return ret;
	return fh_reply_error(h);
}

static inline int fh_req(struct fh *h, uint32_t opcode, uint64_t nodeid, const void *a, size_t alen)
{
	return fh_req2(h, opcode, nodeid, a, alen, NULL, 0);
}

/* Two NUL-terminated names back to back (RENAME, SYMLINK). */
static inline size_t fh_names(char *buf, const char *a, const char *b)
{
	size_t la = strlen(a) + 1, lb = b ? strlen(b) + 1 : 0;

	memcpy(buf, a, la);
	if (b)
		memcpy(buf + la, b, lb);
	return la + lb;
}

static inline int fh_init(struct fh *h)
{
	struct fuse_init_in in = {
	    .major = 7,
	    .minor = 36,
	    .max_readahead = 128 * 1024,
	    .flags = 0xffffffffu,
	};

	return fh_req(h, FUSE_INIT, 0, &in, sizeof(in));
}

static inline int fh_lookup(struct fh *h, uint64_t dir, const char *name, struct fuse_entry_out *e)
{
	int ret = fh_req(h, FUSE_LOOKUP, dir, name, strlen(name) + 1);

	if (ret == 0 && e)
		memcpy(e, fh_body(h), sizeof(*e));
	return ret;
}

static inline int fh_open(struct fh *h, uint64_t nodeid, uint32_t flags, uint64_t *fhandle)
{
	struct fuse_open_in in = {.flags = flags};
	int ret;

	if (fhandle)
		*fhandle = 0;
	ret = fh_req(h, FUSE_OPEN, nodeid, &in, sizeof(in));

	if (ret == 0 && fhandle)
		*fhandle = ((const struct fuse_open_out *)fh_body(h))->fh;
	return ret;
}

static inline int fh_create(struct fh *h, uint64_t dir, const char *name, uint32_t flags,
			    uint32_t mode, struct fuse_entry_out *e, uint64_t *fhandle)
{
	struct fuse_create_in in = {.flags = flags, .mode = S_IFREG | mode, .umask = 022};
	int ret;

	if (fhandle)
		*fhandle = 0;
	ret = fh_req2(h, FUSE_CREATE, dir, &in, sizeof(in), name, strlen(name) + 1);

	if (ret == 0) {
		if (e)
			memcpy(e, fh_body(h), sizeof(*e));
		if (fhandle)
			*fhandle = ((const struct fuse_open_out *)((const uint8_t *)fh_body(h) +
								   sizeof(struct fuse_entry_out)))
				       ->fh;
	}
	return ret;
}

static inline int fh_write(struct fh *h, uint64_t nodeid, uint64_t fhandle, uint64_t off,
			   const void *data, uint32_t len)
{
	struct fuse_write_in in = {.fh = fhandle, .offset = off, .size = len};

	return fh_req2(h, FUSE_WRITE, nodeid, &in, sizeof(in), data, len);
}

/* READ into dst; returns bytes read or -errno. */
static inline int fh_read(struct fh *h, uint64_t nodeid, uint64_t fhandle, uint64_t off, void *dst,
			  uint32_t len)
{
	struct fuse_read_in in = {.fh = fhandle, .offset = off, .size = len};
	int ret = fh_req(h, FUSE_READ, nodeid, &in, sizeof(in));

	if (ret < 0)
		return ret;
	memcpy(dst, fh_body(h), h->written - sizeof(struct fuse_out_header));
	return (int)(h->written - sizeof(struct fuse_out_header));
}

static inline int fh_release(struct fh *h, uint64_t nodeid, uint64_t fhandle, int dir)
{
	struct fuse_release_in in = {.fh = fhandle};

	return fh_req(h, dir ? FUSE_RELEASEDIR : FUSE_RELEASE, nodeid, &in, sizeof(in));
}

#endif
