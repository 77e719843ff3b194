/* SPDX-License-Identifier: Apache-2.0 */
#include "guest_mem.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "common/error.h"

/*
 * Maps `size` bytes starting on a GUEST_MEM_HOST_ALIGN boundary: a guest
 * frame of that size is then exactly one transparent huge page of the host,
 * so the 4 MiB blocks virtio-balloon discards free whole huge pages at once
 * (a huge page only partly discarded stays allocated until the host kernel
 * splits it under pressure).
 */
static void *map_aligned(uint64_t size)
{
	const uint64_t align = GUEST_MEM_HOST_ALIGN;
	uint8_t *raw, *p;
	uint64_t head;

	if (size > UINT64_MAX - align)
		return MAP_FAILED;
	raw = mmap(NULL, size + align, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED)
		return MAP_FAILED;
	head = -(uintptr_t)raw & (align - 1);
	p = raw + head;
	if (head)
		munmap(raw, head);
	munmap(p + size, align - head);
	return p;
}

int guest_mem_alloc(struct guest_mem *m, uint64_t size, uint64_t hole_start, uint64_t hole_end)
{
	void *p;

	memset(m, 0, sizeof(*m));
	if (size == 0 || hole_end < hole_start)
		return err_setx(EINVAL, "guest memory: invalid size");
	p = map_aligned(size);
	if (p == MAP_FAILED)
		return err_set(errno ?: ENOMEM, "mmap %llu bytes of guest memory",
			       (unsigned long long)size);
	/* Guest RAM is never in a core dump nor copied by a fork of the VMM. */
	madvise(p, size, MADV_DONTFORK);
	madvise(p, size, MADV_DONTDUMP);
	m->owned = true;
	m->total = size;
	m->r[0].gpa = 0;
	m->r[0].host = p;
	m->r[0].size = size < hole_start ? size : hole_start;
	m->nr = 1;
	if (size > hole_start) {
		m->r[1].gpa = hole_end;
		m->r[1].host = (uint8_t *)p + hole_start;
		m->r[1].size = size - hole_start;
		m->nr = 2;
	}
	return 0;
}

void guest_mem_init_flat(struct guest_mem *m, void *buf, uint64_t size)
{
	memset(m, 0, sizeof(*m));
	m->r[0].host = buf;
	m->r[0].size = size;
	m->nr = 1;
	m->total = size;
}

void guest_mem_free(struct guest_mem *m)
{
	if (m->owned && m->nr)
		munmap(m->r[0].host, m->total);
	memset(m, 0, sizeof(*m));
}

void *guest_mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < m->nr; i++) {
		const struct guest_region *r = &m->r[i];

		if (gpa < r->gpa)
			continue;
		uint64_t off = gpa - r->gpa;
		/* off <= size and len <= size - off: no overflow possible. */
		if (off > r->size || len > r->size - off)
			continue;
		return r->host + off;
	}
	return NULL;
}

int guest_mem_read(const struct guest_mem *m, uint64_t gpa, void *dst, uint64_t len)
{
	void *p = guest_mem_ptr(m, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(dst, p, len);
	return 0;
}

int guest_mem_write(const struct guest_mem *m, uint64_t gpa, const void *src, uint64_t len)
{
	void *p = guest_mem_ptr(m, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(p, src, len);
	return 0;
}

int guest_mem_discard(const struct guest_mem *m, const void *host, uint64_t len,
		      uint64_t *discarded)
{
	uintptr_t h = (uintptr_t)host;

	*discarded = 0;
	for (unsigned i = 0; i < m->nr; i++) {
		const struct guest_region *r = &m->r[i];
		uintptr_t base = (uintptr_t)r->host;
		uint64_t off, gpa, head, tail;
		uint8_t *p;

		if (h < base)
			continue;
		off = h - base;
		/* off <= size and len <= size - off: no overflow possible. */
		if (off > r->size || len > r->size - off)
			continue;
		/* Round inward on guest pages: the bytes before the first and after the last
		 * boundary stay. The low bits of gpa + len are right even if the sum wraps. */
		gpa = r->gpa + off;
		head = -gpa & (GUEST_PAGE_SIZE - 1);
		tail = (gpa + len) & (GUEST_PAGE_SIZE - 1);
		if (len <= head + tail)
			return 0;
		p = r->host + off + head;
		if ((uintptr_t)p & (GUEST_PAGE_SIZE - 1))
			return err_setx(EINVAL, "guest memory: region %u is not page-aligned", i);
		if (madvise(p, len - head - tail, MADV_DONTNEED) < 0)
			return err_set(errno, "madvise(MADV_DONTNEED) on guest memory");
		*discarded = len - head - tail;
		return 0;
	}
	return err_setx(EFAULT, "guest memory: discard of a range outside guest RAM");
}
