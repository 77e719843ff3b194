/* SPDX-License-Identifier: Apache-2.0 */
/* A container's network: checks and its JSON form (net_config.h). */
#include "common/net_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "common/error.h"

static const char *const scope_names[] = {
    [NET_SCOPE_UNIVERSE] = "universe",
    [NET_SCOPE_LINK] = "link",
    [NET_SCOPE_HOST] = "host",
};

void net_mac_format(const uint8_t mac[6], char out[NET_MAC_STRLEN])
{
	snprintf(out, NET_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
		 mac[3], mac[4], mac[5]);
}

int net_mac_parse(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		unsigned v = 0;

		for (int j = 0; j < 2; j++) {
			char c = *s++;

			if (c >= '0' && c <= '9')
				v = v * 16 + (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v = v * 16 + (unsigned)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				v = v * 16 + (unsigned)(c - 'A' + 10);
			else
				return -EINVAL;
		}
		mac[i] = (uint8_t)v;
		if (*s++ != (i < 5 ? ':' : '\0'))
			return -EINVAL;
	}
	return 0;
}

static unsigned addr_bits(uint8_t family)
{
	return family == AF_INET ? 32 : 128;
}

void net_addr_format(const struct net_addr *a, bool with_prefix, char out[NET_ADDR_STRLEN])
{
	char ip[INET6_ADDRSTRLEN] = "?";

	inet_ntop(a->family, a->addr, ip, sizeof(ip));
	if (with_prefix)
		snprintf(out, NET_ADDR_STRLEN, "%s/%u", ip, a->prefix);
	else
		snprintf(out, NET_ADDR_STRLEN, "%s", ip);
}

int net_addr_parse(const char *s, bool with_prefix, struct net_addr *a)
{
	char ip[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	char *end;
	unsigned long prefix;

	memset(a, 0, sizeof(*a));
	if (n == 0 || n >= sizeof(ip) || (slash != NULL) != with_prefix)
		return -EINVAL;
	memcpy(ip, s, n);
	ip[n] = '\0';
	if (inet_pton(AF_INET, ip, a->addr) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, ip, a->addr) == 1)
		a->family = AF_INET6;
	else
		return -EINVAL;
	if (!with_prefix)
		return 0;
	if (slash[1] < '0' || slash[1] > '9')
		return -EINVAL;
	errno = 0;
	prefix = strtoul(slash + 1, &end, 10);
	if (errno || *end || prefix > addr_bits(a->family))
		return -EINVAL;
	a->prefix = (uint8_t)prefix;
	return 0;
}

