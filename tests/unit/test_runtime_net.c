/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The runtime's network (runtime/lib/net_*.c), on real namespaces: the
 * test unshares a network namespace of its own first, and each test makes
 * another one (a forked `sh` that unshared one, set it up with ip(8) and
 * sleeps) holding a veth whose peer lies in the test's; nothing touches an
 * interface of the machine. The scan returns exactly what was set up; the
 * wiring makes the tap, the qdiscs and both filters, and frames really flow
 * both ways (tap fd <-> the veth's peer, over AF_PACKET); teardown removes
 * what was made and leaves the veth; bad namespaces are refused.
 * Needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN): skipped without.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/tc_act/tc_mirred.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/lib/net_ns.h"
#include "runtime/lib/net_scan.h"
#include "runtime/lib/net_wire.h"
#include "common/error.h"
#include "common/netns_run.h"

/* A namespace made by a shell that set it up and then sleeps. */
struct test_ns {
	pid_t pid;
	char path[64];
	int fd;
};

#define SETUP_VETH(peer)                                                                           \
	"ip link set lo up && "                                                                    \
	"ip link add eth0 type veth peer name " peer " netns $PARENT && "                          \
	"ip link set eth0 address 02:00:00:00:00:01 mtu 1400 up && "                               \
	"ip addr add 10.1.0.2/24 dev eth0 && "                                                     \
	"ip -6 addr add fd00::2/64 dev eth0 nodad && "                                             \
	"ip route add default via 10.1.0.1 dev eth0 metric 5 && "                                  \
	"ip route add 10.2.0.0/16 dev eth0 scope link && "                                         \
	"ip -6 route add default via fd00::1 dev eth0 metric 7 && "                                \
	"ip neigh add 10.1.0.1 lladdr 02:00:00:00:00:fe dev eth0 nud permanent"

