/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FUSE server tests: hand-built requests against a temp dir, the way the
 * guest kernel sends them, checking each reply and the host side.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <dirent.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/xattr.h>
#include <cmocka.h>

#include "test_fuse_harness.h"

static int setup(void **state)
{
	struct fh *h = calloc(1, sizeof(*h));

	if (!h || fh_setup(h) < 0)
		return -1;
	*state = h;
	return 0;
}

static int setup_init(void **state)
{
	if (setup(state) < 0)
		return -1;
	return fh_init(*state) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	struct fh *h = *state;

	assert_true(fh_sentinel_intact(h));
	fh_teardown(h);
	free(h);
	return 0;
}

static void test_init(void **state)
{
	struct fh *h = *state;
	struct fuse_init_out out;
	struct fuse_getattr_in ga = {0};

	/* Nothing but INIT before INIT. */
	assert_int_equal(fh_req(h, FUSE_GETATTR, 1, &ga, sizeof(ga)), -EIO);
	assert_int_equal(fh_init(h), 0);
	assert_int_equal(h->written, sizeof(struct fuse_out_header) + sizeof(out));
	memcpy(&out, fh_body(h), sizeof(out));
	assert_int_equal(out.major, 7);
	assert_true(out.minor >= 36);
	assert_true(out.flags & FUSE_ASYNC_READ);
	assert_true(out.flags & FUSE_ATOMIC_O_TRUNC);
	assert_true(out.flags & FUSE_DO_READDIRPLUS);
	assert_true(out.flags & FUSE_PARALLEL_DIROPS);
	assert_true(out.flags & FUSE_MAX_PAGES);
	assert_true(out.flags & FUSE_HANDLE_KILLPRIV_V2);
	assert_true(out.flags & FUSE_CACHE_SYMLINKS);
	assert_true(out.flags & FUSE_POSIX_LOCKS);
	assert_true(out.flags & FUSE_SUBMOUNTS);
	/* Nothing we do not implement. */
	assert_false(out.flags &
		     (FUSE_FLOCK_LOCKS | FUSE_WRITEBACK_CACHE | FUSE_EXPORT_SUPPORT |
		      FUSE_SPLICE_READ | FUSE_POSIX_ACL | FUSE_DONT_MASK | FUSE_SETXATTR_EXT));
	assert_true(out.max_pages > 0 && out.max_write == out.max_pages * 4096u);

	/* Only what the guest offered comes back. */
	struct fuse_init_in in = {.major = 7, .minor = 36, .flags = FUSE_ASYNC_READ};

	assert_int_equal(fh_req(h, FUSE_INIT, 0, &in, sizeof(in)), 0);
	memcpy(&out, fh_body(h), sizeof(out));
	assert_int_equal(out.flags, FUSE_ASYNC_READ);
	/* A major from the future gets our major back. */
	in.major = 8;
	assert_int_equal(fh_req(h, FUSE_INIT, 0, &in, sizeof(in)), 0);
	memcpy(&out, fh_body(h), sizeof(out));
	assert_int_equal(out.major, 7);
	in.major = 6;
	assert_int_equal(fh_req(h, FUSE_INIT, 0, &in, sizeof(in)), -EPROTO);
	/* Unknown opcodes. */
	assert_int_equal(fh_req(h, 9999, 1, NULL, 0), -ENOSYS);
	assert_int_equal(fh_req(h, FUSE_IOCTL, 1, NULL, 0), -ENOSYS);
	assert_int_equal(fh_req(h, FUSE_DESTROY, 0, NULL, 0), 0);
	assert_int_equal(fh_req(h, FUSE_GETATTR, 1, &ga, sizeof(ga)), -EIO);
}

static void test_lookup_getattr(void **state)
{
	struct fh *h = *state;
	struct fuse_entry_out e, e2;
	struct fuse_getattr_in ga = {0};
	struct fuse_attr_out ao;
	char p[PATH_MAX];
	struct stat st;

	fh_path(p, h->share, "hello");
	fh_write_file(p, "hello world");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(fh_lookup(h, 1, "hello", &e), 0);
	assert_true(e.nodeid != 0 && e.nodeid != 1);
	assert_int_equal(e.attr.ino, st.st_ino);
	assert_int_equal(e.attr.size, 11);
	assert_true(S_ISREG(e.attr.mode));
	/* The same inode gets the same nodeid. */
	assert_int_equal(fh_lookup(h, 1, "hello", &e2), 0);
	assert_int_equal(e2.nodeid, e.nodeid);
	assert_int_equal(fh_req(h, FUSE_GETATTR, e.nodeid, &ga, sizeof(ga)), 0);
	memcpy(&ao, fh_body(h), sizeof(ao));
	assert_int_equal(ao.attr.size, 11);
	assert_int_equal(ao.attr.ino, st.st_ino);
	/* The root. */
	assert_int_equal(fh_req(h, FUSE_GETATTR, 1, &ga, sizeof(ga)), 0);
	memcpy(&ao, fh_body(h), sizeof(ao));
	assert_true(S_ISDIR(ao.attr.mode));
	assert_int_equal(fh_lookup(h, 1, "missing", NULL), -ENOENT);
	/* Lookup under a file. */
	assert_int_equal(fh_lookup(h, e.nodeid, "x", NULL), -ENOTDIR);
	/* Two lookups, two forgets: then the nodeid is gone. */
	struct fuse_forget_in fi = {.nlookup = 1};

	assert_int_equal(fh_req(h, FUSE_FORGET, e.nodeid, &fi, sizeof(fi)), -1000);
	assert_int_equal(fh_req(h, FUSE_GETATTR, e.nodeid, &ga, sizeof(ga)), 0);
	assert_int_equal(fh_req(h, FUSE_FORGET, e.nodeid, &fi, sizeof(fi)), -1000);
	assert_int_equal(fh_req(h, FUSE_GETATTR, e.nodeid, &ga, sizeof(ga)), -ESTALE);
	/* A new lookup gives a different nodeid (the slot's generation moved on). */
	assert_int_equal(fh_lookup(h, 1, "hello", &e2), 0);
	assert_true(e2.nodeid != e.nodeid);
	assert_int_equal(fh_req(h, FUSE_GETATTR, e.nodeid, &ga, sizeof(ga)), -ESTALE);
}

