/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ozone delete [--force] ID`. A stopped container's state is removed now;
 * a live one needs its VM stopped, which is not built yet. Deleting an id
 * that does not exist with --force succeeds, as runc's does (containerd's
 * shim relies on it).
 */
#include "runtime/ozone.h"
#include "runtime/store.h"
#include "common/error.h"

#include <string.h>

static const struct option delete_opts[] = {
    {"force", no_argument, NULL, 'f'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int ozone_cmd_delete(struct ozone_globals *g, int argc, char **argv)
{
	struct ozone_args a = {
	    .verb = "delete",
	    .usage = "delete [command options] <container-id>\n\n"
		     "Deletes the resources held by the container.\n\n"
		     "OPTIONS:\n"
		     "   --force, -f  forcibly deletes the container if it is still running (uses "
		     "SIGKILL)",
	    .shortopts = "f",
	    .longopts = delete_opts,
	};
	struct store_lock lk;
	struct oci_state st;
	bool force = false;
	const char *id;
	int c, ret;

	while ((c = ozone_args_next(&a, argc, argv)) != -1) {
		if (c != 'f')
			return OZONE_EXIT_FAIL;
		force = true;
	}
	if (a.help)
		return 0;
	if (ozone_args_count(&a, argc, argv, 1, 1) < 0)
		return OZONE_EXIT_FAIL;
	id = argv[optind];
	ret = store_lock(g, id, &lk);
	if (ret == -ENOENT && force && oci_id_check(id) == 0)
		return 0;
	if (ret < 0)
		return ozone_fail(ret);
	ret = store_read(g, id, &st);
	if (ret < 0) {
		store_unlock(&lk);
		return ozone_fail(ret);
	}
	if (strcmp(st.status, "stopped") != 0) {
		if (force)
			ret = ozone_not_available("delete");
		else
			ret = ozone_failf("cannot delete container %s that is not stopped: %s", id,
					  st.status);
		oci_state_free(&st);
		store_unlock(&lk);
		return ret;
	}
	oci_state_free(&st);
	ret = store_remove(g, id, &lk);
	return ret < 0 ? ozone_fail(ret) : 0;
}
