/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/lib/net_wire.h"
#include "runtime/lib/net_ns.h"
#include "runtime/lib/net_scan.h"
#include "common/error.h"
#include "common/netns_run.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct wire_job {
	struct net_config *scan;    /* net_ns_scan's result */
	const struct net_config *c; /* net_ns_wire's links */
	int *tap_fd;
	char (*links)[IFNAMSIZ]; /* net_ns_unwire's */
	unsigned n;
};

static int scan_job(void *arg)
{
	struct wire_job *j = arg;
	int ifindex[NET_LINKS_MAX];
	struct nl_sock s;
	int ret = nl_open(&s);

	if (ret < 0)
		return err_set(-ret, "open a netlink socket in the network namespace");
	ret = net_scan(&s, j->scan, ifindex);
	for (unsigned i = 0; ret == 0 && i < j->scan->nlinks; i++) {
		ret = net_tc_has_ingress(&s, ifindex[i]);
		if (ret > 0)
			ret = err_setx(EEXIST,
				       "network namespace: link %s has an ingress qdisc already; "
				       "its frames cannot be mirrored to the VM",
				       j->scan->links[i].name);
	}
	nl_close(&s);
	return ret;
}

int net_ns_scan(int nsfd, struct net_config *c)
{
	struct wire_job j = {.scan = c};

	return netns_run(nsfd, NULL, scan_job, &j);
}

/* Undoes links [0, n) in the namespace of s; the first error is returned. */
static int unwire(struct nl_sock *s, char (*links)[IFNAMSIZ], unsigned n)
{
	char tap[32]; /* NET_TAP_FMT of a link index below NET_LINKS_MAX: short */
	int ret = 0, r;

	for (unsigned i = 0; i < n; i++) {
		/* Its filter goes with it; the tap of a stopped VMM is gone already. */
		snprintf(tap, sizeof(tap), NET_TAP_FMT, i);
		r = net_tap_delete(s, tap);
		if (r < 0 && ret == 0)
			ret = r;
		/* The CNI's link keeps everything but the qdisc we added (and its filter). */
		int ifindex = (int)if_nametoindex(links[i]);

		r = ifindex ? net_tc_del_ingress(s, ifindex) : 0;
		if (r < 0 && ret == 0)
			ret = r;
	}
	return ret;
}

/* Link i of c and its tap, wired; *tap_fd holds the tap. */
static int wire_link(struct nl_sock *s, const struct net_link *l, unsigned i, int *tap_fd)
{
	char tap[32]; /* NET_TAP_FMT of a link index below NET_LINKS_MAX: short */
	int link, tapi, ret;

	link = (int)if_nametoindex(l->name);
	if (!link)
		return err_setx(ENODEV, "network namespace: link %s is gone", l->name);
	snprintf(tap, sizeof(tap), NET_TAP_FMT, i);
	ret = net_tap_open(tap, tap_fd, &tapi);
	if (ret < 0)
		return ret;
	if ((ret = net_link_up(s, tapi, l->mtu)) < 0 || (ret = net_tc_add_ingress(s, link)) < 0 ||
	    (ret = net_tc_add_ingress(s, tapi)) < 0 ||
	    (ret = net_tc_add_redirect(s, link, tapi)) < 0 ||
	    (ret = net_tc_add_redirect(s, tapi, link)) < 0)
		return err_prefix(ret, "link %s, tap %s", l->name, tap);
	return 0;
}

static int wire_job(void *arg)
{
	struct wire_job *j = arg;
	char links[NET_LINKS_MAX][IFNAMSIZ];
	struct nl_sock s;
	unsigned i;
	int ret = nl_open(&s);

	if (ret < 0)
		return err_set(-ret, "open a netlink socket in the network namespace");
	for (i = 0; i < j->c->nlinks; i++) {
		j->tap_fd[i] = -1;
		memcpy(links[i], j->c->links[i].name, IFNAMSIZ);
	}
	for (i = 0; i < j->c->nlinks; i++) {
		ret = wire_link(&s, &j->c->links[i], i, &j->tap_fd[i]);
		if (ret < 0)
			break;
	}
	if (ret < 0) {
		/* Link i failed half-way: [0, i] are undone, whatever each got to. */
		unwire(&s, links, i + 1);
		for (unsigned k = 0; k <= i && k < j->c->nlinks; k++)
			if (j->tap_fd[k] >= 0)
				close(j->tap_fd[k]);
	}
	nl_close(&s);
	return ret;
}

int net_ns_wire(int nsfd, const struct net_config *c, int tap_fd[NET_LINKS_MAX])
{
	struct wire_job j = {.c = c, .tap_fd = tap_fd};
	int ret = netns_run(nsfd, NULL, wire_job, &j);

	if (ret < 0)
		for (unsigned i = 0; i < c->nlinks; i++)
			tap_fd[i] = -1;
	return ret;
}

static int unwire_job(void *arg)
{
	struct wire_job *j = arg;
	struct nl_sock s;
	int ret = nl_open(&s);

	if (ret < 0)
		return err_set(-ret, "open a netlink socket in the network namespace");
	ret = unwire(&s, j->links, j->n);
	nl_close(&s);
	return ret;
}

int net_ns_unwire(int nsfd, char (*links)[IFNAMSIZ], unsigned n)
{
	struct wire_job j = {.links = links, .n = n};

	return netns_run(nsfd, NULL, unwire_job, &j);
}