static void test_create_write_read(void **state)
{
	struct fh *h = *state;
	struct fuse_entry_out e;
	uint64_t fhd, fh2;
	char buf[64], p[PATH_MAX];
	struct stat st;

	assert_int_equal(fh_create(h, 1, "new", O_RDWR, 0666, &e, &fhd), 0);
	assert_true(S_ISREG(e.attr.mode));
	assert_int_equal(e.attr.mode & 0777, 0644); /* umask 022 from the request */
	assert_int_equal(fh_write(h, e.nodeid, fhd, 0, "some data", 9), 0);
	assert_int_equal(((const struct fuse_write_out *)fh_body(h))->size, 9);
	h->split = 5; /* the same over many small buffers */
	assert_int_equal(fh_write(h, e.nodeid, fhd, 9, " and more", 9), 0);
	assert_int_equal(fh_read(h, e.nodeid, fhd, 0, buf, sizeof(buf)), 18);
	assert_memory_equal(buf, "some data and more", 18);
	h->split = 0;
	assert_int_equal(fh_read(h, e.nodeid, fhd, 5, buf, 4), 4);
	assert_memory_equal(buf, "data", 4);
	struct fuse_flush_in fl = {.fh = fhd};

	assert_int_equal(fh_req(h, FUSE_FLUSH, e.nodeid, &fl, sizeof(fl)), 0);
	struct fuse_fsync_in fs = {.fh = fhd, .fsync_flags = FUSE_FSYNC_FDATASYNC};

	assert_int_equal(fh_req(h, FUSE_FSYNC, e.nodeid, &fs, sizeof(fs)), 0);
	assert_int_equal(fh_release(h, e.nodeid, fhd, 0), 0);
	/* Released: the handle is gone. */
	assert_true(fh_read(h, e.nodeid, fhd, 0, buf, 4) == -EBADF);
	assert_int_equal(fh_release(h, e.nodeid, fhd, 0), -EBADF);
	fh_path(p, h->share, "new");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, 18);

	/* O_TRUNC open, read-only handles refuse writes. */
	assert_int_equal(fh_open(h, e.nodeid, O_RDWR | O_TRUNC, &fh2), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(fh_release(h, e.nodeid, fh2, 0), 0);
	assert_int_equal(fh_open(h, e.nodeid, O_RDONLY, &fh2), 0);
	assert_int_equal(fh_write(h, e.nodeid, fh2, 0, "x", 1), -EBADF);
	assert_int_equal(fh_release(h, e.nodeid, fh2, 0), 0);
	/* CREATE of an existing name: O_EXCL refuses, without it the file is opened. */
	assert_int_equal(fh_create(h, 1, "new", O_RDWR | O_EXCL, 0644, NULL, NULL), -EEXIST);
	assert_int_equal(fh_create(h, 1, "new", O_RDWR, 0644, NULL, &fh2), 0);
	assert_int_equal(fh_release(h, e.nodeid, fh2, 0), 0);
	/* A directory cannot be opened as a file. */
	assert_int_equal(fh_open(h, 1, O_RDONLY, NULL), -EISDIR);
}

static void test_create_owner(void **state)
{
	struct fh *h = *state;
	struct fuse_entry_out e;
	struct fuse_mkdir_in mk = {.mode = 0777, .umask = 027};
	char p[PATH_MAX];
	struct stat st;
	uint64_t fhd;

	if (getuid() != 0) {
		skip();
		return;
	}
	h->uid = 1234;
	h->gid = 5678;
	assert_int_equal(fh_create(h, 1, "owned", O_WRONLY, 0640, &e, &fhd), 0);
	assert_int_equal(e.attr.uid, 1234);
	assert_int_equal(e.attr.gid, 5678);
	fh_path(p, h->share, "owned");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_uid, 1234);
	assert_int_equal(st.st_gid, 5678);
	assert_int_equal(fh_release(h, e.nodeid, fhd, 0), 0);
	assert_int_equal(fh_req2(h, FUSE_MKDIR, 1, &mk, sizeof(mk), "d", 2), 0);
	fh_path(p, h->share, "d");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_uid, 1234);
	assert_int_equal(st.st_mode & 07777, 0750);
	/* The requester's permissions count: 1234 cannot write into root's 0755 dir. */
	h->uid = 0;
	h->gid = 0;
	mk.umask = 022;
	assert_int_equal(fh_req2(h, FUSE_MKDIR, 1, &mk, sizeof(mk), "rootdir", 8), 0);
	uint64_t rootdir = ((const struct fuse_entry_out *)fh_body(h))->nodeid;

	h->uid = 1234;
	assert_int_equal(fh_create(h, rootdir, "no", O_WRONLY, 0644, NULL, NULL), -EACCES);
	/* The thread's own identity is back afterwards. */
	assert_int_equal(open("/proc/self/status", O_RDONLY) >= 0, 1);
	struct fuse_access_in ac = {.mask = W_OK};

	assert_int_equal(fh_req(h, FUSE_ACCESS, rootdir, &ac, sizeof(ac)), -EACCES);
	ac.mask = R_OK | X_OK;
	assert_int_equal(fh_req(h, FUSE_ACCESS, rootdir, &ac, sizeof(ac)), 0);
}

