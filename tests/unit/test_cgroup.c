/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup v2 for containers: OCI linux.resources translated into files and
 * values (runc's conversions), written into a directory (a temp dir stands
 * for a group: the controllers' files are plain files there), and, when
 * this host can mount cgroup2 (as root, in a private mount namespace), the
 * real kernel: groups made and removed, processes listed, frozen and
 * thawed, signalled and killed through cgroup.kill. This host's cgroup2
 * hierarchy has no controller enabled (they are all bound to v1), so the
 * limits themselves are checked against the kernel only by the in-VM
 * tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/util.h"
#include "agent/ctr/cgroup.h"
#include "agent/ctr/cgroup_dev.h"
#include "agent/ctr/cgroup_res.h"
#include "common/error.h"

static void expect(const struct cg_writes *w, size_t i, const char *file, const char *value)
{
	if (i >= w->n)
		fail_msg("write %zu of %zu: %s expected", i, w->n, file);
	if (strcmp(w->w[i].file, file) || strcmp(w->w[i].value, value))
		fail_msg("write %zu: %s = '%s', expected %s = '%s'", i, w->w[i].file, w->w[i].value,
			 file, value);
}

static void test_conversions(void **state)
{
	int64_t v;
	int skip;

	(void)state;
	/* runc's formulas: shares 2..262144 onto weight 1..10000. */
	assert_int_equal(cg_cpu_weight_from_shares(0), 0);
	assert_int_equal(cg_cpu_weight_from_shares(2), 1);
	assert_int_equal(cg_cpu_weight_from_shares(1024), 39);
	assert_int_equal(cg_cpu_weight_from_shares(262144), 10000);
	assert_int_equal(cg_cpu_weight_from_shares(1000000), 10000);
	assert_int_equal(cg_io_weight_from_blkio(10), 1);
	assert_int_equal(cg_io_weight_from_blkio(500), 4950);
	assert_int_equal(cg_io_weight_from_blkio(1000), 10000);

	/* memory.swap counts memory + swap; memory.swap.max only the swap. */
	assert_int_equal(cg_swap_max(512, 256, &v, &skip), 0);
	assert_int_equal(skip, 0);
	assert_int_equal(v, 256);
	assert_int_equal(cg_swap_max(-1, 256, &v, &skip), 0);
	assert_int_equal(v, -1);
	assert_int_equal(cg_swap_max(0, 256, &v, &skip), 0);
	assert_int_equal(skip, 1);
	assert_int_equal(cg_swap_max(0, -1, &v, &skip), 0);
	assert_int_equal(skip, 0);
	assert_int_equal(v, -1);
	assert_int_equal(cg_swap_max(100, 256, &v, &skip), -EINVAL);
	assert_int_equal(cg_swap_max(512, 0, &v, &skip), -EINVAL);
}

static void test_translate_full(void **state)
{
	struct cg_writes w;
	const char *res =
	    "{\"memory\":{\"limit\":268435456,\"reservation\":134217728,\"swap\":536870912,"
	    "\"kernel\":1,\"swappiness\":60},"
	    "\"cpu\":{\"shares\":1024,\"quota\":150000,\"period\":100000,\"cpus\":\"0-1\","
	    "\"mems\":\"0\",\"burst\":1000,\"idle\":0},"
	    "\"pids\":{\"limit\":100},"
	    "\"blockIO\":{\"weight\":500,\"weightDevice\":[{\"major\":8,\"minor\":0,"
	    "\"weight\":100}],\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":1048576}"
	    "],"
	    "\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":16,\"rate\":0}]},"
	    "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":0}],"
	    "\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3}},"
	    "\"devices\":[{\"allow\":false,\"access\":\"rwm\"}],"
	    "\"unified\":{\"memory.high\":\"200000000\",\"io.latency\":\"8:0 target=10\"}}";
	size_t i = 0;

	(void)state;
	assert_int_equal(cg_resources_translate(res, &w), 0);
	expect(&w, i++, "cpuset.cpus", "0-1");
	expect(&w, i++, "cpuset.mems", "0");
	expect(&w, i++, "cpu.weight", "39");
	expect(&w, i++, "cpu.max", "150000 100000");
	expect(&w, i++, "cpu.max.burst", "1000");
	expect(&w, i++, "cpu.idle", "0");
	expect(&w, i++, "memory.swap.max", "268435456");
	expect(&w, i++, "memory.max", "268435456");
	expect(&w, i++, "memory.low", "134217728");
	expect(&w, i++, "pids.max", "100");
	expect(&w, i, "io.bfq.weight", "500");
	assert_string_equal(w.w[i].alt_file, "io.weight");
	assert_string_equal(w.w[i++].alt_value, "4950");
	expect(&w, i, "io.bfq.weight", "8:0 100");
	assert_string_equal(w.w[i++].alt_value, "8:0 910");
	expect(&w, i++, "io.max", "8:0 rbps=1048576");
	expect(&w, i++, "io.max", "8:16 wiops=max");
	expect(&w, i++, "hugetlb.2MB.max", "0");
	expect(&w, i++, "rdma.max", "mlx5_1 hca_handle=3 hca_object=max");
	expect(&w, i++, "memory.high", "200000000");
	expect(&w, i++, "io.latency", "8:0 target=10");
	assert_int_equal(w.n, i);
	cg_writes_free(&w);
}

