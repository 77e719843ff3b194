/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-net: the device model. Transmit: each tx chain is checked (no
 * writable buffer, a header and a frame within bounds, a header that asks
 * only for what was negotiated) and written to the tap with one writev,
 * the header from a checked copy and the frame straight from guest memory.
 * Receive: the device keeps the rx chains it popped in a stash of its own
 * (bounded by the ring: a head is in flight once), reads one frame with one
 * readv straight into them and returns the chains the frame filled.
 */
#include "devices/virtio_net.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>

#include "common/error.h"

#define HDR_LEN VIRTIO_NET_HDR_LEN
#define F(bit) (1ULL << (bit))

_Static_assert(sizeof(struct virtio_net_hdr_v1) == VIRTIO_NET_HDR_LEN, "VERSION_1 header");

#define NET_FEATURES                                                                               \
	(F(VIRTIO_NET_F_MAC) | F(VIRTIO_NET_F_MTU) | F(VIRTIO_NET_F_STATUS) |                      \
	 F(VIRTIO_NET_F_CSUM) | F(VIRTIO_NET_F_GUEST_CSUM) | F(VIRTIO_NET_F_HOST_TSO4) |           \
	 F(VIRTIO_NET_F_HOST_TSO6) | F(VIRTIO_NET_F_GUEST_TSO4) | F(VIRTIO_NET_F_GUEST_TSO6) |     \
	 F(VIRTIO_NET_F_MRG_RXBUF))

/* The config space up to mtu (section 5.1.4), as the guest reads it. */
struct net_config {
	uint8_t mac[6];
	uint16_t status;
	uint16_t max_virtqueue_pairs;
	uint16_t mtu;
} __attribute__((packed));

/* One popped rx chain: its writable buffers are rx_iov[iov0, iov0 + niov). */
struct rx_slot {
	uint16_t head;
	uint32_t len;
	unsigned iov0, niov;
};

struct virtio_net {
	struct virtio_net_params p;
	struct virtio_mmio *t;
	struct evloop *loop;
	bool watched; /* the fd is in the event loop */
	bool polling; /* ... with EPOLLIN armed */
	bool dead;    /* the fd failed or hung up: never read again */
	bool offload_pending;
	uint64_t features; /* negotiated, from activate() on */
	uint32_t rx_need;  /* bytes of buffers that hold any frame the tap may send */
	struct virtio_net_stats st;
	/*
	 * The rx stash, in the order the chains were popped. A chain with
	 * VIRTQ_MAX_SIZE buffers always fits: gathering stops once
	 * VIRTQ_MAX_SIZE iovecs are held.
	 */
	unsigned nr_slots, nr_iov;
	uint32_t rx_bytes;
	struct rx_slot slots[VIRTQ_MAX_SIZE];
	struct iovec rx_iov[2 * VIRTQ_MAX_SIZE];
	struct iovec tx_iov[UIO_MAXIOV];
	/* Popped chains land here, not on the event loop thread's stack (16 KiB of iovecs). */
	struct virtq_chain chain;
};

static bool has(const struct virtio_net *net, unsigned bit)
{
	return net->features & F(bit);
}

/* --- polling the fd --- */

static void set_polling(struct virtio_net *net, bool on)
{
	if (!net->watched || net->dead || net->polling == on)
		return;
	if (evloop_mod(net->loop, net->p.fd, on ? EPOLLIN : 0) == 0)
		net->polling = on;
}

/* The fd is at its end (a SEQPACKET peer closed) or failed: stop watching it for good. */
static void fd_dead(struct virtio_net *net)
{
	net->dead = true;
	if (net->watched)
		evloop_del(net->loop, net->p.fd);
	net->watched = net->polling = false;
}

/* --- offloads --- */

/*
 * The tap sends checksum-partial and GSO frames only when told to, so
 * TUNSETOFFLOAD follows what the driver accepted. Runs on the event loop
 * thread (the only one whose seccomp filter allows it), before the first
 * read after an activation. A failure only leaves offloads off: the tap
 * then sends complete frames, which every driver takes.
 */
