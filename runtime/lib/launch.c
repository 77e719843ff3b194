/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/lib/launch.h"
#include "runtime/lib/preserve_fds.h"
#include "runtime/lib/proxy.h"
#include "common/cleanup.h"
#include "common/error.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* runc sends the master with the name of the file it opened, as the message's data. */
#define CONSOLE_MASTER_NAME "/dev/ptmx"

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

void launch_init(struct launch *l)
{
	memset(&l->stdio, 0, sizeof(l->stdio));
	l->stdin_fd = l->stdout_fd = l->stderr_fd = l->tty_fd = l->pty_slave = -1;
	l->conn.fd = -1;
	memset(&l->fds, 0, sizeof(l->fds));
	for (int i = 0; i < PROTO_FDS_MAX; i++)
		l->fd_sock[i] = -1;
	if (l->terminal) {
		l->stdio.tty_port = PROTO_STREAM_PORT;
		return;
	}
	/* A closed fd gets no stream: the process sees /dev/null there. */
	if (fd_open(STDIN_FILENO))
		l->stdio.stdin_port = PROTO_STREAM_PORT;
	if (fd_open(STDOUT_FILENO))
		l->stdio.stdout_port = PROTO_STREAM_PORT;
	if (fd_open(STDERR_FILENO))
		l->stdio.stderr_port = PROTO_STREAM_PORT;
}

int launch_preserve_fds(struct launch *l, long long n)
{
	int ret = preserve_fds_check(n, &l->fds);

	if (ret < 0)
		return ret;
	if (l->fds.count)
		l->fds.port = PROTO_STREAM_PORT;
	return 0;
}

static int console_send(const char *path, int master)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char data[] = CONSOLE_MASTER_NAME;
	struct iovec iov = {.iov_base = data, .iov_len = strlen(data)};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf)};
	struct cmsghdr *c;
	int fd, ret = 0;

	if (strlen(path) >= sizeof(sa.sun_path))
		return err_setx(ENAMETOOLONG, "console socket path too long: %s", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(errno, "socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = err_set(errno, "connect to console socket %s", path);
		close(fd);
		return ret;
	}
	memset(ctl.buf, 0, sizeof(ctl.buf));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &master, sizeof(int));
	while (sendmsg(fd, &msg, MSG_NOSIGNAL) < 0) {
		if (errno != EINTR) {
			ret = err_set(errno, "send the console to %s", path);
			break;
		}
	}
	close(fd);
	return ret;
}

/* A host pty: the master goes to the console socket, the slave to the proxy. */
static int console_setup(struct launch *l)
{
	char name[64];
	int master, ret;

	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return err_set(errno, "open /dev/ptmx");
	if (grantpt(master) < 0 || unlockpt(master) < 0 || ptsname_r(master, name, sizeof(name))) {
		ret = err_set(errno, "pty");
		close(master);
		return ret;
	}
	l->pty_slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (l->pty_slave < 0) {
		ret = err_set(errno, "open %s", name);
		close(master);
		return ret;
	}
	/* process.consoleSize, until the client sets its own. */
	if (l->rows && l->cols) {
		struct winsize ws = {.ws_row = l->rows, .ws_col = l->cols};

		ioctl(l->pty_slave, TIOCSWINSZ, &ws);
	}
	ret = console_send(l->console_socket, master);
	close(master);
	return ret;
}

