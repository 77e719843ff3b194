/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the guest's /proc says of a process, for `ozone ps`'s table
 * (proto.h, struct proto_proc): its parent, owner, start time, cpu time,
 * terminal and command line. Every file is read with a bounded read: a
 * container's process controls its own command line and name.
 */
#ifndef OZONE_AGENT_PROC_INFO_H
#define OZONE_AGENT_PROC_INFO_H

#include <stddef.h>
#include <stdint.h>

#include "common/proto.h"

/* What the table needs of the guest: its boot time (epoch s) and clock ticks per second. */
struct proc_info_clock {
	uint64_t boot_time;
	long hz;
};

/* Reads btime from <proc>/stat and the tick rate. */
int proc_info_clock(const char *proc, struct proc_info_clock *clk);

/*
 * Fills *out from <proc>/<pid>/{stat,status,cmdline}; out->cmd is malloc'd.
 * -ENOENT (no message) when the process is gone.
 */
int proc_info_read(const char *proc, uint32_t pid, const struct proc_info_clock *clk,
		   struct proto_proc *out);

/* The parts of /proc/<pid>/stat the table needs; -EINVAL when it does not parse. */
struct proc_info_stat {
	char comm[64];
	uint32_t ppid;
	uint32_t tty_nr;
	uint64_t utime, stime, starttime; /* clock ticks */
};
int proc_info_parse_stat(const char *buf, struct proc_info_stat *st);

/* A tty_nr as ps names it ("pts/3", "tty1", "ttyS0"), or "" for none or unknown. */
void proc_info_tty_name(uint32_t tty_nr, char *out, size_t size);

/* cmdline's NUL-separated arguments (len bytes) as one line in out; comm when empty. */
void proc_info_cmd(const char *cmdline, size_t len, const char *comm, char *out, size_t size);

#endif
