/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-vsock: the device model. The tx queue carries the guest's packets
 * (each checked field by field: a bad one is dropped or answered with RST);
 * the rx queue carries ours, control packets first, then host data, one
 * connection after another, each within the credit the guest gave it.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include <linux/virtio_ids.h>

#include "common/error.h"
#include "devices/virtio_vsock_conn.h"

#define HDR_LEN ((uint32_t)sizeof(struct virtio_vsock_hdr))

/* --- tx: packets from the guest --- */

static bool known_op(uint16_t op)
{
	return op >= VIRTIO_VSOCK_OP_REQUEST && op <= VIRTIO_VSOCK_OP_CREDIT_REQUEST;
}

static void guest_request(struct vsock *vs, const struct virtio_vsock_hdr *h, uint32_t hport,
			  uint32_t gport)
{
	struct vsock_conn *c;
	int fd = vsock_mux_connect(vs, hport);

	if (fd < 0) {
		vsock_rst_unknown(vs, hport, gport);
		return;
	}
	c = vsock_conn_new(vs, fd, VSOCK_CONNECTED);
	if (!c) {
		close(fd);
		vsock_rst_unknown(vs, hport, gport);
		return;
	}
	c->host_port = hport;
	c->guest_port = gport;
	vsock_conn_peer_update(c, h);
	c->pending = VSOCK_PEND_RESPONSE;
	vsock_mux_update(vs, c);
}

/* One packet whose header and payload (vs->pkt, plen bytes) were copied out of guest memory. */
static void handle_pkt(struct vsock *vs, const struct virtio_vsock_hdr *h, uint32_t plen)
{
	uint64_t src_cid = le64toh(h->src_cid), dst_cid = le64toh(h->dst_cid);
	uint32_t gport = le32toh(h->src_port), hport = le32toh(h->dst_port);
	uint32_t len = le32toh(h->len), flags = le32toh(h->flags);
	uint16_t type = le16toh(h->type), op = le16toh(h->op);
	struct vsock_conn *c;

	/* Spoofed or misaddressed: nobody to answer. */
	if (src_cid != VSOCK_GUEST_CID || dst_cid != VSOCK_HOST_CID)
		return;
	c = vsock_conn_find(vs, hport, gport);
	if (op == VIRTIO_VSOCK_OP_RST) {
		/* Never answered: an RST for an RST could ping-pong. */
		if (c)
			vsock_conn_free(vs, c);
		return;
	}
	if (type != VIRTIO_VSOCK_TYPE_STREAM || !known_op(op) || len != plen ||
	    (len && op != VIRTIO_VSOCK_OP_RW)) {
		if (c)
			vsock_conn_reset(vs, c);
		else
			vsock_rst_unknown(vs, hport, gport);
		return;
	}
	if (op == VIRTIO_VSOCK_OP_REQUEST) {
		/* A second REQUEST on a live pair: the guest lost track of it; end both. */
		if (c)
			vsock_conn_reset(vs, c);
		else
			guest_request(vs, h, hport, gport);
		return;
	}
	if (!c) {
		vsock_rst_unknown(vs, hport, gport);
		return;
	}
	if (c->state == VSOCK_CLOSING)
		return; /* our RST is on its way */
	vsock_conn_peer_update(c, h);
	if (c->state == VSOCK_REQUESTED && op != VIRTIO_VSOCK_OP_RESPONSE) {
		vsock_conn_reset(vs, c);
		return;
	}
	switch (op) {
	case VIRTIO_VSOCK_OP_RESPONSE:
		/* Only for a REQUEST we did send. */
		if (c->state != VSOCK_REQUESTED || (c->pending & VSOCK_PEND_REQUEST))
			vsock_conn_reset(vs, c);
		else
			vsock_mux_connected(vs, c);
		return;
	case VIRTIO_VSOCK_OP_RW:
		/* Data after its own SHUTDOWN(SEND), or beyond the credit we gave: a broken peer.
		 */
		if (c->guest_shut_send || len > vsock_conn_our_credit(c)) {
			vsock_conn_reset(vs, c);
			return;
		}
		c->rx_cnt += len;
		if (vsock_mux_write(vs, c, vs->pkt, len) < 0)
			return;
		break;
	case VIRTIO_VSOCK_OP_SHUTDOWN:
		if (flags & VIRTIO_VSOCK_SHUTDOWN_RCV)
			c->guest_shut_rcv = true;
		if (flags & VIRTIO_VSOCK_SHUTDOWN_SEND)
			c->guest_shut_send = true;
		if (c->guest_shut_rcv)
			c->readable = false;
		vsock_mux_progress(vs, c);
		return;
	case VIRTIO_VSOCK_OP_CREDIT_REQUEST:
		c->pending |= VSOCK_PEND_CREDIT;
		break;
	default: /* CREDIT_UPDATE: taken above */
		break;
	}
	/* New credit from the guest may let us read the host socket again. */
	vsock_mux_update(vs, c);
}

