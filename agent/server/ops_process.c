/* SPDX-License-Identifier: Apache-2.0 */
/* Process ops: exec, signal, wait, close_stdin, resize. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/ctr/ctr.h"
#include "agent/proc/proc_tree.h"
#include "agent/proc/reaper.h"
#include "common/error.h"
#include "ops.h"
#include "stream.h"

/* "c1" or "c1/e1", for messages. */
#define PNAME_FMT "%s%s%s"
#define PNAME(cid, eid) (cid), (eid)[0] ? "/" : "", (eid)

/* With agent_lock held: the process for op, or NULL with the error in *ret. */
static struct agent_proc *find_proc(const char *op, const char *cid, const char *eid, int *ret)
{
	struct agent_ctr *c = ops_ctr(op, cid, ret);
	struct agent_proc *p = c ? agent_proc_find(c, eid) : NULL;

	if (c && !p)
		*ret = err_setx(ENOENT, "%s: container '%s' has no process '%s'", op, cid, eid);
	else if (p && p->pid <= 0) {
		*ret = err_setx(EBUSY, "%s: process " PNAME_FMT " is still being started", op,
				PNAME(cid, eid));
		p = NULL;
	}
	return p;
}

int ops_exec(const struct proto_msg *req, struct proto_msg *r)
{
	const struct proto_exec *b = &req->body.exec;
	struct oci_process proc;
	struct ctr_stdio cs;
	struct agent_ctr *c;
	struct agent_proc *p = NULL;
	char cg[PATH_MAX];
	pid_t init_pid = 0, pid = 0;
	int console = -1, ret;

	(void)r;
	ret = oci_process_parse("process", b->process_json, strlen(b->process_json), &proc);
	if (ret < 0)
		return err_prefix(ret, "exec " PNAME_FMT, PNAME(b->container_id, b->exec_id));
	/* The request's tty decides: the process has a terminal exactly when it has a tty stream.
	 */
	proc.terminal = b->tty;
	pthread_mutex_lock(&agent_lock);
	c = ops_ctr("exec", b->container_id, &ret);
	if (c && (!c->started || c->procs->exited))
		ret = err_setx(ESRCH, "exec: container '%s' is not running", b->container_id);
	else if (c && agent_proc_find(c, b->exec_id))
		ret = err_setx(EEXIST, "exec: container '%s' has a process '%s' already",
			       b->container_id, b->exec_id);
	else if (c && !(p = agent_proc_add(c, b->exec_id)))
		ret = err_setx(ENOMEM, "exec: out of memory");
	else if (c && ((ret = stdio_make(&b->stdio, b->tty, p, &cs)) < 0 ||
		       (ret = stdio_make_fds(&b->fds, p, &cs)) < 0)) {
		stdio_close_child(&cs);
		agent_proc_remove(p);
		ret = err_prefix(ret, "exec " PNAME_FMT, PNAME(b->container_id, b->exec_id));
	}
	if (ret < 0) {
		pthread_mutex_unlock(&agent_lock);
		oci_process_free(&proc);
		return ret;
	}
	c->busy++;
	reaper_hold();
	init_pid = c->procs->pid;
	strcpy(cg, c->cgroup);
	pthread_mutex_unlock(&agent_lock);

	/* c->spec stays: a busy container is not destroyed. */
	ret = stdio_listen(&b->stdio, &b->fds);
	if (ret == 0)
		ret = ctr_exec(init_pid, &c->spec, &proc, cg[0] ? cg : NULL, &cs, &pid, &console);
	stdio_close_child(&cs);
	if (ret < 0)
		ret = err_prefix(ret, "exec " PNAME_FMT, PNAME(b->container_id, b->exec_id));

	pthread_mutex_lock(&agent_lock);
	if (ret < 0)
		agent_proc_remove(p);
	else {
		p->pid = pid;
		stdio_set_console(p, console);
	}
	c->busy--;
	reaper_release();
	pthread_mutex_unlock(&agent_lock);
	oci_process_free(&proc);
	if (ret == 0)
		agent_log(PNAME_FMT ": exec'd, pid %d", PNAME(b->container_id, b->exec_id),
			  (int)pid);
	return ret;
}

int ops_signal(const struct proto_msg *req, struct proto_msg *r)
{
	const struct proto_signal *b = &req->body.signal;
	struct agent_ctr *c;
	struct agent_proc *p;
	int ret = 0;

	(void)r;
	pthread_mutex_lock(&agent_lock);
	if (b->all) {
		c = ops_ctr("signal", b->container_id, &ret);
		if (c && (ret = agent_ctr_signal_all(c, (int)b->signal)) < 0)
			ret = err_prefix(ret, "signal %s", b->container_id);
	} else if ((p = find_proc("signal", b->container_id, b->exec_id, &ret))) {
		if (p->exited)
			ret = err_setx(ESRCH, "signal: process " PNAME_FMT " has ended",
				       PNAME(b->container_id, b->exec_id));
		else if (kill(p->pid, (int)b->signal) < 0)
			ret =
			    err_set(errno, "signal " PNAME_FMT, PNAME(b->container_id, b->exec_id));
	}
	pthread_mutex_unlock(&agent_lock);
	return ret;
}

int ops_wait(struct agent_conn *conn, const struct proto_msg *req, struct proto_msg *r)
{
	const struct proto_process *b = &req->body.process;
	struct agent_proc *p;
	int ret = 0;

	pthread_mutex_lock(&agent_lock);
	p = find_proc("wait", b->container_id, b->exec_id, &ret);
	if (p && p->exited)
		r->body.status = p->status;
	else if (p && notify_add_waiter(conn, req->id, p, b->owner) < 0)
		ret = err_setx(ENOMEM, "wait: out of memory");
	else if (p)
		ret = OPS_REPLY_LATER;
	pthread_mutex_unlock(&agent_lock);
	return ret;
}

int ops_close_stdin(const struct proto_msg *req, struct proto_msg *r)
{
	const struct proto_process *b = &req->body.process;
	struct agent_proc *p;
	int ret = 0;

	(void)r;
	pthread_mutex_lock(&agent_lock);
	p = find_proc("close_stdin", b->container_id, b->exec_id, &ret);
	if (p && p->stdin_sock >= 0)
		shutdown(p->stdin_sock, SHUT_RD); /* its relay sees the end and closes the pipe */
	else if (p)
		agent_proc_close_fd(p, PROTO_STREAM_STDIN);
	pthread_mutex_unlock(&agent_lock);
	return ret;
}

int ops_resize(const struct proto_msg *req, struct proto_msg *r)
{
	const struct proto_resize *b = &req->body.resize;
	struct winsize ws = {.ws_row = (unsigned short)b->rows, .ws_col = (unsigned short)b->cols};
	struct agent_proc *p;
	int ret = 0;

	(void)r;
	pthread_mutex_lock(&agent_lock);
	p = find_proc("resize", b->container_id, b->exec_id, &ret);
	if (p && p->fd[PROTO_STREAM_TTY] < 0)
		ret = err_setx(ENOTTY, "resize: process " PNAME_FMT " has no terminal",
			       PNAME(b->container_id, b->exec_id));
	else if (p && ioctl(p->fd[PROTO_STREAM_TTY], TIOCSWINSZ, &ws) < 0)
		ret = err_set(errno, "resize " PNAME_FMT, PNAME(b->container_id, b->exec_id));
	pthread_mutex_unlock(&agent_lock);
	return ret;
}
