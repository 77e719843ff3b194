/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A pod's containers in one guest. Kubernetes' CRI gives a pod's app
 * containers the sandbox container's namespaces by path: /proc/<pid>/ns/ipc
 * of a host pid, the pid of the sandbox's proxy. No host path means
 * anything in the guest, so the create request names the sandbox container
 * instead ("pod") and each namespace the spec joins by path becomes the one
 * of that container's init here; the sandbox container itself (the pod is
 * its own id) makes new ones, whatever host paths its spec names, except
 * the network: a sandbox that names one by path joins the VM's (which
 * ops_create has put in its spec already), as the members do through it.
 * User namespaces are not made (ctr_ns.c): their paths are left alone.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/proc/proc.h"
#include "common/error.h"
#include "common/util.h"
#include "ops.h"

/* The namespaces a pod shares, by their OCI type and their name under /proc/PID/ns. */
static const struct {
	const char *type, *name;
} pod_kinds[] = {{"ipc", "ipc"}, {"uts", "uts"}, {"pid", "pid"}, {"network", "net"}};

/* The pod's sandbox container's init, if it runs; 0 otherwise. */
static pid_t pod_init_pid(const char *pod)
{
	struct agent_proc *p;
	struct agent_ctr *c;
	pid_t pid = 0;

	pthread_mutex_lock(&agent_lock);
	c = agent_ctr_find(pod);
	p = c && !c->dying ? agent_proc_find(c, "") : NULL;
	if (p && p->pid > 0 && !p->exited)
		pid = p->pid;
	pthread_mutex_unlock(&agent_lock);
	return pid;
}

int pod_join_paths(const char *id, const char *pod, struct oci_spec *spec)
{
	/* The sandbox container itself makes the pod's namespaces. */
	bool sandbox = !strcmp(id, pod);
	pid_t pid = sandbox ? 0 : pod_init_pid(pod);

	if (!sandbox && !pid)
		return err_setx(ESRCH, "create %s: pod sandbox '%s' has no running process", id,
				pod);
	for (size_t i = 0; i < spec->lnx.n_namespaces; i++) {
		struct oci_namespace *ns = &spec->lnx.namespaces[i];
		const char *name = NULL;
		char path[64], *dup;

		if (!ns->path || !strcmp(ns->type, "user"))
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(pod_kinds); k++)
			if (!strcmp(ns->type, pod_kinds[k].type))
				name = pod_kinds[k].name;
		if (!name)
			return err_setx(EINVAL,
					"create %s: linux.namespaces: a pod shares no %s namespace",
					id, ns->type);
		if (sandbox) {
			/* Its network by path stays: the VM's, which ops_create put there. */
			if (strcmp(ns->type, "network")) {
				free(ns->path);
				ns->path = NULL;
			}
			continue;
		}
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, name);
		dup = strdup(path);
		if (!dup)
			return err_set(ENOMEM, "create %s", id);
		free(ns->path);
		ns->path = dup;
	}
	return 0;
}
