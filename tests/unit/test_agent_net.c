/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent/net/ against the real kernel, as root: each test runs in a forked
 * child under unshare(CLONE_NEWNET), so its namespace stands in for the
 * guest's root one and nothing touches an interface of this machine. A
 * veth (its peer up, so it has a carrier as a virtio NIC has) with a known
 * MAC stands in for the NIC the VMM made; a second veth already named
 * eth0 stands in for the guest kernel's own naming. The config is applied
 * as the `network` request does (net_vm_configure), then the VM's
 * namespace is dumped over netlink and checked: the link's name, MTU, MAC
 * and state, its addresses, the routes, the neighbour, lo up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/veth.h>

#include "agent/net/net.h"
#include "common/error.h"

static const uint8_t nic_mac[6] = {0x02, 0x00, 0x0a, 0x58, 0x00, 0x05};
static const uint8_t decoy_mac[6] = {0x02, 0x00, 0x0a, 0x58, 0x00, 0x77};
static const uint8_t gw_mac[6] = {0x02, 0x00, 0x0a, 0x58, 0x00, 0x01};

/* In the child a failed check prints why and exits 1; the parent asserts 0. */
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s (last error: %s)\n", __FILE__,    \
				__LINE__, #cond, err_msg());                                       \
			_exit(1);                                                                  \
		}                                                                                  \
	} while (0)

/* Runs fn in a child in a new network namespace; skips without root. */
static void run_in_netns(void (*fn)(void))
{
	int status;
	pid_t pid;

	if (geteuid() != 0) {
		fprintf(stderr, "needs root: skipped\n");
		skip();
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0) {
			perror("unshare(CLONE_NEWNET)");
			_exit(77);
		}
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
		fprintf(stderr, "no network namespaces here: skipped\n");
		skip();
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- making the stand-ins ---- */

static void make_veth(struct nl_sock *s, const char *name, const uint8_t mac[6], const char *peer)
{
	struct nl_msg m;
	struct ifinfomsg *ifi =
	    nl_msg_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifi));
	struct ifinfomsg pifi = {.ifi_family = AF_UNSPEC};

	ifi->ifi_family = AF_UNSPEC;
	nl_put_str(&m, IFLA_IFNAME, name);
	nl_put(&m, IFLA_ADDRESS, mac, 6);
	nl_nest_begin(&m, IFLA_LINKINFO);
	nl_put_str(&m, IFLA_INFO_KIND, "veth");
	nl_nest_begin(&m, IFLA_INFO_DATA);
	nl_nest_begin(&m, VETH_INFO_PEER);
	/* The peer's ifinfomsg, then its attributes (the buffer has room: 4 KiB). */
	memcpy(m.buf + m.h.nlmsg_len, &pifi, sizeof(pifi));
	m.h.nlmsg_len += NLMSG_ALIGN(sizeof(pifi));
	nl_put_str(&m, IFLA_IFNAME, peer);
	nl_nest_end(&m);
	nl_nest_end(&m);
	nl_nest_end(&m);
	CHECK(nl_call(s, &m) == 0);
}

/*
 * nic0 (the NIC, MAC nic_mac, peer nicpeer up) and eth0 (another link,
 * decoy_mac). veth for both: it is built into more kernels than dummy.
 */
static void make_guest_links(struct nl_sock *s)
{
	struct net_link_change up = {.up = 1, .nsfd = -1};
	int peer;

	CHECK(nl_open(s) == 0);
	make_veth(s, "nic0", nic_mac, "nicpeer");
	make_veth(s, "eth0", decoy_mac, "decoypeer");
	peer = (int)if_nametoindex("nicpeer");
	CHECK(peer > 0);
	CHECK(net_link_set(s, peer, &up) == 0);
}

/* ---- the config ---- */

static void addr(struct net_addr *a, int family, const char *text, uint8_t prefix)
{
	a->family = (uint8_t)family;
	a->prefix = prefix;
	CHECK(inet_pton(family, text, a->addr) == 1);
}

