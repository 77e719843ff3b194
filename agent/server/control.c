/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control channel: port 1024 (PROTO_AGENT_PORT), each connection on a
 * thread of its own, speaking common/proto.h (docs/protocol.md). Every
 * request is answered exactly once: at once, or (wait) when the process
 * ends. A request that does not decode gets an error reply naming the
 * field; a framing error closes that connection only. Nothing a host sends
 * ends the agent except `shutdown`.
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

#include "agent/agent.h"
#include "common/error.h"
#include "common/frame.h"
#include "common/proto.h"
#include "common/version.h"
#include "control.h"
#include "notify.h"
#include "ops.h"
#include "transport.h"

static int reply_error(struct agent_conn *c, const struct proto_msg *req, int err, const char *msg)
{
	struct proto_msg r = {
	    .kind = PROTO_REPLY,
	    .id = req->id,
	    .op = req->op,
	    .err = err > 0 && err <= 4095 ? err : EIO,
	    .error = (char *)msg,
	};

	return conn_send(c, &r);
}

static int op_hello(const struct proto_msg *req, struct proto_msg *r)
{
	if (req->body.hello.version != PROTO_VERSION)
		return err_setx(EPROTONOSUPPORT, "hello: this agent speaks protocol version %u",
				PROTO_VERSION);
	r->body.hello.version = PROTO_VERSION;
	snprintf(r->body.hello.software, sizeof(r->body.hello.software), "%s", OZONE_VERSION);
	return 0;
}

static int dispatch(struct agent_conn *c, const struct proto_msg *req, struct proto_msg *r)
{
	switch (req->op) {
	case PROTO_OP_HELLO:
		return op_hello(req, r);
	case PROTO_OP_CREATE:
		return ops_create(req, r);
	case PROTO_OP_START:
		return ops_start(req, r);
	case PROTO_OP_EXEC:
		return ops_exec(req, r);
	case PROTO_OP_SIGNAL:
		return ops_signal(req, r);
	case PROTO_OP_WAIT:
		return ops_wait(c, req, r);
	case PROTO_OP_CLOSE_STDIN:
		return ops_close_stdin(req, r);
	case PROTO_OP_RESIZE:
		return ops_resize(req, r);
	case PROTO_OP_PS:
		return ops_ps(req, r);
	case PROTO_OP_STATS:
		return ops_stats(req, r);
	case PROTO_OP_PAUSE:
	case PROTO_OP_RESUME:
		return ops_freeze(req, r);
	case PROTO_OP_UPDATE:
		return ops_update(req, r);
	case PROTO_OP_DESTROY:
		return ops_destroy(req, r);
	case PROTO_OP_NETWORK:
		return ops_network(req, r);
	case PROTO_OP_SHUTDOWN:
		return 0;
	default:
		return err_setx(EOPNOTSUPP, "op %d: unknown", (int)req->op);
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

static _Noreturn void do_shutdown(struct agent_conn *c)
{
	agent_log("shutdown requested");
	if (agent_host_mode) {
		ops_destroy_all();
		transport_cleanup();
		exit(0);
	}
	wait_peer_close(conn_fd(c));
	agent_poweroff();
}

/* One request; true when the agent should shut down once it is answered. */
static bool handle(struct agent_conn *c, const struct proto_msg *req)
{
	struct proto_msg r = {.kind = PROTO_REPLY, .id = req->id, .op = req->op};
	int ret = dispatch(c, req, &r);

	if (ret == OPS_REPLY_LATER)
		return false;
	if (ret < 0) {
		agent_debug("%s", err_msg());
		reply_error(c, req, -ret, err_msg());
		return false;
	}
	conn_send(c, &r);
	if (req->op == PROTO_OP_PS)
		proto_pids_free(&r.body.pids);
	return req->op == PROTO_OP_SHUTDOWN;
}

static void *control_conn(void *arg)
{
	struct agent_conn *c = conn_open((int)(intptr_t)arg);

	if (!c) {
		close((int)(intptr_t)arg);
		return NULL;
	}
	for (;;) {
		struct proto_msg m;
		char *payload = NULL;
		size_t len;
		bool stop = false;
		int ret = frame_read(conn_fd(c), &payload, &len);

		if (ret < 0 || !payload)
			break; /* end of stream, or the frames lost their boundaries */
		ret = proto_decode(payload, len, &m);
		free(payload);
		if (ret < 0)
			reply_error(c, &m, -ret, err_msg());
		else if (m.kind != PROTO_REQUEST)
			reply_error(c, &m, EBADMSG, "expected a request");
		else
			stop = handle(c, &m);
		proto_msg_free(&m);
		if (stop)
			do_shutdown(c);
	}
	conn_close(c);
	return NULL;
}

int control_start(void)
{
	return transport_listen(PROTO_AGENT_PORT, control_conn);
}