/* Parses a READDIR(PLUS) reply into "name,name,..." (sorted by the caller's expectations). */
static int dir_names(struct fh *h, uint64_t dir, bool plus, char *names, size_t len,
		     int *with_nodeid)
{
	struct fuse_open_in oi = {0};
	uint64_t fhd, off = 0;
	int count = 0;

	names[0] = 0;
	*with_nodeid = 0;
	if (fh_req(h, FUSE_OPENDIR, dir, &oi, sizeof(oi)) != 0)
		return -1;
	fhd = ((const struct fuse_open_out *)fh_body(h))->fh;
	for (;;) {
		/* Small reads: several rounds, continuing from the last offset. */
		struct fuse_read_in ri = {.fh = fhd, .offset = off, .size = 200};
		size_t pos = 0, n;

		if (fh_req(h, plus ? FUSE_READDIRPLUS : FUSE_READDIR, dir, &ri, sizeof(ri)) != 0)
			return -1;
		n = h->written - sizeof(struct fuse_out_header);
		if (n == 0)
			break;
		while (pos < n) {
			const uint8_t *p = (const uint8_t *)fh_body(h) + pos;
			const struct fuse_dirent *d;

			if (plus) {
				const struct fuse_direntplus *dp = (const void *)p;

				d = &dp->dirent;
				if (dp->entry_out.nodeid)
					(*with_nodeid)++;
				pos += FUSE_DIRENTPLUS_SIZE(dp);
			} else {
				d = (const void *)p;
				pos += FUSE_DIRENT_SIZE(d);
			}
			if (strlen(names) + d->namelen + 2 < len) {
				strncat(names, d->name, d->namelen);
				strcat(names, ",");
			}
			off = d->off;
			count++;
		}
	}
	fh_release(h, dir, fhd, 1);
	return count;
}

static void test_mkdir_readdir(void **state)
{
	struct fh *h = *state;
	struct fuse_mkdir_in mk = {.mode = 0755, .umask = 0};
	struct fuse_entry_out e;
	char names[4096], name[32];
	int withid;

	assert_int_equal(fh_req2(h, FUSE_MKDIR, 1, &mk, sizeof(mk), "dir", 4), 0);
	memcpy(&e, fh_body(h), sizeof(e));
	assert_true(S_ISDIR(e.attr.mode));
	/* A directory on its parent's file system is no submount. */
	assert_false(e.attr.flags & FUSE_ATTR_SUBMOUNT);
	assert_int_equal(fh_req2(h, FUSE_MKDIR, 1, &mk, sizeof(mk), "dir", 4), -EEXIST);
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "file%02d", i);
		assert_int_equal(fh_create(h, e.nodeid, name, O_WRONLY, 0644, NULL, NULL), 0);
	}
	assert_int_equal(dir_names(h, e.nodeid, false, names, sizeof(names), &withid), 22);
	assert_non_null(strstr(names, "file00,"));
	assert_non_null(strstr(names, "file19,"));
	assert_int_equal(dir_names(h, e.nodeid, true, names, sizeof(names), &withid), 22);
	assert_int_equal(withid, 20); /* "." and ".." carry no nodeid */
	assert_non_null(strstr(names, "file07,"));
	/* READDIR on a file handle, or a handle never issued. */
	struct fuse_read_in ri = {.fh = 12345, .size = 4096};

	assert_int_equal(fh_req(h, FUSE_READDIR, e.nodeid, &ri, sizeof(ri)), -EBADF);
	assert_int_equal(fh_req2(h, FUSE_RMDIR, 1, NULL, 0, "dir", 4), -ENOTEMPTY);
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "file%02d", i);
		assert_int_equal(fh_req(h, FUSE_UNLINK, e.nodeid, name, strlen(name) + 1), 0);
	}
	assert_int_equal(fh_req(h, FUSE_UNLINK, e.nodeid, "file00", 7), -ENOENT);
	assert_int_equal(fh_req(h, FUSE_RMDIR, 1, "dir", 4), 0);
	assert_int_equal(fh_lookup(h, 1, "dir", NULL), -ENOENT);
	struct fuse_fsync_in fs = {.fh = 99};

	assert_int_equal(fh_req(h, FUSE_FSYNCDIR, 1, &fs, sizeof(fs)), -EBADF);
}

static void test_rename(void **state)
{
	struct fh *h = *state;
	struct fuse_rename2_in r2 = {.newdir = 1};
	struct fuse_rename_in r1 = {.newdir = 1};
	char names[64], p[PATH_MAX], buf[16];
	size_t n;
	int fd;

	fh_path(p, h->share, "a");
	fh_write_file(p, "A");
	fh_path(p, h->share, "b");
	fh_write_file(p, "B");
	n = fh_names(names, "a", "c");
	assert_int_equal(fh_req2(h, FUSE_RENAME, 1, &r1, sizeof(r1), names, n), 0);
	fh_path(p, h->share, "c");
	assert_int_equal(access(p, F_OK), 0);
	/* NOREPLACE onto an existing name. */
	r2.flags = RENAME_NOREPLACE;
	n = fh_names(names, "c", "b");
	assert_int_equal(fh_req2(h, FUSE_RENAME2, 1, &r2, sizeof(r2), names, n), -EEXIST);
	/* EXCHANGE swaps. */
	r2.flags = RENAME_EXCHANGE;
	assert_int_equal(fh_req2(h, FUSE_RENAME2, 1, &r2, sizeof(r2), names, n), 0);
	fh_path(p, h->share, "b");
	fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], 'A');
	close(fd);
	/* Both flags, unknown flags. */
	r2.flags = RENAME_EXCHANGE | RENAME_NOREPLACE;
	assert_int_equal(fh_req2(h, FUSE_RENAME2, 1, &r2, sizeof(r2), names, n), -EINVAL);
	r2.flags = 1u << 30;
	assert_int_equal(fh_req2(h, FUSE_RENAME2, 1, &r2, sizeof(r2), names, n), -EINVAL);
	/* Plain rename replaces. */
	r2.flags = 0;
	assert_int_equal(fh_req2(h, FUSE_RENAME2, 1, &r2, sizeof(r2), names, n), 0);
	fh_path(p, h->share, "c");
	assert_int_equal(access(p, F_OK), -1);
}

