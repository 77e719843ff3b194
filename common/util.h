/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small helpers every program needs once: the element count of an array,
 * a monotonic clock in milliseconds, and read/write loops that survive
 * EINTR and short transfers.
 */
#ifndef OZONE_COMMON_UTIL_H
#define OZONE_COMMON_UTIL_H

#include <stddef.h>
#include <sys/types.h>

/* The element count of an array (not a pointer: the second term fails to build then). */
#define ARRAY_SIZE(a)                                                                              \
	(sizeof(a) / sizeof((a)[0]) +                                                              \
	 0 * sizeof(struct {                                                                       \
		 int not_an_array : !__builtin_types_compatible_p(typeof(a), typeof(&(a)[0]));     \
	 }))

/* Milliseconds on CLOCK_MONOTONIC: for deadlines and durations, never for dates. */
long long now_ms(void);

/*
 * Writes all len bytes to fd, again after EINTR and short writes. Returns 0,
 * or -errno (EIO when write() returns 0); records nothing, so the caller
 * names what it was writing: if ((ret = write_all(...)) < 0) err_set(-ret, ...).
 */
int write_all(int fd, const void *buf, size_t len);

/*
 * Reads until len bytes, end of file or an error, again after EINTR.
 * Returns the byte count read (less than len only at end of file), or
 * -errno; records nothing.
 */
ssize_t read_full(int fd, void *buf, size_t len);

#endif
