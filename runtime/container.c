/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/ozone.h"
#include "runtime/store.h"

int ozone_container_verb(const struct ozone_globals *g, const char *verb, const char *id)
{
	struct oci_state st;
	int ret = store_read(g, id, &st);

	if (ret < 0)
		return ozone_fail(ret);
	ozone_debug("%s %s: status %s, pid %d", verb, id, st.status, st.pid);
	oci_state_free(&st);
	return ozone_not_available(verb);
}

static const struct option id_only_opts[] = {
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int ozone_id_only_args(const char *verb, const char *usage, int argc, char **argv)
{
	struct ozone_args a = {.verb = verb, .usage = usage, .longopts = id_only_opts};

	if (ozone_args_next(&a, argc, argv) != -1)
		return OZONE_EXIT_FAIL;
	if (a.help)
		return 0;
	if (ozone_args_count(&a, argc, argv, 1, 1) < 0)
		return OZONE_EXIT_FAIL;
	return -1;
}