static void test_symlink_link(void **state)
{
	struct fh *h = *state;
	struct fuse_entry_out e, l;
	struct fuse_link_in li;
	char names[64], p[PATH_MAX];
	size_t n;

	n = fh_names(names, "sl", "target/of/link");
	assert_int_equal(fh_req(h, FUSE_SYMLINK, 1, names, n), 0);
	memcpy(&e, fh_body(h), sizeof(e));
	assert_true(S_ISLNK(e.attr.mode));
	assert_int_equal(fh_req(h, FUSE_READLINK, e.nodeid, NULL, 0), 0);
	assert_int_equal(h->written - sizeof(struct fuse_out_header), 14);
	assert_memory_equal(fh_body(h), "target/of/link", 14);
	/* Hard links. */
	fh_path(p, h->share, "orig");
	fh_write_file(p, "o");
	assert_int_equal(fh_lookup(h, 1, "orig", &e), 0);
	assert_int_equal(fh_req(h, FUSE_READLINK, e.nodeid, NULL, 0), -EINVAL);
	li.oldnodeid = e.nodeid;
	assert_int_equal(fh_req2(h, FUSE_LINK, 1, &li, sizeof(li), "hard", 5), 0);
	memcpy(&l, fh_body(h), sizeof(l));
	assert_int_equal(l.nodeid, e.nodeid);
	assert_int_equal(l.attr.nlink, 2);
	assert_int_equal(fh_req2(h, FUSE_LINK, 1, &li, sizeof(li), "hard", 5), -EEXIST);
	li.oldnodeid = 1;
	assert_int_equal(fh_req2(h, FUSE_LINK, 1, &li, sizeof(li), "rootlink", 9), -EPERM);
	li.oldnodeid = 0x77700000005ull;
	assert_int_equal(fh_req2(h, FUSE_LINK, 1, &li, sizeof(li), "bad", 4), -ESTALE);
}

static void test_setattr_sparse(void **state)
{
	struct fh *h = *state;
	const uint64_t big = 5ull << 30, at = (9ull << 29) + 3;
	struct fuse_setattr_in sa = {0};
	struct fuse_attr_out ao;
	struct fuse_entry_out e;
	char buf[32], p[PATH_MAX];
	struct stat st;
	uint64_t fhd;

	assert_int_equal(fh_create(h, 1, "sparse", O_RDWR, 0644, &e, &fhd), 0);
	sa.valid = FATTR_SIZE;
	sa.size = big;
	assert_int_equal(fh_req(h, FUSE_SETATTR, e.nodeid, &sa, sizeof(sa)), 0);
	memcpy(&ao, fh_body(h), sizeof(ao));
	assert_int_equal(ao.attr.size, big);
	assert_int_equal(fh_write(h, e.nodeid, fhd, at, "far away", 8), 0);
	assert_int_equal(fh_read(h, e.nodeid, fhd, at - 2, buf, 12), 12);
	assert_memory_equal(buf, "\0\0far away\0\0", 12);
	fh_path(p, h->share, "sparse");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal((uint64_t)st.st_size, big);
	assert_true((uint64_t)st.st_blocks * 512 < (1u << 20));
	/* Truncate through the handle. */
	sa.valid = FATTR_SIZE | FATTR_FH;
	sa.fh = fhd;
	sa.size = 100;
	assert_int_equal(fh_req(h, FUSE_SETATTR, e.nodeid, &sa, sizeof(sa)), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, 100);
	/* Mode, times: explicit, NOW, OMIT. */
	memset(&sa, 0, sizeof(sa));
	sa.valid = FATTR_MODE | FATTR_ATIME | FATTR_MTIME;
	sa.mode = 0600;
	sa.atime = 1000000000;
	sa.atimensec = 5;
	sa.mtime = 1200000000;
	assert_int_equal(fh_req(h, FUSE_SETATTR, e.nodeid, &sa, sizeof(sa)), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_atim.tv_sec, 1000000000);
	assert_int_equal(st.st_atim.tv_nsec, 5);
	assert_int_equal(st.st_mtim.tv_sec, 1200000000);
	sa.valid = FATTR_MTIME | FATTR_MTIME_NOW; /* atime omitted */
	assert_int_equal(fh_req(h, FUSE_SETATTR, e.nodeid, &sa, sizeof(sa)), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_atim.tv_sec, 1000000000);
	assert_true(st.st_mtim.tv_sec > 1600000000);
	sa.valid = FATTR_ATIME;
	sa.atimensec = 2000000000u;
	assert_int_equal(fh_req(h, FUSE_SETATTR, e.nodeid, &sa, sizeof(sa)), -EINVAL);
	sa.valid = 1u << 31;
	assert_int_equal(fh_req(h, FUSE_SETATTR, e.nodeid, &sa, sizeof(sa)), -EINVAL);
	if (getuid() == 0) {
		sa.valid = FATTR_UID | FATTR_GID;
		sa.uid = 321;
		sa.gid = 654;
		assert_int_equal(fh_req(h, FUSE_SETATTR, e.nodeid, &sa, sizeof(sa)), 0);
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_uid, 321);
		assert_int_equal(st.st_gid, 654);
	}
	/* FALLOCATE, LSEEK. */
	struct fuse_fallocate_in fa = {.fh = fhd, .offset = 0, .length = 8192};

	assert_int_equal(fh_req(h, FUSE_FALLOCATE, e.nodeid, &fa, sizeof(fa)), 0);
	assert_int_equal(fh_write(h, e.nodeid, fhd, 4096, "data", 4), 0);
	struct fuse_lseek_in ls = {.fh = fhd, .offset = 0, .whence = SEEK_DATA};

	assert_int_equal(fh_req(h, FUSE_LSEEK, e.nodeid, &ls, sizeof(ls)), 0);
	assert_true(((const struct fuse_lseek_out *)fh_body(h))->offset <= 4096);
	ls.whence = SEEK_END;
	assert_int_equal(fh_req(h, FUSE_LSEEK, e.nodeid, &ls, sizeof(ls)), -EINVAL);
	assert_int_equal(fh_release(h, e.nodeid, fhd, 0), 0);
}

