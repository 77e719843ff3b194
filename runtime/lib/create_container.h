/* SPDX-License-Identifier: Apache-2.0 */
/* Making a container (create_container.c), for `create` and `run`. */
#ifndef OZONE_RUNTIME_CREATE_CONTAINER_H
#define OZONE_RUNTIME_CREATE_CONTAINER_H

#include "runtime/lib/bundle.h"
#include "runtime/lib/ozone.h"

/* The options `create` and `run` share. */
struct create_opts {
	const char *bundle;
	const char *console_socket;
	const char *pid_file;
	bool no_pivot, no_new_keyring;
	long long preserve_fds;
	/* run only */
	bool detach, keep, no_subreaper;
};

enum create_mode {
	CREATE_ONLY,	     /* create: the proxy is forked, the process waits for start */
	CREATE_RUN_DETACHED, /* run --detach: the same, then start */
	CREATE_RUN,	     /* run: start, and this process is the proxy until it ends */
};

/*
 * Makes the container: sandbox, agent, streams, proxy, pid file, state;
 * starts it for the run modes. Prints its own error; returns the exit
 * status (for CREATE_RUN, the process's).
 */
int create_container(struct ozone_globals *g, const struct create_opts *o, const char *id,
		     struct bundle *b, enum create_mode mode);

#endif
