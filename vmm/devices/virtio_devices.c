/* SPDX-License-Identifier: Apache-2.0 */
#include "devices/virtio_devices.h"

#include <stddef.h>
#include <sys/epoll.h>

#include "common/error.h"
#include "devices/virtio_mmio_kvm.h"
#include "devices/virtio_rng.h"
#include "devices/vsock.h"

/*
 * One row per device type. create() makes instance `idx` of the device for
 * this configuration: 1 with *dev set, 0 when there is no such instance
 * (devices configured several times, like file system shares, count up),
 * or -errno. destroy() frees what create() made. A device with event
 * sources of its own gets attach() once its transport exists (NULL: none)
 * and detach() before it is destroyed.
 */
struct virtio_device_type {
	const struct virtio_device_ops *ops;
	int (*create)(const struct vmm_config *cfg, unsigned idx, void **dev);
	void (*destroy)(void *dev);
	int (*attach)(void *dev, struct vm *vm, struct virtio_mmio *t);
	void (*detach)(void *dev, struct vm *vm);
};

static int rng_create(const struct vmm_config *cfg, unsigned idx, void **dev)
{
	(void)cfg;
	if (idx > 0)
		return 0;
	return virtio_rng_new((struct virtio_rng **)dev) ?: 1;
}

static void rng_destroy(void *dev)
{
	virtio_rng_free(dev);
}

static int vsock_create(const struct vmm_config *cfg, unsigned idx, void **dev)
{
	if (idx > 0 || !cfg->vsock_socket)
		return 0;
	return vsock_new((struct vsock **)dev, cfg->vsock_socket) ?: 1;
}

static void vsock_destroy(void *dev)
{
	vsock_free(dev);
}

static void vsock_on_event(void *opaque, uint32_t events)
{
	(void)events;
	vsock_poll(opaque);
}

static int vsock_attach_vm(void *dev, struct vm *vm, struct virtio_mmio *t)
{
	vsock_attach(dev, t);
	return evloop_add(vm->loop, vsock_fd(dev), EPOLLIN, vsock_on_event, dev);
}

static void vsock_detach_vm(void *dev, struct vm *vm)
{
	evloop_del(vm->loop, vsock_fd(dev));
}

static const struct virtio_device_type types[] = {
    {&virtio_rng_ops, rng_create, rng_destroy, NULL, NULL},
    {&virtio_vsock_ops, vsock_create, vsock_destroy, vsock_attach_vm, vsock_detach_vm},
};

/* One VM per ozone-vmm process: the devices made for it are kept here. */
#define MAX_DEVICES 24

static struct virtio_instance {
	const struct virtio_device_type *type;
	void *dev;
	struct virtio_mmio *t;
	bool attached;
} instances[MAX_DEVICES];
static unsigned nr_instances;

static int setup_type(struct vm *vm, const struct vmm_config *cfg,
		      const struct virtio_device_type *type)
{
	for (unsigned idx = 0;; idx++) {
		struct virtio_instance *in;
		void *dev = NULL;
		int ret;

		ret = type->create(cfg, idx, &dev);
		if (ret <= 0)
			return ret;
		if (nr_instances == MAX_DEVICES) {
			type->destroy(dev);
			return err_setx(ENOSPC, "virtio-%s: more than %u virtio devices",
					type->ops->name, MAX_DEVICES);
		}
		in = &instances[nr_instances];
		ret = virtio_mmio_create(vm, type->ops, dev, &in->t);
		if (ret < 0) {
			type->destroy(dev);
			return ret;
		}
		in->type = type;
		in->dev = dev;
		nr_instances++;
		if (type->attach) {
			ret = type->attach(dev, vm, in->t);
			if (ret < 0)
				return ret;
			in->attached = true;
		}
	}
}

int virtio_devices_setup(struct vm *vm, const struct vmm_config *cfg)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		int ret = setup_type(vm, cfg, &types[i]);

		if (ret < 0) {
			virtio_devices_teardown(vm);
			return ret;
		}
	}
	return 0;
}

void virtio_devices_teardown(struct vm *vm)
{
	/* Transport first: it stops calling into the device it is about to lose. */
	while (nr_instances) {
		struct virtio_instance *in = &instances[--nr_instances];

		if (in->attached)
			in->type->detach(in->dev, vm);
		virtio_mmio_destroy(in->t);
		in->type->destroy(in->dev);
		*in = (struct virtio_instance){0};
	}
}