static void test_translate_unlimited(void **state)
{
	struct cg_writes w;

	(void)state;
	assert_int_equal(cg_resources_translate("{\"memory\":{\"limit\":-1},\"cpu\":{\"quota\":-1,"
						"\"period\":100000},\"pids\":{\"limit\":-1}}",
						&w),
			 0);
	expect(&w, 0, "cpu.max", "max 100000");
	/* Unlimited memory and no swap given: both unlimited. */
	expect(&w, 1, "memory.swap.max", "max");
	expect(&w, 2, "memory.max", "max");
	expect(&w, 3, "pids.max", "max");
	assert_int_equal(w.n, 4);
	cg_writes_free(&w);

	/* Nothing asked: nothing written. */
	assert_int_equal(cg_resources_translate("{}", &w), 0);
	assert_int_equal(w.n, 0);
	assert_int_equal(cg_resources_translate(NULL, &w), 0);
	assert_int_equal(w.n, 0);
	assert_int_equal(
	    cg_resources_translate("{\"pids\":{\"limit\":0},\"cpu\":{\"shares\":0}}", &w), 0);
	assert_int_equal(w.n, 0);
}

static void refused(const char *res, const char *msg)
{
	struct cg_writes w;

	assert_int_equal(cg_resources_translate(res, &w), -EINVAL);
	assert_null(w.w);
	if (!strstr(err_msg(), msg))
		fail_msg("message '%s' lacks '%s'", err_msg(), msg);
}

static void test_translate_refused(void **state)
{
	(void)state;
	refused("[", "linux.resources");
	refused("[]", "linux.resources: must be an object");
	refused("{\"memory\":[]}", "linux.resources.memory: must be an object");
	refused("{\"memory\":{\"limit\":\"1G\"}}",
		"linux.resources.memory.limit: must be an integer");
	refused("{\"memory\":{\"limit\":-2}}", "linux.resources.memory");
	refused("{\"memory\":{\"limit\":100,\"swap\":50}}", "linux.resources.memory.swap");
	refused("{\"memory\":{\"swap\":50}}", "needs a memory limit");
	refused("{\"cpu\":{\"realtimeRuntime\":100}}", "no realtime CPU budget");
	refused("{\"cpu\":{\"shares\":-1}}", "linux.resources.cpu.shares: must not be negative");
	refused("{\"cpu\":{\"cpus\":\"0\\n1\"}}", "linux.resources.cpu.cpus");
	refused("{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"rate\":1}]}}",
		"major and minor");
	refused(
	    "{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":9000,\"minor\":0,\"rate\":1}]}}",
	    "no such device number");
	refused("{\"hugepageLimits\":[{\"pageSize\":\"../2MB\",\"limit\":1}]}", "bad pageSize");
	refused("{\"unified\":{\"../cgroup.procs\":\"1\"}}", "is not a cgroup file name");
	refused("{\"unified\":{\"a/b\":\"1\"}}", "is not a cgroup file name");
	refused("{\"unified\":{\"\":\"1\"}}", "is not a cgroup file name");
	refused("{\"unified\":{\"memory.max\":1}}", "must be a string");
	refused("{\"rdma\":{\"a b\":{}}}", "bad device");
}

