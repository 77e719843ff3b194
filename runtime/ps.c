/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ozone ps [--format table|json] ID`: the container's processes, as the
 * agent sees them in the guest. runc runs the host's ps(1) over the
 * container's pids; a guest's processes are not host processes, so json
 * gives runc's array of pids (guest pids) and table a PID column; ps
 * options after the id are accepted and ignored.
 */
#include "runtime/container.h"
#include "common/error.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

static const struct option ps_opts[] = {
    {"format", required_argument, NULL, 'f'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int ozone_cmd_ps(struct ozone_globals *g, int argc, char **argv)
{
	struct ozone_args a = {
	    .verb = "ps",
	    .usage =
		"ps [command options] <container-id> [ps options]\n\n"
		"Displays the processes running inside a container.\n\n"
		"OPTIONS:\n"
		"   --format value, -f value  select one of: table or json (default: \"table\")",
	    .shortopts = "f:",
	    .longopts = ps_opts,
	};
	struct proto_msg req = {.op = PROTO_OP_PS}, reply;
	struct oci_state st;
	struct agent_conn conn;
	bool json = false;
	const char *id;
	int c, ret;

	while ((c = ozone_args_next(&a, argc, argv)) != -1) {
		if (c != 'f')
			return OZONE_EXIT_FAIL;
		if (strcmp(optarg, "table") && strcmp(optarg, "json"))
			return ozone_failf("invalid format option");
		json = !strcmp(optarg, "json");
	}
	if (a.help)
		return 0;
	if (ozone_args_count(&a, argc, argv, 1, INT_MAX) < 0)
		return OZONE_EXIT_FAIL;
	id = argv[optind];
	ret = store_read(g, id, &st);
	if (ret < 0)
		return ozone_fail(ret);
	if (!strcmp(st.status, "stopped") || !strcmp(st.status, "creating"))
		ret = err_setx(EINVAL, "container with id %s is not running", id);
	oci_state_free(&st);
	if (ret == 0)
		ret = container_agent(g, id, &conn);
	if (ret < 0)
		return ozone_fail(ret);
	snprintf(req.body.container.container_id, sizeof(req.body.container.container_id), "%s",
		 id);
	ret = agent_call(&conn, &req, &reply);
	agent_close(&conn);
	if (ret < 0)
		return ozone_fail(ret);
	if (json) {
		putchar('[');
		for (size_t i = 0; i < reply.body.pids.count; i++)
			printf("%s%u", i ? "," : "", reply.body.pids.pids[i]);
		puts("]");
	} else {
		puts("PID");
		for (size_t i = 0; i < reply.body.pids.count; i++)
			printf("%u\n", reply.body.pids.pids[i]);
	}
	proto_msg_free(&reply);
	return 0;
}
