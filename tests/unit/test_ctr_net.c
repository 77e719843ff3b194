/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container builder's network namespaces, on this host as root: a
 * spec's "network" namespace without a path gives the container a new one
 * with only `lo`, up; one with a path joins it, here the VM's namespace
 * (agent/net/net_vm.c) by the path the agent gives a container,
 * /proc/<agent>/fd/<fd>; a process exec'd in the container joins the
 * init's. Each container reads its own view from sysfs and
 * /proc/net, mounted in it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "test_ctr_harness.h"
#include "agent/net/net.h"

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

/* The spec of tc_spec with its network namespace joined by path (NULL: as made). */
static char *spec_net(const char *args, const char *path)
{
	static const char plain[] = "{\"type\":\"network\"}";
	char *s = tc_spec(args, "", "", ""), *at, *out = NULL;

	if (!s || !path)
		return s;
	at = strstr(s, plain);
	assert_non_null(at);
	*at = '\0';
	assert_true(asprintf(&out, "%s{\"type\":\"network\",\"path\":\"%s\"}%s", s, path,
			     at + strlen(plain)) > 0);
	free(s);
	return out;
}

/* The address that marks the VM's namespace: on its lo, seen in /proc/net/if_inet6. */
#define VM_MARK "fd00::42"
#define VM_MARK_HEX "fd000000000000000000000000000042"

static void test_new_netns_has_lo_up(void **state)
{
	struct tc_run r;

	(void)state;
	TC_SKIP_UNLESS_ROOT();
	tc_run(&env,
	       spec_net("[\"sh\",\"-c\",\"echo links=$(ls /sys/class/net | wc -l); "
			"echo lo=$(cat /sys/class/net/lo/flags); cat /proc/net/if_inet6\"]",
			NULL),
	       NULL, &r);
	TC_ASSERT_RAN(&r);
	/* Only lo, up (IFF_UP | IFF_LOOPBACK), and not the VM's namespace. */
	TC_ASSERT_OUT(&r, "links=1\n");
	TC_ASSERT_OUT(&r, "lo=0x9\n");
	if (strstr(r.out, VM_MARK_HEX))
		fail_msg("a new namespace is the VM's:\n%s", r.out);
}

static void test_path_joins_vm_netns(void **state)
{
	struct net_addr mark = {.family = AF_INET6, .prefix = 128};
	struct nl_sock vm = {.fd = -1};
	char path[64], args[256];
	struct tc_run r;
	int fd;

	(void)state;
	TC_SKIP_UNLESS_ROOT();
	assert_int_equal(inet_pton(AF_INET6, VM_MARK, mark.addr), 1);
	assert_int_equal(net_vm_ns_path(path, sizeof(path)), 0);
	assert_int_equal(net_vm_ns(&fd), 0);
	assert_int_equal(net_ns_sock(fd, NULL, &vm), 0);
	assert_int_equal(net_addr_add(&vm, 1, &mark), 0);
	nl_close(&vm);

	snprintf(args, sizeof(args),
		 "[\"sh\",\"-c\",\"echo links=$(ls /sys/class/net | wc -l); "
		 "echo lo=$(cat /sys/class/net/lo/flags); cat /proc/net/if_inet6\"]");
	tc_run(&env, spec_net(args, path), NULL, &r);
	TC_ASSERT_RAN(&r);
	/* The VM's namespace: its lo is up and has the mark. */
	TC_ASSERT_OUT(&r, "links=1\n");
	TC_ASSERT_OUT(&r, "lo=0x9\n");
	TC_ASSERT_OUT(&r, VM_MARK_HEX);
}

/* An exec'd process is in the init's network namespace: here the VM's, with its mark. */
static void test_exec_joins_init_netns(void **state)
{
	const char *proc = "{\"args\":[\"cat\",\"/proc/net/if_inet6\"],"
			   "\"env\":[\"PATH=/bin\"],\"cwd\":\"/\"}";
	struct oci_spec spec;
	struct oci_process p;
	char path[64], *json, out[4096];
	int pfd[2], start_fd, status;
	pid_t init, pid;
	size_t len = 0;
	ssize_t n;

	(void)state;
	TC_SKIP_UNLESS_ROOT();
	/* test_path_joins_vm_netns put the mark on the VM namespace's lo. */
	assert_int_equal(net_vm_ns_path(path, sizeof(path)), 0);
	json = spec_net("[\"sleep\",\"100\"]", path);
	assert_int_equal(oci_spec_parse(json, strlen(json), &spec), 0);
	free(json);
	struct ctr_create_args a = {
	    .id = "n", .spec = &spec, .rootfs = env.rootfs, .stdio = {.fd = {-1, -1, -1}}};
	assert_int_equal(ctr_create(&a, &init, &start_fd, NULL), 0);
	assert_int_equal(ctr_start(start_fd), 0);

	assert_int_equal(oci_process_parse("process.json", proc, strlen(proc), &p), 0);
	assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	struct ctr_stdio st = {.fd = {-1, pfd[1], pfd[1]}};
	assert_int_equal(ctr_exec(init, &spec, &p, NULL, &st, &pid, NULL), 0);
	close(pfd[1]);
	while ((n = read(pfd[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	kill(init, SIGKILL);
	waitpid(init, NULL, 0);
	oci_process_free(&p);
	oci_spec_free(&spec);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (!strstr(out, VM_MARK_HEX))
		fail_msg("exec is not in the VM's namespace:\n%s", out);
}

static void test_bad_netns_path_fails_create(void **state)
{
	struct tc_run r;

	(void)state;
	TC_SKIP_UNLESS_ROOT();
	/* Not a network namespace: setns refuses, and create says which. */
	tc_run(&env, spec_net("[\"true\"]", "/proc/self/ns/uts"), NULL, &r);
	assert_int_equal(r.ret, -EINVAL);
	if (!strstr(r.msg, "network"))
		fail_msg("message: %s", r.msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_new_netns_has_lo_up),
	    cmocka_unit_test(test_path_joins_vm_netns),
	    cmocka_unit_test(test_exec_joins_init_netns),
	    cmocka_unit_test(test_bad_netns_path_fails_create),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
