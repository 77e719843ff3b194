/* SPDX-License-Identifier: Apache-2.0 */
/* ozone-vmm's command line: defaults, every option, and bad values rejected with one message. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sched.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/if_tun.h>

#include "common/util.h"
#include "cli.h"
#include "common/error.h"

/* A file that exists and is readable: the test binary itself. */
static char kernel[4096];
/* Directories to share: a temp dir with "a" and "b=c" in it. */
static char fs_root[64], dir_a[128], dir_bc[128];

static int parse_args(struct vmm_config *cfg, FILE *out, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;
	const char *a;

	argv[argc++] = "ozone-vmm";
	va_start(ap, out);
	while ((a = va_arg(ap, const char *)) && argc < 31)
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	return cli_parse(cfg, argc, argv, out);
}

#define PARSE(cfg, ...) parse_args(cfg, stdout, __VA_ARGS__, (const char *)NULL)

static void expect_error(const char *needle, int ret)
{
	assert_int_equal(ret, -EINVAL);
	if (!strstr(err_msg(), needle))
		fail_msg("error '%s' does not mention '%s'", err_msg(), needle);
}

/* For errors that carry an errno of their own (EBADF, ENOTTY): any negative value. */
static void expect_error_errno(const char *needle, int ret)
{
	assert_true(ret < 0);
	if (!strstr(err_msg(), needle))
		fail_msg("error '%s' does not mention '%s'", err_msg(), needle);
}

static void test_defaults(void **state)
{
	struct vmm_config cfg;

	(void)state;
	assert_int_equal(PARSE(&cfg, "--kernel", kernel), 0);
	assert_string_equal(cfg.kernel, kernel);
	assert_null(cfg.initrd);
	assert_null(cfg.cmdline);
	assert_int_equal(cfg.cpus, 1);
	assert_int_equal(cfg.mem_mib, 128);
	assert_int_equal(cfg.console, CONSOLE_STDIO);
	assert_null(cfg.vsock_socket);
	assert_null(cfg.api_socket);
	assert_int_equal(cfg.nr_fs, 0);
}

static void test_all_options(void **state)
{
	struct vmm_config cfg;
	char fs1[256], fs2[256];

	(void)state;
	snprintf(fs1, sizeof(fs1), "root=%s", dir_a);
	snprintf(fs2, sizeof(fs2), "data=%s,cache=none,writeback", dir_bc);
	assert_int_equal(PARSE(&cfg, "--kernel", kernel, "--initrd", kernel, "--cmdline",
			       "quiet init=/sbin/init", "--cpus", "64", "--memory", "4096",
			       "--console", "/tmp/console.log", "--vsock-socket", "/run/v.sock",
			       "--fs", fs1, "--fs", fs2, "--api-socket", "/run/api.sock"),
			 0);
	assert_string_equal(cfg.initrd, kernel);
	assert_string_equal(cfg.cmdline, "quiet init=/sbin/init");
	assert_int_equal(cfg.cpus, 64);
	assert_int_equal(cfg.mem_mib, 4096);
	assert_int_equal(cfg.console, CONSOLE_FILE);
	assert_string_equal(cfg.console_path, "/tmp/console.log");
	assert_string_equal(cfg.vsock_socket, "/run/v.sock");
	assert_string_equal(cfg.api_socket, "/run/api.sock");
	assert_int_equal(cfg.nr_fs, 2);
	assert_string_equal(cfg.fs[0].tag, "root");
	assert_string_equal(cfg.fs[0].dir, dir_a);
	assert_int_equal(cfg.fs[0].cache, FUSE_CACHE_AUTO);
	assert_false(cfg.fs[0].writeback);
	assert_string_equal(cfg.fs[1].tag, "data");
	assert_string_equal(cfg.fs[1].dir, dir_bc);
	assert_int_equal(cfg.fs[1].cache, FUSE_CACHE_NONE);
	assert_true(cfg.fs[1].writeback);
}