static void ns_make(struct test_ns *ns, const char *setup)
{
	char script[4096], buf[8] = "";
	int p[2];

	snprintf(script, sizeof(script),
		 "{ %s; } || exit 1; echo ok; exec sleep 1000 >/dev/null 2>&1", setup);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	ns->pid = fork();
	assert_true(ns->pid >= 0);
	if (ns->pid == 0) {
		char parent[16];

		snprintf(parent, sizeof(parent), "%d", (int)getppid());
		setenv("PARENT", parent, 1);
		/* It dies with the test, even one that failed before ns_end. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWNET) < 0 || dup2(p[1], 1) < 0)
			_exit(1);
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	assert_true(read(p[0], buf, sizeof(buf) - 1) >= 2);
	close(p[0]);
	assert_string_equal(buf, "ok\n");
	snprintf(ns->path, sizeof(ns->path), "/proc/%d/ns/net", (int)ns->pid);
	ns->fd = -1;
}

static void ns_end(struct test_ns *ns)
{
	if (ns->fd >= 0)
		close(ns->fd);
	kill(ns->pid, SIGKILL);
	waitpid(ns->pid, NULL, 0);
	/* The veth's peer in the test's namespace went with its namespace. */
}

static void ns_open(struct test_ns *ns)
{
	struct net_ns n;

	assert_int_equal(net_ns_open(ns->path, &n), 0);
	ns->fd = n.fd;
}

static char *addr_str(const struct net_addr *a, bool prefix)
{
	static char buf[4][NET_ADDR_STRLEN];
	static int next;
	char *b = buf[next++ % 4];

	net_addr_format(a, prefix, b);
	return b;
}

static void test_scan(void **state)
{
	struct test_ns ns;
	struct net_config c;
	char mac[NET_MAC_STRLEN];
	bool v4_default = false, v4_link = false, v6_default = false;

	(void)state;
	ns_make(&ns, SETUP_VETH("peer0"));
	ns_open(&ns);
	assert_int_equal(net_ns_scan(ns.fd, &c), 0);
	/* lo is left out; the veth is the one link. */
	assert_int_equal(c.nlinks, 1);
	assert_string_equal(c.links[0].name, "eth0");
	net_mac_format(c.links[0].mac, mac);
	assert_string_equal(mac, "02:00:00:00:00:01");
	assert_int_equal(c.links[0].mtu, 1400);
	/* Its fe80:: address is the kernel's, left out. */
	assert_int_equal(c.links[0].naddrs, 2);
	assert_string_equal(addr_str(&c.links[0].addrs[0], true), "10.1.0.2/24");
	assert_string_equal(addr_str(&c.links[0].addrs[1], true), "fd00::2/64");
	/* The kernel's subnet routes are left out: the three made above. */
	assert_int_equal(c.nroutes, 3);
	for (unsigned i = 0; i < c.nroutes; i++) {
		const struct net_route *r = &c.routes[i];

		assert_string_equal(r->dev, "eth0");
		if (!strcmp(addr_str(&r->dst, true), "0.0.0.0/0")) {
			assert_true(r->has_gw);
			assert_string_equal(addr_str(&r->gw, false), "10.1.0.1");
			assert_int_equal(r->metric, 5);
			assert_int_equal(r->scope, NET_SCOPE_UNIVERSE);
			v4_default = true;
		} else if (!strcmp(addr_str(&r->dst, true), "10.2.0.0/16")) {
			assert_false(r->has_gw);
			assert_int_equal(r->scope, NET_SCOPE_LINK);
			v4_link = true;
		} else {
			assert_string_equal(addr_str(&r->dst, true), "::/0");
			assert_string_equal(addr_str(&r->gw, false), "fd00::1");
			assert_int_equal(r->metric, 7);
			v6_default = true;
		}
	}
	assert_true(v4_default && v4_link && v6_default);
	assert_int_equal(c.nneighs, 1);
	assert_string_equal(c.neighs[0].dev, "eth0");
	assert_string_equal(addr_str(&c.neighs[0].ip, false), "10.1.0.1");
	net_mac_format(c.neighs[0].mac, mac);
	assert_string_equal(mac, "02:00:00:00:00:fe");
	ns_end(&ns);
}

/* What a dump of one link's ingress filters found: a mirred redirect, and to where. */
struct redirect {
	int to;
	int action;
	int eaction;
};

static int filter_cb(const struct nlmsghdr *h, void *arg)
{
	struct redirect *r = arg;
	const struct rtattr *tb[TCA_MAX + 1], *u32[TCA_U32_MAX + 1], *acts[2],
	    *act[TCA_ACT_MAX + 1], *mir[TCA_MIRRED_MAX + 1];
	const struct tc_mirred *p;
	char kind[16];

	if (h->nlmsg_type != RTM_NEWTFILTER || nl_parse(h, sizeof(struct tcmsg), tb, TCA_MAX) < 0 ||
	    !tb[TCA_KIND] || nl_get_str(tb[TCA_KIND], kind, sizeof(kind)) < 0 ||
	    strcmp(kind, "u32") || !tb[TCA_OPTIONS] ||
	    nl_parse_nested(tb[TCA_OPTIONS], u32, TCA_U32_MAX) < 0 || !u32[TCA_U32_ACT] ||
	    nl_parse_nested(u32[TCA_U32_ACT], acts, 1) < 0 || !acts[1] ||
	    nl_parse_nested(acts[1], act, TCA_ACT_MAX) < 0 || !act[TCA_ACT_KIND] ||
	    nl_get_str(act[TCA_ACT_KIND], kind, sizeof(kind)) < 0 || strcmp(kind, "mirred") ||
	    !act[TCA_ACT_OPTIONS] ||
	    nl_parse_nested(act[TCA_ACT_OPTIONS], mir, TCA_MIRRED_MAX) < 0 ||
	    !mir[TCA_MIRRED_PARMS] || nl_len(mir[TCA_MIRRED_PARMS]) < sizeof(*p))
		return 0;
	p = nl_data(mir[TCA_MIRRED_PARMS]);
	r->to = (int)p->ifindex;
	r->action = p->action;
	r->eaction = p->eaction;
	return 0;
}

struct tc_state {
	int link, tap; /* ifindexes */
	int link_ingress, tap_ingress;
	struct redirect link_to, tap_to;
};

static void dump_redirect(struct nl_sock *s, int ifindex, struct redirect *r)
{
	struct nl_msg m;
	struct tcmsg *t = nl_msg_init(&m, RTM_GETTFILTER, NLM_F_DUMP, sizeof(*t));

	t->tcm_ifindex = ifindex;
	t->tcm_parent = TC_H_MAKE(TC_H_INGRESS, 0);
	memset(r, 0, sizeof(*r));
	nl_dump(s, &m, filter_cb, r);
}

static int tc_state_job(void *arg)
{
	struct tc_state *st = arg;
	struct nl_sock s;

	memset(st, 0, sizeof(*st));
	if (nl_open(&s) < 0)
		return -EIO;
	st->link = (int)if_nametoindex("eth0");
	st->tap = (int)if_nametoindex("tap0_oz");
	st->link_ingress = st->link ? net_tc_has_ingress(&s, st->link) : -1;
	st->tap_ingress = st->tap ? net_tc_has_ingress(&s, st->tap) : -1;
	if (st->link)
		dump_redirect(&s, st->link, &st->link_to);
	if (st->tap)
		dump_redirect(&s, st->tap, &st->tap_to);
	nl_close(&s);
	return 0;
}

/* Receives on fd, within a second, a frame that holds payload at off; skips the rest. */
static bool recv_payload(int fd, size_t off, const char *payload)
{
	char buf[2048];

	for (int i = 0; i < 50; i++) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (poll(&p, 1, 1000) <= 0)
			return false;
		n = read(fd, buf, sizeof(buf));
		if (n >= (ssize_t)(off + strlen(payload)) &&
		    !memcmp(buf + off, payload, strlen(payload)))
			return true;
	}
	return false;
}

