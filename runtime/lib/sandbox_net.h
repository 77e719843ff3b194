/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A VM's network (docs/network.md): the namespace its VMM runs in, the
 * links found there, and a tap wired to each. What is wired is recorded
 * first in <dir>/net of the container that starts the VM, so that a
 * create killed half-way leaves nothing delete cannot undo:
 *
 *   netns <st_dev> <st_ino> <path>   the namespace, and its identity
 *   link <name>                      link i, its tap NET_TAP_FMT(i)
 */
#ifndef OZONE_RUNTIME_SANDBOX_NET_H
#define OZONE_RUNTIME_SANDBOX_NET_H

#include "runtime/lib/net_ns.h"
#include "common/net_config.h"

struct sandbox;

struct sandbox_net {
	struct net_ns ns;	/* ns.fd -1: the VMM gets a new, empty namespace */
	struct net_config *cfg; /* malloc'd; NULL until scanned, or for a new namespace */
	int tap_fd[NET_LINKS_MAX];
};

/* A sandbox_net with nothing in it (sandbox_net_release is then a no-op). */
void sandbox_net_init(struct sandbox_net *n);
/*
 * For the namespace in n->ns (net_ns_from_spec): scans it, records what
 * will be made in <sb->dir>/net and wires each link to a tap.
 */
int sandbox_net_setup(struct sandbox *sb, struct sandbox_net *n);
/* Closes this process's fds (the VMM keeps its own) and frees the config. */
void sandbox_net_release(struct sandbox_net *n);
/*
 * From <sb->dir>/net: removes the taps and qdiscs made in the namespace,
 * when it still is the one recorded, and then the record; 0 when there is
 * none.
 */
int sandbox_net_teardown(struct sandbox *sb);

#endif
