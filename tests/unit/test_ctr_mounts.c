/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's filesystem, built on this host as root: binds (read-only,
 * recursive attributes, propagation), tmpfs options, cgroup2, targets
 * behind symlinks that point out of the rootfs, devices, a terminal, and a
 * process exec'd into a running container.
 */
#include <pty.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/statfs.h>

#include "common/util.h"
#include "test_ctr_harness.h"
#include "agent/ctr/cgroup_dev.h"

static struct tc_env env;
static struct tc_run run;

static int group_setup(void **state)
{
	char path[256];

	(void)state;
	if (!tc_can_run())
		return 0;
	if (tc_env_init(&env) < 0)
		return -1;
	/* Bind sources, by their index in the spec's mounts (the defaults take 0 and 1). */
	snprintf(path, sizeof(path), "%s/2", env.mounts);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/2/f", env.mounts);
	tc_write_file(path, "hello\n");
	snprintf(path, sizeof(path), "%s/3", env.mounts);
	tc_write_file(path, "a file\n");
	/* Links that point out of the rootfs: they must resolve inside it. */
	snprintf(path, sizeof(path), "%s/evil", env.rootfs);
	if (symlink("../../../../../../../../etc", path) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/abs", env.rootfs);
	if (symlink("/tmp", path) < 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	tc_env_fini(&env);
	return 0;
}

static void test_bind_readonly_and_file(void **state)
{
	char path[256];

	(void)state;
	TC_SKIP_UNLESS_ROOT();
	tc_run(&env,
	       tc_spec_mounts("[\"sh\",\"-c\",\"cat /data/f /etc/motd; touch /data/g; "
			      "grep ' /data ' /proc/self/mountinfo\"]",
			      ",{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv\","
			      "\"options\":[\"rbind\",\"ro\",\"nosuid\",\"noexec\"]},"
			      "{\"destination\":\"/etc/motd\",\"source\":\"/m\","
			      "\"options\":[\"bind\"]}",
			      ""),
	       NULL, &run);
	TC_ASSERT_RAN(&run);
	TC_ASSERT_OUT(&run, "hello\na file\n");
	TC_ASSERT_OUT(&run, "touch: /data/g: Read-only file system");
	TC_ASSERT_OUT(&run, " ro,nosuid,noexec");
	snprintf(path, sizeof(path), "%s/2/g", env.mounts);
	assert_int_equal(access(path, F_OK), -1);
}

static void test_recursive_readonly(void **state)
{
	(void)state;
	TC_SKIP_UNLESS_ROOT();
	tc_run(&env,
	       tc_spec_mounts("[\"sh\",\"-c\",\"touch /data/g; echo rc=$?\"]",
			      ",{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv\","
			      "\"options\":[\"rbind\",\"rro\"]},"
			      "{\"destination\":\"/x\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}",
			      ""),
	       NULL, &run);
	TC_ASSERT_RAN(&run);
	TC_ASSERT_OUT(&run, "Read-only file system");
	TC_ASSERT_OUT(&run, "rc=1");
}

static void test_tmpfs_options_and_propagation(void **state)
{
	(void)state;
	TC_SKIP_UNLESS_ROOT();
	tc_run(&env,
	       tc_spec_mounts(
		   "[\"sh\",\"-c\",\"stat -c %a /scratch; "
		   "grep ' /scratch ' /proc/self/mountinfo; "
		   "grep ' /shared ' /proc/self/mountinfo\"]",
		   ",{\"destination\":\"/scratch\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
		   "\"options\":[\"nosuid\",\"nodev\",\"noexec\",\"mode=700\",\"size=1m\"]},"
		   "{\"destination\":\"/shared\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
		   "\"options\":[\"rshared\"]}",
		   ""),
	       NULL, &run);
	TC_ASSERT_RAN(&run);
	TC_ASSERT_OUT(&run, "700\n");
	TC_ASSERT_OUT(&run, "rw,nosuid,nodev,noexec");
	TC_ASSERT_OUT(&run, "size=1024k,mode=700");
	TC_ASSERT_OUT(&run, " shared:");
}

static void test_targets_stay_inside_rootfs(void **state)
{
	(void)state;
	TC_SKIP_UNLESS_ROOT();
	assert_int_equal(access("/etc/ozone-escape-test", F_OK), -1);
	tc_run(&env,
	       tc_spec_mounts("[\"sh\",\"-c\",\"grep -o ' /etc/ozone-escape-test \\\\| "
			      "/tmp/inside ' /proc/self/mountinfo\"]",
			      ",{\"destination\":\"/evil/ozone-escape-test\",\"type\":\"tmpfs\","
			      "\"source\":\"tmpfs\"},"
			      "{\"destination\":\"/abs/inside\",\"type\":\"tmpfs\","
			      "\"source\":\"tmpfs\"}",
			      ""),
	       NULL, &run);
	TC_ASSERT_RAN(&run);
	TC_ASSERT_OUT(&run, " /etc/ozone-escape-test ");
	TC_ASSERT_OUT(&run, " /tmp/inside ");
	/* Nothing was made on the host by following the links. */
	assert_int_equal(access("/etc/ozone-escape-test", F_OK), -1);
}

static void test_cgroup_mount(void **state)
{
	(void)state;
	TC_SKIP_UNLESS_ROOT();
	if (access("/sys/fs/cgroup/unified/cgroup.procs", F_OK) < 0 &&
	    access("/sys/fs/cgroup/cgroup.procs", F_OK) < 0)
		skip();
	tc_run(&env,
	       tc_spec_mounts("[\"sh\",\"-c\",\"grep ' /sys/fs/cgroup ' /proc/self/mountinfo; "
			      "ls /sys/fs/cgroup/cgroup.procs\"]",
			      ",{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
			      "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"
			      "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\","
			      "\"source\":\"cgroup\",\"options\":[\"nosuid\",\"noexec\",\"nodev\","
			      "\"relatime\",\"ro\"]}",
			      ""),
	       NULL, &run);
	TC_ASSERT_RAN(&run);
	TC_ASSERT_OUT(&run, " - cgroup2 ");
	TC_ASSERT_OUT(&run, "/sys/fs/cgroup/cgroup.procs");
}

static void test_devices(void **state)
{
	(void)state;
	TC_SKIP_UNLESS_ROOT();
	tc_run(
	    &env,
	    tc_spec("[\"sh\",\"-c\",\"stat -c '%n %F %t %T %a %u %g' /dev/null /dev/zero "
		    "/dev/full /dev/random /dev/urandom /dev/tty /dev/fuse /dev/sub/loop7; "
		    "for l in ptmx fd stdin stdout stderr; do readlink /dev/$l; done; "
		    "ls /dev/pts/ptmx /dev/shm /dev/mqueue; echo x > /dev/null && echo null-ok\"]",
		    "",
		    ",\"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,"
		    "\"minor\":229,\"fileMode\":384,\"uid\":0,\"gid\":0},"
		    "{\"path\":\"/dev/sub/loop7\",\"type\":\"b\",\"major\":7,\"minor\":7,"
		    "\"fileMode\":416,\"uid\":1000,\"gid\":6}]",
		    ""),
	    NULL, &run);
	TC_ASSERT_RAN(&run);
	TC_ASSERT_OUT(&run, "/dev/null character special file 1 3 666 0 0");
	TC_ASSERT_OUT(&run, "/dev/zero character special file 1 5 666");
	TC_ASSERT_OUT(&run, "/dev/full character special file 1 7 666");
	TC_ASSERT_OUT(&run, "/dev/random character special file 1 8 666");
	TC_ASSERT_OUT(&run, "/dev/urandom character special file 1 9 666");
	TC_ASSERT_OUT(&run, "/dev/tty character special file 5 0 666");
	TC_ASSERT_OUT(&run, "/dev/fuse character special file a e5 600 0 0");
	TC_ASSERT_OUT(&run, "/dev/sub/loop7 block special file 7 7 640 1000 6");
	TC_ASSERT_OUT(&run, "pts/ptmx\n/proc/self/fd\n/proc/self/fd/0\n/proc/self/fd/1\n"
			    "/proc/self/fd/2\n");
	TC_ASSERT_OUT(&run, "/dev/pts/ptmx");
	TC_ASSERT_OUT(&run, "null-ok");
}

/*
 * The cgroup's BPF device program (agent/ctr/cgroup_dev.c) with a container
 * that joins the group, where the host has a cgroup v2 hierarchy to make
 * a group in: with CAP_MKNOD (root, every capability) /dev/mem can be
 * made but opening it is EPERM; /dev/null works; /dev/kmsg, allowed by
 * the spec's rule, opens.
 */
static void test_device_program(void **state)
{
	static const char *const roots[] = {"/sys/fs/cgroup/unified", "/sys/fs/cgroup"};
	const char *res = "{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
			  "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":11,"
			  "\"access\":\"r\"}]}";
	struct cg_dev_rules rules;
	char dir[128] = "";
	int ret;

	(void)state;
	TC_SKIP_UNLESS_ROOT();
	for (size_t i = 0; i < ARRAY_SIZE(roots) && !dir[0]; i++) {
		struct statfs sf;

		if (statfs(roots[i], &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC)
			continue;
		snprintf(dir, sizeof(dir), "%s/ozone-ctr-devtest-%d", roots[i], (int)getpid());
		if (mkdir(dir, 0755) < 0)
			dir[0] = '\0';
	}
	if (!dir[0])
		skip(); /* no cgroup v2 group to be had here */
	assert_int_equal(cg_dev_rules_parse(res, &rules), 0);
	ret = cg_dev_apply(dir, &rules);
	cg_dev_rules_free(&rules);
	if (ret < 0) {
		rmdir(dir);
		fail_msg("attach the device program: %s", err_msg());
	}
	env.cgroup = dir;
	tc_run(&env,
	       tc_spec("[\"sh\",\"-c\",\"mknod /dev/mem c 1 1 && echo mknod-ok; "
		       "cat /dev/mem 2>&1 >/dev/null | head -c 200; "
		       "echo x >/dev/null && cat /dev/null && echo null-ok; "
		       "mknod /dev/kmsg c 1 11 && true </dev/kmsg && echo kmsg-ok\"]",
		       "", "", ""),
	       NULL, &run);
	env.cgroup = NULL;
	rmdir(dir);
	TC_ASSERT_RAN(&run);
	if (strcmp(run.out, "mknod-ok\ncat: can't open '/dev/mem': Operation not permitted\n"
			    "null-ok\nkmsg-ok\n"))
		fail_msg("device rules:\n%s", run.out);
}

static void test_dev_without_spec_mount(void **state)
{
	(void)state;
	TC_SKIP_UNLESS_ROOT();
	/* No /dev in the spec: a tmpfs is put there (the rootfs may not take device nodes). */
	char *json =
	    strdup("{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\",\"-c\","
		   "\"grep -c ' /dev ' /proc/self/mountinfo; stat -c %F /dev/null\"],"
		   "\"env\":[\"PATH=/bin\"],\"cwd\":\"/\"},\"root\":{\"path\":\"r\"},"
		   "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\"}],"
		   "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"}]}}");

	assert_non_null(json);
	tc_run(&env, json, NULL, &run);
	TC_ASSERT_RAN(&run);
	TC_ASSERT_OUT(&run, "1\ncharacter special file");
}