#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define M BPF_DEVCG_ACC_MKNOD

static void test_device_rules(void **state)
{
	struct cg_dev_rules r;
	struct bpf_insn *insns;
	size_t n;

	(void)state;
	/* No rules in the spec: runc's defaults only, everything else denied. */
	assert_int_equal(cg_dev_rules_parse(NULL, &r), 0);
	assert_false(r.given);
	assert_true(cg_dev_allowed(&r, 'c', 1, 3, R | W));   /* null */
	assert_true(cg_dev_allowed(&r, 'c', 136, 7, R | W)); /* a pty */
	assert_true(cg_dev_allowed(&r, 'c', 5, 2, R | W));   /* ptmx */
	assert_true(cg_dev_allowed(&r, 'b', 8, 0, M));	     /* mknod of anything */
	assert_false(cg_dev_allowed(&r, 'c', 1, 1, R));	     /* /dev/mem */
	assert_false(cg_dev_allowed(&r, 'b', 8, 0, R));
	assert_false(cg_dev_allowed(&r, 'c', 5, 1, R | W)); /* /dev/console: a pty is bound there */
	assert_int_equal(cg_dev_prog(&r, &insns, &n), 0);
	assert_true(n > 8);
	assert_int_equal(insns[n - 1].code, BPF_JMP | BPF_EXIT);
	free(insns);
	cg_dev_rules_free(&r);

	/* Deny all, then the spec's own: the last rule that matches decides. */
	assert_int_equal(cg_dev_rules_parse("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
					    "{\"allow\":true,\"type\":\"c\",\"major\":10,"
					    "\"minor\":229,\"access\":\"rw\"},"
					    "{\"allow\":true,\"type\":\"b\",\"major\":7,"
					    "\"access\":\"r\"},"
					    "{\"allow\":false,\"type\":\"b\",\"major\":7,"
					    "\"minor\":3}]}",
					    &r),
			 0);
	assert_true(r.given);
	assert_true(cg_dev_allowed(&r, 'c', 10, 229, R | W));
	assert_false(cg_dev_allowed(&r, 'b', 10, 229, R));
	assert_true(cg_dev_allowed(&r, 'b', 7, 1, R));
	assert_false(cg_dev_allowed(&r, 'b', 7, 1, R | W)); /* more than the rule gives */
	assert_false(cg_dev_allowed(&r, 'b', 7, 3, R));	    /* a later rule denies it */
	cg_dev_rules_free(&r);

	/* Allow all (type a, no numbers), as for a privileged container. */
	assert_int_equal(
	    cg_dev_rules_parse("{\"devices\":[{\"allow\":true,\"access\":\"rwm\"}]}", &r), 0);
	assert_true(cg_dev_allowed(&r, 'c', 1, 1, R | W | M));
	assert_true(cg_dev_allowed(&r, 'b', 8, 0, R));
	cg_dev_rules_free(&r);

	/* The defaults come last: a spec cannot take /dev/null away (runc does the same). */
	assert_int_equal(cg_dev_rules_parse("{\"devices\":[{\"allow\":false,\"type\":\"c\","
					    "\"major\":1,\"minor\":3,\"access\":\"rwm\"}]}",
					    &r),
			 0);
	assert_true(cg_dev_allowed(&r, 'c', 1, 3, R));
	cg_dev_rules_free(&r);

	static const char *const bad[] = {
	    "{\"devices\":{}}",
	    "{\"devices\":[{\"access\":\"r\"}]}",
	    "{\"devices\":[{\"allow\":true,\"type\":\"x\"}]}",
	    "{\"devices\":[{\"allow\":true,\"access\":\"rx\"}]}",
	    "{\"devices\":[{\"allow\":true,\"access\":\"rr\"}]}",
	    "{\"devices\":[{\"allow\":true,\"major\":-2}]}",
	    "{\"devices\":[{\"allow\":true,\"minor\":2000000}]}",
	    "{\"devices\":[3]}",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(cg_dev_rules_parse(bad[i], &r), -EINVAL);
		assert_null(r.r);
		assert_non_null(strstr(err_msg(), "linux.resources.devices"));
	}
}