static void apply_offload(struct virtio_net *net)
{
	unsigned off = 0;

	if (!net->offload_pending)
		return;
	net->offload_pending = false;
	if (net->p.not_tap)
		return;
	/* The tap refuses TSO without CSUM, as the spec ties GUEST_TSO to GUEST_CSUM. */
	if (has(net, VIRTIO_NET_F_GUEST_CSUM)) {
		off |= TUN_F_CSUM;
		if (has(net, VIRTIO_NET_F_GUEST_TSO4))
			off |= TUN_F_TSO4;
		if (has(net, VIRTIO_NET_F_GUEST_TSO6))
			off |= TUN_F_TSO6;
	}
	if (ioctl(net->p.fd, TUNSETOFFLOAD, off) < 0) {
		err_set(errno, "virtio-net: TUNSETOFFLOAD %#x", off);
		err_printf("ozone-vmm", "%s (offloads stay off)", err_msg());
		ioctl(net->p.fd, TUNSETOFFLOAD, 0U);
	}
}

/* --- transmit --- */

/* Whether the guest's header asks only for what was negotiated and fits the frame. */
static bool tx_hdr_ok(const struct virtio_net *net, const struct virtio_net_hdr_v1 *h,
		      uint32_t frame_len)
{
	uint32_t csum_start = le16toh(h->csum_start), csum_offset = le16toh(h->csum_offset);
	bool csum = h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM;

	if (h->flags & ~VIRTIO_NET_HDR_F_NEEDS_CSUM)
		return false;
	if (csum && (!has(net, VIRTIO_NET_F_CSUM) || csum_start + csum_offset + 2 > frame_len))
		return false;
	switch (h->gso_type) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return true;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		if (!has(net, VIRTIO_NET_F_HOST_TSO4))
			return false;
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		if (!has(net, VIRTIO_NET_F_HOST_TSO6))
			return false;
		break;
	default: /* ECN, UDP and UDP_L4 were not offered */
		return false;
	}
	/* A GSO frame is segmented by the host from a checksum-partial frame. */
	return csum && h->gso_size != 0 && le16toh(h->gso_size) <= frame_len;
}

/* Writes one chain's frame to the tap: true when it went out. */
static bool tx_frame(struct virtio_net *net, struct virtq_chain *c)
{
	struct virtio_net_hdr_v1 h;
	uint32_t frame_len, skip = HDR_LEN;
	unsigned n = 1;
	ssize_t w;

	/* A tx chain lends the device nothing to write; one that does is malformed. */
	if (c->nin || c->out_len < HDR_LEN + ETH_HLEN)
		return false;
	frame_len = c->out_len - HDR_LEN;
	if (frame_len > VIRTIO_NET_MAX_FRAME)
		return false;
	/* Copy, then check the copy: the guest may rewrite its buffer meanwhile. */
	virtq_iov_read(virtq_chain_out(c), c->nout, 0, &h, HDR_LEN);
	if (!tx_hdr_ok(net, &h, frame_len))
		return false;
	h.num_buffers = 0;
	/* The checked header goes out from our copy, the frame from guest memory. */
	net->tx_iov[0] = (struct iovec){&h, HDR_LEN};
	for (unsigned i = 0; i < c->nout; i++) {
		struct iovec v = virtq_chain_out(c)[i];

		if (skip >= v.iov_len) {
			skip -= (uint32_t)v.iov_len;
			continue;
		}
		if (n == UIO_MAXIOV)
			return false;
		net->tx_iov[n++] = (struct iovec){(uint8_t *)v.iov_base + skip, v.iov_len - skip};
		skip = 0;
	}
	/*
	 * The tap takes a frame whole or not at all. EAGAIN (its socket's send
	 * buffer full) drops the frame instead of holding the chain for a
	 * retry: that is what a congested link does, TCP recovers from it, and
	 * the device never has to queue work or watch for EPOLLOUT. EINTR
	 * cannot interrupt a non-blocking write that has started; one retry
	 * covers a signal that arrived before it did.
	 */
	w = writev(net->p.fd, net->tx_iov, (int)n);
	if (w < 0 && errno == EINTR)
		w = writev(net->p.fd, net->tx_iov, (int)n);
	return w == (ssize_t)(HDR_LEN + frame_len);
}

