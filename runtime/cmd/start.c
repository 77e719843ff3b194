/* SPDX-License-Identifier: Apache-2.0 */
/* `ozone start ID`: the created container's process execs. */
#include "runtime/cmd/verbs.h"
#include "runtime/lib/container.h"
#include "runtime/lib/launch.h"
#include "common/error.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The agent starts the process, after the terminal's size. */
static int start_agent(const struct ozone_globals *g, const char *id, const struct bundle *b,
		       const struct oci_state *st)
{
	struct agent_conn c;
	int tty, ret = container_agent(g, id, &c);

	if (ret < 0)
		return ret;
	/* The size the console's client set since create (conmon, the shim do). */
	tty = b->spec.process.terminal ? launch_proxy_tty(st->pid) : -1;
	ret = launch_resize(&c, id, "", tty);
	if (tty >= 0)
		close(tty);
	if (ret < 0)
		goto out;
	ret = agent_call_simple(&c, PROTO_OP_START, id);
out:
	agent_close(&c);
	return ret;
}

/* A locked, created container: the start hooks, the agent's start, "running". */
static int start_container(const struct ozone_globals *g, const char *id, struct store_lock *lk,
			   struct oci_state *st)
{
	struct bundle b;
	int ret = container_spec(g, st, &b);

	if (ret < 0)
		return ret;
	ret = hooks_run(&b, st, HOOK_START_CONTAINER);
	if (ret < 0)
		goto out;
	ret = start_agent(g, id, &b, st);
	if (ret < 0)
		goto out;
	ret = container_set_status(lk, st, "running");
	if (ret < 0)
		goto out;
	hooks_run(&b, st, HOOK_POSTSTART);
out:
	bundle_free(&b);
	return ret;
}

int ozone_cmd_start(struct ozone_globals *g, int argc, char **argv)
{
	static const char *const want[] = {"created", NULL};
	struct store_lock lk;
	struct oci_state st;
	const char *id;
	int ret = ozone_id_only_args(
	    "start",
	    "start <container-id>\n\nExecutes the user defined process in a created container.",
	    argc, argv);

	if (ret >= 0)
		return ret;
	id = argv[optind];
	ret = container_lock(g, id, &lk, &st);
	if (ret < 0)
		return ozone_fail(ret);
	/* runc's words for each state. */
	if (!strcmp(st.status, "running"))
		ret = err_setx(EINVAL, "cannot start an already running container");
	else
		ret = container_expect(&st, "start", want);
	if (ret < 0)
		goto out;
	ret = start_container(g, id, &lk, &st);
out:
	store_unlock(&lk);
	oci_state_free(&st);
	return ret < 0 ? ozone_fail(ret) : 0;
}
