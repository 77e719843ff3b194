/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The x86_64 half of a VM (vmm/arch/arch.h): the capabilities it needs, the
 * in-kernel PIC, IOAPIC, LAPICs and PIT, the memory map's hole and
 * virtio-mmio slots, and the direct kernel boot.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "arch/x86_64/arch_state.h"
#include "arch/x86_64/layout.h"
#include "common/error.h"
#include "common/util.h"
#include "vm.h"

/* Where KVM puts the real-mode TSS (3 pages) and the EPT identity map page. */
#define X86_TSS_ADDR 0xfffbd000ULL
#define X86_IDENTITY_MAP_ADDR 0xfffbc000ULL

/* Last GSI the IOAPIC has (24 pins). */
#define X86_MAX_GSI 23
/* GSI 8 is the RTC's by ISA convention: a guest may assume it. */
#define X86_RTC_GSI 8

static const struct {
	int cap;
	const char *name;
} required_caps[] = {
    {KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR"},
    {KVM_CAP_PIT2, "KVM_CAP_PIT2"},
    {KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID"},
};

int arch_kvm_check(int kvm_fd)
{
	for (size_t i = 0; i < ARRAY_SIZE(required_caps); i++) {
		if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, required_caps[i].cap) <= 0)
			return err_setx(ENOTSUP, "/dev/kvm: %s not supported",
					required_caps[i].name);
	}
	return 0;
}

int arch_vm_init(struct vm *vm)
{
	struct kvm_pit_config pit = {.flags = KVM_PIT_SPEAKER_DUMMY};
	uint64_t identity = X86_IDENTITY_MAP_ADDR;

	vm->arch = calloc(1, sizeof(*vm->arch));
	if (!vm->arch)
		return err_set(ENOMEM, "VM state");
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)X86_TSS_ADDR) < 0)
		return err_set(errno, "KVM_SET_TSS_ADDR");
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0 &&
	    ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &identity) < 0)
		return err_set(errno, "KVM_SET_IDENTITY_MAP_ADDR");
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return err_set(errno, "KVM_CREATE_IRQCHIP");
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		return err_set(errno, "KVM_CREATE_PIT2");
	return 0;
}

void arch_vm_destroy(struct vm *vm)
{
	if (!vm->arch)
		return;
	arch_vcpus_release(vm);
	free(vm->arch);
	vm->arch = NULL;
}

void arch_mmio_hole(uint64_t *start, uint64_t *end)
{
	*start = X86_MMIO_HOLE_START;
	*end = X86_MMIO_HOLE_END;
}

int arch_mmio_slot(unsigned slot, uint64_t *base, unsigned *gsi)
{
	unsigned g = X86_VIRTIO_FIRST_GSI + slot;

	if (g >= X86_RTC_GSI)
		g++;
	if (g > X86_MAX_GSI)
		return -ENOSPC;
	*base = X86_VIRTIO_MMIO_BASE + (uint64_t)slot * X86_VIRTIO_MMIO_SIZE;
	*gsi = g;
	return 0;
}

/* The kernel and the zero page, then the MP table, so that SMP works without ACPI. */
int arch_boot_load(struct vm *vm, const char *kernel, const char *initrd, const char *cmdline)
{
	int ret = x86_boot_load(&vm->mem, kernel, initrd, cmdline, &vm->arch->boot);

	if (ret < 0)
		return ret;
	return x86_mptable_write(&vm->mem, (unsigned)vm->ncpus);
}
