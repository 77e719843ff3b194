/* SPDX-License-Identifier: Apache-2.0 */
/* `ozone resume ID`: the agent thaws the container's cgroup. */
#include "runtime/cmd/verbs.h"
#include "runtime/lib/container.h"

int ozone_cmd_resume(struct ozone_globals *g, int argc, char **argv)
{
	int ret = ozone_id_only_args(
	    "resume", "resume <container-id>\n\nResumes all processes that were paused.", argc,
	    argv);

	if (ret >= 0)
		return ret;
	ret = container_freeze(g, argv[optind], false);
	return ret < 0 ? ozone_fail(ret) : 0;
}
