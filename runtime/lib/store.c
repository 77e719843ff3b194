/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/lib/store.h"
#include "common/cleanup.h"
#include "common/error.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STATE_FILE "state.json"
#define STATE_TMP "state.json.tmp"

int store_path(const struct ozone_globals *g, const char *id, char *buf, size_t size)
{
	int ret = oci_id_check(id);

	if (ret < 0)
		return ret;
	if ((size_t)snprintf(buf, size, "%s/%s", g->root, id) >= size)
		return err_setx(ENAMETOOLONG, "state directory path too long");
	return 0;
}

/* mkdir -p for the root, 0700 as runc makes it. */
static int store_mkroot(const char *root)
{
	char path[PATH_MAX];
	size_t len = strlen(root);

	if (len >= sizeof(path))
		return err_setx(ENAMETOOLONG, "root path too long");
	memcpy(path, root, len + 1);
	for (char *p = path + 1; p && *p; p = strchr(p + 1, '/')) {
		char *slash = strchr(p, '/');

		if (!slash)
			break;
		*slash = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return err_set(errno, "mkdir %s", path);
		*slash = '/';
	}
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return err_set(errno, "mkdir %s", path);
	return 0;
}

static int store_flock(int dirfd)
{
	while (flock(dirfd, LOCK_EX) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

int store_create(const struct ozone_globals *g, const char *id, struct store_lock *lk)
{
	char path[PATH_MAX];
	int ret = store_path(g, id, path, sizeof(path));

	lk->dirfd = -1;
	if (ret < 0)
		return ret;
	ret = store_mkroot(g->root);
	if (ret < 0)
		return ret;
	/* mkdir is the atomic claim on the id: a second create gets EEXIST. */
	if (mkdir(path, 0711) < 0) {
		if (errno == EEXIST)
			return err_setx(EEXIST, "container with id exists: %s", id);
		return err_set(errno, "mkdir %s", path);
	}
	lk->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lk->dirfd < 0) {
		ret = err_set(errno, "open %s", path);
		rmdir(path);
		return ret;
	}
	ret = store_flock(lk->dirfd);
	if (ret < 0) {
		ret = err_set(-ret, "lock %s", path);
		store_unlock(lk);
		rmdir(path);
	}
	return ret;
}

int store_lock(const struct ozone_globals *g, const char *id, struct store_lock *lk)
{
	char path[PATH_MAX];
	struct stat st;
	int ret = store_path(g, id, path, sizeof(path));

	lk->dirfd = -1;
	if (ret < 0)
		return ret;
	lk->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (lk->dirfd < 0) {
		if (errno == ENOENT)
			return err_setx(ENOENT, "container \"%s\" does not exist", id);
		return err_set(errno, "open %s", path);
	}
	ret = store_flock(lk->dirfd);
	if (ret < 0) {
		store_unlock(lk);
		return err_set(-ret, "lock %s", path);
	}
	/* The holder before us may have deleted it: then the directory is empty and gone. */
	if (fstatat(lk->dirfd, STATE_FILE, &st, 0) < 0) {
		store_unlock(lk);
		return err_setx(ENOENT, "container \"%s\" does not exist", id);
	}
	return 0;
}

void store_unlock(struct store_lock *lk)
{
	if (lk->dirfd >= 0)
		close(lk->dirfd); /* drops the flock */
	lk->dirfd = -1;
}

static int store_read_file(int dirfd, const char *name, const char *shown, char **text, size_t *len)
{
	size_t cap = 4096, got = 0;
	char *buf = NULL;
	ssize_t n;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -errno;
	for (;;) {
		if (got + 1 >= cap || !buf) {
			char *nb;

			if (cap > OCI_STATE_SIZE_MAX + 1) {
				free(buf);
				close(fd);
				return err_setx(EFBIG, "%s: too large", shown);
			}
			cap *= 2;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				close(fd);
				return err_set(ENOMEM, "read %s", shown);
			}
			buf = nb;
		}
		n = read(fd, buf + got, cap - got - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			free(buf);
			close(fd);
			return err_set(e, "read %s", shown);
		}
		if (n == 0)
			break;
		got += n;
	}
	close(fd);
	buf[got] = '\0';
	*text = buf;
	*len = got;
	return 0;
}

uint64_t store_pid_start(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The command name may hold spaces and parentheses: fields start after the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* Field 3 (state) follows ") "; start time is field 22, 19 fields later. */
	p += 2;
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p || sscanf(p, "%llu", &start) != 1)
		return 0;
	return start;
}

bool store_pid_alive(int pid, uint64_t start)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	if (pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* A zombie has ended: its parent (init or a subreaper) just has not reaped it yet. */
	if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
		return false;
	/* A pid from a file is only ours with the start time that proves it. */
	return start && store_pid_start(pid) == start;
}

static void store_set_stopped(struct oci_state *st)
{
	char *s = strdup("stopped");

	if (s) {
		free(st->status);
		st->status = s;
	}
}

/*
 * What the status cannot tell alone: a sandbox whose VMM is gone (vmm.pid)
 * is stopped, whatever its proxy says; and "creating" with nobody holding
 * the lock means the creator died half-way.
 */
