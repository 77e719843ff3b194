/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The runtime's state store: claiming an id, atomic state.json, status from
 * the recorded pid, the per-container lock, removal, listing
 * (runtime/lib/store.c, from the runtime's library).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "runtime/lib/store.h"
#include "common/error.h"

static char tmpdir[64];
static char root[96];
static struct ozone_globals g;

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ozone-store-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	/* A root that does not exist yet, two levels down: create makes it. */
	snprintf(root, sizeof(root), "%s/run/ozone", tmpdir);
	g.root = root;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void fill(struct oci_state *st, const char *id, int pid, const char *status)
{
	static char created[48];

	store_now(created, sizeof(created));
	*st = (struct oci_state){.oci_version = "1.0.2",
				 .id = (char *)id,
				 .pid = pid,
				 .status = (char *)status,
				 .bundle = "/b",
				 .rootfs = "/b/rootfs",
				 .created = created,
				 .owner = "",
				 .pid_start = pid > 0 ? store_pid_start(pid) : 0};
}

static void test_create_write_read(void **state)
{
	struct store_lock lk, lk2;
	struct oci_state st, got;
	struct stat sb;
	char path[256];

	(void)state;
	assert_int_equal(store_create(&g, "c1", &lk), 0);
	assert_int_equal(stat(root, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	/* The id is claimed: a second create fails, with runc's message. */
	assert_int_equal(store_create(&g, "c1", &lk2), -EEXIST);
	assert_string_equal(err_msg(), "container with id exists: c1");
	fill(&st, "c1", getpid(), "created");
	assert_int_equal(store_write(&lk, &st), 0);
	snprintf(path, sizeof(path), "%s/c1/state.json.tmp", root);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(store_read(&g, "c1", &got), 0);
	assert_string_equal(got.status, "created");
	assert_int_equal(got.pid, getpid());
	assert_int_equal(got.pid_start, st.pid_start);
	assert_string_equal(got.created, st.created);
	assert_true(strlen(got.created) >= strlen("2026-01-02T03:04:05Z"));
	assert_true(strlen(got.created) <= strlen("2026-01-02T03:04:05.123456789Z"));
	assert_int_equal(got.created[strlen(got.created) - 1], 'Z');
	if (strchr(got.created, '.'))
		assert_int_not_equal(got.created[strlen(got.created) - 2], '0');
	oci_state_free(&got);
	/* Rewritten in place. */
	st.status = "running";
	assert_int_equal(store_write(&lk, &st), 0);
	assert_int_equal(store_read(&g, "c1", &got), 0);
	assert_string_equal(got.status, "running");
	oci_state_free(&got);
	assert_int_equal(store_remove(&g, "c1", &lk), 0);
	assert_int_equal(lk.dirfd, -1);
	snprintf(path, sizeof(path), "%s/c1", root);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(store_read(&g, "c1", &got), -ENOENT);
	assert_string_equal(err_msg(), "container \"c1\" does not exist");
}

static void test_bad_ids(void **state)
{
	struct store_lock lk;
	struct oci_state st;

	(void)state;
	assert_int_equal(store_create(&g, "a/b", &lk), -EINVAL);
	assert_string_equal(err_msg(), "invalid container id 'a/b'");
	assert_int_equal(store_lock(&g, "..", &lk), -EINVAL);
	assert_int_equal(store_read(&g, "", &st), -EINVAL);
	assert_int_equal(store_lock(&g, "nope", &lk), -ENOENT);
	assert_string_equal(err_msg(), "container \"nope\" does not exist");
}

static void test_status(void **state)
{
	struct store_lock lk;
	struct oci_state st, got;
	pid_t child;

	(void)state;
	/* A process that has exited: stopped. */
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	assert_int_equal(store_create(&g, "dead", &lk), 0);
	fill(&st, "dead", child, "running");
	st.pid_start = 12345;
	waitpid(child, NULL, 0);
	assert_int_equal(store_write(&lk, &st), 0);
	assert_int_equal(store_read(&g, "dead", &got), 0);
	assert_string_equal(got.status, "stopped");
	oci_state_free(&got);
	/* A live pid whose start time differs: another process, so stopped. */
	fill(&st, "dead", getpid(), "running");
	st.pid_start = store_pid_start(getpid()) + 1;
	assert_int_equal(store_write(&lk, &st), 0);
	assert_int_equal(store_read(&g, "dead", &got), 0);
	assert_string_equal(got.status, "stopped");
	oci_state_free(&got);
	/* Paused and alive stays paused. */
	fill(&st, "dead", getpid(), "paused");
	assert_int_equal(store_write(&lk, &st), 0);
	assert_int_equal(store_read(&g, "dead", &got), 0);
	assert_string_equal(got.status, "paused");
	oci_state_free(&got);
	assert_int_equal(store_remove(&g, "dead", &lk), 0);
}

/* A second invocation waits for the lock; after a delete it finds nothing. */
static void test_lock(void **state)
{
	struct store_lock lk;
	struct oci_state st;
	struct pollfd pfd;
	int p[2], status;
	char c;
	pid_t child;

	(void)state;
	assert_int_equal(store_create(&g, "locked", &lk), 0);
	fill(&st, "locked", getpid(), "created");
	assert_int_equal(store_write(&lk, &st), 0);
	assert_int_equal(pipe(p), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct store_lock clk;
		int ret;

		alarm(10); /* never outlive a failed parent */
		/* The parent's lock is shared with our copy of its fd: drop the copy. */
		close(lk.dirfd);
		close(p[0]);
		ret = store_lock(&g, "locked", &clk);
		c = ret == -ENOENT ? 'n' : ret == 0 ? 'y' : 'e';
		if (write(p[1], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	pfd = (struct pollfd){.fd = p[0], .events = POLLIN};
	assert_int_equal(poll(&pfd, 1, 200), 0); /* still waiting */
	assert_int_equal(store_remove(&g, "locked", &lk), 0);
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	assert_int_equal(read(p[0], &c, 1), 1);
	assert_int_equal(c, 'n');
	close(p[0]);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_list(void **state)
{
	static const char *const ids[] = {"zeta", "alpha", "m-1"};
	struct store_lock lk[3];
	char path[256], **got;
	size_t n;

	(void)state;
	for (int i = 0; i < 3; i++)
		assert_int_equal(store_create(&g, ids[i], &lk[i]), 0);
	/* Not containers: a file, and a name that is no id. */
	snprintf(path, sizeof(path), "%s/file", root);
	fclose(fopen(path, "w"));
	snprintf(path, sizeof(path), "%s/bad id", root);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(store_list(&g, &got, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(got[0], "alpha");
	assert_string_equal(got[1], "m-1");
	assert_string_equal(got[2], "zeta");
	assert_null(got[3]);
	oci_strv_free(got);
	for (int i = 0; i < 3; i++)
		assert_int_equal(store_remove(&g, ids[i], &lk[i]), 0);
	/* A root that does not exist lists nothing. */
	g.root = "/nonexistent/ozone-root";
	assert_int_equal(store_list(&g, &got, &n), 0);
	assert_int_equal(n, 0);
	oci_strv_free(got);
	g.root = root;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create_write_read),
	    cmocka_unit_test(test_bad_ids),
	    cmocka_unit_test(test_status),
	    cmocka_unit_test(test_lock),
	    cmocka_unit_test(test_list),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
