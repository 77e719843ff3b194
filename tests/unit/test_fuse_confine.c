/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FUSE server tests for a hostile guest: escape attempts (names with '/',
 * "..", symlinks out of the share, device nodes, stale nodeids) and
 * malformed requests. Each must fail with an error reply and leave the
 * sentinel directory beside the share untouched (checked after every test).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <cmocka.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>

#include "test_fuse_harness.h"

static int setup(void **state)
{
	struct fh *h = calloc(1, sizeof(*h));

	if (!h || fh_setup(h) < 0 || fh_init(h) != 0)
		return -1;
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	struct fh *h = *state;

	assert_true(fh_sentinel_intact(h));
	fh_teardown(h);
	free(h);
	return 0;
}

static void test_names(void **state)
{
	struct fh *h = *state;
	struct fuse_mkdir_in mk = {.mode = 0755};
	struct fuse_rename_in rn = {.newdir = 1};
	struct fuse_link_in li = {.oldnodeid = 0};
	struct fuse_entry_out e;
	char names[64], longname[300];
	size_t n;

	/* ".." at the root, ".", names with '/'. */
	assert_int_equal(fh_lookup(h, 1, "..", NULL), -ENOENT);
	assert_int_equal(fh_lookup(h, 1, ".", NULL), -ENOENT);
	assert_int_equal(fh_lookup(h, 1, "../sentinel", NULL), -EINVAL);
	assert_int_equal(fh_lookup(h, 1, "../sentinel/secret", NULL), -EINVAL);
	assert_int_equal(fh_lookup(h, 1, "/etc", NULL), -EINVAL);
	assert_int_equal(fh_lookup(h, 1, "", NULL), -EINVAL);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	assert_int_equal(fh_lookup(h, 1, longname, NULL), -ENAMETOOLONG);
	/* ".." below the root is refused too: the guest never sends it. */
	assert_int_equal(fh_req2(h, FUSE_MKDIR, 1, &mk, sizeof(mk), "d", 2), 0);
	memcpy(&e, fh_body(h), sizeof(e));
	assert_int_equal(fh_lookup(h, e.nodeid, "..", NULL), -ENOENT);
	/* Creations and removals with bad names. */
	assert_int_equal(fh_req2(h, FUSE_MKDIR, 1, &mk, sizeof(mk), "../x", 5), -EINVAL);
	assert_int_equal(fh_req2(h, FUSE_MKDIR, 1, &mk, sizeof(mk), "..", 3), -EINVAL);
	assert_int_equal(fh_create(h, 1, "../sentinel/new", O_WRONLY, 0644, NULL, NULL), -EINVAL);
	assert_int_equal(fh_req(h, FUSE_UNLINK, 1, "../sentinel/secret", 19), -EINVAL);
	assert_int_equal(fh_req(h, FUSE_RMDIR, 1, "../sentinel/subdir", 19), -EINVAL);
	assert_int_equal(fh_req(h, FUSE_RMDIR, e.nodeid, "..", 3), -EINVAL);
	n = fh_names(names, "../sentinel/secret", "stolen");
	assert_int_equal(fh_req2(h, FUSE_RENAME, 1, &rn, sizeof(rn), names, n), -EINVAL);
	n = fh_names(names, "d", "../sentinel/d");
	assert_int_equal(fh_req2(h, FUSE_RENAME, 1, &rn, sizeof(rn), names, n), -EINVAL);
	n = fh_names(names, "../../x", "/etc/passwd");
	assert_int_equal(fh_req(h, FUSE_SYMLINK, 1, names, n), -EINVAL);
	li.oldnodeid = e.nodeid;
	assert_int_equal(fh_req2(h, FUSE_LINK, 1, &li, sizeof(li), "../sentinel/l", 14), -EINVAL);
}

