/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reads the network a CNI plugin left in a namespace, over rtnetlink, into
 * a struct net_config (common/net_config.h): each link that is up and is
 * not loopback (name, MAC, MTU, its IPv4 and IPv6 addresses but the IPv6
 * link-local ones, which the guest makes itself), the routes of the main
 * table but the kernel's own (proto kernel), the permanent neighbours.
 * More of anything than net_config holds is an error, never a cut.
 */
#ifndef OZONE_RUNTIME_NET_SCAN_H
#define OZONE_RUNTIME_NET_SCAN_H

#include "common/net_config.h"
#include "common/netlink.h"

/*
 * Scans the namespace of s (a socket opened in it, netns_run) into c;
 * ifindex[i] gets the index of c->links[i]. The result passes
 * net_config_check.
 */
int net_scan(struct nl_sock *s, struct net_config *c, int ifindex[NET_LINKS_MAX]);

#endif
