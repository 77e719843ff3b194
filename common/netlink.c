/* SPDX-License-Identifier: Apache-2.0 */
/* rtnetlink requests and checked replies (netlink.h). */
#include "common/netlink.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

int nl_open(struct nl_sock *s)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	int one = 1;

	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s->fd < 0)
		return -errno;
	/* Acks without a copy of the request: a reply never outgrows NL_RECV_MAX for it. */
	setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int ret = -errno;

		close(s->fd);
		s->fd = -1;
		return ret;
	}
	s->seq = (uint32_t)time(NULL);
	return 0;
}

void nl_close(struct nl_sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

void *nl_msg_init(struct nl_msg *m, uint16_t type, uint16_t flags, size_t hdrlen)
{
	memset(m, 0, sizeof(*m));
	if (NLMSG_SPACE(hdrlen) > NL_MSG_MAX) {
		m->overflow = true;
		hdrlen = 0;
	}
	m->h.nlmsg_len = (uint32_t)NLMSG_SPACE(hdrlen);
	m->h.nlmsg_type = type;
	m->h.nlmsg_flags = (uint16_t)(flags | NLM_F_REQUEST);
	return NLMSG_DATA(&m->h);
}

/*
 * GCC 12 at -O2 with the sanitizers takes the destination of these copies
 * for the union's 4-byte nlmsg_len (every offset into buf is checked
 * against NL_MSG_MAX just above them) and reports an overflow that cannot
 * happen: -Wstringop-overflow is off for this function alone.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif
void nl_put(struct nl_msg *m, uint16_t type, const void *data, size_t len)
{
	size_t at = NLMSG_ALIGN(m->h.nlmsg_len);
	struct rtattr a = {.rta_len = (uint16_t)RTA_LENGTH(len), .rta_type = type};

	if (m->overflow || len > UINT16_MAX - RTA_LENGTH(0) || at + RTA_SPACE(len) > NL_MSG_MAX) {
		m->overflow = true;
		return;
	}
	memcpy(m->buf + at, &a, sizeof(a));
	if (len)
		memcpy(m->buf + at + RTA_LENGTH(0), data, len);
	memset(m->buf + at + RTA_LENGTH(len), 0, RTA_SPACE(len) - RTA_LENGTH(len));
	m->h.nlmsg_len = (uint32_t)(at + RTA_SPACE(len));
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

void nl_put_u8(struct nl_msg *m, uint16_t type, uint8_t v)
{
	nl_put(m, type, &v, sizeof(v));
}

void nl_put_u16(struct nl_msg *m, uint16_t type, uint16_t v)
{
	nl_put(m, type, &v, sizeof(v));
}

void nl_put_u32(struct nl_msg *m, uint16_t type, uint32_t v)
{
	nl_put(m, type, &v, sizeof(v));
}

void nl_put_str(struct nl_msg *m, uint16_t type, const char *s)
{
	nl_put(m, type, s, strlen(s) + 1);
}

void nl_nest_begin(struct nl_msg *m, uint16_t type)
{
	if (m->depth == NL_NEST_MAX) {
		m->overflow = true;
		return;
	}
	m->nest[m->depth++] = NLMSG_ALIGN(m->h.nlmsg_len);
	nl_put(m, type, NULL, 0);
}

void nl_nest_end(struct nl_msg *m)
{
	struct rtattr *a;
	size_t len;

	if (m->depth == 0) {
		m->overflow = true;
		return;
	}
	m->depth--;
	if (m->overflow)
		return;
	a = (struct rtattr *)(m->buf + m->nest[m->depth]);
	len = m->h.nlmsg_len - m->nest[m->depth];
	if (len > UINT16_MAX) {
		m->overflow = true;
		return;
	}
	a->rta_len = (uint16_t)len;
}

static int nl_send(struct nl_sock *s, struct nl_msg *m)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	ssize_t n;

	if (m->overflow || m->depth)
		return -EMSGSIZE;
	m->h.nlmsg_seq = ++s->seq;
	do {
		n = sendto(s->fd, m->buf, m->h.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == m->h.nlmsg_len ? 0 : -EIO;
}

/* One datagram from the kernel into buf; its length, or -errno (-EBADMSG: truncated). */
static ssize_t nl_recv(struct nl_sock *s, void *buf, size_t size)
{
	struct sockaddr_nl sa;
	struct iovec iov = {buf, size};
	struct msghdr mh = {
	    .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	for (;;) {
		n = recvmsg(s->fd, &mh, MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if ((size_t)n > size)
			return -EBADMSG;
		/* Only the kernel's messages: another socket could send to this one. */
		if (mh.msg_namelen == sizeof(sa) && sa.nl_pid == 0)
			return n;
	}
}

/* The errno an NLMSG_ERROR message carries (0: an ack); -EBADMSG when it is short. */
static int nl_error_of(const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = nl_family_hdr(h, sizeof(*e));

	if (!e)
		return -EBADMSG;
	return e->error > 0 ? -EBADMSG : e->error;
}

int nl_reply_walk(const void *buf, size_t len, uint32_t seq, bool dump,
		  int (*cb)(const struct nlmsghdr *h, void *arg), void *arg, struct nl_reply *st)
{
	const uint8_t *p = buf;

	while (len >= NLMSG_HDRLEN) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)p;
		size_t step;

		if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > len)
			return -EBADMSG;
		step = NLMSG_ALIGN(h->nlmsg_len);
		if (h->nlmsg_seq == seq) {
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				st->intr = true;
			if (h->nlmsg_type == NLMSG_ERROR) {
				int err = nl_error_of(h);

				st->result = st->ret ? st->ret : err;
				return 1;
			}
			if (h->nlmsg_type == NLMSG_DONE && dump) {
				st->result = st->ret ? st->ret : st->intr ? -EAGAIN : 0;
				return 1;
			}
			if (dump && !st->ret && h->nlmsg_type >= NLMSG_MIN_TYPE)
				st->ret = cb(h, arg);
		}
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return 0;
}

/* Reads replies to request seq until it is answered (nl_reply_walk). */
static int nl_reply(struct nl_sock *s, uint32_t seq, bool dump,
		    int (*cb)(const struct nlmsghdr *h, void *arg), void *arg)
{
	static __thread uint8_t buf[NL_RECV_MAX] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nl_reply st = {0};

	for (;;) {
		ssize_t n = nl_recv(s, buf, sizeof(buf));
		int ret;

		if (n < 0)
			return (int)n;
		ret = nl_reply_walk(buf, (size_t)n, seq, dump, cb, arg, &st);
		if (ret < 0)
			return ret;
		if (ret > 0)
			return st.result;
	}
}

int nl_call(struct nl_sock *s, struct nl_msg *m)
{
	int ret;

	m->h.nlmsg_flags |= NLM_F_ACK;
	ret = nl_send(s, m);
	if (ret < 0)
		return ret;
	return nl_reply(s, m->h.nlmsg_seq, false, NULL, NULL);
}

int nl_dump(struct nl_sock *s, struct nl_msg *m, int (*cb)(const struct nlmsghdr *h, void *arg),
	    void *arg)
{
	int ret;

	m->h.nlmsg_flags |= NLM_F_DUMP;
	ret = nl_send(s, m);
	if (ret < 0)
		return ret;
	return nl_reply(s, m->h.nlmsg_seq, true, cb, arg);
}

const void *nl_family_hdr(const struct nlmsghdr *h, size_t hdrlen)
{
	if (h->nlmsg_len < NLMSG_HDRLEN + hdrlen)
		return NULL;
	return NLMSG_DATA(h);
}

int nl_parse_buf(const void *p, size_t len, const struct rtattr **tb, unsigned max)
{
	const uint8_t *at = p;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	while (len >= sizeof(struct rtattr)) {
		const struct rtattr *a = (const struct rtattr *)at;
		unsigned type = a->rta_type & NLA_TYPE_MASK;
		size_t step;

		if (a->rta_len < sizeof(*a) || a->rta_len > len)
			return -EBADMSG;
		if (type <= max)
			tb[type] = a;
		step = RTA_ALIGN(a->rta_len);
		if (step >= len)
			break;
		at += step;
		len -= step;
	}
	return 0;
}

int nl_parse(const struct nlmsghdr *h, size_t hdrlen, const struct rtattr **tb, unsigned max)
{
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen);

	if (h->nlmsg_len < off) {
		memset(tb, 0, (max + 1) * sizeof(*tb));
		return -EBADMSG;
	}
	return nl_parse_buf((const uint8_t *)h + off, h->nlmsg_len - off, tb, max);
}

int nl_parse_nested(const struct rtattr *nest, const struct rtattr **tb, unsigned max)
{
	return nl_parse_buf(RTA_DATA(nest), RTA_PAYLOAD(nest), tb, max);
}

int nl_get_u32(const struct rtattr *a, uint32_t *v)
{
	if (!a || RTA_PAYLOAD(a) != sizeof(*v))
		return -EBADMSG;
	memcpy(v, RTA_DATA(a), sizeof(*v));
	return 0;
}

int nl_get_u8(const struct rtattr *a, uint8_t *v)
{
	if (!a || RTA_PAYLOAD(a) != sizeof(*v))
		return -EBADMSG;
	memcpy(v, RTA_DATA(a), sizeof(*v));
	return 0;
}

int nl_get_str(const struct rtattr *a, char *dst, size_t n)
{
	size_t len;

	if (!a || n == 0)
		return -EBADMSG;
	len = strnlen(RTA_DATA(a), RTA_PAYLOAD(a));
	if (len == RTA_PAYLOAD(a) || len >= n)
		return -EBADMSG;
	memcpy(dst, RTA_DATA(a), len + 1);
	return 0;
}
