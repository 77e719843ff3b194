/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The FUSE server's caps on what a guest may hold at once, through the
 * request path: past the inode cap a LOOKUP gets ENFILE, past the handle
 * cap an OPEN, OPENDIR or CREATE gets EMFILE; the server goes on serving,
 * and FORGET / RELEASE make room again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sys/resource.h>

#include "test_fuse_harness.h"

#define INODE_CAP 64
#define HANDLE_CAP 16

/* A server with `opts` (NULL: the defaults) over the harness's share, INIT done. */
static struct fh *fh_with(const struct fuse_server_opts *opts)
{
	struct fh *h = calloc(1, sizeof(*h));

	assert_non_null(h);
	assert_int_equal(fh_setup(h), 0);
	fuse_server_free(h->s);
	assert_int_equal(fuse_server_new(h->share, opts, &h->s), 0);
	assert_int_equal(fh_init(h), 0);
	return h;
}

static int setup(void **state)
{
	struct fuse_server_opts opts = {.max_inodes = INODE_CAP, .max_handles = HANDLE_CAP};

	*state = fh_with(&opts);
	return 0;
}

static int setup_defaults(void **state)
{
	*state = fh_with(NULL);
	return 0;
}

static int teardown(void **state)
{
	struct fh *h = *state;

	fh_teardown(h);
	free(h);
	return 0;
}

static void make_files(struct fh *h, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		char name[32], p[PATH_MAX];

		snprintf(name, sizeof(name), "f%u", i);
		fh_path(p, h->share, name);
		fh_write_file(p, "x");
	}
}

static int lookup_nr(struct fh *h, unsigned i, struct fuse_entry_out *e)
{
	char name[32];

	snprintf(name, sizeof(name), "f%u", i);
	return fh_lookup(h, FUSE_ROOT_ID, name, e);
}

static void forget(struct fh *h, uint64_t nodeid, uint64_t n)
{
	struct fuse_forget_in in = {.nlookup = n};

	/* No reply is due. */
	assert_int_equal(fh_req(h, FUSE_FORGET, nodeid, &in, sizeof(in)), -1000);
}

static void assert_serving(struct fh *h)
{
	assert_int_equal(fh_req(h, FUSE_GETATTR, FUSE_ROOT_ID, &(struct fuse_getattr_in){0},
				sizeof(struct fuse_getattr_in)),
			 0);
}

/* The root is one of the inodes: INODE_CAP - 1 names, then ENFILE; FORGET makes room. */
static void test_inode_cap(void **state)
{
	struct fh *h = *state;
	struct fuse_entry_out e, first = {0};

	make_files(h, INODE_CAP + 8);
	for (unsigned i = 0; i < INODE_CAP - 1; i++) {
		assert_int_equal(lookup_nr(h, i, &e), 0);
		if (i == 0)
			first = e;
	}
	for (unsigned i = INODE_CAP - 1; i < INODE_CAP + 8; i++)
		assert_int_equal(lookup_nr(h, i, NULL), -ENFILE);
	/* An inode the guest holds already costs nothing new: still found. */
	assert_int_equal(lookup_nr(h, 0, &e), 0);
	assert_int_equal(e.nodeid, first.nodeid);
	assert_serving(h);

	/* Both lookups of f0 forgotten: its slot is free for the next name. */
	forget(h, first.nodeid, 2);
	assert_int_equal(lookup_nr(h, INODE_CAP - 1, NULL), 0);
	assert_int_equal(lookup_nr(h, INODE_CAP, NULL), -ENFILE);
	/* The forgotten nodeid is gone for good. */
	assert_int_equal(fh_req(h, FUSE_GETATTR, first.nodeid, &(struct fuse_getattr_in){0},
				sizeof(struct fuse_getattr_in)),
			 -ESTALE);
	assert_true(fh_sentinel_intact(h));
}

/* Files and directories share the handle cap: EMFILE past it; RELEASE makes room. */
static void test_handle_cap(void **state)
{
	struct fh *h = *state;
	struct fuse_entry_out e;
	uint64_t fhs[HANDLE_CAP], extra;

	make_files(h, 1);
	assert_int_equal(lookup_nr(h, 0, &e), 0);
	for (unsigned i = 0; i < HANDLE_CAP; i++)
		assert_int_equal(fh_open(h, e.nodeid, O_RDONLY, &fhs[i]), 0);
	assert_int_equal(fh_open(h, e.nodeid, O_RDONLY, &extra), -EMFILE);
	assert_int_equal(fh_req(h, FUSE_OPENDIR, FUSE_ROOT_ID, &(struct fuse_open_in){0},
				sizeof(struct fuse_open_in)),
			 -EMFILE);
	assert_int_equal(fh_create(h, FUSE_ROOT_ID, "new", O_RDWR, 0644, NULL, NULL), -EMFILE);
	assert_serving(h);
	/* The handles held still work. */
	char buf[8];

	assert_int_equal(fh_read(h, e.nodeid, fhs[HANDLE_CAP - 1], 0, buf, sizeof(buf)), 1);

	assert_int_equal(fh_release(h, e.nodeid, fhs[0], 0), 0);
	assert_int_equal(fh_open(h, e.nodeid, O_RDONLY, &fhs[0]), 0);
	assert_int_equal(fh_open(h, e.nodeid, O_RDONLY, &extra), -EMFILE);
	for (unsigned i = 0; i < HANDLE_CAP; i++)
		assert_int_equal(fh_release(h, e.nodeid, fhs[i], 0), 0);
	assert_int_equal(fh_create(h, FUSE_ROOT_ID, "new2", O_RDWR, 0644, NULL, &extra), 0);
}

/* Without options the cap is FUSE_SERVER_MAX_HANDLES (4096). */
static void test_default_handle_cap(void **state)
{
	struct fh *h = *state;
	struct fuse_entry_out e;
	struct rlimit rl;
	uint64_t fhd;
	unsigned opened = 0;

	/* Room for the handles themselves, so that the cap and not RLIMIT_NOFILE answers. */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < 4096 + 64)
		skip();
	rl.rlim_cur = rl.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	make_files(h, 1);
	assert_int_equal(lookup_nr(h, 0, &e), 0);
	for (unsigned i = 0; i < 4096 + 16; i++) {
		int ret = fh_open(h, e.nodeid, O_RDONLY, &fhd);

		if (ret < 0) {
			assert_int_equal(ret, -EMFILE);
			break;
		}
		opened++;
	}
	assert_int_equal(opened, 4096);
	assert_serving(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_inode_cap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_handle_cap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_default_handle_cap, setup_defaults, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