static void test_fs_options(void **state)
{
	struct vmm_config cfg;
	char a[256], b[256], c[256];

	(void)state;
	/* The runtime's form, and every cache policy. */
	snprintf(a, sizeof(a), "ozone=%s", dir_a);
	snprintf(b, sizeof(b), "vol=%s,cache=always", dir_a);
	snprintf(c, sizeof(c), "v2=%s,writeback,cache=auto", dir_bc);
	assert_int_equal(PARSE(&cfg, "--kernel", kernel, "--fs", a, "--fs", b, "--fs", c), 0);
	assert_int_equal(cfg.nr_fs, 3);
	assert_string_equal(cfg.fs[0].tag, "ozone");
	assert_int_equal(cfg.fs[0].cache, FUSE_CACHE_AUTO);
	assert_int_equal(cfg.fs[1].cache, FUSE_CACHE_ALWAYS);
	assert_string_equal(cfg.fs[1].dir, dir_a);
	assert_int_equal(cfg.fs[2].cache, FUSE_CACHE_AUTO);
	assert_true(cfg.fs[2].writeback);
	assert_int_equal(cfg.fs[0].max_inodes, 0); /* the server's defaults */
	assert_int_equal(cfg.fs[0].max_handles, 0);
	/* Caps on what the guest holds at once. */
	snprintf(a, sizeof(a), "t=%s,inodes=1000,handles=64,cache=none", dir_a);
	assert_int_equal(PARSE(&cfg, "--kernel", kernel, "--fs", a), 0);
	assert_int_equal(cfg.fs[0].max_inodes, 1000);
	assert_int_equal(cfg.fs[0].max_handles, 64);
	assert_int_equal(cfg.fs[0].cache, FUSE_CACHE_NONE);
	snprintf(a, sizeof(a), "t=%s,inodes=0", dir_a);
	expect_error("inodes must be a number from 1", PARSE(&cfg, "--kernel", kernel, "--fs", a));
	snprintf(a, sizeof(a), "t=%s,handles=99999999", dir_a);
	expect_error("handles must be a number from 1", PARSE(&cfg, "--kernel", kernel, "--fs", a));
	snprintf(a, sizeof(a), "t=%s,inodes=-1", dir_a);
	expect_error("inodes must be", PARSE(&cfg, "--kernel", kernel, "--fs", a));
	/* A tag of exactly 36 bytes fits the config space. */
	snprintf(a, sizeof(a), "%.36s=%s", "abcdefghijklmnopqrstuvwxyz0123456789", dir_a);
	assert_int_equal(PARSE(&cfg, "--kernel", kernel, "--fs", a), 0);
	assert_int_equal(strlen(cfg.fs[0].tag), 36);
}

static void test_short_and_equals_forms(void **state)
{
	struct vmm_config cfg;

	(void)state;
	assert_int_equal(PARSE(&cfg, "-k", kernel, "-m", "16", "--cpus=2", "--console=none"), 0);
	assert_int_equal(cfg.mem_mib, 16);
	assert_int_equal(cfg.cpus, 2);
	assert_int_equal(cfg.console, CONSOLE_NONE);
	/* A second parse starts from the defaults again. */
	assert_int_equal(PARSE(&cfg, "--kernel", kernel), 0);
	assert_int_equal(cfg.cpus, 1);
	assert_int_equal(cfg.console, CONSOLE_STDIO);
}

static void test_bad_cpus(void **state)
{
	struct vmm_config cfg;

	(void)state;
	expect_error("--cpus 0", PARSE(&cfg, "--kernel", kernel, "--cpus", "0"));
	expect_error("--cpus 65", PARSE(&cfg, "--kernel", kernel, "--cpus", "65"));
	expect_error("not a number", PARSE(&cfg, "--kernel", kernel, "--cpus", "abc"));
	expect_error("not a number", PARSE(&cfg, "--kernel", kernel, "--cpus", "-1"));
	expect_error("not a number", PARSE(&cfg, "--kernel", kernel, "--cpus", "2 "));
	expect_error("not a number", PARSE(&cfg, "--kernel", kernel, "--cpus", ""));
	expect_error("--cpus",
		     PARSE(&cfg, "--kernel", kernel, "--cpus", "99999999999999999999999"));
}

