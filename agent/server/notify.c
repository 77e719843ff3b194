/* SPDX-License-Identifier: Apache-2.0 */
/* Control connections, exit and oom events, pending waits (notify.h). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/ctr/cgroup.h"
#include "agent/proc/proc_tree.h"
#include "notify.h"

/* A host that does not read its control connection for this long loses it. */
#define SEND_TIMEOUT_S 10
/* How often the cgroups' OOM counters are looked at besides every exit. */
#define OOM_POLL_MS 250

struct agent_conn {
	int fd;
	pthread_mutex_t wlock; /* one writer at a time */
	bool broken;	       /* a send failed: nothing more is sent */
	int refs;	       /* agent_lock */
	struct agent_conn *next;
};

struct waiter {
	struct agent_conn *c;
	uint64_t id;
	struct agent_proc *p;
	bool owner;
	struct waiter *next;
};

struct note {
	struct agent_proc *p;
	struct note *next;
};

/* All under agent_lock. */
static struct agent_conn *conns;
static struct waiter *waiters;
static struct note *queue, **queue_tail = &queue;
static pthread_cond_t queue_cond = PTHREAD_COND_INITIALIZER;

struct agent_conn *conn_open(int fd)
{
	struct agent_conn *c = calloc(1, sizeof(*c));
	struct timeval tv = {.tv_sec = SEND_TIMEOUT_S};

	if (!c)
		return NULL;
	c->fd = fd;
	c->refs = 1;
	pthread_mutex_init(&c->wlock, NULL);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	pthread_mutex_lock(&agent_lock);
	c->next = conns;
	conns = c;
	pthread_mutex_unlock(&agent_lock);
	return c;
}

int conn_fd(const struct agent_conn *c)
{
	return c->fd;
}

/* With agent_lock held. */
static void conn_put(struct agent_conn *c)
{
	if (--c->refs > 0)
		return;
	close(c->fd);
	pthread_mutex_destroy(&c->wlock);
	free(c);
}

int conn_send(struct agent_conn *c, const struct proto_msg *m)
{
	int ret = -EPIPE;

	pthread_mutex_lock(&c->wlock);
	if (!c->broken) {
		ret = proto_send(c->fd, m);
		if (ret < 0) {
			/* Also wakes the reader, which then closes the connection. */
			c->broken = true;
			shutdown(c->fd, SHUT_RDWR);
		}
	}
	pthread_mutex_unlock(&c->wlock);
	return ret;
}

/* With agent_lock held: SIGKILL for an owned process whose owner went away. */
static void kill_owned(struct agent_proc *p)
{
	if (p->exited || p->pid <= 0)
		return;
	agent_log("%s%s%s: owner connection closed: killing pid %d", p->ctr_id,
		  p->exec_id[0] ? "/" : "", p->exec_id, (int)p->pid);
	if (!p->exec_id[0] && p->ctr)
		agent_ctr_signal_all(p->ctr, SIGKILL);
	kill(p->pid, SIGKILL);
}

