/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Making a container, for `create` and `run`:
 *
 *   1. claim the id (mkdir + lock) and record it as "creating", so that a
 *      crash from here on leaves something `delete` can find and undo;
 *   2. the sandbox: shared directory with the bundle's mounts, ozone-vmm,
 *      the agent's hello (a pod's container joins the VM of its pod's
 *      sandbox container instead of starting one: pod.h);
 *   3. the agent's `create` with the streams (stdio, and one per
 *      --preserve-fds fd), which are then connected (and the console sent
 *      to --console-socket);
 *   4. the proxy (forked, or this process for a foreground `run`), the pid
 *      file, the state "created"; for `run`, `start` and "running".
 *
 * A failure at any step undoes all of them: nothing is left under --root.
 */
#include "runtime/lib/container.h"
#include "runtime/lib/create_container.h"
#include "runtime/lib/hooks.h"
#include "runtime/lib/host_cgroup.h"
#include "runtime/lib/launch.h"
#include "runtime/lib/pod.h"
#include "common/cleanup.h"
#include "common/error.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The longest wait for the agent's answer to `create` (at least the boot timeout). */
#define CREATE_REPLY_TIMEOUT_MS 60000

/* With --debug, when each stage of making the container ended: what a `run` spends where. */
static void stage(const char *id, const char *what)
{
	static struct timespec t0;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!t0.tv_sec && !t0.tv_nsec)
		t0 = now;
	ozone_debug("create %s: %s at %.1f ms", id, what,
		    (now.tv_sec - t0.tv_sec) * 1e3 + (now.tv_nsec - t0.tv_nsec) / 1e6);
}

static int state_init(struct oci_state *st, const char *id, const struct bundle *b)
{
	char now[64];

	memset(st, 0, sizeof(*st));
	store_now(now, sizeof(now));
	st->oci_version = strdup(b->spec.oci_version);
	st->id = strdup(id);
	st->status = strdup("creating");
	st->bundle = strdup(b->path);
	st->rootfs = strdup(b->rootfs);
	st->created = strdup(now);
	st->owner = strdup("");
	if (b->spec.n_annotations) {
		st->annotations = calloc(b->spec.n_annotations, sizeof(*st->annotations));
		if (st->annotations) {
			st->n_annotations = b->spec.n_annotations;
			for (size_t i = 0; i < st->n_annotations; i++) {
				st->annotations[i].key = strdup(b->spec.annotations[i].key);
				st->annotations[i].value = strdup(b->spec.annotations[i].value);
				if (!st->annotations[i].key || !st->annotations[i].value)
					st->oci_version = (free(st->oci_version), NULL);
			}
		}
	}
	if (!st->oci_version || !st->id || !st->status || !st->bundle || !st->rootfs ||
	    !st->created || !st->owner || (b->spec.n_annotations && !st->annotations)) {
		oci_state_free(st);
		return err_set(ENOMEM, "state");
	}
	return 0;
}

