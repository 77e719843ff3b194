/* SPDX-License-Identifier: Apache-2.0 */
/* `ozone pause ID`: needs the VM side, which is not built yet. */
#include "runtime/ozone.h"

int ozone_cmd_pause(struct ozone_globals *g, int argc, char **argv)
{
	int ret = ozone_id_only_args("pause", "pause <container-id>\n\nSuspends all processes inside the container (the whole microVM).", argc, argv);

	if (ret >= 0)
		return ret;
	return ozone_container_verb(g, "pause", argv[optind]);
}
