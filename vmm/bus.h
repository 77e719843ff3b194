/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Port I/O and MMIO dispatch: a vCPU exit is routed to the device whose
 * range holds the address. Ranges are registered before the first vCPU runs
 * and never change afterwards, so lookups need no lock; a device that is
 * also touched by the event loop thread locks its own state.
 */
#ifndef OZONE_VMM_BUS_H
#define OZONE_VMM_BUS_H

#include <stdbool.h>
#include <stdint.h>

#define BUS_MAX_RANGES 32

/* `offset` is relative to the range's base; `data` holds `len` (1..8) bytes. */
typedef void (*bus_access_fn)(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
			      bool is_write);

struct bus_range {
	uint64_t base;
	uint64_t len;
	bus_access_fn fn;
	void *opaque;
};

struct bus {
	struct bus_range r[BUS_MAX_RANGES];
	unsigned nr;
};

/* 0, -EBUSY if it overlaps a registered range, -ENOSPC if the bus is full. */
int bus_register(struct bus *b, uint64_t base, uint64_t len, bus_access_fn fn, void *opaque);
/* Dispatches; false if no device claims the address (reads then return all ones). */
bool bus_access(struct bus *b, uint64_t addr, uint8_t *data, uint32_t len, bool is_write);

#endif
