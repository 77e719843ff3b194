/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-vsock internals shared by virtio_vsock.c, virtio_vsock_conn.c and
 * virtio_vsock_mux.c: the device state, one connection, and the table that holds them.
 *
 * Credit (virtio 1.x 5.10.6.3): each side tells the other its buffer size
 * (buf_alloc) and how many bytes it has consumed (fwd_cnt). We may send the
 * guest at most peer_buf_alloc - (tx_cnt - peer_fwd_cnt) bytes; the guest
 * may send us at most VSOCK_BUF_ALLOC - (rx_cnt - fwd_cnt), where fwd_cnt
 * counts the bytes the host socket has accepted. So the bytes waiting in a
 * connection's buffer never exceed VSOCK_BUF_ALLOC, whatever the host reader
 * does: a reader that stops stalls the guest writer.
 */
#ifndef OZONE_VMM_VIRTIO_VSOCK_CONN_H
#define OZONE_VMM_VIRTIO_VSOCK_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/virtio_vsock.h>

#include "devices/virtio_vsock.h"

enum vsock_state {
	VSOCK_LINE,	 /* host connected to the listener; reading "CONNECT <port>\n" */
	VSOCK_REQUESTED, /* REQUEST (to be) sent to the guest; waiting for RESPONSE */
	VSOCK_CONNECTED,
	VSOCK_CLOSING, /* host socket closed; only an RST to the guest is left to send */
};

/* Control packets a connection owes the guest (sent as rx buffers allow). */
enum {
	VSOCK_PEND_REQUEST = 1u << 0,
	VSOCK_PEND_RESPONSE = 1u << 1,
	VSOCK_PEND_CREDIT = 1u << 2,
	VSOCK_PEND_SHUTDOWN = 1u << 3,
	VSOCK_PEND_RST = 1u << 4,
};

struct vsock_conn {
	unsigned slot;
	uint32_t gen;
	int fd;
	enum vsock_state state;
	uint32_t host_port, guest_port;
	unsigned pending;
	/* Credit: the guest's view, and ours. */
	uint32_t peer_buf_alloc, peer_fwd_cnt;
	uint32_t tx_cnt;       /* payload bytes sent to the guest */
	uint32_t rx_cnt;       /* payload bytes received from the guest */
	uint32_t fwd_cnt;      /* of those, accepted by the host socket */
	uint32_t fwd_cnt_sent; /* fwd_cnt as last told to the guest */
	/* Host socket. */
	uint32_t events;    /* epoll mask registered now */
	bool registered;    /* in the epoll set */
	bool readable;	    /* may have data: EPOLLIN is off until a read gives EAGAIN */
	bool hup;	    /* host hung up: out of the epoll set, read what is left */
	bool host_eof;	    /* read gave end of stream */
	bool shutdown_sent; /* told the guest SHUTDOWN(SEND) */
	bool guest_shut_send, guest_shut_rcv;
	bool host_wr_shut; /* shutdown(fd, SHUT_WR) done */
	/* Guest data the host socket has not taken yet; at most VSOCK_BUF_ALLOC. */
	uint8_t *buf;
	uint32_t buf_len;
	char line[VSOCK_LINE_MAX];
	unsigned line_len;
};

/* An RST owed for a packet that matched no connection. */
struct vsock_rst {
	uint32_t host_port, guest_port;
};

#define VSOCK_RST_RING 64

struct vsock {
	struct virtio_mmio *t;
	int epfd;
	int listen_fd;
	char *path;
	struct vsock_conn *conns[VSOCK_MAX_CONNS];
	uint32_t gens[VSOCK_MAX_CONNS];
	unsigned nr_conns;
	unsigned rr; /* round-robin start for reading host sockets */
	uint32_t next_port;
	struct vsock_rst rst[VSOCK_RST_RING];
	unsigned rst_head, rst_len;
	/* rx chain popped but not yet used (nothing was ready to send). */
	bool rx_held;
	struct virtq_chain rx_chain;
	struct virtq_chain tx_chain;
	uint8_t pkt[VSOCK_MAX_PKT];
};

/* --- virtio_vsock_conn.c --- */
struct vsock_conn *vsock_conn_new(struct vsock *vs, int fd, enum vsock_state state);
/* Closes the host socket and frees the connection at once. */
void vsock_conn_free(struct vsock *vs, struct vsock_conn *c);
struct vsock_conn *vsock_conn_find(struct vsock *vs, uint32_t host_port, uint32_t guest_port);
/* The connection an epoll event names, or NULL if it has gone since. */
struct vsock_conn *vsock_conn_by_key(struct vsock *vs, uint64_t key);
uint64_t vsock_conn_key(const struct vsock_conn *c);
/* A host port for a host-initiated connection, not in use; 0 if none. */
uint32_t vsock_conn_alloc_port(struct vsock *vs);
/* Bytes we may send the guest now. */
uint32_t vsock_conn_peer_credit(const struct vsock_conn *c);
/* Bytes the guest may still send us. */
uint32_t vsock_conn_our_credit(const struct vsock_conn *c);
/* Takes buf_alloc and fwd_cnt from a guest packet. */
void vsock_conn_peer_update(struct vsock_conn *c, const struct virtio_vsock_hdr *h);
/* After fwd_cnt moved: owes the guest a CREDIT_UPDATE if it thinks it is short. */
void vsock_conn_credit_check(struct vsock_conn *c);
/* Closes the host side and owes the guest an RST; freed once it is sent. */
void vsock_conn_reset(struct vsock *vs, struct vsock_conn *c);
/* Owes an RST for a packet that matched no connection (dropped if too many are owed). */
void vsock_rst_unknown(struct vsock *vs, uint32_t host_port, uint32_t guest_port);
/* Frees every connection and forgets owed RSTs (device reset, teardown). */
void vsock_conn_free_all(struct vsock *vs);

/* --- virtio_vsock_mux.c --- */
int vsock_mux_init(struct vsock *vs, const char *path);
void vsock_mux_fini(struct vsock *vs);
/* Handles one epoll event. */
void vsock_mux_event(struct vsock *vs, uint64_t key, uint32_t events);
/* Recomputes the connection's epoll mask from its state and credit. */
void vsock_mux_update(struct vsock *vs, struct vsock_conn *c);
/* Guest data for the host socket: written now, the rest kept; 0, or -errno (the conn reset). */
int vsock_mux_write(struct vsock *vs, struct vsock_conn *c, const uint8_t *data, uint32_t len);
/* Reads host data for the guest: >0 bytes, 0 nothing now (EAGAIN/EOF noted), -errno reset. */
int vsock_mux_read(struct vsock *vs, struct vsock_conn *c, uint8_t *buf, uint32_t len);
/* The guest accepted a host-initiated connection: "OK <port>\n". 0 or -errno (reset). */
int vsock_mux_connected(struct vsock *vs, struct vsock_conn *c);
/* A guest connection to host port `port`: connects to <path>_<port>: the fd, or -errno. */
int vsock_mux_connect(struct vsock *vs, uint32_t port);
/* After the guest's SHUTDOWN, or when the buffer drains: half-closes, finishes. */
void vsock_mux_progress(struct vsock *vs, struct vsock_conn *c);

#endif
