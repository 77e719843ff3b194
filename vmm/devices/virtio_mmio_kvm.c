/* SPDX-License-Identifier: Apache-2.0 */
#include "devices/virtio_mmio_kvm.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <linux/virtio_mmio.h>

#include "common/error.h"

struct mmio_notifier {
	struct mmio_kvm *k;
	unsigned q;
	int fd;
	bool polled; /* registered with the event loop */
};

struct mmio_kvm {
	struct virtio_mmio t;
	struct vm *vm;
	int irqfd;
	struct mmio_notifier n[VIRTIO_MMIO_MAX_QUEUES];
};

static struct mmio_kvm *to_kvm(struct virtio_mmio *t)
{
	return (struct mmio_kvm *)((char *)t - offsetof(struct mmio_kvm, t));
}

static void eventfd_signal(int fd)
{
	uint64_t one = 1;

	/* Only EAGAIN (counter saturated) can fail here, and then a signal is pending anyway. */
	if (write(fd, &one, sizeof(one)) < 0) {
	}
}

static void kvm_irq(void *opaque)
{
	struct mmio_kvm *k = opaque;

	eventfd_signal(k->irqfd);
}

static void kvm_kick(void *opaque, unsigned q)
{
	struct mmio_kvm *k = opaque;

	if (q < k->t.ops->num_queues)
		eventfd_signal(k->n[q].fd);
}

/* Event loop: the guest wrote this queue's index to QueueNotify. */
static void on_notify(void *opaque, uint32_t events)
{
	struct mmio_notifier *n = opaque;
	uint64_t cnt;

	(void)events;
	if (read(n->fd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		return;
	virtio_mmio_queue_notify(&n->k->t, n->q);
}

static void release(struct mmio_kvm *k)
{
	for (unsigned i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++) {
		if (k->n[i].polled)
			evloop_del(k->vm->loop, k->n[i].fd);
		if (k->n[i].fd >= 0)
			close(k->n[i].fd);
	}
	if (k->irqfd >= 0)
		close(k->irqfd);
	virtio_mmio_fini(&k->t);
	free(k);
}

static int setup_queue(struct mmio_kvm *k, uint64_t base, unsigned q)
{
	struct mmio_notifier *n = &k->n[q];
	const char *name = k->t.ops->name;
	int ret;

	n->k = k;
	n->q = q;
	n->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (n->fd < 0)
		return err_set(errno, "virtio-%s: eventfd", name);
	/* Without an ioeventfd the write exits to the bus handler, which kicks n->fd itself. */
	vm_ioeventfd(k->vm, n->fd, base + VIRTIO_MMIO_QUEUE_NOTIFY, 4, true, q);
	ret = evloop_add(k->vm->loop, n->fd, EPOLLIN, on_notify, n);
	if (ret < 0)
		return err_set(-ret, "virtio-%s: watch queue %u notifications", name, q);
	n->polled = true;
	return 0;
}

int virtio_mmio_create(struct vm *vm, const struct virtio_device_ops *ops, void *dev,
		       struct virtio_mmio **out)
{
	struct mmio_kvm *k;
	uint64_t base;
	unsigned gsi;
	int ret;

	k = calloc(1, sizeof(*k));
	if (!k)
		return err_set(ENOMEM, "virtio-%s: allocate transport", ops->name);
	k->vm = vm;
	k->irqfd = -1;
	for (unsigned i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
		k->n[i].fd = -1;
	ret = virtio_mmio_init(&k->t, ops, dev, &vm->mem,
			       &(struct virtio_mmio_platform){kvm_irq, kvm_kick, k});
	if (ret < 0) {
		free(k);
		return ret;
	}
	ret = vm_alloc_mmio_slot(vm, &base, &gsi);
	if (ret < 0)
		goto fail;
	k->irqfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (k->irqfd < 0) {
		ret = err_set(errno, "virtio-%s: eventfd", ops->name);
		goto fail;
	}
	ret = vm_irqfd(vm, k->irqfd, gsi);
	if (ret < 0) {
		ret = err_set(-ret, "virtio-%s: route interrupt to GSI %u", ops->name, gsi);
		goto fail;
	}
	for (unsigned q = 0; q < ops->num_queues; q++) {
		ret = setup_queue(k, base, q);
		if (ret < 0)
			goto fail;
	}
	/* Last: once on the bus, the transport cannot be taken off again. */
	ret = bus_register(&vm->mmio, base, VIRTIO_MMIO_WINDOW, virtio_mmio_access, &k->t);
	if (ret < 0) {
		ret = err_set(-ret, "virtio-%s: register MMIO window at 0x%llx", ops->name,
			      (unsigned long long)base);
		goto fail;
	}
	*out = &k->t;
	return 0;
fail:
	release(k);
	return ret;
}

void virtio_mmio_destroy(struct virtio_mmio *t)
{
	if (t)
		release(to_kvm(t));
}