/*
 * Reads the terminal's output into out (from *len on) until it holds until,
 * or (until NULL) to its end: EIO once the last slave is closed.
 */
static void read_tty(int master, char *out, size_t size, size_t *len, const char *until)
{
	ssize_t n;

	out[*len] = '\0';
	while (*len < size - 1 && (!until || !strstr(out, until)) &&
	       (n = read(master, out + *len, size - 1 - *len)) > 0) {
		*len += (size_t)n;
		out[*len] = '\0';
	}
}

/*
 * process.terminal as runc makes it: a pty of the container's own devpts
 * (so `tty` names /dev/pts/0, the first pty of that instance), the slave on
 * /dev/console, stdio, and the controlling terminal of a new session; the
 * master comes back to the caller and its size reaches the process. The
 * same for an exec, from the container's /dev/pts.
 */
static void test_terminal(void **state)
{
	struct oci_spec spec;
	struct oci_process p;
	struct winsize ws = {.ws_row = 44, .ws_col = 122};
	char *json, out[4096];
	const char *proc =
	    "{\"terminal\":true,\"consoleSize\":{\"height\":20,\"width\":70},\"user\":{\"uid\":"
	    "1000,\"gid\":1000},"
	    "\"args\":[\"sh\",\"-c\",\"tty; test -t 0 && test -t 1 && echo is-a-tty; "
	    "stty size; stat -c %u /dev/pts/1; cat /proc/self/stat | cut -d' ' -f6-7\"],"
	    "\"env\":[\"PATH=/bin\"],\"cwd\":\"/\"}";
	pid_t pid, init;
	int master, start_fd, status;
	size_t len = 0;

	(void)state;
	TC_SKIP_UNLESS_ROOT();
	json = tc_spec("[\"sh\",\"-c\",\"tty; stty size; test -t 0 && echo is-a-tty; "
		       "stat -c %F:%t:%T /dev/console; ls -1 /dev/pts; "
		       "cat /proc/self/stat | cut -d' ' -f6-7; echo waiting; read x; stty size\"]",
		       ",\"terminal\":true,\"consoleSize\":{\"height\":30,\"width\":100}", "", "");
	assert_int_equal(oci_spec_parse(json, strlen(json), &spec), 0);
	free(json);
	struct ctr_create_args a = {.id = "tty",
				    .spec = &spec,
				    .rootfs = env.rootfs,
				    .stdio = {.fd = {-1, -1, -1}, .terminal = true}};
	/* No place for the master, or a terminal the spec does not ask for: refused. */
	assert_int_equal(ctr_create(&a, &pid, &start_fd, NULL), -EINVAL);
	spec.process.terminal = false;
	assert_int_equal(ctr_create(&a, &pid, &start_fd, &master), -EINVAL);
	spec.process.terminal = true;
	if (ctr_create(&a, &pid, &start_fd, &master) != 0)
		fail_msg("create: %s", err_msg());
	assert_true(master >= 0);
	assert_true(isatty(master));
	assert_int_equal(ctr_start(start_fd), 0);
	/* A resize on the master reaches the process. */
	read_tty(master, out, sizeof(out), &len, "waiting\r\n");
	assert_int_equal(ioctl(master, TIOCSWINSZ, &ws), 0);
	assert_int_equal(write(master, "go\n", 3), 3);
	read_tty(master, out, sizeof(out), &len, NULL);
	close(master);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	/* /dev/console is the pty (major 136: a devpts slave), the only one of its devpts. */
	if (!strstr(out, "/dev/pts/0\r\n30 100\r\nis-a-tty\r\ncharacter special file:88:0\r\n"
			 "0\r\nptmx\r\n"))
		fail_msg("terminal output:\n%s", out);
	/* Its session is the init's (pid 1 of its namespace), with the pty as its tty. */
	if (!strstr(out, "ptmx\r\n1 ") || strstr(out, "ptmx\r\n1 0\r"))
		fail_msg("terminal output:\n%s", out);
	/* The size set while it waited for input (after the echoed "go"). */
	if (!strstr(out, "waiting\r\ngo\r\n44 122\r\n"))
		fail_msg("terminal output after the resize:\n%s", out);
	oci_spec_free(&spec);

	/* An exec's terminal: the next pty of the container's devpts, owned by its user. */
	json = tc_spec("[\"sleep\",\"100\"]", ",\"terminal\":true", "", "");
	assert_int_equal(oci_spec_parse(json, strlen(json), &spec), 0);
	free(json);
	a.spec = &spec;
	assert_int_equal(ctr_create(&a, &init, &start_fd, &master), 0);
	assert_int_equal(ctr_start(start_fd), 0);
	assert_int_equal(oci_process_parse("process.json", proc, strlen(proc), &p), 0);
	struct ctr_stdio st = {.fd = {-1, -1, -1}, .terminal = true};
	int emaster;
	if (ctr_exec(init, &spec, &p, NULL, &st, &pid, &emaster) != 0)
		fail_msg("exec: %s", err_msg());
	len = 0;
	read_tty(emaster, out, sizeof(out), &len, NULL);
	close(emaster);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	if (!strstr(out, "/dev/pts/1\r\nis-a-tty\r\n20 70\r\n1000\r\n") ||
	    strstr(out, "1000\r\n1 "))
		fail_msg("exec terminal output:\n%s", out);
	/* A pipe exec of a terminal process, and the reverse: refused. */
	st.terminal = false;
	assert_int_equal(ctr_exec(init, &spec, &p, NULL, &st, &pid, &emaster), -EINVAL);
	oci_process_free(&p);
	close(master);
	assert_int_equal(kill(init, SIGKILL), 0);
	assert_int_equal(waitpid(init, &status, 0), init);
	oci_spec_free(&spec);
}

