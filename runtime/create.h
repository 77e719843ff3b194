/* SPDX-License-Identifier: Apache-2.0 */
/* The options `create` and `run` share, and their validation. */
#ifndef OZONE_RUNTIME_CREATE_H
#define OZONE_RUNTIME_CREATE_H

#include "runtime/bundle.h"
#include "runtime/ozone.h"

struct create_opts {
	const char *bundle;
	const char *console_socket;
	const char *pid_file;
	bool no_pivot, no_new_keyring;
	long long preserve_fds;
	/* run only */
	bool detach, keep, no_subreaper;
};

/*
 * Parses the options of `create` (run = false) or `run`; returns -1 to go
 * on, or the exit status (0 after --help).
 */
int create_parse(struct create_opts *o, bool run, int argc, char **argv);
/*
 * Checks everything that can be checked before a VM exists: the id (valid,
 * not taken), the bundle (config.json valid, rootfs there), the console
 * options against process.terminal, the pid file's directory.
 */
int create_validate(const struct ozone_globals *g, const struct create_opts *o, const char *id,
		    struct bundle *b);

enum create_mode {
	CREATE_ONLY,	     /* create: the proxy is forked, the process waits for start */
	CREATE_RUN_DETACHED, /* run --detach: the same, then start */
	CREATE_RUN,	     /* run: start, and this process is the proxy until it ends */
};

/*
 * Makes the container (create_container.c): sandbox, agent, streams, proxy,
 * pid file, state; starts it for the run modes. Prints its own error;
 * returns the exit status (for CREATE_RUN, the process's).
 */
int create_container(struct ozone_globals *g, const struct create_opts *o, const char *id,
		     struct bundle *b, enum create_mode mode);

#endif