static void store_refresh_sandbox(int dirfd, struct oci_state *st)
{
	unsigned long long start;
	char buf[64];
	ssize_t n;
	int fd, pid;

	if (!strcmp(st->status, "stopped"))
		return;
	if (!strcmp(st->status, "creating")) {
		fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
			store_set_stopped(st);
		if (fd >= 0)
			close(fd);
		return;
	}
	fd = openat(dirfd, "vmm.pid", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	if (sscanf(buf, "%d %llu", &pid, &start) == 2 && !store_pid_alive(pid, start))
		store_set_stopped(st);
}

void store_refresh_status(struct oci_state *st)
{
	bool alive;

	if (!strcmp(st->status, "stopped"))
		return;
	if (st->pid <= 0) {
		alive = !strcmp(st->status, "creating");
	} else {
		alive = kill(st->pid, 0) == 0 || errno == EPERM;
		if (alive && st->pid_start && store_pid_start(st->pid) != st->pid_start)
			alive = false; /* the pid now belongs to another process */
	}
	if (!alive)
		store_set_stopped(st);
}

int store_read(const struct ozone_globals *g, const char *id, struct oci_state *st)
{
	char path[PATH_MAX], shown[PATH_MAX + 16];
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int dirfd = -1;
	size_t len = 0;
	int ret = store_path(g, id, path, sizeof(path));

	memset(st, 0, sizeof(*st));
	if (ret < 0)
		return ret;
	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dirfd < 0) {
		if (errno == ENOENT)
			return err_setx(ENOENT, "container \"%s\" does not exist", id);
		return err_set(errno, "open %s", path);
	}
	snprintf(shown, sizeof(shown), "%s/%s", path, STATE_FILE);
	ret = store_read_file(dirfd, STATE_FILE, shown, &text, &len);
	if (ret == -ENOENT)
		return err_setx(ENOENT, "container \"%s\" does not exist", id);
	if (ret < 0)
		return *err_msg() ? ret : err_set(-ret, "open %s", shown);
	ret = oci_state_parse(shown, text, len, st);
	if (ret < 0)
		return ret;
	if (strcmp(st->id, id) != 0) {
		oci_state_free(st);
		return err_setx(EINVAL, "%s: id '%s' does not match its directory", shown, id);
	}
	store_refresh_status(st);
	store_refresh_sandbox(dirfd, st);
	return 0;
}

int store_write(const struct store_lock *lk, const struct oci_state *st)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = 0;
	int ret = oci_state_to_json(st, false, true, &text, &len);

	if (ret < 0)
		return ret;
	fd = openat(lk->dirfd, STATE_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		    0600);
	if (fd < 0)
		return err_set(errno, "create %s", STATE_TMP);
	ret = write_all(fd, text, len);
	if (ret < 0) {
		ret = err_set(-ret, "write %s", STATE_TMP);
		goto fail;
	}
	if (fsync(fd) < 0) {
		ret = err_set(errno, "fsync %s", STATE_TMP);
		goto fail;
	}
	close(take_fd(&fd));
	if (renameat(lk->dirfd, STATE_TMP, lk->dirfd, STATE_FILE) < 0) {
		ret = err_set(errno, "rename %s", STATE_TMP);
		goto fail;
	}
	return 0;

fail:
	unlinkat(lk->dirfd, STATE_TMP, 0);
	return ret;
}

int store_remove(const struct ozone_globals *g, const char *id, struct store_lock *lk)
{
	char path[PATH_MAX];
	int ret = store_path(g, id, path, sizeof(path));

	/* A state.json.tmp that a crashed write left goes in any case. */
	unlinkat(lk->dirfd, STATE_TMP, 0);
	if (ret < 0)
		goto out;
	if (unlinkat(lk->dirfd, STATE_FILE, 0) < 0 && errno != ENOENT) {
		ret = err_set(errno, "remove %s/%s", path, STATE_FILE);
		goto out;
	}
	if (rmdir(path) < 0 && errno != ENOENT)
		ret = err_set(errno, "remove %s", path);
out:
	store_unlock(lk);
	return ret;
}

static int store_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int store_list(const struct ozone_globals *g, char ***ids, size_t *n)
{
	struct dirent *de;
	size_t len = 0, cap = 16;
	char **v = calloc(cap + 1, sizeof(*v));
	DIR *d;

	*ids = NULL;
	*n = 0;
	if (!v)
		return err_set(ENOMEM, "list");
	d = opendir(g->root);
	if (!d) {
		if (errno == ENOENT) {
			*ids = v;
			return 0;
		}
		free(v);
		return err_set(errno, "open %s", g->root);
	}
	while ((de = readdir(d))) {
		char **nv;

		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (oci_id_check(de->d_name) < 0)
			continue;
		if (len == cap) {
			nv = realloc(v, (cap * 2 + 1) * sizeof(*v));
			if (!nv)
				break;
			v = nv;
			cap *= 2;
		}
		v[len] = strdup(de->d_name);
		if (!v[len])
			break;
		v[++len] = NULL;
	}
	closedir(d);
	err_setx(0, "%s", "");
	qsort(v, len, sizeof(*v), store_cmp);
	*ids = v;
	*n = len;
	return 0;
}

void store_now(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	/* Go's RFC3339Nano, as runc writes it: trailing zeros of the fraction dropped. */
	if (ts.tv_nsec) {
		long ns = ts.tv_nsec;
		int digits = 9;

		while (ns % 10 == 0) {
			ns /= 10;
			digits--;
		}
		n += snprintf(buf + n, size - n, ".%0*ld", digits, ns);
	}
	snprintf(buf + n, size - n, "Z");
}
