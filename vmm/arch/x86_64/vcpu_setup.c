/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The x86_64 half of a vCPU (vmm/arch/arch.h): CPUID, MSRs, LAPIC, FPU and,
 * for vCPU 0, the boot registers; the registers kept at each exit and the
 * line a triple fault prints.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch/x86_64/arch_state.h"
#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/msr.h"
#include "common/error.h"
#include "vcpu.h"

/* LAPIC register offsets and LVT delivery modes. */
#define APIC_LVT0 0x350
#define APIC_LVT1 0x360
#define APIC_MODE_NMI 0x4
#define APIC_MODE_EXTINT 0x7

#define FPU_DEFAULT_FCW 0x37f
#define FPU_DEFAULT_MXCSR 0x1f80

/* What KVM_CAP_SYNC_REGS must offer for the registers of the last exit. */
#define SYNC_REGS (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)

static uint32_t apic_get(const struct kvm_lapic_state *l, unsigned off)
{
	uint32_t v;

	memcpy(&v, &l->regs[off], sizeof(v));
	return v;
}

static void apic_set(struct kvm_lapic_state *l, unsigned off, uint32_t v)
{
	memcpy(&l->regs[off], &v, sizeof(v));
}

/* LINT0 delivers the PIC's ExtINT, LINT1 the NMI: what a BIOS would leave (MP spec). */
static int vcpu_setup_lapic(struct vcpu *v)
{
	struct kvm_lapic_state lapic;

	memset(&lapic, 0, sizeof(lapic));
	if (ioctl(v->fd, KVM_GET_LAPIC, &lapic) < 0)
		return err_set(errno, "vCPU %u: KVM_GET_LAPIC", v->id);
	apic_set(&lapic, APIC_LVT0,
		 (apic_get(&lapic, APIC_LVT0) & ~0x700u) | (APIC_MODE_EXTINT << 8));
	apic_set(&lapic, APIC_LVT1, (apic_get(&lapic, APIC_LVT1) & ~0x700u) | (APIC_MODE_NMI << 8));
	if (ioctl(v->fd, KVM_SET_LAPIC, &lapic) < 0)
		return err_set(errno, "vCPU %u: KVM_SET_LAPIC", v->id);
	return 0;
}

static int vcpu_setup_fpu(struct vcpu *v)
{
	struct kvm_fpu fpu;

	memset(&fpu, 0, sizeof(fpu));
	fpu.fcw = FPU_DEFAULT_FCW;
	fpu.mxcsr = FPU_DEFAULT_MXCSR;
	if (ioctl(v->fd, KVM_SET_FPU, &fpu) < 0)
		return err_set(errno, "vCPU %u: KVM_SET_FPU", v->id);
	return 0;
}

/* Only the boot vCPU gets entry state; the APs wait for INIT/SIPI in the LAPIC. */
static int vcpu_setup_boot_regs(struct vcpu *v, const struct x86_boot_info *boot)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	memset(&sregs, 0, sizeof(sregs));
	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		return err_set(errno, "vCPU %u: KVM_GET_SREGS", v->id);
	x86_boot_sregs(&sregs);
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0)
		return err_set(errno, "vCPU %u: KVM_SET_SREGS", v->id);
	memset(&regs, 0, sizeof(regs));
	x86_boot_regs(&regs, boot);
	if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
		return err_set(errno, "vCPU %u: KVM_SET_REGS", v->id);
	return 0;
}

static int vcpu_setup_cpuid(struct vcpu *v, const struct arch_vm *a)
{
	struct x86_cpuid_opts o = {
	    .cpu = v->id,
	    .ncpus = (unsigned)v->vm->ncpus,
	    .tsc_deadline = a->tsc_deadline,
	    .arch_caps_msr = x86_msr_arch_caps_usable(v->fd, a->msrs),
	};
	struct kvm_cpuid2 *cpuid;
	int ret;

	ret = x86_cpuid_for_vcpu(a->cpuid, &o, &cpuid);
	if (ret < 0)
		return ret;
	if (ioctl(v->fd, KVM_SET_CPUID2, cpuid) < 0)
		ret = err_set(errno, "vCPU %u: KVM_SET_CPUID2", v->id);
	free(cpuid);
	return ret;
}

int arch_vcpus_prepare(struct vm *vm)
{
	struct arch_vm *a = vm->arch;
	int ret, caps;

	ret = x86_cpuid_supported(vm->kvm_fd, &a->cpuid);
	if (ret < 0)
		return ret;
	ret = x86_msr_index_list(vm->kvm_fd, &a->msrs);
	if (ret < 0)
		return ret;
	a->tsc_deadline = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) > 0;
	/*
	 * The registers of each exit, without an ioctl; asked of the VM (a VM
	 * type may refuse what /dev/kvm offers). PVM, for one, may not offer it.
	 */
	caps = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);
	a->sync_regs = caps > 0 && (caps & SYNC_REGS) == SYNC_REGS;
	return 0;
}

void arch_vcpus_release(struct vm *vm)
{
	struct arch_vm *a = vm->arch;

	if (!a)
		return;
	free(a->cpuid);
	free(a->msrs);
	a->cpuid = NULL;
	a->msrs = NULL;
}

int arch_vcpu_init(struct vcpu *v)
{
	const struct arch_vm *a = v->vm->arch;
	int ret;

	v->arch = calloc(1, sizeof(*v->arch));
	if (!v->arch)
		return err_set(ENOMEM, "vCPU %u", v->id);
	ret = vcpu_setup_cpuid(v, a);
	if (ret < 0)
		return ret;
	ret = x86_msr_setup(v->fd, a->msrs);
	if (ret < 0)
		return err_prefix(ret, "vCPU %u", v->id);
	ret = vcpu_setup_lapic(v);
	if (ret < 0)
		return ret;
	ret = vcpu_setup_fpu(v);
	if (ret < 0)
		return ret;
	if (a->sync_regs)
		v->run->kvm_valid_regs = SYNC_REGS;
	if (v->id == 0)
		return vcpu_setup_boot_regs(v, &a->boot);
	return 0;
}

void arch_vcpu_destroy(struct vcpu *v)
{
	free(v->arch);
	v->arch = NULL;
}

void arch_vcpu_record_exit(struct vcpu *v)
{
	x86_last_exit_record(&v->arch->last_exit, v->run, v->vm->arch->sync_regs);
}

static bool vcpu_rip(struct vcpu *v, uint64_t *rip)
{
	struct kvm_regs regs;

	memset(&regs, 0, sizeof(regs));
	if (ioctl(v->fd, KVM_GET_REGS, &regs) < 0)
		return false;
	*rip = regs.rip;
	return true;
}

void arch_vcpu_shutdown_msg(struct vcpu *v, char *buf, size_t len)
{
	bool synced = v->vm->arch->sync_regs;
	uint64_t rip = 0;
	bool now_known;

	/* The shutdown's own registers: after the reset on AMD, where it happened on Intel. */
	if (synced) {
		rip = v->run->s.regs.regs.rip;
		now_known = true;
	} else {
		now_known = vcpu_rip(v, &rip);
	}
	x86_shutdown_msg(buf, len, &v->arch->last_exit, synced, now_known, rip);
}

void arch_vcpu_where(struct vcpu *v, char *buf, size_t len)
{
	uint64_t rip = 0;

	vcpu_rip(v, &rip);
	snprintf(buf, len, "RIP 0x%llx", (unsigned long long)rip);
}
