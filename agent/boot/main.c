/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ozone-agent, PID 1 of the guest: sets up /dev, /proc, /sys, /run, the
 * shared directory (virtio-fs tag "ozone" at /run/ozone/shared) and the
 * cgroup2 hierarchy, takes the console as its stdio, says "ready", and then
 * either reports what the guest sees and shuts down (ozone.report on the
 * kernel command line) or serves the control protocol on vsock port 1024
 * while one reaper thread collects every child, honouring the usual init
 * signals: SIGUSR1 (halt) and SIGUSR2 (power off) power off, SIGTERM
 * reboots.
 *
 * ozone.report          report, then power off
 * ozone.report=reboot   report, then reboot
 * ozone.echo=PORT       test aid, only in ozone-agent-test: echo every stream
 *                       on vsock port PORT
 * ozone.log=LEVEL       debug, info (default), warn or error
 *
 * Host mode, for tests: `ozone-agent --hybrid-socket PATH [--shared DIR]
 * [--cgroup-root DIR] [--log LEVEL]` serves the same protocol as an
 * ordinary process through one unix socket that speaks the VMM's hybrid
 * vsock handshake (transport.h); SIGTERM or SIGINT end it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/ctr/cgroup.h"
#include "agent/proc/reaper.h"
#include "agent/server/control.h"
#include "agent/server/notify.h"
#include "agent/server/ops.h"
#include "agent/server/transport.h"
#include "cmdline.h"
#include "common/error.h"
#include "common/util.h"
#include "guest_info.h"
#ifdef OZONE_AGENT_TEST_SERVICES
#include "agent/test/echo.h"
#endif

#define SHARED_DIR "/run/ozone/shared"
#define SHARED_TAG "ozone"

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
    /* Terminals for containers with process.terminal. */
    {"devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "gid=5,mode=620,ptmxmode=666"},
};

