/* SPDX-License-Identifier: Apache-2.0 */
/* Stdio streams: pipes and ptys, the header that binds a connection, the relays (stream.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <termios.h>
#include <unistd.h>

#include "agent.h"
#include "common/error.h"
#include "common/frame.h"
#include "common/proto_stream.h"
#include "stream.h"
#include "transport.h"

/* A connection that does not send its header within this time is closed. */
#define HEADER_TIMEOUT_S 30
#define RELAY_BUF (64 * 1024)

int stdio_make(const struct proto_stdio *s, bool tty, struct agent_proc *p, struct ctr_stdio *cs)
{
	static const enum proto_stream_kind kinds[3] = {PROTO_STREAM_STDIN, PROTO_STREAM_STDOUT,
							PROTO_STREAM_STDERR};
	const uint32_t ports[3] = {s->stdin_port, s->stdout_port, s->stderr_port};

	*cs = (struct ctr_stdio){.fd = {-1, -1, -1}};
	/* The pty is made in the container (ctr.h); stdio_set_console takes its master. */
	if (tty) {
		p->tty = true;
		cs->terminal = true;
		return 0;
	}
	for (int i = 0; i < 3; i++) {
		int fds[2];

		if (!ports[i])
			continue;
		if (pipe2(fds, O_CLOEXEC) < 0) {
			int err = errno;

			stdio_close_child(cs);
			for (int k = 0; k < PROTO_STREAM_COUNT; k++) {
				agent_proc_close_fd(p, k);
				p->want[k] = false;
			}
			return err_set(err, "pipe");
		}
		/* stdin: the process reads fds[0]; stdout, stderr: it writes fds[1]. */
		cs->fd[i] = i == 0 ? fds[0] : fds[1];
		p->fd[kinds[i]] = i == 0 ? fds[1] : fds[0];
		p->want[kinds[i]] = true;
	}
	return 0;
}

void stdio_close_child(struct ctr_stdio *cs)
{
	for (int i = 0; i < 3; i++)
		if (cs->fd[i] >= 0)
			close(cs->fd[i]);
	*cs = (struct ctr_stdio){.fd = {-1, -1, -1}};
}

void stdio_set_console(struct agent_proc *p, int master)
{
	if (master < 0)
		return;
	p->fd[PROTO_STREAM_TTY] = master;
	p->want[PROTO_STREAM_TTY] = true;
}

static int read_full(int fd, void *buf, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = read(fd, (char *)buf + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? -EPROTO : -errno;
		off += (size_t)n;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t len, bool sock)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = sock ? send(fd, (const char *)buf + off, len - off, MSG_NOSIGNAL)
				 : write(fd, (const char *)buf + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -errno;
		off += (size_t)n;
	}
	return 0;
}

/* Reads exactly one header frame, no byte of the stream after it. */
static int read_header(int fd, struct proto_stream_hdr *h)
{
	uint8_t hdr[FRAME_HDR_LEN];
	char buf[PROTO_STREAM_HDR_MAX + 1];
	uint32_t len;
	int ret;

	if ((ret = read_full(fd, hdr, sizeof(hdr))) < 0)
		return err_setx(-ret, "stream header: end of stream");
	len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
	if ((ret = frame_check_len(len, PROTO_STREAM_HDR_MAX)) < 0)
		return err_setx(-ret, "stream header: a frame of %u bytes (at most %d)", len,
				PROTO_STREAM_HDR_MAX);
	if ((ret = read_full(fd, buf, len)) < 0)
		return err_setx(-ret, "stream header: end of stream inside the frame");
	buf[len] = '\0';
	return proto_stream_hdr_decode(buf, len, h);
}

static void send_ack(int fd, int err, const char *msg)
{
	struct proto_msg r = {.kind = PROTO_REPLY, .id = 0, .err = err, .error = (char *)msg};

	proto_send(fd, &r);
}

/* Binds the connection; on success the caller holds a reference to *pp. */
static int bind_stream(int sock, const struct proto_stream_hdr *h, struct agent_proc **pp)
{
	struct agent_ctr *c;
	struct agent_proc *p;
	const char *name = proto_stream_name(h->kind);
	int ret = 0;

	pthread_mutex_lock(&agent_lock);
	c = agent_ctr_find(h->container_id);
	p = c ? agent_proc_find(c, h->exec_id) : NULL;
	if (!c)
		ret = err_setx(ENOENT, "stream %s: no container '%s'", name, h->container_id);
	else if (!p)
		ret = err_setx(ENOENT, "stream %s: container '%s' has no process '%s'", name,
			       h->container_id, h->exec_id);
	else if (!p->want[h->kind])
		ret = err_setx(EBADSLT, "stream %s of %s%s%s: not announced or already connected",
			       name, h->container_id, h->exec_id[0] ? "/" : "", h->exec_id);
	if (ret == 0) {
		p->want[h->kind] = false;
		if (h->kind == PROTO_STREAM_STDIN)
			p->stdin_sock = sock;
		agent_proc_get(p);
		*pp = p;
	}
	pthread_mutex_unlock(&agent_lock);
	return ret;
}

