/* SPDX-License-Identifier: Apache-2.0 */
/* virtio-vsock: the connection table and credit accounting. */
#include <endian.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "devices/virtio_vsock_conn.h"

struct vsock_conn *vsock_conn_new(struct vsock *vs, int fd, enum vsock_state state)
{
	struct vsock_conn *c;
	unsigned i;

	if (vs->nr_conns == VSOCK_MAX_CONNS)
		return NULL;
	for (i = 0; i < VSOCK_MAX_CONNS && vs->conns[i]; i++)
		;
	if (i == VSOCK_MAX_CONNS)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->slot = i;
	c->gen = ++vs->gens[i];
	c->fd = fd;
	c->state = state;
	vs->conns[i] = c;
	vs->nr_conns++;
	return c;
}

void vsock_conn_free(struct vsock *vs, struct vsock_conn *c)
{
	if (c->fd >= 0) {
		if (c->registered)
			epoll_ctl(vs->epfd, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	vs->conns[c->slot] = NULL;
	vs->nr_conns--;
	free(c->buf);
	free(c);
}

struct vsock_conn *vsock_conn_find(struct vsock *vs, uint32_t host_port, uint32_t guest_port)
{
	for (unsigned i = 0; i < VSOCK_MAX_CONNS; i++) {
		struct vsock_conn *c = vs->conns[i];

		/* A connection still reading its CONNECT line has no ports yet. */
		if (c && c->state != VSOCK_LINE && c->host_port == host_port &&
		    c->guest_port == guest_port)
			return c;
	}
	return NULL;
}

uint64_t vsock_conn_key(const struct vsock_conn *c)
{
	return (uint64_t)c->gen << 32 | c->slot;
}

struct vsock_conn *vsock_conn_by_key(struct vsock *vs, uint64_t key)
{
	uint32_t slot = (uint32_t)key;
	struct vsock_conn *c;

	if (slot >= VSOCK_MAX_CONNS)
		return NULL;
	c = vs->conns[slot];
	return c && c->gen == (uint32_t)(key >> 32) ? c : NULL;
}

static bool port_in_use(struct vsock *vs, uint32_t port)
{
	for (unsigned i = 0; i < VSOCK_MAX_CONNS; i++)
		if (vs->conns[i] && vs->conns[i]->state != VSOCK_LINE &&
		    vs->conns[i]->host_port == port)
			return true;
	return false;
}

uint32_t vsock_conn_alloc_port(struct vsock *vs)
{
	/* At most VSOCK_MAX_CONNS ports are in use: a free one comes within that many tries. */
	for (unsigned tries = 0; tries <= VSOCK_MAX_CONNS; tries++) {
		uint32_t p = vs->next_port;

		vs->next_port = p >= 0xfffffffeu ? VSOCK_HOST_PORT_BASE : p + 1;
		if (!port_in_use(vs, p))
			return p;
	}
	return 0;
}

uint32_t vsock_conn_peer_credit(const struct vsock_conn *c)
{
	uint32_t in_flight = c->tx_cnt - c->peer_fwd_cnt;

	/* A guest reporting more consumed than we sent, or a shrunk buffer, gives nothing. */
	if (in_flight > c->peer_buf_alloc)
		return 0;
	return c->peer_buf_alloc - in_flight;
}

uint32_t vsock_conn_our_credit(const struct vsock_conn *c)
{
	return VSOCK_BUF_ALLOC - (c->rx_cnt - c->fwd_cnt);
}

void vsock_conn_peer_update(struct vsock_conn *c, const struct virtio_vsock_hdr *h)
{
	c->peer_buf_alloc = le32toh(h->buf_alloc);
	c->peer_fwd_cnt = le32toh(h->fwd_cnt);
}

void vsock_conn_credit_check(struct vsock_conn *c)
{
	/* What the guest believes it may still send, from the last fwd_cnt it saw. */
	uint32_t seen_used = c->rx_cnt - c->fwd_cnt_sent;

	if (c->fwd_cnt != c->fwd_cnt_sent && seen_used >= VSOCK_BUF_ALLOC / 2)
		c->pending |= VSOCK_PEND_CREDIT;
}

void vsock_conn_reset(struct vsock *vs, struct vsock_conn *c)
{
	if (c->fd >= 0) {
		if (c->registered)
			epoll_ctl(vs->epfd, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
		c->fd = -1;
		c->registered = false;
	}
	free(c->buf);
	c->buf = NULL;
	c->buf_len = 0;
	c->readable = false;
	/* A connection the guest never heard of needs no RST. */
	if (c->state == VSOCK_LINE ||
	    (c->state == VSOCK_REQUESTED && (c->pending & VSOCK_PEND_REQUEST))) {
		vsock_conn_free(vs, c);
		return;
	}
	c->state = VSOCK_CLOSING;
	c->pending = VSOCK_PEND_RST;
}

void vsock_rst_unknown(struct vsock *vs, uint32_t host_port, uint32_t guest_port)
{
	if (vs->rst_len == VSOCK_RST_RING)
		return;
	vs->rst[(vs->rst_head + vs->rst_len) % VSOCK_RST_RING] =
	    (struct vsock_rst){host_port, guest_port};
	vs->rst_len++;
}

void vsock_conn_free_all(struct vsock *vs)
{
	for (unsigned i = 0; i < VSOCK_MAX_CONNS; i++)
		if (vs->conns[i])
			vsock_conn_free(vs, vs->conns[i]);
	vs->rst_len = 0;
	vs->rst_head = 0;
	vs->rx_held = false;
}