static void test_exec_joins_the_container(void **state)
{
	struct oci_spec spec;
	struct oci_process p;
	char *json, out[4096];
	const char *proc = "{\"user\":{\"uid\":1000,\"gid\":1000},\"args\":[\"sh\",\"-c\","
			   "\"hostname; cat /proc/1/comm; id -u; echo pid=$$; "
			   "grep -E 'CapEff|CapBnd|Seccomp:' /proc/self/status; mkdir /tmp/q\"],"
			   "\"env\":[\"PATH=/bin\"],\"cwd\":\"/tmp\"}";
	const char *bad = "{\"args\":[\"nope\"],\"env\":[\"PATH=/bin\"],\"cwd\":\"/\"}";
	int pfd[2], start_fd, status;
	pid_t init, pid;
	ssize_t n;
	size_t len = 0;

	(void)state;
	TC_SKIP_UNLESS_ROOT();
	json =
	    tc_spec("[\"sleep\",\"100\"]",
		    ",\"capabilities\":{\"bounding\":[\"CAP_KILL\"],\"effective\":[\"CAP_KILL\"],"
		    "\"permitted\":[\"CAP_KILL\"],\"ambient\":[]}",
		    ",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
		    "[\"mkdir\",\"mkdirat\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":18}]}",
		    ",\"hostname\":\"inside\"");
	assert_int_equal(oci_spec_parse(json, strlen(json), &spec), 0);
	free(json);
	struct ctr_create_args a = {
	    .id = "e", .spec = &spec, .rootfs = env.rootfs, .stdio = {.fd = {-1, -1, -1}}};
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
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1); /* mkdir's */
	/*
	 * Its hostname, its pid namespace (pid 1 is the init), the exec's user,
	 * the container's capabilities and seccomp profile.
	 */
	if (!strstr(out, "inside\nsleep\n1000\npid=") ||
	    !strstr(out, "CapEff:\t0000000000000000") ||
	    !strstr(out, "CapBnd:\t0000000000000020") || !strstr(out, "Seccomp:\t2") ||
	    !strstr(out, "Invalid cross-device link"))
		fail_msg("exec output:\n%s", out);
	assert_null(strstr(out, "pid=1\n"));
	oci_process_free(&p);

	assert_int_equal(oci_process_parse("process.json", bad, strlen(bad), &p), 0);
	assert_int_equal(ctr_exec(init, &spec, &p, NULL, &st, &pid, NULL), -ENOENT);
	assert_string_equal(err_msg(), "exec: \"nope\": executable file not found in $PATH");
	oci_process_free(&p);

	assert_int_equal(kill(init, SIGKILL), 0);
	assert_int_equal(waitpid(init, &status, 0), init);
	oci_spec_free(&spec);
}

