/* SPDX-License-Identifier: Apache-2.0 */
/* The table of containers and processes (proc.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"

pthread_mutex_t agent_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t agent_exit_cond = PTHREAD_COND_INITIALIZER;

static struct agent_ctr *ctrs;

struct agent_ctr *agent_ctr_find(const char *id)
{
	for (struct agent_ctr *c = ctrs; c; c = c->next)
		if (strcmp(c->id, id) == 0)
			return c;
	return NULL;
}

struct agent_ctr *agent_ctr_first(void)
{
	return ctrs;
}

struct agent_ctr *agent_ctr_add(const char *id)
{
	struct agent_ctr *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	strncpy(c->id, id, sizeof(c->id) - 1);
	c->start_fd = -1;
	c->next = ctrs;
	ctrs = c;
	return c;
}

void agent_ctr_forget(struct agent_ctr *c)
{
	for (struct agent_ctr **pp = &ctrs; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	while (c->procs)
		agent_proc_remove(c->procs);
	if (c->start_fd >= 0)
		close(c->start_fd);
	oci_spec_free(&c->spec);
	free(c);
}

struct agent_proc *agent_proc_add(struct agent_ctr *c, const char *exec_id)
{
	struct agent_proc *p = calloc(1, sizeof(*p)), **tail;

	if (!p)
		return NULL;
	p->ctr = c;
	strcpy(p->ctr_id, c->id);
	strncpy(p->exec_id, exec_id, sizeof(p->exec_id) - 1);
	for (int k = 0; k < PROTO_STREAM_COUNT; k++)
		p->fd[k] = -1;
	for (int i = 0; i < PROTO_FDS_MAX; i++)
		p->xfd[i] = -1;
	p->stdin_sock = -1;
	p->refs = 1;
	for (tail = &c->procs; *tail; tail = &(*tail)->next)
		;
	*tail = p;
	return p;
}

struct agent_proc *agent_proc_find(struct agent_ctr *c, const char *exec_id)
{
	for (struct agent_proc *p = c->procs; p; p = p->next)
		if (strcmp(p->exec_id, exec_id) == 0)
			return p;
	return NULL;
}

struct agent_proc *agent_proc_find_pid(pid_t pid)
{
	for (struct agent_ctr *c = ctrs; c; c = c->next)
		for (struct agent_proc *p = c->procs; p; p = p->next)
			if (p->pid == pid && !p->exited)
				return p;
	return NULL;
}

void agent_proc_remove(struct agent_proc *p)
{
	struct agent_ctr *c = p->ctr;

	if (c)
		for (struct agent_proc **pp = &c->procs; *pp; pp = &(*pp)->next)
			if (*pp == p) {
				*pp = p->next;
				break;
			}
	p->ctr = NULL;
	p->next = NULL;
	/* Nobody will connect these streams any more. */
	for (int k = 0; k < PROTO_STREAM_COUNT; k++)
		p->want[k] = false;
	for (int i = 0; i < PROTO_FDS_MAX; i++)
		p->xwant[i] = false;
	agent_proc_put(p);
}

void agent_proc_get(struct agent_proc *p)
{
	p->refs++;
}

void agent_proc_put(struct agent_proc *p)
{
	if (--p->refs > 0)
		return;
	for (int k = 0; k < PROTO_STREAM_COUNT; k++)
		agent_proc_close_fd(p, k);
	for (uint32_t i = 0; i < PROTO_FDS_MAX; i++)
		agent_proc_close_xfd(p, i);
	free(p);
}

void agent_proc_close_xfd(struct agent_proc *p, uint32_t i)
{
	if (i < PROTO_FDS_MAX && p->xfd[i] >= 0) {
		close(p->xfd[i]);
		p->xfd[i] = -1;
	}
}

void agent_proc_close_fd(struct agent_proc *p, enum proto_stream_kind k)
{
	if (p->fd[k] >= 0) {
		close(p->fd[k]);
		p->fd[k] = -1;
	}
}

struct proto_status agent_proc_status_of(int wstatus)
{
	struct proto_status s = {0};

	if (WIFSIGNALED(wstatus))
		s.signal = (uint32_t)WTERMSIG(wstatus);
	else
		s.code = (uint32_t)WEXITSTATUS(wstatus);
	return s;
}
