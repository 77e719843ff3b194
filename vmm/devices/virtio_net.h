/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-net (device id 1, virtio 1.x section 5.1): one Ethernet NIC backed
 * by a tap fd that whoever starts the VMM opened (IFF_TAP | IFF_NO_PI |
 * IFF_VNET_HDR) and handed down. The VMM needs no network capability: it
 * only reads and writes that fd (docs/network.md).
 *
 * Queues: 0 receive (tap to guest), 1 transmit (guest to tap); no control
 * queue. Frames travel with the 12-byte virtio_net_hdr of VERSION_1, which
 * is also the tap's vnet header, so both sides read and write the guest's
 * buffers in place: no copy, no allocation per frame.
 */
#ifndef OZONE_VMM_VIRTIO_NET_H
#define OZONE_VMM_VIRTIO_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/virtio_mmio.h"
#include "evloop.h"

#define VIRTIO_NET_RX_Q 0
#define VIRTIO_NET_TX_Q 1
/* struct virtio_net_hdr_mrg_rxbuf: the header of every frame with VERSION_1. */
#define VIRTIO_NET_HDR_LEN 12u
/* Largest frame after the header: a 64 KiB GSO frame with its Ethernet and VLAN headers. */
#define VIRTIO_NET_MAX_FRAME 65550u
#define VIRTIO_NET_MIN_MTU 68u
#define VIRTIO_NET_MAX_MTU 65535u
/* Frames handled per event before the device yields to other devices. */
#define VIRTIO_NET_BUDGET 256u

struct virtio_net_params {
	int fd;		/* the tap (owned by the caller; the device never closes it) */
	uint8_t mac[6]; /* the guest's MAC address */
	uint16_t mtu;	/* offered to the guest with VIRTIO_NET_F_MTU */
	/*
	 * The fd is not a tap (unit tests and fuzzing use a SOCK_SEQPACKET
	 * socket): skip TUNSETVNETHDRSZ and TUNSETOFFLOAD. The data path
	 * does not depend on them.
	 */
	bool not_tap;
};

/* Drop counters, for tests and the docs' "what is checked". */
struct virtio_net_stats {
	uint64_t tx_frames, tx_dropped; /* bad chains and headers, tap errors */
	uint64_t rx_frames, rx_dropped; /* frames larger than the buffers lent */
	uint64_t rx_bad_bufs;		/* rx chains the guest got back unused */
};

struct virtio_net;

extern const struct virtio_device_ops virtio_net_ops;

/*
 * Makes the device: puts the fd in non-blocking mode and, for a tap, sets
 * its vnet header to 12 bytes (TUNSETVNETHDRSZ; the header size never
 * depends on what the driver accepts, since VERSION_1 is mandatory, so this
 * is done here, before any seccomp filter). 0 or -errno with a message.
 */
int virtio_net_new(const struct virtio_net_params *p, struct virtio_net **out);
void virtio_net_free(struct virtio_net *net);
/*
 * Gives the device its transport and starts watching the fd for frames on
 * `loop` (NULL: not watched; tests then call virtio_net_rx_event()).
 */
int virtio_net_attach(struct virtio_net *net, struct virtio_mmio *t, struct evloop *loop);
/* Stops watching the fd (before the transport goes). */
void virtio_net_detach(struct virtio_net *net);
/* The tap is readable: moves frames into the guest's rx buffers. Event loop thread. */
void virtio_net_rx_event(struct virtio_net *net);
/* Whether the device is watching the fd for frames now (false while the guest has no buffers). */
bool virtio_net_rx_polling(const struct virtio_net *net);
struct virtio_net_stats virtio_net_stats(const struct virtio_net *net);

#endif
