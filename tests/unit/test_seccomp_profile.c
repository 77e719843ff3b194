/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.seccomp to a libseccomp filter: profiles refused with a line naming
 * the field, the rules a profile turns into (libseccomp's own text form of
 * the filter), and filters loaded into a child process, where the denied
 * syscalls must return the errno the profile asks for. No root needed: the
 * child sets no_new_privs itself.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <seccomp.h>

#include "agent/ctr/ctr_internal.h"
#include "common/error.h"

static void refused(const char *json, const char *msg)
{
	void *ctx = (void *)1;

	assert_int_equal(ctr_seccomp_build(json, &ctx), -EINVAL);
	assert_null(ctx);
	if (!strstr(err_msg(), msg))
		fail_msg("message '%s' lacks '%s'", err_msg(), msg);
}

static void test_refused_profiles(void **state)
{
	(void)state;
	refused("{", "linux.seccomp");
	refused("[]", "linux.seccomp: must be an object");
	refused("{}", "linux.seccomp");
	refused("{\"defaultAction\":\"SCMP_ACT_MAYBE\"}",
		"linux.seccomp.defaultAction: unknown action 'SCMP_ACT_MAYBE'");
	refused("{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}", "SCMP_ACT_NOTIFY is not supported");
	refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/x.sock\"}",
		"listenerPath");
	refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_VAX\"]}",
		"unknown architecture 'SCMP_ARCH_VAX'");
	refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"x86_64\"]}",
		"unknown architecture 'x86_64'");
	refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_NOPE\"]}",
		"linux.seccomp.flags: unknown flag 'SECCOMP_FILTER_FLAG_NOPE'");
	refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":{}}",
		"linux.seccomp.syscalls: must be an array");
	refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":\"read\","
		"\"action\":\"SCMP_ACT_ERRNO\"}]}",
		"linux.seccomp.syscalls[0].names: must be an array of strings");
	refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
		"\"action\":\"SCMP_ACT_BOOM\"}]}",
		"linux.seccomp.syscalls[0].action: unknown action 'SCMP_ACT_BOOM'");
	refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
		"\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5000}]}",
		"linux.seccomp.syscalls[0]");
	refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
		"\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":6,\"value\":1,"
		"\"op\":\"SCMP_CMP_EQ\"}]}]}",
		"linux.seccomp.syscalls[0].args[0]");
	refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
		"\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1,"
		"\"op\":\"SCMP_CMP_ABOUT\"}]}]}",
		"linux.seccomp.syscalls[0].args[0]: unknown operator 'SCMP_CMP_ABOUT'");
	refused("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
		"\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":-1,"
		"\"op\":\"SCMP_CMP_EQ\"}]}]}",
		"linux.seccomp.syscalls[0].args[0]");
}

/* libseccomp's pseudo-filter text of a profile. */
static char *pfc(const char *json)
{
	void *ctx = NULL;
	char *text;
	ssize_t n;
	int fd;

	if (ctr_seccomp_build(json, &ctx) != 0)
		fail_msg("build: %s", err_msg());
	fd = memfd_create("pfc", 0);
	assert_true(fd >= 0);
	assert_int_equal(seccomp_export_pfc(ctx, fd), 0);
	ctr_seccomp_free(ctx);
	text = calloc(1, 65536);
	assert_non_null(text);
	n = pread(fd, text, 65535, 0);
	assert_true(n > 0);
	close(fd);
	return text;
}

static void test_rules(void **state)
{
	char *t;

	(void)state;
	t = pfc("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
		"\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],"
		"\"syscalls\":["
		"{\"names\":[\"read\",\"write\",\"not_a_syscall_at_all\"],"
		"\"action\":\"SCMP_ACT_ALLOW\"},"
		"{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
		"{\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_EQ\"}]},"
		"{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38},"
		"{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_KILL_PROCESS\"},"
		"{\"names\":[\"kexec_load\"],\"action\":\"SCMP_ACT_KILL\"},"
		"{\"names\":[\"uname\"],\"action\":\"SCMP_ACT_TRAP\"},"
		"{\"names\":[\"getcwd\"],\"action\":\"SCMP_ACT_LOG\"},"
		"{\"names\":[\"chdir\"],\"action\":\"SCMP_ACT_TRACE\",\"errnoRet\":7},"
		"{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
		"{\"index\":0,\"value\":2114060288,\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}"
		"]}");
	assert_non_null(strstr(t, "# filter for arch x86_64"));
	assert_non_null(strstr(t, "# filter for arch x86 ("));
	assert_non_null(strstr(t, "# filter for arch x32"));
	assert_non_null(strstr(t, "if ($syscall == 0)\n    action ALLOW;")); /* read */
	assert_non_null(strstr(t, "if ($a0.lo32 == 8)")); /* personality(PER_LINUX32) */
	assert_non_null(strstr(t, "action KILL_PROCESS;"));
	assert_non_null(strstr(t, "action KILL;"));
	assert_non_null(strstr(t, "action TRAP;"));
	assert_non_null(strstr(t, "action LOG;"));
	assert_non_null(strstr(t, "action TRACE(7);"));
	assert_non_null(strstr(t, "if ($a0.lo32 & 0x7e020000 == 0)"));
	/* mkdir's ERRNO(38) is the default action: dropped, not refused. */
	assert_null(strstr(t, "if ($syscall == 83)"));
	assert_null(strstr(t, "not_a_syscall"));
	assert_non_null(strstr(t, "action ERRNO(38);"));
	free(t);

	/* Two conditions on one argument: two rules (an OR), as runc makes them. */
	t = pfc("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"kill\"],"
		"\"action\":\"SCMP_ACT_ERRNO\",\"args\":["
		"{\"index\":1,\"value\":0,\"op\":\"SCMP_CMP_EQ\"},"
		"{\"index\":1,\"value\":18,\"op\":\"SCMP_CMP_EQ\"}]}]}");
	assert_non_null(strstr(t, "if ($a1.lo32 == 0)"));
	assert_non_null(strstr(t, "if ($a1.lo32 == 18)"));
	free(t);
	/* Conditions on different arguments: one rule (an AND). */
	t = pfc("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"kill\"],"
		"\"action\":\"SCMP_ACT_ERRNO\",\"args\":["
		"{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_GT\"},"
		"{\"index\":1,\"value\":9,\"op\":\"SCMP_CMP_NE\"}]}]}");
	/* One chain: the test on a1 nested under the one on a0 (NE written as "== ... else"). */
	{
		const char *a0 = strstr(t, "if ($a0.lo32 > 1)");

		assert_non_null(a0);
		assert_non_null(strstr(a0, "if ($a1.lo32 == 9)\n            else"));
	}
	free(t);
}

