/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rtnetlink, the small part both sides need: the runtime reads a network
 * namespace (links, addresses, routes, neighbours) and wires taps into it;
 * the agent gives the guest's NICs what the runtime read. Requests are
 * built in a fixed buffer with their attributes; replies are walked with
 * every length checked against what was received, so a short, truncated
 * or lying message is refused (-EBADMSG), never read past.
 *
 * Why not libmnl: the agent is a static binary and Debian ships no static
 * libmnl; one small checked walker serves both programs and has a fuzz
 * target (tests/fuzz/fuzz_netlink.c).
 */
#ifndef OZONE_COMMON_NETLINK_H
#define OZONE_COMMON_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

/* The largest request built here; replies are read in buffers of NL_RECV_MAX. */
#define NL_MSG_MAX 4096
#define NL_RECV_MAX 32768
/* Nesting of attributes a request may open (tc filters need 4). */
#define NL_NEST_MAX 8

struct nl_sock {
	int fd;
	uint32_t seq;
};

/* A request being built: the header, the family header, then attributes. */
struct nl_msg {
	union {
		struct nlmsghdr h;
		uint8_t buf[NL_MSG_MAX];
	};
	unsigned nest[NL_NEST_MAX]; /* offsets of the open nests */
	unsigned depth;
	bool overflow; /* an attribute did not fit: the request is refused at send */
};

/* A NETLINK_ROUTE socket of the calling thread's network namespace; 0 or -errno. */
int nl_open(struct nl_sock *s);
void nl_close(struct nl_sock *s);

/*
 * Starts a request of `type` with `flags` (NLM_F_REQUEST is added) and a
 * zeroed family header of `hdrlen` bytes, returned for the caller to fill.
 */
void *nl_msg_init(struct nl_msg *m, uint16_t type, uint16_t flags, size_t hdrlen);
void nl_put(struct nl_msg *m, uint16_t type, const void *data, size_t len);
void nl_put_u8(struct nl_msg *m, uint16_t type, uint8_t v);
void nl_put_u16(struct nl_msg *m, uint16_t type, uint16_t v);
void nl_put_u32(struct nl_msg *m, uint16_t type, uint32_t v);
void nl_put_str(struct nl_msg *m, uint16_t type, const char *s);
void nl_nest_begin(struct nl_msg *m, uint16_t type);
void nl_nest_end(struct nl_msg *m);

/*
 * Sends m and waits for its acknowledgement: 0, or the kernel's -errno.
 * -EMSGSIZE when m overflowed or a nest is still open.
 */
int nl_call(struct nl_sock *s, struct nl_msg *m);

/*
 * Sends m (a request with NLM_F_DUMP) and calls cb for each message of
 * the reply, until NLMSG_DONE. cb gets a message whose nlmsg_len was
 * checked against what was received; it returns 0 to go on or -errno to
 * stop (the rest of the dump is still read, so the socket stays usable).
 * Returns 0, cb's error, the kernel's -errno, -EAGAIN when the kernel
 * marked the dump inconsistent (it changed meanwhile: dump again), or
 * -EBADMSG.
 */
int nl_dump(struct nl_sock *s, struct nl_msg *m, int (*cb)(const struct nlmsghdr *h, void *arg),
	    void *arg);

/*
 * Inside nl_call and nl_dump, and for the fuzz target: walks one datagram
 * of replies (len bytes at buf) to request seq, calling cb for each
 * message of a dump as nl_dump says. Returns 1 when the reply has ended
 * (st->result holds what nl_call or nl_dump returns), 0 when more is to be
 * read, -EBADMSG when a message's length is short or runs past len.
 * Messages of other requests are skipped. st starts zeroed.
 */
struct nl_reply {
	int ret;   /* cb's first error */
	bool intr; /* the kernel said the dump was inconsistent (NLM_F_DUMP_INTR) */
	int result;
};

int nl_reply_walk(const void *buf, size_t len, uint32_t seq, bool dump,
		  int (*cb)(const struct nlmsghdr *h, void *arg), void *arg, struct nl_reply *st);

/*
 * The family header of h, when it holds at least hdrlen bytes after the
 * netlink header; NULL otherwise.
 */
const void *nl_family_hdr(const struct nlmsghdr *h, size_t hdrlen);

/*
 * Indexes the attributes that follow a family header of hdrlen bytes in h
 * (or, for nl_parse_nested, the payload of a nested attribute): tb[type]
 * is the last attribute of each type up to max (the others are skipped),
 * NULL where there is none. -EBADMSG when an attribute's length is short
 * or runs past the message.
 */
int nl_parse(const struct nlmsghdr *h, size_t hdrlen, const struct rtattr **tb, unsigned max);
int nl_parse_nested(const struct rtattr *nest, const struct rtattr **tb, unsigned max);
/* Walks a run of attributes of len bytes at p; the two above in one. */
int nl_parse_buf(const void *p, size_t len, const struct rtattr **tb, unsigned max);

/* An attribute's payload and its length. */
static inline const void *nl_data(const struct rtattr *a)
{
	return RTA_DATA(a);
}

static inline size_t nl_len(const struct rtattr *a)
{
	return RTA_PAYLOAD(a);
}

/* The attribute's payload as a u32 / u8 when it holds exactly that; -EBADMSG otherwise. */
int nl_get_u32(const struct rtattr *a, uint32_t *v);
int nl_get_u8(const struct rtattr *a, uint8_t *v);
/*
 * A string attribute (NUL-terminated within its payload) copied into dst
 * of size n; -EBADMSG when it has no NUL or does not fit.
 */
int nl_get_str(const struct rtattr *a, char *dst, size_t n);

#endif
