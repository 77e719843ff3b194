/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ozone-agent: PID 1 of the guest. Shared helpers: console lines, the
 * kernel command line, and the ways out (power off, reboot). PID 1 must
 * never exit (the kernel would panic), so every fatal error ends in a
 * power off instead.
 */
#ifndef OZONE_AGENT_AGENT_H
#define OZONE_AGENT_AGENT_H

#include <stdbool.h>
#include <stddef.h>

#define AGENT_PREFIX "ozone-agent: "

/* Writes "ozone-agent: <formatted>\n" to stdout in one write. */
void agent_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Logs the line, then powers the guest off. */
_Noreturn void agent_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Power off / reboot the guest; never return (on failure: log and halt forever). */
_Noreturn void agent_poweroff(void);
_Noreturn void agent_reboot(void);

/*
 * Looks for `name` (a word "name" or "name=value") in the kernel command
 * line `cmdline`. Returns false if absent; otherwise true with the value
 * ("" for a bare word) copied to `val` (truncated to `len` - 1).
 */
bool cmdline_find(const char *cmdline, const char *name, char *val, size_t len);
/* Reads /proc/cmdline into `buf`; 0 or -errno. */
int cmdline_read(char *buf, size_t len);

#endif