int launch_connect(struct launch *l, const char *sock)
{
	int timeout = 30000, ret;

	for (uint32_t i = 0; i < l->fds.count; i++) {
		l->fd_sock[i] = agent_stream_fd(sock, l->container_id, l->exec_id, i, timeout);
		if (l->fd_sock[i] < 0)
			return l->fd_sock[i];
	}
	if (l->stdio.tty_port) {
		l->tty_fd =
		    agent_stream(sock, l->container_id, l->exec_id, PROTO_STREAM_TTY, timeout);
		if (l->tty_fd < 0)
			return l->tty_fd;
		if (l->console_socket) {
			ret = console_setup(l);
			if (ret < 0)
				return ret;
		}
		return 0;
	}
	if (l->stdio.stdin_port) {
		l->stdin_fd =
		    agent_stream(sock, l->container_id, l->exec_id, PROTO_STREAM_STDIN, timeout);
		if (l->stdin_fd < 0)
			return l->stdin_fd;
	}
	if (l->stdio.stdout_port) {
		l->stdout_fd =
		    agent_stream(sock, l->container_id, l->exec_id, PROTO_STREAM_STDOUT, timeout);
		if (l->stdout_fd < 0)
			return l->stdout_fd;
	}
	if (l->stdio.stderr_port) {
		l->stderr_fd =
		    agent_stream(sock, l->container_id, l->exec_id, PROTO_STREAM_STDERR, timeout);
		if (l->stderr_fd < 0)
			return l->stderr_fd;
	}
	return 0;
}

static void launch_opts(struct launch *l, struct proxy_opts *o, int ready_fd)
{
	*o = (struct proxy_opts){
	    .container_id = l->container_id,
	    .exec_id = l->exec_id,
	    .control = &l->conn,
	    .stdin_fd = l->stdin_fd,
	    .stdout_fd = l->stdout_fd,
	    .stderr_fd = l->stderr_fd,
	    .tty_fd = l->tty_fd,
	    .pty_slave = l->pty_slave,
	    .foreground = !l->detach,
	    .ready_fd = ready_fd,
	    .fds = &l->fds,
	    .fd_sock = l->fd_sock,
	};
}

/* In the forked proxy: closes every fd but stdio, the ones it relays, and the log. */
static void launch_close_others(const int *keep, size_t n, const struct launch *l)
{
	DIR *d = opendir("/proc/self/fd");
	int fds[1024], count = 0;
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)) && count < (int)(ARRAY_SIZE(fds))) {
		int fd = atoi(de->d_name);
		bool kept = fd <= 2 || fd == dirfd(d) || de->d_name[0] == '.';

		for (size_t i = 0; i < n && !kept; i++)
			kept = keep[i] == fd;
		/* The caller's extra fds and their streams. */
		kept |= fd >= PRESERVE_FDS_FIRST && fd < PRESERVE_FDS_FIRST + (int)l->fds.count;
		for (uint32_t i = 0; i < l->fds.count && !kept; i++)
			kept = l->fd_sock[i] == fd;
		if (!kept)
			fds[count++] = fd;
	}
	closedir(d);
	for (int i = 0; i < count; i++)
		close(fds[i]);
}

/*
 * With a terminal of our own (--console-socket) the caller's stdio is not
 * the container's: the proxy lets go of it, or a caller that reads our
 * output to its end (containerd's shim, waiting for `create`) never sees
 * the end. A kept fd that happens to be 0, 1 or 2 stays.
 */
static void launch_stdio_to_null(const int *keep, size_t n)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null < 0)
		return;
	for (int fd = 0; fd <= 2; fd++) {
		bool kept = fd == null;

		for (size_t i = 0; i < n && !kept; i++)
			kept = keep[i] == fd;
		if (!kept)
			dup2(null, fd);
	}
	if (null > 2)
		close(null);
}

