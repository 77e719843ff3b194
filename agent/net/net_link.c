/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Links: finding a NIC by its MAC (the one thing the VMM and the agent
 * agree on: the guest kernel names NICs in probe order), and changing a
 * link's state, name, MTU and namespace; switching IPv6 autoconfiguration
 * off on it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>

#include "agent/net/net.h"
#include "common/error.h"
#include "common/netns_run.h"

/* A dump the kernel marked inconsistent is read again, a few times. */
#define NET_DUMP_TRIES 5

struct net_find {
	const uint8_t *mac;
	int ifindex;
};

static int net_find_cb(const struct nlmsghdr *h, void *arg)
{
	const struct ifinfomsg *ifi = nl_family_hdr(h, sizeof(*ifi));
	const struct rtattr *tb[IFLA_MAX + 1];
	struct net_find *f = arg;

	if (h->nlmsg_type != RTM_NEWLINK || !ifi)
		return 0;
	if (nl_parse(h, sizeof(*ifi), tb, IFLA_MAX) < 0)
		return -EBADMSG;
	/* The first link with the MAC: the guest has no VLAN or macvlan to share it. */
	if (!f->ifindex && tb[IFLA_ADDRESS] && nl_len(tb[IFLA_ADDRESS]) == 6 &&
	    !memcmp(nl_data(tb[IFLA_ADDRESS]), f->mac, 6) && ifi->ifi_index > 0)
		f->ifindex = ifi->ifi_index;
	return 0;
}

int net_link_find(struct nl_sock *s, const uint8_t mac[6], int *ifindex)
{
	char text[NET_MAC_STRLEN];
	int ret = -EAGAIN;

	for (int i = 0; i < NET_DUMP_TRIES && ret == -EAGAIN; i++) {
		struct net_find f = {.mac = mac};
		struct nl_msg m;
		struct ifinfomsg *ifi = nl_msg_init(&m, RTM_GETLINK, NLM_F_DUMP, sizeof(*ifi));

		ifi->ifi_family = AF_UNSPEC;
		ret = nl_dump(s, &m, net_find_cb, &f);
		if (ret == 0 && !f.ifindex)
			ret = -ENOENT;
		if (ret == 0)
			*ifindex = f.ifindex;
	}
	net_mac_format(mac, text);
	if (ret == -ENOENT)
		return err_setx(ENODEV, "no NIC has the MAC %s", text);
	return ret < 0 ? err_set(-ret, "list the links to find %s", text) : 0;
}

int net_link_set(struct nl_sock *s, int ifindex, const struct net_link_change *ch)
{
	struct nl_msg m;
	struct ifinfomsg *ifi = nl_msg_init(&m, RTM_NEWLINK, 0, sizeof(*ifi));
	int ret;

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (ch->up >= 0) {
		ifi->ifi_change = IFF_UP;
		ifi->ifi_flags = ch->up ? IFF_UP : 0;
	}
	if (ch->name)
		nl_put_str(&m, IFLA_IFNAME, ch->name);
	if (ch->mtu)
		nl_put_u32(&m, IFLA_MTU, ch->mtu);
	if (ch->nsfd >= 0)
		nl_put_u32(&m, IFLA_NET_NS_FD, (uint32_t)ch->nsfd);
	ret = nl_call(s, &m);
	if (ret < 0)
		return err_set(-ret, "link %d%s%s%s%s", ifindex, ch->up == 1 ? ": up" : "",
			       ch->up == 0 ? ": down" : "", ch->name || ch->mtu ? ": name/mtu" : "",
			       ch->nsfd >= 0 ? ": into the VM's namespace" : "");
	return 0;
}

int net_lo_up(struct nl_sock *s)
{
	struct nl_sock own = {.fd = -1};
	struct net_link_change up = {.up = 1, .nsfd = -1};
	int ret;

	if (!s) {
		ret = nl_open(&own);
		if (ret < 0)
			return err_set(-ret, "lo: open a netlink socket");
		s = &own;
	}
	/* Loopback is ifindex 1 in every namespace (LOOPBACK_IFINDEX). */
	ret = net_link_set(s, 1, &up);
	if (own.fd >= 0)
		nl_close(&own);
	return ret < 0 ? err_prefix(ret, "lo") : 0;
}

struct net_noauto {
	const char *dev;
};

/* In the link's namespace: /proc/sys/net is the calling thread's namespace's. */
static int net_noauto_fn(void *arg)
{
	static const char *const keys[] = {"accept_ra", "autoconf"};
	const struct net_noauto *na = arg;
	char path[128];

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		ssize_t n;
		int fd;

		snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s", na->dev, keys[i]);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return err_set(errno, "IPv6 autoconfiguration off: open %s", path);
		n = write(fd, "0\n", 2);
		if (n != 2) {
			int e = n < 0 ? errno : EIO;

			close(fd);
			return err_set(e, "IPv6 autoconfiguration off: write 0 to %s", path);
		}
		close(fd);
	}
	return 0;
}

int net_link_noauto6(int nsfd, const char *dev)
{
	struct net_noauto na = {.dev = dev};

	return netns_run(nsfd, NULL, net_noauto_fn, &na);
}