static void tx_process(struct virtio_mmio *t, struct virtio_net *net)
{
	struct virtq *vq = virtio_mmio_vq(t, VIRTIO_NET_TX_Q);
	unsigned budget, pushed = 0;

	if (!vq)
		return;
	/* A ring's worth per event, then yield: a busy guest cannot starve other devices. */
	for (budget = vq->num; budget; budget--) {
		if (virtq_pop(vq, &net->chain) <= 0)
			break;
		if (tx_frame(net, &net->chain))
			net->st.tx_frames++;
		else
			net->st.tx_dropped++;
		/* The device writes nothing into a tx chain. */
		if (virtq_push(vq, net->chain.head, 0))
			break;
		pushed++;
	}
	if (pushed || vq->broken)
		virtio_mmio_used(t, VIRTIO_NET_TX_Q);
	if (!budget)
		virtio_mmio_kick(t, VIRTIO_NET_TX_Q);
}

/* --- receive --- */

static void rx_forget(struct virtio_net *net)
{
	net->nr_slots = net->nr_iov = 0;
	net->rx_bytes = 0;
}

/*
 * Pops rx chains into the stash until it holds rx_need bytes (one chain
 * without MRG_RXBUF). A chain with a readable buffer, or one too short for
 * the header (section 5.1.6.3.1 asks every buffer to hold one), is given
 * back unused. Returns how many chains were given back, or -EIO.
 */
static int rx_gather(struct virtio_net *net, struct virtq *vq)
{
	unsigned max_slots = has(net, VIRTIO_NET_F_MRG_RXBUF) ? vq->num : 1;
	struct virtq_chain *c = &net->chain;
	int given_back = 0;

	/* At most a ring's worth of pops: a guest refilling bad chains cannot hold us here. */
	for (unsigned tries = vq->num; tries && net->nr_slots < max_slots &&
				       net->rx_bytes < net->rx_need && net->nr_iov < VIRTQ_MAX_SIZE;
	     tries--) {
		struct rx_slot *s;
		int r = virtq_pop(vq, c);

		if (r <= 0)
			return r < 0 ? r : given_back;
		if (c->nout || c->in_len < HDR_LEN) {
			net->st.rx_bad_bufs++;
			if (virtq_push(vq, c->head, 0))
				return -EIO;
			given_back++;
			continue;
		}
		s = &net->slots[net->nr_slots++];
		*s = (struct rx_slot){c->head, c->in_len, net->nr_iov, c->nin};
		memcpy(&net->rx_iov[net->nr_iov], virtq_chain_in(c), c->nin * sizeof(struct iovec));
		net->nr_iov += c->nin;
		/* in_len fits 32 bits; rx_bytes stops growing at rx_need plus one chain. */
		net->rx_bytes = net->rx_bytes + c->in_len < net->rx_bytes
				    ? UINT32_MAX
				    : net->rx_bytes + c->in_len;
	}
	return given_back;
}

/* Drops the first k chains of the stash (they were pushed). */
static void rx_shift(struct virtio_net *net, unsigned k)
{
	unsigned iov_shift = k < net->nr_slots ? net->slots[k].iov0 : net->nr_iov;

	for (unsigned i = 0; i < k; i++)
		net->rx_bytes -= net->slots[i].len;
	memmove(net->slots, net->slots + k, (net->nr_slots - k) * sizeof(net->slots[0]));
	net->nr_slots -= k;
	for (unsigned i = 0; i < net->nr_slots; i++)
		net->slots[i].iov0 -= iov_shift;
	memmove(net->rx_iov, net->rx_iov + iov_shift,
		(net->nr_iov - iov_shift) * sizeof(struct iovec));
	net->nr_iov -= iov_shift;
}

/* Whether a frame from the tap carries only what the driver accepted (offloads may lag a reset). */
static bool rx_hdr_ok(const struct virtio_net *net, const struct virtio_net_hdr_v1 *h)
{
	if ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && !has(net, VIRTIO_NET_F_GUEST_CSUM))
		return false;
	switch (h->gso_type) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return true;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return has(net, VIRTIO_NET_F_GUEST_TSO4);
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return has(net, VIRTIO_NET_F_GUEST_TSO6);
	default:
		return false;
	}
}

