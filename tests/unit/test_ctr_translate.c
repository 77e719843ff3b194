/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The builder's pure translations, without root: mount options to flags,
 * propagation names, capability names and sets, rlimit names, the PATH
 * lookup, and sysctl names against namespaces.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "agent/ctr/ctr_internal.h"
#include "common/error.h"

static void opts(struct ctr_mount_opts *o, int ret, size_t n, ...)
{
	char *v[16];
	va_list ap;

	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		v[i] = va_arg(ap, char *);
	va_end(ap);
	assert_int_equal(ctr_mount_opts_parse(v, n, o), ret);
}

static void test_mount_flags(void **state)
{
	struct ctr_mount_opts o;

	(void)state;
	opts(&o, 0, 6, "nosuid", "nodev", "noexec", "ro", "relatime", "mode=755");
	assert_int_equal(o.flags, MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY | MS_RELATIME);
	assert_false(o.bind);
	assert_string_equal(o.data, "mode=755");

	/* A later option undoes an earlier one. */
	opts(&o, 0, 4, "ro", "rw", "nosuid", "suid");
	assert_int_equal(o.flags, 0);

	/* The atime modes exclude each other. */
	opts(&o, 0, 2, "noatime", "strictatime");
	assert_int_equal(o.flags, MS_STRICTATIME);

	opts(&o, 0, 5, "size=65536k", "newinstance", "ptmxmode=0666", "defaults", "gid=5");
	assert_int_equal(o.flags, 0);
	assert_string_equal(o.data, "size=65536k,newinstance,ptmxmode=0666,gid=5");
}

static void test_bind_and_propagation(void **state)
{
	struct ctr_mount_opts o;

	(void)state;
	opts(&o, 0, 3, "rbind", "ro", "rprivate");
	assert_true(o.bind);
	assert_int_equal(o.flags, MS_BIND | MS_REC | MS_RDONLY);
	assert_int_equal(o.propagation, MS_PRIVATE | MS_REC);
	assert_string_equal(o.data, "");

	opts(&o, 0, 2, "bind", "slave");
	assert_true(o.bind);
	assert_int_equal(o.flags, MS_BIND);
	assert_int_equal(o.propagation, MS_SLAVE);

	opts(&o, 0, 1, "rshared");
	assert_int_equal(o.propagation, MS_SHARED | MS_REC);
	opts(&o, 0, 1, "runbindable");
	assert_int_equal(o.propagation, MS_UNBINDABLE | MS_REC);
}

static void test_recursive_attributes(void **state)
{
	struct ctr_mount_opts o;

	(void)state;
	opts(&o, 0, 3, "rbind", "rro", "rnosuid");
	assert_int_equal(o.attr_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID);
	assert_int_equal(o.attr_clr, 0);
	opts(&o, 0, 2, "rro", "rrw");
	assert_int_equal(o.attr_set, 0);
	assert_int_equal(o.attr_clr, MOUNT_ATTR_RDONLY);
	/* An access-time mode replaces the mode: the whole field is cleared, one set. */
	opts(&o, 0, 1, "rnoatime");
	assert_int_equal(o.attr_set, MOUNT_ATTR_NOATIME);
	assert_int_equal(o.attr_clr, MOUNT_ATTR__ATIME);
	opts(&o, 0, 2, "rnoatime", "rrelatime");
	assert_int_equal(o.attr_set, MOUNT_ATTR_RELATIME);
	assert_int_equal(o.attr_clr, MOUNT_ATTR__ATIME);
}

static void test_refused_options(void **state)
{
	struct ctr_mount_opts o;
	char big[5000];

	(void)state;
	opts(&o, -EINVAL, 1, "idmap");
	assert_non_null(strstr(err_msg(), "idmap"));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	opts(&o, -EINVAL, 1, big);
}

static void test_propagation_names(void **state)
{
	unsigned long f;

	(void)state;
	assert_int_equal(ctr_propagation_parse("rslave", &f), 0);
	assert_int_equal(f, MS_SLAVE | MS_REC);
	assert_int_equal(ctr_propagation_parse("private", &f), 0);
	assert_int_equal(f, MS_PRIVATE);
	assert_int_equal(ctr_propagation_parse("sideways", &f), -EINVAL);
	assert_int_equal(ctr_propagation_parse("", &f), -EINVAL);
}

static void test_capability_names(void **state)
{
	int cap;

	(void)state;
	assert_int_equal(ctr_cap_from_name("CAP_CHOWN", &cap), 0);
	assert_int_equal(cap, 0);
	assert_int_equal(ctr_cap_from_name("CAP_KILL", &cap), 0);
	assert_int_equal(cap, 5);
	assert_int_equal(ctr_cap_from_name("CAP_SYS_ADMIN", &cap), 0);
	assert_int_equal(cap, 21);
	assert_int_equal(ctr_cap_from_name("CAP_CHECKPOINT_RESTORE", &cap), 0);
	assert_int_equal(cap, 40);
	/* libcap would take these; the spec does not. */
	assert_int_equal(ctr_cap_from_name("cap_kill", &cap), -EINVAL);
	assert_int_equal(ctr_cap_from_name("5", &cap), -EINVAL);
	assert_int_equal(ctr_cap_from_name("KILL", &cap), -EINVAL);
	assert_int_equal(ctr_cap_from_name("CAP_", &cap), -EINVAL);
	assert_int_equal(ctr_cap_from_name("CAP_NOPE", &cap), -EINVAL);
	assert_string_equal(err_msg(), "unknown capability 'CAP_NOPE'");
}

