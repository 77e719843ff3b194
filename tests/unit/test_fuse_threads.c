/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The FUSE server under several request queue workers at once: threads
 * that look up, stat and forget the same inodes, create, write, read and
 * release their own files, and release handles others are using. Run
 * under ASan, any use after free of an inode or handle shows here. And a
 * host thread swapping a directory with a symlink out of the share while
 * the server looks up below it: nothing outside is ever read.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <cmocka.h>

#include "test_fuse_harness.h"

#define THREADS 6
#define ROUNDS 300

struct worker {
	struct fh h; /* a copy sharing the server, with its own reply buffer */
	int id;
	int failures;
	uint64_t shared_fh;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct fh *h = &w->h;
	struct fuse_getattr_in ga = {0};
	struct fuse_forget_in fi = {.nlookup = 1};
	struct fuse_entry_out e;
	char name[32], buf[64];

	for (int i = 0; i < ROUNDS; i++) {
		/* Shared inodes: lookup, stat, forget, racing the other threads. */
		if (fh_lookup(h, 1, "shared", &e) == 0) {
			if (fh_req(h, FUSE_GETATTR, e.nodeid, &ga, sizeof(ga)) != 0)
				w->failures++;
			fh_req(h, FUSE_FORGET, e.nodeid, &fi, sizeof(fi));
		} else {
			w->failures++;
		}
		/* Reads on a handle another thread may be releasing: EBADF or data, never a crash.
		 */
		int n = fh_read(h, 1, w->shared_fh, 0, buf, sizeof(buf));

		if (n < 0 && n != -EBADF)
			w->failures++;
		/* A file of our own. */
		uint64_t fhd;

		snprintf(name, sizeof(name), "t%d-%d", w->id, i % 7);
		if (fh_create(h, 1, name, O_RDWR, 0644, &e, &fhd) != 0) {
			w->failures++;
			continue;
		}
		if (fh_write(h, e.nodeid, fhd, 0, name, (uint32_t)strlen(name)) != 0 ||
		    fh_read(h, e.nodeid, fhd, 0, buf, sizeof(buf)) != (int)strlen(name) ||
		    memcmp(buf, name, strlen(name)) != 0)
			w->failures++;
		fh_release(h, e.nodeid, fhd, 0);
		if (i % 3 == 0)
			fh_req(h, FUSE_UNLINK, 1, name, strlen(name) + 1);
		fh_req(h, FUSE_FORGET, e.nodeid, &fi, sizeof(fi));
	}
	return NULL;
}

static void test_parallel(void **state)
{
	struct fh h;
	struct worker w[THREADS];
	pthread_t t[THREADS];
	struct fuse_entry_out e;
	uint64_t shared_fh;
	char p[PATH_MAX];

	(void)state;
	assert_int_equal(fh_setup(&h), 0);
	assert_int_equal(fh_init(&h), 0);
	fh_path(p, h.share, "shared");
	fh_write_file(p, "shared contents");
	assert_int_equal(fh_lookup(&h, 1, "shared", &e), 0);
	assert_int_equal(fh_open(&h, e.nodeid, O_RDONLY, &shared_fh), 0);
	for (int i = 0; i < THREADS; i++) {
		w[i].h = h;
		w[i].h.out = calloc(1, FH_OUT_MAX);
		w[i].id = i;
		w[i].failures = 0;
		w[i].shared_fh = shared_fh;
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	/* Meanwhile the handle the workers read goes away. */
	usleep(1000);
	assert_int_equal(fh_release(&h, e.nodeid, shared_fh, 0), 0);
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].failures, 0);
		free(w[i].h.out);
	}
	/* The first lookup is still held: the inode is alive, then forgotten. */
	struct fuse_getattr_in ga = {0};
	struct fuse_forget_in fi = {.nlookup = 1};

	assert_int_equal(fh_req(&h, FUSE_GETATTR, e.nodeid, &ga, sizeof(ga)), 0);
	fh_req(&h, FUSE_FORGET, e.nodeid, &fi, sizeof(fi));
	assert_int_equal(fh_req(&h, FUSE_GETATTR, e.nodeid, &ga, sizeof(ga)), -ESTALE);
	assert_true(fh_sentinel_intact(&h));
	fh_teardown(&h);
}

/* The host swaps a directory and a symlink out of the share, over and over. */
static volatile int swapping;

static void *swapper(void *arg)
{
	const char *share = arg;
	int dfd = open(share, O_PATH | O_DIRECTORY);

	while (__atomic_load_n(&swapping, __ATOMIC_RELAXED))
		renameat2(dfd, "dir", dfd, "link", RENAME_EXCHANGE);
	close(dfd);
	return NULL;
}

static void test_rename_race(void **state)
{
	struct fuse_forget_in fi = {.nlookup = 1};
	struct fuse_entry_out e, f;
	char p[PATH_MAX], buf[32];
	int reached = 0, outside = 0;
	pthread_t t;
	struct fh h;

	(void)state;
	assert_int_equal(fh_setup(&h), 0);
	assert_int_equal(fh_init(&h), 0);
	fh_path(p, h.share, "dir");
	assert_int_equal(mkdir(p, 0755), 0);
	fh_path(p, h.share, "dir/secret");
	fh_write_file(p, "inside");
	fh_path(p, h.share, "link");
	assert_int_equal(symlink("../sentinel", p), 0);
	swapping = 1;
	assert_int_equal(pthread_create(&t, NULL, swapper, h.share), 0);
	for (int i = 0; i < 2000; i++) {
		const char *name = i & 1 ? "link" : "dir";
		uint64_t fhd;
		int n;

		if (fh_lookup(&h, 1, name, &e) != 0)
			continue;
		if (fh_lookup(&h, e.nodeid, "secret", &f) == 0) {
			if (fh_open(&h, f.nodeid, O_RDONLY, &fhd) == 0) {
				n = fh_read(&h, f.nodeid, fhd, 0, buf, sizeof(buf));
				if (n == 6 && !memcmp(buf, "inside", 6))
					reached++;
				else if (n > 0)
					outside++;
				fh_release(&h, f.nodeid, fhd, 0);
			}
			fh_req(&h, FUSE_FORGET, f.nodeid, &fi, sizeof(fi));
		}
		fh_req(&h, FUSE_FORGET, e.nodeid, &fi, sizeof(fi));
	}
	__atomic_store_n(&swapping, 0, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	assert_int_equal(outside, 0);
	assert_true(reached > 0);
	assert_true(fh_sentinel_intact(&h));
	fh_teardown(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parallel),
	    cmocka_unit_test(test_rename_race),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
