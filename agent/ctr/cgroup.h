/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup v2 groups for containers in the guest: one group per container
 * under <root>/ozone/<id>, limits from an OCI linux.resources object
 * (memory, cpu, pids, cpuset, io, unified), counters for `stats`, the
 * freezer for pause/resume, cgroup.kill for destroy and memory.events for
 * OOM kills. The root is /sys/fs/cgroup in the guest (cg_init mounts it);
 * host-mode tests pass a cgroup2 directory of their own.
 */
#ifndef OZONE_AGENT_CGROUP_H
#define OZONE_AGENT_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/proto.h"

/*
 * Uses root (mounting cgroup2 there when mount is true) and enables every
 * available controller for the groups below it. 0 or -errno.
 */
int cg_init(const char *root, bool mount);

/* Creates <root>/ozone/<id> with the limits in resources_json (may be NULL); path gets its absolute
 * path. */
int cg_create(const char *id, const char *resources_json, char *path, size_t len);
/* Applies an OCI linux.resources object to an existing group. */
int cg_update(const char *path, const char *resources_json);
int cg_stats(const char *path, struct proto_stats *st);
/* Freezes (true) or thaws the group and waits until the kernel says it is done. */
int cg_freeze(const char *path, bool frozen);
/* The pids in the group (cgroup.procs of it and of every group below it); *pids malloc'd. */
int cg_pids(const char *path, uint32_t **pids, size_t *n);
/* Sends sig to every process of the group (cgroup.kill for SIGKILL). */
int cg_signal_all(const char *path, int sig);
/* The memory.events oom_kill counter: the server compares it to report `oom` events. */
int cg_oom_kills(const char *path, uint64_t *count);
/* Kills what is left and removes the group. */
int cg_destroy(const char *path);

#endif
