/* SPDX-License-Identifier: Apache-2.0 */
/* `ozone kill [--all] ID [SIGNAL]`: SIGTERM by default; names with or without SIG, or numbers. */
#include "runtime/ozone.h"
#include "common/oci_signal.h"

#include <signal.h>

static const struct option kill_opts[] = {
    {"all", no_argument, NULL, 'a'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int ozone_cmd_kill(struct ozone_globals *g, int argc, char **argv)
{
	struct ozone_args a = {
	    .verb = "kill",
	    .usage = "kill [command options] <container-id> [signal]\n\n"
		     "Sends the signal (default: SIGTERM) to the container's init process.\n\n"
		     "OPTIONS:\n"
		     "   --all, -a  send the specified signal to all processes inside the container",
	    .shortopts = "a",
	    .longopts = kill_opts,
	};
	bool all = false;
	int c, sig = SIGTERM, ret;

	while ((c = ozone_args_next(&a, argc, argv)) != -1) {
		if (c != 'a')
			return OZONE_EXIT_FAIL;
		all = true;
	}
	if (a.help)
		return 0;
	if (ozone_args_count(&a, argc, argv, 1, 2) < 0)
		return OZONE_EXIT_FAIL;
	if (optind + 1 < argc && (ret = oci_signal_parse(argv[optind + 1], &sig)) < 0)
		return ozone_fail(ret);
	ozone_debug("kill %s: signal %d%s", argv[optind], sig, all ? " to all" : "");
	return ozone_container_verb(g, "kill", argv[optind]);
}