static void tx_process(struct virtio_mmio *t, struct vsock *vs)
{
	struct virtq *vq = virtio_mmio_vq(t, VSOCK_TX_Q);
	struct virtq_chain *ch = &vs->tx_chain;
	unsigned budget, pushed = 0;

	if (!vq)
		return;
	for (budget = vq->num; budget; budget--) {
		struct virtio_vsock_hdr h;
		uint32_t len, plen = 0;

		if (virtq_pop(vq, ch) <= 0)
			break;
		/* Copy first, then check the copy: the guest can change its memory meanwhile. */
		if (virtq_iov_read(virtq_chain_out(ch), ch->nout, 0, &h, HDR_LEN) == HDR_LEN) {
			len = le32toh(h.len);
			/* The payload must be in the chain and within our limit; else plen != len.
			 */
			if (len <= VSOCK_MAX_PKT && len <= ch->out_len - HDR_LEN)
				plen = virtq_iov_read(virtq_chain_out(ch), ch->nout, HDR_LEN,
						      vs->pkt, len);
			else
				plen = len + 1;
		}
		if (virtq_push(vq, ch->head, 0))
			break;
		pushed++;
		if (ch->out_len >= HDR_LEN)
			handle_pkt(vs, &h, plen);
	}
	if (pushed || vq->broken)
		virtio_mmio_used(t, VSOCK_TX_Q);
	if (!budget)
		virtio_mmio_kick(t, VSOCK_TX_Q);
}

/* --- rx: packets to the guest --- */

static void put_hdr(struct virtio_vsock_hdr *h, uint32_t hport, uint32_t gport, uint16_t op,
		    uint32_t flags, uint32_t len, const struct vsock_conn *c)
{
	*h = (struct virtio_vsock_hdr){
	    .src_cid = htole64(VSOCK_HOST_CID),
	    .dst_cid = htole64(VSOCK_GUEST_CID),
	    .src_port = htole32(hport),
	    .dst_port = htole32(gport),
	    .len = htole32(len),
	    .type = htole16(VIRTIO_VSOCK_TYPE_STREAM),
	    .op = htole16(op),
	    .flags = htole32(flags),
	    .buf_alloc = htole32(c ? VSOCK_BUF_ALLOC : 0),
	    .fwd_cnt = htole32(c ? c->fwd_cnt : 0),
	};
}

/* Gives the held rx chain back with a packet in it. */
static int rx_send(struct vsock *vs, struct virtq *vq, struct vsock_conn *c, uint32_t hport,
		   uint32_t gport, uint16_t op, uint32_t flags, const void *data, uint32_t len)
{
	struct virtq_chain *ch = &vs->rx_chain;
	struct virtio_vsock_hdr h;

	put_hdr(&h, hport, gport, op, flags, len, c);
	virtq_iov_write(virtq_chain_in(ch), ch->nin, 0, &h, HDR_LEN);
	if (len)
		virtq_iov_write(virtq_chain_in(ch), ch->nin, HDR_LEN, data, len);
	vs->rx_held = false;
	if (c)
		c->fwd_cnt_sent = c->fwd_cnt;
	return virtq_push(vq, ch->head, HDR_LEN + len);
}