static char tmpdir[64];

static void touch(const char *name)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	close(fd);
}

static void content(const char *name, const char *want)
{
	char path[128], buf[256] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	assert_string_equal(buf, want);
}

static void test_apply_to_dir(void **state)
{
	static const char *const files[] = {"cpu.weight", "cpu.max", "memory.max", "pids.max",
					    "io.weight"};
	struct cg_writes w;

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ozone-cg-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		touch(files[i]);
	assert_int_equal(cg_resources_translate("{\"memory\":{\"limit\":1048576},\"cpu\":{"
						"\"shares\":512,\"quota\":50000},\"pids\":{"
						"\"limit\":7},\"blockIO\":{\"weight\":1000}}",
						&w),
			 0);
	/* No io.bfq.weight here: io.weight, converted, instead. */
	assert_int_equal(cg_writes_apply(tmpdir, &w), 0);
	content("cpu.weight", "20");
	content("cpu.max", "50000");
	content("memory.max", "1048576");
	content("pids.max", "7");
	content("io.weight", "10000");
	cg_writes_free(&w);

	/* No swap accounting (no memory.swap.max): "no swap limit" and "no swap" hold anyway. */
	assert_int_equal(cg_resources_translate("{\"memory\":{\"limit\":1048576,\"swap\":-1}}", &w),
			 0);
	assert_int_equal(cg_writes_apply(tmpdir, &w), 0);
	cg_writes_free(&w);
	assert_int_equal(
	    cg_resources_translate("{\"memory\":{\"limit\":1048576,\"swap\":1048576}}", &w), 0);
	expect(&w, 0, "memory.swap.max", "0");
	assert_int_equal(cg_writes_apply(tmpdir, &w), 0);
	cg_writes_free(&w);
	/* But a swap limit that cannot be set is an error. */
	assert_int_equal(
	    cg_resources_translate("{\"memory\":{\"limit\":1048576,\"swap\":2097152}}", &w), 0);
	assert_int_equal(cg_writes_apply(tmpdir, &w), -ENOENT);
	assert_non_null(strstr(err_msg(), "no memory.swap.max"));
	cg_writes_free(&w);

	/* A controller the kernel does not offer: its files are missing. */
	assert_int_equal(cg_resources_translate("{\"hugepageLimits\":[{\"pageSize\":\"1GB\","
						"\"limit\":0}]}",
						&w),
			 0);
	assert_int_equal(cg_writes_apply(tmpdir, &w), -ENOENT);
	assert_non_null(strstr(err_msg(), "no hugetlb.1GB.max (controller not available)"));
	cg_writes_free(&w);

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char path[128];

		snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
		unlink(path);
	}
	assert_int_equal(rmdir(tmpdir), 0);
}

/* ---- the real kernel ---- */

static char cgroot[64];

static int kernel_setup(void **state)
{
	(void)state;
	if (geteuid() != 0)
		return 0;
	/* Our own mount namespace: the cgroup2 mount made here is nobody else's. */
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return 0;
	snprintf(cgroot, sizeof(cgroot), "/tmp/ozone-cgroot-XXXXXX");
	if (!mkdtemp(cgroot))
		return -1;
	if (cg_init(cgroot, true) < 0) {
		fprintf(stderr, "cg_init: %s: real-kernel tests skipped\n", err_msg());
		rmdir(cgroot);
		cgroot[0] = '\0';
	}
	return 0;
}

