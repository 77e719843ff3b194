/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/lib/net_scan.h"
#include "common/error.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

struct scan {
	struct net_config *c;
	int *ifindex;
	int (*cb)(const struct nlmsghdr *h, void *arg); /* the dump's */
	bool failed; /* cb failed, and said why: not the kernel */
};

/* The link of the config with that index, or -1 (loopback, down, not scanned). */
static int scan_link(const struct scan *s, int ifindex)
{
	for (unsigned i = 0; i < s->c->nlinks; i++)
		if (s->ifindex[i] == ifindex)
			return (int)i;
	return -1;
}

static int link_cb(const struct nlmsghdr *h, void *arg)
{
	struct scan *s = arg;
	const struct ifinfomsg *ifi = nl_family_hdr(h, sizeof(*ifi));
	const struct rtattr *tb[IFLA_MAX + 1];
	struct net_link *l;
	char name[IFNAMSIZ];
	int ret;

	if (h->nlmsg_type != RTM_NEWLINK || !ifi)
		return ifi ? 0 : err_setx(EBADMSG, "link dump: a short message");
	if ((ifi->ifi_flags & IFF_LOOPBACK) || !(ifi->ifi_flags & IFF_UP))
		return 0;
	ret = nl_parse(h, sizeof(*ifi), tb, IFLA_MAX);
	if (ret < 0 || !tb[IFLA_IFNAME] || nl_get_str(tb[IFLA_IFNAME], name, sizeof(name)) < 0)
		return err_setx(EBADMSG, "link dump: link %d: a bad message", ifi->ifi_index);
	if (s->c->nlinks == NET_LINKS_MAX)
		return err_setx(E2BIG, "network namespace: more than %d links that are up",
				NET_LINKS_MAX);
	/* The guest's NIC is Ethernet: a link without a MAC (a tun, wireguard) has no twin. */
	if (!tb[IFLA_ADDRESS] || nl_len(tb[IFLA_ADDRESS]) != 6)
		return err_setx(EINVAL,
				"network namespace: link %s is not Ethernet (no MAC address); a "
				"VM's NIC cannot stand for it",
				name);
	l = &s->c->links[s->c->nlinks];
	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", name);
	memcpy(l->mac, nl_data(tb[IFLA_ADDRESS]), 6);
	if (!tb[IFLA_MTU] || nl_get_u32(tb[IFLA_MTU], &l->mtu) < 0)
		return err_setx(EBADMSG, "link dump: link %s: no MTU", name);
	s->ifindex[s->c->nlinks++] = ifi->ifi_index;
	return 0;
}

/* An address attribute of family into a; -EBADMSG when its length is not the family's. */
static int get_addr(const struct rtattr *a, uint8_t family, uint8_t prefix, struct net_addr *out)
{
	size_t len = family == AF_INET ? 4 : 16;

	if (nl_len(a) != len)
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	out->family = family;
	out->prefix = prefix;
	memcpy(out->addr, nl_data(a), len);
	return 0;
}

static int addr_cb(const struct nlmsghdr *h, void *arg)
{
	struct scan *s = arg;
	const struct ifaddrmsg *ifa = nl_family_hdr(h, sizeof(*ifa));
	const struct rtattr *tb[IFA_MAX + 1], *a;
	struct net_link *l;
	struct net_addr addr;
	int i;

	if (!ifa)
		return err_setx(EBADMSG, "address dump: a short message");
	if (h->nlmsg_type != RTM_NEWADDR ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return 0;
	i = scan_link(s, (int)ifa->ifa_index);
	if (i < 0)
		return 0;
	l = &s->c->links[i];
	if (nl_parse(h, sizeof(*ifa), tb, IFA_MAX) < 0)
		return err_setx(EBADMSG, "address dump: link %s: a bad message", l->name);
	/* IPv4's own address is IFA_LOCAL (IFA_ADDRESS is the peer's on a point-to-point link). */
	a = ifa->ifa_family == AF_INET && tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || get_addr(a, ifa->ifa_family, ifa->ifa_prefixlen, &addr) < 0)
		return err_setx(EBADMSG, "address dump: link %s: a bad address", l->name);
	/* fe80::/10: the kernel of the guest makes the NIC's own from its MAC. */
	if (addr.family == AF_INET6 && addr.addr[0] == 0xfe && (addr.addr[1] & 0xc0) == 0x80)
		return 0;
	if (l->naddrs == NET_ADDRS_MAX)
		return err_setx(E2BIG, "network namespace: link %s has more than %d addresses",
				l->name, NET_ADDRS_MAX);
	l->addrs[l->naddrs++] = addr;
	return 0;
}

