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
#include <stdint.h>

#define AGENT_PREFIX "ozone-agent: "

enum agent_level {
	AGENT_DEBUG,
	AGENT_INFO,
	AGENT_WARN,
	AGENT_ERROR,
};

/* Lines below this level are dropped; AGENT_INFO unless set (ozone.log=). */
void agent_log_set_level(enum agent_level level);
/* "debug", "info", "warn", "error": 0 and *level, or -EINVAL. */
int agent_log_parse_level(const char *name, enum agent_level *level);
/* Writes "ozone-agent: <formatted>\n" to stdout in one write, if level is shown. */
void agent_logl(enum agent_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* agent_logl at AGENT_INFO. */
void agent_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define agent_debug(...) agent_logl(AGENT_DEBUG, __VA_ARGS__)
#define agent_warn(...) agent_logl(AGENT_WARN, __VA_ARGS__)
/* Logs the line, then powers the guest off. */
_Noreturn void agent_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Host mode (--hybrid-socket): the agent is an ordinary host process, for
 * tests. Then the ways out below end the process instead of the machine.
 */
extern bool agent_host_mode;

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

/* A vsock stream listener on `port` of any CID; the fd or -errno. */
int agent_vsock_listen(uint32_t port);
/* Accepts on `lfd` for ever, each connection on a detached thread running fn(fd). */
int agent_serve(int lfd, void *(*fn)(void *));
/* The control channel on vsock port 1024 (PROTO_AGENT_PORT), served on its own thread. */
int control_start(void);
/* The echo test aid (ozone.echo=PORT), served on its own thread. */
int echo_start(uint32_t port);

#endif
