/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The guest's network: the VM's network namespace, which the containers
 * join, and the `network` request, which gives the guest's NICs (virtio-net,
 * their MACs set by the VMM from the host's links) the names, MTUs,
 * addresses, routes and neighbours of the container's namespace on the host
 * (docs/network.md, "The guest"). Everything over rtnetlink
 * (common/netlink.h); no `ip` command.
 *
 * The agent's own threads never leave the guest's root namespace: work
 * inside another namespace runs on a short-lived thread of its own
 * (net_ns.c), and a netlink socket opened there stays bound to it.
 */
#ifndef OZONE_AGENT_NET_H
#define OZONE_AGENT_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

#include "common/net_config.h"
#include "common/netlink.h"

/* ---- namespaces (net_ns.c) ---- */

/* A netlink socket of the namespace nsfd (-1: a new namespace, its fd in *newfd). */
int net_ns_sock(int nsfd, int *newfd, struct nl_sock *s);

/* ---- the VM's namespace (net_vm.c) ---- */

/*
 * The fd of the VM's network namespace, made on first use with `lo` up.
 * The agent keeps it for its lifetime; the caller must not close it.
 */
int net_vm_ns(int *fd);

/*
 * A path that opens the VM's namespace from any process that can see the
 * agent's /proc: "/proc/<agent pid>/fd/<fd>" (made on first use). n >= 64.
 */
int net_vm_ns_path(char *buf, size_t n);

/*
 * Applies c once in the VM's namespace (net_apply); a second call is
 * refused with EEXIST, unless c is the config already applied (0).
 */
int net_vm_configure(const struct net_config *c, unsigned *skipped6);

/* ---- links (net_link.c) ---- */

/* The ifindex of the link with this MAC in s's namespace; -ENOENT if none. */
int net_link_find(struct nl_sock *s, const uint8_t mac[6], int *ifindex);

/*
 * Changes link ifindex with one RTM_NEWLINK: up (1), down (0) or as it is
 * (-1); name, mtu (0: as is) and the namespace nsfd (-1: stays) when given.
 */
struct net_link_change {
	int up;
	const char *name;
	uint32_t mtu;
	int nsfd;
};
int net_link_set(struct nl_sock *s, int ifindex, const struct net_link_change *ch);

/*
 * Switches IPv6 autoconfiguration off on link dev of the namespace nsfd,
 * before it is up: accept_ra=0 (no router advertisement adds an address,
 * a default route or an MTU, and no router solicitation is sent) and
 * autoconf=0 (no SLAAC address from a prefix), so that the guest has the
 * addresses and routes the host's namespace had, and no more. The
 * link-local address the kernel derives from the MAC stays.
 */
int net_link_noauto6(int nsfd, const char *dev);

/* Brings `lo` up in the namespace of s (or, without s, of the calling thread). */
int net_lo_up(struct nl_sock *s);

/* ---- addresses, routes, neighbours (net_addr.c) ---- */

/* Adds a to link ifindex; IPv6 with IFA_F_NODAD, usable at once. */
int net_addr_add(struct nl_sock *s, int ifindex, const struct net_addr *a);
/* Adds r (via link ifindex) to the main table. */
int net_route_add(struct nl_sock *s, int ifindex, const struct net_route *r);
/* Adds n (on link ifindex) as a permanent neighbour. */
int net_neigh_add(struct nl_sock *s, int ifindex, const struct net_neigh *n);

/* ---- the config (net_apply.c) ---- */

/*
 * Gives each link of c (checked again here with net_config_check) to the
 * NIC of the calling thread's namespace with its MAC, and moves that NIC
 * into the namespace vmfd with its name, MTU, IPv6 autoconfiguration off
 * (net_link_noauto6), addresses, up; then adds the
 * routes and neighbours there. -ENODEV naming the MAC and the link when no
 * NIC has it: nothing has been touched then. Without ipv6 (a guest kernel
 * built without it, net_ipv6), the IPv6 addresses, routes and neighbours
 * are left out, counted in *skipped6 (may be NULL), instead of failing the
 * whole request: the host's namespace may well be dual-stack.
 */
int net_apply(const struct net_config *c, int vmfd, bool ipv6, unsigned *skipped6);
/* Whether this kernel has IPv6 (an AF_INET6 socket can be made). */
bool net_ipv6(void);

#endif
