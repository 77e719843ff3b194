/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pieces that join a CNI link to a VM's NIC (docs/network.md), each
 * over rtnetlink in the namespace of the socket (or, for a tap, of the
 * calling thread): a tap for the VMM (net_tap.c) and tc's ingress qdisc
 * with a u32 filter whose mirred action sends every frame that arrives on
 * one device out of the other (net_tc.c), the model Kata made its default
 * because it works with every CNI plugin:
 *
 *   tc qdisc add dev A ingress
 *   tc filter add dev A parent ffff: protocol all u32 match u8 0 0 \
 *           action mirred egress redirect dev B
 */
#ifndef OZONE_RUNTIME_NET_WIRE_H
#define OZONE_RUNTIME_NET_WIRE_H

#include <stdint.h>

#include "common/net_config.h"
#include "common/netlink.h"

/* The name the tap of the namespace's i-th link gets. */
#define NET_TAP_FMT "tap%u_oz"

/*
 * net_tap.c: makes the tap `name` (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR) in
 * the calling thread's namespace; *fd holds it (the tap goes when the
 * last fd is closed) and *ifindex gets its index.
 */
int net_tap_open(const char *name, int *fd, int *ifindex);
/* Sets the link's MTU and brings it up. */
int net_link_up(struct nl_sock *s, int ifindex, uint32_t mtu);
/*
 * Deletes the link `name` when it is a tap (a tun device): 0 when there is
 * none; a link of that name of another kind is left alone (-EEXIST).
 */
int net_tap_delete(struct nl_sock *s, const char *name);

/* net_tc.c: 1 when the link has an ingress (or clsact) qdisc, 0 when not. */
int net_tc_has_ingress(struct nl_sock *s, int ifindex);
/* Adds the ingress qdisc to the link (it must have none: -EEXIST). */
int net_tc_add_ingress(struct nl_sock *s, int ifindex);
/* Adds the u32 filter that redirects every frame arriving on `from` out of `to`. */
int net_tc_add_redirect(struct nl_sock *s, int from, int to);
/* Deletes the link's ingress qdisc and so its filters; 0 when it has none. */
int net_tc_del_ingress(struct nl_sock *s, int ifindex);

/*
 * net_wire.c: the whole of it for a namespace (an fd, net_ns.h), each on a
 * thread inside it (netns_run).
 *
 * net_ns_scan: net_scan, and a refusal of a link that has an ingress (or
 * clsact) qdisc already: its filters are another's (a CNI plugin's), and
 * teardown, which deletes the qdisc, must never delete theirs.
 */
int net_ns_scan(int nsfd, struct net_config *c);
/*
 * For each link i of c: the tap NET_TAP_FMT(i) with the link's MTU, up;
 * an ingress qdisc on both and a redirect each way. tap_fd[i] gets the
 * tap. On failure what was made is undone and no fd is left open.
 */
int net_ns_wire(int nsfd, const struct net_config *c, int tap_fd[NET_LINKS_MAX]);
/*
 * Undoes net_ns_wire for the n links named: deletes each tap (when there)
 * and the link's ingress qdisc (when there); never the link itself. Goes
 * on after an error, and returns the first.
 */
int net_ns_unwire(int nsfd, char (*links)[IFNAMSIZ], unsigned n);

#endif
