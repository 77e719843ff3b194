/* SPDX-License-Identifier: Apache-2.0 */
#include "devices/virtio_rng.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_rng.h>

#include "common/error.h"

struct virtio_rng {
	/* Popped chains land here, not on the event loop thread's stack (16 KiB of iovecs). */
	struct virtq_chain chain;
};

/* Fills up to `max` bytes of the writable buffers; returns how many were written. */
static uint32_t fill(struct iovec *iov, unsigned n, uint32_t max)
{
	uint32_t done = 0;

	for (unsigned i = 0; i < n && done < max; i++) {
		size_t want = iov[i].iov_len < max - done ? iov[i].iov_len : max - done;
		size_t got = 0;

		while (got < want) {
			/* Never block the event loop: a pool not yet ready gives a short fill. */
			ssize_t r =
			    getrandom((char *)iov[i].iov_base + got, want - got, GRND_NONBLOCK);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return done + got;
			got += r;
		}
		done += got;
	}
	return done;
}

static void rng_queue_notify(struct virtio_mmio *t, unsigned q)
{
	struct virtio_rng *rng = virtio_mmio_dev(t);
	struct virtq *vq = virtio_mmio_vq(t, q);
	struct virtq_chain *c = &rng->chain;
	unsigned budget, pushed = 0;

	if (!vq)
		return;
	/* A ring's worth per event, then yield: a busy guest cannot starve other devices. */
	for (budget = vq->num; budget; budget--) {
		/* A broken ring is reported by virtio_mmio_used() below. */
		if (virtq_pop(vq, c) <= 0)
			break;
		/* A chain with no writable buffer gets 0 bytes back. */
		if (virtq_push(vq, c->head, fill(virtq_chain_in(c), c->nin, VIRTIO_RNG_MAX_CHAIN)))
			break;
		pushed++;
	}
	if (pushed || vq->broken)
		virtio_mmio_used(t, q);
	if (!budget)
		virtio_mmio_kick(t, q);
}

const struct virtio_device_ops virtio_rng_ops = {
    .name = "rng",
    .device_id = VIRTIO_ID_RNG,
    .features = 0,
    .num_queues = 1,
    .queue_max = 256,
    .config_len = 0,
    .queue_notify = rng_queue_notify,
};

int virtio_rng_new(struct virtio_rng **out)
{
	struct virtio_rng *rng = calloc(1, sizeof(*rng));

	if (!rng)
		return err_set(ENOMEM, "virtio-rng: allocate device");
	*out = rng;
	return 0;
}

void virtio_rng_free(struct virtio_rng *rng)
{
	free(rng);
}