/* Keeps config.json as it was at create: exec takes the process defaults from it. */
static int save_config(const struct store_lock *lk, const struct bundle *b)
{
	_cleanup_close_ int fd = openat(lk->dirfd, CONTAINER_CONFIG,
					O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	int ret;

	if (fd < 0)
		return err_set(errno, "create %s", CONTAINER_CONFIG);
	ret = write_all(fd, b->spec.text, b->spec.text_len);
	if (ret < 0)
		return err_set(-ret, "write %s", CONTAINER_CONFIG);
	return 0;
}

/*
 * The agent's create: the container's rootfs is <id>/rootfs of the shared
 * directory; pod names the pod's sandbox container, whose namespaces it
 * joins (pod.h), or is "".
 */
static int agent_create(struct launch *l, const char *id, const struct bundle *b, const char *pod)
{
	struct proto_msg req = {.op = PROTO_OP_CREATE};
	char rootfs[PROTO_NAME_MAX + 16];
	int ret;

	snprintf(req.body.create.container_id, sizeof(req.body.create.container_id), "%s", id);
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", id);
	req.body.create.rootfs = rootfs;
	req.body.create.spec_json = b->spec.text;
	req.body.create.stdio = l->stdio;
	req.body.create.fds = l->fds;
	snprintf(req.body.create.pod, sizeof(req.body.create.pod), "%s", pod);
	ret = agent_call(&l->conn, &req, NULL);
	return ret;
}

/* A pod's container joins only a container that was made as a pod's sandbox. */
static int check_pod_sandbox(const struct ozone_globals *g, const char *pod)
{
	struct oci_state st;
	int ret = store_read(g, pod, &st);

	if (ret == -ENOENT)
		return err_setx(ENOENT, "pod sandbox %s: no such container", pod);
	if (ret < 0)
		return ret;
	if (!pod_is_sandbox(&st))
		ret = err_setx(EINVAL,
			       "pod sandbox %s: not a pod's sandbox container (its annotation %s "
			       "is not \"sandbox\")",
			       pod, POD_ANNOT_CRI_TYPE);
	oci_state_free(&st);
	return ret;
}

/* The terminal's size first, on the same connection: the process starts with it. */
static int agent_start_on(struct agent_conn *c, const char *id, int tty)
{
	int ret = launch_resize(c, id, "", tty);

	if (ret < 0)
		return ret;
	return agent_call_simple(c, PROTO_OP_START, id);
}

static int agent_start(struct launch *l, const struct sandbox *sb, const char *id)
{
	int tty = l->pty_slave >= 0 ? l->pty_slave : l->terminal ? STDIN_FILENO : -1;
	struct agent_conn c;
	int ret;

	if (!l->detach)
		return agent_start_on(&l->conn, id, tty);
	/* A forked proxy owns the create connection now: a new one for start. */
	ret = agent_open(&c, sb->sock, 10000);
	if (ret < 0)
		return ret;
	c.timeout_ms = agent_reply_timeout_ms();
	ret = agent_start_on(&c, id, tty);
	agent_close(&c);
	return ret;
}

/*
 * Step 2: the sandbox (or the pod's), its host cgroup, the shared
 * directory, ozone-vmm (not for a pod's member) and the agent's hello on
 * conn. What it made is undone by container_remove().
 */
static int create_sandbox(struct sandbox *sb, const struct ozone_globals *g, const char *id,
			  const struct bundle *b, int role, const char *pod,
			  const struct sandbox_size *size, struct sandbox_net *net,
			  struct agent_conn *conn)
{
	char cgroup[PATH_MAX];
	int ret = sandbox_init(sb, g, id);

	if (ret < 0)
		return ret;
	/* A pod's container goes into the VM its sandbox container started. */
	if (role == POD_MEMBER) {
		ret = check_pod_sandbox(g, pod);
		if (ret < 0)
			return ret;
		ret = sandbox_join_pod(sb, g, pod);
		if (ret < 0)
			return ret;
	}
	ret = host_cgroup_path(b->spec.has_linux ? b->spec.lnx.cgroups_path : NULL,
			       g->systemd_cgroup, cgroup, sizeof(cgroup));
	if (ret < 0)
		return ret;
	ret = sandbox_set_cgroup(sb, cgroup);
	if (ret < 0)
		return ret;
	ret = host_cgroup_create(sb->cgroup, sb->cgroup_ignore_perm);
	if (ret < 0)
		return ret;
	ret = sandbox_share(sb, id, b);
	if (ret < 0)
		return ret;
	stage(id, "shared");
	if (role != POD_MEMBER) {
		/* The links of the VM's network namespace, each wired to a tap for the VMM. */
		ret = sandbox_net_setup(sb, net);
		if (ret < 0)
			return ret;
		stage(id, "network wired");
		ret = sandbox_start_vmm(sb, size, net);
		if (ret < 0)
			return ret;
	}
	stage(id, "vmm started");
	ret = sandbox_connect(sb, conn, sandbox_boot_timeout_ms());
	if (ret < 0)
		return ret;
	/* Once per VM, before its first container: the guest's NICs as the links were. */
	if (net->cfg && net->cfg->nlinks) {
		conn->timeout_ms = agent_reply_timeout_ms();
		ret = agent_network(conn, net->cfg);
		if (ret < 0)
			return ret;
		stage(id, "network sent");
	}
	/*
	 * The connection was opened with what was left of the boot timeout;
	 * building the container gets a wait of its own, or a slow boot would
	 * leave `create` only seconds.
	 */
	conn->timeout_ms = sandbox_boot_timeout_ms() > CREATE_REPLY_TIMEOUT_MS
			       ? sandbox_boot_timeout_ms()
			       : CREATE_REPLY_TIMEOUT_MS;
	stage(id, "agent answered");
	return 0;
}

/*
 * Step 4's start, for `run`: the start hooks, the agent's start, "running".
 * The poststart hooks' failures are only logged.
 */
static int start_container(struct launch *l, const struct sandbox *sb, const char *id,
			   const struct bundle *b, struct store_lock *lk, struct oci_state *st)
{
	int ret = hooks_run(b, st, HOOK_START_CONTAINER);

	if (ret < 0)
		return ret;
	ret = agent_start(l, sb, id);
	if (ret < 0)
		return ret;
	stage(id, "started");
	ret = container_set_status(lk, st, "running");
	if (ret < 0)
		return ret;
	hooks_run(b, st, HOOK_POSTSTART);
	return 0;
}

int create_container(struct ozone_globals *g, const struct create_opts *o, const char *id,
		     struct bundle *b, enum create_mode mode)
{
	struct launch l = {
	    .container_id = id,
	    .exec_id = "",
	    .terminal = b->spec.process.terminal,
	    .console_socket = o->console_socket,
	    .detach = mode != CREATE_RUN,
	    .rows = b->spec.process.has_console_size ? b->spec.process.console_height : 0,
	    .cols = b->spec.process.has_console_size ? b->spec.process.console_width : 0};
	struct sandbox_size size;
	struct sandbox_net net;
	struct store_lock lk;
	struct oci_state st;
	struct sandbox sb;
	pid_t pid = 0;
	int ret, status;
	char msg[1024], pod[PROTO_NAME_MAX + 1];
	int role;
	sigset_t old;

	memset(&sb, 0, sizeof(sb));
	sandbox_net_init(&net);
	launch_init(&l);
	ret = launch_preserve_fds(&l, o->preserve_fds);
	if (ret < 0)
		return ozone_fail(ret);
	role = pod_role(id, &b->spec, pod);
	if (role < 0)
		return ozone_fail(role);
	ret = sandbox_size(&b->spec, &size);
	if (ret < 0)
		return ozone_fail(ret);
	/*
	 * The network namespace of a VM, checked before anything is made: host
	 * networking and a path that is no network namespace end here. A
	 * pod's member is in its sandbox's VM, whose namespace it names.
	 */
	if (role != POD_MEMBER) {
		ret = net_ns_from_spec(&b->spec, &net.ns);
		if (ret < 0)
			return ozone_fail(ret);
	}
	stage(id, "begin");
	sandbox_block_stop_signals(&old);
	ret = store_create(g, id, &lk);
	if (ret < 0) {
		sandbox_net_release(&net);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return ozone_fail(ret);
	}
	ret = state_init(&st, id, b);
	if (ret < 0) {
		sandbox_net_release(&net);
		store_remove(g, id, &lk);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return ozone_fail(ret);
	}
	/* Step 1 ends: the id is ours, recorded as "creating". */
	ret = store_write(&lk, &st);
	if (ret < 0)
		goto fail;
	ret = save_config(&lk, b);
	if (ret < 0)
		goto fail;
	ret = create_sandbox(&sb, g, id, b, role, pod, &size, &net, &l.conn);
	/* The VMM holds the taps now; ours would keep them alive after it. */
	sandbox_net_release(&net);
	if (ret < 0)
		goto fail;
	/* Step 3: the container in the VM, and its streams. */
	ret = agent_create(&l, id, b, pod);
	if (ret < 0)
		goto fail;
	stage(id, "container created");
	ret = launch_connect(&l, sb.sock);
	if (ret < 0)
		goto fail;
	stage(id, "streams connected");
	/* Step 4: the proxy, the pid file, the state. */
	if (l.detach) {
		ret = launch_fork(&l, &pid);
		if (ret < 0)
			goto fail;
		ret = host_cgroup_join(sb.cgroup, pid, sb.cgroup_ignore_perm);
		if (ret < 0)
			goto fail;
	} else {
		pid = getpid();
	}
	if (o->pid_file) {
		ret = launch_pidfile(o->pid_file, pid);
		if (ret < 0)
			goto fail;
	}
	st.pid = pid;
	st.pid_start = store_pid_start(pid);
	ret = store_write(&lk, &st);
	if (ret < 0)
		goto fail;
	/* The hooks of a VM's container all run on the host, with the proxy's pid. */
	ret = hooks_run(b, &st, HOOK_CREATE_RUNTIME);
	if (ret < 0)
		goto fail;
	ret = hooks_run(b, &st, HOOK_CREATE_CONTAINER);
	if (ret < 0)
		goto fail;
	/* The commit point: a stop signal until now undoes the container. */
	ret = sandbox_interrupted();
	if (ret < 0)
		goto fail;
	ret = container_set_status(&lk, &st, "created");
	if (ret < 0)
		goto fail;
	if (mode != CREATE_ONLY) {
		ret = start_container(&l, &sb, id, b, &lk, &st);
		if (ret < 0)
			goto fail;
	}
	store_unlock(&lk);
	if (l.detach) {
		launch_close(&l);
		oci_state_free(&st);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return 0;
	}
	/* A foreground run: this process is the proxy (which forwards the stop signals too). */
	status = launch_run(&l);
	stage(id, "exited");
	if (!o->keep && store_lock(g, id, &lk) == 0) {
		if (container_remove(g, id, &lk, 0, 0) < 0)
			ozone_fail(-1);
		else
			hooks_run(b, &st, HOOK_POSTSTOP);
		stage(id, "deleted");
	}
	oci_state_free(&st);
	return status;

fail:
	/* Undo everything; the first error is the one to report. */
	snprintf(msg, sizeof(msg), "%s", err_msg());
	if (l.detach)
		launch_close(&l);
	if (pid > 0 && l.detach)
		kill(pid, SIGKILL);
	container_remove(g, id, &lk, 0, 0);
	if (!l.detach)
		launch_close(&l);
	oci_state_free(&st);
	ret = ozone_failf("%s", msg);
	/* A pending stop signal now ends us as it would have. */
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}
