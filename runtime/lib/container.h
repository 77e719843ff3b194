/* SPDX-License-Identifier: Apache-2.0 */
/* What the verbs on an existing container share: its state, its agent, its removal. */
#ifndef OZONE_RUNTIME_CONTAINER_H
#define OZONE_RUNTIME_CONTAINER_H

#include "runtime/lib/agent_client.h"
#include "runtime/lib/hooks.h"
#include "runtime/lib/ozone.h"
#include "runtime/lib/sandbox.h"
#include "runtime/lib/store.h"

#include <sys/types.h>

/* The copy of config.json kept in the state directory (exec reads the process from it). */
#define CONTAINER_CONFIG "config.json"

/*
 * Locks the container and reads its state. A container left "creating"
 * by a creator that died reads as "stopped" (the lock is ours, so nobody
 * is creating it).
 */
int container_lock(const struct ozone_globals *g, const char *id, struct store_lock *lk,
		   struct oci_state *st);
/* Sets the status and writes the state of a locked container. */
int container_set_status(const struct store_lock *lk, struct oci_state *st, const char *status);
/* Puts pid (a proxy) in the container's host cgroup, if it has one. */
int container_join_cgroup(const struct ozone_globals *g, const char *id, pid_t pid);
/* Reaches the agent of the container's sandbox. */
int container_agent(const struct ozone_globals *g, const char *id, struct agent_conn *c);
/*
 * Removes a locked container: stops its VM, detaches and removes the
 * shared directory, kills a proxy that is still there (proxy_pid, start),
 * removes the state; unlocks.
 */
int container_remove(const struct ozone_globals *g, const char *id, struct store_lock *lk,
		     int proxy_pid, uint64_t proxy_start);
/*
 * pause (freeze) and resume (thaw): the agent freezes or thaws the
 * container's cgroup, and its status goes from "running" to "paused" or
 * back ("container not running" or "container not paused" otherwise).
 */
int container_freeze(const struct ozone_globals *g, const char *id, bool freeze);
/* "running", "created"...: one line of error when status is not one of want (NULL-terminated). */
int container_expect(const struct oci_state *st, const char *verb, const char *const *want);

/* The config.json kept at create (and the state's bundle and rootfs); free with bundle_free. */
int container_spec(const struct ozone_globals *g, const struct oci_state *st, struct bundle *b);

#endif