/* Gives the frame of `n` bytes in the stash's first chains to the driver; 0 or -EIO. */
static int rx_deliver(struct virtio_net *net, struct virtq *vq, uint32_t n)
{
	struct rx_slot *s0 = &net->slots[0];
	struct virtio_net_hdr_v1 h;
	uint16_t nbuf;
	unsigned k = 0;

	virtq_iov_read(&net->rx_iov[s0->iov0], s0->niov, 0, &h, HDR_LEN);
	if (!rx_hdr_ok(net, &h)) {
		net->st.rx_dropped++;
		return 0;
	}
	for (uint32_t left = n; left; k++)
		left -= net->slots[k].len < left ? net->slots[k].len : left;
	/* num_buffers: the tap leaves it alone; set it, also to 1 without MRG_RXBUF. */
	nbuf = htole16((uint16_t)k);
	virtq_iov_write(&net->rx_iov[s0->iov0], s0->niov,
			offsetof(struct virtio_net_hdr_v1, num_buffers), &nbuf, sizeof(nbuf));
	for (unsigned i = 0, left = n; i < k; i++) {
		uint32_t used = net->slots[i].len < left ? net->slots[i].len : left;

		if (virtq_push(vq, net->slots[i].head, used))
			return -EIO;
		left -= used;
	}
	rx_shift(net, k);
	net->st.rx_frames++;
	return 0;
}

/* Reads one frame: 1 when one was read (delivered or dropped), 0 when none waits, -1 at the end. */
static int rx_frame(struct virtio_net *net, struct virtq *vq)
{
	unsigned iovcnt = net->nr_iov < UIO_MAXIOV ? net->nr_iov : UIO_MAXIOV;
	uint64_t cap = 0;
	ssize_t n;

	for (unsigned i = 0; i < iovcnt; i++)
		cap += net->rx_iov[i].iov_len;
	n = readv(net->p.fd, net->rx_iov, (int)iovcnt);
	if (n < 0 && errno == EINTR)
		return 1;
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n <= 0) {
		fd_dead(net);
		return -1;
	}
	/*
	 * A tap reports the frame's whole length even when it truncated it to
	 * the buffers; such a frame, or one without a header, is dropped and
	 * the chains it overwrote stay in the stash for the next one.
	 */
	if ((uint64_t)n > cap || n < (ssize_t)HDR_LEN) {
		net->st.rx_dropped++;
		return 1;
	}
	return rx_deliver(net, vq, (uint32_t)n) < 0 ? -1 : 1;
}

/* Up to VIRTIO_NET_BUDGET frames; the transport lock is held. */
static void rx_process(struct virtio_net *net, struct virtq *vq)
{
	unsigned budget;
	int pushed = 0;

	for (budget = VIRTIO_NET_BUDGET; budget && !net->dead; budget--) {
		int r = rx_gather(net, vq);

		if (r < 0)
			break;
		pushed += r;
		/* No buffer: stop watching the tap until the guest kicks the rx queue. */
		if (net->nr_slots == 0) {
			set_polling(net, false);
			break;
		}
		set_polling(net, true);
		r = rx_frame(net, vq);
		pushed += r > 0;
		if (r <= 0)
			break;
	}
	/* Level-triggered: a tap still readable after the budget calls us again. */
	if (pushed || vq->broken)
		virtio_mmio_used(net->t, VIRTIO_NET_RX_Q);
}

void virtio_net_rx_event(struct virtio_net *net)
{
	struct virtq *vq;

	virtio_mmio_lock(net->t);
	vq = virtio_mmio_vq(net->t, VIRTIO_NET_RX_Q);
	if (vq) {
		apply_offload(net);
		rx_process(net, vq);
	} else {
		/* No driver: the tap keeps (and, when full, drops) frames. activate() resumes. */
		set_polling(net, false);
	}
	virtio_mmio_unlock(net->t);
}

/* --- the device interface --- */

static void net_config_read(struct virtio_mmio *t, uint32_t off, void *data, uint32_t len)
{
	struct virtio_net *net = virtio_mmio_dev(t);
	struct net_config cfg = {
	    .status = htole16(VIRTIO_NET_S_LINK_UP),
	    .max_virtqueue_pairs = htole16(1),
	    .mtu = htole16(net->p.mtu),
	};

	memcpy(cfg.mac, net->p.mac, sizeof(cfg.mac));
	memcpy(data, (uint8_t *)&cfg + off, len);
}

