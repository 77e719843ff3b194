/* SPDX-License-Identifier: Apache-2.0 */
/* A process's details from /proc, for ps (proc_info.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/error.h"
#include "common/read_bounded.h"
#include "proc_info.h"

/* /proc/<pid>/stat is a few hundred bytes; a comm is at most 64. */
#define STAT_MAX 1023
/* /proc/stat grows with the cpus: btime is read from the first part only. */
#define PROC_STAT_MAX 65535

/* Reads <proc>/<name> (a relative path), at most max bytes, NUL-terminated; the length or -errno.
 */
static ssize_t read_small(const char *proc, const char *name, char *buf, size_t max)
{
	char path[256];
	size_t got = 0;
	int fd, ret;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", proc, name) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	ret = read_bounded(fd, buf, max, &got);
	close(fd);
	if (ret < 0)
		return ret;
	/* More than max: the first max bytes are what we use. */
	if (got > max)
		got = max;
	buf[got] = '\0';
	return (ssize_t)got;
}

int proc_info_clock(const char *proc, struct proc_info_clock *clk)
{
	char *buf = malloc(PROC_STAT_MAX + 1), *p;
	ssize_t n;
	unsigned long long bt;

	if (!buf)
		return err_setx(ENOMEM, "out of memory");
	n = read_small(proc, "stat", buf, PROC_STAT_MAX);
	if (n < 0) {
		free(buf);
		return err_set((int)-n, "%s/stat", proc);
	}
	p = strstr(buf, "\nbtime ");
	if (!p || sscanf(p + 7, "%llu", &bt) != 1) {
		free(buf);
		return err_setx(EINVAL, "%s/stat: no btime", proc);
	}
	free(buf);
	clk->boot_time = bt;
	clk->hz = sysconf(_SC_CLK_TCK);
	if (clk->hz <= 0)
		clk->hz = 100;
	return 0;
}

int proc_info_parse_stat(const char *buf, struct proc_info_stat *st)
{
	const char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	unsigned long long f[20];
	size_t clen;
	char state;

	memset(st, 0, sizeof(*st));
	if (!open || !close || close < open)
		return -EINVAL;
	/* The name is the process's to choose: everything between the first '(' and the last ')'.
	 */
	clen = (size_t)(close - open - 1);
	if (clen >= sizeof(st->comm))
		clen = sizeof(st->comm) - 1;
	memcpy(st->comm, open + 1, clen);
	st->comm[clen] = '\0';
	/*
	 * After the name: state, then fields 4 ppid, 5 pgrp, 6 session, 7 tty_nr,
	 * 8 tpgid, 9 flags, 10-13 faults, 14 utime, 15 stime, 16-17 cutime,
	 * cstime, 18 priority, 19 nice, 20 threads, 21 itrealvalue, 22 starttime.
	 */
	if (sscanf(close + 1,
		   " %c %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu "
		   "%llu %llu %llu %llu %llu",
		   &state, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8], &f[9],
		   &f[10], &f[11], &f[12], &f[13], &f[14], &f[15], &f[16], &f[17], &f[18]) != 20)
		return -EINVAL;
	/* f[k] is field k + 4. */
	st->ppid = f[0] > PROTO_PID_MAX ? 0 : (uint32_t)f[0];
	st->tty_nr = (uint32_t)f[3];
	st->utime = f[10];
	st->stime = f[11];
	st->starttime = f[18];
	return 0;
}

void proc_info_tty_name(uint32_t tty_nr, char *out, size_t size)
{
	unsigned maj = major(tty_nr), min = minor(tty_nr);

	if (maj >= 136 && maj <= 143)
		snprintf(out, size, "pts/%u", (maj - 136) * 256 + min);
	else if (maj == 4 && min < 64 && tty_nr)
		snprintf(out, size, "tty%u", min);
	else if (maj == 4 && min >= 64)
		snprintf(out, size, "ttyS%u", min - 64);
	else if (maj == 5 && min == 1)
		snprintf(out, size, "console");
	else
		snprintf(out, size, "%s", "");
}

void proc_info_cmd(const char *cmdline, size_t len, const char *comm, char *out, size_t size)
{
	size_t n = 0;

	while (len && cmdline[len - 1] == '\0')
		len--;
	if (!len) {
		snprintf(out, size, "[%s]", comm);
		for (char *p = out; *p; p++)
			if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
				*p = '?';
		return;
	}
	/* Printable ASCII only: what goes on the wire must be valid UTF-8 whatever the bytes. */
	for (size_t i = 0; i < len && n + 1 < size; i++) {
		unsigned char c = (unsigned char)cmdline[i];

		out[n++] = c == 0 ? ' ' : (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	out[n] = '\0';
}

/* The effective uid: the second number of the Uid: line. */
static int parse_uid(const char *status, uint32_t *uid)
{
	const char *p = strstr(status, "\nUid:");
	unsigned long long real, eff;

	if (!p || sscanf(p + 5, "%llu %llu", &real, &eff) != 2 || eff > UINT32_MAX)
		return -EINVAL;
	*uid = (uint32_t)eff;
	return 0;
}

int proc_info_read(const char *proc, uint32_t pid, const struct proc_info_clock *clk,
		   struct proto_proc *out)
{
	char name[64], buf[STAT_MAX + 1], *cmdline, *cmd;
	struct proc_info_stat st;
	ssize_t n;

	memset(out, 0, sizeof(*out));
	out->pid = pid;
	snprintf(name, sizeof(name), "%u/stat", pid);
	if ((n = read_small(proc, name, buf, STAT_MAX)) < 0)
		return (int)n;
	if (proc_info_parse_stat(buf, &st) < 0)
		return err_setx(EINVAL, "%s/%s: does not parse", proc, name);
	snprintf(name, sizeof(name), "%u/status", pid);
	if ((n = read_small(proc, name, buf, STAT_MAX)) < 0)
		return (int)n;
	if (parse_uid(buf, &out->uid) < 0)
		return err_setx(EINVAL, "%s/%s: no Uid line", proc, name);
	out->ppid = st.ppid;
	out->start = clk->boot_time + st.starttime / (uint64_t)clk->hz;
	out->cpu_ms = (st.utime + st.stime) * 1000 / (uint64_t)clk->hz;
	proc_info_tty_name(st.tty_nr, out->tty, sizeof(out->tty));
	cmdline = malloc(PROTO_CMD_MAX + 1);
	cmd = malloc(PROTO_CMD_MAX + 1);
	if (!cmdline || !cmd) {
		free(cmdline);
		free(cmd);
		return err_setx(ENOMEM, "out of memory");
	}
	snprintf(name, sizeof(name), "%u/cmdline", pid);
	n = read_small(proc, name, cmdline, PROTO_CMD_MAX);
	proc_info_cmd(cmdline, n > 0 ? (size_t)n : 0, st.comm, cmd, PROTO_CMD_MAX + 1);
	free(cmdline);
	out->cmd = cmd;
	return 0;
}
