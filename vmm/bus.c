/* SPDX-License-Identifier: Apache-2.0 */
#include "bus.h"

#include <errno.h>
#include <string.h>

int bus_register(struct bus *b, uint64_t base, uint64_t len, bus_access_fn fn, void *opaque)
{
	if (len == 0 || base + len < base)
		return -EINVAL;
	for (unsigned i = 0; i < b->nr; i++) {
		const struct bus_range *r = &b->r[i];

		if (base < r->base + r->len && r->base < base + len)
			return -EBUSY;
	}
	if (b->nr == BUS_MAX_RANGES)
		return -ENOSPC;
	b->r[b->nr++] = (struct bus_range){base, len, fn, opaque};
	return 0;
}

bool bus_access(struct bus *b, uint64_t addr, uint8_t *data, uint32_t len, bool is_write)
{
	for (unsigned i = 0; i < b->nr; i++) {
		const struct bus_range *r = &b->r[i];

		if (addr >= r->base && addr - r->base < r->len) {
			r->fn(r->opaque, addr - r->base, data, len, is_write);
			return true;
		}
	}
	if (!is_write)
		memset(data, 0xff, len);
	return false;
}