int launch_fork(struct launch *l, pid_t *pid)
{
	struct proxy_opts o;
	sigset_t old;
	char c = 0;
	int p[2], ret;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0)
		return err_set(errno, "pipe");
	/* Blocked before the fork, so that no signal sent to the new pid is lost. */
	sigprocmask(SIG_SETMASK, NULL, &old);
	proxy_block_signals();
	*pid = fork();
	if (*pid != 0)
		sigprocmask(SIG_SETMASK, &old, NULL);
	if (*pid < 0) {
		ret = err_set(errno, "fork");
		close(p[0]);
		close(p[1]);
		return ret;
	}
	if (*pid == 0) {
		int keep[] = {l->conn.fd, l->stdin_fd,	l->stdout_fd, l->stderr_fd,
			      l->tty_fd,  l->pty_slave, p[1],	      ozone_log_detach()};

		close(p[0]);
		launch_close_others(keep, ARRAY_SIZE(keep), l);
		if (l->pty_slave >= 0)
			launch_stdio_to_null(keep, ARRAY_SIZE(keep));
		/* Its own session: a signal to the caller's process group is not one to us. */
		setsid();
		/* Holding the caller's cwd (a bundle dir) would keep it busy for the container's
		 * life. */
		if (chdir("/") < 0)
			ozone_debug("proxy: chdir /: %s", strerror(errno));
		if (l->pty_slave >= 0 && ioctl(l->pty_slave, TIOCSCTTY, 0) < 0)
			ozone_debug("proxy: controlling terminal: %s", strerror(errno));
		launch_opts(l, &o, p[1]);
		exit(proxy_run(&o));
	}
	close(p[1]);
	while ((n = read(p[0], &c, 1)) < 0 && errno == EINTR)
		;
	close(p[0]);
	if (n != 1 || c != 'r') {
		kill(*pid, SIGKILL);
		return err_setx(ECHILD, "the proxy for %s did not start", l->container_id);
	}
	return 0;
}

int launch_run(struct launch *l)
{
	struct proxy_opts o;
	int status;

	launch_opts(l, &o, -1);
	status = proxy_run(&o);
	l->conn.fd = -1;
	launch_close(l);
	return status;
}

void launch_close(struct launch *l)
{
	int *fds[] = {&l->stdin_fd, &l->stdout_fd, &l->stderr_fd, &l->tty_fd, &l->pty_slave};

	agent_close(&l->conn);
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	for (int i = 0; i < PROTO_FDS_MAX; i++) {
		if (l->fd_sock[i] >= 0)
			close(l->fd_sock[i]);
		l->fd_sock[i] = -1;
	}
}

int launch_resize(struct agent_conn *c, const char *container_id, const char *exec_id, int fd)
{
	struct proto_msg req = {.op = PROTO_OP_RESIZE};
	struct winsize ws;

	if (fd < 0 || ioctl(fd, TIOCGWINSZ, &ws) < 0 || !ws.ws_row || !ws.ws_col)
		return 0;
	snprintf(req.body.resize.container_id, sizeof(req.body.resize.container_id), "%s",
		 container_id);
	snprintf(req.body.resize.exec_id, sizeof(req.body.resize.exec_id), "%s", exec_id);
	req.body.resize.rows = ws.ws_row;
	req.body.resize.cols = ws.ws_col;
	return agent_call(c, &req, NULL);
}

int launch_proxy_tty(pid_t pid)
{
	char dir[64], path[64 + 256], link[64];
	struct dirent *de;
	int fd = -1;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (!d)
		return -1;
	while (fd < 0 && (de = readdir(d))) {
		ssize_t n;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (!strncmp(link, "/dev/pts/", 9))
			fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	}
	closedir(d);
	return fd;
}

int launch_pidfile(const char *path, pid_t pid)
{
	char tmp[PATH_MAX], buf[32];
	_cleanup_close_ int fd = -1;
	int n, ret;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.ozone-tmp", path) >= sizeof(tmp))
		return err_setx(ENAMETOOLONG, "pid file path too long");
	n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return err_set(errno, "create pid file %s", tmp);
	if (write(fd, buf, n) != n) {
		ret = err_set(errno ? errno : EIO, "write pid file %s", tmp);
		goto fail;
	}
	close(take_fd(&fd));
	if (rename(tmp, path) < 0) {
		ret = err_set(errno, "rename pid file to %s", path);
		goto fail;
	}
	return 0;

fail:
	unlink(tmp);
	return ret;
}