/* A chain with room for at least a header, held in vs->rx_chain; false if none. */
static bool rx_chain(struct vsock *vs, struct virtq *vq, unsigned *pushed)
{
	while (!vs->rx_held) {
		if (virtq_pop(vq, &vs->rx_chain) <= 0)
			return false;
		if (vs->rx_chain.in_len >= HDR_LEN) {
			vs->rx_held = true;
			break;
		}
		/* Too small to say anything: give it back empty. */
		if (virtq_push(vq, vs->rx_chain.head, 0))
			return false;
		(*pushed)++;
	}
	return true;
}

/* A control packet the connection owes, into the held chain; false if it owes none. */
static bool rx_control(struct vsock *vs, struct virtq *vq, struct vsock_conn *c)
{
	uint32_t hp = c->host_port, gp = c->guest_port;

	if (c->pending & VSOCK_PEND_RST) {
		rx_send(vs, vq, NULL, hp, gp, VIRTIO_VSOCK_OP_RST, 0, NULL, 0);
		vsock_conn_free(vs, c);
	} else if (c->pending & VSOCK_PEND_REQUEST) {
		c->pending &= ~VSOCK_PEND_REQUEST;
		rx_send(vs, vq, c, hp, gp, VIRTIO_VSOCK_OP_REQUEST, 0, NULL, 0);
	} else if (c->pending & VSOCK_PEND_RESPONSE) {
		c->pending &= ~VSOCK_PEND_RESPONSE;
		rx_send(vs, vq, c, hp, gp, VIRTIO_VSOCK_OP_RESPONSE, 0, NULL, 0);
	} else if (c->pending & VSOCK_PEND_SHUTDOWN) {
		c->pending &= ~(VSOCK_PEND_SHUTDOWN | VSOCK_PEND_CREDIT);
		rx_send(vs, vq, c, hp, gp, VIRTIO_VSOCK_OP_SHUTDOWN, VIRTIO_VSOCK_SHUTDOWN_SEND,
			NULL, 0);
		c->shutdown_sent = true;
		vsock_mux_progress(vs, c);
	} else if (c->pending & VSOCK_PEND_CREDIT) {
		c->pending &= ~VSOCK_PEND_CREDIT;
		rx_send(vs, vq, c, hp, gp, VIRTIO_VSOCK_OP_CREDIT_UPDATE, 0, NULL, 0);
	} else {
		return false;
	}
	return true;
}

/* Host data for one connection; 1 sent, 0 nothing to read there, -1 its state changed. */
static int rx_data(struct vsock *vs, struct virtq *vq, struct vsock_conn *c)
{
	uint32_t room = vs->rx_chain.in_len - HDR_LEN, want = vsock_conn_peer_credit(c);
	int n;

	if (c->state != VSOCK_CONNECTED || !c->readable)
		return 0;
	if (c->host_eof || c->guest_shut_rcv) {
		c->readable = false;
		return 0;
	}
	if (!want)
		return 0; /* stays readable; new credit brings it back */
	if (want > room)
		want = room;
	if (want > VSOCK_MAX_PKT)
		want = VSOCK_MAX_PKT;
	if (!want)
		return 0;
	n = vsock_mux_read(vs, c, vs->pkt, want);
	if (n < 0 || (n == 0 && c->pending))
		return -1;
	if (n == 0)
		return 0;
	c->tx_cnt += (uint32_t)n;
	rx_send(vs, vq, c, c->host_port, c->guest_port, VIRTIO_VSOCK_OP_RW, 0, vs->pkt,
		(uint32_t)n);
	return 1;
}

