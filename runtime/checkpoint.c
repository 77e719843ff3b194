/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ozone checkpoint` and `ozone restore`: not supported. runc does them
 * with CRIU on host processes; an ozone container's processes live in a
 * microVM, whose snapshot would be another feature altogether.
 */
#include "runtime/ozone.h"

#include <string.h>

static const struct option checkpoint_opts[] = {
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int checkpoint_refuse(const char *verb, int argc, char **argv)
{
	/* --help still answers; every other flag of runc's is refused with the verb. */
	for (int i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			struct ozone_args a = {.verb = verb, .longopts = checkpoint_opts};

			a.usage = !strcmp(verb, "checkpoint")
				      ? "checkpoint [command options] <container-id>\n\n"
					"Not supported: ozone containers run in microVMs."
				      : "restore [command options] <container-id>\n\n"
					"Not supported: ozone containers run in microVMs.";
			ozone_args_usage(&a, stdout);
			return 0;
		}
	}
	return ozone_failf("%s: not supported (containers run in microVMs)", verb);
}

int ozone_cmd_checkpoint(struct ozone_globals *g, int argc, char **argv)
{
	(void)g;
	return checkpoint_refuse("checkpoint", argc, argv);
}

int ozone_cmd_restore(struct ozone_globals *g, int argc, char **argv)
{
	(void)g;
	return checkpoint_refuse("restore", argc, argv);
}