static void test_symlink_out(void **state)
{
	struct fh *h = *state;
	struct fuse_entry_out e;
	struct fuse_open_in oi = {0};
	struct fuse_setattr_in sa = {0};
	char p[PATH_MAX], target[PATH_MAX];
	size_t n;

	/* Links planted on the host side, pointing out of the share. */
	fh_path(p, h->share, "etc");
	assert_int_equal(symlink("/etc", p), 0);
	fh_path(p, h->share, "secret");
	fh_path(target, h->sentinel, "secret");
	assert_int_equal(symlink(target, p), 0);
	fh_path(p, h->share, "up");
	assert_int_equal(symlink("../sentinel", p), 0);
	fh_path(p, h->share, "dangling");
	fh_path(target, h->sentinel, "created-through-link");
	assert_int_equal(symlink(target, p), 0);

	/* LOOKUP gives the link itself, READLINK its text. */
	assert_int_equal(fh_lookup(h, 1, "etc", &e), 0);
	assert_true(S_ISLNK(e.attr.mode));
	assert_int_equal(fh_req(h, FUSE_READLINK, e.nodeid, NULL, 0), 0);
	n = h->written - sizeof(struct fuse_out_header);
	assert_int_equal(n, 4);
	assert_memory_equal(fh_body(h), "/etc", 4);
	/* Nothing is reached through it. */
	assert_int_equal(fh_open(h, e.nodeid, O_RDONLY, NULL), -ELOOP);
	assert_int_equal(fh_req(h, FUSE_OPENDIR, e.nodeid, &oi, sizeof(oi)), -ENOTDIR);
	assert_int_equal(fh_lookup(h, e.nodeid, "passwd", NULL), -ENOTDIR);
	assert_int_equal(fh_create(h, e.nodeid, "x", O_WRONLY, 0644, NULL, NULL), -ENOTDIR);
	sa.valid = FATTR_SIZE;
	assert_int_equal(fh_req(h, FUSE_SETATTR, e.nodeid, &sa, sizeof(sa)), -ELOOP);
	sa.valid = FATTR_MODE;
	sa.mode = 0777;
	assert_int_equal(fh_req(h, FUSE_SETATTR, e.nodeid, &sa, sizeof(sa)), -EOPNOTSUPP);

	assert_int_equal(fh_lookup(h, 1, "secret", &e), 0);
	assert_true(S_ISLNK(e.attr.mode));
	assert_int_equal(fh_open(h, e.nodeid, O_RDWR | O_TRUNC, NULL), -ELOOP);
	/* Times and owner change the link itself, never its target. */
	sa.valid = FATTR_MTIME;
	sa.mtime = 12345;
	assert_int_equal(fh_req(h, FUSE_SETATTR, e.nodeid, &sa, sizeof(sa)), 0);
	if (getuid() == 0) {
		sa.valid = FATTR_UID;
		sa.uid = 4242;
		assert_int_equal(fh_req(h, FUSE_SETATTR, e.nodeid, &sa, sizeof(sa)), 0);
	}
	/* CREATE over a link, with and without O_EXCL: never followed. */
	assert_int_equal(fh_create(h, 1, "secret", O_RDWR | O_TRUNC, 0644, NULL, NULL), -ELOOP);
	assert_int_equal(fh_create(h, 1, "dangling", O_RDWR, 0644, NULL, NULL), -ELOOP);
	assert_int_equal(fh_create(h, 1, "dangling", O_RDWR | O_EXCL, 0644, NULL, NULL), -EEXIST);
	assert_int_equal(access(target, F_OK), -1);
	/* A directory link: LOOKUP below it is refused. */
	assert_int_equal(fh_lookup(h, 1, "up", &e), 0);
	assert_int_equal(fh_lookup(h, e.nodeid, "secret", NULL), -ENOTDIR);
	/* A hard link of a symlink is the symlink (no escape through linkat). */
	struct fuse_link_in li = {.oldnodeid = e.nodeid};

	assert_int_equal(fh_req2(h, FUSE_LINK, 1, &li, sizeof(li), "up2", 4), 0);
	assert_true(S_ISLNK(((const struct fuse_entry_out *)fh_body(h))->attr.mode));
	/* Renaming the link keeps it a link; unlinking removes the link only. */
	assert_int_equal(fh_req(h, FUSE_UNLINK, 1, "secret", 7), 0);
	fh_path(target, h->sentinel, "secret");
	assert_int_equal(access(target, F_OK), 0);
}

static void test_devices(void **state)
{
	struct fh *h = *state;
	struct fuse_mknod_in mn = {.mode = S_IFCHR | 0666, .rdev = (1 << 8) | 3}; /* /dev/null */
	struct fuse_entry_out e;

	if (getuid() != 0) {
		skip();
		return;
	}
	assert_int_equal(fh_req2(h, FUSE_MKNOD, 1, &mn, sizeof(mn), "null", 5), 0);
	memcpy(&e, fh_body(h), sizeof(e));
	assert_true(S_ISCHR(e.attr.mode));
	assert_int_equal(e.attr.rdev, (1 << 8) | 3);
	/* The server opens no device node: not by OPEN, not by CREATE of its name. */
	assert_int_equal(fh_open(h, e.nodeid, O_RDWR, NULL), -ENXIO);
	assert_int_equal(fh_create(h, 1, "null", O_RDWR, 0644, NULL, NULL), -ENXIO);
}

