/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-vsock (device id 19, virtio 1.x section 5.10): stream sockets
 * between the guest (CID 3) and host programs, through the hybrid unix
 * socket interface of Firecracker and Cloud Hypervisor (docs/vsock.md).
 *
 * The device is split by concern:
 *   virtio_vsock.c       the device model: queues, packet checks, rx and tx
 *   virtio_vsock_conn.c  the connection table and credit accounting
 *   virtio_vsock_mux.c   the unix socket side: listener, CONNECT lines, host I/O
 *
 * Every host socket sits in one epoll set of the device's own
 * (vsock_fd()); the event loop watches that one fd and calls vsock_poll().
 */
#ifndef OZONE_VMM_VIRTIO_VSOCK_H
#define OZONE_VMM_VIRTIO_VSOCK_H

#include <stdint.h>

#include "devices/virtio_mmio.h"

#define VSOCK_GUEST_CID 3
#define VSOCK_HOST_CID 2
/* Queues: 0 rx (device to driver), 1 tx (driver to device), 2 events. */
#define VSOCK_RX_Q 0
#define VSOCK_TX_Q 1
#define VSOCK_EVENT_Q 2
/* The buffer we advertise per connection: at most this much guest data waits for a host reader. */
#define VSOCK_BUF_ALLOC (64u * 1024)
/* Largest payload of one packet, either way. */
#define VSOCK_MAX_PKT (64u * 1024)
/* Most connections at once. */
#define VSOCK_MAX_CONNS 1024
/* Host ports given to host-initiated connections count up from here. */
#define VSOCK_HOST_PORT_BASE (1u << 30)
/* "CONNECT <port>\n" must end within this many bytes. */
#define VSOCK_LINE_MAX 32

struct vsock;

extern const struct virtio_device_ops virtio_vsock_ops;

/*
 * Makes the device. With `path`, listens on it (a unix stream socket; a
 * stale socket file there is replaced) and joins guest connections to host
 * port P to `<path>_P`. NULL: no listener (tests use vsock_host_accept()).
 */
int vsock_new(struct vsock **out, const char *path);
/* Closes every connection and the listener, unlinks the path. */
void vsock_free(struct vsock *vs);
/* Gives the device its transport (before the driver can reach it). */
void vsock_attach(struct vsock *vs, struct virtio_mmio *t);
/* The epoll fd to watch for EPOLLIN; then call vsock_poll(). */
int vsock_fd(const struct vsock *vs);
/* Handles whatever is ready on the host sockets, without waiting. */
void vsock_poll(struct vsock *vs);
/* Takes a connected host stream as if accepted on the listener (owns fd); 0 or -errno. */
int vsock_host_accept(struct vsock *vs, int fd);
/* Connections open now (tests). */
unsigned vsock_nr_conns(const struct vsock *vs);

#endif
