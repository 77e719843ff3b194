/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One virtual machine: the KVM fds, guest memory, the I/O buses, the vCPU
 * threads and the device event loop. Devices see only what this header
 * offers: memory, buses, interrupts, ioeventfds and the event loop.
 */
#ifndef OZONE_VMM_VM_H
#define OZONE_VMM_VM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>

#include "bus.h"
#include "evloop.h"
#include "guest_mem.h"

#define VM_MAX_CPUS 64
#define VM_CMDLINE_MAX 4096

/* Why the VM stopped; decides ozone-vmm's exit status. */
enum vm_exit_reason {
	VM_RUNNING = 0,
	VM_EXIT_POWEROFF, /* guest powered off: exit 0 */
	VM_EXIT_REBOOT,	  /* guest rebooted (i8042 reset, triple fault): exit 0 */
	VM_EXIT_SIGNAL,	  /* SIGTERM/SIGINT: exit 0 after a clean stop */
	VM_EXIT_PANIC,	  /* guest panic (pvpanic or panic message): non-zero */
	VM_EXIT_ERROR,	  /* internal or KVM error: non-zero */
};

struct vcpu;
struct arch_vm;

struct vm {
	int kvm_fd;
	int vm_fd;
	int ncpus;
	uint64_t mem_size;
	struct guest_mem mem;
	struct bus pio;
	struct bus mmio;
	struct evloop *loop;
	struct vcpu *vcpus;
	struct arch_vm *arch; /* arch/arch.h */
	/* Kernel command line being built: devices append their own words. */
	char cmdline[VM_CMDLINE_MAX];
	/* Next free virtio-mmio slot (base address and GSI). */
	unsigned next_mmio_slot;
	_Atomic int exit_reason; /* enum vm_exit_reason, first writer wins */
	char exit_msg[256];
};

/*
 * Opens /dev/kvm, checks the API version and capabilities, creates the VM
 * with what the arch keeps in the kernel (arch_vm_init()), maps `mem_size` bytes of guest memory
 * and creates the event loop. On failure everything made so far is undone.
 */
int vm_create(struct vm *vm, unsigned ncpus, uint64_t mem_size);
/* Frees what vm_create made; the vCPUs must already be destroyed. */
void vm_destroy(struct vm *vm);

/* Stops every vCPU and the event loop; the first reason given is kept. */
void vm_request_exit(struct vm *vm, enum vm_exit_reason reason, const char *msg);

/* Sets a GSI's level (KVM_IRQ_LINE), for devices without an irqfd. */
int vm_irq_line(struct vm *vm, unsigned gsi, int level);
/* Routes eventfd `fd` to GSI `gsi` (KVM_IRQFD). */
int vm_irqfd(struct vm *vm, int fd, unsigned gsi);
/* Makes a guest write of `len` bytes to `addr` (MMIO) signal `fd` (KVM_IOEVENTFD);
 * with `has_match`, only when the value equals `match`. */
int vm_ioeventfd(struct vm *vm, int fd, uint64_t addr, uint32_t len, bool has_match,
		 uint64_t match);

/* Appends " <word>" to the kernel command line; -E2BIG when full. */
int vm_cmdline_append(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Allocates the next virtio-mmio slot: a 4 KiB window in the MMIO hole and
 * a GSI, and announces it on the command line
 * ("virtio_mmio.device=4K@0x...:<gsi>").
 */
int vm_alloc_mmio_slot(struct vm *vm, uint64_t *base, unsigned *gsi);

#endif