static void test_nodeids(void **state)
{
	struct fh *h = *state;
	struct fuse_getattr_in ga = {0};
	struct fuse_forget_in fi = {.nlookup = 100};
	struct fuse_entry_out e;
	char p[PATH_MAX];
	struct {
		struct fuse_batch_forget_in in;
		struct fuse_forget_one one[3];
	} bf;

	/* Never issued. */
	assert_int_equal(fh_req(h, FUSE_GETATTR, 0, &ga, sizeof(ga)), -ESTALE);
	assert_int_equal(fh_req(h, FUSE_GETATTR, 2, &ga, sizeof(ga)), -ESTALE);
	assert_int_equal(fh_req(h, FUSE_GETATTR, 0xdeadbeefcafeull, &ga, sizeof(ga)), -ESTALE);
	assert_int_equal(fh_req(h, FUSE_GETATTR, ~0ull, &ga, sizeof(ga)), -ESTALE);
	assert_int_equal(fh_lookup(h, 12345, "x", NULL), -ESTALE);
	fh_path(p, h->share, "f");
	fh_write_file(p, "f");
	assert_int_equal(fh_lookup(h, 1, "f", &e), 0);
	/* A wrong generation for a live slot. */
	assert_int_equal(fh_req(h, FUSE_GETATTR, e.nodeid + (1ull << 32), &ga, sizeof(ga)),
			 -ESTALE);
	/* FORGET more than was looked up: gone, no underflow, then stale. */
	assert_int_equal(fh_req(h, FUSE_FORGET, e.nodeid, &fi, sizeof(fi)), -1000);
	assert_int_equal(fh_req(h, FUSE_GETATTR, e.nodeid, &ga, sizeof(ga)), -ESTALE);
	assert_int_equal(fh_req(h, FUSE_FORGET, e.nodeid, &fi, sizeof(fi)), -1000);
	/* The root is never forgotten. */
	assert_int_equal(fh_req(h, FUSE_FORGET, 1, &fi, sizeof(fi)), -1000);
	assert_int_equal(fh_req(h, FUSE_GETATTR, 1, &ga, sizeof(ga)), 0);
	/* BATCH_FORGET with a count larger than the entries present. */
	assert_int_equal(fh_lookup(h, 1, "f", &e), 0);
	memset(&bf, 0, sizeof(bf));
	bf.in.count = 1000000;
	bf.one[0].nodeid = e.nodeid;
	bf.one[0].nlookup = 1;
	bf.one[1].nodeid = 77;
	bf.one[1].nlookup = 5;
	bf.one[2].nodeid = 1;
	bf.one[2].nlookup = 5;
	assert_int_equal(fh_req(h, FUSE_BATCH_FORGET, 0, &bf, sizeof(bf)), -1000);
	assert_int_equal(fh_req(h, FUSE_GETATTR, e.nodeid, &ga, sizeof(ga)), -ESTALE);
	assert_int_equal(fh_req(h, FUSE_GETATTR, 1, &ga, sizeof(ga)), 0);
	/* File handles never issued, and a directory handle used as a file one. */
	struct fuse_read_in ri = {.fh = 1, .size = 10};
	struct fuse_open_in oi = {0};

	assert_int_equal(fh_req(h, FUSE_READ, 1, &ri, sizeof(ri)), -EBADF);
	assert_int_equal(fh_req(h, FUSE_OPENDIR, 1, &oi, sizeof(oi)), 0);
	ri.fh = ((const struct fuse_open_out *)fh_body(h))->fh;
	assert_int_equal(fh_req(h, FUSE_READ, 1, &ri, sizeof(ri)), -EBADF);
	assert_int_equal(fh_release(h, 1, ri.fh, 0), -EBADF);
	assert_int_equal(fh_release(h, 1, ri.fh, 1), 0);
}

