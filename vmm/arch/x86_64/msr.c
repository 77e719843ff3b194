/* SPDX-License-Identifier: Apache-2.0 */
#include "arch/x86_64/msr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "common/error.h"
#include "common/util.h"

#define MSR_IA32_TSC 0x10
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SYSCALL_MASK 0xc0000084
#define MSR_KERNEL_GS_BASE 0xc0000102

#define MISC_ENABLE_FAST_STRING 1ULL
/* MTRRs enabled, default memory type write-back: all RAM is cacheable. */
#define MTRR_DEF_TYPE_ENABLE (1ULL << 11)
#define MTRR_TYPE_WRBACK 6ULL

#define MSR_LIST_MAX 1024

/*
 * struct kvm_msrs followed by room for n entries. A union, not a struct with
 * kvm_msrs as a member: a variable-sized member not at the end is a GNU
 * extension that clang rejects.
 */
#define MSR_BUF(n)                                                                                 \
	union {                                                                                    \
		struct kvm_msrs hdr;                                                               \
		uint8_t bytes[sizeof(struct kvm_msrs) + (n) * sizeof(struct kvm_msr_entry)];       \
	}

static const struct {
	uint32_t index;
	uint64_t value;
} boot_msrs[] = {
    {MSR_IA32_SYSENTER_CS, 0},
    {MSR_IA32_SYSENTER_ESP, 0},
    {MSR_IA32_SYSENTER_EIP, 0},
    {MSR_STAR, 0},
    {MSR_CSTAR, 0},
    {MSR_KERNEL_GS_BASE, 0},
    {MSR_SYSCALL_MASK, 0},
    {MSR_LSTAR, 0},
    {MSR_IA32_TSC, 0},
    {MSR_IA32_MISC_ENABLE, MISC_ENABLE_FAST_STRING},
    {MSR_MTRR_DEF_TYPE, MTRR_DEF_TYPE_ENABLE | MTRR_TYPE_WRBACK},
};
#define NR_BOOT_MSRS ARRAY_SIZE(boot_msrs)

int x86_msr_index_list(int kvm_fd, struct kvm_msr_list **out)
{
	struct kvm_msr_list *l = calloc(1, sizeof(*l) + MSR_LIST_MAX * sizeof(l->indices[0]));

	if (!l)
		return err_set(ENOMEM, "MSR index list");
	l->nmsrs = MSR_LIST_MAX;
	if (ioctl(kvm_fd, KVM_GET_MSR_INDEX_LIST, l) < 0) {
		int ret = err_set(errno, "KVM_GET_MSR_INDEX_LIST");

		free(l);
		return ret;
	}
	*out = l;
	return 0;
}

bool x86_msr_listed(const struct kvm_msr_list *list, uint32_t index)
{
	for (uint32_t i = 0; i < list->nmsrs; i++)
		if (list->indices[i] == index)
			return true;
	return false;
}

bool x86_msr_arch_caps_usable(int vcpu_fd, const struct kvm_msr_list *list)
{
	MSR_BUF(1) msrs;

	if (!x86_msr_listed(list, MSR_IA32_ARCH_CAPABILITIES))
		return false;
	memset(&msrs, 0, sizeof(msrs));
	msrs.hdr.nmsrs = 1;
	msrs.hdr.entries[0].index = MSR_IA32_ARCH_CAPABILITIES;
	return ioctl(vcpu_fd, KVM_GET_MSRS, &msrs) == 1 && msrs.hdr.entries[0].data != 0;
}

int x86_msr_setup(int vcpu_fd, const struct kvm_msr_list *list)
{
	MSR_BUF(NR_BOOT_MSRS) msrs;
	int n;

	memset(&msrs, 0, sizeof(msrs));
	for (size_t i = 0; i < NR_BOOT_MSRS; i++) {
		if (!x86_msr_listed(list, boot_msrs[i].index))
			continue;
		msrs.hdr.entries[msrs.hdr.nmsrs].index = boot_msrs[i].index;
		msrs.hdr.entries[msrs.hdr.nmsrs].data = boot_msrs[i].value;
		msrs.hdr.nmsrs++;
	}
	/* KVM_SET_MSRS returns how many it set: stops at the first it refuses. */
	n = ioctl(vcpu_fd, KVM_SET_MSRS, &msrs);
	if (n < 0)
		return err_set(errno, "KVM_SET_MSRS");
	if ((uint32_t)n != msrs.hdr.nmsrs)
		return err_setx(EINVAL, "KVM_SET_MSRS: MSR 0x%x refused",
				msrs.hdr.entries[n].index);
	return 0;
}
