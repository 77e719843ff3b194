/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ozone, the runc-compatible command line: the global options and the
 * small library the verbs share (logging, option parsing). The verbs are
 * declared in runtime/cmd/verbs.h, one per file in runtime/cmd/.
 */
#ifndef OZONE_RUNTIME_OZONE_H
#define OZONE_RUNTIME_OZONE_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#define OZONE_ROOT_DEFAULT "/run/ozone"

/* runc's global options. */
struct ozone_globals {
	const char *root;
	const char *log; /* NULL: stderr */
	bool log_json;
	bool debug;
	bool systemd_cgroup;
	const char *rootless; /* "true", "false" or "auto" */
};

/* Exit statuses: runc exits 1 on every failure. */
#define OZONE_EXIT_FAIL 1

/* log.c: --log/--log-format/--debug. Errors also go to stderr as "ozone: <msg>". */
int ozone_log_open(const struct ozone_globals *g);
void ozone_log_close(void);
/* From now on messages go only to the log file, never to stderr; returns its fd (or -1). */
int ozone_log_detach(void);
void ozone_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the recorded error (err_msg) once, to stderr and to the log; returns 1. */
int ozone_fail(int ret);
/* Prints "ozone: <formatted>" the same way; returns 1. */
int ozone_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * args.c: one verb's options. The verb gives its getopt_long table and its
 * usage text; --help/-h print the usage and make ozone_args() return 1
 * (the caller exits 0). Options stop at the first argument that is not
 * one, as with runc. Returns the option character, -1 at the end, or '?'
 * after printing a usage error.
 */
struct ozone_args {
	const char *verb;
	const char *usage; /* "create [command options] <container-id>\n\nOPTIONS:\n..." */
	const char *shortopts;
	const struct option *longopts;
	bool help;
};
int ozone_args_next(struct ozone_args *a, int argc, char **argv);
/* Checks the number of positional arguments left; prints a usage error if wrong. */
int ozone_args_count(const struct ozone_args *a, int argc, char **argv, int min, int max);
void ozone_args_usage(const struct ozone_args *a, FILE *f);
/* Parses a decimal in [min, max] for option "name"; 0 or -EINVAL with the message set. */
int ozone_parse_long(const char *name, const char *s, long long min, long long max, long long *out);
/* Parses a verb that takes only --help and exactly one container id; -1 to go on. */
int ozone_id_only_args(const char *verb, const char *usage, int argc, char **argv);
/*
 * A verb ozone does not support: --help prints the usage (returns 0), and
 * anything else is refused with one line naming the verb (returns 1).
 */
int ozone_unsupported(const char *verb, const char *usage, int argc, char **argv);

#endif
