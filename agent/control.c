/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control channel: the agent listens on vsock port 1024
 * (PROTO_AGENT_PORT) and serves each connection on a thread of its own with
 * the protocol of common/proto.h (docs/protocol.md). For now it answers
 * `hello` and `shutdown`; every other op gets a typed ENOSYS error. A
 * request that does not decode gets an error reply; a framing error closes
 * that connection only.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#include "agent.h"
#include "common/frame.h"
#include "common/proto.h"
#include "common/version.h"

int agent_vsock_listen(uint32_t port)
{
	struct sockaddr_vm sa = {
	    .svm_family = AF_VSOCK,
	    .svm_cid = VMADDR_CID_ANY,
	    .svm_port = port,
	};
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

int agent_serve(int lfd, void *(*fn)(void *))
{
	pthread_attr_t attr;
	pthread_t th;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE ||
			    errno == ENFILE || errno == ENOMEM) {
				/* Out of fds or memory: wait a little rather than spin. */
				if (errno != EINTR && errno != ECONNABORTED)
					usleep(10000);
				continue;
			}
			return -errno;
		}
		if (pthread_create(&th, &attr, fn, (void *)(intptr_t)fd) != 0)
			close(fd);
	}
}

static int reply_error(int fd, const struct proto_msg *req, int err, const char *msg)
{
	struct proto_msg r = {
	    .kind = PROTO_REPLY,
	    .id = req->id,
	    .op = req->op,
	    .err = err,
	    .error = (char *)msg,
	};

	return proto_send(fd, &r);
}

/* One request; 1 when the guest should power off once it is answered. */
static int handle(int fd, const struct proto_msg *req)
{
	struct proto_msg r = {.kind = PROTO_REPLY, .id = req->id, .op = req->op};
	char msg[128];

	switch (req->op) {
	case PROTO_OP_HELLO:
		if (req->body.hello.version != PROTO_VERSION) {
			snprintf(msg, sizeof(msg), "hello: this agent speaks protocol version %u",
				 PROTO_VERSION);
			return reply_error(fd, req, EPROTONOSUPPORT, msg);
		}
		r.body.hello.version = PROTO_VERSION;
		snprintf(r.body.hello.software, sizeof(r.body.hello.software), "%s", OZONE_VERSION);
		return proto_send(fd, &r);
	case PROTO_OP_SHUTDOWN:
		if (proto_send(fd, &r) < 0)
			return -1;
		return 1;
	default:
		snprintf(msg, sizeof(msg), "%s: not implemented yet", proto_op_name(req->op));
		return reply_error(fd, req, ENOSYS, msg);
	}
}

/*
 * The reply to `shutdown` is only queued in the guest's vsock layer when
 * send() returns: powering off at once can drop it. Half-close and give the
 * host up to 2 s to read it and close its end first.
 */
static void wait_peer_close(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char buf[256];

	shutdown(fd, SHUT_WR);
	while (poll(&p, 1, 2000) > 0 && read(fd, buf, sizeof(buf)) > 0)
		;
}

static void *control_conn(void *arg)
{
	int fd = (int)(intptr_t)arg;

	for (;;) {
		struct proto_msg m;
		char *payload = NULL;
		size_t len;
		int ret = frame_read(fd, &payload, &len);

		if (ret < 0 || !payload)
			break; /* end of stream, or the frames lost their boundaries */
		ret = proto_decode(payload, len, &m);
		free(payload);
		if (ret < 0)
			ret = reply_error(fd, &m, -ret, "request does not decode");
		else if (m.kind != PROTO_REQUEST)
			ret = reply_error(fd, &m, EBADMSG, "expected a request");
		else
			ret = handle(fd, &m);
		proto_msg_free(&m);
		if (ret == 1) {
			agent_log("shutdown requested");
			wait_peer_close(fd);
			close(fd);
			agent_poweroff();
		}
		if (ret < 0)
			break;
	}
	close(fd);
	return NULL;
}

static void *control_listener(void *arg)
{
	int ret = agent_serve((int)(intptr_t)arg, control_conn);

	agent_log("control listener stopped: %s", strerror(-ret));
	return NULL;
}

int control_start(void)
{
	pthread_t th;
	int fd = agent_vsock_listen(PROTO_AGENT_PORT);

	if (fd < 0)
		return fd;
	if (pthread_create(&th, NULL, control_listener, (void *)(intptr_t)fd) != 0) {
		close(fd);
		return -EAGAIN;
	}
	pthread_detach(th);
	return 0;
}