static void test_malformed(void **state)
{
	struct fh *h = *state;
	struct fuse_in_header ih = {.len = 40, .opcode = FUSE_GETATTR, .unique = 7, .nodeid = 1};
	uint8_t buf[256] = {0};
	struct fuse_out_header oh;

	/* A short header: an error reply with unique 0. */
	assert_int_equal(fh_raw(h, &ih, 10), 0);
	assert_int_equal(h->written, sizeof(oh));
	memcpy(&oh, h->out, sizeof(oh));
	assert_int_equal(oh.error, -EINVAL);
	assert_int_equal(fh_raw(h, &ih, 0), 0);
	memcpy(&oh, h->out, sizeof(oh));
	assert_int_equal(oh.error, -EINVAL);
	/* len larger, then smaller, than the bytes present. */
	h->unique = 7;
	struct fuse_getattr_in ga = {0};

	ih.len = 40 + sizeof(ga) + 1;
	memcpy(buf, &ih, sizeof(ih));
	memcpy(buf + sizeof(ih), &ga, sizeof(ga));
	assert_int_equal(fh_raw(h, buf, 40 + sizeof(ga)), 0);
	assert_int_equal(fh_reply_error(h), -EINVAL);
	ih.len = 40 + sizeof(ga) - 1;
	memcpy(buf, &ih, sizeof(ih));
	assert_int_equal(fh_raw(h, buf, 40 + sizeof(ga)), 0);
	assert_int_equal(fh_reply_error(h), -EINVAL);
	ih.len = 39;
	memcpy(buf, &ih, sizeof(ih));
	assert_int_equal(fh_raw(h, buf, 39), 0);
	/* Bytes claimed by in_len but absent from the buffers. */
	ih.len = 40 + sizeof(ga);
	memcpy(buf, &ih, sizeof(ih));
	struct iovec in = {.iov_base = buf, .iov_len = 40},
		     out = {.iov_base = h->out, .iov_len = 64};

	assert_int_equal(
	    fuse_server_handle(h->s, &in, 1, 40 + sizeof(ga), &out, 1, 64, &h->written), 0);
	assert_int_equal(fh_reply_error(h), -EINVAL);
	/* Bodies shorter than the op needs. */
	assert_int_equal(fh_req(h, FUSE_GETATTR, 1, &ga, 4), -EINVAL);
	assert_int_equal(fh_req(h, FUSE_SETATTR, 1, &ga, sizeof(ga)), -EINVAL);
	assert_int_equal(fh_req(h, FUSE_OPEN, 1, NULL, 0), -EINVAL);
	assert_int_equal(fh_req(h, FUSE_READ, 1, &ga, sizeof(ga)), -EINVAL);
	assert_int_equal(fh_req(h, FUSE_WRITE, 1, &ga, sizeof(ga)), -EINVAL);
	assert_int_equal(fh_req(h, FUSE_MKDIR, 1, "ab", 3), -EINVAL);
	assert_int_equal(fh_req(h, FUSE_INIT, 0, &ga, 8), -EINVAL);
	assert_int_equal(fh_req(h, FUSE_RENAME2, 1, &ga, 8), -EINVAL);
	/* Names without their NUL. */
	assert_int_equal(fh_req(h, FUSE_LOOKUP, 1, "abc", 3), -EINVAL);
	assert_int_equal(fh_req(h, FUSE_LOOKUP, 1, NULL, 0), -EINVAL);
	assert_int_equal(fh_req(h, FUSE_UNLINK, 1, "abc", 3), -EINVAL);
	assert_int_equal(fh_req(h, FUSE_SYMLINK, 1, "abc\0def", 7), -EINVAL);
	struct fuse_rename_in rn = {.newdir = 1};

	assert_int_equal(fh_req2(h, FUSE_RENAME, 1, &rn, sizeof(rn), "a\0b", 3), -EINVAL);
	/* WRITE whose size disagrees with the bytes present. */
	struct fuse_entry_out e;
	uint64_t fhd;

	assert_int_equal(fh_create(h, 1, "w", O_RDWR, 0644, &e, &fhd), 0);
	struct fuse_write_in wi = {.fh = fhd, .size = 100};

	assert_int_equal(fh_req2(h, FUSE_WRITE, e.nodeid, &wi, sizeof(wi), "short", 5), -EINVAL);
	wi.size = 2;
	assert_int_equal(fh_req2(h, FUSE_WRITE, e.nodeid, &wi, sizeof(wi), "short", 5), -EINVAL);
	wi.size = 0xffffffffu;
	assert_int_equal(fh_req2(h, FUSE_WRITE, e.nodeid, &wi, sizeof(wi), "short", 5), -EINVAL);
	wi.size = 5;
	wi.offset = 1ull << 63;
	assert_int_equal(fh_req2(h, FUSE_WRITE, e.nodeid, &wi, sizeof(wi), "short", 5), -EINVAL);
	/* A huge body. */
	uint8_t *huge = calloc(1, 1 << 20);

	assert_int_equal(fh_req(h, FUSE_LOOKUP, 1, huge, 1 << 20), -E2BIG);
	free(huge);

	/* Replies that do not fit the writable buffers: an error reply, no overflow. */
	h->out_len = 16;
	assert_int_equal(fh_lookup(h, 1, "w", NULL), -EIO);
	assert_int_equal(h->written, 16);
	h->out_len = 100; /* fuse_entry_out needs 128 + 16 */
	assert_int_equal(fh_lookup(h, 1, "w", NULL), -EIO);
	assert_int_equal(h->out[100], 0xa5);
	/* READ is cut to what fits. */
	assert_int_equal(fh_write(h, e.nodeid, fhd, 0, "0123456789", 10), 0);
	assert_int_equal(fh_read(h, e.nodeid, fhd, 0, buf, 200), 10);
	h->out_len = 20;
	assert_int_equal(fh_read(h, e.nodeid, fhd, 0, buf, 200), 4);
	assert_int_equal(h->out[20], 0xa5);
	/* No room even for an error: nothing written. */
	h->out_len = 15;
	assert_int_equal(fh_lookup(h, 1, "w", NULL), -EINVAL);
	assert_int_equal(h->written, 0);
	/* FORGET needs no writable buffer (the hiprio queue gives none). */
	h->out_len = 0;
	assert_int_equal(fh_lookup(h, 1, "w", NULL), -EINVAL);
	h->out_len = FH_OUT_MAX;
	assert_int_equal(fh_lookup(h, 1, "hiprio", NULL), -ENOENT);
	assert_int_equal(mkdir(strcat(strcpy((char *)buf, h->share), "/hp"), 0755), 0);
	struct fuse_entry_out hp;

	assert_int_equal(fh_lookup(h, 1, "hp", &hp), 0);
	h->out_len = 0;
	struct fuse_forget_in one = {.nlookup = 1};

	assert_int_equal(fh_req(h, FUSE_FORGET, hp.nodeid, &one, sizeof(one)), -1000);
	h->out_len = FH_OUT_MAX;
	assert_int_equal(fh_req(h, FUSE_GETATTR, hp.nodeid, &ga, sizeof(ga)), -ESTALE);
	/* The lookup that could not be replied to left no reference behind: one FORGET frees it. */
	assert_int_equal(fh_lookup(h, 1, "w", NULL), 0);
	struct fuse_forget_in fi = {.nlookup = 1};

	fh_req(h, FUSE_FORGET, e.nodeid, &fi, sizeof(fi));
	/* CREATE gave one reference; still alive after the forget above. */
	assert_int_equal(fh_req(h, FUSE_GETATTR, e.nodeid, &ga, sizeof(ga)), 0);
	fh_req(h, FUSE_FORGET, e.nodeid, &fi, sizeof(fi));
	assert_int_equal(fh_req(h, FUSE_GETATTR, e.nodeid, &ga, sizeof(ga)), -ESTALE);
	assert_int_equal(fh_release(h, e.nodeid, fhd, 0), 0);
}