static void test_mknod_statfs(void **state)
{
	struct fh *h = *state;
	struct fuse_mknod_in mn = {.mode = S_IFIFO | 0644};
	struct fuse_entry_out e;
	char p[PATH_MAX];
	struct stat st;

	assert_int_equal(fh_req2(h, FUSE_MKNOD, 1, &mn, sizeof(mn), "fifo", 5), 0);
	memcpy(&e, fh_body(h), sizeof(e));
	assert_true(S_ISFIFO(e.attr.mode));
	fh_path(p, h->share, "fifo");
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	/* The server never opens a fifo (it would block): the guest's kernel serves those. */
	assert_int_equal(fh_open(h, e.nodeid, O_RDONLY, NULL), -ENXIO);
	mn.mode = S_IFDIR | 0755;
	assert_int_equal(fh_req2(h, FUSE_MKNOD, 1, &mn, sizeof(mn), "d", 2), -EINVAL);
	assert_int_equal(fh_req(h, FUSE_STATFS, 1, NULL, 0), 0);
	assert_true(((const struct fuse_statfs_out *)fh_body(h))->st.bsize > 0);
	struct fuse_syncfs_in sy = {0};

	assert_int_equal(fh_req(h, FUSE_SYNCFS, 1, &sy, sizeof(sy)), 0);
	assert_int_equal(fh_req(h, FUSE_SYNCFS, e.nodeid, &sy, sizeof(sy)), -ENXIO);
}

static void test_xattr(void **state)
{
	struct fh *h = *state;
	struct fuse_setxattr_in si = {.size = 5};
	struct fuse_getxattr_in gi = {.size = 0};
	struct fuse_entry_out e;
	char body[128], p[PATH_MAX], val[16];
	size_t n;

	fh_path(p, h->share, "x");
	fh_write_file(p, "x");
	assert_int_equal(fh_lookup(h, 1, "x", &e), 0);
	/* SETXATTR: the 8-byte argument, the name, the value. */
	memcpy(body, &si, 8);
	memcpy(body + 8, "user.test", 10);
	memcpy(body + 18, "value", 5);
	n = 23;
	int ret = fh_req(h, FUSE_SETXATTR, e.nodeid, body, n);

	if (ret == -EOPNOTSUPP) { /* no user xattrs on this file system */
		skip();
		return;
	}
	assert_int_equal(ret, 0);
	assert_int_equal(getxattr(p, "user.test", val, sizeof(val)), 5);
	assert_memory_equal(val, "value", 5);
	/* The value shorter than its size. */
	assert_int_equal(fh_req(h, FUSE_SETXATTR, e.nodeid, body, n - 1), -EINVAL);
	/* Size first, then the value; too small a buffer is ERANGE. */
	assert_int_equal(fh_req2(h, FUSE_GETXATTR, e.nodeid, &gi, sizeof(gi), "user.test", 10), 0);
	assert_int_equal(((const struct fuse_getxattr_out *)fh_body(h))->size, 5);
	gi.size = 64;
	assert_int_equal(fh_req2(h, FUSE_GETXATTR, e.nodeid, &gi, sizeof(gi), "user.test", 10), 0);
	assert_int_equal(h->written - sizeof(struct fuse_out_header), 5);
	assert_memory_equal(fh_body(h), "value", 5);
	gi.size = 2;
	assert_int_equal(fh_req2(h, FUSE_GETXATTR, e.nodeid, &gi, sizeof(gi), "user.test", 10),
			 -ERANGE);
	gi.size = 64;
	assert_int_equal(fh_req2(h, FUSE_GETXATTR, e.nodeid, &gi, sizeof(gi), "user.none", 10),
			 -ENODATA);
	assert_int_equal(fh_req(h, FUSE_LISTXATTR, e.nodeid, &gi, sizeof(gi)), 0);
	assert_non_null(memmem(fh_body(h), h->written - 16, "user.test", 10));
	/* trusted.* is refused. */
	memcpy(body + 8, "trusted.x", 10);
	assert_int_equal(fh_req(h, FUSE_SETXATTR, e.nodeid, body, n), -EPERM);
	assert_int_equal(fh_req(h, FUSE_REMOVEXATTR, e.nodeid, "user.test", 10), 0);
	assert_int_equal(getxattr(p, "user.test", val, sizeof(val)), -1);
	assert_int_equal(fh_req(h, FUSE_REMOVEXATTR, e.nodeid, "user.test", 10), -ENODATA);
	/* Not on symlinks (never followed). */
	fh_path(p, h->share, "l");
	assert_int_equal(symlink("x", p), 0);
	assert_int_equal(fh_lookup(h, 1, "l", &e), 0);
	memcpy(body + 8, "user.test", 10);
	assert_int_equal(fh_req(h, FUSE_SETXATTR, e.nodeid, body, n), -EOPNOTSUPP);
}

