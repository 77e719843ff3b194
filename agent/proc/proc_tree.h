/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container's processes when it has no cgroup (a host-mode agent without
 * --cgroup-root): its known processes and all their descendants, found by
 * walking /proc. With a cgroup the cgroup is the truth (cgroup.h).
 */
#ifndef OZONE_AGENT_PROC_TREE_H
#define OZONE_AGENT_PROC_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "proc.h"

/* With agent_lock held: the container's live pids (*pids malloc'd). */
int agent_ctr_pids(struct agent_ctr *c, uint32_t **pids, size_t *n);
/* With agent_lock held: sig to every process of the container. */
int agent_ctr_signal_all(struct agent_ctr *c, int sig);

#endif
