/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container builder's network namespaces, on this host as root: a
 * spec's "network" namespace without a path gives the container a new one
 * with only `lo`, up; one with a path joins it, here the VM's namespace
 * (agent/net/net_vm.c) by the path the agent gives a container,
 * /proc/<agent>/fd/<fd>. Each container reads its own view from sysfs and
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
	    cmocka_unit_test(test_bad_netns_path_fails_create),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
