/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/lib/agent_client.h"
#include "common/cleanup.h"
#include "common/error.h"
#include "common/escape.h"
#include "common/frame.h"
#include "common/version.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int agent_reply_timeout_ms(void)
{
	const char *v = getenv("OZONE_AGENT_TIMEOUT");
	char *end;
	long s;

	if (v && *v) {
		errno = 0;
		s = strtol(v, &end, 10);
		if (!errno && !*end && s >= 1 && s <= 3600)
			return (int)s * 1000;
	}
	return AGENT_REPLY_TIMEOUT_MS;
}

/* Re-records the current message as "agent: '<op>': <message>"; returns ret. */
static int agent_err(int ret, const char *op)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s", err_msg());
	return err_setx(-ret, "agent: '%s': %s", op, msg[0] ? msg : strerror(-ret));
}

/* The pid that must hold the listening end of every socket this process dials. */
static pid_t agent_peer;

void agent_expect_peer(pid_t pid)
{
	agent_peer = pid;
}

/*
 * The socket lies in a directory the VMM writes: a VMM taken over by its
 * guest could put a symlink to any host socket there, and connect() follows
 * it. So nothing is sent before the listening end is known to be the
 * sandbox's own ozone-vmm (SO_PEERCRED: the process that listens).
 */
static int agent_check_peer(int fd, const char *path)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (agent_peer <= 0)
		return err_setx(ESRCH, "%s: no ozone-vmm is known to hold it: not connected", path);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return err_set(errno, "%s: SO_PEERCRED", path);
	if (cred.pid != agent_peer)
		return err_setx(EPERM,
				"%s: held by pid %d, not by the sandbox's ozone-vmm (pid %d): "
				"not connected",
				path, (int)cred.pid, (int)agent_peer);
	return 0;
}

static int agent_connect_unix(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, dirfd = -1, ret = 0;

	if (strlen(path) < sizeof(sa.sun_path)) {
		memcpy(sa.sun_path, path, strlen(path) + 1);
	} else {
		/* Too long for sun_path: reach it through its directory, as /proc/self/fd/N/name.
		 */
		char dir[PATH_MAX];
		const char *slash = strrchr(path, '/');

		if (!slash || (size_t)(slash - path) >= sizeof(dir))
			return err_setx(ENAMETOOLONG, "socket path too long: %s", path);
		memcpy(dir, path, slash - path);
		dir[slash - path] = '\0';
		dirfd = open(dir[0] ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0)
			return err_set(errno, "open %s", dir);
		if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dirfd,
				     slash + 1) >= sizeof(sa.sun_path)) {
			close(dirfd);
			return err_setx(ENAMETOOLONG, "socket name too long: %s", path);
		}
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		ret = err_set(errno, "socket");
	else if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		ret = err_set(errno, "connect %s", path);
	else
		ret = agent_check_peer(fd, path);
	if (dirfd >= 0)
		close(dirfd);
	if (ret < 0) {
		if (fd >= 0)
			close(fd);
		return ret;
	}
	return fd;
}

int agent_dial(const char *path, uint32_t port, int timeout_ms)
{
	long long deadline = frame_deadline(timeout_ms);
	char line[40];
	size_t got = 0;
	int fd, n, ret;

	fd = agent_connect_unix(path);
	if (fd < 0)
		return fd;
	n = snprintf(line, sizeof(line), "CONNECT %u\n", port);
	if (send(fd, line, n, MSG_NOSIGNAL) != n) {
		ret = err_set(errno ? errno : EIO, "%s: send CONNECT", path);
		close(fd);
		return ret;
	}
	/* Byte by byte up to the newline: what follows it belongs to the stream. */
	while (got < sizeof(line) - 1) {
		ret = frame_wait(fd, POLLIN, deadline);
		if (ret < 0) {
			close(fd);
			return err_set(-ret, "%s: waiting for the answer to CONNECT %u", path,
				       port);
		}
		n = read(fd, line + got, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n == 0 ? ECONNRESET : errno;
			close(fd);
			return err_setx(ret, "%s: guest port %u: connection refused", path, port);
		}
		if (line[got++] == '\n')
			break;
	}
	line[got] = '\0';
	if (got < 5 || strncmp(line, "OK ", 3) != 0 || line[got - 1] != '\n') {
		char text[64]; /* enough to show what answered */

		close(fd);
		return err_setx(EPROTO, "%s: bad answer to CONNECT %u: %s", path, port,
				escape_bytes(text, sizeof(text), line, got));
	}
	return fd;
}

int agent_open(struct agent_conn *c, const char *path, int timeout_ms)
{
	struct proto_msg req = {.kind = PROTO_REQUEST, .op = PROTO_OP_HELLO};
	struct proto_msg reply;
	int ret;

	memset(c, 0, sizeof(*c));
	c->next_id = 1;
	c->timeout_ms = timeout_ms;
	c->fd = agent_dial(path, PROTO_AGENT_PORT, timeout_ms);
	if (c->fd < 0)
		return c->fd;
	req.body.hello.version = PROTO_VERSION;
	snprintf(req.body.hello.software, sizeof(req.body.hello.software), "%s", OZONE_VERSION);
	ret = agent_call(c, &req, &reply);
	if (ret < 0)
		goto fail;
	ret = proto_hello_check(&reply.body.hello, "agent");
	proto_msg_free(&reply);
	if (ret < 0)
		goto fail;
	return 0;

fail:
	agent_close(c);
	return ret;
}