static int kernel_teardown(void **state)
{
	(void)state;
	if (cgroot[0]) {
		char ozone[128];

		/* The hierarchy is the host's: leave no empty group behind (others' stay). */
		snprintf(ozone, sizeof(ozone), "%s/ozone", cgroot);
		rmdir(ozone);
		umount2(cgroot, MNT_DETACH);
		rmdir(cgroot);
	}
	return 0;
}

/* A child that moves itself into the group and sleeps; its pid. */
static pid_t child_in(const char *dir)
{
	int p[2];
	char c;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char path[256];
		int fd;

		close(p[0]);
		snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
		fd = open(path, O_WRONLY);
		if (fd < 0 || write(fd, "0", 1) != 1)
			_exit(1);
		close(fd);
		(void)!write(p[1], "x", 1);
		for (;;)
			pause();
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	return pid;
}

static void test_kernel_group_lifecycle(void **state)
{
	char path[256], sub[300], id[32];
	struct proto_stats st;
	uint32_t *pids;
	uint64_t oom;
	size_t n;
	pid_t a, b;
	int status;

	(void)state;
	if (!cgroot[0])
		skip();
	snprintf(id, sizeof(id), "t%d", (int)getpid());
	assert_int_equal(cg_create(id, NULL, path, sizeof(path)), 0);
	snprintf(sub, sizeof(sub), "%s/ozone/%s", cgroot, id);
	assert_string_equal(path, sub);
	/* The same id twice is refused; so is an id that is a path. */
	assert_int_equal(cg_create(id, NULL, sub, sizeof(sub)), -EEXIST);
	assert_int_equal(cg_create("../x", NULL, sub, sizeof(sub)), -EINVAL);

	a = child_in(path);
	snprintf(sub, sizeof(sub), "%s/inner", path);
	assert_int_equal(mkdir(sub, 0755), 0);
	b = child_in(sub);

	assert_int_equal(cg_pids(path, &pids, &n), 0);
	assert_int_equal(n, 2);
	assert_true((pids[0] == (uint32_t)a && pids[1] == (uint32_t)b) ||
		    (pids[0] == (uint32_t)b && pids[1] == (uint32_t)a));
	free(pids);

	assert_int_equal(cg_freeze(path, true), 0);
	assert_int_equal(cg_freeze(path, false), 0);

	assert_int_equal(cg_stats(path, &st), 0);
	/* No controller here: no limits to report. */
	assert_int_equal(st.memory_limit, PROTO_UNLIMITED);
	assert_int_equal(st.pids_limit, PROTO_UNLIMITED);
	assert_int_equal(cg_oom_kills(path, &oom), 0);
	assert_int_equal(oom, 0);

	assert_int_equal(cg_signal_all(path, SIGTERM), 0);
	assert_int_equal(waitpid(a, &status, 0), a);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
	assert_int_equal(waitpid(b, &status, 0), b);
	assert_int_equal(WTERMSIG(status), SIGTERM);

	/* destroy: kills what is left (even frozen), removes the nested groups too. */
	a = child_in(sub);
	assert_int_equal(cg_freeze(path, true), 0);
	assert_int_equal(cg_destroy(path), 0);
	assert_int_equal(waitpid(a, &status, 0), a);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(cg_destroy(path), 0);
}

