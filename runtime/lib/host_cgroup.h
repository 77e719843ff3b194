/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host cgroup of a container: its VMM and its proxies go into the group
 * that linux.cgroupsPath names, in every cgroup hierarchy mounted on the
 * host (cgroup v2, v1 controllers, named v1 hierarchies: a v1/v2 hybrid
 * gets both), so the host accounts and limits the whole VM as it would the
 * container. ozone sets no limit there itself: the VM is sized from the
 * limits instead, and the caller (kubelet, containerd) limits the parents.
 *
 *   cgroupsPath "/a/b" (or "a/b")   the group a/b below each hierarchy's root
 *   --systemd-cgroup "slice:prefix:name"
 *                                   <slice path>/<prefix>-<name>.scope, the
 *                                   slice expanded as systemd does
 *                                   ("a-b.slice" -> "a.slice/a-b.slice";
 *                                   empty -> "system.slice"); a name ending
 *                                   in ".slice" is that slice itself
 *   no cgroupsPath                  no group: the VMM stays where ozone runs
 */
#ifndef OZONE_RUNTIME_HOST_CGROUP_H
#define OZONE_RUNTIME_HOST_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The group's path (relative, no leading '/') into out; "" when there is none. */
int host_cgroup_path(const char *cgroups_path, bool systemd, char *out, size_t size);
/*
 * Makes the group in every hierarchy (v1 cpuset groups get their parent's
 * cpus and mems, or no task could join). ignore_perm: a permission error
 * means "no cgroup" (rootless) rather than a failure.
 */
int host_cgroup_create(const char *path, bool ignore_perm);
/* Moves pid into the group in every hierarchy where it exists. */
int host_cgroup_join(const char *path, pid_t pid, bool ignore_perm);
/* Removes the group (the leaf only) from every hierarchy, waiting briefly while it empties. */
int host_cgroup_remove(const char *path);

#endif
