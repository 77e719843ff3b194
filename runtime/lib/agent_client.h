/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host side of the host <-> agent protocol (docs/protocol.md): reaching
 * a guest vsock port through a hybrid vsock unix socket (ozone-vmm's
 * --vsock-socket, or the agent's own host mode, which speaks the same
 * handshake), the control connection (hello, then requests matched to
 * their replies by id) and the stdio stream connections.
 */
#ifndef OZONE_RUNTIME_AGENT_CLIENT_H
#define OZONE_RUNTIME_AGENT_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/proto.h"
#include "common/proto_stream.h"

/* Every stdio stream of every process goes to this guest port; the header binds it. */
#define PROTO_STREAM_PORT 1025

/*
 * How long a request may wait for its reply: the default, or
 * $OZONE_AGENT_TIMEOUT seconds (1..3600). What the guest does cannot make a
 * command that talks to the agent (kill, exec, ps, events, ...) wait longer.
 */
#define AGENT_REPLY_TIMEOUT_MS 60000
int agent_reply_timeout_ms(void);

struct agent_conn {
	int fd;
	uint64_t next_id;
	/*
	 * One deadline, per call, for the request, its reply and the events
	 * before it, each frame whole: an agent that stops half way through a
	 * frame fails the call as one that never answers does. 0: none.
	 */
	int timeout_ms;
	/* Called for each event read while waiting for a reply; may be NULL (events dropped). */
	void (*on_event)(const struct proto_msg *ev, void *arg);
	void *on_event_arg;
};

/*
 * Connects to the hybrid socket at path and asks for guest port; returns
 * the connected fd (blocking, CLOEXEC) once the peer answered "OK <n>", or
 * -errno: -ENOENT/-ECONNREFUSED while nobody listens on path, -ECONNRESET
 * when nobody listens on the guest port (the peer closed without OK).
 * timeout_ms bounds the wait for the OK line (0: none). Paths longer than
 * a sockaddr_un holds are reached through their directory.
 */
int agent_dial(const char *path, uint32_t port, int timeout_ms);

/*
 * The pid of the sandbox's ozone-vmm, verified by its start time: every
 * later dial checks that this process holds the socket's listening end and
 * refuses (-EPERM) before sending anything otherwise; with none set, every
 * dial is refused (-ESRCH).
 */
void agent_expect_peer(pid_t pid);

/* Dials the control port and says hello; checks the agent's protocol version. */
int agent_open(struct agent_conn *c, const char *path, int timeout_ms);
void agent_close(struct agent_conn *c);

/*
 * Sends req (its id and version are filled in) and waits for its reply.
 * A failed reply is returned as -errno with "agent: <error>" (the agent's
 * text escaped); an ok reply's body is decoded into *reply (free with
 * proto_msg_free) when reply is not NULL. Past the deadline: -ETIMEDOUT,
 * and the connection is closed (it has lost its frame boundaries).
 */
int agent_call(struct agent_conn *c, struct proto_msg *req, struct proto_msg *reply);
/*
 * Reads one message (an event, between calls) once the caller saw the fd
 * readable: the whole frame within timeout_ms, else -ETIMEDOUT and the
 * connection is closed.
 */
int agent_recv(struct agent_conn *c, struct proto_msg *m);
/* A request whose body is just a container id. */
int agent_call_simple(struct agent_conn *c, enum proto_op op, const char *container_id);
/* The `network` request: the guest's NICs get the links, routes and neighbours of net. */
int agent_network(struct agent_conn *c, const struct net_config *net);

/*
 * Opens one stdio stream: dials PROTO_STREAM_PORT, sends the stream header
 * and reads the agent's answer. Returns the stream's fd.
 */
int agent_stream(const char *path, const char *container_id, const char *exec_id,
		 enum proto_stream_kind kind, int timeout_ms);
/* The same for the stream of extra fd index (the process's fd 3 + index). */
int agent_stream_fd(const char *path, const char *container_id, const char *exec_id, uint32_t index,
		    int timeout_ms);

#endif