void agent_close(struct agent_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/*
 * "agent: <what> within N s: frame: timed out after ..." The connection
 * has lost its frame boundaries: it is closed, nothing more is read.
 */
static int agent_timeout(struct agent_conn *c, const char *what)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "%s", err_msg());
	agent_close(c);
	return err_setx(ETIMEDOUT, "agent: %s within %d s: %s", what, (c->timeout_ms + 999) / 1000,
			msg);
}

int agent_recv(struct agent_conn *c, struct proto_msg *m)
{
	int ret = proto_recv_until(c->fd, m, frame_deadline(c->timeout_ms));

	if (ret == -ETIMEDOUT)
		return agent_timeout(c, "no whole message");
	return ret;
}

int agent_call(struct agent_conn *c, struct proto_msg *req, struct proto_msg *reply)
{
	long long deadline = frame_deadline(c->timeout_ms);
	const char *name = proto_op_name(req->op);
	char what[64];
	struct proto_msg m;
	int ret;

	if (reply)
		memset(reply, 0, sizeof(*reply));
	req->kind = PROTO_REQUEST;
	req->id = c->next_id++;
	/* One deadline for the request, the reply and whatever events come before it. */
	ret = proto_send_until(c->fd, req, deadline);
	if (ret == -ETIMEDOUT) {
		snprintf(what, sizeof(what), "'%s' not taken", name);
		return agent_timeout(c, what);
	}
	if (ret < 0)
		return agent_err(ret, name);
	for (;;) {
		ret = proto_recv_until(c->fd, &m, deadline);
		if (ret == -ETIMEDOUT) {
			snprintf(what, sizeof(what), "no reply to '%s'", name);
			return agent_timeout(c, what);
		}
		if (ret < 0)
			return agent_err(ret, name);
		if (m.kind == 0)
			return err_setx(ECONNRESET,
					"agent: connection closed before the reply to '%s'", name);
		if (m.kind == PROTO_EVENT) {
			if (c->on_event)
				c->on_event(&m, c->on_event_arg);
			proto_msg_free(&m);
			continue;
		}
		if (m.kind != PROTO_REPLY || m.id != req->id) {
			/* A reply to nothing we asked: the connection is not ours to trust. */
			proto_msg_free(&m);
			return err_setx(EPROTO, "agent: unexpected message while waiting for '%s'",
					name);
		}
		break;
	}
	if (m.err) {
		ret = proto_reply_error(&m);
		proto_msg_free(&m);
		return ret;
	}
	ret = proto_decode_reply_body(&m, req->op);
	if (ret < 0 || !reply)
		proto_msg_free(&m);
	else
		*reply = m;
	return ret;
}

int agent_call_simple(struct agent_conn *c, enum proto_op op, const char *container_id)
{
	struct proto_msg req = {.op = op};

	snprintf(req.body.container.container_id, sizeof(req.body.container.container_id), "%s",
		 container_id);
	return agent_call(c, &req, NULL);
}

int agent_network(struct agent_conn *c, const struct net_config *net)
{
	struct proto_msg req = {.op = PROTO_OP_NETWORK};

	/* Only read while the request is encoded: the body does not own it here. */
	req.body.network.net = (struct net_config *)net;
	return agent_call(c, &req, NULL);
}

static int agent_stream_open(const char *path, const char *container_id, const char *exec_id,
			     enum proto_stream_kind kind, uint32_t index, int timeout_ms)
{
	long long deadline = frame_deadline(timeout_ms);
	struct proto_stream_hdr h = {.kind = kind, .index = index};
	struct proto_msg m;
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = -1;
	size_t len;
	int ret;

	snprintf(h.container_id, sizeof(h.container_id), "%s", container_id);
	snprintf(h.exec_id, sizeof(h.exec_id), "%s", exec_id ? exec_id : "");
	fd = agent_dial(path, PROTO_STREAM_PORT, timeout_ms);
	if (fd < 0)
		return fd;
	ret = proto_stream_hdr_encode(&h, &buf, &len);
	if (ret < 0)
		return ret;
	ret = frame_write_until(fd, buf, len, deadline);
	if (ret < 0)
		return ret;
	ret = proto_recv_until(fd, &m, deadline);
	if (ret == -ETIMEDOUT) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", err_msg());
		return err_setx(ETIMEDOUT, "agent: no answer to the %s stream header: %s",
				proto_stream_name(kind), msg);
	}
	if (ret < 0)
		return ret;
	if (m.kind == 0)
		return err_setx(ECONNRESET, "agent: %s stream closed before its answer",
				proto_stream_name(kind));
	if (m.kind != PROTO_REPLY || m.id != 0)
		ret = err_setx(EPROTO, "agent: bad answer to the %s stream header",
			       proto_stream_name(kind));
	else if (m.err)
		ret = proto_reply_error(&m);
	proto_msg_free(&m);
	if (ret < 0)
		return ret;
	return take_fd(&fd);
}

int agent_stream(const char *path, const char *container_id, const char *exec_id,
		 enum proto_stream_kind kind, int timeout_ms)
{
	return agent_stream_open(path, container_id, exec_id, kind, 0, timeout_ms);
}

int agent_stream_fd(const char *path, const char *container_id, const char *exec_id, uint32_t index,
		    int timeout_ms)
{
	return agent_stream_open(path, container_id, exec_id, PROTO_STREAM_FD, index, timeout_ms);
}