/* An interface name the kernel takes: 1..15 bytes, no '/', ':' or white space, not "." or "..". */
static bool name_ok(const char *s)
{
	size_t n = strnlen(s, IFNAMSIZ);

	if (n == 0 || n == IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || *s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

static bool mac_unicast(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return !(mac[0] & 1) && memcmp(mac, zero, 6) != 0;
}

static bool family_ok(const struct net_addr *a)
{
	return (a->family == AF_INET || a->family == AF_INET6) && a->prefix <= addr_bits(a->family);
}

const struct net_link *net_config_link(const struct net_config *c, const char *name)
{
	for (unsigned i = 0; i < c->nlinks && i < NET_LINKS_MAX; i++)
		if (!strncmp(c->links[i].name, name, IFNAMSIZ))
			return &c->links[i];
	return NULL;
}

static int link_check(const struct net_config *c, unsigned i, int errnum)
{
	const struct net_link *l = &c->links[i];

	if (!name_ok(l->name))
		return err_setx(errnum, "network: link %u: not an interface name", i);
	for (unsigned j = 0; j < i; j++) {
		if (!strcmp(c->links[j].name, l->name))
			return err_setx(errnum, "network: link '%s' given twice", l->name);
		if (!memcmp(c->links[j].mac, l->mac, 6))
			return err_setx(errnum, "network: links '%s' and '%s' have one MAC",
					c->links[j].name, l->name);
	}
	if (!mac_unicast(l->mac))
		return err_setx(errnum, "network: link '%s': not a unicast MAC", l->name);
	if (l->mtu < NET_MTU_MIN || l->mtu > NET_MTU_MAX)
		return err_setx(errnum, "network: link '%s': MTU %u is outside %u..%u", l->name,
				l->mtu, NET_MTU_MIN, NET_MTU_MAX);
	if (l->naddrs > NET_ADDRS_MAX)
		return err_setx(errnum, "network: link '%s' has %u addresses, more than %u",
				l->name, l->naddrs, NET_ADDRS_MAX);
	for (unsigned j = 0; j < l->naddrs; j++)
		if (!family_ok(&l->addrs[j]))
			return err_setx(errnum,
					"network: link '%s': address %u is not IPv4 or IPv6",
					l->name, j);
	return 0;
}

int net_config_check(const struct net_config *c, int errnum)
{
	int ret;

	if (c->nlinks > NET_LINKS_MAX)
		return err_setx(errnum, "network: %u links, more than %u", c->nlinks,
				NET_LINKS_MAX);
	if (c->nroutes > NET_ROUTES_MAX)
		return err_setx(errnum, "network: %u routes, more than %u", c->nroutes,
				NET_ROUTES_MAX);
	if (c->nneighs > NET_NEIGHS_MAX)
		return err_setx(errnum, "network: %u neighbours, more than %u", c->nneighs,
				NET_NEIGHS_MAX);
	for (unsigned i = 0; i < c->nlinks; i++)
		if ((ret = link_check(c, i, errnum)) < 0)
			return ret;
	for (unsigned i = 0; i < c->nroutes; i++) {
		const struct net_route *r = &c->routes[i];

		if (!name_ok(r->dev) || !net_config_link(c, r->dev))
			return err_setx(errnum, "network: route %u: its device is not a link given",
					i);
		if (!family_ok(&r->dst) || (r->has_gw && r->gw.family != r->dst.family))
			return err_setx(errnum, "network: route %u: bad destination or gateway", i);
		if ((unsigned)r->scope >= sizeof(scope_names) / sizeof(scope_names[0]))
			return err_setx(errnum, "network: route %u: bad scope", i);
	}
	for (unsigned i = 0; i < c->nneighs; i++) {
		const struct net_neigh *n = &c->neighs[i];

		if (!name_ok(n->dev) || !net_config_link(c, n->dev))
			return err_setx(errnum,
					"network: neighbour %u: its device is not a link given", i);
		if (n->ip.family != AF_INET && n->ip.family != AF_INET6)
			return err_setx(errnum, "network: neighbour %u: not IPv4 or IPv6", i);
	}
	return 0;
}

void net_config_put(struct json_out *o, const char *key, const struct net_config *c)
{
	char s[NET_ADDR_STRLEN], m[NET_MAC_STRLEN];
	int ret = net_config_check(c, EINVAL);

	if (ret < 0) {
		json_out_fail(o, ret);
		return;
	}
	json_out_str(o, key);
	json_out_map_open(o);
	json_out_str(o, "links");
	json_out_array_open(o);
	for (unsigned i = 0; i < c->nlinks; i++) {
		const struct net_link *l = &c->links[i];

		json_out_map_open(o);
		json_out_kstr(o, "name", l->name);
		net_mac_format(l->mac, m);
		json_out_kstr(o, "mac", m);
		json_out_ku64(o, "mtu", l->mtu);
		json_out_str(o, "addrs");
		json_out_array_open(o);
		for (unsigned j = 0; j < l->naddrs; j++) {
			net_addr_format(&l->addrs[j], true, s);
			json_out_str(o, s);
		}
		json_out_array_close(o);
		json_out_map_close(o);
	}
	json_out_array_close(o);
	json_out_str(o, "routes");
	json_out_array_open(o);
	for (unsigned i = 0; i < c->nroutes; i++) {
		const struct net_route *r = &c->routes[i];

		json_out_map_open(o);
		net_addr_format(&r->dst, true, s);
		json_out_kstr(o, "dst", s);
		if (r->has_gw) {
			net_addr_format(&r->gw, false, s);
			json_out_kstr(o, "gw", s);
		}
		json_out_kstr(o, "dev", r->dev);
		json_out_ku64(o, "metric", r->metric);
		json_out_kstr(o, "scope", scope_names[r->scope]);
		json_out_kbool(o, "onlink", r->onlink);
		json_out_map_close(o);
	}
	json_out_array_close(o);
	json_out_str(o, "neighs");
	json_out_array_open(o);
	for (unsigned i = 0; i < c->nneighs; i++) {
		const struct net_neigh *n = &c->neighs[i];

		json_out_map_open(o);
		json_out_kstr(o, "dev", n->dev);
		net_addr_format(&n->ip, false, s);
		json_out_kstr(o, "ip", s);
		net_mac_format(n->mac, m);
		json_out_kstr(o, "mac", m);
		json_out_map_close(o);
	}
	json_out_array_close(o);
	json_out_map_close(o);
}

/* The array under key (absent: 0 elements), at most max of them; *arr NULL when absent. */
static int get_array(yajl_val obj, const char *key, unsigned max, yajl_val *arr, unsigned *n)
{
	int ret = json_get(obj, key, false, arr);

	*n = 0;
	if (ret < 0)
		return ret;
	if (ret == 1) {
		*arr = NULL;
		return 0;
	}
	if (!YAJL_IS_ARRAY(*arr))
		return err_setx(EBADMSG, "network: '%s' is not an array", key);
	if ((*arr)->u.array.len > max)
		return err_setx(EBADMSG, "network: '%s' has %zu entries, more than %u", key,
				(*arr)->u.array.len, max);
	*n = (unsigned)(*arr)->u.array.len;
	return 0;
}

static int get_mac(yajl_val v, const char *key, uint8_t mac[6])
{
	char s[NET_MAC_STRLEN];
	int ret = json_get_strbuf(v, key, true, s, sizeof(s));

	if (ret < 0)
		return ret;
	if (net_mac_parse(s, mac) < 0)
		return err_setx(EBADMSG, "network: '%s': not a MAC address", key);
	return 0;
}

static int get_addr(yajl_val v, const char *key, bool with_prefix, struct net_addr *a)
{
	char s[NET_ADDR_STRLEN];
	int ret = json_get_strbuf(v, key, true, s, sizeof(s));

	if (ret < 0)
		return ret;
	if (net_addr_parse(s, with_prefix, a) < 0)
		return err_setx(EBADMSG, "network: '%s': not an address%s", key,
				with_prefix ? " with a prefix" : "");
	return 0;
}

static int get_link(yajl_val v, struct net_link *l)
{
	yajl_val addrs;
	int ret;

	if (!YAJL_IS_OBJECT(v))
		return err_setx(EBADMSG, "network: a link is not an object");
	if ((ret = json_get_strbuf(v, "name", true, l->name, sizeof(l->name))) < 0 ||
	    (ret = get_mac(v, "mac", l->mac)) < 0 ||
	    (ret = json_get_u32(v, "mtu", true, NET_MTU_MIN, NET_MTU_MAX, &l->mtu)) < 0 ||
	    (ret = get_array(v, "addrs", NET_ADDRS_MAX, &addrs, &l->naddrs)) < 0)
		return ret;
	for (unsigned i = 0; i < l->naddrs; i++) {
		yajl_val a = addrs->u.array.values[i];

		if (!YAJL_IS_STRING(a) || net_addr_parse(a->u.string, true, &l->addrs[i]) < 0)
			return err_setx(EBADMSG,
					"network: link '%s': address %u is not ADDR/PREFIX",
					l->name, i);
	}
	return 0;
}

static int get_route(yajl_val v, struct net_route *r)
{
	char scope[16] = "universe";
	int ret;

	if (!YAJL_IS_OBJECT(v))
		return err_setx(EBADMSG, "network: a route is not an object");
	if ((ret = get_addr(v, "dst", true, &r->dst)) < 0 ||
	    (ret = json_get_strbuf(v, "dev", true, r->dev, sizeof(r->dev))) < 0 ||
	    (ret = json_get_u32(v, "metric", false, 0, UINT32_MAX, &r->metric)) < 0 ||
	    (ret = json_get_strbuf(v, "scope", false, scope, sizeof(scope))) < 0 ||
	    (ret = json_get_bool(v, "onlink", false, &r->onlink)) < 0)
		return ret;
	ret = json_get(v, "gw", false, &(yajl_val){NULL});
	if (ret < 0)
		return ret;
	if (ret == 0) {
		if ((ret = get_addr(v, "gw", false, &r->gw)) < 0)
			return ret;
		r->has_gw = true;
	}
	for (unsigned s = 0; s < sizeof(scope_names) / sizeof(scope_names[0]); s++)
		if (!strcmp(scope, scope_names[s])) {
			r->scope = (enum net_scope)s;
			return 0;
		}
	return err_setx(EBADMSG, "network: route scope '%s' is not universe, link or host", scope);
}

static int get_neigh(yajl_val v, struct net_neigh *n)
{
	int ret;

	if (!YAJL_IS_OBJECT(v))
		return err_setx(EBADMSG, "network: a neighbour is not an object");
	if ((ret = json_get_strbuf(v, "dev", true, n->dev, sizeof(n->dev))) < 0 ||
	    (ret = get_addr(v, "ip", false, &n->ip)) < 0)
		return ret;
	return get_mac(v, "mac", n->mac);
}

static int config_get(yajl_val v, struct net_config *c)
{
	yajl_val links, routes, neighs;
	int ret;

	if (!YAJL_IS_OBJECT(v))
		return err_setx(EBADMSG, "network: not an object");
	if ((ret = get_array(v, "links", NET_LINKS_MAX, &links, &c->nlinks)) < 0 ||
	    (ret = get_array(v, "routes", NET_ROUTES_MAX, &routes, &c->nroutes)) < 0 ||
	    (ret = get_array(v, "neighs", NET_NEIGHS_MAX, &neighs, &c->nneighs)) < 0)
		return ret;
	for (unsigned i = 0; i < c->nlinks; i++)
		if ((ret = get_link(links->u.array.values[i], &c->links[i])) < 0)
			return ret;
	for (unsigned i = 0; i < c->nroutes; i++)
		if ((ret = get_route(routes->u.array.values[i], &c->routes[i])) < 0)
			return ret;
	for (unsigned i = 0; i < c->nneighs; i++)
		if ((ret = get_neigh(neighs->u.array.values[i], &c->neighs[i])) < 0)
			return ret;
	return net_config_check(c, EBADMSG);
}

int net_config_get(yajl_val obj, const char *key, bool required, struct net_config **out)
{
	yajl_val v;
	int ret = json_get(obj, key, required, &v);

	*out = NULL;
	if (ret < 0)
		return ret;
	if (ret == 1)
		return 0;
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return err_set(ENOMEM, "network");
	ret = config_get(v, *out);
	if (ret < 0) {
		free(*out);
		*out = NULL;
	}
	return ret;
}
