/* SPDX-License-Identifier: Apache-2.0 */
/* The options `create` and `run` share (create.c): their parsing and validation. */
#ifndef OZONE_RUNTIME_CMD_CREATE_H
#define OZONE_RUNTIME_CMD_CREATE_H

#include "runtime/cmd/verbs.h"
#include "runtime/lib/create_container.h"

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

#endif
