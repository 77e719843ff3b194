/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/lib/container.h"
#include "runtime/lib/host_cgroup.h"
#include "common/error.h"

#include <errno.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int container_lock(const struct ozone_globals *g, const char *id, struct store_lock *lk,
		   struct oci_state *st)
{
	int ret = store_lock(g, id, lk);

	if (ret < 0)
		return ret;
	ret = store_read(g, id, st);
	if (ret < 0) {
		store_unlock(lk);
		return ret;
	}
	if (!strcmp(st->status, "creating"))
		ret = container_set_status(lk, st, "stopped");
	if (ret < 0) {
		oci_state_free(st);
		store_unlock(lk);
	}
	return ret;
}

int container_set_status(const struct store_lock *lk, struct oci_state *st, const char *status)
{
	char *s = strdup(status);

	if (!s)
		return err_set(ENOMEM, "state");
	free(st->status);
	st->status = s;
	return store_write(lk, st);
}

int container_join_cgroup(const struct ozone_globals *g, const char *id, pid_t pid)
{
	struct sandbox sb;
	int ret = sandbox_init(&sb, g, id);

	if (ret < 0)
		return ret;
	return host_cgroup_join(sb.cgroup, pid, sb.cgroup_ignore_perm);
}

int container_agent(const struct ozone_globals *g, const char *id, struct agent_conn *c)
{
	struct sandbox sb;
	int ret = sandbox_init(&sb, g, id);

	if (ret < 0)
		return ret;
	if (!sandbox_vmm_alive(&sb))
		return err_setx(ESRCH, "container %s: its VM is not running", id);
	ret = agent_open(c, sb.sock, 10000);
	if (ret < 0)
		return ret;
	c->timeout_ms = agent_reply_timeout_ms();
	return 0;
}

int container_remove(const struct ozone_globals *g, const char *id, struct store_lock *lk,
		     int proxy_pid, uint64_t proxy_start)
{
	struct sandbox sb;
	int ret = sandbox_init(&sb, g, id);

	if (ret < 0)
		goto fail;
	/* A pod's container leaves its VM to the pod's sandbox container. */
	ret = sb.pod[0] ? sandbox_leave_pod(&sb, id) : sandbox_destroy(&sb);
	if (ret < 0)
		goto fail;
	/*
	 * With its VM gone (or its container destroyed in the pod's VM) the
	 * proxy ends by itself; one that does not is not waited for.
	 */
	if (store_pid_alive(proxy_pid, proxy_start)) {
		struct timespec ts = {0, 10 * 1000 * 1000};

		for (int i = 0; i < 100 && store_pid_alive(proxy_pid, proxy_start); i++)
			nanosleep(&ts, NULL);
		if (store_pid_alive(proxy_pid, proxy_start))
			kill(proxy_pid, SIGKILL);
	}
	ret = sandbox_remove_cgroup(&sb);
	if (ret < 0)
		goto fail;
	if (unlinkat(lk->dirfd, CONTAINER_CONFIG, 0) < 0 && errno != ENOENT) {
		ret = err_set(errno, "remove %s", CONTAINER_CONFIG);
		goto fail;
	}
	return store_remove(g, id, lk);

fail:
	store_unlock(lk);
	return ret;
}

int container_spec(const struct ozone_globals *g, const struct oci_state *st, struct bundle *b)
{
	int ret;

	memset(b, 0, sizeof(*b));
	ret = store_path(g, st->id, b->path, sizeof(b->path));
	if (ret < 0)
		return ret;
	ret = oci_spec_load(b->path, &b->spec);
	if (ret < 0)
		return ret;
	snprintf(b->path, sizeof(b->path), "%s", st->bundle);
	snprintf(b->rootfs, sizeof(b->rootfs), "%s", st->rootfs);
	return 0;
}

int container_expect(const struct oci_state *st, const char *verb, const char *const *want)
{
	for (size_t i = 0; want[i]; i++)
		if (!strcmp(st->status, want[i]))
			return 0;
	if (!strcmp(st->status, "stopped"))
		return err_setx(EINVAL, "cannot %s a container that has stopped", verb);
	return err_setx(EINVAL, "cannot %s a container that is %s", verb, st->status);
}

int container_freeze(const struct ozone_globals *g, const char *id, bool freeze)
{
	const char *from = freeze ? "running" : "paused", *to = freeze ? "paused" : "running";
	struct store_lock lk;
	struct oci_state st;
	struct agent_conn c;
	int ret = container_lock(g, id, &lk, &st);

	if (ret < 0)
		return ret;
	/* runc's words: "container not running" for pause, "container not paused" for resume. */
	if (strcmp(st.status, from)) {
		ret = err_setx(EINVAL, "container not %s", from);
		goto out;
	}
	ret = container_agent(g, id, &c);
	if (ret < 0)
		goto out;
	ret = agent_call_simple(&c, freeze ? PROTO_OP_PAUSE : PROTO_OP_RESUME, id);
	agent_close(&c);
	if (ret < 0)
		goto out;
	ret = container_set_status(&lk, &st, to);
out:
	store_unlock(&lk);
	oci_state_free(&st);
	return ret;
}
