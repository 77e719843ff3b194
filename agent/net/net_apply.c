/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_apply: the host namespace's network on the guest's NICs.
 *
 * Every NIC is found before any is touched, so a MAC with no NIC fails the
 * request with nothing changed. Then, for each link: in the guest's root
 * namespace the NIC goes down, takes a temporary name and its MTU and
 * moves into the VM's namespace; there it takes its real name, IPv6
 * autoconfiguration off (accept_ra=0, autoconf=0: the runtime's addresses
 * and routes are the whole truth), its addresses and goes up. The temporary name ("ozoneN", N its
 * ifindex, the names the guest kernel never gives) is why this order works whatever names the guest
 * kernel chose: the NIC with the MAC of eth1 may well be the guest's eth0, and a link keeps its
 * name when it changes namespace, so moving it as "eth0" next to an eth0 already moved would
 * collide.
 *
 * Routes come after every link is up: first those without a gateway (the
 * link-scope routes that make a gateway reachable), then those with one.
 * Neighbours last; `lo` is up from the namespace's making, again here.
 *
 * A guest kernel without IPv6 (ozone's own has it; one built without
 * CONFIG_IPV6 does not) cannot take an IPv6 address, route or neighbour
 * (EAFNOSUPPORT/EOPNOTSUPP): those are left out, and counted, so that a
 * dual-stack namespace on the host still gives the guest its IPv4.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/net/net.h"
#include "common/error.h"

bool net_ipv6(void)
{
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return errno != EAFNOSUPPORT;
	close(fd);
	return true;
}

/* Whether a of that family is left out; counted in *skipped. */
static bool net_skip(uint8_t family, bool ipv6, unsigned *skipped)
{
	if (family != AF_INET6 || ipv6)
		return false;
	(*skipped)++;
	return true;
}

/* The VM namespace's ifindex of the link of c named dev (checked by net_config_check). */
static int net_apply_dev(const struct net_config *c, const int *vidx, const char *dev)
{
	for (unsigned i = 0; i < c->nlinks && i < NET_LINKS_MAX; i++)
		if (!strcmp(c->links[i].name, dev))
			return vidx[i];
	return 0;
}

/* In the root namespace: down, a temporary name, the MTU, then into the VM's namespace. */
static int net_apply_move(struct nl_sock *root, const struct net_link *l, int ifindex, int vmfd)
{
	char tmp[IFNAMSIZ];
	struct net_link_change ch = {.up = 0, .name = tmp, .mtu = l->mtu, .nsfd = -1};
	struct net_link_change move = {.up = -1, .nsfd = vmfd};
	int ret;

	snprintf(tmp, sizeof(tmp), "ozone%d", ifindex);
	if ((ret = net_link_set(root, ifindex, &ch)) < 0 ||
	    (ret = net_link_set(root, ifindex, &move)) < 0)
		return ret;
	return 0;
}

/* In the VM's namespace: its name, no IPv6 autoconfiguration, its addresses, up. */
static int net_apply_link(struct nl_sock *vm, int vmfd, const struct net_link *l, int *vidx,
			  bool ipv6, unsigned *skipped)
{
	struct net_link_change name = {.up = -1, .name = l->name, .nsfd = -1};
	struct net_link_change up = {.up = 1, .nsfd = -1};
	int ret;

	/* The ifindex may change with the namespace: the MAC says which link it is. */
	if ((ret = net_link_find(vm, l->mac, vidx)) < 0 ||
	    (ret = net_link_set(vm, *vidx, &name)) < 0)
		return ret;
	/* Before it is up: up, it would solicit routers and take what they advertise. */
	if (ipv6 && (ret = net_link_noauto6(vmfd, l->name)) < 0)
		return ret;
	for (unsigned a = 0; a < l->naddrs && a < NET_ADDRS_MAX; a++) {
		if (net_skip(l->addrs[a].family, ipv6, skipped))
			continue;
		if ((ret = net_addr_add(vm, *vidx, &l->addrs[a])) < 0)
			return ret;
	}
	return net_link_set(vm, *vidx, &up);
}

static int net_apply_routes(struct nl_sock *vm, const struct net_config *c, const int *vidx,
			    bool ipv6, unsigned *skipped)
{
	int ret;

	/* Pass 0: routes without a gateway; pass 1: those whose gateway they make reachable. */
	for (int pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < c->nroutes && i < NET_ROUTES_MAX; i++) {
			const struct net_route *r = &c->routes[i];
			int ifindex = net_apply_dev(c, vidx, r->dev);

			if (r->has_gw != (pass == 1) || net_skip(r->dst.family, ipv6, skipped))
				continue;
			if (!ifindex)
				return err_setx(EINVAL, "route %u: no link '%s'", i, r->dev);
			if ((ret = net_route_add(vm, ifindex, r)) < 0)
				return ret;
		}
	for (unsigned i = 0; i < c->nneighs && i < NET_NEIGHS_MAX; i++) {
		const struct net_neigh *n = &c->neighs[i];
		int ifindex = net_apply_dev(c, vidx, n->dev);

		if (net_skip(n->ip.family, ipv6, skipped))
			continue;
		if (!ifindex)
			return err_setx(EINVAL, "neighbour %u: no link '%s'", i, n->dev);
		if ((ret = net_neigh_add(vm, ifindex, n)) < 0)
			return ret;
	}
	return net_lo_up(vm);
}

int net_apply(const struct net_config *c, int vmfd, bool ipv6, unsigned *skipped6)
{
	unsigned skipped = 0;
	struct nl_sock root = {.fd = -1}, vm = {.fd = -1};
	int idx[NET_LINKS_MAX] = {0}, vidx[NET_LINKS_MAX] = {0};
	unsigned i;
	int ret;

	/* The decoder checked it; the bounds below rely on it, so again. */
	if ((ret = net_config_check(c, EINVAL)) < 0)
		return ret;
	if ((ret = nl_open(&root)) < 0) {
		ret = err_set(-ret, "network: open a netlink socket");
		goto out;
	}
	for (i = 0; i < c->nlinks; i++)
		if ((ret = net_link_find(&root, c->links[i].mac, &idx[i])) < 0) {
			ret = err_prefix(ret, "network: link %s", c->links[i].name);
			goto out;
		}
	if ((ret = net_ns_sock(vmfd, NULL, &vm)) < 0) {
		ret = err_prefix(ret, "network: the VM's namespace");
		goto out;
	}
	for (i = 0; i < c->nlinks; i++) {
		const struct net_link *l = &c->links[i];

		if ((ret = net_apply_move(&root, l, idx[i], vmfd)) < 0 ||
		    (ret = net_apply_link(&vm, vmfd, l, &vidx[i], ipv6, &skipped)) < 0) {
			ret = err_prefix(ret, "network: link %s", l->name);
			goto out;
		}
	}
	if ((ret = net_apply_routes(&vm, c, vidx, ipv6, &skipped)) < 0)
		ret = err_prefix(ret, "network");
out:
	if (skipped6)
		*skipped6 = skipped;
	if (vm.fd >= 0)
		nl_close(&vm);
	if (root.fd >= 0)
		nl_close(&root);
	return ret;
}