static void test_bad_memory(void **state)
{
	struct vmm_config cfg;

	(void)state;
	expect_error("--memory 1", PARSE(&cfg, "--kernel", kernel, "--memory", "1"));
	expect_error("--memory 0", PARSE(&cfg, "--kernel", kernel, "--memory", "0"));
	expect_error("not a number", PARSE(&cfg, "--kernel", kernel, "--memory", "abc"));
	expect_error("not a number", PARSE(&cfg, "--kernel", kernel, "--memory", "128M"));
	expect_error("--memory", PARSE(&cfg, "--kernel", kernel, "--memory", "1048577"));
}

static void test_bad_files_and_options(void **state)
{
	struct vmm_config cfg;
	int ret;

	(void)state;
	expect_error("--kernel is required", PARSE(&cfg, "--cpus", "1"));
	ret = PARSE(&cfg, "--kernel", "/no/such/vmlinux");
	assert_int_equal(ret, -ENOENT);
	assert_string_equal(err_msg(), "--kernel /no/such/vmlinux: No such file or directory");
	ret = PARSE(&cfg, "--kernel", kernel, "--initrd", "/no/such/initrd");
	assert_int_equal(ret, -ENOENT);
	expect_error("unknown option --bogus", PARSE(&cfg, "--kernel", kernel, "--bogus"));
	expect_error("unknown option -z", PARSE(&cfg, "--kernel", kernel, "-z"));
	expect_error("needs a value", PARSE(&cfg, "--kernel"));
	expect_error("unexpected argument extra", PARSE(&cfg, "--kernel", kernel, "extra"));
	expect_error("--console", PARSE(&cfg, "--kernel", kernel, "--console", ""));
}

static void test_bad_fs(void **state)
{
	struct vmm_config cfg;
	char a[] = "nodir", b[] = "=/dir", c[] = "tag=";

	(void)state;
	expect_error("TAG=DIR", PARSE(&cfg, "--kernel", kernel, "--fs", a));
	expect_error("TAG=DIR", PARSE(&cfg, "--kernel", kernel, "--fs", b));
	expect_error("TAG=DIR", PARSE(&cfg, "--kernel", kernel, "--fs", c));
}

static void test_bad_fs_values(void **state)
{
	struct vmm_config cfg;
	char a[256], b[256], c[256], d[sizeof(kernel) + 8];

	(void)state;
	snprintf(a, sizeof(a), "%s=%s", "abcdefghijklmnopqrstuvwxyz0123456789X", dir_a);
	expect_error("longer than 36 bytes", PARSE(&cfg, "--kernel", kernel, "--fs", a));
	snprintf(a, sizeof(a), "same=%s", dir_a);
	snprintf(b, sizeof(b), "same=%s", dir_bc);
	expect_error("given twice", PARSE(&cfg, "--kernel", kernel, "--fs", a, "--fs", b));
	snprintf(c, sizeof(c), "t=%s,cache=sometimes", dir_a);
	expect_error("unknown option 'cache=sometimes'",
		     PARSE(&cfg, "--kernel", kernel, "--fs", c));
	snprintf(c, sizeof(c), "t=%s,", dir_a);
	assert_int_equal(PARSE(&cfg, "--kernel", kernel, "--fs", c), 0);
	snprintf(c, sizeof(c), "a tag=%s", dir_a);
	expect_error("printable", PARSE(&cfg, "--kernel", kernel, "--fs", c));
	snprintf(d, sizeof(d), "t=%s/missing", fs_root);
	assert_int_equal(PARSE(&cfg, "--kernel", kernel, "--fs", d), -ENOENT);
	assert_non_null(strstr(err_msg(), "missing"));
	snprintf(d, sizeof(d), "t=%s", kernel);
	assert_int_equal(PARSE(&cfg, "--kernel", kernel, "--fs", d), -ENOTDIR);
	assert_non_null(strstr(err_msg(), "not a directory"));
	snprintf(d, sizeof(d), "t=,cache=none");
	expect_error("TAG=DIR", PARSE(&cfg, "--kernel", kernel, "--fs", d));
}

