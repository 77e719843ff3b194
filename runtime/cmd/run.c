/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ozone run`: create and start; then, unless --detach, this process is the
 * container's proxy: it relays the stdio, forwards signals, exits with the
 * process's status (128+signal if a signal killed it, as runc does) and
 * deletes the container (unless --keep).
 */
#include "runtime/cmd/create.h"

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
	ret =
	    create_container(g, &o, argv[optind], &b, o.detach ? CREATE_RUN_DETACHED : CREATE_RUN);
	bundle_free(&b);
	return ret;
}
