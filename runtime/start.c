/* SPDX-License-Identifier: Apache-2.0 */
/* `ozone start ID`: needs the VM side, which is not built yet. */
#include "runtime/ozone.h"

int ozone_cmd_start(struct ozone_globals *g, int argc, char **argv)
{
	int ret = ozone_id_only_args("start", "start <container-id>\n\nExecutes the user defined process in a created container.", argc, argv);

	if (ret >= 0)
		return ret;
	return ozone_container_verb(g, "start", argv[optind]);
}
