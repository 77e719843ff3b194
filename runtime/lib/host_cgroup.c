/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/lib/host_cgroup.h"
#include "runtime/lib/ozone.h"
#include "common/error.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CG_HIER_MAX 32

struct cg_hier {
	char mount[PATH_MAX];
	bool cpuset;
};

/* The cgroup hierarchies mounted here (from /proc/self/mountinfo), at their root. */
static int cg_hierarchies(struct cg_hier *h, size_t max, size_t *n)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	*n = 0;
	if (!f)
		return err_set(errno, "open /proc/self/mountinfo");
	while (getline(&line, &cap, f) > 0 && *n < max) {
		char *save, *fields[12] = {0}, *dash, *fstype, *opts;
		int nf = 0;

		dash = strstr(line, " - ");
		if (!dash)
			continue;
		*dash = '\0';
		fstype = strtok_r(dash + 3, " ", &save);
		strtok_r(NULL, " ", &save); /* source */
		opts = strtok_r(NULL, " \n", &save);
		if (!fstype || (strcmp(fstype, "cgroup") && strcmp(fstype, "cgroup2")))
			continue;
		for (char *t = strtok_r(line, " ", &save); t && nf < 12;
		     t = strtok_r(NULL, " ", &save))
			fields[nf++] = t;
		/* Only a mount of the hierarchy's root can name any group by its full path. */
		if (nf < 5 || strcmp(fields[3], "/"))
			continue;
		snprintf(h[*n].mount, sizeof(h[*n].mount), "%s", fields[4]);
		h[*n].cpuset = !strcmp(fstype, "cgroup") && opts && strstr(opts, "cpuset");
		(*n)++;
	}
	free(line);
	fclose(f);
	return 0;
}

/* "a-b-c.slice" -> "a.slice/a-b.slice/a-b-c.slice", as systemd nests slices. */
static int cg_expand_slice(const char *slice, char *out, size_t size)
{
	size_t len = strlen(slice), n = 0;
	const char *end;

	if (len < 6 || strcmp(slice + len - 6, ".slice") || strchr(slice, '/'))
		return err_setx(EINVAL, "cgroupsPath: \"%s\" is not a systemd slice", slice);
	if (!strcmp(slice, "-.slice")) {
		out[0] = '\0';
		return 0;
	}
	end = slice + len - 6;
	out[0] = '\0';
	for (const char *p = slice; p <= end; p++) {
		if (p != end && *p != '-')
			continue;
		if (p == slice || p[-1] == '-')
			return err_setx(EINVAL, "cgroupsPath: \"%s\" is not a systemd slice",
					slice);
		n += snprintf(out + n, n < size ? size - n : 0, "%s%.*s.slice", n ? "/" : "",
			      (int)(p - slice), slice);
	}
	if (n >= size)
		return err_setx(ENAMETOOLONG, "cgroupsPath: too long");
	return 0;
}

int host_cgroup_path(const char *cgroups_path, bool systemd, char *out, size_t size)
{
	char slice[PATH_MAX];
	const char *c1, *c2;
	int ret;

	out[0] = '\0';
	if (!cgroups_path || !*cgroups_path)
		return 0;
	if (!systemd) {
		const char *p = cgroups_path;

		while (*p == '/')
			p++;
		if (strstr(p, "..") || (size_t)snprintf(out, size, "%s", p) >= size)
			return err_setx(EINVAL, "cgroupsPath \"%s\": not a cgroup path",
					cgroups_path);
		return 0;
	}
	c1 = strchr(cgroups_path, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c2 || strchr(c2 + 1, ':') || strchr(cgroups_path, '/'))
		return err_setx(EINVAL,
				"cgroupsPath \"%s\": want slice:prefix:name with --systemd-cgroup",
				cgroups_path);
	snprintf(slice, sizeof(slice), "%.*s", (int)(c1 - cgroups_path), cgroups_path);
	ret = cg_expand_slice(slice[0] ? slice : "system.slice", out, size);
	if (ret < 0)
		return ret;
	{
		size_t n = strlen(out), nl = strlen(c2 + 1);
		bool is_slice = nl > 6 && !strcmp(c2 + 1 + nl - 6, ".slice");

		if (is_slice)
			ret = snprintf(out + n, size - n, "%s%s", n ? "/" : "", c2 + 1);
		else if (c2 > c1 + 1)
			ret = snprintf(out + n, size - n, "%s%.*s-%s.scope", n ? "/" : "",
				       (int)(c2 - c1 - 1), c1 + 1, c2 + 1);
		else
			ret = snprintf(out + n, size - n, "%s%s.scope", n ? "/" : "", c2 + 1);
		if ((size_t)ret >= size - n)
			return err_setx(ENAMETOOLONG, "cgroupsPath: too long");
	}
	return 0;
}