/*
 * Process output to the host until the process side closes; then end of
 * stream. A plain copy: splice(2) from the pipe would save it (and does,
 * on a host-mode agent's unix socket: 1.1 -> 1.5 GiB/s), but the guest
 * kernel (6.1) sends each spliced page as a vsock packet of its own, and
 * in the test host neither splice nor a larger pipe and buffer moved the
 * guest's stdout rate (5-6 MiB/s, set by the vsock path in the VMM).
 */
static void relay_out(struct agent_proc *p, enum proto_stream_kind k, int sock)
{
	char *buf = malloc(RELAY_BUF);
	int fd = p->fd[k];

	while (buf && fd >= 0) {
		ssize_t n = read(fd, buf, RELAY_BUF);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || write_full(sock, buf, (size_t)n, true) < 0)
			break; /* end (EIO from a pty master whose slave is gone), or the host left
				*/
	}
	free(buf);
	shutdown(sock, k == PROTO_STREAM_TTY ? SHUT_RDWR : SHUT_WR);
}

/* Host input to the process until the host half-closes (or close_stdin). */
static void relay_in(struct agent_proc *p, enum proto_stream_kind k, int sock)
{
	char *buf = malloc(RELAY_BUF);
	int fd = p->fd[k];

	while (buf) {
		ssize_t n = recv(sock, buf, RELAY_BUF, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		/* stdin closed already (close_stdin before the stream came): drop the input. */
		if (fd >= 0 && write_full(fd, buf, (size_t)n, false) < 0)
			break;
	}
	free(buf);
}

struct tty_in {
	struct agent_proc *p;
	int sock;
};

static void *tty_in_thread(void *arg)
{
	struct tty_in *t = arg;

	relay_in(t->p, PROTO_STREAM_TTY, t->sock);
	return NULL;
}

static void relay_tty(struct agent_proc *p, int sock)
{
	struct tty_in t = {.p = p, .sock = sock};
	pthread_t th;
	bool in = pthread_create(&th, NULL, tty_in_thread, &t) == 0;

	relay_out(p, PROTO_STREAM_TTY, sock);
	if (in)
		pthread_join(th, NULL);
}

static void *stream_conn(void *arg)
{
	int sock = (int)(intptr_t)arg;
	struct timeval tv = {.tv_sec = HEADER_TIMEOUT_S};
	struct proto_stream_hdr h;
	struct agent_proc *p = NULL;
	int ret;

	setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ret = read_header(sock, &h);
	if (ret == 0)
		ret = bind_stream(sock, &h, &p);
	if (ret < 0) {
		agent_warn("%s", err_msg());
		send_ack(sock, -ret, err_msg());
		close(sock);
		return NULL;
	}
	tv.tv_sec = 0;
	setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	send_ack(sock, 0, NULL);
	agent_debug("stream %s of %s%s%s connected", proto_stream_name(h.kind), h.container_id,
		    h.exec_id[0] ? "/" : "", h.exec_id);
	switch (h.kind) {
	case PROTO_STREAM_STDIN:
		relay_in(p, h.kind, sock);
		pthread_mutex_lock(&agent_lock);
		p->stdin_sock = -1;
		agent_proc_close_fd(p, h.kind); /* the process sees end of input */
		pthread_mutex_unlock(&agent_lock);
		break;
	case PROTO_STREAM_STDOUT:
	case PROTO_STREAM_STDERR:
		relay_out(p, h.kind, sock);
		pthread_mutex_lock(&agent_lock);
		agent_proc_close_fd(p, h.kind);
		pthread_mutex_unlock(&agent_lock);
		break;
	case PROTO_STREAM_TTY:
		relay_tty(p, sock);
		break;
	default:
		break;
	}
	close(sock);
	pthread_mutex_lock(&agent_lock);
	agent_proc_put(p);
	pthread_mutex_unlock(&agent_lock);
	return NULL;
}

int stdio_listen(const struct proto_stdio *s)
{
	const uint32_t ports[4] = {s->stdin_port, s->stdout_port, s->stderr_port, s->tty_port};

	for (int i = 0; i < 4; i++) {
		int ret = ports[i] ? transport_listen(ports[i], stream_conn) : 0;

		if (ret < 0)
			return ret;
	}
	return 0;
}
