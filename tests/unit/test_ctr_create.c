/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container builder on this host, as root: each test makes a container
 * from a spec and checks, from the process's own output, what a user of
 * runc would check (ids, capability sets, seccomp, rlimits, hostname,
 * masked and read-only paths, mounts, devices), and that a bad cwd or a
 * missing binary fails at create with runc's words.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_ctr_harness.h"

static struct tc_env env;

static int group_setup(void **state)
{
	(void)state;
	if (!tc_can_run())
		return 0;
	return tc_env_init(&env);
}

static int group_teardown(void **state)
{
	(void)state;
	tc_env_fini(&env);
	return 0;
}

static struct tc_run run;

static void test_user_and_groups(void **state)
{
	(void)state;
	TC_SKIP_UNLESS_ROOT();
	tc_run(&env,
	       tc_spec("[\"sh\",\"-c\",\"id; echo HOME=$HOME\"]",
		       ",\"user\":{\"uid\":1000,\"gid\":1000,\"additionalGids\":[10,20]}", "", ""),
	       NULL, &run);
	TC_ASSERT_RAN(&run);
	TC_ASSERT_OUT(&run, "uid=1000(user) gid=1000 groups=10,20");
	TC_ASSERT_OUT(&run, "HOME=/home/user");
}

static void test_capabilities_and_nnp(void **state)
{
	(void)state;
	TC_SKIP_UNLESS_ROOT();
	tc_run(&env,
	       tc_spec("[\"cat\",\"/proc/self/status\"]",
		       ",\"noNewPrivileges\":true,\"capabilities\":{"
		       "\"bounding\":[\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
		       "\"effective\":[\"CAP_KILL\"],\"permitted\":[\"CAP_KILL\"]}",
		       "", ""),
	       NULL, &run);
	TC_ASSERT_RAN(&run);
	TC_ASSERT_OUT(&run, "CapEff:\t0000000000000020");
	TC_ASSERT_OUT(&run, "CapPrm:\t0000000000000020");
	TC_ASSERT_OUT(&run, "CapBnd:\t0000000000000420");
	TC_ASSERT_OUT(&run, "NoNewPrivs:\t1");
	TC_ASSERT_OUT(&run, "Seccomp:\t0");
}

static void test_ambient_capabilities(void **state)
{
	(void)state;
	TC_SKIP_UNLESS_ROOT();
	tc_run(&env,
	       tc_spec("[\"cat\",\"/proc/self/status\"]",
		       ",\"user\":{\"uid\":1000,\"gid\":1000},\"capabilities\":{"
		       "\"bounding\":[\"CAP_NET_BIND_SERVICE\",\"CAP_CHOWN\"],"
		       "\"effective\":[\"CAP_NET_BIND_SERVICE\"],"
		       "\"permitted\":[\"CAP_NET_BIND_SERVICE\"],"
		       "\"inheritable\":[\"CAP_NET_BIND_SERVICE\"],"
		       "\"ambient\":[\"CAP_NET_BIND_SERVICE\"]}",
		       "", ""),
	       NULL, &run);
	TC_ASSERT_RAN(&run);
	TC_ASSERT_OUT(&run, "CapAmb:\t0000000000000400");
	TC_ASSERT_OUT(&run, "CapEff:\t0000000000000400");
	TC_ASSERT_OUT(&run, "CapInh:\t0000000000000400");
	TC_ASSERT_OUT(&run, "CapBnd:\t0000000000000401");
	TC_ASSERT_OUT(&run, "NoNewPrivs:\t0");
}

/* runc's default spec: ambient capabilities without inheritable ones are not raised, as in runc. */
static void test_ambient_without_inheritable_as_runc(void **state)
{
	(void)state;
	TC_SKIP_UNLESS_ROOT();
	tc_run(&env,
	       tc_spec("[\"cat\",\"/proc/self/status\"]",
		       ",\"capabilities\":{"
		       "\"bounding\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
		       "\"effective\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
		       "\"permitted\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
		       "\"ambient\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"]}",
		       "", ""),
	       NULL, &run);
	TC_ASSERT_RAN(&run);
	TC_ASSERT_OUT(&run, "CapAmb:\t0000000000000000");
	TC_ASSERT_OUT(&run, "CapEff:\t0000000020000420");
	TC_ASSERT_OUT(&run, "CapBnd:\t0000000020000420");
}

