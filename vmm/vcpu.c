/* SPDX-License-Identifier: Apache-2.0 */
#include "vcpu.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arch/arch.h"
#include "common/error.h"
#include "seccomp_policy.h"

/* The signal that kicks a vCPU thread out of KVM_RUN. */
#define VCPU_KICK_SIGNAL SIGUSR1

static void kick_handler(int sig)
{
	/* Only there so that the signal interrupts KVM_RUN instead of killing us. */
	(void)sig;
}

static int vcpu_init(struct vcpu *v)
{
	void *run;

	v->fd = ioctl(v->vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)v->id);
	if (v->fd < 0)
		return err_set(errno, "KVM_CREATE_VCPU %u", v->id);
	run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (run == MAP_FAILED)
		return err_set(errno, "vCPU %u: mmap kvm_run", v->id);
	v->run = run;
	return arch_vcpu_init(v);
}

int vcpus_create(struct vm *vm)
{
	int run_size, ret;

	run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size < (int)sizeof(struct kvm_run))
		return err_set(run_size < 0 ? errno : EINVAL, "KVM_GET_VCPU_MMAP_SIZE");
	vm->vcpus = calloc((size_t)vm->ncpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return err_set(ENOMEM, "vCPUs");
	for (int i = 0; i < vm->ncpus; i++) {
		vm->vcpus[i].vm = vm;
		vm->vcpus[i].id = (unsigned)i;
		vm->vcpus[i].fd = -1;
		vm->vcpus[i].run_size = (size_t)run_size;
	}

	ret = arch_vcpus_prepare(vm);
	if (ret < 0)
		goto out;
	for (int i = 0; i < vm->ncpus; i++) {
		ret = vcpu_init(&vm->vcpus[i]);
		if (ret < 0)
			break;
	}
out:
	arch_vcpus_release(vm);
	if (ret < 0)
		vcpus_destroy(vm);
	return ret;
}

void vcpus_destroy(struct vm *vm)
{
	if (!vm->vcpus)
		return;
	for (int i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		arch_vcpu_destroy(v);
		if (v->run)
			munmap(v->run, v->run_size);
		if (v->fd >= 0)
			close(v->fd);
	}
	free(vm->vcpus);
	vm->vcpus = NULL;
}

static bool exit_requested(struct vm *vm)
{
	return atomic_load(&vm->exit_reason) != VM_RUNNING;
}

static void vcpu_fail(struct vcpu *v, const char *what, unsigned long long code)
{
	char msg[160], where[48];

	arch_vcpu_where(v, where, sizeof(where));
	snprintf(msg, sizeof(msg), "vCPU %u: %s (0x%llx) at %s", v->id, what, code, where);
	vm_request_exit(v->vm, VM_EXIT_ERROR, msg);
}

static void vcpu_handle_io(struct vcpu *v)
{
	struct kvm_run *r = v->run;
	uint8_t *data = (uint8_t *)r + r->io.data_offset;
	bool write = r->io.direction == KVM_EXIT_IO_OUT;

	/* A string instruction (rep ins/outs) hands us `count` items at once. */
	for (uint32_t i = 0; i < r->io.count; i++) {
		bus_access(&v->vm->pio, r->io.port, data, r->io.size, write);
		data += r->io.size;
	}
}

static void vcpu_handle_system_event(struct vcpu *v)
{
	switch (v->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm_request_exit(v->vm, VM_EXIT_POWEROFF, NULL);
		break;
	case KVM_SYSTEM_EVENT_RESET:
		vm_request_exit(v->vm, VM_EXIT_REBOOT, NULL);
		break;
	case KVM_SYSTEM_EVENT_CRASH:
		vm_request_exit(v->vm, VM_EXIT_PANIC, "guest kernel panicked");
		break;
	default:
		vcpu_fail(v, "unknown system event", v->run->system_event.type);
		break;
	}
}

/*
 * A triple fault on x86: what a PC does then is reset, which ends the VM as
 * a reboot does. Said on stderr, with where the guest was at its last exit
 * (the arch's words): unlike a reboot the guest asked for, it is the
 * guest's CPU giving up, and only this line tells.
 */
