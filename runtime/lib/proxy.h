/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The proxy: the host process that stands for one guest process (the
 * container's own, or an exec'd one). Its pid is the one --pid-file names,
 * so that a waiting shim or conmon sees it as the container's process:
 *
 * - it relays stdio between the fds it was given (pipes, files, /dev/null,
 *   a terminal, or a host pty whose master went to --console-socket) and
 *   the process's stream connections, and the caller's extra fds 3, 4, ...
 *   (--preserve-fds) to and from theirs;
 * - it forwards the signals it receives to the guest process (the `signal`
 *   op), and terminal size changes (SIGWINCH, the `resize` op);
 * - it holds the process: its `wait` is sent with owner=true, so if the
 *   proxy dies (even by SIGKILL) the agent kills the guest process;
 * - it ends as the guest process ended: the same exit code, or killed by
 *   the same signal (a detached proxy raises it on itself; a foreground
 *   `ozone run`/`exec` exits 128+signal, as runc does). The signal is the
 *   guest's word: only one whose default action ends a process is raised
 *   (never a stop signal, never an ignored one: those exit 128+signal),
 *   and a wait reply without a valid status exits PROXY_EXIT_BAD.
 */
#ifndef OZONE_RUNTIME_PROXY_H
#define OZONE_RUNTIME_PROXY_H

#include <stdbool.h>

#include "runtime/lib/agent_client.h"

/* The exit status for a process that ended in a way the agent could not say. */
#define PROXY_EXIT_BAD 255

struct proxy_opts {
	const char *container_id;
	const char *exec_id;	    /* "" : the container's process */
	struct agent_conn *control; /* taken over; the proxy closes it */
	/* Stream connections (-1: not attached); tty excludes the three others. */
	int stdin_fd, stdout_fd, stderr_fd, tty_fd;
	/*
	 * The host side of a terminal: the slave of a pty whose master went to
	 * the console socket (the proxy's controlling terminal), or -1 to use
	 * the proxy's own fds 0 and 1 (a terminal that is put in raw mode).
	 */
	int pty_slave;
	bool foreground; /* exit with 128+signal instead of dying by the signal */
	int ready_fd;	 /* one byte is written there once the wait is sent, then closed; -1 */
	/* The extra fds: fds->count of them, the caller's 3 + i relayed over fd_sock[i]. */
	const struct proto_fds *fds; /* NULL: none */
	const int *fd_sock;
};

/*
 * Runs the proxy until the guest process has ended and its output is
 * relayed. Returns the exit status to exit with; a detached proxy whose
 * process was killed by a signal does not return (it dies by that signal).
 */
int proxy_run(const struct proxy_opts *o);

/* Blocks the signals the proxy forwards (call before anything can send one). */
void proxy_block_signals(void);

#endif
