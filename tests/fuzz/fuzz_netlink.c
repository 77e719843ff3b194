/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: a datagram of rtnetlink replies, as common/netlink.c
 * walks them for nl_call and nl_dump (the agent reads these from the
 * guest's kernel, the runtime from a namespace that a CNI plugin set up).
 * Byte 0 picks a dump or an ack; the rest is the datagram, walked for
 * sequence number 1. Each message of the dump has its family header
 * (link, address, route or neighbour, by type) and attributes indexed,
 * every attribute's payload parsed again as nested attributes, and every
 * string and u32 read. Any crash, hang or sanitizer report is a bug.
 * Seeds: tests/fuzz/corpus/netlink/.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>

#include "fuzz_target.h"
#include "common/netlink.h"

#define TB_MAX 64

static int on_msg(const struct nlmsghdr *h, void *arg)
{
	const struct rtattr *tb[TB_MAX + 1], *in[TB_MAX + 1];
	size_t hdrlen;
	char s[64];
	uint32_t v;
	uint8_t b;

	(void)arg;
	switch (h->nlmsg_type) {
	case RTM_NEWLINK:
		hdrlen = sizeof(struct ifinfomsg);
		break;
	case RTM_NEWADDR:
		hdrlen = sizeof(struct ifaddrmsg);
		break;
	case RTM_NEWROUTE:
		hdrlen = sizeof(struct rtmsg);
		break;
	case RTM_NEWNEIGH:
		hdrlen = sizeof(struct ndmsg);
		break;
	default:
		return 0;
	}
	if (!nl_family_hdr(h, hdrlen) || nl_parse(h, hdrlen, tb, TB_MAX) < 0)
		return -EBADMSG;
	for (unsigned t = 0; t <= TB_MAX; t++) {
		if (!tb[t])
			continue;
		(void)nl_get_str(tb[t], s, sizeof(s));
		(void)nl_get_u32(tb[t], &v);
		(void)nl_get_u8(tb[t], &b);
		if (nl_parse_nested(tb[t], in, TB_MAX) == 0)
			for (unsigned u = 0; u <= TB_MAX; u++)
				if (in[u])
					(void)nl_get_str(in[u], s, sizeof(s));
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nl_reply st = {0};
	uint8_t *buf;

	if (size < 1)
		return 0;
	/* an exact-size, aligned copy: ASan sees any read past the datagram */
	buf = malloc(size - 1 ? size - 1 : 1);
	if (!buf)
		abort();
	memcpy(buf, data + 1, size - 1);
	(void)nl_reply_walk(buf, size - 1, 1, data[0] & 1, on_msg, NULL, &st);
	free(buf);
	return 0;
}