static void vcpu_shutdown(struct vcpu *v)
{
	char msg[384];

	arch_vcpu_shutdown_msg(v, msg, sizeof(msg));
	fprintf(stderr, "ozone-vmm: vCPU %u: %s\n", v->id, msg);
	vm_request_exit(v->vm, VM_EXIT_REBOOT, NULL);
}

/* Handles one exit; false when the vCPU must stop. */
static bool vcpu_handle_exit(struct vcpu *v)
{
	struct kvm_run *r = v->run;

	switch (r->exit_reason) {
	case KVM_EXIT_IO:
		vcpu_handle_io(v);
		return true;
	case KVM_EXIT_MMIO:
		bus_access(&v->vm->mmio, r->mmio.phys_addr, r->mmio.data, r->mmio.len,
			   r->mmio.is_write);
		return true;
	case KVM_EXIT_HLT:
		/* Only without an in-kernel LAPIC; ours has one, so just go on. */
		return true;
	case KVM_EXIT_INTR:
		return true;
	case KVM_EXIT_SHUTDOWN:
		vcpu_shutdown(v);
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		vcpu_handle_system_event(v);
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		vcpu_fail(v, "KVM_EXIT_FAIL_ENTRY, hardware entry failure reason",
			  r->fail_entry.hardware_entry_failure_reason);
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		vcpu_fail(v, "KVM_EXIT_INTERNAL_ERROR, suberror", r->internal.suberror);
		return false;
	default:
		vcpu_fail(v, "unexpected KVM exit reason", r->exit_reason);
		return false;
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	char name[16];

	snprintf(name, sizeof(name), "vcpu%u", v->id);
	pthread_setname_np(pthread_self(), name);
	/* Confined before the guest runs a single instruction on this vCPU. */
	if (seccomp_policy_apply(VMM_THREAD_VCPU) < 0) {
		char msg[160];

		snprintf(msg, sizeof(msg), "vCPU %u: %s", v->id, err_msg());
		vm_request_exit(v->vm, VM_EXIT_ERROR, msg);
		return NULL;
	}
	while (!exit_requested(v->vm)) {
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				v->run->immediate_exit = 0;
				arch_vcpu_record_exit(v);
				continue;
			}
			char msg[96];

			snprintf(msg, sizeof(msg), "vCPU %u: KVM_RUN: %s", v->id, strerror(errno));
			vm_request_exit(v->vm, VM_EXIT_ERROR, msg);
			break;
		}
		if (!vcpu_handle_exit(v))
			break;
		/* After the handling: a shutdown must still see the exit before it. */
		arch_vcpu_record_exit(v);
	}
	return NULL;
}

static int install_kick_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;
	sigemptyset(&sa.sa_mask);
	if (sigaction(VCPU_KICK_SIGNAL, &sa, NULL) < 0)
		return err_set(errno, "sigaction");
	return 0;
}

int vcpus_start(struct vm *vm)
{
	sigset_t all, old;
	int ret;

	ret = install_kick_handler();
	if (ret < 0)
		return ret;
	/* vCPU threads take no signal but the kick: they inherit this mask. */
	sigfillset(&all);
	sigdelset(&all, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (int i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		ret = -pthread_create(&v->thread, NULL, vcpu_thread, v);
		if (ret < 0) {
			err_set(-ret, "start vCPU %u thread", v->id);
			break;
		}
		v->started = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret < 0) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", err_msg());
		vm_request_exit(vm, VM_EXIT_ERROR, msg);
		vcpus_stop(vm);
	}
	return ret;
}

void vcpus_kick(struct vm *vm)
{
	if (!vm->vcpus)
		return;
	for (int i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (!v->started)
			continue;
		/* If the signal lands before KVM_RUN is entered, this makes KVM_RUN return at once.
		 */
		v->run->immediate_exit = 1;
		pthread_kill(v->thread, VCPU_KICK_SIGNAL);
	}
}

void vcpus_stop(struct vm *vm)
{
	if (!vm->vcpus)
		return;
	vcpus_kick(vm);
	for (int i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (!v->started)
			continue;
		pthread_join(v->thread, NULL);
		v->started = false;
	}
}
