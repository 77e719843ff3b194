/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What `create`, `run` and `exec` share once the agent has a process to
 * make: which stdio streams to ask for, connecting them, the console
 * socket, and starting the proxy (forked and detached, or this process).
 */
#ifndef OZONE_RUNTIME_LAUNCH_H
#define OZONE_RUNTIME_LAUNCH_H

#include <stdbool.h>
#include <sys/types.h>

#include "runtime/lib/agent_client.h"
#include "runtime/lib/ozone.h"

struct launch {
	const char *container_id;
	const char *exec_id; /* "" : the container's process */
	bool terminal;
	const char *console_socket; /* with terminal: the pty master goes there */
	bool detach;		    /* the proxy is a forked daemon, not this process */
	unsigned rows, cols;	    /* process.consoleSize for a new host pty; 0: none */
	struct agent_conn conn;	    /* the control connection; the proxy takes it */
	struct proto_stdio stdio;   /* what the create/exec request asks for */
	int stdin_fd, stdout_fd, stderr_fd, tty_fd, pty_slave;
	struct proto_fds fds;	    /* the caller's fds 3, 4, ... (--preserve-fds) */
	int fd_sock[PROTO_FDS_MAX]; /* their streams; -1 */
};

/* Fills l->stdio: a tty, or one stream per fd 0, 1, 2 that is open. */
void launch_init(struct launch *l);
/* After launch_init: checks the caller's fds 3 .. 3+n-1 and asks for a stream each. */
int launch_preserve_fds(struct launch *l, long long n);
/* After the create/exec reply: connects the streams; sends the pty master to the console socket. */
int launch_connect(struct launch *l, const char *sock);
/* Forks the detached proxy and waits until its wait is sent; *pid is its pid. */
int launch_fork(struct launch *l, pid_t *pid);
/* This process becomes the proxy; returns the exit status. */
int launch_run(struct launch *l);
/* Closes what the launch holds (after the proxy took it, or on failure). */
void launch_close(struct launch *l);

/*
 * Sends the agent the terminal size of fd (a pty), if it has one, on c:
 * before `start` on the same connection, so the process starts with it.
 */
int launch_resize(struct agent_conn *c, const char *container_id, const char *exec_id, int fd);
/* Opens the terminal a running proxy relays (a /dev/pts fd of pid), or -1. */
int launch_proxy_tty(pid_t pid);

/* Writes pid to path atomically, as runc does (no newline). */
int launch_pidfile(const char *path, pid_t pid);

#endif
