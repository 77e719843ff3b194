/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guest physical memory: at most two regions of host memory (below and
 * above the 32-bit MMIO hole). Every access that starts from a guest-supplied
 * address goes through guest_mem_ptr(), which checks that the whole range
 * lies inside one region and does not overflow.
 */
#ifndef OZONE_VMM_GUEST_MEM_H
#define OZONE_VMM_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_MEM_MAX_REGIONS 2
/* The guest's page size (x86-64), which is also the host's. */
#define GUEST_PAGE_SIZE 4096ULL
/* Host alignment of guest RAM: the host's transparent huge page size (x86-64). */
#define GUEST_MEM_HOST_ALIGN (2ULL << 20)

struct guest_region {
	uint64_t gpa;  /* guest physical start */
	uint64_t size; /* bytes */
	uint8_t *host; /* host address of gpa */
};

struct guest_mem {
	struct guest_region r[GUEST_MEM_MAX_REGIONS];
	unsigned nr;
	uint64_t total; /* sum of region sizes */
	bool owned;	/* mmap'd by guest_mem_alloc (unmapped by guest_mem_free) */
};

/*
 * Maps `size` bytes of anonymous MAP_NORESERVE memory (untouched pages cost
 * nothing), aligned on the host to GUEST_MEM_HOST_ALIGN, and lays it out
 * below `hole_start` and, for the rest, from `hole_end` upwards.
 */
int guest_mem_alloc(struct guest_mem *m, uint64_t size, uint64_t hole_start, uint64_t hole_end);
/* Describes caller-owned memory as one region at gpa 0 (tests, fuzzers). */
void guest_mem_init_flat(struct guest_mem *m, void *buf, uint64_t size);
void guest_mem_free(struct guest_mem *m);

/* Host pointer for [gpa, gpa+len) or NULL if any byte is outside guest RAM. */
void *guest_mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len);
/* Copy in/out with bounds checks; 0 or -EFAULT. */
int guest_mem_read(const struct guest_mem *m, uint64_t gpa, void *dst, uint64_t len);
int guest_mem_write(const struct guest_mem *m, uint64_t gpa, const void *src, uint64_t len);

/*
 * Gives the host memory behind the whole guest pages of the host range
 * [host, host+len) back to the host kernel (MADV_DONTNEED): they read as
 * zero afterwards and cost nothing until the guest touches them again. The
 * mapping stays, so pointers into it remain valid. The range must lie inside
 * one region (a buffer of a popped chain does); the partial pages at either
 * end are left alone. *discarded gets the bytes given back (0 when no whole
 * page is inside). 0, -EFAULT (outside guest RAM), -EINVAL (a region that
 * is not page-aligned on the host: caller-made memory) or madvise's -errno.
 */
int guest_mem_discard(const struct guest_mem *m, const void *host, uint64_t len,
		      uint64_t *discarded);

#endif