static void test_unknown_capability_fails_create(void **state)
{
	(void)state;
	TC_SKIP_UNLESS_ROOT();
	tc_run(
	    &env,
	    tc_spec("[\"true\"]", ",\"capabilities\":{\"bounding\":[\"CAP_NOT_A_CAP\"]}", "", ""),
	    NULL, &run);
	assert_int_equal(run.ret, -EINVAL);
	assert_non_null(strstr(run.msg, "unknown capability 'CAP_NOT_A_CAP'"));
}

static void test_seccomp_errno_and_args(void **state)
{
	(void)state;
	TC_SKIP_UNLESS_ROOT();
	/* mkdir/mkdirat: EXDEV; kill with signal 0: EOPNOTSUPP; kill with another signal allowed.
	 */
	tc_run(&env,
	       tc_spec("[\"sh\",\"-c\",\"grep Seccomp: /proc/self/status; mkdir /tmp/x; "
		       "kill -0 $$; echo kill0=$?; kill -CONT $$; echo cont=$?\"]",
		       ",\"noNewPrivileges\":true",
		       ",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		       "\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],"
		       "\"syscalls\":[{\"names\":[\"mkdir\",\"mkdirat\",\"no_such_syscall\"],"
		       "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":18},"
		       "{\"names\":[\"kill\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":95,"
		       "\"args\":[{\"index\":1,\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]}]}",
		       ""),
	       NULL, &run);
	TC_ASSERT_RAN(&run);
	TC_ASSERT_OUT(&run, "Seccomp:\t2");
	TC_ASSERT_OUT(&run, "Invalid cross-device link");
	TC_ASSERT_OUT(&run, "kill0=1");
	TC_ASSERT_OUT(&run, "cont=0");
}

static void test_seccomp_without_nnp(void **state)
{
	(void)state;
	TC_SKIP_UNLESS_ROOT();
	/* Loaded before the capabilities go (it needs CAP_SYS_ADMIN then), for a non-root user. */
	tc_run(&env,
	       tc_spec("[\"sh\",\"-c\",\"grep -E 'Seccomp:|NoNewPrivs:' /proc/self/status; "
		       "mkdir /tmp/y\"]",
		       ",\"user\":{\"uid\":1000,\"gid\":1000},\"capabilities\":{}",
		       ",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		       "\"syscalls\":[{\"names\":[\"mkdir\",\"mkdirat\"],"
		       "\"action\":\"SCMP_ACT_ERRNO\"}]}",
		       ""),
	       NULL, &run);
	assert_int_equal(run.ret, 0);
	TC_ASSERT_OUT(&run, "Seccomp:\t2");
	TC_ASSERT_OUT(&run, "NoNewPrivs:\t0");
	TC_ASSERT_OUT(&run, "Operation not permitted");
}

static void test_seccomp_kill_process(void **state)
{
	(void)state;
	TC_SKIP_UNLESS_ROOT();
	tc_run(&env,
	       tc_spec("[\"mkdir\",\"/tmp/z\"]", ",\"noNewPrivileges\":true",
		       ",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		       "\"syscalls\":[{\"names\":[\"mkdir\",\"mkdirat\"],"
		       "\"action\":\"SCMP_ACT_KILL_PROCESS\"}]}",
		       ""),
	       NULL, &run);
	assert_int_equal(run.ret, 0);
	assert_true(WIFSIGNALED(run.status));
	assert_int_equal(WTERMSIG(run.status), SIGSYS);
}

static void test_seccomp_notify_refused(void **state)
{
	(void)state;
	TC_SKIP_UNLESS_ROOT();
	tc_run(&env,
	       tc_spec("[\"true\"]", "",
		       ",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		       "\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
		       ""),
	       NULL, &run);
	assert_int_equal(run.ret, -EINVAL);
	assert_non_null(strstr(run.msg, "SCMP_ACT_NOTIFY is not supported"));
}

static void test_rlimits_umask_oom_env(void **state)
{
	(void)state;
	TC_SKIP_UNLESS_ROOT();
	tc_run(&env,
	       tc_spec("[\"sh\",\"-c\",\"echo n=$(ulimit -n) hn=$(ulimit -Hn); umask; "
		       "cat /proc/self/oom_score_adj; echo FOO=$FOO; pwd\"]",
		       ",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1000,\"hard\":2000}],"
		       "\"user\":{\"uid\":0,\"gid\":0,\"umask\":63},\"oomScoreAdj\":500,\"env\":["
		       "\"PATH=/bin\",\"FOO=bar\"],"
		       "\"cwd\":\"/tmp\"",
		       "", ""),
	       NULL, &run);
	TC_ASSERT_RAN(&run);
	TC_ASSERT_OUT(&run, "n=1000 hn=2000");
	TC_ASSERT_OUT(&run, "0077");
	TC_ASSERT_OUT(&run, "500\n");
	TC_ASSERT_OUT(&run, "FOO=bar");
	TC_ASSERT_OUT(&run, "/tmp\n");
}

