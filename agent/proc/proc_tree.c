/* SPDX-License-Identifier: Apache-2.0 */
/* A container's processes: its cgroup's, or its process tree (proc_tree.h). */
#include <ctype.h>
#include <stdbool.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/ctr/cgroup.h"
#include "common/error.h"
#include "proc_tree.h"

struct pid_ppid {
	pid_t pid, ppid;
};

/* The parent pid from /proc/<pid>/stat: the field after the last ')' and the state. */
static pid_t read_ppid(const char *pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;
	long ppid;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %ld", &ppid) != 1)
		return -1;
	return (pid_t)ppid;
}

static int scan_proc(struct pid_ppid **out, size_t *n)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	struct pid_ppid *v = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d)
		return err_set(errno, "/proc");
	while ((e = readdir(d))) {
		pid_t ppid;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		ppid = read_ppid(e->d_name);
		if (ppid < 0)
			continue;
		if (*n == cap) {
			struct pid_ppid *nv = realloc(v, (cap = cap ? cap * 2 : 256) * sizeof(*v));

			if (!nv) {
				free(v);
				closedir(d);
				return err_setx(ENOMEM, "out of memory");
			}
			v = nv;
		}
		v[(*n)++] = (struct pid_ppid){(pid_t)atol(e->d_name), ppid};
	}
	closedir(d);
	*out = v;
	return 0;
}

static int tree_pids(struct agent_ctr *c, uint32_t **pids, size_t *n)
{
	struct pid_ppid *all = NULL;
	size_t n_all, count = 0, cap;
	uint32_t *out;
	int ret = scan_proc(&all, &n_all);

	if (ret < 0)
		return ret;
	cap = n_all;
	for (struct agent_proc *p = c->procs; p; p = p->next)
		cap++;
	out = malloc((cap + 1) * sizeof(*out));
	if (!out) {
		free(all);
		return err_setx(ENOMEM, "out of memory");
	}
	for (struct agent_proc *p = c->procs; p; p = p->next)
		if (p->pid > 0 && !p->exited)
			out[count++] = (uint32_t)p->pid;
	/* Breadth first: every pid whose parent is already in the list. */
	for (size_t i = 0; i < count && count < PROTO_PIDS_MAX; i++)
		for (size_t j = 0; j < n_all; j++)
			if ((uint32_t)all[j].ppid == out[i] && count < cap &&
			    count < PROTO_PIDS_MAX) {
				bool seen = false;

				for (size_t k = 0; k < count && !seen; k++)
					seen = out[k] == (uint32_t)all[j].pid;
				if (!seen)
					out[count++] = (uint32_t)all[j].pid;
			}
	free(all);
	*pids = out;
	*n = count;
	return 0;
}

int agent_ctr_pids(struct agent_ctr *c, uint32_t **pids, size_t *n)
{
	if (c->cgroup[0])
		return cg_pids(c->cgroup, pids, n);
	return tree_pids(c, pids, n);
}

int agent_ctr_signal_all(struct agent_ctr *c, int sig)
{
	uint32_t *pids;
	size_t n;
	int ret;

	if (c->cgroup[0])
		return cg_signal_all(c->cgroup, sig);
	ret = tree_pids(c, &pids, &n);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n; i++)
		kill((pid_t)pids[i], sig);
	free(pids);
	return 0;
}
