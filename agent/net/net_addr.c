/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Addresses, routes and neighbours, one request each. The config is the
 * truth: each is created or replaces what is there (NLM_F_REPLACE), so a
 * route the guest kernel made itself (an address's subnet) or an IPv6
 * link-local address it derived from the same MAC is no conflict.
 */
#include <errno.h>
#include <sys/socket.h>
#include <linux/neighbour.h>

#include "agent/net/net.h"
#include "common/error.h"

static size_t net_addr_len(const struct net_addr *a)
{
	return a->family == AF_INET6 ? 16 : 4;
}

int net_addr_add(struct nl_sock *s, int ifindex, const struct net_addr *a)
{
	struct nl_msg m;
	struct ifaddrmsg *ifa =
	    nl_msg_init(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, sizeof(*ifa));
	char text[NET_ADDR_STRLEN];
	int ret;

	ifa->ifa_family = a->family;
	ifa->ifa_prefixlen = a->prefix;
	ifa->ifa_index = (uint32_t)ifindex;
	/* No duplicate address detection: the host's namespace owned the address already. */
	if (a->family == AF_INET6)
		ifa->ifa_flags = IFA_F_NODAD;
	else
		nl_put(&m, IFA_LOCAL, a->addr, 4);
	nl_put(&m, IFA_ADDRESS, a->addr, net_addr_len(a));
	ret = nl_call(s, &m);
	if (ret < 0) {
		net_addr_format(a, true, text);
		return err_set(-ret, "address %s", text);
	}
	return 0;
}

static unsigned char net_rt_scope(enum net_scope scope)
{
	switch (scope) {
	case NET_SCOPE_LINK:
		return RT_SCOPE_LINK;
	case NET_SCOPE_HOST:
		return RT_SCOPE_HOST;
	default:
		return RT_SCOPE_UNIVERSE;
	}
}

int net_route_add(struct nl_sock *s, int ifindex, const struct net_route *r)
{
	struct nl_msg m;
	struct rtmsg *rtm =
	    nl_msg_init(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, sizeof(*rtm));
	char dst[NET_ADDR_STRLEN], gw[NET_ADDR_STRLEN] = "";
	int ret;

	rtm->rtm_family = r->dst.family;
	rtm->rtm_dst_len = r->dst.prefix;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT; /* what `ip route add` gives: an administrator's route */
	rtm->rtm_scope = net_rt_scope(r->scope);
	rtm->rtm_type = RTN_UNICAST;
	if (r->onlink)
		rtm->rtm_flags |= RTNH_F_ONLINK;
	if (r->dst.prefix)
		nl_put(&m, RTA_DST, r->dst.addr, net_addr_len(&r->dst));
	if (r->has_gw)
		nl_put(&m, RTA_GATEWAY, r->gw.addr, net_addr_len(&r->gw));
	nl_put_u32(&m, RTA_OIF, (uint32_t)ifindex);
	nl_put_u32(&m, RTA_PRIORITY, r->metric);
	ret = nl_call(s, &m);
	if (ret < 0) {
		net_addr_format(&r->dst, true, dst);
		if (r->has_gw)
			net_addr_format(&r->gw, false, gw);
		return err_set(-ret, "route %s%s%s dev %s", dst, r->has_gw ? " via " : "", gw,
			       r->dev);
	}
	return 0;
}

int net_neigh_add(struct nl_sock *s, int ifindex, const struct net_neigh *n)
{
	struct nl_msg m;
	struct ndmsg *ndm =
	    nl_msg_init(&m, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, sizeof(*ndm));
	char ip[NET_ADDR_STRLEN];
	int ret;

	ndm->ndm_family = n->ip.family;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_state = NUD_PERMANENT;
	nl_put(&m, NDA_DST, n->ip.addr, net_addr_len(&n->ip));
	nl_put(&m, NDA_LLADDR, n->mac, 6);
	ret = nl_call(s, &m);
	if (ret < 0) {
		net_addr_format(&n->ip, false, ip);
		return err_set(-ret, "neighbour %s dev %s", ip, n->dev);
	}
	return 0;
}
