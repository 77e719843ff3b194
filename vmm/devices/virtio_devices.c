/* SPDX-License-Identifier: Apache-2.0 */
#include "devices/virtio_devices.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include "common/error.h"
#include "common/util.h"
#include "devices/virtio_balloon.h"
#include "devices/virtio_fs.h"
#include "devices/virtio_mmio_kvm.h"
#include "devices/virtio_net.h"
#include "devices/virtio_rng.h"
#include "devices/virtio_vsock.h"

/*
 * One row per device type. create() makes instance `idx` of the device for
 * this configuration: 1 with *dev set, 0 when there is no such instance
 * (devices configured several times, like file system shares, count up),
 * or -errno. destroy() frees what create() made. A device with event
 * sources of its own gets attach() once its transport exists (NULL: none)
 * and detach() before it is destroyed. A device whose operations depend on
 * its configuration (the number of queues) gives them through dev_ops().
 */
struct virtio_device_type {
	const struct virtio_device_ops *ops;
	const struct virtio_device_ops *(*dev_ops)(void *dev); /* NULL: ops */
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

static int balloon_create(const struct vmm_config *cfg, unsigned idx, void **dev)
{
	if (idx > 0 || !cfg->balloon)
		return 0;
	/* The VMM's stderr: the runtime keeps it in the sandbox's log. */
	return virtio_balloon_new((struct virtio_balloon **)dev, stderr) ?: 1;
}

static void balloon_destroy(void *dev)
{
	virtio_balloon_free(dev);
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

_Static_assert(VIRTIO_FS_TAG_MAX == VMM_FS_TAG_MAX, "the CLI checks the tag length");

static struct fuse_server_opts fs_opts(const struct vmm_fs_share *sh)
{
	return (struct fuse_server_opts){
	    .cache = sh->cache,
	    .writeback = sh->writeback,
	    .max_inodes = sh->max_inodes,
	    .max_handles = sh->max_handles,
	};
}

static int fs_create(const struct vmm_config *cfg, unsigned idx, void **dev)
{
	const struct vmm_fs_share *sh = &cfg->fs[idx];
	struct virtio_fs_params p;

	if (idx >= cfg->nr_fs)
		return 0;
	p = (struct virtio_fs_params){
	    .tag = sh->tag,
	    .dir = sh->dir,
	    .request_queues = 1,
	    .opts = fs_opts(sh),
	};
	return virtio_fs_new(&p, (struct virtio_fs **)dev) ?: 1;
}

/*
 * The fds the VMM needs besides its file servers: vsock connections, KVM's
 * (the VM, vCPUs, an eventfd per queue and per device), the event loop,
 * logs and sockets.
 */
#define VMM_FD_RESERVE (VSOCK_MAX_CONNS + 1024)

/*
 * RLIMIT_NOFILE for this configuration: enough for every server at its caps
 * and the rest of the VMM, and no more, so that what the guest can make the
 * host hold is a number the host chose, not the host's fs.nr_open.
 */
static unsigned long fd_limit(const struct vmm_config *cfg)
{
	unsigned long n = VMM_FD_RESERVE;

	for (unsigned i = 0; i < cfg->nr_fs; i++) {
		struct fuse_server_opts o = fs_opts(&cfg->fs[i]);

		n += fuse_server_fd_need(&o);
	}
	return n;
}

static void fs_destroy(void *dev)
{
	virtio_fs_free(dev);
}

static const struct virtio_device_ops *fs_dev_ops(void *dev)
{
	return virtio_fs_ops(dev);
}

static int fs_attach(void *dev, struct vm *vm, struct virtio_mmio *t)
{
	(void)vm;
	return virtio_fs_attach(dev, t);
}

static void fs_detach(void *dev, struct vm *vm)
{
	(void)vm;
	virtio_fs_detach(dev);
}

static int net_create(const struct vmm_config *cfg, unsigned idx, void **dev)
{
	const struct vmm_net *n = &cfg->net[idx];
	struct virtio_net_params p;

	if (idx >= cfg->nr_net)
		return 0;
	p = (struct virtio_net_params){.fd = n->fd, .mtu = n->mtu};
	memcpy(p.mac, n->mac, sizeof(p.mac));
	return virtio_net_new(&p, (struct virtio_net **)dev) ?: 1;
}

static void net_destroy(void *dev)
{
	virtio_net_free(dev);
}

static int net_attach(void *dev, struct vm *vm, struct virtio_mmio *t)
{
	return virtio_net_attach(dev, t, vm->loop);
}

static void net_detach(void *dev, struct vm *vm)
{
	(void)vm;
	virtio_net_detach(dev);
}

static const struct virtio_device_type types[] = {
    {&virtio_rng_ops, NULL, rng_create, rng_destroy, NULL, NULL},
    {&virtio_vsock_ops, NULL, vsock_create, vsock_destroy, vsock_attach_vm, vsock_detach_vm},
    {NULL, fs_dev_ops, fs_create, fs_destroy, fs_attach, fs_detach},
    {&virtio_balloon_ops, NULL, balloon_create, balloon_destroy, NULL, NULL},
    {&virtio_net_ops, NULL, net_create, net_destroy, net_attach, net_detach},
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
		const struct virtio_device_ops *ops;
		struct virtio_instance *in;
		void *dev = NULL;
		int ret;

		ret = type->create(cfg, idx, &dev);
		if (ret <= 0)
			return ret;
		ops = type->dev_ops ? type->dev_ops(dev) : type->ops;
		if (nr_instances == MAX_DEVICES) {
			type->destroy(dev);
			return err_setx(ENOSPC, "virtio-%s: more than %u virtio devices", ops->name,
					MAX_DEVICES);
		}
		in = &instances[nr_instances];
		ret = virtio_mmio_create(vm, ops, dev, &in->t);
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

unsigned long virtio_devices_set_fd_limit(const struct vmm_config *cfg)
{
	return fuse_server_set_fd_limit(fd_limit(cfg));
}

int virtio_devices_setup(struct vm *vm, const struct vmm_config *cfg)
{
	/*
	 * Before the servers open their roots. A jailed monitor set it before
	 * its lock-down already (raising the hard limit needs
	 * CAP_SYS_RESOURCE); the same limit again changes nothing.
	 */
	virtio_devices_set_fd_limit(cfg);
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
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
