/* SPDX-License-Identifier: Apache-2.0 */
#include "arch/x86_64/cpuid.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "common/error.h"

#define CPUID_MAX_ENTRIES 256

/* Leaf 1 */
#define CPUID1_ECX_MONITOR (1u << 3)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define CPUID1_EDX_HTT (1u << 28)
/* Leaf 6: only "APIC timer always running" is true of a KVM LAPIC. */
#define CPUID6_EAX_ARAT (1u << 2)
/* Leaf 7.0 */
#define CPUID7_EDX_ARCH_CAPABILITIES (1u << 29)
/* Leaves 0xb/0x1f level types */
#define TOPO_LEVEL_SMT 1
#define TOPO_LEVEL_CORE 2

#define CPUID_VENDOR_AMD_EBX 0x68747541 /* "Auth" of AuthenticAMD */

int x86_cpuid_supported(int kvm_fd, struct kvm_cpuid2 **out)
{
	struct kvm_cpuid2 *c;
	size_t size = sizeof(*c) + CPUID_MAX_ENTRIES * sizeof(c->entries[0]);

	/* Zeroed so that tools that do not know this ioctl see defined memory. */
	c = calloc(1, size);
	if (!c)
		return err_set(ENOMEM, "CPUID table");
	c->nent = CPUID_MAX_ENTRIES;
	if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) < 0) {
		int ret = err_set(errno, "KVM_GET_SUPPORTED_CPUID");

		free(c);
		return ret;
	}
	*out = c;
	return 0;
}

/* Bits needed to number `n` items: the APIC id shift of a topology level. */
static unsigned order(unsigned n)
{
	unsigned s = 0;

	while ((1u << s) < n)
		s++;
	return s;
}

static void set_topology_leaf(struct kvm_cpuid_entry2 *e, const struct x86_cpuid_opts *o)
{
	/* One thread per core, `ncpus` cores in the only package. */
	switch (e->index) {
	case 0:
		e->eax = 0;
		e->ebx = 1;
		e->ecx = (TOPO_LEVEL_SMT << 8) | 0;
		break;
	case 1:
		e->eax = order(o->ncpus);
		e->ebx = o->ncpus;
		e->ecx = (TOPO_LEVEL_CORE << 8) | 1;
		break;
	default:
		e->eax = 0;
		e->ebx = 0;
		e->ecx = e->index & 0xff; /* level type 0: no more levels */
		break;
	}
	e->edx = o->cpu; /* x2APIC id */
}

/* EAX[25:14]: logical processors sharing this cache minus one. Only L3 is shared. */
static uint32_t cache_sharing(uint32_t eax, unsigned ncpus)
{
	unsigned level = (eax >> 5) & 7;
	unsigned sharing = level >= 3 ? ncpus : 1;

	return (eax & ~(0xfffu << 14)) | ((sharing - 1) << 14);
}

static void patch_entry(struct kvm_cpuid_entry2 *e, const struct x86_cpuid_opts *o, bool amd,
			uint32_t max_hv_leaf)
{
	switch (e->function) {
	case 0x1:
		e->ebx = (e->ebx & 0xffff) | (o->cpu << 24) | ((o->ncpus & 0xff) << 16);
		e->ecx |= CPUID1_ECX_HYPERVISOR;
		e->ecx &= ~CPUID1_ECX_MONITOR;
		if (o->tsc_deadline)
			e->ecx |= CPUID1_ECX_TSC_DEADLINE;
		if (o->ncpus > 1)
			e->edx |= CPUID1_EDX_HTT;
		else
			e->edx &= ~CPUID1_EDX_HTT;
		break;
	case 0x4:
		if (amd)
			break;
		/* EAX[31:26]: cores per package minus one. */
		e->eax = cache_sharing(e->eax, o->ncpus);
		e->eax = (e->eax & 0x03ffffff) | ((o->ncpus - 1) << 26);
		break;
	case 0x5: /* MONITOR/MWAIT: not offered */
		e->eax = e->ebx = e->ecx = e->edx = 0;
		break;
	case 0x6: /* thermal and power management: none emulated */
		e->eax &= CPUID6_EAX_ARAT;
		e->ebx = e->ecx = e->edx = 0;
		break;
	case 0x7:
		if (e->index == 0 && !o->arch_caps_msr)
			e->edx &= ~CPUID7_EDX_ARCH_CAPABILITIES;
		break;
	case 0xa: /* no virtual PMU: the guest must not program counters */
		e->eax = e->ebx = e->ecx = e->edx = 0;
		break;
	case 0xb:
	case 0x1f:
		set_topology_leaf(e, o);
		break;
	case 0x40000000:
		e->eax = max_hv_leaf;
		memcpy(&e->ebx, "KVMK", 4);
		memcpy(&e->ecx, "VMKV", 4);
		memcpy(&e->edx, "M\0\0\0", 4);
		break;
	case 0x80000008:
		if (!amd)
			break;
		/* ECX: ApicIdSize[15:12], NC[7:0] = cores minus one. */
		e->ecx = (e->ecx & ~0xf0ffu) | (order(o->ncpus) << 12) | ((o->ncpus - 1) & 0xff);
		break;
	case 0x8000001d:
		if (amd)
			e->eax = cache_sharing(e->eax, o->ncpus);
		break;
	case 0x8000001e:
		if (!amd)
			break;
		e->eax = o->cpu;	/* extended APIC id */
		e->ebx = o->cpu & 0xff; /* core id; threads per core minus one = 0 */
		e->ecx = 0;		/* node 0, one node */
		break;
	}
}

int x86_cpuid_for_vcpu(const struct kvm_cpuid2 *supported, const struct x86_cpuid_opts *o,
		       struct kvm_cpuid2 **out)
{
	size_t size = sizeof(*supported) + supported->nent * sizeof(supported->entries[0]);
	struct kvm_cpuid2 *c = malloc(size);
	uint32_t max_hv_leaf = 0x40000000;
	bool amd = false;

	if (!c)
		return err_set(ENOMEM, "CPUID table");
	memcpy(c, supported, size);
	for (unsigned i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 0 && e->ebx == CPUID_VENDOR_AMD_EBX)
			amd = true;
		if (e->function > max_hv_leaf && e->function < 0x40000100)
			max_hv_leaf = e->function;
	}
	for (unsigned i = 0; i < c->nent; i++)
		patch_entry(&c->entries[i], o, amd, max_hv_leaf);
	*out = c;
	return 0;
}
