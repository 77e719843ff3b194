/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Control connections and what the agent tells them unasked: `exit` events
 * to every open connection, `oom` events when a container's cgroup counts
 * a new OOM kill, and the replies to pending `wait` requests. The reaper
 * only queues an exit (it must never block on a host); one notifier thread
 * does the sending. A connection that sent an owner-wait and closes before
 * the process has ended takes the process with it (SIGKILL).
 */
#ifndef OZONE_AGENT_NOTIFY_H
#define OZONE_AGENT_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "agent/proc/proc.h"
#include "common/proto.h"

struct agent_conn;

/* Registers a control connection on fd (which it then owns); NULL: ENOMEM. */
struct agent_conn *conn_open(int fd);
/* The reader is done: ends owned processes, drops waits, closes once unused. */
void conn_close(struct agent_conn *c);
/* Sends one message, whole, serialized with every other writer of c. */
int conn_send(struct agent_conn *c, const struct proto_msg *m);
int conn_fd(const struct agent_conn *c);

/* With agent_lock held: answer request id on c with p's status once p has ended. */
int notify_add_waiter(struct agent_conn *c, uint64_t id, struct agent_proc *p, bool owner);
/* With agent_lock held: p has ended (p->exited and p->status are set). */
void notify_exit(struct agent_proc *p);
/* Starts the notifier thread (also the OOM watch). */
int notify_start(void);

#endif