static void test_kernel_missing_controller(void **state)
{
	char path[256], id[32], dir[300];

	(void)state;
	if (!cgroot[0])
		skip();
	snprintf(dir, sizeof(dir), "%s/cgroup.controllers", cgroot);
	{
		char buf[256] = "";
		FILE *f = fopen(dir, "r");

		assert_non_null(f);
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
		if (strstr(buf, "pids"))
			skip(); /* a host with controllers: the failure cannot be shown here */
	}
	snprintf(id, sizeof(id), "m%d", (int)getpid());
	assert_int_equal(cg_create(id, "{\"pids\":{\"limit\":5}}", path, sizeof(path)), -ENOENT);
	assert_non_null(strstr(err_msg(), "no pids.max (controller not available)"));
	/* Nothing half-made is left. */
	snprintf(dir, sizeof(dir), "%s/ozone/%s", cgroot, id);
	assert_int_equal(access(dir, F_OK), -1);
}

/* A child in the group opens path; 0 or the errno. */
static int open_in(const char *dir, const char *path, int flags)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		char procs[256];
		int fd;

		snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
		fd = open(procs, O_WRONLY);
		if (fd < 0 || write(fd, "0", 1) != 1)
			_exit(255);
		close(fd);
		fd = open(path, flags | O_NONBLOCK);
		_exit(fd < 0 ? errno : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static uint32_t device_programs(const char *dir)
{
	uint32_t ids[8];
	union bpf_attr q;
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	assert_true(fd >= 0);
	memset(&q, 0, sizeof(q));
	q.query.target_fd = (uint32_t)fd;
	q.query.attach_type = BPF_CGROUP_DEVICE;
	q.query.prog_ids = (uint64_t)(uintptr_t)ids;
	q.query.prog_cnt = 8;
	assert_int_equal(syscall(SYS_bpf, BPF_PROG_QUERY, &q, sizeof(q)), 0);
	close(fd);
	return q.query.prog_cnt;
}

static void test_kernel_devices(void **state)
{
	char path[256], id[32];

	(void)state;
	if (!cgroot[0] || access("/dev/kmsg", F_OK) < 0)
		skip();
	snprintf(id, sizeof(id), "d%d", (int)getpid());
	if (cg_create(id, "{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}", path,
		      sizeof(path)) != 0)
		fail_msg("cg_create: %s", err_msg());
	assert_int_equal(device_programs(path), 1);
	/* /dev/kmsg (c 1:11) is not among the defaults; /dev/null is. */
	assert_int_equal(open_in(path, "/dev/kmsg", O_RDONLY), EPERM);
	assert_int_equal(open_in(path, "/dev/null", O_WRONLY), 0);

	/* An update with rules replaces the program: now read, but not write. */
	assert_int_equal(cg_update(path, "{\"devices\":[{\"allow\":true,\"type\":\"c\","
					 "\"major\":1,\"minor\":11,\"access\":\"r\"}]}"),
			 0);
	assert_int_equal(device_programs(path), 1);
	assert_int_equal(open_in(path, "/dev/kmsg", O_RDONLY), 0);
	assert_int_equal(open_in(path, "/dev/kmsg", O_WRONLY), EPERM);
	/* An update without rules leaves them alone. */
	assert_int_equal(cg_update(path, "{\"pids\":{\"limit\":0}}"), 0);
	assert_int_equal(device_programs(path), 1);
	assert_int_equal(open_in(path, "/dev/kmsg", O_WRONLY), EPERM);
	assert_int_equal(cg_destroy(path), 0);
}

int main(void)
{
	const struct CMUnitTest pure[] = {
	    cmocka_unit_test(test_conversions),		cmocka_unit_test(test_translate_full),
	    cmocka_unit_test(test_translate_unlimited), cmocka_unit_test(test_translate_refused),
	    cmocka_unit_test(test_apply_to_dir),	cmocka_unit_test(test_device_rules),
	};
	const struct CMUnitTest kernel[] = {
	    cmocka_unit_test(test_kernel_group_lifecycle),
	    cmocka_unit_test(test_kernel_missing_controller),
	    cmocka_unit_test(test_kernel_devices),
	};
	int ret = cmocka_run_group_tests(pure, NULL, NULL);

	return ret | cmocka_run_group_tests(kernel, kernel_setup, kernel_teardown);
}
