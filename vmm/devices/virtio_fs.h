/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virtio-fs (device id 26, virtio 1.x section 5.11): one host directory
 * served to the guest by the FUSE server of vmm/fs/, under a tag the guest
 * mounts (`mount -t virtiofs TAG /mnt`).
 *
 * Queue 0 is the hiprio queue (FORGET, BATCH_FORGET, INTERRUPT), queues
 * 1..N the request queues. The event loop thread only pops chains; a pool
 * of worker threads runs them through fuse_server_handle() (a request can
 * block on host I/O, and several run in parallel) and pushes the replies.
 * A device reset replaces the FUSE server with a fresh one over the same
 * directory (the guest forgets every nodeid then). See docs/virtio-fs.md.
 */
#ifndef OZONE_VMM_VIRTIO_FS_H
#define OZONE_VMM_VIRTIO_FS_H

#include <linux/virtio_fs.h>

#include "devices/virtio_mmio.h"
#include "fs/fuse_server.h"

/* Bytes of the tag in the config space (not NUL-terminated when it is this long). */
#define VIRTIO_FS_TAG_MAX ((unsigned)sizeof(((struct virtio_fs_config *)0)->tag))
#define VIRTIO_FS_HIPRIO_Q 0
/* Most request queues: the transport has VIRTIO_MMIO_MAX_QUEUES in all, one is hiprio. */
#define VIRTIO_FS_MAX_REQUEST_QUEUES (VIRTIO_MMIO_MAX_QUEUES - 1)
#define VIRTIO_FS_QUEUE_SIZE 1024
/* Worker threads per device: requests served at once. */
#define VIRTIO_FS_WORKERS 4

struct virtio_fs;

struct virtio_fs_params {
	const char *tag;	 /* 1..VIRTIO_FS_TAG_MAX bytes */
	const char *dir;	 /* the shared directory */
	unsigned request_queues; /* 1..VIRTIO_FS_MAX_REQUEST_QUEUES; 0 means 1 */
	struct fuse_server_opts opts;
};

/*
 * Checks the tag and makes the FUSE server for `dir` now, so that a bad
 * directory is an error at start-up, not in the guest. 0 or -errno.
 */
int virtio_fs_new(const struct virtio_fs_params *p, struct virtio_fs **out);
/* After virtio_fs_detach() (or when never attached). */
void virtio_fs_free(struct virtio_fs *fs);
/* This device's operations (its queue count is its own). */
const struct virtio_device_ops *virtio_fs_ops(const struct virtio_fs *fs);
/* Gives the device its transport and starts the workers; 0 or -errno. */
int virtio_fs_attach(struct virtio_fs *fs, struct virtio_mmio *t);
/*
 * Stops the workers once the requests they are running are done; queued
 * requests are dropped. The transport must still exist; nothing may kick
 * the device any more (vCPUs and event loop stopped).
 */
void virtio_fs_detach(struct virtio_fs *fs);
/*
 * Without workers (never attached): does their work on the calling thread
 * until none is left, with `t` as the transport. For the fuzzer, which
 * wants one thread and the same result for the same input.
 */
void virtio_fs_drain(struct virtio_fs *fs, struct virtio_mmio *t);
/* Requests taken from the queues and not pushed back yet (tests). */
unsigned virtio_fs_pending(struct virtio_fs *fs);

#endif
