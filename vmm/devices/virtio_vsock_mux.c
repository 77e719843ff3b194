/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-vsock: the unix socket side (the hybrid interface of Firecracker
 * and Cloud Hypervisor). A host program connects to the listener and writes
 * "CONNECT <port>\n"; once the guest accepts, it reads "OK <host port>\n"
 * and the streams are joined. A guest connection to host port P is joined
 * to a connection to "<path>_P". Every socket is non-blocking and handled
 * on the event loop thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/error.h"
#include "devices/virtio_vsock_conn.h"

/* epoll key of the listener; connections use slot | generation << 32 (generation >= 1). */
#define LISTENER_KEY UINT64_MAX

static int unix_addr(struct sockaddr_un *sa, const char *path)
{
	*sa = (struct sockaddr_un){.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

int vsock_mux_init(struct vsock *vs, const char *path)
{
	struct sockaddr_un sa;
	struct stat st;

	vs->listen_fd = -1;
	vs->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (vs->epfd < 0)
		return err_set(errno, "virtio-vsock: epoll_create1");
	if (!path)
		return 0;
	if (unix_addr(&sa, path) < 0)
		return err_setx(ENAMETOOLONG, "--vsock-socket %s: path too long", path);
	vs->path = strdup(path);
	if (!vs->path)
		return err_set(ENOMEM, "virtio-vsock: allocate path");
	/* A socket left by an earlier run would make bind() fail: replace it, nothing else. */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	vs->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (vs->listen_fd < 0)
		return err_set(errno, "--vsock-socket: socket");
	if (bind(vs->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = errno;

		free(vs->path);
		vs->path = NULL; /* not ours to unlink */
		return err_set(err, "--vsock-socket %s: bind", path);
	}
	if (listen(vs->listen_fd, 128) < 0)
		return err_set(errno, "--vsock-socket %s: listen", path);
	if (epoll_ctl(vs->epfd, EPOLL_CTL_ADD, vs->listen_fd,
		      &(struct epoll_event){.events = EPOLLIN, .data.u64 = LISTENER_KEY}) < 0)
		return err_set(errno, "virtio-vsock: watch the listener");
	return 0;
}

void vsock_mux_fini(struct vsock *vs)
{
	if (vs->listen_fd >= 0)
		close(vs->listen_fd);
	vs->listen_fd = -1;
	if (vs->path)
		unlink(vs->path);
	free(vs->path);
	vs->path = NULL;
	if (vs->epfd >= 0)
		close(vs->epfd);
	vs->epfd = -1;
}

void vsock_mux_update(struct vsock *vs, struct vsock_conn *c)
{
	uint32_t ev = 0;

	if (c->fd < 0 || c->hup)
		goto apply;
	switch (c->state) {
	case VSOCK_LINE:
		ev = EPOLLIN;
		break;
	case VSOCK_CONNECTED:
		/* No credit from the guest: leave the data in the host socket (backpressure). */
		if (!c->readable && !c->host_eof && !c->guest_shut_rcv &&
		    vsock_conn_peer_credit(c) > 0)
			ev |= EPOLLIN;
		if (c->buf_len)
			ev |= EPOLLOUT;
		break;
	default:
		break;
	}
apply:
	if (c->fd < 0)
		return;
	if (c->hup) {
		/* A hung-up socket reports EPOLLHUP whatever the mask: take it out of the set. */
		if (c->registered)
			epoll_ctl(vs->epfd, EPOLL_CTL_DEL, c->fd, NULL);
		c->registered = false;
		return;
	}
	if (c->registered && ev == c->events)
		return;
	struct epoll_event e = {.events = ev, .data.u64 = vsock_conn_key(c)};

	if (epoll_ctl(vs->epfd, c->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd, &e) == 0) {
		c->registered = true;
		c->events = ev;
	}
}

int vsock_host_accept(struct vsock *vs, int fd)
{
	struct vsock_conn *c;
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		close(fd);
		return -EBADF;
	}
	c = vsock_conn_new(vs, fd, VSOCK_LINE);
	if (!c) {
		close(fd);
		return -ENOSPC;
	}
	vsock_mux_update(vs, c);
	if (!c->registered) {
		vsock_conn_free(vs, c);
		return -EIO;
	}
	return 0;
}

static void on_listener(struct vsock *vs)
{
	/* A bounded batch per event: a flood of connects cannot hold the loop. */
	for (int i = 0; i < 64; i++) {
		int fd = accept4(vs->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		vsock_host_accept(vs, fd);
	}
}

/* "CONNECT <port>" (without the newline): the port, or -EINVAL. */
static int64_t parse_connect(const char *line, unsigned len)
{
	static const char verb[] = "CONNECT ";
	uint64_t port = 0;
	unsigned i = sizeof(verb) - 1;

	if (len <= i || memcmp(line, verb, i) != 0)
		return -EINVAL;
	for (; i < len; i++) {
		if (line[i] < '0' || line[i] > '9')
			return -EINVAL;
		port = port * 10 + (uint64_t)(line[i] - '0');
		if (port > 0xfffffffeu)
			return -EINVAL;
	}
	return (int64_t)port;
}

static void on_line(struct vsock *vs, struct vsock_conn *c)
{
	char peek[VSOCK_LINE_MAX];
	unsigned room = VSOCK_LINE_MAX - c->line_len;
	ssize_t n = recv(c->fd, peek, room, MSG_PEEK | MSG_DONTWAIT);
	char *nl;
	size_t take;
	int64_t port;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		vsock_conn_free(vs, c);
		return;
	}
	/* Consume up to the newline only: bytes after it are stream data. */
	nl = memchr(peek, '\n', (size_t)n);
	take = nl ? (size_t)(nl - peek) + 1 : (size_t)n;
	if (recv(c->fd, c->line + c->line_len, take, MSG_DONTWAIT) != (ssize_t)take) {
		vsock_conn_free(vs, c);
		return;
	}
	c->line_len += take;
	if (!nl) {
		if (c->line_len == VSOCK_LINE_MAX)
			vsock_conn_free(vs, c);
		return;
	}
	port = parse_connect(c->line, c->line_len - 1);
	c->host_port = vsock_conn_alloc_port(vs);
	if (port < 0 || !c->host_port) {
		vsock_conn_free(vs, c);
		return;
	}
	c->guest_port = (uint32_t)port;
	c->state = VSOCK_REQUESTED;
	c->pending = VSOCK_PEND_REQUEST;
	vsock_mux_update(vs, c);
}

int vsock_mux_connected(struct vsock *vs, struct vsock_conn *c)
{
	char ok[32];
	int len = snprintf(ok, sizeof(ok), "OK %u\n", c->host_port);

	/* A fresh socket has room for a dozen bytes; if not, the host side is broken. */
	ssize_t n = send(c->fd, ok, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n != len) {
		int e = n < 0 ? errno : EAGAIN;

		vsock_conn_reset(vs, c);
		return -e;
	}
	c->state = VSOCK_CONNECTED;
	vsock_mux_update(vs, c);
	return 0;
}

int vsock_mux_connect(struct vsock *vs, uint32_t port)
{
	struct sockaddr_un sa;
	char path[sizeof(sa.sun_path) + 16];
	int fd, ret;

	if (!vs->path)
		return -ECONNREFUSED; /* no socket: nothing on the host listens */
	snprintf(path, sizeof(path), "%s_%u", vs->path, port);
	ret = unix_addr(&sa, path);
	if (ret < 0)
		return ret;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* Unix stream connects complete at once or fail (EAGAIN: backlog full). */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

/* Writes from the connection's buffer; -errno if the connection was reset. */
static int flush(struct vsock *vs, struct vsock_conn *c)
{
	while (c->buf_len) {
		ssize_t n = send(c->fd, c->buf, c->buf_len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			int e = n < 0 ? errno : EPIPE;

			vsock_conn_reset(vs, c);
			return -e;
		}
		memmove(c->buf, c->buf + n, c->buf_len - (size_t)n);
		c->buf_len -= (uint32_t)n;
		c->fwd_cnt += (uint32_t)n;
	}
	if (!c->buf_len) {
		free(c->buf);
		c->buf = NULL;
	}
	vsock_conn_credit_check(c);
	return 0;
}

int vsock_mux_write(struct vsock *vs, struct vsock_conn *c, const uint8_t *data, uint32_t len)
{
	uint32_t done = 0;

	while (!c->buf_len && done < len) {
		ssize_t n = send(c->fd, data + done, len - done, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			int e = n < 0 ? errno : EPIPE;

			vsock_conn_reset(vs, c);
			return -e;
		}
		done += (uint32_t)n;
		c->fwd_cnt += (uint32_t)n;
	}
	if (done < len) {
		/* The caller checked the guest's credit: this stays within VSOCK_BUF_ALLOC. */
		if (!c->buf) {
			c->buf = malloc(VSOCK_BUF_ALLOC);
			if (!c->buf) {
				vsock_conn_reset(vs, c);
				return -ENOMEM;
			}
		}
		memcpy(c->buf + c->buf_len, data + done, len - done);
		c->buf_len += len - done;
	}
	vsock_conn_credit_check(c);
	vsock_mux_update(vs, c);
	return 0;
}

int vsock_mux_read(struct vsock *vs, struct vsock_conn *c, uint8_t *buf, uint32_t len)
{
	for (;;) {
		ssize_t n = recv(c->fd, buf, len, MSG_DONTWAIT);

		if (n > 0)
			return (int)n;
		if (n < 0 && errno == EINTR)
			continue;
		c->readable = false;
		if (n < 0 && errno == EAGAIN) {
			vsock_mux_update(vs, c);
			return 0;
		}
		if (n < 0) {
			int e = errno;

			vsock_conn_reset(vs, c);
			return -e;
		}
		/* End of stream: the host sends no more. */
		c->host_eof = true;
		c->pending |= VSOCK_PEND_SHUTDOWN;
		vsock_mux_update(vs, c);
		return 0;
	}
}

void vsock_mux_progress(struct vsock *vs, struct vsock_conn *c)
{
	if (c->state != VSOCK_CONNECTED)
		return;
	if (c->guest_shut_send && !c->buf_len && !c->host_wr_shut) {
		shutdown(c->fd, SHUT_WR);
		c->host_wr_shut = true;
	}
	/* Both directions done: close, and tell the guest with an RST (as Linux expects). */
	if (c->host_wr_shut && (c->guest_shut_rcv || (c->host_eof && c->shutdown_sent)))
		vsock_conn_reset(vs, c);
	else
		vsock_mux_update(vs, c);
}

void vsock_mux_event(struct vsock *vs, uint64_t key, uint32_t events)
{
	struct vsock_conn *c;

	if (key == LISTENER_KEY) {
		on_listener(vs);
		return;
	}
	c = vsock_conn_by_key(vs, key);
	if (!c || c->fd < 0)
		return;
	switch (c->state) {
	case VSOCK_LINE:
		on_line(vs, c);
		return;
	case VSOCK_REQUESTED:
		/* The host gave up before the guest answered. */
		if (events & (EPOLLHUP | EPOLLERR))
			vsock_conn_reset(vs, c);
		return;
	case VSOCK_CONNECTED:
		break;
	default:
		return;
	}
	if (events & EPOLLERR) {
		vsock_conn_reset(vs, c);
		return;
	}
	if ((events & EPOLLOUT) && c->buf_len) {
		if (flush(vs, c) < 0)
			return;
		vsock_mux_progress(vs, c);
		if (c->state != VSOCK_CONNECTED)
			return;
	}
	if (events & EPOLLHUP) {
		/* Gone both ways: what it did not take cannot be delivered. */
		if (c->buf_len) {
			vsock_conn_reset(vs, c);
			return;
		}
		c->hup = true;
	}
	/* Reading waits for the rx queue: mark it, stop watching until a read says EAGAIN. */
	if (events & (EPOLLIN | EPOLLHUP))
		c->readable = true;
	vsock_mux_update(vs, c);
}