/*
 * The rule for mounts: a bind mount inside the share (the runtime puts the
 * rootfs and the spec's volumes there) is crossed and served, even when
 * its source is outside the share. Only the host can make one. Needs
 * CAP_SYS_ADMIN for a private mount namespace; skipped without it.
 */
static void test_bind_mount_crossed(void **state)
{
	struct fh *h = *state;
	char vol[PATH_MAX], src[PATH_MAX];
	struct fuse_entry_out v, in;
	uint64_t fhd;
	uint8_t buf[64];

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		print_message("skipped: no private mount namespace (%s)\n", strerror(errno));
		skip();
	}
	fh_path(vol, h->share, "vol");
	fh_path(src, h->sentinel, "subdir");
	assert_int_equal(mkdir(vol, 0755), 0);
	assert_int_equal(mount(src, vol, NULL, MS_BIND, NULL), 0);
	/*
	 * A server sees the mounts of the namespace its root fd was opened in:
	 * make it again in this one (the VMM makes its servers after it has
	 * entered its own namespace).
	 */
	fuse_server_free(h->s);
	assert_int_equal(fuse_server_new(h->share, NULL, &h->s), 0);
	assert_int_equal(fh_init(h), 0);
	assert_int_equal(fh_lookup(h, 1, "vol", &v), 0);
	assert_true(S_ISDIR(v.attr.mode));
	/* A bind mount of the same file system: same st_dev on the host, no submount. */
	assert_false(v.attr.flags & FUSE_ATTR_SUBMOUNT);
	assert_int_equal(fh_lookup(h, v.nodeid, "inner", &in), 0);
	assert_false(in.attr.flags & FUSE_ATTR_SUBMOUNT);
	assert_int_equal(fh_open(h, in.nodeid, O_RDONLY, &fhd), 0);
	assert_int_equal(fh_read(h, in.nodeid, fhd, 0, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "inner", 5);
	assert_int_equal(fh_release(h, in.nodeid, fhd, 0), 0);
	/* Still no way up from the mount's root. */
	assert_int_equal(fh_lookup(h, v.nodeid, "..", NULL), -ENOENT);
	assert_int_equal(umount2(vol, MNT_DETACH), 0);

	/* Another file system mounted inside: announced as a submount (its own st_dev in the
	 * guest). */
	struct fuse_entry_out m, f;
	char tmpvol[PATH_MAX];

	fh_path(tmpvol, h->share, "tmpvol");
	assert_int_equal(mkdir(tmpvol, 0755), 0);
	assert_int_equal(mount("ozone-test", tmpvol, "tmpfs", 0, "size=64k"), 0);
	assert_int_equal(fh_lookup(h, 1, "tmpvol", &m), 0);
	assert_true(m.attr.flags & FUSE_ATTR_SUBMOUNT);
	assert_int_equal(fh_create(h, m.nodeid, "f", O_WRONLY, 0644, &f, NULL), 0);
	assert_false(f.attr.flags & FUSE_ATTR_SUBMOUNT);
	assert_int_equal(umount2(tmpvol, MNT_DETACH), 0);
}

