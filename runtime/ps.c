/* SPDX-License-Identifier: Apache-2.0 */
/* `ozone ps [--format table|json] ID [ps options]`: needs the VM side, not built yet. */
#include "runtime/ozone.h"

#include <limits.h>
#include <string.h>

static const struct option ps_opts[] = {
    {"format", required_argument, NULL, 'f'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int ozone_cmd_ps(struct ozone_globals *g, int argc, char **argv)
{
	struct ozone_args a = {
	    .verb = "ps",
	    .usage = "ps [command options] <container-id> [ps options]\n\n"
		     "Displays the processes running inside a container.\n\n"
		     "OPTIONS:\n"
		     "   --format value, -f value  select one of: table or json (default: \"table\")",
	    .shortopts = "f:",
	    .longopts = ps_opts,
	};
	int c;

	while ((c = ozone_args_next(&a, argc, argv)) != -1) {
		if (c != 'f')
			return OZONE_EXIT_FAIL;
		if (strcmp(optarg, "table") && strcmp(optarg, "json"))
			return ozone_failf("invalid format option");
	}
	if (a.help)
		return 0;
	if (ozone_args_count(&a, argc, argv, 1, INT_MAX) < 0)
		return OZONE_EXIT_FAIL;
	return ozone_container_verb(g, "ps", argv[optind]);
}