/* vCPU thread, transport locked. */
static int net_activate(struct virtio_mmio *t)
{
	struct virtio_net *net = virtio_mmio_dev(t);
	uint64_t f = virtio_mmio_features(t);
	bool gso = f & (F(VIRTIO_NET_F_GUEST_TSO4) | F(VIRTIO_NET_F_GUEST_TSO6));

	net->features = f;
	rx_forget(net);
	/* A frame the tap may send: up to 64 KiB with GSO, else the MTU and a VLAN tag. */
	net->rx_need = HDR_LEN + (gso ? VIRTIO_NET_MAX_FRAME : net->p.mtu + ETH_HLEN + 4u);
	net->offload_pending = true;
	/* The event loop applies the offloads and starts watching the tap. */
	virtio_mmio_kick(t, VIRTIO_NET_RX_Q);
	return 0;
}

static void net_queue_notify(struct virtio_mmio *t, unsigned q)
{
	struct virtio_net *net = virtio_mmio_dev(t);
	struct virtq *vq;

	if (q == VIRTIO_NET_TX_Q) {
		tx_process(t, net);
		return;
	}
	vq = virtio_mmio_vq(t, VIRTIO_NET_RX_Q);
	if (q != VIRTIO_NET_RX_Q || !vq)
		return;
	/* New buffers (or an activation): watch the tap again and fill them now. */
	apply_offload(net);
	set_polling(net, true);
	rx_process(net, vq);
}

/* The chains in the stash belong to rings the reset forgets. */
static void net_reset(struct virtio_mmio *t)
{
	struct virtio_net *net = virtio_mmio_dev(t);

	rx_forget(net);
	net->features = 0;
}

const struct virtio_device_ops virtio_net_ops = {
    .name = "net",
    .device_id = VIRTIO_ID_NET,
    .features = NET_FEATURES,
    .num_queues = 2,
    .queue_max = 256,
    .config_len = sizeof(struct net_config),
    .config_read = net_config_read,
    .activate = net_activate,
    .queue_notify = net_queue_notify,
    .reset = net_reset,
};

int virtio_net_new(const struct virtio_net_params *p, struct virtio_net **out)
{
	struct virtio_net *net;
	int flags, hdr = HDR_LEN;

	if (p->mtu < VIRTIO_NET_MIN_MTU)
		return err_setx(EINVAL, "virtio-net: MTU %u below %u", p->mtu, VIRTIO_NET_MIN_MTU);
	flags = fcntl(p->fd, F_GETFL);
	if (flags < 0 || fcntl(p->fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return err_set(errno, "virtio-net: make fd %d non-blocking", p->fd);
	if (!p->not_tap && ioctl(p->fd, TUNSETVNETHDRSZ, &hdr) < 0)
		return err_set(errno, "virtio-net: TUNSETVNETHDRSZ on fd %d", p->fd);
	net = calloc(1, sizeof(*net));
	if (!net)
		return err_set(ENOMEM, "virtio-net: allocate device");
	net->p = *p;
	*out = net;
	return 0;
}

void virtio_net_free(struct virtio_net *net)
{
	free(net);
}

static void on_fd(void *opaque, uint32_t events)
{
	struct virtio_net *net = opaque;

	/* A tap whose interface went away polls EPOLLERR forever: stop for good. */
	if (events & (EPOLLERR | EPOLLHUP)) {
		virtio_mmio_lock(net->t);
		fd_dead(net);
		virtio_mmio_unlock(net->t);
		return;
	}
	virtio_net_rx_event(net);
}

int virtio_net_attach(struct virtio_net *net, struct virtio_mmio *t, struct evloop *loop)
{
	int ret;

	net->t = t;
	if (!loop)
		return 0;
	/* Registered unarmed: activate() arms it once there are buffers to fill. */
	ret = evloop_add(loop, net->p.fd, 0, on_fd, net);
	if (ret < 0)
		return ret;
	net->loop = loop;
	net->watched = true;
	return 0;
}

void virtio_net_detach(struct virtio_net *net)
{
	if (net->watched)
		evloop_del(net->loop, net->p.fd);
	net->watched = net->polling = false;
}

bool virtio_net_rx_polling(const struct virtio_net *net)
{
	return net->polling;
}

struct virtio_net_stats virtio_net_stats(const struct virtio_net *net)
{
	return net->st;
}