static void test_copy_file_range(void **state)
{
	struct fh *h = *state;
	struct fuse_entry_out a, b;
	uint64_t fa, fb;
	char buf[32];

	assert_int_equal(fh_create(h, 1, "src", O_RDWR, 0644, &a, &fa), 0);
	assert_int_equal(fh_create(h, 1, "dst", O_RDWR, 0644, &b, &fb), 0);
	assert_int_equal(fh_write(h, a.nodeid, fa, 0, "copy me please", 14), 0);
	struct fuse_copy_file_range_in in = {
	    .fh_in = fa, .off_in = 5, .nodeid_out = b.nodeid, .fh_out = fb, .off_out = 2, .len = 9};

	assert_int_equal(fh_req(h, FUSE_COPY_FILE_RANGE, a.nodeid, &in, sizeof(in)), 0);
	assert_int_equal(((const struct fuse_write_out *)fh_body(h))->size, 9);
	assert_int_equal(fh_read(h, b.nodeid, fb, 0, buf, sizeof(buf)), 11);
	assert_memory_equal(buf, "\0\0me please", 11);
	in.fh_out = 777;
	assert_int_equal(fh_req(h, FUSE_COPY_FILE_RANGE, a.nodeid, &in, sizeof(in)), -EBADF);
	in.fh_out = fb;
	in.flags = 1;
	assert_int_equal(fh_req(h, FUSE_COPY_FILE_RANGE, a.nodeid, &in, sizeof(in)), -EINVAL);
	assert_int_equal(fh_release(h, a.nodeid, fa, 0), 0);
	assert_int_equal(fh_release(h, b.nodeid, fb, 0), 0);
}

/* The VMM's own umask takes nothing from what the guest asked for. */
static void test_process_umask(void **state)
{
	struct fh *h = *state;
	struct fuse_mkdir_in mk = {.mode = 0775, .umask = 002};
	struct fuse_mknod_in mn = {.mode = S_IFIFO | 0666, .umask = 002};
	struct fuse_entry_out e;
	char p[PATH_MAX];
	struct stat st;
	uint64_t fhd;
	mode_t old = umask(077);

	/* A server made while the process umask is 077. */
	fuse_server_free(h->s);
	assert_int_equal(fuse_server_new(h->share, NULL, &h->s), 0);
	umask(old);
	assert_int_equal(fh_init(h), 0);
	assert_int_equal(fh_req2(h, FUSE_MKDIR, 1, &mk, sizeof(mk), "d", 2), 0);
	fh_path(p, h->share, "d");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0775);
	assert_int_equal(fh_create(h, 1, "f", O_RDWR, 0666, &e, &fhd), 0); /* request umask 022 */
	fh_path(p, h->share, "f");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(e.attr.mode & 0777, 0644);
	assert_int_equal(fh_release(h, e.nodeid, fhd, 0), 0);
	/* CREATE of an existing file opens it and leaves its mode alone. */
	assert_int_equal(chmod(p, 0600), 0);
	assert_int_equal(fh_create(h, 1, "f", O_RDWR, 0666, &e, &fhd), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(fh_release(h, e.nodeid, fhd, 0), 0);
	assert_int_equal(fh_req2(h, FUSE_MKNOD, 1, &mn, sizeof(mn), "p", 2), 0);
	fh_path(p, h->share, "p");
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0664);
}

static void test_writeback_option(void **state)
{
	struct fh *h = *state;
	struct fuse_server_opts opts = {.writeback = true};
	struct fuse_init_out out;
	struct fuse_entry_out e;
	char buf[16];
	uint64_t fhd;

	/* Not offered by default. */
	assert_int_equal(fh_init(h), 0);
	memcpy(&out, fh_body(h), sizeof(out));
	assert_false(out.flags & FUSE_WRITEBACK_CACHE);
	fuse_server_free(h->s);
	assert_int_equal(fuse_server_new(h->share, &opts, &h->s), 0);
	assert_int_equal(fh_init(h), 0);
	memcpy(&out, fh_body(h), sizeof(out));
	assert_true(out.flags & FUSE_WRITEBACK_CACHE);
	/* Write-only handles can be read (the guest fills pages), O_APPEND is the guest's job. */
	assert_int_equal(fh_create(h, 1, "wb", O_WRONLY | O_APPEND, 0644, &e, &fhd), 0);
	assert_int_equal(fh_write(h, e.nodeid, fhd, 0, "abcdef", 6), 0);
	assert_int_equal(fh_write(h, e.nodeid, fhd, 1, "XY", 2), 0);
	assert_int_equal(fh_read(h, e.nodeid, fhd, 0, buf, sizeof(buf)), 6);
	assert_memory_equal(buf, "aXYdef", 6);
	assert_int_equal(fh_release(h, e.nodeid, fhd, 0), 0);
}

/*
 * The fd limit is the one asked for (worked out from the servers' caps),
 * soft and hard, never the host's fs.nr_open.
 */
static void test_fd_limit(void **state)
{
	struct fuse_server_opts small = {.max_inodes = 100, .max_handles = 10};
	struct rlimit saved, low, now;

	(void)state;
	assert_int_equal(fuse_server_fd_need(NULL),
			 FUSE_SERVER_MAX_INODES + FUSE_SERVER_MAX_HANDLES + FUSE_SERVER_FD_SLACK);
	assert_int_equal(fuse_server_fd_need(&small), 110 + FUSE_SERVER_FD_SLACK);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
	if (saved.rlim_max < 128 || saved.rlim_max == RLIM_INFINITY)
		skip();
	low = (struct rlimit){64, saved.rlim_max};
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	unsigned long got = fuse_server_set_fd_limit(saved.rlim_max);

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &now), 0);
	assert_int_equal(got, saved.rlim_max);
	assert_int_equal(now.rlim_cur, saved.rlim_max);
	assert_int_equal(now.rlim_max, saved.rlim_max);
	setrlimit(RLIMIT_NOFILE, &saved);
}