static int mount_one(const struct mountpoint *m)
{
	if (mkdir(m->target, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (mount(m->source, m->target, m->fstype, m->flags, m->data) < 0 && errno != EBUSY)
		return -errno;
	return 0;
}

/*
 * The initramfs is the kernel's rootfs, which pivot_root cannot leave: a
 * container would only get a chroot, which a process with CAP_SYS_CHROOT
 * can climb out of. So, as switch_root does, PID 1 first moves onto a
 * tmpfs of its own; everything after, containers included, lives below a
 * root that pivot_root can replace. The agent keeps running from the
 * initramfs' pages it is mapped from.
 */
static int leave_initramfs(void)
{
	static const char *const dirs[] = {"dev", "proc", "sys", "run", "tmp"};

	if (mkdir("/.root", 0755) < 0 && errno != EEXIST)
		return -errno;
	if (mount("tmpfs", "/.root", "tmpfs", MS_NOSUID, "mode=0755") < 0)
		return -errno;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		char path[32];

		snprintf(path, sizeof(path), "/.root/%s", dirs[i]);
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -errno;
	}
	if (chmod("/.root/tmp", 01777) < 0 || chdir("/.root") < 0 ||
	    mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 || chdir("/") < 0)
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

/* The virtio-fs share, if the VMM has one: without it, create fails with a clear message. */
static void mount_shared(void)
{
	if (mkdir("/run/ozone", 0755) < 0 && errno != EEXIST)
		return;
	if (mkdir(SHARED_DIR, 0755) < 0 && errno != EEXIST)
		return;
	/*
	 * No nosuid or nodev: binds of the rootfs inherit the share's flags,
	 * and a container's set-uid binaries must work as under runc.
	 */
	if (mount(SHARED_TAG, SHARED_DIR, "virtiofs", 0, NULL) == 0) {
		strcpy(agent_config.shared, SHARED_DIR);
		agent_debug("virtio-fs '%s' at %s", SHARED_TAG, SHARED_DIR);
	} else if (errno == ENODEV || errno == ENOENT) {
		agent_debug("no virtio-fs device tagged '%s'", SHARED_TAG);
	} else {
		agent_warn("mount virtio-fs '%s' at %s: %s", SHARED_TAG, SHARED_DIR,
			   strerror(errno));
	}
}

static void start_server(void)
{
	int ret;

	if ((ret = reaper_start()) < 0 || (ret = notify_start()) < 0)
		agent_fatal("start the server threads: %s", strerror(-ret));
}

/* Signals are taken synchronously: SIGCHLD by the reaper thread, the rest by main. */
static void block_signals(sigset_t *waited)
{
	sigset_t all;

	sigemptyset(waited);
	sigaddset(waited, SIGTERM);
	sigaddset(waited, SIGUSR1);
	sigaddset(waited, SIGUSR2);
	sigaddset(waited, SIGINT);
	all = *waited;
	sigaddset(&all, SIGCHLD);
	/* A write to a pipe or socket whose reader is gone is an EPIPE, not a death. */
	sigaddset(&all, SIGPIPE);
	sigprocmask(SIG_BLOCK, &all, NULL);
}

static void usage(void)
{
	fprintf(stderr, "usage: ozone-agent (as PID 1 of the guest)\n"
			"       ozone-agent --hybrid-socket PATH [--shared DIR] "
			"[--cgroup-root DIR] [--log debug|info|warn|error]\n");
	exit(2);
}

static int host_main(int argc, char **argv)
{
	const char *sock = NULL, *cgroot = NULL;
	enum agent_level level;
	sigset_t waited;
	int ret, sig;

	/* Every option takes a value: argv[i], argv[i + 1]. */
	for (int i = 1; i < argc; i += 2) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			usage();
		if (strcmp(argv[i], "--hybrid-socket") == 0)
			sock = v;
		else if (strcmp(argv[i], "--shared") == 0) {
			if (!realpath(v, agent_config.shared)) {
				err_printf("ozone-agent", "--shared %s: %s", v, strerror(errno));
				return 1;
			}
		} else if (strcmp(argv[i], "--cgroup-root") == 0)
			cgroot = v;
		else if (strcmp(argv[i], "--log") == 0 && agent_log_parse_level(v, &level) == 0)
			agent_log_set_level(level);
		else
			usage();
	}
	if (!sock)
		usage();
	agent_host_mode = true;
	block_signals(&waited);
	/* Orphans of the containers' processes come to us, as they would to PID 1. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (cgroot) {
		ret = cg_init(cgroot, false);
		if (ret < 0) {
			err_print("ozone-agent: --cgroup-root", ret);
			return 1;
		}
		agent_config.cgroups = true;
	}
	start_server();
	if ((ret = transport_use_hybrid(sock)) < 0 || (ret = control_start()) < 0) {
		err_print("ozone-agent", ret);
		return 1;
	}
	agent_log("ready (host mode, %s)", sock);
	do
		sig = sigwaitinfo(&waited, NULL);
	while (sig < 0 || sig == SIGUSR1 || sig == SIGUSR2);
	agent_log("signal %d: destroying every container", sig);
	ops_destroy_all();
	transport_cleanup();
	return 0;
}

#ifdef OZONE_AGENT_TEST_SERVICES
/* ozone.echo=PORT: the echo test aid on vsock port PORT. */
static void start_echo(const char *val)
{
	char *end;
	unsigned long port = strtoul(val, &end, 10);
	int ret =
	    *val && !*end && port > 0 && port < 0xffffffffUL ? echo_start((uint32_t)port) : -EINVAL;

	if (ret < 0)
		agent_log("ozone.echo=%s: %s", val, strerror(-ret));
}
#else
/* The guest's own agent has no test services. */
static void start_echo(const char *val)
{
	agent_log("ozone.echo=%s: not in this agent (ozone-agent-test has the test services)", val);
}
#endif

static void set_log_level(const char *cmdline)
{
	char val[16];
	enum agent_level level;

	if (!cmdline_find(cmdline, "ozone.log", val, sizeof(val)))
		return;
	if (agent_log_parse_level(val, &level) == 0)
		agent_log_set_level(level);
	else
		agent_warn("ozone.log=%s: not one of debug, info, warn, error", val);
}

int main(int argc, char **argv)
{
	char cmdline[4096], report[32], echo[16];
	sigset_t waited;
	int ret, moved;

	if (argc > 1)
		return host_main(argc, argv);
	if (getpid() != 1) {
		agent_log("must run as PID 1 (init) of the guest, or with --hybrid-socket");
		return 1;
	}
	block_signals(&waited);

	moved = leave_initramfs();
	ret = mount_one(&mounts[0]);
	open_console();
	if (ret < 0)
		agent_fatal("mount %s: %s", mounts[0].target, strerror(-ret));
	if (moved < 0)
		agent_fatal("move off the initramfs: %s", strerror(-moved));
	for (size_t i = 1; i < ARRAY_SIZE(mounts); i++) {
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
	set_log_level(cmdline);

	start_server();
	mount_shared();
	ret = cg_init("/sys/fs/cgroup", true);
	if (ret < 0)
		agent_warn("cgroup2 at /sys/fs/cgroup: %s; containers get no cgroup", err_msg());
	else
		agent_config.cgroups = true;

	agent_log("ready");

	/* No vsock device (a VMM without --vsock-socket): nothing to serve, not an error. */
	ret = control_start();
	if (ret < 0 && ret != -ENODEV && ret != -EADDRNOTAVAIL && ret != -EAFNOSUPPORT)
		agent_log("vsock port 1024: %s", err_msg());
	if (cmdline_find(cmdline, "ozone.echo", echo, sizeof(echo)))
		start_echo(echo);

	if (cmdline_find(cmdline, "ozone.report", report, sizeof(report))) {
		guest_info_report();
		if (strcmp(report, "reboot") == 0)
			agent_reboot();
		agent_poweroff();
	}

	for (;;) {
		switch (sigwaitinfo(&waited, NULL)) {
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
