/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Container ops: create, start, ps, stats, pause/resume, update, destroy.
 * The table lock is never held across a builder call or a cgroup freeze:
 * a container being worked on is marked busy instead.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/ctr/cgroup.h"
#include "agent/ctr/ctr.h"
#include "agent/proc/proc_info.h"
#include "agent/proc/proc_tree.h"
#include "agent/proc/reaper.h"
#include "common/error.h"
#include "common/frame.h"
#include "ops.h"
#include "stream.h"

/* How long destroy waits for the killed processes to be reaped. */
#define DESTROY_WAIT_S 10

struct agent_config agent_config;

struct agent_ctr *ops_ctr(const char *op, const char *id, int *ret)
{
	struct agent_ctr *c = agent_ctr_find(id);

	if (!c)
		*ret = err_setx(ENOENT, "%s: no container '%s'", op, id);
	else if (c->dying)
		*ret = err_setx(EBUSY, "%s: container '%s' is being destroyed", op, id);
	else if (c->busy && !c->procs->pid)
		*ret = err_setx(EBUSY, "%s: container '%s' is still being created", op, id);
	else
		return c;
	return NULL;
}

static int join_path(char *dst, const char *a, const char *b, const char *c)
{
	int n = snprintf(dst, PATH_MAX, "%s/%s%s%s", a, b, c ? "/" : "", c ? c : "");

	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/* The streams a process may have: a tty alone, or pipes. */
static int check_stdio(const char *id, const struct proto_stdio *s, bool tty)
{
	if (tty && !s->tty_port)
		return err_setx(EINVAL,
				"create %s: process.terminal is true but 'stdio' has no 'tty'", id);
	if (!tty && s->tty_port)
		return err_setx(
		    EINVAL, "create %s: 'stdio' has a 'tty' but process.terminal is not true", id);
	return 0;
}

/* Everything after the table entry exists; on failure the caller forgets it. */
static int create_locked_out(const struct proto_create *b, struct agent_ctr *c,
			     struct agent_proc *p, struct oci_spec *spec)
{
	struct ctr_create_args a = {.id = b->container_id, .spec = spec};
	char rootfs[PATH_MAX], mounts[PATH_MAX], cg[PATH_MAX] = "";
	struct ctr_stdio cs;
	pid_t pid = 0;
	int start_fd = -1, console = -1, ret;

	if (join_path(rootfs, agent_config.shared, b->rootfs, NULL) < 0 ||
	    join_path(mounts, agent_config.shared, b->container_id, "mounts") < 0)
		return err_setx(ENAMETOOLONG, "create %s: rootfs path too long", b->container_id);
	pthread_mutex_lock(&agent_lock);
	ret = stdio_make(&b->stdio, spec->process.terminal, p, &cs);
	if (ret == 0 && (ret = stdio_make_fds(&b->fds, p, &cs)) < 0)
		stdio_close_child(&cs);
	pthread_mutex_unlock(&agent_lock);
	if (ret < 0)
		return err_prefix(ret, "create %s", b->container_id);
	ret = stdio_listen(&b->stdio, &b->fds);
	if (ret < 0) {
		stdio_close_child(&cs);
		return err_prefix(ret, "create %s", b->container_id);
	}
	if (agent_config.cgroups) {
		ret = cg_create(b->container_id,
				spec->lnx.has_resources ? spec->lnx.resources.raw : NULL, cg,
				sizeof(cg));
		if (ret < 0) {
			stdio_close_child(&cs);
			return err_prefix(ret, "create %s: cgroup", b->container_id);
		}
	}
	a.rootfs = rootfs;
	a.mounts_dir = mounts;
	a.cgroup = cg[0] ? cg : NULL;
	a.stdio = cs;
	ret = ctr_create(&a, &pid, &start_fd, &console);
	stdio_close_child(&cs);
	if (ret < 0) {
		ret = err_prefix(ret, "create %s", b->container_id);
		if (cg[0])
			cg_destroy(cg);
		return ret;
	}
	pthread_mutex_lock(&agent_lock);
	p->pid = pid;
	stdio_set_console(p, console);
	c->start_fd = start_fd;
	c->spec = *spec;
	memset(spec, 0, sizeof(*spec));
	strcpy(c->cgroup, cg);
	pthread_mutex_unlock(&agent_lock);
	agent_log("%s: created, pid %d", c->id, (int)pid);
	return 0;
}

int ops_create(const struct proto_msg *req, struct proto_msg *r)
{
	const struct proto_create *b = &req->body.create;
	struct oci_spec spec;
	struct agent_ctr *c;
	struct agent_proc *p;
	int ret;

	(void)r;
	if (!agent_config.shared[0])
		return err_setx(ENODEV,
				"create %s: no shared directory (the guest has no virtio-fs "
				"device tagged 'ozone')",
				b->container_id);
	ret = oci_spec_parse(b->spec_json, strlen(b->spec_json), &spec);
	if (ret < 0)
		return err_prefix(ret, "create %s", b->container_id);
	if (!spec.has_process) {
		oci_spec_free(&spec);
		return err_setx(EINVAL, "create %s: the spec has no 'process'", b->container_id);
	}
	/* The VM's network namespace first: a pod member's is then the sandbox's. */
	if ((ret = check_stdio(b->container_id, &b->stdio, spec.process.terminal)) < 0 ||
	    (ret = network_join_path(b->container_id, &spec)) < 0 ||
	    (b->pod[0] && (ret = pod_join_paths(b->container_id, b->pod, &spec)) < 0)) {
		oci_spec_free(&spec);
		return ret;
	}
	pthread_mutex_lock(&agent_lock);
	if (agent_ctr_find(b->container_id)) {
		pthread_mutex_unlock(&agent_lock);
		oci_spec_free(&spec);
		return err_setx(EEXIST, "create %s: a container with that id exists",
				b->container_id);
	}
	c = agent_ctr_add(b->container_id);
	p = c ? agent_proc_add(c, "") : NULL;
	if (!p) {
		if (c)
			agent_ctr_forget(c);
		pthread_mutex_unlock(&agent_lock);
		oci_spec_free(&spec);
		return err_setx(ENOMEM, "create %s: out of memory", b->container_id);
	}
	c->busy++;
	reaper_hold();
	pthread_mutex_unlock(&agent_lock);

	ret = create_locked_out(b, c, p, &spec);

	pthread_mutex_lock(&agent_lock);
	c->busy--;
	if (ret < 0)
		agent_ctr_forget(c);
	reaper_release();
	pthread_mutex_unlock(&agent_lock);
	oci_spec_free(&spec);
	return ret;
}

int ops_start(const struct proto_msg *req, struct proto_msg *r)
{
	const char *id = req->body.container.container_id;
	struct agent_ctr *c;
	int ret = 0, fd = -1;

	(void)r;
	pthread_mutex_lock(&agent_lock);
	c = ops_ctr("start", id, &ret);
	if (c && c->started)
		ret = err_setx(EALREADY, "start: container '%s' was started already", id);
	else if (c && c->procs->exited)
		ret = err_setx(ESRCH, "start: the process of container '%s' has ended", id);
	else if (c) {
		fd = c->start_fd;
		c->start_fd = -1;
		c->started = true;
	}
	pthread_mutex_unlock(&agent_lock);
	if (ret < 0)
		return ret;
	ret = ctr_start(fd);
	if (ret < 0)
		return err_prefix(ret, "start %s", id);
	agent_log("%s: started", id);
	return 0;
}

/*
 * The details of each pid for ps's table. Processes that ended meanwhile
 * are dropped from both lists. Without the details (no /proc/stat, or a
 * reply that would not fit in a frame) the reply is the pids alone.
 */
static void ps_details(struct proto_pids *p)
{
	struct proc_info_clock clk;
	size_t kept = 0, bytes = 0;

	if (proc_info_clock("/proc", &clk) < 0) {
		agent_debug("ps: %s", err_msg());
		return;
	}
	p->procs = calloc(p->count ? p->count : 1, sizeof(*p->procs));
	if (!p->procs)
		return;
	for (size_t i = 0; i < p->count; i++) {
		struct proto_proc pr;

		if (proc_info_read("/proc", p->pids[i], &clk, &pr) < 0)
			continue;
		bytes += strlen(pr.cmd) * 2 + 160; /* an entry's JSON, escapes included */
		p->pids[kept] = p->pids[i];
		p->procs[kept++] = pr;
	}
	p->count = kept;
	if (bytes + 16 * kept + 64 > FRAME_MAX) {
		for (size_t i = 0; i < kept; i++)
			free(p->procs[i].cmd);
		free(p->procs);
		p->procs = NULL;
	}
}

int ops_ps(const struct proto_msg *req, struct proto_msg *r)
{
	const char *id = req->body.container.container_id;
	struct agent_ctr *c;
	int ret = 0;

	pthread_mutex_lock(&agent_lock);
	c = ops_ctr("ps", id, &ret);
	if (c)
		ret = agent_ctr_pids(c, &r->body.pids.pids, &r->body.pids.count);
	pthread_mutex_unlock(&agent_lock);
	if (ret < 0 && c)
		return err_prefix(ret, "ps %s", id);
	if (ret == 0 && r->body.pids.count > PROTO_PIDS_MAX)
		r->body.pids.count = PROTO_PIDS_MAX;
	if (ret == 0)
		ps_details(&r->body.pids);
	return ret;
}

/* The container's cgroup path for op, copied out, or an error when it has none. */
static int cgroup_of(const char *op, const char *id, char *path)
{
	struct agent_ctr *c;
	int ret = 0;

	pthread_mutex_lock(&agent_lock);
	c = ops_ctr(op, id, &ret);
	if (c && !c->cgroup[0])
		ret = err_setx(EOPNOTSUPP,
			       "%s: container '%s' has no cgroup (the agent runs without cgroups)",
			       op, id);
	else if (c)
		strcpy(path, c->cgroup);
	pthread_mutex_unlock(&agent_lock);
	return ret;
}

int ops_stats(const struct proto_msg *req, struct proto_msg *r)
{
	const char *id = req->body.container.container_id;
	char path[PATH_MAX];
	int ret = cgroup_of("stats", id, path);

	if (ret < 0)
		return ret;
	ret = cg_stats(path, &r->body.stats);
	return ret < 0 ? err_prefix(ret, "stats %s", id) : 0;
}

int ops_freeze(const struct proto_msg *req, struct proto_msg *r)
{
	const char *id = req->body.container.container_id;
	bool frozen = req->op == PROTO_OP_PAUSE;
	const char *op = frozen ? "pause" : "resume";
	char path[PATH_MAX];
	int ret = cgroup_of(op, id, path);

	(void)r;
	if (ret < 0)
		return ret;
	ret = cg_freeze(path, frozen);
	return ret < 0 ? err_prefix(ret, "%s %s", op, id) : 0;
}

int ops_update(const struct proto_msg *req, struct proto_msg *r)
{
	const char *id = req->body.update.container_id;
	char path[PATH_MAX];
	int ret = cgroup_of("update", id, path);

	(void)r;
	if (ret < 0)
		return ret;
	ret = cg_update(path, req->body.update.resources_json);
	return ret < 0 ? err_prefix(ret, "update %s", id) : 0;
}

static bool all_exited(const struct agent_ctr *c)
{
	for (const struct agent_proc *p = c->procs; p; p = p->next)
		if (p->pid > 0 && !p->exited)
			return false;
	return true;
}

/* With agent_lock held and c marked busy by the caller: kill, reap, forget. */
static void destroy_locked(struct agent_ctr *c)
{
	char cg[PATH_MAX];
	struct timespec until;

	/* The lock is let go while waiting: nothing new may start meanwhile. */
	c->dying = true;
	agent_ctr_signal_all(c, SIGKILL);
	for (struct agent_proc *p = c->procs; p; p = p->next)
		if (p->pid > 0 && !p->exited)
			kill(p->pid, SIGKILL);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += DESTROY_WAIT_S;
	while (!all_exited(c))
		if (pthread_cond_timedwait(&agent_exit_cond, &agent_lock, &until) != 0) {
			agent_warn("%s: processes still there after %d s; forgetting them", c->id,
				   DESTROY_WAIT_S);
			break;
		}
	strcpy(cg, c->cgroup);
	agent_ctr_forget(c);
	if (cg[0] && cg_destroy(cg) < 0)
		agent_warn("destroy: %s", err_msg());
}

int ops_destroy(const struct proto_msg *req, struct proto_msg *r)
{
	const char *id = req->body.container.container_id;
	struct agent_ctr *c;
	int ret = 0;

	(void)r;
	pthread_mutex_lock(&agent_lock);
	c = ops_ctr("destroy", id, &ret);
	if (c && c->busy)
		ret = err_setx(EBUSY, "destroy: container '%s' is busy (an exec or destroy)", id);
	else if (c) {
		c->busy++;
		destroy_locked(c);
		agent_log("%s: destroyed", id);
	}
	pthread_mutex_unlock(&agent_lock);
	return ret;
}

void ops_destroy_all(void)
{
	pthread_mutex_lock(&agent_lock);
	for (struct agent_ctr *c = agent_ctr_first(), *next; c; c = next) {
		next = c->next;
		if (!c->busy) {
			c->busy++;
			destroy_locked(c);
			next = agent_ctr_first(); /* the list changed */
		}
	}
	pthread_mutex_unlock(&agent_lock);
}