/* Fills the held chain with the next packet due; false when nothing is. */
static bool rx_one(struct vsock *vs, struct virtq *vq)
{
	for (;;) {
		bool again = false;

		if (vs->rst_len) {
			struct vsock_rst r = vs->rst[vs->rst_head];

			vs->rst_head = (vs->rst_head + 1) % VSOCK_RST_RING;
			vs->rst_len--;
			rx_send(vs, vq, NULL, r.host_port, r.guest_port, VIRTIO_VSOCK_OP_RST, 0,
				NULL, 0);
			return true;
		}
		for (unsigned i = 0; i < VSOCK_MAX_CONNS; i++)
			if (vs->conns[i] && vs->conns[i]->pending &&
			    rx_control(vs, vq, vs->conns[i]))
				return true;
		/* Data, one connection after another from where we stopped last time. */
		for (unsigned i = 0; i < VSOCK_MAX_CONNS; i++) {
			unsigned idx = (vs->rr + i) % VSOCK_MAX_CONNS;
			struct vsock_conn *c = vs->conns[idx];
			int r;

			if (!c)
				continue;
			r = rx_data(vs, vq, c);
			if (r > 0) {
				vs->rr = idx + 1;
				return true;
			}
			if (r < 0) {
				again = true; /* it owes a control packet now */
				break;
			}
		}
		if (!again)
			return false;
	}
}

static void rx_pump(struct vsock *vs)
{
	struct virtq *vq = vs->t ? virtio_mmio_vq(vs->t, VSOCK_RX_Q) : NULL;
	unsigned budget, pushed = 0;

	if (!vq)
		return;
	for (budget = vq->num; budget; budget--) {
		if (!rx_chain(vs, vq, &pushed) || !rx_one(vs, vq))
			break;
		pushed++;
	}
	if (pushed || vq->broken)
		virtio_mmio_used(vs->t, VSOCK_RX_Q);
	if (!budget)
		virtio_mmio_kick(vs->t, VSOCK_RX_Q);
}

/* --- the device --- */

static void vsock_config_read(struct virtio_mmio *t, uint32_t off, void *data, uint32_t len)
{
	uint64_t cid = htole64(VSOCK_GUEST_CID);

	(void)t;
	memcpy(data, (uint8_t *)&cid + off, len);
}

static void vsock_queue_notify(struct virtio_mmio *t, unsigned q)
{
	struct vsock *vs = virtio_mmio_dev(t);

	if (q == VSOCK_TX_Q)
		tx_process(t, vs);
	/* Events: we never send one (no migration), the guest's buffers just wait. */
	if (q != VSOCK_EVENT_Q)
		rx_pump(vs);
}

static void vsock_reset(struct virtio_mmio *t)
{
	vsock_conn_free_all(virtio_mmio_dev(t));
}

const struct virtio_device_ops virtio_vsock_ops = {
    .name = "vsock",
    .device_id = VIRTIO_ID_VSOCK,
    .features = 0,
    .num_queues = 3,
    .queue_max = 256,
    .config_len = sizeof(uint64_t),
    .config_read = vsock_config_read,
    .queue_notify = vsock_queue_notify,
    .reset = vsock_reset,
};

int vsock_new(struct vsock **out, const char *path)
{
	struct vsock *vs = calloc(1, sizeof(*vs));
	int ret;

	if (!vs)
		return err_set(ENOMEM, "virtio-vsock: allocate device");
	vs->next_port = VSOCK_HOST_PORT_BASE;
	ret = vsock_mux_init(vs, path);
	if (ret < 0) {
		vsock_mux_fini(vs);
		free(vs);
		return ret;
	}
	*out = vs;
	return 0;
}

void vsock_free(struct vsock *vs)
{
	if (!vs)
		return;
	vsock_conn_free_all(vs);
	vsock_mux_fini(vs);
	free(vs);
}

void vsock_attach(struct vsock *vs, struct virtio_mmio *t)
{
	vs->t = t;
}

int vsock_fd(const struct vsock *vs)
{
	return vs->epfd;
}

unsigned vsock_nr_conns(const struct vsock *vs)
{
	return vs->nr_conns;
}

void vsock_poll(struct vsock *vs)
{
	struct epoll_event ev[64];
	int n;

	if (vs->t)
		virtio_mmio_lock(vs->t);
	n = epoll_wait(vs->epfd, ev, 64, 0);
	for (int i = 0; i < n; i++)
		vsock_mux_event(vs, ev[i].data.u64, ev[i].events);
	rx_pump(vs);
	if (vs->t)
		virtio_mmio_unlock(vs->t);
}
