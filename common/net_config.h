/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container's network as the runtime finds it in the network namespace
 * that CNI set up, and as the agent gives it to the guest's NICs: each
 * link (its name, MAC, MTU and addresses), the routes of the main table
 * (all but the kernel's own subnet routes) and the permanent neighbours.
 * It travels in the `network` request (common/proto.h) as JSON:
 *
 *   {"links": [{"name": "eth0", "mac": "0a:58:0a:58:00:05", "mtu": 1500,
 *               "addrs": ["10.88.0.5/16", "fd00::5/64"]}],
 *    "routes": [{"dst": "0.0.0.0/0", "gw": "10.88.0.1", "dev": "eth0",
 *                "metric": 0, "scope": "universe", "onlink": false}],
 *    "neighs": [{"dev": "eth0", "ip": "10.88.0.1", "mac": "..."}]}
 *
 * Both sides check it the same way (net_config_check): the counts are
 * bounded, names are valid interface names, MACs unicast, every route and
 * neighbour names a link of the config, addresses are of one family with
 * a prefix in range.
 */
#ifndef OZONE_COMMON_NET_CONFIG_H
#define OZONE_COMMON_NET_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>
#include <yajl/yajl_tree.h>

#include "common/json.h"

#define NET_LINKS_MAX 8	  /* NICs of one VM (ozone-vmm --net) */
#define NET_ADDRS_MAX 16  /* addresses of one link */
#define NET_ROUTES_MAX 64 /* routes of the namespace */
#define NET_NEIGHS_MAX 64 /* permanent neighbours of the namespace */
#define NET_MTU_MIN 68	  /* IPv4's minimum */
#define NET_MTU_MAX 65535

/* An IPv4 or IPv6 address with a prefix length (the route's destination, or a link's address). */
struct net_addr {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t prefix; /* 0..32 or 0..128 */
	uint8_t addr[16];
};

struct net_link {
	char name[IFNAMSIZ];
	uint8_t mac[6];
	uint32_t mtu;
	struct net_addr addrs[NET_ADDRS_MAX];
	unsigned naddrs;
};

enum net_scope {
	NET_SCOPE_UNIVERSE = 0, /* RT_SCOPE_UNIVERSE */
	NET_SCOPE_LINK,		/* RT_SCOPE_LINK */
	NET_SCOPE_HOST,		/* RT_SCOPE_HOST */
};

struct net_route {
	struct net_addr dst; /* prefix 0: the default route */
	bool has_gw;
	struct net_addr gw; /* same family as dst; prefix unused */
	char dev[IFNAMSIZ]; /* a link of the config */
	uint32_t metric;
	enum net_scope scope;
	bool onlink; /* the gateway is on the link even outside its subnets (RTNH_F_ONLINK) */
};

struct net_neigh {
	char dev[IFNAMSIZ];
	struct net_addr ip; /* prefix unused */
	uint8_t mac[6];
};

struct net_config {
	struct net_link links[NET_LINKS_MAX];
	unsigned nlinks;
	struct net_route routes[NET_ROUTES_MAX];
	unsigned nroutes;
	struct net_neigh neighs[NET_NEIGHS_MAX];
	unsigned nneighs;
};

/* 0, or -errnum with a message naming the first thing wrong. */
int net_config_check(const struct net_config *c, int errnum);

/* The link of c named `name`, or NULL. */
const struct net_link *net_config_link(const struct net_config *c, const char *name);

/* Writes c under key into an open map; a config that fails net_config_check fails o. */
void net_config_put(struct json_out *o, const char *key, const struct net_config *c);

/*
 * Reads the object under key into a malloc'd config (*out, free() it),
 * checked with net_config_check; -EBADMSG with a message otherwise. An
 * absent optional key gives *out NULL and 0.
 */
int net_config_get(yajl_val obj, const char *key, bool required, struct net_config **out);

/* Text forms: "aa:bb:cc:dd:ee:ff" (18 bytes with the NUL), "10.0.0.1/24" or "fd00::1/64". */
#define NET_MAC_STRLEN 18
#define NET_ADDR_STRLEN 50
void net_mac_format(const uint8_t mac[6], char out[NET_MAC_STRLEN]);
int net_mac_parse(const char *s, uint8_t mac[6]);
/* with_prefix false: the address alone ("10.0.0.1"). */
void net_addr_format(const struct net_addr *a, bool with_prefix, char out[NET_ADDR_STRLEN]);
/* "ADDR/PREFIX" when with_prefix (the prefix is required), "ADDR" otherwise; 0 or -EINVAL. */
int net_addr_parse(const char *s, bool with_prefix, struct net_addr *a);

#endif