static void test_unknown_rlimit_fails_create(void **state)
{
	(void)state;
	TC_SKIP_UNLESS_ROOT();
	tc_run(&env,
	       tc_spec("[\"true\"]",
		       ",\"rlimits\":[{\"type\":\"RLIMIT_BOGUS\",\"soft\":1,\"hard\":1}]", "", ""),
	       NULL, &run);
	assert_int_equal(run.ret, -EINVAL);
	if (!strstr(run.msg, "RLIMIT_BOGUS"))
		fail_msg("message: %s", run.msg);
}

static void test_hostname_domainname_sysctl(void **state)
{
	(void)state;
	TC_SKIP_UNLESS_ROOT();
	tc_run(&env,
	       tc_spec("[\"sh\",\"-c\",\"hostname; cat /proc/sys/kernel/domainname "
		       "/proc/sys/fs/mqueue/msg_max\"]",
		       "", ",\"sysctl\":{\"fs.mqueue.msg_max\":\"17\"}",
		       ",\"hostname\":\"box\",\"domainname\":\"example.org\""),
	       NULL, &run);
	TC_ASSERT_RAN(&run);
	TC_ASSERT_OUT(&run, "box\nexample.org\n17\n");
}

static void test_sysctl_outside_namespace_refused(void **state)
{
	(void)state;
	TC_SKIP_UNLESS_ROOT();
	tc_run(&env, tc_spec("[\"true\"]", "", ",\"sysctl\":{\"vm.swappiness\":\"1\"}", ""), NULL,
	       &run);
	assert_int_equal(run.ret, -EINVAL);
	assert_non_null(strstr(run.msg, "vm.swappiness is not in a separate kernel namespace"));
}

static void test_masked_and_readonly_paths(void **state)
{
	(void)state;
	TC_SKIP_UNLESS_ROOT();
	tc_run(&env,
	       tc_spec("[\"sh\",\"-c\",\"echo kcore=$(cat /proc/kcore 2>/dev/null | wc -c); "
		       "echo version=$(cat /proc/version | wc -c); echo acpi=$(ls /proc/acpi | wc "
		       "-l); echo 1 > /proc/sys/kernel/shmmax; echo shm=$?\"]",
		       "",
		       /* What containerd and podman ask for, and two of our own. */
		       ",\"maskedPaths\":[\"/proc/acpi\",\"/proc/asound\",\"/proc/kcore\","
		       "\"/proc/keys\",\"/proc/latency_stats\",\"/proc/timer_list\","
		       "\"/proc/timer_stats\",\"/proc/sched_debug\",\"/proc/scsi\","
		       "\"/sys/firmware\",\"/sys/devices/virtual/powercap\",\"/proc/version\","
		       "\"/proc/does-not-exist\"],\"readonlyPaths\":[\"/proc/bus\",\"/proc/fs\","
		       "\"/proc/irq\",\"/proc/sys\",\"/proc/sysrq-trigger\"]",
		       ""),
	       NULL, &run);
	TC_ASSERT_RAN(&run);
	/* Not every kernel has a /proc/kcore; where it has none, there is nothing to read. */
	if (access("/proc/kcore", F_OK) == 0)
		TC_ASSERT_OUT(&run, "kcore=0");
	TC_ASSERT_OUT(&run, "version=0");
	TC_ASSERT_OUT(&run, "acpi=0");
	TC_ASSERT_OUT(&run, "Read-only file system");
	TC_ASSERT_OUT(&run, "shm=1");
}

static void test_readonly_root(void **state)
{
	(void)state;
	TC_SKIP_UNLESS_ROOT();
	char *spec =
	    tc_spec("[\"sh\",\"-c\",\"touch /x; touch /dev/shm/ok && echo shm-ok\"]", "", "", "");
	char *ro = strstr(spec, "\"root\":{\"path\":\"rootfs\"}");

	/* Same length: "rootfs\"}" -> "rootfs\",\"readonly\":true}" needs room; rebuild. */
	assert_non_null(ro);
	char *spec2 = NULL;
	assert_true(asprintf(&spec2, "%.*s\"root\":{\"path\":\"rootfs\",\"readonly\":true}%s",
			     (int)(ro - spec), spec,
			     ro + strlen("\"root\":{\"path\":\"rootfs\"}")) > 0);
	free(spec);
	tc_run(&env, spec2, NULL, &run);
	TC_ASSERT_RAN(&run);
	TC_ASSERT_OUT(&run, "touch: /x: Read-only file system");
	TC_ASSERT_OUT(&run, "shm-ok");
}