void conn_close(struct agent_conn *c)
{
	pthread_mutex_lock(&agent_lock);
	for (struct agent_conn **pp = &conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	for (struct waiter **pw = &waiters; *pw;) {
		struct waiter *w = *pw;

		if (w->c != c) {
			pw = &w->next;
			continue;
		}
		*pw = w->next;
		if (w->owner)
			kill_owned(w->p);
		agent_proc_put(w->p);
		conn_put(c);
		free(w);
	}
	conn_put(c);
	pthread_mutex_unlock(&agent_lock);
}

int notify_add_waiter(struct agent_conn *c, uint64_t id, struct agent_proc *p, bool owner)
{
	struct waiter *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	*w = (struct waiter){.c = c, .id = id, .p = p, .owner = owner, .next = waiters};
	c->refs++;
	agent_proc_get(p);
	waiters = w;
	return 0;
}

void notify_exit(struct agent_proc *p)
{
	struct note *n = calloc(1, sizeof(*n));

	if (!n) {
		agent_logl(AGENT_ERROR, "out of memory: the exit of pid %d is not reported",
			   (int)p->pid);
		return;
	}
	agent_proc_get(p);
	n->p = p;
	*queue_tail = n;
	queue_tail = &n->next;
	pthread_cond_signal(&queue_cond);
}

/* With agent_lock held: every open connection, each with a reference. */
static struct agent_conn **conns_snapshot(size_t *n)
{
	struct agent_conn **v;
	size_t count = 0;

	for (struct agent_conn *c = conns; c; c = c->next)
		count++;
	v = calloc(count + 1, sizeof(*v));
	*n = 0;
	if (!v)
		return NULL;
	for (struct agent_conn *c = conns; c; c = c->next) {
		c->refs++;
		v[(*n)++] = c;
	}
	return v;
}

static void broadcast(const struct proto_msg *m)
{
	struct agent_conn **v;
	size_t n;

	pthread_mutex_lock(&agent_lock);
	v = conns_snapshot(&n);
	pthread_mutex_unlock(&agent_lock);
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		conn_send(v[i], m);
	pthread_mutex_lock(&agent_lock);
	for (size_t i = 0; i < n; i++)
		conn_put(v[i]);
	pthread_mutex_unlock(&agent_lock);
	free(v);
}

struct oom_watch {
	char id[PROTO_NAME_MAX + 1];
	char cgroup[PATH_MAX];
};

/* Sends an `oom` event for every container whose OOM kill counter grew. */
static void oom_check(void)
{
	struct oom_watch *v = NULL;
	size_t n = 0, cap = 0;

	pthread_mutex_lock(&agent_lock);
	for (struct agent_ctr *c = agent_ctr_first(); c; c = c->next) {
		if (!c->cgroup[0])
			continue;
		if (n == cap) {
			struct oom_watch *nv = realloc(v, (cap = cap ? cap * 2 : 8) * sizeof(*v));

			if (!nv)
				break;
			v = nv;
		}
		strcpy(v[n].id, c->id);
		strcpy(v[n].cgroup, c->cgroup);
		n++;
	}
	pthread_mutex_unlock(&agent_lock);
	for (size_t i = 0; i < n; i++) {
		struct proto_msg m = {.kind = PROTO_EVENT, .event = PROTO_EVENT_OOM};
		struct agent_ctr *c;
		uint64_t kills;
		bool grew = false;

		if (cg_oom_kills(v[i].cgroup, &kills) < 0)
			continue;
		pthread_mutex_lock(&agent_lock);
		c = agent_ctr_find(v[i].id);
		if (c && strcmp(c->cgroup, v[i].cgroup) == 0 && kills > c->oom_kills) {
			c->oom_kills = kills;
			grew = true;
		}
		pthread_mutex_unlock(&agent_lock);
		if (!grew)
			continue;
		agent_log("%s: OOM kill in its cgroup", v[i].id);
		strcpy(m.body.container.container_id, v[i].id);
		broadcast(&m);
	}
	free(v);
}

static void handle_exit(struct agent_proc *p)
{
	struct proto_msg ev = {.kind = PROTO_EVENT, .event = PROTO_EVENT_EXIT};
	struct waiter *mine = NULL;

	/* An OOM kill is reported before the exit it caused. */
	oom_check();
	pthread_mutex_lock(&agent_lock);
	strcpy(ev.body.exit.container_id, p->ctr_id);
	strcpy(ev.body.exit.exec_id, p->exec_id);
	ev.body.exit.pid = (uint32_t)p->pid;
	ev.body.exit.status = p->status;
	for (struct waiter **pw = &waiters; *pw;) {
		struct waiter *w = *pw;

		if (w->p != p) {
			pw = &w->next;
			continue;
		}
		*pw = w->next;
		w->next = mine;
		mine = w;
	}
	pthread_mutex_unlock(&agent_lock);
	if (p->status.signal)
		agent_log("%s%s%s: pid %d killed by signal %u", p->ctr_id, p->exec_id[0] ? "/" : "",
			  p->exec_id, (int)p->pid, p->status.signal);
	else
		agent_log("%s%s%s: pid %d exited with %u", p->ctr_id, p->exec_id[0] ? "/" : "",
			  p->exec_id, (int)p->pid, p->status.code);
	broadcast(&ev);
	for (struct waiter *w = mine; w; w = w->next) {
		struct proto_msg r = {.kind = PROTO_REPLY,
				      .id = w->id,
				      .op = PROTO_OP_WAIT,
				      .body.status = p->status};

		conn_send(w->c, &r);
	}
	pthread_mutex_lock(&agent_lock);
	while (mine) {
		struct waiter *w = mine;

		mine = w->next;
		conn_put(w->c);
		agent_proc_put(w->p);
		free(w);
	}
	agent_proc_put(p);
	pthread_mutex_unlock(&agent_lock);
}

static void *notifier(void *arg)
{
	struct timespec last = {0}, now;

	(void)arg;
	for (;;) {
		struct note *n;
		struct timespec until;

		pthread_mutex_lock(&agent_lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += OOM_POLL_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!queue &&
		       pthread_cond_timedwait(&queue_cond, &agent_lock, &until) != ETIMEDOUT)
			;
		n = queue;
		if (n) {
			queue = n->next;
			if (!queue)
				queue_tail = &queue;
		}
		pthread_mutex_unlock(&agent_lock);
		if (n) {
			handle_exit(n->p);
			free(n);
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - last.tv_sec) * 1000 + (now.tv_nsec - last.tv_nsec) / 1000000 >=
		    OOM_POLL_MS) {
			oom_check();
			last = now;
		}
	}
	return NULL;
}

int notify_start(void)
{
	pthread_t th;

	if (pthread_create(&th, NULL, notifier, NULL) != 0)
		return -EAGAIN;
	pthread_detach(th);
	return 0;
}
