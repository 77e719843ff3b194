/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The agent's listeners (transport.h). vsock: one listening socket and one
 * accept thread per port. Hybrid: one unix listener; each connection gets a
 * thread that reads the CONNECT line byte by byte (so no stream byte after
 * the newline is taken), looks the port up and becomes that port's
 * connection.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#include "agent/agent.h"
#include "common/error.h"
#include "transport.h"

#define PORTS_MAX 4096
/* "CONNECT 4294967294\n" fits; the VMM takes at most 32 bytes with the newline. */
#define CONNECT_LINE_MAX 32
/* A client that opens a connection and never sends its CONNECT line is dropped. */
#define CONNECT_TIMEOUT_S 30

struct port {
	uint32_t port;
	void *(*fn)(void *);
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct port ports[PORTS_MAX];
static size_t n_ports;
static int hybrid_fd = -1;
static char hybrid_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static uint32_t next_host_port = 1u << 30;

/* A vsock stream listener on `port` of any CID; the fd or -errno. */
static int vsock_listen(uint32_t port)
{
	struct sockaddr_vm sa = {
	    .svm_family = AF_VSOCK,
	    .svm_cid = VMADDR_CID_ANY,
	    .svm_port = port,
	};
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 128) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

/* Accepts on `lfd` for ever, each connection on a detached thread running fn(fd). */
static int serve(int lfd, void *(*fn)(void *))
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

struct vsock_listener {
	int fd;
	void *(*fn)(void *);
	uint32_t port;
};

static void *vsock_accept_thread(void *arg)
{
	struct vsock_listener l = *(struct vsock_listener *)arg;
	int ret;

	free(arg);
	ret = serve(l.fd, l.fn);
	agent_logl(AGENT_ERROR, "vsock port %u: listener stopped: %s", l.port, strerror(-ret));
	return NULL;
}

static int vsock_start(uint32_t port, void *(*fn)(void *))
{
	struct vsock_listener *l = malloc(sizeof(*l));
	pthread_t th;
	int fd;

	if (!l)
		return -ENOMEM;
	fd = vsock_listen(port);
	if (fd < 0) {
		free(l);
		return fd;
	}
	*l = (struct vsock_listener){.fd = fd, .fn = fn, .port = port};
	if (pthread_create(&th, NULL, vsock_accept_thread, l) != 0) {
		close(fd);
		free(l);
		return -EAGAIN;
	}
	pthread_detach(th);
	return 0;
}

static struct port *port_find(uint32_t port)
{
	for (size_t i = 0; i < n_ports; i++)
		if (ports[i].port == port)
			return &ports[i];
	return NULL;
}

int transport_listen(uint32_t port, void *(*fn)(void *))
{
	int ret = 0;

	pthread_mutex_lock(&lock);
	if (port_find(port))
		goto out;
	if (n_ports == PORTS_MAX) {
		ret = err_setx(ENOSPC, "vsock port %u: the agent already listens on %d ports", port,
			       PORTS_MAX);
		goto out;
	}
	if (hybrid_fd < 0) {
		ret = vsock_start(port, fn);
		if (ret < 0) {
			err_set(-ret, "listen on vsock port %u", port);
			goto out;
		}
	}
	ports[n_ports++] = (struct port){.port = port, .fn = fn};
out:
	pthread_mutex_unlock(&lock);
	return ret;
}

/* "CONNECT <port>": decimal, no sign, no blanks, no leading junk; 1..4294967294. */
static int parse_connect(const char *line, uint32_t *port)
{
	const char *p = line + strlen("CONNECT ");
	uint64_t v = 0;

	if (strncmp(line, "CONNECT ", strlen("CONNECT ")) != 0 || !*p)
		return -EINVAL;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > 0xfffffffeu)
			return -EINVAL;
	}
	*port = (uint32_t)v;
	return 0;
}

static int read_connect_line(int fd, char *line, size_t size)
{
	size_t n = 0;

	while (n < size - 1) {
		ssize_t r = read(fd, line + n, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -EPROTO;
		if (line[n] == '\n') {
			line[n] = '\0';
			return 0;
		}
		n++;
	}
	return -EPROTO;
}

static void *hybrid_conn(void *arg)
{
	int fd = (int)(intptr_t)arg;
	struct timeval tv = {.tv_sec = CONNECT_TIMEOUT_S};
	char line[CONNECT_LINE_MAX + 1], ok[32];
	void *(*fn)(void *) = NULL;
	uint32_t port, host_port = 0;
	struct port *p;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (read_connect_line(fd, line, sizeof(line)) < 0 || parse_connect(line, &port) < 0)
		goto drop;
	pthread_mutex_lock(&lock);
	p = port_find(port);
	if (p) {
		fn = p->fn;
		host_port = next_host_port++;
		if (next_host_port == 0)
			next_host_port = 1u << 30;
	}
	pthread_mutex_unlock(&lock);
	if (!fn)
		goto drop; /* nobody listens there: closed unanswered, like the VMM */
	tv.tv_sec = 0;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	snprintf(ok, sizeof(ok), "OK %u\n", host_port);
	if (send(fd, ok, strlen(ok), MSG_NOSIGNAL) != (ssize_t)strlen(ok))
		goto drop;
	return fn((void *)(intptr_t)fd);
drop:
	close(fd);
	return NULL;
}

static void *hybrid_accept_thread(void *arg)
{
	int ret = serve((int)(intptr_t)arg, hybrid_conn);

	agent_logl(AGENT_ERROR, "%s: listener stopped: %s", hybrid_path, strerror(-ret));
	return NULL;
}

int transport_use_hybrid(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	pthread_t th;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return err_setx(ENAMETOOLONG, "%s: socket path too long", path);
	strcpy(sa.sun_path, path);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return err_setx(EEXIST, "%s: exists and is not a socket", path);
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(errno, "socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 256) < 0) {
		int err = errno;

		close(fd);
		return err_set(err, "%s", path);
	}
	pthread_mutex_lock(&lock);
	hybrid_fd = fd;
	strcpy(hybrid_path, path);
	pthread_mutex_unlock(&lock);
	if (pthread_create(&th, NULL, hybrid_accept_thread, (void *)(intptr_t)fd) != 0) {
		unlink(path);
		return err_setx(EAGAIN, "cannot start the listener thread");
	}
	pthread_detach(th);
	return 0;
}

void transport_cleanup(void)
{
	pthread_mutex_lock(&lock);
	if (hybrid_fd >= 0 && hybrid_path[0])
		unlink(hybrid_path);
	pthread_mutex_unlock(&lock);
}
