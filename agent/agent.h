/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ozone-agent: PID 1 of the guest. What every part of it uses: console
 * lines (log.c) and the ways out (power off, reboot: power.c). PID 1 must
 * never exit (the kernel would panic), so every fatal error ends in a
 * power off instead.
 *
 * The parts: boot/ (PID 1's start: mounts, console, command line, the
 * signals; host mode), server/ (the ports, the control protocol, the ops,
 * stdio streams, events), proc/ (the table of containers and processes,
 * the reaper, what /proc says of a process), ctr/ (the container
 * builder and the cgroups, a library of its own) and test/ (services only
 * a test build has: ozone-agent-test).
 */
#ifndef OZONE_AGENT_AGENT_H
#define OZONE_AGENT_AGENT_H

#include <stdbool.h>

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

#endif