static void fill_config(struct net_config *c)
{
	struct net_link *l = &c->links[0];
	struct net_route *r;

	memset(c, 0, sizeof(*c));
	c->nlinks = 1;
	snprintf(l->name, sizeof(l->name), "eth0");
	memcpy(l->mac, nic_mac, 6);
	l->mtu = 1400;
	addr(&l->addrs[0], AF_INET, "10.88.0.5", 16);
	addr(&l->addrs[1], AF_INET6, "fd00::5", 64);
	l->naddrs = 2;

	/* The default route's gateway is outside the subnet: the link route comes after it
	 * in the config, and must still be added first. */
	r = &c->routes[c->nroutes++];
	addr(&r->dst, AF_INET, "0.0.0.0", 0);
	r->has_gw = true;
	addr(&r->gw, AF_INET, "169.254.1.1", 32);
	snprintf(r->dev, sizeof(r->dev), "eth0");
	r->metric = 100;
	r = &c->routes[c->nroutes++];
	addr(&r->dst, AF_INET, "169.254.1.1", 32);
	r->scope = NET_SCOPE_LINK;
	snprintf(r->dev, sizeof(r->dev), "eth0");
	r = &c->routes[c->nroutes++];
	addr(&r->dst, AF_INET, "172.16.0.0", 12);
	r->has_gw = true;
	addr(&r->gw, AF_INET, "10.77.0.1", 32);
	r->onlink = true;
	snprintf(r->dev, sizeof(r->dev), "eth0");
	r = &c->routes[c->nroutes++];
	addr(&r->dst, AF_INET6, "::", 0);
	r->has_gw = true;
	addr(&r->gw, AF_INET6, "fd00::1", 128);
	snprintf(r->dev, sizeof(r->dev), "eth0");
	r->metric = 1024;
	/* IPv6: a subnet on the link with no gateway, and one via a link-local gateway. */
	r = &c->routes[c->nroutes++];
	addr(&r->dst, AF_INET6, "fd01::", 64);
	snprintf(r->dev, sizeof(r->dev), "eth0");
	r->metric = 256;
	r = &c->routes[c->nroutes++];
	addr(&r->dst, AF_INET6, "fd02::", 48);
	r->has_gw = true;
	addr(&r->gw, AF_INET6, "fe80::1", 128);
	snprintf(r->dev, sizeof(r->dev), "eth0");
	r->metric = 1024;

	c->nneighs = 2;
	snprintf(c->neighs[0].dev, sizeof(c->neighs[0].dev), "eth0");
	addr(&c->neighs[0].ip, AF_INET, "10.88.0.1", 32);
	memcpy(c->neighs[0].mac, gw_mac, 6);
	snprintf(c->neighs[1].dev, sizeof(c->neighs[1].dev), "eth0");
	addr(&c->neighs[1].ip, AF_INET6, "fd00::1", 128);
	memcpy(c->neighs[1].mac, gw_mac, 6);
}

/*
 * What the sysctl net/ipv6/conf/eth0/<key> reads in the namespace nsfd
 * (/proc/sys/net is the reading thread's namespace's): setns on this
 * thread and back.
 */
static int sysctl6(int nsfd, const char *key)
{
	int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC), value = -1;
	char path[128];
	FILE *f;

	CHECK(self >= 0);
	CHECK(setns(nsfd, CLONE_NEWNET) == 0);
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/eth0/%s", key);
	f = fopen(path, "re");
	if (f) {
		if (fscanf(f, "%d", &value) != 1)
			value = -2;
		fclose(f);
	}
	CHECK(setns(self, CLONE_NEWNET) == 0);
	close(self);
	return value;
}

/* ---- reading a namespace back ---- */

struct seen_link {
	char name[IFNAMSIZ];
	int ifindex;
	unsigned flags;
	uint32_t mtu;
	uint8_t mac[6];
};

struct seen_links {
	struct seen_link l[16];
	unsigned n;
};

