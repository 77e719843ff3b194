/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/net_config.c and the `network` request: a container's network
 * (links, addresses, routes, neighbours) goes through the protocol and
 * comes out the same; MACs and addresses parse and print in their usual
 * forms; and what either side must refuse is refused with a message:
 * too many links or addresses, a route or neighbour on a link not given,
 * a multicast MAC, an MTU out of range, a bad name, mixed families.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "common/error.h"
#include "common/net_config.h"
#include "common/proto.h"

static void addr(struct net_addr *a, const char *s)
{
	assert_int_equal(net_addr_parse(s, strchr(s, '/') != NULL, a), 0);
}

/* eth0 with v4 and v6 addresses, net1; a link route, a default route via it, one neighbour. */
static void sample(struct net_config *c)
{
	memset(c, 0, sizeof(*c));
	c->nlinks = 2;
	strcpy(c->links[0].name, "eth0");
	assert_int_equal(net_mac_parse("0a:58:0A:58:00:05", c->links[0].mac), 0);
	c->links[0].mtu = 1450;
	c->links[0].naddrs = 2;
	addr(&c->links[0].addrs[0], "10.88.0.5/16");
	addr(&c->links[0].addrs[1], "fd00:88::5/64");
	strcpy(c->links[1].name, "net1");
	assert_int_equal(net_mac_parse("02:00:00:00:00:01", c->links[1].mac), 0);
	c->links[1].mtu = 9000;
	c->nroutes = 2;
	addr(&c->routes[0].dst, "169.254.1.1/32");
	strcpy(c->routes[0].dev, "eth0");
	c->routes[0].scope = NET_SCOPE_LINK;
	addr(&c->routes[1].dst, "0.0.0.0/0");
	c->routes[1].has_gw = true;
	addr(&c->routes[1].gw, "169.254.1.1");
	strcpy(c->routes[1].dev, "eth0");
	c->routes[1].metric = 100;
	c->routes[1].onlink = true;
	c->nneighs = 1;
	strcpy(c->neighs[0].dev, "eth0");
	addr(&c->neighs[0].ip, "169.254.1.1");
	assert_int_equal(net_mac_parse("ee:ee:ee:ee:ee:ee", c->neighs[0].mac), 0);
}

static void test_forms(void **state)
{
	struct net_addr a;
	char s[NET_ADDR_STRLEN], m[NET_MAC_STRLEN];
	uint8_t mac[6];

	(void)state;
	addr(&a, "fd00::1/128");
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.prefix, 128);
	net_addr_format(&a, true, s);
	assert_string_equal(s, "fd00::1/128");
	net_addr_format(&a, false, s);
	assert_string_equal(s, "fd00::1");
	assert_int_equal(net_addr_parse("10.0.0.1/33", true, &a), -EINVAL);
	assert_int_equal(net_addr_parse("10.0.0.1/", true, &a), -EINVAL);
	assert_int_equal(net_addr_parse("10.0.0.1/-1", true, &a), -EINVAL);
	assert_int_equal(net_addr_parse("10.0.0.1/8x", true, &a), -EINVAL);
	assert_int_equal(net_addr_parse("10.0.0.1", true, &a), -EINVAL);
	assert_int_equal(net_addr_parse("10.0.0.1/8", false, &a), -EINVAL);
	assert_int_equal(net_addr_parse("10.0.0", false, &a), -EINVAL);
	assert_int_equal(net_addr_parse("", false, &a), -EINVAL);
	assert_int_equal(net_mac_parse("aa:bb:cc:dd:ee:0F", mac), 0);
	net_mac_format(mac, m);
	assert_string_equal(m, "aa:bb:cc:dd:ee:0f");
	assert_int_equal(net_mac_parse("aa:bb:cc:dd:ee", mac), -EINVAL);
	assert_int_equal(net_mac_parse("aa:bb:cc:dd:ee:ff:00", mac), -EINVAL);
	assert_int_equal(net_mac_parse("aa-bb-cc-dd-ee-ff", mac), -EINVAL);
	assert_int_equal(net_mac_parse("ag:bb:cc:dd:ee:ff", mac), -EINVAL);
}

static void test_network_request_round_trip(void **state)
{
	struct net_config *c = malloc(sizeof(*c));
	struct proto_msg m = {.kind = PROTO_REQUEST, .op = PROTO_OP_NETWORK, .id = 5}, d;
	char *buf;
	size_t len;

	(void)state;
	assert_non_null(c);
	sample(c);
	m.body.network.net = c;
	assert_int_equal(proto_encode(&m, &buf, &len), 0);
	assert_non_null(strstr(buf, "\"op\":\"network\""));
	assert_non_null(strstr(buf, "\"addrs\":[\"10.88.0.5/16\",\"fd00:88::5/64\"]"));
	assert_int_equal(proto_decode(buf, len, &d), 0);
	free(buf);
	assert_int_equal(d.op, PROTO_OP_NETWORK);
	assert_non_null(d.body.network.net);
	assert_memory_equal(d.body.network.net, c, sizeof(*c));
	proto_msg_free(&d);
	free(c);

	/* No configuration at all: refused on the way out. */
	m.body.network.net = NULL;
	assert_int_equal(proto_encode(&m, &buf, &len), -EINVAL);
}