static bool cg_perm(int e)
{
	return e == EACCES || e == EPERM || e == EROFS;
}

static int cg_write(const char *dir, const char *file, const char *val)
{
	char path[PATH_MAX * 2];
	int fd, ret = 0;
	ssize_t n;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* A new v1 cpuset group starts with no cpus and mems: give it its parent's. */
static void cg_cpuset_inherit(const char *dir, const char *parent)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};

	for (size_t i = 0; i < 2; i++) {
		char path[PATH_MAX * 2], buf[4096];
		ssize_t n;
		int fd;

		if (snprintf(path, sizeof(path), "%s/%s", parent, files[i]) >= (int)sizeof(path))
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		if (cg_write(dir, files[i], buf) < 0)
			ozone_debug("cgroup %s/%s: %s", dir, files[i], strerror(errno));
	}
}

/* <mount of h>/<path>: the group's directory in one hierarchy. */
static int cg_join(const struct cg_hier *h, const char *path, char *dir, size_t len)
{
	if ((size_t)snprintf(dir, len, "%s/%s", h->mount, path) >= len)
		return err_setx(ENAMETOOLONG, "cgroup path too long: %s", path);
	return 0;
}

int host_cgroup_create(const char *path, bool ignore_perm)
{
	struct cg_hier h[CG_HIER_MAX];
	size_t n;
	int ret;

	if (!*path)
		return 0;
	ret = cg_hierarchies(h, CG_HIER_MAX, &n);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		char dir[PATH_MAX * 2], parent[PATH_MAX * 2];
		size_t base = strlen(h[i].mount);

		ret = cg_join(&h[i], path, dir, sizeof(dir));
		if (ret < 0)
			return ret;
		/* mkdir -p, one level at a time, so each new cpuset level can inherit. */
		for (char *p = dir + base + 1; p; p = strchr(p + 1, '/')) {
			char *slash = strchr(p + 1, '/');

			if (slash)
				*slash = '\0';
			if (mkdir(dir, 0755) == 0) {
				if (h[i].cpuset) {
					snprintf(parent, sizeof(parent), "%s", dir);
					*strrchr(parent, '/') = '\0';
					cg_cpuset_inherit(dir, parent);
				}
			} else if (errno != EEXIST) {
				int e = errno;

				if (slash)
					*slash = '/';
				if (ignore_perm && cg_perm(e))
					break;
				return err_set(e, "create cgroup %s", dir);
			}
			if (slash)
				*slash = '/';
			else
				break;
		}
	}
	return 0;
}

int host_cgroup_join(const char *path, pid_t pid, bool ignore_perm)
{
	struct cg_hier h[CG_HIER_MAX];
	char dir[PATH_MAX * 2], val[32];
	size_t n;
	int ret;

	if (!*path)
		return 0;
	ret = cg_hierarchies(h, CG_HIER_MAX, &n);
	if (ret < 0)
		return ret;
	snprintf(val, sizeof(val), "%d", (int)pid);
	for (size_t i = 0; i < n; i++) {
		ret = cg_join(&h[i], path, dir, sizeof(dir));
		if (ret < 0)
			return ret;
		ret = cg_write(dir, "cgroup.procs", val);
		if (ret == -ENOENT && ignore_perm)
			continue; /* not made: permission denied at create */
		if (ret < 0 && !(ignore_perm && cg_perm(-ret)))
			return err_set(-ret, "join cgroup %s", dir);
	}
	return 0;
}

int host_cgroup_remove(const char *path)
{
	struct cg_hier h[CG_HIER_MAX];
	char dir[PATH_MAX * 2];
	size_t n;
	int ret;

	if (!*path)
		return 0;
	ret = cg_hierarchies(h, CG_HIER_MAX, &n);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		ret = cg_join(&h[i], path, dir, sizeof(dir));
		if (ret < 0)
			return ret;
		/* A process just killed may take a moment to leave the group. */
		for (int tries = 0; rmdir(dir) < 0; tries++) {
			struct timespec ts = {0, 20 * 1000 * 1000};

			if (errno == ENOENT)
				break;
			if (errno != EBUSY || tries >= 50)
				return err_set(errno, "remove cgroup %s", dir);
			nanosleep(&ts, NULL);
		}
	}
	return 0;
}
