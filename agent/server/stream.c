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

#include "agent/agent.h"
#include "common/error.h"
#include "common/frame.h"
#include "common/proto_stream.h"
#include "common/util.h"
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

int stdio_make_fds(const struct proto_fds *f, struct agent_proc *p, struct ctr_stdio *cs)
{
	uint32_t n = f->count;

	if (n > PROTO_FDS_MAX)
		return err_setx(EINVAL, "fds: more than %d", PROTO_FDS_MAX);
	for (uint32_t i = 0; i < n; i++) {
		int fds[2], ret;

		/* fds[0] goes to the process: the read end for IN, the write end for OUT. */
		if (f->dir[i] == PROTO_FD_INOUT)
			ret = socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds);
		else if (f->dir[i] == PROTO_FD_IN || f->dir[i] == PROTO_FD_OUT)
			ret = pipe2(fds, O_CLOEXEC);
		else
			ret = (errno = EINVAL, -1);
		if (ret < 0) {
			int err = errno;

			for (uint32_t k = 0; k < i; k++) {
				close(cs->extra[k]);
				agent_proc_close_xfd(p, k);
				p->xwant[k] = false;
			}
			cs->n_extra = 0;
			p->n_xfd = 0;
			return err_set(err, "fd %u", 3 + i);
		}
		if (f->dir[i] == PROTO_FD_OUT) {
			int t = fds[0];

			fds[0] = fds[1];
			fds[1] = t;
		}
		cs->extra[i] = fds[0];
		p->xfd[i] = fds[1];
		p->xdir[i] = f->dir[i];
		p->xwant[i] = true;
	}
	cs->n_extra = n;
	p->n_xfd = n;
	return 0;
}

void stdio_close_child(struct ctr_stdio *cs)
{
	for (int i = 0; i < 3; i++)
		if (cs->fd[i] >= 0)
			close(cs->fd[i]);
	for (unsigned i = 0; i < cs->n_extra && i < PROTO_FDS_MAX; i++)
		close(cs->extra[i]);
	*cs = (struct ctr_stdio){.fd = {-1, -1, -1}};
}

void stdio_set_console(struct agent_proc *p, int master)
{
	if (master < 0)
		return;
	p->fd[PROTO_STREAM_TTY] = master;
	p->want[PROTO_STREAM_TTY] = true;
}

/* Exactly len bytes: 0, -EPROTO at the end of the stream, or -errno. */
static int read_exact(int fd, void *buf, size_t len)
{
	ssize_t n = read_full(fd, buf, len);

	if (n < 0)
		return (int)n;
	return (size_t)n < len ? -EPROTO : 0;
}

/* All of buf to a socket, with MSG_NOSIGNAL (write_all() is for the process's fds). */
static int send_all(int sock, const void *buf, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = send(sock, (const char *)buf + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? -EIO : -errno;
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

	if ((ret = read_exact(fd, hdr, sizeof(hdr))) < 0)
		return err_setx(-ret, "stream header: end of stream");
	len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
	if ((ret = frame_check_len(len, PROTO_STREAM_HDR_MAX)) < 0)
		return err_setx(-ret, "stream header: a frame of %u bytes (at most %d)", len,
				PROTO_STREAM_HDR_MAX);
	if ((ret = read_exact(fd, buf, len)) < 0)
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
	else if (h->kind == PROTO_STREAM_FD && (h->index >= p->n_xfd || !p->xwant[h->index]))
		ret =
		    err_setx(EBADSLT, "stream fd %u of %s%s%s: not announced or already connected",
			     3 + h->index, h->container_id, h->exec_id[0] ? "/" : "", h->exec_id);
	else if (h->kind != PROTO_STREAM_FD && !p->want[h->kind])
		ret = err_setx(EBADSLT, "stream %s of %s%s%s: not announced or already connected",
			       name, h->container_id, h->exec_id[0] ? "/" : "", h->exec_id);
	if (ret == 0 && h->kind == PROTO_STREAM_FD) {
		p->xwant[h->index] = false;
		agent_proc_get(p);
		*pp = p;
	} else if (ret == 0) {
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
		if (n <= 0 || send_all(sock, buf, (size_t)n) < 0)
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
		if (fd >= 0 && write_all(fd, buf, (size_t)n) < 0)
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

/* Copies from one fd to another until the end of from, or until to fails. */
static void copy_until_end(int from, bool from_sock, int to, bool to_sock)
{
	char *buf = malloc(RELAY_BUF);

	while (buf) {
		ssize_t n = from_sock ? recv(from, buf, RELAY_BUF, 0) : read(from, buf, RELAY_BUF);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 ||
		    (to_sock ? send_all(to, buf, (size_t)n) : write_all(to, buf, (size_t)n)) < 0)
			break;
	}
	free(buf);
}

struct fd_in {
	int sock, fd;
};

static void *fd_in_thread(void *arg)
{
	struct fd_in *t = arg;

	copy_until_end(t->sock, true, t->fd, true);
	/* The host's end of input: the process reads the end, and may still write. */
	shutdown(t->fd, SHUT_WR);
	return NULL;
}

/*
 * An extra fd: IN copies the host's bytes into the pipe until the host's
 * end, then closes it (the process reads EOF); OUT copies the process's
 * bytes to the host until every writer is gone, then half-closes (the
 * host reads EOF); INOUT does both at once over the socketpair, each way
 * ending on its own.
 */
static void relay_fd(struct agent_proc *p, uint32_t i, int sock)
{
	int fd = p->xfd[i];
	struct fd_in t = {.sock = sock, .fd = fd};
	pthread_t th;
	bool in;

	switch (p->xdir[i]) {
	case PROTO_FD_IN:
		copy_until_end(sock, true, fd, false);
		break;
	case PROTO_FD_OUT:
		copy_until_end(fd, false, sock, true);
		shutdown(sock, SHUT_WR);
		break;
	case PROTO_FD_INOUT:
		in = pthread_create(&th, NULL, fd_in_thread, &t) == 0;
		copy_until_end(fd, true, sock, true);
		shutdown(sock, SHUT_WR);
		if (in)
			pthread_join(th, NULL);
		break;
	default:
		break;
	}
	pthread_mutex_lock(&agent_lock);
	agent_proc_close_xfd(p, i);
	pthread_mutex_unlock(&agent_lock);
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
	if (h.kind == PROTO_STREAM_FD)
		agent_debug("stream fd %u of %s%s%s connected", 3 + h.index, h.container_id,
			    h.exec_id[0] ? "/" : "", h.exec_id);
	else
		agent_debug("stream %s of %s%s%s connected", proto_stream_name(h.kind),
			    h.container_id, h.exec_id[0] ? "/" : "", h.exec_id);
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
	case PROTO_STREAM_FD:
		relay_fd(p, h.index, sock);
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

int stdio_listen(const struct proto_stdio *s, const struct proto_fds *f)
{
	const uint32_t ports[5] = {s->stdin_port, s->stdout_port, s->stderr_port, s->tty_port,
				   f->count ? f->port : 0};

	for (int i = 0; i < 5; i++) {
		int ret = ports[i] ? transport_listen(ports[i], stream_conn) : 0;

		if (ret < 0)
			return ret;
	}
	return 0;
}