static void test_rootfs_propagation(void **state)
{
	(void)state;
	TC_SKIP_UNLESS_ROOT();
	tc_run(&env,
	       tc_spec(
		   "[\"sh\",\"-c\",\"grep -E '^[^ ]+ [^ ]+ [^ ]+ [^ ]+ / ' /proc/self/mountinfo\"]",
		   "", ",\"rootfsPropagation\":\"shared\"", ""),
	       NULL, &run);
	TC_ASSERT_RAN(&run);
	TC_ASSERT_OUT(&run, " shared:");
	tc_run(&env, tc_spec("[\"true\"]", "", ",\"rootfsPropagation\":\"sideways\"", ""), NULL,
	       &run);
	assert_int_equal(run.ret, -EINVAL);
	assert_non_null(strstr(run.msg, "linux.rootfsPropagation"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bind_readonly_and_file),
	    cmocka_unit_test(test_recursive_readonly),
	    cmocka_unit_test(test_tmpfs_options_and_propagation),
	    cmocka_unit_test(test_targets_stay_inside_rootfs),
	    cmocka_unit_test(test_cgroup_mount),
	    cmocka_unit_test(test_devices),
	    cmocka_unit_test(test_dev_without_spec_mount),
	    cmocka_unit_test(test_device_program),
	    cmocka_unit_test(test_terminal),
	    cmocka_unit_test(test_exec_joins_the_container),
	    cmocka_unit_test(test_rootfs_propagation),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
