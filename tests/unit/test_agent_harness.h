/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A client of ozone-agent for tests, speaking exactly what the runtime
 * speaks: the hybrid vsock handshake (CONNECT <port>) on one unix socket,
 * the control protocol of common/proto.h on port 1024 and stdio streams on
 * port 1025. The socket is a host-mode agent's (started here) or, with
 * OZONE_AGENT_SOCKET set, a VMM's --vsock-socket with the agent in the
 * guest: the same test then runs through the real vsock.
 */
#ifndef OZONE_TEST_AGENT_HARNESS_H
#define OZONE_TEST_AGENT_HARNESS_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/frame.h"
#include "common/proto.h"
#include "common/proto_stream.h"

#define TA_STREAM_PORT 1025
#define TA_EVENTS_MAX 256

struct ta_env {
	char sock[108];	   /* sun_path */
	char shared[1024]; /* the shared directory, as the host sees it */
	char tmp[64];	   /* ours to remove, when we made it */
	pid_t agent;	   /* a host-mode agent we started; 0 for a VM */
	bool cgroups;	   /* the agent has cgroups: stats, pause, OOM are checked */
	bool vm;
	uint64_t big; /* bytes for the big stdout test */
};

struct ta_ctl {
	int fd;
	uint64_t next_id;
	struct proto_exit exits[TA_EVENTS_MAX];
	size_t n_exits;
	size_t n_ooms;
	char oom_ids[8][PROTO_NAME_MAX + 1];
};

extern struct ta_env ta;
/* The error text of the last failed reply, for failure messages. */
static char ta_last_error[PROTO_ERROR_MAX + 1];

/* Connects to port through the hybrid socket: the fd, or -1 (refused or closed). */
static inline int ta_connect(uint32_t port)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 120};
	char line[64];
	size_t n = 0;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memcpy(sa.sun_path, ta.sock, sizeof(sa.sun_path));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	n = (size_t)snprintf(line, sizeof(line), "CONNECT %u\n", port);
	if (write(fd, line, n) != (ssize_t)n)
		goto fail;
	for (n = 0; n < sizeof(line) - 1; n++) {
		if (read(fd, &line[n], 1) != 1)
			goto fail;
		if (line[n] == '\n')
			break;
	}
	if (strncmp(line, "OK ", 3) != 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

/* Reads one message: an event is kept in c (returns 0), a reply is left in *r (returns 1). */
static inline int ta_pump(struct ta_ctl *c, struct proto_msg *r)
{
	int ret = proto_recv(c->fd, r);

	if (ret < 0)
		return ret;
	if (r->kind == 0)
		return -EPIPE;
	if (r->kind != PROTO_EVENT)
		return 1;
	if (r->event == PROTO_EVENT_EXIT && c->n_exits < TA_EVENTS_MAX)
		c->exits[c->n_exits++] = r->body.exit;
	if (r->event == PROTO_EVENT_OOM) {
		if (c->n_ooms < 8)
			strcpy(c->oom_ids[c->n_ooms], r->body.container.container_id);
		c->n_ooms++;
	}
	proto_msg_free(r);
	return 0;
}

/* Reads messages until the reply to id; events on the way are kept in c. */
static inline int ta_reply(struct ta_ctl *c, uint64_t id, enum proto_op op, struct proto_msg *r)
{
	for (;;) {
		int ret = ta_pump(c, r);

		if (ret < 0)
			return ret;
		if (ret == 0)
			continue;
		if (r->kind == PROTO_REPLY && r->id == id)
			return r->err ? 0 : proto_decode_reply_body(r, op);
		proto_msg_free(r);
	}
}

/* Sends m (its id is set here) and waits for its reply: 0, or -errno of a failed reply. */
static inline int ta_call(struct ta_ctl *c, struct proto_msg *m, struct proto_msg *r)
{
	struct proto_msg tmp;
	int ret;

	m->kind = PROTO_REQUEST;
	m->id = c->next_id++;
	ret = proto_send(c->fd, m);
	if (ret < 0)
		return ret;
	ret = ta_reply(c, m->id, m->op, r ? r : &tmp);
	if (ret == 0 && (r ? r : &tmp)->err) {
		ret = -(r ? r : &tmp)->err;
		snprintf(ta_last_error, sizeof(ta_last_error), "%s", (r ? r : &tmp)->error);
	}
	if (!r)
		proto_msg_free(&tmp);
	return ret;
}

static inline int ta_ctl_open(struct ta_ctl *c)
{
	struct proto_msg m = {.op = PROTO_OP_HELLO}, r;
	int ret;

	memset(c, 0, sizeof(*c));
	c->next_id = 1;
	c->fd = ta_connect(PROTO_AGENT_PORT);
	if (c->fd < 0)
		return -ECONNREFUSED;
	m.body.hello.version = PROTO_VERSION;
	strcpy(m.body.hello.software, "test");
	ret = ta_call(c, &m, &r);
	if (ret == 0)
		ret = proto_hello_check(&r.body.hello, "agent");
	proto_msg_free(&r);
	return ret;
}

static inline void ta_ctl_close(struct ta_ctl *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Opens a stream of a process on the stream port: the fd, or -errno of the agent's answer. */
static inline int ta_stream(const char *cid, const char *eid, enum proto_stream_kind kind)
{
	struct proto_stream_hdr h = {.kind = kind};
	struct proto_msg r;
	char *buf;
	size_t len;
	int fd = ta_connect(TA_STREAM_PORT), ret;

	if (fd < 0)
		return -ECONNREFUSED;
	snprintf(h.container_id, sizeof(h.container_id), "%s", cid);
	snprintf(h.exec_id, sizeof(h.exec_id), "%s", eid);
	if ((ret = proto_stream_hdr_encode(&h, &buf, &len)) < 0)
		goto fail;
	ret = frame_write(fd, buf, len);
	free(buf);
	if (ret < 0 || (ret = proto_recv(fd, &r)) < 0)
		goto fail;
	ret = r.kind != PROTO_REPLY ? -EBADMSG : r.err ? -r.err : 0;
	proto_msg_free(&r);
	if (ret < 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return ret;
}

/* Reads fd to its end into a malloc'd buffer (NUL-terminated); the length, or -1. */
static inline ssize_t ta_read_all(int fd, char **out)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);

	*out = NULL;

	while (b) {
		ssize_t r;

		if (n + 1 == cap) {
			char *nb = realloc(b, cap *= 2);

			if (!nb)
				break;
			b = nb;
		}
		r = read(fd, b + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (r == 0) {
			b[n] = '\0';
			*out = b;
			return (ssize_t)n;
		}
		n += (size_t)r;
	}
	free(b);
	return -1;
}

#endif
