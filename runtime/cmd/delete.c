/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ozone delete [--force] ID`: stops the container's VM, detaches and
 * removes its shared directory, removes its state. A live container needs
 * --force. Deleting an id that does not exist with --force succeeds, as
 * runc's does (containerd's shim relies on it).
 */
#include "runtime/cmd/verbs.h"
#include "runtime/lib/container.h"
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
	bool force = false, have_spec;
	struct bundle b;
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
	ret = container_lock(g, id, &lk, &st);
	if (ret == -ENOENT && force && oci_id_check(id) == 0)
		return 0;
	if (ret < 0)
		return ozone_fail(ret);
	/* As runc: a created container (its process never ran) goes without --force. */
	if (strcmp(st.status, "stopped") && strcmp(st.status, "created") && !force) {
		ret = ozone_failf("cannot delete container %s that is not stopped: %s", id,
				  st.status);
		oci_state_free(&st);
		store_unlock(&lk);
		return ret;
	}
	/*
	 * A live container is killed by stopping its VM; its proxy then sees
	 * the agent go and ends as killed by SIGKILL.
	 */
	/* poststop runs once the container is gone; its spec is read while it is still there. */
	have_spec = container_spec(g, &st, &b) == 0;
	ret = container_remove(g, id, &lk, st.pid, st.pid_start);
	if (have_spec) {
		if (ret == 0 && st.pid)
			hooks_run(&b, &st, HOOK_POSTSTOP);
		bundle_free(&b);
	}
	oci_state_free(&st);
	return ret < 0 ? ozone_fail(ret) : 0;
}
