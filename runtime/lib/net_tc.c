/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The messages are those tc(8) sends for the commands in net_wire.h (seen
 * with strace), built from the UAPI headers: linux/pkt_sched.h,
 * linux/pkt_cls.h and linux/tc_act/tc_mirred.h.
 */
#include "runtime/lib/net_wire.h"
#include "common/error.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/tc_act/tc_mirred.h>
#include <string.h>

/* tc's handle for the ingress qdisc, "ffff:". */
#define INGRESS_HANDLE TC_H_MAKE(TC_H_INGRESS, 0)

static struct tcmsg *tc_msg(struct nl_msg *m, uint16_t type, uint16_t flags, int ifindex)
{
	struct tcmsg *t = nl_msg_init(m, type, flags, sizeof(*t));

	t->tcm_family = AF_UNSPEC;
	t->tcm_ifindex = ifindex;
	return t;
}

struct has_ingress {
	int ifindex;
	int found;
};

static int qdisc_cb(const struct nlmsghdr *h, void *arg)
{
	struct has_ingress *q = arg;
	const struct tcmsg *t = nl_family_hdr(h, sizeof(*t));

	if (!t)
		return -EBADMSG;
	/* clsact sits where ingress does (the same parent): either one is in the way. */
	if (h->nlmsg_type == RTM_NEWQDISC && t->tcm_ifindex == q->ifindex &&
	    t->tcm_parent == TC_H_INGRESS)
		q->found = 1;
	return 0;
}

int net_tc_has_ingress(struct nl_sock *s, int ifindex)
{
	struct has_ingress q = {.ifindex = ifindex};
	struct nl_msg m;
	int ret;

	tc_msg(&m, RTM_GETQDISC, NLM_F_DUMP, ifindex);
	ret = nl_dump(s, &m, qdisc_cb, &q);
	if (ret < 0)
		return err_set(-ret, "dump the qdiscs of link %d", ifindex);
	return q.found;
}

int net_tc_add_ingress(struct nl_sock *s, int ifindex)
{
	struct nl_msg m;
	struct tcmsg *t = tc_msg(&m, RTM_NEWQDISC, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, ifindex);
	int ret;

	t->tcm_handle = INGRESS_HANDLE;
	t->tcm_parent = TC_H_INGRESS;
	nl_put_str(&m, TCA_KIND, "ingress");
	ret = nl_call(s, &m);
	if (ret < 0)
		return err_set(-ret, "add an ingress qdisc to link %d", ifindex);
	return 0;
}

int net_tc_add_redirect(struct nl_sock *s, int from, int to)
{
	struct {
		struct tc_u32_sel sel;
		struct tc_u32_key key;
	} sel;
	struct tc_mirred mirred;
	struct nl_msg m;
	struct tcmsg *t = tc_msg(&m, RTM_NEWTFILTER, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, from);
	int ret;

	t->tcm_parent = INGRESS_HANDLE;
	/* Priority 0: the kernel picks one; the protocol is every frame's (ETH_P_ALL). */
	t->tcm_info = TC_H_MAKE(0, htons(ETH_P_ALL));
	nl_put_str(&m, TCA_KIND, "u32");
	nl_nest_begin(&m, TCA_OPTIONS);
	/* match u8 0 0 at offset 0: every frame; terminal, so no other key is looked at. */
	memset(&sel, 0, sizeof(sel));
	sel.sel.flags = TC_U32_TERMINAL;
	sel.sel.nkeys = 1;
	nl_put(&m, TCA_U32_SEL, &sel, sizeof(sel));
	nl_nest_begin(&m, TCA_U32_ACT);
	nl_nest_begin(&m, 1); /* the first action */
	nl_put_str(&m, TCA_ACT_KIND, "mirred");
	nl_nest_begin(&m, TCA_ACT_OPTIONS);
	memset(&mirred, 0, sizeof(mirred));
	/* Stolen: the frame leaves by the other device and goes nowhere else here. */
	mirred.action = TC_ACT_STOLEN;
	mirred.eaction = TCA_EGRESS_REDIR;
	mirred.ifindex = (uint32_t)to;
	nl_put(&m, TCA_MIRRED_PARMS, &mirred, sizeof(mirred));
	nl_nest_end(&m);
	nl_nest_end(&m);
	nl_nest_end(&m);
	nl_nest_end(&m);
	ret = nl_call(s, &m);
	if (ret < 0)
		return err_set(-ret, "add a filter redirecting link %d to link %d", from, to);
	return 0;
}

int net_tc_del_ingress(struct nl_sock *s, int ifindex)
{
	struct nl_msg m;
	struct tcmsg *t = tc_msg(&m, RTM_DELQDISC, NLM_F_ACK, ifindex);
	int ret;

	t->tcm_handle = INGRESS_HANDLE;
	t->tcm_parent = TC_H_INGRESS;
	ret = nl_call(s, &m);
	/* None there (ENOENT, or EINVAL from older kernels), or the link is gone. */
	if (ret == -ENOENT || ret == -EINVAL || ret == -ENODEV)
		return 0;
	if (ret < 0)
		return err_set(-ret, "delete the ingress qdisc of link %d", ifindex);
	return 0;
}
