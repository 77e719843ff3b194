/* SPDX-License-Identifier: Apache-2.0 */
/* `ozone pause ID`: the agent freezes the container's cgroup. */
#include "runtime/cmd/verbs.h"
#include "runtime/lib/container.h"

int ozone_cmd_pause(struct ozone_globals *g, int argc, char **argv)
{
	int ret = ozone_id_only_args(
	    "pause", "pause <container-id>\n\nSuspends all processes inside the container.", argc,
	    argv);

	if (ret >= 0)
		return ret;
	ret = container_freeze(g, argv[optind], true);
	return ret < 0 ? ozone_fail(ret) : 0;
}
