/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/lib/net_wire.h"
#include "common/cleanup.h"
#include "common/error.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int net_tap_open(const char *name, int *fd, int *ifindex)
{
	_cleanup_close_ int tun = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	struct ifreq ifr;

	if (tun < 0)
		return err_set(errno, "open /dev/net/tun");
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	/*
	 * No packet information; a virtio_net_hdr before each frame, so the
	 * VMM can pass checksum and segmentation offloads through.
	 */
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(tun, TUNSETIFF, &ifr) < 0)
		return err_set(errno, "make tap %s", name);
	*ifindex = (int)if_nametoindex(ifr.ifr_name);
	if (*ifindex == 0)
		return err_set(errno, "tap %s", name);
	*fd = take_fd(&tun);
	return 0;
}

int net_link_up(struct nl_sock *s, int ifindex, uint32_t mtu)
{
	struct nl_msg m;
	struct ifinfomsg *ifi = nl_msg_init(&m, RTM_NEWLINK, NLM_F_ACK, sizeof(*ifi));
	int ret;

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	nl_put_u32(&m, IFLA_MTU, mtu);
	ret = nl_call(s, &m);
	if (ret < 0)
		return err_set(-ret, "set link %d up with MTU %u", ifindex, mtu);
	return 0;
}

struct link_kind {
	const char *name;
	int ifindex;
	char kind[16];
};

static int kind_cb(const struct nlmsghdr *h, void *arg)
{
	struct link_kind *k = arg;
	const struct ifinfomsg *ifi = nl_family_hdr(h, sizeof(*ifi));
	const struct rtattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
	char name[IFNAMSIZ];

	if (!ifi || nl_parse(h, sizeof(*ifi), tb, IFLA_MAX) < 0)
		return -EBADMSG;
	if (!tb[IFLA_IFNAME] || nl_get_str(tb[IFLA_IFNAME], name, sizeof(name)) < 0 ||
	    strcmp(name, k->name))
		return 0;
	k->ifindex = ifi->ifi_index;
	if (tb[IFLA_LINKINFO] && nl_parse_nested(tb[IFLA_LINKINFO], info, IFLA_INFO_MAX) == 0 &&
	    info[IFLA_INFO_KIND])
		nl_get_str(info[IFLA_INFO_KIND], k->kind, sizeof(k->kind));
	return 0;
}

int net_tap_delete(struct nl_sock *s, const char *name)
{
	struct link_kind k = {.name = name};
	struct nl_msg m;
	struct ifinfomsg *ifi = nl_msg_init(&m, RTM_GETLINK, NLM_F_DUMP, sizeof(*ifi));
	int ret;

	ret = nl_dump(s, &m, kind_cb, &k);
	if (ret == 0 && !k.ifindex)
		return 0;
	if (ret < 0)
		return err_set(-ret, "look up link %s", name);
	if (strcmp(k.kind, "tun"))
		return err_setx(EEXIST, "link %s is not a tap of ours (a %s): left alone", name,
				k.kind[0] ? k.kind : "device of no kind");
	ifi = nl_msg_init(&m, RTM_DELLINK, NLM_F_ACK, sizeof(*ifi));
	ifi->ifi_index = k.ifindex;
	ret = nl_call(s, &m);
	if (ret < 0 && ret != -ENODEV)
		return err_set(-ret, "delete tap %s", name);
	return 0;
}
