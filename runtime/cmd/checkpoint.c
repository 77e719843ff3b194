/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ozone checkpoint`: not supported. runc does it with CRIU on host
 * processes; an ozone container's processes live in a microVM, whose
 * snapshot would be another feature altogether (restore.c likewise).
 */
#include "runtime/cmd/verbs.h"

int ozone_cmd_checkpoint(struct ozone_globals *g, int argc, char **argv)
{
	(void)g;
	return ozone_unsupported("checkpoint",
				 "checkpoint [command options] <container-id>\n\n"
				 "Not supported: ozone containers run in microVMs.",
				 argc, argv);
}