static void test_help_and_version(void **state)
{
	struct vmm_config cfg;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	static const char *const options[] = {
	    "--kernel",	      "--initrd", "--cmdline",	  "--cpus", "--memory", "--console",
	    "--vsock-socket", "--fs",	  "--api-socket", "--help", "--version"};

	(void)state;
	assert_non_null(out);
	assert_int_equal(parse_args(&cfg, out, "--help", (const char *)NULL), 1);
	fflush(out);
	for (size_t i = 0; i < ARRAY_SIZE(options); i++)
		if (!strstr(buf, options[i]))
			fail_msg("--help does not document %s", options[i]);
	assert_int_equal(parse_args(&cfg, out, "--version", (const char *)NULL), 1);
	fclose(out);
	assert_non_null(strstr(buf, "ozone-vmm "));
	free(buf);
}

/* --net with fds that are not taps, and bad MACs and MTUs: one message each. */
static void test_bad_net(void **state)
{
	struct vmm_config cfg;
	char arg[128];
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	snprintf(arg, sizeof(arg), "fd=%d,mac=02:00:00:00:00:01", p[0]);
	expect_error_errno("not a tap device", PARSE(&cfg, "--kernel", kernel, "--net", arg));
	close(p[0]);
	close(p[1]);
	snprintf(arg, sizeof(arg), "fd=%d,mac=02:00:00:00:00:01", p[0]);
	expect_error_errno("not an open file descriptor",
			   PARSE(&cfg, "--kernel", kernel, "--net", arg));
	snprintf(arg, sizeof(arg), "mac=02:00:00:00:00:01");
	expect_error("fd=N and mac=MAC are required",
		     PARSE(&cfg, "--kernel", kernel, "--net", arg));
	snprintf(arg, sizeof(arg), "fd=3");
	expect_error("fd=N and mac=MAC are required",
		     PARSE(&cfg, "--kernel", kernel, "--net", arg));
	snprintf(arg, sizeof(arg), "fd=3,mac=02:00:00:00:00:1");
	expect_error("expected aa:bb:cc:dd:ee:ff", PARSE(&cfg, "--kernel", kernel, "--net", arg));
	snprintf(arg, sizeof(arg), "fd=3,mac=02-00-00-00-00-01");
	expect_error("expected aa:bb:cc:dd:ee:ff", PARSE(&cfg, "--kernel", kernel, "--net", arg));
	snprintf(arg, sizeof(arg), "fd=3,mac=0g:00:00:00:00:01");
	expect_error("expected aa:bb:cc:dd:ee:ff", PARSE(&cfg, "--kernel", kernel, "--net", arg));
	snprintf(arg, sizeof(arg), "fd=3,mac=01:00:5e:00:00:01");
	expect_error("multicast", PARSE(&cfg, "--kernel", kernel, "--net", arg));
	snprintf(arg, sizeof(arg), "fd=3,mac=00:00:00:00:00:00");
	expect_error("all-zero", PARSE(&cfg, "--kernel", kernel, "--net", arg));
	snprintf(arg, sizeof(arg), "fd=3,mac=02:00:00:00:00:01,mtu=67");
	expect_error("between 68 and 65535", PARSE(&cfg, "--kernel", kernel, "--net", arg));
	snprintf(arg, sizeof(arg), "fd=3,mac=02:00:00:00:00:01,mtu=65536");
	expect_error("between 68 and 65535", PARSE(&cfg, "--kernel", kernel, "--net", arg));
	snprintf(arg, sizeof(arg), "fd=3,fd=4,mac=02:00:00:00:00:01");
	expect_error("unknown or repeated", PARSE(&cfg, "--kernel", kernel, "--net", arg));
	snprintf(arg, sizeof(arg), "fd=3,mac=02:00:00:00:00:01,queues=2");
	expect_error("unknown or repeated", PARSE(&cfg, "--kernel", kernel, "--net", arg));
}

