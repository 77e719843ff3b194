/* SPDX-License-Identifier: Apache-2.0 */
#include "devices/virtio_balloon.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <endian.h>
#include <linux/virtio_balloon.h>
#include <linux/virtio_ids.h>

#include "common/error.h"

/* Linux's page reporting needs at least 32 entries (PAGE_REPORTING_CAPACITY) on its queue. */
#define BALLOON_QUEUE_MAX 128

struct virtio_balloon {
	/* Popped chains land here, not on the event loop thread's stack (16 KiB of iovecs). */
	struct virtq_chain chain;
	/* The driver's `actual` (pages it holds in the balloon): kept only to be read back. */
	uint32_t actual;
	uint64_t discarded; /* bytes given back since the device was made, saturating */
	uint64_t next_log;  /* log again once `discarded` reaches this */
	FILE *log;
};

static void note_discarded(struct virtio_balloon *b, uint64_t n)
{
	b->discarded = n > UINT64_MAX - b->discarded ? UINT64_MAX : b->discarded + n;
	if (!b->log || b->discarded < b->next_log)
		return;
	if (b->discarded < (1 << 20))
		fprintf(b->log,
			"ozone-vmm: virtio-balloon: %llu KiB of freed guest memory given back "
			"to the host so far\n",
			(unsigned long long)b->discarded >> 10);
	else
		fprintf(b->log,
			"ozone-vmm: virtio-balloon: %.1f MiB of freed guest memory given back "
			"to the host so far\n",
			(double)b->discarded / (1 << 20));
	b->next_log = b->discarded > UINT64_MAX / 2 ? UINT64_MAX : 2 * b->discarded;
}

/*
 * One report: every device-writable buffer is a free block the guest will
 * not touch until the chain comes back. Readable buffers were not handed
 * over for writing and are left alone. 0, or -errno when the host could not
 * discard (the device is then marked broken).
 */
static int report(struct virtio_balloon *b, const struct guest_mem *mem)
{
	struct iovec *in = virtq_chain_in(&b->chain);

	for (unsigned i = 0; i < b->chain.nin; i++) {
		uint64_t n;
		/* virtq_pop put the buffer inside one region; guest_mem_discard checks it again
		 * and rounds it inward to whole guest pages. */
		int ret = guest_mem_discard(mem, in[i].iov_base, in[i].iov_len, &n);

		if (ret < 0)
			return ret;
		note_discarded(b, n);
	}
	return 0;
}

static void balloon_queue_notify(struct virtio_mmio *t, unsigned q)
{
	struct virtio_balloon *b = virtio_mmio_dev(t);
	struct virtq *vq = virtio_mmio_vq(t, q);
	unsigned budget, pushed = 0;

	if (!vq)
		return;
	/* A ring's worth per event, then yield: a busy guest cannot starve other devices. */
	for (budget = vq->num; budget; budget--) {
		/* A broken ring (a buffer outside guest RAM, ...) is reported by
		 * virtio_mmio_used(). */
		if (virtq_pop(vq, &b->chain) <= 0)
			break;
		/* inflateq and deflateq: the device never asked for pages; the PFNs are not read.
		 */
		if (q == VIRTIO_BALLOON_Q_REPORTING && report(b, vq->mem) < 0) {
			virtio_mmio_broken(t);
			return;
		}
		if (virtq_push(vq, b->chain.head, 0))
			break;
		pushed++;
	}
	if (pushed || vq->broken)
		virtio_mmio_used(t, q);
	if (!budget)
		virtio_mmio_kick(t, q);
}

static void balloon_config_read(struct virtio_mmio *t, uint32_t off, void *data, uint32_t len)
{
	struct virtio_balloon *b = virtio_mmio_dev(t);
	/* num_pages 0: the guest is never asked to give pages up. No hinting, no poison value. */
	struct virtio_balloon_config cfg = {.actual = htole32(b->actual)};

	/* The transport checked [off, off + len) against config_len. */
	memcpy(data, (const uint8_t *)&cfg + off, len);
}

static void balloon_config_write(struct virtio_mmio *t, uint32_t off, const void *data,
				 uint32_t len)
{
	struct virtio_balloon *b = virtio_mmio_dev(t);
	const uint32_t start = offsetof(struct virtio_balloon_config, actual);
	uint32_t actual = htole32(b->actual);

	/* Only `actual` is the driver's to write; the bytes of a write that fall elsewhere are
	 * dropped. */
	for (uint32_t i = 0; i < len; i++)
		if (off + i >= start && off + i < start + sizeof(actual))
			((uint8_t *)&actual)[off + i - start] = ((const uint8_t *)data)[i];
	b->actual = le32toh(actual);
}

static void balloon_reset(struct virtio_mmio *t)
{
	struct virtio_balloon *b = virtio_mmio_dev(t);

	b->actual = 0;
}

const struct virtio_device_ops virtio_balloon_ops = {
    .name = "balloon",
    .device_id = VIRTIO_ID_BALLOON,
    .features = 1ULL << VIRTIO_BALLOON_F_REPORTING,
    .num_queues = 3,
    .queue_max = BALLOON_QUEUE_MAX,
    .config_len = sizeof(struct virtio_balloon_config),
    .config_read = balloon_config_read,
    .config_write = balloon_config_write,
    .queue_notify = balloon_queue_notify,
    .reset = balloon_reset,
};

int virtio_balloon_new(struct virtio_balloon **out, FILE *log)
{
	struct virtio_balloon *b = calloc(1, sizeof(*b));

	if (!b)
		return err_set(ENOMEM, "virtio-balloon: allocate device");
	b->log = log;
	b->next_log = 1;
	*out = b;
	return 0;
}

void virtio_balloon_free(struct virtio_balloon *b)
{
	free(b);
}

uint64_t virtio_balloon_discarded(const struct virtio_balloon *b)
{
	return b->discarded;
}