/* One lock request on fh; for GETLK the answer goes to *got. */
static int lk_req(struct fh *h, uint32_t op, uint64_t nodeid, uint64_t fhd, uint32_t type,
		  uint64_t start, uint64_t end, struct fuse_file_lock *got)
{
	struct fuse_lk_in in = {
	    .fh = fhd, .owner = fhd * 7 + 1, .lk = {.start = start, .end = end, .type = type}};
	int ret = fh_req(h, op, nodeid, &in, sizeof(in));

	if (ret == 0 && got) {
		assert_int_equal(h->written,
				 sizeof(struct fuse_out_header) + sizeof(struct fuse_lk_out));
		memcpy(got, fh_body(h), sizeof(*got));
	}
	return ret;
}

#define LK_EOF ((uint64_t)INT64_MAX)

/* The lock a host process sees on `path` over [start, start] (F_UNLCK for none). */
static short host_lock(const char *path, off_t start, struct flock *fl)
{
	int fd = open(path, O_RDWR);

	assert_true(fd >= 0);
	*fl = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = 1};
	assert_int_equal(fcntl(fd, F_OFD_GETLK, fl), 0);
	close(fd);
	return fl->l_type;
}

static void test_locks(void **state)
{
	struct fh *h = *state;
	struct fuse_entry_out e;
	struct fuse_file_lock got;
	struct flock fl;
	uint64_t a, b;
	char p[PATH_MAX];

	assert_int_equal(fh_create(h, 1, "lk", O_RDWR, 0644, &e, &a), 0);
	assert_int_equal(fh_open(h, e.nodeid, O_RDWR, &b), 0);
	fh_path(p, h->share, "lk");

	/* A write lock through a shows through b, and to a host process. */
	assert_int_equal(lk_req(h, FUSE_SETLK, e.nodeid, a, F_WRLCK, 10, 99, NULL), 0);
	assert_int_equal(lk_req(h, FUSE_GETLK, e.nodeid, b, F_RDLCK, 50, LK_EOF, &got), 0);
	assert_int_equal(got.type, F_WRLCK);
	assert_int_equal(got.start, 10);
	assert_int_equal(got.end, 99);
	assert_int_equal(got.pid, 0);
	assert_int_equal(host_lock(p, 99, &fl), F_WRLCK);
	assert_int_equal(host_lock(p, 100, &fl), F_UNLCK);
	/* Outside the range, and through the owner's own handle: no conflict. */
	assert_int_equal(lk_req(h, FUSE_GETLK, e.nodeid, b, F_WRLCK, 100, 200, &got), 0);
	assert_int_equal(got.type, F_UNLCK);
	assert_int_equal(lk_req(h, FUSE_GETLK, e.nodeid, a, F_WRLCK, 0, LK_EOF, &got), 0);
	assert_int_equal(got.type, F_UNLCK);
	/* A conflicting SETLK fails at once; after the unlock it succeeds. */
	assert_int_equal(lk_req(h, FUSE_SETLK, e.nodeid, b, F_RDLCK, 0, 10, NULL), -EAGAIN);
	assert_int_equal(lk_req(h, FUSE_SETLK, e.nodeid, a, F_UNLCK, 0, LK_EOF, NULL), 0);
	assert_int_equal(host_lock(p, 50, &fl), F_UNLCK);
	assert_int_equal(lk_req(h, FUSE_SETLK, e.nodeid, b, F_RDLCK, 0, 10, NULL), 0);
	/* Read locks share. */
	assert_int_equal(lk_req(h, FUSE_SETLK, e.nodeid, a, F_RDLCK, 5, 6, NULL), 0);
	assert_int_equal(lk_req(h, FUSE_SETLK, e.nodeid, a, F_UNLCK, 0, LK_EOF, NULL), 0);

	/* "To EOF", sent as OFFSET_MAX or as UINT64_MAX, comes back as OFFSET_MAX. */
	assert_int_equal(lk_req(h, FUSE_SETLK, e.nodeid, b, F_WRLCK, 1000, UINT64_MAX, NULL), 0);
	assert_int_equal(lk_req(h, FUSE_GETLK, e.nodeid, a, F_RDLCK, 5000, 5000, &got), 0);
	assert_int_equal(got.type, F_WRLCK);
	assert_int_equal(got.start, 1000);
	assert_int_equal(got.end, LK_EOF);
	assert_int_equal(host_lock(p, 1 << 30, &fl), F_WRLCK);
	assert_int_equal(fl.l_len, 0);

	/* Malformed locks. */
	assert_int_equal(lk_req(h, FUSE_SETLK, e.nodeid, a, 7, 0, 1, NULL), -EINVAL);
	assert_int_equal(lk_req(h, FUSE_GETLK, e.nodeid, a, 7, 0, 1, NULL), -EINVAL);
	assert_int_equal(lk_req(h, FUSE_GETLK, e.nodeid, a, F_UNLCK, 0, 1, NULL), -EINVAL);
	assert_int_equal(lk_req(h, FUSE_SETLK, e.nodeid, a, F_RDLCK, 9, 8, NULL), -EINVAL);
	assert_int_equal(lk_req(h, FUSE_SETLKW, e.nodeid, a, F_RDLCK, 9, 8, NULL), -EINVAL);
	assert_int_equal(lk_req(h, FUSE_SETLK, e.nodeid, a, F_RDLCK, LK_EOF + 1, UINT64_MAX, NULL),
			 -EINVAL);
	assert_int_equal(lk_req(h, FUSE_SETLK, e.nodeid, 999, F_RDLCK, 0, 1, NULL), -EBADF);
	struct fuse_lk_in fin = {.fh = a, .lk = {.type = F_RDLCK}, .lk_flags = FUSE_LK_FLOCK};

	assert_int_equal(fh_req(h, FUSE_SETLK, e.nodeid, &fin, sizeof(fin)), -ENOSYS);
	assert_int_equal(fh_req(h, FUSE_SETLK, e.nodeid, &fin, sizeof(fin) - 1), -EINVAL);
	/* Nothing of that took a lock (b still reads 0..10, writes 1000..EOF). */
	assert_int_equal(host_lock(p, 500, &fl), F_UNLCK);

	/* RELEASE drops the handle's locks. */
	assert_int_equal(fh_release(h, e.nodeid, b, 0), 0);
	assert_int_equal(host_lock(p, 1 << 30, &fl), F_UNLCK);
	assert_int_equal(lk_req(h, FUSE_SETLK, e.nodeid, a, F_WRLCK, 0, LK_EOF, NULL), 0);
	assert_int_equal(fh_release(h, e.nodeid, a, 0), 0);
	assert_int_equal(host_lock(p, 0, &fl), F_UNLCK);
}

