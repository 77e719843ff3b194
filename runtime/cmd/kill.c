/* SPDX-License-Identifier: Apache-2.0 */
/* `ozone kill [--all] ID [SIGNAL]`: SIGTERM by default; names with or without SIG, or numbers. */
#include "runtime/cmd/verbs.h"
#include "runtime/lib/container.h"
#include "common/error.h"
#include "common/oci_signal.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static const struct option kill_opts[] = {
    {"all", no_argument, NULL, 'a'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int kill_container(const struct ozone_globals *g, const char *id, int sig, bool all)
{
	struct proto_msg req = {.op = PROTO_OP_SIGNAL};
	struct store_lock lk;
	struct oci_state st;
	struct agent_conn c;
	int ret = container_lock(g, id, &lk, &st);

	if (ret < 0)
		return ozone_fail(ret);
	/* runc: a created container can be killed; a stopped one cannot. */
	if (!strcmp(st.status, "stopped")) {
		ret = err_setx(EINVAL, "container not running");
		goto out;
	}
	ret = container_agent(g, id, &c);
	if (ret < 0)
		goto out;
	snprintf(req.body.signal.container_id, sizeof(req.body.signal.container_id), "%s", id);
	req.body.signal.signal = sig;
	req.body.signal.all = all;
	ret = agent_call(&c, &req, NULL);
	agent_close(&c);
out:
	store_unlock(&lk);
	oci_state_free(&st);
	return ret < 0 ? ozone_fail(ret) : 0;
}

int ozone_cmd_kill(struct ozone_globals *g, int argc, char **argv)
{
	struct ozone_args a = {
	    .verb = "kill",
	    .usage =
		"kill [command options] <container-id> [signal]\n\n"
		"Sends the signal (default: SIGTERM) to the container's init process.\n\n"
		"OPTIONS:\n"
		"   --all, -a  send the specified signal to all processes inside the container",
	    .shortopts = "a",
	    .longopts = kill_opts,
	};
	bool all = false;
	int c, sig = SIGTERM, ret;

	while ((c = ozone_args_next(&a, argc, argv)) != -1) {
		if (c != 'a')
			return OZONE_EXIT_FAIL;
		all = true;
	}
	if (a.help)
		return 0;
	if (ozone_args_count(&a, argc, argv, 1, 2) < 0)
		return OZONE_EXIT_FAIL;
	if (optind + 1 < argc && (ret = oci_signal_parse(argv[optind + 1], &sig)) < 0)
		return ozone_fail(ret);
	ozone_debug("kill %s: signal %d%s", argv[optind], sig, all ? " to all" : "");
	return kill_container(g, argv[optind], sig, all);
}
