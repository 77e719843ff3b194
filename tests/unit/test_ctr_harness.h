/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Runs containers on this host with the agent's own builder (ctr_create,
 * ctr_start, ctr_exec): a busybox rootfs in a temp dir, a spec made from a
 * template, the process's stdout and stderr through a pipe. Needs root and
 * busybox-static; the tests skip without them.
 */
#ifndef OZONE_TEST_CTR_HARNESS_H
#define OZONE_TEST_CTR_HARNESS_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "agent/ctr/ctr.h"
#include "common/error.h"
#include "common/oci_spec.h"

struct tc_env {
	char dir[64];	    /* the temp dir */
	char rootfs[128];   /* <dir>/rootfs */
	char mounts[128];   /* <dir>/mounts: bind sources "0", "1", ... */
	const char *cgroup; /* the cgroup v2 dir tc_run's container joins, or NULL */
};

struct tc_run {
	int ret;	 /* ctr_create / ctr_start result */
	char msg[512];	 /* its message */
	int status;	 /* wait status of the process */
	char out[65536]; /* stdout + stderr */
	size_t out_len;
};

static const char *const tc_applets[] = {
    "sh",	"id",	 "cat",	  "ls",	   "echo", "hostname", "grep", "head", "wc",  "stat",
    "readlink", "test",	 "mkdir", "touch", "kill", "sleep",    "true", "stty", "tty", "env",
    "printenv", "mount", "dd",	  "rm",	   "ln",   "pwd",      "sed",  "cut",
};

static int tc_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static int tc_copy(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out;
	ssize_t n;

	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	close(in);
	close(out);
	return n < 0 ? -1 : 0;
}

/* 1 when this host can run the tests: root and a static busybox. */
static int tc_can_run(void)
{
	return geteuid() == 0 && access("/bin/busybox", X_OK) == 0;
}

static int tc_env_init(struct tc_env *e)
{
	char path[256];

	snprintf(e->dir, sizeof(e->dir), "/tmp/ozone-ctr-XXXXXX");
	if (!mkdtemp(e->dir))
		return -1;
	snprintf(e->rootfs, sizeof(e->rootfs), "%s/rootfs", e->dir);
	snprintf(e->mounts, sizeof(e->mounts), "%s/mounts", e->dir);
	mkdir(e->rootfs, 0755);
	mkdir(e->mounts, 0755);
	static const char *const dirs[] = {"bin", "etc",  "proc",      "sys", "dev",
					   "tmp", "home", "home/user", "root"};
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", e->rootfs, dirs[i]);
		mkdir(path, 0755);
	}
	snprintf(path, sizeof(path), "%s/tmp", e->rootfs);
	chmod(path, 01777);
	snprintf(path, sizeof(path), "%s/bin/busybox", e->rootfs);
	if (tc_copy("/bin/busybox", path, 0755) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(tc_applets); i++) {
		snprintf(path, sizeof(path), "%s/bin/%s", e->rootfs, tc_applets[i]);
		if (symlink("busybox", path) < 0)
			return -1;
	}
	snprintf(path, sizeof(path), "%s/etc/passwd", e->rootfs);
	return tc_write_file(path, "root:x:0:0:root:/root:/bin/sh\n"
				   "user:x:1000:1000:user:/home/user:/bin/sh\n");
}

static int tc_rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

