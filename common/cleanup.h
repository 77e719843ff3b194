/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scope-bound cleanup for the resources a function holds only while it runs
 * (the convention of docs/architecture.md, "Cleanup"): a local declared
 *     _cleanup_close_ int fd = -1;
 *     _cleanup_free_ char *path = NULL;
 * is closed or freed on every return. To keep it past the return, take it
 * over: return take_fd(&fd); or *out = take_ptr(&path);
 * Resources with an order or a state of their own (a child to reap, a mount
 * to undo, a half-built VM) use one goto label instead, whose steps each
 * know whether they were done.
 */
#ifndef OZONE_COMMON_CLEANUP_H
#define OZONE_COMMON_CLEANUP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno; /* close() must not hide the errno being reported */

		close(*fd);
		errno = saved;
	}
}

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}

static inline void cleanup_fclosep(FILE **f)
{
	if (*f) {
		int saved = errno;

		fclose(*f);
		errno = saved;
	}
}

#define _cleanup_close_ __attribute__((cleanup(cleanup_closep)))
#define _cleanup_free_ __attribute__((cleanup(cleanup_freep)))
#define _cleanup_fclose_ __attribute__((cleanup(cleanup_fclosep)))

/* Hands an fd out of a _cleanup_close_ variable: returns it, leaves -1 behind. */
static inline int take_fd(int *fd)
{
	int v = *fd;

	*fd = -1;
	return v;
}

/* Hands a pointer out of a _cleanup_free_ variable: returns it, leaves NULL behind. */
#define take_ptr(pp)                                                                               \
	({                                                                                         \
		typeof(*(pp)) v_ = *(pp);                                                          \
		*(pp) = NULL;                                                                      \
		v_;                                                                                \
	})

#endif
