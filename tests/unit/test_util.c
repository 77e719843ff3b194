/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/util.c and common/cleanup.h: the read/write loops move every byte
 * through short transfers, and a cleanup variable closes or frees on every
 * way out of its scope unless it was taken over.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"

static void test_array_size(void **state)
{
	int a[7];
	struct {
		char c[3];
	} b[5];

	(void)state;
	assert_int_equal(ARRAY_SIZE(a), 7);
	assert_int_equal(ARRAY_SIZE(b), 5);
}

/* A socket pair with a tiny send buffer: a large write must take many short writes. */
static void test_write_all_short_writes(void **state)
{
	int sv[2], size = 4096;
	static char out[256 * 1024], in[sizeof(out)];
	pid_t pid;

	(void)state;
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 7);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(sv[1]);
		_exit(write_all(sv[0], out, sizeof(out)) == 0 ? 0 : 1);
	}
	close(sv[0]);
	assert_int_equal(read_full(sv[1], in, sizeof(in)), sizeof(in));
	assert_memory_equal(in, out, sizeof(out));
	/* the writer closed: end of file reads as a short count, not an error */
	assert_int_equal(read_full(sv[1], in, 10), 0);
	close(sv[1]);
}

static void test_write_all_error(void **state)
{
	int p[2];

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	assert_int_equal(write_all(p[1], "x", 1), -EPIPE);
	close(p[1]);
	assert_int_equal(write_all(p[1], "x", 1), -EBADF);
	assert_int_equal(read_full(p[1], p, 1), -EBADF);
}

static int leaked_fd = -1;

static int open_and_fail(void)
{
	_cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = malloc(64);

	leaked_fd = fd;
	errno = ENOENT;
	return buf ? -ENOENT : -ENOMEM;
}

static int open_and_keep(char **out)
{
	_cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = strdup("kept");

	*out = take_ptr(&buf);
	return take_fd(&fd);
}

static void test_cleanup(void **state)
{
	char *kept = NULL;
	int fd;

	(void)state;
	assert_int_equal(open_and_fail(), -ENOENT);
	/* closed on the way out, and the errno being reported survived the close */
	assert_int_equal(errno, ENOENT);
	assert_int_equal(fcntl(leaked_fd, F_GETFD), -1);
	fd = open_and_keep(&kept);
	assert_true(fd >= 0);
	assert_int_not_equal(fcntl(fd, F_GETFD), -1);
	assert_string_equal(kept, "kept");
	close(fd);
	free(kept);
}

static void test_now_ms(void **state)
{
	long long a = now_ms(), b;

	(void)state;
	usleep(20 * 1000);
	b = now_ms();
	assert_true(b - a >= 20);
	assert_true(b - a < 5000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_array_size),	    cmocka_unit_test(test_write_all_short_writes),
	    cmocka_unit_test(test_write_all_error), cmocka_unit_test(test_cleanup),
	    cmocka_unit_test(test_now_ms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
