/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup v2 groups of the containers (cgroup.h): <root>/ozone/<id>. The
 * limits come from cgroup_res.c; this file owns the groups themselves:
 * making them with every controller the kernel has enabled below
 * <root>/ozone and the device rules (cgroup_dev.c), reading the counters, the freezer
 * (cgroup.freeze, waiting on cgroup.events), cgroup.kill and removal.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup_dev.h"
#include "cgroup_res.h"
#include "common/cleanup.h"
#include "common/error.h"
#include "common/util.h"

#define CG_WAIT_MS 5000

static char cg_root[PATH_MAX];

static ssize_t cg_read(const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX + 64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = -errno;
	else
		buf[n] = '\0';
	close(fd);
	return n;
}

static int cg_write(const char *dir, const char *file, const char *value)
{
	char path[PATH_MAX + 64];
	size_t len = strlen(value);
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(errno, "%s", path);
	if (write(fd, value, len) != (ssize_t)len)
		ret = err_set(errno, "write %s to %s", value, path);
	close(fd);
	return ret;
}

/*
 * Enables every controller of dir's cgroup.controllers for its children,
 * one at a time: one the kernel will not enable (cpu with a realtime task
 * about) must not cost the others. A group that then asks for a missing
 * controller's limit fails by name (cgroup_res.c).
 */
static int cg_enable_controllers(const char *dir)
{
	char ctrl[1024], *save = NULL;
	ssize_t n = cg_read(dir, "cgroup.controllers", ctrl, sizeof(ctrl));

	if (n < 0)
		return err_set((int)-n, "%s/cgroup.controllers", dir);
	for (char *c = strtok_r(ctrl, " \n", &save); c; c = strtok_r(NULL, " \n", &save)) {
		char req[64];

		snprintf(req, sizeof(req), "+%.60s", c);
		(void)cg_write(dir, "cgroup.subtree_control", req);
	}
	return 0;
}

int cg_init(const char *root, bool do_mount)
{
	char ozone[PATH_MAX];
	int ret;

	if (!root || root[0] != '/' || strlen(root) >= sizeof(cg_root) - 64)
		return err_setx(EINVAL, "cgroup root must be an absolute path");
	if (do_mount) {
		if (mkdir(root, 0755) < 0 && errno != EEXIST)
			return err_set(errno, "mkdir %s", root);
		if (mount("cgroup2", root, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "nsdelegate") < 0 &&
		    errno != EBUSY)
			return err_set(errno, "mount cgroup2 on %s", root);
	}
	if ((ret = cg_enable_controllers(root)) < 0)
		return ret;
	if ((size_t)snprintf(ozone, sizeof(ozone), "%s/ozone", root) >= sizeof(ozone))
		return err_setx(ENAMETOOLONG, "cgroup root too long");
	if (mkdir(ozone, 0755) < 0 && errno != EEXIST)
		return err_set(errno, "mkdir %s", ozone);
	if ((ret = cg_enable_controllers(ozone)) < 0)
		return ret;
	snprintf(cg_root, sizeof(cg_root), "%s", root);
	return 0;
}

int cg_create(const char *id, const char *resources_json, char *path, size_t len)
{
	struct cg_dev_rules dev;
	struct cg_writes w;
	char dir[PATH_MAX];
	int ret;

	if (!cg_root[0])
		return err_setx(ENODEV, "cgroup: not initialised");
	if (!id || !*id || strchr(id, '/') || !strcmp(id, ".") || !strcmp(id, "..") ||
	    strlen(id) > 255)
		return err_setx(EINVAL, "cgroup: bad container id");
	if ((size_t)snprintf(dir, sizeof(dir), "%s/ozone/%s", cg_root, id) >= sizeof(dir) ||
	    strlen(dir) >= len)
		return err_setx(ENAMETOOLONG, "cgroup %s: path too long", dir);
	if ((ret = cg_resources_translate(resources_json, &w)) < 0)
		return ret;
	if ((ret = cg_dev_rules_parse(resources_json, &dev)) < 0) {
		cg_writes_free(&w);
		return ret;
	}
	if (mkdir(dir, 0755) < 0) {
		ret = err_set(errno, "cgroup %s", dir);
	} else {
		ret = cg_writes_apply(dir, &w);
		if (ret == 0)
			ret = cg_dev_apply(dir, &dev);
		if (ret < 0)
			rmdir(dir);
	}
	cg_writes_free(&w);
	cg_dev_rules_free(&dev);
	if (ret < 0)
		return ret;
	snprintf(path, len, "%s", dir);
	return 0;
}

