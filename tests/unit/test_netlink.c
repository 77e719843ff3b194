/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/netlink.c: requests are built with their attributes and nests
 * and refused when they overflow; replies are walked with every length
 * checked (a short, overlong or unterminated attribute is -EBADMSG); and a
 * real round trip with the kernel: a dump of this namespace's links finds
 * loopback, and a request the kernel refuses returns its errno.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <net/if.h>
#include <linux/if_link.h>

#include "common/netlink.h"

static void test_build_attrs_and_nests(void **state)
{
	struct nl_msg m;
	struct ifinfomsg *ifi;
	const struct rtattr *tb[IFLA_MAX + 1], *in[IFLA_INFO_MAX + 1];
	char name[IFNAMSIZ];
	uint32_t mtu;

	(void)state;
	ifi = nl_msg_init(&m, RTM_NEWLINK, NLM_F_CREATE, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	nl_put_str(&m, IFLA_IFNAME, "tap0");
	nl_put_u32(&m, IFLA_MTU, 1400);
	nl_nest_begin(&m, IFLA_LINKINFO);
	nl_put_str(&m, IFLA_INFO_KIND, "veth");
	nl_nest_end(&m);
	assert_false(m.overflow);
	assert_int_equal(m.depth, 0);
	assert_true(m.h.nlmsg_flags & NLM_F_REQUEST);
	assert_int_equal(m.h.nlmsg_len % 4, 0);

	assert_int_equal(nl_parse(&m.h, sizeof(*ifi), tb, IFLA_MAX), 0);
	assert_int_equal(nl_get_str(tb[IFLA_IFNAME], name, sizeof(name)), 0);
	assert_string_equal(name, "tap0");
	assert_int_equal(nl_get_u32(tb[IFLA_MTU], &mtu), 0);
	assert_int_equal(mtu, 1400);
	assert_non_null(tb[IFLA_LINKINFO]);
	assert_int_equal(nl_parse_nested(tb[IFLA_LINKINFO], in, IFLA_INFO_MAX), 0);
	assert_int_equal(nl_get_str(in[IFLA_INFO_KIND], name, sizeof(name)), 0);
	assert_string_equal(name, "veth");
	/* A name that does not fit the caller's buffer, a u32 read as u8. */
	assert_int_equal(nl_get_str(tb[IFLA_IFNAME], name, 4), -EBADMSG);
	assert_int_equal(nl_get_u8(tb[IFLA_MTU], &(uint8_t){0}), -EBADMSG);
	assert_int_equal(nl_get_u32(NULL, &mtu), -EBADMSG);
}

static void test_overflow_is_refused(void **state)
{
	static char big[NL_MSG_MAX];
	struct nl_msg m;
	struct nl_sock s = {.fd = -1};

	(void)state;
	nl_msg_init(&m, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
	nl_put(&m, IFLA_IFALIAS, big, sizeof(big) / 2);
	assert_false(m.overflow);
	nl_put(&m, IFLA_IFALIAS, big, sizeof(big) / 2);
	assert_true(m.overflow);
	/* refused before anything is sent: no socket is needed */
	assert_int_equal(nl_call(&s, &m), -EMSGSIZE);

	nl_msg_init(&m, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
	nl_nest_begin(&m, IFLA_LINKINFO);
	assert_int_equal(nl_call(&s, &m), -EMSGSIZE); /* a nest left open */
	nl_msg_init(&m, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
	nl_nest_end(&m);
	assert_true(m.overflow); /* closing what was never opened */
	nl_msg_init(&m, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
	for (int i = 0; i < NL_NEST_MAX + 1; i++)
		nl_nest_begin(&m, 1);
	assert_true(m.overflow);
}

/* A link message of n bytes with attribute bytes `attrs` after its header. */
static struct nlmsghdr *link_msg(uint8_t *buf, const void *attrs, size_t alen)
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;

	memset(buf, 0, 256);
	h->nlmsg_len = (uint32_t)(NLMSG_SPACE(sizeof(struct ifinfomsg)) + alen);
	memcpy(buf + NLMSG_SPACE(sizeof(struct ifinfomsg)), attrs, alen);
	return h;
}

static void test_lying_lengths(void **state)
{
	uint8_t buf[256] __attribute__((aligned(4)));
	const struct rtattr *tb[IFLA_MAX + 1];
	char name[IFNAMSIZ];
	/* rta_len 3: shorter than its own header */
	const uint8_t short_attr[] = {3, 0, IFLA_IFNAME, 0, 'a', 0, 0, 0};
	/* rta_len 40 in an 8-byte run */
	const uint8_t long_attr[] = {40, 0, IFLA_IFNAME, 0, 'a', 'b', 'c', 0};
	/* a name with no NUL in its payload */
	const uint8_t no_nul[] = {8, 0, IFLA_IFNAME, 0, 'a', 'b', 'c', 'd'};
	/* an unknown type past max is skipped, a known one kept; padding after the last */
	const uint8_t skip[] = {8, 0,	     0xff, 0x7f, 1, 2, 3, 4, 8,
				0, IFLA_MTU, 0,	   0xdc, 5, 0, 0, 0, 0};
	uint32_t mtu;

	(void)state;
	assert_int_equal(nl_parse(link_msg(buf, short_attr, sizeof(short_attr)),
				  sizeof(struct ifinfomsg), tb, IFLA_MAX),
			 -EBADMSG);
	assert_int_equal(nl_parse(link_msg(buf, long_attr, sizeof(long_attr)),
				  sizeof(struct ifinfomsg), tb, IFLA_MAX),
			 -EBADMSG);
	assert_int_equal(
	    nl_parse(link_msg(buf, no_nul, sizeof(no_nul)), sizeof(struct ifinfomsg), tb, IFLA_MAX),
	    0);
	assert_int_equal(nl_get_str(tb[IFLA_IFNAME], name, sizeof(name)), -EBADMSG);
	assert_int_equal(
	    nl_parse(link_msg(buf, skip, sizeof(skip) - 2), sizeof(struct ifinfomsg), tb, IFLA_MAX),
	    0);
	assert_int_equal(nl_get_u32(tb[IFLA_MTU], &mtu), 0);
	assert_int_equal(mtu, 1500);
	/* a message shorter than its family header */
	((struct nlmsghdr *)buf)->nlmsg_len = NLMSG_HDRLEN + 2;
	assert_int_equal(nl_parse((struct nlmsghdr *)buf, sizeof(struct ifinfomsg), tb, IFLA_MAX),
			 -EBADMSG);
	assert_null(nl_family_hdr((struct nlmsghdr *)buf, sizeof(struct ifinfomsg)));
}

struct seen {
	int links;
	bool lo;
};

static int on_link(const struct nlmsghdr *h, void *arg)
{
	struct seen *s = arg;
	const struct ifinfomsg *ifi = nl_family_hdr(h, sizeof(*ifi));
	const struct rtattr *tb[IFLA_MAX + 1];
	char name[IFNAMSIZ];

	if (h->nlmsg_type != RTM_NEWLINK || !ifi)
		return -EBADMSG;
	if (nl_parse(h, sizeof(*ifi), tb, IFLA_MAX) < 0 ||
	    nl_get_str(tb[IFLA_IFNAME], name, sizeof(name)) < 0)
		return -EBADMSG;
	s->links++;
	if (ifi->ifi_flags & IFF_LOOPBACK && !strcmp(name, "lo"))
		s->lo = true;
	return 0;
}

static void test_kernel_round_trip(void **state)
{
	struct nl_sock s;
	struct nl_msg m;
	struct ifinfomsg *ifi;
	struct seen seen = {0};

	(void)state;
	assert_int_equal(nl_open(&s), 0);
	ifi = nl_msg_init(&m, RTM_GETLINK, 0, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	assert_int_equal(nl_dump(&s, &m, on_link, &seen), 0);
	assert_true(seen.links >= 1);
	assert_true(seen.lo);
	/* Deleting a link that is not there: the kernel's own errno, and the socket goes on. */
	ifi = nl_msg_init(&m, RTM_DELLINK, 0, sizeof(*ifi));
	ifi->ifi_index = 0x7ffffff0;
	assert_int_equal(nl_call(&s, &m), -ENODEV);
	seen = (struct seen){0};
	ifi = nl_msg_init(&m, RTM_GETLINK, 0, sizeof(*ifi));
	assert_int_equal(nl_dump(&s, &m, on_link, &seen), 0);
	assert_true(seen.lo);
	nl_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_build_attrs_and_nests),
	    cmocka_unit_test(test_overflow_is_refused),
	    cmocka_unit_test(test_lying_lengths),
	    cmocka_unit_test(test_kernel_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
