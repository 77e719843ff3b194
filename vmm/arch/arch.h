/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the generic VM and vCPU code (vm.c, vcpu.c) asks of the CPU
 * architecture. Each architecture implements all of it in its own folder,
 * vmm/arch/<arch>/, and the build compiles exactly one such folder
 * (x86_64 today). Generic code keeps the KVM fds, the vCPU threads, the
 * KVM_RUN loop, the exit dispatch to the buses and the teardown; the arch
 * keeps what differs between CPUs: interrupt controllers and timers, the
 * memory map, how the kernel is loaded, the registers a vCPU starts with,
 * and what a vCPU's registers say when something goes wrong.
 */
#ifndef OZONE_VMM_ARCH_H
#define OZONE_VMM_ARCH_H

#include <stddef.h>
#include <stdint.h>

struct vm;
struct vcpu;

/* The arch's state for one VM and for one vCPU (vm->arch, vcpu->arch). */
struct arch_vm;
struct arch_vcpu;

/* Checks that /dev/kvm has the capabilities this arch needs (one line: which is missing). */
int arch_kvm_check(int kvm_fd);
/*
 * Right after KVM_CREATE_VM: allocates vm->arch and creates what the arch
 * keeps in the kernel (x86_64: the TSS and identity map pages, the PIC,
 * IOAPIC and LAPICs, the PIT).
 */
int arch_vm_init(struct vm *vm);
/* Frees vm->arch (nothing if arch_vm_init never ran). */
void arch_vm_destroy(struct vm *vm);

/* The guest physical range that holds no RAM (the MMIO hole). */
void arch_mmio_hole(uint64_t *start, uint64_t *end);
/* The window and interrupt line of virtio-mmio slot `slot`; -ENOSPC when there is none. */
int arch_mmio_slot(unsigned slot, uint64_t *base, unsigned *gsi);

/*
 * Loads the kernel, the optional initrd and the command line into guest
 * memory with whatever the arch's boot protocol needs beside them, and
 * keeps the boot vCPU's entry state in vm->arch.
 */
int arch_boot_load(struct vm *vm, const char *kernel, const char *initrd, const char *cmdline);

/*
 * vCPUs: arch_vcpus_prepare() once before the first arch_vcpu_init() (it
 * reads what KVM supports), arch_vcpus_release() once after the last.
 * arch_vcpu_init() runs after KVM_CREATE_VCPU and the kvm_run mapping; it
 * sets the vCPU's CPU model and, for vCPU 0, the entry state.
 */
int arch_vcpus_prepare(struct vm *vm);
void arch_vcpus_release(struct vm *vm);
int arch_vcpu_init(struct vcpu *v);
/* Frees v->arch (nothing if arch_vcpu_init never ran). */
void arch_vcpu_destroy(struct vcpu *v);

/*
 * After every return from KVM_RUN but a shutdown: keeps what this exit
 * says (its reason, its port or address, the registers when KVM syncs
 * them into kvm_run). Called on every exit: it must stay a few copies.
 */
void arch_vcpu_record_exit(struct vcpu *v);
/*
 * The text after "vCPU N: " for a KVM_EXIT_SHUTDOWN: what it means on this
 * arch, where the vCPU was at its last recorded exit, and where it is now.
 */
void arch_vcpu_shutdown_msg(struct vcpu *v, char *buf, size_t len);
/* "<program counter's name> 0x<value>" now, for error messages (0 if it cannot be read). */
void arch_vcpu_where(struct vcpu *v, char *buf, size_t len);

#endif