/*
 * One directory under two bind mounts of the share, read-only and
 * read-write (a pod's containers get /dev/shm so): two inodes, each
 * served through its own mount, whichever the guest looks up first. Runs
 * after test_bind_mount_crossed, in its private mount namespace.
 */
static void test_bind_mounts_keep_flags(void **state)
{
	struct fh *h = *state;
	char src[PATH_MAX], ro[PATH_MAX], rw[PATH_MAX];
	struct fuse_entry_out r, w, f;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		print_message("skipped: no private mount namespace (%s)\n", strerror(errno));
		skip();
	}
	fh_path(src, h->share, "src");
	fh_path(ro, h->share, "ro");
	fh_path(rw, h->share, "rw");
	assert_int_equal(mkdir(src, 0755), 0);
	assert_int_equal(mkdir(ro, 0755), 0);
	assert_int_equal(mkdir(rw, 0755), 0);
	assert_int_equal(mount(src, ro, NULL, MS_BIND, NULL), 0);
	assert_int_equal(mount(NULL, ro, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL), 0);
	assert_int_equal(mount(src, rw, NULL, MS_BIND, NULL), 0);
	fuse_server_free(h->s);
	assert_int_equal(fuse_server_new(h->share, NULL, &h->s), 0);
	assert_int_equal(fh_init(h), 0);
	assert_int_equal(fh_lookup(h, 1, "ro", &r), 0);
	assert_int_equal(fh_lookup(h, 1, "rw", &w), 0);
	assert_int_not_equal(r.nodeid, w.nodeid);
	assert_int_equal(fh_create(h, w.nodeid, "written", O_WRONLY, 0644, &f, NULL), 0);
	assert_int_equal(fh_create(h, r.nodeid, "refused", O_WRONLY, 0644, &f, NULL), -EROFS);
	assert_int_equal(umount2(ro, MNT_DETACH), 0);
	assert_int_equal(umount2(rw, MNT_DETACH), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_symlink_out, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_devices, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nodeids, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
	    /* Last: these move the process into a private mount namespace. */
	    cmocka_unit_test_setup_teardown(test_bind_mount_crossed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bind_mounts_keep_flags, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