int cg_update(const char *path, const char *resources_json)
{
	struct cg_dev_rules dev;
	struct cg_writes w;
	int ret = cg_resources_translate(resources_json, &w);

	if (ret < 0)
		return ret;
	if ((ret = cg_dev_rules_parse(resources_json, &dev)) < 0) {
		cg_writes_free(&w);
		return ret;
	}
	ret = cg_writes_apply(path, &w);
	/* Device rules are replaced only when the update gives some. */
	if (ret == 0 && dev.given)
		ret = cg_dev_apply(path, &dev);
	cg_writes_free(&w);
	cg_dev_rules_free(&dev);
	return ret;
}

/* "key value" lines: the value of key, or -ENOENT. */
static int cg_keyed(const char *text, const char *key, uint64_t *out)
{
	size_t klen = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, key, klen) && l[klen] == ' ') {
			*out = strtoull(l + klen + 1, NULL, 10);
			return 0;
		}
	return -ENOENT;
}

/* A single-value file: a number, or PROTO_UNLIMITED for "max" or a missing file. */
static uint64_t cg_value(const char *dir, const char *file, uint64_t missing)
{
	char buf[64];

	if (cg_read(dir, file, buf, sizeof(buf)) <= 0)
		return missing;
	if (!strncmp(buf, "max", 3))
		return PROTO_UNLIMITED;
	return strtoull(buf, NULL, 10);
}

int cg_stats(const char *path, struct proto_stats *st)
{
	char buf[8192];
	uint64_t v;
	ssize_t n;

	memset(st, 0, sizeof(*st));
	if (access(path, F_OK) < 0)
		return err_set(errno, "cgroup %s", path);
	if (cg_read(path, "cpu.stat", buf, sizeof(buf)) > 0 && cg_keyed(buf, "usage_usec", &v) == 0)
		st->cpu_usage_ns = v * 1000;
	st->memory_usage = cg_value(path, "memory.current", 0);
	st->memory_limit = cg_value(path, "memory.max", PROTO_UNLIMITED);
	st->pids_current = cg_value(path, "pids.current", 0);
	st->pids_limit = cg_value(path, "pids.max", PROTO_UNLIMITED);
	n = cg_read(path, "io.stat", buf, sizeof(buf));
	for (char *l = n > 0 ? buf : NULL; l && *l;) {
		char *end = strchr(l, '\n'), *tok, *save = NULL;

		if (end)
			*end = '\0';
		for (tok = strtok_r(l, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			if (!strncmp(tok, "rbytes=", 7))
				st->io_read_bytes += strtoull(tok + 7, NULL, 10);
			else if (!strncmp(tok, "wbytes=", 7))
				st->io_write_bytes += strtoull(tok + 7, NULL, 10);
		}
		l = end ? end + 1 : NULL;
	}
	return 0;
}

/* Waits until cgroup.events says key is want (the file polls with POLLPRI on change). */
static int cg_wait_event(const char *path, const char *key, uint64_t want)
{
	char file[PATH_MAX + 64], buf[256];
	long long deadline = now_ms() + CG_WAIT_MS;
	_cleanup_close_ int fd = -1;

	snprintf(file, sizeof(file), "%s/cgroup.events", path);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(errno, "%s", file);
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLPRI};
		uint64_t v;
		long long now;
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

		if (n < 0)
			return err_set(errno, "%s", file);
		buf[n] = '\0';
		if (cg_keyed(buf, key, &v) == 0 && v == want)
			return 0;
		now = now_ms();
		if (now >= deadline)
			return err_setx(ETIMEDOUT, "cgroup %s: %s did not become %" PRIu64, path,
					key, want);
		/* Short polls too: a change between the read and the poll is not lost. */
		poll(&pfd, 1, (int)(deadline - now < 50 ? deadline - now : 50));
	}
}

