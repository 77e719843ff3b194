/* SPDX-License-Identifier: Apache-2.0 */
/* `ozone resume ID`: needs the VM side, which is not built yet. */
#include "runtime/ozone.h"

int ozone_cmd_resume(struct ozone_globals *g, int argc, char **argv)
{
	int ret = ozone_id_only_args("resume", "resume <container-id>\n\nResumes all processes that have been previously paused.", argc, argv);

	if (ret >= 0)
		return ret;
	return ozone_container_verb(g, "resume", argv[optind]);
}
