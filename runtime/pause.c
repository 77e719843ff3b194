/* SPDX-License-Identifier: Apache-2.0 */
/* `ozone pause ID` and `ozone resume ID`: the agent freezes and thaws the container's cgroup. */
#include "runtime/container.h"
#include "common/error.h"

#include <string.h>

static int pause_resume(struct ozone_globals *g, const char *verb, enum proto_op op,
			const char *from, const char *to, const char *usage, int argc, char **argv)
{
	struct store_lock lk;
	struct oci_state st;
	struct agent_conn c;
	const char *id;
	int ret = ozone_id_only_args(verb, usage, argc, argv);

	if (ret >= 0)
		return ret;
	id = argv[optind];
	ret = container_lock(g, id, &lk, &st);
	if (ret < 0)
		return ozone_fail(ret);
	/* runc's words: "container not running" for pause, "container not paused" for resume. */
	if (strcmp(st.status, from))
		ret = err_setx(EINVAL, "container not %s", from);
	if (ret == 0)
		ret = container_agent(g, id, &c);
	if (ret == 0) {
		ret = agent_call_simple(&c, op, id);
		agent_close(&c);
	}
	if (ret == 0)
		ret = container_set_status(&lk, &st, to);
	store_unlock(&lk);
	oci_state_free(&st);
	return ret < 0 ? ozone_fail(ret) : 0;
}

int ozone_cmd_pause(struct ozone_globals *g, int argc, char **argv)
{
	return pause_resume(g, "pause", PROTO_OP_PAUSE, "running", "paused",
			    "pause <container-id>\n\nSuspends all processes inside the container.",
			    argc, argv);
}

int ozone_cmd_resume(struct ozone_globals *g, int argc, char **argv)
{
	return pause_resume(g, "resume", PROTO_OP_RESUME, "paused", "running",
			    "resume <container-id>\n\nResumes all processes that were paused.",
			    argc, argv);
}
