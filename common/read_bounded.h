/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading a whole small input (a config.json, a process.json, a resources
 * object) whose size the caller caps: never more than max + 1 bytes, so a
 * file that is too large, or grows, or never ends (/dev/zero, a pipe) is
 * noticed without reading it all.
 */
#ifndef OZONE_COMMON_READ_BOUNDED_H
#define OZONE_COMMON_READ_BOUNDED_H

#include <stddef.h>

/*
 * Reads fd to its end into buf, which holds max + 1 bytes. *got is what was
 * read: max + 1 means "more than max". EINTR is retried. 0 or -errno (no
 * message recorded: the caller names the file).
 */
int read_bounded(int fd, char *buf, size_t max, size_t *got);

#endif