static void test_capability_sets(void **state)
{
	char *bnd[] = {"CAP_KILL", "CAP_NET_BIND_SERVICE", NULL};
	char *eff[] = {"CAP_KILL", NULL};
	char *bad[] = {"CAP_KILL", "CAP_WHAT", NULL};
	struct oci_caps c = {.bounding = bnd, .effective = eff, .permitted = eff};
	struct ctr_caps out;

	(void)state;
	assert_int_equal(ctr_caps_parse(&c, &out), 0);
	assert_true(out.set);
	assert_int_equal(out.bounding, (1ull << 5) | (1ull << 10));
	assert_int_equal(out.effective, 1ull << 5);
	assert_int_equal(out.permitted, 1ull << 5);
	assert_int_equal(out.inheritable, 0);
	assert_int_equal(out.ambient, 0);
	c.ambient = bad;
	assert_int_equal(ctr_caps_parse(&c, &out), -EINVAL);
	assert_string_equal(err_msg(),
			    "process.capabilities.ambient: unknown capability 'CAP_WHAT'");
}

static void test_rlimit_names(void **state)
{
	int res;

	(void)state;
	assert_int_equal(ctr_rlimit_from_name("RLIMIT_NOFILE", &res), 0);
	assert_int_equal(res, RLIMIT_NOFILE);
	assert_int_equal(ctr_rlimit_from_name("RLIMIT_RTTIME", &res), 0);
	assert_int_equal(res, RLIMIT_RTTIME);
	assert_int_equal(ctr_rlimit_from_name("RLIMIT_nofile", &res), -EINVAL);
	assert_int_equal(ctr_rlimit_from_name("NOFILE", &res), -EINVAL);
}

static void test_lookup_exec(void **state)
{
	char dir[] = "/tmp/ozone-lookup-XXXXXX", path[256], out[256];
	char env_path[300];
	char *env[] = {env_path, "FOO=1", NULL};
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/tool", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0755);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/data", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);

	snprintf(env_path, sizeof(env_path), "PATH=/nonexistent:%s", dir);
	assert_int_equal(ctr_lookup_exec("tool", env, out, sizeof(out)), 0);
	snprintf(path, sizeof(path), "%s/tool", dir);
	assert_string_equal(out, path);
	/* Not executable: not found, as execvp. */
	assert_int_equal(ctr_lookup_exec("data", env, out, sizeof(out)), -ENOENT);
	assert_string_equal(err_msg(), "exec: \"data\": executable file not found in $PATH");
	/* A name with a slash is not looked up. */
	assert_int_equal(ctr_lookup_exec(path, env, out, sizeof(out)), 0);
	assert_string_equal(out, path);
	assert_int_equal(ctr_lookup_exec("/nonexistent/x", env, out, sizeof(out)), -ENOENT);
	assert_string_equal(
	    err_msg(), "exec: \"/nonexistent/x\": stat /nonexistent/x: No such file or directory");
	/* No PATH in the env: the default one (where sh lives). */
	env[0] = "FOO=2";
	assert_int_equal(ctr_lookup_exec("sh", env, out, sizeof(out)), 0);
	assert_int_equal(ctr_lookup_exec("", env, out, sizeof(out)), -ENOENT);
	/* Too small a buffer never overflows. */
	assert_int_equal(ctr_lookup_exec("sh", env, out, 4), -ENOENT);

	snprintf(path, sizeof(path), "%s/tool", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/data", dir);
	unlink(path);
	rmdir(dir);
}

static void test_sysctl_namespaces(void **state)
{
	struct oci_namespace ns[] = {{.type = "ipc"}, {.type = "mount"}};
	struct oci_spec spec = {.lnx = {.namespaces = ns, .n_namespaces = 2}};

	(void)state;
	assert_int_equal(ctr_sysctl_check(&spec, "kernel.shmmax"), 0);
	assert_int_equal(ctr_sysctl_check(&spec, "fs.mqueue.msg_max"), 0);
	assert_int_equal(ctr_sysctl_check(&spec, "net.ipv4.ip_forward"), 0);
	/* No uts namespace: the hostname would be the guest's. */
	assert_int_equal(ctr_sysctl_check(&spec, "kernel.hostname"), -EINVAL);
	assert_int_equal(ctr_sysctl_check(&spec, "vm.swappiness"), -EINVAL);
	assert_int_equal(ctr_sysctl_check(&spec, "kernel/../../x"), -EINVAL);
	spec.lnx.n_namespaces = 1;
	ns[0].type = "uts";
	assert_int_equal(ctr_sysctl_check(&spec, "kernel.hostname"), 0);
	assert_int_equal(ctr_sysctl_check(&spec, "kernel.shmmax"), -EINVAL);
}

static void test_namespace_flags(void **state)
{
	(void)state;
	assert_int_equal(ctr_ns_flag("mount"), CLONE_NEWNS);
	assert_int_equal(ctr_ns_flag("pid"), CLONE_NEWPID);
	assert_int_equal(ctr_ns_flag("uts"), CLONE_NEWUTS);
	assert_int_equal(ctr_ns_flag("ipc"), CLONE_NEWIPC);
	assert_int_equal(ctr_ns_flag("cgroup"), CLONE_NEWCGROUP);
	assert_int_equal(ctr_ns_flag("network"), CLONE_NEWNET);
	/* The VM is the user boundary: never made here. */
	assert_int_equal(ctr_ns_flag("user"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mount_flags),
	    cmocka_unit_test(test_bind_and_propagation),
	    cmocka_unit_test(test_recursive_attributes),
	    cmocka_unit_test(test_refused_options),
	    cmocka_unit_test(test_propagation_names),
	    cmocka_unit_test(test_capability_names),
	    cmocka_unit_test(test_capability_sets),
	    cmocka_unit_test(test_rlimit_names),
	    cmocka_unit_test(test_lookup_exec),
	    cmocka_unit_test(test_sysctl_namespaces),
	    cmocka_unit_test(test_namespace_flags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