/* Each broken config is refused by the encoder (EINVAL) and its message names the trouble. */
static void refused(struct net_config *c, const char *what)
{
	struct proto_msg m = {.kind = PROTO_REQUEST, .op = PROTO_OP_NETWORK, .id = 6};
	char *buf = NULL;
	size_t len;

	m.body.network.net = c;
	assert_int_equal(net_config_check(c, EINVAL), -EINVAL);
	if (!strstr(err_msg(), what))
		fail_msg("'%s' does not say '%s'", err_msg(), what);
	assert_int_equal(proto_encode(&m, &buf, &len), -EINVAL);
	assert_null(buf);
}

static void test_refused_configs(void **state)
{
	struct net_config *c = malloc(sizeof(*c));

	(void)state;
	assert_non_null(c);
	sample(c);
	c->nlinks = NET_LINKS_MAX + 1;
	refused(c, "links, more than");
	sample(c);
	c->links[0].naddrs = NET_ADDRS_MAX + 1;
	refused(c, "addresses, more than");
	sample(c);
	strcpy(c->routes[1].dev, "eth9");
	refused(c, "route 1: its device is not a link given");
	sample(c);
	strcpy(c->neighs[0].dev, "net2");
	refused(c, "neighbour 0");
	sample(c);
	c->links[1].mac[0] = 0x01;
	refused(c, "not a unicast MAC");
	sample(c);
	memcpy(c->links[1].mac, c->links[0].mac, 6);
	refused(c, "have one MAC");
	sample(c);
	c->links[0].mtu = 67;
	refused(c, "MTU 67");
	sample(c);
	strcpy(c->links[1].name, "a/b");
	refused(c, "not an interface name");
	sample(c);
	strcpy(c->links[1].name, "eth0");
	refused(c, "given twice");
	sample(c);
	addr(&c->routes[1].gw, "fd00::1");
	refused(c, "bad destination or gateway");
	free(c);
}

#define FRAME "{\"v\":1,\"id\":1,\"op\":\"network\",\"body\":{\"network\":%s}}"

/* The decoder refuses the same things in the JSON text a hostile peer might send. */
static void test_refused_json(void **state)
{
	static const char *const bad[] = {
	    "{\"links\":[{\"name\":\"eth0\",\"mac\":\"0a:58:0a:58:00:05\",\"mtu\":1500,"
	    "\"addrs\":[\"10.0.0.1\"]}]}", /* no prefix */
	    "{\"links\":[{\"name\":\"eth0\",\"mac\":\"0a:58:0a:58:00:05\",\"mtu\":70000}]}",
	    "{\"links\":[{\"name\":\"eth0\",\"mac\":\"zz\",\"mtu\":1500}]}",
	    "{\"links\":[{\"name\":\"eth0123456789012\",\"mac\":\"0a:58:0a:58:00:05\","
	    "\"mtu\":1500}]}", /* 16 bytes */
	    "{\"links\":{}}",
	    "{\"links\":[1]}",
	    "{\"routes\":[{\"dst\":\"0.0.0.0/0\",\"dev\":\"eth0\"}]}", /* no such link */
	    "{\"links\":[{\"name\":\"eth0\",\"mac\":\"0a:58:0a:58:00:05\",\"mtu\":1500}],"
	    "\"routes\":[{\"dst\":\"0.0.0.0/0\",\"dev\":\"eth0\",\"scope\":\"site\"}]}",
	    "[]",
	};
	static const char good[] =
	    "{\"links\":[{\"name\":\"eth0\",\"mac\":\"0a:58:0a:58:00:05\",\"mtu\":1500,"
	    "\"addrs\":[\"10.0.0.2/24\"]}],\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.0.0.1\","
	    "\"dev\":\"eth0\"}]}";
	char text[1024];
	struct proto_msg d;

	(void)state;
	/* the same frame with a good config decodes: the refusals below are the config's */
	snprintf(text, sizeof(text), FRAME, good);
	assert_int_equal(proto_decode(text, strlen(text), &d), 0);
	assert_int_equal(d.body.network.net->nroutes, 1);
	assert_true(d.body.network.net->routes[0].has_gw);
	proto_msg_free(&d);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), FRAME, bad[i]);
		if (proto_decode(text, strlen(text), &d) != -EBADMSG)
			fail_msg("accepted: %s", bad[i]);
		proto_msg_free(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_forms),
	    cmocka_unit_test(test_network_request_round_trip),
	    cmocka_unit_test(test_refused_configs),
	    cmocka_unit_test(test_refused_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
