/* SPDX-License-Identifier: Apache-2.0 */
/* `ozone run`: create, start and wait; the VM side is not built yet. */
#include "runtime/create.h"

int ozone_cmd_run(struct ozone_globals *g, int argc, char **argv)
{
	struct create_opts o;
	struct bundle b;
	int ret = create_parse(&o, true, argc, argv);

	if (ret >= 0)
		return ret;
	ret = create_validate(g, &o, argv[optind], &b);
	if (ret < 0)
		return ozone_fail(ret);
	bundle_free(&b);
	return ozone_not_available("run");
}
