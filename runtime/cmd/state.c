/* SPDX-License-Identifier: Apache-2.0 */
/* `ozone state ID`: the container's OCI state, as runc prints it. */
#include "runtime/cmd/verbs.h"
#include "runtime/lib/store.h"

#include <stdlib.h>

static const struct option state_opts[] = {
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int ozone_cmd_state(struct ozone_globals *g, int argc, char **argv)
{
	struct ozone_args a = {
	    .verb = "state",
	    .usage = "state <container-id>\n\n"
		     "Outputs the state of a container (OCI state JSON).",
	    .longopts = state_opts,
	};
	struct oci_state st;
	char *text;
	size_t len;
	int ret;

	if (ozone_args_next(&a, argc, argv) != -1)
		return OZONE_EXIT_FAIL;
	if (a.help)
		return 0;
	if (ozone_args_count(&a, argc, argv, 1, 1) < 0)
		return OZONE_EXIT_FAIL;
	ret = store_read(g, argv[optind], &st);
	if (ret < 0)
		return ozone_fail(ret);
	ret = oci_state_to_json(&st, true, false, &text, &len);
	oci_state_free(&st);
	if (ret < 0)
		return ozone_fail(ret);
	/* runc writes the document with no newline after it. */
	fwrite(text, 1, len, stdout);
	free(text);
	return 0;
}
