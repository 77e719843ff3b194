/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ozone restore`: not supported, as `ozone checkpoint` (checkpoint.c):
 * there is no checkpoint of a microVM to restore from.
 */
#include "runtime/cmd/verbs.h"

int ozone_cmd_restore(struct ozone_globals *g, int argc, char **argv)
{
	(void)g;
	return ozone_unsupported("restore",
				 "restore [command options] <container-id>\n\n"
				 "Not supported: ozone containers run in microVMs.",
				 argc, argv);
}
