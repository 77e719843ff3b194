/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The network namespace a VM's VMM runs in (docs/network.md): the one the
 * spec names by path (the CNI's, made by containerd, CRI-O or podman), or a
 * new empty one when the spec's network namespace has no path. A spec with
 * no network namespace asks for the host's network, which a VM cannot
 * share: refused, as Kata does.
 */
#ifndef OZONE_RUNTIME_NET_NS_H
#define OZONE_RUNTIME_NET_NS_H

#include <limits.h>
#include <sys/types.h>

#include "common/oci_spec.h"

struct net_ns {
	int fd; /* O_RDONLY fd of the namespace; -1: a new empty one (no path) */
	char path[PATH_MAX];
	dev_t dev; /* its identity, recorded so that a later delete finds the same one */
	ino_t ino;
};

/*
 * The VM's network namespace from the spec's linux.namespaces: ns->fd -1
 * for a new one, or the checked namespace at its path. -EINVAL for host
 * networking (no network namespace); errors name the path and why.
 */
int net_ns_from_spec(const struct oci_spec *spec, struct net_ns *ns);
/*
 * Opens path and checks it is a network namespace (NS_GET_NSTYPE) and
 * not the host's own (that of /proc/1/ns/net).
 */
int net_ns_open(const char *path, struct net_ns *ns);
void net_ns_close(struct net_ns *ns);

#endif
