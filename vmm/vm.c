/* SPDX-License-Identifier: Apache-2.0 */
/* The VM: KVM setup, guest memory, interrupts, ioeventfds and the exit request. */
#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "arch/arch.h"
#include "common/error.h"
#include "common/util.h"
#include "vcpu.h"

static const struct {
	int cap;
	const char *name;
} required_caps[] = {
    {KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP"},
    {KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD"},
    {KVM_CAP_IRQFD, "KVM_CAP_IRQFD"},
    {KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY"},
    {KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT"},
};

static int kvm_open(struct vm *vm)
{
	int ver;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		return err_set(errno, "open /dev/kvm");
	ver = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (ver < 0)
		return err_set(errno, "KVM_GET_API_VERSION");
	if (ver != KVM_API_VERSION)
		return err_setx(ENOTSUP, "/dev/kvm: API version %d, need %d", ver, KVM_API_VERSION);
	for (size_t i = 0; i < ARRAY_SIZE(required_caps); i++) {
		if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, required_caps[i].cap) <= 0)
			return err_setx(ENOTSUP, "/dev/kvm: %s not supported",
					required_caps[i].name);
	}
	return arch_kvm_check(vm->kvm_fd);
}

static int vm_setup_memory(struct vm *vm)
{
	uint64_t hole_start, hole_end;
	int ret;

	arch_mmio_hole(&hole_start, &hole_end);
	ret = guest_mem_alloc(&vm->mem, vm->mem_size, hole_start, hole_end);
	if (ret < 0)
		return ret;
	for (unsigned i = 0; i < vm->mem.nr; i++) {
		struct kvm_userspace_memory_region r = {
		    .slot = i,
		    .guest_phys_addr = vm->mem.r[i].gpa,
		    .memory_size = vm->mem.r[i].size,
		    .userspace_addr = (uintptr_t)vm->mem.r[i].host,
		};

		if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
			return err_set(errno, "KVM_SET_USER_MEMORY_REGION slot %u", i);
	}
	return 0;
}

int vm_create(struct vm *vm, unsigned ncpus, uint64_t mem_size)
{
	int ret;

	memset(vm, 0, sizeof(*vm));
	vm->kvm_fd = -1;
	vm->vm_fd = -1;
	vm->ncpus = (int)ncpus;
	vm->mem_size = mem_size;
	atomic_init(&vm->exit_reason, VM_RUNNING);

	ret = kvm_open(vm);
	if (ret < 0)
		goto fail;
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		ret = err_set(errno, "KVM_CREATE_VM");
		goto fail;
	}
	ret = arch_vm_init(vm);
	if (ret < 0)
		goto fail;
	ret = vm_setup_memory(vm);
	if (ret < 0)
		goto fail;
	ret = evloop_create(&vm->loop);
	if (ret < 0)
		goto fail;
	return 0;
fail:
	vm_destroy(vm);
	return ret;
}

void vm_destroy(struct vm *vm)
{
	if (vm->loop)
		evloop_destroy(vm->loop);
	vm->loop = NULL;
	/* Closing the VM fd drops KVM's references to guest memory before we unmap it. */
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	vm->vm_fd = vm->kvm_fd = -1;
	arch_vm_destroy(vm);
	guest_mem_free(&vm->mem);
}

void vm_request_exit(struct vm *vm, enum vm_exit_reason reason, const char *msg)
{
	int expected = VM_RUNNING;

	/*
	 * The first reason wins: a panic followed by the reset it causes stays a
	 * panic. Only the winner kicks: the others find everyone already leaving.
	 */
	if (!atomic_compare_exchange_strong(&vm->exit_reason, &expected, (int)reason))
		return;
	if (msg)
		snprintf(vm->exit_msg, sizeof(vm->exit_msg), "%s", msg);
	vcpus_kick(vm);
	if (vm->loop)
		evloop_stop(vm->loop);
}

int vm_irq_line(struct vm *vm, unsigned gsi, int level)
{
	struct kvm_irq_level irq = {.irq = gsi, .level = level};

	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq) < 0)
		return err_set(errno, "KVM_IRQ_LINE gsi %u", gsi);
	return 0;
}

int vm_irqfd(struct vm *vm, int fd, unsigned gsi)
{
	struct kvm_irqfd irqfd = {.fd = (uint32_t)fd, .gsi = gsi};

	if (ioctl(vm->vm_fd, KVM_IRQFD, &irqfd) < 0)
		return err_set(errno, "KVM_IRQFD gsi %u", gsi);
	return 0;
}

int vm_ioeventfd(struct vm *vm, int fd, uint64_t addr, uint32_t len, bool has_match, uint64_t match)
{
	struct kvm_ioeventfd io = {
	    .datamatch = has_match ? match : 0,
	    .addr = addr,
	    .len = len,
	    .fd = fd,
	    .flags = has_match ? KVM_IOEVENTFD_FLAG_DATAMATCH : 0,
	};

	if (ioctl(vm->vm_fd, KVM_IOEVENTFD, &io) < 0)
		return err_set(errno, "KVM_IOEVENTFD 0x%llx", (unsigned long long)addr);
	return 0;
}

int vm_cmdline_append(struct vm *vm, const char *fmt, ...)
{
	size_t len = strlen(vm->cmdline);
	size_t start = len ? len + 1 : 0; /* words are separated by one space */
	va_list ap;
	int n;

	if (start >= sizeof(vm->cmdline))
		goto full;
	va_start(ap, fmt);
	n = vsnprintf(vm->cmdline + start, sizeof(vm->cmdline) - start, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(vm->cmdline) - start) {
		vm->cmdline[len] = '\0'; /* leave the command line as it was */
		goto full;
	}
	if (len)
		vm->cmdline[len] = ' ';
	return 0;
full:
	return err_setx(E2BIG, "kernel command line longer than %d bytes", VM_CMDLINE_MAX - 1);
}

int vm_alloc_mmio_slot(struct vm *vm, uint64_t *base, unsigned *gsi)
{
	uint64_t b;
	unsigned g;
	int ret;

	if (arch_mmio_slot(vm->next_mmio_slot, &b, &g) < 0)
		return err_setx(ENOSPC, "too many virtio devices (no GSI left)");
	ret = vm_cmdline_append(vm, "virtio_mmio.device=4K@0x%llx:%u", (unsigned long long)b, g);
	if (ret < 0)
		return ret;
	vm->next_mmio_slot++;
	*base = b;
	*gsi = g;
	return 0;
}
