/* SPDX-License-Identifier: Apache-2.0 */
/* The kernel command line, as /proc/cmdline shows it. */
#ifndef OZONE_AGENT_CMDLINE_H
#define OZONE_AGENT_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Looks for `name` (a word "name" or "name=value") in the kernel command
 * line `cmdline`. Returns false if absent; otherwise true with the value
 * ("" for a bare word) copied to `val` (truncated to `len` - 1).
 */
bool cmdline_find(const char *cmdline, const char *name, char *val, size_t len);
/* Reads /proc/cmdline into `buf`; 0 or -errno. */
int cmdline_read(char *buf, size_t len);

#endif