static void tc_env_fini(struct tc_env *e)
{
	if (e->dir[0])
		nftw(e->dir, tc_rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/*
 * A spec: the process's args as a JSON array text, then extra members for
 * "process" and "linux" and the top level (each "" or starting with ",").
 */
__attribute__((unused)) static char *tc_spec(const char *args, const char *process_extra,
					     const char *linux_extra, const char *top_extra)
{
	char *s = NULL;
	/* The defaults for what process_extra does not give itself. */
	const char *user =
	    strstr(process_extra, "\"user\"") ? "" : ",\"user\":{\"uid\":0,\"gid\":0}";
	const char *envs =
	    strstr(process_extra, "\"env\"") ? "" : ",\"env\":[\"PATH=/usr/bin:/bin\"]";
	const char *cwd = strstr(process_extra, "\"cwd\"") ? "" : ",\"cwd\":\"/\"";

	if (asprintf(&s,
		     "{\"ociVersion\":\"1.0.2\","
		     "\"process\":{\"args\":%s%s%s%s%s},"
		     "\"root\":{\"path\":\"rootfs\"},"
		     "\"mounts\":["
		     "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
		     "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
		     "\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
		     "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\","
		     "\"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\","
		     "\"mode=0620\",\"gid=5\"]},"
		     "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\","
		     "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"
		     "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\","
		     "\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
		     "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
		     "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]}%s],"
		     "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},"
		     "{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"cgroup\"},"
		     "{\"type\":\"network\"}]%s}%s}",
		     args, user, envs, cwd, process_extra, "", linux_extra, top_extra) < 0)
		return NULL;
	return s;
}

/* Like tc_spec with extra mounts appended to the default ones (text starting with ","). */
__attribute__((unused)) static char *tc_spec_mounts(const char *args, const char *mounts_extra,
						    const char *linux_extra)
{
	char *s = NULL;

	if (asprintf(&s,
		     "{\"ociVersion\":\"1.0.2\","
		     "\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":%s,"
		     "\"env\":[\"PATH=/usr/bin:/bin\"],\"cwd\":\"/\"},"
		     "\"root\":{\"path\":\"rootfs\"},"
		     "\"mounts\":["
		     "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
		     "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
		     "\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]}%s],"
		     "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},"
		     "{\"type\":\"ipc\"},{\"type\":\"uts\"}]%s}}",
		     args, mounts_extra, linux_extra) < 0)
		return NULL;
	return s;
}

static void tc_read_all(int fd, struct tc_run *r)
{
	ssize_t n;

	while ((n = read(fd, r->out + r->out_len, sizeof(r->out) - 1 - r->out_len)) > 0)
		r->out_len += (size_t)n;
	r->out[r->out_len] = '\0';
}

/*
 * Creates and starts a container from spec_json (freed here) with stdout
 * and stderr on one pipe; waits for its exit. r->ret is the first failure
 * of ctr_create/ctr_start (r->msg its message), else 0 with r->status.
 */
static void tc_run(struct tc_env *e, char *spec_json, const struct ctr_stdio *stdio,
		   struct tc_run *r)
{
	struct oci_spec spec;
	int p[2] = {-1, -1}, start_fd = -1;
	pid_t pid = -1;

	memset(r, 0, sizeof(*r));
	r->ret = oci_spec_parse(spec_json, strlen(spec_json), &spec);
	free(spec_json);
	if (r->ret < 0) {
		snprintf(r->msg, sizeof(r->msg), "parse: %s", err_msg());
		oci_spec_free(&spec);
		return;
	}
	struct ctr_create_args a = {
	    .id = "test",
	    .spec = &spec,
	    .rootfs = e->rootfs,
	    .mounts_dir = e->mounts,
	    .cgroup = e->cgroup,
	};
	if (stdio) {
		a.stdio = *stdio;
	} else {
		if (pipe2(p, O_CLOEXEC) < 0) {
			r->ret = -errno;
			oci_spec_free(&spec);
			return;
		}
		a.stdio.fd[0] = -1;
		a.stdio.fd[1] = p[1];
		a.stdio.fd[2] = p[1];
	}
	r->ret = ctr_create(&a, &pid, &start_fd, NULL);
	if (p[1] >= 0)
		close(p[1]);
	if (r->ret == 0) {
		r->ret = ctr_start(start_fd);
		if (r->ret < 0)
			snprintf(r->msg, sizeof(r->msg), "%s", err_msg());
		if (p[0] >= 0)
			tc_read_all(p[0], r);
		while (waitpid(pid, &r->status, 0) < 0 && errno == EINTR)
			;
	} else {
		snprintf(r->msg, sizeof(r->msg), "%s", err_msg());
	}
	if (p[0] >= 0)
		close(p[0]);
	oci_spec_free(&spec);
}

#define TC_SKIP_UNLESS_ROOT()                                                                      \
	do {                                                                                       \
		if (!tc_can_run()) {                                                               \
			fprintf(stderr, "needs root and /bin/busybox: skipped\n");                 \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

#define TC_ASSERT_RAN(r)                                                                           \
	do {                                                                                       \
		if ((r)->ret != 0)                                                                 \
			fail_msg("ctr failed: %d %s", (r)->ret, (r)->msg);                         \
		if (!WIFEXITED((r)->status) || WEXITSTATUS((r)->status) != 0)                      \
			fail_msg("status %#x, output:\n%s", (r)->status, (r)->out);                \
	} while (0)

#define TC_ASSERT_OUT(r, needle)                                                                   \
	do {                                                                                       \
		if (!strstr((r)->out, needle))                                                     \
			fail_msg("'%s' not in the output:\n%s", needle, (r)->out);                 \
	} while (0)

#endif