static int route_cb(const struct nlmsghdr *h, void *arg)
{
	struct scan *s = arg;
	const struct rtmsg *rt = nl_family_hdr(h, sizeof(*rt));
	const struct rtattr *tb[RTA_MAX + 1];
	struct net_route *r;
	uint32_t table, oif;
	int i;

	if (!rt)
		return err_setx(EBADMSG, "route dump: a short message");
	if (h->nlmsg_type != RTM_NEWROUTE ||
	    (rt->rtm_family != AF_INET && rt->rtm_family != AF_INET6))
		return 0;
	if (nl_parse(h, sizeof(*rt), tb, RTA_MAX) < 0)
		return err_setx(EBADMSG, "route dump: a bad message");
	table = rt->rtm_table;
	if (tb[RTA_TABLE] && nl_get_u32(tb[RTA_TABLE], &table) < 0)
		return err_setx(EBADMSG, "route dump: a bad table");
	/* The kernel's subnet routes come back in the guest with the addresses. */
	if (table != RT_TABLE_MAIN || rt->rtm_protocol == RTPROT_KERNEL ||
	    rt->rtm_type != RTN_UNICAST)
		return 0;
	if (!tb[RTA_OIF] || nl_get_u32(tb[RTA_OIF], &oif) < 0)
		return err_setx(EINVAL,
				"network namespace: a route with no single device (multipath "
				"routes are not mirrored)");
	i = scan_link(s, (int)oif);
	if (i < 0)
		return 0;
	if (s->c->nroutes == NET_ROUTES_MAX)
		return err_setx(E2BIG, "network namespace: more than %d routes", NET_ROUTES_MAX);
	r = &s->c->routes[s->c->nroutes];
	memset(r, 0, sizeof(*r));
	r->dst.family = rt->rtm_family;
	r->dst.prefix = rt->rtm_dst_len;
	if (tb[RTA_DST] && get_addr(tb[RTA_DST], rt->rtm_family, rt->rtm_dst_len, &r->dst) < 0)
		return err_setx(EBADMSG, "route dump: a bad destination");
	if (tb[RTA_GATEWAY]) {
		if (get_addr(tb[RTA_GATEWAY], rt->rtm_family, 0, &r->gw) < 0)
			return err_setx(EBADMSG, "route dump: a bad gateway");
		r->has_gw = true;
	}
	snprintf(r->dev, sizeof(r->dev), "%s", s->c->links[i].name);
	if (tb[RTA_PRIORITY] && nl_get_u32(tb[RTA_PRIORITY], &r->metric) < 0)
		return err_setx(EBADMSG, "route dump: a bad metric");
	switch (rt->rtm_scope) {
	case RT_SCOPE_UNIVERSE:
		r->scope = NET_SCOPE_UNIVERSE;
		break;
	case RT_SCOPE_LINK:
		r->scope = NET_SCOPE_LINK;
		break;
	case RT_SCOPE_HOST:
		r->scope = NET_SCOPE_HOST;
		break;
	default:
		return 0; /* site and nowhere: nothing a CNI plugin makes */
	}
	r->onlink = rt->rtm_flags & RTNH_F_ONLINK;
	s->c->nroutes++;
	return 0;
}

static int neigh_cb(const struct nlmsghdr *h, void *arg)
{
	struct scan *s = arg;
	const struct ndmsg *nd = nl_family_hdr(h, sizeof(*nd));
	const struct rtattr *tb[NDA_MAX + 1];
	struct net_neigh *n;
	int i;

	if (!nd)
		return err_setx(EBADMSG, "neighbour dump: a short message");
	if (h->nlmsg_type != RTM_NEWNEIGH || !(nd->ndm_state & NUD_PERMANENT) ||
	    (nd->ndm_family != AF_INET && nd->ndm_family != AF_INET6))
		return 0;
	i = scan_link(s, nd->ndm_ifindex);
	if (i < 0)
		return 0;
	if (nl_parse(h, sizeof(*nd), tb, NDA_MAX) < 0 || !tb[NDA_DST])
		return err_setx(EBADMSG, "neighbour dump: a bad message");
	/* A permanent entry without an address (a "noarp" one) gives the guest nothing to add. */
	if (!tb[NDA_LLADDR] || nl_len(tb[NDA_LLADDR]) != 6)
		return 0;
	if (s->c->nneighs == NET_NEIGHS_MAX)
		return err_setx(E2BIG, "network namespace: more than %d permanent neighbours",
				NET_NEIGHS_MAX);
	n = &s->c->neighs[s->c->nneighs];
	memset(n, 0, sizeof(*n));
	if (get_addr(tb[NDA_DST], nd->ndm_family, 0, &n->ip) < 0)
		return err_setx(EBADMSG, "neighbour dump: a bad address");
	memcpy(n->mac, nl_data(tb[NDA_LLADDR]), 6);
	snprintf(n->dev, sizeof(n->dev), "%s", s->c->links[i].name);
	s->c->nneighs++;
	return 0;
}

static int dump_cb(const struct nlmsghdr *h, void *arg)
{
	struct scan *s = arg;
	int ret = s->cb(h, s);

	if (ret < 0)
		s->failed = true;
	return ret;
}

/* One dump of type with a zeroed family header of hdrlen bytes. */
static int dump(struct nl_sock *sk, uint16_t type, size_t hdrlen,
		int (*cb)(const struct nlmsghdr *h, void *arg), struct scan *s, const char *what)
{
	struct nl_msg m;
	int ret;

	nl_msg_init(&m, type, NLM_F_DUMP, hdrlen);
	s->cb = cb;
	s->failed = false;
	ret = nl_dump(sk, &m, dump_cb, s);
	if (ret >= 0 || s->failed)
		return ret;
	if (ret == -EAGAIN)
		return err_setx(EAGAIN, "dump the namespace's %s: it changed meanwhile", what);
	return err_set(-ret, "dump the namespace's %s", what);
}

int net_scan(struct nl_sock *sk, struct net_config *c, int ifindex[NET_LINKS_MAX])
{
	struct scan s = {.c = c, .ifindex = ifindex};
	int ret;

	memset(c, 0, sizeof(*c));
	if ((ret = dump(sk, RTM_GETLINK, sizeof(struct ifinfomsg), link_cb, &s, "links")) < 0 ||
	    (ret = dump(sk, RTM_GETADDR, sizeof(struct ifaddrmsg), addr_cb, &s, "addresses")) < 0 ||
	    (ret = dump(sk, RTM_GETROUTE, sizeof(struct rtmsg), route_cb, &s, "routes")) < 0 ||
	    (ret = dump(sk, RTM_GETNEIGH, sizeof(struct ndmsg), neigh_cb, &s, "neighbours")) < 0)
		return ret;
	return net_config_check(c, EINVAL);
}