int cg_freeze(const char *path, bool frozen)
{
	int ret = cg_write(path, "cgroup.freeze", frozen ? "1" : "0");

	if (ret < 0)
		return ret;
	return cg_wait_event(path, "frozen", frozen ? 1 : 0);
}

static int cg_pids_add(const char *dir, uint32_t **pids, size_t *n, size_t *cap, int depth)
{
	char file[PATH_MAX + 64], line[32];
	struct dirent *de;
	FILE *f;
	DIR *d;
	int ret = 0;

	if (depth > 32)
		return err_setx(ELOOP, "cgroup %s: nested too deep", dir);
	snprintf(file, sizeof(file), "%s/cgroup.procs", dir);
	f = fopen(file, "re");
	if (!f)
		return err_set(errno, "%s", file);
	while (fgets(line, sizeof(line), f)) {
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 64;
			uint32_t *np = realloc(*pids, nc * sizeof(*np));

			if (!np) {
				fclose(f);
				return err_set(ENOMEM, "cgroup pids");
			}
			*pids = np;
			*cap = nc;
		}
		(*pids)[(*n)++] = (uint32_t)strtoul(line, NULL, 10);
	}
	fclose(f);
	d = opendir(dir);
	if (!d)
		return err_set(errno, "cgroup %s", dir);
	while ((de = readdir(d)) && ret == 0) {
		char sub[PATH_MAX];

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) >= sizeof(sub))
			continue;
		ret = cg_pids_add(sub, pids, n, cap, depth + 1);
	}
	closedir(d);
	return ret;
}

int cg_pids(const char *path, uint32_t **pids, size_t *n)
{
	size_t cap = 0;
	int ret;

	*pids = NULL;
	*n = 0;
	ret = cg_pids_add(path, pids, n, &cap, 0);
	if (ret < 0) {
		free(*pids);
		*pids = NULL;
		*n = 0;
	}
	return ret;
}

int cg_signal_all(const char *path, int sig)
{
	uint32_t *pids;
	size_t n;
	int ret;

	if (sig == SIGKILL) {
		char file[PATH_MAX + 64];

		snprintf(file, sizeof(file), "%s/cgroup.kill", path);
		if (access(file, F_OK) == 0)
			return cg_write(path, "cgroup.kill", "1");
	}
	ret = cg_pids(path, &pids, &n);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n; i++)
		if (kill((pid_t)pids[i], sig) < 0 && errno != ESRCH) {
			ret = err_set(errno, "signal %d to %u", sig, pids[i]);
			break;
		}
	free(pids);
	return ret;
}

int cg_oom_kills(const char *path, uint64_t *count)
{
	char buf[512];
	ssize_t n = cg_read(path, "memory.events", buf, sizeof(buf));

	*count = 0;
	if (n == -ENOENT)
		return 0; /* no memory controller: nothing is ever OOM-killed by the group */
	if (n < 0)
		return err_set((int)-n, "%s/memory.events", path);
	cg_keyed(buf, "oom_kill", count);
	return 0;
}

static int cg_rmdir_tree(const char *dir, int depth)
{
	struct dirent *de;
	DIR *d;

	if (depth > 32)
		return err_setx(ELOOP, "cgroup %s: nested too deep", dir);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : err_set(errno, "cgroup %s", dir);
	while ((de = readdir(d))) {
		char sub[PATH_MAX];
		int ret;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) >= sizeof(sub))
			continue;
		if ((ret = cg_rmdir_tree(sub, depth + 1)) < 0) {
			closedir(d);
			return ret;
		}
	}
	closedir(d);
	if (rmdir(dir) < 0 && errno != ENOENT)
		return err_set(errno, "remove cgroup %s", dir);
	return 0;
}

int cg_destroy(const char *path)
{
	int ret;

	if (access(path, F_OK) < 0)
		return errno == ENOENT ? 0 : err_set(errno, "cgroup %s", path);
	/* A frozen group's processes cannot die: thaw first. */
	(void)cg_write(path, "cgroup.freeze", "0");
	if ((ret = cg_signal_all(path, SIGKILL)) < 0)
		return ret;
	if ((ret = cg_wait_event(path, "populated", 0)) < 0)
		return ret;
	return cg_rmdir_tree(path, 0);
}
