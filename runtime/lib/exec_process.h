/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The process object of an `ozone exec` given by flags rather than by
 * --process: the container's own process from its config.json, with the
 * flags applied as runc applies them (args replaced, env appended, cwd and
 * user replaced, capabilities added, terminal from --tty).
 */
#ifndef OZONE_RUNTIME_EXEC_PROCESS_H
#define OZONE_RUNTIME_EXEC_PROCESS_H

#include <stdbool.h>
#include <stddef.h>

struct exec_flags {
	char **args; /* the command, NULL-terminated */
	const char *env[256];
	size_t n_env;
	const char *caps[64];
	size_t n_caps;
	const char *gids[64];
	size_t n_gids;
	const char *user; /* "uid[:gid]" or NULL */
	const char *cwd;  /* or NULL */
	bool tty, no_new_privs;
};

/* Builds the process JSON from config.json's text; *out is malloc'd. */
int exec_process_json(const char *config, size_t len, const struct exec_flags *f, char **out);

#endif