/* An Ethernet frame of the local experimental type 0x88b5 carrying text. */
static size_t make_frame(uint8_t *f, const char *text)
{
	static const uint8_t dst[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t src[6] = {0x02, 0, 0, 0, 0, 0x01};

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x88;
	f[13] = 0xb5;
	memcpy(f + 14, text, strlen(text));
	return 14 + strlen(text) < 60 ? 60 : 14 + strlen(text);
}

static void test_wire_frames_and_teardown(void **state)
{
	struct test_ns ns;
	struct net_config c;
	struct tc_state st;
	int taps[NET_LINKS_MAX], hdr = 12, pk;
	char links[1][IFNAMSIZ] = {"eth0"};
	uint8_t frame[128 + 12];
	size_t len;

	(void)state;
	/* Each test's peer has a name of its own: a namespace ended goes a little later. */
	ns_make(&ns, SETUP_VETH("peer1"));
	assert_int_equal(system("ip link set peer1 up"), 0);
	ns_open(&ns);
	assert_int_equal(net_ns_scan(ns.fd, &c), 0);
	assert_int_equal(net_ns_wire(ns.fd, &c, taps), 0);
	assert_true(taps[0] >= 0);

	/* Both qdiscs, and each filter redirects to the other device, stolen. */
	assert_int_equal(netns_run(ns.fd, NULL, tc_state_job, &st), 0);
	assert_true(st.link > 0 && st.tap > 0);
	assert_int_equal(st.link_ingress, 1);
	assert_int_equal(st.tap_ingress, 1);
	assert_int_equal(st.link_to.to, st.tap);
	assert_int_equal(st.tap_to.to, st.link);
	assert_int_equal(st.link_to.eaction, TCA_EGRESS_REDIR);
	assert_int_equal(st.link_to.action, TC_ACT_STOLEN);
	assert_int_equal(st.tap_to.eaction, TCA_EGRESS_REDIR);

	/* The tap's MTU is the link's. */
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	assert_int_equal(ioctl(taps[0], TUNGETIFF, &ifr), 0);
	assert_string_equal(ifr.ifr_name, "tap0_oz");
	assert_true(ifr.ifr_flags & IFF_VNET_HDR);

	/* Frames: the guest's way (a 12-byte virtio_net_hdr, zeroed, then the frame). */
	assert_int_equal(ioctl(taps[0], TUNSETVNETHDRSZ, &hdr), 0);
	pk = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	assert_true(pk >= 0);
	struct sockaddr_ll ll = {.sll_family = AF_PACKET,
				 .sll_protocol = htons(ETH_P_ALL),
				 .sll_ifindex = (int)if_nametoindex("peer1")};
	assert_true(ll.sll_ifindex > 0);
	assert_int_equal(bind(pk, (struct sockaddr *)&ll, sizeof(ll)), 0);
	memset(frame, 0, sizeof(frame));
	len = make_frame(frame + 12, "from the guest");
	assert_int_equal(write(taps[0], frame, 12 + len), (ssize_t)(12 + len));
	assert_true(recv_payload(pk, 14, "from the guest"));

	/* And back: sent on the peer, read from the tap after its header. */
	memset(frame, 0, sizeof(frame));
	len = make_frame(frame, "to the guest");
	assert_int_equal(send(pk, frame, len, 0), (ssize_t)len);
	fcntl(taps[0], F_SETFL, O_NONBLOCK);
	assert_true(recv_payload(taps[0], 12 + 14, "to the guest"));
	close(pk);

	/* Teardown with the tap still held (a VMM not yet gone): tap and qdiscs go. */
	assert_int_equal(net_ns_unwire(ns.fd, links, 1), 0);
	assert_int_equal(netns_run(ns.fd, NULL, tc_state_job, &st), 0);
	assert_true(st.link > 0);
	assert_int_equal(st.tap, 0);
	assert_int_equal(st.link_ingress, 0);
	close(taps[0]);
	/* The veth keeps all it had; a second teardown finds nothing to do. */
	struct net_config again;

	assert_int_equal(net_ns_scan(ns.fd, &again), 0);
	assert_memory_equal(&again, &c, sizeof(c));
	assert_int_equal(net_ns_unwire(ns.fd, links, 1), 0);
	ns_end(&ns);
}

static void test_tap_mtu(void **state)
{
	struct test_ns ns;
	struct net_config c;
	int taps[NET_LINKS_MAX];
	char links[1][IFNAMSIZ] = {"eth0"};
	FILE *f;
	char cmd[128], out[64] = "";

	(void)state;
	ns_make(&ns, "ip link add eth0 type veth peer name peer4 && "
		     "ip link set eth0 mtu 9000 up");
	ns_open(&ns);
	assert_int_equal(net_ns_scan(ns.fd, &c), 0);
	assert_int_equal(c.links[0].mtu, 9000);
	assert_int_equal(net_ns_wire(ns.fd, &c, taps), 0);
	snprintf(cmd, sizeof(cmd),
		 "nsenter --net=%s ip -o link show tap0_oz | grep -o 'mtu [0-9]*'", ns.path);
	f = popen(cmd, "r");
	assert_non_null(f);
	assert_non_null(fgets(out, sizeof(out), f));
	pclose(f);
	assert_string_equal(out, "mtu 9000\n");
	close(taps[0]);
	assert_int_equal(net_ns_unwire(ns.fd, links, 1), 0);
	ns_end(&ns);
}

static void test_bad_namespaces(void **state)
{
	struct net_ns n;
	char file[] = "/tmp/ozone-netns-XXXXXX";
	int fd = mkstemp(file);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(net_ns_open("/nonexistent/netns", &n), -ENOENT);
	assert_string_equal(err_msg(),
			    "network namespace /nonexistent/netns: No such file or directory");
	assert_int_equal(net_ns_open(file, &n), -EINVAL);
	assert_non_null(strstr(err_msg(), "not a namespace"));
	unlink(file);
	assert_int_equal(net_ns_open("/proc/self/ns/uts", &n), -EINVAL);
	assert_non_null(strstr(err_msg(), "not a network namespace"));
	/* The test's own stands for the host's (init's may be out of reach here). */
	assert_int_equal(net_ns_open("/proc/self/ns/net", &n), -EINVAL);
	assert_string_equal(err_msg(), "network namespace /proc/self/ns/net is the host's: a VM "
				       "cannot share the host's network");
	assert_int_equal(n.fd, -1);
	assert_true(net_ns_open("/proc/1/ns/net", &n) < 0);
}

static void test_spec_namespaces(void **state)
{
	struct oci_namespace with_path = {.type = "network", .path = "/nonexistent"},
			     without = {.type = "network"}, pid = {.type = "pid"};
	struct oci_spec spec;
	struct net_ns n;

	(void)state;
	memset(&spec, 0, sizeof(spec));
	spec.has_linux = true;
	spec.lnx.namespaces = &pid;
	spec.lnx.n_namespaces = 1;
	assert_int_equal(net_ns_from_spec(&spec, &n), -EINVAL);
	assert_string_equal(err_msg(), "host networking (no network namespace in the spec) "
				       "cannot be given to a VM; use a network namespace");
	spec.lnx.namespaces = &without;
	assert_int_equal(net_ns_from_spec(&spec, &n), 0);
	assert_int_equal(n.fd, -1);
	spec.lnx.namespaces = &with_path;
	assert_int_equal(net_ns_from_spec(&spec, &n), -ENOENT);
}

static void test_too_many_addresses(void **state)
{
	struct test_ns ns;
	struct net_config c;

	(void)state;
	ns_make(&ns, "ip link add eth0 type veth peer name peer2 && ip link set eth0 up && "
		     "for i in $(seq 1 64); do ip addr add 10.3.0.$i/24 dev eth0; done");
	ns_open(&ns);
	assert_int_equal(net_ns_scan(ns.fd, &c), -E2BIG);
	assert_string_equal(err_msg(), "network namespace: link eth0 has more than 16 addresses");
	ns_end(&ns);
}

static void test_cni_ingress_is_refused(void **state)
{
	struct test_ns ns;
	struct net_config c;

	(void)state;
	ns_make(&ns, "ip link add eth0 type veth peer name peer3 && ip link set eth0 up && "
		     "tc qdisc add dev eth0 ingress");
	ns_open(&ns);
	assert_int_equal(net_ns_scan(ns.fd, &c), -EEXIST);
	assert_non_null(strstr(err_msg(), "link eth0 has an ingress qdisc already"));
	ns_end(&ns);
}

/* The output of a shell command run in the namespace, as one line. */
static void ns_sh(const struct test_ns *ns, const char *cmd, char *out, size_t n)
{
	char line[512];
	FILE *f;

	snprintf(line, sizeof(line), "nsenter --net=%s sh -c '%s' 2>&1 | tr '\\n' ' '", ns->path,
		 cmd);
	f = popen(line, "r");
	assert_non_null(f);
	if (!fgets(out, (int)n, f))
		out[0] = '\0';
	pclose(f);
}

/*
 * A link that vanishes between the scan and the wiring (CNI tearing the
 * namespace down under a create): the wiring fails naming it, and what it
 * had made for the links before it is undone: no tap, no ingress qdisc.
 */
static void test_link_gone_during_create(void **state)
{
	struct test_ns ns;
	struct net_config c;
	int taps[NET_LINKS_MAX];
	char out[512];

	(void)state;
	ns_make(&ns, "ip link add eth0 type veth peer name peer5 && ip link set eth0 up && "
		     "ip link add eth1 type veth peer name peer6 && ip link set eth1 up");
	ns_open(&ns);
	assert_int_equal(net_ns_scan(ns.fd, &c), 0);
	assert_int_equal(c.nlinks, 2);
	ns_sh(&ns, "ip link del eth1", out, sizeof(out));
	assert_int_equal(net_ns_wire(ns.fd, &c, taps), -ENODEV);
	assert_non_null(strstr(err_msg(), "link eth1 is gone"));
	ns_sh(&ns, "ip -o link show | grep -c tap; tc qdisc show dev eth0 | grep -c ingress", out,
	      sizeof(out));
	assert_string_equal(out, "0 0 ");
	ns_end(&ns);
}

static void test_empty_namespace(void **state)
{
	struct test_ns ns;
	struct net_config c;

	(void)state;
	ns_make(&ns, "ip link set lo up");
	ns_open(&ns);
	assert_int_equal(net_ns_scan(ns.fd, &c), 0);
	assert_int_equal(c.nlinks, 0);
	assert_int_equal(c.nroutes, 0);
	ns_end(&ns);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scan),
	    cmocka_unit_test(test_wire_frames_and_teardown),
	    cmocka_unit_test(test_tap_mtu),
	    cmocka_unit_test(test_bad_namespaces),
	    cmocka_unit_test(test_spec_namespaces),
	    cmocka_unit_test(test_too_many_addresses),
	    cmocka_unit_test(test_cni_ingress_is_refused),
	    cmocka_unit_test(test_empty_namespace),
	    cmocka_unit_test(test_link_gone_during_create),
	};

	/* A namespace of the test's own first: nothing here reaches the machine's interfaces. */
	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0 ||
	    access("/dev/net/tun", R_OK | W_OK) < 0 ||
	    system("command -v ip >/dev/null && command -v tc >/dev/null") != 0) {
		printf("skip: needs root, a network namespace, /dev/net/tun, ip and tc\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