static void test_no_profile(void **state)
{
	void *ctx = (void *)1;

	(void)state;
	assert_int_equal(ctr_seccomp_build(NULL, &ctx), 0);
	assert_null(ctx);
	assert_int_equal(ctr_seccomp_load(NULL), 0);
}

static void test_flags(void **state)
{
	void *ctx = NULL;

	(void)state;
	assert_int_equal(
	    ctr_seccomp_build("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":["
			      "\"SECCOMP_FILTER_FLAG_TSYNC\",\"SECCOMP_FILTER_FLAG_LOG\","
			      "\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"]}",
			      &ctx),
	    0);
	assert_int_equal(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1), 0);
	{
		uint32_t v = 0;

		assert_int_equal(seccomp_attr_get(ctx, SCMP_FLTATR_CTL_LOG, &v), 0);
		assert_int_equal(v, 1);
		assert_int_equal(seccomp_attr_get(ctx, SCMP_FLTATR_CTL_SSB, &v), 0);
		assert_int_equal(v, 1);
		/* no_new_privs is the spec's noNewPrivileges, never the filter's. */
		assert_int_equal(seccomp_attr_get(ctx, SCMP_FLTATR_CTL_NNP, &v), 0);
		assert_int_equal(v, 0);
	}
	ctr_seccomp_free(ctx);
}

/* Loads the profile into a child, runs fn there; returns the child's wait status. */
static int in_child(const char *json, int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		void *ctx = NULL;

		/* cmocka's handler would catch a trapped syscall and run the tests on here. */
		signal(SIGSYS, SIG_DFL);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    ctr_seccomp_build(json, &ctx) < 0 || ctr_seccomp_load(ctx) < 0)
			_exit(200);
		syscall(SYS_exit_group, fn());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

/* Only raw syscalls once the filter is in: a sanitizer's runtime would make more of its own. */
static int try_mkdir(void)
{
	if (syscall(SYS_mkdir, "/tmp/ozone-seccomp-denied", 0700) == 0) {
		syscall(SYS_rmdir, "/tmp/ozone-seccomp-denied");
		return 0;
	}
	return errno;
}

static int try_kills(void)
{
	/* kill(self, 0) and kill(self, SIGCONT) denied; kill(self, SIGWINCH) allowed. */
	if (kill(getpid(), 0) == 0 || errno != EOPNOTSUPP)
		return 1;
	if (kill(getpid(), SIGCONT) == 0 || errno != EOPNOTSUPP)
		return 2;
	if (kill(getpid(), SIGWINCH) != 0)
		return 3;
	return 0;
}

static void test_loaded_filters(void **state)
{
	int st;

	(void)state;
	st = in_child("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\","
		      "\"mkdirat\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":18}]}",
		      try_mkdir);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), EXDEV);

	/* errnoRet absent: EPERM, as runc. */
	st = in_child("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\","
		      "\"mkdirat\"],\"action\":\"SCMP_ACT_ERRNO\"}]}",
		      try_mkdir);
	assert_int_equal(WEXITSTATUS(st), EPERM);

	/* The default action's own errno. */
	st = in_child("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":95,"
		      "\"syscalls\":[{\"names\":[\"exit_group\",\"exit\"],"
		      "\"action\":\"SCMP_ACT_ALLOW\"}]}",
		      try_mkdir);
	assert_int_equal(WEXITSTATUS(st), EOPNOTSUPP);

	st = in_child("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"kill\"],"
		      "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":95,\"args\":["
		      "{\"index\":1,\"value\":0,\"op\":\"SCMP_CMP_EQ\"},"
		      "{\"index\":1,\"value\":18,\"op\":\"SCMP_CMP_EQ\"}]}]}",
		      try_kills);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);

	st = in_child("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\","
		      "\"mkdirat\"],\"action\":\"SCMP_ACT_KILL_PROCESS\"}]}",
		      try_mkdir);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);

	st = in_child("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\","
		      "\"mkdirat\"],\"action\":\"SCMP_ACT_TRAP\"}]}",
		      try_mkdir);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_refused_profiles), cmocka_unit_test(test_rules),
	    cmocka_unit_test(test_no_profile),	     cmocka_unit_test(test_flags),
	    cmocka_unit_test(test_loaded_filters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
