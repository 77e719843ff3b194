/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent's table of containers and their processes. One lock guards
 * it all (agent_lock); exits are recorded by the reaper and broadcast on
 * agent_exit_cond. A process is referenced by the table and by each stream
 * relay that uses its fds, and freed with the last reference, so a relay
 * may outlive a destroyed container.
 */
#ifndef OZONE_AGENT_PROC_H
#define OZONE_AGENT_PROC_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/oci_spec.h"
#include "common/proto.h"
#include "common/proto_stream.h"

struct agent_ctr;

struct agent_proc {
	struct agent_ctr *ctr; /* NULL once the container is forgotten */
	char ctr_id[PROTO_NAME_MAX + 1];
	char exec_id[PROTO_NAME_MAX + 1]; /* "" : the container's own process */
	pid_t pid;			  /* 0 until the process exists */
	bool exited;
	struct proto_status status;
	bool tty;
	/*
	 * The agent's ends, by stream kind: the stdin pipe's write end, the
	 * stdout and stderr pipes' read ends, the pty master. -1: none (or
	 * closed). A relay uses its fd without the lock; whoever closes one
	 * sets it to -1 under the lock.
	 */
	int fd[PROTO_STREAM_COUNT];
	bool want[PROTO_STREAM_COUNT]; /* announced in stdio and not yet connected */
	int stdin_sock;		       /* the bound stdin stream, for close_stdin; -1 */
	/*
	 * The extra fds (--preserve-fds), by index: the agent's end (a pipe's
	 * write end for IN, read end for OUT, a socketpair's end for INOUT;
	 * -1 once closed), the direction, and whether its stream is still
	 * expected. Guarded like fd[].
	 */
	uint32_t n_xfd;
	int xfd[PROTO_FDS_MAX];
	uint8_t xdir[PROTO_FDS_MAX];
	bool xwant[PROTO_FDS_MAX];
	int refs;
	struct agent_proc *next; /* in the container's list */
};

struct agent_ctr {
	char id[PROTO_NAME_MAX + 1];
	struct oci_spec spec;
	char cgroup[PATH_MAX];	  /* "" : none (host mode without --cgroup-root) */
	struct agent_proc *procs; /* the init first, then execs */
	int start_fd;		  /* until start; -1 after */
	bool started;
	int busy;   /* creates, execs and destroys working on it */
	bool dying; /* a destroy is waiting for its processes */
	uint64_t oom_kills;
	struct agent_ctr *next;
};

extern pthread_mutex_t agent_lock;
extern pthread_cond_t agent_exit_cond;

/* All below: with agent_lock held. */
struct agent_ctr *agent_ctr_find(const char *id);
/* A new container entry in the table (spec and procs empty); NULL: ENOMEM. */
struct agent_ctr *agent_ctr_add(const char *id);
/* Takes it out of the table, closes what it holds and drops its processes. */
void agent_ctr_forget(struct agent_ctr *c);
/* Every container, for the OOM watch and shutdown. */
struct agent_ctr *agent_ctr_first(void);

/* A new process of c (one reference, the table's); NULL: ENOMEM. */
struct agent_proc *agent_proc_add(struct agent_ctr *c, const char *exec_id);
/* The container's process ("" ) or an exec'd one. */
struct agent_proc *agent_proc_find(struct agent_ctr *c, const char *exec_id);
struct agent_proc *agent_proc_find_pid(pid_t pid);
/* Unlinks p from its container and drops the table's reference. */
void agent_proc_remove(struct agent_proc *p);
void agent_proc_get(struct agent_proc *p);
/* Drops a reference; the last one closes the fds and frees p. */
void agent_proc_put(struct agent_proc *p);
/* Closes one of p's fds (if open) and marks it closed. */
void agent_proc_close_fd(struct agent_proc *p, enum proto_stream_kind k);
/* The same for the extra fd of index i. */
void agent_proc_close_xfd(struct agent_proc *p, uint32_t i);

/* A wait(2) status as the protocol's exit status. */
struct proto_status agent_proc_status_of(int wstatus);

#endif