static int links_cb(const struct nlmsghdr *h, void *arg)
{
	const struct ifinfomsg *ifi = nl_family_hdr(h, sizeof(*ifi));
	const struct rtattr *tb[IFLA_MAX + 1];
	struct seen_links *sl = arg;
	struct seen_link *l;

	if (!ifi || nl_parse(h, sizeof(*ifi), tb, IFLA_MAX) < 0 || sl->n >= 16)
		return -EBADMSG;
	l = &sl->l[sl->n++];
	l->ifindex = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	if (tb[IFLA_IFNAME])
		nl_get_str(tb[IFLA_IFNAME], l->name, sizeof(l->name));
	if (tb[IFLA_MTU])
		nl_get_u32(tb[IFLA_MTU], &l->mtu);
	if (tb[IFLA_ADDRESS] && nl_len(tb[IFLA_ADDRESS]) == 6)
		memcpy(l->mac, nl_data(tb[IFLA_ADDRESS]), 6);
	return 0;
}

static void dump_links(struct nl_sock *s, struct seen_links *sl)
{
	struct nl_msg m;
	struct ifinfomsg *ifi = nl_msg_init(&m, RTM_GETLINK, NLM_F_DUMP, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	memset(sl, 0, sizeof(*sl));
	CHECK(nl_dump(s, &m, links_cb, sl) == 0);
}

static const struct seen_link *find_link(const struct seen_links *sl, const char *name)
{
	for (unsigned i = 0; i < sl->n; i++)
		if (!strcmp(sl->l[i].name, name))
			return &sl->l[i];
	return NULL;
}

/* Text lines, one per address / route / neighbour, searched with strstr. */
struct seen_text {
	char buf[8192];
	size_t len;
};

static void text_add(struct seen_text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void text_add(struct seen_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(t->buf) - t->len)
		t->len += (size_t)n;
}

static void ip_text(int family, const struct rtattr *a, char *out, size_t n)
{
	snprintf(out, n, "?");
	if (a && nl_len(a) == (family == AF_INET6 ? 16u : 4u))
		inet_ntop(family, nl_data(a), out, (socklen_t)n);
}

static int addrs_cb(const struct nlmsghdr *h, void *arg)
{
	const struct ifaddrmsg *ifa = nl_family_hdr(h, sizeof(*ifa));
	const struct rtattr *tb[IFA_MAX + 1];
	char ip[64];
	uint32_t flags;

	if (!ifa || nl_parse(h, sizeof(*ifa), tb, IFA_MAX) < 0)
		return -EBADMSG;
	flags = ifa->ifa_flags;
	if (tb[IFA_FLAGS])
		nl_get_u32(tb[IFA_FLAGS], &flags);
	ip_text(ifa->ifa_family, tb[IFA_ADDRESS], ip, sizeof(ip));
	text_add(arg, "if%u %s/%u%s%s\n", ifa->ifa_index, ip, ifa->ifa_prefixlen,
		 flags & IFA_F_TENTATIVE ? " tentative" : "", flags & IFA_F_NODAD ? " nodad" : "");
	return 0;
}

static int routes_cb(const struct nlmsghdr *h, void *arg)
{
	const struct rtmsg *rtm = nl_family_hdr(h, sizeof(*rtm));
	const struct rtattr *tb[RTA_MAX + 1];
	char dst[64] = "default", gw[64] = "-";
	uint32_t oif = 0, prio = 0;

	if (!rtm || nl_parse(h, sizeof(*rtm), tb, RTA_MAX) < 0)
		return -EBADMSG;
	if (rtm->rtm_table != RT_TABLE_MAIN)
		return 0;
	if (tb[RTA_DST])
		ip_text(rtm->rtm_family, tb[RTA_DST], dst, sizeof(dst));
	if (tb[RTA_GATEWAY])
		ip_text(rtm->rtm_family, tb[RTA_GATEWAY], gw, sizeof(gw));
	if (tb[RTA_OIF])
		nl_get_u32(tb[RTA_OIF], &oif);
	if (tb[RTA_PRIORITY])
		nl_get_u32(tb[RTA_PRIORITY], &prio);
	text_add(arg, "%s/%u via %s if%u metric %u scope %u%s\n", dst, rtm->rtm_dst_len, gw, oif,
		 prio, rtm->rtm_scope, rtm->rtm_flags & RTNH_F_ONLINK ? " onlink" : "");
	return 0;
}

static int neighs_cb(const struct nlmsghdr *h, void *arg)
{
	const struct ndmsg *ndm = nl_family_hdr(h, sizeof(*ndm));
	const struct rtattr *tb[NDA_MAX + 1];
	char ip[64], mac[NET_MAC_STRLEN] = "-";

	if (!ndm || nl_parse(h, sizeof(*ndm), tb, NDA_MAX) < 0)
		return -EBADMSG;
	ip_text(ndm->ndm_family, tb[NDA_DST], ip, sizeof(ip));
	if (tb[NDA_LLADDR] && nl_len(tb[NDA_LLADDR]) == 6)
		net_mac_format(nl_data(tb[NDA_LLADDR]), mac);
	text_add(arg, "if%d %s %s%s\n", ndm->ndm_ifindex, ip, mac,
		 ndm->ndm_state & NUD_PERMANENT ? " permanent" : "");
	return 0;
}

static void dump_text(struct nl_sock *s, uint16_t type, int family, size_t hdrlen,
		      int (*cb)(const struct nlmsghdr *, void *), struct seen_text *t)
{
	struct nl_msg m;
	uint8_t *hdr = nl_msg_init(&m, type, NLM_F_DUMP, hdrlen);

	hdr[0] = (uint8_t)family; /* the family comes first in each of these headers */
	CHECK(nl_dump(s, &m, cb, t) == 0);
}

#define CHECK_HAS(t, needle)                                                                       \
	do {                                                                                       \
		if (!strstr((t)->buf, needle)) {                                                   \
			fprintf(stderr, "%s:%d: '%s' not in:\n%s", __FILE__, __LINE__, needle,     \
				(t)->buf);                                                         \
			_exit(1);                                                                  \
		}                                                                                  \
	} while (0)

/* ---- the tests ---- */

static void apply_and_check(void)
{
	struct nl_sock root = {.fd = -1}, vm = {.fd = -1};
	struct seen_links links;
	const struct seen_link *eth0, *lo;
	struct seen_text t = {0};
	static struct net_config c;
	char want[128];
	int vmfd = -1;

	make_guest_links(&root);
	fill_config(&c);
	CHECK(net_vm_configure(&c, NULL) == 0);
	CHECK(net_vm_ns(&vmfd) == 0);
	CHECK(net_ns_sock(vmfd, NULL, &vm) == 0);

	/* The VM's namespace: lo and eth0, the NIC, with its MTU, up. */
	dump_links(&vm, &links);
	CHECK(links.n == 2);
	lo = find_link(&links, "lo");
	eth0 = find_link(&links, "eth0");
	CHECK(lo && (lo->flags & IFF_UP));
	CHECK(eth0 && (eth0->flags & IFF_UP));
	CHECK(!memcmp(eth0->mac, nic_mac, 6));
	CHECK(eth0->mtu == 1400);

	/* Its addresses, the IPv6 one usable at once (no DAD: not tentative). */
	dump_text(&vm, RTM_GETADDR, AF_UNSPEC, sizeof(struct ifaddrmsg), addrs_cb, &t);
	snprintf(want, sizeof(want), "if%d 10.88.0.5/16\n", eth0->ifindex);
	CHECK_HAS(&t, want);
	snprintf(want, sizeof(want), "if%d fd00::5/64 nodad\n", eth0->ifindex);
	CHECK_HAS(&t, want);

	/* The routes: the link route, the default via it, the onlink one, IPv6's default. */
	memset(&t, 0, sizeof(t));
	dump_text(&vm, RTM_GETROUTE, AF_INET, sizeof(struct rtmsg), routes_cb, &t);
	dump_text(&vm, RTM_GETROUTE, AF_INET6, sizeof(struct rtmsg), routes_cb, &t);
	snprintf(want, sizeof(want), "169.254.1.1/32 via - if%d metric 0 scope %d\n", eth0->ifindex,
		 RT_SCOPE_LINK);
	CHECK_HAS(&t, want);
	snprintf(want, sizeof(want), "default/0 via 169.254.1.1 if%d metric 100 scope 0\n",
		 eth0->ifindex);
	CHECK_HAS(&t, want);
	snprintf(want, sizeof(want), "172.16.0.0/12 via 10.77.0.1 if%d metric 0 scope 0 onlink\n",
		 eth0->ifindex);
	CHECK_HAS(&t, want);
	snprintf(want, sizeof(want), "default/0 via fd00::1 if%d metric 1024", eth0->ifindex);
	CHECK_HAS(&t, want);
	snprintf(want, sizeof(want), "fd01::/64 via - if%d metric 256", eth0->ifindex);
	CHECK_HAS(&t, want);
	snprintf(want, sizeof(want), "fd02::/48 via fe80::1 if%d metric 1024", eth0->ifindex);
	CHECK_HAS(&t, want);

	/* The permanent neighbours. */
	memset(&t, 0, sizeof(t));
	dump_text(&vm, RTM_GETNEIGH, AF_INET, sizeof(struct ndmsg), neighs_cb, &t);
	dump_text(&vm, RTM_GETNEIGH, AF_INET6, sizeof(struct ndmsg), neighs_cb, &t);
	snprintf(want, sizeof(want), "if%d 10.88.0.1 02:00:0a:58:00:01 permanent\n", eth0->ifindex);
	CHECK_HAS(&t, want);
	snprintf(want, sizeof(want), "if%d fd00::1 02:00:0a:58:00:01 permanent\n", eth0->ifindex);
	CHECK_HAS(&t, want);

	/* IPv6 autoconfiguration off on the NIC: no router's advertisement, no SLAAC. */
	CHECK(sysctl6(vmfd, "accept_ra") == 0);
	CHECK(sysctl6(vmfd, "autoconf") == 0);

	/* The guest's root namespace: the NIC left it; the other eth0 is as it was. */
	dump_links(&root, &links);
	CHECK(!find_link(&links, "nic0"));
	eth0 = find_link(&links, "eth0");
	CHECK(eth0 && !memcmp(eth0->mac, decoy_mac, 6));
	for (unsigned i = 0; i < links.n; i++)
		CHECK(memcmp(links.l[i].mac, nic_mac, 6));

	/* Once per VM. */
	CHECK(net_vm_configure(&c, NULL) == -EEXIST);
	nl_close(&vm);
	nl_close(&root);
}

static void test_apply(void **state)
{
	(void)state;
	run_in_netns(apply_and_check);
}

/*
 * A guest kernel without IPv6 (one built without CONFIG_IPV6): the IPv6
 * address, routes and neighbour of a dual-stack config are left out and
 * counted; the IPv4 ones are set.
 */
static void apply_without_ipv6(void)
{
	struct nl_sock root = {.fd = -1}, vm = {.fd = -1};
	struct seen_links links;
	const struct seen_link *eth0;
	struct seen_text t = {0};
	static struct net_config c;
	unsigned skipped = 99;
	char want[128];
	int vmfd = -1;

	make_guest_links(&root);
	fill_config(&c);
	CHECK(net_vm_ns(&vmfd) == 0);
	CHECK(net_apply(&c, vmfd, false, &skipped) == 0);
	CHECK(skipped == 5); /* an address, three routes, a neighbour */
	CHECK(net_ns_sock(vmfd, NULL, &vm) == 0);
	dump_links(&vm, &links);
	eth0 = find_link(&links, "eth0");
	CHECK(eth0 && (eth0->flags & IFF_UP));
	dump_text(&vm, RTM_GETADDR, AF_UNSPEC, sizeof(struct ifaddrmsg), addrs_cb, &t);
	snprintf(want, sizeof(want), "if%d 10.88.0.5/16\n", eth0->ifindex);
	CHECK_HAS(&t, want);
	CHECK(!strstr(t.buf, "fd00::5"));
	memset(&t, 0, sizeof(t));
	dump_text(&vm, RTM_GETROUTE, AF_INET, sizeof(struct rtmsg), routes_cb, &t);
	dump_text(&vm, RTM_GETROUTE, AF_INET6, sizeof(struct rtmsg), routes_cb, &t);
	snprintf(want, sizeof(want), "default/0 via 169.254.1.1 if%d metric 100 scope 0\n",
		 eth0->ifindex);
	CHECK_HAS(&t, want);
	CHECK(!strstr(t.buf, "fd00::1"));
	memset(&t, 0, sizeof(t));
	dump_text(&vm, RTM_GETNEIGH, AF_INET, sizeof(struct ndmsg), neighs_cb, &t);
	snprintf(want, sizeof(want), "if%d 10.88.0.1 02:00:0a:58:00:01 permanent\n", eth0->ifindex);
	CHECK_HAS(&t, want);
	nl_close(&vm);
	nl_close(&root);
}

static void test_apply_without_ipv6(void **state)
{
	(void)state;
	run_in_netns(apply_without_ipv6);
}

/* nic0 is still where it was, with its name, down. */
static void check_untouched(struct nl_sock *root)
{
	struct seen_links links;
	const struct seen_link *nic;

	dump_links(root, &links);
	nic = find_link(&links, "nic0");
	CHECK(nic && !(nic->flags & IFF_UP) && nic->mtu == 1500);
}

static void missing_mac(void)
{
	struct nl_sock root = {.fd = -1};
	static struct net_config c;
	struct net_link *l2;

	make_guest_links(&root);
	fill_config(&c);
	/* A second link whose MAC no NIC has. */
	l2 = &c.links[c.nlinks++];
	snprintf(l2->name, sizeof(l2->name), "eth1");
	CHECK(net_mac_parse("02:00:00:00:00:99", l2->mac) == 0);
	l2->mtu = 1500;
	CHECK(net_vm_configure(&c, NULL) == -ENODEV);
	CHECK(strstr(err_msg(), "02:00:00:00:00:99"));
	CHECK(strstr(err_msg(), "eth1"));
	check_untouched(&root);
	nl_close(&root);
}

static void test_missing_mac(void **state)
{
	(void)state;
	run_in_netns(missing_mac);
}

static void hostile_config(void)
{
	struct nl_sock root = {.fd = -1};
	static struct net_config c;

	make_guest_links(&root);
	/* A route on a link the config does not give. */
	fill_config(&c);
	snprintf(c.routes[1].dev, sizeof(c.routes[1].dev), "eth9");
	CHECK(net_vm_configure(&c, NULL) == -EINVAL);
	/* Counts past the arrays. */
	fill_config(&c);
	c.nroutes = NET_ROUTES_MAX + 1;
	CHECK(net_vm_configure(&c, NULL) == -EINVAL);
	fill_config(&c);
	c.links[0].naddrs = NET_ADDRS_MAX + 1;
	CHECK(net_vm_configure(&c, NULL) == -EINVAL);
	/* A multicast MAC, an MTU out of range. */
	fill_config(&c);
	c.links[0].mac[0] = 0x01;
	CHECK(net_vm_configure(&c, NULL) == -EINVAL);
	fill_config(&c);
	c.links[0].mtu = 20;
	CHECK(net_vm_configure(&c, NULL) == -EINVAL);
	check_untouched(&root);
	/* A refused config is no configuration: a good one is still taken. */
	fill_config(&c);
	CHECK(net_vm_configure(&c, NULL) == 0);
	nl_close(&root);
}

static void test_hostile_config(void **state)
{
	(void)state;
	run_in_netns(hostile_config);
}

/* The VM's namespace without a request: lo up, nothing else; opened by its path. */
static void empty_vm_ns(void)
{
	struct nl_sock vm = {.fd = -1};
	struct seen_links links;
	char path[64];
	int fd, vmfd;

	CHECK(net_vm_ns_path(path, sizeof(path)) == 0);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(net_vm_ns(&vmfd) == 0);
	CHECK(net_ns_sock(fd, NULL, &vm) == 0);
	dump_links(&vm, &links);
	CHECK(links.n == 1 && !strcmp(links.l[0].name, "lo") && (links.l[0].flags & IFF_UP));
	close(fd);
	nl_close(&vm);
}

static void test_empty_vm_ns(void **state)
{
	(void)state;
	run_in_netns(empty_vm_ns);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_apply),	cmocka_unit_test(test_apply_without_ipv6),
	    cmocka_unit_test(test_missing_mac), cmocka_unit_test(test_hostile_config),
	    cmocka_unit_test(test_empty_vm_ns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