/* A tap opened with `flags` in this (new) network namespace, or -1. */
static int open_tap(short flags)
{
	struct ifreq ifr = {.ifr_flags = flags};
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The checks on a real tap, in a child with a network namespace of its own. */
static int tap_child(void)
{
	struct vmm_config cfg;
	char arg[128], arg2[128];
	int good, nohdr, tun;

	if (unshare(CLONE_NEWNET) < 0)
		return 77;
	good = open_tap(IFF_TAP | IFF_NO_PI | IFF_VNET_HDR);
	nohdr = open_tap(IFF_TAP | IFF_NO_PI);
	tun = open_tap(IFF_TUN | IFF_NO_PI | IFF_VNET_HDR);
	if (good < 0 || nohdr < 0 || tun < 0)
		return 77;
	snprintf(arg, sizeof(arg), "mac=AA:bb:cc:dd:ee:f0,fd=%d,mtu=9000", good);
	if (PARSE(&cfg, "--kernel", kernel, "--net", arg) != 0 || cfg.nr_net != 1 ||
	    cfg.net[0].fd != good || cfg.net[0].mtu != 9000 || cfg.net[0].mac[0] != 0xaa ||
	    cfg.net[0].mac[5] != 0xf0)
		return 1;
	snprintf(arg, sizeof(arg), "fd=%d,mac=02:00:00:00:00:01", good);
	if (PARSE(&cfg, "--kernel", kernel, "--net", arg) != 0 || cfg.net[0].mtu != 1500)
		return 2;
	snprintf(arg, sizeof(arg), "fd=%d,mac=02:00:00:00:00:01", good);
	/* parse_net splits its argument in place: a second copy for the second --net. */
	snprintf(arg2, sizeof(arg2), "%s", arg);
	if (PARSE(&cfg, "--kernel", kernel, "--net", arg, "--net", arg2) != -EINVAL ||
	    !strstr(err_msg(), "given twice"))
		return 3;
	snprintf(arg, sizeof(arg), "fd=%d,mac=02:00:00:00:00:01", nohdr);
	if (PARSE(&cfg, "--kernel", kernel, "--net", arg) != -EINVAL ||
	    !strstr(err_msg(), "without IFF_VNET_HDR"))
		return 4;
	snprintf(arg, sizeof(arg), "fd=%d,mac=02:00:00:00:00:01", tun);
	if (PARSE(&cfg, "--kernel", kernel, "--net", arg) != -EINVAL ||
	    !strstr(err_msg(), "not a tap"))
		return 5;
	return 0;
}

static void test_net_tap(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(tap_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_all_options),
	    cmocka_unit_test(test_short_and_equals_forms),
	    cmocka_unit_test(test_bad_cpus),
	    cmocka_unit_test(test_bad_memory),
	    cmocka_unit_test(test_bad_files_and_options),
	    cmocka_unit_test(test_bad_fs),
	    cmocka_unit_test(test_fs_options),
	    cmocka_unit_test(test_bad_fs_values),
	    cmocka_unit_test(test_help_and_version),
	    cmocka_unit_test(test_bad_net),
	    cmocka_unit_test(test_net_tap),
	};

	int ret;

	(void)argc;
	if (!realpath(argv[0], kernel) && !realpath("/proc/self/exe", kernel))
		return 1;
	strcpy(fs_root, "/tmp/ozone-cli-XXXXXX");
	if (!mkdtemp(fs_root))
		return 1;
	snprintf(dir_a, sizeof(dir_a), "%s/a", fs_root);
	snprintf(dir_bc, sizeof(dir_bc), "%s/b=c", fs_root);
	if (mkdir(dir_a, 0755) < 0 || mkdir(dir_bc, 0755) < 0)
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir_a);
	rmdir(dir_bc);
	rmdir(fs_root);
	return ret;
}