/* A second requester on the same server, with its own reply buffer. */
struct lk_waiter {
	struct fh h;
	uint64_t nodeid, fhd;
	int ret;
	int done; /* atomic */
};

static void *lk_wait_thread(void *arg)
{
	struct lk_waiter *w = arg;

	w->ret = lk_req(&w->h, FUSE_SETLKW, w->nodeid, w->fhd, F_WRLCK, 0, LK_EOF, NULL);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void start_waiter(struct fh *h, struct lk_waiter *w, uint64_t nodeid, uint64_t fhd,
			 pthread_t *t)
{
	memset(w, 0, sizeof(*w));
	w->h = *h;
	w->h.unique = 0;
	w->h.out = calloc(1, FH_OUT_MAX);
	assert_non_null(w->h.out);
	w->nodeid = nodeid;
	w->fhd = fhd;
	assert_int_equal(pthread_create(t, NULL, lk_wait_thread, w), 0);
	/* It waits: the lock is held. */
	usleep(150 * 1000);
	assert_int_equal(__atomic_load_n(&w->done, __ATOMIC_ACQUIRE), 0);
}

static void test_setlkw(void **state)
{
	struct fh *h = *state;
	struct fuse_entry_out e;
	struct lk_waiter w;
	pthread_t t;
	uint64_t a, b;
	char p[PATH_MAX];
	struct flock fl;

	assert_int_equal(fh_create(h, 1, "lkw", O_RDWR, 0644, &e, &a), 0);
	assert_int_equal(fh_open(h, e.nodeid, O_RDWR, &b), 0);
	fh_path(p, h->share, "lkw");

	/* SETLKW through b waits until a unlocks, then holds the lock. */
	assert_int_equal(lk_req(h, FUSE_SETLK, e.nodeid, a, F_RDLCK, 0, 0, NULL), 0);
	start_waiter(h, &w, e.nodeid, b, &t);
	assert_int_equal(lk_req(h, FUSE_SETLK, e.nodeid, a, F_UNLCK, 0, LK_EOF, NULL), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(w.ret, 0);
	free(w.h.out);
	assert_int_equal(host_lock(p, 12345, &fl), F_WRLCK);
	/* Without a conflict SETLKW answers at once. */
	assert_int_equal(lk_req(h, FUSE_SETLKW, e.nodeid, b, F_RDLCK, 0, 0, NULL), 0);

	/* A wait for a lock nobody releases ends when the server is told to stop waiting. */
	assert_int_equal(lk_req(h, FUSE_SETLK, e.nodeid, b, F_WRLCK, 0, LK_EOF, NULL), 0);
	start_waiter(h, &w, e.nodeid, a, &t);
	fuse_server_stop_waits(h->s);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(w.ret, -EINTR);
	free(w.h.out);
	/* A is still without a lock; b's lock stands; SETLK still works. */
	assert_int_equal(lk_req(h, FUSE_SETLK, e.nodeid, a, F_RDLCK, 0, 0, NULL), -EAGAIN);
	assert_int_equal(lk_req(h, FUSE_SETLKW, e.nodeid, a, F_RDLCK, 0, 0, NULL), -EINTR);
	assert_int_equal(fh_release(h, e.nodeid, b, 0), 0);
	assert_int_equal(lk_req(h, FUSE_SETLK, e.nodeid, a, F_RDLCK, 0, 0, NULL), 0);
	assert_int_equal(fh_release(h, e.nodeid, a, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fd_limit),
	    cmocka_unit_test_setup_teardown(test_init, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lookup_getattr, setup_init, teardown),
	    cmocka_unit_test_setup_teardown(test_create_write_read, setup_init, teardown),
	    cmocka_unit_test_setup_teardown(test_create_owner, setup_init, teardown),
	    cmocka_unit_test_setup_teardown(test_mkdir_readdir, setup_init, teardown),
	    cmocka_unit_test_setup_teardown(test_rename, setup_init, teardown),
	    cmocka_unit_test_setup_teardown(test_symlink_link, setup_init, teardown),
	    cmocka_unit_test_setup_teardown(test_setattr_sparse, setup_init, teardown),
	    cmocka_unit_test_setup_teardown(test_mknod_statfs, setup_init, teardown),
	    cmocka_unit_test_setup_teardown(test_xattr, setup_init, teardown),
	    cmocka_unit_test_setup_teardown(test_copy_file_range, setup_init, teardown),
	    cmocka_unit_test_setup_teardown(test_process_umask, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_writeback_option, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_locks, setup_init, teardown),
	    cmocka_unit_test_setup_teardown(test_setlkw, setup_init, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