static void test_missing_cwd_fails_create(void **state)
{
	(void)state;
	TC_SKIP_UNLESS_ROOT();
	tc_run(&env, tc_spec("[\"true\"]", ",\"cwd\":\"/nonexistent\"", "", ""), NULL, &run);
	assert_int_equal(run.ret, -ENOENT);
	assert_string_equal(run.msg, "cwd /nonexistent: No such file or directory");
}

static void test_missing_binary_fails_create(void **state)
{
	(void)state;
	TC_SKIP_UNLESS_ROOT();
	tc_run(&env, tc_spec("[\"no-such-binary\"]", "", "", ""), NULL, &run);
	assert_int_equal(run.ret, -ENOENT);
	assert_string_equal(run.msg,
			    "exec: \"no-such-binary\": executable file not found in $PATH");
	tc_run(&env, tc_spec("[\"/bin/nope\"]", "", "", ""), NULL, &run);
	assert_int_equal(run.ret, -ENOENT);
	assert_non_null(strstr(run.msg, "exec: \"/bin/nope\""));
}

static void test_exit_status(void **state)
{
	(void)state;
	TC_SKIP_UNLESS_ROOT();
	tc_run(&env, tc_spec("[\"sh\",\"-c\",\"exit 7\"]", "", "", ""), NULL, &run);
	assert_int_equal(run.ret, 0);
	assert_true(WIFEXITED(run.status));
	assert_int_equal(WEXITSTATUS(run.status), 7);
}

static void test_killed_by_signal(void **state)
{
	struct oci_spec spec;
	char *json = tc_spec("[\"sleep\",\"100\"]", "", "", "");
	pid_t pid;
	int start_fd, status;

	(void)state;
	TC_SKIP_UNLESS_ROOT();
	assert_int_equal(oci_spec_parse(json, strlen(json), &spec), 0);
	free(json);
	struct ctr_create_args a = {
	    .id = "k", .spec = &spec, .rootfs = env.rootfs, .stdio = {.fd = {-1, -1, -1}}};
	assert_int_equal(ctr_create(&a, &pid, &start_fd, NULL), 0);
	assert_int_equal(ctr_start(start_fd), 0);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	oci_spec_free(&spec);
}

static void test_dropped_before_start(void **state)
{
	struct oci_spec spec;
	char *json = tc_spec("[\"true\"]", "", "", "");
	pid_t pid;
	int start_fd, status;

	(void)state;
	TC_SKIP_UNLESS_ROOT();
	assert_int_equal(oci_spec_parse(json, strlen(json), &spec), 0);
	free(json);
	struct ctr_create_args a = {
	    .id = "d", .spec = &spec, .rootfs = env.rootfs, .stdio = {.fd = {-1, -1, -1}}};
	assert_int_equal(ctr_create(&a, &pid, &start_fd, NULL), 0);
	close(start_fd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 127);
	oci_spec_free(&spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_user_and_groups),
	    cmocka_unit_test(test_capabilities_and_nnp),
	    cmocka_unit_test(test_ambient_capabilities),
	    cmocka_unit_test(test_ambient_without_inheritable_as_runc),
	    cmocka_unit_test(test_unknown_capability_fails_create),
	    cmocka_unit_test(test_seccomp_errno_and_args),
	    cmocka_unit_test(test_seccomp_without_nnp),
	    cmocka_unit_test(test_seccomp_kill_process),
	    cmocka_unit_test(test_seccomp_notify_refused),
	    cmocka_unit_test(test_rlimits_umask_oom_env),
	    cmocka_unit_test(test_unknown_rlimit_fails_create),
	    cmocka_unit_test(test_hostname_domainname_sysctl),
	    cmocka_unit_test(test_sysctl_outside_namespace_refused),
	    cmocka_unit_test(test_masked_and_readonly_paths),
	    cmocka_unit_test(test_readonly_root),
	    cmocka_unit_test(test_missing_cwd_fails_create),
	    cmocka_unit_test(test_missing_binary_fails_create),
	    cmocka_unit_test(test_exit_status),
	    cmocka_unit_test(test_killed_by_signal),
	    cmocka_unit_test(test_dropped_before_start),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
