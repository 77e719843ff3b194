/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ozone-agent, PID 1 of the guest: sets up /dev, /proc and /sys, takes the
 * console as its stdio, says "ready", and then either reports what the guest
 * sees and shuts down (ozone.report on the kernel command line) or waits,
 * reaping every child and honouring the usual init signals:
 * SIGUSR1 (halt) and SIGUSR2 (power off) power off, SIGTERM reboots.
 *
 * ozone.report          report, then power off
 * ozone.report=reboot   report, then reboot
 * ozone.echo=PORT       test aid: echo every stream on vsock port PORT
 *
 * The control channel listens on vsock port 1024 from "ready" on (control.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent.h"
#include "guest_info.h"

struct mountpoint {
	const char *source, *target, *fstype;
	unsigned long flags;
	const char *data;
};

static const struct mountpoint mounts[] = {
    {"devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755"},
    {"proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL},
    {"sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL},
    {"tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755"},
};

static int mount_one(const struct mountpoint *m)
{
	if (mkdir(m->target, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (mount(m->source, m->target, m->fstype, m->flags, m->data) < 0 && errno != EBUSY)
		return -errno;
	return 0;
}

/* Makes fds 0, 1, 2 the console unless the kernel already gave us one. */
static void open_console(void)
{
	int fd;

	if (fcntl(STDOUT_FILENO, F_GETFD) >= 0)
		return;
	fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return; /* nowhere to print; carry on silently */
	for (int i = 0; i < 3; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

static void reap_children(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

int main(void)
{
	char cmdline[4096], report[32], echo[16];
	sigset_t set;
	int ret;

	if (getpid() != 1) {
		agent_log("must run as PID 1 (init) of the guest");
		return 1;
	}

	/* Signals are taken synchronously from here on. */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);

	ret = mount_one(&mounts[0]);
	open_console();
	if (ret < 0)
		agent_fatal("mount %s: %s", mounts[0].target, strerror(-ret));
	for (size_t i = 1; i < sizeof(mounts) / sizeof(mounts[0]); i++) {
		ret = mount_one(&mounts[i]);
		if (ret < 0)
			agent_fatal("mount %s: %s", mounts[i].target, strerror(-ret));
	}
	umask(022);
	setsid();
	if (chdir("/") < 0)
		agent_fatal("chdir /: %s", strerror(errno));

	ret = cmdline_read(cmdline, sizeof(cmdline));
	if (ret < 0)
		agent_fatal("read /proc/cmdline: %s", strerror(-ret));

	agent_log("ready");

	/* No vsock device (a VMM without --vsock-socket): nothing to serve, not an error. */
	ret = control_start();
	if (ret < 0 && ret != -ENODEV && ret != -EADDRNOTAVAIL && ret != -EAFNOSUPPORT)
		agent_log("vsock port 1024: %s", strerror(-ret));
	if (cmdline_find(cmdline, "ozone.echo", echo, sizeof(echo))) {
		char *end;
		unsigned long port = strtoul(echo, &end, 10);

		ret = *echo && !*end && port > 0 && port < 0xffffffffUL ? echo_start((uint32_t)port)
									: -EINVAL;
		if (ret < 0)
			agent_log("ozone.echo=%s: %s", echo, strerror(-ret));
	}

	if (cmdline_find(cmdline, "ozone.report", report, sizeof(report))) {
		guest_info_report();
		if (strcmp(report, "reboot") == 0)
			agent_reboot();
		agent_poweroff();
	}

	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&set, &si);

		switch (sig) {
		case SIGCHLD:
			reap_children();
			break;
		case SIGUSR1:
		case SIGUSR2:
			agent_poweroff();
		case SIGTERM:
			agent_reboot();
		default:
			break; /* SIGINT (ctrl-alt-del) and EINTR: ignore */
		}
	}
}
